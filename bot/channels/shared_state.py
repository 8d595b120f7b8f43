"""Channel state that must be shared by every Rasa server / bridge process once there are several: the Zalo
msg_id de-duplication, the Zalo numbered-button memory and the Telegram long-payload button map.

`shared_store(name, max_items, ttl)` is a `BoundedStore` (one process, in memory) unless REDIS_URL is set, then a
`RedisStore` with the same three methods (values as JSON, each key with its time-to-live, `add_if_absent` atomic
with SET NX). A Redis error is logged and the call degrades (nothing found; a duplicate is answered twice rather
than a message dropped), so a restarting Redis never stops the conversation.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any, Optional

from bot.channels.common import BoundedStore

logger = logging.getLogger(__name__)
DEFAULT_REDIS_TTL = 30 * 24 * 3600  # entries without a TTL of their own still leave Redis eventually


class RedisStore:
    def __init__(self, url: str, name: str, ttl: Optional[float] = None, prefix: str = "tro_ly_dvc") -> None:
        import redis  # only when configured

        self.redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self.namespace = f"{prefix}:{name}:"
        self.ttl = int(ttl or DEFAULT_REDIS_TTL)

    def _key(self, key: Any) -> str:
        return self.namespace + str(key)

    def get(self, key: Any) -> Any:
        import redis

        try:
            raw = self.redis.get(self._key(key))
        except redis.RedisError as exc:
            logger.warning("shared channel state unavailable (get): %s", exc)
            return None
        return None if raw is None else json.loads(raw)

    def put(self, key: Any, value: Any) -> None:
        import redis

        try:
            self.redis.set(self._key(key), json.dumps(value, ensure_ascii=False), ex=self.ttl)
        except redis.RedisError as exc:
            logger.warning("shared channel state unavailable (put): %s", exc)

    def add_if_absent(self, key: Any, value: Any) -> bool:
        import redis

        try:
            return bool(self.redis.set(self._key(key), json.dumps(value), ex=self.ttl, nx=True))
        except redis.RedisError as exc:
            logger.warning("shared channel state unavailable (de-dup): %s", exc)
            return True


def shared_store(name: str, max_items: int, ttl: Optional[float] = None):
    url = os.environ.get("REDIS_URL")
    if url:
        return RedisStore(url, name, ttl)
    return BoundedStore(max_items, ttl=ttl)
