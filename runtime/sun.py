"""Sunrise and sunset for the home's latitude and longitude, offline: "what time is sunset", "turn on
the porch light at sunset". The sunrise equation of the Almanac for Computers (US Naval Observatory,
1990), good to a minute or two away from the poles. Pure functions."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Literal

Event = Literal["sunrise", "sunset", "dawn", "dusk"]
# the sun's centre this far from the zenith: 50' below the horizon at sunrise and sunset (its radius and
# refraction); 6 degrees below it at civil dawn and dusk, when it is light or dark enough to read outside
ZENITH: dict[Event, float] = {"sunrise": 90.833, "sunset": 90.833, "dawn": 96.0, "dusk": 96.0}
RISING: frozenset[Event] = frozenset({"sunrise", "dawn"})
NO_PLACE = "add the home's latitude and longitude under home: in devices.yaml."


def _utc_hours(day: date, latitude: float, longitude: float, event: Event) -> float | None:
    """Hours after 00:00 UTC of `day` at which `event` happens; None when the sun does not cross that
    height that day (polar day or night)."""
    rad, deg = math.radians, math.degrees
    lng_hour = longitude / 15
    t = day.timetuple().tm_yday + ((6 if event in RISING else 18) - lng_hour) / 24
    mean_anomaly = 0.9856 * t - 3.289
    true_long = (
        mean_anomaly + 1.916 * math.sin(rad(mean_anomaly)) + 0.020 * math.sin(rad(2 * mean_anomaly)) + 282.634
    ) % 360
    right_ascension = deg(math.atan(0.91764 * math.tan(rad(true_long)))) % 360
    # in the same quadrant as the true longitude, in hours
    right_ascension += (true_long // 90 - right_ascension // 90) * 90
    right_ascension /= 15
    sin_dec = 0.39782 * math.sin(rad(true_long))
    cos_dec = math.cos(math.asin(sin_dec))
    cos_h = (math.cos(rad(ZENITH[event])) - sin_dec * math.sin(rad(latitude))) / (
        cos_dec * math.cos(rad(latitude))
    )
    if not -1 <= cos_h <= 1:
        return None
    hour_angle = deg(math.acos(cos_h))
    hour_angle = (360 - hour_angle if event in RISING else hour_angle) / 15
    local_mean = hour_angle + right_ascension - 0.06571 * t - 6.622
    return (local_mean - lng_hour) % 24


def sun_time(
    day: date, latitude: float, longitude: float, event: Event, zone: tzinfo | None = None
) -> datetime | None:
    """When `event` happens on `day` in `zone` (None: this machine's local time), as a naive local
    datetime like the runtime's clock; None if it does not happen that day."""
    # the event of a local day can fall on the UTC day before or after it (sunset in California)
    for utc_day in (day, day - timedelta(days=1), day + timedelta(days=1)):
        hours = _utc_hours(utc_day, latitude, longitude, event)
        if hours is None:
            continue
        at = datetime.combine(utc_day, time(), UTC) + timedelta(hours=hours)
        local = at.astimezone(zone).replace(tzinfo=None)
        if local.date() == day:
            return (local + timedelta(seconds=30)).replace(second=0, microsecond=0)  # to the minute
    return None


def next_sun_time(
    now: datetime, latitude: float, longitude: float, event: Event, zone: tzinfo | None = None
) -> datetime | None:
    """The next `event` after `now` (today's, else tomorrow's); None if neither day has one."""
    for day in (now.date(), now.date() + timedelta(days=1)):
        at = sun_time(day, latitude, longitude, event, zone)
        if at is not None and at > now:
            return at
    return None
