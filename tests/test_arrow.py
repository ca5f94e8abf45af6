"""Arrow strings in (``fit``, ``count``, ``transform``, ``transform_ragged``)
and Arrow lists out (``transform_arrow``).

The reference is the list-of-str path, an independent and already-proven
one: the same texts as Python strs (a null as ``""``) must give the same
vocabulary and ids.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

from imdbfast import Tokenizer, _arrow, _native

pa = pytest.importorskip("pyarrow")
pd = pytest.importorskip("pandas")

TEXTS = [
    "The cat sat on the mat.",
    None,
    "A dog! the DOG, a cat?",
    "",
    "Éclair and crème brûlée, the end",
    "naïve café 😀 the",
    None,
]
PLAIN = ["" if t is None else t for t in TEXTS]

CONFIGS = [
    {},
    {"output_sequence_length": 5, "truncating": "pre"},
    {"vocab_order": "frequency_first_seen"},
    {"ngrams": 2},
    {"output_mode": "multi_hot"},
    {"output_mode": "tf_idf", "ngrams": 2, "sparse": True},
    {"standardize": str.upper},
]


class StreamExport:
    """A column that only exports an Arrow stream (as Polars' Series does)."""

    def __init__(self, array):
        self.array = array

    def __arrow_c_stream__(self, requested_schema=None):
        return self.array.__arrow_c_stream__(requested_schema)


class ArrayExport:
    """A column that only exports an Arrow array."""

    def __init__(self, array):
        self.array = array

    def __arrow_c_array__(self, requested_schema=None):
        return self.array.__arrow_c_array__(requested_schema)


def arrow_forms(texts: list[str | None]) -> dict[str, object]:
    """The same texts as every Arrow container the tokenizer takes."""
    padded = ["junk", *texts, "more junk"]
    return {
        "string": pa.array(texts, pa.string()),
        "large_string": pa.array(texts, pa.large_string()),
        "sliced": pa.array(padded, pa.string()).slice(1, len(texts)),
        "sliced_large": pa.array(padded, pa.large_string())[1 : 1 + len(texts)],
        "chunked": pa.chunked_array(
            [texts[:2], [], texts[2:5], texts[5:]], type=pa.string()
        ),
        "chunked_sliced": pa.chunked_array(
            [pa.array(padded, pa.large_string()).slice(1, 3),
             pa.array(padded, pa.large_string()).slice(4, len(texts) - 3)]
        ),
        "string_view": pa.array(texts, pa.string_view()),
        "pandas_string": pd.Series(texts, dtype="string[pyarrow]"),
        "pandas_arrow_dtype": pd.Series(texts, dtype=pd.ArrowDtype(pa.large_string())),
        "capsule_stream": StreamExport(pa.chunked_array([texts[:3], texts[3:]])),
        "capsule_array": ArrayExport(pa.array(texts, pa.large_string())),
    }


def same(a, b) -> bool:
    if hasattr(a, "toarray"):
        a, b = a.toarray(), b.toarray()
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return np.array_equal(a, b) and getattr(a, "dtype", None) == getattr(b, "dtype", None)


@pytest.mark.parametrize("config", CONFIGS, ids=str)
def test_every_arrow_form_equals_the_list_path(config):
    reference = Tokenizer(**config).fit(PLAIN)
    for name, texts in arrow_forms(TEXTS).items():
        tok = Tokenizer(**config).fit(texts)
        assert tok.get_vocabulary() == reference.get_vocabulary(), name
        assert same(tok.transform(texts), reference.transform(PLAIN)), name
        assert tok.to_dict() == reference.to_dict(), name
        counts = tok.count(texts)
        assert counts.documents == len(TEXTS)
        assert tok.fit_counts(counts).to_dict() == reference.to_dict(), name
        if tok.output_mode == "int":
            assert same(tok.transform_ragged(texts), reference.transform_ragged(PLAIN)), name
            assert same(tok.fit_transform(texts), Tokenizer(**config).fit_transform(PLAIN))


def test_empty_arrays_first():
    tok = Tokenizer().fit(["a b"])
    for texts in (pa.array([], pa.string()), pa.chunked_array([], pa.large_string())):
        values, row_splits = tok.transform_ragged(texts)
        assert len(values) == 0 and row_splits.tolist() == [0]
        assert tok.transform(texts) == []
        assert len(tok.transform_arrow(texts)) == 0
    assert Tokenizer().fit(pa.array([], pa.string())).get_vocabulary() == ["", "[UNK]"]
    all_null = pa.array([None, None], pa.string())
    assert tok.transform_ragged(all_null)[1].tolist() == [0, 0, 0]


def test_transform_arrow():
    tok = Tokenizer(output_sequence_length=4).fit(PLAIN)
    for name, texts in arrow_forms(TEXTS).items():
        out = tok.transform_arrow(texts)
        assert out.type == pa.large_list(pa.int32()), name
        values, row_splits = tok.transform_ragged(PLAIN)
        assert out.to_pylist() == [
            values[a:b].tolist() for a, b in zip(row_splits[:-1], row_splits[1:])
        ]
    assert tok.transform_arrow(PLAIN).to_pylist() == tok.transform_arrow(
        pa.array(PLAIN)
    ).to_pylist()
    with pytest.raises(ValueError, match="output_mode='int'"):
        Tokenizer(output_mode="count").fit(PLAIN).transform_arrow(PLAIN)


def test_list_array_shares_the_ragged_buffers():
    values = np.arange(6, dtype=np.int32)
    row_splits = np.array([0, 2, 2, 6], dtype=np.int64)
    out = _arrow.to_list_array(values, row_splits)
    out.validate(full=True)
    assert out.buffers()[1].address == row_splits.ctypes.data
    assert out.values.buffers()[1].address == values.ctypes.data
    assert out.to_pylist() == [[0, 1], [], [2, 3, 4, 5]]


@pytest.mark.parametrize("offset_type", [pa.string(), pa.large_string()])
def test_unaligned_buffers(offset_type):
    """Buffers that went through a byte stream (pickle protocol 5, Dask's
    transfers between processes) may start at an odd address: the texts
    are read all the same (the offsets, not the texts, are copied)."""
    import pickle

    texts = pa.array(PLAIN, offset_type)
    width = 8 if pa.types.is_large_string(offset_type) else 4
    offsets = np.frombuffer(texts.buffers()[1], dtype=np.uint8)[: (len(PLAIN) + 1) * width]
    raw = np.empty(len(offsets) + 3, dtype=np.uint8)
    raw[3:] = offsets  # starts 3 bytes past an aligned address
    unaligned = pa.Array.from_buffers(
        offset_type, len(PLAIN), [None, pa.py_buffer(raw[3:]), texts.buffers()[2]]
    )
    assert unaligned.buffers()[1].address % width != 0
    tok = Tokenizer().fit(PLAIN)
    for arrow in (unaligned, pickle.loads(pickle.dumps(pd.Series(unaligned), protocol=5))):
        assert tok.get_vocabulary() == Tokenizer().fit(arrow).get_vocabulary()
        got, expected = tok.transform_ragged(arrow), tok.transform_ragged(PLAIN)
        assert all(np.array_equal(a, b) for a, b in zip(got, expected))


def test_bad_arrow_input():
    tok = Tokenizer().fit(["a"])
    with pytest.raises(TypeError, match=r"string, large_string or string_view\. Received: int64"):
        tok.transform(pa.array([1, 2]))
    with pytest.raises(TypeError, match="Received: binary"):
        tok.fit(pa.array([b"a"], pa.binary()))
    with pytest.raises(TypeError, match="Received: list<item: string>"):
        tok.transform_ragged(pa.array([["a"]]))
    with pytest.raises(TypeError, match="string Array or a ChunkedArray"):
        tok.transform(pa.table({"t": ["a"]}))


def test_bad_buffers_are_refused():
    data = np.frombuffer("aé b".encode(), dtype=np.uint8)

    def strings(offsets, dtype=np.int32, nulls=None):
        return _native.ArrowStrings([(data, np.array(offsets, dtype=dtype), nulls)])

    tok = Tokenizer().fit(["a"])
    assert tok.transform(strings([0, 1, 3, 5]))[2].tolist() == [1]
    for offsets, match in [
        ([0, 2, 5], "does not start and end on characters"),
        ([0, 3, 99], "out of the 5 bytes"),
        ([3, 1, 5], "decrease"),
        ([0, -1, 5], "decrease"),
        ([-1, 5], "out of the 5 bytes"),
    ]:
        with pytest.raises(ValueError, match="Invalid Arrow string array: .*" + match):
            tok.transform(strings(offsets))
    bad = np.frombuffer(b"a\xffb", dtype=np.uint8)
    with pytest.raises(ValueError, match="not UTF-8"):
        tok.transform(_native.ArrowStrings([(bad, np.array([0, 3], np.int64), None)]))
    with pytest.raises(ValueError, match="n \\+ 1 offsets"):
        strings([])
    with pytest.raises(ValueError, match="2 null flags for 1 strings"):
        strings([0, 1], nulls=np.zeros(2, dtype=bool))
    with pytest.raises(TypeError, match="int32 or int64"):
        strings([0, 1], dtype=np.uint32)
    with pytest.raises(TypeError, match="uint8"):
        _native.ArrowStrings([(data.astype(np.int8), np.array([0, 1], np.int32), None)])
    with pytest.raises(TypeError, match="tuples"):
        _native.ArrowStrings(["abc"])


def test_without_pyarrow(monkeypatch):
    tok = Tokenizer().fit(["a b"])
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    # Lists never need pyarrow.
    assert tok.transform_ragged(["a"])[0].tolist() == [tok.token_to_id("a")]
    with pytest.raises(ImportError, match="pip install pyarrow"):
        tok.transform_arrow(["a"])


def test_pandas_object_column_uses_the_list_path():
    series = pd.Series(["a b", "b"], dtype=object)
    assert not _arrow.is_arrow(series)
    tok = Tokenizer().fit(series)
    assert tok.get_vocabulary() == Tokenizer().fit(["a b", "b"]).get_vocabulary()


@pytest.mark.slow
def test_all_reviews_arrow_equals_list(imdb_all_texts):
    texts = imdb_all_texts
    assert len(texts) == 50_000
    chunked = pa.chunked_array([texts[i : i + 7_000] for i in range(0, len(texts), 7_000)])
    large = pa.array(texts, pa.large_string())
    for config in ({"max_tokens": 20_000}, {"preset": "python_regex"}):
        config = dict(config)
        preset = config.pop("preset", None)

        def make():
            return Tokenizer.from_preset(preset, **config) if preset else Tokenizer(**config)

        reference = make().fit(texts)
        expected = reference.transform_ragged(texts)
        for arrow in (chunked, large, large.slice(0)):
            tok = make().fit(arrow)
            assert tok.get_vocabulary() == reference.get_vocabulary()
            assert same(tok.transform_ragged(arrow), expected)
        out = reference.transform_arrow(chunked)
        np.testing.assert_array_equal(out.values.to_numpy(), expected[0])
        np.testing.assert_array_equal(out.offsets.to_numpy(), expected[1])


def test_text_vectorizer_takes_arrow_backed_pandas_with_na():
    """Reproducer: TextVectorizer rejected an Arrow-backed pandas Series
    with NA that Tokenizer accepts (a null is the empty text, as for the
    Tokenizer); a one-column DataFrame of them too."""
    pytest.importorskip("sklearn")
    from imdbfast.sklearn import TextVectorizer

    series = pd.Series(TEXTS, dtype="string[pyarrow]")
    expected = TextVectorizer(sparse=False).fit_transform(PLAIN)
    for texts in (series, series.to_frame("review"), pa.array(TEXTS)):
        vectorizer = TextVectorizer(sparse=False)
        np.testing.assert_array_equal(vectorizer.fit_transform(texts), expected)
        np.testing.assert_array_equal(vectorizer.fit(texts).transform(texts), expected)
    ids = TextVectorizer(output_mode="int", output_sequence_length=4).fit(series)
    reference = Tokenizer(output_sequence_length=4).fit(PLAIN)
    np.testing.assert_array_equal(ids.transform(series), reference.transform(PLAIN))
