"""``fasttext``: averaged embeddings of a review's uni- and bigrams -> Dense.

fastText-style (Joulin et al., 2016): the review's token and n-gram ids (the
tokenizer's ``int`` output with ``ngrams``) are embedded, averaged over the
review (padding masked) and classified; no recurrence, so an epoch takes
seconds.
"""

from __future__ import annotations

from typing import Any

import keras

from imdbfast.config import TrainConfig
from imdbfast.models._base import RecurrentClassifier, register

__all__ = ["FastTextClassifier"]


@keras.saving.register_keras_serializable(package="imdbfast")
@register("fasttext")
class FastTextClassifier(RecurrentClassifier):
    """Embedding -> average over the review -> [Dropout] -> [Dense relu] -> Dense(1, sigmoid).

    Adam 1e-3 by default. Train it on ids with n-grams
    (``TrainConfig(ngrams=2)``): the average of bigram vectors is what lets
    it see "not good" apart from "good".

    Args:
        vocabulary_size: int. Number of token and n-gram ids.
        embedding_dim: int. Width of the vectors.
        hidden_units: int. Units of a hidden relu layer; 0 = none.
        dropout: float. Dropout after the average.
        **kwargs: ``embeddings``, ``embedding_matrix``, ``embedding_dropout``,
            ``dtype``, ``fused_lstm`` (unused), ``name``, ``trainable`` (see
            :class:`~imdbfast.models.RecurrentClassifier`).
    """

    units_argument = "hidden_units"

    def _seed_optimizer(self, learning_rate: float) -> keras.optimizers.Optimizer:
        return keras.optimizers.Adam(learning_rate=learning_rate)

    def __init__(
        self,
        vocabulary_size: int,
        embedding_dim: int = 32,
        hidden_units: int = 0,
        dropout: float = 0.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            vocabulary_size,
            embedding_dim,
            {"hidden_units": hidden_units, "dropout": dropout},
            **kwargs,
        )

    def encoder(
        self, *, hidden_units: int, dropout: float, fused_lstm: bool, dtype: Any
    ) -> list[keras.layers.Layer]:
        layers: list[keras.layers.Layer] = [
            keras.layers.GlobalAveragePooling1D(dtype=dtype, name="average")
        ]
        if dropout:
            layers.append(keras.layers.Dropout(dropout, dtype=dtype, name="dropout"))
        if hidden_units:
            layers.append(
                keras.layers.Dense(hidden_units, activation="relu", dtype=dtype, name="hidden")
            )
        return layers

    @classmethod
    def train_config_options(cls, config: TrainConfig) -> dict[str, Any]:
        """``units`` (the hidden layer; 0 = none), ``dropout``, ``embedding_dropout``."""
        options: dict[str, Any] = {"embedding_dropout": config.embedding_dropout}
        if config.units is not None:
            options["hidden_units"] = config.units
        if config.dropout is not None:
            options["dropout"] = config.dropout
        return options
