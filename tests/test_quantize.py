"""quantize/: ONNX int8 artifacts pass the accuracy gate, broken ones are refused, nothing half-written."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

from quantize import QuantizeError, quantize
from quantize import toy_models as toy


@pytest.fixture(scope="module")
def mlp(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    d = tmp_path_factory.mktemp("mlp")
    model = toy.classifier(d / "mlp.onnx")
    np.savez(d / "calib.npz", **toy.classifier_data(model, 300))
    return model, d / "calib.npz"


@pytest.fixture(scope="module")
def tokens(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    d = tmp_path_factory.mktemp("tokens")
    np.savez(d / "calib.npz", **toy.token_data(300, seed=1))
    np.savez(d / "eval.npz", **toy.token_data(200, seed=7))
    return d / "calib.npz", d / "eval.npz"


def leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(".quantize-"))


@pytest.mark.parametrize(
    ("target", "mode", "method"),
    [("arm64", "static", "minmax"), ("armv7", "static", "entropy"), ("x86", "dynamic", "minmax")],
)
def test_accepted_artifact_runs_and_is_reported(
    mlp: tuple[Path, Path], tmp_path: Path, target: str, mode: str, method: str
) -> None:
    model, calib = mlp
    report = quantize(model, calib, target=target, out_dir=tmp_path / "out", mode=mode, method=method)
    artifact = tmp_path / "out" / "mlp.int8.onnx"
    assert report.passed and artifact.exists()
    assert report.int8_bytes < report.fp32_bytes
    ops = {n.op_type for n in __import__("onnx").load(str(artifact)).graph.node}
    assert ("QuantizeLinear" in ops) if mode == "static" else ("DynamicQuantizeLinear" in ops)
    # the artifact classifies like the fp32 model on fresh data
    data = toy.classifier_data(model, 100, seed=5)
    fp32 = ort.InferenceSession(str(model)).run(None, {"x": data["x"]})[0].argmax(1)
    int8 = ort.InferenceSession(str(artifact)).run(None, {"x": data["x"]})[0].argmax(1)
    assert np.mean(fp32 == int8) >= 0.98
    saved = json.loads((tmp_path / "out" / "report.json").read_text())
    assert saved["passed"] and saved["target"] == target and saved["preset"]["target"] == target
    assert saved["gates"][0]["outputs"][0]["int8_accuracy"] >= 99.0  # labels from the .npz are used
    assert set(saved["latency_ms"]["onnxruntime"]) == {"fp32", "int8"}
    assert (tmp_path / "out" / "report.png").read_bytes()[:4] == b"\x89PNG"
    assert not leftovers(tmp_path)


def test_presets_differ_where_the_hardware_does(mlp: tuple[Path, Path], tmp_path: Path) -> None:
    model, calib = mlp
    arm = quantize(model, calib, target="arm64", out_dir=tmp_path / "arm")
    x86 = quantize(model, calib, target="x86", out_dir=tmp_path / "x86")
    assert arm.preset["activation_type"] == "int8" and not arm.preset["reduce_range"]
    assert x86.preset["activation_type"] == "uint8" and x86.preset["reduce_range"]
    import onnx

    def zero_point_types(path: Path) -> set[int]:
        m = onnx.load(str(path))
        return {i.data_type for i in m.graph.initializer if i.name.endswith("_zero_point")}

    assert onnx.TensorProto.INT8 in zero_point_types(tmp_path / "arm" / "mlp.int8.onnx")
    assert onnx.TensorProto.UINT8 in zero_point_types(tmp_path / "x86" / "mlp.int8.onnx")


def test_constant_calibration_is_rejected_and_nothing_written(
    tokens: tuple[Path, Path], tmp_path: Path
) -> None:
    # every calibration sample is the same filler sentence: the keyword scores never enter the ranges
    _, held_out = tokens
    model = toy.attention_classifier(tmp_path / "m.onnx", mask_value=-20.0)
    ones = np.ones((50, 12), np.int64)
    np.savez(tmp_path / "const.npz", input_ids=ones * 20, attention_mask=ones)
    out = tmp_path / "out"
    with pytest.raises(QuantizeError, match="rejected by the accuracy gate") as err:
        quantize(
            model, tmp_path / "const.npz", out_dir=out, eval_data=held_out, auto_exclude=False, ops="all"
        )
    assert not out.exists() and not leftovers(tmp_path)
    report = err.value.report
    assert report is not None and not report.passed and report.gates[0].worst_agreement < 90


def test_wide_mask_constant_is_caught_and_fixed_by_keeping_nodes_in_float(
    tokens: tuple[Path, Path], tmp_path: Path
) -> None:
    calib, held_out = tokens
    bad = toy.attention_classifier(tmp_path / "mask1e4.onnx", mask_value=-1e4)
    with pytest.raises(QuantizeError) as err:
        quantize(bad, calib, out_dir=tmp_path / "refused", eval_data=held_out, auto_exclude=False, ops="all")
    gate = err.value.report.gates[0]
    assert gate.outputs[0].int8_accuracy < 80 and gate.outputs[0].fp32_accuracy == 100
    assert not (tmp_path / "refused").exists()

    fixed = quantize(bad, calib, out_dir=tmp_path / "fixed", eval_data=held_out, ops="all")
    assert fixed.passed and "mask_add" in fixed.excluded_nodes
    assert len(fixed.excluded_nodes) <= 4  # a float island, not a float model
    assert fixed.sensitivity[0].disagreement > 10  # the ranking found a node that hurts on its own

    good = toy.attention_classifier(tmp_path / "mask20.onnx", mask_value=-20.0)
    ok = quantize(good, calib, out_dir=tmp_path / "ok", eval_data=held_out, ops="all")
    assert ok.passed and ok.excluded_nodes == []

    # the default quantizes weight-carrying ops only: the mask Add stays float, so the trap never springs
    default = quantize(bad, calib, out_dir=tmp_path / "default", eval_data=held_out, auto_exclude=False)
    assert default.passed and default.ops == "weights"


def test_user_excluded_nodes_stay_float(tokens: tuple[Path, Path], tmp_path: Path) -> None:
    calib, held_out = tokens
    model = toy.attention_classifier(tmp_path / "m.onnx", mask_value=-1e4)
    report = quantize(
        model,
        calib,
        out_dir=tmp_path / "out",
        eval_data=held_out,
        nodes_to_exclude=["mask_add", "softmax"],
        auto_exclude=False,
        ops="all",
    )
    assert report.passed and report.excluded_nodes == ["mask_add", "softmax"]
    with pytest.raises(QuantizeError, match="not quantizable nodes"):
        quantize(model, calib, out_dir=tmp_path / "x", nodes_to_exclude=["no_such_node"], ops="all")
