"""A small backoff trigram language model from command sentences: ARPA text for pocketsphinx, and
the same probabilities in Python for scoring what the decoder heard.

Witten-Bell discounting: in a context seen c times with t distinct next words, a seen word gets
c(w)/(c+t) and the mass t/(c+t) backs off to the shorter context, scaled so every distribution
sums to one. That is all a few hundred words of command language need, and it generalizes past
the exact sentences (new combinations of known phrasings), unlike a finite-state grammar.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable

BOS, EOS = "<s>", "</s>"
Gram = tuple[str, ...]


def _log10(p: float) -> float:
    return math.log10(max(p, 1e-99))


class NgramLM:
    def __init__(self, sentences: Iterable[str]) -> None:
        grams: list[Counter[Gram]] = [Counter(), Counter(), Counter()]
        for s in sentences:
            words = [BOS, *s.split(), EOS]
            for n in (1, 2, 3):
                for i in range(len(words) - n + 1):
                    grams[n - 1][tuple(words[i : i + n])] += 1
        if not grams[0]:
            raise ValueError("a language model needs at least one sentence")
        # unigrams: Witten-Bell against a uniform floor over the vocabulary
        vocab = [g for g in grams[0] if g != (BOS,)]
        total = sum(grams[0][g] for g in vocab)
        t1 = len(vocab)
        self.p1: dict[Gram, float] = {g: (grams[0][g] + 1) / (total + t1) for g in vocab}
        self.p2, left2 = self._conditional(grams[1])
        self.p3, left3 = self._conditional(grams[2])
        self.bow1 = self._backoff_weights(self.p2, left2)  # 1-word contexts
        self.bow2 = self._backoff_weights(self.p3, left3)  # 2-word contexts

    @staticmethod
    def _conditional(counts: Counter[Gram]) -> tuple[dict[Gram, float], dict[Gram, float]]:
        """P(w | h) for seen n-grams, and the mass each context h leaves for backing off."""
        ctx: Counter[Gram] = Counter()
        followers: defaultdict[Gram, int] = defaultdict(int)
        for g, c in counts.items():
            ctx[g[:-1]] += c
            followers[g[:-1]] += 1
        probs = {g: c / (ctx[g[:-1]] + followers[g[:-1]]) for g, c in counts.items()}
        left = {h: followers[h] / (ctx[h] + followers[h]) for h in ctx}
        return probs, left

    def _backoff_weights(self, probs: dict[Gram, float], left: dict[Gram, float]) -> dict[Gram, float]:
        seen_lower: defaultdict[Gram, float] = defaultdict(float)
        for g in probs:
            seen_lower[g[:-1]] += self.prob(g[1:])
        return {h: left[h] / max(1e-12, 1.0 - seen_lower[h]) for h in left}

    def prob(self, g: Gram) -> float:
        """P(last word of g | the words before it), backing off as ARPA readers do."""
        if len(g) == 3:
            if g in self.p3:
                return self.p3[g]
            return getattr(self, "bow2", {}).get(g[:2], 1.0) * self.prob(g[1:])
        if len(g) == 2:
            if g in self.p2:
                return self.p2[g]
            return getattr(self, "bow1", {}).get(g[:1], 1.0) * self.prob(g[1:])
        return self.p1.get(g, 0.0)

    def word_logprobs(self, sentence: str) -> list[float]:
        """log10 P of each word (and of the sentence end) given up to two words before it."""
        words = [BOS, *sentence.split(), EOS]
        return [_log10(self.prob(tuple(words[max(0, i - 2) : i + 1]))) for i in range(1, len(words))]

    def to_arpa(self) -> str:
        lines = [
            "\\data\\",
            f"ngram 1={len(self.p1) + 1}",
            f"ngram 2={len(self.p2)}",
            f"ngram 3={len(self.p3)}",
        ]
        lines += ["", "\\1-grams:", f"-99.0000\t{BOS}\t{_log10(self.bow1.get((BOS,), 1.0)):.4f}"]
        for g, p in sorted(self.p1.items()):
            lines.append(f"{_log10(p):.4f}\t{g[0]}\t{_log10(self.bow1.get(g, 1.0)):.4f}")
        lines += ["", "\\2-grams:"]
        for g, p in sorted(self.p2.items()):
            lines.append(f"{_log10(p):.4f}\t{' '.join(g)}\t{_log10(self.bow2.get(g, 1.0)):.4f}")
        lines += ["", "\\3-grams:"]
        for g, p in sorted(self.p3.items()):
            lines.append(f"{_log10(p):.4f}\t{' '.join(g)}")
        return "\n".join([*lines, "", "\\end\\", ""])
