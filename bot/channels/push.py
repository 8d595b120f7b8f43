"""Pushing an answer into a conversation the person did not just write in: the one delivery path shared by the
dossier notifier (status changes) and the complaints (handled notices, bot/ops).

`Push.deliver(sender, intent, entities)` asks Rasa to answer an external intent
(POST {RASA_URL}/conversations/{sender}/trigger_intent?output_channel=latest&token=...) and, for Telegram, posts
Rasa's answer to the bridge's local POST /notify (Authorization: Bearer RASA_TOKEN), which sends it into the chat:
- `zalo:<user>`: Zalo is a Rasa input channel, so Rasa itself sends the answer through it (output_channel=latest).
- `telegram:<chat>`: Telegram reaches Rasa through the bridge and the REST channel, so the answer comes back in the
  HTTP response and is handed to the bridge. Without TELEGRAM_BRIDGE_URL, or while the bridge's /health does not
  answer, nothing is sent (Rasa is not even asked, so the history gets no undelivered answers): retry later.
- `web:` and any other REST sender: the answer is recorded in the conversation only (the web page shows answers to
  its own requests), which counts as delivered.
True means delivered; False means "try again later", never a lost message.
"""

from __future__ import annotations

import logging
import os
import urllib.parse
from dataclasses import dataclass, field

import requests

logger = logging.getLogger(__name__)
TELEGRAM_PREFIX = "telegram:"


@dataclass
class Push:
    rasa_url: str
    rasa_token: str | None = field(default=None, repr=False)
    timeout: float = 10.0
    telegram_bridge_url: str | None = None
    # Longer than Rasa's: /notify may wait (up to TELEGRAM_NOTIFY_WAIT, 20 s) for a chat busy with a reply.
    bridge_timeout: float = 60.0

    def __post_init__(self) -> None:
        self.rasa_url = self.rasa_url.rstrip("/")
        self.session = requests.Session()
        self.session.trust_env = False  # Rasa and the bridge are local; never through an environment proxy
        if self.telegram_bridge_url:
            self.telegram_bridge_url = self.telegram_bridge_url.rstrip("/")
        self._bridge_up: bool | None = None  # checked at most once per round

    @classmethod
    def from_env(cls) -> "Push":
        return cls(
            (os.environ.get("RASA_URL") or "http://127.0.0.1:5005"),
            os.environ.get("RASA_TOKEN") or None,
            telegram_bridge_url=os.environ.get("TELEGRAM_BRIDGE_URL") or None,
        )

    def new_round(self) -> None:
        self._bridge_up = None

    def deliver(self, sender_id: str, intent: str, entities: dict, label: str = "") -> bool:
        """Deliver Rasa's answer to `intent` to one conversation; `label` names it in logs (masked by the caller)."""
        if not sender_id.startswith(TELEGRAM_PREFIX):
            return self._trigger(sender_id, intent, entities, label) is not None
        if not self._telegram_bridge_ready():
            return False
        answer = self._trigger(sender_id, intent, entities, label)
        if answer is None:
            return False
        messages = answer.get("messages")
        if not isinstance(messages, list):
            logger.warning("Rasa's answer for %s has no messages list; retry next round", label)
            return False
        return self._push_telegram(sender_id, label, messages)

    def _telegram_bridge_ready(self) -> bool:
        if not self.telegram_bridge_url:
            logger.warning(
                "a Telegram conversation is to be told something but TELEGRAM_BRIDGE_URL is not set; "
                "kept for a later round"
            )
            return False
        if self._bridge_up is None:
            try:
                response = self.session.get(f"{self.telegram_bridge_url}/health", timeout=self.timeout)
                self._bridge_up = response.status_code == 200
            except requests.RequestException:
                self._bridge_up = False
            if not self._bridge_up:
                logger.warning("Telegram bridge not answering at %s; retry next round", self.telegram_bridge_url)
        return self._bridge_up

    def _push_telegram(self, sender_id: str, label: str, messages: list) -> bool:
        headers = {"Authorization": f"Bearer {self.rasa_token}"} if self.rasa_token else {}
        try:
            response = self.session.post(
                f"{self.telegram_bridge_url}/notify",
                headers=headers,
                json={"sender": sender_id, "messages": messages},
                timeout=self.bridge_timeout,
            )
        except requests.RequestException as exc:
            self._bridge_up = False  # skip the other Telegram conversations this round
            logger.warning("Telegram bridge unreachable (%s); retry next round", type(exc).__name__)
            return False
        if response.status_code != 200:
            logger.warning(
                "Telegram bridge did not deliver the notification for %s: HTTP %s; retry next round",
                label,
                response.status_code,
            )
            return False
        return True

    def _trigger(self, sender_id: str, intent: str, entities: dict, label: str) -> dict | None:
        """Ask Rasa to answer the intent; its JSON answer ({} when not JSON), None when refused."""
        # Rasa does not unquote %3A: the sender id keeps its ':'.
        url = f"{self.rasa_url}/conversations/{urllib.parse.quote(sender_id, safe=':')}/trigger_intent"
        params = {"output_channel": "latest"}
        if self.rasa_token:
            params["token"] = self.rasa_token
        try:
            response = self.session.post(
                url, params=params, timeout=self.timeout, json={"name": intent, "entities": entities}
            )
        except requests.RequestException as exc:
            logger.warning("Rasa unreachable (%s); retry next round", type(exc).__name__)
            return None
        if response.status_code >= 300:
            logger.warning("Rasa refused the notification for %s: HTTP %s", label, response.status_code)
            return None
        try:
            answer = response.json()
        except ValueError:
            return {}
        return answer if isinstance(answer, dict) else {}
