"""Data-parallel training (``TrainConfig.distribution``): batches topped up to a
multiple of the replica count with weight-0 rows, a loss, metrics and
predictions that leave those rows out, and two-device runs (JAX, TensorFlow,
on CPU) whose test metrics equal a single device's."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

keras = pytest.importorskip("keras")

import imdbfast
from imdbfast import distribution
from imdbfast.batching import BucketedBatches, predict_sorted
from imdbfast.config import TrainConfig
from imdbfast.models import build_model
from train_helpers import make_imdb_dir

TESTS = Path(__file__).resolve().parent


def _ragged(n, seed=0):
    rng = np.random.default_rng(seed)
    lengths = rng.integers(0, 12, n)  # a few empty reviews too
    values = rng.integers(2, 30, int(lengths.sum())).astype(np.int32)
    return values, np.r_[0, np.cumsum(lengths)], (rng.random(n) > 0.5).astype(np.float32)


def test_filler_rows_top_up_to_a_multiple():
    assert [distribution.filler_rows(n, 2) for n in (1, 2, 5, 16)] == [1, 0, 1, 0]
    assert [distribution.filler_rows(n, 4) for n in (1, 4, 5)] == [3, 0, 3]
    assert distribution.filler_rows(7, 1) == 0


@pytest.mark.backend_agnostic
@pytest.mark.parametrize("shuffle", [True, False])
def test_batches_are_topped_up_with_weight_zero_empty_reviews(shuffle):
    values, splits, labels = _ragged(29)
    kwargs = {"batch_size": 5, "shuffle": shuffle, "seed": 3, "empty_id": 1}
    one = BucketedBatches(values, splits, labels, **kwargs)
    two = BucketedBatches(values, splits, labels, replicas=2, **kwargs)
    assert len(one) == len(two) == 6
    assert np.array_equal(one.order(), two.order())  # the same global order
    for (x1, y1), (x2, y2, w2) in zip(one, two):
        n = len(x1)
        assert len(x2) % 2 == 0 and len(x2) == n + n % 2
        assert np.array_equal(x2[:n], x1) and np.array_equal(y2[:n], y1)
        assert np.array_equal(w2, np.r_[np.ones(n), np.zeros(len(x2) - n)])
        assert (x2[n:, 0] == 1).all() and (x2[n:, 1:] == 0).all()  # empty reviews
        assert (y2[n:] == 0).all() and w2.dtype == np.float32
    mask = two.real_rows()
    assert mask.sum() == 29 and len(mask) == sum(len(b[0]) for b in two)
    assert one.real_rows().all()


@pytest.mark.backend_agnostic
def test_inputs_only_batches_are_topped_up_without_weights():
    values, splits, _ = _ragged(7)
    batches = BucketedBatches(values, splits, batch_size=3, replicas=4)
    assert [tuple(b[0].shape[:1]) for b in batches] == [(4,), (4,), (4,)]
    assert all(len(b) == 1 for b in batches)


def test_tf_dataset_serves_the_same_topped_up_batches():
    if keras.backend.backend() != "tensorflow":
        pytest.skip("tf.data pipeline of the TensorFlow backend")
    values, splits, labels = _ragged(13)
    batches = BucketedBatches(values, splits, labels, batch_size=5, replicas=2,
                              shuffle=True, seed=1)
    expected = [batches.batch(rows) for rows in batches.batch_indices(0)]
    served = [tuple(t.numpy() for t in b) for b in batches.as_tf_dataset()]
    assert len(served) == len(expected)
    for got, want in zip(served, expected):
        assert len(got) == 3
        for g, w in zip(got, want):
            assert np.array_equal(g, w)


@pytest.mark.backend_agnostic
def test_epoch_callback_points_the_batches_at_keras_epoch():
    values, splits, labels = _ragged(13)
    batches = BucketedBatches(values, splits, labels, batch_size=5, shuffle=True)
    batches[0]  # a pass started and not finished (a look ahead)
    batches.on_epoch_end()
    callback = batches.epoch_callback()
    callback.on_epoch_begin(3)
    assert batches.epoch == 3 and batches._served == 0
    assert np.array_equal(batches.order(), batches.order(3))


def _tiny_model():
    config = TrainConfig(embedding_dim=4, units=3, max_tokens=30, dropout=0.0, seed=5)
    keras.utils.set_random_seed(5)
    model = build_model(config, 30)
    model.compile(metrics=[], weighted_metrics=["accuracy"])
    model.weighted_mean_loss = True  # as data-parallel training sets it
    return model


@pytest.mark.backend_agnostic
def test_weight_zero_rows_change_neither_the_loss_nor_the_metrics():
    model = _tiny_model()
    values, splits, labels = _ragged(11, seed=4)
    plain = BucketedBatches(values, splits, labels, batch_size=11)
    topped = BucketedBatches(values, splits, labels, batch_size=11, replicas=4)
    (x, y), (xp, yp, wp) = plain[0], topped[0]
    assert len(xp) == 12
    # The loss is the mean over the real rows, whatever the filler holds.
    loss = model.compute_loss(x=x, y=y, y_pred=model(x), training=False)
    padded = model.compute_loss(x=xp, y=yp, y_pred=model(xp), sample_weight=wp,
                                training=False)
    np.testing.assert_allclose(float(padded), float(loss), rtol=1e-6)
    one = model.evaluate(plain, verbose=0, return_dict=True)
    four = model.evaluate(topped, verbose=0, return_dict=True)
    assert four["accuracy"] == pytest.approx(one["accuracy"], abs=1e-7)
    assert four["loss"] == pytest.approx(one["loss"], rel=1e-6)  # one batch
    # Weights that are all 1 leave Keras' own loss unchanged.
    ones = model.compute_loss(x=x, y=y, y_pred=model(x), sample_weight=np.ones(11),
                              training=False)
    np.testing.assert_allclose(float(ones), float(loss), rtol=1e-7)
    # Outside data-parallel training, sample weights keep Keras' meaning.
    model.weighted_mean_loss = False
    halves = model.compute_loss(x=x, y=y, y_pred=model(x), sample_weight=np.full(11, 0.5),
                                training=False)
    np.testing.assert_allclose(float(halves), 0.5 * float(loss), rtol=1e-6)


@pytest.mark.backend_agnostic
def test_predictions_drop_the_filler_rows():
    model = _tiny_model()
    values, splits, _ = _ragged(23, seed=2)
    one = predict_sorted(model, BucketedBatches(values, splits, batch_size=5))
    two = predict_sorted(model, BucketedBatches(values, splits, batch_size=5, replicas=2))
    assert one.shape == two.shape == (23, 1)
    np.testing.assert_allclose(two, one, rtol=1e-6)


def test_pytorch_is_refused_with_a_pointer_to_the_docs(monkeypatch):
    monkeypatch.setattr(keras.backend, "backend", lambda: "torch")
    with (
        pytest.raises(ValueError, match="torchrun.*docs/training.md.*Received: "
                      "distribution='data_parallel' with backend 'torch'"),
        distribution.data_parallel_scope("data_parallel"),
    ):
        pass


@pytest.mark.backend_agnostic
def test_one_device_scopes():
    with distribution.data_parallel_scope("none") as replicas:
        assert replicas == 1
    with (
        pytest.raises(ValueError, match="`distribution` must be one of"),
        distribution.data_parallel_scope("mirrored"),
    ):
        pass
    assert distribution.writes_run_dir()  # one process: it writes


# --- two devices against one ----------------------------------------------------

# A few hundred reviews, a batch size that leaves a last batch of 11 (235 =
# 14 * 16 + 11) and odd evaluation batches (25): every kind of batch is topped
# up on two devices.
TWO_DEVICE_TRAIN = {
    "epochs": 2, "embedding_dim": 8, "units": 4, "max_tokens": 40,
    "sequence_length": 40, "batch_size": 16, "eval_batch_size": 25,
    "train_size": 235, "dropout": 0.0, "seed": 11, "verbose": 0,
}


@pytest.fixture(scope="module")
def imdb_300(tmp_path_factory):
    return make_imdb_dir(tmp_path_factory.mktemp("imdb300"), train_per_class=150,
                         test_per_class=50, seed=3)


def _one_and_two_devices(backend, data, output):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run(
        [sys.executable, str(TESTS / "distributed_train.py"), backend, str(data),
         str(output), json.dumps(TWO_DEVICE_TRAIN)],
        check=False, capture_output=True, text=True, timeout=300, env=env,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert done.returncode == 0 and lines, done.stderr[-3000:]
    return json.loads(lines[-1][len("RESULT "):])


def _assert_same_run(runs, output):
    one, two = runs["none"], runs["data_parallel"]
    assert (one["replicas"], two["replicas"]) == (1, 2)
    assert two["test"]["confusion_matrix"] == one["test"]["confusion_matrix"]
    for name in ("accuracy", "loss", "precision", "recall", "f1", "average_precision"):
        assert two["test"][name] == pytest.approx(one["test"][name], abs=1e-4), name
    # Accuracy leaves the filler out exactly; Keras' epoch losses weigh each
    # batch by its rows, filler included (imdbfast.distribution).
    for name, values in one["history"].items():
        np.testing.assert_allclose(two["history"][name], values, atol=1e-4, err_msg=name)
    # One run directory per run, each written once, complete.
    for run in ("none", "data_parallel"):
        files = {p.name for p in (output / run).iterdir()}
        assert {"model.keras", "metrics.json", "config.json", "tokenizer.json"} <= files
    config = json.loads((output / "data_parallel" / "config.json").read_text())
    assert config["config"]["distribution"] == "data_parallel"
    # The run directory of a data-parallel run loads and predicts like any other.
    predictions = imdbfast.load(output / "data_parallel").predict(["great film", "awful"])
    assert predictions.probabilities.shape == (2,)


@pytest.mark.backend_agnostic
@pytest.mark.slow
def test_two_jax_devices_train_as_one(imdb_300, tmp_path):
    if importlib.util.find_spec("jax") is None:
        pytest.skip("JAX is not installed")
    _assert_same_run(_one_and_two_devices("jax", imdb_300, tmp_path), tmp_path)


@pytest.mark.slow
def test_two_tensorflow_devices_train_as_one(imdb_300, tmp_path):
    if importlib.util.find_spec("tensorflow") is None:
        pytest.skip("TensorFlow is not installed")
    _assert_same_run(_one_and_two_devices("tensorflow", imdb_300, tmp_path), tmp_path)


@pytest.mark.slow
def test_train_result_records_the_replicas(tmp_path_factory, tmp_path):
    from train_helpers import TINY_TRAIN, tiny_imdb

    result = imdbfast.train(data_source=str(tiny_imdb(tmp_path_factory)),
                            output_dir=str(tmp_path), run_name="one",
                            distribution="data_parallel", **{**TINY_TRAIN, "epochs": 1})
    metrics = json.loads((result.run_dir / "metrics.json").read_text())
    assert metrics["replicas"] == 1  # one CPU device: nothing to split
