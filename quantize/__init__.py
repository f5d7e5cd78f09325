"""int8 toolchain: ONNX dynamic and static (QDQ, calibrated) int8, TFLite int8, per-target presets,
and an accuracy gate that runs the artifact in its serving runtime before accepting it.

    from quantize import quantize
    report = quantize("models/nlu/nlu.fp32.onnx", "calib.txt", target="arm64", fmt="onnx", out_dir="out")
"""

from quantize.api import quantize
from quantize.errors import QuantizeError
from quantize.report import Report

__all__ = ["QuantizeError", "Report", "quantize"]
