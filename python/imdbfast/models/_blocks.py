"""Building blocks of the classifiers: attention pooling, a feature-scaled
Dense layer and a warmup schedule."""

from __future__ import annotations

from typing import Any

import keras
import numpy as np

from imdbfast._options import check_int

__all__ = ["AttentionPooling", "FeatureScaledDense", "LinearWarmup"]


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
        self.units = check_int("units", units, minimum=1, optional=True)
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
class FeatureScaledDense(keras.layers.Layer):
    """A Dense layer whose inputs are scaled per feature by fixed factors.

    ``outputs = activation((inputs * scale) @ kernel + bias)``, computed as
    ``inputs @ (scale[:, None] * kernel)`` so that sparse inputs stay sparse.
    ``scale`` is a non-trainable weight (ones until :meth:`set_scale`), saved
    with the model.

    Args:
        units: int. Output width.
        activation: a Keras activation name or None.
        **kwargs: standard layer arguments (``name``, ``dtype``...).
    """

    def __init__(self, units: int, activation: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.units = check_int("units", units, minimum=1)
        self.activation = keras.activations.get(activation)

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        features = input_shape[-1]
        if features is None:
            raise ValueError(
                "FeatureScaledDense needs a known feature dimension. "
                f"Received: input_shape={input_shape}"
            )
        self.kernel = self.add_weight(
            name="kernel", shape=(features, self.units), initializer="glorot_uniform"
        )
        self.bias = self.add_weight(name="bias", shape=(self.units,), initializer="zeros")
        self.scale = self.add_weight(
            name="scale", shape=(features,), initializer="ones", trainable=False
        )

    def set_scale(self, scale: Any) -> None:
        """Sets the per-feature factors (one per input feature)."""
        values = np.asarray(scale, dtype=np.float32)
        if values.shape != tuple(self.scale.shape):
            raise ValueError(
                f"`scale` must have shape {tuple(self.scale.shape)}. "
                f"Received: shape {values.shape}"
            )
        if not np.all(np.isfinite(values)):
            raise ValueError("`scale` must be finite. Received: NaN or infinite values")
        self.scale.assign(values)

    def call(self, inputs: Any) -> Any:
        kernel = self.kernel * keras.ops.expand_dims(self.scale, -1)
        return self.activation(keras.ops.matmul(inputs, kernel) + self.bias)

    def compute_output_shape(
        self, input_shape: tuple[int | None, ...]
    ) -> tuple[int | None, ...]:
        return (*input_shape[:-1], self.units)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {"units": self.units, "activation": keras.activations.serialize(self.activation)}
        )
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
        self.learning_rate = float(learning_rate)
        self.warmup_steps = check_int("warmup_steps", warmup_steps, minimum=1)

    def __call__(self, step: Any) -> Any:
        step = keras.ops.cast(step, "float32")
        fraction = keras.ops.minimum(1.0, (step + 1.0) / float(self.warmup_steps))
        return self.learning_rate * fraction

    def get_config(self) -> dict[str, Any]:
        return {"learning_rate": self.learning_rate, "warmup_steps": self.warmup_steps}
