"""`ambient nlu "turn on the kitchen light"`: n-best, context re-ranking, resolution and action as JSON.

With no text it reads one sentence per line from stdin and prints one JSON line per sentence,
loading the model once; the sentences share one context, so "turn it off" after "turn on the
kitchen light" refers to the kitchen light, as in a conversation. Each sentence runs through the
daemon's own pipeline (`runtime.pipeline`: several commands in one sentence, taught phrases, "no, I
meant ...", timers that run while lines are read), with the model's n-best shown as the context
re-ranked it. Nothing is sent over MQTT: each command's expected state is applied to the context as
if the device had confirmed it; no turn is stored and no mined rewrite applies.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from runtime.config import Config, ConfigError, Satellite, load_config
from runtime.context import ContextStore
from runtime.conventions import CLIMATE_MODES, STATE_WORDS
from runtime.events import ActionResult, Command, Interpretation, Resolution, Turn

HELP = "understand a sentence: n-best intents, resolution against devices.yaml, and the action"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("text", nargs="?", help="the sentence (default: one sentence per line from stdin)")
    parser.add_argument("--satellite", help="satellite id the request came from (default: the first one)")
    parser.add_argument("--state", type=Path, help="JSON/YAML file of device states {device_id: {state: on}}")
    parser.add_argument("--config", type=Path, help="devices.yaml (default: ./devices.yaml or the example)")
    parser.add_argument("-n", type=int, default=5, help="n-best size (default 5)")
    parser.add_argument("--person", default="default", help="whose preferences apply (default: default)")


def pick_satellite(config: Config, satellite_id: str | None) -> Satellite:
    if satellite_id is None:
        if config.satellites:
            return config.satellites[0]
        return Satellite("cli", config.rooms[0].id)  # a home without satellites: the first room
    for sat in config.satellites:
        if sat.id == satellite_id:
            return sat
    known = ", ".join(s.id for s in config.satellites) or "none"
    raise ConfigError(config.path, 0, "--satellite", f"unknown satellite '{satellite_id}' (known: {known})")


def read_states(path: Path, config: Config) -> dict[str, dict[str, Any]]:
    """{device_id: {field: value}} from a JSON or YAML file, checked against the home's devices."""
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigError(str(path), 0, "", f"cannot read the state file ({e.strerror})") from None
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as e:
        raise ConfigError(str(path), 0, "", f"not valid JSON/YAML ({str(e).splitlines()[0]})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(str(path), 0, "", "expected a mapping {device_id: {state: on, ...}}")
    known = {d.id for d in config.devices}
    states: dict[str, dict[str, Any]] = {}
    for device_id, fields in data.items():
        if str(device_id) not in known:
            raise ConfigError(
                str(path), 0, str(device_id), f"unknown device (known: {', '.join(sorted(known))})"
            )
        if isinstance(fields, str | bool):  # shorthand: {oven: on}
            fields = {"state": fields}
        if not isinstance(fields, dict):
            raise ConfigError(
                str(path), 0, str(device_id), "expected a mapping of state fields or a state word"
            )
        states[str(device_id)] = {str(k): _state_value(k, v) for k, v in fields.items()}
        said = fields.get("state")
        if (
            config.device(str(device_id)).type == "climate"
            and isinstance(said, str)
            and said.lower() in CLIMATE_MODES
        ):
            states[str(device_id)].setdefault(
                "mode", said.lower()
            )  # "heat" is on, in heat mode: as the bridge has it
    return states


def _state_value(key: Any, value: Any) -> Any:
    if key == "state" and isinstance(value, bool):  # YAML 1.1 reads a bare on/off as a boolean
        return "on" if value else "off"
    # a state word as the MQTT bridge normalizes it ("heat" is on), so the file means what a device says
    return (
        STATE_WORDS.get(value.lower(), value.lower()) if key == "state" and isinstance(value, str) else value
    )


class _Assumed:
    """The pipeline's bridge here: nothing is sent; each command's expected state is taken as confirmed
    (the next sentence sees it), and turns and feedback go nowhere."""

    def __init__(self, ctx: ContextStore) -> None:
        self.ctx = ctx

    def execute(self, commands: list[Command]) -> ActionResult:
        for command in commands:
            fields = dict(command.expect)
            try:  # a player reports what it plays and from where ("move the music to the kitchen")
                sent = json.loads(command.payload)
            except ValueError:
                sent = None
            if isinstance(sent, dict):
                fields.update(
                    {k: v for k, v in sent.items() if k in ("media_title", "media_class", "source")}
                )
            if fields and self.ctx.device(command.device_id) is not None:
                self.ctx.update_state(command.device_id, fields)
        return ActionResult("success", "not sent: ambient nlu")

    def send_turn(self, turn: dict[str, Any]) -> None:
        pass

    def send_feedback(self, feedback: dict[str, Any]) -> None:
        pass


class _Nowhere:
    """No turn store and no mined rewrites: `ambient nlu` leaves the daemon's files alone."""

    def save_turn(self, turn: Turn) -> None:
        pass

    def lookup(self, text: str, person: str | None = None) -> None:
        return None


def run(args: argparse.Namespace) -> int:
    from runtime.dispatch import dispatch
    from runtime.events import to_dict
    from runtime.pipeline import Pipeline, Stages
    from runtime.resolve import interpret, taught_command

    config = load_config(args.config)
    satellite = pick_satellite(config, args.satellite)
    if args.n < 1:
        raise ConfigError(config.path, 0, "-n", f"{args.n} is not a valid n-best size (expected 1 or more)")
    if args.text is not None and not args.text.strip():
        print(
            "ambient nlu: the sentence is empty (give a sentence, or none to read lines from stdin)",
            file=sys.stderr,
        )
        return 2
    ctx = ContextStore(config)
    if args.state is not None:
        for device_id, fields in read_states(args.state, config).items():
            ctx.update_state(device_id, fields)
    try:
        from runtime.nlu.model import NluError, NluModel
    except ImportError as e:  # the NLU package is not built in this checkout
        print(f"ambient nlu: the NLU model code is missing ({e}); run `ambient nlu-train`", file=sys.stderr)
        return 1
    try:
        model = NluModel.from_config(config)
    except NluError as e:
        print(f"ambient nlu: {e}", file=sys.stderr)
        return 1

    ranked: dict[int, list[Interpretation]] = {}  # id(a turn's n-best) -> as the context re-ranked it

    def resolve_nbest(nbest: list[Interpretation], ctx: ContextStore, _: str) -> Resolution:
        ranked[id(nbest)], resolution = interpret(nbest, ctx, satellite, person=args.person)
        return resolution

    class Parse:  # the model's n-best at -n
        def parse(self, text: str, n: int = 5) -> list[Interpretation]:
            return model.parse(text, args.n)

    stages = Stages(nlu=Parse(), resolve=resolve_nbest, dispatch=dispatch)
    nowhere = _Nowhere()
    pipe = Pipeline(
        config, satellite.id, stages, ctx, nowhere, _Assumed(ctx), nowhere, person=args.person,
        on_event=_timer_rang,
    )  # fmt: skip

    def shown(turn: Turn) -> dict[str, Any]:
        resolution = turn.resolution
        return {
            "text": turn.text,
            "satellite": satellite.id,
            "intent": resolution.interpretation.intent if resolution is not None else None,
            "nbest": to_dict(ranked.get(id(turn.nbest), turn.nbest)),
            "resolution": to_dict(resolution),
            "action": to_dict(turn.action),
        }

    def understand(text: str) -> dict[str, Any]:
        taught = taught_command(ctx, text, args.person)  # taught on an earlier line: "when I say X ..."
        before = len(pipe.turns)
        pipe.handle_text(text)
        turns = pipe.turns[before:]
        top = {**shown(turns[0]), "text": text, **({"taught": taught} if taught else {})}
        # "turn the tv off and the lamp on": a turn each, as the pipeline runs them; the first at the top
        return {**top, "parts": [shown(t) for t in turns]} if len(turns) > 1 else top

    try:
        if args.text is not None:
            print(json.dumps(understand(args.text), indent=2, ensure_ascii=False))
            return 0
        for line in sys.stdin:
            if line.strip():
                print(json.dumps(understand(line.strip()), ensure_ascii=False), flush=True)
        return 0
    finally:
        pipe.timers.cancel_all(satellite.id)  # the process ends: timers still running never ring


def _timer_rang(kind: str, satellite: str, data: dict[str, Any]) -> None:
    """A timer set on an earlier line rings while sentences are still read: said on stderr (stdout is
    one JSON line per sentence)."""
    if kind == "timer":
        print(f"ambient nlu: {satellite}: timer rang {json.dumps(data)}", file=sys.stderr)
