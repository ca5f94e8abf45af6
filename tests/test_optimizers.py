"""imdbfast.optimizers.RMSprop trains bit for bit like keras.optimizers.RMSprop.

The reference is Keras' own optimizer: two copies of the same model (an
embedding with repeated ids in every batch, so rows get several occurrences,
and a dense head) are trained side by side on the same batches, one with each
optimizer, and every weight and optimizer variable must be equal after every
step (``np.array_equal``, not a tolerance).
"""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from imdbfast.optimizers import RMSprop  # noqa: E402

VOCAB, DIM, BATCH, LENGTH = 300, 8, 16, 40


def _model(seed: int) -> keras.Model:
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((None,), dtype="int32")
    x = keras.layers.Embedding(VOCAB, DIM, mask_zero=True)(inputs)
    x = keras.layers.GlobalAveragePooling1D()(x)
    outputs = keras.layers.Dense(1, activation="sigmoid")(x)
    return keras.Model(inputs, outputs)


def _batches(steps: int):
    rng = np.random.default_rng(7)
    for _ in range(steps):
        # Zipf-like ids: frequent rows repeat many times within a batch.
        ids = np.minimum(rng.zipf(1.3, size=(BATCH, LENGTH)), VOCAB - 1).astype("int32")
        ids[:, rng.integers(5, LENGTH) :] = 0  # right padding
        yield ids, rng.integers(0, 2, size=(BATCH, 1)).astype("float32")


def _variables(model: keras.Model) -> list[np.ndarray]:
    weights = [np.asarray(keras.ops.convert_to_numpy(w)) for w in model.weights]
    slots = [np.asarray(keras.ops.convert_to_numpy(v)) for v in model.optimizer.variables]
    return weights + slots


@pytest.mark.backend_agnostic
@pytest.mark.parametrize(
    "options",
    [{}, {"learning_rate": 0.01, "rho": 0.95, "epsilon": 1e-6}, {"momentum": 0.9}],
    ids=["seed", "other-rates", "momentum (Keras' own update)"],
)
def test_rmsprop_matches_keras_bit_for_bit(options, monkeypatch):
    import imdbfast.optimizers as optimizers

    seen = []
    is_sparse = optimizers._is_indexed_slices
    monkeypatch.setattr(
        optimizers, "_is_indexed_slices", lambda g: seen.append(is_sparse(g)) or seen[-1]
    )
    stock, ours = _model(3), _model(3)
    stock.compile(optimizer=keras.optimizers.RMSprop(**options), loss="binary_crossentropy")
    ours.compile(optimizer=RMSprop(**options), loss="binary_crossentropy")
    for step, (x, y) in enumerate(_batches(12)):
        stock.train_on_batch(x, y)
        ours.train_on_batch(x, y)
        for a, b in zip(_variables(stock), _variables(ours), strict=True):
            assert np.array_equal(a, b), f"step {step}: max diff {np.abs(a - b).max()}"
    # On TensorFlow the embedding's gradient took the sparse update.
    assert any(seen) == (keras.backend.backend() == "tensorflow" and not options.get("momentum"))


@pytest.mark.backend_agnostic
def test_rmsprop_serializes_as_imdbfast_rmsprop(tmp_path):
    model = _model(1)
    model.compile(optimizer=RMSprop(learning_rate=0.005), loss="binary_crossentropy")
    x, y = next(_batches(1))
    model.train_on_batch(x, y)
    model.save(tmp_path / "m.keras")
    back = keras.saving.load_model(tmp_path / "m.keras")
    assert type(back.optimizer) is RMSprop
    assert back.optimizer.get_config()["learning_rate"] == pytest.approx(0.005)
