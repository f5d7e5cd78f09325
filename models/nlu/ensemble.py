"""Ensembles: several trained NLU models merged into one ONNX graph that averages their logits.

Members are trained alike with different `member` seeds (TrainConfig.member, FinetuneConfig.member)
on the same sentences and with the same tokenizer, so they read the same token ids and share label
sets. Members that err on different sentences outvote each other.

The merged graph keeps the runtime's interface (input_ids, attention_mask -> intent_logits,
slot_logits), so `NluModel` serves it unchanged. Its temperature is fitted again on the
validation set (averaged logits are less peaked than a member's), then it is quantized like a
single model.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch

OUTPUTS = ("intent_logits", "slot_logits")


class OnnxModule:
    """An ONNX file behind train.py's model call (torch tensors in, torch logits out), run by the
    runtime's own runner."""

    def __init__(self, path: Path) -> None:
        from runtime.nlu.model import OnnxRunner

        self.runner = OnnxRunner(path)

    def eval(self) -> OnnxModule:
        return self

    def __call__(self, ids: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        il, sl = self.runner(ids.numpy(), mask.numpy())
        return torch.from_numpy(il), torch.from_numpy(sl)


def merge_onnx(members: list[Path], out: Path) -> Path:
    """One fp32 graph running every member on the same inputs and averaging their two outputs."""
    import onnx
    from onnx import helper

    if len(members) < 2:
        raise ValueError("an ensemble needs at least two members")
    models = [onnx.load(str(p)) for p in members]
    first = models[0].graph
    inputs = {i.name for i in first.input}
    nodes, initializers = [], []
    for k, model in enumerate(models):
        if {i.name for i in model.graph.input} != inputs:
            raise ValueError(f"{members[k]}: inputs differ from {members[0]}'s")

        def rename(name: str, k: int = k) -> str:
            return name if name in inputs or not name else f"m{k}/{name}"

        for init in model.graph.initializer:
            init.name = rename(init.name)
            initializers.append(init)
        for node in model.graph.node:
            node.name = rename(node.name)
            node.input[:] = [rename(n) for n in node.input]
            node.output[:] = [rename(n) for n in node.output]
            nodes.append(node)
    scale = helper.make_tensor("ensemble/scale", onnx.TensorProto.FLOAT, [], [1.0 / len(models)])
    initializers.append(scale)
    for name in OUTPUTS:
        nodes.append(helper.make_node("Sum", [f"m{k}/{name}" for k in range(len(models))], [f"{name}/sum"]))
        nodes.append(helper.make_node("Mul", [f"{name}/sum", "ensemble/scale"], [name]))
    graph = helper.make_graph(
        nodes, "ensemble", list(first.input), list(first.output), initializer=initializers
    )
    merged = helper.make_model(graph, opset_imports=list(models[0].opset_import))
    merged.ir_version = models[0].ir_version
    onnx.checker.check_model(merged)
    onnx.save(merged, str(out))
    return out


def build_ensemble(
    member_dirs: list[Path], out_dir: Path, valid_set: list[Any], quantize: bool = True
) -> dict[str, Any]:
    """Merge trained model directories (nlu.fp32.onnx, labels.json, tokenizer.json each) into
    `out_dir`: nlu.fp32.onnx, nlu.int8.onnx, tokenizer.json and labels.json, with the temperature and
    validation scores of the ensemble. Returns the metadata."""
    from tokenizers import Tokenizer

    from models.nlu.export import quantize_int8, set_metadata
    from models.nlu.train import _encode_all, _predict, _scored, fit_temperature
    from runtime.nlu.tokenizer import PAD, special_id

    metas = [json.loads((d / "labels.json").read_text()) for d in member_dirs]
    for d, m in zip(member_dirs[1:], metas[1:], strict=True):
        for key in ("vocab_digest", "intents", "tags", "max_len"):
            if m[key] != metas[0][key]:
                raise ValueError(
                    f"{d}: its {key} differs from {member_dirs[0]}'s: not members of one ensemble"
                )
    out_dir.mkdir(parents=True, exist_ok=True)
    fp32 = merge_onnx([d / "nlu.fp32.onnx" for d in member_dirs], out_dir / "nlu.fp32.onnx")
    tok = Tokenizer.from_file(str(member_dirs[0] / "tokenizer.json"))
    tok.save(str(out_dir / "tokenizer.json"))

    meta = dict(metas[0])
    intents = {n: i for i, n in enumerate(meta["intents"])}
    tags = {n: i for i, n in enumerate(meta["tags"])}
    valid = _encode_all(valid_set, tok, intents, tags, meta["max_len"])
    pad = special_id(tok, PAD)
    model = OnnxModule(fp32)
    logits, predicted_tags = _predict(model, valid, pad)  # type: ignore[arg-type]  # a JointModel's call
    labels = torch.tensor([e.intent for e in valid])
    meta["temperature"] = fit_temperature(logits, labels) if len(valid) else 1.0
    scores = _scored(logits, predicted_tags, valid)
    meta["valid"] = {"intent_acc": scores["intent_acc"], "frame_acc": scores["frame_acc"]}
    meta["parameters"] = sum(int(m["parameters"]) for m in metas)
    meta["ensemble"] = {
        "members": len(metas),
        "member_valid": [m["valid"] for m in metas],
        "member_train_configs": [m["train_config"] for m in metas],
    }
    set_metadata(fp32, meta)
    (out_dir / "labels.json").write_text(json.dumps(meta, indent=1) + "\n")
    if quantize:
        quantize_int8(fp32, out_dir / "nlu.int8.onnx", meta)
    return meta


def trained(member_dir: Path) -> bool:
    """A member directory that already holds a trained model (written last by train.save)."""
    return (member_dir / "labels.json").is_file() and (member_dir / "nlu.int8.onnx").is_file()


def _train_member(
    out_dir: Path,
    data_dir: Path | None,
    config_path: Path | None,
    cfg: Any,
    limit: int | None,
    tokenizer: Path | None,
) -> Path:
    """One member into `out_dir` (a worker process's job): the small model, or a fine-tuned encoder
    when `cfg` is a FinetuneConfig."""
    from models.nlu.finetune import FinetuneConfig, run_finetune
    from models.nlu.train import run_training

    if isinstance(cfg, FinetuneConfig):
        run_finetune(out_dir, data_dir, config_path, cfg, limit, progress=False)
    else:
        run_training(out_dir, data_dir, config_path, cfg, limit, progress=False, tokenizer=tokenizer)
    return out_dir


def run_ensemble(
    out_dir: Path,
    members: int,
    cfg: Any,
    data_dir: Path | None = None,
    config_path: Path | None = None,
    limit: int | None = None,
    jobs: int = 2,
) -> tuple[dict[str, Any], list[Path]]:
    """Train `members` models (`jobs` at a time, one thread each) into `out_dir`/members/<i>, and
    merge them into `out_dir`. All use one tokenizer (`out_dir`/members/tokenizer.json: the one member
    0 would train; a pretrained encoder's own). A member whose directory already holds a trained model
    is kept, so an interrupted run resumes. Returns the ensemble's metadata and the member
    directories."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from dataclasses import replace

    from tqdm import tqdm

    from models.nlu.finetune import FinetuneConfig
    from models.nlu.train import first_member_tokenizer, training_data

    if members < 2:
        raise ValueError("--members: an ensemble needs at least two members")
    dirs = [out_dir / "members" / str(i) for i in range(members)]
    train_set, valid_set, _ = training_data(data_dir, config_path, cfg.seed, limit)
    tokenizer = None
    if not isinstance(cfg, FinetuneConfig):
        if limit is not None:
            cfg = replace(cfg, min_per_intent=0)  # as run_training does for a quick run
        tokenizer = out_dir / "members" / "tokenizer.json"
        if not tokenizer.is_file():
            tokenizer.parent.mkdir(parents=True, exist_ok=True)
            first_member_tokenizer(train_set, cfg).save(str(tokenizer))
    spawn = multiprocessing.get_context("spawn")  # a fresh torch per worker, not a forked one
    with ProcessPoolExecutor(max_workers=max(1, jobs), mp_context=spawn) as pool:
        futures = [
            pool.submit(_train_member, d, data_dir, config_path, replace(cfg, member=i), limit, tokenizer)
            for i, d in enumerate(dirs)
            if not trained(d)
        ]
        for future in tqdm(futures, desc="ensemble members", unit="member"):
            future.result()
    return build_ensemble(dirs, out_dir, valid_set), dirs
