"""One utterance, several commands: "lock the front door and turn off the lights".

`commands(text)` cuts the text before each "and" / "then" / "and then" / comma that starts a new
command (a command verb follows, and the words before have one too), so each runs as a turn of its own.
"Turn off the kitchen and living room lights" stays one: that list is the resolver's
(`runtime.resolve.conjuncts`). A teaching ("when I say X I mean Y and Z") is never cut: Y and Z
are what is taught. "Turn on the fan for an hour" is two: on now, and off in an hour (a command for
later, run when its timer rings). "Turn the tv off and the lights on" is two, one verb said for both.
"""

from __future__ import annotations

import re

from runtime.conventions import COLORS


def _words(text: str) -> list[str]:
    return text.split()


VERBS = frozenset(
    _words(
        "turn switch lock unlock open close set dim brighten play pause resume stop start mute unmute "
        "raise lower shut put make"
    )
)
JOINS = ("and then", "and", "then")
TEACHING = ("when i say", "i mean")
GREETED = re.compile(
    r"(?:(?:hey|hi|hello|ok|okay),? )?good ?(?:night|morning|evening|afternoon)[,.!]? ", re.IGNORECASE
)


# "set an alarm for 7 am every weekday and 9 am on weekends": two alarms (the second was dropped)
ALARMS_AND = re.compile(
    r"(?P<head>(?:please )?(?:set|make) (?:an |my |the )?alarms? (?:for|at)|wake me(?: up)? at)"
    r" (?P<one>.+? (?:every|each|on) \w+) and (?:at |for )?(?P<two>.+? (?:every|each|on) \w+)",
    re.IGNORECASE,
)


def commands(text: str) -> list[str]:
    """The commands said in `text`, in order; [text] when it is one."""
    if (alarms := ALARMS_AND.fullmatch(text.strip())) is not None:
        return [f"{alarms['head']} {alarms['one']}", f"{alarms['head']} {alarms['two']}"]
    words = text.split()
    bare = [w.lower().strip(",.;!?") for w in words]
    if any(t in " ".join(bare) for t in TEACHING):
        return [text]
    greeted = GREETED.match(text)
    if greeted is not None and bare[len(greeted[0].split()) :][:1] and bare[len(greeted[0].split())] in VERBS:
        # "good night, turn off everything": the command (it asked whether to teach "good night")
        return commands(text[greeted.end() :])
    out: list[list[str]] = [[]]
    has_verb = False  # the part so far has a command verb: only then may a new command start
    i = 0
    while i < len(words):
        join = next((len(j.split()) for j in JOINS if bare[i : i + len(j.split())] == j.split()), 0)
        after = i + join
        if join and after < len(words) and bare[after] in VERBS and has_verb:
            out.append([])
            has_verb, i = False, after
            continue
        if (
            i and words[i - 1].endswith((",", ";")) and bare[i] in VERBS and has_verb
        ):  # "lock the door, turn ..."
            out.append([])
        out[-1].append(words[i])
        has_verb = has_verb and len(out[-1]) > 1 or bare[i] in VERBS
        i += 1
    parts = [" ".join(p).rstrip(",;") for p in out if p]
    parts = [each for part in parts for each in both_ways(part)]
    parts = [each for part in parts for each in timers_each(part)]
    parts = [each for part in parts for each in for_a_while(part)]
    parts = units_carried(parts)
    return parts if len(parts) > 1 else [text]


# "turn the tv off and the lights on": one verb, each device its own way
BOTH_WAYS = re.compile(
    r"(?P<verb>turn|switch) (?P<a>.+?) (?P<x>on|off),? and (?!then )(?P<b>(?:the |my )?.+?) (?P<y>on|off)(?P<tail> for .+)?",
    re.IGNORECASE,
)


# "set the bedroom light to 20 and the kitchen light to 80": one verb, each device its own value
EACH_ITS_VALUE = re.compile(
    r"(?P<verb>set|turn|dim|put|change|make) (?P<a>.+?) to (?P<x>\S+(?: percent| degrees)?),? and (?!then )"
    r"(?P<b>(?:the |my )?.+?) to (?P<y>.+)",
    re.IGNORECASE,
)


# a time to do something, as said: "in 5 minutes", "in 10" (after one with a unit), "at 7", "at 7 30 pm"
_ONES = "one two three four five six seven eight nine"
_TEENS = "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen"
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety"
_NUMBER = (
    rf"(?:\d+|an?|half an|(?:(?:{'|'.join(_TENS.split())}) )?(?:{'|'.join(_ONES.split())})"
    rf"|{'|'.join(_TEENS.split())}|{'|'.join(_TENS.split())})"
)
_UNIT = r"(?:hours?|minutes?|mins?|seconds?)"
_MARK = r"(?:am|pm|a m|p m)"
_WHEN = (
    rf"(?:in|after) {_NUMBER}(?: (?P<{{unit}}>{_UNIT}))?|at {_NUMBER}(?: {_NUMBER})?(?: (?:{_MARK}|o'clock))?"
)
# "turn off the light in 5 minutes and the tv in 10": one verb, each device its own time (read as one
# timer of 5 minutes 10 seconds that turned off "the light and the tv in 10")
EACH_ITS_TIME = re.compile(
    r"(?P<verb>turn|switch|lock|unlock|open|close|shut|dim) (?P<a>.+?) (?P<x>"
    + _WHEN.format(unit="u1")
    + r"),? and (?!then )(?P<b>(?:the |my )?.+?) (?P<y>"
    + _WHEN.format(unit="u2")
    + ")",
    re.IGNORECASE,
)
# "... in 10" after "... in 5 minutes": the unit said once, for both
NO_UNIT = re.compile(rf"(?P<head>.+ (?:in|after) {_NUMBER})")
A_UNIT = re.compile(rf".* (?:in|after) {_NUMBER} (?P<unit>{_UNIT})")


def each_its_time(command: str) -> list[str]:
    """ "turn off the light in 5 minutes and the tv in 10" -> ["turn off the light in 5 minutes", "turn
    off the tv in 10 minutes"]; a command with one time -> [command]."""
    said = command.strip().rstrip(".!?")
    m = EACH_ITS_TIME.fullmatch(said) if len(command.split()) <= 24 else None
    if m is None or (m["x"].split()[0].lower() != "at" and not m["u1"]):  # "in 5 and ... in 10": no unit
        return [command]
    a = m["a"].split()
    # the particle goes with the verb: "turn off the light ... and the tv" turns the tv off too
    particle = next((w for w in (a[0], a[-1]) if w.lower() in ("on", "off")), None)
    second = f"{m['verb']} {particle + ' ' if particle else ''}{m['b']} {m['y']}"
    if particle and m["b"].lower() in ("on", "off"):  # "turn off the light at 11 and on at 7": the same light
        device = " ".join(a[1:] if a[0] == particle else a[:-1])
        second = f"{m['verb']} {m['b']} {device} {m['y']}"
    return [f"{m['verb']} {m['a']} {m['x']}", second]  # commands() carries the unit said once


# "... at 8" after "... at 7 pm": the half of the day said once, for both
NO_MARK = re.compile(rf".* at (?P<hour>{_NUMBER})(?: {_NUMBER})?")
A_MARK = re.compile(rf".* at (?P<hour>{_NUMBER})(?: {_NUMBER})? (?P<mark>{_MARK})")
HOUR_WORDS = {
    w: n for n, w in enumerate(_words("twelve one two three four five six seven eight nine ten eleven"))
}


def _hour(said: str) -> int | None:
    """0-11 for "12" / "twelve" ... "11"; None for what is no hour."""
    n = int(said) if said.isdigit() else HOUR_WORDS.get(said.lower())
    return n % 12 if n is not None and 1 <= (n or 12) <= 12 else None


def units_carried(parts: list[str]) -> list[str]:
    """Each part ending "in 10" given the unit of the part before's "in 5 minutes"; one ending "at 8"
    the am / pm of the part before's "at 7 pm" (pm after "at 11 pm ... at 1": am)."""
    out: list[str] = []
    for part in parts:
        unit = A_UNIT.fullmatch(out[-1]) if out else None
        mark = A_MARK.fullmatch(out[-1]) if out else None
        bare = NO_MARK.fullmatch(part)
        if unit is not None and NO_UNIT.fullmatch(part):
            part = f"{part} {unit['unit']}"
        elif mark is not None and bare is not None:
            before, hour = _hour(mark["hour"]), _hour(bare["hour"])
            if before is not None and hour is not None:
                pm = mark["mark"].replace(" ", "").lower() == "pm"
                part = f"{part} {'pm' if pm == (hour >= before) else 'am'}"
        out.append(part)
    return out


# "turn the living room light red and the kitchen light green": each light its own color (read as
# one request with two colors, it did nothing: "The kitchen light can't change color.")
_COLOR = "|".join(sorted(COLORS, key=len, reverse=True))
EACH_ITS_COLOR = re.compile(
    rf"(?P<verb>set|turn|make|change) (?P<a>.+?) (?:to )?(?P<x>{_COLOR}),? and (?!then )"
    rf"(?P<b>(?:the |my )?.+?) (?:to )?(?P<y>{_COLOR})",
    re.IGNORECASE,
)


def both_ways(command: str) -> list[str]:
    """ "turn the tv off and the lights on" -> ["turn the tv off", "turn the lights on"], and "set the
    bedroom light to 20 and the kitchen light to 80" likewise; one way or one value -> [command]."""
    if len(command.split()) > 24:  # as in for_a_while
        return [command]
    said = command.strip().rstrip(".!?")
    if len(timed := each_its_time(said)) > 1:
        return timed
    if (m := BOTH_WAYS.fullmatch(said)) is not None and m["x"].lower() != m["y"].lower():
        return [f"{m['verb']} {m['a']} {m['x']}", f"{m['verb']} {m['b']} {m['y']}{m['tail'] or ''}"]
    if (m := EACH_ITS_VALUE.fullmatch(said)) is not None and m["x"].lower() != m["y"].lower():
        return [f"{m['verb']} {m['a']} to {m['x']}", f"{m['verb']} {m['b']} to {m['y']}"]
    if (m := EACH_ITS_COLOR.fullmatch(said)) is not None and m["x"].lower() != m["y"].lower():
        return [f"{m['verb']} {m['a']} {m['x']}", f"{m['verb']} {m['b']} {m['y']}"]
    return [command]


# "set two timers, one for 5 minutes and one for 10 minutes", "set a timer for 5 minutes and another
# for 10": a timer each (read as one, it set "5 minutes and 1 second")
TIMERS_EACH = re.compile(
    r"(?P<verb>set|start|make) (?:(?:two|2) timers,? (?:one )?|an? timer )for (?P<a>.+?),? and "
    r"(?:one|another)(?: one)?(?: timer)? for (?P<b>.+)",
    re.IGNORECASE,
)


# "set a 10 minute pasta timer and a 5 minute egg timer": a named timer each (the egg timer was lost)
NAMED_TIMERS_EACH = re.compile(
    r"(?P<verb>set|start|make) (?P<a>(?:an?|another) (?:(?!\band\b).)+? timer(?: for (?:(?!\band\b).)+?)?),? and "
    r"(?P<b>(?:an?|another) .+? timer(?: for .+)?)",
    re.IGNORECASE,
)


def timers_each(command: str) -> list[str]:
    """ "set two timers, one for 5 minutes and one for 10" -> a "set a timer for ..." each; "set a
    pasta timer for 10 minutes and an egg timer for 5" too."""
    said = command.strip().rstrip(".!?")
    if len(command.split()) > 24:
        return [command]
    if (m := TIMERS_EACH.fullmatch(said)) is not None:
        return [f"{m['verb']} a timer for {m[k]}" for k in ("a", "b")]
    if (named := NAMED_TIMERS_EACH.fullmatch(said)) is not None:
        return [f"{named['verb']} {named['a']}", f"{named['verb']} {re.sub('^another ', 'a ', named['b'])}"]
    return [command]


# "turn the heating up to 22 for an hour", "set the lights to 20 percent until 11": a level set now, and
# set back then to what it was (the resolver reads "back" when the timer is set: the value before now)
SETTING = (
    r"(?P<setting>(?:set|turn|put|dim|brighten|raise|lower) (?P<dev7>(?!an? )(?:(?!\b(?:timer|alarm|reminder)\b).)+?)"
    r" (?:up |down )?to .+?)"
)
# "turn on the light for ten minutes": on now, off when the time is up
# an amount of time as said: "an hour", "half an hour", "ten minutes", "twenty five seconds"
DURATION_PHRASE = rf"(?:an?|half an|\S+(?: \S+)?) {_UNIT}"
FOR_A_WHILE = re.compile(
    r"(?P<verb>turn|switch|keep|leave) (?:(?P<on1>on|off) (?P<dev1>.+?)|(?P<dev2>.+?) (?P<on2>on|off))"
    rf" for (?P<time>{DURATION_PHRASE})|(?:run|start) (?P<dev3>.+?) for (?P<time3>{DURATION_PHRASE})"
    rf"|(?P<door>lock|unlock|open|close|mute|unmute|pause) (?P<dev4>.+?) for (?P<time4>{DURATION_PHRASE})"
    # "set the oven to 180 for 30 minutes" (an oven timer, the oven not set): set now, off then
    rf"|(?:set|put|turn|preheat) (?P<oven>(?:the |my )?(?:\S+ )?oven) (?:on )?(?:to|at) (?P<heat>\S+(?: degrees)?)"
    rf" for (?P<time5>{DURATION_PHRASE})"
    # "play rain sounds for 30 minutes" played them on (a sleep timer, as "stop in 30 minutes")
    rf"|(?P<play>(?:please )?play .+?) for (?P<time6>{DURATION_PHRASE})"
    rf"|{SETTING} for (?P<time7>{DURATION_PHRASE})",
    re.IGNORECASE,
)
# "unlock the front door for 5 minutes": locked again when the time is up; "mute the tv for 5 minutes"
# (muted for good): unmuted again
UNDONE_BY = {"lock": "unlock", "unlock": "lock", "open": "close", "close": "open", "mute": "unmute",
             "unmute": "mute", "pause": "resume"}  # fmt: skip
# "leave the lights on until 11 pm", "unlock the door until 6": undone then ("until 11 pm" was dropped)
UNTIL = re.compile(
    r"(?P<verb>turn|switch|keep|leave) (?:(?P<on1>on|off) (?P<dev1>.+?)|(?P<dev2>.+?) (?P<on2>on|off))"
    r" until (?P<time>.+)|(?P<door>lock|unlock|open|close|mute|unmute|pause) (?P<dev4>.+?) until (?P<time4>.+)"
    r"|(?P<play>(?:please )?play .+?) until (?P<time6>.+)"
    rf"|{SETTING} until (?P<time7>.+)",
    re.IGNORECASE,
)


def for_a_while(command: str) -> list[str]:
    """ "turn on the fan for an hour" -> ["turn on the fan", "turn off the fan in an hour"], "unlock the
    door for 5 minutes" -> ["unlock the door", "lock the door in 5 minutes"]; a command without such a
    time -> [command]."""
    if (
        len(command.split()) > 24
    ):  # a command is short; the pattern's cost grows with the square of the length
        return [command]
    if re.search(
        r"\btimers?\b", command, re.IGNORECASE
    ):  # "turn on the sleep timer for 45 minutes": its length
        return [command]
    m = FOR_A_WHILE.fullmatch(command.strip().rstrip(".!?"))
    if m is None:
        return until(command)
    if m["dev3"]:
        return [f"turn on {m['dev3']}", f"turn off {m['dev3']} in {m['time3']}"]
    if m["play"]:
        return [m["play"], f"pause the music in {m['time6']}"]
    if m["oven"]:
        return [f"set {m['oven']} to {m['heat']}", f"turn off {m['oven']} in {m['time5']}"]
    if m["dev4"]:
        verb = m["door"].lower()
        return [f"{verb} {m['dev4']}", f"{UNDONE_BY[verb]} {m['dev4']} in {m['time4']}"]
    if m["setting"]:
        return [m["setting"], f"set {m['dev7']} back in {m['time7']}"]
    return _and_back(m, f"in {m['time']}")


def until(command: str) -> list[str]:
    """ "turn on the fan until 10 pm" -> ["turn on the fan", "turn off the fan at 10 pm"]; "lock the door
    until 6" likewise; a command without "until" -> [command]."""
    m = UNTIL.fullmatch(command.strip().rstrip(".!?"))
    if m is None:
        return [command]
    if m["dev4"]:
        verb = m["door"].lower()
        return [f"{verb} {m['dev4']}", f"{UNDONE_BY[verb]} {m['dev4']} at {m['time4']}"]
    if m["play"]:
        return [m["play"], f"pause the music at {m['time6']}"]
    if m["setting"]:
        return [m["setting"], f"set {m['dev7']} back at {m['time7']}"]
    return _and_back(m, f"at {m['time']}")


def _and_back(m: re.Match[str], then: str) -> list[str]:
    """On (or off) now and the other way `then`, from a match with verb, on1/dev1 or dev2/on2."""
    device, on = (m["dev1"], m["on1"]) if m["dev1"] else (m["dev2"], m["on2"])
    back = "off" if on.lower() == "on" else "on"
    verb = "turn" if m["verb"].lower() in ("keep", "leave") else m["verb"]  # "keep the oven on for an hour"
    return [f"{verb} {on} {device}", f"{verb} {back} {device} {then}"]
