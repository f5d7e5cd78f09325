"""Word errors: the edit distance between a reference and a hypothesis, in words (for WER)."""

from __future__ import annotations


def word_errors(ref: str, hyp: str) -> int:
    """Substitutions + deletions + insertions turning `ref` into `hyp` (Levenshtein over words)."""
    r, h = ref.split(), hyp.split()
    d = list(range(len(h) + 1))
    for i, a in enumerate(r, 1):
        prev, d[0] = d[0], i
        for j, b in enumerate(h, 1):
            prev, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, prev + (a != b))
    return d[-1]
