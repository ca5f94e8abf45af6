"""The vocabulary settings crossing the binding (``_native.VocabConfig``,
rust/py/vocab.rs): checked once, pickled, and the one source of the id and
bag layouts; and the n-gram ids padded in the core."""

import pickle

import numpy as np
import pytest

from imdbfast import Tokenizer, _native, pad_sequences

DOCS = ["the cat sat", "", "the the dog", "a cat and a dog sat on the mat"]


@pytest.mark.parametrize(
    "settings",
    [
        {},
        {"max_tokens": 7, "min_freq": 2, "order": "alphabetical"},
        {"start_token": "[S]", "index_from": 3, "oov_token": "<oov>"},
        {"oov_token": None, "pad_token": "<pad>", "order": "frequency_first_seen"},
        {"max_tokens": 5, "bag": True},
    ],
)
def test_vocab_config_pickles_and_compares(settings):
    config = _native.VocabConfig(**settings)
    back = pickle.loads(pickle.dumps(config))
    assert back == config
    assert repr(back) == repr(config)
    for key, value in settings.items():
        assert getattr(back, key) == value


def test_vocab_config_is_checked_when_built():
    with pytest.raises(ValueError, match="must all differ"):
        _native.VocabConfig(pad_token="[UNK]")
    with pytest.raises(ValueError, match="vocab_order"):
        _native.VocabConfig(order="random")
    with pytest.raises(ValueError, match="min_freq"):
        _native.VocabConfig(min_freq=0)


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"start_token": "[S]", "index_from": 4},
        {"oov_token": None},
        {"output_mode": "multi_hot", "max_tokens": 6},
        {"output_mode": "tf_idf", "max_tokens": 6, "pad_to_max_tokens": True},
    ],
)
def test_the_layouts_come_from_the_config(kwargs):
    tok = Tokenizer(**kwargs).fit(DOCS)
    config = tok._vocab_config
    vocabulary = tok.get_vocabulary()
    first = config.first_word_index
    assert vocabulary[: len(config.specials)] == config.specials
    assert tok.get_vocabulary(include_special_tokens=False) == vocabulary[first:]
    if config.bag:
        rows = tok.transform(DOCS)
        assert rows.shape[1] == config.bag_columns(
            len(vocabulary) + config.column_offset, tok.pad_to_max_tokens
        )


@pytest.mark.parametrize("padding", ["pre", "post"])
@pytest.mark.parametrize("truncating", ["pre", "post"])
@pytest.mark.parametrize("length", [1, 4, 30])
def test_ngram_ids_are_padded_in_the_core_as_pad_sequences_pads_them(
    padding, truncating, length
):
    ragged = Tokenizer(ngrams=2).fit(DOCS)
    rows = ragged.transform(DOCS)
    want = pad_sequences(rows, maxlen=length, padding=padding, truncating=truncating)
    for threads in (1, 2):
        tok = Tokenizer(
            ngrams=2,
            output_sequence_length=length,
            padding=padding,
            truncating=truncating,
            num_threads=threads,
        ).fit(DOCS)
        got = tok.transform(DOCS)
        assert got.dtype == np.int32
        np.testing.assert_array_equal(got, want)
    assert tok.transform([]).shape == (0, length)
