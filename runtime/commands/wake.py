"""`ambient wake FILE...`: run the wake word models over WAV files, one JSON line per file."""

from __future__ import annotations

import argparse
import json
import sys

HELP = "detect wake words in WAV files (one JSON line per file)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="WAV files (any rate and channel count)")
    parser.add_argument("--config", help="devices.yaml (default: ./devices.yaml, else the example)")
    parser.add_argument("--model", action="append", help="a bundled model name or a .onnx/.tflite path "
                        "(repeatable; default: the models in devices.yaml)")  # fmt: skip
    parser.add_argument("--threshold", type=float, help="detection threshold for --model (default 0.5)")
    parser.add_argument(
        "--engine", choices=["onnx", "tflite"], help="inference engine (default: from config)"
    )


def run(args: argparse.Namespace) -> int:
    from runtime.audio.sources import AudioSourceError, wav_source
    from runtime.config import WakeModel, load_config
    from runtime.events import to_dict
    from runtime.wake import WakeDetector, WakeModelError

    config = load_config(args.config)
    models = list(config.wake.models)
    if args.model:
        models = [WakeModel(m, args.threshold if args.threshold is not None else 0.5) for m in args.model]
    elif args.threshold is not None:
        models = [WakeModel(m.name, args.threshold) for m in models]
    try:
        detector = WakeDetector(models, engine=args.engine or config.wake.engine,
                                refractory_s=config.wake.refractory_s,
                                half_frame=config.wake.half_frame)  # fmt: skip
    except WakeModelError as e:
        print(f"ambient wake: {e}", file=sys.stderr)
        return 2
    status = 0
    for path in args.files:
        detector.reset()
        try:
            detections = [to_dict(w) for chunk in wav_source(path) for w in detector.process(chunk)]
        except AudioSourceError as e:
            print(json.dumps({"path": path, "error": str(e)}), flush=True)
            status = 1
            continue
        for d in detections:
            d["time"] = round(d.pop("timestamp"), 3)
            d["score"] = round(d["score"], 4)
            d.pop("satellite", None)
        print(json.dumps({"path": path, "detections": detections}), flush=True)
    return status
