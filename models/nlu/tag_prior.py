"""Count tag bigrams on the training sentences and fit the decoder's tag-prior weight on validation.

The slot head tags each word from the whole sentence, but its loss scores every word on its own; the
decoder only forbids impossible pairs (an I-X after O). How often one tag follows another in the
training sentences is cheap to count, and the decoder can add weight x log P(tag | previous tag) to
its Viterbi scores (runtime/nlu/model.py `tag_prior_scores`): a first-order CRF's transitions, counted
rather than learned. Whether that helps is the data's call, so the weight is chosen like the
slot-evidence weight: on validation, with the int8 model as the runtime serves it, highest intent
accuracy first, then full frame, then slot F1, the smaller weight on a tie (0 switches it off).

`python -m models.nlu.tag_prior MODEL_DIR [--data DATA_DIR]` fits an already trained model.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from models.nlu.data import Example

WEIGHTS = (0.0, 0.1, 0.3, 0.5, 1.0)
FITTED = ("tag_bigrams", "tag_prior", "tag_prior_valid")  # the metadata keys a fit writes


def tag_bigrams(examples: Sequence[Example], tags: Sequence[str]) -> list[list[int]]:
    """[1 + len(tags), len(tags)] counts: row 0, how often each tag starts a sentence; row 1 + i,
    how often each tag follows tags[i]. Tags the model does not have are left out."""
    index = {t: i for i, t in enumerate(tags)}
    counts = [[0] * len(tags) for _ in range(len(tags) + 1)]
    for ex in examples:
        ids = [index.get(t) for t in ex.tags]
        for prev, tag in zip([-1, *ids], ids, strict=False):
            if prev is not None and tag is not None:
                counts[prev + 1][tag] += 1
    return counts


def fit_tag_prior(
    model_dir: Path,
    train_set: Sequence[Example],
    valid_set: list[Example],
    weights: tuple[float, ...] = WEIGHTS,
) -> float:
    """Count `train_set`'s tag bigrams, choose the weight on `valid_set`, and write both (with each
    weight's validation intent / frame / slot F1) into `model_dir`'s labels.json and its ONNX files'
    metadata. Returns the weight."""
    from models.nlu.evaluate import evaluate, model_predictor
    from models.nlu.slot_evidence import served_model, write_meta

    model = served_model(model_dir)
    bigrams = tag_bigrams(train_set, model.tags)
    scores: dict[str, list[float]] = {}
    best: tuple[float, float, float, float] | None = None
    for weight in weights:
        model.use_tag_prior(bigrams, weight)
        r = evaluate(model_predictor(model), valid_set)
        scores[str(weight)] = [round(r.intent_acc, 4), round(r.frame_acc, 4), round(r.slot_f1, 4)]
        key = (r.intent_acc, r.frame_acc, r.slot_f1, -weight)
        if best is None or key > best:
            best = key
    chosen = -best[3] if best else 0.0
    write_meta(model_dir, {"tag_bigrams": bigrams, "tag_prior": chosen, "tag_prior_valid": scores})  # FITTED
    return chosen


def main(argv: list[str] | None = None) -> int:
    from models.nlu.slot_evidence import fit_arguments

    model_dir, train_set, valid_set = fit_arguments(__doc__.splitlines()[0], argv)
    weight = fit_tag_prior(model_dir, train_set, valid_set)
    valid = json.loads((model_dir / "labels.json").read_text())["tag_prior_valid"]
    print(json.dumps({"tag_prior": weight, "valid": valid}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
