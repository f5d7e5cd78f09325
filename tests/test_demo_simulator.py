"""Simulated devices on a real mosquitto: commands in each convention change state, echoed back."""

from __future__ import annotations

import json
import queue
import time
from typing import Any

import paho.mqtt.client as mqtt
from conftest import wait_until

from runtime.config import Config
from runtime.conventions import command_payload, parse_state
from runtime.simulator import DeviceSimulator, apply_command


def subscriber(host: str, port: int, topic: str) -> tuple[mqtt.Client, queue.Queue[mqtt.MQTTMessage]]:
    inbox: queue.Queue[mqtt.MQTTMessage] = queue.Queue()
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    c.on_message = lambda _c, _u, m: inbox.put(m)
    c.connect(host, port)
    c.subscribe(topic, qos=1)
    c.loop_start()
    return c, inbox


def latest(
    inbox: queue.Queue[mqtt.MQTTMessage], topic: str, want: dict[str, Any], config: Config, dev: str
) -> dict[str, Any]:
    deadline = time.monotonic() + 5
    fields: dict[str, Any] = {}
    while time.monotonic() < deadline:
        try:
            m = inbox.get(timeout=0.2)
        except queue.Empty:
            continue
        if m.topic == topic:
            fields = parse_state(config.device(dev), m.payload)
            if all(fields.get(k) == v for k, v in want.items()):
                return fields
    raise AssertionError(f"{dev} never reported {want} on {topic}; last {fields}")


def test_devices_obey_commands_in_their_convention(config: Config, broker: Any) -> None:
    sim = DeviceSimulator(config, broker.host, broker.port).start()
    client, inbox = subscriber(broker.host, broker.port, "#")
    try:
        cases = [
            ("kitchen_light", {"state": "on"}),  # generic JSON
            ("floor_lamp", {"brightness": 40}),  # zigbee2mqtt, 0-254 scale on the wire
            ("living_room_blinds", {"position": 30}),  # Home Assistant, sibling position topic
            ("front_door_lock", {"state": "unlocked"}),  # zigbee2mqtt lock verbs
            ("office_heater", {"state": "on"}),  # Home Assistant plain ON/OFF
            ("thermostat", {"target_temperature": 23}),  # Home Assistant climate: plain number
        ]
        for dev, fields in cases:
            device = config.device(dev)
            topic, payload = command_payload(device, fields)
            client.publish(topic, payload, qos=1)
            want = dict(fields)
            if dev == "floor_lamp":
                want["state"] = "on"  # a brightness turns a light on
            if dev == "living_room_blinds":
                want["state"] = "open"
            assert device.state_topic is not None
            latest(inbox, device.state_topic, want, config, dev)
            assert all(sim.states[dev][k] == v for k, v in want.items()), (dev, sim.states[dev])
    finally:
        client.loop_stop()
        client.disconnect()
        sim.stop()


def test_states_are_retained_for_late_joiners(config: Config, broker: Any) -> None:
    sim = DeviceSimulator(config, broker.host, broker.port).start()
    sim.set_state("oven", {"state": "on", "target_temperature": 200})
    time.sleep(0.2)
    client, inbox = subscriber(broker.host, broker.port, "home/kitchen/oven")
    try:
        fields = latest(inbox, "home/kitchen/oven", {"state": "on"}, config, "oven")
        assert fields["temperature"] == 200  # the simulated oven heats to its set point
    finally:
        client.loop_stop()
        client.disconnect()
        sim.stop()


def test_bad_command_is_ignored_and_device_keeps_its_state(config: Config, broker: Any) -> None:
    changes: list[str] = []
    sim = DeviceSimulator(config, broker.host, broker.port).start()
    sim.on_change(lambda d, old, new: changes.append(d.id))
    pub = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    pub.connect(broker.host, broker.port)
    pub.loop_start()
    pub.publish("home/kitchen/light/set", "this is not json", qos=1).wait_for_publish(3)
    pub.publish("home/kitchen/light/set", json.dumps({"state": "ON"}), qos=1).wait_for_publish(3)
    assert sim.wait_for("kitchen_light", lambda s: s["state"] == "on")
    # listeners run just after the state is stored, on the client's thread: wait for them too
    assert wait_until(lambda: changes == ["kitchen_light"], timeout=3), changes
    assert sim.commands_seen == 1  # the unreadable command was dropped, not counted as applied
    pub.loop_stop()
    pub.disconnect()
    sim.stop()


def test_apply_command_rules(config: Config) -> None:
    blinds = config.device("living_room_blinds")
    assert apply_command(blinds, {"state": "closed", "position": 0}, {"state": "open"})["position"] == 100
    assert apply_command(blinds, {"state": "open", "position": 40}, {"position": 0})["state"] == "closed"
    oven = config.device("oven")
    on = apply_command(oven, {"state": "off", "temperature": 21, "target_temperature": 180}, {"state": "on"})
    assert on["temperature"] == 180
    assert apply_command(oven, on, {"state": "off"})["temperature"] == 21
    # a speed set turns a fan on, as a brightness does a light (the fan stayed "off" at 66%)
    fan = config.device("bedroom_fan")
    assert apply_command(fan, {"state": "off"}, {"percentage": 66})["state"] == "on"
