"""Seed 004's pipeline as a Tokenizer configuration, against a plain-Python
implementation of that pipeline on the full aclImdb."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pytest

from imdbfast import Tokenizer, _native
from imdbfast.stopwords import ENGLISH
from imdbfast.tokenizer import SEED_004

from test_keras_parity import HARD_TEXTS

WORD = re.compile(r"\b\w+\b")
STOP = set(ENGLISH)


def reference_tokens(text: str) -> list[str]:
    """Seed 004: lowercase, \\b\\w+\\b words, NLTK English stopwords out."""
    return [w for w in WORD.findall(text.lower()) if w not in STOP]


def reference_pipeline(train: list[str], texts: list[str], maxlen: int = 256, min_freq: int = 5):
    counts: Counter[str] = Counter()
    for t in train:
        counts.update(reference_tokens(t))
    vocab = ["<pad>", "<unk>"] + sorted(w for w, c in counts.items() if c >= min_freq)
    index = {w: i for i, w in enumerate(vocab)}
    ids = np.zeros((len(texts), maxlen), dtype=np.int32)
    for row, t in enumerate(texts):
        seq = [index.get(w, 1) for w in reference_tokens(t)][:maxlen]
        ids[row, : len(seq)] = seq
    return vocab, ids


def test_word_char_table_matches_python_re():
    """Regenerate rust/core/src/text/tables.rs from this loop if it fails
    (e.g. on a Python with a newer Unicode database)."""
    ranges = _native.word_char_table()
    table = np.zeros(0x110000, dtype=bool)
    for lo, hi in ranges:
        table[lo : hi + 1] = True
    word = re.compile(r"\w")
    expected = np.array(
        [0xD800 <= cp <= 0xDFFF or word.match(chr(cp)) is not None for cp in range(0x110000)]
    )
    expected[0xD800:0xE000] = False  # surrogates are not Rust chars
    assert table.sum() > 100_000
    mismatches = np.flatnonzero(table != expected)
    assert mismatches.size == 0, [hex(c) for c in mismatches[:20]]


def test_seed004_tokens_on_hard_texts():
    tok = Tokenizer.from_preset("seed004")
    for text in HARD_TEXTS + ["It's the İstanbul ΣΊΣΥΦΟΣ Ǆ ǅ ǆ ﬃ 𝐀𝐁 Ⅻ ⅻ"]:
        assert tok.tokenize(text) == reference_tokens(text), text


def test_seed004_preset_is_the_documented_config():
    tok = Tokenizer.from_preset("seed004")
    assert {k: tok.get_config()[k] for k in SEED_004} == SEED_004
    assert tok.get_config()["output_sequence_length"] == 256


@pytest.mark.slow
def test_seed004_matches_plain_python_on_full_aclimdb(imdb_train_texts, imdb_all_texts):
    vocab_ref, ids_ref = reference_pipeline(imdb_train_texts, imdb_all_texts)
    tok = Tokenizer.from_preset("seed004").fit(imdb_train_texts)
    ids = tok.transform(imdb_all_texts)
    assert tok.get_vocabulary() == vocab_ref
    assert len(vocab_ref) > 20000
    assert ids.shape == (50000, 256) and ids.dtype == np.int32
    bad = np.flatnonzero((ids != ids_ref).any(axis=1))
    assert bad.size == 0, f"rows differ: {bad[:10]}"
    # non-ASCII reviews exist and take the Unicode path
    assert any(not t.isascii() for t in imdb_all_texts)
