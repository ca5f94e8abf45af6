"""The n-gram models (bag_of_ngrams with naive-Bayes scaling, fasttext), on
small generated data (their ensembles: tests/test_ensembles.py). Full-data accuracy
and timing are recorded in benches/README.md (not asserted here)."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
keras = pytest.importorskip("keras")
scipy_sparse = pytest.importorskip("scipy.sparse")

import imdbfast  # noqa: E402
from imdbfast.config import TrainConfig  # noqa: E402
from imdbfast.models import BagOfNgramsClassifier, nb_log_count_ratios  # noqa: E402

from train_helpers import NGRAM_SMALL, ngram_runs, tiny_imdb  # noqa: E402


# --- naive-Bayes ratios ---------------------------------------------------------


def reference_nb_ratios(rows: list[list[float]], labels: list[int], alpha: float) -> list[float]:
    """Wang & Manning (2012), section 2.1, step by step: binarize the feature
    counts, p = alpha + sum of positive rows, q = alpha + sum of negative rows,
    r = log((p / ||p||_1) / (q / ||q||_1))."""
    features = len(rows[0])
    p = [alpha] * features
    q = [alpha] * features
    for row, label in zip(rows, labels):
        for j, value in enumerate(row):
            binary = 1.0 if value > 0 else 0.0
            if label == 1:
                p[j] += binary
            else:
                q[j] += binary
    p_norm, q_norm = sum(p), sum(q)
    return [float(np.log((p[j] / p_norm) / (q[j] / q_norm))) for j in range(features)]


def test_nb_ratios_follow_the_paper():
    rng = np.random.default_rng(0)
    dense = (rng.random((40, 9)) < 0.3) * rng.integers(1, 4, (40, 9))
    labels = rng.integers(0, 2, 40)
    expected = reference_nb_ratios(dense.tolist(), labels.tolist(), alpha=1.0)
    np.testing.assert_allclose(nb_log_count_ratios(dense, labels), expected, rtol=1e-6)
    sparse = scipy_sparse.csr_matrix(dense.astype(np.float32))
    np.testing.assert_allclose(nb_log_count_ratios(sparse, labels), expected, rtol=1e-6)
    np.testing.assert_allclose(
        nb_log_count_ratios(dense, labels, alpha=0.5),
        reference_nb_ratios(dense.tolist(), labels.tolist(), alpha=0.5), rtol=1e-6)


@pytest.mark.parametrize(
    "labels, match",
    [(np.ones(4), "no review labelled 0"), (np.zeros(3), "one label per row")],
)
def test_nb_ratios_bad_input(labels, match):
    with pytest.raises(ValueError, match=match):
        nb_log_count_ratios(np.eye(4), labels)


# --- bag_of_ngrams --------------------------------------------------------------


@pytest.mark.parametrize("hidden_units", [0, 3])
def test_bag_model_is_the_scaled_linear_formula(hidden_units):
    rng = np.random.default_rng(1)
    rows = (rng.random((6, 11)) < 0.4).astype(np.float32)
    scale = rng.normal(size=11).astype(np.float32)
    model = BagOfNgramsClassifier(11, hidden_units=hidden_units, sparse=False)
    model.set_feature_scale(scale)
    np.testing.assert_array_equal(model.feature_scale, scale)
    layer = model.get_layer("scaled_dense")
    kernel = np.asarray(layer.kernel)
    bias = np.asarray(layer.bias)
    first = (rows * scale) @ kernel + bias
    if hidden_units:
        head = model.get_layer("output")
        first = np.maximum(first, 0) @ np.asarray(head.kernel) + np.asarray(head.bias)
    expected = 1 / (1 + np.exp(-first))
    np.testing.assert_allclose(model.predict(rows, verbose=0), expected, rtol=1e-5, atol=1e-6)
    sparse_model = BagOfNgramsClassifier(11, hidden_units=hidden_units, sparse=True)
    sparse_model.set_weights(model.get_weights())
    np.testing.assert_allclose(
        sparse_model.predict(scipy_sparse.csr_matrix(rows), verbose=0), expected,
        rtol=1e-5, atol=1e-6)


def test_bag_model_scale_is_checked():
    model = BagOfNgramsClassifier(5)
    with pytest.raises(ValueError, match="shape"):
        model.set_feature_scale(np.ones(4))
    with pytest.raises(ValueError, match="finite"):
        model.set_feature_scale([1, 2, np.inf, 1, 1])


@pytest.mark.parametrize(
    "fields, match",
    [
        ({"model": "bag_of_ngrams"}, "needs output_mode='multi_hot'"),
        ({"model": "bag_of_ngrams", "output_mode": "multi_hot", "embeddings": "glove"},
         "has no embedding"),
        ({"model": "bag_of_ngrams", "output_mode": "count", "embedding_dim": 8},
         "does not apply"),
        ({"model": "bilstm", "output_mode": "multi_hot"}, "reads token ids"),
        ({"nb_scaling": True}, "applies to 'bag_of_ngrams' only"),
    ],
)
def test_bad_model_and_input_combinations(fields, match):
    from imdbfast.models import build_model

    with pytest.raises(ValueError, match=match):
        build_model(TrainConfig(**fields), 50, np.zeros((50, 8)) if fields.get(
            "embeddings") == "glove" else None)


def test_config_checks_the_new_fields():
    with pytest.raises(ValueError, match="output_mode"):
        TrainConfig(output_mode="one_hot")
    with pytest.raises(TypeError, match="nb_scaling"):
        TrainConfig(nb_scaling=1)
    with pytest.raises(ValueError, match="ngrams"):
        TrainConfig(ngrams=0)


def test_earlier_study_keys_do_not_change():
    """Fields added later count in a study's run key only when they are set."""
    from imdbfast.experiments.study import _identity_dict

    data = _identity_dict(TrainConfig())
    assert not {"ngrams", "output_mode", "nb_scaling"} & set(data)
    assert _identity_dict(TrainConfig(ngrams=2))["ngrams"] == 2


# --- training and loading ----------------------------------------------------


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    return ngram_runs(tmp_path_factory)


def test_bag_of_ngrams_trains_with_nb_scaling(runs):
    result = runs["bag"]
    assert result.config.model == "bag_of_ngrams" and result.config.nb_scaling
    assert result.test_accuracy > 0.8  # the synthetic cue words are easy
    # The scale is the training split's NB ratios, saved with the model.
    prepared = imdbfast.training.prepare(result.config)
    expected = nb_log_count_ratios(prepared.encoded["train"], prepared.imdb.train.labels)
    bundle = imdbfast.load(result.run_dir)
    np.testing.assert_allclose(bundle.model.feature_scale, expected, rtol=1e-6)
    metrics = json.loads((result.run_dir / "metrics.json").read_text())
    assert metrics["test"]["accuracy"] == pytest.approx(result.test_accuracy)
    assert metrics["mean_train_tokens"] is None


def test_nbsvm_trigrams_preset_trains(tmp_path_factory, tmp_path):
    """The 1-3-gram NBSVM preset on tiny data: trigrams in the capped
    vocabulary, NB scaling, the small validation split."""
    config = TrainConfig.preset("nbsvm-trigrams")
    assert (config.model, config.ngrams, config.nb_scaling) == ("bag_of_ngrams", 3, True)
    assert config.output_mode == "multi_hot" and config.validation_split == 0.05
    data = str(tiny_imdb(tmp_path_factory))
    result = imdbfast.train("nbsvm-trigrams", data_source=data, output_dir=str(tmp_path),
                            run_name="tri", **NGRAM_SMALL | {"max_tokens": 2000})
    assert result.tokenizer.vocabulary_size() == 2000
    vocabulary = result.tokenizer.get_vocabulary()
    assert any(entry.count(" ") == 2 for entry in vocabulary)  # trigrams are entries
    assert result.test_accuracy > 0.8  # the synthetic cue words are easy
    assert not np.allclose(result.model.feature_scale, 1.0)  # NB ratios were set
    assert imdbfast.load(result.run_dir).evaluate()["accuracy"] == pytest.approx(
        result.test_accuracy
    )


def test_bag_bundle_predicts_like_the_trained_model(runs):
    result = runs["bag"]
    imdb = imdbfast.load_imdb(runs["data"])
    texts = imdb.test.texts[:40]
    bundle = imdbfast.load(result.run_dir)
    rows = result.tokenizer.transform(texts)
    assert scipy_sparse.issparse(rows)
    expected = result.model.predict(rows, verbose=0)[:, 0]
    np.testing.assert_allclose(bundle.predict_proba(texts), expected, rtol=1e-6)
    assert bundle.predict_proba([]).shape == (0,)
    # the whole test split scores as train() scored it
    assert bundle.evaluate()["accuracy"] == pytest.approx(result.test_accuracy)


def test_fasttext_reads_bigram_ids(runs):
    result = runs["fast"]
    assert result.tokenizer.ngrams == 2 or result.tokenizer.ngrams == (1, 2)
    vocabulary = result.tokenizer.get_vocabulary()
    assert any(" " in entry for entry in vocabulary)  # bigrams are entries
    layers = [layer.name for layer in result.model.layers]
    assert "average" in layers
    bundle = imdbfast.load(result.run_dir)
    assert bundle.evaluate()["accuracy"] == pytest.approx(result.test_accuracy)
