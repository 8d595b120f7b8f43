"""The operations report as one standalone HTML file: `python -m bot.report --days 30 --out bao-cao.html`.

Opens offline (inline SVG charts, no script). Reads the tracker store (DATABASE_URL or var/tracker.db) and the
operations tables (bot/ops/db.py); --tracker-db / --db override them. The web app serves the same page at /bao-cao
(bot.ops.report.build_report).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Optional

from bot.ops.db import engine, ops_url, tracker_url
from bot.ops.report import build_report


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.report", description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--db", default=None, help="operations database (default: see bot/ops/db.py)")
    parser.add_argument("--tracker-db", default=None, help="tracker store (default: DATABASE_URL or var/tracker.db)")
    args = parser.parse_args(argv)
    if args.days < 1:
        parser.error("--days must be 1 or more")
    page = build_report(engine(args.tracker_db or tracker_url()), engine(args.db or ops_url()), args.days)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(page, encoding="utf-8")
    print(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
