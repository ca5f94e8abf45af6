"""Keras 3 sentiment classifiers: the four seed architectures.

Every model is a functional :class:`keras.Model` subclass built in three
sections (layers, functional model, config), takes a batch of token ids as a
named ``int32`` input ``token_ids`` and returns the probability that a review
is positive. They use ``keras.layers`` and ``keras.ops`` only, so they run on
TensorFlow, JAX and PyTorch.

=========================  =====================================================
``bilstm`` (seed 000)      Embedding 128 -> Bidirectional(LSTM 32) -> Dropout 0.5
                           -> Dense(1, sigmoid); RMSprop.
``flatten`` (seeds 001/2)  Embedding -> Flatten -> [Dense 10 relu] ->
                           Dense(1, sigmoid); RMSprop. Fixed input length.
``deep_bilstm_attention``  Embedding -> Bidirectional(LSTM 128, sequences) ->
(seed 003)                 Dropout 0.5 -> BatchNorm -> additive attention pooling
                           -> Dense 64 relu -> Dropout 0.4 -> Dense(1, sigmoid);
                           AdamW 1e-4.
``lstm`` (seed 004)        Embedding -> LSTM 100 -> Dense(1, sigmoid); Adam 1e-3
                           with a 200-step linear warmup.
=========================  =====================================================

The recurrent models take an optional ``embedding_dropout``: a
``SpatialDropout1D`` after the embedding that, during training, drops whole
embedding channels (the same dimensions at every position of a review) (0 by default, so the seed architectures are unchanged).

Padding (id 0) is masked: the embedding sets ``mask_zero=True``, the mask flows
through the recurrent layers and the attention pooling ignores masked steps, so
appending padding to a review never changes its prediction. ``flatten`` cannot
mask (its Dense layer sees every position): it takes exactly
``sequence_length`` ids per review, right-padded with 0.

The recurrent layers keep Keras' defaults (tanh/sigmoid activations, no
recurrent dropout, no unrolling) so TensorFlow runs them with cuDNN on a GPU;
batches must then be right-padded, as :mod:`imdbfast.batching` makes them.
They are :class:`imdbfast.layers.LSTM`, i.e. ``keras.layers.LSTM`` plus a fused
one-op-per-sequence path on a CPU-only TensorFlow (same weights and results,
about twice as fast as Keras' step loop); ``fused_lstm=False`` turns it off.

Embeddings are ``"learned"``, ``"glove"`` (frozen) or ``"glove-finetune"``. A
GloVe matrix (one row per vocabulary id, e.g. from
``imdbfast.load_glove(source, tokenizer.get_vocabulary())``) is copied into the
embedding after the model is built; it is not part of ``get_config()`` (the
weights carry it).
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np

from imdbfast.layers import LSTM

EMBEDDING_MODES = ("learned", "glove", "glove-finetune")


# --------------------------------------------------------------------------
# Building blocks
# --------------------------------------------------------------------------


@keras.saving.register_keras_serializable(package="imdbfast")
class AttentionPooling(keras.layers.Layer):
    """Additive (Bahdanau) attention pooling over time, honouring the mask.

    For inputs ``h`` of shape ``(batch, time, features)`` it computes
    ``score_t = v . tanh(W h_t + b)``, a softmax over the unmasked steps, and
    returns the weighted sum ``sum_t a_t h_t`` of shape ``(batch, features)``.
    Masked steps get weight exactly 0, so padding never changes the output; a
    fully masked row returns zeros.

    Args:
        units: int or None. Width of the scoring layer; None = the feature
            width of the input.
        **kwargs: standard layer arguments (``name``, ``dtype``...).
    """

    def __init__(self, units: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if units is not None and (
            isinstance(units, bool) or not isinstance(units, int) or units < 1
        ):
            raise ValueError(
                f"`units` must be a positive int or None. Received: units={units!r}"
            )
        self.units = units
        self.supports_masking = True

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        features = input_shape[-1]
        if features is None:
            raise ValueError(
                "AttentionPooling needs a known feature dimension. "
                f"Received: input_shape={input_shape}"
            )
        units = self.units or features
        self.kernel = self.add_weight(
            name="kernel", shape=(features, units), initializer="glorot_uniform"
        )
        self.bias = self.add_weight(name="bias", shape=(units,), initializer="zeros")
        self.context = self.add_weight(
            name="context", shape=(units,), initializer="glorot_uniform"
        )

    def call(self, inputs: Any, mask: Any = None) -> Any:
        hidden = keras.ops.tanh(keras.ops.matmul(inputs, self.kernel) + self.bias)
        # The softmax runs in float32 even under mixed precision.
        scores = keras.ops.cast(
            keras.ops.matmul(hidden, self.context), "float32"
        )  # (batch, time)
        if mask is not None:
            mask = keras.ops.cast(mask, "bool")
            scores = keras.ops.where(mask, scores, keras.ops.full_like(scores, -1e9))
        # A plain softmax over time (keras.ops.softmax warns on length-1 axes,
        # which a one-token batch legitimately has).
        scores = scores - keras.ops.max(scores, axis=-1, keepdims=True)
        weights = keras.ops.exp(scores)
        weights = weights / keras.ops.sum(weights, axis=-1, keepdims=True)
        if mask is not None:
            # Rows with no unmasked step would otherwise average the padding.
            weights = weights * keras.ops.cast(mask, "float32")
        weights = keras.ops.cast(weights, inputs.dtype)
        return keras.ops.sum(inputs * keras.ops.expand_dims(weights, -1), axis=1)

    def compute_mask(self, inputs: Any, mask: Any = None) -> None:
        return None

    def compute_output_shape(
        self, input_shape: tuple[int | None, ...]
    ) -> tuple[int | None, ...]:
        return (input_shape[0], input_shape[-1])

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"units": self.units})
        return config


@keras.saving.register_keras_serializable(package="imdbfast")
class LinearWarmup(keras.optimizers.schedules.LearningRateSchedule):
    """Linear learning-rate warmup, then a constant rate (seed 004).

    ``lr(step) = learning_rate * min(1, (step + 1) / warmup_steps)``.

    Args:
        learning_rate: float. The rate reached after the warmup.
        warmup_steps: int. Number of optimizer steps the warmup lasts.
    """

    def __init__(self, learning_rate: float, warmup_steps: int) -> None:
        if not learning_rate > 0:
            raise ValueError(
                "`learning_rate` must be positive. "
                f"Received: learning_rate={learning_rate!r}"
            )
        if isinstance(warmup_steps, bool) or not isinstance(warmup_steps, int) or (
            warmup_steps < 1
        ):
            raise ValueError(
                "`warmup_steps` must be a positive int. "
                f"Received: warmup_steps={warmup_steps!r}"
            )
        self.learning_rate = float(learning_rate)
        self.warmup_steps = warmup_steps

    def __call__(self, step: Any) -> Any:
        step = keras.ops.cast(step, "float32")
        fraction = keras.ops.minimum(1.0, (step + 1.0) / float(self.warmup_steps))
        return self.learning_rate * fraction

    def get_config(self) -> dict[str, Any]:
        return {"learning_rate": self.learning_rate, "warmup_steps": self.warmup_steps}


def _check_common(
    vocabulary_size: int, embedding_dim: int, embeddings: str
) -> None:
    for name, value in (
        ("vocabulary_size", vocabulary_size),
        ("embedding_dim", embedding_dim),
    ):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"`{name}` must be an int. Received: {name}={value!r}")
        if value < 1:
            raise ValueError(f"`{name}` must be >= 1. Received: {name}={value!r}")
    if vocabulary_size < 2:
        raise ValueError(
            "`vocabulary_size` must be >= 2 (padding plus at least one token). "
            f"Received: vocabulary_size={vocabulary_size}"
        )
    if embeddings not in EMBEDDING_MODES:
        raise ValueError(
            f"`embeddings` must be one of {', '.join(EMBEDDING_MODES)}. "
            f"Received: embeddings={embeddings!r}"
        )


def _embedding_layer(
    vocabulary_size: int,
    embedding_dim: int,
    embeddings: str,
    *,
    mask_zero: bool,
    dtype: Any,
) -> keras.layers.Embedding:
    return keras.layers.Embedding(
        input_dim=vocabulary_size,
        output_dim=embedding_dim,
        mask_zero=mask_zero,
        # GloVe rows are copied in after building; start from zeros then.
        embeddings_initializer="uniform" if embeddings == "learned" else "zeros",
        trainable=embeddings != "glove",
        dtype=dtype,
        name="embedding",
    )


def _embedding_dropout(rate: float, dtype: Any) -> keras.layers.Layer | None:
    """``SpatialDropout1D`` (drops whole embedding channels) for a rate > 0, else None."""
    if not isinstance(rate, (int, float)) or isinstance(rate, bool) or not (
        0.0 <= rate < 1.0
    ):
        raise ValueError(
            "`embedding_dropout` must be a number in [0, 1). "
            f"Received: embedding_dropout={rate!r}"
        )
    if rate == 0:
        return None
    return keras.layers.SpatialDropout1D(rate, dtype=dtype, name="embedding_dropout")


def _set_embedding_matrix(
    layer: keras.layers.Embedding, matrix: Any, embeddings: str
) -> None:
    if matrix is None:
        if embeddings != "learned":
            raise ValueError(
                f"embeddings={embeddings!r} needs an `embedding_matrix` "
                "(e.g. imdbfast.load_glove(source, tokenizer.get_vocabulary()).matrix)."
            )
        return
    matrix = np.asarray(matrix, dtype="float32")
    expected = (layer.input_dim, layer.output_dim)
    if matrix.shape != expected:
        raise ValueError(
            "`embedding_matrix` must have one row per vocabulary id and "
            f"embedding_dim columns, i.e. shape {expected}. "
            f"Received: shape {matrix.shape}"
        )
    layer.embeddings.assign(matrix)


class SentimentClassifier(keras.Model):
    """Base class of the imdbfast classifiers: shared config and compile defaults.

    Subclasses build their functional graph in ``__init__`` and set
    ``_default_learning_rate``; :meth:`compile` fills in the seed's optimizer,
    binary cross-entropy and accuracy for any argument left as ``"auto"``.
    """

    _default_learning_rate = 1e-3
    #: whether the model accepts any sequence length (all but ``flatten``)
    variable_length = True

    def _seed_optimizer(self, learning_rate: float) -> keras.optimizers.Optimizer:
        return keras.optimizers.RMSprop(learning_rate=learning_rate)

    def compile(  # type: ignore[override]
        self,
        optimizer: Any = "auto",
        loss: Any = "auto",
        metrics: Any = "auto",
        *,
        learning_rate: float | None = None,
        **kwargs: Any,
    ) -> None:
        """Configures training; ``"auto"`` arguments take the seed's choices.

        Args:
            optimizer: ``"auto"`` (the seed optimizer), an optimizer name or an
                optimizer instance.
            loss: ``"auto"`` = binary cross-entropy.
            metrics: ``"auto"`` = ``["accuracy"]``.
            learning_rate: float or None. Learning rate for ``"auto"`` or a
                named optimizer; None = the seed's rate.
            **kwargs: passed on to :meth:`keras.Model.compile`.
        """
        rate = self._default_learning_rate if learning_rate is None else learning_rate
        if optimizer == "auto":
            optimizer = self._seed_optimizer(rate)
        elif isinstance(optimizer, str):
            optimizer = keras.optimizers.get(
                {"class_name": optimizer, "config": {"learning_rate": rate}}
            )
        if loss == "auto":
            loss = keras.losses.BinaryCrossentropy()
        if metrics == "auto":
            metrics = ["accuracy"]
        super().compile(optimizer=optimizer, loss=loss, metrics=metrics, **kwargs)

    def compile_from_config(self, config: dict[str, Any]) -> None:
        """Re-compiles a loaded model with its saved compile arguments."""
        config = keras.saving.deserialize_keras_object(config)
        # XLA is a choice of the machine that trained; let this one decide.
        config.pop("jit_compile", None)
        self.compile(**config)
        if hasattr(self, "optimizer") and self.built:
            # Create the optimizer variables so its saved state can be loaded.
            self.optimizer.build(self.trainable_variables)

    def _set_policy(self, dtype: Any) -> None:
        # Functional models ignore a `dtype` argument; set the policy so that
        # compile() wraps the optimizer for loss scaling under mixed_float16.
        self._policy_name = _policy_name(dtype)
        if dtype is not None:
            self.dtype_policy = keras.dtype_policies.get(dtype)

    @property
    def embedding(self) -> keras.layers.Embedding:
        """The embedding layer (its weights are the word vectors)."""
        return self.get_layer("embedding")

    def _base_config(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "trainable": self.trainable,
            "vocabulary_size": self.vocabulary_size,
            "embedding_dim": self.embedding_dim,
            "embeddings": self.embeddings,
            "dtype": self._policy_name,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: Any = None) -> Any:
        return cls(**config)


def _policy_name(dtype: Any) -> str | None:
    if dtype is None:
        return None
    if isinstance(dtype, keras.DTypePolicy):
        return dtype.name
    return str(dtype)


@keras.saving.register_keras_serializable(package="imdbfast")
class BiLSTMClassifier(SentimentClassifier):
    """Seed 000: Embedding -> Bidirectional(LSTM) -> Dropout -> Dense(1, sigmoid).

    Args:
        vocabulary_size: int. Number of token ids (the tokenizer's vocabulary
            size, padding and OOV included).
        embedding_dim: int. Width of the word vectors.
        lstm_units: int. Units of each LSTM direction.
        dropout: float. Dropout rate before the output layer.
        embeddings: str. ``"learned"``, ``"glove"`` or ``"glove-finetune"``.
        embedding_matrix: array or None. Initial word vectors,
            ``(vocabulary_size, embedding_dim)``; required for GloVe modes.
            Not stored in the config.
        embedding_dropout: float. Rate of ``SpatialDropout1D`` after the
            embedding (whole channels dropped); 0 = no such layer (the
            seed models have none).
        dtype: str or None. Dtype policy of the layers (e.g.
            ``"mixed_float16"``); the output layer stays float32.
        fused_lstm: bool. Allow the fused TensorFlow CPU LSTM path
            (:class:`imdbfast.layers.LSTM`); False = Keras' step loop.
        **kwargs: ``name``, ``trainable``.

    Example:
    >>> model = BiLSTMClassifier(vocabulary_size=20000)
    >>> model.compile()
    """

    def __init__(
        self,
        vocabulary_size: int,
        embedding_dim: int = 128,
        lstm_units: int = 32,
        dropout: float = 0.5,
        embeddings: str = "learned",
        embedding_matrix: Any = None,
        embedding_dropout: float = 0.0,
        dtype: Any = None,
        fused_lstm: bool = True,
        **kwargs: Any,
    ) -> None:
        _check_common(vocabulary_size, embedding_dim, embeddings)
        # === Layers ===
        embedding = _embedding_layer(
            vocabulary_size, embedding_dim, embeddings, mask_zero=True, dtype=dtype
        )
        word_drop = _embedding_dropout(embedding_dropout, dtype)
        encoder = keras.layers.Bidirectional(
            LSTM(lstm_units, fused=fused_lstm, dtype=dtype), dtype=dtype, name="bilstm"
        )
        drop = keras.layers.Dropout(dropout, dtype=dtype, name="dropout")
        head = keras.layers.Dense(1, activation="sigmoid", dtype="float32", name="output")

        # === Functional Model ===
        token_ids = keras.Input(shape=(None,), dtype="int32", name="token_ids")
        x = embedding(token_ids)
        if word_drop is not None:
            x = word_drop(x)
        x = encoder(x)
        x = drop(x)
        outputs = head(x)
        super().__init__(inputs=token_ids, outputs=outputs, **kwargs)
        _set_embedding_matrix(embedding, embedding_matrix, embeddings)

        # === Config ===
        self.vocabulary_size = int(vocabulary_size)
        self.embedding_dim = int(embedding_dim)
        self.lstm_units = lstm_units
        self.dropout = dropout
        self.embeddings = embeddings
        self.embedding_dropout = embedding_dropout
        self.fused_lstm = fused_lstm
        self._set_policy(dtype)

    def get_config(self) -> dict[str, Any]:
        config = self._base_config()
        config["fused_lstm"] = self.fused_lstm
        config["embedding_dropout"] = self.embedding_dropout
        config.update({"lstm_units": self.lstm_units, "dropout": self.dropout})
        return config


@keras.saving.register_keras_serializable(package="imdbfast")
class FlattenClassifier(SentimentClassifier):
    """Seeds 001/002: Embedding -> Flatten -> [Dense relu] -> Dense(1, sigmoid).

    The Dense layer after ``Flatten`` sees every position, so the input length
    is fixed (``sequence_length``) and padding is not masked: inputs must be
    right-padded with 0 to exactly ``sequence_length`` ids.

    Args:
        vocabulary_size: int. Number of token ids.
        sequence_length: int. The fixed number of ids per review.
        embedding_dim: int. Width of the word vectors.
        hidden_units: int. Units of the hidden relu layer; 0 = none.
        embeddings: str. ``"learned"``, ``"glove"`` or ``"glove-finetune"``.
        embedding_matrix: array or None. Initial word vectors (GloVe modes).
        dtype: str or None. Dtype policy of the layers.
        **kwargs: ``name``, ``trainable``.
    """

    variable_length = False

    def __init__(
        self,
        vocabulary_size: int,
        sequence_length: int,
        embedding_dim: int = 8,
        hidden_units: int = 10,
        embeddings: str = "learned",
        embedding_matrix: Any = None,
        dtype: Any = None,
        **kwargs: Any,
    ) -> None:
        _check_common(vocabulary_size, embedding_dim, embeddings)
        if isinstance(sequence_length, bool) or not isinstance(
            sequence_length, (int, np.integer)
        ) or sequence_length < 1:
            raise ValueError(
                "`sequence_length` must be a positive int. "
                f"Received: sequence_length={sequence_length!r}"
            )
        # === Layers ===
        embedding = _embedding_layer(
            vocabulary_size, embedding_dim, embeddings, mask_zero=False, dtype=dtype
        )
        flatten = keras.layers.Flatten(dtype=dtype, name="flatten")
        hidden = (
            keras.layers.Dense(hidden_units, activation="relu", dtype=dtype, name="hidden")
            if hidden_units
            else None
        )
        head = keras.layers.Dense(1, activation="sigmoid", dtype="float32", name="output")

        # === Functional Model ===
        token_ids = keras.Input(
            shape=(int(sequence_length),), dtype="int32", name="token_ids"
        )
        x = flatten(embedding(token_ids))
        if hidden is not None:
            x = hidden(x)
        outputs = head(x)
        super().__init__(inputs=token_ids, outputs=outputs, **kwargs)
        _set_embedding_matrix(embedding, embedding_matrix, embeddings)

        # === Config ===
        self.vocabulary_size = int(vocabulary_size)
        self.sequence_length = int(sequence_length)
        self.embedding_dim = int(embedding_dim)
        self.hidden_units = hidden_units
        self.embeddings = embeddings
        self._set_policy(dtype)

    def get_config(self) -> dict[str, Any]:
        config = self._base_config()
        config.update(
            {"sequence_length": self.sequence_length, "hidden_units": self.hidden_units}
        )
        return config


@keras.saving.register_keras_serializable(package="imdbfast")
class DeepBiLSTMAttentionClassifier(SentimentClassifier):
    """Seed 003: BiLSTM (sequences) -> Dropout -> BatchNorm -> attention pooling
    -> Dense relu -> Dropout -> Dense(1, sigmoid); AdamW 1e-4 by default.

    Args:
        vocabulary_size: int. Number of token ids.
        embedding_dim: int. Width of the word vectors.
        lstm_units: int. Units of each LSTM direction.
        dense_units: int. Units of the relu layer after pooling.
        dropout: float. Dropout after the BiLSTM.
        head_dropout: float. Dropout after the relu layer.
        embeddings: str. ``"learned"``, ``"glove"`` or ``"glove-finetune"``.
        embedding_matrix: array or None. Initial word vectors (GloVe modes).
        embedding_dropout: float. Rate of ``SpatialDropout1D`` after the
            embedding (whole channels dropped); 0 = no such layer (the
            seed models have none).
        dtype: str or None. Dtype policy of the layers.
        fused_lstm: bool. Allow the fused TensorFlow CPU LSTM path
            (:class:`imdbfast.layers.LSTM`); False = Keras' step loop.
        **kwargs: ``name``, ``trainable``.
    """

    _default_learning_rate = 1e-4

    def _seed_optimizer(self, learning_rate: float) -> keras.optimizers.Optimizer:
        return keras.optimizers.AdamW(learning_rate=learning_rate)

    def __init__(
        self,
        vocabulary_size: int,
        embedding_dim: int = 128,
        lstm_units: int = 128,
        dense_units: int = 64,
        dropout: float = 0.5,
        head_dropout: float = 0.4,
        embeddings: str = "learned",
        embedding_matrix: Any = None,
        embedding_dropout: float = 0.0,
        dtype: Any = None,
        fused_lstm: bool = True,
        **kwargs: Any,
    ) -> None:
        _check_common(vocabulary_size, embedding_dim, embeddings)
        # === Layers ===
        embedding = _embedding_layer(
            vocabulary_size, embedding_dim, embeddings, mask_zero=True, dtype=dtype
        )
        word_drop = _embedding_dropout(embedding_dropout, dtype)
        encoder = keras.layers.Bidirectional(
            LSTM(lstm_units, return_sequences=True, fused=fused_lstm, dtype=dtype),
            dtype=dtype,
            name="bilstm",
        )
        drop = keras.layers.Dropout(dropout, dtype=dtype, name="dropout")
        norm = keras.layers.BatchNormalization(dtype=dtype, name="batch_norm")
        pool = AttentionPooling(dtype=dtype, name="attention")
        dense = keras.layers.Dense(
            dense_units, activation="relu", dtype=dtype, name="dense"
        )
        head_drop = keras.layers.Dropout(head_dropout, dtype=dtype, name="head_dropout")
        head = keras.layers.Dense(1, activation="sigmoid", dtype="float32", name="output")

        # === Functional Model ===
        token_ids = keras.Input(shape=(None,), dtype="int32", name="token_ids")
        x = embedding(token_ids)
        if word_drop is not None:
            x = word_drop(x)
        x = encoder(x)
        x = drop(x)
        x = norm(x)
        x = pool(x)
        x = dense(x)
        x = head_drop(x)
        outputs = head(x)
        super().__init__(inputs=token_ids, outputs=outputs, **kwargs)
        _set_embedding_matrix(embedding, embedding_matrix, embeddings)

        # === Config ===
        self.vocabulary_size = int(vocabulary_size)
        self.embedding_dim = int(embedding_dim)
        self.lstm_units = lstm_units
        self.dense_units = dense_units
        self.dropout = dropout
        self.head_dropout = head_dropout
        self.embeddings = embeddings
        self.embedding_dropout = embedding_dropout
        self.fused_lstm = fused_lstm
        self._set_policy(dtype)

    def get_config(self) -> dict[str, Any]:
        config = self._base_config()
        config["fused_lstm"] = self.fused_lstm
        config["embedding_dropout"] = self.embedding_dropout
        config.update(
            {
                "lstm_units": self.lstm_units,
                "dense_units": self.dense_units,
                "dropout": self.dropout,
                "head_dropout": self.head_dropout,
            }
        )
        return config


@keras.saving.register_keras_serializable(package="imdbfast")
class LSTMClassifier(SentimentClassifier):
    """Seed 004: Embedding -> LSTM -> Dropout -> Dense(1, sigmoid); Adam 1e-3
    with a linear warmup over the first ``warmup_steps`` steps.

    Args:
        vocabulary_size: int. Number of token ids.
        embedding_dim: int. Width of the word vectors.
        lstm_units: int. Units of the LSTM (its hidden size).
        dropout: float. Dropout before the output layer.
        warmup_steps: int. Length of the learning-rate warmup used by the
            default optimizer.
        embeddings: str. ``"learned"``, ``"glove"`` or ``"glove-finetune"``.
        embedding_matrix: array or None. Initial word vectors (GloVe modes).
        embedding_dropout: float. Rate of ``SpatialDropout1D`` after the
            embedding (whole channels dropped); 0 = no such layer (the
            seed models have none).
        dtype: str or None. Dtype policy of the layers.
        fused_lstm: bool. Allow the fused TensorFlow CPU LSTM path
            (:class:`imdbfast.layers.LSTM`); False = Keras' step loop.
        **kwargs: ``name``, ``trainable``.
    """

    def _seed_optimizer(self, learning_rate: float) -> keras.optimizers.Optimizer:
        return keras.optimizers.Adam(
            learning_rate=LinearWarmup(learning_rate, self.warmup_steps)
        )

    def __init__(
        self,
        vocabulary_size: int,
        embedding_dim: int = 100,
        lstm_units: int = 100,
        dropout: float = 0.0,
        warmup_steps: int = 200,
        embeddings: str = "learned",
        embedding_matrix: Any = None,
        embedding_dropout: float = 0.0,
        dtype: Any = None,
        fused_lstm: bool = True,
        **kwargs: Any,
    ) -> None:
        _check_common(vocabulary_size, embedding_dim, embeddings)
        # === Layers ===
        embedding = _embedding_layer(
            vocabulary_size, embedding_dim, embeddings, mask_zero=True, dtype=dtype
        )
        word_drop = _embedding_dropout(embedding_dropout, dtype)
        encoder = LSTM(lstm_units, fused=fused_lstm, dtype=dtype, name="lstm")
        drop = keras.layers.Dropout(dropout, dtype=dtype, name="dropout")
        head = keras.layers.Dense(1, activation="sigmoid", dtype="float32", name="output")

        # === Functional Model ===
        token_ids = keras.Input(shape=(None,), dtype="int32", name="token_ids")
        x = embedding(token_ids)
        if word_drop is not None:
            x = word_drop(x)
        x = encoder(x)
        x = drop(x)
        outputs = head(x)
        super().__init__(inputs=token_ids, outputs=outputs, **kwargs)
        _set_embedding_matrix(embedding, embedding_matrix, embeddings)

        # === Config ===
        self.vocabulary_size = int(vocabulary_size)
        self.embedding_dim = int(embedding_dim)
        self.lstm_units = lstm_units
        self.dropout = dropout
        self.warmup_steps = warmup_steps
        self.embeddings = embeddings
        self.embedding_dropout = embedding_dropout
        self.fused_lstm = fused_lstm
        self._set_policy(dtype)

    def get_config(self) -> dict[str, Any]:
        config = self._base_config()
        config["fused_lstm"] = self.fused_lstm
        config["embedding_dropout"] = self.embedding_dropout
        config.update(
            {
                "lstm_units": self.lstm_units,
                "dropout": self.dropout,
                "warmup_steps": self.warmup_steps,
            }
        )
        return config


MODEL_CLASSES: dict[str, type[SentimentClassifier]] = {
    "bilstm": BiLSTMClassifier,
    "flatten": FlattenClassifier,
    "deep_bilstm_attention": DeepBiLSTMAttentionClassifier,
    "lstm": LSTMClassifier,
}

# Default embedding width of each model when the embedding is learned.
DEFAULT_EMBEDDING_DIM = {
    "bilstm": 128,
    "flatten": 8,
    "deep_bilstm_attention": 128,
    "lstm": 100,
}


def get_model_class(name: str) -> type[SentimentClassifier]:
    """The classifier class registered under a model name.

    Args:
        name: str. A model name such as ``"bilstm"`` (``TrainConfig.model``).

    Returns:
        The :class:`SentimentClassifier` subclass; its ``variable_length``
        attribute says whether it accepts any sequence length.

    Raises:
        ValueError: if no model has that name.
    """
    if name not in MODEL_CLASSES:
        raise ValueError(
            f"Unknown model. Expected one of {', '.join(MODEL_CLASSES)}. "
            f"Received: model={name!r}"
        )
    return MODEL_CLASSES[name]


def build_model(
    config: Any,
    vocabulary_size: int,
    embedding_matrix: Any = None,
) -> SentimentClassifier:
    """Builds (but does not compile) the classifier a :class:`TrainConfig` names.

    Args:
        config: TrainConfig. Uses ``model``, ``embeddings``, ``embedding_dim``,
            ``units``, ``dropout``, ``embedding_dropout``, ``sequence_length``
            and ``mixed_precision``.
        vocabulary_size: int. The tokenizer's vocabulary size.
        embedding_matrix: array or None. ``(vocabulary_size, dim)`` initial
            vectors; required when ``config.embeddings`` is a GloVe mode, and
            then ``dim`` is the embedding width.

    Returns:
        The model, with its weights initialized (GloVe rows copied in).

    Raises:
        ValueError: if the embedding matrix is missing, has the wrong shape or
            contradicts ``config.embedding_dim``.
    """
    name = config.model
    model_class = get_model_class(name)
    dim = config.embedding_dim or DEFAULT_EMBEDDING_DIM[name]
    if embedding_matrix is not None:
        matrix_dim = int(np.shape(embedding_matrix)[1])
        if config.embedding_dim is not None and config.embedding_dim != matrix_dim:
            raise ValueError(
                "`embedding_dim` must match the GloVe vectors' dimension. "
                f"Received: embedding_dim={config.embedding_dim}, vectors of "
                f"dimension {matrix_dim}"
            )
        dim = matrix_dim
    kwargs: dict[str, Any] = {
        "vocabulary_size": vocabulary_size,
        "embedding_dim": dim,
        "embeddings": config.embeddings,
        "embedding_matrix": embedding_matrix,
        "dtype": "mixed_float16" if config.mixed_precision else None,
        "name": name,
    }
    if name == "flatten":
        if config.embedding_dropout:
            raise ValueError(
                "`embedding_dropout` applies to the recurrent models only, not "
                f"'flatten'. Received: embedding_dropout={config.embedding_dropout}"
            )
        kwargs["sequence_length"] = config.sequence_length
        if config.units is not None:
            kwargs["hidden_units"] = config.units
    else:
        if config.units is not None:
            if config.units < 1:
                raise ValueError(
                    f"`units` must be >= 1 for model {name!r}. "
                    f"Received: units={config.units}"
                )
            kwargs["lstm_units"] = config.units
        if config.dropout is not None:
            kwargs["dropout"] = config.dropout
        kwargs["embedding_dropout"] = config.embedding_dropout
        # XLA cannot compile the fused op.
        kwargs["fused_lstm"] = config.fused_lstm and config.jit_compile is not True
    return model_class(**kwargs)
