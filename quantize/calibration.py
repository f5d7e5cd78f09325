"""Calibration and evaluation data: an .npz named after the model's inputs, or sentences for the NLU.

Every check happens here, before any quantizer runs, so a wrong file fails fast with a message that
names the input, the expected shape/dtype and what the file holds.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx
from onnxruntime.quantization import CalibrationDataReader
from tqdm import tqdm

from quantize.errors import QuantizeError

LABELS_KEY = "labels"  # an .npz may carry task labels (class index per sample) under this name


@dataclass(frozen=True)
class InputSpec:
    name: str
    dtype: np.dtype
    shape: tuple[int | None, ...]  # None where the model leaves the dimension dynamic


@dataclass
class Dataset:
    """Samples stacked on the first axis per input, plus optional labels (class index per sample)."""

    arrays: dict[str, np.ndarray]
    labels: np.ndarray | None = None
    source: str = ""
    # tokens per sample when sentences were padded only to stack them: `feed` cuts the padding off
    # again, so a model with a dynamic sequence axis sees exactly what the NLU runtime feeds it
    lengths: np.ndarray | None = None

    def __len__(self) -> int:
        return len(next(iter(self.arrays.values())))

    def take(self, index: slice | np.ndarray) -> Dataset:
        labels = None if self.labels is None else self.labels[index]
        lengths = None if self.lengths is None else self.lengths[index]
        return Dataset({k: v[index] for k, v in self.arrays.items()}, labels, self.source, lengths)


def model_inputs(model: onnx.ModelProto) -> list[InputSpec]:
    """The graph inputs a caller must feed (initializers listed as inputs are not)."""
    initializers = {i.name for i in model.graph.initializer}
    specs = []
    for value in model.graph.input:
        if value.name in initializers:
            continue
        tensor = value.type.tensor_type
        if not value.type.HasField("tensor_type"):
            raise QuantizeError(f"input {value.name!r} is not a tensor; only tensor inputs can be quantized")
        dtype = np.dtype(onnx.helper.tensor_dtype_to_np_dtype(tensor.elem_type))
        dims = tuple(d.dim_value if d.HasField("dim_value") else None for d in tensor.shape.dim)
        specs.append(InputSpec(value.name, dtype, dims))
    return specs


def feed(spec: list[InputSpec], data: Dataset, i: int, trim: bool = True) -> dict[str, np.ndarray]:
    """Sample `i` shaped for one model call (batch of one where the model has a batch axis).

    `trim=False` keeps sentences padded to one length (with their attention mask), which histogram
    calibrators need: they stack every sample's activations into one array.
    """
    out = {}
    for s in spec:
        arr = data.arrays[s.name]
        x = arr[i : i + 1] if arr.ndim == len(s.shape) else arr[i]
        if trim and data.lengths is not None and s.shape and s.shape[-1] is None:
            x = x[..., : data.lengths[i]]
        out[s.name] = x
    return out


def _compatible(want: np.dtype, have: np.dtype) -> bool:
    # float64 -> float32 and int32 -> int64 are harmless; int ids fed as floats (or the reverse) are not
    if want.kind == "f":
        return have.kind == "f"
    if want.kind in "iu":
        return have.kind in "iu"
    if want.kind == "b":
        return have.kind in "biu"
    return want == have


def validate(spec: list[InputSpec], arrays: dict[str, np.ndarray], source: str) -> dict[str, np.ndarray]:
    """Check names, dtypes, shapes and sample counts; return arrays cast to the model's dtypes."""
    names = [s.name for s in spec]
    missing = [n for n in names if n not in arrays]
    if missing:
        raise QuantizeError(
            f"{source}: no array for model input(s) {missing}; the model's inputs are {names}, "
            f"the file holds {sorted(arrays)} (name each array after the input it feeds)"
        )
    counts = set()
    out = {}
    for s in spec:
        arr = np.asarray(arrays[s.name])
        if arr.dtype == object or not _compatible(s.dtype, arr.dtype):
            raise QuantizeError(
                f"{source}: array {s.name!r} has dtype {arr.dtype}, the model wants {s.dtype}"
            )
        if arr.ndim == len(s.shape) + 1:
            per_sample, model_dims = arr.shape[1:], s.shape
        elif arr.ndim == len(s.shape) and len(s.shape) >= 1:
            per_sample, model_dims = arr.shape[1:], s.shape[1:]  # stacked along the model's batch axis
        else:
            raise QuantizeError(
                f"{source}: array {s.name!r} has shape {arr.shape}; the model input is {_fmt(s.shape)}, so "
                f"samples must be stacked as (N, {', '.join(_fmt_dim(d) for d in s.shape)})"
            )
        for have, want in zip(per_sample, model_dims, strict=True):
            if want is not None and have != want:
                raise QuantizeError(
                    f"{source}: array {s.name!r} has per-sample shape {tuple(per_sample)}, "
                    f"the model input is {_fmt(s.shape)}"
                )
        counts.add(arr.shape[0])
        out[s.name] = arr.astype(s.dtype, copy=False)
    if len(counts) != 1:
        raise QuantizeError(f"{source}: arrays hold different numbers of samples: {sorted(counts)}")
    if counts.pop() == 0:
        raise QuantizeError(f"{source}: no samples (the arrays are empty)")
    return out


def _fmt_dim(d: int | None) -> str:
    return "?" if d is None else str(d)


def _fmt(shape: tuple[int | None, ...]) -> str:
    return "(" + ", ".join(_fmt_dim(d) for d in shape) + ")"


def load_npz(path: Path, spec: list[InputSpec]) -> Dataset:
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    except (OSError, ValueError) as e:
        raise QuantizeError(f"{path}: not a readable .npz file ({e})") from e
    labels = arrays.pop(LABELS_KEY, None) if LABELS_KEY not in {s.name for s in spec} else None
    data = Dataset(validate(spec, arrays, str(path)), None, str(path))
    if labels is not None:
        if labels.ndim != 1 or len(labels) != len(data) or labels.dtype.kind not in "iu":
            raise QuantizeError(f"{path}: '{LABELS_KEY}' must be one integer class per sample")
        data.labels = labels.astype(np.int64)
    return data


def nlu_meta(model_path: Path) -> dict:
    """The NLU model's labels/max_len: its `ambient_nlu` ONNX metadata, else labels.json next to it."""
    if model_path.suffix == ".onnx":
        model = onnx.load(str(model_path), load_external_data=False)
        for prop in model.metadata_props:
            if prop.key == "ambient_nlu":
                meta = json.loads(prop.value)
                return meta if isinstance(meta, dict) else {}
    path = model_path.parent / "labels.json"
    if path.exists():
        raw = json.loads(path.read_text())
        return raw if isinstance(raw, dict) else {"intents": raw}
    return {}


def load_sentences(path: Path, spec: list[InputSpec], tokenizer: Path, meta: dict) -> Dataset:
    """One sentence per line (optionally `sentence<TAB>intent`), tokenized exactly as the NLU runtime does."""
    from runtime.nlu.text import MAX_WORDS, normalize
    from runtime.nlu.tokenizer import encode, load_tokenizer

    if not tokenizer.exists():
        raise QuantizeError(
            f"{path} is text, which needs the model's tokenizer: {tokenizer} does not exist "
            "(put tokenizer.json next to the model or pass --tokenizer)"
        )
    lines = path.read_text(encoding="utf-8").splitlines()
    rows = [ln.split("\t") for ln in lines if ln.strip()]
    if not rows:
        raise QuantizeError(f"{path}: no sentences (the file is empty)")
    names = {s.name: s for s in spec}
    if "input_ids" not in names:
        raise QuantizeError(
            f"{path} is text, but the model has no 'input_ids' input (its inputs: {list(names)}); "
            "give an .npz named after the inputs instead"
        )
    try:
        tok = load_tokenizer(tokenizer)
        encoded = [
            encode(tok, normalize(r[0]).split()[:MAX_WORDS], int(meta.get("max_len", 64))).ids for r in rows
        ]
    except Exception as e:  # a broken tokenizer.json or one without the special tokens
        raise QuantizeError(f"{tokenizer}: cannot tokenize with it ({e})") from e
    fixed = names["input_ids"].shape[-1]
    seq = fixed or max(len(e) for e in encoded)
    ids = np.zeros((len(rows), seq), dtype=np.int64)  # [PAD] is id 0 in tokenizers written by nlu-train
    mask = np.zeros((len(rows), seq), dtype=np.int64)
    for i, sentence in enumerate(encoded):
        kept = sentence[:seq]
        ids[i, : len(kept)] = kept
        mask[i, : len(kept)] = 1
    arrays = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
    lengths = None if fixed else mask.sum(axis=1)
    data = Dataset(
        validate(spec, {k: v for k, v in arrays.items() if k in names}, str(path)), None, str(path), lengths
    )
    if all(len(r) > 1 for r in rows):
        intents = meta.get("intents")
        if not intents:
            raise QuantizeError(
                f"{path} has intent labels but the model has no intent names (metadata or labels.json)"
            )
        unknown = sorted({r[1].strip() for r in rows} - set(intents))
        if unknown:
            raise QuantizeError(f"{path}: intents {unknown} are not among the model's intents")
        data.labels = np.array([intents.index(r[1].strip()) for r in rows], dtype=np.int64)
    return data


def load_dataset(
    path: Path, spec: list[InputSpec], model_path: Path, tokenizer: Path | None = None
) -> Dataset:
    """An .npz or a text file, validated against the model's inputs."""
    path = Path(path)
    if not path.exists():
        raise QuantizeError(f"calibration/eval data {path} does not exist")
    if path.suffix == ".npz":
        return load_npz(path, spec)
    tokenizer = tokenizer or model_path.parent / "tokenizer.json"
    return load_sentences(path, spec, tokenizer, nlu_meta(model_path))


class StreamingReader(CalibrationDataReader):
    """Feeds calibration samples one at a time (memory stays flat), with a tqdm progress bar."""

    def __init__(
        self, spec: list[InputSpec], data: Dataset, desc: str = "calibrating", trim: bool = True
    ) -> None:
        self.spec = spec
        self.data = data
        self.desc = desc
        self.trim = trim
        self._it: Iterator[dict[str, np.ndarray]] | None = None

    def _samples(self) -> Iterator[dict[str, np.ndarray]]:
        for i in tqdm(range(len(self.data)), desc=self.desc, unit="sample", leave=False):
            yield feed(self.spec, self.data, i, self.trim)

    def get_next(self) -> dict[str, np.ndarray] | None:
        if self._it is None:
            self._it = self._samples()
        return next(self._it, None)

    def rewind(self) -> None:
        self._it = None
