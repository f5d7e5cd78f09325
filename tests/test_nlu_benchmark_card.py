"""benchmarks/nlu.py writes the model card's metrics; a `--no-snips` run keeps the Snips rows it
did not measure again, with their own date (the Snips models do not read the home data)."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from benchmarks.nlu import write_model_card

OLD = """# card

<!-- metrics -->
Run 2026-12-03.

| set | model | n | intent acc | full frame | slot F1 |
|---|---|---|---|---|---|
| heldout templates | int8 | 10 | 0.5000 | 0.5000 | 0.5000 |
| Snips test | int8 (3 trained on Snips train) | 700 | 0.9871 | 0.8771 | 0.9492 |

| target | measured | goal | met |
|---|---|---|---|
| heldout_intent | 0.5 | 0.98 | no |
| snips_intent | 0.9871 | 0.985 | yes |
<!-- /metrics -->

after
"""


def _report(snips: bool) -> dict[str, Any]:
    figures = {"n": 20, "intent_acc": 0.9, "frame_acc": 0.8, "slot_f1": 0.7}
    noisy = {**figures, "intent_acc_by_error": {"drop": 0.9}}
    entry = {"heldout": figures, "noisy": noisy, "noisy_similar": noisy,
             "latency_ms": {"p50": 0.5, "p99": 0.9}, "size_bytes": 1_800_000}  # fmt: skip
    report: dict[str, Any] = {"int8": entry, "fp32": entry, "hassil": {},
                              "checks": {"heldout_intent": {"measured": 0.9, "target": 0.98, "met": False}}}  # fmt: skip
    if snips:
        report["snips"] = {"int8": {**figures, "n": 700}, "fp32": {**figures, "n": 700}, "members": 3}
    return report


def test_a_run_without_snips_keeps_the_snips_rows_and_their_date(tmp_path: Path) -> None:
    card = tmp_path / "MODEL_CARD.md"
    card.write_text(OLD)
    write_model_card(_report(snips=False), card)
    text = card.read_text()
    today = datetime.date.today().isoformat()
    assert f"Run {today}." in text and "| heldout templates | int8 | 20 | 0.9000 |" in text
    assert "| Snips test | int8 (3 trained on Snips train) | 700 | 0.9871 |" in text
    assert (
        "| snips_intent | 0.9871 | 0.985 | yes |" in text and "| heldout_intent | 0.9 | 0.98 | no |" in text
    )
    assert "Snips rows: run 2026-12-03 (kept by a --no-snips run)." in text
    assert text.endswith("<!-- /metrics -->\n\nafter\n") and "0.5000" not in text
    write_model_card(_report(snips=False), card)  # kept twice: still the Snips run's own date
    assert "Snips rows: run 2026-12-03 (kept" in card.read_text()
    write_model_card(_report(snips=True), card)  # measured again: this run's rows only
    text = card.read_text()
    assert f"Snips rows: run {today}." in text and "0.9871" not in text
    assert "| Snips test | int8 (3 trained on Snips train) | 700 | 0.9000 |" in text


def test_the_card_splits_noisy_intent_by_ambiguity(tmp_path: Path) -> None:
    card = tmp_path / "MODEL_CARD.md"
    card.write_text(OLD)
    report = _report(snips=True)
    split = {"ambiguous": {"n": 167, "intent_acc": 0.2036}, "rest": {"n": 3403, "intent_acc": 0.9483}}
    report["int8"] = {
        **report["int8"],
        "noisy": {**report["int8"]["noisy"], "intent_acc_by_ambiguity": split},
    }
    write_model_card(report, card)
    assert "noisy: ambiguous 0.2036 (167), rest 0.9483 (3403)" in card.read_text()
