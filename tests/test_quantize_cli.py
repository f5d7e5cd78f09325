"""`ambient quantize` end to end, as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from quantize import toy_models as toy

ROOT = Path(__file__).resolve().parent.parent


def ambient(*args: str | Path) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "runtime.cli", "quantize", *map(str, args)]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_cli_writes_gated_artifact_and_report(tmp_path: Path) -> None:
    model = toy.classifier(tmp_path / "clf.fp32.onnx")
    np.savez(tmp_path / "calib.npz", **toy.classifier_data(model, 200))
    out = tmp_path / "out"
    done = ambient(
        model,
        "--calibration",
        tmp_path / "calib.npz",
        "--target",
        "arm64",
        "--format",
        "onnx",
        "--out",
        out,
        "--method",
        "percentile",
        "--mode",
        "static",
        "--max-drop",
        "0.5",
    )
    assert done.returncode == 0, done.stderr
    assert "ACCEPTED: clf.int8.onnx (arm64, onnx, static, percentile)" in done.stdout
    assert sorted(p.name for p in out.iterdir()) == ["clf.int8.onnx", "report.json", "report.png"]
    assert json.loads((out / "report.json").read_text())["method"] == "percentile"


def test_cli_rejection_and_bad_input_exit_nonzero_without_files(tmp_path: Path) -> None:
    model = toy.attention_classifier(tmp_path / "att.onnx", mask_value=-1e4)
    np.savez(tmp_path / "tok.npz", **toy.token_data(120))
    out = tmp_path / "out"
    done = ambient(
        model, "--calibration", tmp_path / "tok.npz", "--out", out, "--no-auto-exclude", "--ops", "all"
    )
    assert done.returncode == 1
    assert "rejected by the accuracy gate" in done.stderr and "REJECTED: att.int8.onnx" in done.stderr
    assert not out.exists()

    np.savez(tmp_path / "wrong.npz", ids=np.zeros((4, 12), np.int64))
    done = ambient(model, "--calibration", tmp_path / "wrong.npz", "--out", out)
    assert done.returncode == 1 and "no array for model input(s)" in done.stderr
    assert not out.exists()
