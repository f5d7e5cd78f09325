"""The shipped NLU model through the toolchain: text calibration, gate with intent labels, NluModel loads it."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import pytest

from quantize import quantize
from runtime.config import Config
from runtime.nlu.model import NluModel

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "models" / "nlu"
FP32 = MODELS / "nlu.fp32.onnx"


@pytest.fixture(scope="module")
def sentences(config: Config, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Calibration from the `valid` split, evaluation from the `test` split (held-out templates)."""
    from models.nlu import data as D

    seed = int(json.loads((MODELS / "labels.json").read_text())["train_config"]["seed"])
    dataset = D.build_dataset(config, seed=seed)
    rng = random.Random(0)
    d = tmp_path_factory.mktemp("nlu")
    calib, held_out = d / "calib.txt", d / "heldout.txt"
    calib.write_text("".join(f"{ex.text}\t{ex.intent}\n" for ex in rng.sample(dataset.valid, 300)))
    held_out.write_text("".join(f"{ex.text}\t{ex.intent}\n" for ex in rng.sample(dataset.test, 600)))
    return calib, held_out


def test_dynamic_int8_nlu_meets_the_targets_and_serves(sentences: tuple[Path, Path], tmp_path: Path) -> None:
    calib, held_out = sentences
    # a 600-sentence slice decides here: allow one point of disagreement (the benchmark uses 0.5 on all)
    report = quantize(FP32, calib, target="arm64", mode="dynamic", out_dir=tmp_path, eval_data=held_out,
                      max_drop=1.0)  # fmt: skip
    assert report.passed and report.size_ratio <= 0.30
    intent = report.gates[0].outputs[0]
    assert intent.name == "intent_logits" and intent.fp32_accuracy is not None
    assert intent.fp32_accuracy - intent.int8_accuracy <= 1.0
    # the artifact keeps the labels metadata, so the NLU runtime loads it as it is
    meta = {p.key for p in onnx.load(str(tmp_path / "nlu.int8.onnx")).metadata_props}
    assert "ambient_nlu" in meta
    fp32, int8 = NluModel.load(FP32), NluModel.load(tmp_path / "nlu.int8.onnx", MODELS / "tokenizer.json")
    for text in ("turn on the kitchen light", "set the bedroom temperature to 21 degrees", "what time is it"):
        assert int8.parse(text)[0].intent == fp32.parse(text)[0].intent


def test_static_int8_nlu_through_the_cli(sentences: tuple[Path, Path], tmp_path: Path) -> None:
    calib, held_out = sentences
    cmd = [sys.executable, "-m", "runtime.cli", "quantize", str(FP32), "--calibration", str(calib),
           "--eval", str(held_out), "--target", "arm64", "--out", str(tmp_path), "--max-drop", "1.5",
           "--no-auto-exclude"]  # fmt: skip
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    saved = json.loads((tmp_path / "report.json").read_text())
    assert saved["mode"] == "static" and saved["size_ratio"] < 0.35
    outputs = {o["name"]: o for o in saved["gates"][0]["outputs"]}
    assert outputs["intent_logits"]["agreement"] >= 98.5 and outputs["slot_logits"]["agreement"] >= 98.5
    ops = {n.op_type for n in onnx.load(str(tmp_path / "nlu.int8.onnx")).graph.node}
    assert {"QuantizeLinear", "DequantizeLinear"} <= ops
    weights = onnx.load(str(tmp_path / "nlu.int8.onnx")).graph.initializer
    assert any(w.data_type == onnx.TensorProto.INT8 and np.prod(w.dims) > 10000 for w in weights)
