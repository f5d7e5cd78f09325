"""Accuracy of an NLU model (or of the hassil matcher) on labelled examples.

- intent accuracy: top-1 intent right;
- full frame: intent right and the predicted slot spans equal the gold spans exactly;
- slot F1: conlleval-style span F1 (a span counts when name, start and end all match).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from models.nlu.data import Example
from runtime.nlu.intents import OUT_OF_DOMAIN

Span = tuple[str, int, int]


@dataclass
class Prediction:
    intent: str
    spans: set[Span]
    values: set[tuple[str, str]] = field(default_factory=set)  # (slot, normalized text)


@dataclass
class Report:
    n: int
    intent_acc: float
    frame_acc: float
    slot_precision: float
    slot_recall: float
    slot_f1: float
    frame_acc_values: float  # slots compared by (name, text) ignoring `domain`: comparable with hassil
    confusion: dict[str, dict[str, int]]
    intent_right: list[bool] = field(default_factory=list)  # per example: for paired comparisons

    def summary(self) -> dict[str, Any]:
        return {
            k: round(v, 4) if isinstance(v, float) else v
            for k, v in self.__dict__.items()
            if k not in ("confusion", "intent_right")
        }


def model_predictor(model: Any) -> Callable[[Example], Prediction]:
    """Adapter for runtime.nlu.model.NluModel (its top-1 hypothesis)."""

    def predict(ex: Example) -> Prediction:
        best = model.parse_words(list(ex.words), n=1)
        if not best:
            return Prediction(OUT_OF_DOMAIN, set())
        top = best[0]
        return Prediction(
            top.intent,
            {(s.name, s.start, s.end) for s in top.slots},
            {(s.name, s.value) for s in top.slots if s.name != "domain"},
        )

    return predict


def evaluate(
    predict: Callable[[Example], Prediction], examples: Sequence[Example], progress: str | None = None
) -> Report:
    from tqdm import tqdm

    intent_ok = frame_ok = value_ok = 0
    tp = n_pred = n_gold = 0
    confusion: dict[str, dict[str, int]] = {}
    right: list[bool] = []
    for ex in tqdm(examples, desc=progress, disable=progress is None, leave=False):
        pred = predict(ex)
        gold = {(name, start, end) for name, _, start, end in ex.slots()}
        gold_values = {(name, value) for name, value, _, _ in ex.slots() if name != "domain"}
        ok = pred.intent == ex.intent
        right.append(ok)
        intent_ok += ok
        frame_ok += ok and pred.spans == gold
        value_ok += ok and pred.values == gold_values
        tp += len(pred.spans & gold)
        n_pred += len(pred.spans)
        n_gold += len(gold)
        row = confusion.setdefault(ex.intent, {})
        row[pred.intent] = row.get(pred.intent, 0) + 1
    n = max(1, len(examples))
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return Report(len(examples), intent_ok / n, frame_ok / n, p, r, f1, value_ok / n, confusion, right)


def paired(before: Sequence[bool], after: Sequence[bool]) -> dict[str, float | int]:
    """Two models' intents on the same sentences (right or not, in order): how many only `before`
    got right (`lost`) and how many only `after` did (`gained`), and the exact two-sided McNemar p:
    the chance of a split at least this uneven if neither model were better. Two runs of one recipe
    differ by tens of sentences, so a gap of a few is not evidence."""
    if len(before) != len(after):
        raise ValueError(f"paired: {len(before)} sentences against {len(after)}")
    lost = sum(b and not a for b, a in zip(before, after, strict=True))
    gained = sum(a and not b for b, a in zip(before, after, strict=True))
    n, k = lost + gained, min(lost, gained)
    tail = sum(math.comb(n, i) for i in range(k + 1)) / 2**n if n else 1.0
    return {"lost": lost, "gained": gained, "p": round(min(1.0, 2 * tail), 4)}


def latency_ms(parse: Callable[[str], object], texts: Sequence[str], repeat: int = 1) -> dict[str, float]:
    """p50/p99/mean milliseconds per call of `parse(text)` (tokenization included)."""
    for text in texts[:20]:
        parse(text)  # warm-up
    times = []
    for _ in range(repeat):
        for text in texts:
            t0 = time.perf_counter()
            parse(text)
            times.append((time.perf_counter() - t0) * 1000)
    arr = np.asarray(times)
    return {
        "p50": float(np.percentile(arr, 50)),
        "p99": float(np.percentile(arr, 99)),
        "mean": float(arr.mean()),
        "n": len(arr),
    }
