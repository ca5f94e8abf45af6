"""imdbfast.Tokenizer against keras.layers.TextVectorization: same vocabulary,
same ids, on the full aclImdb and on hard synthetic text."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")

from imdbfast import Tokenizer  # noqa: E402


def _text_vectorization(train, texts, **kwargs):
    layer = keras.layers.TextVectorization(**kwargs)
    layer.adapt(tf.constant(train))
    ids = np.concatenate(
        [np.asarray(layer(tf.constant(texts[i : i + 10000]))) for i in range(0, len(texts), 10000)]
    ) if texts else np.zeros((0, kwargs.get("output_sequence_length") or 0), np.int64)
    return layer.get_vocabulary(), ids


@pytest.mark.slow
@pytest.mark.parametrize(("max_tokens", "length"), [(20000, 600), (10000, 150)])
def test_full_aclimdb_matches_text_vectorization(imdb_train_texts, imdb_all_texts, max_tokens, length):
    vocab_tv, ids_tv = _text_vectorization(
        imdb_train_texts, imdb_all_texts, max_tokens=max_tokens, output_sequence_length=length
    )
    tok = Tokenizer(max_tokens=max_tokens, output_sequence_length=length).fit(imdb_train_texts)
    ids = tok.transform(imdb_all_texts)
    assert tok.get_vocabulary() == vocab_tv
    assert len(vocab_tv) == max_tokens
    assert ids.dtype == np.int32 and ids.shape == (50000, length)
    mismatched_rows = np.flatnonzero((ids != ids_tv).any(axis=1))
    assert mismatched_rows.size == 0, f"rows differ: {mismatched_rows[:10]}"
    # the test is not vacuous: OOV ids and padding both occur
    assert (ids == 1).any() and (ids == 0).any()


HARD_TEXTS = [
    "",
    " ",
    "\t\n\r\x0b\x0c",
    "Hello, World!!! It's... a TEST.",
    "!!!???...,,,;;;:::---___",
    "a.b.c a-b-c a_b_c a'b'c (a) [b] {c} <d> \"e\" `f` ~g~ |h| \\i\\ ^j^ @k #l $m %n &o *p +q =r /s",
    "non\xa0breaking\u2000space\u2003em\u3000ideographic\u200bzero\u2028line\u2029para\x85nel",
    "unit\x1cseparators\x1dgroup\x1erecord\x1funit",
    "ÉCOLE École ÀÉÎÕÜ ÑANDÚ straße STRASSE İstanbul ΣΊΣΥΦΟΣ Кино ФИЛЬМ",
    "emoji 😀👍🏽 café naïve coöperate résumé",
    "日本語のテキスト 中文 한국어 עברית العربية",
    "K\u212a kelvin Ω\u2126 ohm ﬁ ligature",
    "tabs\tand\nnew\nlines\r\nand  double  spaces  ",
    "<br /><br />HTML<br/>breaks<BR>here",
    "numbers 1,000,000 3.14 -42 +7 1e10 ½ ² ٣",
    "the the the THE The tHe",
    "x" * 5000,
    " ".join(f"w{i % 997}" for i in range(20000)),  # a very long review
    "MiXeD CaSe ÅNGSTRÖM",
    "\u0130\u0131 dotted dotless",
]


@pytest.mark.parametrize("standardize", ["lower_and_strip_punctuation", "lower", "strip_punctuation", None])
@pytest.mark.parametrize(("max_tokens", "length"), [(None, 40), (12, 7)])
def test_hard_synthetic_texts_match_text_vectorization(standardize, max_tokens, length):
    train = HARD_TEXTS * 2 + HARD_TEXTS[3:9]
    vocab_tv, ids_tv = _text_vectorization(
        train, HARD_TEXTS, max_tokens=max_tokens, output_sequence_length=length, standardize=standardize
    )
    tok = Tokenizer(max_tokens=max_tokens, output_sequence_length=length, standardize=standardize)
    ids = tok.fit(train).transform(HARD_TEXTS)
    assert tok.get_vocabulary() == vocab_tv
    np.testing.assert_array_equal(ids, ids_tv)


def test_ragged_matches_text_vectorization():
    layer = keras.layers.TextVectorization()
    layer.adapt(tf.constant(HARD_TEXTS))
    expected = [np.asarray(layer(tf.constant([t])))[0] for t in HARD_TEXTS]
    expected = [row[: np.max(np.flatnonzero(row), initial=-1) + 1] for row in expected]
    tok = Tokenizer().fit(HARD_TEXTS)
    got = tok.transform(HARD_TEXTS)
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        assert g.dtype == np.int32
        np.testing.assert_array_equal(g, e)
    values, row_splits = tok.transform_ragged(HARD_TEXTS)
    assert values.dtype == np.int32 and row_splits.dtype == np.int64
    np.testing.assert_array_equal(values, np.concatenate(expected))
    np.testing.assert_array_equal(np.diff(row_splits), [len(e) for e in expected])
