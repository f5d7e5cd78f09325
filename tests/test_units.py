"""Unit conversions said aloud (pure functions): "how many ounces in a cup" said "Sorry, I can't help with that."."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runtime.units import SIZES, conversion, convert


@pytest.mark.parametrize(
    ("said", "answer"),
    [
        ("how many ounces in a cup", "There are 8 ounces in a cup."),  # a fluid ounce beside a volume
        ("how many ounces are in a pound", "There are 16 ounces in a pound."),  # a weight beside a weight
        ("how many teaspoons in a tablespoon", "There are 3 teaspoons in a tablespoon."),
        ("how many centimeters in an inch", "There are 2.54 centimeters in an inch."),
        ("how many feet in a mile", "There are 5280 feet in a mile."),
        ("how many seconds in a day", "There are 86400 seconds in a day."),
        ("how many ml in 2 cups", "2 cups is 473.2 milliliters."),
        ("convert 5 miles to kilometers", "5 miles is 8.05 kilometers."),
        ("convert miles to km", "1 mile is 1.61 kilometers."),
        ("what's 30 celsius in fahrenheit", "30 degrees Celsius is 86 degrees Fahrenheit."),
        ("what is 100 fahrenheit in celsius", "100 degrees Fahrenheit is 37.78 degrees Celsius."),
        ("How many inches is 2 feet?", "2 feet is 24 inches."),
        # "how long is 90 minutes in hours" asked about a timer ("There is no timer running.")
        ("how long is 90 minutes in hours", "90 minutes is 1.5 hours."),
        ("how far is 10 kilometers in miles", "10 kilometers is 6.21 miles."),
        ("convert 2 cups to grams", "I can't convert cups to grams: they measure different things."),
    ],
)
def test_a_conversion_said_is_answered(said: str, answer: str) -> None:
    assert conversion(said) == answer


@pytest.mark.parametrize(
    "said",
    ["what is the time", "set a timer for 5 minutes", "5 minutes", "what's the temperature in fahrenheit",
     "add 5 minutes to the timer", "how many people are home", "set the oven to 350 degrees"],
)  # fmt: skip
def test_requests_that_are_no_conversion_are_left_alone(said: str) -> None:
    assert conversion(said) is None


@given(st.sampled_from(sorted(SIZES)), st.floats(0.001, 1e6), st.data())
def test_converting_there_and_back_gives_the_amount(
    dimension: str, amount: float, data: st.DataObject
) -> None:
    units = sorted(SIZES[dimension])
    a, b = data.draw(st.sampled_from(units)), data.draw(st.sampled_from(units))
    there = convert(amount, a, b)
    assert there is not None and convert(there, b, a) == pytest.approx(amount)
    for t in ("celsius", "fahrenheit", "kelvin"):
        assert convert(convert(amount, "celsius", t) or 0.0, t, "celsius") == pytest.approx(amount)
