"""Announcements between hubs: "tell everyone dinner is ready" said to one hub is said by every hub.

A hub says a broadcast on its own satellites and publishes it on `<prefix>/announce` (QoS 1, not
retained: an announcement is for now). Each hub says what another hub published on its satellites in
the rooms named, or on all of them; its own are ignored. A malformed message is counted and dropped.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from mqtt_bridge.client import MessageError, MqttClient
from runtime.events import Announcement


class Announcer:
    def __init__(self, client: MqttClient, device_id: str) -> None:
        self.client, self.device_id = client, device_id
        self.on_heard: Callable[[Announcement], None] | None = None  # the runtime says it

    def start(self) -> None:
        self.client.route(self.client.topics.announce, self._handle)

    def send(self, announcement: Announcement) -> None:
        body = {"device": announcement.device, "room": announcement.room, "message": announcement.message,
                "rooms": list(announcement.rooms) if announcement.rooms is not None else None,
                "id": announcement.id}  # fmt: skip
        self.client.publish(self.client.topics.announce, json.dumps(body), qos=1)

    def _handle(self, topic: str, payload: bytes) -> None:
        announcement = parse_announcement(payload)
        if announcement.device != self.device_id and self.on_heard is not None:
            self.on_heard(announcement)


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
