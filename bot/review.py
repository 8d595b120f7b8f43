"""Review the questions the assistant did not answer: `python -m bot.review`.

    python -m bot.review [list] [--days 30]            collect new ones from the tracker store, show the groups
    python -m bot.review attach N --procedure 1.001193 --topic documents [--alias "giấy cho bé mới đẻ"]
    python -m bot.review out-of-scope N

`attach` writes the group's questions as training examples of ask_<topic> (nlu_data/nlu/reviewed.yml) and, with
--alias, the everyday phrase to bot/catalog/data/aliases.tsv; `out-of-scope` writes them as out_of_scope examples.
Then `make train` (and restart `make run`) so the assistant answers them. Databases: bot/ops/db.py (--db,
--tracker-db to override); --aliases and --nlu-dir write to other copies of the data files (tests).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path
from typing import Optional

from bot.ops import review
from bot.ops.db import engine, ops_url, tracker_url
from bot.ops.unanswered import ATTACHED, OUT_OF_SCOPE, UnansweredStore, groups


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.review", description=__doc__.split("\n")[0])
    parser.add_argument("--db", default=None, help="operations database (default: see bot/ops/db.py)")
    parser.add_argument("--tracker-db", default=None, help="tracker store database (default: see bot/ops/db.py)")
    parser.add_argument("--aliases", type=Path, default=review.ALIASES)
    parser.add_argument("--nlu-dir", type=Path, default=review.NLU_DIR)
    parser.add_argument("--json", action="store_true")
    sub = parser.add_subparsers(dest="command")
    listing = sub.add_parser("list", help="collect, then show the groups of unanswered questions")
    listing.add_argument("--days", type=int, default=30)
    attach = sub.add_parser("attach", help="the group's questions are about this procedure and topic")
    attach.add_argument("group", type=int)
    attach.add_argument("--procedure", required=True)
    attach.add_argument("--topic", required=True)
    attach.add_argument("--alias", default=None, help="the everyday phrase people used for the procedure")
    sub.add_parser("out-of-scope", help="the group is not about public services").add_argument("group", type=int)
    args = parser.parse_args(argv)
    store = UnansweredStore(engine(args.db or ops_url()))
    command = args.command or "list"
    if command == "list":
        days = getattr(args, "days", 30)
        since = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=days)
        added = store.collect(engine(args.tracker_db or tracker_url()), since=since.timestamp())
        found = groups(store.rows())
        if args.json:
            print(
                json.dumps(
                    {
                        "added": added,
                        "groups": [
                            {
                                "group": g.number,
                                "count": g.count,
                                "kinds": g.kinds,
                                "example": g.example,
                                "texts": sorted(set(g.texts)),
                            }
                            for g in found
                        ],
                    },
                    ensure_ascii=False,
                    indent=1,
                )
            )
        else:
            print(f"{added} câu hỏi mới; {len(found)} nhóm chờ xem xét")
            for g in found:
                kinds = ", ".join(f"{k} {n}" for k, n in sorted(g.kinds.items()))
                print(f"#{g.number}  ×{g.count}  ({kinds})  {g.example}")
        return 0
    found = {g.number: g for g in groups(store.rows())}
    group = found.get(args.group)
    if group is None:
        print(json.dumps({"error": "no_such_group", "group": args.group}))
        return 1
    if command == "out-of-scope":
        added = review.add_examples("out_of_scope", sorted(set(group.texts)), args.nlu_dir)
        store.decide(group.ids, OUT_OF_SCOPE)
        print(json.dumps({"group": group.number, "examples": added}, ensure_ascii=False))
        return 0
    from bot.catalog import load_catalog

    record = load_catalog().get(args.procedure)
    if record is None:
        print(json.dumps({"error": "unknown_procedure", "procedure": args.procedure}))
        return 1
    try:
        intent = review.intent_for(args.topic)
    except ValueError as exc:
        print(json.dumps({"error": str(exc)}))
        return 2
    alias = review.add_alias(args.alias, record["name"], record["code"], args.aliases) if args.alias else False
    added = review.add_examples(intent, sorted(set(group.texts)), args.nlu_dir)
    store.decide(group.ids, ATTACHED, record["code"], args.topic)
    print(json.dumps({"group": group.number, "alias": alias, "intent": intent, "examples": added}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
