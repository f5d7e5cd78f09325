"""`ambient quantize`: an fp32 model + calibration data -> a gated int8 artifact for a target board."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "quantize an fp32 model to int8 for a target board, refusing artifacts that lose accuracy"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", type=Path, help="fp32 model (.onnx, or .tflite with --format tflite)")
    parser.add_argument(
        "--calibration",
        type=Path,
        required=True,
        help=".npz with one array per model input (samples on the first axis), or a text file with one "
        "sentence per line (optionally 'sentence<TAB>intent') for the NLU model",
    )
    parser.add_argument("--target", choices=["arm64", "armv7", "x86"], default="arm64")
    parser.add_argument("--format", dest="fmt", choices=["onnx", "tflite"], default="onnx")
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--method", choices=["minmax", "entropy", "percentile"], default="minmax")
    parser.add_argument("--mode", choices=["static", "dynamic"], default="static")
    parser.add_argument(
        "--eval", type=Path, help="held-out data like --calibration (default: 20%% of the calibration data)"
    )
    parser.add_argument(
        "--max-drop",
        type=float,
        default=0.5,
        help="largest accepted accuracy drop / decision disagreement, in percentage points (default 0.5)",
    )
    parser.add_argument(
        "--tokenizer", type=Path, help="tokenizer.json for text data (default: next to the model)"
    )
    parser.add_argument(
        "--exclude", action="append", default=[], metavar="NODE", help="keep this node in float (repeatable)"
    )
    parser.add_argument(
        "--ops",
        choices=["weights", "all"],
        default="weights",
        help="ONNX: quantize only weight-carrying ops (MatMul, Gemm, Conv, Gather; default) or all ops",
    )
    parser.add_argument(
        "--runtime",
        action="append",
        choices=["ai-edge-litert", "tflite-runtime"],
        help="TFLite interpreter(s) that will serve the model and must pass the gate "
        "(repeatable; default: the target's)",
    )
    parser.add_argument(
        "--no-auto-exclude",
        action="store_true",
        help="do not search for nodes to keep in float when the gate fails",
    )


def run(args: argparse.Namespace) -> int:
    from quantize import QuantizeError, quantize

    try:
        report = quantize(
            args.model,
            args.calibration,
            target=args.target,
            fmt=args.fmt,
            out_dir=args.out,
            method=args.method,
            mode=args.mode,
            eval_data=args.eval,
            max_drop=args.max_drop,
            tokenizer=args.tokenizer,
            nodes_to_exclude=args.exclude,
            auto_exclude=not args.no_auto_exclude,
            tflite_runtimes=tuple(args.runtime) if args.runtime else None,
            ops=args.ops,
        )
    except QuantizeError as e:
        print(f"ambient quantize: {e}", file=sys.stderr)
        return 1
    print(report.summary())
    print(f"wrote {args.out / report.artifact}, {args.out / 'report.json'}, {args.out / 'report.png'}")
    return 0
