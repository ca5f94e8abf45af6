"""Mergeable token counts (``Tokenizer.count``, ``TokenCounts``,
``fit_counts``, ``partial_fit``) and ``fit`` over an iterator.

The reference is always the one-shot ``fit`` of the whole corpus as a list
(the already-proven path, which counts with its own code): counts of any
split of the corpus, merged in order, must give the same tokenizer
(vocabulary and its order, idf weights), for every vocabulary order and
option that shapes the vocabulary.
"""

from __future__ import annotations

import pickle
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from imdbfast import Tokenizer
from imdbfast.tokenizer import FIT_CHUNK, TokenCounts

#: Tokenizer settings that change what is counted or how a vocabulary is
#: learned from the counts.
CONFIGS: dict[str, dict] = {
    "defaults": {},
    "max_tokens": {"max_tokens": 7},
    "min_freq": {"min_freq": 2},
    "alphabetical": {"vocab_order": "alphabetical", "max_tokens": 6},
    "first_seen": {"vocab_order": "frequency_first_seen", "max_tokens": 8},
    "keras_legacy": {"preset": "keras_legacy"},
    "python_regex": {"preset": "python_regex", "min_freq": 1},
    "keras_imdb": {"preset": "keras_imdb", "max_tokens": 9},
    "stopwords": {"stopwords": ["the", "a"]},
    "kept_stopwords": {"stopwords": ["the", "a"], "drop_stopwords": False},
    "bigrams": {"ngrams": 2, "max_tokens": 10},
    "bigrams_kept_stopwords": {
        "ngrams": (1, 2),
        "stopwords": ["the"],
        "drop_stopwords": False,
    },
    "tf_idf": {"output_mode": "tf_idf", "max_tokens": 8, "pad_to_max_tokens": True},
    "tf_idf_bigrams": {"output_mode": "tf_idf", "ngrams": 2},
    "count_stopwords": {"output_mode": "count", "stopwords": ["a"], "drop_stopwords": False},
    "characters": {"split": "character", "max_tokens": 12},
    "whole_text": {"split": None},
    "regex": {"split": re.compile(r"\w+"), "standardize": "lower_unicode"},
    "callable": {"standardize": str.upper, "split": str.split},
}


def make(config: dict) -> Tokenizer:
    config = dict(config)
    preset = config.pop("preset", None)
    return Tokenizer.from_preset(preset, **config) if preset else Tokenizer(**config)


def state(tok: Tokenizer) -> dict:
    """What a fit learned: the whole saved document (vocabulary, idf)."""
    return tok.to_dict()


def merged_fit(config: dict, texts: list[str], cuts: list[int]) -> Tokenizer:
    tok = make(config)
    bounds = [0, *sorted(cuts), len(texts)]
    parts = [tok.count(texts[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]
    return tok.fit_counts(TokenCounts.merge(parts))


CORPUS = [
    "The cat sat on the mat.",
    "A dog! the DOG, a cat?",
    "",
    "the the the end",
    "Mat sat; cat ran. A b c d e f",
    "b c d b c d a",
    "   ",
    "Éclair and crème brûlée, the end",
]

WORDS = ["the", "a", "cat", "Cat", "dog", "b", "c.", "é", "x-y", "the!"]


def texts_strategy() -> st.SearchStrategy[list[str]]:
    text = st.lists(st.sampled_from(WORDS), max_size=8).map(" ".join)
    return st.lists(text, max_size=12)


# ------------------------------------------------------------------ small data


def test_empty_counts_first():
    counts = TokenCounts()
    assert counts.documents == 0 and len(counts) == 0 and counts.ngrams == []
    tok = Tokenizer().fit_counts(counts)
    assert tok.get_vocabulary() == Tokenizer().fit([]).get_vocabulary()
    assert TokenCounts.merge([]).documents == 0
    assert Tokenizer().count([]).documents == 0


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_every_split_of_the_corpus(name):
    config = CONFIGS[name]
    one_shot = state(make(config).fit(CORPUS))
    for cut in range(len(CORPUS) + 1):
        assert state(merged_fit(config, CORPUS, [cut])) == one_shot, cut
    assert state(merged_fit(config, CORPUS, [1, 2, 5, 5])) == one_shot


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_stream_and_partial_fit(name):
    config = CONFIGS[name]
    one_shot = state(make(config).fit(CORPUS))
    assert state(make(config).fit(iter(CORPUS))) == one_shot
    assert state(make(config).fit(t for t in CORPUS)) == one_shot
    tok = make(config)
    for a, b in [(0, 3), (3, 4), (4, 8)]:
        tok.partial_fit(CORPUS[a:b])
    assert state(tok) == one_shot


@settings(max_examples=40, deadline=None)
@given(
    texts=texts_strategy(),
    cuts=st.lists(st.integers(0, 12), max_size=3),
    name=st.sampled_from(sorted(CONFIGS)),
)
def test_any_split_property(texts, cuts, name):
    config = CONFIGS[name]
    cuts = [min(c, len(texts)) for c in cuts]
    assert state(merged_fit(config, texts, cuts)) == state(make(config).fit(texts))


def test_fit_reads_an_iterator_in_chunks(monkeypatch):
    import imdbfast.tokenizer._fitting as module  # where fitting reads FIT_CHUNK

    monkeypatch.setattr(module, "FIT_CHUNK", 3)
    seen = []

    def stream():
        for i, text in enumerate(CORPUS * 2):
            seen.append(i)
            yield text

    tok = Tokenizer(vocab_order="frequency_first_seen").fit(stream())
    assert seen == list(range(2 * len(CORPUS)))
    reference = Tokenizer(vocab_order="frequency_first_seen").fit(CORPUS * 2)
    assert tok.get_vocabulary() == reference.get_vocabulary()
    assert FIT_CHUNK > 1000


def test_counts_api_add_merge_pickle():
    tok = Tokenizer(ngrams=2)
    a, b = tok.count(CORPUS[:3]), tok.count(CORPUS[3:])
    total = a + b
    assert total.documents == len(CORPUS) == a.documents + b.documents
    assert total.ngrams == [1, 2]
    assert total.count("the") == sum(t.lower().split().count("the") for t in CORPUS)
    assert total.document_count("the") == 4
    assert total.count("the cat") == 1 and total.count("nope") == 0
    assert len(total) == len(TokenCounts.merge([a, b]))
    back = pickle.loads(pickle.dumps(total))
    assert back.documents == total.documents and back.source == total.source
    assert state(Tokenizer(ngrams=2).fit_counts(back)) == state(Tokenizer(ngrams=2).fit(CORPUS))
    c = TokenCounts()
    c += a
    c += b
    assert state(Tokenizer(ngrams=2).fit_counts(c)) == state(Tokenizer(ngrams=2).fit(CORPUS))
    # a, b unchanged by the sums.
    assert a.documents == 3 and b.documents == len(CORPUS) - 3
    assert "TokenCounts(documents=8" in repr(total)


def test_counts_of_other_settings_are_refused():
    counts = Tokenizer().count(CORPUS)
    with pytest.raises(ValueError, match="other tokenization settings"):
        Tokenizer(standardize="lower").fit_counts(counts)
    with pytest.raises(ValueError, match="other tokenization settings"):
        Tokenizer(ngrams=2).fit_counts(counts)
    with pytest.raises(ValueError, match="different tokenizer settings"):
        counts + Tokenizer(stopwords=["a"]).count(CORPUS)
    with pytest.raises(ValueError, match="different tokenizer settings"):
        TokenCounts.merge([counts, Tokenizer(ngrams=2).count(CORPUS)])
    # Vocabulary settings do not change the counts: they mix.
    same = Tokenizer(max_tokens=5, vocab_order="alphabetical").count(CORPUS)
    Tokenizer(min_freq=2).fit_counts(counts + same)


def test_bad_input():
    with pytest.raises(TypeError, match="TokenCounts"):
        Tokenizer().fit_counts({"the": 3})
    with pytest.raises(TypeError, match="item 3 is of type int"):
        Tokenizer().fit(iter(["a", "b", "c", 4]))
    with pytest.raises(TypeError, match="item 2 is of type bytes"):
        Tokenizer().count(iter(["a", "b", b"c"]))
    with pytest.raises(TypeError, match="iterable of str"):
        Tokenizer().count(42)
    fixed = Tokenizer(vocabulary=["a", "b"])
    for method in (fixed.partial_fit, fixed.fit):
        with pytest.raises(ValueError, match="built with a `vocabulary`"):
            method(iter(["a"]))
    with pytest.raises(ValueError, match="built with a `vocabulary`"):
        fixed.fit_counts(fixed.count(["a"]))
    counts = TokenCounts()
    with pytest.raises(ValueError, match="TokenCounts"):
        counts.__setstate__(b"not counts")


def test_partial_fit_starts_over_after_fit():
    tok = Tokenizer()
    tok.partial_fit(["x y z"])
    tok.fit(["a b"])
    tok.partial_fit(["c"])
    assert tok.get_vocabulary() == ["", "[UNK]", "c"]
    tok.set_vocabulary(["q"])
    tok.partial_fit(["d"])
    assert tok.get_vocabulary() == ["", "[UNK]", "d"]
    tok.fit_counts(tok.count(["e"]))
    tok.partial_fit(["f"])
    assert tok.get_vocabulary() == ["", "[UNK]", "f"]


# ------------------------------------------------------------------- real data


REAL_CONFIGS = {
    "text_vectorization": {"max_tokens": 20000},
    "keras_legacy": {"preset": "keras_legacy", "max_tokens": 10000},
    "python_regex": {"preset": "python_regex"},
    "bigram_tf_idf": {"output_mode": "tf_idf", "ngrams": 2, "max_tokens": 20000},
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(REAL_CONFIGS))
def test_merged_counts_of_the_train_reviews(name, imdb_train_texts):
    config = REAL_CONFIGS[name]
    texts = imdb_train_texts
    assert len(texts) == 25_000
    one_shot = make(config).fit(texts)
    # Uneven parts, in corpus order.
    merged = merged_fit(config, texts, [1, 4_000, 12_345, 12_346, 20_000])
    assert merged.get_vocabulary() == one_shot.get_vocabulary()
    if config.get("output_mode") == "tf_idf":
        assert merged.to_dict()["idf_weights"] == one_shot.to_dict()["idf_weights"]
    else:
        sample = texts[:200]
        for a, b in zip(merged.transform(sample), one_shot.transform(sample)):
            np.testing.assert_array_equal(a, b)
    streamed = make(config).fit(t for t in texts)
    assert streamed.get_vocabulary() == one_shot.get_vocabulary()
