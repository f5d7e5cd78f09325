"""Inference for the joint intent + slot model: text -> n-best `Interpretation`s.

The model (trained by models/nlu/train.py) reads WordPiece tokens and returns intent logits and one
BIO slot tag per token; a word's tag is read at its first token. Intent scores are softmax
probabilities after temperature scaling fitted on held-out templates, so a score of 0.9 means
roughly "right 9 times out of 10". Slots of a hypothesis are restricted to those its intent takes.

Slot evidence: when the slot tagger's best reading does not fit an intent (Snips: "add karusellen
to jazz brasileiro" tagged with a playlist slot that only AddToPlaylist takes), the intent's score
is multiplied by exp(weight x the log-probability its best fitting reading gives up). The weight is
fitted on validation sentences at training time (`slot_evidence` in the metadata; 0 turns it off).

Tag prior: the decoder may add weight x log P(tag | previous tag), counted on the training sentences
(`tag_bigrams`), to its Viterbi scores: a first-order CRF's transitions, counted rather than learned.
The weight is fitted on validation too (`tag_prior`; 0, the default, decodes as before).

Slots are `Slot(name, value, start, end)` with `start` inclusive and `end` exclusive word indices
into `Interpretation.text` (the normalized input, see runtime/nlu/text.py).

Out of domain: the model has an `OutOfDomain` class. Callers should also treat a top score below
`NluModel.reject_threshold` as "not understood".

The labels, the calibration temperature and a fingerprint of the tokenizer's vocabulary are stored in
the ONNX file's metadata (`ambient_nlu`), with `labels.json` next to the model as the fallback (TFLite
files carry no metadata).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple, Protocol

import numpy as np

from runtime.events import Interpretation, Slot
from runtime.nlu.intents import OUT_OF_DOMAIN, REJECT_THRESHOLD
from runtime.nlu.text import MAX_WORDS, as_meant, bio_spans
from runtime.nlu.tokenizer import Encoded, encode, load_tokenizer, vocab_digest

METADATA_KEY = "ambient_nlu"
RETRAIN = "run `ambient nlu-train` or restore models/nlu/ from git"


class NluError(RuntimeError):
    """The NLU model or tokenizer cannot be used; the message names the file and what to do."""


class _Runner(Protocol):
    def __call__(self, ids: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]: ...


class OnnxRunner:
    def __init__(self, path: Path) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = 1  # a 10-token input: threads cost more than they save
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        try:
            self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception as e:  # onnxruntime raises several types for a bad file
            raise NluError(f"{path}: not a loadable ONNX model ({str(e).strip()[:200]}); {RETRAIN}") from e
        names = {i.name for i in self.session.get_inputs()}
        if names != {"input_ids", "attention_mask"}:
            raise NluError(f"{path}: not an ambient NLU model (inputs {sorted(names)}); {RETRAIN}")
        self.metadata = self.session.get_modelmeta().custom_metadata_map

    def __call__(self, ids: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        intent, tags = self.session.run(
            ["intent_logits", "slot_logits"], {"input_ids": ids, "attention_mask": mask}
        )
        return intent, tags


class _TfliteRunner:
    """A TFLite export of the same graph: inputs padded to its fixed length."""

    def __init__(self, path: Path) -> None:
        try:
            from ai_edge_litert.interpreter import Interpreter
        except ImportError:
            try:
                from tflite_runtime.interpreter import Interpreter
            except ImportError as e:
                raise NluError(
                    f"{path}: a .tflite model needs ai-edge-litert or tflite-runtime: "
                    "pip install 'ambient-edge[tflite]'"
                ) from e
        try:
            self.interpreter = Interpreter(model_path=str(path), num_threads=1)
            self.interpreter.allocate_tensors()
        except Exception as e:
            raise NluError(f"{path}: not a loadable TFLite model ({str(e).strip()[:200]}); {RETRAIN}") from e
        self.inputs = {
            d["name"].split(":")[0].split("serving_default_")[-1]: d
            for d in self.interpreter.get_input_details()
        }
        outputs = self.interpreter.get_output_details()
        # the output with one axis fewer is the intent's
        self.outputs = sorted(outputs, key=lambda d: len(d["shape"]))
        self.length = int(next(iter(self.inputs.values()))["shape"][1])
        self.metadata: dict[str, str] = {}

    def __call__(self, ids: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        n = ids.shape[1]
        pad = np.zeros((1, self.length), dtype=np.int64)
        for name, value in (("input_ids", ids), ("attention_mask", mask)):
            detail = next(d for k, d in self.inputs.items() if name in k)
            padded = pad.copy()
            padded[0, : min(n, self.length)] = value[0, : self.length]
            self.interpreter.set_tensor(detail["index"], padded.astype(detail["dtype"]))
        self.interpreter.invoke()
        intent = self.interpreter.get_tensor(self.outputs[0]["index"])
        tags = self.interpreter.get_tensor(self.outputs[1]["index"])[:, :n]
        return intent, tags


class NluModel:
    """Joint intent + slot model; `parse(text)` gives the n-best interpretations."""

    reject_threshold: float = REJECT_THRESHOLD

    def __init__(self, runner: _Runner, tokenizer: Any, meta: dict[str, Any], model_path: Path) -> None:
        self.runner = runner
        self.tokenizer = tokenizer
        self.model_path = model_path
        self.intents: list[str] = list(meta["intents"])
        self.tags: list[str] = list(meta["tags"])
        self.temperature = float(meta.get("temperature", 1.0))
        self.max_len = int(meta.get("max_len", 64))
        self.intent_slots: dict[str, set[str]] = {k: set(v) for k, v in meta.get("intent_slots", {}).items()}
        # tags of slots whose spans may directly follow each other; None (older models): any slot
        repeatable = meta.get("repeatable_slots")
        self._allowed = allowed_transitions(self.tags, None if repeatable is None else set(repeatable))
        self._start = np.array([not t.startswith("I-") for t in self.tags])
        # models/nlu/slot_evidence.py fits it; older models and 0: intents ranked by their own scores
        self.slot_evidence = float(meta.get("slot_evidence", 0.0))
        # models/nlu/tag_prior.py fits it; older models and 0: no prior
        self.use_tag_prior(meta.get("tag_bigrams"), float(meta.get("tag_prior", 0.0)))
        self._fits = [self._intent_tags(intent) for intent in self.intents]

    def use_tag_prior(self, bigrams: Sequence[Sequence[float]] | None, weight: float) -> None:
        """Decode tags with weight x log P(tag | previous tag) from `bigrams` counts (0: without)."""
        self.tag_prior = weight
        self.prior = tag_prior_scores(bigrams, weight, self._allowed, self._start)

    @classmethod
    def load(
        cls,
        model_path: str | Path,
        tokenizer_path: str | Path | None = None,
        labels_path: str | Path | None = None,
    ) -> NluModel:
        """Load an .onnx (onnxruntime) or .tflite model and its tokenizer.json (default: next to it)."""
        model_path = Path(model_path)
        tokenizer_path = Path(tokenizer_path) if tokenizer_path else model_path.parent / "tokenizer.json"
        if not model_path.is_file():
            raise NluError(f"{model_path}: NLU model not found; {RETRAIN}")
        if not tokenizer_path.is_file():
            raise NluError(f"{tokenizer_path}: NLU tokenizer not found; {RETRAIN}")
        runner: OnnxRunner | _TfliteRunner
        runner = _TfliteRunner(model_path) if model_path.suffix == ".tflite" else OnnxRunner(model_path)
        meta = _read_meta(runner.metadata.get(METADATA_KEY), model_path, labels_path)
        try:
            tokenizer = load_tokenizer(tokenizer_path)
        except Exception as e:
            raise NluError(f"{tokenizer_path}: not a valid tokenizer.json ({str(e)[:200]}); {RETRAIN}") from e
        if meta.get("vocab_digest") and vocab_digest(tokenizer) != meta["vocab_digest"]:
            raise NluError(
                f"{tokenizer_path} does not match {model_path} (different vocabulary): use the "
                "tokenizer.json written by the same training run as the model"
            )
        model = cls(runner, tokenizer, meta, model_path)
        model._check()
        return model

    def _check(self) -> None:
        """One tiny inference: catches a model whose outputs do not fit its labels before real use."""
        ids = np.asarray([[2, 1, 3]], dtype=np.int64)  # [CLS] [UNK] [SEP]
        try:
            intent, tags = self.runner(ids, np.ones_like(ids))
        except Exception as e:
            raise NluError(f"{self.model_path}: inference failed ({str(e).strip()[:200]}); {RETRAIN}") from e
        if intent.shape[-1] != len(self.intents) or tags.shape[-1] != len(self.tags):
            raise NluError(
                f"{self.model_path}: outputs {intent.shape[-1]} intents / {tags.shape[-1]} tags but its labels "
                f"name {len(self.intents)} / {len(self.tags)}; {RETRAIN}"
            )

    @classmethod
    def from_config(cls, config: Any) -> NluModel:
        """The model and tokenizer named in devices.yaml (`nlu.model`, `nlu.tokenizer`)."""
        return cls.load(config.resolve_path(config.nlu.model), config.resolve_path(config.nlu.tokenizer))

    def parse(self, text: str, n: int = 5) -> list[Interpretation]:
        """n-best interpretations of `text`, best first; [] for empty text. Long text is truncated.
        ASR slips no request means are put right first ("turn of the lights": off)."""
        return self.parse_words(as_meant(text).split()[:MAX_WORDS], n)

    def parse_words(self, words: list[str], n: int = 5) -> list[Interpretation]:
        """Like `parse` for already normalized, pre-split words (e.g. a dataset's seq.in)."""
        if not words or n <= 0:
            return []
        probs, slot_logp, enc = self.predict(words)
        free = decode_tags(slot_logp, self._allowed, self._start, self.prior) if enc.first_token else []
        paths: dict[int, list[int]] = {}
        if self.slot_evidence > 0 and free:
            probs, paths = reweigh(
                probs,
                slot_logp,
                free,
                self._fits,
                self._allowed,
                self._start,
                self.slot_evidence,
                max(n, 3),
                self.prior,
            )
        text = " ".join(enc.words)
        found = bio_spans([self.tags[t] for t in free], enc.words)
        out = []
        for i in np.argsort(-probs, kind="stable")[:n]:
            intent = self.intents[int(i)]
            allowed = self.intent_slots.get(intent)
            path = paths.get(int(i))
            spans = found if path is None else bio_spans([self.tags[t] for t in path], enc.words)
            slots = [
                Slot(name, value, start, end)
                for name, value, start, end in spans
                if intent != OUT_OF_DOMAIN and (allowed is None or name in allowed)
            ]
            out.append(Interpretation(intent, float(probs[i]), slots, text))
        return out

    def predict(self, words: list[str]) -> tuple[np.ndarray, np.ndarray, Encoded]:
        """Calibrated intent probabilities, [words, tags] slot log-probabilities, and the encoding."""
        enc = encode(self.tokenizer, words, self.max_len)
        ids = np.asarray([enc.ids], dtype=np.int64)
        intent_logits, slot_logits = self.runner(ids, np.ones_like(ids))
        z = intent_logits[0].astype(np.float64) / self.temperature
        probs = np.exp(z - z.max())
        probs /= probs.sum()
        s = slot_logits[0][enc.first_token].astype(np.float64)  # a word's tag is read at its first token
        s -= s.max(-1, keepdims=True)
        return probs, s - np.log(np.exp(s).sum(-1, keepdims=True)), enc

    def _intent_tags(self, intent: str) -> np.ndarray:
        """Which tags a reading for `intent` may use: O and the tags of its slots."""
        allowed = self.intent_slots.get(intent)
        if intent == OUT_OF_DOMAIN:
            allowed = set()
        return np.array([t == "O" or allowed is None or t[2:] in allowed for t in self.tags])


def reweigh(
    probs: np.ndarray,
    slot_logp: np.ndarray,
    free: list[int],
    fits: list[np.ndarray],
    allowed: np.ndarray,
    start: np.ndarray,
    weight: float,
    top: int = 3,
    prior: TagPrior | None = None,
) -> tuple[np.ndarray, dict[int, list[int]]]:
    """Intent probabilities re-weighed by the slot tagger: each of the `top` most probable intents
    gets its best tag path using only its tags (`fits[i]`), and its probability is multiplied by
    exp(weight * (that path's log-probability - the free best path's)). The re-weighed ones are
    rescaled to their former total, so intents below them keep their probabilities. Returns the new
    probabilities and each re-weighed intent's path. With a `prior`, paths are decoded and scored
    with it (the free path is then the best of tagger + prior, so no intent's gap is above 0)."""
    free_score = path_score(slot_logp, free, prior)
    candidates = np.argsort(-probs, kind="stable")[:top]
    paths: dict[int, list[int]] = {}
    scaled = probs.copy()
    for i in candidates:
        fit = fits[int(i)]
        if fit[free].all():
            path = free  # the free reading fits this intent: nothing given up
        else:
            path = decode_tags(np.where(fit, slot_logp, -1e9), allowed, start, prior)
        paths[int(i)] = path
        gap = path_score(slot_logp, path, prior) - free_score
        scaled[i] = probs[i] * np.exp(weight * gap)
    scaled[candidates] *= probs[candidates].sum() / max(scaled[candidates].sum(), 1e-300)
    return scaled, paths


def path_score(slot_logp: np.ndarray, path: list[int], prior: TagPrior | None = None) -> float:
    """The tagger's log-probability of a tag path, plus the prior's scores for it when given."""
    score = float(slot_logp[np.arange(len(path)), path].sum())
    if prior is not None and path:
        score += float(prior.start[path[0]] + prior.transitions[path[:-1], path[1:]].sum())
    return score


class TagPrior(NamedTuple):
    """Weighted log-probabilities the decoder adds: of each tag starting a sentence, and of each
    [previous, next] tag pair; `spread`, how much any one of those can differ between two sequences
    the decoder may emit (the largest minus the smallest allowed score)."""

    start: np.ndarray
    transitions: np.ndarray
    spread: float


def tag_prior_scores(
    bigrams: Sequence[Sequence[float]] | None, weight: float, allowed: np.ndarray, start: np.ndarray
) -> TagPrior | None:
    """The prior from `tag_bigrams` counts ([1 + tags, tags]: row 0 sentence starts, row 1 + i the
    tags following tag i), add-one smoothed, times `weight`; None when off or absent. `allowed` and
    `start` are the decoder's rules (see `decode_tags`)."""
    if weight <= 0 or not bigrams:
        return None
    n_tags = len(start)
    try:
        counts = np.asarray(bigrams, dtype=np.float64) + 1.0
    except (TypeError, ValueError) as e:
        raise NluError(f"tag_bigrams is not a table of counts ({str(e)[:100]}); {RETRAIN}") from e
    if counts.shape != (n_tags + 1, n_tags):
        raise NluError(
            f"tag_bigrams is {counts.shape[0]} x {counts.shape[1]}, not {n_tags + 1} x {n_tags}; {RETRAIN}"
        )
    logp = weight * np.log(counts / counts.sum(-1, keepdims=True))
    starts, steps = logp[0][start], logp[1:][allowed]
    spread = max(np.ptp(starts) if starts.size else 0.0, np.ptp(steps) if steps.size else 0.0)
    return TagPrior(logp[0], logp[1:], float(spread))


def decode_tags(
    logits: np.ndarray, allowed: np.ndarray, start: np.ndarray, prior: TagPrior | None = None
) -> list[int]:
    """Best tag sequence for [words, tags] logits in which every step is `allowed` [previous, next]
    and the first tag may `start` (e.g. every I-X follows B-X or I-X): Viterbi over log-probabilities,
    plus the `prior`'s scores when given.

    Per-word argmax can emit a stray I- tag, which would make a spurious extra slot."""
    greedy = logits.argmax(-1)
    # the unconstrained best is allowed, so it is the constrained best too (most sentences); with a
    # prior, when every word's best tag leads its runner-up by 2 x the prior's spread: changing k
    # words loses at least that much tagger score on each, and touches at most 2k prior scores (the
    # steps in and out), which gain at most the spread each
    allowed_greedy = start[greedy[0]] and allowed[greedy[:-1], greedy[1:]].all()
    if allowed_greedy and (prior is None or _margins(logits).min() >= 2 * prior.spread):
        return [int(t) for t in greedy]
    z = logits.astype(np.float64)
    logp = z - z.max(-1, keepdims=True)
    logp -= np.log(np.exp(logp).sum(-1, keepdims=True))
    blocked = np.where(allowed, 0.0, -1e9)
    score = logp[0] + np.where(start, 0.0, -1e9)
    if prior is not None:
        blocked = blocked + prior.transitions
        score = score + prior.start
    back = []
    for t in range(1, len(logp)):
        total = score[:, None] + blocked  # previous x next
        back.append(total.argmax(0))
        score = total.max(0) + logp[t]
    best = [int(score.argmax())]
    for pointers in reversed(back):
        best.append(int(pointers[best[-1]]))
    return best[::-1]


def _margins(logits: np.ndarray) -> np.ndarray:
    """Per word, how far its best tag's score leads the second best's (log-probabilities differ by
    as much as the logits do)."""
    if logits.shape[-1] < 2:
        return np.full(len(logits), np.inf)
    top2 = np.partition(logits, -2, axis=-1)[:, -2:]
    return top2[:, 1] - top2[:, 0]


def allowed_transitions(tags: list[str], repeatable: set[str] | None = None) -> np.ndarray:
    """[previous, next] tag pairs the decoder may emit: I-X only after B-X or I-X; and, for slots not
    in `repeatable` (None: every slot), no B-X right after B-X or I-X.

    Training sentences almost never put two spans of one slot side by side ("air purifier" is one
    name, not two), so a B-name after a name is a split span, not a second device."""

    def ok(prev: str, nxt: str) -> bool:
        if nxt.startswith("I-"):
            return prev[2:] == nxt[2:] and prev != "O"
        if nxt.startswith("B-") and prev != "O" and prev[2:] == nxt[2:]:
            return repeatable is None or nxt[2:] in repeatable
        return True

    return np.array([[ok(p, n) for n in tags] for p in tags])


def _read_meta(embedded: str | None, model_path: Path, labels_path: str | Path | None) -> dict[str, Any]:
    source = Path(labels_path) if labels_path else model_path.parent / "labels.json"
    try:
        if embedded and not labels_path:
            meta = json.loads(embedded)
        elif source.is_file():
            meta = json.loads(source.read_text())
        else:
            raise NluError(
                f"{model_path}: has no labels (no '{METADATA_KEY}' metadata, no {source}); {RETRAIN}"
            )
        if not isinstance(meta, dict) or not meta.get("intents") or not meta.get("tags"):
            raise ValueError("intents/tags missing")
    except (ValueError, TypeError) as e:
        raise NluError(f"{labels_path or model_path}: unreadable NLU labels ({e}); {RETRAIN}") from e
    return meta
