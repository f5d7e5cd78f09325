"""Answers to "Which one?": "the tv", "the kitchen one", "both", "the first one", "neither".

The question lists what it offers; the answer names one of them, several, or none. `resolve.answer_to`
reads an answer about devices, `chosen_timers` one about timers ("Which one should I cancel?"), and
`expected_answers` says which sentences the recognizer should accept while the question is open.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from runtime.asr.grammar import KIND_WORDS, number_words
from runtime.clock import duration_in_text
from runtime.context import ContextStore
from runtime.timers import RunningTimer, called

# "the tv", "the kitchen one", "the one in the office", "um, the egg timer please"
ANSWER = re.compile(
    r"(?:(?:um|uh|oh|er|yes|yeah|no|sorry|well|ok|okay),? )*(?:i meant |i mean |i want |i said )?"
    r"(?:(?:the|my|in the|on the|in|on) )?(?:one (?:in|on|for) (?:the )?)?(?P<what>.+?)(?: one| ones)?"
    r"(?: please| thanks| thank you)?"
)
ALL_OFFERED = frozenset(
    ["both", "both of them", "all of them", "all", "all of those", "all three", "each of them"]
    + ["of them", "of those", "three"]  # as `rank.normalize` leaves them: it drops a leading "all", "both"
)
NONE_OFFERED = frozenset(
    [
        "neither",
        "neither of them",
        "neither one",
        "none",
        "none of them",
        "nothing",
        "no one",
        "never mind",
        "nevermind",
    ]
)
ORDINALS = {"first": 0, "second": 1, "third": 2, "fourth": 3, "last": -1, "former": 0, "latter": -1}


def choice(text: str) -> str | None:
    """What an answer names ("the kitchen one" -> "kitchen"), or None when `text` is too long to be
    one (a request of its own)."""
    said = ANSWER.fullmatch(text)
    if said is None or len(said["what"].split()) > 4:
        return None
    return str(said["what"])


def by_ordinal(what: str, offered: Sequence[object]) -> int | None:
    """ "first" -> 0, "last" -> the last index of `offered`; None for no ordinal or one past the end."""
    k = ORDINALS.get(what)
    if k is None or not -len(offered) <= k < len(offered):
        return None
    return k % len(offered)


def chosen_timers(text: str, offered: Sequence[RunningTimer]) -> list[RunningTimer] | None:
    """The timers of `offered` (in the order the question listed them) an answer picks: "the egg
    timer", "the 10 minute one", "the first one", "both"; [] for "neither"; None when `text` is no
    answer about them."""
    what = choice(re.sub(r"^(?:cancel|stop|delete|remove) ", "", text))
    if what is None:
        return None
    what = re.sub(r" (?:timers?|alarms?|reminders?)$", "", what)
    if what in NONE_OFFERED:
        return []
    if what in ALL_OFFERED:
        return list(offered)
    if (k := by_ordinal(what, offered)) is not None:
        return [offered[k]]
    seconds = duration_in_text(f"for {what}")
    if seconds is not None:
        return [t for t in offered if t.seconds == int(seconds)] or None
    return [t for t in offered if called(t, what)] or None


def _any_answer(offered: int) -> set[str]:
    """What may answer any "Which one?" of `offered` things: both, neither, an ordinal up to
    `offered` ("the third one" of two was heard for "the first one")."""
    ordinals = [k for k, i in ORDINALS.items() if i < offered and k not in ("former", "latter")]
    return {*ALL_OFFERED, *NONE_OFFERED, *(f"the {k} one" for k in ordinals)}


def device_answers(names: Iterable[str], rooms: Iterable[str], offered: int) -> list[str]:
    """The sentences that may answer "Which one: ...?" offering `offered` devices called `names`
    (names, aliases, kind words) in `rooms`, for the recognizer to accept while the question is open."""
    said = _any_answer(offered)
    for n in names:
        said |= {n, f"the {n}", f"the {n} please", f"{n} please"}
    for r in rooms:
        said |= {r, f"the {r}", f"the {r} one", f"in the {r}", f"the one in the {r}"}
    return sorted(said)


def timer_answers(offered: Sequence[RunningTimer]) -> list[str]:
    """The sentences that may answer "Which one should I cancel?" about `offered`: "the egg timer",
    "the ten minute one", "both", ..."""
    said = _any_answer(len(offered))
    for t in offered:
        if t.name:
            said |= {t.name, f"the {t.name}", f"the {t.name} timer", f"the {t.name} one"}
        minutes, seconds = divmod(t.seconds, 60)
        if not seconds and 0 < minutes <= 100:
            m = number_words(minutes)
            said |= {f"the {m} minute one", f"the {m} minute timer", f"{m} minutes", f"the {m} minutes one"}
    return sorted(said)


def expected_answers(ctx: ContextStore, satellite: str, timers_offered: list[RunningTimer]) -> list[str]:
    """What may answer the question a satellite's turn just asked: which of `timers_offered` to
    cancel, else which of the devices `ContextStore.asked` offered; [] when it asked none."""
    if timers_offered:
        return timer_answers(timers_offered)
    asked = ctx.asked(satellite)
    if asked is None:
        return []
    devices = [d for i in asked.candidates if (d := ctx.device(i)) is not None] or ctx.devices()
    rooms = [r for r in ctx.config.rooms if any(d.room == r.id for d in devices)]
    names = {n.lower() for d in devices for n in (*d.names, *KIND_WORDS.get(d.type, ()))}  # "the speaker"
    room_names = {n.lower() for r in rooms for n in (r.name, *r.aliases)}
    return device_answers(names, room_names, len(asked.candidates) or len(devices))
