"""Speech synthesis with espeak-ng: the `--say` source, spoken answers, and the tests' speech."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

INSTALL_HINT = "espeak-ng is not installed: run `sudo apt-get install espeak-ng` (Debian, Raspberry Pi OS)"


class TtsUnavailable(RuntimeError):
    pass


def espeak_path() -> str:
    path = shutil.which("espeak-ng")
    if path is None:
        raise TtsUnavailable(INSTALL_HINT)
    return path


def synthesize(
    text: str,
    voice: str = "en-us",
    speed: int = 160,
    pitch: int = 50,
    gap_ms: int = 0,
    amplitude: int = 100,
) -> np.ndarray:
    """Speak `text` into 16 kHz mono int16 samples.

    espeak-ng writes 22.05 kHz; it is resampled here (polyphase, band-limited) so callers never
    see another rate. `speed` is words per minute, `pitch` 0-99, `gap_ms` pause between words,
    `amplitude` espeak-ng's loudness (100 its default; above about 130 the peaks clip).
    """
    exe = espeak_path()
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "say.wav"
        cmd = [exe, "-v", voice, "-s", str(speed), "-p", str(pitch), "-a", str(amplitude), "-w", str(wav)]
        if gap_ms:
            cmd += ["-g", str(max(1, gap_ms // 10))]
        subprocess.run([*cmd, "--", text], check=True, capture_output=True)
        from runtime.audio.wav import read_wav  # local import: wav.py imports numpy/scipy lazily

        return read_wav(wav)
