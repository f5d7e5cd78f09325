"""Wake word detection with openWakeWord: bundled models by name or custom model files by path.

One `openwakeword.model.Model` runs all configured wake words over a shared melspectrogram and
embedding front end, so extra wake words cost little. On top of it: per-model thresholds and a
refractory period (one spoken "alexa" scores above threshold for several consecutive frames; it
must produce one `Wake`, not five).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from runtime.config import WakeModel
from runtime.events import FRAME_SAMPLES, AudioChunk, Wake

Engine = Literal["onnx", "tflite"]


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
        self.model: Any = Model(
            wakeword_models=[str(p) for _, p in paths],
            inference_framework=engine,
            **_preprocessor_models(engine),
        )
        # openWakeWord names a model loaded by path after its file stem ("alexa_v0.1")
        self._keys = dict(zip(self.model.models.keys(), self.thresholds, strict=True))
        self._last: dict[str, float] = {}
        self._pending = np.zeros(0, np.int16)

    @property
    def names(self) -> list[str]:
        return list(self.thresholds)

    def scores(self, chunk: AudioChunk) -> dict[str, float]:
        """The raw score of every model for this 80 ms chunk."""
        raw = self.model.predict(chunk.samples)
        return {self._keys.get(k, k): float(v) for k, v in raw.items()}

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

    def reset(self) -> None:
        """Forget the audio heard so far (after a turn, or between files)."""
        self.model.reset()
        pre = self.model.preprocessor
        pre.raw_data_buffer.clear()
        pre.melspectrogram_buffer = np.ones((76, 32), dtype=np.float32)
        pre.accumulated_samples = 0
        pre.raw_data_remainder = np.empty(0)
        # 4 s of faint noise refills the feature buffer the way a fresh Model has it
        pre.feature_buffer = pre._get_embeddings(
            np.random.default_rng(0).integers(-1000, 1000, 16000 * 4).astype(np.int16)
        )
        self._last.clear()


def from_config(config: Any, satellite: str | None = None) -> WakeDetector:
    w = config.wake
    models = [WakeModel(str(config.resolve_path(m.name)) if Path(m.name).suffix else m.name, m.threshold)
              for m in w.models]  # fmt: skip
    return WakeDetector(models, engine=w.engine, refractory_s=w.refractory_s, satellite=satellite)
