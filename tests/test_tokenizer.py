"""imdbfast.Tokenizer: inputs, options, layout, persistence and errors."""

from __future__ import annotations

import json
import multiprocessing
import re
import pickle

import numpy as np
import pytest

import imdbfast
from imdbfast import Tokenizer, pad_sequences

CORPUS = [
    "The movie was GREAT, great acting!",
    "A terrible movie.<br /><br />Terrible plot.",
    "great great plot; the end",
    "",
]


def test_empty_input_first():
    tok = Tokenizer(output_sequence_length=5).fit([])
    assert tok.get_vocabulary() == ["", "[UNK]"]
    out = tok.transform([])
    assert out.shape == (0, 5) and out.dtype == np.int32
    assert Tokenizer().fit([]).transform([]) == []
    values, splits = Tokenizer().fit([]).transform_ragged([])
    assert values.shape == (0,) and splits.tolist() == [0]


def test_transform_before_fit():
    with pytest.raises(RuntimeError, match=r"call fit\(texts\)"):
        Tokenizer().transform(["a"])
    with pytest.raises(RuntimeError, match="no vocabulary"):
        Tokenizer().get_vocabulary()


def test_fit_transform_basics():
    tok = Tokenizer(output_sequence_length=6)
    ids = tok.fit_transform(CORPUS)
    vocab = tok.get_vocabulary()
    assert vocab[:4] == ["", "[UNK]", "great", "the"]
    assert tok.vocabulary_size() == len(vocab)
    assert ids.shape == (4, 6) and ids.dtype == np.int32
    assert tok.decode(ids[0]) == "the movie was great great acting"
    assert tok.token_to_id("great") == 2 and tok.token_to_id("nope") == 1
    assert tok.id_to_token(2) == "great"
    np.testing.assert_array_equal(tok(CORPUS), ids)
    assert tok.adapt is not None


@pytest.mark.parametrize(
    "texts",
    [
        list(CORPUS),
        tuple(CORPUS),
        np.array(CORPUS),
        np.array(CORPUS, dtype=object),
        np.array(CORPUS, dtype=object).reshape(-1, 1),
        (t for t in CORPUS),
        iter(CORPUS),
    ],
    ids=["list", "tuple", "np_str", "np_object", "np_column", "generator", "iterator"],
)
def test_input_kinds(texts):
    expected = Tokenizer(output_sequence_length=8).fit(CORPUS).transform(CORPUS)
    tok = Tokenizer(output_sequence_length=8).fit(list(CORPUS))
    np.testing.assert_array_equal(tok.transform(texts), expected)


@pytest.mark.parametrize("bad", [["a", "b", 3], ["a", "b", None], ("a", "b", b"c")])
def test_non_str_item_names_its_index(bad):
    with pytest.raises(TypeError, match="item 2 is of type"):
        Tokenizer().fit(bad)
    tok = Tokenizer(output_sequence_length=3).fit(["a"])
    with pytest.raises(TypeError, match="item 2"):
        tok.transform(bad)
    with pytest.raises(TypeError, match="item 2"):
        tok.transform_ragged(bad)


def test_single_string_is_rejected():
    with pytest.raises(TypeError, match="not a single str"):
        Tokenizer().fit("just one text")
    with pytest.raises(TypeError, match="iterable of str"):
        Tokenizer().fit(5)


def _message(call):
    with pytest.raises((TypeError, ValueError)) as caught:
        call()
    return type(caught.value), str(caught.value)


def test_one_wording_for_texts_and_vocabularies(tmp_path):
    """Each input check has one home and one wording: the Python checks, the
    Rust binding's item check and the vectorizer and GloVe loader agree."""
    bad = ["a", "b", 3]
    # The Rust binding checks plain lists; a callable standardize makes
    # Python check them, a stream makes the chunker check them.
    rust = _message(lambda: Tokenizer().fit(bad))
    assert rust == _message(lambda: Tokenizer(standardize=str.lower).fit(bad))
    assert rust == _message(lambda: Tokenizer().fit(iter(bad)))
    assert rust == (TypeError, "texts must contain only str, but item 2 is of type int")
    single = _message(lambda: Tokenizer().fit("one text"))
    assert single[0] is TypeError and "not a single str" in single[1]
    shape = _message(lambda: Tokenizer().fit(np.array([["a", "b"]])))
    assert shape[0] is ValueError and "one column" in shape[1]
    pytest.importorskip("sklearn")
    from imdbfast.sklearn import TextVectorizer

    assert _message(lambda: TextVectorizer().fit("one text")) == single
    assert _message(lambda: TextVectorizer().fit(np.array([["a", "b"]]))) == shape
    glove = tmp_path / "g.txt"
    glove.write_text("a 1 2\n")
    for vocabulary in (["a", 3], b"ab"):  # (a str is a path to the Tokenizer)
        assert _message(lambda v=vocabulary: imdbfast.load_glove(glove, v)) == _message(
            lambda v=vocabulary: Tokenizer(vocabulary=v)
        )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"standardize": "upper"}, "`standardize` must be one of"),
        # A plain string is never read as a regular expression.
        ({"split": "("}, '`split` must be one of "whitespace", "character", "word"'),
        ({"split": "[a-z]+"}, "a compiled regular expression"),
        ({"max_tokens": 0}, "`max_tokens` must be >= 1. Received: max_tokens=0"),
        ({"max_tokens": 1}, "`max_tokens` must be at least 2"),
        ({"min_freq": 0}, "`min_freq` must be >= 1. Received: min_freq=0"),
        ({"output_sequence_length": -1}, "`output_sequence_length` must be"),
        ({"padding": "middle"}, '`padding` must be "pre" or "post"'),
        ({"truncating": "both"}, '`truncating` must be "pre" or "post"'),
        ({"vocab_order": "random"}, "`vocab_order` must be"),
        ({"oov_token": ""}, "must all differ"),
        ({"start_token": "[S]", "index_from": 1}, "`index_from` must be at least 2"),
        ({"stopwords": "klingon"}, "Unknown stopword list"),
    ],
)
def test_bad_options(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Tokenizer(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        # Keras raises ValueError here; KerasValueError is both.
        ({"split": 3}, "`split` must be"),
        ({"max_tokens": "100"}, "`max_tokens` must be an int >= 1"),
        ({"min_freq": 2.5}, "`min_freq` must be an int >= 1"),
        ({"pad_token": None}, "`pad_token` must be a str"),
        ({"start_token": 1}, "`start_token` must be None or a str"),
        ({"stopwords": ["a", 1]}, "`stopwords` must contain only str"),
        ({"strip_html": "yes"}, "`strip_html` must be a bool"),
    ],
)
def test_bad_option_types(kwargs, match):
    with pytest.raises(TypeError, match=match):
        Tokenizer(**kwargs)


def test_unknown_preset():
    with pytest.raises(ValueError, match="Unknown preset"):
        Tokenizer.from_preset("nope")


def test_max_tokens_min_freq_and_alphabetical():
    tok = Tokenizer(max_tokens=4).fit(CORPUS)
    assert tok.get_vocabulary() == ["", "[UNK]", "great", "the"]
    tok = Tokenizer(min_freq=2, vocab_order="alphabetical").fit(CORPUS)
    assert tok.get_vocabulary() == ["", "[UNK]", "great", "plot", "terrible", "the"]


def test_stopwords_and_html():
    tok = Tokenizer(stopwords="english", strip_html=True).fit(CORPUS)
    vocab = tok.get_vocabulary()
    assert "the" not in vocab and "a" not in vocab
    assert "terrible" in vocab and not any("br" in v for v in vocab)
    assert Tokenizer(stopwords=["movie"]).fit(CORPUS).token_to_id("movie") == 1
    # without strip_html, "<br />" glues words after punctuation removal
    assert "moviebr" in Tokenizer().fit(CORPUS).get_vocabulary()


def test_regex_split_and_word_split():
    tok = Tokenizer(split=re.compile(r"[a-z]+"), standardize="lower").fit(["ab1cd, E-f"])
    assert sorted(tok.get_vocabulary()[2:]) == ["ab", "cd", "e", "f"]
    assert Tokenizer(split="word").tokenize("It's a_b") == ["its", "ab"]  # punctuation goes first
    assert Tokenizer(split="word", standardize="lower").tokenize("It's a_b") == ["it", "s", "a_b"]
    assert Tokenizer(split=None, standardize=None).tokenize("a b") == ["a b"]


@pytest.mark.parametrize("padding", ["pre", "post"])
@pytest.mark.parametrize("truncating", ["pre", "post"])
@pytest.mark.parametrize("length", [1, 3, 20])
def test_padding_truncating_agree_with_pad_sequences(padding, truncating, length):
    ragged = Tokenizer().fit(CORPUS).transform(CORPUS)
    tok = Tokenizer(output_sequence_length=length, padding=padding, truncating=truncating).fit(CORPUS)
    expected = pad_sequences(ragged, maxlen=length, padding=padding, truncating=truncating)
    np.testing.assert_array_equal(tok.transform(CORPUS), expected)
    values, splits = tok.transform_ragged(CORPUS)
    rows = np.split(values, splits[1:-1])
    for row, full in zip(rows, ragged):
        kept = full[:length] if truncating == "post" else full[max(len(full) - length, 0) :]
        np.testing.assert_array_equal(row, kept)


def test_ragged_rows_are_views_of_one_buffer():
    rows = Tokenizer().fit(CORPUS).transform(CORPUS)
    assert isinstance(rows, list) and len(rows) == 4
    assert all(r.dtype == np.int32 and r.ndim == 1 for r in rows)
    assert rows[0].base is not None and rows[0].base is rows[1].base
    assert len(rows[3]) == 0


def test_keras_imdb_layout():
    tok = Tokenizer.from_preset("keras_imdb", output_sequence_length=6).fit(CORPUS)
    vocab = tok.get_vocabulary()
    assert vocab[:6] == ["", "[START]", "[OOV]", "[UNUSED3]", "great", "the"]
    ids = tok.transform(["great unknownword"])
    assert ids.tolist() == [[0, 0, 0, 1, 4, 2]]  # pre-padded, as pad_sequences
    tok = Tokenizer(start_token="<s>", index_from=5, max_tokens=8).fit(CORPUS)
    assert tok.get_vocabulary()[:7] == ["", "<s>", "[UNK]", "[UNUSED3]", "[UNUSED4]", "[UNUSED5]", "great"]
    assert tok.vocabulary_size() == 8


def test_save_load_round_trip(tmp_path):
    tok = Tokenizer(max_tokens=50, output_sequence_length=7, stopwords="english", strip_html=True)
    tok.fit(CORPUS + ["naïve café — ünïcode"])
    path = tmp_path / "tok.json"
    tok.save(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == "imdbfast.Tokenizer" and data["version"] == 1
    assert data["config"]["max_tokens"] == 50 and data["vocabulary"] == tok.get_vocabulary()
    assert "café" in path.read_text(encoding="utf-8")  # human-readable, not escaped
    loaded = Tokenizer.load(path)
    assert loaded.get_config() == tok.get_config()
    assert loaded.get_vocabulary() == tok.get_vocabulary()
    np.testing.assert_array_equal(loaded.transform(CORPUS), tok.transform(CORPUS))

    Tokenizer().save(tmp_path / "unfitted.json")
    assert not Tokenizer.load(tmp_path / "unfitted.json").is_fitted

    data["version"] = 99
    (tmp_path / "future.json").write_text(json.dumps(data))
    with pytest.raises(ValueError, match="Unsupported imdbfast.Tokenizer version"):
        Tokenizer.load(tmp_path / "future.json")
    (tmp_path / "other.json").write_text("{}")
    with pytest.raises(ValueError, match="Not an imdbfast.Tokenizer document"):
        Tokenizer.load(tmp_path / "other.json")
    data["version"] = 1
    data["vocabulary"] = ["x", "[UNK]"]
    (tmp_path / "bad.json").write_text(json.dumps(data))
    with pytest.raises(ValueError, match="must start with the special tokens"):
        Tokenizer.load(tmp_path / "bad.json")


def test_pickle_round_trip():
    tok = Tokenizer.from_preset("seed004", min_freq=1).fit(CORPUS)
    clone = pickle.loads(pickle.dumps(tok))
    assert clone.get_config() == tok.get_config()
    np.testing.assert_array_equal(clone.transform(CORPUS), tok.transform(CORPUS))
    assert not pickle.loads(pickle.dumps(Tokenizer())).is_fitted


def _encode_in_child(tok):
    return tok.transform(CORPUS).tolist()


def test_works_in_forked_worker():
    tok = Tokenizer(output_sequence_length=5).fit(CORPUS)
    expected = tok.transform(CORPUS).tolist()  # the parent's thread pool is running now
    with multiprocessing.get_context("fork").Pool(1) as pool:
        assert pool.apply_async(_encode_in_child, (tok,)).get(timeout=60) == expected


def test_public_export():
    assert imdbfast.Tokenizer is Tokenizer


def test_oov_id():
    assert Tokenizer().fit(["a b"]).oov_id == 1
    assert Tokenizer(start_token="[S]").fit(["a b"]).oov_id == 2
    assert Tokenizer.from_preset("keras_imdb").fit(["a b"]).oov_id == 2
    assert Tokenizer(oov_token="", pad_token="<pad>").fit(["a b"]).oov_id is None
    with pytest.raises(RuntimeError, match="no vocabulary"):
        Tokenizer().oov_id
