"""The one streaming interface every ASR engine speaks, and the small helpers engines share."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np

from runtime.events import AudioChunk, Partial, Transcript


@runtime_checkable
class AsrEngine(Protocol):
    """start() an utterance, accept() its chunks as they come, final() once it has ended."""

    name: str

    def start(self) -> None: ...

    def accept(self, chunk: AudioChunk) -> Partial | None: ...

    def final(self) -> Transcript: ...


class AsrUnavailable(RuntimeError):
    """An engine's model or library is missing; the message says what to install."""


def transcribe(engine: AsrEngine, samples: np.ndarray, chunk: int = 1280) -> Transcript:
    """Run a whole utterance through the streaming interface (what `ambient asr FILE` does)."""
    engine.start()
    for i in range(0, len(samples), chunk):
        engine.accept(AudioChunk(samples[i : i + chunk], i / 16000))
    return engine.final()
