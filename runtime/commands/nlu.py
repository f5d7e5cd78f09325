"""`ambient nlu "turn on the kitchen light"`: n-best, context re-ranking, resolution and action as JSON.

With no text it reads one sentence per line from stdin and prints one JSON line per sentence,
loading the model once; the sentences share one context, so "turn it off" after "turn on the
kitchen light" refers to the kitchen light, as in a conversation. Nothing is sent over MQTT: each
command's expected state is applied to the context as if the device had confirmed it. No timer
runs either: a timer set is remembered for the next line ("no, 17 minutes", "cancel that" are about
it), but answers that need a running timer ("cancel that") say there is none.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path
from typing import Any

from runtime.config import Config, ConfigError, Satellite, load_config
from runtime.conventions import STATE_WORDS

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
    return states


def _state_value(key: Any, value: Any) -> Any:
    if key == "state" and isinstance(value, bool):  # YAML 1.1 reads a bare on/off as a boolean
        return "on" if value else "off"
    # a state word as the MQTT bridge normalizes it ("heat" is on), so the file means what a device says
    return (
        STATE_WORDS.get(value.lower(), value.lower()) if key == "state" and isinstance(value, str) else value
    )


def run(args: argparse.Namespace) -> int:
    from runtime.clauses import commands
    from runtime.context import ContextStore, JustStarted
    from runtime.dispatch import dispatch
    from runtime.events import to_dict
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

    timer_ids = itertools.count(1)  # of the timers "started", for the line after

    def understand(text: str) -> dict[str, Any]:
        taught = taught_command(ctx, text, args.person)  # taught on an earlier line: "when I say X ..."
        parts = commands(taught or text)
        if len(parts) > 1:  # "turn the tv off and the lamp on": a turn each, as the pipeline does; the
            each = [understand_one(part, None) for part in parts]  # first is also shown at the top
            return {**each[0], "text": text, **({"taught": taught} if taught else {}), "parts": each}
        return understand_one(text, taught)

    def understand_one(text: str, taught: str | None) -> dict[str, Any]:
        ranked, resolution = interpret(
            model.parse(taught or text, args.n), ctx, satellite, person=args.person
        )
        action = dispatch(resolution, ctx)
        if action.commands:  # what "undo" on a later line puts back
            ctx.set_last_change(satellite.id, ctx.change_of(action.commands))
        for command in action.commands:  # nothing is sent: assume it worked, as the next sentence would
            if command.expect and ctx.device(command.device_id) is not None:
                ctx.update_state(command.device_id, command.expect)
        values = resolution.values
        if (
            resolution.interpretation.intent == "HassStartTimer"
            and action.kind == "answer"
            and "seconds" in values
        ):
            # no timer runs here, but "no, 17 minutes" or "make it 10" on the next line is about this one
            timer_id = int(values.get("replaces", next(timer_ids)))  # a timer put right keeps its id
            started = JustStarted.from_values(timer_id, values)
            ctx.set_just_started(satellite.id, started)
        return {
            "text": text,
            **({"taught": taught} if taught else {}),
            "satellite": satellite.id,
            "intent": resolution.interpretation.intent,
            "nbest": to_dict(ranked),
            "resolution": to_dict(resolution),
            "action": to_dict(action),
        }

    if args.text is not None:
        print(json.dumps(understand(args.text), indent=2, ensure_ascii=False))
        return 0
    for line in sys.stdin:
        if line.strip():
            print(json.dumps(understand(line.strip()), ensure_ascii=False), flush=True)
    return 0
