"""Small ONNX models built in code: for the tests, the benchmark, and trying the toolchain offline.

- `classifier`: a two-layer MLP whose classes are well separated, like a trained model's.
- `attention_classifier`: one self-attention layer over token embeddings with an additive padding
  mask. With `mask_value=-1e4` (the classic BERT constant) the masked scores stretch the int8 range of
  the attention logits so far that real scores collapse to one level; with -20 they quantize fine.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto
from onnx import helper as h
from onnx import numpy_helper as nh

OPSET = 17


def _save(graph: onnx.GraphProto, path: Path) -> Path:
    model = h.make_model(graph, opset_imports=[h.make_opsetid("", OPSET)])
    model.ir_version = 9  # readable by every onnxruntime >= 1.17
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path


def classifier(path: Path, features: int = 32, hidden: int = 64, classes: int = 8, seed: int = 0) -> Path:
    """x [batch, features] -> logits [batch, classes]; returns the path."""
    rng = np.random.default_rng(seed)
    protos = rng.normal(size=(classes, features)).astype(np.float32)
    w1 = rng.normal(0, 1 / np.sqrt(features), (features, hidden)).astype(np.float32)
    w1[:, :classes] = protos.T  # the first hidden units respond to one class prototype each
    b1 = np.zeros(hidden, np.float32)
    w2 = np.zeros((hidden, classes), np.float32)
    w2[:classes] = np.eye(classes) * 2.0
    w2 += rng.normal(0, 0.05, w2.shape).astype(np.float32)
    b2 = np.zeros(classes, np.float32)
    nodes = [
        h.make_node("MatMul", ["x", "w1"], ["h1"], name="fc1"),
        h.make_node("Add", ["h1", "b1"], ["h2"], name="fc1_bias"),
        h.make_node("Relu", ["h2"], ["h3"], name="relu"),
        h.make_node("MatMul", ["h3", "w2"], ["o1"], name="fc2"),
        h.make_node("Add", ["o1", "b2"], ["logits"], name="fc2_bias"),
    ]
    graph = h.make_graph(
        nodes,
        "classifier",
        [h.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", features])],
        [h.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", classes])],
        [nh.from_array(a, n) for a, n in ((w1, "w1"), (b1, "b1"), (w2, "w2"), (b2, "b2"))],
    )
    np.save(path.with_suffix(".protos.npy"), protos)
    return _save(graph, path)


def classifier_data(path: Path, n: int, seed: int = 1, noise: float = 0.3) -> dict[str, np.ndarray]:
    """Samples near the classifier's prototypes, with their labels."""
    protos = np.load(path.with_suffix(".protos.npy"))
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, len(protos), n)
    x = protos[labels] + rng.normal(0, noise, (n, protos.shape[1]))
    return {"x": x.astype(np.float32), "labels": labels.astype(np.int64)}


def attention_classifier(
    path: Path,
    mask_value: float = -1e4,
    vocab: int = 48,
    seq: int = 12,
    classes: int = 6,
    sharpness: float = 6.0,
    seed: int = 0,
) -> Path:
    """input_ids, attention_mask [batch, seq] -> logits [batch, classes], classified from token 0.

    Like a trained intent model, it attends to the one keyword of a sentence and reads its class:
    embeddings are [class one-hot, keyword flag, constant 1]; token 0's query matches the keyword flag
    with weight `sharpness`, values carry the class. Ids 1..2*classes are keywords, the rest fillers
    of random classes, so a model that stops attending sharply (the -1e4 trap) votes by the fillers.
    """
    rng = np.random.default_rng(seed)
    f32 = np.float32
    dim = classes + 2
    emb = np.zeros((vocab, dim), f32)
    for t in range(1, vocab):
        emb[t, t % classes] = 1.0
        emb[t, classes] = 1.0 if t <= 2 * classes else 0.0
        emb[t, classes + 1] = 1.0
    emb += rng.normal(0, 0.02, emb.shape).astype(f32)  # no exact zeros, as in a trained table
    wq = np.zeros((dim, dim), f32)
    wq[classes + 1, classes] = sharpness  # every query asks "are you the keyword?"
    wk = np.zeros((dim, dim), f32)
    wk[classes, classes] = 1.0
    wv = np.zeros((dim, dim), f32)
    wv[:classes, :classes] = np.eye(classes) * 4.0
    wc = np.zeros((dim, classes), f32)
    wc[:classes] = np.eye(classes)
    wq, wk, wv, wc = (w + rng.normal(0, 0.02, w.shape).astype(f32) for w in (wq, wk, wv, wc))
    consts: dict[str, np.ndarray] = {
        "emb": emb,
        "wq": wq,
        "wk": wk,
        "wv": wv,
        "wc": wc,
        "one": np.array(1.0, f32),
        "mask_value": np.array(mask_value, f32),
        "axes1": np.array([1], np.int64),
        "first": np.array([0], np.int64),
        "second": np.array([1], np.int64),
    }
    nodes = [
        h.make_node("Gather", ["emb", "input_ids"], ["x"], name="embed"),
        h.make_node("MatMul", ["x", "wq"], ["q"], name="query"),
        h.make_node("MatMul", ["x", "wk"], ["k"], name="key"),
        h.make_node("MatMul", ["x", "wv"], ["v"], name="value"),
        h.make_node("Transpose", ["k"], ["kt"], perm=[0, 2, 1], name="key_t"),
        h.make_node("MatMul", ["q", "kt"], ["scores"], name="scores"),
        h.make_node("Cast", ["attention_mask"], ["maskf"], to=TensorProto.FLOAT, name="mask_cast"),
        h.make_node("Sub", ["one", "maskf"], ["pad"], name="mask_invert"),
        h.make_node("Mul", ["pad", "mask_value"], ["bias"], name="mask_scale"),
        h.make_node("Unsqueeze", ["bias", "axes1"], ["bias3"], name="mask_unsqueeze"),
        h.make_node("Add", ["scores", "bias3"], ["masked"], name="mask_add"),
        h.make_node("Softmax", ["masked"], ["attn"], axis=-1, name="softmax"),
        h.make_node("MatMul", ["attn", "v"], ["ctx"], name="context"),
        h.make_node("Slice", ["ctx", "first", "second", "axes1"], ["cls3"], name="cls_slice"),
        h.make_node("Squeeze", ["cls3", "axes1"], ["cls"], name="cls_squeeze"),
        h.make_node("MatMul", ["cls", "wc"], ["logits"], name="classify"),
    ]
    graph = h.make_graph(
        nodes,
        "attention_classifier",
        [
            h.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", seq]),
            h.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", seq]),
        ],
        [h.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", classes])],
        [nh.from_array(a, n) for n, a in consts.items()],
    )
    return _save(graph, path)


def token_data(
    n: int, vocab: int = 48, seq: int = 12, classes: int = 6, seed: int = 1
) -> dict[str, np.ndarray]:
    """Sentences of 3..seq tokens with one keyword each, right-padded with id 0, labelled by the keyword."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(3, seq + 1, n)
    ids = rng.integers(2 * classes + 1, vocab, (n, seq))
    keyword = rng.integers(1, 2 * classes + 1, n)
    position = (rng.random(n) * lengths).astype(int)
    ids[np.arange(n), position] = keyword
    mask = (np.arange(seq)[None, :] < lengths[:, None]).astype(np.int64)
    labels = (keyword % classes).astype(np.int64)
    return {"input_ids": (ids * mask).astype(np.int64), "attention_mask": mask, "labels": labels}
