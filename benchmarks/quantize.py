"""Benchmark the int8 toolchain on the NLU model (and openWakeWord's alexa head): accuracy, size, speed.

    .venv/bin/python benchmarks/quantize.py                 # models/nlu/nlu.fp32.onnx
    .venv/bin/python benchmarks/quantize.py --model DIR/nlu.fp32.onnx

For each variant (static QDQ int8 per target and calibration method, dynamic int8) it runs
quantize.quantize() (calibration: the NLU's `valid` split; gate: its `test` split with intent labels),
then the NLU engineer's own benchmark (models/nlu/evaluate.py: intent accuracy, frame accuracy, slot
F1 on held-out templates) on fp32 and on each accepted int8 artifact through `NluModel`, and the
onnxruntime latency of one `parse` call. Targets (issue #4): int8 intent accuracy within 0.5 point of
fp32, at most 30% of the fp32 size, no slower than fp32 in onnxruntime here. Timings are on this x86
machine: arm64 artifacts (S8S8) run there without onnxruntime's fast x86 int8 kernels (which want
uint8 activations), so only the x86/armv7 (U8S8) and dynamic rows say something about speed; speed on
a Pi cannot be measured under emulation (benchmarks/arm64.py checks its numbers instead).
Writes benchmarks/out/quantize.json and quantize.png.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
VARIANTS = [  # (label, target, mode, method)
    ("arm64 static minmax", "arm64", "static", "minmax"),
    ("arm64 static entropy", "arm64", "static", "entropy"),
    ("arm64 static percentile", "arm64", "static", "percentile"),
    ("x86 static minmax", "x86", "static", "minmax"),
    ("armv7 static minmax", "armv7", "static", "minmax"),
    ("arm64 dynamic", "arm64", "dynamic", "minmax"),
]


def nlu_split(model_dir: Path | None = None) -> tuple[list[Any], list[Any]]:
    """(valid, test) examples of the split the NLU model was trained with (seed from labels.json)."""
    from models.nlu import data as D
    from runtime.config import load_config

    model_dir = model_dir or ROOT / "models/nlu"
    labels = model_dir / "labels.json"
    seed = (
        int(json.loads(labels.read_text()).get("train_config", {}).get("seed", 0)) if labels.exists() else 0
    )
    dataset = D.build_dataset(load_config(ROOT / "devices.yaml"), seed=seed)
    return dataset.valid, dataset.test


def write_sentences(path: Path, examples: list[Any]) -> Path:
    path.write_text("".join(f"{ex.text}\t{ex.intent}\n" for ex in examples))
    return path


def nlu_benchmark(model: Path, tokenizer: Path, test: list[Any]) -> dict[str, Any]:
    from models.nlu.evaluate import evaluate, latency_ms, model_predictor
    from runtime.nlu.model import NluModel

    nlu = NluModel.load(model, tokenizer)
    summary = evaluate(model_predictor(nlu), test, progress=f"benchmark {model.name}").summary()
    texts = [ex.text for ex in test[:200]]
    summary["parse_latency_ms"] = latency_ms(nlu.parse, texts, repeat=2)
    summary["size_bytes"] = model.stat().st_size
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", type=Path, default=ROOT / "models/nlu/nlu.fp32.onnx")
    parser.add_argument("--variants", nargs="*", help="labels of VARIANTS to run (default: all)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    import numpy as np

    from quantize import QuantizeError, quantize

    if not args.model.exists():
        print(f"{args.model} not found: train it with `ambient nlu-train` first", file=sys.stderr)
        return 2
    work = OUT / "quantize"
    shutil.rmtree(work, ignore_errors=True)
    (work / "model").mkdir(parents=True)
    # a snapshot: the NLU may be retrained while this runs, and every variant must start from one model
    for name in (args.model.name, "tokenizer.json", "labels.json"):
        if (args.model.parent / name).exists():
            shutil.copy2(args.model.parent / name, work / "model" / name)
    args.model = work / "model" / args.model.name
    tokenizer = args.model.parent / "tokenizer.json"
    valid, test = nlu_split(args.model.parent)
    calib = write_sentences(work / "calibration.txt", valid)
    held_out = write_sentences(work / "heldout.txt", test)
    print(f"NLU {args.model}: calibration {len(valid)} sentences, held-out {len(test)} sentences", flush=True)

    import hashlib

    digest = hashlib.sha256(args.model.read_bytes()).hexdigest()[:16]
    result: dict[str, Any] = {
        "model": str(args.model),
        "sha256": digest,
        "calibration": len(valid),
        "heldout": len(test),
    }
    result["fp32"] = nlu_benchmark(args.model, tokenizer, test)
    variants = [v for v in VARIANTS if not args.variants or v[0] in args.variants]
    result["variants"] = {}
    for label, target, mode, method in variants:
        out = work / label.replace(" ", "-")
        started = time.perf_counter()
        entry: dict[str, Any] = {"target": target, "mode": mode, "method": method}
        try:
            report = quantize(
                args.model,
                calib,
                target=target,
                out_dir=out,
                mode=mode,
                method=method,
                eval_data=held_out,
                latency_runs=300,
            )
            entry["report"] = report.to_dict()
            entry["benchmark"] = nlu_benchmark(out / report.artifact, tokenizer, test)
            entry["accepted"] = True
        except QuantizeError as e:
            entry["accepted"] = False
            entry["error"] = str(e)
            entry["report"] = e.report.to_dict() if e.report is not None else None
        entry["seconds"] = time.perf_counter() - started
        result["variants"][label] = entry
        print(summary_line(label, entry, result["fp32"]), flush=True)

    fp32 = result["fp32"]
    result["targets"] = {
        label: targets(entry, fp32) for label, entry in result["variants"].items() if entry["accepted"]
    }
    (OUT / "quantize.json").write_text(json.dumps(result, indent=2, default=float) + "\n")
    plot(result, OUT / "quantize.png")
    print(f"fp32: intent {100 * fp32['intent_acc']:.2f}%  size {fp32['size_bytes'] / 1e6:.3f} MB")
    for label, t in result["targets"].items():
        print(f"{label:26s} " + "  ".join(f"{k}={v}" for k, v in t.items()))
    print(f"wrote {OUT / 'quantize.json'} and {OUT / 'quantize.png'}")
    _ = np  # numpy is imported early so a broken install fails before the long runs
    return 0


def targets(entry: dict[str, Any], fp32: dict[str, Any]) -> dict[str, Any]:
    b, r = entry["benchmark"], entry["report"]
    lat = r["latency_ms"]["onnxruntime"]
    drop = 100 * (fp32["intent_acc"] - b["intent_acc"])
    return {
        "intent_drop_points": round(drop, 2),
        "accuracy_ok": drop <= 0.5,
        "size_pct": round(100 * r["size_ratio"], 1),
        "size_ok": r["size_ratio"] <= 0.30,
        "p50_fp32_ms": round(lat["fp32"]["p50"], 3),
        "p50_int8_ms": round(lat["int8"]["p50"], 3),
        "speed_ok": lat["int8"]["p50"] <= lat["fp32"]["p50"],
    }


def summary_line(label: str, entry: dict[str, Any], fp32: dict[str, Any]) -> str:
    if not entry["accepted"]:
        return f"{label:26s} REJECTED: {entry['error'].splitlines()[0]}"
    b, r = entry["benchmark"], entry["report"]
    lat = r["latency_ms"]["onnxruntime"]
    return (
        f"{label:26s} intent {100 * b['intent_acc']:.2f}% (fp32 {100 * fp32['intent_acc']:.2f}%), "
        f"frame {100 * b['frame_acc']:.2f}%, size {100 * r['size_ratio']:.1f}%, "
        f"ort p50 {lat['int8']['p50']:.3f} ms (fp32 {lat['fp32']['p50']:.3f}), "
        f"kept float: {len(r['excluded_nodes'])}, {entry['seconds']:.0f}s"
    )


def plot(result: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fp32 = result["fp32"]
    labels = ["fp32"]
    acc = [100 * fp32["intent_acc"]]
    size = [fp32["size_bytes"] / 1e6]
    p50 = []
    for label, e in result["variants"].items():
        if not e["accepted"]:
            continue
        labels.append(label.replace(" ", "\n"))
        acc.append(100 * e["benchmark"]["intent_acc"])
        size.append(e["report"]["int8_bytes"] / 1e6)
        if not p50:
            p50.append(e["report"]["latency_ms"]["onnxruntime"]["fp32"]["p50"])
        p50.append(e["report"]["latency_ms"]["onnxruntime"]["int8"]["p50"])
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.5))
    for ax, values, title in (
        (axes[0], acc, "intent accuracy on held-out templates (%)"),
        (axes[1], size, "model size (MB)"),
        (axes[2], p50, "onnxruntime p50 per call, 1 thread (ms)"),
    ):
        ax.bar(range(len(values)), values, color=["#777"] + ["#2a7"] * (len(values) - 1))
        ax.set_xticks(range(len(values)), labels[: len(values)], fontsize=7)
        ax.set_title(title)
    axes[0].set_ylim(min(acc) - 2, 100)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


if __name__ == "__main__":
    sys.exit(main())
