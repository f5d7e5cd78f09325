"""Knowledge distillation: a large trained model (the teacher) labels the small model's training
sentences with intent probabilities, and the small model learns from those soft targets as well
as from the hard labels.

Why: a fine-tuned pretrained encoder (`ambient nlu-train --encoder minilm`) reads held-out
templates better than the small model, but it is ~40x larger than the 2 MB budget. Its
probabilities say more than a hard label: on a noisy copy that lost the word deciding its intent,
the kept label is a guess and the teacher's spread says so; on a clean sentence, the teacher's
runner-up intents say which intents resemble each other. The slot tags can be distilled too
(`teacher_targets`, one pass for both): the two tokenizers differ, but both models read a word's tag at
its first token, so the teacher's tag distribution per word lines up with the student's words.
"""

from __future__ import annotations

from pathlib import Path

import torch
from tqdm import tqdm

from models.nlu.data import Example
from runtime.nlu.model import NluModel


def check_teacher_dir(teacher_dir: Path, model: str = "nlu.fp32.onnx") -> None:
    """A directory without the files `ambient nlu-train` writes is a FileNotFoundError naming the
    first missing one."""
    for name in (model, "labels.json", "tokenizer.json"):
        if not (teacher_dir / name).is_file():
            raise FileNotFoundError(
                f"teacher {teacher_dir}: not a trained model directory (no {name}; `ambient nlu-train` writes one)"
            )


def load_teacher(teacher_dir: Path, model: str = "nlu.fp32.onnx") -> NluModel:
    """The teacher as the runtime serves it (its tokenizer checked against its model); `model` is
    the file to serve (fp32 for its probabilities, int8 to tag many sentences fast)."""
    check_teacher_dir(teacher_dir, model)
    return NluModel.load(teacher_dir / model, teacher_dir / "tokenizer.json")


def teacher_targets(
    teacher_dir: Path,
    examples: list[Example],
    intents: list[str] | None,
    tags: list[str] | None,
    temperature: float = 1.0,
    progress: bool = True,
    batch_size: int = 256,
) -> tuple[torch.Tensor | None, list[torch.Tensor] | None]:
    """The teacher's soft targets for `examples` from one pass over them: intent probabilities
    (one row per sentence, columns in the order of the student's `intents`) and tag probabilities
    (one [words, tags] tensor per sentence, columns in the order of the student's `tags`); either
    is None when its label list is. The intent logits are divided by the teacher's own fitted
    temperature (calibrated) and then by `temperature` (> 1 softens them), the slot logits by
    `temperature`. A tag the teacher lacks gets 0 (a student trained on more tags than its teacher
    still learns those from the hard tags); a sentence the teacher truncated (more words than its
    max_len holds) has only its kept words' rows."""
    from models.nlu.train import _batch, _encode_all
    from runtime.nlu.tokenizer import PAD, special_id

    teacher = load_teacher(teacher_dir)
    missing = sorted(set(intents or []) - set(teacher.intents))
    if missing:
        raise ValueError(f"teacher {teacher_dir} does not know the intents {', '.join(missing)}")
    if tags is not None and ("O" not in teacher.tags or "O" not in tags):
        raise ValueError(
            f"teacher {teacher_dir}: its tags and the student's must both have O (not a BIO tagger?)"
        )
    intent_ids = {n: i for i, n in enumerate(teacher.intents)}
    tag_ids = {n: i for i, n in enumerate(teacher.tags)}
    tag_columns = torch.tensor([tag_ids.get(t, 0) for t in tags or []])
    known = torch.tensor([t in tag_ids for t in tags or []])
    pad = special_id(teacher.tokenizer, PAD)
    intent_logits: list[torch.Tensor] = []
    tag_rows: list[torch.Tensor] = []
    desc = "teacher" if tags is None else "teacher tags"
    for i in tqdm(range(0, len(examples), batch_size), desc=desc, unit="batch", disable=not progress):
        enc = _encode_all(
            examples[i : i + batch_size], teacher.tokenizer, intent_ids, tag_ids, teacher.max_len
        )
        ids, mask, _, _ = _batch(enc, pad)
        il, sl = teacher.runner(ids.numpy(), mask.numpy())
        intent_logits.append(torch.from_numpy(il))
        if tags is not None:
            logits = (torch.from_numpy(sl)[:, :, tag_columns] / temperature).masked_fill(
                ~known, float("-inf")
            )
            for row, e in zip(logits, enc, strict=True):
                firsts = [j for j, t in enumerate(e.tags) if t != -100]  # the words' first tokens
                tag_rows.append(torch.softmax(row[firsts], dim=-1))
    probs = None
    if intents is not None:
        columns = torch.tensor([intent_ids[n] for n in intents])
        scaled = torch.cat(intent_logits)[:, columns] / (teacher.temperature * temperature)
        probs = torch.softmax(scaled, dim=-1)
    return probs, (tag_rows if tags is not None else None)


def teacher_probabilities(
    teacher_dir: Path,
    examples: list[Example],
    intents: list[str],
    temperature: float = 1.0,
    progress: bool = True,
) -> torch.Tensor:
    """`teacher_targets`' intent probabilities alone."""
    probs, _ = teacher_targets(teacher_dir, examples, intents, None, temperature, progress)
    assert probs is not None
    return probs


def teacher_tag_probabilities(
    teacher_dir: Path,
    examples: list[Example],
    tags: list[str],
    temperature: float = 1.0,
    progress: bool = True,
) -> list[torch.Tensor]:
    """`teacher_targets`' tag probabilities alone."""
    _, rows = teacher_targets(teacher_dir, examples, None, tags, temperature, progress)
    assert rows is not None
    return rows


def tag_targets(rows: list[torch.Tensor], tag_positions: torch.Tensor) -> torch.Tensor:
    """A batch's per-token soft tag targets [batch, tokens, tags] from per-sentence word rows:
    word k's row goes to the token holding that sentence's k-th tag (its first token); other
    tokens, and words the teacher did not read, get zeros (they add nothing to the loss)."""
    batch, length = tag_positions.shape
    targets = torch.zeros(batch, length, rows[0].shape[-1])
    for b, row in enumerate(rows):
        firsts = tag_positions[b].nonzero().flatten()[: len(row)]
        targets[b, firsts] = row[: len(firsts)]
    return targets


def slot_distill_loss(
    student_logits: torch.Tensor, targets: torch.Tensor, temperature: float = 1.0
) -> torch.Tensor:
    """KL(targets || softmax(student / T)) per tagged word (rows of `targets` that sum to 1),
    averaged over those words, times T^2."""
    words = targets.sum(-1) > 0
    if not bool(words.any()):
        return student_logits.sum() * 0.0
    log_p = torch.log_softmax(student_logits[words] / temperature, dim=-1)
    kl = torch.nn.functional.kl_div(log_p, targets[words], reduction="batchmean")
    return kl * temperature**2


def distill_loss(
    student_logits: torch.Tensor, targets: torch.Tensor, temperature: float = 1.0
) -> torch.Tensor:
    """KL(targets || softmax(student / T)) per sentence, averaged, times T^2 (Hinton et al. 2015:
    keeps its gradient's scale comparable to the hard-label loss when T changes)."""
    log_p = torch.log_softmax(student_logits / temperature, dim=-1)
    kl = torch.nn.functional.kl_div(log_p, targets, reduction="batchmean")
    return kl * temperature**2


def agreement(targets: torch.Tensor, examples: list[Example], intents: list[str]) -> float:
    """How often the teacher's top intent is the sentence's label (a check that the teacher fits)."""
    ids = {n: i for i, n in enumerate(intents)}
    labels = torch.tensor([ids.get(ex.intent, -1) for ex in examples])
    return float((targets.argmax(-1) == labels).float().mean()) if len(examples) else 0.0
