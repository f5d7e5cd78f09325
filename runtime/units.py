"""Unit conversions said aloud: "how many ounces in a cup", "convert 5 miles to kilometers", "what's 30
celsius in fahrenheit", "how many seconds in a day" (out of domain for the model; a kitchen asks them).
Pure functions."""

from __future__ import annotations

import re

from runtime.numbers import parse_number

# dimension -> unit -> its size in the dimension's base unit (milliliter, gram, meter)
SIZES: dict[str, dict[str, float]] = {
    "volume": {"teaspoon": 4.92892, "tablespoon": 14.7868, "fluid ounce": 29.5735, "cup": 236.588,
               "pint": 473.176, "quart": 946.353, "gallon": 3785.41, "liter": 1000.0, "milliliter": 1.0},
    "mass": {"gram": 1.0, "kilogram": 1000.0, "ounce": 28.3495, "pound": 453.592, "stone": 6350.29},
    "length": {"millimeter": 0.001, "centimeter": 0.01, "meter": 1.0, "kilometer": 1000.0, "inch": 0.0254,
               "foot": 0.3048, "yard": 0.9144, "mile": 1609.344},
    "time": {"second": 1.0, "minute": 60.0, "hour": 3600.0, "day": 86400.0, "week": 604800.0},
}  # fmt: skip
TEMPERATURES = ("celsius", "fahrenheit", "kelvin")
# other ways to say a unit (plurals, spellings, abbreviations)
SAID = {
    "teaspoons": "teaspoon", "tsp": "teaspoon", "tablespoons": "tablespoon", "tbsp": "tablespoon",
    "fluid ounces": "fluid ounce", "fl oz": "fluid ounce", "cups": "cup", "pints": "pint", "quarts": "quart",
    "gallons": "gallon", "liters": "liter", "litre": "liter", "litres": "liter", "milliliters": "milliliter",
    "millilitre": "milliliter", "millilitres": "milliliter", "ml": "milliliter", "grams": "gram", "g": "gram",
    "kilograms": "kilogram", "kilo": "kilogram", "kilos": "kilogram", "kg": "kilogram", "ounces": "ounce",
    "oz": "ounce", "pounds": "pound", "lb": "pound", "lbs": "pound", "millimeters": "millimeter",
    "millimetre": "millimeter", "millimetres": "millimeter", "mm": "millimeter", "centimeters": "centimeter",
    "centimetre": "centimeter", "centimetres": "centimeter", "cm": "centimeter", "meters": "meter",
    "metre": "meter", "metres": "meter", "kilometers": "kilometer", "kilometre": "kilometer",
    "kilometres": "kilometer", "km": "kilometer", "inches": "inch", "feet": "foot", "ft": "foot",
    "yards": "yard", "miles": "mile", "seconds": "second", "minutes": "minute", "hours": "hour", "days": "day",
    "weeks": "week", "degrees celsius": "celsius", "centigrade": "celsius", "c": "celsius",
    "degrees fahrenheit": "fahrenheit", "f": "fahrenheit", "degrees kelvin": "kelvin", "degrees": "celsius",
}  # fmt: skip
PLURALS = {"foot": "feet", "inch": "inches", "celsius": "degrees Celsius", "fahrenheit": "degrees Fahrenheit",
           "kelvin": "kelvin", "stone": "stone"}  # fmt: skip
_UNIT = r"[a-z]+(?: (?!(?:are|is|in|to|into|there|make)\b)[a-z]+)?"  # "fluid ounces", not "ounces are"
HOW_MANY = re.compile(
    rf"how many (?P<to>{_UNIT}) (?:are )?(?:there )?(?:in|to|make) (?:a |an |one )?(?P<n>[\d. ]*?[a-z\d.]*?)? ?(?P<from>{_UNIT})"
)
CONVERT = re.compile(
    rf"(?:convert |what's |whats |what is |how much is |how (?:long|far|heavy|big) is |how many (?P<to2>{_UNIT}) is )?(?P<n>[a-z\d. ]+?) "
    rf"(?P<from>{_UNIT})(?: (?:to|into|in) (?P<to>{_UNIT}))?"
)


# "convert miles to kilometers": one of them
CONVERT_ONE = re.compile(rf"(?:convert|change) (?P<n>)(?P<from>{_UNIT}) (?:to|into) (?P<to>{_UNIT})")


def _unit(said: str) -> str | None:
    said = said.strip()
    unit = SAID.get(said, said)
    return unit if unit in TEMPERATURES or any(unit in sizes for sizes in SIZES.values()) else None


def _number(value: float) -> str:
    """How a result is said: 2 decimals at most, fewer when they are zeros ("8.05", "236.6", "16")."""
    rounded = round(value, 1 if abs(value) >= 100 else 2 if abs(value) >= 0.1 else 4)
    return str(int(rounded)) if float(rounded).is_integer() else f"{rounded:g}"


def _name(unit: str, amount: float) -> str:
    if unit in TEMPERATURES:
        return PLURALS[unit]
    return unit if amount == 1 else PLURALS.get(unit, unit + "s")


def convert(amount: float, unit: str, to: str) -> float | None:
    """`amount` of `unit` in `to`; None when they measure different things. An ounce is a fluid ounce
    beside a volume ("ounces in a cup")."""
    if unit == to:
        return amount
    if unit in TEMPERATURES and to in TEMPERATURES:
        celsius = {"celsius": amount, "fahrenheit": (amount - 32) * 5 / 9, "kelvin": amount - 273.15}[unit]
        return {"celsius": celsius, "fahrenheit": celsius * 9 / 5 + 32, "kelvin": celsius + 273.15}[to]
    for sizes in (SIZES["volume"] | {"ounce": SIZES["volume"]["fluid ounce"]}, *SIZES.values()):
        if unit in sizes and to in sizes:
            return amount * sizes[unit] / sizes[to]
    return None


def conversion(text: str) -> str | None:
    """ "There are 8 fluid ounces in a cup.", "5 miles is 8.05 kilometers."; None when `text` asks none."""
    said = " ".join(text.lower().replace("?", " ").replace(",", "").split())
    for pattern in (HOW_MANY, CONVERT, CONVERT_ONE):
        if (found := pattern.fullmatch(said)) is not None and (answer := _answer(found, pattern is HOW_MANY)):
            return answer
    return None


def _answer(found: re.Match[str], how_many: bool) -> str | None:
    to_said = found["to"] or (None if how_many else found.groupdict().get("to2"))
    unit, to = _unit(found["from"]), _unit(to_said or "")
    n = (found["n"] or "").strip()
    amount = parse_number(n) if n else 1.0
    if unit is None or to is None or amount is None:
        return None
    value = convert(amount, unit, to)
    if value is None:  # "convert 2 cups to grams": it depends on what is measured
        return f"I can't convert {_name(unit, 2)} to {_name(to, 2)}: they measure different things."
    if how_many and amount == 1:
        article = "an" if unit[0] in "aeiou" else "a"
        return (
            f"There {'is' if value == 1 else 'are'} {_number(value)} {_name(to, value)} in {article} {unit}."
        )
    return f"{_number(amount)} {_name(unit, amount)} is {_number(value)} {_name(to, value)}."
