"""Retention and the person's rights from the command line, and the daily purge of the running stack.

    python -m bot.privacy purge [--older-than DAYS]   delete conversations older than DAYS (PRIVACY_RETENTION_DAYS, 90)
    python -m bot.privacy forget SENDER_ID             delete one person's conversation and subscriptions
    python -m bot.privacy export SENDER_ID [--out F]   write what is held about one person as JSON
    python -m bot.privacy totals                       conversations and messages per day and channel
    python -m bot.privacy schedule                     purge now and every PRIVACY_PURGE_INTERVAL seconds

The tracker store is DATABASE_URL (PostgreSQL) or VAR_DIR/tracker.db; subscriptions DOSSIER_SUBSCRIPTIONS_DB.
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
from pathlib import Path
from typing import Optional

from bot.privacy import database, rights
from bot.privacy.settings import PrivacySettings

logger = logging.getLogger("bot.privacy")


def _print(data) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def schedule(settings: PrivacySettings, stop: threading.Event) -> None:
    """Purge at start, then once per interval, until `stop` is set (SIGTERM from the stack)."""
    while not stop.is_set():
        try:
            result = database.purge(database.engine_for(settings.events_url), settings.retention_days)
            logger.info(
                "retention purge: %s events of %s conversations before %s deleted",
                result["events"],
                result["conversations"],
                result["before"],
            )
        except Exception:  # a database outage must not stop the schedule
            logger.exception("retention purge failed; next try in %s s", settings.purge_interval)
        stop.wait(settings.purge_interval)


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.privacy", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    purge = sub.add_parser("purge", help="delete conversations older than the retention period")
    purge.add_argument("--older-than", type=int, default=None, metavar="DAYS")
    sub.add_parser("forget", help="delete one person's conversation and subscriptions").add_argument("sender_id")
    export = sub.add_parser("export", help="write what is held about one person as JSON")
    export.add_argument("sender_id")
    export.add_argument("--out", type=Path, default=None)
    sub.add_parser("totals", help="conversations and messages per day and channel (they survive purges)")
    sub.add_parser("schedule", help="purge now and every PRIVACY_PURGE_INTERVAL seconds (started by make run)")
    args = parser.parse_args(argv)
    settings = PrivacySettings.from_env()

    if args.command == "purge":
        days = settings.retention_days if args.older_than is None else args.older_than
        if days < 0:
            parser.error("--older-than must be 0 or more")
        _print(database.purge(database.engine_for(settings.events_url), days))
    elif args.command == "forget":
        _print(rights.forget(settings, args.sender_id))
    elif args.command == "export":
        data = rights.export(settings, args.sender_id)
        if args.out:
            args.out.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
        else:
            _print(data)
    elif args.command == "totals":
        rows = sorted(database.totals(database.engine_for(settings.events_url)).items())
        _print([{"day": day, "channel": channel, "conversations": c, "messages": m} for (day, channel), (c, m) in rows])
    else:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            schedule(settings, stop)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
