"""Data-parallel training: one model, its steps spread over several devices.

``TrainConfig(distribution="data_parallel")`` (``imdbfast train
--distribution data-parallel``) makes :func:`imdbfast.train` run every
training, validation and prediction step on all the devices the backend
sees, each replica on its share of the batch, with one copy of the weights
per device kept equal:

- **JAX**: :class:`keras.distribution.DataParallel` over
  ``keras.distribution.list_devices()`` (the accelerators, or the CPU devices
  JAX exposes; ``XLA_FLAGS=--xla_force_host_platform_device_count=N`` makes N
  of them on one CPU);
- **TensorFlow**: :class:`tf.distribute.MirroredStrategy` over the logical
  GPUs, or the logical CPU devices when there is no GPU (one, unless the
  program splits the CPU with ``tf.config.set_logical_device_configuration``);
- **PyTorch**: refused. Keras runs PyTorch data parallelism only as one
  process per device under ``torchrun`` (``DistributedDataParallel``), which
  :func:`imdbfast.train` does not set up; docs/training.md ("Training on
  several devices") says what to run instead.

The batch size stays the global one. A backend splits a batch into equal
shares, so every batch that :class:`imdbfast.batching.BucketedBatches` serves
is topped up to a multiple of the replica count with empty reviews of sample
weight 0 (:func:`filler_rows`); the models normalise the weights to mean 1
over the global batch (:func:`loss_weights`), so the loss, and with it the
gradient, is the mean over the real reviews of the batch, exactly as on one
device. Accuracy is then a weighted metric, so filler rows count nowhere;
predictions drop them. Keras' epoch ``loss`` and ``val_loss`` average the
batch losses weighted by the batch's rows *with* the filler, so in an epoch
where some batches were topped up they can differ from a single device's in
the last digits (each batch's loss is the same).

Only one process writes the run directory (:func:`writes_run_dir`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from imdbfast._options import DISTRIBUTIONS, check_choice

__all__ = [
    "DISTRIBUTIONS",
    "data_parallel_scope",
    "filler_rows",
    "loss_weights",
    "writes_run_dir",
]


def filler_rows(rows: int, replicas: int) -> int:
    """How many weight-0 rows top a batch of ``rows`` up to a multiple of
    ``replicas`` (0 for one replica)."""
    return -rows % replicas


@contextmanager
def data_parallel_scope(distribution: str) -> Iterator[int]:
    """Where a model is built, trained and run for ``distribution``.

    ``"none"`` changes nothing. ``"data_parallel"`` enters the backend's
    data-parallel scope (see the module docstring) for the block.

    Args:
        distribution: one of :data:`DISTRIBUTIONS`.

    Yields:
        The number of replicas: batches must hold a multiple of it. 1 for
        ``"none"``, and for ``"data_parallel"`` when there is one device
        (the run is then a plain single-device one).

    Raises:
        ValueError: for an unknown distribution, or data parallelism on a
            backend other than JAX and TensorFlow.
    """
    check_choice("distribution", distribution, DISTRIBUTIONS)
    if distribution == "none":
        yield 1
        return
    import keras

    backend = keras.backend.backend()
    if backend == "jax":
        devices = keras.distribution.list_devices()
        if len(devices) == 1:  # nothing to split: a single-device run
            yield 1
            return
        with keras.distribution.DataParallel(devices=devices).scope():
            yield len(devices)
    elif backend == "tensorflow":
        import tensorflow as tf

        names = [
            device.name
            for device in tf.config.list_logical_devices("GPU")
            or tf.config.list_logical_devices("CPU")
        ]
        if len(names) == 1:
            yield 1
            return
        strategy = tf.distribute.MirroredStrategy(names)
        with strategy.scope():
            yield int(strategy.num_replicas_in_sync)
    else:
        raise ValueError(
            "`distribution='data_parallel'` runs on the JAX and TensorFlow "
            "backends; on PyTorch, Keras needs one process per device under "
            "torchrun, which imdbfast.train does not set up (docs/training.md, "
            "'Training on several devices'). "
            f"Received: distribution={distribution!r} with backend {backend!r}"
        )


def loss_weights(sample_weight: Any) -> Any:
    """Sample weights scaled to mean 1 over the global batch.

    With Keras' ``sum_over_batch_size`` reduction the loss is then the
    weighted mean over the batch: filler rows of weight 0 neither add to it
    nor dilute it. Under a TensorFlow strategy each replica holds a share of
    the batch, so the rows and the weight sum are added across replicas (a
    replica's loss is then its share of the global mean, which Keras divides
    by the replica count and the strategy sums back); JAX sees the global
    batch at once.

    Args:
        sample_weight: a 1-D tensor of the batch's (or replica's) weights.

    Returns:
        The scaled weights (unchanged when they are all 1).
    """
    import keras
    from keras import ops

    weights = ops.cast(sample_weight, "float32")
    rows = ops.cast(ops.shape(weights)[0], "float32")
    total = ops.sum(weights)
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        context = tf.distribute.get_replica_context()
        if context is not None and context.num_replicas_in_sync > 1:
            rows, total = context.all_reduce(tf.distribute.ReduceOp.SUM, [rows, total])
    return weights * ops.divide_no_nan(rows, total)


def writes_run_dir() -> bool:
    """Whether this process writes the run directory: the one rule for it.

    A training that spans several processes (JAX's multi-process runtime)
    writes from process 0 only; the others keep their checkpoint in a
    temporary directory. One process with several devices (everything
    :func:`data_parallel_scope` sets up by itself, and every TensorFlow
    ``MirroredStrategy``) always writes.
    """
    import keras

    if keras.backend.backend() == "jax":
        import jax

        return bool(jax.process_index() == 0)
    return True
