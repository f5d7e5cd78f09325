"""Bad input to quantize(): a clear QuantizeError naming the cause, and no file at the output path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto
from onnx import helper as h

from quantize import QuantizeError, quantize
from quantize import toy_models as toy


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return toy.classifier(tmp_path_factory.mktemp("m") / "mlp.onnx")


def refused(tmp_path: Path, match: str, call: Callable[[Path], object]) -> None:
    out = tmp_path / "out"
    with pytest.raises(QuantizeError, match=match):
        call(out)
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".quantize-")]


def npz(path: Path, **arrays: np.ndarray) -> Path:
    np.savez(path, **arrays)
    return path


def test_wrong_input_name(model: Path, tmp_path: Path) -> None:
    data = npz(tmp_path / "d.npz", features=np.zeros((10, 32), np.float32))
    refused(
        tmp_path,
        r"no array for model input\(s\) \['x'\].*holds \['features'\]",
        lambda o: quantize(model, data, out_dir=o),
    )


def test_wrong_shape(model: Path, tmp_path: Path) -> None:
    data = npz(tmp_path / "d.npz", x=np.zeros((10, 31), np.float32))
    refused(tmp_path, r"per-sample shape \(31,\).*\(\?, 32\)", lambda o: quantize(model, data, out_dir=o))
    data = npz(tmp_path / "d3.npz", x=np.zeros((10, 2, 2, 32), np.float32))
    refused(tmp_path, "samples must be stacked as", lambda o: quantize(model, data, out_dir=o))


def test_wrong_dtype(model: Path, tmp_path: Path) -> None:
    data = npz(tmp_path / "d.npz", x=np.zeros((10, 32), np.int64))
    refused(tmp_path, "dtype int64, the model wants float32", lambda o: quantize(model, data, out_dir=o))


def test_empty_and_mismatched_counts(model: Path, tmp_path: Path) -> None:
    empty = npz(tmp_path / "e.npz", x=np.zeros((0, 32), np.float32))
    refused(tmp_path, "no samples", lambda o: quantize(model, empty, out_dir=o))
    (tmp_path / "garbage.npz").write_bytes(b"not a zip")
    refused(tmp_path, "not a readable .npz", lambda o: quantize(model, tmp_path / "garbage.npz", out_dir=o))
    one = npz(tmp_path / "one.npz", x=np.zeros((1, 32), np.float32))
    refused(tmp_path, "cannot be split.*--eval", lambda o: quantize(model, one, out_dir=o))
    refused(tmp_path, "does not exist", lambda o: quantize(model, tmp_path / "missing.npz", out_dir=o))
    labels = npz(tmp_path / "l.npz", x=np.zeros((4, 32), np.float32), labels=np.zeros(3, np.int64))
    refused(tmp_path, "one integer class per sample", lambda o: quantize(model, labels, out_dir=o))


def test_text_calibration_needs_a_tokenizer(model: Path, tmp_path: Path) -> None:
    (tmp_path / "s.txt").write_text("turn on the light\n")
    refused(tmp_path, "needs the model's tokenizer", lambda o: quantize(model, tmp_path / "s.txt", out_dir=o))


def test_not_a_model_and_missing_model(tmp_path: Path) -> None:
    (tmp_path / "bad.onnx").write_bytes(b"\x00garbage")
    data = npz(tmp_path / "d.npz", x=np.zeros((10, 32), np.float32))
    refused(tmp_path, "not a valid ONNX model", lambda o: quantize(tmp_path / "bad.onnx", data, out_dir=o))
    refused(tmp_path, "does not exist", lambda o: quantize(tmp_path / "none.onnx", data, out_dir=o))


def test_unknown_rank_input(tmp_path: Path) -> None:
    graph = h.make_graph(
        [h.make_node("Relu", ["x"], ["y"])],
        "g",
        [h.make_tensor_value_info("x", TensorProto.FLOAT, None)],
        [h.make_tensor_value_info("y", TensorProto.FLOAT, None)],
    )
    m = h.make_model(graph, opset_imports=[h.make_opsetid("", 17)])
    m.ir_version = 9
    onnx.save(m, str(tmp_path / "norank.onnx"))
    data = npz(tmp_path / "d.npz", x=np.zeros((10, 4), np.float32))
    refused(tmp_path, "unknown rank", lambda o: quantize(tmp_path / "norank.onnx", data, out_dir=o))


def test_unsupported_op(tmp_path: Path) -> None:
    graph = h.make_graph(
        [h.make_node("FancyNorm", ["x"], ["y"], domain="com.example")],
        "g",
        [h.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
        [h.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])],
    )
    m = h.make_model(graph, opset_imports=[h.make_opsetid("", 17), h.make_opsetid("com.example", 1)])
    m.ir_version = 9
    onnx.save(m, str(tmp_path / "custom.onnx"))
    data = npz(tmp_path / "d.npz", x=np.zeros((10, 4), np.float32))
    refused(
        tmp_path,
        "does not run in onnxruntime.*FancyNorm",
        lambda o: quantize(tmp_path / "custom.onnx", data, out_dir=o),
    )


def test_unsupported_options(model: Path, tmp_path: Path) -> None:
    data = npz(tmp_path / "d.npz", x=np.zeros((10, 32), np.float32))
    refused(tmp_path, "unknown target 'riscv'", lambda o: quantize(model, data, target="riscv", out_dir=o))
    refused(
        tmp_path,
        "--method entropy needs calibration",
        lambda o: quantize(model, data, mode="dynamic", method="entropy", out_dir=o),
    )
    refused(tmp_path, "unknown format", lambda o: quantize(model, data, fmt="coreml", out_dir=o))
    refused(tmp_path, "percentage points", lambda o: quantize(model, data, max_drop=-1, out_dir=o))
    refused(tmp_path, "unknown --ops", lambda o: quantize(model, data, ops="some", out_dir=o))


def test_output_path_is_a_file(model: Path, tmp_path: Path) -> None:
    data = npz(tmp_path / "d.npz", x=np.zeros((10, 32), np.float32))
    (tmp_path / "taken").write_text("keep me")
    with pytest.raises(QuantizeError, match="not a directory"):
        quantize(model, data, out_dir=tmp_path / "taken")
    assert (tmp_path / "taken").read_text() == "keep me"


def test_existing_files_survive_a_rejection(tmp_path: Path) -> None:
    model = toy.attention_classifier(tmp_path / "m.onnx", mask_value=-1e4)
    out = tmp_path / "out"
    out.mkdir()
    (out / "m.int8.onnx").write_bytes(b"the previous good artifact")
    data = npz(tmp_path / "d.npz", **toy.token_data(100))
    with pytest.raises(QuantizeError, match="rejected"):
        quantize(model, data, out_dir=out, auto_exclude=False, ops="all")
    assert (out / "m.int8.onnx").read_bytes() == b"the previous good artifact"
    assert sorted(p.name for p in out.iterdir()) == ["m.int8.onnx"]
