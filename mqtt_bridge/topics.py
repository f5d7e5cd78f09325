"""Every MQTT topic the bridge builds or parses, in one place.

Our own namespace lives under a configurable prefix (``ambient`` by default):

    <prefix>/<device>/status      online/offline, retained, last will
    <prefix>/<device>/health      JSON health snapshot, retained
    <prefix>/<device>/turn        one turn as JSON (QoS 1)
    <prefix>/<device>/feedback    one feedback event as JSON (QoS 1)
    <prefix>/<device>/rooms       JSON: the rooms the hub speaks in, retained ("tell the garage ...")
    <prefix>/announce             a broadcast to every hub (QoS 1)
    <prefix>/rewrites/global      retained, signed global rewrite table
    <prefix>/<device>/rewrites    retained, signed personal rewrite table

Ecosystem topics are parsed here too: zigbee2mqtt state/availability and Home Assistant discovery.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_LEVEL = re.compile(r"^[^/#+\x00]+$")  # one topic level without wildcards


def _check_level(value: str, what: str) -> str:
    if not value or not _LEVEL.match(value):
        raise ValueError(f"invalid MQTT topic level for {what}: {value!r}")
    return value


@dataclass(frozen=True)
class Topics:
    """Our namespace for one device id under one prefix."""

    prefix: str
    device_id: str

    def __post_init__(self) -> None:
        for level in self.prefix.split("/"):
            _check_level(level, "prefix")
        _check_level(self.device_id, "device id")

    @property
    def status(self) -> str:
        return f"{self.prefix}/{self.device_id}/status"

    @property
    def health(self) -> str:
        return f"{self.prefix}/{self.device_id}/health"

    @property
    def turn(self) -> str:
        return f"{self.prefix}/{self.device_id}/turn"

    @property
    def feedback(self) -> str:
        return f"{self.prefix}/{self.device_id}/feedback"

    @property
    def global_rewrites(self) -> str:
        return f"{self.prefix}/rewrites/global"

    @property
    def announce(self) -> str:
        """ "tell everyone ...": every hub on the broker says it (mqtt_bridge/announce.py)."""
        return f"{self.prefix}/announce"

    @property
    def rooms(self) -> str:
        """This hub's rooms, retained, for the other hubs' "tell the garage ..." (mqtt_bridge/announce.py)."""
        return f"{self.prefix}/{self.device_id}/rooms"

    def hub_filters(self) -> tuple[str, str]:
        """Every hub's rooms and status (a hub gone offline speaks nowhere)."""
        return f"{self.prefix}/+/rooms", f"{self.prefix}/+/status"

    def parse_hub_topic(self, topic: str) -> tuple[str, str] | None:
        """`<prefix>/<device>/rooms|status` -> (device, "rooms" | "status"); None for any other topic."""
        head = self.prefix + "/"
        rest = topic[len(head) :].split("/") if topic.startswith(head) else []
        if len(rest) == 2 and rest[0] and rest[1] in ("rooms", "status"):
            return rest[0], rest[1]
        return None

    @property
    def personal_rewrites(self) -> str:
        return f"{self.prefix}/{self.device_id}/rewrites"

    def event_topic(self, kind: str) -> str:
        if kind == "turn":
            return self.turn
        if kind == "feedback":
            return self.feedback
        raise ValueError(f"unknown uplink event kind {kind!r} (expected turn or feedback)")

    def parse_event_topic(self, topic: str) -> tuple[str, str] | None:
        """`<prefix>/<device>/turn|feedback` -> (device, kind); None for any other topic."""
        head = self.prefix + "/"
        if not topic.startswith(head):
            return None
        rest = topic[len(head) :].split("/")
        if len(rest) == 2 and rest[1] in ("turn", "feedback") and rest[0] and rest[0] != "rewrites":
            return rest[0], rest[1]
        return None


def uplink_filters(prefix: str) -> list[str]:
    """What the cloud side subscribes to: every device's turns and feedback."""
    return [f"{prefix}/+/turn", f"{prefix}/+/feedback"]


# --- zigbee2mqtt ---------------------------------------------------------------------------------

Z2M_BASE = "zigbee2mqtt"


def z2m_availability(state_topic: str) -> str:
    """zigbee2mqtt publishes `<base>/<friendly name>/availability` next to the state topic."""
    return f"{state_topic}/availability"


# --- Home Assistant MQTT discovery ---------------------------------------------------------------

HA_DISCOVERY_PREFIX = "homeassistant"
HA_DISCOVERY_FILTERS = (f"{HA_DISCOVERY_PREFIX}/+/+/config", f"{HA_DISCOVERY_PREFIX}/+/+/+/config")


@dataclass(frozen=True)
class DiscoveryTopic:
    component: str
    node_id: str | None
    object_id: str

    @property
    def key(self) -> str:
        """Stable identity of one discovered entity (its config topic without the prefix)."""
        node = f"{self.node_id}/" if self.node_id else ""
        return f"{self.component}/{node}{self.object_id}"


def parse_discovery_topic(topic: str, prefix: str = HA_DISCOVERY_PREFIX) -> DiscoveryTopic | None:
    """`homeassistant/<component>/[<node_id>/]<object_id>/config` -> its parts, else None."""
    parts = topic.split("/")
    if parts[0] != prefix or parts[-1] != "config" or len(parts) not in (4, 5):
        return None
    if any(not p for p in parts):
        return None
    if len(parts) == 4:
        return DiscoveryTopic(parts[1], None, parts[2])
    return DiscoveryTopic(parts[1], parts[2], parts[3])


# --- Hermes (Rhasspy/Snips era) ------------------------------------------------------------------


def hermes_hotword_detected(wakeword_id: str) -> str:
    return f"hermes/hotword/{wakeword_id}/detected"


HERMES_TEXT_CAPTURED = "hermes/asr/textCaptured"


def hermes_intent(intent_name: str) -> str:
    return f"hermes/intent/{intent_name}"


def is_filter(topic: str) -> bool:
    return "+" in topic or "#" in topic


def topic_matches(flt: str, topic: str) -> bool:
    """MQTT filter matching (`+` one level, `#` the rest). paho's `topic_matches_sub` builds a
    matcher per call, which cost a fifth of the network thread's time at 8,000 messages/s."""
    if topic.startswith("$") and not flt.startswith("$"):
        return False  # wildcards never match $SYS-like topics
    levels = topic.split("/")
    parts = flt.split("/")
    for i, part in enumerate(parts):
        if part == "#":
            return True
        if i >= len(levels) or (part != "+" and part != levels[i]):
            return False
    return len(levels) == len(parts)
