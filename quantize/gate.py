"""The accuracy gate: run fp32 and int8 in the serving runtime on held-out data and compare.

Per output: agreement of the decisions (argmax over the last axis; for a single score such as a wake
word probability, the same side of 0.5), the max abs difference, and, with labels, the task accuracy of
both models on the first output. Token-level outputs count only real tokens when the model has an
`attention_mask` input. The artifact fails when any output's decisions disagree on more than
`max_drop` percent of cases, when the labelled accuracy drops by more than `max_drop` points, when a
probability score (a single output in [0, 1], e.g. a wake word score) moves by more than
`max_score_diff` anywhere (a score off by 0.4 is broken even if no sample crossed 0.5 yet), or when it
produces NaN/inf.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from tqdm import tqdm

from quantize.calibration import Dataset, InputSpec, feed
from quantize.runners import Runner


@dataclass
class OutputCheck:
    name: str
    decision: str  # "argmax" | "threshold@0.5"
    agreement: float  # percent of decisions int8 shares with fp32
    max_abs_diff: float
    fp32_accuracy: float | None = None  # percent, with labels
    int8_accuracy: float | None = None


@dataclass
class GateResult:
    runtime: str
    samples: int
    max_drop: float
    outputs: list[OutputCheck]
    passed: bool
    reasons: list[str] = field(default_factory=list)

    @property
    def worst_agreement(self) -> float:
        return min(o.agreement for o in self.outputs)


def _decisions(y: np.ndarray) -> tuple[np.ndarray, str]:
    if y.ndim >= 1 and y.shape[-1] > 1:
        return y.argmax(axis=-1), "argmax"
    return (y.reshape(y.shape[:-1] if y.ndim else ()) > 0.5), "threshold@0.5"


def _token_mask(y: np.ndarray, sample: dict[str, np.ndarray]) -> np.ndarray | None:
    mask = sample.get("attention_mask")
    # a [batch, tokens, classes] output next to a [batch, tokens] mask: judge real tokens only
    if mask is not None and y.ndim == mask.ndim + 1 and y.shape[:-1] == mask.shape:
        return mask.astype(bool)
    return None


def compare(
    reference: Runner,
    candidate: Runner,
    spec: list[InputSpec],
    data: Dataset,
    max_drop: float,
    progress: bool = True,
    max_score_diff: float = 0.1,
) -> GateResult:
    """Run both models on every sample of `data` and judge the candidate."""
    names = reference.output_names
    agree = [0] * len(names)
    total = [0] * len(names)
    kinds = [""] * len(names)
    diff = [0.0] * len(names)
    probability = [True] * len(names)  # fp32 output stayed within [0, 1] so far
    hits_ref = hits_int = 0
    finite = True
    rows = range(len(data))
    for i in tqdm(rows, desc=f"gate ({candidate.runtime})", leave=False, disable=not progress):
        sample = feed(spec, data, i)
        ref, out = reference.run(sample), candidate.run(sample)
        for k, (a, b) in enumerate(zip(ref, out, strict=True)):
            b = b.reshape(a.shape) if b.size == a.size else b
            if a.shape != b.shape:
                return GateResult(
                    candidate.runtime,
                    len(data),
                    max_drop,
                    [],
                    False,
                    [f"output {names[k]!r} has shape {b.shape} in int8 but {a.shape} in fp32"],
                )
            finite = finite and bool(np.isfinite(b).all())
            probability[k] = probability[k] and bool(a.min(initial=0.0) >= 0.0 and a.max(initial=0.0) <= 1.0)
            diff[k] = max(diff[k], float(np.abs(a.astype(np.float64) - b).max(initial=0.0)))
            da, kinds[k] = _decisions(a)
            db, _ = _decisions(b)
            m = _token_mask(a, sample)
            same = da == db if m is None else (da == db)[m]
            agree[k] += int(np.sum(same))
            total[k] += int(np.size(same))
            if k == 0 and data.labels is not None and kinds[k] == "argmax":
                hits_ref += int(da.reshape(-1)[0] == data.labels[i])
                hits_int += int(db.reshape(-1)[0] == data.labels[i])
    checks = [
        OutputCheck(n, kinds[k], 100.0 * agree[k] / max(total[k], 1), diff[k]) for k, n in enumerate(names)
    ]
    reasons = []
    if data.labels is not None and checks:
        checks[0].fp32_accuracy = 100.0 * hits_ref / len(data)
        checks[0].int8_accuracy = 100.0 * hits_int / len(data)
        drop = checks[0].fp32_accuracy - checks[0].int8_accuracy
        if drop > max_drop:
            reasons.append(
                f"{names[0]}: accuracy {checks[0].int8_accuracy:.2f}% vs fp32 {checks[0].fp32_accuracy:.2f}% "
                f"(drop {drop:.2f} points > {max_drop})"
            )
    for c in checks:
        if 100.0 - c.agreement > max_drop:
            reasons.append(
                f"{c.name}: int8 agrees with fp32 on {c.agreement:.2f}% of {c.decision} decisions "
                f"(allowed disagreement {max_drop}%), max abs diff {c.max_abs_diff:.4g}"
            )
    for k, c in enumerate(checks):
        if c.decision.startswith("threshold") and probability[k] and c.max_abs_diff > max_score_diff:
            reasons.append(f"{c.name}: a score moved by {c.max_abs_diff:.3f} (allowed {max_score_diff})")
    if not finite:
        reasons.append("int8 outputs contain NaN or inf")
    return GateResult(candidate.runtime, len(data), max_drop, checks, not reasons, reasons)
