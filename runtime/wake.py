"""Wake word detection with openWakeWord: bundled models by name or custom model files by path.

One `openwakeword.model.Model` runs all configured wake words over a shared melspectrogram and
embedding front end, so extra wake words cost little. On top of it: per-model thresholds and a
refractory period (one spoken "alexa" scores above threshold for several consecutive frames; it
must produce one `Wake`, not five).

Two things make detection depend less on accidents of timing (measured on a dev set of espeak-ng
voices, speeds and pitches that the benchmark does not use; false rejects at threshold 0.5):

- Half-frame phases. openWakeWord computes an embedding every 80 ms, and a model's score for one
  spoken word swings with where the frame boundaries fall (0.52, 0.10, 0.23 on consecutive frames).
  A second front end hears the same audio 40 ms later, and a model's score is the higher of the
  two, so each word is judged at 40 ms steps (alexa 28.3% -> 18.9%, hey_mycroft 5.0% -> 4.4%). The
  twin shares the first one's ONNX sessions; it costs a second melspectrogram/embedding/model pass.
- A quiet room after `reset()`. The models judge the last ~1.3 s of embeddings, each computed from
  ~0.8 s of mel frames; a detector cleared to placeholder buffers judges a wake word said soon after
  a reset against features no microphone produces. A reset detector is instead in the state of one
  that has listened to a quiet room, as the daemon does between wake words (hey_mycroft 11.7% -> 5.0%).
"""

from __future__ import annotations

import copy
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from runtime.config import WakeModel
from runtime.events import FRAME_SAMPLES, SAMPLE_RATE, AudioChunk, Wake

Engine = Literal["onnx", "tflite"]
# The quiet room a reset detector has heard: white noise of this standard deviation in int16 steps
# (10 ~ -70 dBFS, a quiet microphone), for long enough to fill the 0.76 s melspectrogram window and
# the models' 16 embeddings (1.28 s).
QUIET_ROOM_NOISE = 10.0
QUIET_ROOM_S = 3.0
HALF_FRAME = FRAME_SAMPLES // 2


@dataclass
class WakeModelError(Exception):
    message: str

    def __str__(self) -> str:
        return self.message


def bundled_models_dir() -> Path:
    import openwakeword

    return Path(openwakeword.__file__).parent / "resources" / "models"


def bundled_names() -> list[str]:
    return sorted({p.stem.rsplit("_v", 1)[0] for p in bundled_models_dir().glob("*_v*.onnx")})


def model_path(name: str, engine: Engine) -> tuple[str, Path]:
    """(model key, file) for a bundled name ('alexa') or a custom .onnx/.tflite path."""
    p = Path(name).expanduser()
    if p.suffix in (".onnx", ".tflite"):
        if not p.exists():
            raise WakeModelError(f"wake word model file not found: {p}")
        if p.suffix != f".{engine}":
            raise WakeModelError(f"{p} is a {p.suffix[1:]} model but the wake engine is {engine}")
        return p.stem, p
    matches = sorted(bundled_models_dir().glob(f"{name}_v*.{engine}"))
    if not matches:
        raise WakeModelError(
            f"unknown wake word model '{name}' (bundled: {', '.join(bundled_names())}; "
            f"or give a path to a .onnx/.tflite file); `pip install openwakeword==0.5.1` ships them"
        )
    return name, matches[-1]


def _preprocessor_models(engine: Engine) -> dict[str, str]:
    d = bundled_models_dir()
    return {
        "melspec_model_path": str(d / f"melspectrogram.{engine}"),
        "embedding_model_path": str(d / f"embedding_model.{engine}"),
    }


class WakeDetector:
    """`process(chunk) -> [Wake]` for every configured model; models are loaded once."""

    def __init__(
        self,
        models: Sequence[WakeModel] = (WakeModel("alexa"),),
        engine: Engine = "onnx",
        refractory_s: float = 2.0,
        satellite: str | None = None,
        half_frame: bool = True,
    ) -> None:
        from openwakeword.model import Model

        if engine == "tflite":
            try:
                import tflite_runtime.interpreter  # noqa: F401
            except ImportError:
                raise WakeModelError(
                    "the tflite wake engine needs tflite-runtime: `pip install tflite-runtime==2.14.0` "
                    "(or set wake.engine: onnx)"
                ) from None
        if not models:
            raise WakeModelError("at least one wake word model is required")
        paths = [model_path(m.name, engine) for m in models]
        self.thresholds = {key: m.threshold for (key, _), m in zip(paths, models, strict=True)}
        self.engine = engine
        self.refractory_s = refractory_s
        self.satellite = satellite
        self.half_frame = half_frame
        self.model: Any = Model(
            wakeword_models=[str(p) for _, p in paths],
            inference_framework=engine,
            **_preprocessor_models(engine),
        )
        # openWakeWord names a model loaded by path after its file stem ("alexa_v0.1")
        self._keys = dict(zip(self.model.models.keys(), self.thresholds, strict=True))
        self._last: dict[str, float] = {}
        self._quiet_room, quiet_tail = self._listen_to_quiet_room()
        # the half-frame phase: its own streaming buffers, the same sessions (see the module doc)
        self._late: Any = copy.copy(self.model)
        self._late.preprocessor = copy.copy(self.model.preprocessor)
        self._quiet_tail = quiet_tail
        self._carry = quiet_tail
        self.reset()

    @property
    def names(self) -> list[str]:
        return list(self.thresholds)

    def scores(self, chunk: AudioChunk) -> dict[str, float]:
        """The score of every model for this 80 ms chunk: the higher of its two phases."""
        on_time = self.model.predict(chunk.samples)
        if not self.half_frame:
            return {self._keys.get(k, k): float(v) for k, v in on_time.items()}
        # the late phase's frame: the last half of the previous chunk and the first half of this one
        late = self._late.predict(np.concatenate([self._carry, chunk.samples[:HALF_FRAME]]))
        self._carry = chunk.samples[HALF_FRAME:].copy()
        return {self._keys.get(k, k): max(float(v), float(late[k])) for k, v in on_time.items()}

    def process(self, chunk: AudioChunk) -> list[Wake]:
        if len(chunk.samples) != FRAME_SAMPLES:
            raise ValueError(f"wake detection takes 80 ms chunks of {FRAME_SAMPLES} samples")
        wakes = []
        t = chunk.timestamp + chunk.duration
        for name, score in self.scores(chunk).items():
            if score < self.thresholds[name]:
                continue
            last = self._last.get(name)
            if last is not None and t - last < self.refractory_s:
                continue
            self._last[name] = t
            wakes.append(Wake(model=name, score=score, timestamp=t, satellite=self.satellite))
        return wakes

    def _listen_to_quiet_room(self) -> tuple[dict[str, Any], np.ndarray]:
        """The detector's state after QUIET_ROOM_S of a quiet room, to restore on every reset, and
        the room's last half frame (what the late phase carries over)."""
        n = int(QUIET_ROOM_S * SAMPLE_RATE) // FRAME_SAMPLES * FRAME_SAMPLES
        noise = np.rint(np.random.default_rng(0).normal(0.0, QUIET_ROOM_NOISE, n)).astype(np.int16)
        for frame in noise.reshape(-1, FRAME_SAMPLES):
            self.model.predict(frame)
        return _snapshot(self.model), noise[-HALF_FRAME:]

    def reset(self) -> None:
        """Forget the audio heard so far (after a turn, or between files): back to a detector that
        has heard only a quiet room (the same one every time, so results are reproducible)."""
        _restore(self.model, self._quiet_room)
        _restore(self._late, self._quiet_room)
        self._carry = self._quiet_tail
        self._last.clear()


def _snapshot(model: Any) -> dict[str, Any]:
    """Copies of openWakeWord's streaming buffers (0.5.1's attribute names)."""
    pre = model.preprocessor
    return {
        "raw": list(pre.raw_data_buffer),
        "mel": pre.melspectrogram_buffer.copy(),
        "features": pre.feature_buffer.copy(),
        "accumulated": pre.accumulated_samples,
        "remainder": pre.raw_data_remainder.copy(),
        # the models' recent scores: with them, openWakeWord does not zero the first 5 frames
        "predictions": {k: list(v) for k, v in model.prediction_buffer.items()},
    }


def _restore(model: Any, state: dict[str, Any]) -> None:
    """Fresh copies of the snapshot's buffers (never shared between the two phases)."""
    pre = model.preprocessor
    model.reset()
    for k, v in state["predictions"].items():
        model.prediction_buffer[k].extend(v)
    pre.raw_data_buffer = deque(state["raw"], maxlen=pre.raw_data_buffer.maxlen)
    pre.melspectrogram_buffer = state["mel"].copy()
    pre.feature_buffer = state["features"].copy()
    pre.accumulated_samples = state["accumulated"]
    pre.raw_data_remainder = state["remainder"].copy()


def from_config(config: Any, satellite: str | None = None) -> WakeDetector:
    w = config.wake
    models = [WakeModel(str(config.resolve_path(m.name)) if Path(m.name).suffix else m.name, m.threshold)
              for m in w.models]  # fmt: skip
    return WakeDetector(
        models, engine=w.engine, refractory_s=w.refractory_s, satellite=satellite, half_frame=w.half_frame
    )
