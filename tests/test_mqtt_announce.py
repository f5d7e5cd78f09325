"""Announcements between hubs on one broker: "tell everyone dinner is ready" said to one hub is said by
the other hub's satellites too (each hub used to say it on its own satellites only)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import Broker, free_port, wait_until

from mqtt_bridge.announce import parse_announcement, parse_rooms
from mqtt_bridge.client import MessageError
from runtime.config import Config, Room, Satellite
from runtime.daemon import Runtime, with_broker


@pytest.mark.parametrize(
    "payload",
    [b"not json", b"[1, 2]", b'{"device": "hub", "room": "kitchen"}', b'{"device": "hub", "room": "kitchen", '
     b'"message": "dinner", "rooms": "kitchen"}', b'{"device": "", "room": "kitchen", "message": "dinner"}'],
)  # fmt: skip
def test_a_malformed_announcement_is_refused_with_its_reason(payload: bytes) -> None:
    with pytest.raises(MessageError) as refused:
        parse_announcement(payload)
    assert refused.value.reason == "announce_malformed"


@pytest.mark.parametrize(
    "payload",
    [
        b"oops",
        b'{"device": "hub"}',
        b'{"rooms": [{"id": "garage"}]}',
        b'{"rooms": [{"id": "g", "name": "g", "aliases": "x"}]}',
    ],
)
def test_a_malformed_rooms_message_is_refused(payload: bytes) -> None:
    with pytest.raises(MessageError) as refused:
        parse_rooms(payload)
    assert refused.value.reason == "rooms_malformed"


def test_an_announcement_is_read_with_its_rooms() -> None:
    body = {"device": "attic-hub", "room": "attic", "message": "dinner is ready", "rooms": ["kitchen"]}
    a = parse_announcement(json.dumps(body).encode())
    assert (a.device, a.room, a.message, a.rooms) == ("attic-hub", "attic", "dinner is ready", ("kitchen",))
    assert parse_announcement(json.dumps({**body, "rooms": None}).encode()).rooms is None


@pytest.fixture(scope="module")
def two_hubs(config: Config, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The example home's hub, and a second hub on the same broker serving an office and a bedroom
    satellite of its own, and a garage the first hub does not have."""
    broker = Broker(port=free_port(), workdir=tmp_path_factory.mktemp("mosquitto"))
    broker.start()
    first = with_broker(config, broker.host, broker.port)
    second = dataclasses.replace(
        first,
        home=dataclasses.replace(first.home, device_id="upstairs-hub"),
        rooms=[*first.rooms, Room("garage", "garage", ["workshop"])],
        satellites=[
            Satellite("office-sat", "office"),
            Satellite("guest-sat", "bedroom"),
            Satellite("garage-sat", "garage"),
        ],
    )
    events: list[tuple[str, str, dict[str, Any]]] = []
    hubs = [
        Runtime(cfg, data_dir=tmp_path_factory.mktemp(cfg.home.device_id), audio=False, sink_factory=None,
                on_event=lambda kind, sat, data: events.append((kind, sat, data))).start(health_interval=0)
        for cfg in (first, second)
    ]  # fmt: skip
    yield {"hubs": hubs, "events": events, "broker": broker}
    for hub in hubs:
        hub.stop()
    broker.stop()


def said_on(events: list[tuple[str, str, dict[str, Any]]], text: str) -> set[str]:
    return {sat for kind, sat, data in events if kind == "response" and data.get("text") == text}


def test_tell_everyone_is_said_on_the_other_hubs_satellites(two_hubs: dict[str, Any]) -> None:
    first, second = two_hubs["hubs"]
    events = two_hubs["events"]
    for hub in (first, second):
        assert hub.bridge.client.wait_connected(10)
    events.clear()
    turn = first.pipelines["kitchen-sat"].handle_text("tell everyone dinner is ready")
    assert turn.action is not None and turn.action.kind == "answer"
    everywhere = {"living-sat", "bedroom-sat", "office-sat", "guest-sat", "garage-sat"}
    assert wait_until(lambda: said_on(events, "From the kitchen: dinner is ready.") == everywhere)
    # one room: the other hub's satellite in that room only ("tell the bedroom ...")
    first.pipelines["kitchen-sat"].handle_text("tell the bedroom the car is here")
    assert wait_until(
        lambda: said_on(events, "From the kitchen: the car is here.") == {"bedroom-sat", "guest-sat"}
    )
    # a malformed announcement is counted and dropped; the hub still hears the next one
    first.bridge.client.publish("ambient/announce", b"{oops", qos=1)
    second.pipelines["office-sat"].handle_text("tell everyone it's time to go")
    assert wait_until(lambda: "kitchen-sat" in said_on(events, "From the office: it's time to go."))
    assert all(hub.bridge.client.stats["dropped_announce_malformed"] >= 1 for hub in (first, second))


def test_a_room_only_another_hub_has_is_told_through_it(two_hubs: dict[str, Any]) -> None:
    """ "tell the garage to come in" said "Sorry" on a hub without a garage: the hubs publish the rooms
    they speak in (retained), and the garage's hub says it; a hub gone offline speaks nowhere."""
    first, second = two_hubs["hubs"]
    events = two_hubs["events"]
    assert wait_until(lambda: "upstairs-hub" in first.ctx.hub_rooms())
    assert {r.name for r in first.ctx.hub_rooms()["upstairs-hub"]} == {"office", "bedroom", "garage"}
    assert "maple-hub" in second.ctx.hub_rooms() and "maple-hub" not in first.ctx.hub_rooms()  # not its own
    events.clear()
    turn = first.pipelines["living-sat"].handle_text("tell the workshop to come in for dinner")
    assert (
        turn.action is not None and turn.action.text == "OK, I'm saying it in the garage: come in for dinner."
    )
    assert wait_until(lambda: said_on(events, "From the living room: come in for dinner.") == {"garage-sat"})
    # a malformed rooms message is counted and dropped; an offline hub's rooms are forgotten
    client = first.bridge.client
    client.publish("ambient/attic-hub/rooms", b"{oops", qos=1)
    client.publish("ambient/attic-hub/rooms", json.dumps({"device": "attic-hub", "rooms": [
        {"id": "attic", "name": "attic", "aliases": []}]}), qos=1, retain=True)  # fmt: skip
    assert wait_until(lambda: "attic-hub" in second.ctx.hub_rooms())
    assert second.bridge.client.stats["dropped_rooms_malformed"] >= 1
    client.publish("ambient/attic-hub/status", b"offline", qos=1, retain=True)
    assert wait_until(lambda: "attic-hub" not in second.ctx.hub_rooms())
    for topic in ("ambient/attic-hub/rooms", "ambient/attic-hub/status"):  # retained: cleared again
        client.publish(topic, b"", qos=1, retain=True)
