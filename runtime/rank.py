"""Context re-ranking: the house's live state reorders the NLU's n-best before resolution.

The NLU only sees words; the context knows what is playing, what is on, where the person is
and what they like. Each rule below looks at one hypothesis and returns a small score change and
the reason; the n-best is then sorted by the adjusted scores. The changes are small (0.05-0.2) on
purpose: they decide between close hypotheses and never overrule a confident model (but for
`timer_has_a_time` and `timer_names_a_device`, constraints rather than preferences: a hypothesis they
rule out leaves its probability to the others, in the model's proportions).

Rules (one function each, in `RULES`):

* `media_fits_screen`: a video hypothesis (movie, show) gains on a satellite with a screen and loses
  on one without; an audio one (audiobook, music, podcast) the other way round.
* `preferred_media_class`: a media class the person said they prefer gains.
* `media_needs_player`: pause/next need something playing, resume needs something paused.
* `already_in_state`: turning on what is already on (or off what is off) is less likely than the
  opposite; ASR often swaps "on" and "off".
* `query_has_subject`: a state question without a device cannot be answered; a temperature question
  needs a thermostat, an oven or a temperature sensor.
* `type_fits_intent`: a named device must be able to do the intent (no brightness on a fan); a
  name that is exactly a device able to do it is evidence for the hypothesis (entity match).
* `refers_to_last_target`: "turn it off" (no device, or a pronoun) right after a command on this
  satellite is about that device, so it beats "stop" and friends.
* `night_turns_off`: between 22:00 and 06:00 turning things off is a little more likely than on.
* `timer_has_a_time`: a timer to start with no time heard and no "timer" said is not a timer: the
  model read a plain command as a delayed one ("turn off the music" as "turn off the music in five
  minutes"). It overrules the model, since the only answer to such a timer would be "For how long?"
  to someone who asked for none.
* `timer_names_a_device`: "stop the oven", "what's the status of the front door" read as a running
  timer's (cancel, status): with no timer running and no "timer" said, a name that is a device's
  means the device. Like `timer_has_a_time` it overrules the model, since the timer reading could
  only answer "There is no timer running".
* `timer_is_running`: cancelling, pausing, resuming, changing or asking about a timer needs one
  running (the pipeline tells the context how many run on its satellite): "stop the oven" with no
  timer is less likely the oven timer.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from runtime.config import Device, Satellite
from runtime.context import ContextStore
from runtime.events import Interpretation

VIDEO_CLASSES = frozenset(
    {"movie", "movies", "film", "films", "video", "videos", "tv_show", "show", "series", "episode"}
)
AUDIO_CLASSES = frozenset(
    {
        "audiobook",
        "audiobooks",
        "book",
        "music",
        "song",
        "track",
        "album",
        "artist",
        "playlist",
        "podcast",
        "radio",
    }
)
# which device types can carry out a device intent
INTENT_TYPES: dict[str, frozenset[str]] = {
    "HassLightSet": frozenset({"light"}),
    "AmbientSetBrightnessRelative": frozenset({"light"}),
    "HassSetVolume": frozenset({"media_player", "tv"}),
    "HassMediaPause": frozenset({"media_player", "tv"}),
    "HassMediaUnpause": frozenset({"media_player", "tv"}),
    "HassMediaNext": frozenset({"media_player", "tv"}),
    "HassMediaPrevious": frozenset({"media_player", "tv"}),
    "HassMediaSearchAndPlay": frozenset({"media_player", "tv"}),
    "HassClimateSetTemperature": frozenset({"climate", "oven"}),
    "HassClimateGetTemperature": frozenset({"climate", "oven", "sensor"}),
    "HassSetPosition": frozenset({"cover"}),
    "HassTurnOn": frozenset(
        {"light", "switch", "fan", "climate", "oven", "cover", "lock", "tv", "media_player"}
    ),
    "HassTurnOff": frozenset(
        {"light", "switch", "fan", "climate", "oven", "cover", "lock", "tv", "media_player"}
    ),
}
PRONOUNS = frozenset({"it", "that", "this", "them", "those", "these", "they", "that one", "this one"})
ARTICLES = ("the ", "my ", "a ", "an ", "all the ", "all ", "both ")


def words_of(text: str) -> list[str]:
    """Every word said, lower case, no punctuation: "The Kitchen-Light!" -> ["the", "kitchen", "light"]."""
    return re.sub(r"[^\w\s']", " ", text.lower().replace("-", " ")).split()


def said_words(interp: Interpretation) -> set[str]:
    """The words of the request, for "was X said" (normalize() would drop a leading "the" or "my")."""
    return set(words_of(interp.text))


def normalize(text: str) -> str:
    """Lower case, no punctuation, no leading article: "The Kitchen-Light!" -> "kitchen light"."""
    t = " ".join(words_of(text))
    changed = True
    while changed:
        changed = False
        for a in ARTICLES:
            if t.startswith(a):
                t, changed = t[len(a) :], True
    return t


def called(devices: list[Device], *phrases: str) -> list[Device]:
    """The devices whose name or an alias, normalized, is one of `phrases` (normalized already)."""
    return [d for d in devices if any(normalize(n) in phrases for n in d.names)]


def exact_devices(value: str, devices: list[Device]) -> list[Device]:
    """Devices whose name or an alias is `value` (ignoring case, articles and a plural s)."""
    v = normalize(value)
    return called(devices, v, v.removesuffix("s"), v + "s")


def named_devices(interp: Interpretation, devices: list[Device]) -> tuple[str, list[Device]]:
    """The name slot and the devices it names exactly, widening a span the NLU cut short.

    Slot taggers often cut a name: "coffee" in "turn on the coffee maker". If the slot alone names
    nothing, up to two neighbouring words of the text are added; only an exact name counts.
    """
    name = normalize(interp.slot("name") or "")
    if not name:
        return "", []
    found = exact_devices(name, devices)
    words, span = normalize(interp.text).split(), name.split()
    starts = [i for i in range(len(words)) if words[i : i + len(span)] == span]
    if found or not starts:
        return name, found
    i = starts[0]
    for extra in (1, 2):
        for left in range(extra + 1):
            lo, hi = i - left, i + len(span) + extra - left
            if lo < 0 or hi > len(words):
                continue
            phrase = " ".join(words[lo:hi])
            found = called(devices, phrase)
            if found:
                return phrase, found
    return name, []


@dataclass(frozen=True)
class ContextSnapshot:
    """What re-ranking may look at, copied from the ContextStore at one instant."""

    devices: list[Device]
    states: dict[str, dict[str, Any]]  # device id -> normalized state (available devices only)
    hour: int  # local time, 0-23
    preferences: dict[str, Any] = field(default_factory=dict)
    last_target: list[str] = field(default_factory=list)  # what this satellite's last command acted on
    timers: int = 0  # timers running that this satellite can act on

    def in_room(self, room: str) -> list[Device]:
        return [d for d in self.devices if d.room == room]

    def state_of(self, device_id: str) -> str | None:
        value = self.states.get(device_id, {}).get("state")
        return str(value) if value is not None else None


def snapshot(
    ctx: ContextStore, *, person: str = "default", now: datetime | None = None, satellite: str | None = None
) -> ContextSnapshot:
    now = now or datetime.now()
    states = {i: dict(s.state) for i, s in ctx.states().items() if s.available}
    last = ctx.last_target(satellite) if satellite else []
    timers = ctx.running_timers(satellite) if satellite else 0
    return ContextSnapshot(ctx.devices(), states, now.hour, ctx.preferences(person), last, timers)


Rule = Callable[[Interpretation, ContextSnapshot, Satellite], tuple[float, str | None]]


def media_fits_screen(
    interp: Interpretation, snap: ContextSnapshot, sat: Satellite
) -> tuple[float, str | None]:
    if interp.intent != "HassMediaSearchAndPlay":
        return 0.0, None
    cls = normalize(interp.slot("media_class") or "").replace(" ", "_")
    if cls in VIDEO_CLASSES:
        if sat.has_screen:
            return 0.15, f"{cls} fits satellite {sat.id}, which has a screen"
        return -0.15, f"{cls} needs a screen and satellite {sat.id} has none"
    if cls in AUDIO_CLASSES:
        if sat.has_screen:
            return -0.05, f"{cls} on satellite {sat.id}, which could show video"
        return 0.15, f"{cls} fits satellite {sat.id}, which has no screen"
    return 0.0, None


def preferred_media_class(
    interp: Interpretation, snap: ContextSnapshot, sat: Satellite
) -> tuple[float, str | None]:
    preferred = snap.preferences.get("media_class")
    cls = normalize(interp.slot("media_class") or "")
    if interp.intent == "HassMediaSearchAndPlay" and preferred and cls and cls.rstrip("s") == str(preferred):
        return 0.1, f"the person prefers {preferred}"
    return 0.0, None


def media_needs_player(
    interp: Interpretation, snap: ContextSnapshot, sat: Satellite
) -> tuple[float, str | None]:
    media = [d for d in snap.devices if d.type in ("media_player", "tv")]
    playing = [d for d in media if snap.state_of(d.id) == "playing"]
    paused = [d for d in media if snap.state_of(d.id) == "paused"]
    if interp.intent in ("HassMediaPause", "HassMediaNext", "HassMediaPrevious"):
        if any(d.room == sat.room for d in playing):
            return 0.1, f"media is playing in {sat.room}"
        if not playing:
            return -0.15, "nothing is playing"
    if interp.intent == "HassMediaUnpause":
        if any(d.room == sat.room for d in paused):
            return 0.1, f"media is paused in {sat.room}"
        if not paused:
            return -0.15, "nothing is paused"
    return 0.0, None


def already_in_state(
    interp: Interpretation, snap: ContextSnapshot, sat: Satellite
) -> tuple[float, str | None]:
    target = {"HassTurnOn": "on", "HassTurnOff": "off"}.get(interp.intent)
    if target is None:
        return 0.0, None
    _, devices = named_devices(interp, snap.devices)
    if len(devices) == 1 and snap.state_of(devices[0].id) == target:
        return -0.1, f"the {devices[0].name} is already {target}"
    return 0.0, None


def query_has_subject(
    interp: Interpretation, snap: ContextSnapshot, sat: Satellite
) -> tuple[float, str | None]:
    if interp.intent == "HassGetState" and not any(
        interp.slot(s) for s in ("name", "area", "domain", "device_class")
    ):
        return -0.15, "a state question without a device"
    if interp.intent == "HassClimateGetTemperature":
        sources = [d for d in snap.devices if d.type in ("climate", "oven", "sensor")]
        if not sources:
            return -0.2, "no thermostat, oven or temperature sensor in this home"
        running_oven = any(d.type == "oven" and snap.state_of(d.id) == "on" for d in sources)
        if running_oven and not interp.slot("name"):
            return 0.1, "the oven is on, so a temperature question is about it"
    return 0.0, None


def type_fits_intent(
    interp: Interpretation, snap: ContextSnapshot, sat: Satellite
) -> tuple[float, str | None]:
    types = INTENT_TYPES.get(interp.intent)
    if types is None:
        return 0.0, None
    _, devices = named_devices(interp, snap.devices)
    if devices and not any(d.type in types for d in devices):
        return -0.2, f"the {devices[0].name} is a {devices[0].type} and cannot do {interp.intent}"
    if devices:  # the name is a device of this home that can do it: evidence the parse is right
        return 0.1, f"the {devices[0].name} is a known {devices[0].type} that can do {interp.intent}"
    return 0.0, None


def refers_to_last_target(
    interp: Interpretation, snap: ContextSnapshot, sat: Satellite
) -> tuple[float, str | None]:
    device_slots = ("name", "area", "domain", "device_class", "floor")
    unnamed = (
        not any(interp.slot(s) for s in device_slots) or normalize(interp.slot("name") or "") in PRONOUNS
    )
    if interp.intent in ("HassTurnOn", "HassTurnOff") and snap.last_target and unnamed:
        return 0.1, f"'it' can be what was just commanded ({', '.join(snap.last_target)})"
    return 0.0, None


def night_turns_off(
    interp: Interpretation, snap: ContextSnapshot, sat: Satellite
) -> tuple[float, str | None]:
    if interp.intent == "HassTurnOff" and (snap.hour >= 22 or snap.hour < 6):
        return 0.05, f"it is {snap.hour:02d}h: at night things are more often turned off"
    return 0.0, None


TIMER_WORDS = frozenset({"timer", "timers", "countdown"})
DURATION_SLOTS = ("hours", "minutes", "seconds")
# a delay said is a time heard, tagged or not: resolution reads "in an hour" from the text ("for an
# hour" is not: "turn on the tv for an hour" is no timer)
DELAY_SAID = re.compile(r"\b(?:in|after|within) (?:\S+ ){1,4}?(?:hours?|minutes?|mins?|seconds?|secs?)\b")


def timer_has_a_time(
    interp: Interpretation, snap: ContextSnapshot, sat: Satellite
) -> tuple[float, str | None]:
    if interp.intent != "HassStartTimer" or any(interp.slot(s) for s in DURATION_SLOTS):
        return 0.0, None
    if TIMER_WORDS & said_words(interp) or DELAY_SAID.search(interp.text.lower()):
        return 0.0, None  # "set a timer": ask for how long
    return -1.0, "a timer needs a time, and neither a time nor a timer was heard"


# what can only be done to a timer that runs
ON_A_TIMER = frozenset(
    {"HassCancelTimer", "HassCancelAllTimers", "HassTimerStatus", "HassPauseTimer", "HassUnpauseTimer",
     "HassIncreaseTimer", "HassDecreaseTimer"}
)  # fmt: skip


def timer_is_running(
    interp: Interpretation, snap: ContextSnapshot, sat: Satellite
) -> tuple[float, str | None]:
    # as impossible as a temperature question in a home without a thermostat (-0.2): "stop the oven"
    # with no timer running is less likely the oven timer
    if interp.intent in ON_A_TIMER and snap.timers == 0:
        return -0.2, "no timer is running"
    return 0.0, None


def timer_names_a_device(
    interp: Interpretation, snap: ContextSnapshot, sat: Satellite
) -> tuple[float, str | None]:
    # with no timer running a timer reading can only say so, while the device it names is there
    if interp.intent not in ON_A_TIMER or snap.timers or TIMER_WORDS & said_words(interp):
        return 0.0, None
    name = normalize(interp.slot("name") or "")
    if name and called(snap.devices, name):
        return -1.0, f"no timer runs, no timer was said, and '{name}' is a device"
    return 0.0, None


RULES: tuple[Rule, ...] = (
    media_fits_screen,
    preferred_media_class,
    media_needs_player,
    already_in_state,
    query_has_subject,
    type_fits_intent,
    refers_to_last_target,
    night_turns_off,
    timer_has_a_time,
    timer_names_a_device,
    timer_is_running,
)


RULED_OUT = -1.0  # a rule's change this low is a constraint: the hypothesis cannot be meant
MIN_LEFT = 0.05  # what ruled-out hypotheses must leave the rest for it to be shared out


def rerank_explained(
    nbest: list[Interpretation], snap: ContextSnapshot, satellite: Satellite
) -> tuple[list[Interpretation], list[str]]:
    """The n-best sorted by context-adjusted score, and why each score changed."""
    reasons: list[str] = []
    deltas: list[float] = []
    ruled_out: list[bool] = []
    for interp in nbest:
        delta, out = 0.0, False
        for rule in RULES:
            change, why = rule(interp, snap, satellite)
            if change and why:
                delta, out = delta + change, out or change <= RULED_OUT
                reasons.append(f"{interp.intent} {change:+.2f}: {why}")
        deltas.append(delta)
        ruled_out.append(out)
    # what a constraint ruled out leaves its probability to the rest, in the model's proportions
    # ("stop the oven": cancel a timer 0.91, none runs; turn off the oven 0.09 -> 0.98), unless the
    # model left them so little that their proportions say nothing
    left = 1.0 - sum(i.score for i, out in zip(nbest, ruled_out, strict=True) if out)
    share = any(ruled_out) and left >= MIN_LEFT
    if share:
        reasons.append(f"the others' scores are shares of the {left:.2f} left by what was ruled out")
    adjusted: list[Interpretation] = []
    for interp, delta, out in zip(nbest, deltas, ruled_out, strict=True):
        base = interp.score / left if share and not out else interp.score
        score = min(1.0, max(0.0, base + delta))
        adjusted.append(dataclasses.replace(interp, score=round(score, 4)))
    # stable: equal scores keep the model's order
    order = sorted(range(len(adjusted)), key=lambda i: -adjusted[i].score)
    return [adjusted[i] for i in order], reasons


def rerank(nbest: list[Interpretation], snap: ContextSnapshot, satellite: Satellite) -> list[Interpretation]:
    return rerank_explained(nbest, snap, satellite)[0]
