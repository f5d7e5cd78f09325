"""`ambient demo`: the whole assistant on a desktop, with nothing else installed or configured.

    ambient demo                                        # talk to it: "alexa, turn on the kitchen light"
    ambient demo --say "alexa, turn on the kitchen light"
    ambient demo --wav request.wav
    ambient demo --text "what's the temperature"

It uses the bundled wake word and ASR models, the committed NLU model and devices.yaml; it finds an
MQTT broker (the configured one, else mosquitto as a child process, else a small broker in this
process) and simulates the home's devices as MQTT clients, so every turn goes the real way: audio ->
command on MQTT -> a device changes state and says so. Each turn is shown live.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path
from typing import Any, TextIO

HELP = "desktop demo: speak (or --say/--wav/--text) and watch simulated devices obey over MQTT"


def add_arguments(p: argparse.ArgumentParser) -> None:
    src = p.add_mutually_exclusive_group()
    src.add_argument(
        "--say", metavar="TEXT", help="speak TEXT with espeak-ng into the pipeline (include the wake word)"
    )
    src.add_argument("--wav", type=Path, help="a recorded request (any rate; include the wake word)")
    src.add_argument("--text", help="type the request: everything after speech recognition")
    p.add_argument("--config", help="devices.yaml (default: ./devices.yaml, else the example)")
    p.add_argument("--satellite", help="which satellite hears it (default: the first in devices.yaml)")
    p.add_argument("--voice", default="en-us", help="espeak-ng voice for --say")
    p.add_argument("--data", type=Path, help="where the demo's turns.db and outbox live")
    p.add_argument(
        "--broker",
        choices=["auto", "external", "mosquitto", "inprocess"],
        help="which MQTT broker to use (default: auto; env AMBIENT_BROKER)",
    )
    p.add_argument("--no-speak", action="store_true", help="print responses without playing them")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="DEVICE.FIELD=VALUE",
        help="start a simulated device in a given state, e.g. --set oven.state=on",
    )


class LiveView:
    """Prints each stage of each turn as it happens."""

    def __init__(self, out: TextIO = sys.stdout) -> None:
        self.out = out
        self._lock = threading.Lock()
        self._partial = False

    def line(self, who: str, what: str, text: str) -> None:
        with self._lock:
            if self._partial:
                self.out.write("\n")
                self._partial = False
            self.out.write(f"[{who}] {what:<10} {text}\n")
            self.out.flush()

    def event(self, kind: str, satellite: str, data: dict[str, Any]) -> None:
        if kind == "wake":
            self.line(satellite, "wake", f"{data['model']} ({data['score']:.2f})")
        elif kind == "partial":
            with self._lock:
                self.out.write(f"\r[{satellite}] {'hearing':<10} {data['text']}\x1b[K")
                self.out.flush()
                self._partial = True
        elif kind == "transcript":
            flag = "  (rejected: out of grammar)" if data.get("rejected") else ""
            self.line(satellite, "heard", f'"{data["text"]}" ({data["confidence"]:.2f}){flag}')
        elif kind == "rewrite":
            self.line(satellite, "rewrite", f'"{data["original"]}" -> "{data["text"]}" ({data["source"]})')
        elif kind == "interpretation":
            top = data["nbest"][0]
            slots = " ".join(f"{s['name']}={s['value']!r}" for s in top["slots"])
            self.line(satellite, "intent", f"{top['intent']} {slots} ({top['score']:.2f})")
        elif kind == "action":
            if data["kind"] == "command":
                for c in data["commands"]:
                    self.line(satellite, "command", f"{c['device_id']}: {c['topic']} {c['payload']}")
            elif data["kind"] == "clarify":
                self.line(satellite, "clarify", data["text"])
        elif kind == "result":
            self.line(satellite, "result", f"{data['status']} {data['detail']}".strip())
        elif kind == "response":
            self.line(satellite, "says", f'"{data["text"]}"')
        elif kind == "barge_in":
            self.line(satellite, "barge-in", f"interrupted by {data['by']}")
        elif kind == "false_wake":
            self.line(satellite, "no request", "woken, but nobody spoke (recorded as a false wake)")
        elif kind == "follow_up":
            self.line(satellite, "listening", f"for a follow-up ({data['seconds']:g} s, no wake word needed)")
        elif kind == "turn":
            timing = " ".join(f"{k}={v * 1000:.0f}ms" for k, v in data["timings"].items())
            self.line(satellite, "turn", f"{data['failure_point'] or 'done'}  {timing}")

    def device_change(self, device: Any, old: dict[str, Any], new: dict[str, Any]) -> None:
        changed = {k: v for k, v in new.items() if old.get(k) != v}
        if changed:
            parts = ", ".join(f"{k} {old.get(k)!r} -> {v!r}" for k, v in changed.items())
            self.line("device", device.name, parts)


def _value(text: str) -> Any:
    """A number if it is one, else the text ("on" stays "on": YAML would make it True)."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text.strip()


def _parse_set(specs: list[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for spec in specs:
        key, sep, value = spec.partition("=")
        device, dot, field = key.partition(".")
        if not (sep and dot and device and field):
            raise SystemExit(f"ambient demo: --set {spec!r}: expected DEVICE.FIELD=VALUE, e.g. oven.state=on")
        out.setdefault(device, {})[field] = _value(value)
    return out


def run(args: argparse.Namespace) -> int:
    import logging

    from runtime.broker import ensure_broker
    from runtime.config import ConfigError, load_config
    from runtime.daemon import Runtime, default_data_dir, open_source, with_broker
    from runtime.simulator import DeviceSimulator
    from runtime.speech import Speaker

    config = load_config(args.config)
    sat = args.satellite or (config.satellites[0].id if config.satellites else config.home.device_id)
    presets = _parse_set(args.set)
    for device_id in presets:
        if device_id not in {d.id for d in config.devices}:
            raise ConfigError(config.path, 0, "devices", f"--set: unknown device '{device_id}'")
    view = LiveView()

    # the audio first: without it there is nothing to start the rest for
    source: Any = None
    try:
        if args.say:
            from runtime.audio.sources import say_source

            source = say_source(args.say, voice=args.voice, after_s=1.5)  # room for the endpointer
        elif args.wav:
            source, _ = open_source(str(args.wav))
        elif not args.text:
            source, _ = open_source("mic")
    except Exception as e:  # no espeak-ng, an unreadable file, no microphone: say what to do
        print(f"ambient demo: {e}", file=sys.stderr)
        if not (args.say or args.wav):
            print(
                'ambient demo: no microphone here; try  ambient demo --say "alexa, turn on the kitchen light"'
                '  or  ambient demo --text "turn on the kitchen light"',
                file=sys.stderr,
            )
        return 1
    live = not (args.say or args.wav or args.text)

    broker = ensure_broker(config.mqtt.host, config.mqtt.port, args.broker)
    view.line("demo", "broker", f"{broker.kind} MQTT broker on {broker.host}:{broker.port}")
    config = with_broker(config, broker.host, broker.port)
    sim: DeviceSimulator | None = None
    runtime: Runtime | None = None
    try:
        sim = DeviceSimulator(config, broker.host, broker.port).start()
        for device_id, fields in presets.items():
            sim.set_state(device_id, fields)
        sim.on_change(view.device_change)
        logging.getLogger("mqtt_bridge").setLevel(logging.ERROR)  # keep the live view readable
        runtime = Runtime(
            config,
            data_dir=args.data or default_data_dir() / "demo",
            audio=not args.text,
            on_event=view.event,
            sink_factory=None if args.no_speak else "default",
            satellites=[sat],
        )
        runtime.start(health_interval=0)
        _wait_for_states(runtime, sim)
        pipeline = runtime.pipelines[sat]
        if args.text:
            pipeline.handle_text(without_wake_word(args.text, [m.name for m in config.wake.models]))
        else:
            if live:
                wake_word = config.wake.models[0].name.replace("_", " ")
                view.line("demo", "ready", f'say "{wake_word}" then a request (Ctrl-C to quit)')
            runtime.attach(sat, source, lossless=not live)
            runtime.wait()
            if not pipeline.turns:
                view.line(sat, "no turn", "no wake word was heard (try another --voice, or --text)")
        if isinstance(pipeline.speaker, Speaker):
            pipeline.speaker.wait(30)  # let the last answer finish
        time.sleep(0.2)  # let the last state echo print
        return 0 if pipeline.turns and pipeline.turns[-1].failure_point in ("correct", None) else 1
    except KeyboardInterrupt:
        return 0
    finally:
        if runtime is not None:
            runtime.stop()
        if sim is not None:
            sim.stop()
        broker.stop()


def without_wake_word(text: str, wake_models: list[str]) -> str:
    """`--text "alexa, turn the lights on for 10 minutes"` (copied from a --say example): the text
    after the wake word, which is what speech recognition would have heard. With "alexa" left in,
    the request was not cut in two (on now, off in 10 minutes) and only the timer was set."""
    said = text.strip()
    for name in wake_models:
        phrase = name.replace("_", " ")
        if said.lower().startswith(phrase) and not said[len(phrase) :][:1].isalnum():
            return said[len(phrase) :].lstrip(" ,.!") or said
    return said


def _wait_for_states(runtime: Any, sim: Any, timeout: float = 3.0) -> None:
    """The simulated devices' retained states reach the context before the first turn."""
    want = {d for d, dev in sim.devices.items() if dev.state_topic}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not want <= set(runtime.ctx.states()):
        time.sleep(0.02)
