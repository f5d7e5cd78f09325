"""The home's command language: templates + devices.yaml -> sentences.

Templates are written in JSGF rule syntax (`(a | b)`, `[optional]`, `<slot>`); `sample()` expands
them with the home's names: devices.yaml's device names and aliases (by device type), room names
and aliases, and small word lists (numbers spelled out, media, phrases). The sentences train the
recognizer's language model (runtime/asr/lm.py) and serve as in-grammar test speech.

When the NLU's `models/nlu/data.py` offers `sample_sentences(config, n, seed)`, those sentences are
added, so the recognizer accepts whatever the NLU was trained on.
"""

from __future__ import annotations

import importlib
import logging
import random
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from runtime.config import Config, Satellite
from runtime.events import Interpretation, Resolution
from runtime.nlu import intents as I
from runtime.phrasings import REPEAT_ASKED, WEEKDAYS, WHY_ASKED

log = logging.getLogger(__name__)

ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]  # noqa: E501
TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def number_words(n: int) -> str:
    """0..100 spelled out the way people say them: 42 -> 'forty two'."""
    if n < 20:
        return ONES[n]
    if n == 100:
        return "one hundred"
    tens, ones = divmod(n, 10)
    return TENS[tens - 2] + (f" {ONES[ones]}" if ones else "")


# The phrasings the NLU understands (HA intents + our teach/feedback ones), one template a line,
# each with the intents a sentence of it may get. The recognizer hears exactly these sentences, so
# each must reach an intent the runtime acts on (a template the NLU calls OutOfDomain is heard, then
# answered "Sorry, I can't help with that": "thank you" was). tests/test_nlu_model.py checks the
# committed model against them; `python -m benchmarks.nlu --splits` scores models on them.
# what a sentence answered in words only means (runtime/phrasings.py ANSWERED: "what's your name")
ANSWERED_ONLY = "Answered"


class Learned(frozenset[str]):
    """A template's meanings, for a request the runtime reads from its words (see READ_BY_RUNTIME)."""


def learned(intents: set[str]) -> Learned:
    return Learned(intents)


MEANINGS: dict[str, frozenset[str]] = {
    # on / off
    "[please] (turn | switch) (on | off) [the] <switchable> [in the <room>] [please]": frozenset({"HassTurnOn", "HassTurnOff"}),
    "[please] (turn | switch) [the] <switchable> (on | off) [please]": frozenset({"HassTurnOn", "HassTurnOff"}),
    "(turn | switch) (on | off) [all] the lights in the <room>": frozenset({"HassTurnOn", "HassTurnOff"}),
    "(turn | switch) (on | off) the <room> lights": frozenset({"HassTurnOn", "HassTurnOff"}),
    "(turn | switch) (on | off) [all] the lights <floor>": frozenset({"HassTurnOn", "HassTurnOff"}),
    "(turn | switch) (on | off) everything <floor>": frozenset({"HassTurnOn", "HassTurnOff"}),
    "(start | stop) the <runnable>": frozenset({"HassTurnOn", "HassTurnOff", "HassMediaPause", "HassMediaUnpause"}),
    # for later: spoken, "turn off the lights at eleven p m" was heard as "... in the living room" and done now
    "(turn | switch) (on | off) the <switchable> (in <number> minutes | in an hour | at <clock> | at (sunset | sunrise))": learned({"HassStartTimer"}),
    "<switchable> (on | off) in <number> minutes": learned({"HassStartTimer"}),
    # each its own time (runtime/clauses.py each_its_time): heard as the first alone, the rest lost
    "turn (on | off) the <switchable> in <number> minutes and the <switchable> in <number> [minutes]": learned({"HassStartTimer"}),
    # "make sure the front door is locked" (heard as "... front door lock")
    "make sure the <lock> is (locked | unlocked)": learned({"HassTurnOn", "HassTurnOff"}),
    # "it" / "them": what was just commanded (spoken, "turn it off" was heard as "turn tv off")
    "[please] (turn | switch) (it | them) (on | off) [please]": frozenset({"HassTurnOn", "HassTurnOff"}),
    "turn (it | them) (up | down)": frozenset({I.BRIGHTNESS_STEP, "HassSetVolumeRelative", "HassClimateSetTemperature", "HassFanSetSpeed"}),
    "set (it | them) to <number> percent": frozenset({"HassLightSet", "HassSetVolume", "HassSetPosition"}),
    "make it (brighter | dimmer)": frozenset({I.BRIGHTNESS_STEP}),
    "make it (warmer | cooler | colder)": learned({"HassClimateSetTemperature", "HassLightSet"}),
    "(make | brew) (me a | some) coffee": learned({"HassTurnOn"}),  # the coffee maker (it was "wake me up at three")
    # lights
    "(set | dim) [the] <light> to <number> percent": frozenset({"HassLightSet"}),
    "(set | change) the brightness of the <light> to <number> percent": frozenset({"HassLightSet"}),
    "(set | dim) the <light> to <number> percent (for an hour | until <clock>)": learned({"HassLightSet"}),
    "(brighten | dim) the <light>": frozenset({I.BRIGHTNESS_STEP}),
    "turn on the <light> (dim | dimmed)": frozenset({I.BRIGHTNESS_STEP}),
    "make [the] <light> (brighter | dimmer)": frozenset({I.BRIGHTNESS_STEP}),
    "make the <light> (warmer | cooler)": learned({"HassLightSet"}),
    "lights": frozenset({"HassTurnOn", "HassTurnOff"}),  # on, or off when they are on
    "(full | half) brightness [in the <room>]": learned({"HassLightSet"}),
    "i can't see anything": learned({I.BRIGHTNESS_STEP}),
    "(what | which) lights can (change color | dim)": learned({"HassGetState"}),
    # fans
    "(set | turn) the <fan> (to | on) (low | medium | high)": learned({"HassFanSetSpeed"}),
    "turn on the <fan> [in the <room>] at (low | medium | high)": learned({"HassFanSetSpeed"}),
    "(it's | that's) [a bit] too (fast | slow)": learned({I.BRIGHTNESS_STEP, "HassFanSetSpeed"}),  # the fan a level: just commanded, or this room's
    # climate and state
    "(what's | what is) the temperature [in the <room> | of the <sensor>]": frozenset({"HassClimateGetTemperature"}),
    "how (hot | warm | cold) is it [in the <room>]": frozenset({"HassClimateGetTemperature"}),
    "set the (thermostat | heating | temperature) to <number> degrees": frozenset({"HassClimateSetTemperature"}),
    "set the oven to <number> degrees": frozenset({"HassClimateSetTemperature"}),
    # for a while: set back then (runtime/clauses.py SETTING; heard as the setting alone, or rejected)
    "(set | turn) the (thermostat | heating) [up | down] to <number> [degrees] (for an hour | for <number> minutes | for (two | three | four) hours | until <clock>)": learned({"HassClimateSetTemperature"}),
    "set the <room> to <number> degrees": learned({"HassClimateSetTemperature"}),  # its thermostat, or the home's
    "(what's | what is) the thermostat set to": frozenset({"HassClimateGetTemperature"}),
    "(is | are) the <device> (on | off | open | closed | locked)": frozenset({"HassGetState"}),
    "(what's | what is) the status of the <device>": learned({"HassGetState"}),
    "give me a status report": learned({"HassGetState"}),
    "(what's | what is) the weather [like] [today | tomorrow]": frozenset({"HassGetWeather"}),
    "(what time is it | what's the time | what's the date | what day is it)": frozenset({"HassGetCurrentTime", "HassGetCurrentDate"}),
    # locks and covers
    "(lock | unlock) the <lock>": frozenset({"HassTurnOn", "HassTurnOff"}),
    "(lock | unlock) the <lock> (in <number> minutes | at <clock>)": learned({"HassStartTimer"}),
    "(open | close | raise | lower) the <cover>": frozenset({"HassTurnOn", "HassTurnOff"}),
    "set the <cover> to <number> percent": frozenset({"HassSetPosition"}),
    "(open | close) the <cover> halfway": frozenset({"HassSetPosition"}),
    # timers
    "set a timer for <number> (minutes | seconds | hours)": frozenset({"HassStartTimer"}),
    "(start | set) a <number> minute timer": frozenset({"HassStartTimer"}),
    "(cancel | stop | pause | resume) the timer": frozenset({"HassCancelTimer", "HassPauseTimer", "HassUnpauseTimer"}),
    "how much time is left [on the timer]": frozenset({"HassTimerStatus"}),
    "set an alarm for <clock>": frozenset({"HassStartTimer"}),  # the runtime reads the time of day
    "wake me up at <clock> [on <weekday>]": learned({"HassStartTimer"}),
    "remind me to <task> [on <weekday>] at <clock>": learned({"HassStartTimer"}),
    "remind me (tomorrow | tonight) at <clock> to <task>": learned({"HassStartTimer"}),
    "(when is my alarm | cancel my alarm)": frozenset({"HassTimerStatus", "HassCancelTimer"}),
    "(what | which) (timers | reminders) do i have": frozenset({"HassTimerStatus"}),
    "cancel all [my] (timers | reminders)": frozenset({"HassCancelAllTimers"}),
    # alarms by time, all of them, and "snooze": each was heard as another command (benchmarks/spoken.py)
    "(what | which) alarms do i have": learned({"HassTimerStatus"}),
    "(cancel | turn off) all [my] alarms": learned({"HassCancelAllTimers"}),
    "cancel my <clock> alarm": learned({"HassCancelTimer"}),
    "(what time | when) is my reminder": learned({"HassTimerStatus"}),
    "snooze [for <number> minutes]": learned({"HassStartTimer"}),
    # media
    "(pause | resume | stop) [the music | the <player>]": frozenset({"HassMediaPause", "HassMediaUnpause", I.STOP}),
    "(next | previous) (song | track)": frozenset({"HassMediaNext", "HassMediaPrevious"}),
    "(skip this song | play the next song)": frozenset({"HassMediaNext"}),
    "play <media> [on the <player> | in the <room>]": frozenset({"HassMediaSearchAndPlay"}),
    "play <media> for <number> minutes": learned({"HassMediaSearchAndPlay"}),  # then paused
    "play my favorite (song | music | playlist)": learned({"HassMediaSearchAndPlay"}),
    "resume the (movie | film | show)": learned({"HassMediaUnpause"}),
    "skip back": learned({"HassMediaPrevious"}),
    "(switch | change) the <tv> to hdmi (one | two | three)": learned({"HassTurnOn"}),
    "(turn | switch) the <tv> to (netflix | youtube)": learned({"HassTurnOn"}),
    "[i want to | let's] watch (netflix | youtube)": learned({"HassTurnOn"}),
    "play <media> everywhere": learned({"HassMediaSearchAndPlay"}),
    # a name alone: music (runtime/music.py); in other templates the model reads unknown names badly
    "play <artist> [in the <room>]": learned({"HassMediaSearchAndPlay"}),
    "play <media> for (my wife | my husband | the kids | me)": learned({"HassMediaSearchAndPlay"}),
    "turn the volume (up | down)": frozenset({"HassSetVolumeRelative"}),
    "volume (up | down)": frozenset({"HassSetVolumeRelative"}),
    "set the volume to <number> [percent]": frozenset({"HassSetVolume"}),
    "(mute | unmute) [the] <player>": frozenset({"HassMediaPlayerMute", "HassMediaPlayerUnmute"}),
    "(mute | unmute)": frozenset({"HassMediaPlayerMute", "HassMediaPlayerUnmute"}),  # what plays here
    "put on some music [in the <room>]": learned({"HassMediaSearchAndPlay"}),
    "[a bit] (louder | quieter) [please]": frozenset({"HassSetVolumeRelative"}),
    "make (it | the music) (louder | quieter)": frozenset({"HassSetVolumeRelative"}),
    "stop the (white noise | rain sounds)": frozenset({"HassMediaPause"}),
    "(what's playing | what song is this | who sings this | what artist is this)": frozenset({"HassGetState"}),
    # feedback and teaching
    "[no] that's (wrong | not what i meant)": frozenset({I.NEGATIVE_FEEDBACK}),  # just after a command: undone
    # about the turn before (the pipeline answers them): rejected when spoken, no template had them
    "(say that again | what did you say | why did you do that | what did you hear | undo that)": learned({ANSWERED_ONLY, I.NEGATIVE_FEEDBACK}),
    "no i meant the <switchable>": frozenset({I.NEGATIVE_FEEDBACK, "HassTurnOn", "HassTurnOff"}),  # the pipeline redoes it there
    # a timer or alarm just set, put right ("seventeen" is often heard as "seventy"): the runtime
    # reads it then; said in a fresh context, it is feedback
    # without "no": the answer to "It's set for 1 minute. How long should it be?" (heard as "add minutes")
    "[no [i said]] <number> (minutes | seconds | hours)": frozenset({I.NEGATIVE_FEEDBACK, "HassStartTimer"}),
    "no [i said] <clock>": frozenset({I.NEGATIVE_FEEDBACK, "HassStartTimer"}),
    "stop learning": frozenset({I.LEARN_PREFERENCES}),
    "(stop | cancel | never mind)": frozenset({I.STOP, "HassNevermind"}),
    "thank you": frozenset({I.THANKS}),
    "(goodbye | you're awesome | (what's | what is) your name | tell me a joke | (what's | what is) the news)": learned({ANSWERED_ONLY}),
    "how many days until (christmas | halloween | new year's eve)": learned({"HassGetCurrentDate"}),
    # session 44: each said "Sorry" typed (a holiday's date, a place's time, a conversion). Sums ("what's
    # <number> plus <number>") work typed only: spoken, "seven plus five" was heard as "two plus five", and
    # the template drew "what's the date" to "what's ninety eight" (benchmarks/audio.py)
    "(when is | what day is) (christmas | thanksgiving | easter | halloween | mother's day | father's day)": learned({"HassGetCurrentDate"}),
    "what time is it in (london | paris | tokyo | new york | los angeles | sydney)": learned({"HassGetCurrentTime"}),
    # the sun at the home's place (runtime/sun.py): the time now, a temperature or "Sorry" before
    "(what time | when) is (sunset | sunrise) [tomorrow]": learned({"HassGetCurrentTime"}),
    "(what time | when) does the sun (set | rise | come up | go down) [tomorrow]": learned({"HassGetCurrentTime"}),
    "(how long until (sunset | sunrise) | when does it get dark)": learned({"HassGetCurrentTime"}),
    "how many (ounces | teaspoons | tablespoons | cups | grams) are in a (cup | tablespoon | pound | gallon)": learned({ANSWERED_ONLY}),
    "how long has the <switchable> been (on | off)": learned({"HassGetState"}),  # it answered about timers
    # lists (runtime/lists.py): "add milk to my shopping list" was rejected, or "Sorry"
    "add <item> [and <item>] to [my | the] shopping list": learned({"HassShoppingListAddItem"}),
    "add <item> <item> and <item> to [my | the] shopping list": learned({"HassShoppingListAddItem"}),  # no commas
    "(take | remove) <item> (off | from) [my | the] shopping list": learned({"HassListCompleteItem"}),
    "(what's on | read me) [my | the] shopping list": learned({"AmbientListRead"}),
    "how many things are on [my | the] shopping list": learned({"AmbientListRead"}),
    "is <item> on [my | the] shopping list": learned({"AmbientListRead"}),
    "clear [my | the] shopping list": learned({"AmbientListClear"}),
    "add <task> to my to do list": learned({"HassListAddItem"}),
    "what's on my to do list": learned({"AmbientListRead"}),
    # said in the other rooms (resolve.BROADCAST)
    "(tell everyone | announce that) (dinner is ready | breakfast is ready | it's time to go | it's bedtime | the car is here)": learned({"HassBroadcast"}),
    "turn them both (on | off)": learned({"HassTurnOn", "HassTurnOff"}),  # the last two devices
    "actually leave it (on | off)": learned({"HassTurnOn", "HassTurnOff"}),
    "when i say <phrase> turn (on | off) the <switchable>": frozenset({I.TEACH_COMMAND}),
    # a phrase alone: once taught, what it was taught to do; until then, how to teach it
    "<phrase>": learned({ANSWERED_ONLY}),
    "i (like | love | don't like) <media>": frozenset({I.TEACH_PREFERENCE}),
    "learn my preferences": frozenset({I.LEARN_PREFERENCES}),
}  # fmt: skip
TEMPLATES: tuple[str, ...] = tuple(MEANINGS)
# The templates marked `learned(...)` are requests the runtime learned from typed text
# (runtime/phrasings.py and the text rules read them from their words): the model alone misreads most
# of them, so the model's own grammar figure (`benchmarks/nlu.py --splits`) leaves them out until its
# training data holds them; what the runtime does with them is checked with the rest
# (tests/test_nlu_model.py, benchmarks/resolve.py).
READ_BY_RUNTIME = frozenset(t for t, means in MEANINGS.items() if isinstance(means, Learned))

MEDIA = (
    "jazz", "music", "some music", "classical music", "rock music", "the radio", "the news",
    "a podcast", "the beatles", "pop music", "my playlist",
)  # fmt: skip
# heard as media too; not in MEDIA, which models/nlu/data.py fills its training and test sentences from
# (a change there moves the NLU benchmark's held-out set)
SLEEP_SOUNDS = ("rain sounds", "white noise")
# artists people ask for most (runtime/music.py has more, read as music when typed or heard)
ARTISTS_SAID = (
    "taylor swift", "adele", "coldplay", "ed sheeran", "queen", "the rolling stones", "elvis", "abba",
    "beyonce", "michael jackson", "pink floyd", "bruno mars",
)  # fmt: skip
# What people call a device when the room is implied ("turn on the light" means the light in the
# satellite's room): without these the LM only knows device names and "the light" is improbable.
KIND_WORDS: dict[str, tuple[str, ...]] = {
    "light": ("light", "lights", "lamp"),
    "switch": ("switch",),
    "fan": ("fan",),
    "climate": ("heating", "thermostat"),
    "oven": ("oven",),
    "cover": ("blinds", "curtains"),
    "lock": ("door", "lock"),
    "tv": ("tv", "television"),
    "media_player": ("music", "speaker"),
}
RUNNABLE = ("switch", "fan", "tv", "media_player", "oven", "climate")
# "i'm leaving" and the like are what people teach most (runtime/phrasings.py TEACHABLE: how to)
PHRASES = ("movie time", "good night", "good morning", "bed time", "reading time", "i'm leaving", "i'm home")
# a time of day as said: "seven", "six thirty a m", "ten o'clock", "half past six", "quarter to seven"
CLOCK = (
    tuple(
        f"{number_words(h)}{minutes}{half}"
        for h in range(1, 13)
        for minutes in ("", " fifteen", " thirty", " forty five")
        for half in ("", " a m", " p m")
    )
    + tuple(f"{number_words(h)} o'clock" for h in range(1, 13))
    + tuple(
        f"{said} {number_words(h)}"
        for h in range(1, 13)
        for said in ("half past", "quarter past", "quarter to")
    )
)
TASKS = ("call mom", "check the oven", "take my medicine", "feed the cat", "water the plants")
# what goes on a shopping list, said (the recognizer hears only words its grammar holds)
_ITEMS_SAID = """milk, eggs, bread, butter, cheese, coffee, tea, sugar, flour, rice, pasta, apples, bananas,
    oranges, lemons, potatoes, onions, tomatoes, carrots, lettuce, chicken, yogurt, cereal, juice, beer, wine,
    salt, garlic, toilet paper, paper towels, dish soap, shampoo, toothpaste, batteries,
    olive oil"""
ITEMS = tuple(item.strip() for item in _ITEMS_SAID.split(","))
NUMBERS = tuple(number_words(n) for n in range(0, 101))


def _norm(text: str) -> str:
    """Lower-case words only: 'Kitchen Light!' -> 'kitchen light'; digits become words."""
    text = re.sub(
        r"\d+", lambda m: number_words(int(m.group())) if int(m.group()) <= 100 else m.group(), text
    )
    return " ".join(re.findall(r"[a-z']+", text.lower()))


def slot_values(config: Config) -> dict[str, list[str]]:
    """Every slot's phrases, from the home's devices and rooms plus the fixed word lists."""

    def names(*types: str, measuring: bool = True, kinds_of: tuple[str, ...] | None = None) -> list[str]:
        """Names of the devices of `types` plus their kind words ("fan"), those of `kinds_of` only if given."""
        devices = [
            d for d in config.devices if (not types or d.type in types) and (measuring or d.unit is None)
        ]
        kinds = {
            k for d in devices if kinds_of is None or d.type in kinds_of for k in KIND_WORDS.get(d.type, ())
        }
        return sorted({_norm(n) for d in devices for n in d.names} | kinds)

    rooms = sorted({_norm(n) for r in config.rooms for n in [r.name, *r.aliases]})
    return {
        "device": names(measuring=False),  # "is the office temperature on" asks nothing
        "switchable": names("light", "switch", "fan", "tv", "media_player", "oven", "climate"),
        # what runs and stops: "stop the fan", "start the coffee maker"; not "start the switch"
        "runnable": names(*RUNNABLE, kinds_of=tuple(t for t in RUNNABLE if t != "switch")),
        "light": names("light"),
        "lock": names("lock"),
        "cover": names("cover"),
        "player": names("tv", "media_player"),
        "tv": names("tv"),
        "fan": names("fan"),
        "sensor": names("sensor", "climate", "oven"),
        "room": rooms,
        "floor": sorted({_norm(r.floor) for r in config.rooms if r.floor}),
        "number": list(NUMBERS),
        "media": [*MEDIA, *SLEEP_SOUNDS],
        "artist": list(ARTISTS_SAID),
        "phrase": list(PHRASES),
        "clock": list(CLOCK),
        "task": list(TASKS),
        "item": list(ITEMS),
        "weekday": list(WEEKDAYS),
    }


# --- a tiny JSGF-subset parser, used for sampling and for checking words -------------------------

Node = tuple  # ("seq", [nodes]) | ("alt", [nodes]) | ("opt", node) | ("ref", name) | ("word", w)
_TOKEN = re.compile(r"\s*(<[a-z_]+>|[()\[\]|]|[a-z']+)")


def parse(template: str) -> Node:
    tokens = _TOKEN.findall(template)
    if "".join(tokens).replace(" ", "") != re.sub(r"\s+", "", template):
        raise ValueError(f"template has characters the grammar cannot take: {template!r}")
    pos = 0

    def alt() -> Node:
        nonlocal pos
        options = [seq()]
        while pos < len(tokens) and tokens[pos] == "|":
            pos += 1
            options.append(seq())
        return options[0] if len(options) == 1 else ("alt", options)

    def seq() -> Node:
        nonlocal pos
        items: list[Node] = []
        while pos < len(tokens) and tokens[pos] not in ("|", ")", "]"):
            tok = tokens[pos]
            pos += 1
            if tok in ("(", "["):
                inner = alt()
                close = ")" if tok == "(" else "]"
                if pos >= len(tokens) or tokens[pos] != close:
                    raise ValueError(f"unbalanced {tok!r} in template {template!r}")
                pos += 1
                items.append(inner if tok == "(" else ("opt", inner))
            elif tok.startswith("<"):
                items.append(("ref", tok[1:-1]))
            else:
                items.append(("word", tok))
        return ("seq", items)

    node = alt()
    if pos != len(tokens):
        raise ValueError(f"unbalanced brackets in template {template!r}")
    return node


# the slots whose values are dealt like cards in each template's draw (grammar.lm_sentences): the
# alarm's clock times, and the home's names, so no name is heard more than another by luck ("turn on
# the light" was heard as "the lights" when "lights" came up more often). Numbers, media and phrases
# are drawn: dealing every slot let more out-of-grammar speech through (94 -> 91%, one shared draw).
DEALT = frozenset(
    {"clock", "switchable", "light", "device", "runnable", "lock", "cover", "player", "sensor", "room"}
)


def draw_number(rng: random.Random) -> str:
    """A number 0-100 drawn by its first word, each of the 29 ("zero" .. "nineteen", "twenty" ..
    "ninety", "one hundred") as likely: drawn uniformly over 0-100, each tens word began ten numbers
    to a teen's one, and the LM heard "seventeen degrees" as "seventy eight", "a timer for fourteen
    minutes" as "forty" (benchmarks/spoken.py, benchmarks/data/spoken_numbers.txt)."""
    first = rng.randrange(len(ONES) + len(TENS) + 1)
    if first < len(ONES):
        return ONES[first]
    if first == len(ONES) + len(TENS):
        return "one hundred"
    return number_words(20 + 10 * (first - len(ONES)) + rng.randrange(10))


def expand_random(
    node: Node, slots: dict[str, list[str]], rng: random.Random, decks: dict[str, list[str]] | None = None
) -> list[str]:
    """One random sentence of `node`. With `decks`, the values of a `DEALT` slot are dealt like cards
    (each once before any twice), so a few thousand draws hear every clock time and number: drawn
    independently, "set an alarm for seven a m" could be missing from the LM, and was heard as "ten a m"."""
    kind = node[0]
    if kind == "word":
        return [node[1]]
    if kind == "ref":
        values = slots[node[1]]
        if node[1] == "number" and values == list(NUMBERS):
            return draw_number(rng).split()
        if decks is None or node[1] not in DEALT:
            return values[rng.randrange(len(values))].split()
        deck = decks.setdefault(node[1], [])
        if not deck:
            deck.extend(rng.sample(values, len(values)))
        return deck.pop().split()
    if kind == "opt":
        return expand_random(node[1], slots, rng, decks) if rng.random() < 0.5 else []
    if kind == "alt":
        return expand_random(rng.choice(node[1]), slots, rng, decks)
    return [w for item in node[1] for w in expand_random(item, slots, rng, decks)]


def refs_of(node: Node) -> set[str]:
    kind = node[0]
    if kind == "ref":
        return {node[1]}
    if kind == "word":
        return set()
    if kind == "opt":
        return refs_of(node[1])
    return {r for item in node[1] for r in refs_of(item)}


def usable_templates(slots: dict[str, list[str]]) -> dict[str, Node]:
    """The templates (text -> parsed) whose every slot has values here (no fans: no fan templates)."""
    parsed = {t: parse(t) for t in TEMPLATES}
    return {t: p for t, p in parsed.items() if all(slots.get(r) for r in refs_of(p))}


def sample(config: Config, n: int, seed: int = 0) -> list[str]:
    """`n` random in-grammar sentences (templates chosen uniformly, then every choice uniformly)."""
    rng = random.Random(seed)
    slots = slot_values(config)
    parsed = list(usable_templates(slots).values())
    decks: dict[str, list[str]] = {}
    return [" ".join(expand_random(rng.choice(parsed), slots, rng, decks)) for _ in range(n)]


def lm_sentences(config: Config, per_template: int, seed: int = 0) -> list[str]:
    """`per_template` random sentences of every template, for the recognizer's LM. Each template
    draws from its own generator, seeded by its text: adding or removing a template leaves the
    others' sentences as they were. One shared draw (`sample`) reshuffled them all, and with them
    which commands were misheard."""
    slots = slot_values(config)
    sentences: list[str] = []
    for text, parsed in usable_templates(slots).items():
        rng = random.Random(f"{seed}:{text}")
        decks: dict[str, list[str]] = {}
        sentences += [" ".join(expand_random(parsed, slots, rng, decks)) for _ in range(per_template)]
    return sentences


def sentences_by_template(config: Config, draws: int = 200, seed: int = 0) -> dict[str, list[str]]:
    """Template -> the distinct sentences of `draws` random expansions of it (one generator for the
    templates in order): what the recognizer hears, to check what the NLU makes of it (`MEANINGS`)."""
    rng = random.Random(seed)
    slots = slot_values(config)
    return {
        t: sorted({" ".join(expand_random(parsed, slots, rng)) for _ in range(draws)})
        for t, parsed in usable_templates(slots).items()
    }


def misread(
    intent_of: Callable[[str], str], sentences: dict[str, list[str]]
) -> dict[str, list[tuple[str, str]]]:
    """Template -> its sentences (`sentences_by_template`) whose intent, by `intent_of`, is not one
    the template means (`MEANINGS`), each with that intent."""
    return {
        t: [(s, got) for s in texts if (got := intent_of(s)) not in MEANINGS[t]]
        for t, texts in sentences.items()
    }


def acted_on(
    model: Any, config: Config, satellite: Satellite, text: str, now: datetime | None = None
) -> Resolution:
    """What the runtime resolves `text` to, heard by `satellite` in a fresh context: its first
    command, as the pipeline splits them ("play jazz for 30 minutes" is a play, then a pause)."""
    from runtime.clauses import commands
    from runtime.context import ContextStore
    from runtime.rank import normalize
    from runtime.resolve import interpret

    first = commands(text)[0]
    if REPEAT_ASKED.fullmatch(normalize(first)) or WHY_ASKED.fullmatch(normalize(first)):
        # the pipeline answers these about the turn before, in words, whatever the model reads
        return Resolution(Interpretation("OutOfDomain", 1.0, [], first), values={"answered": "about a turn"})
    _, resolution = interpret(model.parse(first), ContextStore(config), satellite, now=now)
    return resolution


def meaning(resolution: Resolution) -> str:
    """A resolution in `MEANINGS`' terms: ANSWERED_ONLY for an answer in words, OutOfDomain when it
    was rejected, else its intent."""
    if {"answered", "greeting", "teachable", "calculated", "told", "unasked"} & resolution.values.keys():
        return ANSWERED_ONLY
    return "OutOfDomain" if resolution.values.get("out_of_domain") else resolution.interpretation.intent


def grammar_pattern(config: Config) -> re.Pattern[str]:
    """One regex matching exactly the sentences of the templates (each word followed by a space)."""
    slots = slot_values(config)
    return re.compile("|".join(f"(?:{_node_pattern(p, slots)})" for p in usable_templates(slots).values()))


def _node_pattern(node: Node, slots: dict[str, list[str]]) -> str:
    kind = node[0]
    if kind == "word":
        return re.escape(node[1]) + " "
    if kind == "ref":
        return "(?:" + "|".join(re.escape(v) + " " for v in slots[node[1]]) + ")"
    if kind == "opt":
        return f"(?:{_node_pattern(node[1], slots)})?"
    if kind == "alt":
        return "(?:" + "|".join(_node_pattern(n, slots) for n in node[1]) + ")"
    return "".join(_node_pattern(n, slots) for n in node[1])


def grammar_jsgf(config: Config, known: Callable[[str], bool] = lambda w: True) -> str:
    """The templates as a JSGF grammar for pocketsphinx's grammar-constrained search.

    Only slot values whose every word is `known` to the recognizer's dictionary go in (an unknown
    word makes pocketsphinx refuse the whole grammar), and templates whose slots are left empty go out.
    """
    slots = {n: [v for v in vs if all(known(w) for w in v.split())] for n, vs in slot_values(config).items()}
    usable = usable_templates(slots)
    rules = [t for t in usable if all(known(w) for w in _TOKEN.findall(t) if w[0] not in "<()[]|")]
    used = {r for t in rules for r in refs_of(usable[t])}
    lines = [
        "#JSGF V1.0;",
        "grammar home;",
        "public <command> = " + " | ".join(f"({t})" for t in rules) + ";",
    ]
    lines += [f"<{n}> = {_jsgf_alternatives(n, slots[n])};" for n in sorted(used)]
    return "\n".join(lines) + "\n"


def _jsgf_alternatives(slot: str, values: list[str]) -> str:
    """A slot's values as JSGF alternatives. The numbers are composed (tens, then an optional digit):
    pocketsphinx gives each alternative its own path, and 101 of them behind every <number> made the
    grammar's search ~45% slower (1.18 vs 0.81 times an LM pass over 70 dev commands, same results)."""
    if slot == "number" and values == list(NUMBERS):
        tens = " | ".join(TENS)
        return f"{' | '.join(ONES)} | ({tens}) [{' | '.join(ONES[1:10])}] | one hundred"
    return " | ".join(values)


def in_grammar(pattern: re.Pattern[str], text: str) -> bool:
    """Is `text` (any spacing) a sentence of `grammar_pattern`?"""
    return pattern.fullmatch("".join(w + " " for w in text.split())) is not None


# --- NLU sentences, when the NLU engineer's module is there -------------------------------------


def nlu_sentences(config: Config, n: int = 400) -> list[str]:
    """`models.nlu.data.sample_sentences` if it exists, else an empty list."""
    try:
        module = importlib.import_module("models.nlu.data")
    except ModuleNotFoundError:
        return []
    fn: Callable[..., list[str]] | None = getattr(module, "sample_sentences", None)
    if fn is None:
        return []
    try:
        return sorted({_norm(s) for s in fn(config, n, seed=0) if _norm(s)})
    except Exception as e:  # the NLU module is someone else's; a bug there must not stop the ASR
        log.warning("models.nlu.data.sample_sentences failed (%s); using the built-in templates only", e)
        return []
