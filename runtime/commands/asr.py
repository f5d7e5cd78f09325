"""`ambient asr FILE...`: transcribe WAV files, one JSON line per file."""

from __future__ import annotations

import argparse
import json
import sys

HELP = "transcribe WAV files with the configured ASR engine (one JSON line per file)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="WAV files (any rate and channel count)")
    parser.add_argument("--config", help="devices.yaml (default: ./devices.yaml, else the example)")


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from runtime.asr import AsrUnavailable, create_engine, transcribe
    from runtime.audio.sources import AudioSourceError, wav_source
    from runtime.config import load_config
    from runtime.events import to_dict

    config = load_config(args.config)
    try:
        engine = create_engine(config)
    except AsrUnavailable as e:
        print(f"ambient asr: {e}", file=sys.stderr)
        return 2
    status = 0
    for path in args.files:
        try:
            samples = np.concatenate([c.samples for c in wav_source(path)])
        except AudioSourceError as e:  # say which file, and go on with the rest
            print(json.dumps({"path": path, "error": str(e)}), flush=True)
            status = 1
            continue
        t = transcribe(engine, samples)
        out = to_dict(t)
        print(json.dumps({"path": path, **out}), flush=True)
    return status
