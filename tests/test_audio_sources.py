"""Audio sources: WAV in any format, raw PCM, synthesized speech, and the microphone path."""

from __future__ import annotations

import io
import sys
import threading
import wave
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from runtime.audio import sources
from runtime.audio.sources import (
    AudioSourceError,
    chunk_samples,
    mic_source,
    pcm_source,
    say_source,
    sounddevice_stream,
    wav_source,
)
from runtime.events import FRAME_SAMPLES


def _write(path: Path, data: np.ndarray, rate: int, channels: int) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(data.astype("<i2").tobytes())


def test_wav_source_resamples_stereo_44k_into_80ms_chunks(tmp_path: Path) -> None:
    t = np.arange(44100) / 44100
    tone = (8000 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)
    _write(tmp_path / "s.wav", np.stack([tone, tone], axis=1).reshape(-1), 44100, 2)
    chunks = list(wav_source(tmp_path / "s.wav"))
    assert all(len(c.samples) == FRAME_SAMPLES and c.samples.dtype == np.int16 for c in chunks)
    assert len(chunks) == 13  # 1 s = 12.5 chunks, the last padded
    assert [round(c.timestamp, 2) for c in chunks[:3]] == [0.0, 0.08, 0.16]
    spectrum = np.abs(np.fft.rfft(np.concatenate([c.samples for c in chunks[:12]])))
    assert abs(np.argmax(spectrum) * 16000 / len(spectrum) / 2 - 440) < 5  # still a 440 Hz tone


def test_wav_source_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(AudioSourceError, match="missing.wav: no such file"):
        wav_source(tmp_path / "missing.wav")
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"not a wav at all")
    with pytest.raises(AudioSourceError, match="bad.wav: not a readable WAV file"):
        wav_source(bad)


def test_pcm_source_reads_partial_reads_and_a_short_tail() -> None:
    samples = np.arange(FRAME_SAMPLES * 2 + 100, dtype=np.int16)

    class Trickle(io.BytesIO):
        def read(self, n: int | None = -1) -> bytes:  # a pipe hands out bytes in odd pieces
            return super().read(min(n if n and n > 0 else 999, 777))

    chunks = list(pcm_source(Trickle(samples.astype("<i2").tobytes())))
    assert len(chunks) == 3
    assert np.array_equal(np.concatenate([c.samples for c in chunks])[: len(samples)], samples)
    assert np.all(chunks[-1].samples[100:] == 0)


def test_say_source_pads_speech_with_silence() -> None:
    chunks = list(say_source("turn on the light", pad_s=0.5))
    audio = np.concatenate([c.samples for c in chunks])
    assert np.all(audio[:7000] == 0) and np.abs(audio).max() > 3000
    with pytest.raises(AudioSourceError, match="needs some text"):
        say_source("  ")


def test_chunk_samples_timestamps_are_continuous() -> None:
    chunks = list(chunk_samples(np.ones(5000, np.int16), start=2.0))
    assert [c.timestamp for c in chunks] == pytest.approx([2.0, 2.08, 2.16, 2.24])


class FakeStream:
    """Stands in for PortAudio only: it calls the real source's callback from another thread."""

    def __init__(self, callback: Callable[[bytes], None], audio: np.ndarray, block: int) -> None:
        self.callback, self.audio, self.block = callback, audio, block
        self.started = self.stopped = self.closed = False
        self.thread = threading.Thread(target=self._feed, daemon=True)

    def _feed(self) -> None:
        for i in range(0, len(self.audio), self.block):
            self.callback(self.audio[i : i + self.block].astype("<i2").tobytes())

    def start(self) -> None:
        self.started = True
        self.thread.start()

    def stop(self) -> None:
        self.stopped = True

    def close(self) -> None:
        self.closed = True


def test_mic_source_reassembles_callback_blocks_into_chunks(say: Callable[..., np.ndarray]) -> None:
    speech = say("hey jarvis")
    made: list[FakeStream] = []

    def factory(callback: Callable[[bytes], None], rate: int, block: int, device: object) -> FakeStream:
        assert rate == 16000 and block == FRAME_SAMPLES
        made.append(FakeStream(callback, speech, 1000))  # blocks that don't line up with chunks
        return made[-1]

    n = len(speech) // FRAME_SAMPLES
    chunks = list(mic_source(stream_factory=factory, max_seconds=n * 0.08 - 0.01))
    assert len(chunks) == n
    assert np.array_equal(np.concatenate([c.samples for c in chunks]), speech[: n * FRAME_SAMPLES])
    assert made[0].started and made[0].stopped and made[0].closed


def test_mic_without_input_device_says_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    import sounddevice

    monkeypatch.setattr(sounddevice, "query_devices", lambda: [{"name": "hdmi", "max_input_channels": 0}])
    with pytest.raises(AudioSourceError) as e:
        sounddevice_stream(lambda b: None, 16000, FRAME_SAMPLES, None)
    assert "no input device found" in str(e.value) and "--wav FILE" in str(e.value)


def test_mic_without_portaudio_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    # sounddevice raises OSError at import when libportaudio2 is missing
    class NoPortAudio:
        def find_spec(self, name: str, *args: object) -> None:
            if name == "sounddevice":
                raise OSError("PortAudio library not found")

    monkeypatch.delitem(sys.modules, "sounddevice", raising=False)
    monkeypatch.setattr(sys, "meta_path", [NoPortAudio(), *sys.meta_path])
    with pytest.raises(AudioSourceError) as e:
        list(mic_source())
    assert "sudo apt-get install libportaudio2" in str(e.value) and "--say TEXT" in str(e.value)
    assert sources.RUN_FROM_FILE in str(e.value)
