"""The paired comparison `benchmarks.nlu --splits` prints for each model against the first."""

from __future__ import annotations

import pytest

from models.nlu.evaluate import paired


def test_counts_the_sentences_only_one_model_got_right() -> None:
    before = [True, True, False, False, True]
    after = [True, False, True, True, True]
    assert paired(before, after) == {"lost": 1, "gained": 2, "p": 1.0}


def test_p_is_mcnemars_exact_two_sided_binomial() -> None:
    # 0 lost and 6 gained: 2 * 0.5**6 = 0.03125; 1 and 9: 2 * (1 + 10) / 1024 = 0.0215
    assert paired([False] * 6, [True] * 6)["p"] == 0.0312
    assert paired([True] + [False] * 9, [False] + [True] * 9)["p"] == 0.0215
    # four sentences behind out of thirty-odd that differ is chance, not a worse recipe
    before = [True] * 20 + [False] * 16
    after = [False] * 20 + [True] * 16
    assert paired(before, after)["p"] > 0.5


def test_equal_models_differ_by_nothing() -> None:
    assert paired([True, False], [True, False]) == {"lost": 0, "gained": 0, "p": 1.0}


def test_different_sentence_counts_are_an_error() -> None:
    with pytest.raises(ValueError, match="2 sentences against 1"):
        paired([True, True], [True])
