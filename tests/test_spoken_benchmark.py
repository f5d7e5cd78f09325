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
