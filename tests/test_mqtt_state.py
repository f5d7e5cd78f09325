"""State in (three conventions, availability, HA discovery) and commands out, against a real mosquitto."""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from conftest import wait_until
from paho.mqtt.enums import CallbackAPIVersion

from mqtt_bridge import Bridge
from mqtt_bridge.commands import matches
from runtime.config import Config
from runtime.context import ContextStore
from runtime.conventions import command_payload, expected_state, parse_command, state_payload
from runtime.daemon import with_broker
from runtime.events import Command

KEY = "test-key"


@pytest.fixture
def ctx(config: Config, broker: Any) -> ContextStore:
    return ContextStore(with_broker(config, broker.host, broker.port))


@pytest.fixture
def bridge(ctx: ContextStore, tmp_path: Path) -> Iterator[Bridge]:
    b = Bridge(
        ctx.config, ctx, tmp_path / "outbox.sqlite", env={"AMBIENT_REWRITE_KEY": KEY}, reconnect_min_s=0.1
    )
    assert b.start(wait_s=10)
    yield b
    b.stop(flush_timeout_s=1)


@pytest.fixture
def peer(broker: Any) -> Iterator[mqtt.Client]:
    """An independent client: plays the devices and the ecosystem (zigbee2mqtt, Home Assistant)."""
    c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="peer")
    c.connect(broker.host, broker.port)
    c.loop_start()
    yield c
    c.disconnect()
    c.loop_stop()


def pub(client: mqtt.Client, topic: str, payload: str | bytes, retain: bool = False) -> None:
    client.publish(topic, payload, qos=1, retain=retain).wait_for_publish(5)


def state_of(ctx: ContextStore, device_id: str) -> dict[str, Any]:
    s = ctx.state(device_id)
    return s.state if s else {}


# --- state in ------------------------------------------------------------------------------------


def test_generic_state_lands_in_context(bridge: Bridge, peer: mqtt.Client, ctx: ContextStore) -> None:
    pub(peer, "home/kitchen/light", json.dumps({"state": "ON", "brightness": 40}))
    assert wait_until(lambda: state_of(ctx, "kitchen_light") == {"state": "on", "brightness": 40})
    pub(peer, "home/kitchen/light", "OFF")  # a plain payload merges into the known state
    assert wait_until(lambda: state_of(ctx, "kitchen_light") == {"state": "off", "brightness": 40})
    pub(peer, "home/outdoor/temperature", "7.5")
    assert wait_until(lambda: state_of(ctx, "outdoor_temperature") == {"temperature": 7.5})


def test_zigbee2mqtt_state_and_availability(bridge: Bridge, peer: mqtt.Client, ctx: ContextStore) -> None:
    pub(peer, "zigbee2mqtt/floor_lamp", json.dumps({"state": "ON", "brightness": 254, "linkquality": 80}))
    assert wait_until(lambda: state_of(ctx, "floor_lamp") == {"state": "on", "brightness": 100})
    pub(peer, "zigbee2mqtt/front_door_lock", json.dumps({"state": "LOCK", "lock_state": "locked"}))
    assert wait_until(lambda: state_of(ctx, "front_door_lock") == {"state": "locked"})
    pub(peer, "zigbee2mqtt/floor_lamp/availability", "offline")
    assert wait_until(lambda: ctx.state("floor_lamp").available is False)  # type: ignore[union-attr]
    pub(peer, "zigbee2mqtt/floor_lamp/availability", json.dumps({"state": "online"}))
    assert wait_until(lambda: ctx.state("floor_lamp").available is True)  # type: ignore[union-attr]
    assert state_of(ctx, "floor_lamp") == {"state": "on", "brightness": 100}  # availability keeps state


def test_home_assistant_state(bridge: Bridge, peer: mqtt.Client, ctx: ContextStore) -> None:
    pub(peer, "homeassistant/switch/office_heater/state", "ON")
    pub(peer, "homeassistant/light/living_room_light/state", json.dumps({"state": "ON", "brightness": 255}))
    climate = {"current_temperature": 19.5, "temperature": 21, "mode": "heat"}
    pub(peer, "homeassistant/climate/thermostat/state", json.dumps(climate))
    assert wait_until(lambda: state_of(ctx, "office_heater") == {"state": "on"})
    assert wait_until(lambda: state_of(ctx, "living_room_light") == {"state": "on", "brightness": 100})
    assert wait_until(
        lambda: (
            state_of(ctx, "thermostat")
            == {"temperature": 19.5, "target_temperature": 21, "state": "on", "mode": "heat"}
        )  # the mode kept
    )


def test_retained_states_are_read_at_start(
    ctx: ContextStore, peer: mqtt.Client, tmp_path: Path, broker: Any
) -> None:
    pub(peer, "home/office/light", json.dumps({"state": "ON", "brightness": 70}), retain=True)
    b = Bridge(ctx.config, ctx, tmp_path / "o.sqlite", env={})
    try:
        assert b.start(wait_s=10)
        assert wait_until(lambda: state_of(ctx, "office_light") == {"state": "on", "brightness": 70})
    finally:
        b.stop(flush_timeout_s=1)


def test_state_is_applied_inside_the_message_callback(bridge: Bridge, ctx: ContextStore) -> None:
    # the handler the network thread calls: when it returns, the context already has the state
    bridge.handle("zigbee2mqtt/bedroom_light", json.dumps({"state": "OFF"}).encode())
    assert state_of(ctx, "bedroom_light") == {"state": "off"}


# --- Home Assistant discovery --------------------------------------------------------------------

DEN_LAMP = {
    "~": "home/den/lamp",
    "name": "den lamp",
    "uniq_id": "Den Lamp 01",
    "stat_t": "~/state",
    "cmd_t": "~/set",
    "avty_t": "~/availability",
    "schema": "json",
    "dev": {"ids": ["0x01"], "sa": "Study"},
}


def test_discovery_adds_updates_and_removes_a_device(
    bridge: Bridge, peer: mqtt.Client, ctx: ContextStore
) -> None:
    topic = "homeassistant/light/den/config"
    pub(peer, topic, json.dumps(DEN_LAMP), retain=True)
    dev = wait_until(lambda: ctx.device("den_lamp_01"))
    assert dev is not None
    assert (dev.name, dev.type, dev.room, dev.convention) == ("den lamp", "light", "office", "homeassistant")
    assert (dev.state_topic, dev.command_topic) == ("home/den/lamp/state", "home/den/lamp/set")
    assert "den_lamp_01" in [d.id for d in ctx.devices()]
    pub(peer, topic, json.dumps(DEN_LAMP), retain=True)  # announced again: no churn
    renamed = {**DEN_LAMP, "name": "den reading lamp"}
    pub(peer, topic, json.dumps(renamed), retain=True)  # an update replaces it
    assert wait_until(lambda: (d := ctx.device("den_lamp_01")) is not None and d.name == "den reading lamp")
    assert wait_until(lambda: bridge.counters()["discovery_added"] == 2)

    # retained, as devices publish state: the subscription may still be on its way to the broker
    pub(peer, "home/den/lamp/state", json.dumps({"state": "ON", "brightness": 128}), retain=True)
    assert wait_until(lambda: state_of(ctx, "den_lamp_01") == {"state": "on", "brightness": 50})
    pub(peer, "home/den/lamp/availability", "offline", retain=True)
    assert wait_until(lambda: ctx.state("den_lamp_01").available is False)  # type: ignore[union-attr]

    pub(peer, topic, "", retain=True)  # an empty config removes the entity
    assert wait_until(lambda: ctx.device("den_lamp_01") is None)
    assert ctx.state("den_lamp_01") is None
    before = bridge.counters().get("dropped_unrouted", 0)
    pub(peer, "home/den/lamp/state", json.dumps({"state": "OFF"}))  # no longer subscribed
    pub(peer, "zigbee2mqtt/floor_lamp", json.dumps({"state": "OFF"}))  # a barrier: delivered after it
    assert wait_until(lambda: state_of(ctx, "floor_lamp") == {"state": "off"})
    assert ctx.state("den_lamp_01") is None
    assert bridge.counters().get("dropped_unrouted", 0) >= before
    assert wait_until(lambda: bridge.counters()["discovery_removed"] == 1)


def test_discovery_with_node_id_templates_and_field_topics(
    bridge: Bridge, peer: mqtt.Client, ctx: ContextStore
) -> None:
    sensor = {"name": "attic temperature", "stat_t": "attic/sensor", "val_tpl": "{{ value_json.temperature }}",
              "unit_of_meas": "°C", "dev_cla": "temperature"}  # fmt: skip
    pub(peer, "homeassistant/sensor/attic_node/temp/config", json.dumps(sensor))
    assert wait_until(lambda: ctx.device("attic_node_temp"))
    # retained, as devices publish state: the subscription may still be on its way to the broker
    pub(peer, "attic/sensor", json.dumps({"temperature": 12.5, "humidity": 60}), retain=True)
    assert wait_until(lambda: state_of(ctx, "attic_node_temp") == {"temperature": 12.5})

    cover = {"name": "garage door", "uniq_id": "garage", "stat_t": "garage/state", "pos_t": "garage/pos"}
    pub(peer, "homeassistant/cover/garage/config", json.dumps(cover))
    assert wait_until(lambda: ctx.device("garage"))
    pub(peer, "garage/state", "open", retain=True)
    pub(peer, "garage/pos", "40", retain=True)
    assert wait_until(lambda: state_of(ctx, "garage") == {"state": "open", "position": 40.0})
    assert ctx.device("garage").room == ""  # type: ignore[union-attr]  # no area given: no room
    shed = {"name": "shed light", "stat_t": "shed/light", "dev": {"name": "Shed", "sa": "Garden Shed"}}
    pub(peer, "homeassistant/light/shed/config", json.dumps(shed))
    assert wait_until(lambda: ctx.device("shed"))
    assert ctx.device("shed").room == "garden_shed"  # type: ignore[union-attr]  # an area of its own


def test_bad_discovery_configs_are_counted_not_added(
    bridge: Bridge, peer: mqtt.Client, ctx: ContextStore
) -> None:
    n = len(ctx.devices())
    pub(peer, "homeassistant/light/x/config", json.dumps({"name": "no state topic"}))
    pub(peer, "homeassistant/light/y/config", b"{not json")
    pub(peer, "homeassistant/light/z/config", json.dumps({"stat_t": "a/+/b"}))
    pub(peer, "homeassistant/vacuum/v/config", json.dumps({"stat_t": "v/state"}))
    # devices.yaml is authoritative: a discovered entity with a configured id does not replace it
    pub(peer, "homeassistant/light/tv/config", json.dumps({"uniq_id": "tv", "stat_t": "elsewhere"}))
    assert wait_until(lambda: bridge.counters().get("dropped_bad_discovery", 0) == 4)
    assert wait_until(lambda: bridge.counters().get("discovery_ignored", 0) == 1)
    assert len(ctx.devices()) == n
    assert ctx.device("tv").state_topic == "home/living_room/tv"  # type: ignore[union-attr]


# --- commands out --------------------------------------------------------------------------------


class FakeHome:
    """Plays every device of devices.yaml on the peer connection: obeys commands, echoes state."""

    def __init__(self, client: mqtt.Client, config: Config, echo: bool = True) -> None:
        self.client, self.config, self.echo = client, config, echo
        self.received: list[tuple[str, str]] = []
        self.override: dict[str, dict[str, Any]] = {}  # device -> state to report instead
        self.got = threading.Event()
        topics = []
        for d in config.devices:
            if d.command_topic:
                topics += [d.command_topic, d.command_topic.removesuffix("/set") + "/+/set"]
        client.on_message = self._on_message
        done = threading.Event()
        client.on_subscribe = lambda *a: done.set()
        client.subscribe([(t, 1) for t in topics])
        assert done.wait(5)

    def _on_message(self, client: mqtt.Client, userdata: Any, msg: mqtt.MQTTMessage) -> None:
        payload = msg.payload.decode()
        self.received.append((msg.topic, payload))
        self.got.set()
        for d in self.config.devices:
            if d.command_topic and msg.topic.startswith(d.command_topic.removesuffix("/set")):
                fields = self.override.get(d.id) or parse_command(d, msg.topic, payload)
                if d.type == "light" and fields.get("brightness", 0) > 0:
                    fields = {"state": "on", **fields}  # a real light turns on when dimmed up
                if self.echo:
                    client.publish(*state_payload(d, fields), qos=1)
                return


def command(config: Config, device_id: str, fields: dict[str, Any]) -> Command:
    d = config.device(device_id)
    topic, payload = command_payload(d, fields)
    return Command(device_id, topic, payload, expected_state(d, fields))


@pytest.mark.parametrize(
    ("device_id", "fields", "wire"),
    [
        ("kitchen_light", {"brightness": 30}, ("home/kitchen/light/set", {"brightness": 30})),
        ("floor_lamp", {"brightness": 50}, ("zigbee2mqtt/floor_lamp/set", {"brightness": 127})),
        ("front_door_lock", {"state": "unlocked"}, ("zigbee2mqtt/front_door_lock/set", {"state": "UNLOCK"})),
        (
            "living_room_light",
            {"state": "off"},
            ("homeassistant/light/living_room_light/set", {"state": "OFF"}),
        ),
        ("office_heater", {"state": "on"}, ("homeassistant/switch/office_heater/set", "ON")),
        (
            "living_room_blinds",
            {"position": 30},
            ("homeassistant/cover/living_room_blinds/position/set", "30"),
        ),
    ],
)
def test_command_is_published_and_confirmed_by_state_echo(
    bridge: Bridge, peer: mqtt.Client, ctx: ContextStore, device_id: str, fields: dict[str, Any], wire: Any
) -> None:
    home = FakeHome(peer, ctx.config)
    result = bridge.execute([command(ctx.config, device_id, fields)])
    assert result.status == "success", result.detail
    topic, payload = home.received[-1]
    assert topic == wire[0]
    assert (json.loads(payload) if isinstance(wire[1], dict) else payload) == wire[1]
    assert matches(state_of(ctx, device_id), expected_state(ctx.config.device(device_id), fields))


def test_several_commands_confirmed_together(bridge: Bridge, peer: mqtt.Client, ctx: ContextStore) -> None:
    FakeHome(peer, ctx.config)
    cmds = [
        command(ctx.config, d, {"state": "off"}) for d in ("kitchen_light", "floor_lamp", "hallway_light")
    ]
    result = bridge.execute(cmds)
    assert result.status == "success", result.detail
    assert bridge.last_publish_s is not None and bridge.last_publish_s > 0
    assert all(state_of(ctx, d)["state"] == "off" for d in ("kitchen_light", "floor_lamp", "hallway_light"))


def test_no_echo_is_unknown_and_wrong_echo_is_not_success(
    bridge: Bridge, peer: mqtt.Client, ctx: ContextStore
) -> None:
    home = FakeHome(peer, ctx.config, echo=False)
    result = bridge.execute([command(ctx.config, "kitchen_light", {"state": "on"})], timeout_s=0.3)
    assert result.status == "unknown"
    assert "no state echo" in result.detail
    assert home.received  # it was sent

    home.echo = True
    home.override["kitchen_light"] = {"state": "off"}  # the device reports it did not obey
    result = bridge.execute([command(ctx.config, "kitchen_light", {"state": "on"})], timeout_s=0.5)
    assert result.status == "unknown"
    assert state_of(ctx, "kitchen_light")["state"] == "off"


def test_an_earlier_matching_state_does_not_confirm(
    bridge: Bridge, peer: mqtt.Client, ctx: ContextStore
) -> None:
    FakeHome(peer, ctx.config, echo=False)
    bridge.handle("home/kitchen/light", b'{"state": "on"}')  # already on before the command
    result = bridge.execute([command(ctx.config, "kitchen_light", {"state": "on"})], timeout_s=0.3)
    assert result.status == "unknown"  # only an echo after the command confirms it


def test_unavailable_or_unknown_device_fails_without_publishing(
    bridge: Bridge, peer: mqtt.Client, ctx: ContextStore
) -> None:
    home = FakeHome(peer, ctx.config)
    pub(peer, "zigbee2mqtt/floor_lamp/availability", "offline")
    assert wait_until(lambda: ctx.state("floor_lamp") and not ctx.state("floor_lamp").available)  # type: ignore[union-attr]
    result = bridge.execute([command(ctx.config, "floor_lamp", {"state": "on"})])
    assert result.status == "failure"
    assert "unavailable" in result.detail
    bogus = Command("garage_door", "garage/set", "OPEN", {"state": "open"})
    result = bridge.execute([bogus])
    assert result.status == "failure"
    assert "unknown device" in result.detail
    assert not home.got.wait(0.2)


def test_a_satellite_play_command_is_acknowledged_not_refused(
    bridge: Bridge, peer: mqtt.Client, ctx: ContextStore
) -> None:
    """A satellite playing on its own speaker is one of ours: the broker's ack is the confirmation."""
    got: list[bytes] = []
    arrived = threading.Event()

    def on_message(client: mqtt.Client, userdata: Any, msg: mqtt.MQTTMessage) -> None:
        got.append(msg.payload)
        arrived.set()

    subscribed = threading.Event()
    peer.on_message = on_message
    peer.on_subscribe = lambda _c, _u, _mid, _r, _p: subscribed.set()
    peer.subscribe("ambient/kitchen-sat/play", qos=1)
    assert subscribed.wait(5)  # publish only once the broker has the subscription
    play = Command("kitchen-sat", "ambient/kitchen-sat/play", json.dumps({"media_title": "dune"}))
    result = bridge.execute([play])
    assert result.status == "success", result.detail
    assert arrived.wait(5) and json.loads(got[0])["media_title"] == "dune"


def test_command_fails_when_broker_is_down(bridge: Bridge, broker: Any, ctx: ContextStore) -> None:
    broker.stop()
    assert wait_until(lambda: not bridge.client.connected.is_set())
    result = bridge.execute([command(ctx.config, "kitchen_light", {"state": "on"})], timeout_s=0.5)
    assert result.status == "failure"
    assert "not connected" in result.detail


def test_reload_subscribes_added_and_drops_removed_devices(
    bridge: Bridge, peer: mqtt.Client, ctx: ContextStore
) -> None:
    old = ctx.config
    garage = dataclasses.replace(old.device("hallway_light"), id="garage_light", name="garage light",
                                 state_topic="home/garage/light")  # fmt: skip
    moved = dataclasses.replace(old.device("kitchen_light"), state_topic="home/kitchen/light2")
    devices = [moved if d.id == "kitchen_light" else d for d in old.devices if d.id != "tv"] + [garage]
    bridge.reload(dataclasses.replace(old, devices=devices))
    assert ctx.config.device("garage_light").state_topic == "home/garage/light"
    # retained: the new subscriptions may still be on their way to the broker
    pub(peer, "home/garage/light", '{"state": "ON"}', retain=True)
    pub(peer, "home/kitchen/light2", '{"state": "ON"}', retain=True)
    assert wait_until(lambda: state_of(ctx, "garage_light") == {"state": "on"})
    assert wait_until(lambda: state_of(ctx, "kitchen_light") == {"state": "on"})
    assert not bridge.client.routed("home/living_room/tv")  # removed device: unsubscribed
    assert not bridge.client.routed("home/kitchen/light")  # moved topic: the old one is dropped
    assert bridge.client.routed("zigbee2mqtt/floor_lamp/availability")  # unchanged ones stay


def test_discovery_can_be_switched_off(
    config: Config, broker: Any, peer: mqtt.Client, tmp_path: Path
) -> None:
    cfg = with_broker(
        dataclasses.replace(config, mqtt=dataclasses.replace(config.mqtt, discovery=False)),
        broker.host,
        broker.port,
    )
    ctx = ContextStore(cfg)
    b = Bridge(cfg, ctx, tmp_path / "o.sqlite", env={})
    assert b.start(wait_s=10)
    try:
        pub(peer, "home/hallway/light", '{"state": "ON"}', retain=True)
        assert wait_until(lambda: state_of(ctx, "hallway_light") == {"state": "on"})  # subscribed
        pub(peer, "homeassistant/light/den/config", json.dumps(DEN_LAMP))
        pub(peer, "home/hallway/light", '{"state": "OFF"}')  # a barrier: delivered after the config
        assert wait_until(lambda: state_of(ctx, "hallway_light") == {"state": "off"})
        assert ctx.device("den_lamp_01") is None
        assert not b.client.routed("homeassistant/+/+/config")
    finally:
        b.stop(flush_timeout_s=1)
