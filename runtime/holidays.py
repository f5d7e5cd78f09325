"""Holidays by name, for "how many days until christmas" and "when is thanksgiving": fixed dates, and
the ones counted from a weekday of a month or from Easter. Where countries differ (Thanksgiving,
Mother's Day), the US date: the NLU's templates are US English."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

FIXED: dict[str, tuple[int, int]] = {
    "new year's day": (1, 1), "groundhog day": (2, 2), "valentine's day": (2, 14), "st patrick's day": (3, 17),
    "april fools day": (4, 1), "earth day": (4, 22), "cinco de mayo": (5, 5), "juneteenth": (6, 19),
    "independence day": (7, 4), "halloween": (10, 31), "veterans day": (11, 11), "christmas eve": (12, 24),
    "christmas": (12, 25), "boxing day": (12, 26), "new year's eve": (12, 31),
}  # fmt: skip


def easter(year: int) -> date:
    """Easter Sunday (Gregorian): the anonymous algorithm (Meeus / Jones / Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month, day = divmod(h + m - 7 * n + 114, 31)
    return date(year, month, day + 1)


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The `n`th `weekday` (Monday 0) of the month; n = -1 is the last."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


COUNTED: dict[str, Callable[[int], date]] = {
    "easter": easter,
    "good friday": lambda y: easter(y) - timedelta(days=2),
    "easter monday": lambda y: easter(y) + timedelta(days=1),
    "martin luther king day": lambda y: nth_weekday(y, 1, 0, 3),
    "presidents day": lambda y: nth_weekday(y, 2, 0, 3),
    "mother's day": lambda y: nth_weekday(y, 5, 6, 2),
    "memorial day": lambda y: nth_weekday(y, 5, 0, -1),
    "father's day": lambda y: nth_weekday(y, 6, 6, 3),
    "labor day": lambda y: nth_weekday(y, 9, 0, 1),
    "columbus day": lambda y: nth_weekday(y, 10, 0, 2),
    "thanksgiving": lambda y: nth_weekday(y, 11, 3, 4),
}
# other ways to say them
ALIASES = {
    "christmas day": "christmas", "xmas": "christmas", "new year": "new year's day", "new year's": "new year's day",
    "new years": "new year's day", "new years day": "new year's day", "new years eve": "new year's eve",
    "valentine's": "valentine's day", "valentines day": "valentine's day", "valentines": "valentine's day",
    "saint patrick's day": "st patrick's day", "st patricks day": "st patrick's day",
    "april fools": "april fools day", "april fool's day": "april fools day", "the fourth of july": "independence day",
    "fourth of july": "independence day", "july fourth": "independence day", "thanksgiving day": "thanksgiving",
    "easter sunday": "easter", "mothers day": "mother's day", "fathers day": "father's day",
    "mlk day": "martin luther king day", "martin luther king jr day": "martin luther king day",
    "presidents' day": "presidents day", "labour day": "labor day", "veterans' day": "veterans day",
}  # fmt: skip
NAMES = sorted({*FIXED, *COUNTED, *ALIASES}, key=len, reverse=True)  # longest first, for a regex
SMALL_WORDS = frozenset({"of", "de"})


def holiday(name: str, year: int) -> date | None:
    """The date of holiday `name` in `year`; None for a name not known here."""
    name = ALIASES.get(name, name)
    if name in FIXED:
        return date(year, *FIXED[name])
    return COUNTED[name](year) if name in COUNTED else None


def next_holiday(name: str, today: date) -> date | None:
    """The next date of holiday `name` from `today` on (today's when it is today)."""
    this_year = holiday(name, today.year)
    if this_year is None or this_year >= today:
        return this_year
    return holiday(name, today.year + 1)


def title(name: str) -> str:
    """ "St Patrick's Day", "Cinco de Mayo": how the answer writes the name."""
    name = ALIASES.get(name, name)
    return " ".join(w if w in SMALL_WORDS else w.capitalize() for w in name.split())
