"""Bad input: whatever arrives, the message handler never raises; it drops, counts and keeps going."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from conftest import wait_until
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from paho.mqtt.enums import CallbackAPIVersion

from mqtt_bridge import Bridge
from mqtt_bridge.rewrite_sync import sign_table
from runtime.config import DEVICE_TYPES, Config
from runtime.context import ContextStore

KEY = "k"


def started_bridge(config: Config, broker: Any, tmp_path: Path) -> Bridge:
    cfg = dataclasses.replace(
        config, mqtt=dataclasses.replace(config.mqtt, host=broker.host, port=broker.port)
    )
    bridge = Bridge(cfg, ContextStore(cfg), tmp_path / "o.sqlite", env={"AMBIENT_REWRITE_KEY": KEY})
    assert bridge.start(wait_s=10)
    return bridge


def our_topics(config: Config) -> list[str]:
    topics = [d.state_topic for d in config.devices if d.state_topic]
    topics += [f"{d.state_topic}/availability" for d in config.devices if d.convention == "zigbee2mqtt"]
    topics += ["ambient/rewrites/global", "ambient/maple-hub/rewrites", "homeassistant/light/fz/config",
               "homeassistant/sensor/node/fz/config", "homeassistant/cover/fz/config"]  # fmt: skip
    return topics


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=20,
)
# keys the handlers look at, so generated objects reach deep into the parsers
interesting_keys = st.sampled_from(
    ["state", "brightness", "temperature", "position", "color", "stat_t", "~", "uniq_id", "name", "pos_t",
     "avty_t", "val_tpl", "dev", "version", "rules", "checksum", "signature", "lock_state", "volume_level"]
)  # fmt: skip
objects = st.dictionaries(interesting_keys, json_values, max_size=8)
payloads = st.one_of(
    st.binary(max_size=200),
    json_values.map(lambda v: json.dumps(v).encode()),
    objects.map(lambda v: json.dumps(v).encode()),
    st.sampled_from([b"ON", b"off", b"online", b"NaN", b"1e999", b"-0", b"\xff\xfe", b'{"state": "ON"']),
)


def test_fuzzed_messages_never_raise_from_the_handler(config: Config, broker: Any, tmp_path: Path) -> None:
    bridge = started_bridge(config, broker, tmp_path)
    topics = st.one_of(st.sampled_from(our_topics(config)), st.text(max_size=40))

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(topic=topics, payload=payloads)
    def handle(topic: str, payload: bytes) -> None:
        bridge.handle(topic, payload)  # must not raise, whatever it is

    try:
        handle()
        counters = bridge.counters()
        assert counters["received"] >= 300
        dropped = sum(v for k, v in counters.items() if k.startswith("dropped_") and isinstance(v, int))
        assert dropped > 0
        assert counters.get("handler_errors", 0) == 0  # every bad input was foreseen and classified
        # whatever got in is well formed: finite numbers, known device types
        for state in bridge.ctx.states().values():
            for value in state.state.values():
                assert not (isinstance(value, float) and not math.isfinite(value))
        assert all(d.type in DEVICE_TYPES for d in bridge.ctx.devices())
        assert bridge.rewrites.version("global") is None  # nothing unsigned got through
        # and it still works
        bridge.handle("home/kitchen/light", b'{"state": "ON", "brightness": 12}')
        after = bridge.ctx.state("kitchen_light").state  # type: ignore[union-attr]
        assert (after["state"], after["brightness"]) == ("on", 12)  # fuzzed fields may have merged in
    finally:
        bridge.stop(flush_timeout_s=1)


def test_garbage_through_the_real_broker(config: Config, broker: Any, tmp_path: Path) -> None:
    bridge = started_bridge(config, broker, tmp_path)
    peer = mqtt.Client(CallbackAPIVersion.VERSION2)
    peer.connect(broker.host, broker.port)
    peer.loop_start()
    garbage: list[tuple[str, bytes]] = [
        ("home/kitchen/light", b"\xff\xfe\x00garbage"),
        ("home/kitchen/light", b"[1, 2, 3]"),
        ("home/kitchen/light", json.dumps({"state": float("nan")}).encode()),
        ("home/kitchen/light", b"[" * 100_000 + b"]" * 100_000),  # deep nesting: a RecursionError
        ("home/kitchen/light", b'{"state": "ON", "brightness": ' + b"9" * 5000 + b"}"),  # huge int
        ("home/kitchen/light", json.dumps({"state": "x" * 1_000_000}).encode()),  # a megabyte
        ("zigbee2mqtt/floor_lamp/availability", b"maybe"),
        ("homeassistant/light/evil/config", json.dumps({"stat_t": 42}).encode()),
        ("homeassistant/light/evil/config", b"\x00" * 10),
        ("homeassistant/light/deep/config", b"[" * 100_000),
        ("ambient/rewrites/global", b"retained garbage"),
        ("ambient/maple-hub/rewrites", json.dumps({"version": 1, "rules": []}).encode()),
    ]
    try:
        for topic, payload in garbage:
            peer.publish(topic, payload, qos=1, retain=topic.startswith("ambient/")).wait_for_publish(5)
        peer.publish("home/kitchen/light", b'{"state": "OFF"}', qos=1).wait_for_publish(5)
        assert wait_until(
            lambda: (s := bridge.ctx.state("kitchen_light")) is not None and s.state == {"state": "off"}
        )
        counters = bridge.counters()
        assert counters["dropped_oversize"] == 1
        assert counters["dropped_bad_state"] >= 4
        assert counters["dropped_bad_availability"] == 1
        assert counters["dropped_bad_discovery"] == 3
        assert counters["dropped_rewrite_refused"] == 2
        assert counters.get("handler_errors", 0) == 0
        assert bridge.client.connected.is_set()  # the connection survived all of it
        # a good signed table still gets through afterwards
        good = sign_table([{"from": "a", "to": "b"}], 1, KEY)
        peer.publish("ambient/rewrites/global", json.dumps(good), qos=1, retain=True).wait_for_publish(5)
        assert wait_until(lambda: bridge.rewrites.version("global") == 1)
    finally:
        peer.disconnect()
        peer.loop_stop()
        bridge.stop(flush_timeout_s=1)
