"""Everyday requests, spoken: does the recognizer hear them, and does the runtime then do what it
does for the typed words?

    .venv/bin/python benchmarks/spoken.py                   # benchmarks/data/spoken_requests.txt
    .venv/bin/python benchmarks/spoken.py --requests FILE   # one request a line

The runtime learned many requests from typed text (`ambient nlu`); a request the recognizer's
grammar (`runtime/asr/grammar.py`) does not hold is, spoken, rejected or heard as another command.
Each request is synthesized by espeak-ng in each of `VOICES` and decoded by the pocketsphinx engine
devices.yaml configures; the transcript's first command goes through the NLU and resolution (the
kitchen satellite, a fresh context), as do the typed words. Each utterance is one of:

- heard: the transcript is the request, word for word (and so acted on as typed);
- acted as typed: another transcript, but the same intent on the same devices with the same values;
- rejected: the recognizer rejected it (the user is asked to say it again);
- wrong: accepted and acted on otherwise than the typed words (another action, value or answer).

Writes benchmarks/out/spoken.json and spoken.png.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from runtime.asr import create_engine, transcribe  # noqa: E402
from runtime.asr.grammar import acted_on, meaning  # noqa: E402
from runtime.asr.wer import word_errors  # noqa: E402
from runtime.audio.tts import synthesize  # noqa: E402
from runtime.config import load_config  # noqa: E402
from runtime.nlu.model import NluModel  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
REQUESTS = ROOT / "benchmarks" / "data" / "spoken_requests.txt"
# three of benchmarks/audio.py's voices, each at its own speed
VOICES = (("en-us", 160), ("en-gb+f2", 140), ("en-us+m3", 185))


def plot(rows: list[dict[str, Any]], outcomes: Counter[str], path: Path) -> None:
    """The outcomes' shares, and the requests not heard word for word, by how often."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    kinds = ("heard", "acted as typed", "rejected", "wrong")
    missed = Counter(f"{r['request']} ({r['outcome']})" for r in rows).most_common(20)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 5), gridspec_kw={"width_ratios": [1, 2]})
    ax1.bar(kinds, [outcomes[k] for k in kinds], color=["tab:green", "tab:olive", "tab:orange", "tab:red"])
    ax1.set_title(f"{sum(outcomes.values())} utterances")
    ax1.tick_params(axis="x", rotation=20)
    ax2.barh([m for m, _ in missed][::-1], [n for _, n in missed][::-1], color="tab:gray")
    ax2.set_title("not heard word for word (utterances)")
    ax2.tick_params(axis="y", labelsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=Path, default=REQUESTS, help="one request a line (# comments)")
    parser.add_argument("--out", type=Path, default=OUT / "spoken.json")
    args = parser.parse_args(argv)
    requests = [
        line.strip() for line in args.requests.read_text().splitlines() if line.strip() and line[0] != "#"
    ]
    config = load_config(ROOT / "devices.yaml")
    engine = create_engine(config)
    model = NluModel.from_config(config)
    sat = config.satellite("kitchen-sat")
    now = datetime(2026, 12, 7, 10, 0)  # one clock for typed and heard: an alarm's seconds must not differ

    def acted(text: str) -> tuple[str, tuple[str, ...], str]:
        """What the runtime does for `text`: the intent, on which devices, with which values."""
        resolution = acted_on(model, config, sat, text, now=now)
        return (
            meaning(resolution),
            tuple(sorted(resolution.device_ids)),
            json.dumps(resolution.values, sort_keys=True, default=str),
        )

    outcomes: Counter[str] = Counter()
    errors = words = 0
    rows: list[dict[str, Any]] = []
    pad = np.zeros(4800, np.int16)
    for request in tqdm(requests, desc="spoken requests", unit="req"):
        typed = acted(request)
        for voice, speed in VOICES:
            t = transcribe(engine, np.concatenate([pad, synthesize(request, voice=voice, speed=speed), pad]))
            words += len(request.split())
            errors += len(request.split()) if t.rejected else word_errors(request, t.text)
            if t.rejected:
                outcome, heard = "rejected", None
            elif t.text == request:
                outcome, heard = "heard", typed
            else:
                heard = acted(t.text)
                outcome = "acted as typed" if heard == typed else "wrong"
            outcomes[outcome] += 1
            if outcome != "heard":
                rows.append({"request": request, "voice": voice, "heard": t.text, "outcome": outcome,
                             "typed_acts_as": typed[0], "heard_acts_as": heard and heard[0]})  # fmt: skip
    n = sum(outcomes.values())
    report = {
        "requests": len(requests),
        "utterances": n,
        "voices": [f"{v} {s} wpm" for v, s in VOICES],
        "rates": {k: round(outcomes[k] / n, 4) for k in ("heard", "acted as typed", "rejected", "wrong")},
        "wer": round(errors / max(1, words), 4),
        "not_heard": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1))
    plot(rows, outcomes, args.out.with_suffix(".png"))
    print(json.dumps({k: v for k, v in report.items() if k != "not_heard"}))
    for row in rows:
        print(
            f"  {row['outcome']:15} {row['request']!r} ({row['voice']}) -> {row['heard']!r} {row['heard_acts_as'] or ''}"
        )
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
