"""The quantization report: what was produced, how it compares with fp32, as JSON and a PNG."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from quantize.gate import GateResult
from quantize.sensitivity import Attempt, NodeError


@dataclass
class Report:
    model: str
    artifact: str  # file name of the int8 model inside the output directory
    target: str
    format: str
    mode: str
    method: str
    preset: dict[str, Any]
    ops: str
    passed: bool
    fp32_bytes: int
    int8_bytes: int
    calibration_samples: int
    eval_samples: int
    gates: list[GateResult]
    latency_ms: dict[str, dict[str, dict[str, float]]]  # runtime -> fp32|int8 -> p50/p99
    excluded_nodes: list[str] = field(default_factory=list)
    sensitivity: list[NodeError] = field(default_factory=list)
    attempts: list[Attempt] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def size_ratio(self) -> float:
        return self.int8_bytes / max(self.fp32_bytes, 1)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["size_ratio"] = self.size_ratio
        d["sensitivity"] = d["sensitivity"][:25]  # the worst nodes are what a reader needs
        return d

    def summary(self) -> str:
        """A few human lines: verdict, size, per-runtime agreement and latency."""
        verdict = "ACCEPTED" if self.passed else "REJECTED"
        lines = [
            f"{verdict}: {self.artifact} ({self.target}, {self.format}, {self.mode}"
            + (f", {self.method}" if self.mode == "static" else "")
            + ")",
            f"  size: fp32 {self.fp32_bytes / 1e6:.3f} MB -> int8 {self.int8_bytes / 1e6:.3f} MB "
            f"({100 * self.size_ratio:.1f}%)",
        ]
        for g in self.gates:
            for o in g.outputs:
                acc = ""
                if o.fp32_accuracy is not None:
                    acc = f", accuracy fp32 {o.fp32_accuracy:.2f}% int8 {o.int8_accuracy:.2f}%"
                lines.append(
                    f"  {g.runtime} {o.name}: agreement {o.agreement:.2f}% ({o.decision}) on {g.samples} "
                    f"samples, max abs diff {o.max_abs_diff:.4g}{acc}"
                )
        for runtime, lat in self.latency_ms.items():
            parts = [f"{k} p50 {v['p50']:.3f} p99 {v['p99']:.3f}" for k, v in lat.items()]
            lines.append(f"  latency ms ({runtime}): " + "; ".join(parts))
        if self.excluded_nodes:
            lines.append(f"  kept in float: {', '.join(self.excluded_nodes)}")
        lines += [f"  reason: {r}" for r in self.reasons]
        return "\n".join(lines)


def write_json(report: Report, path: Path) -> None:
    path.write_text(json.dumps(report.to_dict(), indent=2) + "\n")


def write_png(report: Report, path: Path) -> None:
    """Three bar charts: size, agreement/accuracy per runtime, latency p50/p99 per runtime."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_size, ax_acc, ax_lat) = plt.subplots(1, 3, figsize=(14, 4.2))
    ax_size.bar(["fp32", "int8"], [report.fp32_bytes / 1e6, report.int8_bytes / 1e6], color=["#777", "#2a7"])
    ax_size.set_title(f"size (MB), int8 = {100 * report.size_ratio:.1f}%")

    labels, values = [], []
    for g in report.gates:
        for o in g.outputs:
            labels.append(f"{g.runtime}\n{o.name}\nagreement")
            values.append(o.agreement)
            if o.fp32_accuracy is not None and o.int8_accuracy is not None:
                labels += [f"{g.runtime}\nfp32 acc", f"{g.runtime}\nint8 acc"]
                values += [o.fp32_accuracy, o.int8_accuracy]
    ax_acc.bar(range(len(values)), values, color="#37c")
    ax_acc.set_xticks(range(len(values)), labels, fontsize=7)
    ax_acc.set_ylim(min([*values, 90.0]) - 1, 100.5)
    ax_acc.set_title("agreement / accuracy (%)")

    names = []
    p50, p99 = [], []
    for runtime, lat in report.latency_ms.items():
        for kind, v in lat.items():
            names.append(f"{runtime}\n{kind}")
            p50.append(v["p50"])
            p99.append(v["p99"])
    x = range(len(names))
    ax_lat.bar([i - 0.2 for i in x], p50, width=0.4, label="p50")
    ax_lat.bar([i + 0.2 for i in x], p99, width=0.4, label="p99")
    ax_lat.set_xticks(list(x), names, fontsize=7)
    ax_lat.set_title("latency per call (ms)")
    ax_lat.legend()
    fig.suptitle(f"{report.artifact}: {'accepted' if report.passed else 'REJECTED'} ({report.target})")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
