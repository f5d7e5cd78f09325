"""Turns and feedback up to the cloud, at least once, through broker outages and daemon crashes.

Every event is first written to a SQLite outbox (a real file, WAL, synchronous=FULL: a committed
row survives a SIGKILL and a power cut), then published with QoS 1. A row is deleted only when the
broker's PUBACK for that exact publish arrives (paho's `on_publish`, mapped by message id). After a
reconnect every unacknowledged row is published again, so the receiver may see an event twice:
each event carries a unique `id` and `Receiver`/`dedupe` drop the repeats.

Disk use is bounded (policy): at most `max_rows` rows and `max_bytes` bytes of event JSON
(defaults 100,000 rows / 64 MiB). When a new event would exceed a bound, the oldest *turn* rows go
first (turns are large and the cloud can live with a gap), and only when no turn is left the oldest
feedback rows (the learning signal, small). Every drop is counted per kind in the `dropped` table
and logged.
"""

from __future__ import annotations

import json
import logging
import queue
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode

from mqtt_bridge.client import MqttClient
from mqtt_bridge.topics import Topics, uplink_filters

log = logging.getLogger(__name__)

KINDS = ("turn", "feedback")
DROP_ORDER = ("turn", "feedback")  # which kind is sacrificed first when the outbox is full

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS dropped (kind TEXT PRIMARY KEY, count INTEGER NOT NULL);
"""


class OutboxError(RuntimeError):
    """The outbox file cannot be used (unwritable directory, not a SQLite file, ...)."""


class Outbox:
    """The durable queue. Thread-safe; one SQLite connection guarded by a lock."""

    def __init__(self, path: str | Path, max_rows: int = 100_000, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.path = Path(path)
        self.max_rows, self.max_bytes = max_rows, max_bytes
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(_SCHEMA)
            rows, size = self._db.execute("SELECT COUNT(*), COALESCE(SUM(bytes), 0) FROM outbox").fetchone()
        except (OSError, sqlite3.Error) as e:
            raise OutboxError(
                f"cannot open the uplink outbox {self.path}: {e} (is the data directory writable, "
                "and the file an ambient outbox?)"
            ) from None
        self._rows, self._bytes = int(rows), int(size)
        self._closed: dict[str, int] | None = None  # the drop counters, once closed

    def close(self) -> None:
        with self._lock:
            if self._closed is None:
                self._closed = dict(self._db.execute("SELECT kind, count FROM dropped").fetchall())
                self._db.close()

    def enqueue(self, kind: str, event: dict[str, Any]) -> str:
        """Stores one event durably and returns its id (given, or a new one written into it)."""
        return self.enqueue_many(kind, [event])[0]

    def enqueue_many(self, kind: str, events: Iterable[dict[str, Any]]) -> list[str]:
        if kind not in KINDS:
            raise ValueError(f"unknown uplink event kind {kind!r} (expected one of: {', '.join(KINDS)})")
        rows = []
        for event in events:
            if not isinstance(event, dict):
                raise TypeError(f"an uplink event is a JSON object (dict), got {type(event).__name__}")
            event_id = event.get("id") or uuid.uuid4().hex
            if not isinstance(event_id, str):
                raise TypeError(f"event id must be a string, got {type(event_id).__name__}")
            body = json.dumps({**event, "id": event_id}, default=str, separators=(",", ":"))
            if len(body) > self.max_bytes:
                raise ValueError(f"event {event_id} is {len(body)} bytes, more than the outbox holds")
            rows.append((event_id, kind, body, len(body), time.time()))
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for row in rows:
                    cur = self._db.execute(
                        "INSERT OR IGNORE INTO outbox (id, kind, body, bytes, created) VALUES (?, ?, ?, ?, ?)",
                        row,
                    )
                    if cur.rowcount:  # the same id twice is the same event: stored once
                        self._rows += 1
                        self._bytes += row[3]
                dropped = self._enforce_bounds()
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                self._recount()
                raise
        for k, n in dropped.items():
            log.warning(
                "uplink outbox full (%d rows, %d bytes max): dropped the %d oldest %s events", self.max_rows,
                self.max_bytes, n, k,
            )  # fmt: skip
        return [r[0] for r in rows]

    def _recount(self) -> None:
        rows, size = self._db.execute("SELECT COUNT(*), COALESCE(SUM(bytes), 0) FROM outbox").fetchone()
        self._rows, self._bytes = int(rows), int(size)

    def _enforce_bounds(self) -> dict[str, int]:
        """Inside the enqueue transaction: drop the oldest rows, by DROP_ORDER, until within bounds."""
        dropped: dict[str, int] = {}
        for kind in DROP_ORDER:
            while self._rows > self.max_rows or self._bytes > self.max_bytes:
                batch = self._db.execute(
                    "SELECT seq, bytes FROM outbox WHERE kind = ? ORDER BY seq LIMIT 256", (kind,)
                ).fetchall()
                if not batch:
                    break
                victims: list[int] = []
                for seq, size in batch:
                    if self._rows <= self.max_rows and self._bytes <= self.max_bytes:
                        break
                    victims.append(seq)
                    self._rows -= 1
                    self._bytes -= size
                self._db.executemany("DELETE FROM outbox WHERE seq = ?", [(s,) for s in victims])
                dropped[kind] = dropped.get(kind, 0) + len(victims)
        for kind, n in dropped.items():
            self._db.execute(
                "INSERT INTO dropped (kind, count) VALUES (?, ?) "
                "ON CONFLICT(kind) DO UPDATE SET count = count + excluded.count",
                (kind, n),
            )
        return dropped

    def pending(self, after_seq: int = 0, limit: int = 100) -> list[tuple[int, str, str]]:
        """Unsent rows in order: (seq, kind, body)."""
        with self._lock:
            return self._db.execute(
                "SELECT seq, kind, body FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?", (after_seq, limit)
            ).fetchall()

    def delete(self, seqs: Iterable[int]) -> int:
        keys = [(s,) for s in seqs]
        if not keys:
            return 0
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            deleted = 0
            for key in keys:  # RETURNING keeps the byte count exact without a full COUNT(*)
                for (size,) in self._db.execute(
                    "DELETE FROM outbox WHERE seq = ? RETURNING bytes", key
                ).fetchall():
                    deleted += 1
                    self._rows -= 1
                    self._bytes -= int(size)
            self._db.execute("COMMIT")
            return deleted

    def __len__(self) -> int:
        with self._lock:
            return self._rows

    @property
    def size_bytes(self) -> int:
        with self._lock:
            return self._bytes

    def dropped(self) -> dict[str, int]:
        with self._lock:
            if self._closed is not None:
                return dict(self._closed)
            return dict(self._db.execute("SELECT kind, count FROM dropped").fetchall())


class Uplink:
    """Pumps the outbox through the bridge's connection: a window of QoS 1 publishes in flight."""

    def __init__(self, client: MqttClient, outbox: Outbox, window: int = 100) -> None:
        self.client, self.outbox, self.window = client, outbox, window
        self.topics: Topics = client.topics
        self.sent = 0  # PUBACKs that deleted a row
        self.published = 0  # publishes, including the repeats after reconnects
        self._acks: queue.SimpleQueue[int] = queue.SimpleQueue()
        self._wake = threading.Event()
        self._idle = threading.Condition()
        self._generation = 0  # bumped on every connect: what was in flight must be sent again
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        client.on_puback = self._on_puback
        client.add_connect_hook(self._on_connect)

    # hooks from the network thread: hand over and return, never block
    def _on_puback(self, mid: int) -> None:
        self._acks.put(mid)
        self._wake.set()

    def _on_connect(self) -> None:
        self._generation += 1
        self._wake.set()

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="uplink", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def send(self, kind: str, event: dict[str, Any]) -> str:
        event_id = self.outbox.enqueue(kind, event)
        self._wake.set()
        return event_id

    def flush(self, timeout: float) -> bool:
        """Waits until the outbox is empty (every row acknowledged); False on timeout."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while len(self.outbox):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._wake.set()
                self._idle.wait(min(left, 0.2))
        return True

    def _run(self) -> None:
        inflight: dict[int, int] = {}  # mid -> outbox seq, for the current connection only
        generation = -1
        last_seq = 0
        while not self._stop.is_set():
            self._wake.wait(0.5)
            self._wake.clear()
            acked = []
            while True:
                try:
                    mid = self._acks.get_nowait()
                except queue.Empty:
                    break
                seq = inflight.pop(mid, None)
                if seq is not None:
                    acked.append(seq)
            if acked:
                self.sent += self.outbox.delete(acked)
            if not len(self.outbox):
                with self._idle:
                    self._idle.notify_all()
            if not self.client.connected.is_set():
                continue
            if generation != self._generation:  # a new connection: resend all not acknowledged
                generation, inflight, last_seq = self._generation, {}, 0
            room = self.window - len(inflight)
            if room <= 0:
                continue
            for seq, kind, body in self.outbox.pending(last_seq, room):
                info = self.client.publish(self.topics.event_topic(kind), body, qos=1)
                if info.rc != MQTTErrorCode.MQTT_ERR_SUCCESS:
                    break  # the connection went away; the next generation sends it again
                inflight[info.mid] = seq
                last_seq = seq
                self.published += 1


# --- the cloud side ------------------------------------------------------------------------------


def dedupe(events: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """First occurrence of each event id, in order."""
    seen: set[str] = set()
    out = []
    for e in events:
        if e.get("id") not in seen:
            seen.add(e["id"])
            out.append(e)
    return out


class Receiver:
    """A cloud-side subscriber to every device's turns and feedback that drops duplicate ids."""

    def __init__(
        self,
        host: str,
        port: int,
        prefix: str = "ambient",
        client_id: str | None = None,
        persistent: bool = False,
    ) -> None:
        """`persistent`: a durable session (needs a fixed client_id) so that a broker with persistence
        keeps queueing our QoS 1 events while we, or it, are restarting."""
        self.host, self.port, self.prefix = host, port, prefix
        self.events: list[dict[str, Any]] = []  # unique, in arrival order, each with "_topic"
        self.duplicates = 0
        self.malformed = 0
        self._seen: set[str] = set()
        self._cond = threading.Condition()
        self._subscribed = threading.Event()
        self._paho = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=client_id or f"receiver-{uuid.uuid4().hex[:8]}",
            clean_session=not persistent,
        )
        self._paho.on_connect = self._on_connect
        self._paho.on_subscribe = lambda *a: self._subscribed.set()
        self._paho.on_message = self._on_message

    def _on_connect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        client.subscribe([(f, 1) for f in uplink_filters(self.prefix)])

    def _on_message(self, client: mqtt.Client, userdata: Any, msg: mqtt.MQTTMessage) -> None:
        try:
            event = json.loads(msg.payload)
            event_id = event["id"]
        except (ValueError, KeyError, TypeError):
            self.malformed += 1
            return
        with self._cond:
            if event_id in self._seen:
                self.duplicates += 1
                return
            self._seen.add(event_id)
            self.events.append({**event, "_topic": msg.topic})
            self._cond.notify_all()

    def start(self, timeout: float = 10.0) -> Receiver:
        self._paho.connect(self.host, self.port)
        self._paho.loop_start()
        if not self._subscribed.wait(timeout):
            raise TimeoutError(f"receiver could not subscribe on {self.host}:{self.port}")
        return self

    def wait_for(self, n: int, timeout: float) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: len(self.events) >= n, timeout)

    def ids(self) -> set[str]:
        with self._cond:
            return set(self._seen)

    def stop(self) -> None:
        self._paho.disconnect()
        self._paho.loop_stop()
