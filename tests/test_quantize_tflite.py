"""TFLite int8 through ai-edge-quantizer, gated in ai-edge-litert and tflite-runtime.

The model is openWakeWord's shipped float alexa head; its inputs are real embeddings of espeak-ng
speech from openWakeWord's own melspectrogram + embedding models.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import openwakeword
import pytest
from openwakeword.utils import AudioFeatures

from quantize import QuantizeError, quantize

ALEXA = Path(openwakeword.__file__).parent / "resources/models/alexa_v0.1.tflite"
INPUT = "onnx_tf__tf_Flatten_0_79e3d279"  # the head's signature input name
PHRASES = ("alexa", "hey alexa", "alexa turn on the light", "turn on the kitchen light", "what's the weather")


@pytest.fixture(scope="module")
def windows(say: object, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """16-frame embedding windows (the head's input) sliding over each synthesized phrase."""
    clips = [say(p, speed=s) for p in PHRASES for s in (140, 175)]  # type: ignore[operator]
    length = max(len(c) for c in clips) + 16000
    audio = np.stack([np.pad(c, (8000, length - len(c) - 8000)) for c in clips]).astype(np.int16)
    emb = AudioFeatures(inference_framework="onnx").embed_clips(audio, batch_size=8)
    wins = np.stack([e[i : i + 16] for e in emb for i in range(0, emb.shape[1] - 15, 2)])
    path = tmp_path_factory.mktemp("alexa") / "windows.npz"
    np.savez(path, **{INPUT: wins[:, None].astype(np.float32)})
    return path


def test_dynamic_range_int8_passes_in_litert(windows: Path, tmp_path: Path) -> None:
    report = quantize(
        ALEXA,
        windows,
        fmt="tflite",
        mode="dynamic",
        out_dir=tmp_path / "out",
        tflite_runtimes=("ai-edge-litert",),
    )
    assert report.passed and report.size_ratio < 0.3
    assert (tmp_path / "out" / "alexa_v0.1.int8.tflite").exists()
    gate = report.gates[0]
    assert gate.runtime == "ai-edge-litert" and gate.outputs[0].max_abs_diff < 0.05
    saved = json.loads((tmp_path / "out" / "report.json").read_text())
    assert set(saved["latency_ms"]["ai-edge-litert"]) == {"fp32", "int8"}


def test_gate_catches_tflite_runtime_running_the_same_model_into_garbage(
    windows: Path, tmp_path: Path
) -> None:
    # Measured here: tflite-runtime 2.14 runs this dynamic-range artifact, silently, into wrong scores.
    # The arm64 preset makes the gate run both interpreters, so the artifact is refused.
    with pytest.raises(QuantizeError) as err:
        quantize(ALEXA, windows, fmt="tflite", mode="dynamic", target="arm64", out_dir=tmp_path / "out")
    report = err.value.report
    by_runtime = {g.runtime: g for g in report.gates}
    assert by_runtime["ai-edge-litert"].passed
    assert not by_runtime["tflite-runtime"].passed
    assert not (tmp_path / "out").exists()


def test_full_integer_static_int8(windows: Path, tmp_path: Path) -> None:
    report = quantize(
        ALEXA, windows, fmt="tflite", mode="static", target="armv7", out_dir=tmp_path / "out", max_drop=5.0
    )
    assert [g.runtime for g in report.gates] == ["tflite-runtime"]  # all an armv7 board gets
    assert report.passed and report.size_ratio < 0.3
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=str(tmp_path / "out" / "alexa_v0.1.int8.tflite"))
    assert interpreter.get_input_details()[0]["dtype"] == np.int8  # full integer, inputs included


def test_tflite_bad_input(windows: Path, tmp_path: Path) -> None:
    with pytest.raises(QuantizeError, match="min/max only"):
        quantize(ALEXA, windows, fmt="tflite", method="entropy", out_dir=tmp_path / "a")
    np.savez(tmp_path / "wrong.npz", **{INPUT: np.zeros((8, 1, 20, 96), np.float32)})
    with pytest.raises(QuantizeError, match="per-sample shape"):
        quantize(ALEXA, tmp_path / "wrong.npz", fmt="tflite", out_dir=tmp_path / "b")
    (tmp_path / "bad.tflite").write_bytes(b"nope")
    with pytest.raises(QuantizeError, match="not a loadable .tflite"):
        quantize(tmp_path / "bad.tflite", windows, fmt="tflite", out_dir=tmp_path / "c")
    with pytest.raises(QuantizeError, match="target armv7 cannot run ai-edge-litert"):
        quantize(
            ALEXA,
            windows,
            fmt="tflite",
            target="armv7",
            out_dir=tmp_path / "e",
            tflite_runtimes=("ai-edge-litert",),
        )
    with pytest.raises(QuantizeError, match="only be quantized with --format tflite"):
        quantize(ALEXA, windows, fmt="onnx", out_dir=tmp_path / "f")
    from quantize import toy_models as toy

    onnx_model = toy.classifier(tmp_path / "mlp.onnx")
    np.savez(tmp_path / "mlp.npz", **toy.classifier_data(onnx_model, 20))
    with pytest.raises(QuantizeError, match="needs a float .tflite model.*litert-torch"):
        quantize(onnx_model, tmp_path / "mlp.npz", fmt="tflite", out_dir=tmp_path / "d")
    assert not any((tmp_path / d).exists() for d in "abcdef")
