"""TextVectorization's whole surface on imdbfast.Tokenizer, on small data:
split modes and callables, n-grams, the bag output modes (multi_hot, count,
tf_idf, one_hot), pad_to_max_tokens, sparse output, vocabulary lists and
files, idf weights, and the errors Keras raises. The full-data equality checks
are in test_keras_parity.py."""

from __future__ import annotations

import os
import pickle
import re

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")

from imdbfast import Tokenizer  # noqa: E402
from imdbfast._options import KerasValueError  # noqa: E402

from test_keras_parity import HARD_TEXTS  # noqa: E402

TRAIN = HARD_TEXTS * 2 + HARD_TEXTS[3:9] + [
    "the cat sat on the mat",
    "the dog sat on the log",
    "The cat and the dog",
]
TEXTS = HARD_TEXTS + ["the cat sat", "a dog on a mat", "cat cat cat dog"]


def keras_layer(train=TRAIN, **kwargs):
    layer = keras.layers.TextVectorization(**kwargs)
    if kwargs.get("vocabulary") is None:
        layer.adapt(tf.constant(train))
    return layer


def keras_call(layer, texts=TEXTS):
    out = layer(tf.constant(texts))
    if isinstance(out, tf.SparseTensor):
        out = tf.sparse.to_dense(out)
    return np.asarray(out)


# ---------------------------------------------------------------- int mode


@pytest.mark.parametrize("ngrams", [2, (1, 3), (2,)])
@pytest.mark.parametrize("max_tokens", [None, 15])
def test_int_ngrams_match(ngrams, max_tokens):
    layer = keras_layer(ngrams=ngrams, max_tokens=max_tokens, output_sequence_length=30)
    tok = Tokenizer(ngrams=ngrams, max_tokens=max_tokens, output_sequence_length=30)
    tok.fit(TRAIN)
    assert tok.get_vocabulary() == layer.get_vocabulary()
    np.testing.assert_array_equal(tok.transform(TEXTS), keras_call(layer))


def test_character_split_matches():
    layer = keras_layer(split="character", output_sequence_length=40)
    tok = Tokenizer(split="character", output_sequence_length=40).fit(TRAIN)
    assert tok.get_vocabulary() == layer.get_vocabulary()
    np.testing.assert_array_equal(tok.transform(TEXTS), keras_call(layer))


def test_split_none_and_the_empty_text():
    texts = ["The cat sat", "", "!!!", " ", "the the dog!"]
    layer = keras_layer(train=texts, split=None)
    tok = Tokenizer(split=None).fit(texts)
    assert tok.get_vocabulary() == layer.get_vocabulary()
    expected = keras_call(layer, texts)  # shape (5,): one id per text
    rows = tok.transform(texts)
    assert [r.tolist() for r in rows] == [[int(i)] for i in expected]
    assert rows[1].tolist() == [0] and rows[2].tolist() == [0]
    padded = Tokenizer(split=None, output_sequence_length=3).fit(texts).transform(texts)
    np.testing.assert_array_equal(padded[:, 0], expected)
    assert (padded[:, 1:] == 0).all()


def test_callables():
    def upper(text):
        return text.upper()

    tok = Tokenizer(standardize=upper, output_sequence_length=4).fit(["a b", "B c"])
    assert tok.get_vocabulary() == ["", "[UNK]", "B", "C", "A"]
    assert tok.tokenize("x-y z") == ["X-Y", "Z"]

    def halves(text):
        return [text[: len(text) // 2], text[len(text) // 2 :]]

    tok = Tokenizer(split=halves, ngrams=2).fit(["Ab,Cd"])
    assert tok.tokenize("Ab,Cd") == ["ab", "cd"]
    assert sorted(tok.get_vocabulary()[2:]) == ["ab", "ab cd", "cd"]
    # The callable sees the standardized text, empty tokens are dropped.
    assert Tokenizer(split=lambda t: t.split("x")).tokenize("AXxB") == ["a", "b"]


@pytest.mark.parametrize(
    "pattern",
    [r"[a-z]+", r"\w+", r"\b\w+\b", r"\d+|[^\W\d]+", r"(?s).", r"[^ ]+", r"\S+", r"\w{3,}?"],
)
def test_regex_split_is_python_finditer(pattern):
    compiled = re.compile(pattern)
    tok = Tokenizer(split=compiled, standardize=None)
    for text in TEXTS:
        expected = [m.group(0) for m in compiled.finditer(text) if m.group(0)]
        assert tok.tokenize(text) == expected, (pattern, text)


@pytest.mark.parametrize(
    "pattern",
    [r"(?i)abc", r"a$", r"\bfoo", r"(?<=a)b", r"(a)\1", r"(?=x)", r"a++"],
)
def test_regex_split_refuses_what_rust_cannot_mean_exactly(pattern):
    try:
        compiled = re.compile(pattern)
    except re.error:
        pytest.skip("not a pattern on this Python")
    with pytest.raises(ValueError, match="cannot be run by the Rust regex engine"):
        Tokenizer(split=compiled)


# ---------------------------------------------------------------- bag modes


@pytest.mark.parametrize("output_mode", ["multi_hot", "count", "tf_idf"])
@pytest.mark.parametrize("ngrams", [None, 2])
@pytest.mark.parametrize(("max_tokens", "pad"), [(None, False), (12, False), (40, True)])
def test_bag_modes_match(output_mode, ngrams, max_tokens, pad):
    kwargs = dict(output_mode=output_mode, ngrams=ngrams, max_tokens=max_tokens, pad_to_max_tokens=pad)
    layer = keras_layer(**kwargs)
    tok = Tokenizer(**kwargs).fit(TRAIN)
    assert tok.get_vocabulary() == layer.get_vocabulary()
    assert tok.get_vocabulary(include_special_tokens=False) == layer.get_vocabulary(False)
    expected = keras_call(layer)
    dense = tok.transform(TEXTS)
    assert dense.dtype == np.float32 and dense.shape == expected.shape
    np.testing.assert_allclose(dense, expected, rtol=1e-6, atol=0)
    sparse = Tokenizer(sparse=True, **kwargs).fit(TRAIN).transform(TEXTS)
    assert sparse.format == "csr" and sparse.dtype == np.float32
    np.testing.assert_array_equal(sparse.toarray(), dense)
    assert sparse.has_sorted_indices


def test_one_hot_matches():
    texts = ["The cat sat", "", "dog", "the cat sat", "new"]
    layer = keras_layer(train=texts[:4], output_mode="one_hot", split=None)
    tok = Tokenizer(output_mode="one_hot", split=None).fit(texts[:4])
    assert tok.get_vocabulary() == layer.get_vocabulary()
    np.testing.assert_array_equal(tok.transform(texts), keras_call(layer, texts))


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"ngrams": 2}, {"max_tokens": 6, "pad_to_max_tokens": True}, {"split": "character"}],
    ids=["whitespace", "bigrams", "padded", "character"],
)
def test_one_hot_with_a_split_matches(kwargs):
    """Keras 3 returns a ragged (texts, tokens, columns) one-hot tensor."""
    texts = ["The cat sat", "", "dog zz cat", "the cat sat on a mat", "new"]
    layer = keras_layer(train=texts[:4], output_mode="one_hot", **kwargs)
    expected = layer(tf.constant(texts))
    assert isinstance(expected, tf.RaggedTensor)
    expected_rows = [np.asarray(row, dtype=np.float32) for row in expected.to_list()]
    tok = Tokenizer(output_mode="one_hot", **kwargs).fit(texts[:4])
    assert tok.get_vocabulary() == layer.get_vocabulary()
    rows = tok.transform(texts)
    sparse_rows = Tokenizer(output_mode="one_hot", sparse=True, **kwargs).fit(
        texts[:4]).transform(texts)
    assert len(rows) == len(sparse_rows) == len(texts)
    for row, sparse_row, want in zip(rows, sparse_rows, expected_rows):
        want = want.reshape(-1, row.shape[1])
        assert row.dtype == np.float32
        np.testing.assert_array_equal(row, want)
        np.testing.assert_array_equal(sparse_row.toarray(), want)


def test_sparse_tf_idf_matches_tf_keras():
    """Keras 3 crashes on sparse=True with tf_idf; tf-keras' layer computes it."""
    tf_keras = pytest.importorskip("tf_keras")
    layer = tf_keras.layers.TextVectorization(output_mode="tf_idf", ngrams=2, sparse=True)
    layer.adapt(tf.constant(TRAIN))
    expected = tf.sparse.to_dense(layer(tf.constant(TEXTS))).numpy()
    tok = Tokenizer(output_mode="tf_idf", ngrams=2, sparse=True).fit(TRAIN)
    assert tok.get_vocabulary() == layer.get_vocabulary()
    np.testing.assert_allclose(tok.transform(TEXTS).toarray(), expected, rtol=1e-6)


# -------------------------------------------------------------- vocabulary=


def test_idf_weights_property_is_a_read_only_copy():
    """Tokenizer.idf_weights: to_dict()'s weights, read-only; None otherwise."""
    corpus = ["the cat sat", "the dog sat down", "a cat"]
    tok = Tokenizer(output_mode="tf_idf").fit(corpus)
    weights = tok.idf_weights
    assert weights is not None and weights.dtype == np.float64
    np.testing.assert_array_equal(weights, tok.to_dict()["idf_weights"])
    assert weights.shape == (tok.vocabulary_size(),)
    with pytest.raises(ValueError, match="read-only"):
        weights[1] = 0.0
    with pytest.raises(AttributeError):
        tok.idf_weights = weights  # type: ignore[misc]
    assert Tokenizer(output_mode="tf_idf").idf_weights is None  # not fitted
    assert Tokenizer(output_mode="count").fit(corpus).idf_weights is None
    # Given weights come back as given (OOV column first).
    again = Tokenizer(output_mode="tf_idf", vocabulary=tok.get_vocabulary(),
                      idf_weights=weights)
    np.testing.assert_allclose(again.idf_weights, weights)


@pytest.mark.parametrize("with_specials", [False, True])
@pytest.mark.parametrize("output_mode", ["int", "count", "tf_idf"])
def test_vocabulary_list_and_idf_weights(with_specials, output_mode):
    words = ["the", "cat", "sat", "dog", "the cat"]
    vocab = words
    idf = [0.5, 1.5, 2.0, 0.25, 3.0]
    if with_specials:
        vocab = (["", "[UNK]"] if output_mode == "int" else ["[UNK]"]) + words
        idf = [9.0] * (len(vocab) - len(words)) + idf
    kwargs = dict(output_mode=output_mode, ngrams=2, vocabulary=vocab)
    if output_mode == "tf_idf":
        kwargs["idf_weights"] = idf
    if output_mode == "int":
        kwargs["output_sequence_length"] = 12
    layer = keras_layer(**kwargs)
    tok = Tokenizer(**kwargs)
    assert tok.is_fitted
    assert tok.get_vocabulary() == layer.get_vocabulary()
    np.testing.assert_allclose(tok.transform(TEXTS), keras_call(layer), rtol=1e-6)
    with pytest.raises(ValueError, match="built with a `vocabulary`"):
        tok.fit(TRAIN)
    clone = pickle.loads(pickle.dumps(tok))
    np.testing.assert_array_equal(clone.transform(TEXTS), tok.transform(TEXTS))


@pytest.mark.parametrize("output_mode", ["int", "multi_hot"])
def test_vocabulary_file(tmp_path, output_mode):
    path = tmp_path / "vocab.txt"
    path.write_bytes("the\r\ncat\nsat\nnaïve\n".encode())
    kwargs = dict(output_mode=output_mode)
    layer = keras_layer(vocabulary=str(path), **kwargs)
    tok = Tokenizer(vocabulary=path, **kwargs)
    assert tok.get_vocabulary() == layer.get_vocabulary()
    expected = keras_call(layer, ["the cat sat on a naïve mat"])
    got = tok.transform(["the cat sat on a naïve mat"])
    if output_mode == "int":
        got = got[0]
        expected = expected[0]
    np.testing.assert_array_equal(got, expected)
    assert tok.get_config()["vocabulary"] is None  # as Keras records a file
    (tmp_path / "empty_line.txt").write_text("a\n\nb\n")
    with pytest.raises(ValueError, match="an empty line 2"):
        Tokenizer(vocabulary=tmp_path / "empty_line.txt")


def test_set_vocabulary_and_round_trips(tmp_path):
    tok = Tokenizer(output_mode="tf_idf", ngrams=2, max_tokens=30, pad_to_max_tokens=True)
    tok.fit(TRAIN)
    path = tmp_path / "tok.json"
    tok.save(path)
    loaded = Tokenizer.load(path)
    np.testing.assert_array_equal(loaded.transform(TEXTS), tok.transform(TEXTS))
    other = Tokenizer(output_mode="tf_idf", ngrams=2, max_tokens=30, pad_to_max_tokens=True)
    vocab = tok.get_vocabulary()
    weights = tok.to_dict()["idf_weights"]
    other.set_vocabulary(vocab, idf_weights=weights)
    np.testing.assert_array_equal(other.transform(TEXTS), tok.transform(TEXTS))
    split = Tokenizer(split=re.compile(r"[a-z]+")).fit(TRAIN)
    split.save(tmp_path / "split.json")
    assert Tokenizer.load(tmp_path / "split.json").tokenize("ab1cd") == ["ab", "cd"]


# -------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"ngrams": 0}, ValueError, "`ngrams` must be >= 1. Received: ngrams=0"),
        ({"ngrams": (1, 0)}, ValueError, "Received: ngrams=\\(1, 0\\)"),
        ({"ngrams": ()}, ValueError, "Received: ngrams=\\(\\)"),
        ({"ngrams": (1, "a")}, ValueError, "must be None, an integer, or a tuple"),
        ({"ngrams": 1.5}, ValueError, "must be None, an integer, or a tuple"),
        ({"sparse": True}, ValueError, "`sparse` may only be true if"),
        ({"output_mode": "words"}, ValueError, "`output_mode` must be one of"),
        ({"split": "character-ish"}, ValueError, "Received: split='character-ish'"),
        ({"split": 3}, ValueError, "Received: split=3"),
        ({"standardize": 3}, ValueError, "`standardize` must be one of"),
        ({"output_sequence_length": 2.0}, ValueError, "must be either None or an integer"),
        ({"output_mode": "count", "output_sequence_length": 5}, ValueError, "must not be set"),
        ({"output_mode": "count", "pad_to_max_tokens": True}, ValueError, "must set `max_tokens`"),
        ({"idf_weights": [1.0]}, ValueError, "should only be set if `output_mode` is 'tf_idf'"),
        ({"output_mode": "tf_idf", "vocabulary": ["a"]}, ValueError, "`idf_weights` argument must"),
        (
            {"output_mode": "tf_idf", "vocabulary": ["a", "b"], "idf_weights": [1.0]},
            ValueError,
            "Received: 1 weights for 2 vocabulary entries",
        ),
        ({"vocabulary": ["a", "b", "a"]}, ValueError, "more than once .* Received: 1 repeated"),
        ({"vocabulary": ["a", "[UNK]"]}, ValueError, "Received: '\\[UNK\\]' at index 1"),
        ({"vocabulary": ["[UNK]", ""]}, ValueError, "Received: '\\[UNK\\]' at index 0"),
        ({"output_mode": "count", "vocabulary": ["a", ""]}, ValueError, "Received: '' at index 1"),
        ({"vocabulary": ["a", 3]}, TypeError, "Received: int at index 1"),
        ({"output_mode": "count", "oov_token": None}, ValueError, "Received: oov_token=None"),
        ({"encoding": "klingon"}, ValueError, "Received: encoding='klingon'"),
        ({"vocab_order": "frequency_first_seen", "ngrams": 2}, ValueError, "needs output_mode='int'"),
    ],
)
def test_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        Tokenizer(**kwargs)


def test_keras_value_errors_are_type_errors_too():
    for kwargs in ({"split": 3}, {"output_sequence_length": 2.0}, {"ngrams": "2"}):
        with pytest.raises(TypeError):
            Tokenizer(**kwargs)
        with pytest.raises(KerasValueError):
            Tokenizer(**kwargs)


def test_callables_that_return_the_wrong_type():
    with pytest.raises(TypeError, match="`standardize` must return a str. Received: bytes"):
        Tokenizer(standardize=lambda t: t.encode()).fit(["a"])
    with pytest.raises(TypeError, match="`split` must return a list or tuple of str. Received: str"):
        Tokenizer(split=lambda t: t).fit(["a"])
    with pytest.raises(TypeError, match="Received an item of type int"):
        Tokenizer(split=lambda t: [t, 1]).fit(["a"])


def test_huge_review_and_punctuation_only_texts():
    huge = ("A fine, long film! " * 6_000_000)[: 100 * 2**20]
    texts = [huge, "!!!...???", ""]
    tok = Tokenizer(output_sequence_length=4).fit(texts)
    assert tok.get_vocabulary() == ["", "[UNK]", "a", "fine", "long", "film"] or len(
        tok.get_vocabulary()
    ) == 6
    assert tok.transform(texts).tolist()[1:] == [[0, 0, 0, 0], [0, 0, 0, 0]]
    bag = Tokenizer(output_mode="count", ngrams=2, sparse=True).fit(texts)
    out = bag.transform(texts)
    assert out.shape[0] == 3 and out[1].nnz == 0 and out[2].nnz == 0
    assert out[0].sum() > 10_000_000
