"""devices.yaml loader: the example is valid, and every broken file names its line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from runtime.config import ConfigError, load_config, parse_config

ROOT = Path(__file__).resolve().parent.parent

GOOD = """\
home:
  name: Test flat
rooms:
  - id: kitchen
    name: kitchen
  - id: hall
    name: hall
satellites:
  - id: sat1
    room: kitchen
    has_screen: false
devices:
  - id: lamp
    name: lamp
    type: light
    room: kitchen
    command_topic: home/lamp/set
    state_topic: home/lamp
"""


def test_example_home_is_valid_and_believable() -> None:
    config = load_config(ROOT / "devices.yaml")
    assert len(config.rooms) >= 5
    assert len(config.devices) >= 15
    assert len({d.type for d in config.devices}) >= 8
    assert len(config.satellites) >= 2
    assert {s.has_screen for s in config.satellites} == {True, False}
    assert {d.convention for d in config.devices} == {"generic", "zigbee2mqtt", "homeassistant"}
    assert [m.name for m in config.wake.models][0] == "alexa"


def test_minimal_file_gets_defaults() -> None:
    config = parse_config(GOOD, "home.yaml")
    assert config.mqtt.port == 1883 and config.asr.engine == "pocketsphinx"
    assert config.device("lamp").names == ["lamp"]


BROKEN = [
    # (description, edit applied to GOOD, expected message)
    (
        "unknown top-level key",
        lambda s: s + "colour: blue\n",
        "home.yaml:19: colour: unknown key (expected one of: home, mqtt, wake, asr, nlu, audio, "
        "rooms, satellites, devices, version)",
    ),
    (
        "unknown device key",
        lambda s: s.replace(
            "    room: kitchen\n    command", "    room: kitchen\n    colour: red\n    command"
        ),
        "home.yaml:17: devices[0].colour: unknown key (expected one of: id, name, type, room, "
        "convention, state_topic, command_topic, aliases, features, unit)",
    ),
    (
        "wrong device type",
        lambda s: s.replace("type: light", "type: lamp"),
        "home.yaml:15: devices[0].type: 'lamp' is not allowed (expected one of: light, switch, fan, "
        "climate, oven, cover, lock, tv, media_player, sensor)",
    ),
    (
        "device in an undefined room",
        lambda s: s.replace("    room: kitchen\n    command", "    room: garage\n    command"),
        "home.yaml:16: devices[0].room: unknown room 'garage' (expected one of: hall, kitchen)",
    ),
    (
        "satellite in an undefined room",
        lambda s: s.replace("    room: kitchen\n    has_screen", "    room: attic\n    has_screen"),
        "home.yaml:10: satellites[0].room: unknown room 'attic' (expected one of: hall, kitchen)",
    ),
    (
        "duplicate device id",
        lambda s: (
            s + "  - id: lamp\n    name: other lamp\n    type: light\n    room: hall\n"
            "    command_topic: x/set\n"
        ),
        "home.yaml:19: devices[1].id: duplicate id 'lamp'",
    ),
    (
        "wrong type for a boolean",
        lambda s: s.replace("has_screen: false", "has_screen: maybe"),
        "home.yaml:11: satellites[0].has_screen: expected true or false, got string 'maybe'",
    ),
    (
        "wrong type for a port",
        lambda s: s + "mqtt:\n  port: eighteen\n",
        "home.yaml:20: mqtt.port: expected an integer, got string 'eighteen'",
    ),
    (
        "port out of range",
        lambda s: s + "mqtt:\n  port: 70000\n",
        "home.yaml:20: mqtt.port: 70000 is not a TCP port (1-65535)",
    ),
    (
        "missing required field",
        lambda s: s.replace("    name: lamp\n", ""),
        "home.yaml:13: devices[0].name: required field is missing",
    ),
    (
        "a list where a mapping belongs",
        lambda s: s.replace("home:\n  name: Test flat\n", "home: [Test flat]\n"),
        "home.yaml:1: home: expected a mapping, got a list",
    ),
    (
        "missing wake word model",
        lambda s: s + "wake:\n  models:\n    - name: hey_computer\n",
        "home.yaml:21: wake.models[0].name: 'hey_computer' is neither a bundled model (alexa, "
        "hey_jarvis, hey_mycroft, hey_rhasspy, timer, weather) nor an existing file",
    ),
    (
        "wake threshold out of range",
        lambda s: s + "wake:\n  models:\n    - name: alexa\n      threshold: 5\n",
        "home.yaml:22: wake.models[0].threshold: 5.0 is out of range (expected a number between 0 and 1)",
    ),
    (
        "vosk without a model",
        lambda s: s + "asr:\n  engine: vosk\n",
        "home.yaml:20: asr.vosk_model: required when asr.engine is vosk (a Vosk model directory, "
        "e.g. vosk-model-small-en-us-0.15 from alphacephei.com/vosk/models)",
    ),
    (
        "vosk model directory missing",
        lambda s: s + "asr:\n  engine: vosk\n  vosk_model: /nonexistent/vosk-model\n",
        "home.yaml:21: asr.vosk_model: model directory '/nonexistent/vosk-model' does not exist",
    ),
    (
        "a light without a command topic",
        lambda s: s.replace("    command_topic: home/lamp/set\n", ""),
        "home.yaml:13: devices[0].command_topic: required for a light",
    ),
    (
        "invalid YAML",
        lambda s: s + "rooms: [\n",
        "home.yaml:20: invalid YAML: expected the node content, but found '<stream end>'",
    ),
    (
        "a floor that is not a name",
        lambda s: s.replace("    name: hall\n", "    name: hall\n    floor: [1, 2]\n"),
        "home.yaml:8: rooms[1].floor: expected a string, got a list",
    ),
    (
        "a latitude past the pole",
        lambda s: s.replace("  name: Test flat\n", "  name: Test flat\n  latitude: 95\n  longitude: 2\n"),
        "home.yaml:3: home.latitude: 95 is not between -90 and 90",
    ),
    (
        "a latitude without its longitude",
        lambda s: s.replace("  name: Test flat\n", "  name: Test flat\n  latitude: 48.9\n"),
        "home.yaml:1: home.longitude: required with the other (both give the home's place)",
    ),
    (
        "unknown enum value for the ASR engine",
        lambda s: s + "asr:\n  engine: whisper\n",
        "home.yaml:20: asr.engine: 'whisper' is not allowed (expected one of: pocketsphinx, vosk)",
    ),
]


@pytest.mark.parametrize(("edit", "message"), [(e, m) for _, e, m in BROKEN], ids=[d for d, _, _ in BROKEN])
def test_broken_file_names_line_and_field(edit, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError) as info:
        parse_config(edit(GOOD), "home.yaml")
    assert str(info.value) == message


def test_empty_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^home.yaml:1: the file is empty"):
        parse_config("", "home.yaml")
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.yaml")
