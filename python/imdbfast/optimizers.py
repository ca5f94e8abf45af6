"""Keras optimizers of imdbfast: RMSprop without dense passes over untouched
embedding rows.

Why: a batch of 32 reviews touches a few thousand of the 20,000 rows of the
seed model's embedding, and TensorFlow hands the embedding's gradient to the
optimizer as ``tf.IndexedSlices`` (the rows of the batch only). Keras'
``RMSprop`` keeps that gradient sparse where it can, but still makes about ten
passes over the whole 20,000 x 128 table per step (densifying the squared
gradient, ``rho * velocity``, the sum, ``+ epsilon``, ``sqrt``, and a check of
the whole denominator for zeros and NaNs): 8-10 ms of a ~30 ms training step
on a 2-core CPU.

For a row that no review of the batch touches, Keras' update is
``velocity = rho * velocity + (1 - rho) * 0`` and ``variable -= lr * 0 /
sqrt(...)``: the velocity is multiplied by ``rho`` and the row is unchanged.
:class:`RMSprop` does exactly that with one pass (``velocity *= rho``) and then
computes the touched rows as Keras does, with the same operations in the same
order, so the weights stay bit for bit Keras' (``tests/test_optimizers.py``
trains both side by side):

1. ``velocity <- rho * velocity`` for every row;
2. ``velocity[r] += sum((1 - rho) * g**2)`` over the occurrences of row ``r``
   in the batch (Keras squares each occurrence, then adds them up in order when
   it densifies the gradient: the same segment sum here, over the touched rows
   only);
3. ``variable[r] -= lr * g / sqrt(velocity[r] + epsilon)`` per occurrence, in
   order (Keras' scatter of the same increments).

Only for sparse gradients on TensorFlow, without momentum, not centered; any
other case is Keras' own update. One difference on broken training only: where
a velocity is already NaN, Keras also writes NaN into rows the batch does not
touch; here those rows keep their values.
"""

from __future__ import annotations

from typing import Any

from imdbfast._keras import keras

__all__ = ["RMSprop"]


@keras.saving.register_keras_serializable(package="imdbfast", name="RMSprop")
class RMSprop(keras.optimizers.RMSprop):
    """``keras.optimizers.RMSprop`` (same arguments, same results) that updates
    only the embedding rows a batch touches on TensorFlow (see the module
    docs)."""

    def update_step(self, gradient: Any, variable: Any, learning_rate: Any) -> None:
        if self.momentum > 0 or self.centered or not _is_indexed_slices(gradient):
            super().update_step(gradient, variable, learning_rate)
            return
        import tensorflow as tf

        ops = keras.ops
        lr = ops.cast(learning_rate, variable.dtype)
        values = ops.cast(gradient.values, variable.dtype)
        velocity = self._velocities[self._get_variable_index(variable)]
        rho = self.rho

        rows, occurrence_row = tf.unique(gradient.indices)
        # 1. Every row: rho * velocity (the untouched rows' whole update).
        self.assign(velocity, ops.multiply(rho, velocity))
        # 2. Touched rows: + the squared occurrences, summed in order.
        squares = ops.multiply(1 - rho, ops.square(values))
        summed = tf.math.unsorted_segment_sum(squares, occurrence_row, tf.size(rows))
        self.assign_add(velocity, tf.IndexedSlices(summed, rows, gradient.dense_shape))
        # 3. Each occurrence's increment, scattered in order.
        root = ops.sqrt(ops.add(tf.gather(velocity.value, rows), self.epsilon))
        increment = ops.divide(ops.multiply(lr, values), tf.gather(root, occurrence_row))
        self.assign_sub(
            variable, tf.IndexedSlices(increment, gradient.indices, gradient.dense_shape)
        )


def _is_indexed_slices(gradient: Any) -> bool:
    """True for a ``tf.IndexedSlices`` (without importing TensorFlow)."""
    return type(gradient).__name__ == "IndexedSlices" and hasattr(gradient, "indices")
