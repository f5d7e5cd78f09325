"""Shared fixtures: the example config, espeak-ng speech, and a real mosquitto broker."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from runtime.audio.tts import synthesize
from runtime.config import Config, load_config

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def config() -> Config:
    return load_config(ROOT / "devices.yaml")


@pytest.fixture(scope="session")
def say() -> object:
    """say(text, voice=..., speed=..., pitch=...) -> 16 kHz int16 samples (cached per session)."""
    cache: dict[tuple[str, str, int, int], np.ndarray] = {}

    def _say(text: str, voice: str = "en-us", speed: int = 160, pitch: int = 50) -> np.ndarray:
        key = (text, voice, speed, pitch)
        if key not in cache:
            cache[key] = synthesize(text, voice=voice, speed=speed, pitch=pitch)
        return cache[key]

    return _say


def wait_until(pred: Callable[[], Any], timeout: float = 10.0) -> Any:
    """Poll `pred` until it is truthy or `timeout` passes; returns its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = pred()
        if value:
            return value
        time.sleep(0.01)
    return pred()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Broker:
    """A real mosquitto on a free loopback port; `stop()`/`start()` simulate an outage."""

    port: int
    workdir: Path
    proc: subprocess.Popen[bytes] | None = None
    host: str = "127.0.0.1"

    def start(self) -> None:
        exe = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        conf = self.workdir / "mosquitto.conf"
        conf.write_text(
            f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
            "max_queued_messages 100000\nmessage_size_limit 0\n"
        )
        self.proc = subprocess.Popen(
            [exe, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection((self.host, self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"mosquitto did not start on port {self.port}")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    b = Broker(port=free_port(), workdir=tmp_path)
    b.start()
    yield b
    b.stop()
