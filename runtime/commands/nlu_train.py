"""`ambient nlu-train`: train the intent + slot model and export fp32 / int8 ONNX."""

from __future__ import annotations

import argparse
from pathlib import Path

HELP = "train the NLU model (intents + slots) and export nlu.fp32.onnx / nlu.int8.onnx"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data",
        type=Path,
        help="a dataset directory with train/valid/test subfolders of seq.in, seq.out, label "
        "(default: our templates filled with the home's names)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="output directory (default: models/nlu, or benchmarks/out/nlu-<name> with --data)",
    )
    parser.add_argument("--config", type=Path, help="devices.yaml whose names join the training data")
    parser.add_argument("--epochs", type=int, help="training epochs (default 40)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=int, help="use only this many training sentences (a quick check)")


def run(args: argparse.Namespace) -> int:
    import json

    from models.nlu.train import TrainConfig, run_training

    root = Path(__file__).resolve().parents[2]
    if args.data is not None and not (args.data / "train").is_dir():
        print(f"ambient nlu-train: {args.data}: expected train/, valid/ and test/ folders")
        return 2
    out = args.out or (
        root / "benchmarks" / "out" / f"nlu-{args.data.name}" if args.data else root / "models" / "nlu"
    )
    cfg = TrainConfig(seed=args.seed)
    if args.epochs:
        cfg.epochs = args.epochs
    try:
        result, paths = run_training(out, args.data, args.config, cfg, args.limit)
    except (FileNotFoundError, ValueError) as e:
        print(f"ambient nlu-train: {e}")
        return 2
    print(json.dumps({"valid": result.meta["valid"], "temperature": result.meta["temperature"],
                      "parameters": result.meta["parameters"]}))  # fmt: skip
    for name, path in paths.items():
        print(f"{name:9s} {path} ({path.stat().st_size / 1024:.0f} KiB)")
    return 0
