"""The classifiers' base classes and the model registry.

:class:`SentimentClassifier` holds what every model shares (compile defaults,
config, building itself from a :class:`~imdbfast.config.TrainConfig`);
:class:`RecurrentClassifier` is the masked ``Embedding -> [SpatialDropout1D] ->
encoder -> Dense(1, sigmoid)`` graph whose encoder each recurrent model
supplies. :func:`register` puts a class in the registry under a model name,
which makes the name valid for ``TrainConfig.model`` and :func:`build_model`.
"""

from __future__ import annotations

import inspect
import numbers
from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType
from typing import Any, ClassVar, TypeVar

import keras
import numpy as np

from imdbfast import _options
from imdbfast._options import EMBEDDINGS, check_choice, check_int, check_rate
from imdbfast.config import TrainConfig
from imdbfast.optimizers import RMSprop

__all__ = [
    "SentimentClassifier",
    "RecurrentClassifier",
    "register",
    "unregister",
    "get_model_class",
    "build_model",
    "MODEL_CLASSES",
    "DEFAULT_EMBEDDING_DIM",
]

C = TypeVar("C", bound="SentimentClassifier")

# model name -> class, filled by @register
_REGISTRY: dict[str, type[SentimentClassifier]] = {}

#: The registered classes by model name (a read-only, live view).
MODEL_CLASSES: Mapping[str, type[SentimentClassifier]] = MappingProxyType(_REGISTRY)


# --------------------------------------------------------------------------
# Shared layers and checks
# --------------------------------------------------------------------------


def check_common(vocabulary_size: int, embedding_dim: int, embeddings: str) -> None:
    """Checks the arguments every model's embedding takes.

    Raises:
        ValueError: for a vocabulary below 2, a dimension below 1, or an
            unknown ``embeddings`` mode.
    """
    check_int("vocabulary_size", vocabulary_size, minimum=1)
    check_int("embedding_dim", embedding_dim, minimum=1)
    if vocabulary_size < 2:
        raise ValueError(
            "`vocabulary_size` must be >= 2 (padding plus at least one token). "
            f"Received: vocabulary_size={vocabulary_size}"
        )
    check_choice("embeddings", embeddings, EMBEDDINGS)


def embedding_layer(
    vocabulary_size: int,
    embedding_dim: int,
    embeddings: str,
    *,
    mask_zero: bool,
    dtype: Any,
) -> keras.layers.Embedding:
    """The ``embedding`` layer of a model: uniform-initialised and trainable
    when learned, zeros (filled by :func:`set_embedding_matrix`) for GloVe,
    frozen for ``"glove"``."""
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
    """``SpatialDropout1D`` (drops whole embedding channels) for a rate > 0."""
    check_rate("embedding_dropout", rate)
    if rate == 0:
        return None
    return keras.layers.SpatialDropout1D(rate, dtype=dtype, name="embedding_dropout")


# `embedding_matrix` of a model rebuilt from its config: the vectors are
# weights, which the saved file (or the caller) restores afterwards.
_FROM_WEIGHTS = object()


def set_embedding_matrix(
    layer: keras.layers.Embedding, matrix: Any, embeddings: str
) -> None:
    """Copies ``matrix`` (``(vocabulary_size, dim)``) into ``layer``; a model
    rebuilt from its config (``matrix`` is the from-weights marker) keeps
    the weights it is given later.

    Raises:
        ValueError: without a matrix for GloVe embeddings, or for one of the
            wrong shape.
    """
    if matrix is _FROM_WEIGHTS:
        return
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


def _policy_name(dtype: Any) -> str | None:
    if dtype is None:
        return None
    if isinstance(dtype, keras.DTypePolicy):
        return str(dtype.name)
    return str(dtype)


def _embedding_dim(config: TrainConfig, embedding_matrix: Any) -> int | None:
    """The embedding width a config asks for: the GloVe vectors' if given."""
    if embedding_matrix is None:
        return config.embedding_dim
    matrix_dim = int(np.shape(embedding_matrix)[1])
    if config.embedding_dim is not None and config.embedding_dim != matrix_dim:
        raise ValueError(
            "`embedding_dim` must match the GloVe vectors' dimension. "
            f"Received: embedding_dim={config.embedding_dim}, vectors of "
            f"dimension {matrix_dim}"
        )
    return matrix_dim


# --------------------------------------------------------------------------
# Base classes
# --------------------------------------------------------------------------


class SentimentClassifier(keras.Model):
    """Base class of the imdbfast classifiers: shared config and compile defaults.

    Subclasses build their functional graph in ``__init__``, may set
    ``_default_learning_rate`` and ``_seed_optimizer``, and name the
    constructor arguments a :class:`~imdbfast.config.TrainConfig` sets in
    :meth:`train_config_options`. :meth:`compile` fills in the seed's
    optimizer, binary cross-entropy and accuracy for any argument left as
    ``"auto"``.
    """

    #: the name the class is registered under (see :func:`register`)
    model_name: ClassVar[str | None] = None
    #: whether the model accepts any sequence length (all but ``flatten``)
    variable_length: ClassVar[bool] = True
    #: what the model reads: ``"ids"`` (token ids) or ``"bag"`` (bag rows)
    input_kind: ClassVar[str] = "ids"
    #: whether the encoder runs :class:`imdbfast.layers.LSTM` layers (see
    #: :func:`imdbfast.runtime.use_tf_intra_op_threads`)
    has_lstm: ClassVar[bool] = False
    _default_learning_rate: ClassVar[float] = 1e-3
    #: the loss is the sample-weighted mean over the batch (see compute_loss)
    weighted_mean_loss: bool = False

    def _seed_optimizer(self, learning_rate: float) -> keras.optimizers.Optimizer:
        # Keras' RMSprop, bit for bit, without passes over untouched
        # embedding rows (imdbfast.optimizers).
        return RMSprop(learning_rate=learning_rate)

    @classmethod
    def from_train_config(
        cls: type[C],
        config: TrainConfig,
        vocabulary_size: int,
        embedding_matrix: Any = None,
    ) -> C:
        """Builds (but does not compile) the model a :class:`TrainConfig` describes.

        Args:
            config: TrainConfig. Uses ``embeddings``, ``embedding_dim`` and
                ``mixed_precision``, plus what :meth:`train_config_options`
                reads.
            vocabulary_size: int. The tokenizer's vocabulary size.
            embedding_matrix: array or None. ``(vocabulary_size, dim)`` initial
                vectors; required when ``config.embeddings`` is a GloVe mode,
                and then ``dim`` is the embedding width.

        Returns:
            The model, with its weights initialized (GloVe rows copied in).

        Raises:
            ValueError: if the embedding matrix is missing, has the wrong shape
                or contradicts ``config.embedding_dim``, or if the config sets
                an option this model does not have.
        """
        if config.uses_bag_rows:
            raise ValueError(
                f"{cls.model_name!r} reads token ids: it needs output_mode='int' "
                "(bag rows are for 'bag_of_ngrams'). "
                f"Received: output_mode={config.output_mode!r}"
            )
        if config.nb_scaling:
            raise ValueError(
                "`nb_scaling` applies to 'bag_of_ngrams' only. "
                f"Received: nb_scaling=True with model={cls.model_name!r}"
            )
        kwargs: dict[str, Any] = {
            "vocabulary_size": vocabulary_size,
            "embeddings": config.embeddings,
            "embedding_matrix": embedding_matrix,
            "dtype": "mixed_float16" if config.mixed_precision else None,
            "name": cls.model_name,
        }
        dim = _embedding_dim(config, embedding_matrix)
        if dim is not None:  # else the constructor's default
            kwargs["embedding_dim"] = dim
        kwargs.update(cls.train_config_options(config))
        return cls(**kwargs)

    @classmethod
    def train_config_options(cls, config: TrainConfig) -> dict[str, Any]:
        """The constructor arguments of this model that a TrainConfig sets.

        Args:
            config: TrainConfig.

        Returns:
            Keyword arguments for the constructor (``units``, ``dropout`` and
            the like, mapped to this model's names).
        """
        return {}

    def resolved_options(self, config: TrainConfig) -> dict[str, Any]:
        """What this model and its optimizer use for the TrainConfig fields
        that leave the choice to the model when None: ``embedding_dim``,
        ``units``, ``dropout``, ``optimizer`` (its class name) and
        ``learning_rate`` (the seed's rate, or the peak of its schedule).

        Args:
            config: the TrainConfig the model was built (and compiled) from.

        Returns:
            ``{field: value}``: the config's value where it sets one, else
            the model's (None where the model has no such option, e.g.
            ``units`` of a linear bag-of-n-grams model).
        """
        built = self.get_config()
        units_key = getattr(type(self), "units_argument", "units")
        optimizer = getattr(self, "optimizer", None)
        model_values: dict[str, Any] = {
            "embedding_dim": built.get("embedding_dim"),
            "units": built.get(units_key),
            "dropout": built.get("dropout"),
            "optimizer": None if optimizer is None else type(optimizer).__name__,
            "learning_rate": self._default_learning_rate,
        }
        resolved: dict[str, Any] = {}
        for field, value in model_values.items():
            chosen = getattr(config, field)
            if chosen is not None:
                resolved[field] = chosen
            elif isinstance(value, numbers.Integral):  # JSON-able numbers
                resolved[field] = int(value)
            elif isinstance(value, numbers.Real):
                resolved[field] = float(value)
            else:
                resolved[field] = value
        return resolved

    @classmethod
    def default_embedding_dim(cls) -> int:
        """The constructor's default ``embedding_dim``."""
        default = inspect.signature(cls.__init__).parameters["embedding_dim"].default
        return int(default)

    def compile(
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

    def compute_loss(
        self,
        x: Any = None,
        y: Any = None,
        y_pred: Any = None,
        sample_weight: Any = None,
        training: bool = True,
    ) -> Any:
        """Keras' loss; with :attr:`weighted_mean_loss` set (data-parallel
        training sets it), sample weights are scaled to mean 1 over the global
        batch (:func:`imdbfast.distribution.loss_weights`): the loss is then
        the weighted mean over the batch, so the weight-0 rows that top a
        batch up for several replicas change neither the loss nor the
        gradient. Otherwise, Keras' own weighting, unchanged."""
        if sample_weight is not None and self.weighted_mean_loss:
            from imdbfast.distribution import loss_weights

            sample_weight = loss_weights(sample_weight)
        return super().compute_loss(
            x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, training=training
        )

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
        # A GloVe model's vectors are in its weights, not in its config.
        if config.get("embeddings", "learned") != "learned":
            config = {**config, "embedding_matrix": _FROM_WEIGHTS}
        return cls(**config)


class RecurrentClassifier(SentimentClassifier):
    """Embedding (padding masked) -> [SpatialDropout1D] -> encoder -> Dense(1, sigmoid).

    A subclass supplies the encoder through :meth:`encoder` (the layers
    between the embedding and the output, applied in order) and passes its
    hyperparameters to this constructor as ``encoder_config``; they become
    attributes and entries of :meth:`get_config`.

    Args:
        vocabulary_size: int. Number of token ids (the tokenizer's vocabulary
            size, padding and OOV included).
        embedding_dim: int. Width of the word vectors.
        encoder_config: dict. The keyword arguments of :meth:`encoder`.
        embeddings: str. ``"learned"``, ``"glove"`` or ``"glove-finetune"``.
        embedding_matrix: array or None. Initial word vectors,
            ``(vocabulary_size, embedding_dim)``; required for GloVe modes.
            Not stored in the config.
        embedding_dropout: float. Rate of ``SpatialDropout1D`` after the
            embedding (whole channels dropped); 0 = no such layer (the seed
            models have none).
        dtype: str or None. Dtype policy of the layers (e.g.
            ``"mixed_float16"``); the output layer stays float32.
        fused_lstm: bool. Allow the fused TensorFlow CPU LSTM path
            (:class:`imdbfast.layers.LSTM`); False = Keras' step loop.
        **kwargs: ``name``, ``trainable``.
    """

    #: the constructor argument that ``TrainConfig.units`` sets
    units_argument: ClassVar[str] = "lstm_units"

    def __init__(
        self,
        vocabulary_size: int,
        embedding_dim: int,
        encoder_config: dict[str, Any],
        *,
        embeddings: str = "learned",
        embedding_matrix: Any = None,
        embedding_dropout: float = 0.0,
        dtype: Any = None,
        fused_lstm: bool = True,
        **kwargs: Any,
    ) -> None:
        check_common(vocabulary_size, embedding_dim, embeddings)
        # === Layers ===
        embedding = embedding_layer(
            vocabulary_size, embedding_dim, embeddings, mask_zero=True, dtype=dtype
        )
        word_drop = _embedding_dropout(embedding_dropout, dtype)
        encoder = self.encoder(dtype=dtype, fused_lstm=fused_lstm, **encoder_config)
        head = keras.layers.Dense(
            1, activation="sigmoid", dtype="float32", name="output"
        )

        # === Functional Model ===
        token_ids = keras.Input(shape=(None,), dtype="int32", name="token_ids")
        x = embedding(token_ids)
        if word_drop is not None:
            x = word_drop(x)
        for layer in encoder:
            x = layer(x)
        outputs = head(x)
        super().__init__(inputs=token_ids, outputs=outputs, **kwargs)
        set_embedding_matrix(embedding, embedding_matrix, embeddings)

        # === Config ===
        self.vocabulary_size = int(vocabulary_size)
        self.embedding_dim = int(embedding_dim)
        self.embeddings = embeddings
        self.embedding_dropout = embedding_dropout
        self.fused_lstm = fused_lstm
        self._encoder_config = dict(encoder_config)
        for key, value in encoder_config.items():
            setattr(self, key, value)
        self._set_policy(dtype)

    def encoder(self, *args: Any, **kwargs: Any) -> list[keras.layers.Layer]:
        """The layers from the embedding's output to the output layer's input.

        Called once, with keyword arguments only, before the model exists (so
        it must not read attributes of ``self``); the layers are applied in the
        order returned. A subclass declares the keywords it takes: ``dtype``,
        ``fused_lstm`` and the keys of its ``encoder_config``.

        Args:
            *args: none are passed.
            **kwargs: ``dtype`` (str or None: the layers' dtype policy),
                ``fused_lstm`` (bool: whether LSTM layers may take the fused
                path) and the subclass's ``encoder_config``.

        Returns:
            The layers, named (the names are part of saved models).
        """
        raise NotImplementedError(
            f"{type(self).__name__} must define encoder() (see RecurrentClassifier)."
        )

    @classmethod
    def train_config_options(cls, config: TrainConfig) -> dict[str, Any]:
        """``units`` (>= 1), ``dropout``, ``embedding_dropout`` and the fused LSTM.

        Args:
            config: TrainConfig.

        Returns:
            Keyword arguments for the constructor.

        Raises:
            ValueError: if ``config.units`` is 0.
        """
        options: dict[str, Any] = {"embedding_dropout": config.embedding_dropout}
        if config.units is not None:
            if config.units < 1:
                raise ValueError(
                    f"`units` must be >= 1 for model {cls.model_name!r}. "
                    f"Received: units={config.units}"
                )
            options[cls.units_argument] = config.units
        if config.dropout is not None:
            options["dropout"] = config.dropout
        # XLA cannot compile the fused op.
        options["fused_lstm"] = config.fused_lstm and config.jit_compile is not True
        return options

    def get_config(self) -> dict[str, Any]:
        config = self._base_config()
        config["fused_lstm"] = self.fused_lstm
        config["embedding_dropout"] = self.embedding_dropout
        config.update(self._encoder_config)
        return config


# --------------------------------------------------------------------------
# Registry
# --------------------------------------------------------------------------


def register(name: str) -> Callable[[type[C]], type[C]]:
    """Class decorator: registers a classifier under a model name.

    The name becomes valid for ``TrainConfig.model``, :func:`get_model_class`
    and :func:`build_model`. A model shipped with imdbfast lives in the module
    ``imdbfast.models.<name>`` (that is how the name is known without importing
    Keras); a model defined elsewhere is known once its class is registered.

    Args:
        name: str. The model name.

    Returns:
        The decorator, which returns the class unchanged but for its
        ``model_name``.

    Raises:
        ValueError: if the name is taken by another class, or a shipped model's
            module is not named after it.
    """

    def decorate(cls: type[C]) -> type[C]:
        if not (isinstance(cls, type) and issubclass(cls, SentimentClassifier)):
            raise TypeError(
                "Only SentimentClassifier subclasses can be registered. "
                f"Received: {cls!r}"
            )
        if not isinstance(name, str) or not name:
            raise ValueError(
                f"A model name must be a non-empty str. Received: {name!r}"
            )
        if _REGISTRY.get(name, cls) is not cls:
            raise ValueError(
                f"The model name {name!r} is taken by {_REGISTRY[name].__qualname__}; "
                "unregister it first."
            )
        package, _, module = cls.__module__.rpartition(".")
        if package == __package__ and module != name:
            raise ValueError(
                "A model shipped with imdbfast lives in imdbfast.models.<its name>. "
                f"Received: {name!r} in {cls.__module__}"
            )
        cls.model_name = name
        _REGISTRY[name] = cls
        _options.add_model_name(name)
        return cls

    return decorate


def unregister(name: str) -> None:
    """Removes a model registered with :func:`register` (no error if absent).

    Args:
        name: str. The model name.
    """
    _REGISTRY.pop(name, None)
    _options.remove_model_name(name)


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
    if name not in _REGISTRY:
        raise ValueError(
            f"Unknown model. Expected one of {', '.join(_REGISTRY)}. "
            f"Received: model={name!r}"
        )
    return _REGISTRY[name]


def build_model(
    config: TrainConfig,
    vocabulary_size: int,
    embedding_matrix: Any = None,
) -> SentimentClassifier:
    """Builds (but does not compile) the classifier a :class:`TrainConfig` names.

    Args:
        config: TrainConfig. ``model`` picks the class, which reads the rest
            (see :meth:`SentimentClassifier.from_train_config`).
        vocabulary_size: int. The tokenizer's vocabulary size.
        embedding_matrix: array or None. ``(vocabulary_size, dim)`` initial
            vectors; required when ``config.embeddings`` is a GloVe mode, and
            then ``dim`` is the embedding width.

    Returns:
        The model, with its weights initialized (GloVe rows copied in).

    Raises:
        ValueError: if the model is unknown, the embedding matrix is missing,
            has the wrong shape or contradicts ``config.embedding_dim``.
    """
    return get_model_class(config.model).from_train_config(
        config, vocabulary_size, embedding_matrix
    )


class _DefaultEmbeddingDims(Mapping[str, int]):
    """Model name -> the constructor's default ``embedding_dim`` (live), for
    the models that have an embedding."""

    def _names(self) -> list[str]:
        return [
            name for name, cls in _REGISTRY.items()
            if "embedding_dim" in inspect.signature(cls.__init__).parameters
        ]

    def __getitem__(self, name: str) -> int:
        if name not in self._names():
            raise KeyError(name)
        return _REGISTRY[name].default_embedding_dim()

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())


#: Default embedding width of each model when the embedding is learned.
DEFAULT_EMBEDDING_DIM: Mapping[str, int] = _DefaultEmbeddingDims()
