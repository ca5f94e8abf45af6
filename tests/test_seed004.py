"""Seed 004's pipeline as a Tokenizer configuration, against seed 004's own
steps, transcribed line by line, on the full aclImdb.

Seed 004 (one LSTM 100 over its own vocabulary) tokenizes with
``tokenize(text) = re.findall(r"\\b\\w+\\b", text.lower())`` and builds its
vocabulary with ``build_vocab``: a ``Counter`` of the tokens of the training
texts that are not NLTK English stopwords, the words seen at least 5 times,
sorted, after ``"<pad>"`` = 0 and ``"<unk>"`` = 1. A review is encoded as
``[vocab.get(w, 1) for w in tokenize(text)]``, truncated to 256 and padded
with 0 at the end: stopwords stay in the text and, never being in the
vocabulary, become ``"<unk>"``.
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pytest

from imdbfast import Tokenizer, _native
from imdbfast.stopwords import ENGLISH
from imdbfast.tokenizer import SEED_004

from test_keras_parity import HARD_TEXTS

STOP_WORDS = set(ENGLISH)  # stopwords.words("english")
MAX_LEN = 256


# ---- seed 004, transcribed ------------------------------------------------


def tokenize(text):
    return re.findall(r"\b\w+\b", text.lower())


def build_vocab(texts, min_freq=5):
    counter = Counter()
    for text in texts:
        counter.update(w for w in tokenize(text) if w not in STOP_WORDS)
    vocab = {"<pad>": 0, "<unk>": 1}
    for word in sorted(w for w, c in counter.items() if c >= min_freq):
        vocab[word] = len(vocab)
    return vocab


def encode(text, vocab, max_len=MAX_LEN):
    ids = [vocab.get(w, vocab["<unk>"]) for w in tokenize(text)][:max_len]
    return ids + [vocab["<pad>"]] * (max_len - len(ids))


# ----------------------------------------------------------------------------


def reference_pipeline(train: list[str], texts: list[str]):
    """Seed 004's vocabulary (as a list in id order) and id matrix."""
    vocab = build_vocab(train)
    ids = np.array([encode(t, vocab) for t in texts], dtype=np.int32).reshape(-1, MAX_LEN)
    return list(vocab), ids


def reference_dropping_stopwords(train: list[str], texts: list[str]):
    """The same pipeline with stopwords also dropped from the texts (what
    ``drop_stopwords=True`` asks for)."""
    vocab = build_vocab(train)
    rows = []
    for t in texts:
        seq = [vocab.get(w, 1) for w in tokenize(t) if w not in STOP_WORDS][:MAX_LEN]
        rows.append(seq + [0] * (MAX_LEN - len(seq)))
    return list(vocab), np.array(rows, dtype=np.int32).reshape(-1, MAX_LEN)


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
    dropping = Tokenizer.from_preset("seed004", drop_stopwords=True)
    for text in HARD_TEXTS + ["It's the İstanbul ΣΊΣΥΦΟΣ Ǆ ǅ ǆ ﬃ 𝐀𝐁 Ⅻ ⅻ"]:
        assert tok.tokenize(text) == tokenize(text), text
        assert dropping.tokenize(text) == [w for w in tokenize(text) if w not in STOP_WORDS]


def test_seed004_stopwords_encode_as_unk():
    train = ["the film was good and the cast was good"] * 5
    tok = Tokenizer.from_preset("seed004").fit(train)
    vocab, ids = reference_pipeline(train, ["The film, the cast!", "good"])
    assert tok.get_vocabulary() == vocab == ["<pad>", "<unk>", "cast", "film", "good"]
    np.testing.assert_array_equal(tok.transform(["The film, the cast!", "good"]), ids)
    assert ids[0, :4].tolist() == [1, 3, 1, 2]
    dropping = Tokenizer.from_preset("seed004", drop_stopwords=True).fit(train)
    assert dropping.get_vocabulary() == vocab
    assert dropping.transform(["The film, the cast!"])[0, :3].tolist() == [3, 2, 0]


def test_seed004_preset_is_the_documented_config():
    tok = Tokenizer.from_preset("seed004")
    assert {k: tok.get_config()[k] for k in SEED_004} == SEED_004
    assert tok.get_config()["output_sequence_length"] == 256


@pytest.mark.slow
def test_seed004_matches_plain_python_on_full_aclimdb(imdb_train_texts, imdb_all_texts):
    """Fit on the 25k train reviews, transform all 50k, as seed 004 does."""
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
    # stopwords are <unk> in the sequences: "the" opens many reviews
    assert (ids_ref[:, 0] == 1).sum() > 5000


@pytest.mark.slow
def test_dropping_stopwords_matches_on_aclimdb_reviews(imdb_train_texts, imdb_all_texts):
    """drop_stopwords=True: the same vocabulary, stopwords gone from the rows
    (checked on 3,000 reviews, the vocabulary fitted on all 25k)."""
    texts = imdb_all_texts[::17][:3000]
    vocab_ref, ids_ref = reference_dropping_stopwords(imdb_train_texts, texts)
    tok = Tokenizer.from_preset("seed004", drop_stopwords=True).fit(imdb_train_texts)
    assert tok.get_vocabulary() == vocab_ref
    np.testing.assert_array_equal(tok.transform(texts), ids_ref)
