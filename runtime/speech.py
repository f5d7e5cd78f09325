"""Spoken responses, and stopping them when the person talks over the assistant (barge-in).

A response is synthesized with espeak-ng and written to an `AudioSink` in 80 ms blocks from a
background thread, so the pipeline keeps listening while the assistant talks; `Speaker.stop()`
cuts it off between two blocks. Sinks: sounddevice when PortAudio has an output device, else
`aplay`/`paplay`, else none (the response is only printed and published). Tests inject a sink.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from typing import Protocol

import numpy as np

from runtime.events import FRAME_SAMPLES, SAMPLE_RATE

log = logging.getLogger(__name__)

# how fast responses are spoken (espeak-ng words per minute): "speak slower" steps it down
NORMAL_WPM, SLOWEST_WPM, FASTEST_WPM, WPM_STEP = 160, 100, 250, 30
# how loud (espeak-ng's amplitude): "speak up" steps it up; past 160 it only clips more
NORMAL_AMPLITUDE, QUIETEST_AMPLITUDE, LOUDEST_AMPLITUDE, AMPLITUDE_STEP = 100, 40, 160, 30


class AudioSink(Protocol):
    """Plays 16 kHz mono int16 blocks; `write` returns about when the block has been played."""

    def write(self, samples: np.ndarray) -> None: ...

    def close(self) -> None: ...


class SounddeviceSink:
    def __init__(self) -> None:
        import sounddevice as sd

        self._stream = sd.OutputStream(samplerate=SAMPLE_RATE, channels=1, dtype="int16")
        self._stream.start()

    def write(self, samples: np.ndarray) -> None:
        self._stream.write(samples.reshape(-1, 1))

    def close(self) -> None:
        self._stream.stop()
        self._stream.close()


class CommandSink:
    """Raw PCM into `aplay` or `paplay` on stdin; paced by us, since a pipe accepts data early."""

    def __init__(self, argv: list[str]) -> None:
        self._proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self._t0: float | None = None
        self._played = 0.0

    def write(self, samples: np.ndarray) -> None:
        assert self._proc.stdin is not None
        self._proc.stdin.write(samples.astype("<i2").tobytes())
        self._proc.stdin.flush()
        self._t0 = self._t0 or time.monotonic()
        self._played += len(samples) / SAMPLE_RATE
        ahead = self._t0 + self._played - time.monotonic()
        if ahead > 0.1:  # keep at most ~100 ms queued so a stop is heard promptly
            time.sleep(ahead - 0.1)

    def close(self) -> None:
        if self._proc.stdin is not None:
            self._proc.stdin.close()
        try:
            self._proc.wait(2)
        except subprocess.TimeoutExpired:
            self._proc.kill()


def default_sink() -> Callable[[], AudioSink] | None:
    """A factory for the best available output, or None (with the reason logged) when there is none."""
    try:
        import sounddevice as sd

        sd.query_devices(kind="output")
        return SounddeviceSink
    except Exception as e:  # OSError without PortAudio, ValueError/PortAudioError without a device
        log.info("no sounddevice output (%s); trying aplay/paplay", e)
    if shutil.which("aplay"):
        return lambda: CommandSink(
            ["aplay", "-q", "-t", "raw", "-f", "S16_LE", "-r", str(SAMPLE_RATE), "-c", "1"]
        )
    if shutil.which("paplay"):
        return lambda: CommandSink(
            ["paplay", "--raw", "--format=s16le", f"--rate={SAMPLE_RATE}", "--channels=1"]
        )
    log.info("no audio output found: responses are printed and published only")
    return None


class Speaker:
    """Speaks one response at a time in a background thread; `stop()` interrupts it."""

    def __init__(
        self,
        sink_factory: Callable[[], AudioSink] | None,
        synthesize: Callable[[str], np.ndarray] | None = None,
    ) -> None:
        self.speed_wpm = (
            NORMAL_WPM  # "speak slower": what espeak-ng is asked for (an injected voice keeps its own)
        )
        self.amplitude = NORMAL_AMPLITUDE  # "speak up"
        if synthesize is None:
            from runtime.audio.tts import synthesize as espeak

            synthesize = lambda text: espeak(text, speed=self.speed_wpm, amplitude=self.amplitude)  # noqa: E731
        self._synthesize = synthesize
        self._sink_factory = sink_factory
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._done = threading.Event()
        self._done.set()
        self.interrupted = False

    @property
    def available(self) -> bool:
        return self._sink_factory is not None

    @property
    def speaking(self) -> bool:
        return not self._done.is_set()

    def say(self, text: str, on_done: Callable[[bool], None] | None = None) -> bool:
        """Start speaking `text` (replacing any current response). Returns False if nothing can speak.

        `on_done(interrupted)` runs in the speaker thread when the response ends or is stopped.
        """
        if self._sink_factory is None or not text:
            return False
        try:
            samples = self._synthesize(text)
        except Exception as e:  # espeak-ng missing or failing: a printed answer still stands
            log.warning("cannot speak the response: %s", e)
            return False
        self.stop()
        with self._lock:
            self._stop = threading.Event()
            self._done = threading.Event()
            self.interrupted = False
            self._thread = threading.Thread(
                target=self._play,
                args=(samples, self._stop, self._done, on_done),
                name="speaker",
                daemon=True,
            )
            self._thread.start()
        return True

    def stop(self) -> bool:
        """Cut the current response short. True if something was playing."""
        with self._lock:
            was_speaking = self.speaking
            self._stop.set()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(2)
        return was_speaking

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)

    def _play(
        self,
        samples: np.ndarray,
        stop: threading.Event,
        done: threading.Event,
        on_done: Callable[[bool], None] | None,
    ) -> None:
        interrupted = False
        try:
            assert self._sink_factory is not None
            sink = self._sink_factory()
            try:
                for i in range(0, len(samples), FRAME_SAMPLES):
                    if stop.is_set():
                        interrupted = True
                        break
                    sink.write(samples[i : i + FRAME_SAMPLES])
            finally:
                sink.close()
        except Exception as e:
            log.warning("audio output failed: %s", e)
        finally:
            self.interrupted = interrupted
            done.set()
            if on_done is not None:
                on_done(interrupted)
