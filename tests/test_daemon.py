"""`ambient run` as a process: clean shutdown on SIGTERM (outbox flushed, offline), SIGHUP reload."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from test_pipeline import Watcher

ROOT = Path(__file__).resolve().parent.parent


def home_yaml(tmp_path: Path, port: int) -> Path:
    """devices.yaml pointed at the test broker, with model paths made absolute."""
    text = (ROOT / "devices.yaml").read_text()
    text = re.sub(r"(?m)^  port: \d+", f"  port: {port}", text)
    text = text.replace("models/nlu/", f"{ROOT}/models/nlu/")
    path = tmp_path / "devices.yaml"
    path.write_text(text)
    return path


def start(args: list[str], tmp_path: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "runtime.cli", "run", "--data", str(tmp_path / "data"), "--log-json", "--no-speak", *args],
        cwd=ROOT, env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def read_until(stream: Any, pattern: str, timeout: float = 60) -> list[str]:
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = stream.readline()
        if not line:
            break
        lines.append(line)
        if pattern in line:
            return lines
    raise AssertionError(f"never saw {pattern!r}; got:\n{''.join(lines)}")


def test_sigterm_flushes_the_outbox_and_goes_offline(tmp_path: Path, broker: Any) -> None:
    config = home_yaml(tmp_path, broker.port)
    watcher = Watcher(broker.host, broker.port, "ambient/maple-hub/#")
    args = [
        "--config",
        str(config),
        "--text",
        "turn on the kitchen light",
        "--keep-running",
        "--health-interval",
        "0.5",
    ]
    proc = start(args, tmp_path)
    try:
        turn = json.loads(read_until(proc.stdout, '"satellite"')[-1])  # the turn it printed
        health = json.loads(watcher.wait("ambient/maple-hub/health", lambda p: b'"turns": 1' in p))
        assert health["status"] == "online" and health["rss_mb"] > 0 and "audio_overflows" in health
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
        up = json.loads(watcher.wait("ambient/maple-hub/turn", lambda p: turn["id"] in p.decode()))
        assert up["transcript"]["text"] == "turn on the kitchen light"
        assert watcher.wait("ambient/maple-hub/status", lambda p: p == b"offline") == b"offline"
        logs = [json.loads(line) for line in proc.stderr.read().splitlines() if line.startswith("{")]  # type: ignore[union-attr]
        assert any("shutting down" in entry["message"] for entry in logs)
        assert all({"time", "level", "logger", "message"} <= set(entry) for entry in logs)
    finally:
        if proc.poll() is None:
            proc.kill()
        watcher.close()


def test_sighup_reload_keeps_running_on_a_bad_file(tmp_path: Path, broker: Any) -> None:
    config = home_yaml(tmp_path, broker.port)
    good = config.read_text()
    proc = start(["--config", str(config), "--text", "turn on the kitchen light", "--keep-running"], tmp_path)
    try:
        read_until(proc.stderr, "ready")
        config.write_text(good.replace("type: oven", "type: toaster"))
        proc.send_signal(signal.SIGHUP)
        failed = read_until(proc.stderr, "reload failed")[-1]
        assert "toaster" in failed and re.search(r"devices\.yaml:\d+", failed)
        assert proc.poll() is None  # still running on the old config
        config.write_text(good)
        proc.send_signal(signal.SIGHUP)
        read_until(proc.stderr, "reloaded")
        proc.send_signal(signal.SIGINT)
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


def test_check_lists_what_is_installed_and_what_to_do(tmp_path: Path) -> None:
    def check(*args: str) -> subprocess.CompletedProcess[str]:
        cmd = [sys.executable, "-m", "runtime.cli", "check", *args]
        return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=60)

    r = check()
    assert r.returncode == 0, r.stdout + r.stderr
    for name in ("PortAudio", "espeak-ng", "mosquitto", "NLU model", "openWakeWord", "pocketsphinx"):
        assert any(line.startswith("ok ") and name in line for line in r.stdout.splitlines()), name
    missing = tmp_path / "devices.yaml"
    missing.write_text(
        (ROOT / "devices.yaml").read_text().replace("models/nlu/nlu.int8.onnx", "nowhere/nlu.onnx")
    )
    r = check("--config", str(missing))
    assert r.returncode == 1
    assert "nowhere/nlu.onnx" in r.stdout and "ambient nlu-train" in r.stdout
    broken = tmp_path / "broken.yaml"
    broken.write_text("home:\n  name: x\n")
    r = check("--config", str(broken))
    assert r.returncode == 1 and "broken.yaml:1: rooms" in r.stdout


def test_a_timer_set_before_a_restart_is_still_running_after_it(tmp_path: Path, broker: Any) -> None:
    """Two `ambient run` processes on one data directory: the timer and the repeating alarm the first
    set are there in the second, from the SQLite file."""
    config = home_yaml(tmp_path, broker.port)

    def said(text: str) -> str:
        proc = start(["--config", str(config), "--text", text, "--satellite", "kitchen-sat"], tmp_path)
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        turn = json.loads([line for line in out.splitlines() if '"satellite"' in line][-1])
        return str(turn["action"]["text"])

    assert said("set a pasta timer for 30 minutes") == "Pasta timer set for 30 minutes."
    assert said("wake me up at 7 every weekday").startswith("Alarm set for 7:00 AM on weekdays")
    assert said("what alarms do i have") == "You have one alarm: at 7:00 AM on weekdays."
    left = said("how long is left on the pasta timer")
    assert left.endswith("left on your pasta timer.") and ("29 minutes" in left or "30 minutes" in left), left
