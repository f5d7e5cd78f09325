"""Knowledge distillation: a large trained model (the teacher) labels the small model's training
sentences with intent probabilities, and the small model learns from those soft targets as well
as from the hard labels.

Why: a fine-tuned pretrained encoder (`ambient nlu-train --encoder minilm`) reads held-out
templates better than the small model, but it is ~40x larger than the 2 MB budget. Its
probabilities say more than a hard label: on a noisy copy that lost the word deciding its intent,
the kept label is a guess and the teacher's spread says so; on a clean sentence, the teacher's
runner-up intents say which intents resemble each other. Only the intent is distilled; the
teacher's tokenizer differs, so its slot logits do not line up with the student's tokens.
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


def teacher_probabilities(
    teacher_dir: Path,
    examples: list[Example],
    intents: list[str],
    temperature: float = 1.0,
    progress: bool = True,
    batch_size: int = 256,
) -> torch.Tensor:
    """The teacher's intent probabilities for `examples`, one row per sentence, columns in the
    order of `intents` (the student's). The teacher's logits are divided by its own fitted
    temperature (calibrated probabilities) and then by `temperature` (> 1 softens them further)."""
    from models.nlu.train import _batch, _encode_all
    from runtime.nlu.tokenizer import PAD, special_id

    teacher = load_teacher(teacher_dir)
    missing = sorted(set(intents) - set(teacher.intents))
    if missing:
        raise ValueError(f"teacher {teacher_dir} does not know the intents {', '.join(missing)}")
    teacher_ids = {n: i for i, n in enumerate(teacher.intents)}
    tags = {n: i for i, n in enumerate(teacher.tags)}
    pad = special_id(teacher.tokenizer, PAD)
    logits = []
    for i in tqdm(range(0, len(examples), batch_size), desc="teacher", unit="batch", disable=not progress):
        enc = _encode_all(examples[i : i + batch_size], teacher.tokenizer, teacher_ids, tags, teacher.max_len)
        ids, mask, _, _ = _batch(enc, pad)
        intent_logits, _ = teacher.runner(ids.numpy(), mask.numpy())
        logits.append(torch.from_numpy(intent_logits))
    columns = torch.tensor([teacher_ids[n] for n in intents])
    scaled = torch.cat(logits)[:, columns] / (teacher.temperature * temperature)
    return torch.softmax(scaled, dim=-1)


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
