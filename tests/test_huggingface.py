"""Tokenizer.save_huggingface: the Hugging Face ``tokenizers`` library loading
the exported file is the reference; its ids must equal Tokenizer.transform's."""

from __future__ import annotations

import re

import numpy as np
import pytest

import imdbfast
from imdbfast.interop import ASCII_PUNCTUATION

tokenizers = pytest.importorskip("tokenizers")

TRICKY = [
    "",
    "   ",
    "Hello, World!",
    "A\u00a0non-breaking\u00a0space stays in one token",
    "tabs\tand\nnew\rlines\x0bvertical\x0cfeed  double  spaces ",
    "ΣΊΣΥΦΟΣ keeps its case: lowercasing is ASCII only. ÉCOLE",
    "HTML<br />breaks<BR/>in<br>any<bR  />case<b>bold</b><br",
    "don't well-made ... ?!?! (parenthesised) [UNK] <pad> \\back\\slash",
    "Unicode “quotes” and dashes — are kept; emoji 🎬 too",
    "x" * 300,
    "the the the of of a",
]
CORPUS = TRICKY + [
    "The film was great and the acting was great too.",
    "Boring, boring, BORING. I want my time back!",
    "A non-breaking space and ΣΊΣΥΦΟΣ again, plus the end.",
]

EXPORTABLE = [
    {},
    {"output_sequence_length": 6},
    {"output_sequence_length": 6, "padding": "pre", "truncating": "pre"},
    {"output_sequence_length": 6, "padding": "post", "truncating": "pre"},
    {"output_sequence_length": 0},
    {"strip_html": True},
    {"strip_html": True, "output_sequence_length": 4},
    {"standardize": "lower"},
    {"standardize": "strip_punctuation"},
    {"standardize": None},
    {"standardize": None, "pad_token": "<pad>", "oov_token": "[UNK]"},
    {"max_tokens": 8},
    {"min_freq": 2, "vocab_order": "alphabetical"},
    {"stopwords": "english", "drop_stopwords": False},
    {"pad_token": "<pad>", "oov_token": "<unk>"},
]


def hf_ids(path, texts) -> list[list[int]]:
    hf = tokenizers.Tokenizer.from_file(str(path))
    return [encoding.ids for encoding in hf.encode_batch(texts)]


def test_ascii_punctuation_is_the_cores():
    ascii_chars = "".join(chr(c) for c in range(33, 127))
    tok = imdbfast.Tokenizer(standardize="strip_punctuation", split=None)
    kept = "".join(tok.tokenize(ascii_chars))
    assert sorted(set(ascii_chars) - set(kept)) == sorted(ASCII_PUNCTUATION)
    assert len(ASCII_PUNCTUATION) == 32


@pytest.mark.parametrize("options", EXPORTABLE, ids=repr)
def test_same_ids_as_transform(tmp_path, options):
    tok = imdbfast.Tokenizer(**options).fit(CORPUS)
    path = tmp_path / "tokenizer.json"
    tok.save_huggingface(path)
    expected = tok.transform(TRICKY)
    got = hf_ids(path, TRICKY)
    if options.get("output_sequence_length") is not None:
        np.testing.assert_array_equal(np.asarray(got, dtype=np.int32).reshape(expected.shape),
                                      expected)
    else:
        assert got == [row.tolist() for row in expected]


def test_given_vocabulary(tmp_path):
    tok = imdbfast.Tokenizer(vocabulary=["great", "film", "the", "boring"])
    tok.save_huggingface(tmp_path / "t.json")
    assert hf_ids(tmp_path / "t.json", CORPUS) == [r.tolist() for r in tok.transform(CORPUS)]


REFUSED = [
    ({"standardize": "lower_unicode"}, "str.lower"),
    ({"standardize": "lower_unicode_and_strip_punctuation"}, "final sigma"),
    ({"standardize": str.lower}, "callable `standardize`"),
    ({"split": "word"}, "split='word'"),
    ({"split": "character"}, "split='character'"),
    ({"split": None}, "split=None"),
    ({"split": re.compile(r"\w+")}, "only 'whitespace'"),
    ({"split": str.split}, "only 'whitespace'"),
    ({"ngrams": 2}, "ngrams=2"),
    ({"output_mode": "multi_hot"}, "output_mode='multi_hot'"),
    ({"output_mode": "tf_idf", "sparse": True}, "output_mode='tf_idf'"),
    ({"stopwords": "english"}, "drop_stopwords=True"),
    ({"start_token": "[START]"}, "start_token"),
    ({"start_token": "[START]", "oov_token": "[OOV]", "index_from": 3}, "index_from=3"),
    ({"oov_token": None}, "oov_token=None"),
]


@pytest.mark.parametrize("options, why", REFUSED, ids=repr)
def test_inexact_configurations_are_refused(tmp_path, options, why):
    tok = imdbfast.Tokenizer(**options).fit(CORPUS)
    path = tmp_path / "tokenizer.json"
    with pytest.raises(ValueError, match=re.escape(why)) as refused:
        tok.save_huggingface(path)
    assert not path.exists()
    # The reasons only, not the tokenizer's repr (600 characters with stopwords).
    assert "Tokenizer(" not in str(refused.value) and len(str(refused.value)) < 400


def test_unfitted_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unfitted"):
        imdbfast.Tokenizer().save_huggingface(tmp_path / "t.json")


@pytest.mark.slow
@pytest.mark.parametrize(
    "options",
    [
        {"max_tokens": 20000},
        {"max_tokens": 20000, "output_sequence_length": 600},
        {"strip_html": True},
    ],
    ids=repr,
)
def test_all_reviews(tmp_path, imdb_train_texts, imdb_all_texts, options):
    """All 50,000 aclImdb reviews: the exported file gives transform's ids."""
    tok = imdbfast.Tokenizer(**options).fit(imdb_train_texts)
    path = tmp_path / "tokenizer.json"
    tok.save_huggingface(path)
    got = hf_ids(path, imdb_all_texts)
    assert len(got) == 50_000
    if "output_sequence_length" in options:
        np.testing.assert_array_equal(
            np.asarray(got, dtype=np.int32), tok.transform(imdb_all_texts)
        )
    else:
        values, row_splits = tok.transform_ragged(imdb_all_texts)
        np.testing.assert_array_equal(np.diff(row_splits), [len(ids) for ids in got])
        np.testing.assert_array_equal(
            values, np.fromiter((i for ids in got for i in ids), dtype=np.int32)
        )


# Texts built from the pieces where the rules could differ: ASCII capitals
# and punctuation, every ASCII whitespace and Unicode spaces that must not
# split, HTML-break fragments, non-ASCII letters with case.
PIECES = [
    "a", "Z", "Q", "x", "9", "_", "-", "'", ".", "<", ">", "/", "\\", "!", "~", "`",
    " ", "\t", "\n", "\r", "\x0b", "\x0c", "\u00a0", "\u2003", "\u3000", "\x85",
    "<br />", "<BR>", "<br/>", "<bR \t/>", "<br", "br>", "<b>",
    "Σ", "ς", "İ", "É", "ß", "ǅ", "🎬", "\u0301",
]


@pytest.mark.parametrize("options", [{}, {"strip_html": True, "output_sequence_length": 7},
                                     {"standardize": None}], ids=repr)
def test_random_texts(tmp_path, options):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    texts = st.lists(st.sampled_from(PIECES), max_size=25).map("".join)
    tok = imdbfast.Tokenizer(**options).fit(CORPUS + ["a z q x9 x_ É ς σ", "ab a-b"])
    path = tmp_path / "tokenizer.json"
    tok.save_huggingface(path)
    hf = tokenizers.Tokenizer.from_file(str(path))

    @settings(max_examples=300, deadline=None)
    @given(st.lists(texts, min_size=1, max_size=8))
    def check(batch):
        got = [encoding.ids for encoding in hf.encode_batch(batch)]
        expected = tok.transform(batch)
        assert got == [list(map(int, row)) for row in expected]

    check()
