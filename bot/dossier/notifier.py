"""Status-change notifier: tells subscribed conversations when their dossier's status changes.

Run:  python -m bot.dossier.notifier            (loop)      python -m bot.dossier.notifier --once
Env:  RASA_URL (http://127.0.0.1:5005), RASA_TOKEN (the Rasa server's --auth-token, also the bearer token of the
      Telegram bridge's /notify), TELEGRAM_BRIDGE_URL (the bridge's local side server, e.g. http://127.0.0.1:8089;
      empty: no Telegram bridge), DOSSIER_NOTIFY_INTERVAL (seconds between rounds, 60), plus the dossier client
      settings (DOSSIER_API_URL, DOSSIER_API_TOKEN ...) and DOSSIER_SUBSCRIPTIONS_DB (shared with the action server).

Why polling and not a change feed: the dossier API contract only has GET /dossiers/{code}; a province's system
implements that, not a feed of ours, so polling the subscribed codes works against any implementation.
Each round reads every subscribed code once, and for each conversation whose last told status differs it calls
POST {RASA_URL}/conversations/{sender}/trigger_intent?output_channel=latest&token=... with intent
EXTERNAL_dossier_status_changed and the code as entity. What happens to the answer depends on the channel, read
from the sender id:
- `zalo:<user>`: Zalo is a Rasa input channel, so Rasa itself sends the answer through it (output_channel=latest).
- `telegram:<chat>`: Telegram reaches Rasa through the bridge and the REST channel, so Rasa returns the answer in
  the HTTP response ({"tracker", "messages"}) and nobody would deliver it. The notifier posts those messages to
  {TELEGRAM_BRIDGE_URL}/notify (Authorization: Bearer RASA_TOKEN), which sends them into the chat. Without
  TELEGRAM_BRIDGE_URL, or while the bridge's /health does not answer, Telegram conversations are left for a later
  round (Rasa is not even asked, so the conversation history gets no undelivered answers).
- `web:` (the web chat page) and any other REST sender: the answer is recorded in the conversation, but the page
  only shows answers to its own requests: it does NOT receive pushes, so a web user sees nothing until they ask
  again. The status is still recorded as told (as before), so the page is not asked again and again.
The new status is recorded only after the delivery succeeded (Rasa accepted, and for Telegram the bridge sent it):
a Rasa or bridge outage means a retry next round, never a lost notification. A crash between the delivery and
the record (or a Telegram failure part-way through a multi-message answer) can repeat one message.
A final status ends the subscription.
"""

from __future__ import annotations

import argparse
import logging
import os
import time
from collections import defaultdict
from dataclasses import dataclass, field

from bot.channels.push import Push
from bot.dossier.client import DossierClient, DossierNotFound, DossierUnavailable
from bot.dossier.codes import mask_code
from bot.dossier.settings import DossierSettings
from bot.dossier.status import FINAL_STATUSES
from bot.dossier.subscriptions import SubscriptionStore

logger = logging.getLogger(__name__)
INTENT = "EXTERNAL_dossier_status_changed"


@dataclass
class Notifier:
    subscriptions: SubscriptionStore
    client: DossierClient
    rasa_url: str
    rasa_token: str | None = field(default=None, repr=False)
    timeout: float = 10.0
    telegram_bridge_url: str | None = None
    # Longer than Rasa's: /notify may wait (up to TELEGRAM_NOTIFY_WAIT, 20 s) for a chat busy with a reply.
    bridge_timeout: float = 60.0

    @classmethod
    def from_env(cls) -> "Notifier":
        settings = DossierSettings.from_env()
        return cls(
            SubscriptionStore(settings.subscriptions_db),
            DossierClient(settings),
            (os.environ.get("RASA_URL") or "http://127.0.0.1:5005").rstrip("/"),
            os.environ.get("RASA_TOKEN") or None,
            telegram_bridge_url=os.environ.get("TELEGRAM_BRIDGE_URL") or None,
        )

    def run_once(self) -> int:
        """One polling round; returns how many notifications were delivered (see the module docstring)."""
        # One delivery path per round (bot/channels/push.py), built from the current settings.
        self.push = Push(self.rasa_url, self.rasa_token, self.timeout, self.telegram_bridge_url, self.bridge_timeout)
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
                if not self._notify(sub.sender_id, code):
                    continue
                delivered += 1
                self.subscriptions.mark_notified(sub.sender_id, code, status)
                if dossier.status in FINAL_STATUSES:
                    self.subscriptions.unsubscribe(sub.sender_id, code)
        return delivered

    def _notify(self, sender_id: str, code: str) -> bool:
        """Deliver one change to one conversation; True when it reached the user's channel (or Rasa, for REST)."""
        return self.push.deliver(sender_id, INTENT, {"dossier_code": code}, mask_code(code))

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
