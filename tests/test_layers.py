"""imdbfast.layers.LSTM: the fused TensorFlow CPU path equals keras.layers.LSTM.

Every comparison builds a stock ``keras.layers.LSTM`` and an
``imdbfast.layers.LSTM`` with the same weights and checks outputs, states and
gradients on right-padded masked batches (lengths incl. 1 and 0), both
directions, with and without sequences, alone and inside Bidirectional.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")

from imdbfast import layers  # noqa: E402

pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow", reason="the fused path is TensorFlow's"
)

B, T, D, H = 5, 9, 6, 4
LENGTHS = [9, 5, 1, 3, 7]
ATOL = 1e-5


def _inputs(seed: int = 0, lengths=LENGTHS):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(len(lengths), T, D)).astype("float32")
    mask = np.arange(T)[None, :] < np.asarray(lengths)[:, None]
    x[~mask] = rng.normal(size=x[~mask].shape)  # padding holds garbage, not zeros
    return tf.constant(x), tf.constant(mask)


def _pair(**kwargs):
    """A stock and a fused LSTM with the same (non-trivial) weights."""
    stock = keras.layers.LSTM(H, **kwargs)
    fused = layers.LSTM(H, **kwargs)
    stock.build((None, None, D))
    fused.build((None, None, D))
    rng = np.random.default_rng(1)
    for a, b in zip(stock.weights, fused.weights):
        value = rng.normal(scale=0.5, size=a.shape).astype("float32")
        a.assign(value)
        b.assign(value)
    assert fused.fused_path_applies()
    return stock, fused


def _close(a, b):
    for x, y in zip(keras.tree.flatten(a), keras.tree.flatten(b)):
        np.testing.assert_allclose(np.asarray(x), np.asarray(y), atol=ATOL, rtol=0)


CASES = list(itertools.product([False, True], [False, True], [False, True]))


@pytest.mark.parametrize("go_backwards,return_sequences,zero_output", CASES)
@pytest.mark.parametrize("masked", [False, True])
def test_fused_equals_stock_outputs_and_states(go_backwards, return_sequences,
                                               zero_output, masked):
    stock, fused = _pair(go_backwards=go_backwards, return_sequences=return_sequences,
                         return_state=True)
    stock.zero_output_for_mask = fused.zero_output_for_mask = zero_output
    x, mask = _inputs()
    mask = mask if masked else None
    want = stock(x, mask=mask)
    got = fused(x, mask=mask)
    _close(want, got)
    # ...and the same inside a graph (how Keras trains).
    got_graph = tf.function(lambda x: fused(x, mask=mask))(x)
    _close(want, got_graph)


def test_rows_of_length_zero_keep_the_initial_state_and_output_zeros():
    x, mask = _inputs(lengths=[4, 0, 9, 0, 1])
    for go_backwards in (False, True):
        stock, fused = _pair(go_backwards=go_backwards, return_sequences=True,
                             return_state=True)
        h0 = tf.constant(np.full((5, H), 0.3, "float32"))
        c0 = tf.constant(np.full((5, H), -0.2, "float32"))
        want = stock(x, mask=mask, initial_state=[h0, c0])
        got = fused(x, mask=mask, initial_state=[h0, c0])
        _close(want, got)
        assert np.allclose(np.asarray(got[1])[1], 0.3)  # h of an empty row


@pytest.mark.parametrize("return_sequences", [False, True])
def test_fused_equals_stock_inside_bidirectional(return_sequences):
    stock, fused = _pair(return_sequences=return_sequences)
    bi_stock = keras.layers.Bidirectional(stock)
    bi_fused = keras.layers.Bidirectional(fused)
    x, mask = _inputs(2)
    bi_stock.build(x.shape)
    bi_fused.build(x.shape)
    assert isinstance(bi_fused.backward_layer, layers.LSTM)
    assert bi_fused.backward_layer.go_backwards
    bi_fused.set_weights(bi_stock.get_weights())
    _close(bi_stock(x, mask=mask), bi_fused(x, mask=mask))


@pytest.mark.parametrize("go_backwards,return_sequences",
                         list(itertools.product([False, True], [False, True])))
def test_fused_gradients_equal_stock(go_backwards, return_sequences):
    stock, fused = _pair(go_backwards=go_backwards, return_sequences=return_sequences)
    x, mask = _inputs(3)
    out_shape = (B, T, H) if return_sequences else (B, H)
    weights = tf.constant(np.random.default_rng(4).normal(size=out_shape), "float32")

    def grads(layer):
        @tf.function
        def run(x):
            with tf.GradientTape() as tape:
                tape.watch(x)
                loss = tf.reduce_sum(layer(x, mask=mask) * weights)
            return tape.gradient(loss, [x, *layer.trainable_variables])

        return run(x)

    want, got = grads(stock), grads(fused)
    assert [v.name for v in stock.trainable_variables] == [
        v.name for v in fused.trainable_variables
    ] == ["kernel", "recurrent_kernel", "bias"]
    for a, b in zip(want, got):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=1e-4, rtol=1e-4)
    # Gradients do not leak into padding.
    assert np.all(np.asarray(got[0])[~np.asarray(mask)] == 0)


def test_input_dropout_matches_stock_in_training():
    stock, fused = _pair(dropout=0.4, seed=11)
    x, mask = _inputs(5)
    want = stock(x, mask=mask, training=True)
    got = fused(x, mask=mask, training=True)
    _close(want, got)
    assert not np.allclose(np.asarray(got), np.asarray(fused(x, mask=mask)))


def test_a_mask_that_is_not_right_padded_takes_the_stock_loop():
    stock, fused = _pair(return_sequences=True)
    x, mask = _inputs(6)
    holes = np.asarray(mask).copy()
    holes[0, 2] = False  # a hole
    holes[3, :] = np.arange(T) >= 4  # left padding
    holes = tf.constant(holes)
    want = stock(x, mask=holes)
    _close(want, fused(x, mask=holes))
    _close(want, tf.function(lambda x: fused(x, mask=holes))(x))


def _op_types(fn, x, mask):
    graph = tf.function(lambda x: fn(x, mask=mask)).get_concrete_function(x).graph
    types = {op.type for op in graph.get_operations()}
    for function in graph.as_graph_def().library.function:
        types.update(node.op for node in function.node_def)
    return types


def test_right_padded_inputs_traces_no_stock_loop_and_asserts_instead():
    stock, fused = _pair(return_sequences=True)
    x, mask = _inputs(8)
    assert "While" in _op_types(fused, x, mask)  # the stock branch is traced
    with layers.right_padded_inputs():
        traced = _op_types(fused, x, mask)
        assert "BlockLSTM" in traced
        assert not traced & {"While", "StatelessWhile"}
        _close(stock(x, mask=mask), tf.function(lambda x: fused(x, mask=mask))(x))
        left = tf.constant(np.arange(T)[None, :] >= T - np.asarray(LENGTHS)[:, None])
        with pytest.raises(tf.errors.InvalidArgumentError, match="right-padded"):
            tf.function(lambda x: fused(x, mask=left))(x)
    # Outside the context again: the stock branch is back.
    assert "While" in _op_types(fused, x, mask)


def test_configuration_outside_the_fused_path_is_the_stock_layer():
    assert not layers.LSTM(3, fused=False).fused_path_applies()
    assert not layers.LSTM(3, recurrent_dropout=0.1).fused_path_applies()
    assert not layers.LSTM(3, activation="relu").fused_path_applies()
    assert not layers.LSTM(3, dtype="mixed_float16").fused_path_applies()
    stock = keras.layers.LSTM(H, activation="relu")
    plain = layers.LSTM(H, activation="relu")
    stock.build((None, None, D))
    plain.build((None, None, D))
    plain.set_weights(stock.get_weights())
    x, mask = _inputs(7)
    _close(stock(x, mask=mask), plain(x, mask=mask))
    with pytest.raises(TypeError, match="fused"):
        layers.LSTM(3, fused="yes")


def test_config_and_keras_file_round_trip(tmp_path):
    _, fused = _pair(return_sequences=True, go_backwards=True)
    config = fused.get_config()
    assert config["fused"] is True
    copy = layers.LSTM.from_config(config)
    assert copy.get_config() == config
    inputs = keras.Input((None, D))
    model = keras.Model(inputs, keras.layers.Bidirectional(layers.LSTM(H))(inputs))
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert isinstance(loaded.layers[1].forward_layer, layers.LSTM)
    x, _ = _inputs(8)
    _close(model.predict_on_batch(x), loaded.predict_on_batch(x))
    # The stock layer can load the fused layer's weights and vice versa.
    stock = keras.Model(inputs, keras.layers.Bidirectional(keras.layers.LSTM(H))(inputs))
    stock.set_weights(model.get_weights())
    _close(model.predict_on_batch(x), stock.predict_on_batch(x))


@pytest.mark.parametrize("lengths", [LENGTHS, [0, 9, 0, 1, 9], [9] * 5])
def test_row_gathers_equal_reverse_sequence_exactly(lengths):
    """The backward direction's reversals are row gathers; they move exactly
    what ``tf.reverse_sequence`` moves, forward and in the gradient."""
    from imdbfast import _tf_lstm

    rng = np.random.default_rng(9)
    x, mask = _inputs(9, lengths)
    n = tf.constant(lengths, tf.int32)
    upstream = tf.constant(rng.normal(size=(T, len(lengths), D)), "float32")
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        got = _tf_lstm._reversed_time_major(x, n)
        want = tf.reverse_sequence(tf.transpose(x, (1, 0, 2)), n, seq_axis=0,
                                   batch_axis=1)
        got_loss = tf.reduce_sum(got * upstream)
        want_loss = tf.reduce_sum(want * upstream)
    np.testing.assert_array_equal(np.asarray(got), np.asarray(want))
    np.testing.assert_array_equal(np.asarray(tape.gradient(got_loss, x)),
                                  np.asarray(tape.gradient(want_loss, x)))

    # Keras' go_backwards sequence output: masked steps first (zeros), then
    # the row from its last token back.
    h_seq = tf.constant(rng.normal(size=(T, len(lengths), H)), "float32")
    upstream = tf.constant(rng.normal(size=(len(lengths), T, H)), "float32")
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(h_seq)
        got = _tf_lstm._backward_outputs(h_seq, n)
        outputs = tf.transpose(h_seq, (1, 0, 2))
        outputs = tf.where(mask[:, :, None], outputs, tf.zeros_like(outputs))
        outputs = tf.reverse_sequence(outputs, n, seq_axis=1, batch_axis=0)
        want = tf.reverse(outputs, axis=[1])
        got_loss = tf.reduce_sum(got * upstream)
        want_loss = tf.reduce_sum(want * upstream)
    np.testing.assert_array_equal(np.asarray(got), np.asarray(want))
    np.testing.assert_array_equal(np.asarray(tape.gradient(got_loss, h_seq)),
                                  np.asarray(tape.gradient(want_loss, h_seq)))
