"""``bilstm`` (seed 000): Embedding -> Bidirectional(LSTM) -> Dropout -> Dense."""

from __future__ import annotations

from typing import Any

import keras

from imdbfast.layers import LSTM
from imdbfast.models._base import RecurrentClassifier, register

__all__ = ["BiLSTMClassifier"]


@keras.saving.register_keras_serializable(package="imdbfast")
@register("bilstm")
class BiLSTMClassifier(RecurrentClassifier):
    """Seed 000: Embedding -> Bidirectional(LSTM) -> Dropout -> Dense(1, sigmoid).

    RMSprop 1e-3 by default.

    Args:
        vocabulary_size: int. Number of token ids (the tokenizer's vocabulary
            size, padding and OOV included).
        embedding_dim: int. Width of the word vectors.
        lstm_units: int. Units of each LSTM direction.
        dropout: float. Dropout rate before the output layer.
        **kwargs: ``embeddings``, ``embedding_matrix``, ``embedding_dropout``,
            ``dtype``, ``fused_lstm``, ``name``, ``trainable`` (see
            :class:`~imdbfast.models.RecurrentClassifier`).

    Example:
    >>> model = BiLSTMClassifier(vocabulary_size=20000)
    >>> model.compile()
    """

    has_lstm = True

    def __init__(
        self,
        vocabulary_size: int,
        embedding_dim: int = 128,
        lstm_units: int = 32,
        dropout: float = 0.5,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            vocabulary_size,
            embedding_dim,
            {"lstm_units": lstm_units, "dropout": dropout},
            **kwargs,
        )

    def encoder(
        self, *, lstm_units: int, dropout: float, fused_lstm: bool, dtype: Any
    ) -> list[keras.layers.Layer]:
        return [
            keras.layers.Bidirectional(
                LSTM(lstm_units, fused=fused_lstm, dtype=dtype),
                dtype=dtype,
                name="bilstm",
            ),
            keras.layers.Dropout(dropout, dtype=dtype, name="dropout"),
        ]
