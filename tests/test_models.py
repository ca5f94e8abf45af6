"""The four seed models: shapes, masking, serialization, embeddings, optimizers."""

from __future__ import annotations

import json

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from imdbfast import models  # noqa: E402
from imdbfast.config import TrainConfig  # noqa: E402

VOCAB = 40
TINY = {"embedding_dim": 4}
MASKED = ("bilstm", "deep_bilstm_attention", "lstm")


def tiny(name: str, **kwargs):
    """A tiny model of each kind, compiled with its seed optimizer
    (``bag_of_ngrams`` with dense bag rows of ``VOCAB`` columns)."""
    if models.get_model_class(name).input_kind == "bag":
        model = models.BagOfNgramsClassifier(VOCAB, hidden_units=3, sparse=False)
        model.compile()
        return model
    config = TrainConfig(model=name, embedding_dim=4, units=3, sequence_length=12,
                         **kwargs.pop("config", {}))
    model = models.build_model(config, VOCAB, kwargs.pop("matrix", None))
    model.compile()
    return model


def inputs_for(name: str, ids):
    """``ids`` as each model reads them: padded to flatten's fixed length, or
    as multi-hot bag rows for bag_of_ngrams."""
    if name == "flatten":
        return np.pad(ids, ((0, 0), (0, 3)))
    if models.get_model_class(name).input_kind == "bag":
        rows = np.zeros((len(ids), VOCAB), "float32")
        for i, row in enumerate(ids):
            rows[i, row[row > 0] - 1] = 1.0
        return rows
    return ids


@pytest.fixture(scope="module")
def built():
    keras.utils.set_random_seed(7)
    return {name: tiny(name) for name in models.MODEL_CLASSES}


@pytest.fixture(scope="module")
def ids():
    rng = np.random.default_rng(0)
    x = rng.integers(2, VOCAB, size=(4, 9)).astype("int32")
    # right padding of different lengths, one review of a single token
    x[1, 6:] = 0
    x[2, 1:] = 0
    return x


@pytest.mark.parametrize("name", MASKED)
def test_output_is_one_probability_per_review_for_any_length(built, name):
    model = built[name]
    for shape in [(1, 1), (3, 5), (2, 17)]:
        out = np.asarray(model.predict_on_batch(np.ones(shape, "int32")))
        assert out.shape == (shape[0], 1)
        assert out.dtype == np.float32
        assert np.all((out > 0) & (out < 1))


def test_input_is_a_named_int32_token_ids_input(built):
    for name, model in built.items():
        (inp,) = model.inputs
        if models.get_model_class(name).input_kind == "bag":
            assert (inp.name, inp.shape) == ("bag", (None, VOCAB))
            continue
        assert inp.name == "token_ids"
        assert inp.dtype == "int32"
    assert built["bilstm"].inputs[0].shape == (None, None)
    assert built["flatten"].inputs[0].shape == (None, 12)


@pytest.mark.parametrize("name", MASKED)
def test_appending_padding_never_changes_a_prediction(built, name, ids):
    model = built[name]
    before = np.asarray(model.predict_on_batch(ids))
    for extra in (1, 7, 40):
        padded = np.pad(ids, ((0, 0), (0, extra)))
        after = np.asarray(model.predict_on_batch(padded))
        np.testing.assert_allclose(after, before, rtol=0, atol=1e-6)


@pytest.mark.parametrize("name", MASKED)
def test_prediction_does_not_depend_on_the_rest_of_the_batch(built, name, ids):
    # Bucketing puts a review in batches of different widths and neighbours.
    model = built[name]
    together = np.asarray(model.predict_on_batch(ids))
    for i in range(len(ids)):
        length = int(np.count_nonzero(ids[i]))
        alone = np.asarray(model.predict_on_batch(ids[i : i + 1, :length]))
        np.testing.assert_allclose(alone, together[i : i + 1], rtol=0, atol=1e-6)


def test_masking_really_matters_padding_is_not_a_token(built, ids):
    # Feeding the padding id as if it were a word must change the output, or
    # the invariance tests above would prove nothing.
    model = built["bilstm"]
    emb = model.get_layer("embedding")
    assert emb.mask_zero
    x = ids[1:2, :6]
    with_pad_word = np.concatenate([x, np.full((1, 5), 1, "int32")], axis=1)
    assert not np.allclose(model.predict_on_batch(x), model.predict_on_batch(with_pad_word))


def test_flatten_needs_exactly_sequence_length_ids(built):
    model = built["flatten"]
    assert not model.variable_length
    assert not model.get_layer("embedding").mask_zero
    with pytest.raises(ValueError, match="incompatible"):
        model.predict_on_batch(np.ones((2, 7), "int32"))
    with pytest.raises(ValueError, match="incompatible"):
        model.predict_on_batch(np.ones((2, 13), "int32"))


def test_flatten_rows_are_independent_of_their_batch(built, ids):
    # What holds for flatten: each review is padded to the fixed length, so its
    # prediction is the same alone or in any batch.
    model = built["flatten"]
    x = np.pad(ids, ((0, 0), (0, 12 - ids.shape[1])))
    together = np.asarray(model.predict_on_batch(x))
    for i in range(len(x)):
        alone = np.asarray(model.predict_on_batch(x[i : i + 1]))
        np.testing.assert_allclose(alone, together[i : i + 1], rtol=0, atol=1e-6)


@pytest.mark.parametrize("name", list(models.MODEL_CLASSES))
def test_get_config_from_config_json_round_trip(built, name, ids):
    model = built[name]
    config = json.loads(json.dumps(model.get_config()))
    clone = type(model).from_config(config)
    assert clone.get_config() == model.get_config()
    clone.set_weights(model.get_weights())
    x = inputs_for(name, ids)
    np.testing.assert_array_equal(clone.predict_on_batch(x), model.predict_on_batch(x))


@pytest.mark.parametrize("name", list(models.MODEL_CLASSES))
def test_keras_file_round_trip_keeps_class_predictions_and_optimizer(name, ids, tmp_path):
    keras.utils.set_random_seed(3)
    model = tiny(name)
    x = inputs_for(name, ids)
    model.fit(x, np.array([0, 1, 0, 1], "float32"), epochs=1, verbose=0)
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert type(loaded) is type(model)
    assert type(loaded.optimizer) is type(model.optimizer)
    np.testing.assert_array_equal(loaded.predict_on_batch(x), model.predict_on_batch(x))
    # training goes on from the saved optimizer state identically
    assert int(loaded.optimizer.iterations) == int(model.optimizer.iterations) == 1


def test_seed_optimizers():
    assert isinstance(tiny("bilstm").optimizer, keras.optimizers.RMSprop)
    assert isinstance(tiny("flatten").optimizer, keras.optimizers.RMSprop)
    adamw = tiny("deep_bilstm_attention").optimizer
    assert isinstance(adamw, keras.optimizers.AdamW)
    assert float(adamw.learning_rate) == pytest.approx(1e-4)
    adam = tiny("lstm").optimizer
    assert isinstance(adam, keras.optimizers.Adam)
    assert isinstance(adam._learning_rate, models.LinearWarmup)
    assert adam._learning_rate.warmup_steps == 200


def test_compile_with_named_optimizer_and_rate():
    model = tiny("bilstm")
    model.compile(optimizer="adam", learning_rate=0.01)
    assert isinstance(model.optimizer, keras.optimizers.Adam)
    assert float(model.optimizer.learning_rate) == pytest.approx(0.01)


def test_linear_warmup_schedule_and_serialization():
    schedule = models.LinearWarmup(1e-3, 200)
    rates = [float(schedule(step)) for step in (0, 99, 199, 200, 5000)]
    assert rates == pytest.approx([1e-3 / 200, 1e-3 / 2, 1e-3, 1e-3, 1e-3])
    again = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(schedule))
    assert isinstance(again, models.LinearWarmup)
    assert again.get_config() == {"learning_rate": 1e-3, "warmup_steps": 200}
    with pytest.raises(ValueError, match="warmup_steps"):
        models.LinearWarmup(1e-3, 0)


@pytest.mark.backend_agnostic
def test_attention_pooling_ignores_masked_steps():
    keras.utils.set_random_seed(1)
    layer = models.AttentionPooling(units=5)
    h = np.random.default_rng(2).normal(size=(2, 6, 4)).astype("float32")
    mask = np.array([[1, 1, 1, 0, 0, 0], [1, 1, 1, 1, 1, 1]], bool)
    out = np.asarray(layer(h, mask=mask))
    assert out.shape == (2, 4)
    # garbage in the masked steps changes nothing
    noisy = h.copy()
    noisy[0, 3:] = 1e3
    np.testing.assert_allclose(np.asarray(layer(noisy, mask=mask)), out, atol=1e-6)
    # and equals pooling over the unmasked prefix alone
    np.testing.assert_allclose(np.asarray(layer(h[:1, :3])), out[:1], atol=1e-6)
    # a fully masked row pools to zeros, not NaN
    empty = np.asarray(layer(h, mask=np.zeros((2, 6), bool)))
    np.testing.assert_array_equal(empty, np.zeros((2, 4), "float32"))
    assert models.AttentionPooling.from_config(layer.get_config()).units == 5
    assert layer.compute_mask(h, mask) is None


@pytest.mark.parametrize("mode", ["glove", "glove-finetune"])
@pytest.mark.backend_agnostic
def test_glove_matrix_is_copied_in_and_frozen_or_not(mode, ids):
    matrix = np.random.default_rng(5).normal(size=(VOCAB, 4)).astype("float32")
    matrix[0] = 0
    model = tiny("bilstm", config={"embeddings": mode}, matrix=matrix)
    emb = model.get_layer("embedding")
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(emb.embeddings), matrix)
    assert emb.trainable == (mode == "glove-finetune")
    model.fit(ids, np.array([0, 1, 0, 1], "float32"), epochs=1, verbose=0)
    after = keras.ops.convert_to_numpy(emb.embeddings)
    if mode == "glove":
        np.testing.assert_array_equal(after, matrix)
    else:
        assert not np.array_equal(after, matrix)
    # the matrix is weights, not config
    assert "embedding_matrix" not in model.get_config()


def test_glove_mode_errors():
    with pytest.raises(ValueError, match="needs an `embedding_matrix`"):
        models.BiLSTMClassifier(VOCAB, embeddings="glove")
    with pytest.raises(ValueError, match=r"shape \(40, 4\)"):
        models.BiLSTMClassifier(VOCAB, embedding_dim=4, embeddings="glove",
                                embedding_matrix=np.zeros((39, 4)))
    with pytest.raises(ValueError, match="must match the GloVe"):
        models.build_model(TrainConfig(embeddings="glove", embedding_dim=8), VOCAB,
                           np.zeros((VOCAB, 4)))
    with pytest.raises(ValueError, match="embeddings"):
        models.BiLSTMClassifier(VOCAB, embeddings="word2vec")
    with pytest.raises(ValueError, match="vocabulary_size"):
        models.BiLSTMClassifier(1)


def test_build_model_uses_config_and_model_defaults():
    m = models.build_model(TrainConfig(), 100)
    assert isinstance(m, models.BiLSTMClassifier)
    assert (m.embedding_dim, m.lstm_units, m.dropout) == (128, 32, 0.5)
    m = models.build_model(TrainConfig(model="lstm", units=7, dropout=0.1), 100)
    assert (m.embedding_dim, m.lstm_units, m.dropout) == (100, 7, 0.1)
    m = models.build_model(TrainConfig(model="flatten", units=0, sequence_length=5), 100)
    assert [layer.name for layer in m.layers] == ["token_ids", "embedding", "flatten", "output"]
    m = models.build_model(TrainConfig(model="deep_bilstm_attention"), 100)
    assert (m.lstm_units, m.dense_units, m.dropout, m.head_dropout) == (128, 64, 0.5, 0.4)
    assert isinstance(m.get_layer("batch_norm"), keras.layers.BatchNormalization)


@pytest.mark.parametrize("name", MASKED)
@pytest.mark.backend_agnostic
def test_embedding_dropout_drops_whole_channels_in_training_only(name, ids):
    keras.utils.set_random_seed(3)
    model = tiny(name, config={"embedding_dropout": 0.5})
    layer = model.get_layer("embedding_dropout")
    assert isinstance(layer, keras.layers.SpatialDropout1D)
    assert layer.rate == 0.5
    vectors = np.asarray(model.get_layer("embedding")(ids))
    dropped = np.asarray(layer(vectors, training=True))
    # A dropped channel is zero at every position of its review; kept ones are
    # scaled by 1 / (1 - rate).
    gone = np.all(dropped == 0, axis=1)  # (batch, channels)
    assert gone.any() and not gone.all()
    kept = np.broadcast_to(~gone[:, None, :], vectors.shape)
    np.testing.assert_allclose(dropped[kept], 2 * vectors[kept], rtol=1e-6)
    np.testing.assert_array_equal(np.asarray(layer(vectors, training=False)), vectors)
    # Inference is unchanged by the layer, padding stays masked, and the
    # rate survives a config round trip.
    padded = np.pad(ids, ((0, 0), (0, 5)))
    np.testing.assert_allclose(model.predict_on_batch(padded), model.predict_on_batch(ids),
                               rtol=1e-5, atol=1e-6)
    clone = type(model).from_config(json.loads(json.dumps(model.get_config())))
    assert clone.get_layer("embedding_dropout").rate == 0.5
    # The seed models have no such layer.
    assert "embedding_dropout" not in [layer.name for layer in tiny(name).layers]


def test_embedding_dropout_is_checked():
    with pytest.raises(ValueError, match="embedding_dropout"):
        TrainConfig(embedding_dropout=1.0)
    with pytest.raises(ValueError, match="recurrent models only"):
        models.build_model(TrainConfig(model="flatten", embedding_dropout=0.2), VOCAB)
    with pytest.raises(ValueError, match="embedding_dropout"):
        models.BiLSTMClassifier(VOCAB, embedding_dropout=-0.1)


def test_lstm_layers_keep_the_cudnn_compatible_arguments(built):
    for name in MASKED:
        for layer in built[name]._flatten_layers():
            if isinstance(layer, keras.layers.LSTM):
                assert layer.cell.activation is keras.activations.tanh
                assert layer.cell.recurrent_activation is keras.activations.sigmoid
                assert layer.cell.recurrent_dropout == 0
                assert not layer.unroll and layer.cell.use_bias


def test_has_lstm_says_whether_the_model_has_lstm_layers(built):
    from imdbfast.layers import LSTM

    for name, model in built.items():
        has = any(isinstance(layer, LSTM) for layer in model._flatten_layers())
        assert models.get_model_class(name).has_lstm is has, name
    assert {n for n in built if models.get_model_class(n).has_lstm} == set(MASKED)


def test_mixed_precision_keeps_a_float32_output_and_scales_the_loss():
    model = tiny("bilstm", config={"mixed_precision": True})
    assert model.dtype_policy.name == "mixed_float16"
    assert model.get_layer("embedding").compute_dtype == "float16"
    assert model.get_layer("output").compute_dtype == "float32"
    assert isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer)
    assert model.get_config()["dtype"] == "mixed_float16"
    out = np.asarray(model.predict_on_batch(np.ones((2, 3), "int32")))
    assert out.dtype == np.float32


def test_lstm_layers_are_the_fused_layer_and_fused_lstm_false_gives_equal_results(
    built, ids
):
    from imdbfast import layers

    for name in MASKED:
        lstms = [l for l in built[name]._flatten_layers() if isinstance(l, keras.layers.LSTM)]
        assert lstms and all(isinstance(l, layers.LSTM) and l.fused for l in lstms)
        assert built[name].get_config()["fused_lstm"] is True
        stock = tiny(name, config={"fused_lstm": False})
        assert all(
            not l.fused for l in stock._flatten_layers() if isinstance(l, layers.LSTM)
        )
        stock.set_weights(built[name].get_weights())
        np.testing.assert_allclose(
            np.asarray(stock.predict_on_batch(ids)),
            np.asarray(built[name].predict_on_batch(ids)),
            atol=1e-5,
        )
    xla = models.build_model(TrainConfig(jit_compile=True, embedding_dim=4, units=3), VOCAB)
    assert xla.get_config()["fused_lstm"] is False


@pytest.mark.parametrize("name", ["bilstm", "deep_bilstm_attention"])
def test_fused_and_stock_lstm_train_the_same_way(name):
    """A few optimizer steps on masked batches give the same weights either way."""
    rng = np.random.default_rng(3)
    batches = []
    for length in (5, 11, 2):
        x = rng.integers(2, VOCAB, size=(6, length)).astype("int32")
        x[np.arange(length)[None, :] >= rng.integers(1, length + 1, size=(6, 1))] = 0
        batches.append((x, rng.integers(0, 2, size=6).astype("float32")))
    weights = []
    for fused in (True, False):
        keras.utils.set_random_seed(5)
        model = tiny(name, config={"fused_lstm": fused})
        for x, y in batches:
            model.train_on_batch(x, y)
        weights.append(model.get_weights())
    for a, b in zip(*weights):
        np.testing.assert_allclose(a, b, atol=1e-5)


def test_get_model_class():
    for name, cls in models.MODEL_CLASSES.items():
        assert models.get_model_class(name) is cls
    assert models.get_model_class("flatten").variable_length is False
    assert models.get_model_class("bilstm").variable_length is True
    with pytest.raises(ValueError, match="Expected one of .*bilstm.*Received: model='gru'"):
        models.get_model_class("gru")


def test_shipped_models_are_the_registry_and_the_option_list():
    from imdbfast import _options

    assert tuple(sorted(models.MODEL_CLASSES)) == _options.MODELS
    for name, cls in models.MODEL_CLASSES.items():
        assert cls.model_name == name
        assert cls.__module__ == f"imdbfast.models.{name}"
    # The constructors' defaults, as the old per-model table listed them.
    assert dict(models.DEFAULT_EMBEDDING_DIM) == {
        "bilstm": 128, "flatten": 8, "deep_bilstm_attention": 128, "lstm": 100,
        "fasttext": 32,
    }


def test_from_train_config_is_what_build_model_builds():
    config = TrainConfig(model="deep_bilstm_attention", embedding_dim=4, units=3,
                         dropout=0.2, embedding_dropout=0.1)
    cls = models.get_model_class(config.model)
    assert cls.from_train_config(config, VOCAB).get_config() == models.build_model(
        config, VOCAB).get_config()


def test_register_refuses_clashes_and_misplaced_models():
    with pytest.raises(TypeError, match="SentimentClassifier subclasses"):
        models.register("x")(dict)
    with pytest.raises(ValueError, match="'bilstm' is taken by BiLSTMClassifier"):
        models.register("bilstm")(type("Other", (models.RecurrentClassifier,), {}))
    misplaced = type("Misplaced", (models.RecurrentClassifier,),
                     {"__module__": "imdbfast.models.bilstm"})
    with pytest.raises(ValueError, match=r"imdbfast.models.<its name>"):
        models.register("misplaced")(misplaced)
    assert "misplaced" not in models.MODEL_CLASSES


@pytest.mark.parametrize("mode", ["glove", "glove-finetune"])
def test_glove_models_load_from_their_keras_file(mode, ids, tmp_path):
    # The vectors are weights, not config: loading must not ask for a matrix.
    matrix = np.random.default_rng(5).normal(size=(VOCAB, 4)).astype("float32")
    model = tiny("deep_bilstm_attention", config={"embeddings": mode}, matrix=matrix)
    model.fit(ids, np.array([0, 1, 0, 1], "float32"), epochs=1, verbose=0)
    matrix = keras.ops.convert_to_numpy(model.embedding.embeddings)
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(loaded.embedding.embeddings), matrix)
    expected = model.predict_on_batch(ids)
    np.testing.assert_array_equal(loaded.predict_on_batch(ids), expected)
    assert loaded.embedding.trainable == (mode == "glove-finetune")


@pytest.fixture
def tiny_gru():
    """A model defined outside the package (a GRU), registered for one test."""

    @keras.saving.register_keras_serializable(package="imdbfast_tests")
    @models.register("tiny_gru")
    class TinyGRUClassifier(models.RecurrentClassifier):
        units_argument = "units"

        def __init__(self, vocabulary_size, embedding_dim=6, units=5, dropout=0.0,
                     **kwargs):
            super().__init__(vocabulary_size, embedding_dim,
                             {"units": units, "dropout": dropout}, **kwargs)

        def encoder(self, *, units, dropout, fused_lstm, dtype):
            return [keras.layers.GRU(units, dtype=dtype, name="gru"),
                    keras.layers.Dropout(dropout, dtype=dtype, name="dropout")]

    try:
        yield TinyGRUClassifier
    finally:
        models.unregister("tiny_gru")
        keras.saving.get_custom_objects().pop("imdbfast_tests>TinyGRUClassifier", None)


def test_a_model_defined_in_one_file_builds_trains_and_saves_through_the_registry(
    tiny_gru, ids, tmp_path
):
    assert models.get_model_class("tiny_gru") is tiny_gru
    assert models.DEFAULT_EMBEDDING_DIM["tiny_gru"] == 6
    model = models.build_model(TrainConfig(model="tiny_gru"), VOCAB)
    assert (model.embedding_dim, model.units, model.dropout) == (6, 5, 0.0)
    keras.utils.set_random_seed(2)
    model = models.build_model(
        TrainConfig(model="tiny_gru", embedding_dim=4, units=3, dropout=0.1), VOCAB)
    assert isinstance(model, tiny_gru) and model.name == "tiny_gru"
    assert (model.embedding_dim, model.units, model.dropout) == (4, 3, 0.1)
    model.compile()
    assert isinstance(model.optimizer, keras.optimizers.RMSprop)
    model.fit(ids, np.array([0, 1, 0, 1], "float32"), epochs=1, verbose=0)
    # the base's masking holds for the new encoder too
    padded = np.pad(ids, ((0, 0), (0, 5)))
    expected = model.predict_on_batch(ids)
    np.testing.assert_allclose(model.predict_on_batch(padded), expected, atol=1e-6)
    model.save(tmp_path / "gru.keras")
    loaded = keras.saving.load_model(tmp_path / "gru.keras")
    assert type(loaded) is tiny_gru and loaded.get_config() == model.get_config()
    np.testing.assert_array_equal(loaded.predict_on_batch(ids), expected)
    models.unregister("tiny_gru")
    with pytest.raises(ValueError, match="`model` must be one of"):
        TrainConfig(model="tiny_gru")
    with pytest.raises(ValueError, match="Unknown model"):
        models.get_model_class("tiny_gru")


def test_a_registered_model_trains_end_to_end(tiny_gru, tmp_path):
    import imdbfast
    from train_helpers import TINY_TRAIN, make_imdb_dir

    result = imdbfast.train(
        data_source=str(make_imdb_dir(tmp_path, train_per_class=40, test_per_class=10)),
        output_dir=str(tmp_path / "runs"), run_name="gru", model="tiny_gru",
        **{**TINY_TRAIN, "epochs": 1},
    )
    assert type(result.model) is tiny_gru and result.model.units == TINY_TRAIN["units"]
    bundle = imdbfast.load(result.run_dir)
    assert type(bundle.model) is tiny_gru
    assert bundle.predict(["great film", "awful film"]).probabilities.shape[0] == 2
