"""imdbfast.pad_sequences against keras.utils.pad_sequences."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from imdbfast import pad_sequences

keras = pytest.importorskip("keras")

DTYPES = ["int32", "int64", "float32", "float64", "int16", "float16"]
SIDES = ["pre", "post"]


def _sequence(draw_kind, values):
    return values if draw_kind == "list" else (tuple(values) if draw_kind == "tuple" else np.array(values, dtype=draw_kind))


@st.composite
def cases(draw):
    n = draw(st.integers(0, 6))
    seqs = []
    for _ in range(n):
        values = draw(st.lists(st.integers(-100, 100), max_size=9))
        kind = draw(st.sampled_from(["list", "list", "tuple", "int32", "int64", "float64"]))
        seqs.append(_sequence(kind, values))
    maxlen = draw(st.one_of(st.none(), st.integers(1, 10))) if n else draw(st.integers(1, 10))
    dtype = draw(st.sampled_from(DTYPES))
    value = draw(st.one_of(st.integers(-5, 5), st.sampled_from([0.0, 0.5, -1.5, 2.0])))
    return seqs, maxlen, dtype, draw(st.sampled_from(SIDES)), draw(st.sampled_from(SIDES)), value


@settings(max_examples=400, deadline=None)
@given(cases())
def test_matches_keras(case):
    seqs, maxlen, dtype, padding, truncating, value = case
    expected = keras.utils.pad_sequences(seqs, maxlen, dtype, padding, truncating, value)
    got = pad_sequences(seqs, maxlen=maxlen, dtype=dtype, padding=padding, truncating=truncating, value=value)
    assert got.dtype == expected.dtype
    assert got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("padding", SIDES)
@pytest.mark.parametrize("truncating", SIDES)
def test_sequences_of_vectors_and_strings(padding, truncating):
    vecs = [np.ones((3, 2)), np.zeros((0, 2)), np.arange(10.0).reshape(5, 2)]
    np.testing.assert_array_equal(
        pad_sequences(vecs, 4, "float32", padding, truncating, -1.0),
        keras.utils.pad_sequences(vecs, 4, "float32", padding, truncating, -1.0),
    )
    words = [["a", "b"], [], ["c", "d", "e"]]
    np.testing.assert_array_equal(
        pad_sequences(words, 2, object, padding, truncating, "<pad>"),
        keras.utils.pad_sequences(words, 2, object, padding, truncating, "<pad>"),
    )


def test_defaults_and_large_input():
    seqs = [list(range(i % 50)) for i in range(5000)]
    got = pad_sequences(seqs)
    np.testing.assert_array_equal(got, keras.utils.pad_sequences(seqs))
    assert got.dtype == np.int32 and got.shape == (5000, 49)


def test_empty_input():
    assert pad_sequences([], maxlen=3).shape == (0, 3)
    assert pad_sequences([]).shape == (0, 0)  # Keras raises here
    assert pad_sequences([[1, 2]], maxlen=0, truncating="pre").shape == (1, 0)


def test_errors():
    with pytest.raises(ValueError, match='`padding` must be "pre" or "post"'):
        pad_sequences([[1]], padding="middle")
    with pytest.raises(ValueError, match='`truncating` must be "pre" or "post"'):
        pad_sequences([[1]], truncating="both")
    with pytest.raises(ValueError, match="`maxlen` must be >= 0"):
        pad_sequences([[1]], maxlen=-1)
    with pytest.raises(ValueError, match="non-iterable"):
        pad_sequences([[1], 5])
    with pytest.raises(ValueError, match="is not compatible with `value`"):
        pad_sequences([[1]], value="x")
    with pytest.raises(ValueError, match="`sequences` must be iterable"):
        pad_sequences(iter([[1]]))
    with pytest.raises(ValueError, match="different from expected shape"):
        pad_sequences([np.ones((2, 2)), np.ones((2, 3))], dtype="float32")
