"""WordPiece tokenization shared by training and inference.

The model tags words, but sees subword tokens: `encode` returns the token ids and, for each word,
the index of its first token (where its slot tag is read). Words that do not fit into `max_len`
tokens are dropped from the end, so very long input is truncated safely instead of failing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tokenizers import Tokenizer

PAD, UNK, CLS, SEP = "[PAD]", "[UNK]", "[CLS]", "[SEP]"
SPECIAL = [PAD, UNK, CLS, SEP]


@dataclass(frozen=True)
class Encoded:
    ids: list[int]  # [CLS] tokens... [SEP]
    first_token: list[int]  # per kept word: index into ids of its first token
    words: list[str]  # the words kept (a prefix of the input)


def train_tokenizer(sentences: Iterable[Sequence[str]], vocab_size: int = 2000) -> Tokenizer:
    """A BERT-style WordPiece tokenizer learned from pre-split, lower-case sentences."""
    from tokenizers import decoders, models, normalizers, pre_tokenizers, processors, trainers

    tok = Tokenizer(models.WordPiece(unk_token=UNK, max_input_chars_per_word=40))
    # no lower-casing/accent stripping here: runtime/nlu/text.py already normalized the words
    tok.normalizer = normalizers.BertNormalizer(
        lowercase=False, strip_accents=False, handle_chinese_chars=True
    )
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.decoder = decoders.WordPiece()
    trainer = trainers.WordPieceTrainer(vocab_size=vocab_size, special_tokens=SPECIAL, min_frequency=2)
    tok.train_from_iterator((" ".join(s) for s in sentences), trainer=trainer)
    cls, sep = special_id(tok, CLS), special_id(tok, SEP)
    tok.post_processor = processors.TemplateProcessing(
        single=f"{CLS} $A {SEP}", special_tokens=[(CLS, cls), (SEP, sep)]
    )
    return tok


def special_id(tok: Tokenizer, token: str) -> int:
    tid = tok.token_to_id(token)
    if tid is None:
        raise ValueError(f"tokenizer has no {token} token: not one written by `ambient nlu-train`")
    return int(tid)


def load_tokenizer(path: str | Path) -> Tokenizer:
    return Tokenizer.from_file(str(path))


def vocab_digest(tok: Tokenizer) -> str:
    """A short fingerprint of the vocabulary: the model records it, so a wrong tokenizer is caught."""
    vocab = sorted(tok.get_vocab(with_added_tokens=True).items(), key=lambda kv: kv[1])
    return hashlib.sha256("\n".join(t for t, _ in vocab).encode()).hexdigest()[:16]


def encode(tok: Tokenizer, words: Sequence[str], max_len: int = 64) -> Encoded:
    if not words:
        return Encoded([special_id(tok, CLS), special_id(tok, SEP)], [], [])
    enc = tok.encode(list(words), is_pretokenized=True)
    per_word: list[list[int]] = [[] for _ in words]
    for tid, wid in zip(enc.ids, enc.word_ids, strict=True):
        if wid is not None:  # None: [CLS]/[SEP] from the post-processor, re-added below
            per_word[wid].append(tid)
    unk = special_id(tok, UNK)
    ids: list[int] = []
    first: list[int] = []
    for toks in per_word:
        toks = toks or [unk]  # a word the normalizer erased entirely still needs a position
        if len(ids) + len(toks) > max_len - 2:
            break  # this word and everything after it do not fit
        first.append(len(ids) + 1)
        ids += toks
    return Encoded([special_id(tok, CLS), *ids, special_id(tok, SEP)], first, list(words[: len(first)]))
