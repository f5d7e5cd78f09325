"""Sunrise and sunset (runtime/sun.py), asked and used for a command later, at the home's place.

The expected times were checked against the astral package's (a separate implementation of the
NOAA equations): every sunrise, sunset, dawn and dusk of 2026 in London, San Francisco, Sydney,
Quito and Tokyo within 2.5 minutes of it. Rounded to the minute, so each is allowed 3 minutes."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from runtime.config import Config, Satellite
from runtime.context import ContextStore
from runtime.dispatch import dispatch
from runtime.events import Interpretation, Slot
from runtime.resolve import resolve
from runtime.sun import Event, next_sun_time, sun_time
from runtime.timers import Repeat

LONDON = (51.5074, -0.1278, ZoneInfo("Europe/London"))


@pytest.mark.parametrize(
    ("place", "day", "event", "expected"),
    [
        (LONDON, date(2026, 6, 21), "sunrise", "04:43"),
        (LONDON, date(2026, 6, 21), "sunset", "21:21"),
        (LONDON, date(2026, 12, 21), "sunset", "15:53"),
        (LONDON, date(2026, 12, 21), "dusk", "16:34"),
        # its sunset is 00:50 UTC of the next day: the local day's, not the UTC day's
        ((37.77, -122.42, ZoneInfo("America/Los_Angeles")), date(2026, 12, 7), "sunset", "16:50"),
        ((-33.87, 151.21, ZoneInfo("Australia/Sydney")), date(2026, 1, 15), "sunrise", "05:59"),
        ((-0.18, -78.47, ZoneInfo("America/Guayaquil")), date(2026, 3, 20), "dawn", "05:57"),
    ],
)
def test_sun_times_agree_with_an_almanac(place, day, event, expected: str) -> None:  # type: ignore[no-untyped-def]
    lat, lon, zone = place
    at = sun_time(day, lat, lon, event, zone)
    assert at is not None and at.date() == day
    want = datetime.combine(day, datetime.strptime(expected, "%H:%M").time())
    assert abs(at - want) <= timedelta(minutes=3), at


def test_no_sunrise_in_the_polar_night_nor_sunset_in_the_midnight_sun() -> None:
    tromso = (69.65, 18.96)
    oslo = ZoneInfo("Europe/Oslo")
    assert sun_time(date(2026, 12, 21), *tromso, "sunrise", oslo) is None
    assert sun_time(date(2026, 6, 21), *tromso, "sunset", oslo) is None
    assert next_sun_time(datetime(2026, 12, 21, 12, 0), *tromso, "sunrise", oslo) is None


def test_the_next_one_is_tomorrows_once_todays_is_over() -> None:
    lat, lon, zone = LONDON
    evening = datetime(2026, 12, 21, 18, 0)
    at = next_sun_time(evening, lat, lon, "sunset", zone)
    assert at is not None and at.date() == date(2026, 12, 22) and at > evening


NOW = datetime(2026, 12, 7, 10, 0)


@pytest.fixture
def ctx(config: Config) -> ContextStore:
    return ContextStore(config)


def _at_home(ctx: ContextStore, event: Event, *, after: datetime | None = None) -> datetime:
    """`event` today at the example home's place, or the next one `after` a time."""
    home = ctx.config.home
    assert home.latitude is not None and home.longitude is not None
    place = (home.latitude, home.longitude)
    at = next_sun_time(after, *place, event) if after else sun_time(NOW.date(), *place, event)
    assert at is not None
    return at


def _said(text: str, ctx: ContextStore, sat: Satellite, intent: str = "HassGetCurrentTime") -> str:
    r = resolve(Interpretation(intent, 0.95, [], text), ctx, sat, now=NOW)
    return dispatch(r, ctx, now=NOW).text


def test_sun_questions_are_answered_at_the_homes_place(ctx: ContextStore, kitchen: Satellite) -> None:
    """ "what time is sunset" said the time now; "what time does the sun set" the temperature."""
    sunset, sunrise = _at_home(ctx, "sunset"), _at_home(ctx, "sunrise")
    clock = sunset.strftime("%I:%M %p").lstrip("0")
    # the machine's time zone decides whether 10 am is before it (this test's time zones may differ)
    expected = f"Sunset is at {clock}." if sunset > NOW else f"Sunset was at {clock}."
    for text, intent in (
        ("what time is sunset", "HassGetCurrentTime"),
        ("what time does the sun set", "HassClimateGetTemperature"),
        ("when is sundown", "OutOfDomain"),
    ):
        assert _said(text, ctx, kitchen, intent).startswith(expected), text
    assert _said("when does the sun rise tomorrow", ctx, kitchen).startswith("Tomorrow, sunrise is at ")
    if sunset > NOW:
        assert _said("how long until sunset", ctx, kitchen).startswith("Sunset is in ")
    if sunrise < NOW:  # said as past, with tomorrow's
        assert "Tomorrow it's at" in _said("what time is sunrise", ctx, kitchen)


def test_a_command_at_sunset_waits_for_it(ctx: ContextStore, kitchen: Satellite) -> None:
    """ "turn on the kitchen light at sunset" asked for a time of day instead."""
    r = resolve(
        Interpretation(
            "HassTurnOn", 0.95, [Slot("name", "kitchen light")], "turn on the kitchen light at sunset"
        ),
        ctx,
        kitchen,
        now=NOW,
    )
    at = _at_home(ctx, "sunset", after=NOW)
    assert r.interpretation.intent == "HassStartTimer" and r.clarification is None
    assert (
        r.values["seconds"] == int((at - NOW).total_seconds())
        and r.values["command"] == "turn on the kitchen light"
    )
    assert dispatch(r, ctx, now=NOW).text.startswith("At sunset, ")
    # after today's sunset, tomorrow's: said so (it said "At sunset, 3:52 PM", a time gone)
    late = at + timedelta(hours=1)
    r = resolve(
        Interpretation("HassTurnOn", 0.95, [], "turn on the kitchen light at sunset"), ctx, kitchen, now=late
    )
    assert dispatch(r, ctx, now=late).text.startswith("Tomorrow at sunset, ")
    assert r.values["seconds"] > 20 * 3600


def test_a_command_every_day_at_sunset_is_set_again_for_each_sunset(
    ctx: ContextStore, kitchen: Satellite
) -> None:
    """ "turn on the kitchen light every day at sunset" was done once; "every weekday at sunset" the next
    weekday's sunset, each at that day's time."""
    r = resolve(
        Interpretation("HassTurnOn", 0.95, [], "turn on the kitchen light every day at sunset"),
        ctx,
        kitchen,
        now=NOW,
    )
    at = _at_home(ctx, "sunset", after=NOW)
    assert (
        r.values["seconds"] == int((at - NOW).total_seconds())
        and r.values["command"] == "turn on the kitchen light"
    )
    repeat = Repeat.from_dict(r.values["repeat"])
    assert repeat.sun == "sunset" and repeat.days == frozenset(range(7))
    home = ctx.config.home
    assert home.latitude is not None and home.longitude is not None
    for ahead in range(1, 4):  # each day's own sunset, not the first day's time again
        day = NOW.date() + timedelta(days=ahead)
        assert repeat.next_after(datetime.combine(day, datetime.min.time())) == sun_time(
            day, home.latitude, home.longitude, "sunset"
        )
    said = dispatch(r, ctx, now=NOW).text or ""
    assert said.startswith("Every day at sunset I'll turn on the kitchen light, starting today at "), said
    saturday = datetime(2026, 12, 12, 10, 0)
    r = resolve(
        Interpretation("HassTurnOn", 0.95, [], "turn on the kitchen light every weekday at sunset"),
        ctx,
        kitchen,
        now=saturday,
    )
    assert r.values["day"] == "Monday" and Repeat.from_dict(r.values["repeat"]).days == frozenset(range(5))


def test_is_the_sun_up_says_until_when(ctx: ContextStore, kitchen: Satellite) -> None:
    """ "is the sun up" said "Sorry", "is it dark outside" the weather."""
    rise, set_ = _at_home(ctx, "sunrise"), _at_home(ctx, "sunset")
    for now, starts in (
        (rise - timedelta(minutes=5), "The sun is down. It rises at "),
        (rise + timedelta(minutes=5), "The sun is up until "),
        (set_ + timedelta(minutes=5), "The sun set at "),
    ):
        for text, intent in (("is the sun up", "OutOfDomain"), ("is it dark outside", "HassGetWeather")):
            r = resolve(Interpretation(intent, 0.95, [], text), ctx, kitchen, now=now)
            assert dispatch(r, ctx, now=now).text.startswith(starts), (text, now)


def test_a_command_when_the_sun_sets_or_it_gets_dark_waits_for_it(
    ctx: ContextStore, kitchen: Satellite
) -> None:
    """ "close the blinds when the sun sets" said "I can't wait for something to happen yet"; "open the
    blinds when the sun comes up" (read as a preference) "Sorry"."""
    for intent, said, command, event in (
        ("HassSetPosition", "close the blinds when the sun sets", "close the blinds", "sunset"),
        ("HassTurnOn", "turn on the kitchen light when it gets dark", "turn on the kitchen light", "dusk"),
        ("AmbientTeachPreference", "open the blinds when the sun comes up", "open the blinds", "sunrise"),
    ):
        r = resolve(Interpretation(intent, 0.95, [], said), ctx, kitchen, now=NOW)
        at = _at_home(ctx, event, after=NOW)
        assert r.interpretation.intent == "HassStartTimer", said
        assert (r.values["command"], r.values["sun"], r.values["at"]) == (
            command,
            event,
            at.strftime("%H:%M"),
        ), said
    # a condition this home cannot see is still asked about
    r = resolve(
        Interpretation("HassTurnOff", 0.95, [], "turn off the lights when i leave"), ctx, kitchen, now=NOW
    )
    assert r.clarification == "I can't wait for something to happen yet. I can do it now, or in a set time."


def test_without_the_homes_place_it_says_what_to_add(config: Config, kitchen: Satellite) -> None:
    home = dataclasses.replace(config.home, latitude=None, longitude=None)
    ctx = ContextStore(dataclasses.replace(config, home=home))
    assert _said("what time is sunset", ctx, kitchen) == (
        "I don't know when sunset is here: add the home's latitude and longitude under home: in devices.yaml."
    )
    r = resolve(
        Interpretation("HassTurnOn", 0.95, [], "turn on the kitchen light at sunset"), ctx, kitchen, now=NOW
    )
    assert r.clarification is not None and "latitude and longitude" in r.clarification
