"""Action server entry point: `python -m actions --port 5055 [--host 127.0.0.1]` (what `make run` starts).

Builds the procedure catalog's search indexes (names, and the records' texts) and the memory of earlier questions
(bot/understanding/memory.py) before the server accepts requests, so the first citizen does not wait for them (a
few seconds on 2 cores); then serves the `actions` package (actions/server.py: bound to 127.0.0.1 by default,
calls only with ACTIONS_TOKEN or, without one, from loopback).
"""

from actions.server import argument_parser, serve
from bot.catalog import load_catalog
from bot.understanding.memory import memory


def main() -> None:
    args = argument_parser().parse_args()
    load_catalog().texts  # noqa: B018 (built now, not on the first question)
    memory()
    serve(args)


if __name__ == "__main__":
    main()
