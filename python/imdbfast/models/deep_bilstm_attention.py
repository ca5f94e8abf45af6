"""``deep_bilstm_attention`` (seed 003): a BiLSTM over the sequence, attention
pooling and a relu layer."""

from __future__ import annotations

from typing import Any

import keras

from imdbfast.layers import LSTM
from imdbfast.models._base import RecurrentClassifier, register
from imdbfast.models._blocks import AttentionPooling

__all__ = ["DeepBiLSTMAttentionClassifier"]


@keras.saving.register_keras_serializable(package="imdbfast")
@register("deep_bilstm_attention")
class DeepBiLSTMAttentionClassifier(RecurrentClassifier):
    """Seed 003: BiLSTM (sequences) -> Dropout -> BatchNorm -> attention pooling
    -> Dense relu -> Dropout -> Dense(1, sigmoid); AdamW 1e-4 by default.

    Args:
        vocabulary_size: int. Number of token ids.
        embedding_dim: int. Width of the word vectors.
        lstm_units: int. Units of each LSTM direction.
        dense_units: int. Units of the relu layer after pooling.
        dropout: float. Dropout after the BiLSTM.
        head_dropout: float. Dropout after the relu layer.
        **kwargs: ``embeddings``, ``embedding_matrix``, ``embedding_dropout``,
            ``dtype``, ``fused_lstm``, ``name``, ``trainable`` (see
            :class:`~imdbfast.models.RecurrentClassifier`).
    """

    has_lstm = True

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
        **kwargs: Any,
    ) -> None:
        super().__init__(
            vocabulary_size,
            embedding_dim,
            {
                "lstm_units": lstm_units,
                "dense_units": dense_units,
                "dropout": dropout,
                "head_dropout": head_dropout,
            },
            **kwargs,
        )

    def encoder(
        self,
        *,
        lstm_units: int,
        dense_units: int,
        dropout: float,
        head_dropout: float,
        fused_lstm: bool,
        dtype: Any,
    ) -> list[keras.layers.Layer]:
        return [
            keras.layers.Bidirectional(
                LSTM(lstm_units, return_sequences=True, fused=fused_lstm, dtype=dtype),
                dtype=dtype,
                name="bilstm",
            ),
            keras.layers.Dropout(dropout, dtype=dtype, name="dropout"),
            keras.layers.BatchNormalization(dtype=dtype, name="batch_norm"),
            AttentionPooling(dtype=dtype, name="attention"),
            keras.layers.Dense(
                dense_units, activation="relu", dtype=dtype, name="dense"
            ),
            keras.layers.Dropout(head_dropout, dtype=dtype, name="head_dropout"),
        ]
