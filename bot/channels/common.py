"""Helpers shared by the Telegram bridge and the Zalo OA channel.

- load_messages(): user-facing strings from messages.yml (next to this file).
- split_text(): cut long answers under a platform limit, preferring line boundaries.
- KeyedLocks: one asyncio.Lock per conversation, so messages of one chat are handled in order
  while different chats run concurrently.
- BoundedStore: a small LRU dict with a size bound and an optional time-to-live.
Nothing here does I/O at import time.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any, AsyncIterator, Callable, Dict, Generic, Hashable, List, Optional, TypeVar

import yaml

MESSAGES_FILE = Path(__file__).with_name("messages.yml")
# Custom payloads (DESIGN.md "Structured payloads") are for the web page; the text already carries the facts.
SKIPPED_CUSTOM_TYPES = {"procedure_answer", "procedure_choices", "dossier_status"}

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@functools.lru_cache(maxsize=1)
def load_messages() -> Dict[str, str]:
    """Return the channel strings keyed by name (cached after the first read)."""
    with MESSAGES_FILE.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    return {str(key): str(value).strip() for key, value in data.items()}


def message(name: str) -> str:
    """One user-facing string from messages.yml."""
    return load_messages()[name]


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units: an emoji counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def _cut_long_line(line: str, limit: int, length: Callable[[str], int]) -> List[str]:
    """Cut one line longer than `limit`, at the last space that fits, else hard."""
    pieces: List[str] = []
    rest = line
    while length(rest) > limit:
        # Largest prefix that fits (length() may count more than len()).
        end = min(len(rest), limit)
        while end > 1 and length(rest[:end]) > limit:
            end -= 1
        space = rest.rfind(" ", 0, end)
        cut = space if space > 0 else end
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def split_text(text: str, limit: int, length: Callable[[str], int] = len) -> List[str]:
    """Split `text` into chunks of at most `limit` (as measured by `length`), at line boundaries when possible."""
    if length(text) <= limit:
        return [text] if text else []
    chunks: List[str] = []
    current = ""
    for line in text.split("\n"):
        pieces = _cut_long_line(line, limit, length) if length(line) > limit else [line]
        for piece in pieces:
            candidate = piece if not current else current + "\n" + piece
            if length(candidate) <= limit:
                current = candidate
            else:
                if current.strip():
                    chunks.append(current)
                current = piece
    if current.strip():
        chunks.append(current)
    return chunks


def is_skipped_custom(response: Dict[str, Any]) -> bool:
    """True for Rasa custom payloads that must not be shown raw in a chat app."""
    custom = response.get("custom")
    return isinstance(custom, dict) and custom.get("type") in SKIPPED_CUSTOM_TYPES


class KeyedLocks:
    """asyncio locks per key, dropped when nobody holds or waits for them (bounded memory)."""

    def __init__(self) -> None:
        self._locks: Dict[Hashable, asyncio.Lock] = {}
        self._users: Dict[Hashable, int] = {}

    @contextlib.asynccontextmanager
    async def hold(self, key: Hashable) -> AsyncIterator[None]:
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._users[key] -= 1
            if self._users[key] == 0:
                del self._users[key]
                del self._locks[key]

    def __len__(self) -> int:
        return len(self._locks)


class BoundedStore(Generic[K, V]):
    """LRU mapping with at most `max_items` entries, each living at most `ttl` seconds (None: forever)."""

    def __init__(
        self, max_items: int, ttl: Optional[float] = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_items = max_items
        self.ttl = ttl
        self._clock = clock
        self._items: "OrderedDict[K, tuple[float, V]]" = OrderedDict()

    def get(self, key: K) -> Optional[V]:
        item = self._items.get(key)
        if item is None:
            return None
        stamp, value = item
        if self.ttl is not None and self._clock() - stamp > self.ttl:
            del self._items[key]
            return None
        self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._items[key] = (self._clock(), value)
        self._items.move_to_end(key)
        while len(self._items) > self.max_items:
            self._items.popitem(last=False)

    def add_if_absent(self, key: K, value: V) -> bool:
        """Store `key` unless present (and fresh); True when it was new. Used for de-duplication."""
        if self.get(key) is not None:
            return False
        self.put(key, value)
        return True

    def __len__(self) -> int:
        return len(self._items)
