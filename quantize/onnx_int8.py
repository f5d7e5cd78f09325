"""ONNX int8 with onnxruntime's quantizer: pre-processing, dynamic int8, static int8 in QDQ format."""

from __future__ import annotations

import logging
from pathlib import Path

import onnx

from quantize.calibration import Dataset, InputSpec, StreamingReader, model_inputs
from quantize.errors import QuantizeError
from quantize.presets import Preset

log = logging.getLogger(__name__)

METHOD_NAMES = {"minmax": "MinMax", "entropy": "Entropy", "percentile": "Percentile"}


def load_model(path: Path) -> onnx.ModelProto:
    """Load and check an fp32 ONNX model, refusing what the quantizer cannot handle."""
    path = Path(path)
    if not path.exists():
        raise QuantizeError(f"model {path} does not exist")
    try:
        model = onnx.load(str(path))
    except Exception as e:  # DecodeError: not a protobuf at all
        raise QuantizeError(f"{path} is not a valid ONNX model: {e}") from e
    for value in model.graph.input:
        t = value.type.tensor_type
        if value.type.HasField("tensor_type") and not t.HasField("shape"):
            raise QuantizeError(
                f"{path}: input {value.name!r} has unknown rank; the quantizer needs at least the rank "
                "(export with fixed or named dynamic axes)"
            )
    try:
        onnx.checker.check_model(model)
    except Exception as e:  # ValidationError
        raise QuantizeError(f"{path} is not a valid ONNX model: {e}") from e
    return model


def check_runs(path: Path) -> None:
    """The fp32 model must run in onnxruntime before we quantize it (catches unsupported ops early)."""
    from quantize.runners import OnnxRunner

    try:
        OnnxRunner(path)
    except QuantizeError as e:
        raise QuantizeError(
            f"the fp32 model does not run in onnxruntime, so it cannot be quantized: {e}"
        ) from e


def preprocess(src: Path, dst: Path) -> list[InputSpec]:
    """Shape inference + graph optimization (quant_pre_process), and a name for every node.

    Names matter: exclusion lists and the sensitivity report refer to nodes by name.
    """
    from onnxruntime.quantization.shape_inference import quant_pre_process

    try:
        quant_pre_process(str(src), str(dst), skip_symbolic_shape=False, auto_merge=True)
    except Exception as e:  # symbolic shape inference raises bare Exceptions on shapes it cannot follow
        raise QuantizeError(
            f"shape inference failed on {src} ({type(e).__name__}: {e}); the quantizer needs shapes it can "
            "infer: export the model with fixed input shapes (or named dynamic axes) and standard ops"
        ) from e
    model = onnx.load(str(dst))
    seen: set[str] = set()
    for i, node in enumerate(model.graph.node):
        if not node.name or node.name in seen:
            node.name = f"{node.op_type}_{i}"
        seen.add(node.name)
    onnx.save(model, str(dst))
    return model_inputs(model)


def quantizable_nodes(model_path: Path, mode: str) -> list[str]:
    """Names of the nodes the quantizer would touch (candidates for keeping in float)."""
    from onnxruntime.quantization.registry import IntegerOpsRegistry, QDQRegistry, QLinearOpsRegistry

    ops = set(IntegerOpsRegistry) if mode == "dynamic" else set(QDQRegistry) | set(QLinearOpsRegistry)
    model = onnx.load(str(model_path))
    return [n.name for n in model.graph.node if n.op_type in ops]


def _qtype(name: str) -> object:
    from onnxruntime.quantization import QuantType

    return QuantType.QInt8 if name == "int8" else QuantType.QUInt8


def quantize_static(
    src: Path,
    dst: Path,
    spec: list[InputSpec],
    calibration: Dataset,
    preset: Preset,
    method: str,
    cache: Path,
    nodes_to_exclude: list[str] | None = None,
    nodes_to_quantize: list[str] | None = None,
) -> None:
    """Static QDQ int8; activation ranges from `calibration` (computed once, then read from `cache`)."""
    from onnxruntime.quantization import CalibrationMethod, QuantFormat
    from onnxruntime.quantization import quantize_static as ort_quantize_static

    reader = None if cache.exists() else StreamingReader(spec, calibration, desc=f"calibrating ({method})")
    extra = {"CalibPercentile": 99.99} if method == "percentile" else {}
    try:
        ort_quantize_static(
            str(src),
            str(dst),
            reader,
            quant_format=QuantFormat.QDQ,
            per_channel=preset.per_channel,
            reduce_range=preset.reduce_range,
            activation_type=_qtype(preset.activation_type),
            weight_type=_qtype(preset.weight_type),
            nodes_to_exclude=nodes_to_exclude or [],
            nodes_to_quantize=nodes_to_quantize or [],
            calibrate_method=getattr(CalibrationMethod, METHOD_NAMES[method]),
            calibration_cache_path=str(cache),
            extra_options=extra,
        )
    except QuantizeError:
        raise
    except Exception as e:
        raise QuantizeError(f"static quantization of {src.name} failed: {type(e).__name__}: {e}") from e


def quantize_dynamic(
    src: Path,
    dst: Path,
    preset: Preset,
    nodes_to_exclude: list[str] | None = None,
    nodes_to_quantize: list[str] | None = None,
) -> None:
    """Dynamic int8: int8 weights, activations quantized per call (no calibration needed)."""
    from onnxruntime.quantization import quantize_dynamic as ort_quantize_dynamic

    try:
        ort_quantize_dynamic(
            str(src),
            str(dst),
            per_channel=preset.per_channel,
            reduce_range=preset.reduce_range,
            weight_type=_qtype(preset.weight_type),
            nodes_to_exclude=nodes_to_exclude or [],
            nodes_to_quantize=nodes_to_quantize or [],
        )
    except Exception as e:
        raise QuantizeError(f"dynamic quantization of {src.name} failed: {type(e).__name__}: {e}") from e
