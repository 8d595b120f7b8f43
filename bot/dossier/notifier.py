"""Status-change notifier: tells subscribed conversations when their dossier's status changes.

Run:  python -m bot.dossier.notifier            (loop)      python -m bot.dossier.notifier --once
Env:  RASA_URL (http://127.0.0.1:5005), RASA_TOKEN (the Rasa server's --auth-token), DOSSIER_NOTIFY_INTERVAL
      (seconds between rounds, 60), plus the dossier client settings (DOSSIER_API_URL, DOSSIER_API_TOKEN ...)
      and DOSSIER_SUBSCRIPTIONS_DB (shared with the action server).

Why polling and not a change feed: the dossier API contract only has GET /dossiers/{code}; a province's system
implements that, not a feed of ours, so polling the subscribed codes works against any implementation.
Each round reads every subscribed code once, and for each conversation whose last told status differs it calls
POST {RASA_URL}/conversations/{sender}/trigger_intent?output_channel=latest&token=... with intent
EXTERNAL_dossier_status_changed and the code as entity; the new status is recorded only after Rasa accepted it
(so one message per change; a crash between the two can repeat one message, never lose one).
A final status ends the subscription.
"""
from __future__ import annotations

import argparse
import logging
import os
import time
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass

import requests

from actions.api.dossier_client import DossierClient, DossierNotFound, DossierUnavailable
from actions.dossier_settings import DossierSettings
from bot.dossier.codes import mask_code
from bot.dossier.status import FINAL_STATUSES
from bot.dossier.subscriptions import SubscriptionStore

logger = logging.getLogger(__name__)
INTENT = "EXTERNAL_dossier_status_changed"


@dataclass
class Notifier:
    subscriptions: SubscriptionStore
    client: DossierClient
    rasa_url: str
    rasa_token: str | None = None
    timeout: float = 10.0

    def __post_init__(self) -> None:
        self.session = requests.Session()

    @classmethod
    def from_env(cls) -> "Notifier":
        settings = DossierSettings.from_env()
        return cls(SubscriptionStore(settings.subscriptions_db), DossierClient(settings),
                   (os.environ.get("RASA_URL") or "http://127.0.0.1:5005").rstrip("/"),
                   os.environ.get("RASA_TOKEN") or None)

    def run_once(self) -> int:
        """One polling round; returns how many notifications Rasa accepted."""
        by_code = defaultdict(list)
        for sub in self.subscriptions.all():
            by_code[sub.code].append(sub)
        delivered = 0
        for code, subs in by_code.items():
            try:
                dossier = self.client.get_dossier(code)
            except DossierNotFound:
                logger.warning("subscribed dossier %s no longer exists; dropping it", mask_code(code))
                for sub in subs:
                    self.subscriptions.unsubscribe(sub.sender_id, code)
                continue
            except DossierUnavailable as exc:
                logger.warning("dossier API unavailable (%s); retry next round", exc.reason)
                continue
            status = dossier.status.value
            for sub in subs:
                if sub.last_status == status:
                    continue
                if not self._trigger(sub.sender_id, code):
                    continue
                delivered += 1
                self.subscriptions.mark_notified(sub.sender_id, code, status)
                if dossier.status in FINAL_STATUSES:
                    self.subscriptions.unsubscribe(sub.sender_id, code)
        return delivered

    def _trigger(self, sender_id: str, code: str) -> bool:
        url = f"{self.rasa_url}/conversations/{urllib.parse.quote(sender_id, safe='')}/trigger_intent"
        params = {"output_channel": "latest"}
        if self.rasa_token:
            params["token"] = self.rasa_token
        try:
            response = self.session.post(url, params=params, timeout=self.timeout,
                                         json={"name": INTENT, "entities": {"dossier_code": code}})
        except requests.RequestException as exc:
            logger.warning("Rasa unreachable (%s); retry next round", type(exc).__name__)
            return False
        if response.status_code >= 300:
            logger.warning("Rasa refused the notification for %s: HTTP %s", mask_code(code), response.status_code)
            return False
        return True

    def run_forever(self, interval: float) -> None:
        while True:
            started = time.monotonic()
            try:
                count = self.run_once()
                if count:
                    logger.info("sent %d notification(s)", count)
            except Exception:  # keep the loop alive (e.g. a locked database); log and go on
                logger.exception("notifier round failed")
            time.sleep(max(1.0, interval - (time.monotonic() - started)))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.dossier.notifier", description=__doc__.split("\n")[0])
    parser.add_argument("--once", action="store_true", help="run one round and exit")
    args = parser.parse_args()
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"), format="%(asctime)s %(name)s %(message)s")
    notifier = Notifier.from_env()
    if args.once:
        print(notifier.run_once())
    else:
        notifier.run_forever(float(os.environ.get("DOSSIER_NOTIFY_INTERVAL") or 60))


if __name__ == "__main__":
    main()
