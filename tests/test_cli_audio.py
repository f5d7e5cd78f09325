"""`ambient wake`, `ambient asr` and `ambient listen` as a user runs them: subprocesses, JSON lines."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from runtime.audio.wav import write_wav

Say = Callable[..., np.ndarray]
ROOT = Path(__file__).resolve().parent.parent


def ambient(*args: str, stdin: bytes | None = None, tmp: Path) -> subprocess.CompletedProcess[bytes]:
    env = {"AMBIENT_CACHE": str(tmp / "cache"), "PATH": "/usr/bin:/bin:/usr/sbin"}
    return subprocess.run(
        [sys.executable, "-m", "runtime.cli", *args], input=stdin, capture_output=True, cwd=ROOT,
        env=env, timeout=120,
    )  # fmt: skip


def lines(proc: subprocess.CompletedProcess[bytes]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in proc.stdout.decode().splitlines() if line.strip()]


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * 16000), np.int16)


@pytest.fixture(scope="module")
def wavs(tmp_path_factory: pytest.TempPathFactory, say: Say) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("wavs")
    clips = {
        "jarvis": np.concatenate([silence(0.5), say("hey jarvis"), silence(0.5)]),
        "plain": np.concatenate([silence(0.5), say("what is the weather like today"), silence(0.5)]),
        "command": np.concatenate([silence(0.3), say("turn on the kitchen light"), silence(0.3)]),
        "news": np.concatenate(
            [silence(0.3), say("stock markets fell sharply on monday morning"), silence(0.3)]
        ),
        "turn": np.concatenate(
            [silence(0.5), say("hey my croft"), silence(0.4), say("turn off the bedroom light"), silence(1.5)]
        ),  # fmt: skip
    }
    paths = {}
    for name, audio in clips.items():
        paths[name] = d / f"{name}.wav"
        write_wav(paths[name], audio)
    return paths


def test_ambient_wake_prints_one_line_per_file(wavs: dict[str, Path], tmp_path: Path) -> None:
    missing = tmp_path / "missing.wav"
    proc = ambient("wake", str(wavs["jarvis"]), str(wavs["plain"]), str(missing), tmp=tmp_path)
    out = lines(proc)
    assert proc.returncode == 1  # one file could not be read; the others were still processed
    assert [o["path"] for o in out] == [str(wavs["jarvis"]), str(wavs["plain"]), str(missing)]
    (det,) = out[0]["detections"]
    assert det["model"] == "hey_jarvis" and det["score"] >= 0.5 and 0.5 < det["time"] < 2.0
    assert out[1]["detections"] == []
    assert "no such file" in out[2]["error"]


def test_ambient_asr_transcribes_and_rejects(wavs: dict[str, Path], tmp_path: Path) -> None:
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF....WAVEjunk")
    proc = ambient("asr", str(wavs["command"]), str(broken), str(wavs["news"]), tmp=tmp_path)
    assert proc.returncode == 1, proc.stderr.decode()  # one bad file; the others still transcribed
    command, bad, news = lines(proc)
    assert bad["path"] == str(broken) and "not a readable WAV file" in bad["error"]
    assert command["path"] == str(wavs["command"])
    assert command["text"] == "turn on the kitchen light" and not command["rejected"]
    assert 0 < command["confidence"] <= 1 and [w["text"] for w in command["words"]] == command["text"].split()
    assert news["rejected"] and news["reject_reason"].startswith("out of grammar")


def test_ambient_listen_wake_then_command_from_a_wav(wavs: dict[str, Path], tmp_path: Path) -> None:
    proc = ambient("listen", "--wav", str(wavs["turn"]), tmp=tmp_path)
    assert proc.returncode == 0, proc.stderr.decode()
    events = lines(proc)
    types = [e["type"] for e in events]
    assert types[0] == "wake" and events[0]["model"] == "hey_mycroft"
    assert "partial" in types and types[-1] == "final" and types.count("final") == 1
    final = events[-1]
    assert final["text"] == "turn off the bedroom light" and not final["rejected"]
    assert final["reason"] == "silence" and final["start"] < final["last_voiced"] < final["end"]


def test_ambient_listen_skips_the_end_of_a_slowly_said_wake_word(say: Say, tmp_path: Path) -> None:
    # "alexa" said slowly fires the model mid-word; listening from there, its tail plus the pause
    # made 600 ms of silence before the request, which was cut off ("enough", rejected)
    voice = {"voice": "en-us+f3", "speed": 130, "pitch": 60}
    clip = [silence(0.5), say("alexa", **voice), silence(0.4), say("mute the sonos", **voice), silence(1.5)]
    write_wav(tmp_path / "slow.wav", np.concatenate(clip))
    proc = ambient("listen", "--wav", str(tmp_path / "slow.wav"), tmp=tmp_path)
    assert proc.returncode == 0, proc.stderr.decode()
    events = lines(proc)
    wake, final = events[0], events[-1]
    assert (wake["type"], wake["model"], final["type"]) == ("wake", "alexa", "final"), events
    assert (final["text"], final["rejected"]) == ("mute the sonos", False), events
    assert final["start"] > wake["time"] + 0.3  # the request began after the wake word's tail and pause


def test_ambient_listen_reads_raw_pcm_on_stdin(wavs: dict[str, Path], tmp_path: Path) -> None:
    from runtime.audio.wav import read_wav

    pcm = read_wav(wavs["turn"]).astype("<i2").tobytes()
    proc = ambient("listen", "--stdin", "--no-partials", stdin=pcm, tmp=tmp_path)
    assert proc.returncode == 0, proc.stderr.decode()
    assert [e["type"] for e in lines(proc)] == ["wake", "final"]
    assert lines(proc)[-1]["text"] == "turn off the bedroom light"


def test_ambient_listen_push_to_talk_with_say(tmp_path: Path) -> None:
    proc = ambient("listen", "--no-wake", "--say", "lock the front door", "--vad", "webrtc", tmp=tmp_path)
    assert proc.returncode == 0, proc.stderr.decode()
    finals = [e for e in lines(proc) if e["type"] == "final"]
    assert [f["text"] for f in finals] == ["lock the front door"]


def test_ambient_listen_without_a_microphone_says_what_to_do(tmp_path: Path) -> None:
    # this machine has no capture device: the real sounddevice path must say so and how to go on
    proc = ambient("listen", tmp=tmp_path)
    assert proc.returncode == 2
    err = proc.stderr.decode()
    assert "no input device found" in err and "--wav FILE" in err and "--say TEXT" in err
