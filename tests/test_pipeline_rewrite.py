"""The local rewrite cache: personal (SQLite) over global, keyed by the normalized utterance."""

from __future__ import annotations

from pathlib import Path

from runtime.rewrite.cache import RewriteCache, RewriteTable, normalize
from runtime.store import Store


def test_empty_cache_changes_nothing(tmp_path: Path) -> None:
    cache = RewriteCache(personal=Store(tmp_path / "a.db"))
    assert cache.lookup("turn on the kitchen light", "default") is None
    assert cache.lookup("", "default") is None


def test_personal_wins_over_global_and_global_serves_everyone(tmp_path: Path) -> None:
    store = Store(tmp_path / "a.db")
    table = RewriteTable({"play the beetles": "play the beatles"})
    cache = RewriteCache(table, store)
    hit = cache.lookup("Play the Beetles!", "anna")
    assert hit is not None and (hit.text, hit.source) == ("play the beatles", "global")
    store.set_personal_rewrite("anna", "play the beetles", "play beetles by the beatles", 0.8)
    hit = cache.lookup("play the beetles", "anna")
    assert hit is not None and (hit.text, hit.source, hit.score) == (
        "play beetles by the beatles",
        "personal",
        0.8,
    )
    other = cache.lookup("play the beetles", "bob")  # someone else still gets the global rule
    assert other is not None and other.source == "global"


def test_a_rewrite_to_the_same_words_is_no_rewrite(tmp_path: Path) -> None:
    cache = RewriteCache(RewriteTable({"lights on": "Lights on."}))
    assert cache.lookup("lights on") is None


def test_table_replace_is_atomic_and_versioned() -> None:
    table = RewriteTable()
    assert len(table) == 0
    table.replace({"a": "b", "c": "d"}, version=3)
    assert (len(table), table.version, table.lookup("A")) == (2, 3, "b")
    assert normalize("  Turn   ON, the light! ") == "turn on the light"
