"""A whole-sequence LSTM in one TensorFlow op, with Keras' exact semantics.

Used by :class:`imdbfast.layers.LSTM` on the TensorFlow backend when no GPU is
visible; imported only on that backend. ``tf.raw_ops.BlockLSTM`` runs the
recurrence (and, through its registered gradient, the backward pass) in C++,
instead of a ``tf.while_loop`` of small ops per step.

Op details, checked numerically against ``keras.layers.LSTM`` in
``tests/test_layers.py``:

* ``BlockLSTM`` computes ``[i, c, f, o] = [x, h] @ w + b`` (gate blocks in the
  order i, c, f, o) then ``f += forget_bias``; Keras' kernels hold the blocks
  as i, f, c, o, so the columns are permuted, ``forget_bias=0`` (Keras' unit
  forget bias lives in ``bias``) and ``cell_clip=-1`` (no clipping).
* ``BlockLSTMV2`` (gate order i, f, c, o, no forget bias) would need no
  permutation, but TensorFlow registers the *V1* gradient for it, which reads
  the gate blocks in the V1 order: its weight and input gradients are wrong.
  So V1 it is.

Masks: a right-padded mask is the same as per-row lengths. Forward, the op
runs to the batch's longest row and the rows' outputs and states are read at
``length - 1``; backward (``go_backwards``), each row is reversed within its
own length first (what ``tf.reverse_sequence`` computes, as Keras' cuDNN path
does). Outputs at masked steps are then set as Keras' generic loop sets them
(see :func:`lstm`). A mask that is not right-padded sends the batch through the
stock loop instead (``fallback``), decided in the graph per batch.

Reversals and the batch/time transposes around them are row gathers
(:func:`_move_rows`: whole feature vectors copied, gradient by the inverse
gather): ``tf.reverse_sequence`` computes every element's source index on its
own and took as long as the LSTM op itself on a ``(256, 200, 128)`` batch.
The values moved are the same, so results are bit for bit those of the
``reverse_sequence`` formulation.
"""

from __future__ import annotations

from typing import Any, Callable

import tensorflow as tf

# Keras gate blocks (i, f, c, o) -> BlockLSTM gate blocks (i, c, f, o).
_KERAS_TO_BLOCK = (0, 2, 1, 3)


def gpu_available() -> bool:
    """Whether TensorFlow sees a GPU (then Keras' cuDNN path is used)."""
    return bool(tf.config.list_logical_devices("GPU"))


def _to_block_gates(weights: tf.Tensor) -> tf.Tensor:
    blocks = tf.split(weights, 4, axis=-1)
    return tf.concat([blocks[j] for j in _KERAS_TO_BLOCK], axis=-1)


def _is_right_padded(mask: tf.Tensor, lengths: tf.Tensor) -> tf.Tensor:
    expected = tf.sequence_mask(lengths, maxlen=tf.shape(mask)[1])
    return tf.reduce_all(tf.equal(mask, expected))


def lstm(
    inputs: Any,
    initial_h: Any,
    initial_c: Any,
    mask: Any,
    *,
    kernel: Any,
    recurrent_kernel: Any,
    bias: Any,
    go_backwards: bool,
    return_sequences: bool,
    zero_output_for_mask: bool,
    fallback: Callable[[], Any] | None = None,
) -> tuple[tf.Tensor, tf.Tensor, list[tf.Tensor]]:
    """Runs an LSTM over ``inputs`` like ``keras.src.backend.tensorflow.rnn``.

    Args:
        inputs: float32 ``(batch, time, features)``, batch-major.
        initial_h, initial_c: float32 ``(batch, units)`` initial states.
        mask: bool ``(batch, time)`` or None. Must be right-padded, else
            ``fallback`` is used (and required).
        kernel: ``(features, 4 * units)``, Keras gate order i, f, c, o.
        recurrent_kernel: ``(units, 4 * units)``, same gate order.
        bias: ``(4 * units,)``, same gate order.
        go_backwards: process each row from its last unmasked step back.
        return_sequences: whether ``outputs`` holds every step (else the
            last output with a time axis of 1, like Keras).
        zero_output_for_mask: Keras' RNN flag: masked steps output zeros
            instead of repeating the previous output.
        fallback: callable returning the stock Keras loop's result, used
            (inside a ``tf.cond``) for a mask that is not right-padded.

    Returns:
        ``(last_output, outputs, [h, c])`` as Keras' ``backend.rnn`` returns
        them: ``outputs`` is ``(batch, time, units)`` in processing order
        (reversed in time for ``go_backwards``), or ``(batch, 1, units)``.
    """
    inputs = tf.convert_to_tensor(inputs)
    kernel = tf.convert_to_tensor(kernel)
    recurrent_kernel = tf.convert_to_tensor(recurrent_kernel)
    bias = tf.convert_to_tensor(bias)
    batch = tf.shape(inputs)[0]
    time = tf.shape(inputs)[1]
    if mask is None:
        lengths = tf.fill([batch], time)
        return _fused(inputs, initial_h, initial_c, None, lengths, kernel,
                      recurrent_kernel, bias, go_backwards, return_sequences,
                      zero_output_for_mask)
    mask = tf.cast(mask, tf.bool)
    lengths = tf.reduce_sum(tf.cast(mask, tf.int32), axis=1)

    def fused() -> Any:
        return _fused(inputs, initial_h, initial_c, mask, lengths, kernel,
                      recurrent_kernel, bias, go_backwards, return_sequences,
                      zero_output_for_mask)

    if fallback is None:
        tf.debugging.assert_equal(
            _is_right_padded(mask, lengths), True,
            message="the fused LSTM needs a right-padded mask",
        )
        return fused()

    def stock() -> Any:
        last_output, outputs, states = fallback()
        return last_output, outputs, list(states)

    return tf.cond(_is_right_padded(mask, lengths), fused, stock)


def _move_rows(
    source: tf.Tensor,
    index: tf.Tensor,
    valid: tf.Tensor | None,
    inverse_index: tf.Tensor,
    inverse_valid: tf.Tensor | None,
) -> tf.Tensor:
    """Rows ``source[index]`` (zeros where not ``valid``), for a one-to-one map.

    Args:
        source: ``(n, d)`` rows.
        index: int ``(m,)``: the source row of each output row.
        valid: bool ``(m,)`` or None (all valid): output rows that take a
            source row; the others are zeros.
        inverse_index: int ``(n,)``: the output row each source row went to.
        inverse_valid: bool ``(n,)`` or None (all): source rows that went
            somewhere (the others get a zero gradient).

    Returns:
        ``(m, d)``. Its gradient is the inverse gather, not the scatter-add
        ``tf.gather`` would differentiate to (no row is taken twice).
    """

    @tf.custom_gradient
    def move(rows: tf.Tensor) -> Any:
        out = tf.gather(rows, index)
        if valid is not None:
            out = tf.where(tf.expand_dims(valid, 1), out, tf.zeros_like(out))

        def grad(upstream: tf.Tensor) -> tf.Tensor:
            back = tf.gather(upstream, inverse_index)
            if inverse_valid is not None:
                back = tf.where(
                    tf.expand_dims(inverse_valid, 1), back, tf.zeros_like(back)
                )
            return back

        return out, grad

    return move(source)


def _reversal(lengths: tf.Tensor, steps: tf.Tensor) -> tf.Tensor:
    """The source step of each step when every row is reversed within its
    length (steps past it stay in place); broadcasts ``lengths`` against
    ``steps``. The map is its own inverse."""
    return tf.where(steps < lengths, lengths - 1 - steps, steps)


def _reversed_time_major(inputs: tf.Tensor, lengths: tf.Tensor) -> tf.Tensor:
    """``(batch, time, f)`` -> ``(time, batch, f)``, each row reversed within
    its length (steps past it stay in place), i.e.
    ``tf.reverse_sequence(tf.transpose(inputs, (1, 0, 2)), lengths, 0, 1)``."""
    batch, time = tf.shape(inputs)[0], tf.shape(inputs)[1]
    features = tf.shape(inputs)[2]
    # (Index arithmetic in the layout each map needs: no int32 transposes.)
    by_time = _reversal(tf.expand_dims(lengths, 0), tf.expand_dims(tf.range(time), 1))
    index = by_time + tf.expand_dims(tf.range(batch) * time, 0)  # (time, batch)
    by_row = _reversal(tf.expand_dims(lengths, 1), tf.expand_dims(tf.range(time), 0))
    inverse = by_row * batch + tf.expand_dims(tf.range(batch), 1)  # (batch, time)
    flat = tf.reshape(inputs, [batch * time, features])
    moved = _move_rows(
        flat, tf.reshape(index, [-1]), None, tf.reshape(inverse, [-1]), None
    )
    return tf.reshape(moved, [time, batch, features])


def _backward_outputs(h_seq: tf.Tensor, lengths: tf.Tensor) -> tf.Tensor:
    """Keras' ``go_backwards`` sequence output from the op's time-major output.

    Keras walks each padded row from its end: masked steps come first and
    output zeros, then the row from its last token back:
    ``[t3, t2, t1, pad, pad] -> [0, 0, h(t3), h(t3 t2), h(t3 t2 t1)]``. So
    output step ``j`` of row ``b`` is the op's step ``j - (time - length)``
    when that is ``>= 0``, else zeros.
    """
    time, batch = tf.shape(h_seq)[0], tf.shape(h_seq)[1]
    units = tf.shape(h_seq)[2]
    # Output (batch, time) <- op step j - (time - length) of the same row.
    shift = tf.expand_dims(time - lengths, 1)  # (batch, 1)
    src = tf.expand_dims(tf.range(time), 0) - shift
    valid = src >= 0
    index = tf.maximum(src, 0) * batch + tf.expand_dims(tf.range(batch), 1)
    # Op step s of row b, (time, batch), goes to output step s + time - length
    # when s < length.
    steps = tf.expand_dims(tf.range(time), 1)
    src_valid = steps < tf.expand_dims(lengths, 0)
    target = steps + tf.expand_dims(time - lengths + tf.range(batch) * time, 0)
    inverse = tf.where(src_valid, target, tf.zeros_like(target))
    flat = tf.reshape(h_seq, [time * batch, units])
    moved = _move_rows(
        flat,
        tf.reshape(index, [-1]),
        tf.reshape(valid, [-1]),
        tf.reshape(inverse, [-1]),
        tf.reshape(src_valid, [-1]),
    )
    return tf.reshape(moved, [batch, time, units])


def _fused(
    inputs: tf.Tensor,
    initial_h: Any,
    initial_c: Any,
    mask: tf.Tensor | None,
    lengths: tf.Tensor,
    kernel: tf.Tensor,
    recurrent_kernel: tf.Tensor,
    bias: tf.Tensor,
    go_backwards: bool,
    return_sequences: bool,
    zero_output_for_mask: bool,
) -> tuple[tf.Tensor, tf.Tensor, list[tf.Tensor]]:
    units = tf.shape(recurrent_kernel)[0]
    batch = tf.shape(inputs)[0]
    initial_h = tf.convert_to_tensor(initial_h, dtype=inputs.dtype)
    initial_c = tf.convert_to_tensor(initial_c, dtype=inputs.dtype)
    if go_backwards:
        x = _reversed_time_major(inputs, lengths)
    else:
        x = tf.transpose(inputs, (1, 0, 2))  # time-major
    no_peephole = tf.zeros([units], dtype=inputs.dtype)
    # Steps past the longest row are not computed (the op writes zeros).
    seq_len_max = tf.cast(tf.reduce_max(tf.concat([lengths, [0]], 0)), tf.int64)
    result = tf.raw_ops.BlockLSTM(
        seq_len_max=seq_len_max,
        x=x,
        cs_prev=initial_c,
        h_prev=initial_h,
        w=_to_block_gates(tf.concat([kernel, recurrent_kernel], axis=0)),
        wci=no_peephole,
        wcf=no_peephole,
        wco=no_peephole,
        b=_to_block_gates(bias),
        forget_bias=0.0,
        cell_clip=-1.0,
        use_peephole=False,
    )
    h_seq, c_seq = result.h, result.cs  # (time, batch, units)

    # Each row's last computed step; rows of length 0 keep the initial states.
    gather_at = tf.stack([tf.maximum(lengths - 1, 0), tf.range(batch)], axis=1)
    nonempty = tf.expand_dims(lengths > 0, 1)
    h_end = tf.gather_nd(h_seq, gather_at)
    h = tf.where(nonempty, h_end, initial_h)
    c = tf.where(nonempty, tf.gather_nd(c_seq, gather_at), initial_c)
    # Keras' loop starts its "previous output" at zeros, not at initial_h.
    last_output = tf.where(nonempty, h_end, tf.zeros_like(h_end))
    if mask is not None and zero_output_for_mask and not go_backwards:
        # The stock loop's final output is a masked step's output: zeros for
        # rows shorter than the batch.
        full = tf.expand_dims(tf.equal(lengths, tf.shape(inputs)[1]), 1)
        last_output = tf.where(full, last_output, tf.zeros_like(last_output))

    if not return_sequences:
        return last_output, tf.expand_dims(last_output, 1), [h, c]

    if mask is not None and go_backwards:
        return last_output, _backward_outputs(h_seq, lengths), [h, c]
    outputs = tf.transpose(h_seq, (1, 0, 2))  # (batch, time, units)
    if mask is None:
        # Backwards, the op's steps already are Keras' processing order.
        return last_output, outputs, [h, c]
    valid = tf.expand_dims(tf.sequence_mask(lengths, tf.shape(inputs)[1]), -1)
    filler = (
        tf.zeros_like(outputs)
        if zero_output_for_mask
        else tf.broadcast_to(tf.expand_dims(last_output, 1), tf.shape(outputs))
    )
    return last_output, tf.where(valid, outputs, filler), [h, c]
