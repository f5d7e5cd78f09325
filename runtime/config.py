"""devices.yaml -> typed, validated configuration, checked once at the edge.

Every error names the file, the line and the field, and says what was expected:

    devices.yaml:88: devices[4].room: unknown room 'garage' (expected one of: bedroom, kitchen, ...)

The YAML is composed into nodes (which keep their line numbers) and each node is checked against
the dataclass it becomes; cross-references (rooms, duplicate ids, models) are checked afterwards.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import yaml

DEVICE_TYPES = (
    "light", "switch", "fan", "climate", "oven", "cover", "lock", "tv", "media_player", "sensor",
)  # fmt: skip
CONVENTIONS = ("generic", "zigbee2mqtt", "homeassistant")
BUNDLED_WAKE_MODELS = ("alexa", "hey_jarvis", "hey_mycroft", "hey_rhasspy", "timer", "weather")

DeviceType = Literal[
    "light", "switch", "fan", "climate", "oven", "cover", "lock", "tv", "media_player", "sensor"
]
Convention = Literal["generic", "zigbee2mqtt", "homeassistant"]


class ConfigError(ValueError):
    """A problem in the configuration file, located to a line and a field."""

    def __init__(self, file: str, line: int, path: str, message: str) -> None:
        self.file, self.line, self.path, self.message = file, line, path, message
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {path}: {message}" if path else f"{where}: {message}")


@dataclass(frozen=True)
class Home:
    name: str
    device_id: str = "ambient"
    language: str = "en"
    # where the home is, for sunrise and sunset (runtime/sun.py); in this machine's time zone
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class Tls:
    ca_file: str
    cert_file: str | None = None
    key_file: str | None = None


@dataclass(frozen=True)
class Mqtt:
    host: str = "127.0.0.1"
    port: int = 1883
    prefix: str = "ambient"
    keepalive: int = 30
    credentials_file: str | None = None  # lines KEY=VALUE; the environment wins over it
    tls: Tls | None = None
    rewrite_key_env: str = "AMBIENT_REWRITE_KEY"
    discovery: bool = True
    hermes: bool = False


@dataclass(frozen=True)
class WakeModel:
    name: str  # a bundled model name, or a path to a custom .onnx/.tflite
    threshold: float = 0.5


@dataclass(frozen=True)
class WakeConfig:
    engine: Literal["onnx", "tflite"] = "onnx"
    refractory_s: float = 2.0
    # score at 40 ms steps with a second front end half a frame late (runtime/wake.py): fewer missed
    # wake words for a little more wake CPU; false turns it off on boards short of CPU
    half_frame: bool = True
    models: list[WakeModel] = field(default_factory=lambda: [WakeModel("alexa")])


@dataclass(frozen=True)
class AsrConfig:
    engine: Literal["pocketsphinx", "vosk"] = "pocketsphinx"
    model: str = "bundled"
    vosk_model: str | None = None


@dataclass(frozen=True)
class NluConfig:
    model: str = "models/nlu/nlu.int8.onnx"
    tokenizer: str = "models/nlu/tokenizer.json"


@dataclass(frozen=True)
class AudioConfig:
    vad: Literal["silero", "webrtc"] = "silero"
    trailing_silence_ms: int = 600
    max_utterance_s: float = 10.0
    follow_up_s: float = 0.0


@dataclass(frozen=True)
class Room:
    id: str
    name: str
    aliases: list[str] = field(default_factory=list)
    floor: str | None = None  # as said: "upstairs", "ground floor" ("the lights upstairs")


@dataclass(frozen=True)
class Satellite:
    id: str
    room: str
    has_screen: bool = False
    speaker: bool = True


@dataclass(frozen=True)
class Device:
    id: str
    name: str
    type: DeviceType
    room: str
    convention: Convention = "generic"
    state_topic: str | None = None
    command_topic: str | None = None
    aliases: list[str] = field(default_factory=list)
    features: list[str] = field(default_factory=list)
    unit: str | None = None

    @property
    def names(self) -> list[str]:
        return [self.name, *self.aliases]


@dataclass(frozen=True)
class Config:
    home: Home
    mqtt: Mqtt = field(default_factory=Mqtt)
    wake: WakeConfig = field(default_factory=WakeConfig)
    asr: AsrConfig = field(default_factory=AsrConfig)
    nlu: NluConfig = field(default_factory=NluConfig)
    audio: AudioConfig = field(default_factory=AudioConfig)
    rooms: list[Room] = field(default_factory=list)
    satellites: list[Satellite] = field(default_factory=list)
    devices: list[Device] = field(default_factory=list)
    version: int = 1
    path: str = "devices.yaml"  # where it was read from; relative model paths resolve against it

    def room(self, room_id: str) -> Room:
        return next(r for r in self.rooms if r.id == room_id)

    def device(self, device_id: str) -> Device:
        return next(d for d in self.devices if d.id == device_id)

    def satellite(self, satellite_id: str) -> Satellite:
        return next(s for s in self.satellites if s.id == satellite_id)

    def resolve_path(self, value: str) -> Path:
        """A path from the file, relative to the file's folder."""
        p = Path(value).expanduser()
        return p if p.is_absolute() else Path(self.path).resolve().parent / p


# --- loading -------------------------------------------------------------------------------------


def default_config_path() -> Path:
    """devices.yaml in the working directory, else the one next to the package (the example)."""
    here = Path("devices.yaml")
    return here if here.exists() else Path(__file__).resolve().parent.parent / "devices.yaml"


def load_config(path: str | Path | None = None, *, check_files: bool = True) -> Config:
    path = Path(path) if path is not None else default_config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(str(path), 0, "", "file not found") from None
    return parse_config(text, str(path), check_files=check_files)


def parse_config(text: str, file: str = "devices.yaml", *, check_files: bool = True) -> Config:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as e:
        line = e.problem_mark.line + 1 if e.problem_mark else 0
        raise ConfigError(file, line, "", f"invalid YAML: {e.problem}") from None
    if node is None:
        raise ConfigError(file, 1, "", "the file is empty (expected a mapping with home, rooms, devices)")
    builder = _Builder(file)
    values = builder.build(Config, node, "")
    config = Config(**values, path=file)
    _check_references(config, builder, check_files)
    return config


_SCALARS: dict[type, str] = {str: "a string", int: "an integer", float: "a number", bool: "true or false"}


class _Builder:
    """Turns YAML nodes into dataclass field values, remembering each field's line."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.lines: dict[str, int] = {}

    def fail(self, node: yaml.Node | int, path: str, message: str) -> typing.NoReturn:
        line = node if isinstance(node, int) else node.start_mark.line + 1
        raise ConfigError(self.file, line, path, message)

    def build(self, cls: type, node: yaml.Node, path: str) -> dict[str, Any]:
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, path or "(top level)", f"expected a mapping, got {_describe(node)}")
        hints = typing.get_type_hints(cls)
        fields = {f.name: f for f in dataclasses.fields(cls) if f.name != "path"}
        values: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            sub = f"{path}.{key}" if path else key
            if key not in fields:
                allowed = ", ".join(fields)
                self.fail(key_node, sub, f"unknown key (expected one of: {allowed})")
            if key in values:
                self.fail(key_node, sub, "duplicate key")
            self.lines[sub] = key_node.start_mark.line + 1
            values[key] = self.value(hints[key], value_node, sub)
        for name, f in fields.items():
            no_default = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
            if no_default and name not in values:
                self.fail(node, f"{path}.{name}" if path else name, "required field is missing")
        self.lines.setdefault(path, node.start_mark.line + 1)
        return values

    def value(self, tp: Any, node: yaml.Node, path: str) -> Any:
        origin = get_origin(tp)
        if origin in (typing.Union, types.UnionType):
            options = [a for a in get_args(tp) if a is not type(None)]
            if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null"):
                return None
            return self.value(options[0], node, path)
        if origin is Literal:
            allowed = get_args(tp)
            if not isinstance(node, yaml.ScalarNode) or node.value not in allowed:
                got = node.value if isinstance(node, yaml.ScalarNode) else _describe(node)
                self.fail(node, path, f"'{got}' is not allowed (expected one of: {', '.join(allowed)})")
            return node.value
        if origin is list:
            (item_tp,) = get_args(tp)
            if not isinstance(node, yaml.SequenceNode):
                self.fail(node, path, f"expected a list, got {_describe(node)}")
            return [self.value(item_tp, item, f"{path}[{i}]") for i, item in enumerate(node.value)]
        if isinstance(tp, type) and dataclasses.is_dataclass(tp):
            return tp(**self.build(tp, node, path))
        if tp in _SCALARS:
            return self.scalar(tp, node, path)
        raise TypeError(f"unsupported config type {tp!r} at {path}")  # a bug in this module

    def scalar(self, tp: type, node: yaml.Node, path: str) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            self.fail(node, path, f"expected {_SCALARS[tp]}, got {_describe(node)}")
        value = _resolve(node)
        if tp is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if tp is str and isinstance(value, int | float) and not isinstance(value, bool):
            value = node.value  # a name like 42 is still a name
        if not isinstance(value, tp) or (tp is int and isinstance(value, bool)):
            self.fail(node, path, f"expected {_SCALARS[tp]}, got {_describe(node)}")
        if isinstance(value, str) and not value.strip():
            self.fail(node, path, "must not be empty")
        return value


def _resolve(node: yaml.ScalarNode) -> Any:
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def _describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    tag = node.tag.rsplit(":", 1)[-1]
    kind = {"str": "string", "int": "integer", "float": "number", "bool": "boolean", "null": "nothing"}
    return f"{kind.get(tag, tag)} '{node.value}'" if tag != "null" else "nothing"


def _check_references(config: Config, b: _Builder, check_files: bool) -> None:
    def line(path: str) -> int:
        return b.lines.get(path, 0)

    def unique(items: list[Any], what: str) -> None:
        seen: set[str] = set()
        for i, item in enumerate(items):
            if item.id in seen:
                b.fail(line(f"{what}[{i}].id"), f"{what}[{i}].id", f"duplicate id '{item.id}'")
            seen.add(item.id)

    if not config.rooms:
        b.fail(line("rooms") or 1, "rooms", "at least one room is required")
    for coordinate, limit in (("latitude", 90), ("longitude", 180)):
        value = getattr(config.home, coordinate)
        if value is not None and not -limit <= value <= limit:
            where = f"home.{coordinate}"
            b.fail(line(where), where, f"{value:g} is not between -{limit} and {limit}")
    if (config.home.latitude is None) != (config.home.longitude is None):
        missing = "longitude" if config.home.longitude is None else "latitude"
        b.fail(line("home"), f"home.{missing}", "required with the other (both give the home's place)")
    unique(config.rooms, "rooms")
    unique(config.satellites, "satellites")
    unique(config.devices, "devices")
    room_ids = sorted(r.id for r in config.rooms)
    placed: list[tuple[str, Sequence[Satellite | Device]]] = [
        ("satellites", config.satellites),
        ("devices", config.devices),
    ]
    for what, items in placed:
        for i, item in enumerate(items):
            if item.room not in room_ids:
                b.fail(
                    line(f"{what}[{i}].room"),
                    f"{what}[{i}].room",
                    f"unknown room '{item.room}' (expected one of: {', '.join(room_ids)})",
                )
    for i, d in enumerate(config.devices):
        if d.type != "sensor" and d.command_topic is None:
            b.fail(line(f"devices[{i}]"), f"devices[{i}].command_topic", f"required for a {d.type}")
        if d.state_topic is None and d.command_topic is None:
            b.fail(line(f"devices[{i}]"), f"devices[{i}].state_topic", "a sensor needs a state_topic")
    if not config.wake.models:
        b.fail(line("wake.models"), "wake.models", "at least one wake word model is required")
    for i, m in enumerate(config.wake.models):
        if m.name not in BUNDLED_WAKE_MODELS:
            p = config.resolve_path(m.name)
            if check_files and not p.exists():
                b.fail(
                    line(f"wake.models[{i}].name"),
                    f"wake.models[{i}].name",
                    f"'{m.name}' is neither a bundled model ({', '.join(BUNDLED_WAKE_MODELS)}) "
                    f"nor an existing file",
                )
        if not 0.0 < m.threshold < 1.0:
            b.fail(line(f"wake.models[{i}].threshold"), f"wake.models[{i}].threshold",
                   f"{m.threshold} is out of range (expected a number between 0 and 1)")  # fmt: skip
    if check_files and config.asr.engine == "vosk":
        if config.asr.vosk_model is None:
            b.fail(line("asr.engine"), "asr.vosk_model",
                   "required when asr.engine is vosk (a Vosk model directory, "
                   "e.g. vosk-model-small-en-us-0.15 from alphacephei.com/vosk/models)")  # fmt: skip
        elif not config.resolve_path(config.asr.vosk_model).is_dir():
            b.fail(line("asr.vosk_model"), "asr.vosk_model",
                   f"model directory '{config.asr.vosk_model}' does not exist")  # fmt: skip
    if check_files and config.asr.model != "bundled" and not config.resolve_path(config.asr.model).is_dir():
        b.fail(line("asr.model"), "asr.model", f"model directory '{config.asr.model}' does not exist "
               "(use 'bundled' for the en-us model that ships with pocketsphinx)")  # fmt: skip
    if not 1 <= config.mqtt.port <= 65535:
        b.fail(line("mqtt.port"), "mqtt.port", f"{config.mqtt.port} is not a TCP port (1-65535)")
