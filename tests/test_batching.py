"""Length-bucketed batches: coverage, padding, seeded order, Keras integration."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from imdbfast.batching import BucketedBatches, default_length_multiple, fit_input  # noqa: E402


def ragged(lengths, seed=0):
    """(values, row_splits) with review i = lengths[i] ids in [2, 50)."""
    rng = np.random.default_rng(seed)
    lengths = np.asarray(lengths)
    row_splits = np.r_[0, np.cumsum(lengths)].astype(np.int64)
    values = rng.integers(2, 50, size=int(row_splits[-1])).astype(np.int32)
    return values, row_splits


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(42)
    lengths = rng.integers(0, 120, size=1003)
    lengths[:5] = 0  # empty reviews exist (e.g. only punctuation)
    values, splits = ragged(lengths)
    labels = rng.integers(0, 2, size=len(lengths))
    return values, splits, labels


def rows_of(batches, x, rows):
    """Recover each row's ids (unpadded) from a padded batch."""
    return [x[j, : min(batches.lengths[r], x.shape[1])] for j, r in enumerate(rows)]


@pytest.mark.parametrize("shuffle", [True, False])
def test_every_example_is_in_exactly_one_batch_per_epoch(data, shuffle):
    values, splits, labels = data
    b = BucketedBatches(values, splits, labels, batch_size=32, shuffle=shuffle,
                        pool_batches=4)
    assert len(b) == -(-1003 // 32)
    for epoch in range(3):
        plan = b.batch_indices(epoch)
        assert len(plan) == len(b)
        assert sorted(np.concatenate(plan).tolist()) == list(range(1003))
        sizes = sorted(len(r) for r in plan)
        assert sizes[1:] == [32] * (len(plan) - 1) and sizes[0] == 1003 % 32


def test_batches_hold_the_right_ids_labels_and_padding(data):
    values, splits, labels = data
    b = BucketedBatches(values, splits, labels, batch_size=16, shuffle=True, seed=3,
                        length_multiple=1, empty_id=None)
    for i in range(len(b)):
        x, y = b[i]
        rows = b.batch_indices()[i]
        assert x.dtype == np.int32 and y.dtype == np.float32
        assert x.shape == (len(rows), max(1, b.lengths[rows].max()))
        np.testing.assert_array_equal(y, labels[rows])
        for j, r in enumerate(rows):
            n = b.lengths[r]
            np.testing.assert_array_equal(x[j, :n], values[splits[r] : splits[r + 1]])
            assert not x[j, n:].any()  # right padding with 0


def test_bucketing_cuts_padding(data):
    values, splits, labels = data
    b = BucketedBatches(values, splits, labels, batch_size=32, shuffle=True,
                        length_multiple=1)
    padded = sum(b[i][0].size for i in range(len(b)))
    naive = len(b.lengths) * b.lengths.max()
    assert padded < 0.7 * naive
    # within a pool, batches are sorted by length: a batch spans few lengths
    spans = [np.ptp(b.lengths[r]) for r in b.batch_indices()]
    assert np.median(spans) < 0.25 * b.lengths.max()


def test_order_is_seeded_deterministic_and_changes_every_epoch(data):
    values, splits, labels = data
    make = lambda seed: BucketedBatches(values, splits, labels, shuffle=True, seed=seed)  # noqa: E731
    a, b, c = make(1), make(1), make(2)
    for epoch in range(2):
        np.testing.assert_array_equal(a.order(epoch), b.order(epoch))
        assert not np.array_equal(a.order(epoch), c.order(epoch))
    assert not np.array_equal(a.order(0), a.order(1))
    # Keras advances the epoch through on_epoch_end, once a whole epoch has
    # been served; a pass cut short (JAX reads one batch to build the model,
    # then ends the "epoch") keeps the order.
    first = a.order()
    a[0]
    a.on_epoch_end()
    assert a.epoch == 0
    for i in range(len(a)):
        a[i]
    a.on_epoch_end()
    assert a.epoch == 1
    np.testing.assert_array_equal(a.order(), b.order(1))
    assert not np.array_equal(a.order(), first)


def test_unshuffled_batches_are_sorted_by_length_and_stable(data):
    values, splits, labels = data
    b = BucketedBatches(values, splits, batch_size=100)
    order = b.order()
    assert np.all(np.diff(b.lengths[order]) >= 0)
    b.on_epoch_end()
    np.testing.assert_array_equal(b.order(), order)
    assert len(b[0]) == 1  # inputs only without labels


def test_length_multiple_and_fixed_length(data):
    values, splits, _ = data
    b = BucketedBatches(values, splits, batch_size=8, length_multiple=16)
    for i in range(len(b)):
        (x,) = b[i]
        assert x.shape[1] % 16 == 0
        assert x.shape[1] - 16 < max(1, b.lengths[b.batch_indices()[i]].max())
    f = BucketedBatches(values, splits, batch_size=8, fixed_length=50)
    for i in range(len(f)):
        (x,) = f[i]
        assert x.shape[1] == 50
        for j, r in enumerate(f.batch_indices()[i]):  # longer reviews are cut
            n = min(50, f.lengths[r])
            np.testing.assert_array_equal(x[j, :n], values[splits[r] : splits[r] + n])


def test_empty_reviews_get_one_oov_token_so_no_row_is_fully_masked():
    values, splits = ragged([0, 3, 0])
    (x,) = BucketedBatches(values, splits, batch_size=3, length_multiple=1)[0]
    lengths = (x != 0).sum(axis=1)
    assert lengths.min() == 1
    assert x[0].tolist() == [1, 0, 0]
    (x,) = BucketedBatches(values, splits, batch_size=3, length_multiple=1, empty_id=None)[0]
    assert x[0].tolist() == [0, 0, 0]
    # a batch of only empty reviews still has width 1
    (x,) = BucketedBatches(*ragged([0, 0]), empty_id=None, length_multiple=1)[0]
    assert x.shape == (2, 1)


def test_default_length_multiple():
    assert default_length_multiple("jax") == 32
    assert default_length_multiple("tensorflow") == 8
    assert default_length_multiple("torch") == 8


def test_invalid_inputs():
    values, splits = ragged([2, 3])
    with pytest.raises(ValueError, match="row_splits"):
        BucketedBatches(values, splits[:-1])
    with pytest.raises(ValueError, match="row_splits"):
        BucketedBatches(values, splits[::-1])
    with pytest.raises(ValueError, match="one entry per review"):
        BucketedBatches(values, splits, [1, 0, 1])
    with pytest.raises(ValueError, match="batch_size"):
        BucketedBatches(values, splits, batch_size=0)
    with pytest.raises(ValueError, match="zero reviews"):
        BucketedBatches(np.zeros(0, "int32"), np.zeros(1, "int64"))
    with pytest.raises(IndexError, match="out of range"):
        BucketedBatches(values, splits)[5]


def test_tf_dataset_has_dynamic_length_and_reshuffles_per_pass(data):
    tf = pytest.importorskip("tensorflow")

    values, splits, labels = data
    b = BucketedBatches(values, splits, labels, batch_size=64, shuffle=True, seed=9)
    ds = b.as_tf_dataset()
    spec_x, spec_y = ds.element_spec
    assert spec_x.shape.as_list() == [None, None] and spec_x.dtype == tf.int32
    assert int(ds.cardinality()) == len(b)
    # No autotuning thread for each epoch's iterator to wait for on deletion.
    assert ds.options().autotune.enabled is False
    expected = [b.pad_rows(r) for r in b.batch_indices(0)]
    first = [x.numpy() for x, _ in ds]
    assert len(first) == len(expected)
    for got, want in zip(first, expected):
        np.testing.assert_array_equal(got, want)
    second = [x.numpy() for x, _ in ds]  # next pass = next epoch's order
    for got, rows in zip(second, b.batch_indices(1)):
        np.testing.assert_array_equal(got, b.pad_rows(rows))
    if keras.backend.backend() == "tensorflow":
        assert fit_input(b) is not b  # TensorFlow gets the tf.data pipeline


def test_keras_fit_consumes_bucketed_batches(data):
    import keras

    values, splits, labels = data
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input(shape=(None,), dtype="int32"),
        keras.layers.Embedding(50, 4, mask_zero=True),
        keras.layers.GlobalAveragePooling1D(),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile("adam", "binary_crossentropy")
    train = BucketedBatches(values, splits, labels, batch_size=128, shuffle=True)
    history = model.fit(fit_input(train), epochs=2, verbose=0, shuffle=False)
    assert len(history.history["loss"]) == 2
    assert train.epoch == 2  # each pass advanced the order


# --- batches a TrainConfig implies ------------------------------------------------


def test_batches_for_follows_the_config(data):
    from imdbfast.batching import batches_for
    from imdbfast.config import TrainConfig

    values, splits, labels = data
    config = TrainConfig(batch_size=16, eval_batch_size=64, seed=5, length_multiple=4)
    train = batches_for(config, (values, splits), labels, training=True, empty_id=3)
    assert (train.batch_size, train.shuffle, train.seed) == (16, True, 5)
    assert (train.length_multiple, train.empty_id, train.fixed_length) == (4, 3, None)
    evaluation = batches_for(config, (values, splits))
    assert (evaluation.batch_size, evaluation.shuffle) == (64, False)
    assert evaluation.labels is None
    xla = batches_for(config.replace(length_multiple=None), (values, splits), xla=True)
    assert xla.length_multiple == 32


def test_fixed_length_comes_from_the_model_class(data, monkeypatch):
    import imdbfast.models
    from imdbfast.batching import batches_for
    from imdbfast.config import TrainConfig

    values, splits, _ = data
    config = TrainConfig(sequence_length=70)
    assert imdbfast.models.get_model_class("flatten").variable_length is False
    flatten = batches_for(config.replace(model="flatten"), (values, splits))
    assert flatten.fixed_length == 70
    assert batches_for(config, (values, splits)).fixed_length is None

    class FixedLength:
        variable_length = False

    monkeypatch.setattr(imdbfast.models, "get_model_class", lambda name: FixedLength)
    assert batches_for(config, (values, splits)).fixed_length == 70


# --- evaluation batches sized by tokens -------------------------------------------


@pytest.mark.parametrize("fixed_length", [None, 100])
def test_batch_tokens_make_batches_of_short_reviews_larger(data, fixed_length):
    values, splits, _ = data
    budget = 16 * 120
    b = BucketedBatches(values, splits, batch_size=16, batch_tokens=budget,
                        length_multiple=8, fixed_length=fixed_length)
    plan = b.batch_indices()
    assert len(b) == len(plan)
    order = np.concatenate(plan)
    assert sorted(order.tolist()) == list(range(len(b.lengths)))
    assert np.all(np.diff(b.lengths[order]) >= 0)  # still sorted by length
    start = 0
    for i, rows in enumerate(plan):
        last = i == len(plan) - 1
        assert len(rows) % 16 == 0 or last
        width = b.padded_length(rows)
        assert len(rows) * width <= budget or len(rows) == 16 or last
        # the largest multiple of 16 that fits
        more = order[start : start + len(rows) + 16]
        if not last and len(more) > len(rows):
            assert len(more) * b.padded_length(more) > budget
        start += len(rows)
    if fixed_length is None:
        assert max(len(r) for r in plan) > 16  # short reviews share bigger batches
    else:
        assert all(len(r) == 16 for r in plan[:-1])  # 16 x 100 <= budget < 32 x 100
    x = b[0][0]
    assert x.shape == (len(plan[0]), b.padded_length(plan[0]))


def test_batch_tokens_apply_to_unshuffled_batches_only(data):
    values, splits, labels = data
    with pytest.raises(ValueError, match="unshuffled"):
        BucketedBatches(values, splits, labels, shuffle=True, batch_tokens=1000)
    with pytest.raises(ValueError, match="batch_tokens"):
        BucketedBatches(values, splits, batch_tokens=0)


def test_evaluation_batches_hold_the_tokens_of_eval_batch_size_long_reviews(data):
    from imdbfast.batching import batches_for
    from imdbfast.config import TrainConfig

    values, splits, labels = data
    config = TrainConfig(batch_size=16, eval_batch_size=32, sequence_length=120)
    evaluation = batches_for(config, (values, splits))
    assert evaluation.batch_tokens == 32 * 120
    training = batches_for(config, (values, splits), labels, training=True)
    assert training.batch_tokens is None
    assert max(len(r) for r in evaluation.batch_indices()) > 32


def test_predict_sorted_gives_outputs_in_example_order_and_traces_once(data):
    from imdbfast import batching

    values, splits, _ = data
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input(shape=(None,), dtype="int32"),
        keras.layers.Embedding(50, 4, mask_zero=True),
        keras.layers.GlobalAveragePooling1D(),
        keras.layers.Dense(1),
    ])
    reviews = [values[splits[i] : splits[i + 1]].tolist() or [1]  # empty_id=1
               for i in range(len(splits) - 1)]
    want = model.predict(keras.utils.pad_sequences(reviews, padding="post"), verbose=0)
    for batch_size in (64, 7):
        b = BucketedBatches(values, splits, batch_size=batch_size,
                            batch_tokens=batch_size * 120)
        got = batching.predict_sorted(model, b)
        assert got.dtype == np.float32 and got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    if keras.backend.backend() == "tensorflow":  # one trace for every shape
        from imdbfast import runtime

        (step,) = runtime._MODEL_STEPS[model].values()
        assert step.graph is not None  # a concrete function: traced once
    with pytest.raises(ValueError, match="unshuffled"):
        batching.predict_sorted(model, BucketedBatches(values, splits, shuffle=True))

