"""Well-known music artists: "play taylor swift" is music wherever it is said.

A title with no kind said ("play the hunger games") is a movie where there is a screen and an
audiobook where there is none (the issue's rule, `resolve._play`). For an artist's name that rule
played "taylor swift" as an audiobook in the kitchen and as a movie on the tv. Nothing here can ask
a catalogue (no network at run time), so the names people ask for most are listed, as said: lower
case, no punctuation, numbers as words.
"""

from __future__ import annotations

_SAID = """abba, ac dc, adele, aerosmith, alicia keys, ariana grande, arctic monkeys, avicii, bad bunny,
    beyonce, billie eilish, billy joel, bob dylan, bob marley, bon jovi, bruce springsteen, bruno mars,
    calvin harris, celine dion, coldplay, daft punk, david bowie, depeche mode, dolly parton, drake,
    dua lipa, ed sheeran, elton john, elvis, elvis presley, eminem, fleetwood mac, foo fighters,
    frank sinatra, guns n roses, harry styles, imagine dragons, jay z, john lennon, johnny cash,
    justin bieber, justin timberlake, kanye west, katy perry, kendrick lamar, lady gaga, led zeppelin,
    linkin park, lizzo, madonna, maroon five, metallica, michael jackson, miley cyrus, muse, nirvana,
    norah jones, oasis, olivia rodrigo, pearl jam, pink floyd, post malone, prince, queen, radiohead,
    red hot chili peppers, rihanna, sam smith, shakira, simon and garfunkel, snoop dogg, stevie wonder,
    sting, taylor swift, the beach boys, the beatles, the black keys, the cure, the doors, the eagles,
    the killers, the police, the rolling stones, the weeknd, the who, tina turner, travis scott,
    u two, whitney houston"""
ARTISTS: frozenset[str] = frozenset(name.strip() for name in _SAID.split(","))


def is_artist(title: str) -> bool:
    """Whether `title` (normalized) is a listed artist, said with or without its "the"."""
    bare = title.removeprefix("the ")
    return title in ARTISTS or bare in ARTISTS or f"the {bare}" in ARTISTS
