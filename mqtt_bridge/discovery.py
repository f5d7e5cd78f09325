"""Home Assistant MQTT discovery configs -> devices the context knows, without editing devices.yaml.

A config arrives retained on `homeassistant/<component>/[<node_id>/]<object_id>/config`:

    {"~": "home/den/lamp", "name": "Den lamp", "uniq_id": "den_lamp", "stat_t": "~/state",
     "cmd_t": "~/set", "avty_t": "~/availability", "schema": "json", "dev": {"sa": "Living room"}}

Keys may be abbreviated (`stat_t` = `state_topic`); a value starting or ending with `~` has it
replaced by the base topic. An empty payload on the config topic removes the entity. Everything here
is pure: payload in, `DiscoveredEntity` out, or `DiscoveryError` with the reason.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from mqtt_bridge.topics import DiscoveryTopic
from runtime.config import Config, Device

# The abbreviations we read (Home Assistant has ~200; these are the ones a device's state needs).
ABBREVIATIONS: dict[str, str] = {
    "stat_t": "state_topic",
    "cmd_t": "command_topic",
    "avty_t": "availability_topic",
    "dev_cla": "device_class",
    "uniq_id": "unique_id",
    "obj_id": "object_id",
    "pos_t": "position_topic",
    "set_pos_t": "set_position_topic",
    "bri_stat_t": "brightness_state_topic",
    "bri_cmd_t": "brightness_command_topic",
    "curr_temp_t": "current_temperature_topic",
    "temp_stat_t": "temperature_state_topic",
    "temp_cmd_t": "temperature_command_topic",
    "mode_stat_t": "mode_state_topic",
    "pct_stat_t": "percentage_state_topic",
    "val_tpl": "value_template",
    "stat_val_tpl": "state_value_template",
    "pl_on": "payload_on",
    "pl_off": "payload_off",
    "pl_avail": "payload_available",
    "pl_not_avail": "payload_not_available",
    "stat_on": "state_on",
    "stat_off": "state_off",
    "unit_of_meas": "unit_of_measurement",
    "dev": "device",
    "sa": "suggested_area",
    "ids": "identifiers",
    "mf": "manufacturer",
    "mdl": "model",
}
COMPONENT_TYPES: dict[str, str] = {
    "light": "light",
    "switch": "switch",
    "fan": "fan",
    "climate": "climate",
    "cover": "cover",
    "lock": "lock",
    "sensor": "sensor",
    "binary_sensor": "sensor",
    "media_player": "media_player",
    "water_heater": "climate",
}
# extra state topics -> the normalized field their plain payload sets
FIELD_TOPICS: dict[str, str] = {
    "position_topic": "position",
    "brightness_state_topic": "brightness",
    "current_temperature_topic": "temperature",
    "temperature_state_topic": "target_temperature",
    "percentage_state_topic": "percentage",
}
_ID_CHARS = re.compile(r"[^a-z0-9_]+")
_VALUE_JSON = re.compile(r"^\{\{\s*value_json(?:\.(\w+)|\[['\"]([^'\"]+)['\"]\])\s*\}\}$")


class DiscoveryError(ValueError):
    pass


@dataclass(frozen=True)
class DiscoveredEntity:
    """One discovered entity: the `Device` for the context plus what only the bridge needs."""

    key: str  # DiscoveryTopic.key: identity across updates and removal
    device: Device
    availability_topic: str | None = None
    payload_available: str = "online"
    payload_not_available: str = "offline"
    value_key: str | None = None  # from value_template "{{ value_json.x }}"
    plain_states: dict[str, str] = field(default_factory=dict)  # payload_on/off -> "on"/"off"
    field_topics: dict[str, str] = field(default_factory=dict)  # extra topic -> normalized field


def expand(config: dict[str, Any]) -> dict[str, Any]:
    """Abbreviations -> full keys, and `~` -> the base topic (one level, like Home Assistant)."""
    base = config.get("~")
    out: dict[str, Any] = {}
    for key, value in config.items():
        if key == "~":
            continue
        full = ABBREVIATIONS.get(key, key)
        if isinstance(value, dict):
            value = {ABBREVIATIONS.get(k, k): v for k, v in value.items()}
        elif isinstance(value, str) and isinstance(base, str):
            if value.startswith("~"):
                value = base + value[1:]
            elif value.endswith("~"):
                value = value[:-1] + base
        out[full] = value
    return out


def device_id_for(topic: DiscoveryTopic, cfg: dict[str, Any]) -> str:
    raw = (
        cfg.get("unique_id")
        or cfg.get("object_id")
        or "_".join(p for p in (topic.node_id, topic.object_id) if p)
    )
    ident = _ID_CHARS.sub("_", str(raw).lower()).strip("_")
    if not ident:
        raise DiscoveryError("no usable unique_id/object_id")
    return ident


def room_for(config: Config, area: Any) -> str:
    """The room whose id, name or alias is the suggested area; else the area as an id of its own
    ("Garage" -> "garage", a room devices.yaml does not list); "" when no area is given."""
    if not isinstance(area, str):
        return ""
    wanted = area.strip().lower().replace("_", " ")
    for room in config.rooms:
        names = [room.id.replace("_", " "), room.name, *room.aliases]
        if wanted in (n.lower() for n in names):
            return room.id
    return _ID_CHARS.sub("_", wanted).strip("_")[:60]


def _topic(cfg: dict[str, Any], key: str) -> str | None:
    value = cfg.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value or "+" in value or "#" in value:
        raise DiscoveryError(f"{key} must be a topic string without wildcards, got {value!r}"[:200])
    return value


def _text(cfg: dict[str, Any], key: str, default: str) -> str:
    value = cfg.get(key, default)
    if isinstance(value, bool):  # HA allows true/false as payloads; bool before int: bool is an int
        return str(value).lower()
    if isinstance(value, str | int | float):
        return str(value)
    raise DiscoveryError(f"{key} must be a string, got {type(value).__name__}")


def parse_config_payload(config: Config, topic: DiscoveryTopic, payload: bytes) -> DiscoveredEntity:
    """A non-empty discovery config -> the entity; DiscoveryError says what is wrong with it."""
    if topic.component not in COMPONENT_TYPES:
        raise DiscoveryError(f"unsupported component {topic.component!r}")
    try:
        raw = json.loads(payload)
    except (ValueError, UnicodeDecodeError, RecursionError) as e:
        raise DiscoveryError(f"not JSON ({e})") from None
    if not isinstance(raw, dict):
        raise DiscoveryError(f"expected a JSON object, got {type(raw).__name__}")
    cfg = expand(raw)
    state_topic = _topic(cfg, "state_topic")
    field_topics = {t: f for key, f in FIELD_TOPICS.items() if (t := _topic(cfg, key))}
    if state_topic is None and not field_topics:
        raise DiscoveryError("missing required key state_topic (stat_t)")
    command_topic = _topic(cfg, "command_topic")
    dev_raw = cfg.get("device")
    dev: dict[str, Any] = dev_raw if isinstance(dev_raw, dict) else {}
    name = cfg.get("name")
    if not isinstance(name, str) or not name.strip():
        name = dev.get("name") if isinstance(dev.get("name"), str) else topic.object_id.replace("_", " ")
    unit = cfg.get("unit_of_measurement")
    features = [f for t, f in field_topics.items() if f in ("brightness", "position", "temperature")]
    if cfg.get("brightness") is True or cfg.get("brightness_command_topic"):
        features.append("brightness")
    device = Device(
        id=device_id_for(topic, cfg),
        name=str(name).strip()[:100],
        type=COMPONENT_TYPES[topic.component],  # type: ignore[arg-type]
        room=room_for(config, dev.get("suggested_area")),
        convention="homeassistant",
        state_topic=state_topic,
        command_topic=command_topic,
        features=sorted(set(features)),
        unit=unit if isinstance(unit, str) else None,
    )
    template = cfg.get("value_template") or cfg.get("state_value_template")
    value_key = None
    if isinstance(template, str):
        m = _VALUE_JSON.match(template.strip())
        value_key = (m.group(1) or m.group(2)) if m else None
    plain: dict[str, str] = {}
    for key, default, state in (
        ("payload_on", "ON", "on"),
        ("payload_off", "OFF", "off"),
        ("state_on", "", "on"),
        ("state_off", "", "off"),
    ):
        text = _text(cfg, key, default)
        if text:
            plain[text] = state
    return DiscoveredEntity(
        key=topic.key,
        device=device,
        availability_topic=_topic(cfg, "availability_topic"),
        payload_available=_text(cfg, "payload_available", "online"),
        payload_not_available=_text(cfg, "payload_not_available", "offline"),
        value_key=value_key,
        plain_states=plain,
        field_topics=field_topics,
    )
