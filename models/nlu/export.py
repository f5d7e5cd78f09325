"""ONNX export and int8 quantization of the trained NLU model.

The legacy TorchScript-based exporter (`dynamo=False`) is used: for this small graph of plain ops it
is simpler and gives a graph onnxruntime's quantizer handles directly. Labels, temperature and the
tokenizer fingerprint go into the file's metadata, so one .onnx file is self-describing.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import torch

from runtime.nlu.model import METADATA_KEY

OPSET = 17


def set_metadata(path: Path, meta: dict[str, Any]) -> None:
    import onnx

    model = onnx.load(str(path))
    del model.metadata_props[:]
    entry = model.metadata_props.add()
    entry.key, entry.value = METADATA_KEY, json.dumps(meta)
    onnx.save(model, str(path))


def export_onnx(model: torch.nn.Module, meta: dict[str, Any], path: Path) -> Path:
    """fp32 ONNX with dynamic batch and sequence axes; inputs input_ids, attention_mask (int64)."""
    model.eval()
    ids = torch.tensor([[2, 5, 6, 7, 3]], dtype=torch.long)
    mask = torch.ones_like(ids)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the legacy exporter's deprecation notice
        torch.onnx.export(
            model,
            (ids, mask),
            str(path),
            input_names=["input_ids", "attention_mask"],
            output_names=["intent_logits", "slot_logits"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "tokens"},
                "attention_mask": {0: "batch", 1: "tokens"},
                "slot_logits": {0: "batch", 1: "tokens"},
                "intent_logits": {0: "batch"},
            },
            opset_version=OPSET,
            dynamo=False,
        )
    set_metadata(path, meta)
    return path


def quantize_int8(fp32: Path, int8: Path, meta: dict[str, Any]) -> Path:
    """Dynamic int8 (weights per channel, activations quantized at run time) with onnxruntime."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(fp32), str(int8), per_channel=True, weight_type=QuantType.QInt8)
    scale_per_member(fp32, int8)
    set_metadata(int8, {**meta, "quantization": "onnxruntime dynamic int8, per channel"})
    return int8


def scale_per_member(fp32: Path, int8: Path) -> None:
    """Give stacked [member, in, out] weights (ensemble.StackedModel) symmetric int8 scales per
    member and output column, in place.

    onnxruntime's quantizer gives a 3-D weight one scale per column shared by every member, shaped
    [out], which its int8 matmul kernel refuses for a 3-D weight; [member, 1, out] it accepts."""
    import numpy as np
    import onnx
    from onnx import numpy_helper

    weights = {i.name: i for i in onnx.load(str(fp32)).graph.initializer if len(i.dims) == 3}
    model = onnx.load(str(int8))
    tensors = {i.name: i for i in model.graph.initializer}
    changed = False
    for node in model.graph.node:
        source = node.input[1].removesuffix("_quantized") if node.op_type == "MatMulInteger" else ""
        if source not in weights:
            continue
        w = numpy_helper.to_array(weights[source])
        scale = np.maximum(np.abs(w).max(axis=1, keepdims=True) / 127.0, 1e-12).astype(np.float32)
        quantized = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
        for name, array in (
            (node.input[1], quantized),
            (node.input[3], np.zeros(scale.shape, np.int8)),
            (f"{source}_scale", scale),
        ):
            tensors[name].CopyFrom(numpy_helper.from_array(array, name))
        changed = True
    if changed:
        onnx.save(model, str(int8))
