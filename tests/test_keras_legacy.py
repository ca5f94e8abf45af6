"""The keras_legacy preset against the legacy Keras Tokenizer itself
(``tf_keras.preprocessing.text.Tokenizer``: ``fit_on_texts`` +
``texts_to_sequences``), with and without an ``oov_token``."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
text = pytest.importorskip("tf_keras.preprocessing.text")

from imdbfast import Tokenizer  # noqa: E402
from imdbfast.tokenizer import KERAS_LEGACY_FILTERS  # noqa: E402

from test_keras_parity import HARD_TEXTS  # noqa: E402

TEXTS = HARD_TEXTS + [
    "well-made, don't miss it; it's well made!",
    "b a c a b",  # ties: b is met before a
    "x\ry a\u00a0b tab\there new\nline",  # \r and NBSP do not split, \t and \n do
    "ΣΊΣΥΦΟΣ İstanbul Straße",
    "oov <OOV> [oov]",
]


def legacy(train, texts, **kwargs):
    """The tf-keras Tokenizer's word_index order and sequences."""
    ref = text.Tokenizer(**kwargs)
    ref.fit_on_texts(train)
    return ref, ref.texts_to_sequences(texts)


def ids(rows):
    return [r.tolist() for r in rows]


def test_default_filters_are_the_legacy_ones():
    assert KERAS_LEGACY_FILTERS == text.Tokenizer().filters


@pytest.mark.parametrize("num_words", [None, 2, 5, 30])
@pytest.mark.parametrize("oov_token", [None, "<OOV>"])
def test_matches_the_legacy_tokenizer(num_words, oov_token):
    ref, expected = legacy(TEXTS, TEXTS, num_words=num_words, oov_token=oov_token)
    tok = Tokenizer.from_preset("keras_legacy", max_tokens=num_words, oov_token=oov_token)
    assert ids(tok.fit(TEXTS).transform(TEXTS)) == expected
    # Ids beyond the specials follow word_index (ties in first-seen order).
    words = [w for w, _ in sorted(ref.word_index.items(), key=lambda x: x[1])]
    if oov_token is not None:
        assert words[0] == oov_token
        words = words[1:]
    learned = tok.get_vocabulary(include_special_tokens=False)
    assert learned == words[: len(learned)]
    for text_ in TEXTS[-5:]:
        assert tok.tokenize(text_) == text.text_to_word_sequence(text_)


@pytest.mark.slow
@pytest.mark.parametrize("oov_token", [None, "<OOV>"])
def test_full_aclimdb_matches_the_legacy_tokenizer(imdb_train_texts, imdb_all_texts, oov_token):
    """Fit on the 25k train reviews, transform all 50k."""
    _, expected = legacy(imdb_train_texts, imdb_all_texts, num_words=20000, oov_token=oov_token)
    tok = Tokenizer.from_preset("keras_legacy", max_tokens=20000, oov_token=oov_token)
    got = tok.fit(imdb_train_texts).transform(imdb_all_texts)
    assert len(got) == len(expected) == 50000
    bad = [i for i, (g, e) in enumerate(zip(got, expected)) if g.tolist() != e]
    assert not bad, f"rows differ: {bad[:10]}"
    assert max(int(r.max()) for r in got if len(r)) == 19999
    assert tok.vocabulary_size() == 20000
    if oov_token is not None:
        assert sum(int((r == 1).sum()) for r in got) > 10000
    assert any(not t.isascii() for t in imdb_all_texts)
    np.testing.assert_array_equal(
        tok.transform_ragged(imdb_all_texts[:50])[0], np.concatenate(got[:50])
    )
