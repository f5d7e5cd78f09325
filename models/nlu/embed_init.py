"""Start the small model's token embeddings from a pretrained encoder's word knowledge.

Why: the held-out errors are whole phrasings the templates never showed ("where can i find the
fan", "no more of that"). A model trained from scratch knows only the words it trained on in the
contexts it saw them; all-MiniLM-L6-v2 has read far more English. Its vectors for our WordPiece
tokens, reduced to the small model's width, are a starting point that costs nothing at run time
(the trained model has the same shape and size).

Two ways to get a vector per token of our vocabulary:
- "static": MiniLM's input (word) embedding of the token, averaged over MiniLM's pieces of it;
- "pooled": MiniLM's mean-pooled output for the token alone (its sentence embedding of one word,
  which is what MiniLM was trained to make similar for similar meanings).
Either is reduced by PCA to `d` dimensions and scaled to unit variance per dimension, as
`nn.Embedding` starts (N(0, 1)); the special tokens keep a random start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch

from models.nlu.encoder import load_encoder, load_pretrained_tokenizer, mean_pooled, minilm_dir
from runtime.nlu.tokenizer import SPECIAL

if TYPE_CHECKING:
    from tokenizers import Tokenizer

INIT_METHODS = ("static", "pooled")


def token_words(tok: Tokenizer) -> list[str | None]:
    """Per token id, the text it stands for ("##ing" -> "ing"); None for special tokens."""
    words: list[str | None] = [None] * tok.get_vocab_size()
    for token, i in tok.get_vocab().items():
        words[i] = None if token in SPECIAL else token.removeprefix("##")
    return words


def pretrained_vectors(tok: Tokenizer, method: str) -> tuple[torch.Tensor, list[int]]:
    """(vectors of MiniLM's width for the tokens that have a text, their token ids)."""
    if method not in INIT_METHODS:
        raise ValueError(f"embedding init {method!r}: expected one of {', '.join(INIT_METHODS)}")
    folder = minilm_dir()
    encoder, their_tok = load_encoder(folder), load_pretrained_tokenizer(folder)
    words = token_words(tok)
    ids = [i for i, w in enumerate(words) if w]
    texts = [words[i] or "" for i in ids]
    if method == "pooled":
        chunks = [texts[s : s + 256] for s in range(0, len(texts), 256)]
        vectors = torch.cat([mean_pooled(encoder, their_tok, chunk) for chunk in chunks])
        return vectors, ids
    table = encoder.word.weight.detach()
    unknown = [int(their_tok.token_to_id("[UNK]") or 0)]
    rows = []
    for text in texts:
        pieces = their_tok.encode(text, add_special_tokens=False).ids or unknown
        rows.append(table[pieces].mean(0))
    return torch.stack(rows), ids


def reduce(vectors: torch.Tensor, d: int) -> torch.Tensor:
    """PCA to `d` dimensions, scaled so the average variance per dimension is 1 (relative variances
    kept: the leading directions still dominate, as they do in the pretrained space). With fewer
    components than `d` (a tiny vocabulary), the remaining dimensions are 0."""
    centered = vectors - vectors.mean(0, keepdim=True)
    _, _, v = torch.linalg.svd(centered, full_matrices=False)
    projected = centered @ v[:d].T
    projected = torch.nn.functional.pad(projected, (0, d - projected.shape[1]))
    return projected / projected.pow(2).mean().sqrt()


def init_token_embeddings(embedding: torch.nn.Embedding, tok: Tokenizer, method: str) -> None:
    """Overwrite the rows of `embedding` for our vocabulary's tokens with reduced MiniLM vectors."""
    vectors, ids = pretrained_vectors(tok, method)
    with torch.no_grad():
        embedding.weight[ids] = reduce(vectors, embedding.embedding_dim).to(embedding.weight.dtype)


def fix_special_rows(embedding: torch.nn.Embedding, tok: Tokenizer) -> None:
    """Give the special tokens ([CLS], [UNK], ...), which have no pretrained vector, the same random
    rows in every member (a fixed seed), so frozen tables are equal and an ensemble stores one."""
    special = [i for i, w in enumerate(token_words(tok)) if w is None]
    rows = torch.randn(len(special), embedding.embedding_dim, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        embedding.weight[special] = rows.to(embedding.weight.dtype)
