"""Action server entry point: `python -m actions --port 5055` (what `make run` starts).

Builds the procedure catalog's search index before the server accepts requests, so the first citizen does not
wait for it (a few seconds on 2 cores); then runs rasa-sdk's server on the `actions` package.
"""
from rasa_sdk.__main__ import main_from_args
from rasa_sdk.endpoint import create_argument_parser

from bot.catalog import load_catalog


def main() -> None:
    args = create_argument_parser().parse_args()
    args.actions = args.actions or "actions"
    load_catalog()
    main_from_args(args)


if __name__ == "__main__":
    main()
