"""Async client for the Rasa server's REST channel (POST {RASA_URL}/webhooks/rest/webhook).

Used by the Telegram bridge. Retries a bounded number of times when Rasa is unreachable or answers 5xx,
then raises RasaUnavailable so the caller can send a polite message instead of crashing.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List, Optional

import httpx

logger = logging.getLogger(__name__)


class RasaUnavailable(Exception):
    """Rasa could not be reached (or kept failing) after the bounded retries."""


class RasaRestClient:
    """Sends one user message to Rasa and returns the bot messages (list of dicts)."""

    def __init__(
        self,
        base_url: str,
        timeout: float = 30.0,
        attempts: int = 3,
        retry_delay: float = 1.0,
        input_channel: Optional[str] = None,
    ) -> None:
        self.url = base_url.rstrip("/") + "/webhooks/rest/webhook"
        self.timeout = timeout
        self.attempts = max(1, attempts)
        self.retry_delay = retry_delay
        self.input_channel = input_channel
        self._client: Optional[httpx.AsyncClient] = None

    async def start(self) -> None:
        # trust_env=False: Rasa is local; a proxy from the environment must not intercept it.
        self._client = httpx.AsyncClient(timeout=self.timeout, trust_env=False)

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def send(self, sender: str, text: str, metadata: Optional[Dict[str, Any]] = None) -> List[Dict[str, Any]]:
        """POST the message; retry with a growing delay; raise RasaUnavailable when all attempts fail."""
        if self._client is None:
            await self.start()
        assert self._client is not None
        body: Dict[str, Any] = {"sender": sender, "message": text, "metadata": metadata or {}}
        if self.input_channel:
            body["input_channel"] = self.input_channel
        last_error: Optional[BaseException] = None
        for attempt in range(1, self.attempts + 1):
            try:
                response = await self._client.post(self.url, json=body)
                if response.status_code >= 500:
                    raise httpx.HTTPStatusError(
                        f"Rasa answered {response.status_code}", request=response.request, response=response
                    )
                response.raise_for_status()
                data = response.json()
                return data if isinstance(data, list) else []
            except (httpx.HTTPError, ValueError) as error:
                last_error = error
                logger.warning("Rasa call %d/%d failed for %s: %s", attempt, self.attempts, sender, error)
                if attempt < self.attempts:
                    await asyncio.sleep(self.retry_delay * (2 ** (attempt - 1)))
        raise RasaUnavailable(str(last_error))
