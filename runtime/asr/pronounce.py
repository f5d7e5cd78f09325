"""Pronunciations: the CMU dictionary that ships with pocketsphinx, espeak-ng for the words it lacks.

Device names are often brand words ("sonos") that the dictionary doesn't have. espeak-ng has
letter-to-sound rules for any word; its phoneme mnemonics (`espeak-ng -x`) map onto the CMU
phone set closely enough for a grammar-constrained decoder.
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
_KEYS = sorted(ESPEAK_TO_ARPA, key=len, reverse=True)


@functools.cache
def dictionary_words(path: str) -> frozenset[str]:
    """The words of a pocketsphinx dictionary (alternates like `read(2)` fold into `read`)."""
    words = set()
    with Path(path).open(encoding="utf-8", errors="replace") as f:
        for line in f:
            head = line.split(" ", 1)[0]
            words.add(head.split("(", 1)[0])
    return frozenset(words)


def espeak_phones(word: str) -> list[str]:
    """ARPAbet phones for any English word, from espeak-ng's letter-to-sound rules ([] if unavailable)."""
    exe = shutil.which("espeak-ng")
    if exe is None or not re.fullmatch(r"[a-z']+", word):
        return []
    out = subprocess.run(
        [exe, "-q", "-v", "en-us", "-x", "--sep=_", word], capture_output=True, text=True, check=False
    ).stdout
    phones: list[str] = []
    for mnemonic in re.split(r"[_\s]+", out.strip()):
        m = re.sub(r"[',%=]", "", mnemonic)  # stress and syllable marks
        while m:
            key = next((k for k in _KEYS if m.startswith(k)), None)
            if key is None:
                m = m[1:]  # an espeak symbol without a CMU counterpart: drop it
                continue
            phones.extend(ESPEAK_TO_ARPA[key])
            m = m[len(key) :]
    return phones
