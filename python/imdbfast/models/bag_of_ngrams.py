"""``bag_of_ngrams``: a linear (or one-hidden-layer) classifier over bag rows.

The input is a review's row over the vocabulary, as the tokenizer's
``multi_hot``/``count``/``tf_idf`` output gives it (sparse or dense), usually
over unigrams and bigrams. With naive-Bayes feature scaling (NBSVM's trick,
Wang & Manning 2012) each feature is first multiplied by its log-count ratio
between positive and negative training reviews (:func:`nb_log_count_ratios`).
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np

from imdbfast._options import check_int, check_rate
from imdbfast.config import TrainConfig
from imdbfast.models._base import SentimentClassifier, register
from imdbfast.models._blocks import FeatureScaledDense

__all__ = ["BagOfNgramsClassifier", "nb_log_count_ratios"]


def nb_log_count_ratios(rows: Any, labels: Any, alpha: float = 1.0) -> np.ndarray:
    """Naive-Bayes log-count ratios of the features, from training rows.

    ``r = ln((p / |p|_1) / (q / |q|_1))`` with ``p = alpha + sum of the
    binarized rows of positive reviews`` and ``q`` the same over negative ones
    (Wang & Manning, 2012).

    Args:
        rows: ``(reviews, features)`` array or scipy sparse matrix.
        labels: 0/1 label per row.
        alpha: float > 0. Smoothing count.

    Returns:
        float32 array of one ratio per feature.

    Raises:
        ValueError: if the labels do not match the rows or a class is missing.
    """
    labels = np.asarray(labels)
    if labels.shape != (rows.shape[0],):
        raise ValueError(
            f"`labels` must hold one label per row ({rows.shape[0]}). "
            f"Received: shape {labels.shape}"
        )
    if not alpha > 0:
        raise ValueError(f"`alpha` must be positive. Received: alpha={alpha!r}")
    present = rows != 0  # binarized (sparse stays sparse)
    counts = []
    for label in (1, 0):
        chosen = labels == label
        if not chosen.any():
            raise ValueError(
                "Naive-Bayes scaling needs positive and negative training reviews. "
                f"Received: no review labelled {label}"
            )
        counts.append(alpha + np.asarray(present[chosen].sum(axis=0), np.float64).ravel())
    p, q = counts
    return np.log((p / p.sum()) / (q / q.sum())).astype(np.float32)


@keras.saving.register_keras_serializable(package="imdbfast")
@register("bag_of_ngrams")
class BagOfNgramsClassifier(SentimentClassifier):
    """Bag row -> [feature scaling] -> Dense(1, sigmoid), or -> Dense(relu) -> Dropout -> Dense(1, sigmoid).

    Adam 1e-2 by default. The first layer is a :class:`FeatureScaledDense`
    whose fixed per-feature factors are ones until :meth:`set_feature_scale`
    (e.g. with :func:`nb_log_count_ratios`); they are saved with the model.

    Args:
        vocabulary_size: int. Number of input features (the tokenizer's
            ``vocabulary_size()``: one column per vocabulary entry).
        hidden_units: int. Units of a hidden relu layer; 0 = a linear model.
        dropout: float. Dropout before the output layer (with a hidden layer).
        sparse: bool. Whether the input is sparse (a ``scipy.sparse`` matrix
            or a backend sparse tensor), as the tokenizer's ``sparse=True``
            output is; False for dense rows.
        dtype: str or None. Dtype policy of the layers.
        **kwargs: ``name``, ``trainable``.

    Example:
    >>> tok = imdbfast.Tokenizer(output_mode="multi_hot", ngrams=2, sparse=True)
    >>> rows = tok.fit_transform(texts)
    >>> model = BagOfNgramsClassifier(tok.vocabulary_size())
    >>> model.set_feature_scale(nb_log_count_ratios(rows, labels))
    >>> model.compile()
    >>> model.fit(rows, labels, epochs=3)
    """

    input_kind = "bag"
    _default_learning_rate = 1e-2

    def _seed_optimizer(self, learning_rate: float) -> keras.optimizers.Optimizer:
        return keras.optimizers.Adam(learning_rate=learning_rate)

    def __init__(
        self,
        vocabulary_size: int,
        hidden_units: int = 0,
        dropout: float = 0.0,
        sparse: bool = True,
        dtype: Any = None,
        **kwargs: Any,
    ) -> None:
        check_int("vocabulary_size", vocabulary_size, minimum=1)
        check_int("hidden_units", hidden_units, minimum=0)
        check_rate("dropout", dropout)
        # === Layers ===
        first = FeatureScaledDense(
            hidden_units or 1,
            activation="relu" if hidden_units else "sigmoid",
            dtype="float32" if not hidden_units else dtype,
            name="scaled_dense",
        )
        rest: list[keras.layers.Layer] = []
        if hidden_units:
            if dropout:
                rest.append(keras.layers.Dropout(dropout, dtype=dtype, name="dropout"))
            rest.append(
                keras.layers.Dense(1, activation="sigmoid", dtype="float32", name="output")
            )

        # === Functional Model ===
        bag = keras.Input(shape=(int(vocabulary_size),), sparse=bool(sparse), name="bag")
        x = first(bag)
        for layer in rest:
            x = layer(x)
        super().__init__(inputs=bag, outputs=x, **kwargs)

        # === Config ===
        self.vocabulary_size = int(vocabulary_size)
        self.hidden_units = int(hidden_units)
        self.dropout = float(dropout)
        self.sparse = bool(sparse)
        self._set_policy(dtype)

    def set_feature_scale(self, scale: Any) -> None:
        """Sets the fixed factor of each input feature (e.g. NB log-count ratios).

        Args:
            scale: ``vocabulary_size`` finite numbers.

        Raises:
            ValueError: for a wrong length or non-finite values.
        """
        self.get_layer("scaled_dense").set_scale(scale)

    @property
    def feature_scale(self) -> np.ndarray:
        """The per-feature factors (ones unless set)."""
        return np.asarray(self.get_layer("scaled_dense").scale)

    @property
    def embedding(self) -> keras.layers.Embedding:
        raise AttributeError("bag_of_ngrams has no embedding layer (its input is bag rows)")

    @classmethod
    def from_train_config(
        cls,
        config: TrainConfig,
        vocabulary_size: int,
        embedding_matrix: Any = None,
    ) -> BagOfNgramsClassifier:
        """Builds the model from ``units`` (hidden layer, default 0) and ``dropout``.

        Raises:
            ValueError: if the config asks for ids (``output_mode="int"``),
                GloVe vectors, an embedding width or embedding dropout.
        """
        if not config.uses_bag_rows:
            raise ValueError(
                "'bag_of_ngrams' reads bag rows: it needs output_mode='multi_hot', "
                "'count' or 'tf_idf'. Received: output_mode='int'"
            )
        if config.uses_glove or embedding_matrix is not None:
            raise ValueError(
                "'bag_of_ngrams' has no embedding: it needs embeddings='learned'. "
                f"Received: embeddings={config.embeddings!r}"
            )
        for name, value in (("embedding_dim", config.embedding_dim),
                            ("embedding_dropout", config.embedding_dropout or None)):
            if value is not None:
                raise ValueError(
                    f"`{name}` does not apply to 'bag_of_ngrams'. Received: {name}={value}"
                )
        return cls(
            vocabulary_size=vocabulary_size,
            hidden_units=config.units or 0,
            dropout=config.dropout or 0.0,
            sparse=True,
            dtype="mixed_float16" if config.mixed_precision else None,
            name=cls.model_name,
        )

    def get_config(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "trainable": self.trainable,
            "vocabulary_size": self.vocabulary_size,
            "hidden_units": self.hidden_units,
            "dropout": self.dropout,
            "sparse": self.sparse,
            "dtype": self._policy_name,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: Any = None) -> Any:
        return cls(**config)
