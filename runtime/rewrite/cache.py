"""The local rewrite cache, consulted on every turn between ASR and NLU.

Two layers keyed by the normalized utterance: the person's own rewrites (from the SQLite store,
learned on this device) win over the global table (mined upstream and synced over MQTT). Both start
empty; a miss returns None and the transcript goes to the NLU unchanged.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from typing import Any, Protocol

from runtime.events import Rewrite

_PUNCT = re.compile(r"[^\w\s']")
_SPACE = re.compile(r"\s+")


def normalize(text: str) -> str:
    """The key both layers are stored under: lower case, no punctuation, single spaces."""
    return _SPACE.sub(" ", _PUNCT.sub(" ", text.lower())).strip()


class GlobalTable(Protocol):
    """The bridge's synced rewrite tables, or our own `RewriteTable` when there is no bridge."""

    def lookup(self, text: str) -> str | Rewrite | None: ...


class PersonalSource(Protocol):
    """Where personal rewrites live (runtime.store.Store)."""

    def personal_rewrites(self, person: str | None = None) -> list[Any]: ...


class RewriteTable:
    """A thread-safe utterance -> rewrite map (the global layer when no bridge provides one)."""

    def __init__(self, pairs: Mapping[str, str] | None = None) -> None:
        self._lock = threading.Lock()
        self._pairs = {normalize(k): v for k, v in (pairs or {}).items()}
        self.version = 0

    def replace(self, pairs: Mapping[str, str], version: int = 0) -> None:
        with self._lock:
            self._pairs = {normalize(k): v for k, v in pairs.items()}
            self.version = version

    def lookup(self, text: str) -> str | None:
        with self._lock:
            return self._pairs.get(normalize(text))

    def __len__(self) -> int:
        with self._lock:
            return len(self._pairs)


class RewriteCache:
    """personal > global lookup of the exact (normalized) utterance."""

    def __init__(
        self, global_table: GlobalTable | None = None, personal: PersonalSource | None = None
    ) -> None:
        self.global_table: GlobalTable = global_table if global_table is not None else RewriteTable()
        self.personal = personal

    def lookup(self, text: str, person: str | None = None) -> Rewrite | None:
        key = normalize(text)
        if not key:
            return None
        if self.personal is not None and person is not None:
            for rw in self.personal.personal_rewrites(person):
                if normalize(rw.original) == key and normalize(rw.rewrite) != key:
                    return Rewrite(text, rw.rewrite, "personal", float(rw.score))
        hit = self.global_table.lookup(text)
        if isinstance(hit, Rewrite):
            return hit if normalize(hit.text) != key else None
        if hit and normalize(hit) != key:
            return Rewrite(text, hit, "global")
        return None
