"""Teacher-labelled copies (models/nlu/teacher_copies.py).

The tiny random BERT of test_nlu_encoder.py stands in for all-MiniLM-L6-v2 (not installed in CI),
with two pairs of words made near-identical so the neighbours are known; the committed home model is
the teacher.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
import torch

from models.nlu import encoder
from models.nlu.data import Example
from models.nlu.teacher_copies import neighbours, swapped, teacher_copies
from runtime.nlu.model import NluModel
from tests.test_nlu_encoder import WORDS, hf_state, write_model

ROOT = Path(__file__).resolve().parent.parent
TEACHER = ROOT / "models" / "nlu"

SENTENCES = [
    Example(("turn", "on", "the", "kitchen", "light"), ("O", "O", "O", "B-area", "B-name"), "HassTurnOn"),
    Example(("turn", "off", "the", "fan"), ("O", "O", "O", "B-name"), "HassTurnOff"),
]


@pytest.fixture
def tiny_minilm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    state = hf_state()
    table = state["embeddings.word_embeddings.weight"]
    ids = {w: 4 + i for i, w in enumerate(WORDS)}  # after [PAD] [UNK] [CLS] [SEP]
    for a, b in (("light", "fan"), ("kitchen", "jazz")):
        table[ids[b]] = table[ids[a]] + 0.01 * torch.randn(
            table.shape[1], generator=torch.Generator().manual_seed(1)
        )
    monkeypatch.setattr(encoder, "minilm_dir", lambda: write_model(tmp_path / "tiny", state))


def test_neighbours_are_nearest_content_words(tiny_minilm: None) -> None:
    near = neighbours(SENTENCES, k=3)
    # queries: the slot words; "the", "turn", "off" (seen outside slots) and "on" (two letters) are not
    assert set(near) == {"kitchen", "light", "fan"}
    assert near["light"][0] == "fan" and near["fan"][0] == "light" and near["kitchen"][0] == "jazz"
    for words in near.values():
        assert len(words) == 3 and not {"the", "turn", "off", "on", "by"} & set(words)


def test_swapping_touches_slot_words_only() -> None:
    near = {"kitchen": ["jazz"], "light": ["fan"]}
    rng = random.Random(0)
    for _ in range(20):
        words = swapped(SENTENCES[0], near, rng)
        if words is None:
            continue
        assert words[:3] == ("turn", "on", "the")
        assert words[3] in ("kitchen", "jazz") and words[4] in ("light", "fan")
    assert swapped(SENTENCES[0], near, random.Random(0), p=0.0) is None


def test_copies_are_tagged_by_the_teacher(tiny_minilm: None) -> None:
    copies = teacher_copies(SENTENCES * 5, TEACHER, seed=0, copies=2, progress=False)
    assert copies, "with a swap probability of 0.7, some of 20 copies change a word"
    teacher = NluModel.load(TEACHER / "nlu.int8.onnx", TEACHER / "tokenizer.json")
    originals = {ex.words: ex for ex in SENTENCES}
    for copy in copies:
        assert copy.words not in originals and copy.template.endswith(":teacher")
        best = teacher.parse_words(list(copy.words), n=1)[0]
        assert copy.intent == best.intent  # and the original's: the others were dropped
        assert copy.intent in {ex.intent for ex in SENTENCES if len(ex.words) == len(copy.words)}
        assert sorted(copy.slots()) == sorted((s.name, s.value, s.start, s.end) for s in best.slots)
    # the same seed gives the same copies (an ensemble's members each make them)
    assert teacher_copies(SENTENCES * 5, TEACHER, seed=0, copies=2, progress=False) == copies


def test_a_training_run_learns_from_the_copies_with_the_datasets_own_tokens(
    tiny_minilm: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataclasses import replace

    from models.nlu import train
    from models.nlu.train import TrainConfig, run_training

    # what each run trains its tokenizer on (the vocabularies themselves can't be compared: WordPiece
    # breaks ties at the cut-off in no fixed order, so two trainings on one text differ by up to ~20
    # of 300 pieces here)
    seen: list[list[tuple[str, ...]]] = []
    train_tokenizer = train.train_tokenizer

    def recorded(words: Any, size: int) -> Any:
        seen.append([tuple(w) for w in words])
        return train_tokenizer(seen[-1], size)

    monkeypatch.setattr(train, "train_tokenizer", recorded)
    tiny = TrainConfig(epochs=1, d_model=32, heads=2, ff=64, vocab_size=300, noise=0.2)
    plain, _ = run_training(tmp_path / "plain", cfg=tiny, limit=300, progress=False)
    cfg = replace(tiny, teacher=str(TEACHER), teacher_copies=1, distill=0.0)
    taught, _ = run_training(tmp_path / "taught", cfg=cfg, limit=300, progress=False)
    assert taught.meta["train_config"]["teacher_copies"] == 1
    assert taught.meta["train_sentences"] > plain.meta["train_sentences"]
    # tokens come from the dataset's sentences (with their noisy copies), not the teacher's copies
    assert len(seen) == 2 and seen[1] == seen[0]
    assert len(seen[0]) < taught.meta["train_sentences"]


def test_the_cli_wants_a_teacher_for_copies(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from runtime.cli import main

    out = tmp_path / "out"
    assert main(["nlu-train", "--teacher-copies", "1", "--out", str(out)]) == 2
    assert "--teacher-copies" in capsys.readouterr().out
    assert not out.exists()
