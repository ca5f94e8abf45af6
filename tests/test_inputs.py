"""The model inputs of a config (``imdbfast._inputs``): bag rows or padded ids."""

from __future__ import annotations

import numpy as np
import pytest

from imdbfast._inputs import (
    describe_encoded,
    encode,
    fit_inputs,
    make_tokenizer,
    predict,
    vocabulary_coverage,
)
from imdbfast.config import TrainConfig

TEXTS = ["a good film", "a bad film", "good good", "", "an awful, awful film"]
LABELS = [1, 0, 1, 0, 0]
IDS = TrainConfig(max_tokens=20, sequence_length=3)
BAG = TrainConfig(model="bag_of_ngrams", output_mode="count", max_tokens=20)


def fitted(config):
    tokenizer = make_tokenizer(config)
    tokenizer.fit(TEXTS)
    return tokenizer


def test_ids_are_ragged_and_cut_at_the_sequence_length():
    tokenizer = fitted(IDS)
    values, row_splits = encode(IDS, tokenizer, TEXTS)
    assert np.diff(row_splits).tolist() == [3, 3, 2, 0, 3]
    np.testing.assert_array_equal(values, tokenizer.transform_ragged(TEXTS)[0])


def test_bag_rows_are_the_tokenizers_sparse_rows():
    tokenizer = fitted(BAG)
    rows = encode(BAG, tokenizer, TEXTS)
    assert rows.shape == (len(TEXTS), tokenizer.vocabulary_size())
    np.testing.assert_array_equal(rows.toarray(), tokenizer.transform(TEXTS).toarray())


def test_describe_encoded_words_each_input():
    tokenizer = fitted(IDS)
    line = describe_encoded(IDS, tokenizer, encode(IDS, tokenizer, TEXTS))
    assert line.endswith("of the training tokens in it") and "tokens, " in line
    tokenizer = fitted(BAG)
    rows = encode(BAG, tokenizer, TEXTS)
    assert describe_encoded(BAG, tokenizer, rows) == (
        f"{tokenizer.vocabulary_size()} entries, count rows with {rows.nnz} stored values"
    )


def test_vocabulary_coverage():
    assert vocabulary_coverage(np.array([1, 2, 3, 1]), 1) == 0.5
    assert vocabulary_coverage(np.array([], dtype=np.int64), 1) == 1.0
    assert vocabulary_coverage(np.array([2, 3]), None) is None


def test_fit_inputs_and_predict_for_bag_rows_and_ids():
    keras = pytest.importorskip("keras")

    tokenizer = fitted(BAG)
    rows = encode(BAG, tokenizer, TEXTS)
    inputs = fit_inputs(BAG, rows, LABELS, rows, LABELS, empty_id=1, xla=False,
                        replicas=1)
    assert inputs.fit_args["x"] is rows and inputs.fit_args["shuffle"] is True
    assert inputs.fit_args["y"].dtype == np.float32
    assert inputs.callbacks == [] and inputs.mean_train_tokens is None

    tokenizer = fitted(IDS)
    ragged = encode(IDS, tokenizer, TEXTS)
    inputs = fit_inputs(IDS, ragged, LABELS, ragged, LABELS, empty_id=1, xla=False,
                        replicas=1)
    assert inputs.fit_args["shuffle"] is False and len(inputs.callbacks) == 1
    assert inputs.mean_train_tokens == pytest.approx(11 / 5)

    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input(shape=(None,), dtype="int32"),
        keras.layers.Embedding(20, 4, mask_zero=True),
        keras.layers.GlobalAveragePooling1D(),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    got = predict(IDS, model, ragged, empty_id=tokenizer.oov_id)
    padded = tokenizer.transform(TEXTS)
    padded[:, 0] = np.where(padded.any(axis=1), padded[:, 0], tokenizer.oov_id)
    want = model.predict(padded, verbose=0)[:, 0]
    assert got.dtype == np.float32 and got.shape == (len(TEXTS),)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
