"""Shared fixtures: the example config, espeak-ng speech, and a real mosquitto broker."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from runtime.audio.tts import synthesize
from runtime.broker import Mosquitto as Broker  # a real mosquitto; stop()/start() keep the port
from runtime.broker import free_port
from runtime.config import Config, Satellite, load_config

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def config() -> Config:
    return load_config(ROOT / "devices.yaml")


@pytest.fixture
def kitchen(config: Config) -> Satellite:
    """The kitchen satellite: no screen."""
    return config.satellite("kitchen-sat")


@pytest.fixture
def living(config: Config) -> Satellite:
    """The living-room satellite: has a screen."""
    return config.satellite("living-sat")


@pytest.fixture
def bedroom(config: Config) -> Satellite:
    return config.satellite("bedroom-sat")


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


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    b = Broker(port=free_port(), workdir=tmp_path)
    b.start()
    yield b
    b.stop()
