"""Where audio comes from: a WAV file, raw PCM on stdin, synthesized speech, or the microphone.

Every source yields `AudioChunk`s of exactly 80 ms (1280 samples of 16 kHz mono int16, the last
one zero-padded), stamped with seconds since the source started, so the stages after it never
care where the audio came from.
"""

from __future__ import annotations

import contextlib
import queue
import wave
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol

import numpy as np

from runtime.events import FRAME_SAMPLES, SAMPLE_RATE, AudioChunk

RUN_FROM_FILE = "run from a file instead: `--wav FILE`, `--say TEXT`, or raw s16le 16 kHz mono PCM on stdin with `--stdin`"


@dataclass
class AudioSourceError(Exception):
    """Audio input that cannot be opened or read; `message` says what is missing and what to do."""

    message: str

    def __str__(self) -> str:
        return self.message


def chunk_samples(samples: np.ndarray, start: float = 0.0) -> Iterator[AudioChunk]:
    """Cut samples into 80 ms chunks; the last one is padded with silence."""
    samples = np.asarray(samples, dtype=np.int16)
    for i in range(0, len(samples), FRAME_SAMPLES):
        frame = samples[i : i + FRAME_SAMPLES]
        if len(frame) < FRAME_SAMPLES:
            frame = np.concatenate([frame, np.zeros(FRAME_SAMPLES - len(frame), np.int16)])
        yield AudioChunk(frame, start + i / SAMPLE_RATE)


def wav_source(path: str | Path) -> Iterator[AudioChunk]:
    """A WAV file in any rate and channel count."""
    from runtime.audio.wav import read_wav

    try:
        samples = read_wav(path)
    except FileNotFoundError:
        raise AudioSourceError(f"{path}: no such file") from None
    except (wave.Error, EOFError, ValueError, OSError) as e:
        raise AudioSourceError(f"{path}: not a readable WAV file ({e})") from None
    return chunk_samples(samples)


def pcm_source(stream: BinaryIO) -> Iterator[AudioChunk]:
    """Raw s16le 16 kHz mono PCM from a byte stream (stdin), read 80 ms at a time as it arrives."""
    frame_bytes = FRAME_SAMPLES * 2
    t = 0.0
    pending = b""
    while True:
        data = stream.read(frame_bytes - len(pending))
        if not data:
            break
        pending += data
        if len(pending) < frame_bytes:
            continue
        yield AudioChunk(np.frombuffer(pending, dtype="<i2").astype(np.int16), t)
        t += FRAME_SAMPLES / SAMPLE_RATE
        pending = b""
    if len(pending) >= 2:
        yield from chunk_samples(np.frombuffer(pending[: len(pending) // 2 * 2], dtype="<i2"), t)


def silence_padded(samples: np.ndarray, before_s: float = 0.5, after_s: float = 1.5) -> np.ndarray:
    """Speech with room around it: the wake model needs a lead-in, the endpointer trailing silence."""
    pad = lambda s: np.zeros(int(s * SAMPLE_RATE), np.int16)  # noqa: E731
    return np.concatenate([pad(before_s), np.asarray(samples, np.int16), pad(after_s)])


def say_source(
    text: str,
    voice: str = "en-us",
    speed: int = 160,
    pitch: int = 50,
    pad_s: float = 0.5,
    after_s: float | None = None,
) -> Iterator[AudioChunk]:
    """Synthesized speech (espeak-ng) with `pad_s` of silence before (and after, unless `after_s`)."""
    from runtime.audio.tts import TtsUnavailable, synthesize

    if not text.strip():
        raise AudioSourceError("--say needs some text to speak")
    try:
        speech = synthesize(text, voice=voice, speed=speed, pitch=pitch)
    except TtsUnavailable as e:
        raise AudioSourceError(str(e)) from None
    return chunk_samples(silence_padded(speech, pad_s, pad_s if after_s is None else after_s))


# --- microphone ------------------------------------------------------------------------------------


class InputStream(Protocol):
    """What the mic source needs from a sounddevice.RawInputStream (and what tests inject)."""

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def close(self) -> None: ...


# (callback(bytes), samplerate, blocksize, device) -> a started-on-demand stream
StreamFactory = Callable[[Callable[[bytes], None], int, int, "int | str | None"], InputStream]


def _sounddevice() -> Any:
    try:
        import sounddevice
    except OSError as e:  # sounddevice raises OSError when libportaudio is not installed
        raise AudioSourceError(
            f"the microphone needs the PortAudio library ({e}): run `sudo apt-get install libportaudio2`, "
            f"or {RUN_FROM_FILE}"
        ) from None
    return sounddevice


def sounddevice_stream(
    callback: Callable[[bytes], None], samplerate: int, blocksize: int, device: int | str | None
) -> InputStream:
    """The real microphone: a sounddevice RawInputStream in 16-bit mono."""
    sd = _sounddevice()
    try:
        devices = sd.query_devices()
        if not any(d.get("max_input_channels", 0) > 0 for d in devices):
            raise AudioSourceError(f"no input device found (no microphone is connected); {RUN_FROM_FILE}")
        return sd.RawInputStream(
            samplerate=samplerate,
            blocksize=blocksize,
            device=device,
            channels=1,
            dtype="int16",
            callback=lambda data, frames, time, status: callback(bytes(data)),
        )
    except sd.PortAudioError as e:
        raise AudioSourceError(f"cannot open the microphone ({e}); {RUN_FROM_FILE}") from None


def mic_source(
    device: int | str | None = None,
    stream_factory: StreamFactory = sounddevice_stream,
    max_seconds: float | None = None,
    timeout_s: float = 5.0,
) -> Iterator[AudioChunk]:
    """Live microphone audio. The stream's callback runs on PortAudio's thread; a queue hands the
    frames to this generator. `stream_factory` is the seam for tests (there is no mic in CI)."""
    frames: queue.Queue[bytes] = queue.Queue(maxsize=500)  # 40 s; older audio is dropped if we lag

    def on_audio(data: bytes) -> None:
        with contextlib.suppress(queue.Full):
            frames.put_nowait(data)

    stream = stream_factory(on_audio, SAMPLE_RATE, FRAME_SAMPLES, device)
    stream.start()
    try:
        buf = b""
        t = 0.0
        while max_seconds is None or t < max_seconds:
            try:
                buf += frames.get(timeout=timeout_s)
            except queue.Empty:
                raise AudioSourceError(f"the microphone delivered no audio for {timeout_s:.0f} s") from None
            while len(buf) >= FRAME_SAMPLES * 2:
                frame, buf = buf[: FRAME_SAMPLES * 2], buf[FRAME_SAMPLES * 2 :]
                yield AudioChunk(np.frombuffer(frame, dtype="<i2").astype(np.int16), t)
                t += FRAME_SAMPLES / SAMPLE_RATE
    finally:
        stream.stop()
        stream.close()


def concat(sources: Iterable[Iterable[AudioChunk]]) -> Iterator[AudioChunk]:
    """Several sources one after another, with continuous timestamps."""
    t = 0.0
    for source in sources:
        for chunk in source:
            yield AudioChunk(chunk.samples, t)
            t += chunk.duration
