"""Places to time zones, for "what time is it in london": the tz database's city names (the system's,
or the `tzdata` package's), and the cities and countries people ask about that it does not name."""

from __future__ import annotations

import zoneinfo
from functools import cache

REGIONS = (
    "Africa/",
    "America/",
    "Antarctica/",
    "Asia/",
    "Atlantic/",
    "Australia/",
    "Europe/",
    "Indian/",
    "Pacific/",
)
# asked about often, and not a tz database name (a country: its capital's or most people's zone)
ALIASES = {
    "san francisco": "America/Los_Angeles", "seattle": "America/Los_Angeles", "las vegas": "America/Los_Angeles",
    "san diego": "America/Los_Angeles", "california": "America/Los_Angeles", "portland": "America/Los_Angeles",
    "boston": "America/New_York", "washington": "America/New_York", "washington dc": "America/New_York",
    "miami": "America/New_York", "atlanta": "America/New_York", "philadelphia": "America/New_York",
    "dallas": "America/Chicago", "houston": "America/Chicago", "austin": "America/Chicago",
    "texas": "America/Chicago", "hawaii": "Pacific/Honolulu", "alaska": "America/Anchorage",
    "montreal": "America/Toronto", "ottawa": "America/Toronto", "new york city": "America/New_York",
    "beijing": "Asia/Shanghai", "china": "Asia/Shanghai", "delhi": "Asia/Kolkata", "new delhi": "Asia/Kolkata",
    "mumbai": "Asia/Kolkata", "bangalore": "Asia/Kolkata", "india": "Asia/Kolkata", "japan": "Asia/Tokyo",
    "osaka": "Asia/Tokyo", "korea": "Asia/Seoul", "south korea": "Asia/Seoul", "england": "Europe/London",
    "uk": "Europe/London", "britain": "Europe/London", "scotland": "Europe/London",
    "edinburgh": "Europe/London", "manchester": "Europe/London", "ireland": "Europe/Dublin",
    "france": "Europe/Paris", "germany": "Europe/Berlin", "munich": "Europe/Berlin", "frankfurt": "Europe/Berlin",
    "spain": "Europe/Madrid", "barcelona": "Europe/Madrid", "italy": "Europe/Rome", "milan": "Europe/Rome",
    "netherlands": "Europe/Amsterdam", "holland": "Europe/Amsterdam",
    "sweden": "Europe/Stockholm", "norway": "Europe/Oslo", "poland": "Europe/Warsaw", "greece": "Europe/Athens",
    "turkey": "Europe/Istanbul", "russia": "Europe/Moscow", "israel": "Asia/Jerusalem", "tel aviv": "Asia/Jerusalem",
    "egypt": "Africa/Cairo", "dubai": "Asia/Dubai", "abu dhabi": "Asia/Dubai", "thailand": "Asia/Bangkok",
    "vietnam": "Asia/Ho_Chi_Minh", "philippines": "Asia/Manila", "singapore": "Asia/Singapore",
    "new zealand": "Pacific/Auckland", "wellington": "Pacific/Auckland", "brazil": "America/Sao_Paulo",
    "rio de janeiro": "America/Sao_Paulo", "rio": "America/Sao_Paulo", "argentina": "America/Argentina/Buenos_Aires",
    "mexico": "America/Mexico_City", "peru": "America/Lima", "colombia": "America/Bogota",
    "south africa": "Africa/Johannesburg", "cape town": "Africa/Johannesburg", "kenya": "Africa/Nairobi",
    "nigeria": "Africa/Lagos", "canberra": "Australia/Sydney", "australia": "Australia/Sydney",
}  # fmt: skip


@cache
def zones() -> dict[str, str]:
    """Place name (lower case) -> tz database key."""
    found: dict[str, str] = {}
    for key in sorted(zoneinfo.available_timezones()):
        city = key.rsplit("/", 1)[-1]
        if key.startswith(REGIONS) and not city.isupper():  # not "Australia/ACT"
            found.setdefault(city.lower().replace("_", " "), key)
    return {**found, **ALIASES}


def zone_of(place: str) -> str | None:
    """The tz database key of `place` ("london" -> "Europe/London"); None when not known."""
    place = place.lower().strip()
    return zones().get(place) or zones().get(place.removeprefix("the "))


def place_name(place: str) -> str:
    """How an answer writes a place said: "new york" -> "New York", "the uk" -> "the UK"."""
    said = {"uk": "UK", "usa": "USA", "us": "US", "dc": "DC", "uae": "UAE", "the": "the"}
    return " ".join(said.get(w, w.capitalize()) for w in place.split())
