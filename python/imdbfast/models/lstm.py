"""``lstm`` (seed 004): Embedding -> LSTM -> Dropout -> Dense, Adam with warmup."""

from __future__ import annotations

from typing import Any

import keras

from imdbfast.layers import LSTM
from imdbfast.models._base import RecurrentClassifier, register
from imdbfast.models._blocks import LinearWarmup

__all__ = ["LSTMClassifier"]


@keras.saving.register_keras_serializable(package="imdbfast")
@register("lstm")
class LSTMClassifier(RecurrentClassifier):
    """Seed 004: Embedding -> LSTM -> Dropout -> Dense(1, sigmoid); Adam 1e-3
    with a linear warmup over the first ``warmup_steps`` steps.

    Args:
        vocabulary_size: int. Number of token ids.
        embedding_dim: int. Width of the word vectors.
        lstm_units: int. Units of the LSTM (its hidden size).
        dropout: float. Dropout before the output layer.
        warmup_steps: int. Length of the learning-rate warmup used by the
            default optimizer.
        **kwargs: ``embeddings``, ``embedding_matrix``, ``embedding_dropout``,
            ``dtype``, ``fused_lstm``, ``name``, ``trainable`` (see
            :class:`~imdbfast.models.RecurrentClassifier`).
    """

    has_lstm = True

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
        **kwargs: Any,
    ) -> None:
        super().__init__(
            vocabulary_size,
            embedding_dim,
            {"lstm_units": lstm_units, "dropout": dropout},
            **kwargs,
        )
        self.warmup_steps = warmup_steps

    def encoder(
        self, *, lstm_units: int, dropout: float, fused_lstm: bool, dtype: Any
    ) -> list[keras.layers.Layer]:
        return [
            LSTM(lstm_units, fused=fused_lstm, dtype=dtype, name="lstm"),
            keras.layers.Dropout(dropout, dtype=dtype, name="dropout"),
        ]

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["warmup_steps"] = self.warmup_steps
        return config
