"""Per-layer sensitivity: which nodes to keep in float when the int8 model fails the gate.

Rank: quantize one node at a time (calibration ranges come from the cache, so each try is cheap), run
it on a slice of held-out data and measure how far its outputs move from fp32 (decision disagreement
first, relative L1 error second). Search: keep the 1, 2, 4, ... worst nodes in float until the gate
passes, or give up once more than `max_fraction` of the quantizable nodes would stay float.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from quantize.calibration import Dataset, InputSpec, feed
from quantize.gate import GateResult, _decisions
from quantize.runners import OnnxRunner


@dataclass
class NodeError:
    node: str
    disagreement: float  # percent of output decisions that differ from fp32 with only this node int8
    relative_error: float  # mean |int8 - fp32| / mean |fp32| over all outputs


def output_error(reference: list[list[np.ndarray]], candidate: list[list[np.ndarray]]) -> tuple[float, float]:
    """(disagreement %, relative L1 error) between two runs over the same samples."""
    differ = count = 0
    abs_err = abs_ref = 0.0
    for ref, out in zip(reference, candidate, strict=True):
        for a, b in zip(ref, out, strict=True):
            da, _ = _decisions(a)
            db, _ = _decisions(b.reshape(a.shape))
            differ += int(np.sum(da != db))
            count += int(np.size(da))
            abs_err += float(np.abs(a - b.reshape(a.shape)).sum())
            abs_ref += float(np.abs(a).sum())
    return 100.0 * differ / max(count, 1), abs_err / max(abs_ref, 1e-12)


def rank_nodes(
    fp32: Path,
    candidates: list[str],
    quantize_only: Callable[[list[str], Path], None],
    spec: list[InputSpec],
    data: Dataset,
    workdir: Path,
) -> list[NodeError]:
    """Every candidate node's own damage when it alone is quantized, worst first."""
    feeds = [feed(spec, data, i) for i in range(len(data))]
    reference = OnnxRunner(fp32)
    expected = [reference.run(f) for f in feeds]
    ranked = []
    for node in tqdm(candidates, desc="sensitivity", unit="node", leave=False):
        path = workdir / "one_node.onnx"
        quantize_only([node], path)
        runner = OnnxRunner(path)
        disagreement, rel = output_error(expected, [runner.run(f) for f in feeds])
        ranked.append(NodeError(node, disagreement, rel))
    ranked.sort(key=lambda e: (e.disagreement, e.relative_error), reverse=True)
    return ranked


@dataclass
class Attempt:
    excluded: list[str]
    gate: GateResult


def search_exclusions(
    ranked: list[NodeError],
    try_excluding: Callable[[list[str]], GateResult],
    max_fraction: float = 0.5,
) -> list[Attempt]:
    """Keep the worst 1, 2, 4, ... nodes in float until the gate passes; the last attempt tells."""
    attempts: list[Attempt] = []
    limit = max(1, int(len(ranked) * max_fraction))
    k = 1
    while k <= limit:
        excluded = [e.node for e in ranked[:k]]
        gate = try_excluding(excluded)
        attempts.append(Attempt(excluded, gate))
        if gate.passed:
            break
        if k == limit:
            break
        k = min(k * 2, limit)
    return attempts
