"""Ensembles: several trained NLU models merged into one ONNX graph that averages their logits.

Members are trained alike with different `member` seeds (TrainConfig.member, FinetuneConfig.member)
on the same sentences and with the same tokenizer, so they read the same token ids and share label
sets. Members that err on different sentences outvote each other.

Members of the small model (train.py's JointModel, all of one shape) are stacked
(`StackedModel`): every layer runs all members at once as one batched matmul over a leading member
axis, so the graph has a third of the nodes of three members side by side, and onnxruntime's
per-node overhead, most of a 10-token utterance's time, is paid once. Other members (fine-tuned
encoders) are merged side by side (`merge_onnx`). Either graph keeps the runtime's interface
(input_ids, attention_mask -> intent_logits, slot_logits), so `NluModel` serves it unchanged. Its
temperature is fitted again on the validation set (averaged logits are less peaked than a
member's), then it is quantized like a single model (a stacked weight gets int8 scales per member
and column, export.quantize_int8).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import torch
from torch import nn

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


def joint_models(fp32: Path, meta: dict[str, Any]) -> list[Any]:
    """The JointModels in an fp32 ONNX file written by train.py (one) or by `merge_onnx` or an older
    ensemble (its members under m0/, m1/, ...), weights read back by their module names; `meta` is
    the file's labels.json."""
    import onnx
    from onnx import numpy_helper

    from models.nlu.train import JointModel, TrainConfig

    graph = onnx.load(str(fp32)).graph
    arrays = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    states: dict[str, dict[str, torch.Tensor]] = {}
    for name, array in arrays.items():  # parameters keep their names, e.g. m0/blocks.0.qkv.bias
        prefix, key = re.fullmatch(r"(m\d+/)?(.*)", name).groups()  # type: ignore[union-attr]
        if not key.startswith("onnx::") and "/" not in key:  # not ensemble/scale
            states.setdefault(prefix or "", {})[key] = torch.from_numpy(array.copy())
    for node in graph.node:  # a Linear's weight is a nameless transposed MatMul input
        found = re.fullmatch(r"(m\d+/)?/(.+)/MatMul", node.name)
        weights = [n for n in node.input if n in arrays]
        if found and weights:
            key = found.group(2).replace("/", ".") + ".weight"
            states.setdefault(found.group(1) or "", {})[key] = torch.from_numpy(arrays[weights[0]].T.copy())
    if not states or any("tok.weight" not in state for state in states.values()):
        raise ValueError(f"{fp32}: not train.py's model or models side by side (a stacked graph?)")
    configs = meta.get("ensemble", {}).get("member_train_configs") or [meta["train_config"]]
    if len(configs) != len(states):
        raise ValueError(f"{fp32}: {len(states)} models in the file, {len(configs)} in its labels")
    models = []
    for (_, state), config in zip(sorted(states.items()), configs, strict=True):
        fields = {k: v for k, v in config.items() if k in TrainConfig.__dataclass_fields__}
        model = JointModel(meta["vocab_size"], len(meta["intents"]), len(meta["tags"]), TrainConfig(**fields))
        try:
            model.load_state_dict(state)  # strict: every weight present, of its shape
        except RuntimeError as e:
            raise ValueError(f"{fp32}: not train.py's model: {e}") from e
        models.append(model.eval())
    return models


class StackedModel(nn.Module):
    """JointModels of one shape as one module that averages their logits: each layer's weights are
    stacked on a leading member axis and every matmul runs all members at once."""

    def __init__(self, members: list[Any]) -> None:
        super().__init__()
        first = members[0]
        self.members, self.d = len(members), first.tok.weight.shape[1]
        self.heads = first.blocks[0].heads
        self.layers = len(first.blocks)

        def frozen(tensors: list[torch.Tensor], dim: int = 0) -> nn.Parameter:
            return nn.Parameter(torch.stack([t.detach() for t in tensors], dim), requires_grad=False)

        # [vocab or position, member, d]: one Gather gives every member's embeddings; members with
        # one token table (frozen pretrained embeddings) store it once, [vocab, 1, d], broadcast
        shared = all(torch.equal(m.tok.weight, first.tok.weight) for m in members)
        self.tok = frozen([first.tok.weight] if shared else [m.tok.weight for m in members], dim=1)
        self.pos = frozen([m.pos.weight for m in members], dim=1)
        parts = {name: [getattr(m, name) for m in members] for name in ("norm", "intent", "slots")}
        for i in range(self.layers):
            for part in ("qkv", "out", "ff1", "ff2", "norm1", "norm2"):
                parts[f"blocks_{i}_{part}"] = [getattr(m.blocks[i], part) for m in members]
        self.w = nn.ParameterDict()  # [member, in, out] weights, [member, 1, out] biases and norms
        for name, modules in parts.items():
            linear = isinstance(modules[0], nn.Linear)
            self.w[f"{name}_weight"] = frozen([m.weight.T if linear else m.weight[None] for m in modules])
            self.w[f"{name}_bias"] = frozen([m.bias[None] for m in modules])

    def _linear(self, x: torch.Tensor, name: str) -> torch.Tensor:
        return x @ self.w[f"{name}_weight"] + self.w[f"{name}_bias"]

    def _norm(self, x: torch.Tensor, name: str) -> torch.Tensor:
        y = nn.functional.layer_norm(x, (self.d,))
        return y * self.w[f"{name}_weight"] + self.w[f"{name}_bias"]

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        from models.nlu.train import MASK_BIAS

        b, t = input_ids.shape
        k, h, dh = self.members, self.heads, self.d // self.heads
        x = (self.tok[input_ids] + self.pos[:t]).permute(2, 0, 1, 3).reshape(k, b * t, self.d)
        x = self._norm(x, "norm")
        bias = ((1.0 - attention_mask.to(x.dtype)) * MASK_BIAS)[None, :, None, None, :]
        for i in range(self.layers):
            block = f"blocks_{i}"
            qkv = self._linear(x, f"{block}_qkv").reshape(k, b, t, 3, h, dh).permute(3, 0, 1, 4, 2, 5)
            att = torch.softmax(qkv[0] @ qkv[1].transpose(-1, -2) / math.sqrt(dh) + bias, dim=-1)
            y = (att @ qkv[2]).transpose(2, 3).reshape(k, b * t, self.d)
            x = self._norm(x + self._linear(y, f"{block}_out"), f"{block}_norm1")
            ff = self._linear(torch.relu(self._linear(x, f"{block}_ff1")), f"{block}_ff2")
            x = self._norm(x + ff, f"{block}_norm2")
        intent = self._linear(x.reshape(k, b, t, self.d)[:, :, 0], "intent").mean(0)
        return intent, self._linear(x, "slots").mean(0).reshape(b, t, -1)


def stackable(metas: list[dict[str, Any]]) -> bool:
    """Members that are all small models (train.py) of one shape."""
    shape = ("d_model", "heads", "layers", "ff", "max_len")
    configs = [m.get("train_config", {}) for m in metas]
    return all("d_model" in c and "encoder" not in c for c in configs) and (
        len({tuple(c[k] for k in shape) for c in configs}) == 1
    )


def export_members(member_dirs: list[Path], metas: list[dict[str, Any]], out: Path) -> Path:
    """The members' fp32 graphs as one averaging graph: stacked when they are small models of one
    shape, else side by side."""
    from models.nlu.export import export_onnx

    if not stackable(metas):
        return merge_onnx([d / "nlu.fp32.onnx" for d in member_dirs], out)
    members = [joint_models(d / "nlu.fp32.onnx", m)[0] for d, m in zip(member_dirs, metas, strict=True)]
    return export_onnx(StackedModel(members), metas[0], out)


def restack(model_dir: Path) -> dict[str, Any]:
    """Rewrite an ensemble model directory merged side by side (before stacking) as a stacked graph:
    the same members and temperature, fp32 outputs equal to 1e-5; int8 quantized anew."""
    from models.nlu.export import export_onnx, quantize_int8

    meta = json.loads((model_dir / "labels.json").read_text())
    fp32 = model_dir / "nlu.fp32.onnx"
    export_onnx(StackedModel(joint_models(fp32, meta)), meta, fp32)
    quantize_int8(fp32, model_dir / "nlu.int8.onnx", meta)
    return meta


def build_ensemble(
    member_dirs: list[Path],
    out_dir: Path,
    valid_set: list[Any],
    quantize: bool = True,
    train_set: list[Any] | None = None,
) -> dict[str, Any]:
    """Merge trained model directories (nlu.fp32.onnx, labels.json, tokenizer.json each) into
    `out_dir`: nlu.fp32.onnx, nlu.int8.onnx, tokenizer.json and labels.json, with the temperature,
    slot-evidence weight and validation scores of the ensemble, and its tag prior fitted when the
    members' `train_set` is given (off otherwise). Returns the metadata."""
    from tokenizers import Tokenizer

    from models.nlu.export import quantize_int8, set_metadata
    from models.nlu.slot_evidence import FITTED, fit_slot_evidence
    from models.nlu.tag_prior import FITTED as PRIOR_FITTED
    from models.nlu.tag_prior import fit_tag_prior
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
    fp32 = export_members(member_dirs, metas, out_dir / "nlu.fp32.onnx")
    tok = Tokenizer.from_file(str(member_dirs[0] / "tokenizer.json"))
    tok.save(str(out_dir / "tokenizer.json"))

    # member 0's own labels, less what is fitted for the ensemble anew
    meta = {k: v for k, v in metas[0].items() if k not in (*FITTED, *PRIOR_FITTED)}
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
    fit_slot_evidence(out_dir, valid_set)
    if train_set:
        fit_tag_prior(out_dir, train_set, valid_set)
    return json.loads((out_dir / "labels.json").read_text())


def trained(member_dir: Path) -> bool:
    """A member directory that already holds a trained model (written last by train.save)."""
    return (member_dir / "labels.json").is_file() and (member_dir / "nlu.int8.onnx").is_file()


def recipe_changes(member_dir: Path, cfg: Any, member: bool = False) -> list[str]:
    """How `cfg` differs from the config a trained model in `member_dir` was trained with, as
    "field: was -> now", the thread count aside (speed) and, unless `member`, the member index (a
    member's own seed)."""
    stored = json.loads((member_dir / "labels.json").read_text()).get("train_config", {})
    ignored = ("threads",) if member else ("member", "threads")
    return [
        f"{k}: {stored[k]!r} -> {v!r}"
        for k, v in asdict(cfg).items()
        if k not in ignored and k in stored and stored[k] != v
    ]


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
    first_member: int = 0,
    share_embeddings: bool = False,
) -> tuple[dict[str, Any], list[Path]]:
    """Train `members` models (`jobs` at a time, one thread each) into `out_dir`/members/<i>, and
    merge them into `out_dir`. All use one tokenizer (`out_dir`/members/tokenizer.json: the one member
    0 would train; a pretrained encoder's own). A member whose directory already holds a model trained
    with `cfg` is kept, so an interrupted run resumes; one trained with another config is a
    ValueError. `first_member` > 0 trains members first_member, first_member + 1, ... (their own
    seeds): a second run of one recipe, to see how far two runs differ. `share_embeddings`: member 0
    trains first, and the others keep its token table (TrainConfig.embeddings_from), which the
    stacked graph then stores once. Returns the ensemble's metadata and the member directories."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from tqdm import tqdm

    from models.nlu.finetune import FinetuneConfig
    from models.nlu.train import first_member_tokenizer, training_data

    if members < 2:
        raise ValueError("--members: an ensemble needs at least two members")
    dirs = [out_dir / "members" / str(i) for i in range(members)]
    if limit is not None and not isinstance(cfg, FinetuneConfig):
        cfg = replace(cfg, min_per_intent=0)  # as run_training does for a quick run
    member_cfgs = [replace(cfg, member=first_member + i) for i in range(members)]
    if share_embeddings:
        if isinstance(cfg, FinetuneConfig):
            raise ValueError("--share-embeddings: the small model's token table; an encoder has its own")
        # from each member's own directory: the merged model's config names no machine's paths
        member_cfgs[1:] = [replace(c, embeddings_from="../0") for c in member_cfgs[1:]]
    for d, member_cfg in zip(dirs, member_cfgs, strict=True):
        # a kept member must be of this recipe and this member's seed, or the ensemble silently mixes
        if trained(d) and (changes := recipe_changes(d, member_cfg, member=True)):
            raise ValueError(
                f"{d} holds a member trained with another recipe ({'; '.join(changes)}): "
                "remove it to train it anew, or write the ensemble to another directory"
            )
    # a fine-tuned encoder always holds both out
    held_out = getattr(cfg, "hold_out_test", True), getattr(cfg, "hold_out_valid", True)
    train_set, valid_set, _ = training_data(data_dir, config_path, cfg.seed, limit, *held_out)
    tokenizer = None
    if not isinstance(cfg, FinetuneConfig):
        tokenizer = out_dir / "members" / "tokenizer.json"
        if not tokenizer.is_file():
            tokenizer.parent.mkdir(parents=True, exist_ok=True)
            first_member_tokenizer(train_set, cfg).save(str(tokenizer))
    spawn = multiprocessing.get_context("spawn")  # a fresh torch per worker, not a forked one
    # with one shared table, member 0 trains first: the others start from its table
    waves = [[0], list(range(1, members))] if share_embeddings else [list(range(members))]
    bar = tqdm(total=sum(not trained(d) for d in dirs), desc="ensemble members", unit="member")
    with ProcessPoolExecutor(max_workers=max(1, jobs), mp_context=spawn) as pool:
        for wave in waves:
            futures = [
                pool.submit(_train_member, dirs[i], data_dir, config_path, member_cfgs[i], limit, tokenizer)
                for i in wave
                if not trained(dirs[i])
            ]
            for future in futures:
                future.result()
                bar.update(1)
    bar.close()
    return build_ensemble(dirs, out_dir, valid_set, train_set=train_set), dirs


if __name__ == "__main__":
    import sys

    restack(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent)
