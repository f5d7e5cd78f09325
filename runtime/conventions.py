"""One table for the three MQTT device conventions: commands out, states in, all in normalized fields.

Everything above MQTT speaks *normalized fields* (the ContextStore's vocabulary):

    state        "on" "off" "open" "closed" "stopped" "locked" "unlocked" "playing" "paused"
    brightness   0-100          position   0-100         volume   0-100      percentage (fan) 0-100
    muted        true/false
    temperature  (measured)     target_temperature       color    a color name ("red", "warm white")
    media_title, media_artist, media_class    media_command ("next", "previous")

This module converts them to and from what each convention puts on the wire:

* ``generic``: our own JSON on the device's topics: ``{"state": "ON", "brightness": 50}``; the
  normalized names, with verbs upper-cased as zigbee2mqtt does.
* ``zigbee2mqtt``: JSON to ``zigbee2mqtt/<name>/set``; brightness on a 0-254 scale, locks
  ``LOCK``/``UNLOCK``, covers ``position`` or ``OPEN``/``CLOSE``/``STOP``, thermostats
  ``occupied_heating_setpoint``, colors ``{"hex": "#rrggbb"}``.
* ``homeassistant``: Home Assistant MQTT. Lights use the JSON schema (brightness 0-255, color
  ``{"r","g","b"}``); switches, fans, TVs and locks take plain ``ON``/``OFF``/``LOCK``/``UNLOCK``;
  covers take plain ``OPEN``/``CLOSE``/``STOP`` on the command topic and a plain number on the
  sibling position topic (``.../position/set``), fans their speed on ``.../percentage/set``; climate takes a plain number on the command topic
  (its temperature command topic) and the mode on the sibling ``.../mode/set``.

Functions:

* `command_payload(device, fields) -> (topic, payload)`: a command in the device's convention.
* `expected_state(device, fields) -> dict`: the normalized fields whose echo confirms it.
* `parse_state(device, payload) -> dict`: a state message -> normalized fields (MQTT bridge).
* `parse_command(device, topic, payload) -> dict` and `state_payload(device, fields)`: the other
  side of the wire, for simulated devices (the demo) that obey commands and echo their state.

A payload that cannot be understood raises `ConventionError` naming the device and the payload.
"""

from __future__ import annotations

import json
from typing import Any

from runtime.config import Device

# normalized state value -> command verb on the wire (zigbee2mqtt / generic / HA plain payloads)
VERBS: dict[str, str] = {
    "on": "ON",
    "off": "OFF",
    "open": "OPEN",
    "closed": "CLOSE",
    "stopped": "STOP",
    "locked": "LOCK",
    "unlocked": "UNLOCK",
    "playing": "PLAY",
    "paused": "PAUSE",
}
# "on"/"off" of HassTurnOn/HassTurnOff for device types where Home Assistant means something else
ON_OFF_STATES: dict[str, tuple[str, str]] = {"cover": ("open", "closed"), "lock": ("locked", "unlocked")}
# any wire word for a state (command verb or reported state, any case) -> normalized state
STATE_WORDS: dict[str, str] = {
    "on": "on",
    "off": "off",
    "true": "on",
    "false": "off",
    "open": "open",
    "opening": "open",
    "opened": "open",
    "close": "closed",
    "closed": "closed",
    "closing": "closed",
    "stop": "stopped",
    "stopped": "stopped",
    "lock": "locked",
    "locked": "locked",
    "locking": "locked",
    "unlock": "unlocked",
    "unlocked": "unlocked",
    "unlocking": "unlocked",
    "play": "playing",
    "playing": "playing",
    "pause": "paused",
    "paused": "paused",
    "idle": "paused",
    "heat": "on",
    "cool": "on",
    "auto": "on",
}
# what plugs and air sensors report (zigbee2mqtt's names) -> what it is called, and its unit
READINGS: dict[str, tuple[str, str]] = {
    "power": ("power use", "watts"),
    "energy": ("energy used", "kilowatt hours"),
    "co2": ("CO2", "ppm"),
    "pm25": ("PM2.5", "micrograms per cubic meter"),
    "voc": ("VOC level", "ppb"),
    "battery": ("battery", "percent"),  # zigbee2mqtt's battery devices: locks, sensors, remotes
}
# a thermostat's modes, kept as `mode` beside its on/off `state` ("what mode is the thermostat in")
CLIMATE_MODES = frozenset({"heat", "cool", "auto", "heat_cool", "dry", "fan_only", "eco"})  # off: the state
# color names people say -> RGB; the tables of both JSON conventions are built from it
COLORS: dict[str, tuple[int, int, int]] = {
    "red": (255, 0, 0),
    "green": (0, 255, 0),
    "blue": (0, 0, 255),
    "white": (255, 255, 255),
    "warm white": (255, 214, 170),
    "cool white": (230, 240, 255),
    "candle light": (255, 147, 41),
    "daylight": (255, 250, 244),
    "yellow": (255, 255, 0),
    "orange": (255, 165, 0),
    "purple": (128, 0, 128),
    "pink": (255, 192, 203),
    "cyan": (0, 255, 255),
    "magenta": (255, 0, 255),
    "violet": (238, 130, 238),
    "turquoise": (64, 224, 208),
    "gold": (255, 215, 0),
    "amber": (255, 191, 0),
}
# which states each device type can be told to take (anything else is a bug upstream)
SETTABLE_STATES: dict[str, tuple[str, ...]] = {
    "cover": ("open", "closed", "stopped"),
    "lock": ("locked", "unlocked"),
    "media_player": ("on", "off", "playing", "paused"),
    "tv": ("on", "off", "playing", "paused"),
}
NUMERIC_FIELDS = ("brightness", "position", "volume", "temperature", "target_temperature", "percentage")


class ConventionError(ValueError):
    """A command or state payload that does not fit the device's convention."""


# --- scales ---------------------------------------------------------------------------------------


def _to_scale(percent: float, top: int) -> int:
    return round(max(0.0, min(100.0, percent)) * top / 100)


def _from_scale(value: float, top: int) -> int:
    return round(max(0.0, min(float(top), value)) * 100 / top)


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _color_name(rgb: tuple[int, int, int]) -> str:
    """The nearest named color (state messages carry RGB or hex, the context keeps names)."""
    return min(COLORS, key=lambda n: sum((a - b) ** 2 for a, b in zip(COLORS[n], rgb, strict=True)))


def _parse_color(value: Any) -> str | None:
    if isinstance(value, str):
        v = value.strip().lower()
        if v in COLORS:
            return v
        if v.startswith("#") and len(v) == 7:
            try:
                return _color_name((int(v[1:3], 16), int(v[3:5], 16), int(v[5:7], 16)))
            except ValueError:
                return None
        return None
    if isinstance(value, dict):
        if "hex" in value:
            return _parse_color(value["hex"])
        if all(k in value for k in ("r", "g", "b")):
            try:
                return _color_name((int(value["r"]), int(value["g"]), int(value["b"])))
            except (TypeError, ValueError):
                return None
    return None


def _sibling(topic: str, name: str) -> str:
    """homeassistant/cover/blinds/set -> homeassistant/cover/blinds/<name>/set."""
    base = topic[: -len("/set")] if topic.endswith("/set") else topic
    return f"{base}/{name}/set"


def command_topic(device: Device) -> str:
    if device.command_topic:
        return device.command_topic
    if device.convention == "zigbee2mqtt" and device.type != "sensor":
        return f"zigbee2mqtt/{device.name}/set"
    raise ConventionError(f"device '{device.id}' has no command_topic (it is read-only)")


# --- commands -------------------------------------------------------------------------------------


def command_payload(device: Device, fields: dict[str, Any]) -> tuple[str, str]:
    """The (topic, payload) that asks `device` to take on the normalized `fields`."""
    topic = command_topic(device)
    _check_fields(device, fields)
    if device.convention == "zigbee2mqtt":
        return topic, json.dumps(_z2m_command(device, fields))
    if device.convention == "homeassistant":
        return _ha_command(device, topic, fields)
    return topic, json.dumps(_generic_command(fields))


def _check_fields(device: Device, fields: dict[str, Any]) -> None:
    if not fields:
        raise ConventionError(f"no fields to send to '{device.id}'")
    state = fields.get("state")
    allowed = SETTABLE_STATES.get(device.type, ("on", "off"))
    if state is not None and state not in allowed:
        raise ConventionError(
            f"a {device.type} cannot be set to '{state}' (expected one of: {', '.join(allowed)})"
        )
    color = fields.get("color")
    if color is not None and color not in COLORS:
        raise ConventionError(f"unknown color '{color}' (known: {', '.join(COLORS)})")
    for name in NUMERIC_FIELDS:
        if name in fields and not isinstance(fields[name], int | float):
            raise ConventionError(f"{name} must be a number, got {fields[name]!r}")


def _generic_command(fields: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if key == "state":
            out["state"] = VERBS[value]
        elif key == "media_command":
            out["media_command"] = str(value).upper()
        else:
            out[key] = value
    return out


def _z2m_command(device: Device, fields: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if key == "state":
            out["state"] = VERBS[value]
        elif key == "brightness":
            out["brightness"] = _to_scale(value, 254)
        elif key == "color":
            out["color"] = {"hex": _hex(COLORS[value])}
        elif key == "target_temperature" and device.type == "climate":
            out["occupied_heating_setpoint"] = value
        elif key == "media_command":
            out["media_command"] = str(value).upper()
        else:
            out[key] = value
    return out


def _ha_command(device: Device, topic: str, fields: dict[str, Any]) -> tuple[str, str]:
    if device.type == "light":  # JSON schema
        out: dict[str, Any] = {}
        if "state" in fields:
            out["state"] = VERBS[fields["state"]]
        if "brightness" in fields:
            out["brightness"] = _to_scale(fields["brightness"], 255)
            out.setdefault("state", "ON")  # HA's JSON schema needs the state key
        if "color" in fields:
            r, g, b = COLORS[fields["color"]]
            out["color"] = {"r": r, "g": g, "b": b}
            out.setdefault("state", "ON")
        if not out:
            raise ConventionError(f"a Home Assistant light takes state, brightness or color, not {fields}")
        return topic, json.dumps(out)
    if device.type == "cover" and "position" in fields:
        return _sibling(topic, "position"), str(round(fields["position"]))
    if device.type == "fan" and "percentage" in fields:
        return _sibling(topic, "percentage"), str(round(fields["percentage"]))
    if device.type == "climate":
        if "target_temperature" in fields:
            return topic, _number(fields["target_temperature"])
        if "state" in fields:
            return _sibling(topic, "mode"), "heat" if fields["state"] == "on" else "off"
    if device.type == "media_player" or (device.type == "tv" and set(fields) - {"state"}):
        return topic, json.dumps(_generic_command(fields))
    if set(fields) == {"state"}:
        return topic, VERBS[fields["state"]]
    raise ConventionError(f"a Home Assistant {device.type} cannot take {sorted(fields)} in one command")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def expected_state(device: Device, fields: dict[str, Any]) -> dict[str, Any]:
    """The normalized state fields a device reports once it obeyed `fields`.

    A cover told to stop and a media player told to skip report nothing we can predict, so they
    expect nothing; a player reports the title as its catalogue spells it, so only "playing" is
    expected; brightness > 0 implies "on".
    """
    expect: dict[str, Any] = {}
    for key, value in fields.items():
        if key in ("media_command", "media_class", "media_title", "source"):  # players report their own
            continue
        if key == "state" and value == "stopped":
            continue
        expect[key] = value
    if device.type == "light" and expect.get("brightness", 0) > 0:
        expect.setdefault("state", "on")
    if device.type == "fan" and expect.get("percentage", 0) > 0:  # a speed set: it runs
        expect.setdefault("state", "on")
    return expect


# --- states ---------------------------------------------------------------------------------------


def parse_state(device: Device, payload: bytes | str) -> dict[str, Any]:
    """A state message from `device` -> normalized fields (only the fields the message carries)."""
    text = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else payload
    text = text.strip()
    if not text:
        raise ConventionError(f"empty state payload from '{device.id}'")
    try:
        data = json.loads(text)
    except RecursionError:  # absurdly nested JSON
        raise ConventionError(f"state payload from '{device.id}' is nested too deeply") from None
    except ValueError:
        data = text  # a plain payload: ON, locked, 21.5
    if isinstance(data, dict):
        return _parse_json_state(device, data)
    if isinstance(data, bool):
        return {"state": "on" if data else "off"}
    if isinstance(data, int | float):
        key = "position" if device.type == "cover" else "temperature"
        return {key: data}
    if isinstance(data, str):
        word = data.strip().lower()
        if word in STATE_WORDS:
            mode = {"mode": word} if device.type == "climate" and word in CLIMATE_MODES else {}
            return {"state": STATE_WORDS[word], **mode}
        try:
            return {"position" if device.type == "cover" else "temperature": float(word)}
        except ValueError:
            pass
    raise ConventionError(f"cannot read the state of '{device.id}' from {text[:80]!r}")


def _parse_json_state(device: Device, data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    brightness_top = {"zigbee2mqtt": 254, "homeassistant": 255}.get(device.convention)
    for key, value in data.items():
        if key in ("state", "lock_state", "mode", "state_left", "system_mode") and isinstance(value, str):
            word = STATE_WORDS.get(value.strip().lower())
            if word is not None and key != "system_mode" and (key != "mode" or "state" not in out):
                out["state"] = word
            if device.type == "climate" and value.strip().lower() in CLIMATE_MODES:
                out["mode"] = value.strip().lower()
        elif key == "brightness" and isinstance(value, int | float):
            out["brightness"] = _from_scale(value, brightness_top) if brightness_top else value
        elif key == "color":
            color = _parse_color(value)
            if color is not None:
                out["color"] = color
        elif key in ("local_temperature", "current_temperature") and isinstance(value, int | float):
            out["temperature"] = value
        elif key in ("occupied_heating_setpoint", "current_heating_setpoint", "target_temperature"):
            if isinstance(value, int | float):
                out["target_temperature"] = value
        elif key == "temperature" and isinstance(value, int | float):
            # Home Assistant's climate state calls the set point "temperature"
            is_setpoint = device.convention == "homeassistant" and device.type == "climate"
            out["target_temperature" if is_setpoint else "temperature"] = value
        elif key in ("position", "volume") and isinstance(value, int | float):
            out[key] = value
        elif key == "volume_level" and isinstance(value, int | float):
            out["volume"] = round(value * 100) if value <= 1 else value
        elif key == "media_command" and isinstance(value, str):
            out[key] = value.lower()
        elif key in (
            "media_title",
            "media_artist",
            "media_class",
            "humidity",
            "speed",
            "percentage",
            "muted",
            "source",
        ):
            out[key] = value  # "source": a tv's input or app ("what's on tv")
        elif key in READINGS and isinstance(value, int | float) and not isinstance(value, bool):
            out[key] = value  # a plug's power, an air sensor's co2 ("how much power is the tv using")
    if not out:
        raise ConventionError(f"no known state fields in the message from '{device.id}': {sorted(data)}")
    return out


# --- the device side (simulated devices) ---------------------------------------------------------


def parse_command(device: Device, topic: str, payload: bytes | str) -> dict[str, Any]:
    """A command as a device receives it -> the normalized fields it asks for."""
    text = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else payload
    text = text.strip()
    if device.convention == "homeassistant" and topic != command_topic(device):
        if topic == _sibling(command_topic(device), "position"):
            return {"position": _float(device, text)}
        if topic == _sibling(command_topic(device), "percentage"):
            return {"percentage": _float(device, text)}
        if topic == _sibling(command_topic(device), "mode"):
            return {"state": "off" if text.lower() == "off" else "on"}
        raise ConventionError(f"'{topic}' is not a command topic of '{device.id}'")
    if device.convention == "homeassistant" and device.type == "climate":
        return {"target_temperature": _float(device, text)}
    return parse_state(device, text)


def _float(device: Device, text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ConventionError(f"'{device.id}' expected a number, got {text[:40]!r}") from None


def state_payload(device: Device, fields: dict[str, Any]) -> tuple[str, str]:
    """How `device` reports normalized `fields` on its state topic, in its convention."""
    topic = device.state_topic or command_topic(device).removesuffix("/set")
    plain = device.convention == "homeassistant" and device.type in ("switch", "fan", "tv", "lock")
    if plain and set(fields) == {"state"}:
        return topic, str(fields["state"]).upper()
    out: dict[str, Any] = {}
    top = {"zigbee2mqtt": 254, "homeassistant": 255}.get(device.convention)
    for key, value in fields.items():
        if key == "state":
            out["state"] = str(value).upper() if device.convention != "generic" else value
        elif key == "brightness" and top:
            out["brightness"] = _to_scale(value, top)
        elif key == "color" and value in COLORS:
            r, g, b = COLORS[value]
            out["color"] = (
                {"hex": _hex((r, g, b))} if device.convention == "zigbee2mqtt" else {"r": r, "g": g, "b": b}
            )
        elif key == "target_temperature" and device.convention == "zigbee2mqtt" and device.type == "climate":
            out["occupied_heating_setpoint"] = value
        elif key == "temperature" and device.convention == "homeassistant" and device.type == "climate":
            out["current_temperature"] = value
        elif (
            key == "target_temperature" and device.convention == "homeassistant" and device.type == "climate"
        ):
            out["temperature"] = value
        elif key == "temperature" and device.convention == "zigbee2mqtt" and device.type == "climate":
            out["local_temperature"] = value
        else:
            out[key] = value
    return topic, json.dumps(out)
