"""Text normalization shared by training-data generation and inference.

Both sides must see the same words, so this is the one place that decides what a "word" is:
lower case, "%" spoken as "percent", hyphens and punctuation as spaces (ASR output has none), but a
decimal point between digits and apostrophes inside words kept ("21.5", "what's").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

MAX_WORDS = 48  # longer input is truncated: commands are short, and the model has 64 positions

_DECIMAL = re.compile(r"(?<=\d)\.(?=\d)")
_PUNCT = re.compile(r"[^\w\s'\x00\u0080-\U0010ffff]|_")
_QUOTES = re.compile(r"(^|\s)'+|'+(\s|$)")


def normalize(text: str) -> str:
    """Lower-case, speech-like form of `text`; pure and idempotent."""
    return " ".join(clean(text).split())


def clean(text: str) -> str:
    """`normalize` before whitespace is collapsed: pieces cleaned one by one concatenate correctly."""
    text = text.lower().replace("%", " percent ").replace("\u2019", "'")
    text = _DECIMAL.sub("\x00", text)  # protect "21.5" from the punctuation rule
    text = _PUNCT.sub(" ", text).replace("\x00", ".")
    # a quote at a word's edge is punctuation, inside it ("what's") is not
    return _QUOTES.sub(lambda m: m.group(0).replace("'", " "), text)


# ASR writes "turn of the lights" and "switch the tv of" for "off"; no request means "turn of" (but
# "2 to the power of 3" does: it asked for the state of everything off)
_OF_FOR_OFF = re.compile(r"\b(turn|switch|shut|(?<!the )power)( of\b| (?:\w+ ){1,4}of$)")


# everyday ways to say a switch the training templates do not have ("kill the lights" was read as a
# brightness step, "i need the lights on" as a device "need lights"): said the way the model knows
_IDIOMS = (
    # "make it 20 instead", "play it in the kitchen instead": "instead" was read as a device's name
    (
        re.compile(
            r"^((?:please )?(?:make|set|turn|switch|play|put|change|move|dim|open|close|start) .+) instead(?: please)?$"
        ),
        r"\1",
    ),
    (re.compile(r"^(?:please )?(?:kill|cut) (the .+|all the .+|it|everything)$"), r"turn off \1"),
    (re.compile(r"^(?:please )?crank (it|the \w+(?: \w+)?) up$"), r"turn \1 up"),
    (
        re.compile(
            r"^(?:i need|i want|i'd like|i would like|we need|we want) (the .+) (on|off)(?: please)?$"
        ),
        r"turn \1 \2",
    ),
    # "all off" was "it" off (the last device commanded)
    (re.compile(r"^(?:please )?(?:turn )?all (off|on)(?: please)?$"), r"turn everything \1"),
    # "turn it all off", "turn off all" asked "Which device do you mean?"
    (re.compile(r"^(?:please )?(?:turn|switch) it all (off|on)(?: please)?$"), r"turn everything \1"),
    (re.compile(r"^(?:please )?(?:turn|switch) (off|on) all(?: please)?$"), r"turn everything \1"),
    (re.compile(r"^(?:please )?shut (?:it all|everything) (?:down|off)(?: please)?$"), "turn everything off"),
    # "turn off whatever is on" asked about a device called "whatever"
    (
        re.compile(r"\b(?:whatever|anything that|everything that|all that)(?: is|'s| are) (?:still )?on\b"),
        "everything",
    ),
    # "what did i leave on" was out of domain
    (re.compile(r"^what (?:did i|have i|did we|have we) (?:leave|left) (on|open|unlocked)$"), r"what's \1"),
    # "lock up for the night" asked about a device called "night"
    (re.compile(r"^lock up (?:for the night|for tonight|tonight|now)$"), "lock up"),
    # "make me a coffee", "brew some coffee" were out of domain
    (
        re.compile(
            r"^(?:please )?(?:make|brew|start)(?: me| us)?(?: a| some| the| my)?(?: cup of| pot of)? coffee(?: please)?$"
        ),
        "turn on the coffee maker",
    ),
    # "what's the status of the front door" turned it off; "give me a status report" asked about timers
    (
        re.compile(
            r"^(?:give me a |what's the |what is the )?(?:status report|home status|house status)(?: please)?$"
            r"|^(?:what's|what is|whats) the status of (?:the house|the home|my home|my house|everything)$"
        ),
        "what devices are on",
    ),
    (re.compile(r"^(?:what's|what is|whats) the status of (.+)$"), r"what's the state of \1"),
    # "turn on the lights dimmed" asked about a device called "lights dimmed"
    (
        re.compile(
            r"^(?:please )?(?:turn|switch) on ((?:all )?the (?:\w+ )*?(?:lights?|lamps?)) (?:dimmed|dim)$"
        ),
        r"turn on \1 but dim",
    ),
    # "play music for my wife" asked what you like, "play some jazz for the kids" about a device "kids":
    # who it is for is not what to play
    (
        re.compile(
            r"^((?:please )?play .+?) for (?:my|the|our) (?:wife|husband|partner|kids|children|son|daughter|baby"
            r"|family|guests|mom|dad|mum|girlfriend|boyfriend)$"
        ),
        r"\1",
    ),
    # "i can't see anything" was out of domain
    (
        re.compile(r"^i (?:can't|cant|cannot|can not) see (?:anything|a thing|much)(?: in here)?$"),
        "it's too dark in here",
    ),
)


# "did i lock the front door", "did you turn off the tv", "have i left the oven on": questions about
# the state, which the model read as the command (the door was locked, the tv turned off) or as out
# of domain; asked the way it knows ("is the front door locked")
_ASKER = r"^(?:did|have|has) (?:i|you|we|they|someone|somebody|anyone|anybody) "
_THE = r"(the .+|it|everything|anything)"
_STATE_OF_VERB = {"lock": "locked", "unlock": "unlocked", "close": "closed", "shut": "closed", "open": "open"}
_WHERE = r"((?: in (?:the )?\w+(?: \w+)?)?)"  # "did i leave the lights on in the kitchen"
_DID_I = (
    (re.compile(_ASKER + r"(?:leave|left) " + _THE + r" (on|off|open|closed|locked|unlocked)" + _WHERE + "$"),
     r"is \1 \2\3"),
    (re.compile(_ASKER + r"(?:turn|turned|switch|switched|shut) (on|off) " + _THE + "$"), r"is \2 \1"),
    (re.compile(_ASKER + r"(?:turn|turned|switch|switched|shut) " + _THE + " (on|off)" + _WHERE + "$"), r"is \1 \2\3"),
)  # fmt: skip
_DID_I_VERB = re.compile(_ASKER + r"(lock|unlock|close|shut|open)(?:ed|d)? " + _THE + "$")


# "leave the counter lights on and turn off the rest" turned the counter lights off: said as the
# exception it is ("turn off the lights except the counter lights"), the rest being their kind
_THE_REST = re.compile(
    r"^(?:please )?(?:leave|keep) (?P<kept>the .+?|my .+?) (?P<state>on|off) and (?:turn|switch) "
    r"(?:(?:on|off) )?(?:the rest|everything else|all the rest|the others|all the others|all else)"
    r"(?: (?:on|off))?(?: please)?$"
)
_LIGHT_WORDS = frozenset({"light", "lights", "lamp", "lamps"})


def _except_said(m: re.Match[str]) -> str:
    rest = "the lights" if _LIGHT_WORDS & set(m["kept"].split()) else "everything"
    return f"turn {'off' if m['state'] == 'on' else 'on'} {rest} except {m['kept']}"


# "set the kitchen light to three quarters" set 3% (the model tags "three"), "dim the lights to half"
# was read as a blind's position: a fraction of the range said as the percentage it is
_FRACTIONS = {"a quarter": 25, "one quarter": 25, "three quarters": 75, "a third": 33, "one third": 33,
              "two thirds": 67, "half": 50}  # fmt: skip
_FRACTION = "|".join(_FRACTIONS)
_TO_A_FRACTION = re.compile(rf"\b(to|at) ({_FRACTION})(?: (?:of )?the way)?(?=(?: please)?$)")
_OPEN_A_FRACTION = re.compile(
    rf"^(?:please )?open (the .+?) ({_FRACTION}) (?:of )?the way(?: up)?(?: please)?$"
)


# "wait, unlock it" was read as "stop" (nothing done): an interjection before a command is dropped
_INTERJECTION = re.compile(
    r"^(?:wait|hold on|oh|oh wait|oops|um+|uh+|hmm+|well|ok|okay|alright|all right) "
    r"(?=(?:turn|switch|lock|unlock|open|close|set|play|pause|resume|stop|dim|make|put|start|cancel|leave"
    r"|keep|don't|do not) \S)"
)


def as_meant(text: str) -> str:
    """Normalized `text` with ASR slips that no request means put right ("turn of" -> "turn off"),
    an interjection before a command dropped ("wait, unlock it"), idioms said the usual way ("kill
    the lights" -> "turn off the lights"), questions about what was done asked about the state ("did
    i lock the door" -> "is the door locked"), "leave X on and turn off the rest" as the exception it
    is, and fractions as percentages ("to three quarters")."""
    said = _OF_FOR_OFF.sub(lambda m: f"{m[1]}{m[2]}f", _INTERJECTION.sub("", normalize(text)))
    for idiom, usual in (*_IDIOMS, *_DID_I):
        said = idiom.sub(usual, said)
    said = _THE_REST.sub(_except_said, said)
    said = _TO_A_FRACTION.sub(lambda m: f"{m[1]} {_FRACTIONS[m[2]]} percent", said)
    said = _OPEN_A_FRACTION.sub(lambda m: f"set {m[1]} to {_FRACTIONS[m[2]]} percent", said)
    return _DID_I_VERB.sub(lambda m: f"is {m[2]} {_STATE_OF_VERB[m[1]]}", said)


def words(text: str, limit: int = MAX_WORDS) -> list[str]:
    """The normalized words of `text`, at most `limit` of them."""
    return normalize(text).split()[:limit]


def bio_spans(tags: Sequence[str], words: Sequence[str]) -> list[tuple[str, str, int, int]]:
    """BIO tags -> (slot, value, start_word, end_word_exclusive); a stray I- starts a span (conlleval)."""
    out: list[tuple[str, str, int, int]] = []
    start, name = -1, ""
    for i, tag in enumerate([*tags, "O"]):
        inside = tag.startswith("I-") and name == tag[2:]
        if start >= 0 and not inside:
            out.append((name, " ".join(words[start:i]), start, i))
            start, name = -1, ""
        if tag.startswith("B-") or (tag.startswith("I-") and not inside):
            start, name = i, tag[2:]
    return out
