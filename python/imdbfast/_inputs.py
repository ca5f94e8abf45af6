"""The inputs a run's model reads: bag-of-n-grams rows or padded token ids.

A config's model reads one of two inputs, and this module is the one place
that chooses between them (``TrainConfig.uses_bag_rows``):

- **bag rows** (a bag ``output_mode``: ``multi_hot``, ``count``, ``tf_idf``):
  ``Tokenizer.transform`` gives a ``scipy.sparse.csr_matrix``, one row per
  text, which Keras batches itself (a ``SparseTensor`` per batch);
- **ids** (``output_mode="int"``): ``Tokenizer.transform_ragged`` gives
  ``(values, row_splits)``, cut into length-bucketed, right-padded batches
  (:mod:`imdbfast.batching`).

:func:`make_tokenizer` builds the tokenizer of either, :func:`encode` encodes
texts, :func:`describe_encoded` words the training split for the log,
:func:`fit_inputs` gives what ``model.fit`` takes and :func:`predict` scores
encoded texts. :func:`imdbfast.train`, :meth:`imdbfast.bundle.Bundle.predict_proba`
and through it every ensemble member go through here.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from imdbfast.config import TrainConfig

__all__ = [
    "FitInputs",
    "describe_encoded",
    "encode",
    "fit_inputs",
    "make_tokenizer",
    "predict",
    "vocabulary_coverage",
]


def make_tokenizer(config: TrainConfig) -> Any:
    """The (unfitted) Tokenizer a config asks for."""
    from imdbfast.tokenizer import Tokenizer

    bag = config.uses_bag_rows
    return Tokenizer(
        max_tokens=config.max_tokens,
        standardize=config.standardize,
        output_sequence_length=None if bag else config.sequence_length,
        strip_html=config.strip_html,
        ngrams=config.ngrams,
        output_mode=config.output_mode,
        sparse=bag,
    )


def encode(config: TrainConfig, tokenizer: Any, texts: Any) -> Any:
    """``texts`` encoded for the config's model, once and unpadded.

    Args:
        config: the run's TrainConfig.
        tokenizer: the fitted Tokenizer of :func:`make_tokenizer`.
        texts: a list of str.

    Returns:
        Bag rows (a ``scipy.sparse.csr_matrix``), or ids as
        ``(values, row_splits)``.
    """
    if config.uses_bag_rows:
        return tokenizer.transform(texts)
    return tokenizer.transform_ragged(texts)


def vocabulary_coverage(train_ids: np.ndarray, oov_id: int | None) -> float | None:
    """The share of training tokens that are in the vocabulary.

    Args:
        train_ids: every training token's id (the ``values`` of
            ``Tokenizer.transform_ragged``, so tokens past ``sequence_length``
            are not counted).
        oov_id: the tokenizer's OOV id.

    Returns:
        A fraction in [0, 1]; None without an OOV id (out-of-vocabulary tokens
        are then dropped and cannot be counted).
    """
    if oov_id is None:
        return None
    ids = np.asarray(train_ids)
    if not ids.size:
        return 1.0
    return 1.0 - int(np.count_nonzero(ids == oov_id)) / ids.size


def describe_encoded(config: TrainConfig, tokenizer: Any, train: Any) -> str:
    """The vocabulary and the encoded training split, in words (for the log).

    Args:
        config: the run's TrainConfig.
        tokenizer: the fitted Tokenizer.
        train: the training split as :func:`encode` gave it.

    Returns:
        ``"<n> tokens, <share> of the training tokens in it"`` for ids,
        ``"<n> entries, <output_mode> rows with <nnz> stored values"`` for
        bag rows.
    """
    size = f"{tokenizer.vocabulary_size():,}"
    if config.uses_bag_rows:
        return f"{size} entries, {config.output_mode} rows with {train.nnz:,} stored values"
    coverage = vocabulary_coverage(train[0], tokenizer.oov_id)
    shown = "all" if coverage is None else f"{coverage:.1%}"
    return f"{size} tokens, {shown} of the training tokens in it"


@dataclasses.dataclass(frozen=True, eq=False)
class FitInputs:
    """What :func:`fit_inputs` gives ``model.fit``.

    Attributes:
        fit_args: the training data arguments of ``fit`` (``x`` and, for bag
            rows, ``y``, ``batch_size``, ``shuffle``).
        validation_data: ``fit``'s ``validation_data``.
        callbacks: callbacks the batches need during ``fit`` (the epoch
            callback of length-bucketed batches), after the run's own.
        mean_train_tokens: the mean training review length in ids, None for
            bag rows.
    """

    fit_args: dict[str, Any]
    validation_data: Any
    callbacks: list[Any]
    mean_train_tokens: float | None


def fit_inputs(
    config: TrainConfig,
    train: Any,
    train_labels: Any,
    validation: Any,
    validation_labels: Any,
    *,
    empty_id: int | None,
    xla: bool,
    replicas: int,
) -> FitInputs:
    """The training and validation data of ``fit``, for the config's model.

    Bag rows go to Keras as they are (it batches and shuffles them); ids are
    cut into shuffled, length-bucketed training batches (seeded) and sorted
    validation batches (:func:`imdbfast.batching.batches_for`), served by a
    ``tf.data`` pipeline on TensorFlow (:func:`imdbfast.batching.fit_input`).

    Args:
        config: the run's TrainConfig.
        train, validation: the splits as :func:`encode` gave them.
        train_labels, validation_labels: their 0/1 labels.
        empty_id: the id of an empty review (the tokenizer's ``oov_id``).
        xla: the training step is compiled per shape (see ``batches_for``).
        replicas: the replica count of the run.

    Returns:
        A :class:`FitInputs`.
    """
    if config.uses_bag_rows:
        return FitInputs(
            fit_args={
                "x": train,
                "y": np.asarray(train_labels, dtype=np.float32),
                "batch_size": config.batch_size,
                "shuffle": True,
            },
            validation_data=(
                validation,
                np.asarray(validation_labels, dtype=np.float32),
            ),
            callbacks=[],
            mean_train_tokens=None,
        )
    from imdbfast.batching import batches_for, fit_input

    train_batches = batches_for(config, train, train_labels, training=True,
                                empty_id=empty_id, xla=xla, replicas=replicas)
    validation_batches = batches_for(config, validation, validation_labels,
                                     empty_id=empty_id, replicas=replicas)
    return FitInputs(
        fit_args={"x": fit_input(train_batches), "shuffle": False},
        validation_data=fit_input(validation_batches),
        callbacks=[train_batches.epoch_callback()],
        mean_train_tokens=float(np.mean(train_batches.lengths)),
    )


def predict(
    config: TrainConfig,
    model: Any,
    encoded: Any,
    *,
    empty_id: int | None,
    replicas: int = 1,
) -> np.ndarray:
    """The model's probability that each encoded text is positive.

    Bag rows go through ``model.predict`` in batches of ``eval_batch_size``,
    or, on TensorFlow, when they fit in one such batch (one review at a time),
    straight to the model in one ``tf.function`` per model and width (the
    same ``model(x, training=False)`` as ``predict``'s step, without the
    ``tf.data`` pipeline ``predict`` builds on every call: 0.2 s for one
    review); ids through length-sorted batches of up to the tokens of
    ``eval_batch_size`` reviews of ``sequence_length``
    (:func:`imdbfast.batching.predict_sorted`).

    Args:
        config: the run's TrainConfig.
        model: the trained Keras model.
        encoded: texts as :func:`encode` gave them.
        empty_id: the id of an empty review (the tokenizer's ``oov_id``).
        replicas: the replica count of the run.

    Returns:
        float32 array, one probability per text, in text order.
    """
    if config.uses_bag_rows:
        if encoded.shape[0] <= config.eval_batch_size:
            direct = _bag_predict_function(model, encoded.shape[1])
            if direct is not None:
                return np.asarray(direct(*_sparse_parts(encoded)), dtype=np.float32)[:, 0]
        probabilities = model.predict(
            encoded, batch_size=config.eval_batch_size, verbose=0
        )
        return np.asarray(probabilities, dtype=np.float32)[:, 0]
    from imdbfast.batching import batches_for, predict_sorted

    batches = batches_for(config, encoded, empty_id=empty_id, replicas=replicas)
    return predict_sorted(model, batches)[:, 0]


def _bag_predict_function(model: Any, width: int) -> Any:
    """``model(rows, training=False)`` as a ``tf.function`` of a
    ``(None, width)`` float32 ``tf.SparseTensor``'s parts (the ``(nnz, 2)``
    int64 indices, the float32 values and the row count: plain tensors bind
    faster than a composite one), traced once per model and width; None off
    TensorFlow."""
    import keras

    if keras.backend.backend() != "tensorflow":
        return None
    import tensorflow as tf

    from imdbfast.runtime import model_step

    def call(live: Any, indices: Any, values: Any, count: Any) -> Any:
        shape = tf.stack([count, tf.constant(width, tf.int64)])
        return live(tf.SparseTensor(indices, values, shape), training=False)

    return model_step(
        model,
        ("bag", width),
        [
            tf.TensorSpec((None, 2), tf.int64),
            tf.TensorSpec((None,), tf.float32),
            tf.TensorSpec((), tf.int64),
        ],
        call,
    )


def _sparse_parts(rows: Any) -> list[Any]:
    """A ``scipy.sparse`` matrix as the parts of the float32
    ``tf.SparseTensor`` Keras' ``predict`` would make of it (entries in
    row-major, column order): indices, values and the row count, as tensors."""
    import tensorflow as tf

    rows = rows.tocsr()
    if not rows.has_sorted_indices:
        rows = rows.sorted_indices()
    count = rows.shape[0]
    indices = np.empty((rows.nnz, 2), dtype=np.int64)
    indices[:, 0] = np.repeat(np.arange(count), np.diff(rows.indptr))
    indices[:, 1] = rows.indices
    values = rows.data.astype(np.float32, copy=False)
    return [tf.constant(indices), tf.constant(values), tf.constant(count, tf.int64)]
