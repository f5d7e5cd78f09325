"""Announcements between hubs: "tell everyone dinner is ready" said to one hub is said by every hub.

A hub says a broadcast on its own satellites and publishes it on `<prefix>/announce` (QoS 1, not
retained: an announcement is for now). Each hub says what another hub published on its satellites in
the rooms named, or on all of them; its own are ignored. A malformed message is counted and dropped.

Each hub also publishes the rooms it speaks in on `<prefix>/<device>/rooms` (retained, on every
connect), so that "tell the garage dinner is ready" said to the house's hub reaches the garage's
hub. A hub whose status turns `offline` (its last will) speaks nowhere until it is back.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from mqtt_bridge.client import MessageError, MqttClient
from runtime.config import Room
from runtime.events import Announcement


class Announcer:
    def __init__(self, client: MqttClient, device_id: str, rooms: Sequence[Room] = ()) -> None:
        self.client, self.device_id = client, device_id
        self.rooms = tuple(rooms)  # where this hub has a satellite that speaks
        self.on_heard: Callable[[Announcement], None] | None = None  # the runtime says it
        self.on_rooms: Callable[[str, tuple[Room, ...]], None] | None = None  # another hub's rooms; () gone

    def start(self) -> None:
        self.client.route(self.client.topics.announce, self._handle)
        self.client.route_many(self.client.topics.hub_filters(), self._hub)
        self.client.add_connect_hook(self._publish_rooms)

    def _publish_rooms(self) -> None:
        rooms = [{"id": r.id, "name": r.name, "aliases": list(r.aliases)} for r in self.rooms]
        body = {"device": self.device_id, "rooms": rooms}
        self.client.publish(self.client.topics.rooms, json.dumps(body), qos=1, retain=True)

    def _hub(self, topic: str, payload: bytes) -> None:
        """Another hub's rooms, or its status (offline: it speaks nowhere; online: its rooms come back
        retained on its next connect)."""
        parsed = self.client.topics.parse_hub_topic(topic)
        if parsed is None or parsed[0] == self.device_id or self.on_rooms is None:
            return
        hub, kind = parsed
        if kind == "status":
            if payload.strip() == b"offline":
                self.on_rooms(hub, ())
            return
        if not payload:  # a retained message cleared
            self.on_rooms(hub, ())
            return
        self.on_rooms(hub, parse_rooms(payload))

    def send(self, announcement: Announcement) -> None:
        body = {"device": announcement.device, "room": announcement.room, "message": announcement.message,
                "rooms": list(announcement.rooms) if announcement.rooms is not None else None,
                "id": announcement.id}  # fmt: skip
        self.client.publish(self.client.topics.announce, json.dumps(body), qos=1)

    def _handle(self, topic: str, payload: bytes) -> None:
        announcement = parse_announcement(payload)
        if announcement.device != self.device_id and self.on_heard is not None:
            self.on_heard(announcement)


def parse_rooms(payload: bytes) -> tuple[Room, ...]:
    """A hub's rooms from its JSON; MessageError names what is wrong with it."""
    try:
        body = json.loads(payload)
    except ValueError as e:
        raise MessageError("rooms_malformed", f"not JSON ({e})") from None
    rooms = body.get("rooms") if isinstance(body, dict) else None
    if not isinstance(rooms, list):
        raise MessageError("rooms_malformed", "expected a JSON object with a list of rooms")
    out: list[Room] = []
    for r in rooms:
        fields = r if isinstance(r, dict) else {}
        name, room_id, aliases = fields.get("name"), fields.get("id"), fields.get("aliases", [])
        if not (isinstance(name, str) and name.strip() and isinstance(room_id, str) and room_id.strip()):
            raise MessageError("rooms_malformed", "each room needs a non-empty id and name")
        if not (isinstance(aliases, list) and all(isinstance(a, str) for a in aliases)):
            raise MessageError("rooms_malformed", "a room's aliases must be a list of names")
        out.append(Room(room_id, name, list(aliases)))
    return tuple(out)


def parse_announcement(payload: bytes) -> Announcement:
    """An announcement from its JSON; MessageError names what is wrong with it."""
    try:
        body = json.loads(payload)
    except ValueError as e:
        raise MessageError("announce_malformed", f"not JSON ({e})") from None
    if not isinstance(body, dict):
        raise MessageError("announce_malformed", "expected a JSON object")
    texts = {k: body.get(k) for k in ("device", "room", "message")}
    if not all(isinstance(v, str) and v.strip() for v in texts.values()):
        raise MessageError("announce_malformed", "device, room and message must be non-empty strings")
    rooms = body.get("rooms")
    if rooms is not None and not (isinstance(rooms, list) and all(isinstance(r, str) for r in rooms)):
        raise MessageError("announce_malformed", "rooms must be a list of room ids, or null")
    said = str(texts["message"])[:500]  # said aloud: a long message is cut, not read for minutes
    return Announcement(str(texts["device"]), str(texts["room"]), said, tuple(rooms) if rooms is not None else None,
                        str(body.get("id") or ""))  # fmt: skip
