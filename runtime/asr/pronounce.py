"""Pronunciations: the CMU dictionary that ships with pocketsphinx, espeak-ng for the words it lacks.

Device names are often brand words ("sonos") that the dictionary doesn't have. espeak-ng has
letter-to-sound rules for any word; its phoneme mnemonics (`espeak-ng -x`) map onto the CMU
phone set closely enough for a grammar-constrained decoder.

The CMU dictionary is American. British speakers get variants from espeak-ng's en-gb rules
(`british_variants`): the TRAP vowel of "thank" or "lamp" is an open [a] that the US-trained
acoustic model hears as AA ("thank you" came out as "stop you"), and final r's are silent.
On the ASR dev set (`python benchmarks/asr_dev.py`, the LM's sentences pinned; three of its eight
voices are British) WER / in-grammar false rejection / OOG rejection went from 4.1 / 1.5 / 91.7%
to 3.1 / 1.5 / 91.2% with them.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from pathlib import Path

# espeak-ng (en) phoneme mnemonics -> CMU/ARPAbet phones. Longer keys are matched first.
ESPEAK_TO_ARPA: dict[str, list[str]] = {
    "tS": ["CH"], "dZ": ["JH"], "aI@": ["AY", "ER"], "aI3": ["AY", "ER"], "aU@": ["AW", "ER"],
    "aI": ["AY"], "aU": ["AW"], "eI": ["EY"], "oU": ["OW"], "OI": ["OY"], "e@": ["EH", "R"],
    "i@3": ["IY", "ER"], "i@": ["IY", "AH"], "I@": ["IH", "R"], "U@": ["UH", "R"], "o@": ["AO", "R"],
    "O@": ["AO", "R"], "A@": ["AA", "R"], "A:": ["AA"], "O:": ["AO"], "u:": ["UW"], "i:": ["IY"],
    "3:": ["ER"], "@L": ["AH", "L"], "@2": ["AH"], "@5": ["AH"], "a#": ["AE"], "aa": ["AE"],
    "I2": ["IH"], "I#": ["IH"], "O2": ["AO"], "0": ["AA"], "3": ["ER"], "@": ["AH"], "a": ["AE"],
    "A": ["AA"], "E": ["EH"], "e": ["EH"], "I": ["IH"], "i": ["IY"], "O": ["AO"], "o": ["OW"],
    "U": ["UH"], "u": ["UW"], "V": ["AH"], "T": ["TH"], "D": ["DH"], "S": ["SH"], "Z": ["ZH"],
    "N": ["NG"], "j": ["Y"], "h": ["HH"], "r": ["R"], "r-": ["R"], "x": ["K"], "?": [],
    "p": ["P"], "b": ["B"], "t": ["T"], "d": ["D"], "k": ["K"], "g": ["G"], "f": ["F"], "v": ["V"],
    "s": ["S"], "z": ["Z"], "m": ["M"], "n": ["N"], "l": ["L"], "w": ["W"],
}  # fmt: skip
# en-gb's vowels as the US-trained acoustic model hears them: open [a] (TRAP) and [A:] (BATH) near
# AA, and no r after a vowel (non-rhotic: "floor" F L AO, "timer" T AY M AH).
BRITISH_TO_ARPA: dict[str, list[str]] = {
    **ESPEAK_TO_ARPA, "a": ["AA"], "aa": ["AA"], "3": ["AH"], "o@": ["AO"], "O@": ["AO"],
    "A@": ["AA"], "e@": ["EH"], "I@": ["IH", "AH"], "U@": ["UH", "AH"], "aI@": ["AY", "AH"],
    "aU@": ["AW", "AH"],
}  # fmt: skip
_KEYS, _BRITISH_KEYS = (sorted(t, key=len, reverse=True) for t in (ESPEAK_TO_ARPA, BRITISH_TO_ARPA))


@functools.cache
def dictionary_pronunciations(path: str) -> dict[str, frozenset[str]]:
    """Each word of a pocketsphinx dictionary -> its pronunciations (`read(2)` is one of `read`'s)."""
    prons: dict[str, set[str]] = {}
    with Path(path).open(encoding="utf-8", errors="replace") as f:
        for line in f:
            head, _, phones = line.strip().partition(" ")
            prons.setdefault(head.split("(", 1)[0], set()).add(" ".join(phones.split()))
    return {word: frozenset(p) for word, p in prons.items()}


def espeak_phones(word: str, voice: str = "en-us") -> list[str]:
    """ARPAbet phones for any English word, from espeak-ng's letter-to-sound rules ([] if unavailable)."""
    if not re.fullmatch(r"[a-z']+", word):
        return []
    return espeak_phones_of([word], voice).get(word, [])


def espeak_phones_of(words: list[str], voice: str = "en-us") -> dict[str, list[str]]:
    """`espeak_phones` for many words in one espeak-ng process (one word per line in, one token
    each out); British voices ("en-gb...") read through BRITISH_TO_ARPA. Words espeak-ng cannot
    spell are left out."""
    exe = shutil.which("espeak-ng")
    words = [w for w in words if re.fullmatch(r"[a-z']+", w)]
    if exe is None or not words:
        return {}

    def mnemonics(text: str) -> list[str]:
        command = [exe, "-q", "-v", voice, "-x", "--sep=_"]
        return subprocess.run(command, input=text, capture_output=True, text=True, check=False).stdout.split()

    out = mnemonics("\n".join(words))
    if len(out) != len(words):  # espeak-ng split or merged a word somewhere: one at a time
        out = ["_".join(mnemonics(w)) for w in words]
    table, keys = (BRITISH_TO_ARPA, _BRITISH_KEYS) if voice.startswith("en-gb") else (ESPEAK_TO_ARPA, _KEYS)
    return {w: phones for w, m in zip(words, out, strict=True) if (phones := _arpa(m, table, keys))}


def _arpa(mnemonics: str, table: dict[str, list[str]], keys: list[str]) -> list[str]:
    """`keys`: the table's keys, longest first."""
    phones: list[str] = []
    for mnemonic in mnemonics.split("_"):
        m = re.sub(r"[',%=]", "", mnemonic)  # stress and syllable marks
        while m:
            key = next((k for k in keys if m.startswith(k)), None)
            if key is None:
                m = m[1:]  # an espeak symbol without a CMU counterpart: drop it
                continue
            phones.extend(table[key])
            m = m[len(key) :]
    return phones


def british_variants(words: list[str], known: dict[str, frozenset[str]]) -> dict[str, str]:
    """Alternate pronunciations ("thank(2)" -> "TH AA NG K") for the words whose en-gb reading
    differs from every pronunciation in `known` (the dictionary's, and espeak-ng's en-us ones)."""
    variants = {}
    for word, phones in espeak_phones_of(sorted(set(words)), "en-gb").items():
        have = known.get(word, frozenset())
        pron = " ".join(phones)
        if have and pron not in have:
            variants[f"{word}({len(have) + 1})"] = pron
    return variants
