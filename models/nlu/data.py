"""Training data for the NLU model: Home Assistant's English templates plus ours, with slot spans.

hassil's own sampler returns text only, so we walk the template expression trees ourselves
(Sequence / Alternative / Permutation / RuleReference / ListReference), one random choice per node,
and remember which characters came from which `{list:slot}` reference. The text is normalized
exactly as at inference (runtime/nlu/text.py), split into words, and each word gets a BIO tag.

Lists the templates reference but HA fills at run time (`{name}`, `{area}`, `{floor}`, wildcards such
as `{search_query}`) are filled from a `Lexicon`: the home's devices.yaml names, optionally mixed with
large generic lists so the model generalizes to homes it has not seen.

Evaluation holds out whole templates, not just sentences (`split_templates`), and test sentences that
also occur in training are dropped. Everything is deterministic given a seed.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from runtime.asr.grammar import MEDIA
from runtime.config import Config
from runtime.nlu import intents as I
from runtime.nlu.text import bio_spans, clean

SENTENCES_DIR = Path(__file__).resolve().parent / "sentences"
# statements that borrow a command's words and ask for nothing, written apart from the templates (never
# training data): what a model makes of such sentences (`benchmarks.nlu --splits`, tests/test_cli_nlu.py)
PROBE_STATEMENTS = Path(__file__).resolve().parent / "probe_statements.txt"
FILLERS = ("uh", "um", "please", "so", "hmm", "like", "okay", "er", "the", "a", "and")


@dataclass(frozen=True)
class Example:
    """One training sentence: normalized words, one BIO tag per word, the intent, its template id."""

    words: tuple[str, ...]
    tags: tuple[str, ...]
    intent: str
    template: str = ""

    @property
    def text(self) -> str:
        return " ".join(self.words)

    def slots(self) -> list[tuple[str, str, int, int]]:
        """(slot, value, start_word, end_word_exclusive) for each tagged span."""
        return spans(self.tags, self.words)


spans = bio_spans  # (slot, value, start, end-exclusive) of BIO tags


# --------------------------------------------------------------------------------------------------
# Lexicon: what fills {name}, {area}, {floor} and the wildcards


GENERIC_AREAS = (
    "kitchen", "living room", "bedroom", "master bedroom", "guest room", "guest bedroom", "kids room",
    "nursery", "office", "home office", "study", "den", "hallway", "hall", "entrance", "entryway",
    "foyer", "bathroom", "guest bathroom", "master bathroom", "toilet", "laundry room", "garage",
    "basement", "attic", "patio", "porch", "front porch", "deck", "garden", "backyard", "back yard",
    "front yard", "dining room", "playroom", "gym", "library", "pantry", "closet", "walk in closet",
    "mudroom", "utility room", "family room", "lounge", "sunroom", "media room", "home theater",
    "workshop", "shed", "balcony", "emma's room",
    "jack's bedroom", "sophia's room", "the boys room", "game room", "craft room", "wine cellar",
    "pool house", "terrace", "driveway", "staircase", "landing", "loft", "studio", "cellar",
)  # fmt: skip
# without "floor": templates say "{floor} [floor]", so "first floor" as a value would be ambiguous.
# Convention: no floor is also an area ("basement", "attic" are areas only) and no area starts with a
# floor word, so a word is a floor or an area by itself, whatever the template.
GENERIC_FLOORS = (
    "first", "second", "third", "ground", "upstairs", "downstairs", "top", "main",
    "lower level", "upper", "lower", "fourth",
)  # fmt: skip
GENERIC_NAMES: dict[str, tuple[str, ...]] = {
    "light": (
        "ceiling light", "desk lamp", "floor lamp", "porch light",
        "night light", "reading light", "bedside lamp", "table lamp", "chandelier", "led strip",
        "light strip", "spotlights", "pendant light", "sconce", "christmas lights", "fairy lights",
        "string lights", "vanity light", "mirror light", "under cabinet lights", "accent light",
        "pathway lights", "flood light", "hue bulb", "bulb", "wall light", "island lights",
        "track lights", "recessed lights", "lava lamp", "salt lamp", "tree lights", "landscape lights",
    ),
    "switch": (
        "coffee maker", "kettle", "space heater", "fountain", "printer", "dehumidifier", "humidifier",
        "sprinkler", "outlet", "smart plug", "christmas tree", "garden pump", "pool pump", "toaster",
        "electric blanket", "fish tank", "aquarium", "water heater", "towel warmer", "heated floor",
        "espresso machine", "air fryer", "slow cooker", "dishwasher", "washing machine", "dryer",
        "monitor", "computer", "router", "charger", "socket", "power strip", "hot tub", "diffuser",
    ),
    "fan": (
        "ceiling fan", "desk fan", "tower fan", "exhaust fan", "air purifier", "box fan",
        "bathroom fan", "attic fan", "pedestal fan", "dyson", "range hood", "ventilation",
    ),
    "cover": (  # no device-class words ("blinds", "garage door"): those are {device_class} in HA's templates
        "drapes", "skylight", "somfy", "velux", "patio screen", "pergola", "sunscreen", "canopy", "louvers",
        "driveway barrier", "bay window", "roller", "solar screen", "privacy screen",
    ),
    "lock": (
        "front door", "back door", "front door lock", "deadbolt", "garage lock", "side door",
        "patio door", "door lock", "smart lock", "gate lock",
    ),
    "climate": (
        "heat pump", "air conditioner", "radiator", "hvac", "nest", "ecobee", "air conditioning", "floor heating", "mini split", "furnace", "boiler",
    ),
    "media_player": (
        "tv", "television", "speaker", "sonos", "soundbar", "chromecast", "apple tv", "stereo", "radio",
        "echo", "roku", "record player", "home pod", "smart speaker", "projector", "receiver",
        "bluetooth speaker", "shield", "fire tv", "spotify", "plex", "kodi", "jukebox",
    ),
    "vacuum": ("roomba", "robot vacuum", "robot", "dusty", "rosie", "roborock", "mop"),
    "lawn_mower": ("lawn mower", "robomow", "automower", "grass cutter", "mowbot"),
    "sensor": (
        "temperature sensor", "humidity sensor", "door sensor", "motion sensor", "smoke detector",
        "window sensor", "leak sensor", "air quality", "battery", "power meter", "energy usage",
        "outdoor temperature", "indoor humidity", "co2 sensor", "front door sensor", "mailbox",
    ),
    "todo": (
        "shopping", "grocery", "to do", "todo", "chores", "packing", "work", "costco", "hardware store",
        "party", "christmas", "birthday", "homework", "errands",
    ),
    "weather": ("home", "forecast", "weather station", "outside", "met office", "openweathermap"),
}  # fmt: skip
GENERIC_WILDCARDS: dict[str, tuple[str, ...]] = {
    "search_query": (
        "the hunger games", "bohemian rhapsody", "taylor swift", "jazz", "the beatles", "abbey road",
        "harry potter", "the office", "stranger things", "lo fi beats", "classical music", "beyonce",
        "the lord of the rings", "dune", "pride and prejudice", "the daily", "serial", "radiohead",
        "ok computer", "miles davis", "kind of blue", "frozen", "toy story", "the godfather", "coldplay",
        "yellow", "imagine dragons", "thunder", "rock music", "country", "hip hop", "ed sheeran",
        "shape of you", "the matrix", "breaking bad", "friends", "planet earth", "my workout playlist",
        "relaxing music", "white noise", "rain sounds", "the news", "npr", "bbc radio four", "adele",
        "hello", "billie eilish", "bad guy", "mozart", "beethoven", "the four seasons", "the crown",
        "game of thrones", "the mandalorian", "star wars", "inception", "interstellar", "the hobbit",
        "a brief history of time", "becoming", "atomic habits", "the martian", "project hail mary",
        "led zeppelin", "stairway to heaven", "queen", "pink floyd", "the wall", "daft punk",
        "get lucky", "christmas music", "kids songs", "baby shark", "podcast about history",
        "the joe rogan experience", "this american life", "something by nirvana", "my liked songs",
        "discover weekly", "top hits", "eighties music", "nineties rock", "smooth jazz", "reggae",
    ),
    "message": (
        "dinner is ready", "time to go", "the car is here", "come downstairs", "bedtime in five minutes",
        "school bus is coming", "mom is home", "turn off your games", "lunch is ready", "we're leaving",
        "someone is at the door", "please feed the dog", "movie starts now", "wake up sleepyheads",
    ),
    "conversation_command": (
        "turn off the oven", "turn on the porch light", "turn off the lights", "stop the music",
        "open the garage", "close the blinds", "turn off the tv", "lock the front door",
        "turn on the coffee maker", "turn off the fan", "start the vacuum", "pause the music",
    ),
    "timer_name": (
        "pizza", "pasta", "eggs", "laundry", "tea", "nap", "homework", "bread", "cookies", "oven",
        "rice", "steak", "workout", "meditation", "parking", "kids", "potatoes", "cake", "chicken",
    ),
    # what a reminder is for ("remind me to {reminder} in 10 minutes"); no device commands, which
    # are delayed commands ("turn off the oven in 10 minutes")
    "reminder": (
        "call grandma", "call the dentist", "pick up the kids", "take my medicine", "water the plants",
        "check the laundry", "walk the dog", "take out the trash", "start dinner", "leave for work",
        "join the meeting", "buy milk", "send the email", "pay the rent", "stretch", "drink some water",
        "check the mail", "get the washing in", "pick up the dry cleaning", "feed the fish",
        "book a table", "flip the steak", "stir the sauce", "go to bed", "text sarah",
        "check on the baby", "take the cake out", "put the chicken in", "call my sister",
    ),
    "item": (
        "milk", "eggs", "bread", "paper towels", "apples", "bananas", "coffee", "olive oil", "butter",
        "toilet paper", "dog food", "cheese", "call mom", "pay the bills", "laundry detergent",
        "batteries", "light bulbs", "orange juice", "tomatoes", "rice", "pick up the kids",
        "book a dentist appointment", "water the plants", "take out the trash", "chicken", "yogurt",
    ),
    "zone": ("home", "work", "school", "the gym", "the office", "the store", "grandma's", "away"),
    "phrase": (
        "movie time", "good night", "i'm home", "party mode", "bedtime", "wake up", "dinner time",
        "reading mode", "romantic mode", "i'm leaving", "good morning", "game time", "study time",
        "lights out", "chill mode", "relax", "workout time", "focus mode", "story time", "nap time",
    ),
    "preference": (
        "jazz", "classical music", "the lights dimmed", "it warmer", "it cooler", "audiobooks",
        "the news in the morning", "rock music", "podcasts", "bright lights", "warm white light",
        "quiet mornings", "country music", "the temperature at twenty degrees", "soft music",
        "horror movies", "comedies", "documentaries", "the blinds open", "loud music", "pop music",
        "science fiction", "hip hop", "the heating on", "coffee in the morning", "relaxing music",
    ),
}  # fmt: skip
# what the ASR grammar's "i like <media>" hears must be a preference too, and a few more of its kind
GENERIC_WILDCARDS["preference"] += tuple(m for m in MEDIA if m not in GENERIC_WILDCARDS["preference"]) + (
    "talk radio", "the blues", "reggae", "my workout playlist", "taylor swift", "an audiobook",
)  # fmt: skip

# Which name list an intent's {name} comes from when its template block does not say.
_INTENT_DOMAIN = {
    "HassClimateGetTemperature": "climate",
    "HassClimateSetTemperature": "climate",
    "HassClimateSetFanMode": "climate",
    "HassFanSetSpeed": "fan",
    "HassSetPosition": "cover",
    "HassGetWeather": "weather",
    "HassVacuumStart": "vacuum",
    "HassVacuumReturnToBase": "vacuum",
    "HassVacuumCleanArea": "vacuum",
    "HassLawnMowerStartMowing": "lawn_mower",
    "HassLawnMowerDock": "lawn_mower",
    "HassListAddItem": "todo",
    "HassListCompleteItem": "todo",
    "HassListRemoveItem": "todo",
    "HassMediaPause": "media_player",
    "HassMediaUnpause": "media_player",
    "HassMediaNext": "media_player",
    "HassMediaPrevious": "media_player",
    "HassMediaPlayerMute": "media_player",
    "HassMediaPlayerUnmute": "media_player",
    "HassSetVolume": "media_player",
    "HassSetVolumeRelative": "media_player",
    "HassMediaSearchAndPlay": "media_player",
    I.BRIGHTNESS_STEP: "light",
}
# devices.yaml type -> the name lists it joins
_TYPE_DOMAINS = {
    "light": ("light",),
    "switch": ("switch",),
    "fan": ("fan",),
    "climate": ("climate",),
    "oven": ("switch", "climate"),
    "cover": ("cover",),
    "lock": ("lock",),
    "tv": ("media_player",),
    "media_player": ("media_player",),
    "sensor": ("sensor",),
}
# Template words that name a domain (HA puts the domain in fixed slots; we tag the word that said it),
# only where the domain picks the devices: "turn off the lights in the kitchen".
_DOMAIN_TAG_WORDS = {
    "light": {"light", "lights", "lighting", "lamp", "lamps"},
    "fan": {"fan", "fans"},
    "switch": {"switch", "switches"},
    "lock": {"lock", "locks"},
}
# Fan speed too: HA's "{area} fan[s] speed" and "fan[s] to 50%" say the domain, and the resolver needs
# it to tell "the bedroom fan" from the bedroom's lights.
_DOMAIN_TAG_INTENTS = {"HassTurnOn", "HassTurnOff", "HassGetState", "HassLightSet", "HassFanSetSpeed"}
DOMAIN_WORDS = frozenset(w for words in _DOMAIN_TAG_WORDS.values() for w in words)
# Intents that HA tells apart only by the matched entity's domain: "set the X to 40 percent" is fan
# speed, brightness or cover position depending on what X is. Their {name} comes from the intent's
# domain list only (never "any device", made-up names always carry a domain noun), else the label
# would be a coin toss the model cannot learn.
DOMAIN_BOUND_INTENTS = frozenset(_INTENT_DOMAIN) | {"HassLightSet"}
# The words that say which of the domain-bound intents a sentence is ("set the kitchen fan to 50%" is
# fan speed, "set the kitchen volume to 50%" volume, "set the kitchen to 50%" brightness): the
# domain's device nouns plus the property the intent sets or reads. ASR-noise training copies never
# drop or substitute them (`deciding_words`): without "fan" the copy is a brightness sentence that
# would still be labelled fan speed.
_PROPERTY_WORDS = {
    "light": {"brightness", "bright", "color", "colour"},
    "fan": {"speed"},
    "media_player": {"volume"},
    "cover": {"position", "blind", "blinds", "shade", "shades", "curtain", "curtains", "awning", "awnings",
              "shutter", "shutters", "garage", "door", "doors", "gate", "window", "windows"},
    "climate": {"temperature", "temp", "thermostat", "heat", "heating"},
    "weather": {"weather", "forecast"},
}  # fmt: skip
# brightness_step too: "dim the kitchen light" without "dim" says nothing about brightness
_DECIDING_SLOTS = frozenset({"domain", "device_class", "brightness_step"})


def _domain_nouns(domain: str) -> frozenset[str]:
    """Words that name a device of `domain`: its domain words and the head nouns of its names."""
    heads = {n.split()[-1] for n in GENERIC_NAMES.get(domain, ())}
    return frozenset(heads | _DOMAIN_TAG_WORDS.get(domain, set()) | _PROPERTY_WORDS.get(domain, set()))


def deciding_words(ex: Example) -> set[int]:
    """Indices of the words of `ex` that decide its domain-bound intent (empty for other intents):
    words of its `domain` / `device_class` slots, its domain's device nouns and property words."""
    if ex.intent not in DOMAIN_BOUND_INTENTS:
        return set()
    domain = "light" if ex.intent == "HassLightSet" else _INTENT_DOMAIN[ex.intent]
    nouns = _domain_nouns(domain)
    return {
        i
        for i, (w, t) in enumerate(zip(ex.words, ex.tags, strict=True))
        if w in nouns or (t != "O" and t[2:] in _DECIDING_SLOTS)
    }


@dataclass
class Lexicon:
    """Fillers for the lists HA leaves to the home: device names per domain, areas, floors, wildcards."""

    names: dict[str, list[str]]
    areas: list[str]
    floors: list[str]
    wildcards: dict[str, list[str]] = field(default_factory=dict)
    pseudo: float = 0.0  # share of made-up names ("the zorvek", "kelami lamp"): unseen words are names too
    # names of DOMAIN_BOUND_INTENTS from their domain only (labels); off for ASR sentences, where
    # only the words matter and the home's other names should be heard in more contexts
    domain_bound: bool = True
    # a {name} of a block that accepts several domains comes from any of them (`pick_domain`); off
    # for the ASR's sentences, which stay those its grammar and dev set were tuned on
    every_domain: bool = True

    def area(self, rng: random.Random) -> str:
        # a made-up area always says "room" ("zorvek room"): a bare unknown word is a name
        if rng.random() < self.pseudo / 2:
            return pseudo_name(rng, ("room",), p_noun=1.0)
        return rng.choice(self.areas)

    def pick_domain(self, domains: Sequence[str], rng: random.Random) -> str | None:
        """The domain a {name} is drawn from: any of the block's domains that has names, not only
        the first (HA's "turn on/off [the] {name}" requires light, switch, fan, media_player or
        climate; from lights alone, the home's tv and thermostat were never switched on or off)."""
        known = self.known_domains(domains)
        if len(known) < 2:
            return domains[0] if domains else None
        return rng.choice(known)

    def known_domains(self, domains: Sequence[str]) -> list[str]:
        """Those of `domains` a {name} is drawn from (with `every_domain`; else only the first)."""
        known = [d for d in domains if d in self.names]
        return known if self.every_domain else known[:1]

    def name_for(self, domain: str | None, rng: random.Random, strict: bool = False) -> str:
        """A device name of `domain`; `strict` (DOMAIN_BOUND_INTENTS): only names that say the domain."""
        nouns = GENERIC_NAMES.get(domain or "", ())
        if rng.random() < self.pseudo:
            return pseudo_name(rng, nouns, p_noun=1.0 if strict and nouns else 0.4)
        pool = self.names.get(domain or "", [])
        if not pool or (not strict and rng.random() < 0.1):  # sometimes any device: HA names are free-form
            pool = [n for ns in self.names.values() for n in ns]
        return rng.choice(pool)

    def area_and_domain(self, name: str) -> tuple[str, str] | None:
        """("kitchen", "light") when `name` is an area followed by one domain word."""
        head, _, last = name.rpartition(" ")
        if head in self.areas and any(last in words for words in _DOMAIN_TAG_WORDS.values()):
            return head, last
        return None


def _starts_with_area(name: str, areas: Sequence[str]) -> bool:
    words = name.split()
    return any(" ".join(words[:k]) in areas for k in range(1, len(words)))


_SYLLABLES = (
    "ka",
    "zo",
    "ri",
    "mun",
    "ta",
    "vel",
    "cu",
    "zzi",
    "bo",
    "lex",
    "ja",
    "ne",
    "shi",
    "dor",
    "pa",
    "quin",
    "ya",
    "tro",
    "fi",
    "ber",
)


def pseudo_name(rng: random.Random, nouns: Sequence[str], p_noun: float = 0.4) -> str:
    """A made-up word, sometimes with a device noun: teaches that unknown words can be names."""
    word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3)))
    if nouns and rng.random() < p_noun:
        return f"{word} {rng.choice(nouns).split()[-1]}"
    return word


def home_lexicon(config: Config) -> Lexicon:
    """Only the home's own names (for sentences the home's ASR must know)."""
    names: dict[str, list[str]] = {}
    for device in config.devices:
        for domain in _TYPE_DOMAINS.get(device.type, ("switch",)):
            names.setdefault(domain, []).extend(device.names)
    for domain in ("todo", "weather", "vacuum", "lawn_mower"):
        names.setdefault(domain, list(GENERIC_NAMES[domain][:3]))
    areas = [n for room in config.rooms for n in (room.name, *room.aliases)]
    wild = {k: list(v) for k, v in GENERIC_WILDCARDS.items()}
    return Lexicon(names, areas, ["upstairs", "downstairs", "first", "ground"], wild)


HOME_WEIGHT = 4


def generic_lexicon(config: Config | None = None) -> Lexicon:
    """Generic lists, plus the home's names when a config is given (for training).

    Generic names that start with an area ("porch light", "bathroom fan") are left out: in a
    sentence they read as area + device, which other templates label that way.
    """
    areas = list(GENERIC_AREAS)
    home = home_lexicon(config) if config is not None else None
    if home is not None:
        areas += [a for a in home.areas if a not in areas]
    names = {k: [n for n in v if not _starts_with_area(n, areas)] for k, v in GENERIC_NAMES.items()}
    if home is not None:
        # the home's own names are what this model will hear most: drawn HOME_WEIGHT times as often
        # as a generic one (with ~580 generic names, a home device was otherwise seen ~5 times)
        for domain, ns in home.names.items():
            # a bare domain word ("fan", alias of the ceiling fan) is the domain, not a name: HA's
            # "set the fan[s] to 50%" has no name, and the resolver finds "the fan" by domain and room
            ns = [n for n in ns if n not in DOMAIN_WORDS]
            pool = names.setdefault(domain, [])
            pool[:] = [n for n in pool if n not in ns] + [n for n in dict.fromkeys(ns)] * HOME_WEIGHT
        areas += [a for a in dict.fromkeys(home.areas)] * (HOME_WEIGHT - 1)
    wild = {k: list(v) for k, v in GENERIC_WILDCARDS.items()}
    return Lexicon(names, areas, list(GENERIC_FLOORS), wild, pseudo=0.12)


# --------------------------------------------------------------------------------------------------
# Templates and the span-keeping sampler


@dataclass(frozen=True)
class Template:
    """One sentence template of one intent; `key` is stable across runs (used for held-out splits)."""

    intent: str
    key: str
    sentence: Any  # hassil.expression.Sentence
    block: Any  # hassil.intents.IntentData
    intents: Any  # hassil.intents.Intents (global lists and rules)

    @property
    def domains(self) -> tuple[str, ...]:
        """The domains the template's block names (its slots or required context), else its intent's."""
        for source in (self.block.slots, self.block.requires_context):
            value = source.get("domain")
            if isinstance(value, str):
                return (value,)
            if isinstance(value, list | tuple) and value:
                return tuple(str(v) for v in value)
        default = _INTENT_DOMAIN.get(self.intent)
        return (default,) if default else ()

    @property
    def domain(self) -> str | None:
        """The first of `domains`: the one whose words are tagged `domain` when no name is said."""
        return self.domains[0] if self.domains else None


def load_templates(extra: Iterable[Path] | None = None) -> list[Template]:
    """Home Assistant's English templates plus ours (models/nlu/sentences/*.yaml)."""
    from hassil import Intents
    from home_assistant_intents import get_intents

    ha = get_intents("en")
    if ha is None:
        raise RuntimeError("home-assistant-intents has no English data: pip install 'ambient-edge[train]'")
    sources: list[tuple[str, Any]] = [("ha", Intents.from_dict(ha))]
    for path in sorted(extra if extra is not None else SENTENCES_DIR.glob("*.yaml")):
        sources.append((Path(path).stem, Intents.from_dict(yaml.safe_load(Path(path).read_text()))))
    templates = []
    for source, intents in sources:
        for name, intent in sorted(intents.intents.items()):
            if name not in I.INTENTS:
                continue  # a newer package may add intents: only train on the contract's names
            for b, block in enumerate(intent.data):
                for s, sentence in enumerate(block.sentences):
                    # the key (and so the held-out split) holds the sentence's position: deleting a
                    # line re-splits every template after it; replace a line instead
                    key = f"{source}:{name}:{b}:{s}:{sentence.text}"
                    templates.append(Template(name, key, sentence, block, intents))
    return templates


class _Sampler:
    """Walks one template's expression tree making random choices, keeping (text, slot) pieces."""

    def __init__(self, template: Template, lexicon: Lexicon, rng: random.Random) -> None:
        self.t, self.lex, self.rng = template, lexicon, rng
        self.pieces: list[tuple[str, str | None]] = []

    def run(self) -> list[tuple[str, str | None]]:
        self.walk(self.t.sentence.expression, None, 0)
        return self.pieces

    def emit(self, text: str, slot: str | None) -> None:
        self.pieces.append((text, slot))

    def walk(self, expr: Any, slot: str | None, depth: int) -> None:
        from hassil.expression import Alternative, Group, ListReference, Permutation, RuleReference, TextChunk

        if depth > 40:
            raise ValueError(f"template {self.t.key!r} recurses too deep")
        if isinstance(expr, TextChunk):
            self.emit(expr.original_text, slot)
        elif isinstance(expr, Alternative):
            self.walk(self.rng.choice(expr.items), slot, depth + 1)
        elif isinstance(expr, Permutation):
            items = list(expr.items)
            self.rng.shuffle(items)
            for item in items:
                self.walk(item, slot, depth + 1)
                self.emit(" ", None)
        elif isinstance(expr, Group):
            for item in expr.items:
                self.walk(item, slot, depth + 1)
        elif isinstance(expr, RuleReference):
            rules = {**self.t.intents.expansion_rules, **self.t.block.expansion_rules}
            self.walk(rules[expr.rule_name].expression, slot, depth + 1)
        elif isinstance(expr, ListReference):
            # a list inside a slot value (rare) stays part of the outer slot
            self.fill(expr, slot or expr.slot_name, depth)
        else:
            raise ValueError(f"unexpected expression {expr!r} in {self.t.key!r}")

    def fill(self, ref: Any, slot: str, depth: int) -> None:
        from hassil.intents import RangeSlotList, TextSlotList

        lists = {**self.t.intents.slot_lists, **self.t.block.slot_lists}
        slot_list = lists.get(ref.list_name)
        if isinstance(slot_list, TextSlotList) and slot_list.values:
            self.walk(self.rng.choice(slot_list.values).text_in, slot, depth + 1)
        elif isinstance(slot_list, RangeSlotList):
            self.emit(_number(slot_list, self.rng), slot)
        elif ref.list_name == "name" or ref.slot_name == "name" and ref.list_name not in GENERIC_WILDCARDS:
            if ref.list_name == "timer_name":
                self.emit(self.rng.choice(self.lex.wildcards["timer_name"]), slot)
            else:
                self.name(slot)
        elif ref.list_name == "area":
            self.emit(self.lex.area(self.rng), slot)
        elif ref.list_name == "floor":
            self.emit(self.rng.choice(self.lex.floors), slot)
        else:
            pool = self.lex.wildcards.get(ref.list_name) or self.lex.wildcards.get(slot)
            if not pool:
                raise KeyError(f"no values for list {{{ref.list_name}}} in template {self.t.key!r}")
            self.emit(self.rng.choice(pool), slot)

    def name(self, slot: str) -> None:
        strict = self.lex.domain_bound and self.t.intent in DOMAIN_BOUND_INTENTS
        name = self.lex.name_for(self.lex.pick_domain(self.t.domains, self.rng), self.rng, strict)
        split = self.lex.area_and_domain(name) if self.t.intent in _DOMAIN_TAG_INTENTS else None
        if split is None or slot != "name":
            self.emit(name, slot)
            return
        # Convention: "kitchen light" is area + domain, as "{area} <light>" templates say it; the
        # resolver joins the two slots back into the device's name (runtime/resolve.py _joined_name).
        self.emit(split[0], "area")
        self.emit(" ", None)
        self.emit(split[1], "domain")


def intent_slots(templates: list[Template]) -> dict[str, list[str]]:
    """Slots each intent's templates can fill (the schema, from all templates, held out or not)."""
    out: dict[str, set[str]] = {}
    for t in templates:
        rules = {**t.intents.expansion_rules, **t.block.expansion_rules}
        names = {ref.slot_name for ref in t.sentence.expression.list_references(rules)}
        if t.intent in _DOMAIN_TAG_INTENTS and t.domain in _DOMAIN_TAG_WORDS:
            names.add("domain")
        out.setdefault(t.intent, set()).update(names)
    return {k: sorted(v) for k, v in sorted(out.items())}


def _number(slot_list: Any, rng: random.Random) -> str:
    """A random number of the range, as digits or (like ASR output) as words."""
    from hassil.sample import get_rbnf_engine

    count = (slot_list.stop - slot_list.start) // slot_list.step
    value: float = slot_list.start + slot_list.step * rng.randint(0, count)
    if slot_list.fraction_type is not None and rng.random() < 0.15 and value < slot_list.stop:
        value += 0.5
    if slot_list.multiplier:  # e.g. percentages stored as 0..1: the spoken form is the range itself
        pass
    if rng.random() < 0.5:
        return str(value)
    spoken = get_rbnf_engine("en").format_number(value).text_by_ruleset
    return spoken.get("spellout-cardinal") or next(iter(spoken.values()))


def _to_example(pieces: list[tuple[str, str | None]], intent: str, key: str, domain: str | None) -> Example:
    """Clean each piece (cleaning is piece-local), label every character with its slot, split into
    words; a word takes the slot of its first character."""
    chars: list[tuple[str, str | None]] = []
    for text, slot in pieces:
        chars += [(c, slot) for c in clean(text)]
    chars.append((" ", None))
    words: list[str] = []
    tags: list[str] = []
    current, first_slot, prev_slot = "", None, None

    def flush() -> None:
        nonlocal current, prev_slot
        if current:
            words.append(current)
            if first_slot is None:
                tags.append("O")
            else:
                tags.append(("I-" if prev_slot == first_slot else "B-") + first_slot)
            prev_slot, current = first_slot, ""

    for c, slot in chars:
        if not c.isspace():
            if current and slot != first_slot:
                flush()  # "5300kelvin": a slot value glued to template text is two words, as spoken
                prev_slot = None if slot is None or first_slot is None else prev_slot
            if not current:
                first_slot = slot
            current += c
            continue
        flush()
        if slot is None:  # a space outside a slot ends the slot: "{area} {area}" are two spans
            prev_slot = None
    # HA keeps the domain in fixed slots; tag the first untagged word that said it ("lights").
    if (
        domain in _DOMAIN_TAG_WORDS
        and intent in _DOMAIN_TAG_INTENTS
        and not any(t.endswith("-name") or t.endswith("-domain") for t in tags)
    ):
        for i, (w, t) in enumerate(zip(words, tags, strict=True)):
            if t == "O" and w in _DOMAIN_TAG_WORDS[domain]:
                tags[i] = "B-domain"
                break
    return Example(tuple(words), tuple(tags), intent, key)


def sample_template(template: Template, lexicon: Lexicon, rng: random.Random) -> Example:
    pieces = _Sampler(template, lexicon, rng).run()
    return _to_example(pieces, template.intent, template.key, template.domain)


# --------------------------------------------------------------------------------------------------
# Splits, datasets, noise


@dataclass
class Dataset:
    train: list[Example]
    valid: list[Example]  # sentences of held-out templates (calibration, model selection)
    test: list[Example]  # sentences of other held-out templates (the benchmark)
    templates: dict[str, list[str]] = field(default_factory=dict)  # split -> template keys
    intent_slots: dict[str, list[str]] = field(default_factory=dict)  # intent -> slots it takes
    # training-only copies of `train` with the device said the other way (`swap_reference`); kept
    # apart so `train` stays what the held-out split and the benchmark's noise vocabulary were made of
    swapped: list[Example] = field(default_factory=list)


def _stable(key: str, seed: int) -> float:
    digest = hashlib.sha256(f"{seed}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def split_templates(templates: list[Template], seed: int = 0) -> dict[str, list[Template]]:
    """Per intent, hold out ~12% of the templates for test and ~8% for validation (whole templates).

    Intents with fewer than 4 templates keep them all in training.
    """
    by_intent: dict[str, list[Template]] = {}
    for t in templates:
        by_intent.setdefault(t.intent, []).append(t)
    out: dict[str, list[Template]] = {"train": [], "valid": [], "test": []}
    for ts in by_intent.values():
        ordered = sorted(ts, key=lambda t: _stable(t.key, seed))
        n_test = round(0.12 * len(ts)) if len(ts) >= 4 else 0
        n_valid = round(0.08 * len(ts)) if len(ts) >= 4 else 0
        n_test, n_valid = max(n_test, 1 if len(ts) >= 4 else 0), max(n_valid, 1 if len(ts) >= 6 else 0)
        out["test"] += ordered[:n_test]
        out["valid"] += ordered[n_test : n_test + n_valid]
        out["train"] += ordered[n_test + n_valid :]
    return out


def _generate(
    templates: list[Template],
    lexicon: Lexicon,
    seed: str,
    per_intent: int,
    min_per_template: int,
    per_domain: bool = False,
) -> list[Example]:
    """Sentences of each intent's templates, from a random source of that intent's own: adding or
    changing one intent's templates leaves every other intent's sentences as they were."""
    by_intent: dict[str, list[Template]] = {}
    for t in templates:
        by_intent.setdefault(t.intent, []).append(t)
    out: list[Example] = []
    for intent in sorted(by_intent):
        ts = by_intent[intent]
        rng = random.Random(f"{seed}:{intent}")
        target = per_intent * (5 if intent == I.OUT_OF_DOMAIN else 1)
        k = max(min_per_template, math.ceil(target / len(ts)))
        for t in ts:
            seen: set[str] = set()
            for _ in range(k * (_domain_share(t, lexicon) if per_domain else 1)):
                ex = _politeness(sample_template(t, lexicon, rng), rng)
                if ex.words and ex.text not in seen:
                    seen.add(ex.text)
                    out.append(ex)
    return out


def _domain_share(template: Template, lexicon: Lexicon) -> int:
    """How many templates' share of sentences `template` gets: one per domain its {name} is drawn
    from. HA writes "turn on/off [the] {name}" once for lights, switches, fans, media players and
    climate (lights have their own templates besides), so with one share the home's tv, speakers and
    thermostat were switched on or off a handful of times against hundreds of media and climate
    sentences that said them by name."""
    return max(1, len(lexicon.known_domains(template.domains)))


_PREFIXES = ("please", "can you", "could you", "would you", "hey", "okay", "i want to", "i'd like to")
_SUFFIXES = ("please", "for me", "now", "thanks")


def _politeness(ex: Example, rng: random.Random) -> Example:
    """HA's skip words ("please", "can you", "for me") around a command, as people say them."""
    if ex.intent == I.OUT_OF_DOMAIN or rng.random() > 0.15:
        return ex
    if rng.random() < 0.6:
        extra = tuple(rng.choice(_PREFIXES).split())
        return Example(extra + ex.words, ("O",) * len(extra) + ex.tags, ex.intent, ex.template)
    extra = tuple(rng.choice(_SUFFIXES).split())
    return Example(ex.words + extra, ex.tags + ("O",) * len(extra), ex.intent, ex.template)


def balance(examples: list[Example], minimum: int, rng: random.Random) -> list[Example]:
    """Repeat the examples of intents with few distinct sentences up to `minimum` (training only)."""
    by_intent: dict[str, list[Example]] = {}
    for ex in examples:
        by_intent.setdefault(ex.intent, []).append(ex)
    out = list(examples)
    for exs in by_intent.values():
        out += [rng.choice(exs) for _ in range(max(0, minimum - len(exs)))]
    rng.shuffle(out)
    return out


def _dedupe(examples: list[Example]) -> list[Example]:
    """One label per text: our own intents win over HA's (bare "stop" is AmbientStop), else the first."""
    chosen: dict[str, Example] = {}
    for ex in examples:
        old = chosen.get(ex.text)
        if old is None or (ex.intent.startswith("Ambient") and not old.intent.startswith("Ambient")):
            chosen[ex.text] = ex
    return list(chosen.values())


def as_out_of_domain(ex: Example, merged: frozenset[str]) -> Example:
    """An example of an intent in `merged` relabelled OutOfDomain (which has no slots)."""
    if ex.intent not in merged:
        return ex
    return Example(ex.words, ("O",) * len(ex.words), I.OUT_OF_DOMAIN, ex.template)


def build_dataset(
    config: Config | None,
    seed: int = 0,
    per_intent: int = 500,
    min_per_template: int = 6,
    templates: list[Template] | None = None,
    merged: frozenset[str] = I.UNSUPPORTED_HA_INTENTS,
    fill: int = 0,
    hold_out_test: bool = True,
    hold_out_valid: bool = True,
) -> Dataset:
    """Train/valid/test examples from held-out-template splits; deterministic given `seed`.

    `fill` > 0 draws other sentences for the same held-out templates (training is unchanged): how
    much a held-out figure owes to the draw (`benchmarks/nlu.py --fills`).

    `hold_out_test=False` moves the test templates into training and leaves `test` empty: the data of
    a model to serve (`nlu-train --train-on-test`), trained once its recipe has been measured with
    the test templates held out. Validation stays held out (calibration, fitting, comparison).

    `hold_out_valid=False` moves the validation templates into training: the data of a model to serve
    that the benchmark can still measure (`nlu-train --train-on-valid`), trained once its recipe was
    chosen on validation. `valid` then holds other sentences of those templates, for the checkpoint
    and the calibration only (they read as seen templates: no model is compared on them).

    Sentences of the `merged` intents (e.g. `I.UNSUPPORTED_HA_INTENTS`, those the runtime cannot act
    on) are labelled OutOfDomain; their templates are still split per original intent, so held-out
    stays held-out. On by default (`merged=frozenset()` keeps every HA intent): the runtime answers
    those intents as out of domain anyway, and "return to base" (mower or vacuum?) or "pause in the
    den" (media or timer?) stop being coin tosses between two labels that lead to the same answer.
    """
    rng = random.Random(seed)
    templates = templates if templates is not None else load_templates()
    lexicon = generic_lexicon(config)
    # {command} of "when I say X, <command>" is a real command sentence of the home.
    commands = [t for t in templates if t.intent in ("HassTurnOn", "HassTurnOff", "HassLightSet")]
    lexicon.wildcards["command"] = sorted(
        {sample_template(rng.choice(commands), lexicon, rng).text for _ in range(300)}
    )
    parts = split_templates(templates, seed)
    if not hold_out_test:
        parts = {"train": parts["train"] + parts["test"], "valid": parts["valid"], "test": []}
    if not hold_out_valid:
        parts = {"train": parts["train"] + parts["valid"], "valid": parts["valid"], "test": parts["test"]}
    # held-out sets keep one share per template (no `per_domain`): the benchmark stays balanced per
    # intent and comparable across recipes
    draw = {
        name: f"{seed}:{name}" if name == "train" or not fill else f"fill{fill}:{seed}:{name}"
        for name in parts
    }
    data = {name: _generate(ts, lexicon, draw[name], per_intent if name == "train" else per_intent // 4,
                            min_per_template if name == "train" else 2, per_domain=name == "train")
            for name, ts in parts.items()}  # fmt: skip
    data = {name: [as_out_of_domain(ex, merged) for ex in exs] for name, exs in data.items()}
    if not hold_out_valid:  # what a validation template says as a test one does stays a test sentence
        said = {ex.text for ex in data["test"]}
        data["train"] = [ex for ex in data["train"] if ex.text not in said]
    # one label per text over all splits ("stop" from a held-out AmbientStop template and from a
    # trained HassMediaPause one must not disagree)
    label = {ex.text: ex.intent for ex in _dedupe(data["train"] + data["valid"] + data["test"])}
    data = {name: _dedupe([ex for ex in exs if label[ex.text] == ex.intent]) for name, exs in data.items()}
    train_texts = {ex.text for ex in data["train"]}
    for name in ("valid", "test"):  # a held-out sentence seen in training would flatter the model
        data[name] = [ex for ex in data[name] if ex.text not in train_texts]
    rng.shuffle(data["train"])
    keys = {name: sorted(t.key for t in ts) for name, ts in parts.items()}
    schema = {k: v for k, v in intent_slots(templates).items() if k not in merged}
    # its own random stream: adding it leaves train/valid/test exactly as they were
    swap_rng = random.Random(f"swap:{seed}")
    swapped = [s for ex in data["train"] if swap_rng.random() < SWAP_SHARE
               for s in [swap_reference(ex, lexicon, swap_rng)] if s is not None]  # fmt: skip
    swapped += [s for ex in data["train"] if swap_rng.random() < SWAP_SHARE
                for s in [swap_class_order(ex)] if s is not None]  # fmt: skip
    # one label per text, and no held-out sentence verbatim in training (as for `train` above)
    taken = {ex.text for name in ("train", "valid", "test") for ex in data[name]}
    swapped = _dedupe([ex for ex in swapped if ex.text not in taken])
    return Dataset(data["train"], data["valid"], data["test"], keys, schema, swapped)


# --------------------------------------------------------------------------------------------------
# Reference swap: a device said by its name or by its area (+ domain word)
#
# HA writes most device templates twice, once with {name} and once with {area} (+ a domain word):
# "skip [on] the {name}" / "skip [in] the {area}", "{name} speed to 50%" / "{area} fan speed to 50%".
# Holding out whole templates can leave one form of a sentence shape only in test. The rule below
# recombines every training sentence of a domain-bound intent the other way, written from HA's
# template blocks, not from the test sentences:
# - area -> name: "{area}" (and a domain word right after it, "kitchen fan") becomes a name of the
#   intent's domain ("ceiling fan");
# - name -> area: "{name}" becomes a bare "{area}", only for intents whose verb or template words
#   say the domain (media transport, temperature, brightness: HA has "set the {area} to 50%" for
#   lights); never for fan speed, cover position or volume, which only the device tells apart from
#   brightness ("set the kitchen to 50 percent" is a light, as HA says it), nor for a light's color
#   temperature ("the bedroom temperature" is the thermostat's). Media transport areas sometimes
#   get HA's "in" ("pause in the kitchen").
# Spans after a preposition ("pause in the kitchen", "play jazz on the tv") are left alone: the
# preposition belongs to one form ("in" an area, "on" a device).
# The same holds for slot order: HA's "play [the] {media_class} {search_query}" has the twin "play
# {search_query} {media_class}"; `swap_class_order` writes a class before the query after it.

# Share of eligible training sentences that get a swapped copy: all of them (was 0.5). HA writes few
# area forms of the set-intents ("set the {area} to 50%" for brightness has one template): with half,
# held-out area forms were learnt from ~7 swapped sentences against hundreds of "{area} fan" and
# "{area} volume" ones, and went to fan speed or volume.
SWAP_SHARE = 1.0
_NAME_TO_AREA = frozenset(
    {"HassClimateGetTemperature", "HassLightSet", "HassMediaNext", "HassMediaPause",
     "HassMediaPrevious", "HassMediaUnpause"}
)  # fmt: skip
_AREA_TO_NAME = frozenset(
    {"HassClimateGetTemperature", "HassClimateSetTemperature", "HassFanSetSpeed", "HassLightSet",
     "HassMediaNext", "HassMediaPause", "HassMediaPrevious", "HassMediaUnpause", "HassSetPosition",
     "HassSetVolume", "HassSetVolumeRelative"}
)  # fmt: skip
_MEDIA_TRANSPORT = frozenset({"HassMediaNext", "HassMediaPause", "HassMediaPrevious", "HassMediaUnpause"})
_PREPOSITIONS = frozenset(
    {"in", "on", "at", "for", "from", "to", "into", "across", "throughout", "around", "inside", "within",
     "near", "by", "outside"}
)  # fmt: skip
_DETERMINERS = frozenset({"the", "my", "our", "all", "every"})


def swap_class_order(ex: Example) -> Example | None:
    """ "play the playlist jazz" said as "play jazz playlist": HA writes the media class before and
    after the query ("play [the] {media_class} {search_query}", "play {search_query} {media_class}");
    None when `ex` has no class right before its query."""
    if ex.intent != "HassMediaSearchAndPlay":
        return None
    found = ex.slots()
    for (a, _, a0, a1), (b, _, b0, b1) in itertools.pairwise(found):
        if a == "media_class" and b == "search_query" and a1 == b0:
            start = a0 - 1 if a0 > 0 and ex.words[a0 - 1] == "the" else a0
            words = ex.words[:start] + ex.words[b0:b1] + ex.words[a0:a1] + ex.words[b1:]
            tags = ex.tags[:start] + ex.tags[b0:b1] + ex.tags[a0:a1] + ex.tags[b1:]
            return Example(words, tags, ex.intent, ex.template)
    return None


def _phrase_start(words: Sequence[str], start: int) -> int:
    """Where the noun phrase whose head starts at `start` begins: before its determiners."""
    while start > 0 and words[start - 1] in _DETERMINERS:
        start -= 1
    return start


def _after_preposition(words: Sequence[str], start: int) -> bool:
    i = _phrase_start(words, start) - 1
    return i >= 0 and words[i] in _PREPOSITIONS


def _tagged(value: str, slot: str) -> tuple[list[str], list[str]]:
    ws = clean(value).split()  # as the sampler splits a slot value
    return ws, [("B-" if i == 0 else "I-") + slot for i in range(len(ws))]


def swap_reference(ex: Example, lexicon: Lexicon, rng: random.Random) -> Example | None:
    """`ex` with its one {area} said as a device name or its one {name} as an area (see above);
    None when the rule does not apply."""
    spans_ = ex.slots()
    names = [s for s in spans_ if s[0] == "name"]
    areas = [s for s in spans_ if s[0] == "area"]
    domain = "light" if ex.intent == "HassLightSet" else _INTENT_DOMAIN.get(ex.intent)
    words, tags = list(ex.words), list(ex.tags)
    if len(areas) == 1 and not names and ex.intent in _AREA_TO_NAME:
        _, _, start, end = areas[0]
        if _after_preposition(words, start):
            return None
        if (
            end < len(words)
            and tags[end] in ("O", "B-domain")
            and words[end] in _DOMAIN_TAG_WORDS.get(domain or "", ())
        ):
            end += 1  # "kitchen fan" -> "ceiling fan": the device word is part of the name
        elif end < len(words) and tags[end] != "O":
            return None  # "{area} {device_class}": HA says a named cover without its class
        name = lexicon.name_for(domain, rng, strict=True)
        if lexicon.area_and_domain(name) is not None:
            return None  # "kitchen light" would be area + domain again by convention
        new_words, new_tags = _tagged(name, "name")
    elif len(names) == 1 and not areas and ex.intent in _NAME_TO_AREA:
        _, _, start, end = names[0]
        if _after_preposition(words, start) or any(s[0] == "temperature" for s in spans_):
            return None  # "the bedroom [color] temperature to 20" is the thermostat's, not the lamp's
        new_words, new_tags = _tagged(lexicon.area(rng), "area")
        if ex.intent in _MEDIA_TRANSPORT and rng.random() < 0.5:
            # HA's media templates say the area form "[in] [the] {area}": "pause in the kitchen"
            at = _phrase_start(words, start)
            words.insert(at, "in")
            tags.insert(at, "O")
            start, end = start + 1, end + 1
    else:
        return None
    words[start:end], tags[start:end] = new_words, new_tags
    return Example(tuple(words), tuple(tags), ex.intent, ex.template)


def asr_noise(
    ex: Example,
    rng: random.Random,
    vocabulary: Sequence[str],
    op: str | None = None,
    similar: bool = False,
    protect: bool = False,
) -> Example:
    """One ASR-like error: a dropped word, a substituted word, or an inserted filler ("uh", "please").

    Slot words are left alone except by dropping (ASR drops those too); tags stay aligned. The
    substitute is any vocabulary word, or with `similar` one of the 5 closest in spelling ("lights" ->
    "light's", "nights"), which is closer to what a recognizer confuses. With `protect` (training
    copies), the words that decide a domain-bound intent (`deciding_words`) are neither dropped nor
    substituted: the copy keeps a label that is still right. Without it (the benchmark's noisy sets),
    the random choices are exactly as before.
    """
    words, tags = list(ex.words), list(ex.tags)
    kept = deciding_words(ex) if protect else set()
    op = op or rng.choice(("drop", "substitute", "insert"))
    if op == "drop" and len(words) > 2:
        if kept:
            free = [i for i in range(len(words)) if i not in kept]
            if not free:
                return Example(tuple(words), tuple(tags), ex.intent, ex.template)
            i = rng.choice(free)
        else:
            i = rng.randrange(len(words))
        if tags[i].startswith("B-") and i + 1 < len(tags) and tags[i + 1].startswith("I-"):
            tags[i + 1] = "B-" + tags[i + 1][2:]
        del words[i], tags[i]
    elif op == "substitute":
        plain = [i for i, t in enumerate(tags) if t == "O" and i not in kept]
        if plain:
            i = rng.choice(plain)
            words[i] = _similar_word(words[i], vocabulary, rng) if similar else rng.choice(vocabulary)
    else:
        # not between B- and I- of one slot
        spots = [i for i in range(len(words) + 1) if i == len(words) or not tags[i].startswith("I-")]
        i = rng.choice(spots)
        words.insert(i, rng.choice(FILLERS))
        tags.insert(i, "O")
    return Example(tuple(words), tuple(tags), ex.intent, ex.template)


def _similar_word(word: str, vocabulary: Sequence[str], rng: random.Random) -> str:
    from rapidfuzz import fuzz, process

    matches = process.extract(word, vocabulary, scorer=fuzz.ratio, limit=6, score_cutoff=50)
    choices = [m[0] for m in matches if m[0] != word][:5]
    return rng.choice(choices) if choices else rng.choice(vocabulary)


def augment(
    examples: list[Example], rng: random.Random, fraction: float = 0.3, slot_substitutes: bool = True
) -> list[Example]:
    """The examples plus noisy copies of a `fraction` of them (label-consistent: `asr_noise(protect=True)`).

    A substitute is any word of the training sentences, slot words (names, rooms, numbers) included:
    a recognizer mishears a word as any word it knows, not only as a template's fixed words. With
    `slot_substitutes=False` only words tagged O are: for open-vocabulary datasets (Snips), where a
    slot word put in an O position teaches that entity-like words are O.
    """
    vocabulary = sorted(
        {w for ex in examples for w, t in zip(ex.words, ex.tags, strict=True) if slot_substitutes or t == "O"}
    )
    noisy = [asr_noise(ex, rng, vocabulary, protect=True) for ex in examples if rng.random() < fraction]
    return examples + noisy


def sample_sentences(config: Config, n: int, seed: int = 0) -> list[str]:
    """Up to `n` lower-case command sentences with the home's own names (for the ASR's LM).

    Every intent but OutOfDomain gets an equal share, so rare intents are present even for small n
    (an intent with fewer distinct sentences than its share gives what it has).
    Each intent draws from a random source of its own: changing one intent's templates leaves the
    other intents' sentences (and so most of the recognizer's LM) as they were.
    """
    lexicon = home_lexicon(config)
    lexicon.domain_bound = lexicon.every_domain = False
    templates = [t for t in load_templates() if t.intent != I.OUT_OF_DOMAIN]
    commands = [t for t in templates if t.intent in ("HassTurnOn", "HassTurnOff")]
    rng = random.Random(f"{seed}:command")
    lexicon.wildcards["command"] = [
        sample_template(rng.choice(commands), lexicon, rng).text for _ in range(20)
    ]
    by_intent: dict[str, list[Template]] = {}
    for t in templates:
        by_intent.setdefault(t.intent, []).append(t)
    out: list[str] = []
    seen: set[str] = set()
    for i, intent in enumerate(sorted(by_intent)):
        share = n // len(by_intent) + (i < n % len(by_intent))
        rng = random.Random(f"{seed}:{intent}")
        kept = 0
        for _ in range(20 * share + 5):
            if kept == share:
                break
            text = sample_template(rng.choice(by_intent[intent]), lexicon, rng).text
            if text and text not in seen:
                seen.add(text)
                out.append(text)
                kept += 1
    return out


def probe_statements() -> list[str]:
    """The lines of `PROBE_STATEMENTS`."""
    return [line.strip() for line in PROBE_STATEMENTS.read_text().splitlines() if line.strip()]


# --------------------------------------------------------------------------------------------------
# The seq.in / seq.out / label format (Snips/ATIS style) used by `--data DIR`


def write_split(directory: Path, examples: Sequence[Example]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "seq.in").write_text("".join(ex.text + "\n" for ex in examples))
    (directory / "seq.out").write_text("".join(" ".join(ex.tags) + "\n" for ex in examples))
    (directory / "label").write_text("".join(ex.intent + "\n" for ex in examples))


def read_split(directory: Path) -> list[Example]:
    """Read seq.in/seq.out/label; raises ValueError naming the file and line on a mismatch."""
    files = [directory / name for name in ("seq.in", "seq.out", "label")]
    for f in files:
        if not f.is_file():
            raise FileNotFoundError(f"{f}: missing (a dataset split needs seq.in, seq.out and label)")
    lines = [f.read_text(encoding="utf-8").splitlines() for f in files]
    if not len(lines[0]) == len(lines[1]) == len(lines[2]):
        raise ValueError(f"{directory}: seq.in, seq.out and label have different line counts")
    out = []
    for n, (text, tags, label) in enumerate(zip(*lines, strict=True), 1):
        words, tag_list = text.split(), tags.split()
        if len(words) != len(tag_list):
            raise ValueError(f"{files[1]}:{n}: {len(tag_list)} tags for {len(words)} words")
        out.append(Example(tuple(words), tuple(tag_list), label.strip(), f"{directory.name}:{n}"))
    return out
