"""Voice activity detection and endpointing: when did the person stop talking?

Two VADs behind one call, `vad.speech_probability(chunk) -> 0..1`:
- Silero VAD, the ONNX model that ships in openWakeWord's wheel (run the way openwakeword/vad.py
  runs it: 16 kHz float frames of 640 samples with the LSTM state carried between calls);
- webrtcvad (the WebRTC GMM VAD), cheaper and cruder, as the alternative.

`Endpointer` turns per-chunk decisions into one utterance: it starts at a wake word (or at once in
push-to-talk mode), ends after `trailing_silence_ms` of non-speech following speech, is capped at
`max_utterance_s`, and records when the last voiced chunk ended (latency is measured from there).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

import numpy as np

from runtime.events import SAMPLE_RATE, AudioChunk


class Vad(Protocol):
    name: str

    def speech_probability(self, chunk: AudioChunk) -> float: ...

    def reset(self) -> None: ...


def silero_model_path() -> Path:
    import openwakeword

    return Path(openwakeword.__file__).parent / "resources" / "models" / "silero_vad.onnx"


class SileroVad:
    """Silero VAD (v4 ONNX with h/c LSTM state) from openWakeWord's wheel, on onnxruntime."""

    name = "silero"
    FRAME = 640  # 40 ms, openWakeWord's choice for this model

    def __init__(self, model_path: str | Path | None = None) -> None:
        import onnxruntime as ort

        path = Path(model_path) if model_path else silero_model_path()
        if not path.exists():
            raise FileNotFoundError(
                f"Silero VAD model not found at {path}: `pip install openwakeword==0.5.1`"
            )
        opts = ort.SessionOptions()
        opts.inter_op_num_threads = 1  # one small frame at a time: threads only add overhead
        opts.intra_op_num_threads = 1
        self.session = ort.InferenceSession(str(path), sess_options=opts, providers=["CPUExecutionProvider"])
        self.sr = np.array(SAMPLE_RATE, dtype=np.int64)
        self.reset()

    def reset(self) -> None:
        self.h = np.zeros((2, 1, 64), dtype=np.float32)
        self.c = np.zeros((2, 1, 64), dtype=np.float32)

    def speech_probability(self, chunk: AudioChunk) -> float:
        x = chunk.samples.astype(np.float32) / 32767.0
        best = 0.0
        for i in range(0, len(x) - self.FRAME + 1, self.FRAME):
            out, self.h, self.c = self.session.run(
                None, {"input": x[None, i : i + self.FRAME], "h": self.h, "c": self.c, "sr": self.sr}
            )
            best = max(best, float(out[0][0]))
        return best


class WebrtcVad:
    """webrtcvad on 20 ms frames; the chunk's probability is the fraction of voiced frames."""

    name = "webrtc"
    FRAME = 320

    def __init__(self, aggressiveness: int = 2) -> None:
        import webrtcvad

        self.vad = webrtcvad.Vad(aggressiveness)

    def reset(self) -> None:
        pass

    def speech_probability(self, chunk: AudioChunk) -> float:
        raw = chunk.samples.astype("<i2")
        frames = [raw[i : i + self.FRAME] for i in range(0, len(raw) - self.FRAME + 1, self.FRAME)]
        if not frames:
            return 0.0
        voiced = sum(self.vad.is_speech(f.tobytes(), SAMPLE_RATE) for f in frames)
        return voiced / len(frames)


def create_vad(kind: Literal["silero", "webrtc"] = "silero") -> Vad:
    if kind == "silero":
        return SileroVad()
    if kind == "webrtc":
        return WebrtcVad()
    raise ValueError(f"unknown VAD '{kind}' (expected silero or webrtc)")


EndReason = Literal["silence", "max_length", "no_speech", "end_of_stream"]

WAKE_TAIL_S = 0.32  # longest wait for the pause after the wake word; with none, the request is
# what was said from the wake on (WakeTail)
PAUSE_S = 0.15  # unvoiced for this long is the pause after it; shorter is inside the word ("ale|xa")
REQUEST_ONSET_S = 1.5  # after that pause, longest wait for the request to begin
# The quiet kept before the request's first voiced chunk: a request's unvoiced onset (the "s" of
# "stop", the "p" of "previous") falls in chunks the VAD calls silence. Without it, 16 of 208
# woken commands of benchmarks/audio.py's loop were rejected ("stop" heard as "are the").
REQUEST_PREROLL_S = 0.24
# The audio the VAD hears, from a reset state, before it judges the chunk a wake word fired in. Silero
# without it calls most voiced chunks silence (on 48 woken clips it got 22 of those chunks wrong with no
# context, 2 with 80 ms, none with 400 ms).
WAKE_CONTEXT_S = 0.4


@dataclass
class WakeTail:
    """When the request after a wake word begins.

    The wake model often fires before the word has quite ended (fired_in: when it fires after).
    Listening from there, a decoder hears the word's tail as garbage, and at a slow pace the tail
    plus the pause after it is enough trailing silence to end the utterance before the request
    begins ("alexa ... set the oven to 58 degrees" heard as "enough", rejected). So wait for the
    pause after the word, then for the request's first voiced chunk. No pause within WAKE_TAIL_S
    ("alexa turn on ...", said in one breath): the request starts with the chunk right after the
    one the model fired in, the chunks heard while waiting kept (`said`). Starting WAKE_TAIL_S
    after it, as before, cut the request's first words ("alexa pause the music" heard as "the
    music", "what's the temperature" as "temperature", rejected): in one breath the request began
    before then, and what is left of the word after the chunk the model fires in costs the decoder
    less than the words lost (WER of one-breath requests through the runtime: alexa 51 -> 21%,
    hey_mycroft 52 -> 9%). No request within REQUEST_ONSET_S of the pause: start anyway and let
    the endpointer call it a false wake.
    """

    deadline: float
    pause_seen: bool = False
    unvoiced_s: float = 0.0  # the unvoiced stretch so far, before the pause is seen
    quiet: list[AudioChunk] = field(default_factory=list)  # the last REQUEST_PREROLL_S of the pause
    said: list[AudioChunk] = field(default_factory=list)  # the chunks since the wake, until a pause

    @classmethod
    def after(cls, t: float) -> WakeTail:
        """The wake word fired in the chunk ending at `t`."""
        return cls(t + WAKE_TAIL_S)

    @classmethod
    def fired_in(cls, chunk: AudioChunk, speech: bool) -> WakeTail:
        """The wake word fired in `chunk`; `speech`: the VAD's verdict on it (heard in context).

        A model can fire after the word has ended: hey_jarvis fires about 0.1 s late, any model does
        in fast speech. Then `chunk` is already the pause, often most of it ("hey jarvis, set ..."
        leaves ~0.17 s between the words), and waiting for PAUSE_S more took the request's first
        words for the word's tail ("pause the music" heard as "is the music off"). So the pause is
        seen: the request starts with the next voiced chunk, `chunk` kept as the quiet before it.
        """
        end = chunk.timestamp + chunk.duration
        if speech:
            return cls.after(end)
        return cls(end + REQUEST_ONSET_S, pause_seen=True, quiet=[chunk])

    def request_starts(self, start: float, end: float, speech: bool) -> bool:
        """Does the request start with the chunk [start, end) (`speech`: the VAD's verdict on it)?"""
        if not self.pause_seen:
            if speech:
                self.unvoiced_s = 0.0
                return end >= self.deadline
            self.unvoiced_s += end - start
            if self.unvoiced_s >= PAUSE_S:
                self.pause_seen = True
                self.deadline = end + REQUEST_ONSET_S
            return False
        return speech or end >= self.deadline

    def feed(self, chunk: AudioChunk, speech: bool) -> list[AudioChunk]:
        """The request's first chunks once it starts with `chunk` (after a pause: the quiet just
        before it, then `chunk`; with none: every chunk since the wake, then `chunk`); [] while it
        has not."""
        end = chunk.timestamp + chunk.duration
        if self.request_starts(chunk.timestamp, end, speech):
            return [*self.quiet, chunk] if self.pause_seen else [*self.said, chunk]
        self.said = [] if self.pause_seen else [*self.said, chunk]
        if self.pause_seen and not speech:
            self.quiet = [
                c for c in (*self.quiet, chunk) if c.timestamp + c.duration > end - REQUEST_PREROLL_S
            ]
        else:
            self.quiet = []
        return []


@dataclass
class Utterance:
    samples: np.ndarray
    start: float  # source time of the first sample
    end: float  # source time just after the last sample
    last_voiced: float | None  # end of the last chunk judged speech; None if nobody spoke
    reason: EndReason


@dataclass
class Endpointer:
    """Collects one utterance at a time. Call `begin(t)`, then `process(chunk)` until it returns
    the `Utterance`; `finish()` ends it early (end of the stream)."""

    vad: Vad
    trailing_silence_ms: int = 600
    max_utterance_s: float = 10.0
    threshold: float = 0.5
    no_speech_timeout_s: float = 5.0  # give up if nobody starts talking after the wake word
    active: bool = False
    _chunks: list[np.ndarray] = field(default_factory=list)
    _start: float = 0.0
    _end: float = 0.0
    _last_voiced: float | None = None
    _silence: float = 0.0
    last_probability: float = 0.0  # the VAD's verdict on the latest chunk (the VAD has state: ask here,
    # not the VAD again, or its LSTM sees the chunk twice)

    @property
    def voiced_until(self) -> float | None:
        """End of the last voiced chunk of the utterance being collected (None if none yet)."""
        return self._last_voiced if self.active else None

    @property
    def is_speech(self) -> bool:
        """Whether the latest chunk was judged speech."""
        return self.last_probability >= self.threshold

    def hears_speech(self, chunk: AudioChunk, context: Sequence[AudioChunk] = ()) -> bool:
        """The VAD's verdict on a chunk outside an utterance (the wake word's tail, a follow-up, a
        barge-in). begin() resets the VAD's state before the endpointer's own pass, so this extra
        look never leaks into it. `context`: the audio just before `chunk`, heard first from a reset
        state (see WAKE_CONTEXT_S), when the VAD has not been listening."""
        vad = self.vad
        if context:
            # a copy (the VADs rebind their state, never change it in place): the verdicts on the
            # chunks that follow stay what they were without this look
            vad = copy.copy(self.vad)
            vad.reset()
            for c in context:
                vad.speech_probability(c)
        return bool(vad.speech_probability(chunk) >= self.threshold)

    def begin(self, t: float) -> None:
        self.active = True
        self._chunks, self._start, self._end = [], t, t
        self._last_voiced, self._silence = None, 0.0
        self.vad.reset()

    def process(self, chunk: AudioChunk) -> Utterance | None:
        if not self.active:
            self.begin(chunk.timestamp)
        self._chunks.append(chunk.samples)
        self._end = chunk.timestamp + chunk.duration
        self.last_probability = self.vad.speech_probability(chunk)
        if self.last_probability >= self.threshold:
            self._last_voiced, self._silence = self._end, 0.0
        else:
            self._silence += chunk.duration
        length = self._end - self._start
        if self._last_voiced is not None and self._silence * 1000 >= self.trailing_silence_ms:
            return self._done("silence")
        if length >= self.max_utterance_s:
            return self._done("max_length")
        if self._last_voiced is None and length >= self.no_speech_timeout_s:
            return self._done("no_speech")
        return None

    def finish(self) -> Utterance | None:
        return self._done("end_of_stream") if self.active and self._chunks else None

    def _done(self, reason: EndReason) -> Utterance:
        self.active = False
        samples = np.concatenate(self._chunks) if self._chunks else np.zeros(0, np.int16)
        self._chunks = []
        return Utterance(samples, self._start, self._end, self._last_voiced, reason)
