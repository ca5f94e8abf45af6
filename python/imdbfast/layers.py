"""Keras layers of imdbfast: an LSTM with a fused CPU path on TensorFlow.

Why: on a CPU, TensorFlow runs ``keras.layers.LSTM`` as a ``tf.while_loop``
of about twenty small ops per time step, and a mask makes every step more
expensive still (the mask is tiled and applied to the output and both states).
For the seed-000 model that loop is nearly all of the training time.
TensorFlow also has one C++ op that runs a whole LSTM sequence, forward and
backward (``BlockLSTM``, with a registered gradient); :class:`LSTM` uses it
when it computes exactly what Keras' loop computes.

:class:`LSTM` is ``keras.layers.LSTM`` with the same arguments, weights
(``kernel``, ``recurrent_kernel``, ``bias``) and results, plus a ``fused``
switch. It takes the fused path only when all of these hold; otherwise it is
the stock layer, unchanged:

* the backend is TensorFlow and no GPU is visible (with a GPU, Keras' own
  cuDNN path is faster and is kept), and ``use_cudnn`` is not ``True``;
* ``activation="tanh"``, ``recurrent_activation="sigmoid"``, ``use_bias``,
  no ``recurrent_dropout``, no ``unroll``, float32 compute dtype (the stock
  defaults; input ``dropout`` is applied as Keras' cuDNN path applies it:
  one mask per sequence, which is also what the generic loop does).

Masks must be right-padded (every row a run of ``True`` then only
``False``), which is what :mod:`imdbfast.batching` produces; a mask of another
form is detected in the graph and that batch takes the stock loop, so results
never depend on the path. Code that feeds only such batches (``train()``'s
``fit``, prediction over :class:`imdbfast.batching.BucketedBatches`) traces
inside :func:`right_padded_inputs`: the stock loop is then not traced at all
(tracing a training step takes about a third of the time), and a mask of
another form fails an assertion instead of taking it. The TensorFlow-specific code lives in
:mod:`imdbfast._tf_lstm` and is imported only on the TensorFlow backend, so
models built from this layer stay backend-agnostic and load on JAX and
PyTorch, where the layer is the stock LSTM.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

from imdbfast._keras import keras

# Set while tracing code whose masks are right-padded by construction (see
# right_padded_inputs()).
_RIGHT_PADDED = contextvars.ContextVar("imdbfast_right_padded", default=False)


@contextlib.contextmanager
def right_padded_inputs() -> Iterator[None]:
    """Fused :class:`LSTM` layers traced in this context trust their masks
    to be right-padded.

    They trace no stock-loop branch for other masks (the ``tf.cond`` and the
    whole ``tf.while_loop`` of Keras' loop, forward and gradient: 1.2 s
    instead of 3.2 s to trace the seed model's training step); a mask that
    is not right-padded then fails an assertion at run time rather than
    taking the stock loop. Only tracing reads this context: functions traced
    inside it keep the assumption wherever they are called later, so use it
    around code that feeds only :mod:`imdbfast.batching` batches.

    Example:
    >>> with right_padded_inputs():
    ...     model.fit(batches.as_tf_dataset(), epochs=1)
    """
    token = _RIGHT_PADDED.set(True)
    try:
        yield
    finally:
        _RIGHT_PADDED.reset(token)


@keras.saving.register_keras_serializable(package="imdbfast")
class LSTM(keras.layers.LSTM):
    """``keras.layers.LSTM`` with a fused sequence kernel on TensorFlow CPU.

    Args:
        units: int. Dimensionality of the output space.
        fused: bool. Allow the fused TensorFlow CPU path (see the module
            docstring for when it applies); False = always the stock code.
        **kwargs: every argument of :class:`keras.layers.LSTM`.

    Example:
    >>> layer = LSTM(32)
    >>> keras.layers.Bidirectional(layer)  # both directions are fused
    """

    def __init__(self, units: int, *, fused: bool = True, **kwargs: Any) -> None:
        super().__init__(units, **kwargs)
        if not isinstance(fused, bool):
            raise TypeError(f"`fused` must be a bool. Received: fused={fused!r}")
        self.fused = fused
        if self.fused_path_applies():
            # XLA has no kernel for the fused op (as for Keras' cuDNN path).
            self.supports_jit = False

    def fused_path_applies(self) -> bool:
        """Whether a call now would take the fused TensorFlow path."""
        if not self.fused or keras.backend.backend() != "tensorflow":
            return False
        cell = self.cell
        if not (
            self.use_cudnn is not True
            and not self.unroll
            and not cell.recurrent_dropout
            and cell.use_bias
            and cell.activation is keras.activations.tanh
            and cell.recurrent_activation is keras.activations.sigmoid
            and self.compute_dtype == "float32"
        ):
            return False
        from imdbfast import _tf_lstm

        return not _tf_lstm.gpu_available()

    def inner_loop(
        self, sequences: Any, initial_state: Any, mask: Any, training: bool = False
    ) -> Any:
        if not self.fused_path_applies():
            return super().inner_loop(
                sequences, initial_state, mask=mask, training=training
            )
        from imdbfast import _tf_lstm

        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        if training and self.dropout:
            # The mask prepared by RNN.call, the same one the cell applies at
            # every step of the stock loop.
            dp_mask = self.cell.get_dropout_mask(sequences[:, 0, :])
            fused_inputs = sequences * keras.ops.expand_dims(dp_mask, axis=1)
        else:
            fused_inputs = sequences

        def stock() -> Any:
            return super(LSTM, self).inner_loop(
                sequences, initial_state, mask=mask, training=training
            )

        return _tf_lstm.lstm(
            fused_inputs,
            initial_state[0],
            initial_state[1],
            mask,
            kernel=self.cell.kernel,
            recurrent_kernel=self.cell.recurrent_kernel,
            bias=self.cell.bias,
            go_backwards=self.go_backwards,
            return_sequences=self.return_sequences,
            zero_output_for_mask=self.zero_output_for_mask,
            fallback=None if _RIGHT_PADDED.get() else stock,
        )

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["fused"] = self.fused
        return config
