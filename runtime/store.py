"""The device's memory: every turn with its full trace, personal rewrites, preferences and the
timers still to ring, in SQLite.

One real file in WAL mode so the pipeline can write while `ambient` tools read. Each turn keeps its
stages as JSON columns (wake, transcript, rewrite, nbest, resolution, action, result, timings) next to
a few indexed columns for the questions asked most often (by device, satellite, time, intent, status).
Writes go through one lock: the processing threads of several satellites share one store.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runtime.events import Turn, to_dict

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS turns (
    id TEXT PRIMARY KEY,
    device TEXT NOT NULL,
    satellite TEXT NOT NULL,
    started REAL NOT NULL,
    intent TEXT,
    status TEXT,
    text TEXT,
    barge_in INTEGER NOT NULL DEFAULT 0,
    failure_point TEXT,
    wake TEXT,
    transcript TEXT,
    rewrite TEXT,
    nbest TEXT,
    resolution TEXT,
    action TEXT,
    result TEXT,
    timings TEXT
);
CREATE INDEX IF NOT EXISTS turns_device ON turns(device, started);
CREATE INDEX IF NOT EXISTS turns_satellite ON turns(satellite, started);
CREATE INDEX IF NOT EXISTS turns_started ON turns(started);
CREATE INDEX IF NOT EXISTS turns_intent ON turns(intent);
CREATE INDEX IF NOT EXISTS turns_status ON turns(status);
CREATE TABLE IF NOT EXISTS personal_rewrites (
    person TEXT NOT NULL,
    original TEXT NOT NULL,
    rewrite TEXT NOT NULL,
    score REAL NOT NULL DEFAULT 1.0,
    created REAL NOT NULL,
    PRIMARY KEY (person, original)
);
CREATE TABLE IF NOT EXISTS preferences (
    person TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    updated REAL NOT NULL,
    PRIMARY KEY (person, key)
);
CREATE TABLE IF NOT EXISTS timers (
    satellite TEXT NOT NULL,
    position INTEGER NOT NULL,
    timer TEXT NOT NULL,
    PRIMARY KEY (satellite, position)
);
"""

# the stage columns of `turns`, each one JSON of the matching Turn field
_JSON_COLUMNS = ("wake", "transcript", "rewrite", "nbest", "resolution", "action", "result", "timings")


@dataclass(frozen=True)
class StoredRewrite:
    person: str
    original: str
    rewrite: str
    score: float


class Store:
    """SQLite file with turns, personal rewrites and preferences. Thread-safe."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        # one connection shared by threads, serialized by our lock: simpler than one per thread
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable across app crashes
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # turns -----------------------------------------------------------------------------------
    def save_turn(self, turn: Turn) -> None:
        """Insert or replace the turn (a turn is saved again when feedback such as a barge-in lands)."""
        row = turn_row(turn)
        names = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        with self._tx() as db:
            db.execute(f"INSERT OR REPLACE INTO turns ({names}) VALUES ({marks})", tuple(row.values()))

    def mark_barge_in(self, turn_id: str) -> bool:
        with self._tx() as db:
            return db.execute("UPDATE turns SET barge_in = 1 WHERE id = ?", (turn_id,)).rowcount > 0

    def turn(self, turn_id: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM turns WHERE id = ?", (turn_id,)).fetchone()
        return _decode(row) if row else None

    def turns(
        self,
        *,
        device: str | None = None,
        satellite: str | None = None,
        since: float | None = None,
        limit: int = 100,
    ) -> list[dict[str, Any]]:
        """Most recent first, as plain dicts (the stage columns decoded from JSON)."""
        where, args = [], []  # type: tuple[list[str], list[Any]]
        for column, value in (("device", device), ("satellite", satellite)):
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        if since is not None:
            where.append("started >= ?")
            args.append(since)
        sql = "SELECT * FROM turns" + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY started DESC LIMIT ?"
        with self._lock:
            rows = self._db.execute(sql, (*args, limit)).fetchall()
        return [_decode(r) for r in rows]

    def count_turns(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM turns").fetchone()[0])

    # personal rewrites -----------------------------------------------------------------------
    def set_personal_rewrite(self, person: str, original: str, rewrite: str, score: float = 1.0) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO personal_rewrites VALUES (?, ?, ?, ?, ?)",
                (person, original, rewrite, score, time.time()),
            )

    def personal_rewrites(self, person: str | None = None) -> list[StoredRewrite]:
        sql, args = "SELECT person, original, rewrite, score FROM personal_rewrites", ()  # type: str, tuple[Any, ...]
        if person is not None:
            sql, args = sql + " WHERE person = ?", (person,)
        with self._lock:
            rows = self._db.execute(sql, args).fetchall()
        return [StoredRewrite(r["person"], r["original"], r["rewrite"], r["score"]) for r in rows]

    # preferences -----------------------------------------------------------------------------
    def set_preference(self, person: str, key: str, value: Any) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO preferences VALUES (?, ?, ?, ?)",
                (person, key, json.dumps(value), time.time()),
            )

    def preferences(self, person: str) -> dict[str, Any]:
        with self._lock:
            rows = self._db.execute(
                "SELECT key, value FROM preferences WHERE person = ?", (person,)
            ).fetchall()
        return {r["key"]: json.loads(r["value"]) for r in rows}

    # timers ----------------------------------------------------------------------------------
    def save_timers(self, satellite: str, timers: list[dict[str, Any]]) -> None:
        """The satellite's timers, alarms and reminders now (`runtime.timers.saved`), in place of those
        kept before: a restart of the daemon runs them again."""
        with self._tx() as db:
            db.execute("DELETE FROM timers WHERE satellite = ?", (satellite,))
            db.executemany(
                "INSERT INTO timers VALUES (?, ?, ?)",
                [(satellite, i, json.dumps(t)) for i, t in enumerate(timers)],
            )

    def saved_timers(self, satellite: str) -> list[dict[str, Any]]:
        """The satellite's timers as `save_timers` kept them; a row that is no JSON object is logged
        and left out (a hand-edited file must not stop the daemon)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT timer FROM timers WHERE satellite = ? ORDER BY position", (satellite,)
            ).fetchall()
        timers = []
        for r in rows:
            try:
                timer = json.loads(r["timer"])
            except (TypeError, ValueError) as e:
                log.warning("a kept timer of %s is not JSON, left out: %s", satellite, e)
                continue
            if isinstance(timer, dict):
                timers.append(timer)
        return timers


def turn_row(turn: Turn) -> dict[str, Any]:
    """The turn as one row of `turns`: indexed columns plus one JSON column per stage."""
    top = turn.nbest[0].intent if turn.nbest else None
    if turn.resolution is not None:
        top = turn.resolution.interpretation.intent
    row: dict[str, Any] = {
        "id": turn.id,
        "device": turn.device,
        "satellite": turn.satellite,
        "started": turn.started,
        "intent": top,
        "status": turn.result.status if turn.result else None,
        "text": turn.text,
        "barge_in": int(turn.barge_in),
        "failure_point": turn.failure_point,
    }
    for column in _JSON_COLUMNS:
        row[column] = json.dumps(to_dict(getattr(turn, column)))
    return row


def _decode(row: sqlite3.Row) -> dict[str, Any]:
    out = dict(row)
    for column in _JSON_COLUMNS:
        out[column] = json.loads(out[column]) if out[column] is not None else None
    out["barge_in"] = bool(out["barge_in"])
    return out
