"""Teacher-labelled copies: training sentences whose slot words are swapped for words that
all-MiniLM-L6-v2 places nearby, labelled again by a fine-tuned teacher.

Why: on open-vocabulary data (Snips' artists, playlists, towns) most slot errors of the small model
are in names its training split never had. Swapping a slot word for a MiniLM neighbour ("bulgaria"
-> "romania", "lindsey" -> "lindsay", "pizza" -> "sandwich") shows the small model more names in
the contexts it knows. A neighbour is not always of the same kind ("paris" -> "france": a city
becomes a country), so the copy is not labelled with the original's tags but by a teacher that
has read far more English (`ambient nlu-train --encoder minilm` on the same data); a copy whose
intent the teacher reads differently is dropped.

Only content words of slots are swapped: a word seen more often outside slots than in them ("the",
"my", "to") stays, and so does anything of two letters or fewer or with digits.
"""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

from tqdm import tqdm

from models.nlu.data import Example

SWAP_PROBABILITY = 0.7  # per slot word of a copy
NEIGHBOURS = 8  # a swapped word is one of its this many nearest MiniLM words


def content_words(examples: list[Example]) -> tuple[Counter[str], Counter[str]]:
    """How often each word is outside a slot, and inside one."""
    outside = Counter(w for ex in examples for w, t in zip(ex.words, ex.tags, strict=True) if t == "O")
    inside = Counter(w for ex in examples for w, t in zip(ex.words, ex.tags, strict=True) if t != "O")
    return outside, inside


def neighbours(examples: list[Example], k: int = NEIGHBOURS) -> dict[str, list[str]]:
    """For each slot content word of `examples` that MiniLM has as one whole token, its `k`
    nearest whole-word MiniLM tokens (cosine of the input embeddings), nearest first; candidates
    are content words too (not seen more often outside slots than in them)."""
    import torch

    from models.nlu.encoder import load_encoder, load_pretrained_tokenizer, minilm_dir

    folder = minilm_dir()
    table = load_encoder(folder).word.weight.detach()
    vocab = load_pretrained_tokenizer(folder).get_vocab()
    outside, inside = content_words(examples)

    def content(w: str) -> bool:
        return w.isalpha() and len(w) > 2 and not w.startswith("##") and outside[w] <= inside[w]

    candidates = sorted(w for w in vocab if content(w))
    queries = sorted(w for w, c in inside.items() if c > outside[w] and w in vocab and content(w))
    if not queries:
        return {}
    unit = torch.nn.functional.normalize
    c = unit(table[torch.tensor([vocab[w] for w in candidates])], dim=-1)
    q = unit(table[torch.tensor([vocab[w] for w in queries])], dim=-1)
    nearest = (q @ c.T).topk(min(k + 1, len(candidates)), dim=-1).indices.tolist()  # itself first
    return {
        w: [candidates[j] for j in row if candidates[j] != w][:k]
        for w, row in zip(queries, nearest, strict=True)
    }


def swapped(
    ex: Example, near: dict[str, list[str]], rng: random.Random, p: float = SWAP_PROBABILITY
) -> tuple[str, ...] | None:
    """`ex`'s words with some slot words swapped for neighbours; None when none was."""
    words = list(ex.words)
    for i, (w, t) in enumerate(zip(ex.words, ex.tags, strict=True)):
        if t != "O" and w in near and rng.random() < p:
            words[i] = rng.choice(near[w])
    return tuple(words) if words != list(ex.words) else None


def teacher_copies(
    examples: list[Example], teacher_dir: Path, seed: int, copies: int = 1, progress: bool = True
) -> list[Example]:
    """Up to `copies` swapped copies of each sentence, tagged by the teacher in `teacher_dir` (as
    the runtime serves it: int8, with its slot evidence); copies whose intent the teacher reads
    differently are left out."""
    from models.nlu.distill import load_teacher

    teacher = load_teacher(teacher_dir, "nlu.int8.onnx")
    near = neighbours(examples)
    rng = random.Random(seed)
    out = []
    for ex in tqdm(examples * copies, desc="teacher copies", unit="sentence", disable=not progress):
        words = swapped(ex, near, rng)
        if words is None:
            continue
        best = teacher.parse_words(list(words), n=1)[0]
        if best.intent != ex.intent:
            continue
        tags = ["O"] * len(words)
        for slot in best.slots:
            tags[slot.start : slot.end] = [f"B-{slot.name}"] + [f"I-{slot.name}"] * (
                slot.end - slot.start - 1
            )
        out.append(Example(words, tuple(tags), ex.intent, f"{ex.template}:teacher"))
    return out
