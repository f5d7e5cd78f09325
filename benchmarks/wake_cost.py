"""What listening costs: the wake detector's CPU on audio without a wake word, per front-end setting.

    python benchmarks/wake_cost.py            # 5 minutes of negative audio, 3 rounds
    python benchmarks/wake_cost.py --minutes 1 --rounds 1

The wake word is the one stage that runs all the time, so its CPU is the device's idle cost. This
streams the same negative audio as benchmarks/audio.py (speech without a wake word, music-like
tones, sox noise) through devices.yaml's wake models three ways, in the same process and in
interleaved rounds (this machine is shared and noisy, so the ratios are the figures to read):

- `one phase`: `wake.half_frame: false`;
- `half frame`: the default, the late phase judged only while the on-time phase hears something
  wake-like (runtime/wake.py, LATE_GATE);
- `late always on`: the late phase judged on every chunk, as before the gate: the baseline the gate
  is meant to save.

Writes benchmarks/out/wake_cost.json and benchmarks/out/wake_cost.png.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.audio import OUT, VOICES, negative_stream  # noqa: E402
from runtime import wake  # noqa: E402
from runtime.asr.grammar import sample  # noqa: E402
from runtime.audio.sources import chunk_samples  # noqa: E402
from runtime.config import load_config  # noqa: E402
from runtime.events import AudioChunk  # noqa: E402


class AlwaysLate(wake.WakeDetector):
    """The half-frame detector with its gate open on every chunk."""

    def scores(self, chunk: AudioChunk) -> dict[str, float]:
        gate, wake.LATE_GATE = wake.LATE_GATE, float("-inf")
        try:
            return super().scores(chunk)
        finally:
            wake.LATE_GATE = gate


def cpu_seconds(detector: wake.WakeDetector, chunks: list[AudioChunk]) -> tuple[float, int]:
    """CPU seconds of this thread to process `chunks`, and how many wake events fired."""
    detector.reset()
    start = time.thread_time()
    fired = sum(len(detector.process(c)) for c in chunks)
    return time.thread_time() - start, fired


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=5.0, help="negative audio to stream (default 5)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per setting (default 3)")
    args = parser.parse_args(argv)

    config = load_config(ROOT / "devices.yaml")
    w = config.wake
    common = dict(models=w.models, engine=w.engine, refractory_s=w.refractory_s)
    detectors: dict[str, wake.WakeDetector] = {
        "one phase": wake.WakeDetector(**common, half_frame=False),  # type: ignore[arg-type]
        "half frame": wake.WakeDetector(**common, half_frame=True),  # type: ignore[arg-type]
        "late always on": AlwaysLate(**common, half_frame=True),  # type: ignore[arg-type]
    }
    sentences = sample(config, 200, seed=99)
    audio = np.concatenate(
        [
            a
            for _, a in tqdm(
                negative_stream(args.minutes, sentences, VOICES), desc="synthesizing", unit="piece"
            )
        ]
    )
    chunks = list(chunk_samples(audio))
    seconds = len(chunks) * wake.FRAME_SAMPLES / wake.SAMPLE_RATE

    cpu = {name: 0.0 for name in detectors}
    fired = {name: 0 for name in detectors}
    with tqdm(total=args.rounds * len(detectors), desc="detectors", unit="run") as bar:
        for _ in range(args.rounds):
            for name, detector in detectors.items():
                s, n = cpu_seconds(detector, chunks)
                cpu[name] += s
                fired[name] = n
                bar.update()
    rtf = {name: cpu[name] / (args.rounds * seconds) for name in detectors}
    results = {
        "audio_seconds": round(seconds, 1),
        "rounds": args.rounds,
        "models": [m.name for m in w.models],
        "cpu_rtf": {k: round(v, 4) for k, v in rtf.items()},
        "ratio_to_one_phase": {k: round(v / rtf["one phase"], 3) for k, v in rtf.items()},
        "false_accepts": fired,
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "wake_cost.json").write_text(json.dumps(results, indent=2) + "\n")
    plot(results, OUT / "wake_cost.png")
    print(json.dumps(results, indent=2))
    return 0


def plot(results: dict, path: Path) -> None:  # type: ignore[type-arg]
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(results["cpu_rtf"])
    fig, ax = plt.subplots(figsize=(6, 3.5))
    bars = ax.bar(names, [100 * results["cpu_rtf"][n] for n in names], color=["#888", "#2a7", "#c63"])
    for bar, n in zip(bars, names, strict=True):
        ax.annotate(f"{results['ratio_to_one_phase'][n]:.2f}x", (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                    ha="center", va="bottom")  # fmt: skip
    ax.set_ylabel("% of one core")
    ax.set_title(f"Wake word CPU on {results['audio_seconds'] / 60:.0f} min without a wake word")
    fig.tight_layout()
    fig.savefig(path, dpi=120)


if __name__ == "__main__":
    raise SystemExit(main())
