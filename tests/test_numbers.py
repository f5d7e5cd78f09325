"""Sums said aloud (pure functions): "what's 15 times 12" said "Sorry, I can't help with that."."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runtime.numbers import calculation, ordinal


@pytest.mark.parametrize(
    ("said", "answer"),
    [
        ("what's 15 times 12", "15 times 12 is 180."),
        ("what is a hundred divided by four", "100 divided by 4 is 25."),
        ("what's 20 percent of 80", "20 percent of 80 is 16."),
        ("what is 10 minus 12", "10 minus 12 is -2."),
        ("what is 100 divided by 3", "100 divided by 3 is 33.33."),
        ("What's 15*12?", "15 times 12 is 180."),  # typed
        ("how much is 3 x 4", "3 times 4 is 12."),
        ("what is two to the power of ten", "2 to the power of 10 is 1024."),
        ("what does twenty one times three equal", "21 times 3 is 63."),
        ("what is 5 divided by 0", "You can't divide by zero."),
        ("what's the square root of 16", "The square root of 16 is 4."),  # it said "Sorry"
        ("what is the square root of two", "The square root of 2 is 1.41."),
        ("what's the cube root of 27", "The cube root of 27 is 3."),
        ("what is 12 squared", "12 squared is 144."),
        ("what's three cubed", "3 cubed is 27."),
        # more than one operation ("Sorry"), in the order of operations
        ("what's 2 plus 2 times 3", "2 plus 2 times 3 is 8."),
        ("what is one hundred divided by four times two", "100 divided by 4 times 2 is 50."),
        ("what's 100 minus 20 percent of 50", "100 minus 20 percent of 50 is 90."),
        ("what is 2 to the power of 3 to the power of 2", "2 to the power of 3 to the power of 2 is 512."),
        ("what's 5 divided by 0 plus 1", "You can't divide by zero."),
    ],
)
def test_a_sum_said_is_answered(said: str, answer: str) -> None:
    assert calculation(said) == answer


@pytest.mark.parametrize(
    "said",
    ["what is the time", "what is x times y", "what's the square root of minus 4", "what is the square root of you", "what is 10000 to the power of 100", "what is minus 8 to the power of 0.5",
     "turn the lights on two times"],
)  # fmt: skip
def test_no_sum_or_none_to_say_is_none(said: str) -> None:
    assert calculation(said) is None


@given(st.integers(0, 10**6), st.integers(0, 10**6))
def test_sums_of_whole_numbers_are_exact(a: int, b: int) -> None:
    assert calculation(f"what is {a} plus {b}") == f"{a} plus {b} is {a + b}."
    assert calculation(f"what's {a} times {b}") == f"{a} times {b} is {a * b}."
    assert calculation(f"what's {a} plus {b} times {a}") == f"{a} plus {b} times {a} is {a + b * a}."
    assert calculation(f"what's {a} minus {b} minus {a}") == f"{a} minus {b} minus {a} is {a - b - a}."


def test_a_day_of_the_month_is_read_from_digits_or_words() -> None:
    said = ("25th", "25", "1st", "twenty fifth", "twenty-first", "thirty first", "third", "twentieth")
    assert [ordinal(s) for s in said] == [25, 25, 1, 25, 21, 31, 3, 20]
    assert [ordinal(s) for s in ("fifth of", "twenty", "the third", "tenth fifth", "")] == [None] * 5
