"""The ASR dev set: tune the recognizer's rejection and grammar pass here, never on the test set.

    python benchmarks/asr_dev.py                 # 480 commands + 240 ordinary sentences (~6 min)
    python benchmarks/asr_dev.py --commands 120  # a smaller run

benchmarks/audio.py measures the test set (commands from seed 1234, six espeak-ng voices, its
OUT_OF_GRAMMAR sentences). This runs the ASR alone on what that never uses: commands from seed 777
in audio.py's eight DEV_VOICES, its DEV_OUT_OF_GRAMMAR sentences and the ones below, each twice.
The LM's sentences are pinned (benchmarks/out/asr-dev-lm.json, written on the first run; delete it
to re-pin) so figures stay comparable while the NLU's training sentences change.

Every utterance is decoded once by the engine as configured; what each of its passes heard (the LM
pass, the grammar pass, the second CMN pass, the latter two run even where the engine skipped them,
with the running CMN restored) is recorded, so the sweep over `reject_below` x `MAX_GRAMMAR_DISTANCE`
comes from the same decodes. Writes benchmarks/out/asr-dev.json. Synthesized audio is cached in
$TMPDIR/ambient-asr-dev.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.audio import DEV_COMMAND_SEED, DEV_OUT_OF_GRAMMAR, DEV_VOICES, PITCHES, SPEEDS  # noqa: E402
from runtime.asr.base import transcribe  # noqa: E402
from runtime.asr.grammar import in_grammar, lm_sentences, nlu_sentences, sample  # noqa: E402
from runtime.asr.sphinx import (  # noqa: E402
    DEFAULT_REJECT_BELOW,
    GRAMMAR_NBEST,
    GRAMMAR_SEARCH,
    MAX_GRAMMAR_DISTANCE,
    TEMPLATE_DRAWS,
    PocketsphinxEngine,
    around_words,
    spelled_close,
)
from runtime.asr.wer import word_errors  # noqa: E402
from runtime.audio.tts import synthesize  # noqa: E402
from runtime.config import Config, load_config  # noqa: E402
from runtime.events import Transcript  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
# More ordinary speech for the dev set, none of it in audio.py's lists; some of it near the home's
# words ("set the table", "the heater in my car") since that is what a grammar pass could force in.
EXTRA_DEV_OUT_OF_GRAMMAR = """the light at the end of the tunnel was bright
we should open a savings account for the kids
the bedroom window faces the east
my neighbor plays the drums every night
can you tell me a joke about penguins
the museum guide spoke three languages
they turned the old factory into apartments
what is the best way to learn to swim
the soup needs a little more salt
he switched jobs twice last year
the door to the attic is very narrow
i left my glasses on the kitchen table
set the table for six people tonight
the heating bill was very high in january
how old is the oldest tree on earth
she works from home on fridays
the fridge is making a strange noise again
our vacation starts in three weeks
the radio station plays old songs all day
which planet has the most moons
the garage is full of old furniture
we should start the meeting without him
the lamp in the hall is older than me
my cousin moved to a small town in spain
the fan club meets every tuesday evening
the children are afraid of the dark
who painted the ceiling of the sistine chapel
the morning news was about the floods
please close your books and listen carefully
a cold wind came down from the hills
the office will be closed for the holidays
i like to read the newspaper with my breakfast
the volume of the ocean is hard to imagine
what rhymes with orange
the shop on the corner sells fresh fish
the doors open at eight in the evening
he turned forty last month
the thermometer in the car was broken
my favorite season is autumn
the plane landed safely despite the fog
they say it rains a lot in seattle
the water in the lake is very cold
she set a new record in the marathon
the story takes place in a small village
what does a kangaroo eat
the alarm clock did not ring this morning
my brother is afraid of spiders
the recipe calls for two eggs and some flour
the lights of the city were beautiful from the plane
how do you say thank you in german
the heater in my car stopped working
our teacher gave us too much homework
the blinds were made of bamboo
we walked along the river after lunch
the stadium holds fifty thousand people
i am going to bed early tonight
the room was full of old photographs
is it true that cats have nine lives
the volcano erupted for the first time in a century
he plays chess with his grandfather on sundays""".splitlines()

Pass = tuple[str, float]  # (text, mean log10 P(word)) of one decoding pass


class RecordingEngine(PocketsphinxEngine):
    """The engine as configured, also recording what each of its passes heard."""

    def _transcript(self) -> Transcript:
        t = super()._transcript()
        search = "grammar" if self.decoder.current_search() == GRAMMAR_SEARCH else "lm"
        self.heard.append((search, t.text, self.fluency(t.text) if t.text else -99.0))
        if len(self.heard) == 1:
            self.lm_alternatives = list(self._alternatives)
            self.lm_words = list(t.words)
        return t

    def final(self) -> Transcript:
        self.heard: list[tuple[str, str, float]] = []
        self.lm_words = []
        t = super().final()
        started = time.thread_time()
        raw = b"".join(self._audio)
        lm = self.heard[0]
        if raw and not any(s == "grammar" for s, *_ in self.heard):  # what the grammar would have said
            # over the window the engine's own grammar pass decodes
            self._batch_transcript(around_words(raw, self.lm_words), keep_cmn=False, search=GRAMMAR_SEARCH)
        if raw and sum(s == "lm" for s, *_ in self.heard) < 2:  # and the second CMN pass
            self._batch_transcript(raw, keep_cmn=False)
        grammar = next((h for h in self.heard if h[0] == "grammar"), ("grammar", "", -99.0))
        second = [h for h in self.heard if h[0] == "lm"][1] if raw else ("lm", "", -99.0)
        self.passes = {
            "lm": lm[1:],
            "grammar": grammar[1:],
            "second": second[1:],
            "alternatives": self.lm_alternatives,
        }
        self.recording_cpu = time.thread_time() - started
        return t


def decide(row: dict, reject_below: float, max_distance: float, nbest: int = GRAMMAR_NBEST) -> str | None:
    """The engine's decision (sphinx.py's final()) from a row's recorded passes; None = rejected."""
    passes = row["passes"]
    (lm, lm_fluency), (grammar, _), (second, second_fluency) = (
        passes["lm"], passes["grammar"], passes["second"]
    )  # fmt: skip
    heard = [lm, *passes["alternatives"][:nbest]]
    close = grammar and spelled_close(grammar, heard, max_distance)
    if lm and not row["lm_in_grammar"] and close:
        return grammar
    # a template sentence is accepted whatever its fluency, other text from `reject_below` up
    if lm and (row["lm_in_grammar"] or lm_fluency >= reject_below):
        return lm
    if second and (row["second_in_grammar"] or second_fluency >= reject_below):
        return second
    return None


def figures(
    rows: list[dict], reject_below: float, max_distance: float, nbest: int = GRAMMAR_NBEST
) -> dict[str, float]:
    errors = words = rejected = commands = oog = oog_rejected = 0
    for r in rows:
        text = decide(r, reject_below, max_distance, nbest)
        if r["kind"] == "command":
            commands += 1
            words += len(r["ref"].split())
            rejected += text is None
            errors += len(r["ref"].split()) if text is None else word_errors(r["ref"], text)
        else:
            oog += 1
            oog_rejected += text is None
    return {
        "wer": round(errors / max(1, words), 4),
        "in_grammar_false_rejection_rate": round(rejected / max(1, commands), 4),
        "oog_rejection_rate": round(oog_rejected / max(1, oog), 4),
    }


def dev_items(config: Config, n_commands: int) -> list[tuple[str, str, np.ndarray]]:
    """(kind, text, speech) for the dev commands and ordinary sentences, synthesized once and cached."""
    sentences = DEV_OUT_OF_GRAMMAR + EXTRA_DEV_OUT_OF_GRAMMAR
    commands = sample(config, n_commands, seed=DEV_COMMAND_SEED)
    key = hashlib.sha256(json.dumps([commands, sentences, DEV_VOICES]).encode()).hexdigest()[:12]
    cache = Path(tempfile.gettempdir()) / "ambient-asr-dev" / f"{key}.pkl"
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    rng = random.Random(7)
    items = []
    for i, text in enumerate(tqdm(commands, desc="synthesizing commands")):
        k = i // 3  # voices and speeds crossed as benchmarks/audio.py does
        voice, speed = DEV_VOICES[k % len(DEV_VOICES)], SPEEDS[(k // len(DEV_VOICES)) % len(SPEEDS)]
        items.append(("command", text, synthesize(text, voice=voice, speed=speed, pitch=rng.choice(PITCHES))))
    for group in (DEV_OUT_OF_GRAMMAR, EXTRA_DEV_OUT_OF_GRAMMAR):
        for i, text in enumerate(tqdm(group * 2, desc="synthesizing sentences")):
            voice, speed = DEV_VOICES[i % len(DEV_VOICES)], SPEEDS[i % len(SPEEDS)]
            items.append(("oog", text, synthesize(text, voice=voice, speed=speed)))
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(pickle.dumps(items))
    return items


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--commands", type=int, default=480)
    args = parser.parse_args(argv)
    config = load_config(ROOT / "devices.yaml")
    pinned = OUT / "asr-dev-lm.json"
    if not pinned.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        pinned.write_text(json.dumps(lm_sentences(config, TEMPLATE_DRAWS) + nlu_sentences(config)))
    engine = RecordingEngine(config, sentences=json.loads(pinned.read_text()))
    items = dev_items(config, args.commands)
    rows, cpu, audio_s = [], 0.0, 0.0
    pad = np.zeros(int(0.3 * 16000), np.int16)
    for kind, text, speech in tqdm(items, desc="decoding", unit="utt"):
        audio = np.concatenate([pad, speech, pad])
        c = time.thread_time()
        transcribe(engine, audio)
        if kind == "command":  # the engine's own cost; the recording passes after it are not timed
            cpu += time.thread_time() - c - engine.recording_cpu
            audio_s += len(audio) / 16000
        lm_text, second_text = str(engine.passes["lm"][0]), str(engine.passes["second"][0])
        rows.append({"kind": kind, "ref": text, "passes": engine.passes,
                     "lm_in_grammar": bool(lm_text) and in_grammar(engine.grammar, lm_text),
                     "second_in_grammar": bool(second_text) and in_grammar(engine.grammar, second_text)})  # fmt: skip
    # the engine's own decision is the sweep's point at its settings (recorded passes, same rule)
    result = {
        "commands": args.commands,
        "oog_utterances": sum(r["kind"] == "oog" for r in rows),
        "reject_below": DEFAULT_REJECT_BELOW,
        "max_grammar_distance": MAX_GRAMMAR_DISTANCE,
        **figures(rows, DEFAULT_REJECT_BELOW, MAX_GRAMMAR_DISTANCE),
        "without_grammar_pass": figures(rows, DEFAULT_REJECT_BELOW, -1.0),
        "asr_cpu_rtf_commands": round(cpu / audio_s, 4),
        "sweep": [
            {"reject_below": th, "max_grammar_distance": d, "grammar_nbest": k, **figures(rows, th, d, k)}
            for th in (-1.1, -1.2, -1.25, -1.3, -1.4, -1.5, -1.6)
            for d in (-1.0, 0.3, 0.35, 0.4, 0.45, 0.5)
            for k in (0, 3, 10)
        ],
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "asr-dev.json").write_text(json.dumps(result, indent=2))
    (OUT / "asr-dev-rows.json").write_text(json.dumps(rows))  # every utterance's passes, for other rules
    print(f"dev: WER {result['wer']:.1%}, in-grammar false rejection {result['in_grammar_false_rejection_rate']:.1%}, "
          f"OOG rejection {result['oog_rejection_rate']:.1%} ({result['oog_utterances']} utt); "
          f"without the grammar pass: {result['without_grammar_pass']}; ASR CPU RTF {result['asr_cpu_rtf_commands']}")  # fmt: skip
    print("sweep (reject_below, max distance, n-best: WER / false rejection / OOG rejection):")
    for r in result["sweep"]:
        print(f"  {r['reject_below']}, {r['max_grammar_distance']}, n-best {r['grammar_nbest']}: {r['wer']:.1%} / "
              f"{r['in_grammar_false_rejection_rate']:.1%} / {r['oog_rejection_rate']:.1%}")  # fmt: skip
    print(f"wrote {OUT / 'asr-dev.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
