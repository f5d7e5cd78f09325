"""Answers to "Which one?" read as what they pick (runtime/choices.py)."""

from __future__ import annotations

import pytest

from runtime.choices import by_ordinal, choice, chosen_timers
from runtime.timers import RunningTimer


@pytest.mark.parametrize(
    ("said", "what"),
    [
        ("the tv", "tv"),
        ("um, the tv please", "tv"),
        ("the kitchen one", "kitchen"),
        ("the one in the office", "office"),
        ("in the bedroom", "bedroom"),
        ("both of them", "both of them"),
        ("turn off the lights in the whole house now", None),  # a request of its own
    ],
)
def test_an_answer_names_what_it_picks(said: str, what: str | None) -> None:
    assert choice(said) == what


def test_ordinals_count_in_the_order_offered() -> None:
    offered = ["tv", "speaker"]
    assert (by_ordinal("first", offered), by_ordinal("second", offered), by_ordinal("last", offered)) == (
        0,
        1,
        1,
    )
    assert by_ordinal("third", offered) is None and by_ordinal("tv", offered) is None


def test_the_timer_an_answer_picks() -> None:
    egg = RunningTimer(1, "kitchen-sat", 180, 0.0, name="egg")
    five = RunningTimer(2, "kitchen-sat", 300, 0.0)
    ten = RunningTimer(3, "kitchen-sat", 600, 0.0)
    offered = [egg, five, ten]
    picks = {
        "the egg timer": [egg],
        "cancel the eggs one": [egg],
        "the 10 minute one": [ten],
        "ten minutes": [ten],
        "the five minute timer please": [five],
        "the second one": [five],
        "the last one": [ten],
        "both": offered,
        "all of them": offered,
        "of them": offered,  # "both of them" as the pipeline hears it (normalize drops "both")
        "neither": [],
        "never mind": [],
        "the 20 minute one": None,  # none of them: no answer about these
        "the pasta timer": None,
        "what time is it": None,
    }
    for said, picked in picks.items():
        assert chosen_timers(said, offered) == picked, said
