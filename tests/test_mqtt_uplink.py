"""Uplink: SQLite outbox, QoS 1 with PUBACK deletion, broker outages, SIGKILL, bounded disk, dedupe."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from conftest import wait_until
from paho.mqtt.enums import CallbackAPIVersion

from mqtt_bridge import Bridge
from mqtt_bridge.uplink import Outbox, OutboxError, Receiver, dedupe
from runtime.config import Config
from runtime.context import ContextStore
from runtime.daemon import with_broker
from runtime.events import Feedback, Turn

ROOT = Path(__file__).resolve().parent.parent


def make_bridge(config: Config, broker: Any, path: Path, **kw: Any) -> Bridge:
    cfg = with_broker(config, broker.host, broker.port)
    return Bridge(cfg, ContextStore(cfg), path, env={}, **kw)


@pytest.fixture
def receiver(broker: Any) -> Iterator[Receiver]:
    r = Receiver(broker.host, broker.port).start()
    yield r
    r.stop()


# --- the outbox on its own -----------------------------------------------------------------------


def test_outbox_is_durable_and_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite"
    box = Outbox(path)
    ids = [box.enqueue("turn", {"id": f"t{i}", "text": "turn on the light"}) for i in range(5)]
    assert box.enqueue("turn", {"id": "t0", "text": "again"}) == "t0"  # same id: stored once
    new_id = box.enqueue("feedback", {"kind": "barge_in"})  # no id: one is assigned
    assert len(new_id) == 32
    box.close()
    box = Outbox(path)  # reopened, as after a restart
    rows = box.pending(limit=100)
    assert [json.loads(body)["id"] for _, _, body in rows] == [*ids, new_id]
    assert json.loads(rows[0][2])["text"] == "turn on the light"
    assert [kind for _, kind, _ in rows] == ["turn"] * 5 + ["feedback"]
    assert box.delete([rows[0][0], rows[0][0]]) == 1
    assert len(box) == 5
    with pytest.raises(ValueError, match="unknown uplink event kind"):
        box.enqueue("telemetry", {"id": "x"})
    with pytest.raises(TypeError):
        box.enqueue("turn", ["not", "a", "dict"])  # type: ignore[arg-type]
    assert len(box) == 5  # bad input loses nothing


def test_an_unusable_outbox_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "outbox.sqlite"
    bad.write_bytes(b"this is not a database" * 100)
    with pytest.raises(OutboxError, match="cannot open the uplink outbox .*outbox.sqlite"):
        Outbox(bad)
    assert bad.read_bytes().startswith(b"this is not a database")  # and it was left alone
    (tmp_path / "file").write_text("")
    with pytest.raises(OutboxError, match="cannot open the uplink outbox"):
        Outbox(tmp_path / "file" / "outbox.sqlite")  # its "directory" is a file


def test_outbox_bounds_drop_oldest_turns_first_and_count(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "outbox.sqlite"
    box = Outbox(path, max_rows=10)
    for i in range(8):
        box.enqueue("turn", {"id": f"t{i}"})
    for i in range(5):
        box.enqueue("feedback", {"id": f"f{i}"})
    assert len(box) == 10
    kept = [json.loads(b)["id"] for _, _, b in box.pending(limit=100)]
    assert kept == ["t3", "t4", "t5", "t6", "t7", "f0", "f1", "f2", "f3", "f4"]
    assert box.dropped() == {"turn": 3}
    assert "dropped the 1 oldest turn events" in caplog.text  # each drop is logged
    for i in range(5, 13):  # no turns left to sacrifice: then the oldest feedback goes
        box.enqueue("feedback", {"id": f"f{i}"})
    kept = [json.loads(b)["id"] for _, _, b in box.pending(limit=100)]
    assert kept == [f"f{i}" for i in range(3, 13)]
    assert box.dropped() == {"turn": 8, "feedback": 3}
    box.close()
    assert Outbox(path, max_rows=10).dropped() == {"turn": 8, "feedback": 3}  # the counter persists


def test_outbox_byte_bound(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite", max_bytes=2000)
    for i in range(30):
        box.enqueue("turn", {"id": f"t{i:02d}", "text": "x" * 100})
    assert box.size_bytes <= 2000
    assert len(box) + box.dropped()["turn"] == 30
    assert json.loads(box.pending(limit=1000)[-1][2])["id"] == "t29"  # the newest survive
    with pytest.raises(ValueError, match="more than the outbox holds"):
        box.enqueue("turn", {"id": "huge", "text": "x" * 5000})


def test_dedupe_keeps_first_of_each_id() -> None:
    events: list[dict[str, Any]] = [{"id": "a", "n": 1}, {"id": "b"}, {"id": "a", "n": 2}]
    assert dedupe(events) == [{"id": "a", "n": 1}, {"id": "b"}]


# --- through the broker --------------------------------------------------------------------------


def test_turns_and_feedback_arrive_once(
    config: Config, broker: Any, receiver: Receiver, tmp_path: Path
) -> None:
    bridge = make_bridge(config, broker, tmp_path / "o.sqlite")
    assert bridge.start(wait_s=10)
    turn = Turn(device="maple-hub", satellite="kitchen-sat")
    fb = Feedback(kind="rephrase", turn_id=turn.id, device="maple-hub")
    assert bridge.send_turn(turn) == turn.id
    assert bridge.send_feedback(fb) == fb.id
    for i in range(48):
        bridge.send_turn({"id": f"t{i}", "text": "turn on the kitchen light"})
    assert receiver.wait_for(50, timeout=10)
    assert bridge.stop(flush_timeout_s=5)
    topics = {e["id"]: e["_topic"] for e in receiver.events}
    assert topics[turn.id] == "ambient/maple-hub/turn"
    assert topics[fb.id] == "ambient/maple-hub/feedback"
    got = {e["id"]: e for e in receiver.events}
    assert got[turn.id]["satellite"] == "kitchen-sat"
    assert got[fb.id]["kind"] == "rephrase"
    assert len(receiver.events) == 50
    assert len(Outbox(tmp_path / "o.sqlite")) == 0  # deleted only after PUBACK: all acknowledged


def test_receiver_drops_duplicate_ids(broker: Any, receiver: Receiver) -> None:
    c = mqtt.Client(CallbackAPIVersion.VERSION2)
    c.connect(broker.host, broker.port)
    c.loop_start()
    for payload in ('{"id": "e1"}', '{"id": "e1"}', '{"id": "e2"}', "not json"):
        c.publish("ambient/other-hub/turn", payload, qos=1).wait_for_publish(5)
    assert receiver.wait_for(2, timeout=5)
    assert wait_until(lambda: receiver.duplicates == 1 and receiver.malformed == 1)
    assert [e["id"] for e in receiver.events] == ["e1", "e2"]
    c.disconnect()
    c.loop_stop()


def test_broker_outage_loses_nothing(config: Config, broker: Any, tmp_path: Path) -> None:
    """Stop the broker, record 1,000 events, start it again: each arrives, once after dedupe."""
    bridge = make_bridge(config, broker, tmp_path / "o.sqlite", reconnect_min_s=1.0, reconnect_max_s=2.0)
    assert bridge.start(wait_s=10)
    first = Receiver(broker.host, broker.port).start()
    bridge.send_turn({"id": "before"})
    assert first.wait_for(1, timeout=5)
    first.stop()

    broker.stop()
    assert wait_until(lambda: not bridge.client.connected.is_set())
    sent = []
    for i in range(1000):
        kind = "feedback" if i % 4 == 0 else "turn"
        event = {"id": f"outage-{i}", "kind": kind, "text": f"event {i}"}
        sent.append(bridge.send_feedback(event) if kind == "feedback" else bridge.send_turn(event))
    assert len(bridge.outbox) == 1000  # all durable while the broker is away

    # Restart right after a failed reconnect attempt: the bridge's next try is >= 0.5 s away, so the
    # (non-persistent) test broker has our receiver subscribed before the bridge flushes.
    failed = bridge.client.failed_connects
    assert wait_until(lambda: bridge.client.failed_connects > failed, timeout=10)
    broker.start()
    second = Receiver(broker.host, broker.port).start()
    try:
        assert second.wait_for(1000, timeout=30), f"{len(second.events)} of 1000 arrived"
        assert second.ids() == set(sent)
        assert wait_until(lambda: len(bridge.outbox) == 0)
    finally:
        second.stop()
        bridge.stop(flush_timeout_s=1)
    assert bridge.uplink.sent == 1001
    assert bridge.client.connects >= 2


CHILD = textwrap.dedent(
    """
    import dataclasses, sys
    from mqtt_bridge import Bridge
    from runtime.config import load_config
    from runtime.context import ContextStore

    root, port, outbox = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    cfg = load_config(root + "/devices.yaml")
    cfg = dataclasses.replace(cfg, mqtt=dataclasses.replace(cfg.mqtt, host="127.0.0.1", port=port))
    bridge = Bridge(cfg, ContextStore(cfg), outbox, env={}, uplink_window=10)
    bridge.start(wait_s=10)
    for batch in range(100):
        events = [{"id": f"kill-{batch}-{i}", "text": "x" * 200} for i in range(50)]
        bridge.outbox.enqueue_many("turn", events)  # committed: from here on it must not be lost
        bridge.uplink._wake.set()
        print(batch, flush=True)
    """
)


def test_sigkill_of_the_daemon_loses_nothing(
    config: Config, broker: Any, receiver: Receiver, tmp_path: Path
) -> None:
    outbox = tmp_path / "o.sqlite"
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(ROOT), str(broker.port), str(outbox)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.stdout is not None
    batches = []
    for line in proc.stdout:
        batches.append(int(line))
        if len(batches) == 5:
            break
    os.kill(proc.pid, signal.SIGKILL)  # mid-flight: no flush, no clean disconnect
    proc.wait(timeout=10)
    committed = {f"kill-{b}-{i}" for b in range(max(batches) + 1) for i in range(50)}

    # the broker publishes the child's last will
    status: list[bytes] = []
    got = threading.Event()
    c = mqtt.Client(CallbackAPIVersion.VERSION2)

    def on_status(cl: mqtt.Client, u: Any, m: mqtt.MQTTMessage) -> None:
        status.append(bytes(m.payload))
        got.set()

    c.on_message = on_status
    c.connect(broker.host, broker.port)
    c.subscribe("ambient/maple-hub/status", qos=1)
    c.loop_start()
    assert got.wait(5)
    assert status[-1] == b"offline"
    c.disconnect()
    c.loop_stop()

    left = len(Outbox(outbox))
    assert left > 0  # killed mid-flight: committed rows were still waiting for their PUBACK
    bridge = make_bridge(config, broker, outbox)  # the daemon restarts on the same outbox
    assert bridge.start(wait_s=10)
    try:
        assert wait_until(lambda: committed <= receiver.ids(), timeout=20), (
            f"{len(committed - receiver.ids())} committed events lost ({left} were left in the outbox)"
        )
        assert wait_until(lambda: len(bridge.outbox) == 0)
    finally:
        bridge.stop(flush_timeout_s=1)
    assert all(i.startswith("kill-") for i in receiver.ids())


def test_stop_publishes_offline_and_health(config: Config, broker: Any, tmp_path: Path) -> None:
    bridge = make_bridge(config, broker, tmp_path / "o.sqlite")
    assert bridge.start(wait_s=10)
    bridge.send_turn({"id": "last"})
    assert bridge.stop(flush_timeout_s=5)
    retained: dict[str, bytes] = {}
    done = threading.Event()

    def on_message(c: mqtt.Client, u: Any, m: mqtt.MQTTMessage) -> None:
        retained[m.topic] = bytes(m.payload)
        if len(retained) == 2:
            done.set()

    c = mqtt.Client(CallbackAPIVersion.VERSION2)
    c.on_message = on_message
    c.connect(broker.host, broker.port)
    c.subscribe([("ambient/maple-hub/status", 1), ("ambient/maple-hub/health", 1)])
    c.loop_start()
    assert done.wait(5)
    c.disconnect()
    c.loop_stop()
    assert retained["ambient/maple-hub/status"] == b"offline"
    health = json.loads(retained["ambient/maple-hub/health"])
    assert health["status"] == "offline"
    assert health["outbox_rows"] == 0
    assert health["devices"] == len(config.devices)
