"""benchmarks/spoken.py's dialogs: the two turns share one context, as in the pipeline."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from benchmarks.spoken import _timer_of
from runtime.config import load_config
from runtime.nlu.model import NluModel

ROOT = Path(__file__).resolve().parent.parent


def test_a_dialog_ends_with_the_timer_the_correction_set() -> None:
    config = load_config(ROOT / "devices.yaml")
    model = NluModel.from_config(config)
    sat = config.satellite("kitchen-sat")
    now = datetime(2026, 12, 7, 10, 0)
    assert _timer_of(model, config, sat, ["set a timer for seventy minutes"], now) == "4200"
    # the correction heard as the request was: seventeen
    assert (
        _timer_of(model, config, sat, ["set a timer for seventy minutes", "no seventy minutes"], now)
        == "1020"
    )
    assert _timer_of(model, config, sat, ["set an alarm for one a m", "no nine a m"], now) == "82800 alarm"
    # a correction with nothing set before it sets nothing
    assert _timer_of(model, config, sat, ["no seventeen minutes"], now) is None


def test_spoken_answers_are_scored_with_and_without_the_answers_expected(tmp_path: Path) -> None:
    """`--answers`: an answer that picks what it names, and a request said instead that stays a
    request, each decoded with the question's answers expected and without."""
    import json

    from benchmarks.spoken import answers
    from runtime.asr import create_engine

    config = load_config(ROOT / "devices.yaml")
    lines = tmp_path / "answers.txt"
    lines.write_text("# a comment\nnext song | the tv | tv\ntimers | what time is it | =\n")
    out = tmp_path / "answers.json"
    engine, model = create_engine(config), NluModel.from_config(config)
    assert answers(lines, out, engine, model, config, datetime(2026, 12, 7, 10, 0)) == 0
    report = json.loads(out.read_text())
    assert report["utterances"] == 6 and report["requests_taken_for_answers"] == {
        "expected": 0,
        "not expected": 0,
    }
    tv = [r for r in report["rows"] if r["answer"] == "the tv"]
    assert {(r["mode"], r["outcome"]) for r in tv} == {("expected", "picked"), ("not expected", "rejected")}
