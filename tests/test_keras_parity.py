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


# ---- bags of n-grams and given vocabularies, on the full aclImdb -----------

BAG_SAMPLE = slice(None, None, 10)  # every 10th of the 50k reviews: 5,000 rows


def _keras_rows(layer, texts, batch=500):
    """The layer's dense output, batch by batch (a full 50k x 20k matrix would
    be 8 GB of int64)."""
    for i in range(0, len(texts), batch):
        yield i, np.asarray(layer(tf.constant(texts[i : i + batch])))


@pytest.mark.slow
def test_full_aclimdb_bags_match_text_vectorization(imdb_train_texts, imdb_all_texts):
    """count, multi_hot and tf_idf with max_tokens=20000 and bigrams: fit on
    the 25k train reviews, then every 10th of all 50k reviews compared row by
    row. Keras' vocabulary for the bag modes does not depend on which bag mode
    it is (IndexLookup ranks the same counts, OOV first), so one adapted
    layer per kind of weight is enough: the tf_idf layer is adapted, and the
    count and multi_hot layers take its vocabulary."""
    kwargs = dict(max_tokens=20000, ngrams=2)
    tv = keras.layers.TextVectorization(output_mode="tf_idf", **kwargs)
    tv.adapt(tf.constant(imdb_train_texts))
    vocab = tv.get_vocabulary()
    texts = imdb_all_texts[BAG_SAMPLE]
    for mode in ("tf_idf", "count", "multi_hot"):
        tok = Tokenizer(output_mode=mode, sparse=True, **kwargs).fit(imdb_train_texts)
        assert tok.get_vocabulary() == vocab, mode
        layer = tv if mode == "tf_idf" else keras.layers.TextVectorization(
            output_mode=mode, vocabulary=vocab, **kwargs
        )
        ours = tok.transform(texts)
        assert ours.shape == (len(texts), 20000)
        for i, expected in _keras_rows(layer, texts):
            got = ours[i : i + len(expected)].toarray()
            if mode == "tf_idf":
                # float32 products of the same counts and weights; the OOV
                # weight is a mean, summed in another order than TensorFlow.
                np.testing.assert_allclose(got, expected, rtol=1e-6, atol=0)
            else:
                np.testing.assert_array_equal(got, expected)
    assert any(" " in t for t in vocab[1:100])  # bigrams among the top entries


@pytest.mark.slow
def test_full_aclimdb_given_vocabulary_list_and_file(tmp_path, imdb_train_texts, imdb_all_texts):
    """vocabulary= as a list and as a file (int ids, L=600) on all 50k reviews."""
    tv = keras.layers.TextVectorization(max_tokens=20000)
    tv.adapt(tf.constant(imdb_train_texts))
    words = tv.get_vocabulary(include_special_tokens=False)
    path = tmp_path / "vocabulary.txt"
    path.write_text("\n".join(words) + "\n", encoding="utf-8")
    for given in (words, str(path)):
        layer = keras.layers.TextVectorization(vocabulary=given, output_sequence_length=600)
        tok = Tokenizer(vocabulary=given, output_sequence_length=600)
        assert tok.get_vocabulary() == layer.get_vocabulary() == [""] + ["[UNK]"] + words
        ids = tok.transform(imdb_all_texts)
        for i, expected in _keras_rows(layer, imdb_all_texts, batch=10000):
            np.testing.assert_array_equal(ids[i : i + len(expected)], expected)
