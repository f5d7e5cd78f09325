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

    .venv/bin/python benchmarks/spoken.py --dialogs benchmarks/data/spoken_dialogs.txt

A request, and what the user says when it was acted on wrongly ("set a timer for seventeen minutes
| no seventeen minutes"), both spoken in one context: how often the user ends with the timer or
alarm asked for ("put right"), not only how often it is heard. A correction that repeats the value
just set is answered with a question ("It's set for 1 minute. How long should it be?"); the user
then says the time alone ("nine minutes"), a third utterance. Writes spoken_dialogs.json.

    .venv/bin/python benchmarks/spoken.py --answers benchmarks/data/spoken_answers.txt

A question the runtime asks ("Which one: the tv or the living room speaker?" to a typed "next song"
on the living-room satellite; "Which one should I cancel?" with an egg timer and timers of 5 and 10
minutes) and its answer, spoken: does the answer pick what it names? Each answer is decoded twice,
with the recognizer expecting the question's answers (the pipeline's `expected_answers`) and
without (as before it could). Writes spoken_answers.json.
"""

from __future__ import annotations

import argparse
import json
import re
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
from runtime.choices import chosen_timers, expected_answers  # noqa: E402
from runtime.clauses import commands  # noqa: E402
from runtime.config import Config, Satellite, load_config  # noqa: E402
from runtime.context import ContextStore, JustStarted  # noqa: E402
from runtime.events import Transcript  # noqa: E402
from runtime.nlu.model import NluModel  # noqa: E402
from runtime.resolve import interpret, normalize  # noqa: E402
from runtime.timers import RunningTimer  # noqa: E402

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


def _written(report: dict[str, Any], out: Path, rows: str) -> None:
    """`report` written to `out` as JSON, and printed without its long list `rows`."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1))
    print(json.dumps({k: v for k, v in report.items() if k != rows}))


def _lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text().splitlines() if line.strip() and line[0] != "#"]


def _timer_of(model: NluModel, config: Config, sat: Satellite, said: list[str], now: datetime) -> str | None:
    """The timer or alarm the runtime ends with after `said`, one turn each in one context, as
    "<seconds> <name>"; None when the last turn set none (or asked a question). A turn that sets one
    is what the next turn's "no, ..." puts right, as in the pipeline."""
    ctx = ContextStore(config)
    values: dict[str, Any] = {}
    for text in said:
        _, resolution = interpret(model.parse(commands(text)[0]), ctx, sat, now=now)
        values = resolution.values if resolution.clarification is None else {"asked": True}
        if resolution.interpretation.intent == "HassStartTimer" and "seconds" in values:
            ctx.set_just_started(sat.id, JustStarted.from_values(1, values))
    if values.get("asked"):
        return ASKED
    return f"{values['seconds']} {values.get('timer_name') or ''}".strip() if "seconds" in values else None


ASKED = "asked"  # _timer_of's answer when the last turn asked a question ("How long should it be?")
CORRECTION_WORDS = re.compile(r"^no (?:i said )?")  # "no i said nine minutes" -> "nine minutes", the answer


def dialogs(path: Path, out: Path, engine: Any, model: NluModel, config: Config, now: datetime) -> int:
    """Each "request | correction" spoken in each voice; the correction only after a wrong request."""
    sat = config.satellite("kitchen-sat")
    pad = np.zeros(4800, np.int16)

    def heard(text: str, voice: str, speed: int) -> Transcript:
        return transcribe(engine, np.concatenate([pad, synthesize(text, voice=voice, speed=speed), pad]))

    outcomes: Counter[str] = Counter()
    rows: list[dict[str, Any]] = []
    for line in tqdm(_lines(path), desc="spoken dialogs", unit="dialog"):
        request, correction = (part.strip() for part in line.split("|"))
        meant = _timer_of(model, config, sat, [request], now)
        for voice, speed in VOICES:
            first = heard(request, voice, speed)
            got = None if first.rejected else _timer_of(model, config, sat, [first.text], now)
            second, answer_heard = None, None
            if first.rejected:
                outcome = "request rejected"
            elif got == meant:
                outcome = "right first time"
            else:
                second = heard(correction, voice, speed)
                fixed = (
                    None if second.rejected else _timer_of(model, config, sat, [first.text, second.text], now)
                )
                if fixed == ASKED:  # "It's set for 1 minute. How long should it be?": the time alone, said
                    third = heard(CORRECTION_WORDS.sub("", correction), voice, speed)
                    answered = [first.text, second.text, third.text]
                    fixed = None if third.rejected else _timer_of(model, config, sat, answered, now)
                    answer_heard = third.text
                outcome = (
                    "correction rejected"
                    if second.rejected
                    else "put right"
                    if fixed == meant
                    else "still wrong"
                )
            outcomes[outcome] += 1
            rows.append({"request": request, "voice": voice, "heard": first.text, "outcome": outcome,
                         "correction_heard": second and second.text, "answer_heard": answer_heard})  # fmt: skip
    kinds = ("right first time", "put right", "still wrong", "correction rejected", "request rejected")
    n = sum(outcomes.values())
    wrong_first = n - outcomes["right first time"] - outcomes["request rejected"]
    report = {
        "dialogs": len(rows) // len(VOICES),
        "utterances": n,
        "rates": {k: round(outcomes[k] / n, 4) for k in kinds},
        # of the requests acted on wrongly, how many the correction put right
        "put_right_of_wrong": round(outcomes["put right"] / max(1, wrong_first), 4),
        "rows": rows,
    }
    _written(report, out, "rows")
    for row in rows:
        if row["outcome"] != "right first time":
            print(
                f"  {row['outcome']:19} {row['request']!r} ({row['voice']}) -> {row['heard']!r}, then {row['correction_heard']!r}"
                + (f", asked, then {row['answer_heard']!r}" if row["answer_heard"] is not None else "")
            )
    print(f"wrote {out}")
    return 0


def answers(path: Path, out: Path, engine: Any, model: NluModel, config: Config, now: datetime) -> int:
    """Each "request | answer | what it picks" (device ids, or timers by name or seconds; "-" for
    none; "=" for a request of its own, said instead of an answer, which must not be taken for one),
    spoken in each voice, decoded with and without the question's answers expected."""
    sat = config.satellite("living-sat")
    pad = np.zeros(4800, np.int16)
    modes = ("expected", "not expected")
    outcomes: dict[str, Counter[str]] = {m: Counter() for m in modes}
    rows: list[dict[str, Any]] = []

    def timers() -> list[RunningTimer]:
        return [RunningTimer(1, sat.id, 180, 0.0, name="egg"), RunningTimer(2, sat.id, 300, 0.0),
                RunningTimer(3, sat.id, 600, 0.0)]  # fmt: skip

    for line in tqdm(_lines(path), desc="spoken answers", unit="answer"):
        request, answer, picks = (part.strip() for part in line.split("|"))
        want = sorted(picks.split()) if picks != "-" else []
        for voice, speed in VOICES:
            audio = np.concatenate([pad, synthesize(answer, voice=voice, speed=speed), pad])
            for mode in modes:
                ctx = ContextStore(config)
                offered = timers() if request == "timers" else []
                if not offered:
                    _, asked = interpret(model.parse(request), ctx, sat, now=now)
                    assert asked.clarification, f"{request!r} asked nothing: no question to answer"
                engine.expect(expected_answers(ctx, sat.id, offered) if mode == "expected" else [])
                heard = transcribe(engine, audio)
                engine.expect([])
                got: list[str] | None = None  # what the answer picked; None: taken for no answer
                if not heard.rejected and offered:
                    chosen = chosen_timers(normalize(heard.text), offered)
                    got = None if chosen is None else sorted(t.name or str(t.seconds) for t in chosen)
                elif not heard.rejected:
                    _, r = interpret(model.parse(commands(heard.text)[0]), ctx, sat, now=now)
                    taken = any(why.startswith("the answer") for why in r.reasons)
                    got = sorted(r.device_ids) if taken else None
                if picks == "=":  # a request of its own: right when no answer was read into it
                    outcome = "rejected" if heard.rejected else "picked" if got is None else "wrong"
                else:
                    outcome = "rejected" if heard.rejected else "picked" if got == want else "wrong"
                outcomes[mode][outcome] += 1
                rows.append({"answer": answer, "voice": voice, "mode": mode, "heard": heard.text,
                             "outcome": outcome, "picked": got, "request_of_its_own": picks == "="})  # fmt: skip
    kinds = ("picked", "rejected", "wrong")
    n = sum(outcomes[modes[0]].values())
    requests = [r for r in rows if r["request_of_its_own"]]
    report = {
        "answers": len(_lines(path)),
        "utterances": n,
        "rates": {m: {k: round(outcomes[m][k] / n, 4) for k in kinds} for m in modes},
        # of the requests said instead of an answer, how many were taken for one
        "requests_taken_for_answers": {
            m: sum(r["outcome"] == "wrong" for r in requests if r["mode"] == m) for m in modes
        },
        "rows": rows,
    }
    _written(report, out, "rows")
    for row in rows:
        if row["outcome"] != "picked":
            print(
                f"  {row['mode']:12} {row['outcome']:8} {row['answer']!r} ({row['voice']}) -> {row['heard']!r}"
            )
    print(f"wrote {out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=Path, default=REQUESTS, help="one request a line (# comments)")
    parser.add_argument("--dialogs", type=Path, help='"request | correction" a line (# comments)')
    parser.add_argument("--answers", type=Path, help='"request | answer | what it picks" a line (# comments)')
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    config = load_config(ROOT / "devices.yaml")
    engine = create_engine(config)
    model = NluModel.from_config(config)
    sat = config.satellite("kitchen-sat")
    now = datetime(2026, 12, 7, 10, 0)  # one clock for typed and heard: an alarm's seconds must not differ
    if args.dialogs is not None:
        return dialogs(args.dialogs, args.out or OUT / "spoken_dialogs.json", engine, model, config, now)
    if args.answers is not None:
        return answers(args.answers, args.out or OUT / "spoken_answers.json", engine, model, config, now)
    args.out = args.out or OUT / "spoken.json"
    requests = _lines(args.requests)

    def acted(text: str) -> tuple[tuple[str, tuple[str, ...], str], ...]:
        """What the runtime does for each command of `text` ("set the heating to 21 until 10 pm" is
        two): the intent, on which devices, with which values. A part not heard is a difference."""
        done = [acted_on(model, config, sat, part, now=now) for part in commands(text)]
        return tuple(
            (meaning(r), tuple(sorted(r.device_ids)), json.dumps(r.values, sort_keys=True, default=str))
            for r in done
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
                             "typed_acts_as": " + ".join(p[0] for p in typed),
                             "heard_acts_as": heard and " + ".join(p[0] for p in heard)})  # fmt: skip
    n = sum(outcomes.values())
    report = {
        "requests": len(requests),
        "utterances": n,
        "voices": [f"{v} {s} wpm" for v, s in VOICES],
        "rates": {k: round(outcomes[k] / n, 4) for k in ("heard", "acted as typed", "rejected", "wrong")},
        "wer": round(errors / max(1, words), 4),
        "not_heard": rows,
    }
    _written(report, args.out, "not_heard")
    plot(rows, outcomes, args.out.with_suffix(".png"))
    for row in rows:
        print(
            f"  {row['outcome']:15} {row['request']!r} ({row['voice']}) -> {row['heard']!r} {row['heard_acts_as'] or ''}"
        )
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
