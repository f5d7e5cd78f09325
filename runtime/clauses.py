"""One utterance, several commands: "lock the front door and turn off the lights".

`commands(text)` cuts the text before each "and" / "then" / "and then" / comma that starts a new
command (a command verb follows, and the words before have one too), so each runs as a turn of its own.
"Turn off the kitchen and living room lights" stays one: that list is the resolver's
(`runtime.resolve.conjuncts`). A teaching ("when I say X I mean Y and Z") is never cut: Y and Z
are what is taught.
"""

from __future__ import annotations


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


def commands(text: str) -> list[str]:
    """The commands said in `text`, in order; [text] when it is one."""
    words = text.split()
    bare = [w.lower().strip(",.;!?") for w in words]
    if any(t in " ".join(bare) for t in TEACHING):
        return [text]
    out: list[list[str]] = [[]]
    i = 0
    while i < len(words):
        join = next((len(j.split()) for j in JOINS if bare[i : i + len(j.split())] == j.split()), 0)
        after = i + join
        has_verb = VERBS & set(bare[i - len(out[-1]) : i])
        if join and after < len(words) and bare[after] in VERBS and has_verb:
            out.append([])
            i = after
            continue
        if (
            i and words[i - 1].endswith((",", ";")) and bare[i] in VERBS and has_verb
        ):  # "lock the door, turn ..."
            out.append([])
        out[-1].append(words[i])
        i += 1
    parts = [" ".join(p).rstrip(",;") for p in out if p]
    return parts if len(parts) > 1 else [text]
