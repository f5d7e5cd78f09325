"""`ambient run`: the device daemon for a Raspberry Pi or a hub.

    ambient run                                    # the microphone, as the first satellite
    ambient run --source kitchen-sat=mic --source living-sat=/run/ambient/living.pcm   # hub mode
    ambient run --text "turn on the kitchen light" # one typed turn, then exit

SIGTERM/SIGINT stop cleanly (outbox flushed, status `offline`); SIGHUP reloads devices.yaml.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from pathlib import Path
from typing import Any

HELP = "run the assistant daemon (microphone, PCM streams or WAV files; several satellites)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", help="devices.yaml (default: ./devices.yaml, else the example)")
    p.add_argument("--data", type=Path, help="where turns.db and the outbox live (default: $AMBIENT_DATA)")
    p.add_argument(
        "--source",
        action="append",
        default=[],
        metavar="SATELLITE=SPEC",
        help="audio for a satellite: mic, - (raw PCM on stdin), FILE.wav, or a raw s16le 16 kHz file/FIFO; repeat for hub mode",
    )
    p.add_argument("--text", help="run one typed request through the pipeline, print the turn, exit")
    p.add_argument("--satellite", help="satellite for --text and for the default microphone")
    p.add_argument("--realtime", action="store_true", help="pace file sources at real time")
    p.add_argument("--keep-running", action="store_true", help="stay up after file sources or --text end")
    p.add_argument("--log-json", action="store_true", help="structured logs: one JSON object per line")
    p.add_argument(
        "--health-interval", type=float, default=30.0, help="seconds between health lines (0: off)"
    )
    p.add_argument("--no-speak", action="store_true", help="print and publish responses but never play them")
    p.add_argument(
        "--no-speech-barge-in",
        action="store_true",
        help="only a wake word interrupts a spoken answer (for speakers that echo into the mic)",
    )


def setup_logging(json_lines: bool, verbose: int = 0) -> None:
    from runtime.daemon import JsonFormatter

    root = logging.getLogger()
    handler = logging.StreamHandler(sys.stderr)
    if json_lines:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.handlers = [handler]
    root.setLevel(logging.DEBUG if verbose > 1 else logging.INFO)


def parse_sources(specs: list[str], default_satellite: str) -> list[tuple[str, str]]:
    out = []
    for spec in specs:
        sat, sep, src = spec.partition("=")
        if not sep:  # a bare source belongs to the default satellite
            sat, src = default_satellite, spec
        if not sat or not src:
            raise SystemExit(f"ambient run: --source {spec!r}: expected SATELLITE=SPEC")
        out.append((sat, src))
    return out


def run(args: argparse.Namespace) -> int:
    from runtime.config import load_config
    from runtime.daemon import Runtime, open_source

    setup_logging(args.log_json, getattr(args, "verbose", 0))
    log = logging.getLogger("ambient.run")
    config = load_config(args.config)
    default_sat = args.satellite or (config.satellites[0].id if config.satellites else config.home.device_id)
    sources = [] if args.text else parse_sources(args.source or ["mic"], default_sat)
    satellites = sorted({s for s, _ in sources}) or [default_sat]  # one pipeline (and decoder) each

    def on_event(kind: str, satellite: str, data: dict[str, Any]) -> None:
        if kind in ("wake", "transcript", "action", "result", "response", "barge_in", "turn"):
            log.info("%s %s %s", satellite, kind, data)

    runtime = Runtime(
        config,
        data_dir=args.data,
        audio=bool(sources),
        on_event=on_event,
        sink_factory=None if args.no_speak else "default",
        barge_in_on_speech=not args.no_speech_barge_in,
        satellites=satellites,
    )
    stop = threading.Event()
    reload_requested = threading.Event()

    def on_signal(signum: int, _frame: Any) -> None:
        if signum == signal.SIGHUP:
            reload_requested.set()
        else:
            log.info("received %s, shutting down", signal.Signals(signum).name)
            stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, on_signal)

    runtime.start(health_interval=args.health_interval)
    status = 0
    try:
        loops = []
        for sat, spec in sources:
            try:
                chunks, lossless = open_source(spec, realtime=args.realtime)
            except Exception as e:  # no microphone, a missing file: say what to do instead
                log.error("cannot open audio source %r for %s: %s", spec, sat, e)
                print(f"ambient run: {e}", file=sys.stderr)
                return 1
            loops.append(runtime.attach(sat, chunks, lossless=lossless))
        log.info("ready: device %s, satellites %s", config.home.device_id, ", ".join(satellites))
        if args.text:
            import json

            from runtime.events import to_dict

            turn = runtime.pipelines[default_sat].handle_text(args.text)
            print(json.dumps(to_dict(turn)), flush=True)
            status = 0 if turn.failure_point in ("correct", None) else 1
        while not stop.is_set():
            if reload_requested.is_set():
                reload_requested.clear()
                runtime.reload()
            sources_done = not any(loop.running for loop in loops)
            if sources_done and not args.keep_running:
                break
            stop.wait(0.2)
    finally:
        runtime.stop()
        log.info("stopped")
    return status
