"""`ambient demo` as a user runs it: a subprocess, no broker installed, no microphone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def demo(
    *args: str, tmp_path: Path, broker: str = "inprocess", timeout: float = 90
) -> subprocess.CompletedProcess[str]:
    # PATH without /usr/sbin: as on a desktop where mosquitto is not installed
    env = {**os.environ, "PATH": "/usr/bin:/bin", "AMBIENT_BROKER": broker, "PYTHONUNBUFFERED": "1"}
    return subprocess.run(
        [sys.executable, "-m", "runtime.cli", "demo", "--data", str(tmp_path), "--no-speak", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


def test_demo_say_without_any_broker_installed(tmp_path: Path) -> None:
    r = demo("--say", "alexa, turn on the kitchen light", tmp_path=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    out = r.stdout
    assert "inprocess MQTT broker" in out
    assert "wake" in out and "alexa" in out
    assert "home/kitchen/light/set" in out  # the command went out ...
    assert "kitchen light" in out and "'off' -> 'on'" in out  # ... and the simulated light obeyed it
    assert (tmp_path / "turns.db").exists()


def test_demo_text_uses_live_device_state(tmp_path: Path) -> None:
    r = demo(
        "--text", "what's the temperature", "--set", "oven.state=on", tmp_path=tmp_path, broker="mosquitto"
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "mosquitto MQTT broker" in r.stdout
    says = [line for line in r.stdout.splitlines() if " says " in line]
    assert says and "oven" in says[0].lower(), r.stdout


def test_demo_without_a_microphone_says_what_to_do(tmp_path: Path) -> None:
    r = demo(tmp_path=tmp_path, timeout=60)
    assert r.returncode == 1
    assert "--say" in r.stderr and "--text" in r.stderr
    assert "Traceback" not in r.stderr


def test_demo_rejects_an_unknown_device_preset(tmp_path: Path) -> None:
    r = demo("--text", "hi", "--set", "jacuzzi.state=on", tmp_path=tmp_path)
    assert r.returncode == 2
    assert "jacuzzi" in r.stderr and "Traceback" not in r.stderr


def test_demo_text_leaves_out_a_wake_word_typed_before_it(tmp_path: Path) -> None:
    """ "alexa, turn the lights on for 10 minutes" typed with --text only set a timer: the wake word
    kept the request from being cut into "turn the lights on" now and "off" in 10 minutes."""
    from runtime.commands.demo import without_wake_word

    models = ["alexa", "hey_jarvis"]
    assert without_wake_word("Alexa, turn on the tv", models) == "turn on the tv"
    assert without_wake_word("hey jarvis what time is it", models) == "what time is it"
    assert without_wake_word("alexander, turn on the tv", models) == "alexander, turn on the tv"
    r = demo("--text", "alexa, turn the lights on for 10 minutes", tmp_path=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "'off' -> 'on'" in r.stdout and "In 10 minutes I'll turn off the lights." in r.stdout, r.stdout
