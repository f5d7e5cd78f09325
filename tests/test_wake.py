"""openWakeWord on synthesized speech: wake words fire once, near-misses and ordinary speech don't."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from runtime import wake
from runtime.audio.sources import chunk_samples
from runtime.config import Config, WakeModel, parse_config
from runtime.events import AudioChunk, Wake
from runtime.wake import WakeDetector, WakeModelError, bundled_models_dir, from_config

Say = Callable[..., np.ndarray]
VOICES = [("en-us", 160, 50), ("en-gb", 140, 40), ("en-us+m3", 180, 60), ("en-gb+f2", 150, 50)]
# espeak-ng phrasings that the bundled models hear as their wake word ("hey mycroft" is not
# one: espeak stresses it differently, "hey my croft" is)
WAKE_PHRASES = {"alexa": "alexa", "hey_jarvis": "hey jarvis", "hey_mycroft": "hey my croft"}


@pytest.fixture(scope="module")
def detector() -> WakeDetector:
    models = [WakeModel(name, 0.5) for name in WAKE_PHRASES]
    return WakeDetector(models, engine="onnx", refractory_s=2.0)


def detect(detector: WakeDetector, audio: np.ndarray) -> list[Wake]:
    detector.reset()
    pad = np.zeros(8000, np.int16)
    return [w for c in chunk_samples(np.concatenate([pad, audio, pad])) for w in detector.process(c)]


def test_each_wake_word_is_detected_across_voices(detector: WakeDetector, say: Say) -> None:
    misses = []
    for model, phrase in WAKE_PHRASES.items():
        for voice, speed, pitch in VOICES:
            wakes = detect(detector, say(phrase, voice=voice, speed=speed, pitch=pitch))
            if [w.model for w in wakes] != [model]:
                misses.append((model, voice, [(w.model, round(w.score, 2)) for w in wakes]))
    assert len(misses) <= 1, misses  # 12 trials; one miss allowed (espeak's f2 voice is the weakest)


def test_detection_time_is_at_the_end_of_the_wake_word(detector: WakeDetector, say: Say) -> None:
    speech = say("hey jarvis")
    (wake,) = detect(detector, speech)
    end_of_speech = (8000 + np.flatnonzero(np.abs(speech) > 500)[-1]) / 16000
    assert end_of_speech - 0.3 < wake.timestamp < end_of_speech + 0.6
    assert 0.5 <= wake.score <= 1.0


@pytest.mark.parametrize(
    "text",
    [
        "turn on the kitchen light",
        "what is the weather like today",
        "alex",
        "hey travis",
        "hello there, how are you",
        "the jar is on the shelf",
        "hey mike",  # ("hey microphone" does wake hey_mycroft in en-gb: a known false accept)
    ],
)
def test_near_misses_and_ordinary_speech_do_not_wake(detector: WakeDetector, say: Say, text: str) -> None:
    for voice, speed, pitch in VOICES[:2]:
        assert detect(detector, say(text, voice=voice, speed=speed, pitch=pitch)) == []


# Voices outside the benchmark's whose peak score swung with where the 80 ms frame boundaries fell
# (at offsets 0/20/40/60 ms: 0.74 0.98 0.98 0.39 and 0.79 0.35 0.69 0.75 with one phase and a plain
# reset; 0.95 or more and 0.91 or more with the half-frame phase and the quiet-room reset).
ALIGNMENT_SENSITIVE = [("alexa", "en-us+f2", 140), ("hey_mycroft", "en-us+m4", 170)]


@pytest.mark.parametrize(("model", "voice", "speed"), ALIGNMENT_SENSITIVE)
def test_detection_does_not_depend_on_frame_alignment(
    detector: WakeDetector, say: Say, model: str, voice: str, speed: int
) -> None:
    speech = say(WAKE_PHRASES[model], voice=voice, speed=speed, pitch=50)
    for offset in (0, 320, 640, 960):  # 0-60 ms within an 80 ms frame
        wakes = detect(detector, np.concatenate([np.zeros(offset, np.int16), speech]))
        assert [w.model for w in wakes] == [model], (offset, [(w.model, round(w.score, 2)) for w in wakes])


def test_reset_forgets_what_was_heard(detector: WakeDetector, say: Say) -> None:
    jarvis = say("hey jarvis", voice="en-us+m7")
    first = detect(detector, jarvis)
    for c in chunk_samples(say("what is the weather like today")):
        detector.process(c)
    again = detect(detector, jarvis)  # detect() resets first
    assert [(w.model, w.score, w.timestamp) for w in again] == [
        (w.model, w.score, w.timestamp) for w in first
    ]
    assert [w.model for w in first] == ["hey_jarvis"]


def test_refractory_period_gives_one_wake_per_utterance_window(say: Say) -> None:
    alexa = say("alexa")
    gap = np.zeros(int(0.3 * 16000), np.int16)
    twice_quickly = np.concatenate([alexa, gap, alexa])
    long_gap = np.zeros(int(3.0 * 16000), np.int16)
    twice_apart = np.concatenate([alexa, long_gap, alexa])
    strict = WakeDetector([WakeModel("alexa", 0.5)], refractory_s=2.0)
    assert len(detect(strict, twice_quickly)) == 1
    assert len(detect(strict, twice_apart)) == 2
    eager = WakeDetector([WakeModel("alexa", 0.5)], refractory_s=0.0)
    # without a refractory period one spoken word fires on several consecutive frames
    assert len(detect(eager, alexa)) > 1


def test_per_model_thresholds(say: Say) -> None:
    picky = WakeDetector([WakeModel("alexa", 0.999999), WakeModel("hey_jarvis", 0.5)])
    assert [w.model for w in detect(picky, say("alexa", voice="en-us+m3"))] == []
    assert [w.model for w in detect(picky, say("hey jarvis"))] == ["hey_jarvis"]


def test_tflite_engine_detects_too(say: Say) -> None:
    tfl = WakeDetector([WakeModel("hey_mycroft", 0.5)], engine="tflite")
    assert [w.model for w in detect(tfl, say("hey my croft"))] == ["hey_mycroft"]
    assert detect(tfl, say("turn off the fan")) == []


def test_custom_model_file_by_path(tmp_path: Path, say: Say) -> None:
    custom = tmp_path / "computer.onnx"
    shutil.copy(next(bundled_models_dir().glob("hey_jarvis_v*.onnx")), custom)
    det = WakeDetector([WakeModel(str(custom), 0.5)])
    assert det.names == ["computer"]
    assert [w.model for w in detect(det, say("hey jarvis"))] == ["computer"]


def test_unknown_or_missing_models_say_what_exists(tmp_path: Path) -> None:
    with pytest.raises(WakeModelError, match="unknown wake word model 'okay_nabu'.*alexa"):
        WakeDetector([WakeModel("okay_nabu")])
    with pytest.raises(WakeModelError, match="not found"):
        WakeDetector([WakeModel(str(tmp_path / "nope.onnx"))])
    with pytest.raises(ValueError, match="80 ms"):
        WakeDetector([WakeModel("alexa")]).process(AudioChunk(np.zeros(640, np.int16), 0.0))


def test_half_frame_can_be_turned_off_for_slow_boards(say: Say) -> None:
    """`wake.half_frame: false` scores the on-time phase only: never higher, lower where the
    frame boundaries fall badly (what a board short of CPU gives up for a little less CPU)."""
    speech = say(WAKE_PHRASES["alexa"], voice="en-us+f2", speed=140, pitch=50)
    both = WakeDetector([WakeModel("alexa", 0.5)])
    one = WakeDetector([WakeModel("alexa", 0.5)], half_frame=False)

    def peak(detector: WakeDetector, offset: int) -> float:
        detector.reset()
        audio = np.concatenate([np.zeros(8000 + offset, np.int16), speech, np.zeros(8000, np.int16)])
        return max(detector.scores(c)["alexa"] for c in chunk_samples(audio))

    peaks = [(peak(both, o), peak(one, o)) for o in (0, 320, 640, 960)]
    assert all(b >= o for b, o in peaks), peaks
    # one phase misses this "alexa" at some offsets (peaks 0.58 0.97 0.99 0.36); two never do
    assert min(o for _, o in peaks) < 0.5 <= min(b for b, _ in peaks), peaks


def test_half_frame_is_read_from_the_config(config: Config) -> None:
    assert config.wake.half_frame is True
    example = Path(__file__).parent.parent / "devices.yaml"
    text = example.read_text().replace("half_frame: true", "half_frame: false", 1)
    off = parse_config(text, str(example))
    assert off.wake.half_frame is False
    assert from_config(off).half_frame is False


def test_late_phase_is_judged_only_near_a_wake_word(say: Say, monkeypatch: pytest.MonkeyPatch) -> None:
    """The late phase's embeddings and models run only while the on-time phase hears something
    wake-like; there, having caught up on the chunks it skipped, it scores as an always-on one."""
    sentence = say("the weather was lovely on our walk this morning", voice="en-gb", speed=150)
    alexa = say(WAKE_PHRASES["alexa"], voice="en-us+f2", speed=140, pitch=50)
    # "alexa" starting on a chunk boundary: the on-time phase alone misses it (offset 960 above)
    before = np.concatenate([sentence, np.zeros(16000, np.int16)])
    before = np.concatenate([before, np.zeros(-len(before) % 1280, np.int16)])
    audio = np.concatenate([before, alexa, np.zeros(8000, np.int16)])

    def run(detector: WakeDetector) -> tuple[list[float], int]:
        judged = 0
        scores = detector._late.scores

        def counted() -> dict[str, float]:
            nonlocal judged
            judged += 1
            return scores()

        monkeypatch.setattr(detector._late, "scores", counted)
        detector.reset()
        return [detector.scores(c)["alexa"] for c in chunk_samples(audio)], judged

    gated, judged = run(WakeDetector([WakeModel("alexa", 0.5)]))
    monkeypatch.setattr(wake, "LATE_GATE", 0.0)
    always, every = run(WakeDetector([WakeModel("alexa", 0.5)]))
    assert every == len(always)
    assert judged < 0.3 * every, (judged, every)
    assert max(always) >= 0.5 and max(gated) == max(always)
    assert [g for g, a in zip(gated, always, strict=True) if a >= 0.1] == [a for a in always if a >= 0.1]
