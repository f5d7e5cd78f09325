"""Fit the slot-evidence weight of a trained model on its validation sentences.

The runtime re-weighs each top intent by how much slot-tagging log-probability its own slots give up
(runtime/nlu/model.py `reweigh`). How far to trust the tagger is a property of the data: on Snips,
where each intent has slots of its own (a playlist, a restaurant's party size), the tagger often knows
the intent better than the intent head; in the home templates most intents share `name` and `area`
and the tagger adds little. So the weight is chosen like the temperature: on validation, with the
int8 model as the runtime serves it, highest intent accuracy first, then full frame, the smaller
weight on a tie (0 switches it off).

`python -m models.nlu.slot_evidence MODEL_DIR [--data DATA_DIR]` fits an already trained model.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from models.nlu.data import Example

if TYPE_CHECKING:
    from runtime.nlu.model import NluModel

WEIGHTS = (0.0, 0.3, 1.0, 3.0)
FITTED = ("slot_evidence", "slot_evidence_valid")  # the metadata keys a fit writes


def fit_slot_evidence(
    model_dir: Path, valid_set: list[Example], weights: tuple[float, ...] = WEIGHTS
) -> float:
    """Choose the weight on `valid_set` and write it (with each weight's validation intent / frame
    accuracy) into `model_dir`'s labels.json and its ONNX files' metadata. Returns the weight."""
    from models.nlu.evaluate import evaluate, model_predictor

    model = served_model(model_dir)
    scores: dict[str, list[float]] = {}
    best: tuple[float, float, float] | None = None
    for weight in weights:
        model.slot_evidence = weight
        r = evaluate(model_predictor(model), valid_set)
        scores[str(weight)] = [round(r.intent_acc, 4), round(r.frame_acc, 4)]
        key = (r.intent_acc, r.frame_acc, -weight)
        if best is None or key > best:
            best = key
    chosen = -best[2] if best else 0.0
    write_meta(model_dir, {"slot_evidence": chosen, "slot_evidence_valid": scores})  # FITTED
    return chosen


def served_model(model_dir: Path) -> NluModel:
    """The model in `model_dir` as the runtime serves it: int8 (fp32 when not quantized)."""
    from runtime.nlu.model import NluModel

    served = model_dir / "nlu.int8.onnx"
    if not served.is_file():
        served = model_dir / "nlu.fp32.onnx"
    return NluModel.load(served, model_dir / "tokenizer.json")


def write_meta(model_dir: Path, update: dict[str, Any]) -> None:
    """Add `update` to the metadata in labels.json and in each ONNX file of `model_dir`."""
    import onnx

    from models.nlu.export import set_metadata
    from runtime.nlu.model import METADATA_KEY

    labels = model_dir / "labels.json"
    labels.write_text(json.dumps({**json.loads(labels.read_text()), **update}, indent=1) + "\n")
    for path in (model_dir / "nlu.fp32.onnx", model_dir / "nlu.int8.onnx"):
        if path.is_file():
            props = {p.key: p.value for p in onnx.load(str(path), load_external_data=False).metadata_props}
            set_metadata(path, {**json.loads(props.get(METADATA_KEY, "{}")), **update})


def fit_arguments(description: str, argv: list[str] | None) -> tuple[Path, list[Example], list[Example]]:
    """A fitting command's MODEL_DIR [--data DATA_DIR]: the directory and the train and validation
    sentences it was trained on (its own seed's split)."""
    from models.nlu.train import training_data

    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("model_dir", type=Path)
    ap.add_argument("--data", type=Path, help="the dataset it was trained on (default: our templates)")
    args = ap.parse_args(argv)
    meta = json.loads((args.model_dir / "labels.json").read_text())
    stored = meta["train_config"]
    train_set, valid_set, _ = training_data(
        args.data,
        None,
        int(stored.get("seed", 0)),
        hold_out_test=stored.get("hold_out_test", True),
        hold_out_valid=stored.get("hold_out_valid", True),
    )
    return args.model_dir, train_set, valid_set


def main(argv: list[str] | None = None) -> int:
    model_dir, _, valid_set = fit_arguments(__doc__.splitlines()[0], argv)
    weight = fit_slot_evidence(model_dir, valid_set)
    valid = json.loads((model_dir / "labels.json").read_text())["slot_evidence_valid"]
    print(json.dumps({"slot_evidence": weight, "valid": valid}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
