"""``flatten`` (seeds 001/002): Embedding -> Flatten -> [Dense relu] -> Dense."""

from __future__ import annotations

from typing import Any

import keras

from imdbfast._options import check_int
from imdbfast.config import TrainConfig
from imdbfast.models._base import (
    SentimentClassifier,
    check_common,
    embedding_layer,
    register,
    set_embedding_matrix,
)

__all__ = ["FlattenClassifier"]


@keras.saving.register_keras_serializable(package="imdbfast")
@register("flatten")
class FlattenClassifier(SentimentClassifier):
    """Seeds 001/002: Embedding -> Flatten -> [Dense relu] -> Dense(1, sigmoid).

    The Dense layer after ``Flatten`` sees every position, so the input length
    is fixed (``sequence_length``) and padding is not masked: inputs must be
    right-padded with 0 to exactly ``sequence_length`` ids. RMSprop 1e-3 by
    default.

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
    units_argument = "hidden_units"

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
        check_common(vocabulary_size, embedding_dim, embeddings)
        check_int("sequence_length", sequence_length, minimum=1)
        # === Layers ===
        embedding = embedding_layer(
            vocabulary_size, embedding_dim, embeddings, mask_zero=False, dtype=dtype
        )
        flatten = keras.layers.Flatten(dtype=dtype, name="flatten")
        hidden = (
            keras.layers.Dense(
                hidden_units, activation="relu", dtype=dtype, name="hidden"
            )
            if hidden_units
            else None
        )
        head = keras.layers.Dense(
            1, activation="sigmoid", dtype="float32", name="output"
        )

        # === Functional Model ===
        token_ids = keras.Input(
            shape=(int(sequence_length),), dtype="int32", name="token_ids"
        )
        x = flatten(embedding(token_ids))
        if hidden is not None:
            x = hidden(x)
        outputs = head(x)
        super().__init__(inputs=token_ids, outputs=outputs, **kwargs)
        set_embedding_matrix(embedding, embedding_matrix, embeddings)

        # === Config ===
        self.vocabulary_size = int(vocabulary_size)
        self.sequence_length = int(sequence_length)
        self.embedding_dim = int(embedding_dim)
        self.hidden_units = hidden_units
        self.embeddings = embeddings
        self._set_policy(dtype)

    @classmethod
    def train_config_options(cls, config: TrainConfig) -> dict[str, Any]:
        """``sequence_length`` and ``units`` (the hidden layer; 0 = none).

        Args:
            config: TrainConfig.

        Returns:
            Keyword arguments for the constructor.

        Raises:
            ValueError: if ``config.embedding_dropout`` is set (this model has
                no sequence to drop channels from).
        """
        if config.embedding_dropout:
            raise ValueError(
                "`embedding_dropout` applies to the recurrent models only, not "
                f"'flatten'. Received: embedding_dropout={config.embedding_dropout}"
            )
        options: dict[str, Any] = {"sequence_length": config.sequence_length}
        if config.units is not None:
            options["hidden_units"] = config.units
        return options

    def get_config(self) -> dict[str, Any]:
        config = self._base_config()
        config.update(
            {"sequence_length": self.sequence_length, "hidden_units": self.hidden_units}
        )
        return config
