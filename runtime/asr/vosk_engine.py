"""Vosk (Kaldi) through the same streaming interface: word confidences, n-best alternatives, and a
runtime phrase list from the home's vocabulary when the model has a dynamic graph."""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from runtime.asr.base import AsrUnavailable
from runtime.events import SAMPLE_RATE, Alternative, AudioChunk, Partial, Transcript, Word

log = logging.getLogger(__name__)

INSTALL_HINT = (
    "a Vosk model directory is needed: download one from https://alphacephei.com/vosk/models "
    "(e.g. vosk-model-small-en-us-0.15), unpack it and set asr.vosk_model in devices.yaml to its path"
)


def supports_phrase_list(model_dir: Path) -> bool:
    """Only models with a dynamic graph (HCLr.fst + Gr.fst, the small ones) accept a phrase list."""
    return (model_dir / "graph" / "HCLr.fst").exists() and (model_dir / "graph" / "Gr.fst").exists()


class VoskEngine:
    name = "vosk"

    def __init__(self, model_dir: str | Path, phrases: Sequence[str] = (), max_alternatives: int = 3) -> None:
        model_dir = Path(model_dir)
        if not (model_dir / "am" / "final.mdl").exists() and not (model_dir / "final.mdl").exists():
            raise AsrUnavailable(f"{model_dir} is not a Vosk model directory; {INSTALL_HINT}")
        import vosk

        vosk.SetLogLevel(-1)
        self.model = vosk.Model(str(model_dir))
        self.max_alternatives = max_alternatives
        # a phrase list ("[unk]" lets anything else through as unknown) narrows the search to the
        # home's words; models with a static graph ignore it, so it is only passed where it works
        self.grammar: str | None = None
        if phrases and supports_phrase_list(model_dir):
            self.grammar = json.dumps([*phrases, "[unk]"], ensure_ascii=False)
        self._rec: Any = None
        self._last_partial = ""

    def _recognizer(self, alternatives: int) -> Any:
        import vosk

        if self.grammar is not None:
            rec = vosk.KaldiRecognizer(self.model, SAMPLE_RATE, self.grammar)
        else:
            rec = vosk.KaldiRecognizer(self.model, SAMPLE_RATE)
        rec.SetWords(True)
        rec.SetMaxAlternatives(alternatives)
        return rec

    def start(self) -> None:
        # Kaldi gives word confidences only without n-best, and n-best only without word
        # confidences: a second recognizer over the same audio provides the alternatives
        self._rec = self._recognizer(0)
        self._nbest = self._recognizer(self.max_alternatives) if self.max_alternatives > 1 else None
        self._last_partial = ""
        self._segments: list[dict[str, Any]] = []

    def accept(self, chunk: AudioChunk) -> Partial | None:
        if self._rec is None:
            self.start()
        data = chunk.samples.astype("<i2").tobytes()
        if self._nbest is not None:
            self._nbest.AcceptWaveform(data)  # its n-best is read once, at the end
        if self._rec.AcceptWaveform(data):
            # Kaldi found an internal endpoint: keep that segment and carry on
            self._segments.append(json.loads(self._rec.Result()))
            return None
        text = json.loads(self._rec.PartialResult()).get("partial", "")
        if text and text != self._last_partial:
            self._last_partial = text
            return Partial(text, chunk.timestamp + chunk.duration)
        return None

    def final(self) -> Transcript:
        if self._rec is None:
            self.start()
        self._segments.append(json.loads(self._rec.FinalResult()))
        alternatives = []
        if self._nbest is not None:
            alternatives = json.loads(self._nbest.FinalResult()).get("alternatives", [])
        self._rec = self._nbest = None
        return _merge(self._segments, alternatives)


def _merge(segments: list[dict[str, Any]], alternatives: list[dict[str, Any]]) -> Transcript:
    """Kaldi results -> one Transcript; segments (split at Kaldi's own endpoints) join in order."""
    texts = [seg.get("text", "").strip() for seg in segments]
    words = [
        Word(w["word"], float(w["start"]), float(w["end"]), float(w.get("conf", 1.0)))
        for seg in segments
        for w in seg.get("result", [])
    ]
    # The n-best "confidence" is an unnormalized total score; a softmax over the list turns it
    # into the share each alternative has among the n best (a 0..1 number callers can compare).
    alts: list[Alternative] = []
    if alternatives:
        scores = [float(a.get("confidence", 0.0)) for a in alternatives]
        top = max(scores)
        weights = [math.exp(s - top) for s in scores]
        total = sum(weights)
        alts = [
            Alternative(a.get("text", "").strip(), w / total)
            for a, w in zip(alternatives, weights, strict=True)
            if a.get("text", "").strip()
        ]
    # word confidences are MBR posteriors (0..1); the utterance gets their mean
    conf = sum(w.confidence for w in words) / len(words) if words else 0.0
    return Transcript(
        text=" ".join(t for t in texts if t),
        confidence=conf,
        words=words,
        alternatives=alts,
        engine="vosk",
    )
