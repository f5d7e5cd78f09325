"""WAV files in any rate and channel count, in and out as 16 kHz mono int16."""

from __future__ import annotations

import wave
from math import gcd
from pathlib import Path

import numpy as np

from runtime.events import SAMPLE_RATE


def to_mono_16k(samples: np.ndarray, rate: int, channels: int = 1) -> np.ndarray:
    """Interleaved int16 (or float in [-1, 1]) at any rate -> mono int16 at 16 kHz."""
    x = samples.astype(np.float32)
    if samples.dtype == np.int16:
        x /= 32768.0
    if channels > 1:
        x = x.reshape(-1, channels).mean(axis=1)
    if rate != SAMPLE_RATE:
        from scipy.signal import resample_poly

        g = gcd(rate, SAMPLE_RATE)
        x = resample_poly(x, SAMPLE_RATE // g, rate // g)
    return np.clip(np.round(x * 32767.0), -32768, 32767).astype(np.int16)


def read_wav(path: str | Path) -> np.ndarray:
    with wave.open(str(path), "rb") as w:
        rate, channels, width = w.getframerate(), w.getnchannels(), w.getsampwidth()
        raw = w.readframes(w.getnframes())
    if width == 2:
        data = np.frombuffer(raw, dtype="<i2")
    elif width == 1:
        data = ((np.frombuffer(raw, dtype=np.uint8).astype(np.int16) - 128) << 8).astype(np.int16)
    elif width == 4:
        data = (np.frombuffer(raw, dtype="<i4") >> 16).astype(np.int16)
    elif width == 3:
        b = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3)
        data = ((b[:, 2].astype(np.int16) << 8) | b[:, 1]).astype(np.int16)
    else:
        raise ValueError(f"{path}: unsupported sample width {width} bytes")
    return to_mono_16k(data, rate, channels)


def write_wav(path: str | Path, samples: np.ndarray, rate: int = 16000) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.astype("<i2").tobytes())
