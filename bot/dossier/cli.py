"""Command-line tool for the reference dossier service's database (integrators, operators, tests).

    python -m bot.dossier.cli add CODE --procedure-code 1.001193 --procedure-name "Thủ tục đăng ký khai sinh" \
        --agency "UBND phường Hoàn Kiếm" --due 2026-12-01T17:00:00+07:00 [--status RECEIVED] [--received ...] \
        [--return-method IN_PERSON] [--note "..."] [--phone-last4 1234]
    python -m bot.dossier.cli update CODE [--status PROCESSING] [--note "..."] [--due ...] [--return-method POST]
    python -m bot.dossier.cli show CODE          # dossier + status history, JSON
    python -m bot.dossier.cli list [--status PROCESSING] [--limit 100]
    python -m bot.dossier.cli init               # create tables and seed/re-base demo dossiers

The database is DOSSIER_DB_URL (or --db). Codes are parsed like the bot does (lower case, spaces, missing
leading zero group accepted). Output is JSON on stdout; errors go to stderr with exit status 2 (bad input)
or 1 (not found).
"""

from __future__ import annotations

import argparse
import json
import sys

from bot.dossier.codes import parse_code
from bot.dossier.status import Status
from bot.dossier.store import DossierStore, StoreError


def _code(text: str) -> str:
    result = parse_code(text)
    if not result.ok:
        raise argparse.ArgumentTypeError(f"invalid dossier code {text!r}: {result.error.value}")
    return result.code  # type: ignore[return-value]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot.dossier.cli", description=__doc__.split("\n")[0])
    parser.add_argument("--db", help="database URL or SQLite path (default: DOSSIER_DB_URL)")
    sub = parser.add_subparsers(dest="command", required=True)
    statuses = [s.value for s in Status]

    add = sub.add_parser("add", help="add a dossier")
    add.add_argument("code", type=_code)
    add.add_argument("--procedure-code", required=True)
    add.add_argument("--procedure-name", required=True)
    add.add_argument("--agency", required=True)
    add.add_argument("--due", required=True, help="ISO 8601; no offset means Vietnam time")
    add.add_argument("--received", help="ISO 8601 (default: now)")
    add.add_argument("--status", default="RECEIVED", type=str.upper, choices=statuses)
    add.add_argument("--return-method", choices=["IN_PERSON", "POST", "ONLINE"])
    add.add_argument("--note")
    add.add_argument("--phone-last4")

    update = sub.add_parser("update", help="change status, note, due date or return method")
    update.add_argument("code", type=_code)
    update.add_argument("--status", type=str.upper, choices=statuses)
    update.add_argument("--note", help='officer note ("" clears it)')
    update.add_argument("--due")
    update.add_argument("--return-method", choices=["IN_PERSON", "POST", "ONLINE"])

    show = sub.add_parser("show", help="one dossier with its history")
    show.add_argument("code", type=_code)

    lst = sub.add_parser("list", help="list dossiers")
    lst.add_argument("--status", type=str.upper, choices=statuses)
    lst.add_argument("--limit", type=int, default=100)

    sub.add_parser("init", help="create tables, seed demo dossiers")
    return parser


def run(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    store = DossierStore.from_env(args.db)
    store.init(seed_demo=args.command == "init")
    try:
        if args.command == "add":
            out: object = store.add(
                {
                    "code": args.code,
                    "procedure_code": args.procedure_code,
                    "procedure_name": args.procedure_name,
                    "agency": args.agency,
                    "status": args.status,
                    "received_at": args.received,
                    "due_at": args.due,
                    "return_method": args.return_method,
                    "note": args.note,
                    "applicant_phone_last4": args.phone_last4,
                }
            )
        elif args.command == "update":
            out = store.update(
                args.code, status=args.status, note=args.note, due_at=args.due, return_method=args.return_method
            )
        elif args.command == "show":
            dossier = store.get(args.code)
            if dossier is None:
                raise KeyError(args.code)
            out = {**dossier, "history": store.history(args.code)}
        elif args.command == "list":
            out = store.list(status=args.status, limit=args.limit)
        else:
            out = {"initialized": True, "dossiers": len(store.list(limit=10_000))}
    except KeyError as exc:
        print(f"not found: {exc.args[0]}", file=sys.stderr)
        return 1
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0


def main() -> None:
    sys.exit(run())


if __name__ == "__main__":
    main()
