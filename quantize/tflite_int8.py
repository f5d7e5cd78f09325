"""TFLite int8 with ai-edge-quantizer (no TensorFlow needed), gated in ai-edge-litert and tflite-runtime.

Input: a float .tflite (e.g. openWakeWord's heads, or a model exported from torch with litert-torch).
ONNX input is refused with a clear message: no ONNX -> TFLite converter works offline here.
- dynamic: int8 weights, float activations (recipe dynamic_wi8_afp32).
- static: full integer (static_wi8_ai8): int8 weights per channel, int8 activations from min/max
  calibration. TFLite's int8 spec is the same on every target (asymmetric int8 activations, symmetric
  int8 weights), so the ONNX presets' uint8/reduce_range choices do not apply here; the target picks
  which interpreters must serve the artifact (armv7 boards only get tflite-runtime).
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from quantize.calibration import Dataset, InputSpec, feed, load_dataset
from quantize.errors import QuantizeError
from quantize.gate import GateResult, compare
from quantize.presets import Preset
from quantize.report import Report
from quantize.runners import Runner, TfliteRunner, latency_ms

log = logging.getLogger(__name__)


def _quantizer() -> Any:
    try:
        from ai_edge_quantizer import quantizer
    except ImportError as e:
        raise QuantizeError(
            "TFLite int8 needs ai-edge-quantizer: pip install ai-edge-quantizer==0.10.0 "
            "(or use --format onnx)"
        ) from e
    return quantizer


def tflite_inputs(path: Path) -> tuple[str, list[InputSpec]]:
    """(signature key, input specs named after the signature's inputs)."""
    from ai_edge_litert.interpreter import Interpreter

    try:
        interpreter = Interpreter(model_path=str(path))
    except (ValueError, RuntimeError) as e:
        raise QuantizeError(f"{path} is not a loadable .tflite model: {e}") from e
    signatures = interpreter.get_signature_list()
    if not signatures:
        raise QuantizeError(f"{path} has no signature; ai-edge-quantizer calibrates through signatures")
    key = next(iter(signatures))
    runner = interpreter.get_signature_runner(key)
    details = runner.get_input_details()
    specs = []
    for name in signatures[key]["inputs"]:
        d = details[name]
        specs.append(InputSpec(name, np.dtype(d["dtype"]), tuple(int(x) for x in d["shape"])))
    return key, specs


def quantize_tflite(
    model_path: Path,
    calibration: str | Path,
    preset: Preset,
    mode: str,
    method: str,
    eval_data: str | Path | None,
    max_drop: float,
    tokenizer: str | Path | None,
    tmp: Path,
    latency_runs: int,
    runtimes: tuple[str, ...] | None = None,
) -> Report:
    from quantize.api import split_holdout  # api imports this module lazily; no cycle at import time

    if method != "minmax":
        raise QuantizeError(f"the TFLite path calibrates with min/max only; --method {method} is ONNX-only")
    quantizer = _quantizer()
    runtimes = runtimes or preset.tflite_runtimes
    tok = Path(tokenizer) if tokenizer else None
    if model_path.suffix == ".onnx":
        # onnx2torch + litert-torch would do it, but onnx2torch needs a torchvision built for the CPU
        # torch wheel, which only the PyTorch index has (unreachable here): not offered rather than flaky
        raise QuantizeError(
            f"{model_path.name}: --format tflite needs a float .tflite model; ONNX -> TFLite conversion is "
            "not supported. Export the float model with litert-torch (litert_torch.convert(module, "
            "sample_args).export('model.tflite')) and quantize that, or use --format onnx"
        )
    if model_path.suffix == ".tflite":
        if not model_path.exists():
            raise QuantizeError(f"model {model_path} does not exist")
        signature, spec = tflite_inputs(model_path)
        tflite_names = [s.name for s in spec]
        fp32_tflite = model_path
        reference: Runner = TfliteRunner(model_path, "ai-edge-litert", [s.name for s in spec])
        calib = load_dataset(Path(calibration), spec, model_path, tok)
    else:
        raise QuantizeError(f"{model_path}: expected an .onnx or .tflite model")
    if eval_data is None:
        calib, held_out = split_holdout(calib)
    else:
        held_out = load_dataset(Path(eval_data), spec, model_path, tok)

    artifact = tmp / (model_path.name.removesuffix(model_path.suffix).removesuffix(".fp32") + ".int8.tflite")
    _quantize(quantizer, fp32_tflite, artifact, signature, spec, tflite_names, calib, mode)

    gates: list[GateResult] = []
    latency: dict[str, dict[str, dict[str, float]]] = {}
    feeds = [feed(spec, held_out, i) for i in range(min(len(held_out), 16))]
    for runtime in runtimes:
        try:
            candidate = TfliteRunner(artifact, runtime, [s.name for s in spec])
        except QuantizeError as e:  # e.g. tflite-runtime 2.14 lacking an op version: the gate says so
            gates.append(GateResult(runtime, len(held_out), max_drop, [], False, [str(e)]))
            continue
        gates.append(compare(reference, candidate, spec, held_out, max_drop))
        fp32_runner = TfliteRunner(fp32_tflite, runtime, [s.name for s in spec])
        latency[runtime] = latency_ms({"fp32": fp32_runner, "int8": candidate}, feeds, latency_runs)
    reasons = [f"{g.runtime}: {r}" for g in gates for r in g.reasons]
    return Report(
        model=str(model_path),
        artifact=artifact.name,
        target=preset.target,
        format="tflite",
        mode=mode,
        method=method,
        preset={**asdict(preset), "tflite_runtimes": list(runtimes)},
        ops="all" if mode == "static" else "weights",
        passed=all(g.passed for g in gates),
        fp32_bytes=model_path.stat().st_size,
        int8_bytes=artifact.stat().st_size,
        calibration_samples=len(calib),
        eval_samples=len(held_out),
        gates=gates,
        latency_ms=latency,
        reasons=reasons,
    )


def _quantize(
    quantizer: Any,
    src: Path,
    dst: Path,
    signature: str,
    spec: list[InputSpec],
    names: list[str],
    calib: Dataset,
    mode: str,
) -> None:
    from ai_edge_quantizer import recipe

    started = time.perf_counter()
    try:
        q = quantizer.Quantizer(
            str(src), recipe.static_wi8_ai8() if mode == "static" else recipe.dynamic_wi8_afp32()
        )
        result = None
        if q.need_calibration:
            samples = [
                {name: v for name, v in zip(names, feed(spec, calib, i).values(), strict=True)}
                for i in range(len(calib))
            ]
            result = q.calibrate({signature: samples})
        q.quantize(result).export_model(str(dst), overwrite=True)
    except QuantizeError:
        raise
    except Exception as e:  # ai-edge-quantizer raises ValueError/RuntimeError/KeyError on unsupported graphs
        raise QuantizeError(f"ai-edge-quantizer failed on {src.name}: {type(e).__name__}: {e}") from e
    log.info("TFLite %s int8 in %.1fs", mode, time.perf_counter() - started)
