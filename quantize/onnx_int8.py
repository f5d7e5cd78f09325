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
# "weights": only ops that carry weights (where int8 saves size and time); elementwise ops, LayerNorm
# and Softmax stay float, so no Q/DQ pairs around cheap ops and no int8 range stretched by a mask
# constant. "all": everything onnxruntime can quantize (full int8, like a full-integer TFLite model).
WEIGHT_OPS = [
    "MatMul",
    "Gemm",
    "Conv",
    "ConvTranspose",
    "Gather",
    "Attention",
    "LSTM",
    "EmbedLayerNormalization",
]
OPS = ("weights", "all")


def op_types(ops: str) -> list[str] | None:
    if ops not in OPS:
        raise QuantizeError(f"unknown --ops {ops!r}; choose one of {', '.join(OPS)}")
    return WEIGHT_OPS if ops == "weights" else None


class _QuietPerChannelWarnings(logging.Filter):
    """onnxruntime warns once per 1-D weight (LayerNorm scale) that has no channel axis: noise."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "is out-of-range for weight" not in record.getMessage()


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


def keep_metadata(src: Path, dst: Path) -> None:
    """Carry the fp32 model's metadata (e.g. the NLU's labels) over to the int8 model."""
    source, target = onnx.load(str(src)), onnx.load(str(dst))
    have = {p.key for p in target.metadata_props}
    missing = [p for p in source.metadata_props if p.key not in have]
    if missing:
        for p in missing:
            target.metadata_props.add(key=p.key, value=p.value)
        onnx.save(target, str(dst))


def quantizable_nodes(model_path: Path, mode: str, ops: str = "all") -> list[str]:
    """Names of the nodes the quantizer would touch (candidates for keeping in float)."""
    from onnxruntime.quantization.registry import IntegerOpsRegistry, QDQRegistry, QLinearOpsRegistry

    ops_set = set(IntegerOpsRegistry) if mode == "dynamic" else set(QDQRegistry) | set(QLinearOpsRegistry)
    chosen = op_types(ops)
    if chosen is not None:
        ops_set &= set(chosen)
    model = onnx.load(str(model_path))
    return [n.name for n in model.graph.node if n.op_type in ops_set]


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
    ops: str = "weights",
) -> None:
    """Static QDQ int8; activation ranges from `calibration` (computed once, then read from `cache`)."""
    from onnxruntime.quantization import CalibrationMethod, QuantFormat
    from onnxruntime.quantization import quantize_static as ort_quantize_static

    reader = None
    if not cache.exists():  # histograms (entropy, percentile) need equal shapes: keep sentences padded
        reader = StreamingReader(spec, calibration, f"calibrating ({method})", trim=method == "minmax")
    extra: dict[str, object] = {"CalibPercentile": 99.99} if method == "percentile" else {}
    if ops == "weights":
        extra["MatMulConstBOnly"] = True  # attention's activation x activation MatMuls stay float
    quiet = _QuietPerChannelWarnings()
    logging.getLogger().addFilter(quiet)
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
            op_types_to_quantize=op_types(ops),
        )
    except Exception as e:
        raise QuantizeError(f"static quantization of {src.name} failed: {type(e).__name__}: {e}") from e
    finally:
        logging.getLogger().removeFilter(quiet)


def quantize_dynamic(
    src: Path,
    dst: Path,
    preset: Preset,
    nodes_to_exclude: list[str] | None = None,
    nodes_to_quantize: list[str] | None = None,
    ops: str = "weights",
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
            op_types_to_quantize=op_types(ops),
        )
    except Exception as e:
        raise QuantizeError(f"dynamic quantization of {src.name} failed: {type(e).__name__}: {e}") from e
    if preset.weight_type == "int8":
        scale_batched_weights(src, dst, preset.reduce_range)


def scale_batched_weights(src: Path, dst: Path, reduce_range: bool = False) -> None:
    """Give the int8 weights of batched matmuls (3-D [batch, in, out] constants, e.g. an ensemble
    stacked on a member axis) symmetric scales per batch index and output column, in place in `dst`.

    onnxruntime's dynamic quantizer gives such a weight one scale per column shared by the whole
    batch, shaped [out], which its int8 matmul kernel then refuses for a 3-D weight; shaped
    [batch, 1, out] it is accepted, and each batch index keeps its own range."""
    import numpy as np
    from onnx import numpy_helper

    weights = {i.name: i for i in onnx.load(str(src)).graph.initializer if len(i.dims) == 3}
    model = onnx.load(str(dst))
    tensors = {i.name: i for i in model.graph.initializer}
    qmax = 63 if reduce_range else 127
    changed = False
    for node in model.graph.node:
        source = node.input[1].removesuffix("_quantized") if node.op_type == "MatMulInteger" else ""
        if source not in weights or f"{source}_scale" not in tensors:
            continue
        w = numpy_helper.to_array(weights[source])
        scale = np.maximum(np.abs(w).max(axis=1, keepdims=True) / qmax, 1e-12).astype(np.float32)
        quantized = np.clip(np.round(w / scale), -qmax, qmax).astype(np.int8)
        for name, array in (
            (node.input[1], quantized),
            (node.input[3], np.zeros(scale.shape, np.int8)),
            (f"{source}_scale", scale),
        ):
            tensors[name].CopyFrom(numpy_helper.from_array(array, name))
        changed = True
    if changed:
        onnx.save(model, str(dst))
