"""quantize(): fp32 model + calibration data -> a gated int8 artifact, report.json and report.png.

Everything is built in a temporary directory next to the output directory; only an artifact that
passed the accuracy gate is moved into place (with its report), so a failure never leaves a file at
the output path.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np

from quantize import onnx_int8
from quantize.calibration import Dataset, InputSpec, feed, load_dataset, model_inputs
from quantize.errors import QuantizeError
from quantize.gate import GateResult, compare
from quantize.presets import Preset, preset_for
from quantize.report import Report, write_json, write_png
from quantize.runners import OnnxRunner, latency_ms
from quantize.sensitivity import Attempt, NodeError, rank_nodes, search_exclusions

log = logging.getLogger(__name__)

HOLDOUT_FRACTION = 0.2
SENSITIVITY_SAMPLES = 128  # enough to rank nodes; the gate itself uses all held-out samples


def split_holdout(data: Dataset, fraction: float = HOLDOUT_FRACTION) -> tuple[Dataset, Dataset]:
    """A deterministic shuffled split: (calibration, held-out evaluation)."""
    if len(data) < 2:
        raise QuantizeError(
            f"{data.source}: {len(data)} sample(s) cannot be split into calibration and held-out data; "
            "give more samples or pass --eval"
        )
    order = np.random.default_rng(0).permutation(len(data))
    n_eval = max(1, int(round(len(data) * fraction)))
    return data.take(order[n_eval:]), data.take(order[:n_eval])


def check_tflite_runtimes(preset: Preset, runtimes: tuple[str, ...] | None) -> None:
    """Refuse interpreters the target cannot install (ai-edge-litert has no armv7 wheel)."""
    from quantize.runners import TFLITE_RUNTIMES

    for runtime in runtimes or ():
        if runtime not in TFLITE_RUNTIMES:
            raise QuantizeError(
                f"unknown TFLite runtime {runtime!r}; choose one of {', '.join(TFLITE_RUNTIMES)}"
            )
        if runtime not in preset.tflite_runtimes:
            raise QuantizeError(
                f"target {preset.target} cannot run {runtime} (no {preset.target} wheel is published); "
                f"it serves TFLite with {', '.join(preset.tflite_runtimes)}"
            )


def artifact_name(model_path: Path, fmt: str) -> str:
    stem = model_path.name.removesuffix(model_path.suffix).removesuffix(".fp32")
    return f"{stem}.int8.{fmt}"


def quantize(
    model_path: str | Path,
    calibration: str | Path,
    target: str = "arm64",
    fmt: str = "onnx",
    out_dir: str | Path = "quantized",
    method: str = "minmax",
    mode: str = "static",
    eval_data: str | Path | None = None,
    max_drop: float = 0.5,
    tokenizer: str | Path | None = None,
    nodes_to_exclude: list[str] | None = None,
    auto_exclude: bool = True,
    latency_runs: int = 60,
    tflite_runtimes: tuple[str, ...] | None = None,
    ops: str = "weights",
) -> Report:
    """Quantize `model_path` to int8 for `target`; raise QuantizeError (and write nothing) on failure.

    `ops`: "weights" quantizes only weight-carrying ops (MatMul, Gemm, Conv, Gather, ...), "all" every
    op onnxruntime can (full int8). `max_drop`: accepted accuracy drop / decision disagreement in
    percentage points. `tflite_runtimes`: the interpreters that must pass the gate for --format tflite
    (default: the target's, e.g. both ai-edge-litert and tflite-runtime for arm64).
    """
    started = time.perf_counter()
    model_path, out_dir = Path(model_path), Path(out_dir)
    preset = preset_for(target, fmt, mode, method)
    onnx_int8.op_types(ops)  # validates the choice before any work
    if not 0.0 <= max_drop <= 100.0:
        raise QuantizeError(f"max_drop is in percentage points (0-100), got {max_drop}")
    if latency_runs < 1:
        raise QuantizeError(f"latency_runs must be at least 1, got {latency_runs}")
    if model_path.suffix == ".tflite" and fmt != "tflite":
        raise QuantizeError(
            f"{model_path.name} is a TFLite model: it can only be quantized with --format tflite"
        )
    if fmt == "tflite":
        check_tflite_runtimes(preset, tflite_runtimes)
    model = onnx_int8.load_model(model_path) if model_path.suffix != ".tflite" else None
    if out_dir.exists() and not out_dir.is_dir():
        raise QuantizeError(f"output {out_dir} exists and is not a directory")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".quantize-", dir=out_dir.parent))
    try:
        if fmt == "tflite" or model is None:
            from quantize import tflite_int8

            report = tflite_int8.quantize_tflite(
                model_path,
                calibration,
                preset,
                mode,
                method,
                eval_data,
                max_drop,
                tokenizer,
                tmp,
                latency_runs,
                tflite_runtimes,
            )
        else:
            spec = model_inputs(model)
            calib, held_out = _data(model_path, spec, calibration, eval_data, tokenizer)
            onnx_int8.check_runs(model_path)
            report = _quantize_onnx(
                model_path,
                spec,
                calib,
                held_out,
                preset,
                mode,
                method,
                max_drop,
                nodes_to_exclude or [],
                auto_exclude,
                tmp,
                latency_runs,
                ops,
            )
        report.seconds = time.perf_counter() - started
        if not report.passed:
            raise QuantizeError(
                f"int8 model rejected by the accuracy gate (nothing written to {out_dir}):\n"
                + report.summary(),
                report,
            )
        write_json(report, tmp / "report.json")
        write_png(report, tmp / "report.png")
        out_dir.mkdir(parents=True, exist_ok=True)
        for name in (report.artifact, "report.json", "report.png"):
            os.replace(tmp / name, out_dir / name)  # same filesystem: each move is atomic
        return report
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _data(
    model_path: Path,
    spec: list[InputSpec],
    calibration: str | Path,
    eval_data: str | Path | None,
    tokenizer: str | Path | None,
) -> tuple[Dataset, Dataset]:
    tok = Path(tokenizer) if tokenizer else None
    calib = load_dataset(Path(calibration), spec, model_path, tok)
    if eval_data is None:
        return split_holdout(calib)
    return calib, load_dataset(Path(eval_data), spec, model_path, tok)


def _quantize_onnx(
    model_path: Path,
    spec: list[InputSpec],
    calib: Dataset,
    held_out: Dataset,
    preset: Preset,
    mode: str,
    method: str,
    max_drop: float,
    user_excluded: list[str],
    auto_exclude: bool,
    tmp: Path,
    latency_runs: int,
    ops: str,
) -> Report:
    pre = tmp / "model.pre.onnx"
    onnx_int8.preprocess(model_path, pre)
    candidates = onnx_int8.quantizable_nodes(pre, mode, ops)
    unknown = sorted(set(user_excluded) - set(candidates))
    if unknown:
        raise QuantizeError(
            f"nodes_to_exclude {unknown} are not quantizable nodes of the model: {candidates}"
        )
    artifact = tmp / artifact_name(model_path, "onnx")
    cache = tmp / "calibration.json"

    def build(dst: Path, exclude: list[str], only: list[str] | None = None) -> None:
        if mode == "static":
            onnx_int8.quantize_static(pre, dst, spec, calib, preset, method, cache, exclude, only, ops)
        else:
            onnx_int8.quantize_dynamic(pre, dst, preset, exclude, only, ops)

    reference = OnnxRunner(model_path)

    def gate(exclude: list[str]) -> GateResult:
        build(artifact, exclude)
        return compare(reference, OnnxRunner(artifact), spec, held_out, max_drop)

    result = gate(user_excluded)
    excluded = list(user_excluded)
    ranked: list[NodeError] = []
    attempts: list[Attempt] = []
    if not result.passed and auto_exclude and candidates:
        log.info("gate failed (%s); ranking %d nodes by sensitivity", result.reasons, len(candidates))
        ranked = rank_nodes(
            pre,
            [c for c in candidates if c not in user_excluded],
            lambda only, dst: build(dst, [], only),
            spec,
            held_out.take(slice(0, SENSITIVITY_SAMPLES)),
            tmp,
        )
        attempts = search_exclusions(ranked, lambda worst: gate(user_excluded + worst))
        result, excluded = attempts[-1].gate, user_excluded + attempts[-1].excluded
        if not result.passed:  # the last attempt is on disk; say that float islands did not save it
            result.reasons.append(
                f"still failing with {len(attempts[-1].excluded)} of {len(candidates)} quantizable nodes in float"
            )
    onnx_int8.keep_metadata(model_path, artifact)
    int8_runner = OnnxRunner(artifact)
    feeds = [feed(spec, held_out, i) for i in range(min(len(held_out), 16))]
    latency = {"onnxruntime": latency_ms({"fp32": reference, "int8": int8_runner}, feeds, latency_runs)}
    return Report(
        model=str(model_path),
        artifact=artifact.name,
        target=preset.target,
        format="onnx",
        mode=mode,
        method=method,
        preset=asdict(preset),
        ops=ops,
        passed=result.passed,
        fp32_bytes=model_path.stat().st_size,
        int8_bytes=artifact.stat().st_size,
        calibration_samples=len(calib),
        eval_samples=len(held_out),
        gates=[result],
        latency_ms=latency,
        excluded_nodes=excluded,
        sensitivity=ranked,
        attempts=attempts,
        reasons=list(result.reasons),
    )
