"""Training configuration: one frozen dataclass of hyperparameters, and presets.

:class:`TrainConfig` holds everything :func:`imdbfast.train` needs. Its defaults
reproduce the seed-000 baseline: a 20,000-token vocabulary, reviews cut to 600
tokens, an ``Embedding(128) -> Bidirectional(LSTM(32))`` model with a learned
embedding, batches of 32, 10 epochs and 20 % of the training reviews held out
for validation, seed 1337.

Presets are named starting points (``TrainConfig.preset("bilstm-glove-frozen")``),
named after what they are (model, then embedding); the older names
(``seed000``...``seed004``, ``glove50-bilstm``, ``best``) remain as aliases.
Any field can still be overridden.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any, Mapping

from imdbfast._files import read_json
from imdbfast._options import (
    DISTRIBUTIONS,
    EMBEDDINGS,
    GLOVE_EMBEDDINGS,
    MODELS,
    MONITORS,
    STANDARDIZE,
    TRAIN_OUTPUT_MODES,
    check_choice,
    check_int,
    check_rate,
    get_preset,
    model_names,
    with_aliases,
)

__all__ = [
    "TrainConfig",
    "PRESETS",
    "PRESET_ALIASES",
    "preset_names",
    "MODELS",
    "EMBEDDINGS",
    "MONITORS",
    "STANDARDIZE",
    "TRAIN_OUTPUT_MODES",
    "DISTRIBUTIONS",
]

_CONFIG_FORMAT = "imdbfast.TrainConfig"
_CONFIG_VERSION = 1


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """Hyperparameters of one :func:`imdbfast.train` run.

    Args:
        model: str. Architecture: ``"bilstm"`` (seed 000), ``"flatten"``
            (seeds 001/002), ``"deep_bilstm_attention"`` (seed 003),
            ``"lstm"`` (seed 004), or a model registered with
            :func:`imdbfast.models.register`. See :mod:`imdbfast.models`.
        embeddings: str. ``"learned"`` (trained from scratch), ``"glove"``
            (pre-trained GloVe vectors, frozen) or ``"glove-finetune"``
            (GloVe vectors as the starting point, trained further).
        glove_source: str. Where the GloVe vectors come from when
            ``embeddings`` is a GloVe mode: a file path (``.txt``, ``.gz``,
            ``.zip``) or a name such as ``"glove.6B.50d"`` that
            :func:`imdbfast.load_glove` resolves.
        embedding_dim: int or None. Embedding width for learned embeddings;
            None takes the model's default (128 for ``bilstm``). With GloVe the
            width is the vectors' dimension and a different value is an error.
        units: int or None. Size of the model's main layer (LSTM units, or the
            hidden Dense of ``flatten``; 0 drops that Dense); None = the model's
            default.
        dropout: float or None. Dropout rate after the recurrent layer; None =
            the model's default.
        embedding_dropout: float. Rate of a ``SpatialDropout1D`` after the
            embedding of the recurrent models (while training, whole embedding
            channels are dropped for a review); 0 = none, as in the seeds.
        max_tokens: int or None. Vocabulary size including the padding and OOV
            entries (TextVectorization's meaning); None keeps every word.
        sequence_length: int. Reviews are cut to this many tokens (the first
            ones are kept). Batches are padded only to their longest review,
            except for ``flatten``, which always sees exactly this length.
        standardize: str or None. The tokenizer's standardization (see
            :class:`imdbfast.Tokenizer`).
        strip_html: bool. Remove HTML line breaks (``<br />``) before
            tokenizing.
        ngrams: int or None. Token n-grams of widths 1 to ``ngrams`` in the
            vocabulary and the encoded reviews (the tokenizer's ``ngrams``;
            a review's unigrams come first, then its bigrams...); None =
            single tokens.
        output_mode: str. How reviews reach the model: ``"int"`` (token
            ids, for the sequence models) or a bag of n-grams,
            ``"multi_hot"``, ``"count"`` or ``"tf_idf"`` (sparse rows over
            the vocabulary, for ``bag_of_ngrams``).
        nb_scaling: bool. ``bag_of_ngrams`` only: scale each feature by its
            naive-Bayes log-count ratio ``ln((p / |p|) / (q / |q|))``, where
            ``p`` and ``q`` are 1 + the feature's summed (binarized) values
            over the positive and negative training reviews (NBSVM's trick,
            computed from the training split only).
        batch_size: int. Training batch size: the global batch, the same
            with any ``distribution`` (with data parallelism each of ``R``
            replicas computes ``batch_size / R`` of its reviews, and the
            update is the one a single device makes from the whole batch).
        eval_batch_size: int. Batch size for validation, test and prediction
            (larger is faster and, with masking, gives the same results);
            global, like ``batch_size``.
        epochs: int. Maximum number of epochs.
        validation_split: float. Fraction of the training reviews held out for
            validation (per class, seeded, as seed 000 makes it); in (0, 1).
        train_size: int or None. Keep only this many of the training
            reviews left after the validation split (stratified, seeded); the
            validation and test splits are unchanged. None = all.
        seed: int. Seeds the split, weight initialization, dropout and the
            batch order, so that a run is reproducible.
        data_source: str or None. Where IMDB comes from: an extracted
            ``aclImdb`` directory, the ``.tar.gz``, a CSV, or None for the
            user cache (downloading it if needed).
        output_dir: str. Parent directory of run directories.
        run_name: str or None. Name of this run's directory inside
            ``output_dir``; None = ``<model>-<embeddings>-<timestamp>``.
        optimizer: str or None. Keras optimizer name; None = the model's own
            (seed) optimizer.
        learning_rate: float or None. None = the model's default.
        monitor: str. Validation quantity that picks the best epoch
            (``"val_loss"`` or ``"val_accuracy"``); the best epoch's weights are
            the ones evaluated and saved.
        early_stopping: int or None. Stop after this many epochs without
            improvement of ``monitor``; None trains all ``epochs``.
        reduce_lr_patience: int or None. Halve the learning rate after this
            many epochs without improvement of ``monitor`` (Keras'
            ``ReduceLROnPlateau``, down to 1/64 of the starting rate); None
            keeps it constant (or the model's own schedule).
        mixed_precision: bool. Compute in float16 (``mixed_float16`` policy);
            useful on GPUs with tensor cores.
        length_multiple: int or None. Round each batch's padded length up to
            a multiple of this (fewer distinct shapes, which matters when
            steps are compiled per shape: JAX, XLA); None = 32 when training
            steps are compiled with XLA or on JAX, else 8.
        jit_compile: bool or ``"auto"``. Compile the training step with XLA.
            ``"auto"`` is Keras' choice (XLA on JAX; none on a CPU-only
            TensorFlow; on a GPU TensorFlow keeps the cuDNN kernels). On
            TensorFlow, True compiles only the training step, once per batch
            shape (lengths are then rounded to multiples of 32); validation,
            test and prediction run without XLA.
        fused_lstm: bool. On TensorFlow without a GPU, run the LSTM layers
            with one fused op per sequence (:mod:`imdbfast.layers`; same
            weights and results as the stock Keras loop, about twice as
            fast). False keeps Keras' step-by-step loop. Ignored elsewhere (a
            GPU uses cuDNN) and off when ``jit_compile`` is True (XLA cannot
            compile the fused op).
        distribution: str. ``"none"``: one device (the default). ``"data_parallel"``:
            every step runs on all visible accelerators, or all the devices
            JAX or TensorFlow expose when there is none, each replica on its
            share of the global batch, with the weights kept equal
            (``keras.distribution.DataParallel`` on JAX,
            ``tf.distribute.MirroredStrategy`` on TensorFlow; not on PyTorch,
            see :mod:`imdbfast.distribution`). Batches are topped up to a
            multiple of the replica count with empty reviews of weight 0,
            which count in neither the loss nor the metrics. Token-id models
            only (``output_mode="int"``).
        verbose: int or str. Keras ``fit`` verbosity (``"auto"``, 0, 1, 2).
    """

    model: str = "bilstm"
    embeddings: str = "learned"
    glove_source: str = "glove.6B.50d"
    embedding_dim: int | None = None
    units: int | None = None
    dropout: float | None = None
    embedding_dropout: float = 0.0
    max_tokens: int | None = 20000
    sequence_length: int = 600
    standardize: str | None = "lower_and_strip_punctuation"
    strip_html: bool = False
    ngrams: int | None = None
    output_mode: str = "int"
    nb_scaling: bool = False
    batch_size: int = 32
    eval_batch_size: int = 256
    epochs: int = 10
    validation_split: float = 0.2
    train_size: int | None = None
    seed: int = 1337
    data_source: str | None = None
    output_dir: str = "runs"
    run_name: str | None = None
    optimizer: str | None = None
    learning_rate: float | None = None
    monitor: str = "val_loss"
    early_stopping: int | None = None
    reduce_lr_patience: int | None = None
    mixed_precision: bool = False
    length_multiple: int | None = None
    jit_compile: bool | str = "auto"
    fused_lstm: bool = True
    verbose: int | str = "auto"
    distribution: str = "none"

    def __post_init__(self) -> None:
        check_choice("model", self.model, model_names())
        check_choice("embeddings", self.embeddings, EMBEDDINGS)
        check_choice("monitor", self.monitor, MONITORS)
        check_choice("standardize", self.standardize, STANDARDIZE)
        check_choice("output_mode", self.output_mode, TRAIN_OUTPUT_MODES)
        check_choice("distribution", self.distribution, DISTRIBUTIONS)
        if self.distribution != "none" and self.uses_bag_rows:
            raise ValueError(
                "`distribution` must be 'none' for bag rows (Keras batches "
                "them itself, and a last batch of the wrong size cannot be "
                "topped up). Received: distribution="
                f"{self.distribution!r} with output_mode={self.output_mode!r}"
            )
        for name, minimum, optional in (
            ("sequence_length", 1, False),
            ("batch_size", 1, False),
            ("eval_batch_size", 1, False),
            ("epochs", 1, False),
            ("seed", 0, False),
            ("max_tokens", 3, True),
            ("embedding_dim", 1, True),
            ("units", 0, True),
            ("train_size", 2, True),
            ("early_stopping", 1, True),
            ("reduce_lr_patience", 1, True),
            ("length_multiple", 1, True),
            ("ngrams", 1, True),
        ):
            # NumPy integers are stored as Python ints (the config is JSON).
            value = getattr(self, name)
            value = check_int(name, value, minimum=minimum, optional=optional)
            object.__setattr__(self, name, value)
        if not isinstance(self.validation_split, (int, float)) or not (
            0.0 < float(self.validation_split) < 1.0
        ):
            raise ValueError(
                "`validation_split` must be a number strictly between 0 and 1. "
                f"Received: validation_split={self.validation_split!r}"
            )
        check_rate("dropout", self.dropout, optional=True)
        check_rate("embedding_dropout", self.embedding_dropout)
        if self.learning_rate is not None and not (
            isinstance(self.learning_rate, (int, float)) and self.learning_rate > 0
        ):
            raise ValueError(
                "`learning_rate` must be a positive number. "
                f"Received: learning_rate={self.learning_rate!r}"
            )
        if self.jit_compile not in ("auto", True, False):
            raise ValueError(
                "`jit_compile` must be True, False or 'auto'. "
                f"Received: jit_compile={self.jit_compile!r}"
            )
        for name in ("fused_lstm", "nb_scaling"):
            if not isinstance(getattr(self, name), bool):
                raise TypeError(
                    f"`{name}` must be a bool. Received: {name}={getattr(self, name)!r}"
                )
        if self.verbose not in ("auto", 0, 1, 2):
            raise ValueError(
                "`verbose` must be one of 'auto', 0, 1, 2. "
                f"Received: verbose={self.verbose!r}"
            )
        if not isinstance(self.glove_source, (str, os.PathLike)):
            raise TypeError(
                "`glove_source` must be a path or a name such as 'glove.6B.50d'. "
                f"Received: glove_source={self.glove_source!r}"
            )
        if not isinstance(self.output_dir, (str, os.PathLike)):
            raise TypeError(
                f"`output_dir` must be a path. Received: output_dir={self.output_dir!r}"
            )
        if self.run_name is not None and (
            not isinstance(self.run_name, str)
            or not self.run_name
            or os.sep in self.run_name
            or self.run_name in (".", "..")
        ):
            raise ValueError(
                "`run_name` must be a plain directory name. "
                f"Received: run_name={self.run_name!r}"
            )
        # Paths are stored as strings so the config stays JSON-able.
        for name in ("glove_source", "output_dir", "data_source"):
            value = getattr(self, name)
            if isinstance(value, os.PathLike):
                object.__setattr__(self, name, os.fspath(value))
        if self.data_source is not None and not isinstance(self.data_source, str):
            raise TypeError(
                "`data_source` must be a path or None. "
                f"Received: data_source={self.data_source!r}"
            )

    # --- convenience -----------------------------------------------------

    @property
    def uses_glove(self) -> bool:
        """Whether the embedding starts from GloVe vectors."""
        return self.embeddings in GLOVE_EMBEDDINGS

    @property
    def uses_bag_rows(self) -> bool:
        """Whether reviews reach the model as bag rows (``output_mode`` is not
        ``"int"``) rather than token ids."""
        return self.output_mode != "int"

    def replace(self, **overrides: Any) -> TrainConfig:
        """Returns a copy with some fields changed (validated again).

        Raises:
            TypeError: if a name is not a field of TrainConfig.
        """
        _check_names(overrides)
        return dataclasses.replace(self, **overrides)

    def to_dict(self) -> dict[str, Any]:
        """The fields as a JSON-able dict."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TrainConfig:
        """Builds a config from :meth:`to_dict` output (unknown keys are errors).

        Raises:
            TypeError: if a key is not a field of TrainConfig.
        """
        _check_names(data)
        return cls(**data)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Writes the config as versioned JSON."""
        payload = {
            "format": _CONFIG_FORMAT,
            "version": _CONFIG_VERSION,
            "config": self.to_dict(),
        }
        Path(path).write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> TrainConfig:
        """Reads a config written by :meth:`save`.

        Raises:
            OSError: if the file cannot be read (a missing file raises
                :class:`~imdbfast.errors.MissingFileError`, also a ValueError).
            ValueError: if it is not a regular file of at most 16 MiB of UTF-8
                JSON nested at most 64 levels deep, not a TrainConfig file of a
                known version, or
                a field is unknown or of the wrong type or range (the field is
                named).
        """
        payload = read_json(path, what="TrainConfig file")
        if not isinstance(payload, dict) or payload.get("format") != _CONFIG_FORMAT:
            raise ValueError(f"{path}: not an imdbfast TrainConfig file")
        version = payload.get("version")
        if isinstance(version, bool) or version != _CONFIG_VERSION:
            raise ValueError(
                f"{path}: unsupported TrainConfig version. Expected "
                f"{_CONFIG_VERSION}. Received: {version!r}"
            )
        config = payload.get("config")
        if not isinstance(config, dict):
            raise ValueError(
                f"{path}: `config` must be a JSON object. "
                f"Received: {type(config).__name__}"
            )
        # A field of the wrong type is the file's fault here: a ValueError
        # naming the field, like a field out of range.
        try:
            return cls.from_dict(config)
        except TypeError as err:
            raise ValueError(f"{path}: {err}") from err

    @classmethod
    def preset(cls, name: str, **overrides: Any) -> TrainConfig:
        """The named preset, with optional overrides.

        Args:
            name: a preset name or alias (see :func:`preset_names` and
                :data:`PRESET_ALIASES`).
            **overrides: fields to change.

        Returns:
            The preset's config with the overrides applied.

        Raises:
            ValueError: if the preset is unknown.
        """
        fields = get_preset("preset", name, PRESETS)
        _check_names(overrides)
        return cls(**{**fields, **overrides})


# Named starting points, named model-embedding. Values are TrainConfig
# overrides of the defaults.
_PRESETS: dict[str, dict[str, Any]] = {
    # Seed 000 (the defaults): learned embedding 128 -> BiLSTM 32, 20k tokens,
    # length 600.
    "bilstm-learned": {},
    # Seed 000's BiLSTM on frozen GloVe 6B 50d vectors. Frozen vectors cannot
    # adapt, so the model gets more to work with: 64 units, a larger
    # vocabulary (rare words keep their pre-trained meaning), nearly whole
    # reviews without HTML breaks, whole embedding channels dropped at 0.25
    # while training, the learning rate halved after two epochs without a
    # better validation accuracy, and up to 40 epochs keeping the best one.
    # Measured 0.882 test accuracy on the full data (CPU, 2026-11-28; see
    # benches/README.md).
    "bilstm-glove-frozen": {
        "embeddings": "glove",
        "glove_source": "glove.6B.50d",
        "units": 64,
        "max_tokens": 60000,
        "sequence_length": 800,
        "strip_html": True,
        "embedding_dropout": 0.25,
        "epochs": 40,
        "monitor": "val_accuracy",
        "early_stopping": 6,
        "reduce_lr_patience": 2,
    },
    # Seed 001: learned embedding 8 -> Flatten -> Dense; fixed-length input.
    "flatten-learned": {
        "model": "flatten",
        "max_tokens": 10000,
        "sequence_length": 150,
        "embedding_dim": 8,
        "units": 0,
    },
    # Seed 002: frozen GloVe 6B 50d -> Flatten -> Dense 10 relu -> Dense.
    "flatten-glove-frozen": {
        "model": "flatten",
        "embeddings": "glove",
        "max_tokens": 10000,
        "sequence_length": 150,
        "units": 10,
    },
    # Seed 003: learned embedding -> BiLSTM 128 + attention pooling, AdamW 1e-4.
    "attention-learned": {"model": "deep_bilstm_attention"},
    # Seed 004: learned embedding -> one LSTM of 100 units, Adam 1e-3 with a
    # 200-step warmup, length 256.
    "lstm-learned": {"model": "lstm", "sequence_length": 256},
    # The most accurate configuration measured so far (0.906 test accuracy on
    # the full data, CPU, 2026-11-22; see benches/README.md): GloVe vectors
    # fine-tuned in the attention BiLSTM, with whole embedding channels
    # dropped while training, a larger vocabulary, nearly whole reviews (1000
    # tokens), HTML breaks removed, AdamW at 5e-4, 90 % of the training
    # reviews to learn from, best epoch by validation accuracy.
    "attention-glove-finetune": {
        "model": "deep_bilstm_attention",
        "embeddings": "glove-finetune",
        "glove_source": "glove.6B.50d",
        "max_tokens": 40000,
        "sequence_length": 1000,
        "strip_html": True,
        "units": 64,
        "embedding_dropout": 0.4,
        "learning_rate": 5e-4,
        "batch_size": 64,
        "validation_split": 0.1,
        "epochs": 12,
        "monitor": "val_accuracy",
        "early_stopping": 3,
    },
    # The fast strong baseline: a logistic regression on binary unigram +
    # bigram features (every one seen in training), each scaled by its
    # naive-Bayes log-count ratio (NBSVM's trick, from the training split).
    # Adam 1e-2, batches of 64, the best of 4 epochs by validation accuracy.
    "ngrams-linear": {
        "model": "bag_of_ngrams",
        "output_mode": "multi_hot",
        "ngrams": 2,
        "max_tokens": None,
        "nb_scaling": True,
        "strip_html": True,
        "batch_size": 64,
        "epochs": 4,
        "monitor": "val_accuracy",
    },
    # NBSVM-style logistic regression on binary 1-3-grams: the 800,000 most
    # frequent unigrams, bigrams and trigrams, each scaled by its naive-Bayes
    # log-count ratio; Adam 1e-2 on batches of 256, the best of 5 epochs by
    # validation accuracy, with only 5 % of the training reviews held out
    # (for choosing the epoch), so that it learns from 23,750. Each change
    # from `ngrams-linear` was chosen on validation accuracy
    # (benches/README.md, "NBSVM with trigrams").
    "nbsvm-trigrams": {
        "model": "bag_of_ngrams",
        "output_mode": "multi_hot",
        "ngrams": 3,
        "max_tokens": 800000,
        "nb_scaling": True,
        "strip_html": True,
        "batch_size": 256,
        "epochs": 5,
        "validation_split": 0.05,
        "monitor": "val_accuracy",
    },
    # fastText-style: 32-d vectors of the 200,000 most frequent unigrams and
    # bigrams, averaged over the review; Adam 1e-3.
    "fasttext-bigrams": {
        "model": "fasttext",
        "ngrams": 2,
        "max_tokens": 200000,
        "sequence_length": 3000,
        "strip_html": True,
        "batch_size": 64,
        "eval_batch_size": 512,
        "epochs": 12,
        "monitor": "val_accuracy",
        "early_stopping": 2,
    },
}

#: Earlier preset names -> the descriptive names; both work everywhere.
PRESET_ALIASES: dict[str, str] = {
    "seed000": "bilstm-learned",
    "glove50-bilstm": "bilstm-glove-frozen",
    "seed001": "flatten-learned",
    "seed002": "flatten-glove-frozen",
    "seed003": "attention-learned",
    "seed004": "lstm-learned",
    "best": "attention-glove-finetune",
}

#: Every preset name and alias -> TrainConfig overrides of the defaults (an
#: alias shares its preset's dict).
PRESETS: dict[str, dict[str, Any]] = with_aliases(_PRESETS, PRESET_ALIASES)


def preset_names() -> list[str]:
    """Descriptive names of the presets, in definition order (no aliases)."""
    return list(_PRESETS)


def _check_names(names: Mapping[str, Any]) -> None:
    fields = {f.name for f in dataclasses.fields(TrainConfig)}
    unknown = sorted(set(names) - fields)
    if unknown:
        raise TypeError(
            f"Unknown TrainConfig field(s): {', '.join(unknown)}. "
            f"Expected some of: {', '.join(sorted(fields))}."
        )
