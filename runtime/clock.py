"""Times of day and lengths of time said aloud: "quarter to eight pm" -> (19, 45, True), "an hour and a
half" -> 5400 s. Pure functions over a transcript's words (numbers in words or digits)."""

from __future__ import annotations

import re
from datetime import datetime

from runtime.clauses import DURATION_PHRASE
from runtime.numbers import parse_number
from runtime.rank import normalize


def _split(text: str) -> list[str]:
    return text.split()


# "in an hour", "for twenty minutes": a length of time said after its preposition
DURATION = re.compile(rf"\b(?:for|in|after) ({DURATION_PHRASE})\b")
CLOCK_MARKS = {"am": 0, "pm": 12, "oclock": None, "o'clock": None}


def said_time(when: datetime) -> str:
    """ "3:52 PM": a time of day as the assistant says it."""
    return when.strftime("%I:%M %p").lstrip("0")


def clock_time(text: str) -> tuple[int, int, bool] | None:
    """A time of day said in `text`: (hour 0-23, minute, whether am/pm was said); None if none.

    "7 am", "seven thirty p m", "6:45 pm" (the NLU's text has "6 45 pm"), "ten o'clock", "noon".
    """
    words = normalize(text).split()
    merged: list[str] = []
    for w in words:  # ASR spells "a m" / "p m"
        if w == "m" and merged and merged[-1] in ("a", "p"):
            merged[-1] += "m"
        else:
            merged.append(w)
    if "noon" in merged or "midday" in merged:
        return 12, 0, True
    if "midnight" in merged:
        return 0, 0, True
    if (told := _past_or_to(merged)) is not None:
        return told
    for k, w in enumerate(merged):
        if w not in CLOCK_MARKS:
            continue
        for minute_words in (2, 1, 0):  # "seven forty five pm" before "five pm"
            if k - minute_words - 1 < 0:
                continue
            hour = parse_number(merged[k - minute_words - 1])
            minute = parse_number(" ".join(merged[k - minute_words : k])) if minute_words else 0.0
            if hour is None or minute is None or not (1 <= hour <= 12 and 0 <= minute < 60):
                continue
            if hour != int(hour) or minute != int(minute):
                continue
            offset = CLOCK_MARKS[w]
            h = int(hour) % 12 + offset if offset is not None else int(hour) % 12
            return h, int(minute), offset is not None
    return None


# the minutes of "half past six", "quarter to eight", "ten past seven" (not "one past": a length's end)
PAST_TO_MINUTES = {"half": 30, "quarter": 15, "a quarter": 15, "five": 5, "ten": 10, "twenty": 20}
PAST_TO_MINUTES |= {"twenty five": 25, **{str(n): n for n in (5, 10, 20, 25)}}


def _past_or_to(words: list[str]) -> tuple[int, int, bool] | None:
    """ "half past six" -> (6, 30, False), "quarter to eight pm" -> (19, 45, True); None if none is said
    ("from 5 to 7", "5 to 7 minutes" are no time of day)."""
    for k, w in enumerate(words[:-1]):
        if w not in ("past", "to"):
            continue
        hour = parse_number(words[k + 1])
        after = words[k + 2] if k + 2 < len(words) else ""
        # what follows a number that makes it an amount, not an hour: "5 to 7 minutes", "20 to 30 percent"
        if hour is None or hour != int(hour) or not 1 <= hour <= 12 or after in DURATION_UNITS | AMOUNT_UNITS:
            continue
        for n in (2, 1):
            said = " ".join(words[max(k - n, 0) : k])
            if (
                said not in PAST_TO_MINUTES
                or (w == "to" and said == "half")
                or words[k - n - 1 : k - n] == ["from"]
            ):
                continue
            h, minute = (
                (int(hour), PAST_TO_MINUTES[said])
                if w == "past"
                else (int(hour) - 1, 60 - PAST_TO_MINUTES[said])
            )
            offset = CLOCK_MARKS.get(after)
            return (h % 12 + (offset or 0), minute, after in ("am", "pm"))
    return None


def seconds_until(at: tuple[int, int, bool], now: datetime) -> int:
    """Seconds from `now` to the next time of day `at`; without am/pm, the nearer of the two."""
    hour, minute, half_day_said = at
    day_s = 24 * 3600
    target = hour * 3600 + minute * 60
    current = now.hour * 3600 + now.minute * 60 + now.second
    if half_day_said:
        return (target - current) % day_s or day_s
    return min((t - current) % day_s or day_s for t in (target, target + 12 * 3600))


# durations the slots cannot hold: "an hour and a half", "two and a half hours", "an hour and 20 minutes"
COMPOUND_DURATION = re.compile(
    r"\b(?P<n1>an?|\S+) hours? and a half\b|\b(?P<n2>\S+) and a half (?P<unit>hours?|minutes?)\b"
    r"|\b(?P<n3>an?|\S+) minutes? and a half\b"  # "a minute and a half" was 30 seconds
    r"|\b(?P<h>an?|\S+) hours? (?:and )?(?P<m>\S+(?: \S+)?) minutes?\b"
    r"|\b(?P<quarters>a|one|three)? ?quarters? of an hour\b|\b(?P<half_minute>half a minute)\b"
)


def compound_seconds(text: str) -> float | None:
    """ "an hour and a half" -> 5400, "an hour and 20 minutes" -> 4800; None for a plain duration."""
    found = COMPOUND_DURATION.search(normalize(text))
    if found is None:
        return None

    def number(word: str) -> float | None:
        return 1.0 if word in ("a", "an") else parse_number(word)

    if found["half_minute"]:
        return 30.0
    if found[0].endswith("of an hour"):  # "a quarter of an hour", "three quarters of an hour"
        return (3 if found["quarters"] == "three" else 1) * 900.0
    if found["n1"] or found["n2"] or found["n3"]:
        n = number(found["n1"] or found["n2"] or found["n3"])
        unit = 60 if found["n3"] or (found["unit"] or "").startswith("minute") else 3600
        return (n + 0.5) * unit if n is not None else None
    hours, minutes = number(found["h"]), parse_number(found["m"])
    return hours * 3600 + minutes * 60 if hours is not None and minutes is not None else None


def duration_in_text(text: str) -> float | None:
    """ "in an hour" -> 3600, "for twenty minutes" -> 1200: a duration the NLU did not tag."""
    if (whole := compound_seconds(text)) is not None:
        return whole
    found = DURATION.search(normalize(text))
    if found is None:
        return None
    amount, unit = found[1].rsplit(" ", 1)
    n = 0.5 if amount == "half an" else parse_number(amount)
    factor = 3600 if unit.startswith("hour") else 60 if unit.startswith("min") else 1
    return n * factor if n else None


DURATION_UNITS = frozenset(
    _split("second seconds sec secs minute minutes min mins hour hours hr hrs half quarter")
)
AMOUNT_UNITS = frozenset(_split("percent degrees"))
