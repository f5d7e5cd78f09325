"""Wake word detection with openWakeWord: bundled models by name or custom model files by path.

One `openwakeword.model.Model` runs all configured wake words over a shared melspectrogram and
embedding front end, so extra wake words cost little. On top of it: per-model thresholds and a
refractory period (one spoken "alexa" scores above threshold for several consecutive frames; it
must produce one `Wake`, not five).

Two things make detection depend less on accidents of timing (measured on a dev set of espeak-ng
voices, speeds and pitches that the benchmark does not use; false rejects at threshold 0.5):

- Half-frame phases. openWakeWord computes an embedding every 80 ms, and a model's score for one
  spoken word swings with where the frame boundaries fall (0.52, 0.10, 0.23 on consecutive frames).
  A late phase hears the same audio 40 ms later, and a model's score is the higher of the two, so
  each word is judged at 40 ms steps (alexa 28.3% -> 18.9%, hey_mycroft 5.0% -> 4.4%). The late
  phase computes its melspectrogram every chunk (cheap) but its embeddings and model scores, nearly
  all of its cost, only while the on-time phase scores some model >= LATE_GATE in this chunk or the
  last; it then catches up on the embeddings it skipped, so its scores are exactly those of an
  always-on late phase. On the dev set that is 5% of speech chunks and 2% of other sounds, and the
  false rejects are the same as with the late phase always on.
  Part of the gain comes from digital silence, which synthesized clips and WAVs have and microphones
  do not: where a frame mixes silence and speech, its framing moves the melspectrogram's floor. With
  a quiet room's noise (sigma 10) added to the dev clips, the late phase takes false rejects from
  16.9% to 14.4% (alexa 30.0% -> 29.4%, hey_mycroft 15.0% -> 8.9%).
- A quiet room after `reset()`. The models judge the last ~1.3 s of embeddings, each computed from
  ~0.8 s of mel frames; a detector cleared to placeholder buffers judges a wake word said soon after
  a reset against features no microphone produces. A reset detector is instead in the state of one
  that has listened to a quiet room, as the daemon does between wake words (hey_mycroft 11.7% -> 5.0%).
"""

from __future__ import annotations

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
# The late phase is judged while any model's on-time score in this chunk or the last is at least
# this. Dev set (540 wake clips, 8 min of negatives), false rejects with the gate at 0.001 / 0.01 /
# 0.05 / 0.1: 9.6% / 9.4% / 10.4% / 10.7% (always on: 9.4%, never: 12.8%); share of negative chunks
# judged: 7.9% / 4.3% / 2.2% / 1.7%.
LATE_GATE = 0.01
MEL_CONTEXT = 480  # samples before a chunk that openWakeWord's streaming melspectrogram also reads
EMBEDDING_WINDOW, EMBEDDING_STEP, N_FEATURES = 76, 8, 16  # mel frames per embedding; embeddings judged


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
        self._late = LatePhase(self.model, self._quiet_room, quiet_tail)
        self._last_loudest = 0.0  # the highest on-time score of the previous chunk
        self.reset()

    @property
    def names(self) -> list[str]:
        return list(self.thresholds)

    def scores(self, chunk: AudioChunk) -> dict[str, float]:
        """The score of every model for this 80 ms chunk: the higher of its two phases."""
        on_time = {k: float(v) for k, v in self.model.predict(chunk.samples).items()}
        if self.half_frame:
            self._late.hear(chunk.samples)
            loudest, previous = max(on_time.values()), self._last_loudest
            self._last_loudest = loudest
            if max(loudest, previous) >= LATE_GATE:
                late = self._late.scores()
                on_time = {k: max(v, late.get(k, v)) for k, v in on_time.items()}
        return {self._keys.get(k, k): v for k, v in on_time.items()}

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
        self._late.reset()
        self._last_loudest = 0.0
        self._last.clear()


class LatePhase:
    """The half-frame phase: openWakeWord's front end and models over the audio 40 ms late, sharing
    the on-time phase's ONNX/TFLite sessions. `hear` every chunk (the melspectrogram), `scores` when
    they are wanted (the embeddings skipped since the last call, then the models)."""

    def __init__(self, model: Any, quiet_room: dict[str, Any], quiet_tail: np.ndarray) -> None:
        self.model, self.pre = model, model.preprocessor
        self._quiet_room, self._quiet_tail = quiet_room, quiet_tail
        self._keep = EMBEDDING_WINDOW + EMBEDDING_STEP * (N_FEATURES - 1)  # mel frames for N_FEATURES
        self.reset()

    def reset(self) -> None:
        """Back to the quiet room: the on-time phase's state, the room's last half frame still to come."""
        self._context = np.array(self._quiet_room["raw"][-MEL_CONTEXT:], dtype=np.int16)
        self._carry = self._quiet_tail
        self._mel = self._quiet_room["mel"][-self._keep :].copy()
        self._features = self._quiet_room["features"][-N_FEATURES:].copy()
        self._stale = 0  # how many of the newest features are not computed yet

    def hear(self, samples: np.ndarray) -> None:
        """The late frame (the last half of the previous chunk, the first half of this one) into
        the melspectrogram, as openWakeWord's streaming front end would compute it."""
        audio = np.concatenate([self._context, self._carry, samples[:HALF_FRAME]])
        self._carry = samples[HALF_FRAME:].copy()
        self._context = audio[-MEL_CONTEXT:]
        self._mel = np.vstack([self._mel, self.pre._get_melspectrogram(audio)])[-self._keep :]
        self._features = np.roll(self._features, -1, axis=0)
        self._stale = min(N_FEATURES, self._stale + 1)

    def scores(self) -> dict[str, float]:
        """Every model's score on the late phase's last N_FEATURES embeddings."""
        for back in range(self._stale - 1, -1, -1):  # oldest first; `back` chunks before the newest
            end = len(self._mel) - EMBEDDING_STEP * back
            window = self._mel[end - EMBEDDING_WINDOW : end].astype(np.float32)[None, :, :, None]
            self._features[N_FEATURES - 1 - back] = np.asarray(
                self.pre.embedding_model_predict(window)
            ).ravel()
        self._stale = 0
        features = self._features[None].astype(np.float32)
        out: dict[str, float] = {}
        for key, predict in self.model.model_prediction_function.items():
            prediction = np.asarray(predict(features)).ravel()
            if self.model.model_outputs[key] == 1:
                out[key] = float(prediction[0])
            else:  # a multi-class model scores each class under its label, as openWakeWord does
                out.update({c: float(prediction[int(i)]) for i, c in self.model.class_mapping[key].items()})
        return out


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
    """Fresh copies of the snapshot's buffers (a detector's next chunk must not change the snapshot)."""
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
