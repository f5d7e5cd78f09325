"""Per-target int8 presets: which integer types the target's kernels are fast and exact with.

Why each preset is what it is (onnxruntime's MLAS kernels; TFLite's XNNPACK/ruy kernels):

- arm64 (Raspberry Pi 4/5, Cortex-A72/A76): signed int8 activations and weights (S8S8). ARMv8 NEON
  has signed 8-bit multiply-accumulate (SMLAL; SDOT on A76), no saturation problem, so full 8-bit
  range (`reduce_range=False`) and symmetric int8 everywhere, per-channel weights for accuracy.
- armv7 (Pi 2/3 on a 32-bit OS): unsigned activations with signed weights (U8S8). MLAS' 32-bit ARM
  NEON GEMM kernels are U8X8 only; signed activations would be re-quantized on the fly. No
  onnxruntime armv7 wheel is published, and ai-edge-litert has none either: for TFLite the gate
  runs tflite-runtime, the only runtime an armv7 board gets.
- x86 (a desktop or hub without assuming VNNI): U8S8 with `reduce_range=True`. Without AVX512-VNNI/
  AVX-VNNI, MLAS uses VPMADDUBSW, which adds two u8*s8 products into a saturating int16; 7-bit
  weights keep that sum from saturating. On a VNNI machine reduce_range only costs a little accuracy.

Dynamic quantization always produces uint8 activations (DynamicQuantizeLinear), so only the weight
type and reduce_range apply to it.
"""

from __future__ import annotations

from dataclasses import dataclass

from quantize.errors import QuantizeError

TARGETS = ("arm64", "armv7", "x86")
FORMATS = ("onnx", "tflite")
METHODS = ("minmax", "entropy", "percentile")
MODES = ("static", "dynamic")


@dataclass(frozen=True)
class Preset:
    target: str
    activation_type: str  # "int8" | "uint8"
    weight_type: str  # "int8" | "uint8"
    reduce_range: bool
    per_channel: bool
    tflite_runtimes: tuple[str, ...]  # TFLite interpreters the gate must run the artifact in
    why: str


PRESETS: dict[str, Preset] = {
    "arm64": Preset(
        "arm64",
        "int8",
        "int8",
        reduce_range=False,
        per_channel=True,
        tflite_runtimes=("ai-edge-litert", "tflite-runtime"),
        why="ARMv8 NEON/SDOT multiply signed int8 without saturation: S8S8, full range, per-channel",
    ),
    "armv7": Preset(
        "armv7",
        "uint8",
        "int8",
        reduce_range=False,
        per_channel=True,
        tflite_runtimes=("tflite-runtime",),
        why="32-bit ARM NEON GEMM kernels are U8X8; only tflite-runtime ships armv7 wheels",
    ),
    "x86": Preset(
        "x86",
        "uint8",
        "int8",
        reduce_range=True,
        per_channel=True,
        tflite_runtimes=("ai-edge-litert", "tflite-runtime"),
        why="U8S8; 7-bit weights avoid VPMADDUBSW int16 saturation on CPUs without VNNI",
    ),
}


def preset_for(target: str, fmt: str, mode: str, method: str) -> Preset:
    """The preset for `target`, after refusing combinations no runtime can serve."""
    if target not in PRESETS:
        raise QuantizeError(f"unknown target {target!r}; choose one of {', '.join(TARGETS)}")
    if fmt not in FORMATS:
        raise QuantizeError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if mode not in MODES:
        raise QuantizeError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
    if method not in METHODS:
        raise QuantizeError(f"unknown calibration method {method!r}; choose one of {', '.join(METHODS)}")
    if mode == "dynamic" and method != "minmax":
        raise QuantizeError(
            f"--method {method} needs calibration, but --mode dynamic computes activation ranges at run "
            "time; use --mode static or drop --method"
        )
    return PRESETS[target]
