"""``imdbfast.train()``: raw IMDB reviews in, an evaluated and saved model out.

The steps, each timed:

1. **load** - :func:`imdbfast.datasets.load_imdb` (train / validation / test);
2. **tokenize** - fit an :class:`imdbfast.Tokenizer` on the training reviews
   only, then encode all three splits once, ragged (no padding);
3. **build** - the GloVe matrix for exactly the tokenizer's vocabulary when the
   embedding is GloVe, then the model (:func:`imdbfast.models.build_model`),
   compiled with the seed's optimizer;
4. **fit** - length-bucketed batches (:func:`imdbfast.batching.batches_for`), a
   best-only :class:`keras.callbacks.ModelCheckpoint` on the validation
   ``monitor`` and optional :class:`keras.callbacks.EarlyStopping`; the best
   epoch's weights are the ones kept;
5. **evaluate** - on the test split (:mod:`imdbfast.metrics`): accuracy, loss,
   precision, recall, F1, confusion matrix, average precision;
6. **save** - the run directory (:mod:`imdbfast.run_dir`).

:func:`train` runs them as one function each (data, model, fit, save, with
evaluation in between); what the model reads, bag-of-n-grams rows or padded
ids, is chosen in one place, :mod:`imdbfast._inputs` (encoding, the fit data,
prediction), which loaded bundles use too.

With ``distribution="data_parallel"``, steps 3 to 5 run in the backend's
data-parallel scope, on batches topped up to a multiple of the replica count
(:mod:`imdbfast.distribution`), and only one process saves.

Steps 1, 2 and the GloVe matrix depend only on the fields in
:func:`preparation_key`; :func:`prepare` does them once and returns a
:class:`PreparedData` that :func:`train` can reuse for many configs.

Each phase is reported as one INFO line on the ``imdbfast.training`` logger
(data counts, vocabulary size and coverage, device, model, best epoch, test
accuracy, run directory, each with its time). Nothing is shown unless the
caller configures logging (``logging.basicConfig(level="INFO")``); the
``imdbfast`` command shows them.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Mapping

import numpy as np

from imdbfast._inputs import (
    FitInputs,
    describe_encoded,
    encode,
    fit_inputs,
    make_tokenizer,
    predict,
    vocabulary_coverage,  # noqa: F401  (importable from here, its home before)
)
from imdbfast.config import TrainConfig
from imdbfast.distribution import data_parallel_scope, writes_run_dir
from imdbfast.errors import require_keras, require_matplotlib, user_input
from imdbfast.run_dir import RUN_FILES, choose_run_dir, write_history, write_metrics
from imdbfast.runtime import describe_device

_log = logging.getLogger(__name__)

# The TrainConfig fields that decide the data a run is trained and tested on,
# the tokenizer and the encoded ids (and with them, what prepare() returns);
# ``glove_source`` joins them when the config's embedding is GloVe.
PREPARATION_FIELDS = (
    "data_source",
    "validation_split",
    "train_size",
    "seed",
    "max_tokens",
    "standardize",
    "sequence_length",
    "strip_html",
    "ngrams",
    "output_mode",
)

PreparationKey = tuple[tuple[str, Any], ...]


def preparation_key(config: TrainConfig) -> PreparationKey:
    """What a config's data preparation depends on, as a hashable key.

    Two configs with the same key get the same :func:`prepare` output, so one
    :class:`PreparedData` can serve both. The key is ``(field, value)`` pairs:
    the fields in :data:`PREPARATION_FIELDS` (the split: ``data_source``,
    ``validation_split``, ``train_size``, ``seed``; the tokenizer:
    ``max_tokens``, ``standardize``, ``sequence_length``, ``strip_html``,
    ``ngrams``, ``output_mode``),
    then ``glove_source``, None unless the embedding is GloVe. Values are
    str, int, float, bool or None, so ``dict(key)`` is JSON-able.

    Args:
        config: a TrainConfig.

    Returns:
        A tuple of ``(field, value)`` pairs.
    """
    pairs = [(name, getattr(config, name)) for name in PREPARATION_FIELDS]
    pairs.append(("glove_source", config.glove_source if config.uses_glove else None))
    return tuple(pairs)


@dataclasses.dataclass(frozen=True, eq=False)
class PreparedData:
    """The data work of a run, done once: what :func:`prepare` returns.

    Attributes:
        key: the :func:`preparation_key` of the config it was prepared for;
            :func:`train` reuses it only for configs with the same key.
        imdb: the loaded :class:`imdbfast.datasets.IMDB` splits.
        tokenizer: the :class:`imdbfast.Tokenizer` fitted on the training
            split.
        encoded: ``{"train" | "validation" | "test": ...}``, each split's
            ``Tokenizer.transform_ragged`` output ``(values, row_splits)``,
            or with a bag ``output_mode`` its ``Tokenizer.transform`` output
            (a ``scipy.sparse.csr_matrix``).
        glove: the :class:`imdbfast.GloVe` vectors aligned with the
            vocabulary, or None when the embedding is learned.
        seconds: wall-clock seconds of ``load``, ``tokenize`` and ``glove``.
    """

    key: PreparationKey
    imdb: Any = dataclasses.field(repr=False)
    tokenizer: Any = dataclasses.field(repr=False)
    encoded: Mapping[str, Any] = dataclasses.field(repr=False)
    glove: Any = dataclasses.field(repr=False)
    seconds: dict[str, float]

    def check(self, config: TrainConfig) -> None:
        """Checks that this preparation is the one ``config`` asks for.

        Args:
            config: a TrainConfig.

        Raises:
            ValueError: naming the fields whose values differ.
        """
        wanted = preparation_key(config)
        if wanted == self.key:
            return
        have = dict(self.key)
        differ = ", ".join(
            f"{name}={value!r} (prepared: {have.get(name)!r})"
            for name, value in wanted
            if have.get(name) != value
        )
        raise ValueError(
            "`prepared` must come from prepare() of a config with the same "
            f"data and tokenizer fields. Received a config with {differ}"
        )


@dataclasses.dataclass
class TrainResult:
    """What :func:`train` returns.

    Attributes:
        config: the TrainConfig that ran.
        run_dir: the run directory written.
        history: per-epoch values (``loss``, ``accuracy``, ``val_loss``,
            ``val_accuracy``), as Keras reports them.
        best_epoch: 1-based epoch whose weights were kept.
        test_accuracy, test_loss, precision, recall, f1: test-set figures
            (precision, recall and F1 of the positive class, threshold 0.5).
        average_precision: area under the test precision-recall curve.
        confusion_matrix: ``[[tn, fp], [fn, tp]]`` (rows: true class).
        seconds: wall-clock seconds per phase (``load``, ``tokenize``,
            ``build``, ``fit``, ``evaluate``, ``save``, ``total``).
        model: the trained Keras model.
        tokenizer: the fitted Tokenizer.
        resolved: the values the model and optimizer used for the config
            fields left to the model (``embedding_dim``, ``units``,
            ``dropout``, ``optimizer``, ``learning_rate``; see
            ``SentimentClassifier.resolved_options``).
    """

    config: TrainConfig
    run_dir: Path
    history: dict[str, list[float]]
    best_epoch: int
    test_accuracy: float
    test_loss: float
    precision: float
    recall: float
    f1: float
    average_precision: float
    confusion_matrix: np.ndarray
    seconds: dict[str, float]
    model: Any = dataclasses.field(repr=False)
    tokenizer: Any = dataclasses.field(repr=False)
    resolved: dict[str, Any] = dataclasses.field(default_factory=dict)

    def metrics(self) -> dict[str, Any]:
        """The test figures as a JSON-able dict."""
        return {
            "accuracy": self.test_accuracy,
            "loss": self.test_loss,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "average_precision": self.average_precision,
            "confusion_matrix": self.confusion_matrix.tolist(),
        }

    def summary(self, *, logged: bool = False) -> str:
        """A few human-readable lines about the run.

        Args:
            logged: leave out what the INFO lines of :func:`train` said
                already (the run directory and the best epoch), for a caller
                that showed them (the ``imdbfast`` command).
        """
        lines = [] if logged else [
            f"run directory: {self.run_dir}",
            f"best epoch: {self.best_epoch} of {len(self.history.get('loss', []))}",
        ]
        lines += [
            f"test accuracy: {self.test_accuracy:.4f}  loss: {self.test_loss:.4f}",
            f"precision: {self.precision:.4f}  recall: {self.recall:.4f}  "
            f"F1: {self.f1:.4f}",
            "seconds: "
            + ", ".join(f"{k} {v:.1f}" for k, v in self.seconds.items()),
        ]
        return "\n".join(lines)


def resolve_config(
    config: Any = None, overrides: Mapping[str, Any] | None = None
) -> TrainConfig:
    """A TrainConfig from a config, a preset name, a dict or None, plus overrides.

    Raises:
        TypeError: for a value of another type or an unknown field.
        ValueError: for an unknown preset or an invalid value.
    """
    overrides = dict(overrides or {})
    if config is None:
        return TrainConfig.from_dict(overrides)
    if isinstance(config, TrainConfig):
        return config.replace(**overrides) if overrides else config
    if isinstance(config, str):
        return TrainConfig.preset(config, **overrides)
    if isinstance(config, Mapping):
        return TrainConfig.from_dict({**config, **overrides})
    raise TypeError(
        "`config` must be a TrainConfig, a preset name, a dict or None. "
        f"Received: {type(config).__name__}"
    )


@contextmanager
def _phase(seconds: dict[str, float], name: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - start


def resolve_jit_compile(config: TrainConfig) -> bool | str:
    """The ``jit_compile`` to give ``model.compile`` (see TrainConfig.jit_compile).

    ``"auto"`` stays Keras' choice. XLA on a CPU-only TensorFlow was measured
    here: its steady-state recurrent steps can be faster, but every new batch
    shape costs several seconds of compilation and, over a 2-epoch run on 4,000
    reviews, an XLA epoch took longer than a plain one; so it is opt-in.
    """
    if config.jit_compile == "auto":
        return "auto"
    return bool(config.jit_compile)


# Training steps per call into TensorFlow (see steps_per_execution()).
TF_STEPS_PER_EXECUTION = 16


def steps_per_execution(replicas: int = 1) -> int:
    """The ``steps_per_execution`` train() compiles its model with.

    On TensorFlow, :data:`TF_STEPS_PER_EXECUTION` steps run in one call of
    the training function (a ``tf.while_loop`` over the input pipeline), so
    Python's work between steps (the trainer loop, callbacks, the progress
    bar) is paid once per 16 steps and no longer sits between two steps: about
    8 % less wall time per step on a 2-core CPU, same batches, same order,
    same results (``benches/README.md``). Keras' progress bar and batch-level
    callbacks then see every 16th step; epoch-level ones (checkpoint, early
    stopping) are unchanged. Other backends, and data-parallel runs
    (``replicas`` > 1): 1; under a ``tf.distribute`` strategy, Keras'
    several-steps loop stops with an unfed-placeholder error (Keras 3.15,
    TensorFlow 2.21).

    Args:
        replicas: the number of replicas of the run.

    Returns:
        Steps per execution.
    """
    import keras

    if replicas > 1 or keras.backend.backend() != "tensorflow":
        return 1
    return TF_STEPS_PER_EXECUTION


def _eval_without_xla_callback() -> Any:
    import keras

    class _EvalWithoutXLA(keras.callbacks.Callback):
        """XLA for the training step only: on TensorFlow, validation and
        prediction functions are built after ``on_train_begin``, and batches of
        every width would each cost an XLA compile for little gain."""

        def on_train_begin(self, logs: Any = None) -> None:
            self.model.jit_compile = False

    return _EvalWithoutXLA()


def _fit_callbacks(config: TrainConfig, model: Any, model_path: Path,
                   jit_compile: bool | str) -> list[Any]:
    """The callbacks of ``fit``: a best-only checkpoint on ``config.monitor``,
    then XLA for the training step only (TensorFlow, ``jit_compile=True``),
    ``ReduceLROnPlateau`` and ``EarlyStopping`` when the config asks.

    Raises:
        ValueError: for ``reduce_lr_patience`` with a model that follows its
            own learning-rate schedule.
    """
    import keras

    mode = "min" if config.monitor.endswith("loss") else "max"
    callbacks: list[Any] = [
        keras.callbacks.ModelCheckpoint(
            os.fspath(model_path),
            monitor=config.monitor,
            save_best_only=True,
            mode=mode,
        )
    ]
    if jit_compile is True and keras.backend.backend() == "tensorflow":
        callbacks.append(_eval_without_xla_callback())
    if config.reduce_lr_patience is not None:
        schedule = getattr(model.optimizer, "_learning_rate", None)
        if isinstance(schedule, keras.optimizers.schedules.LearningRateSchedule):
            raise ValueError(
                "`reduce_lr_patience` needs a constant learning rate, but model "
                f"{config.model!r} follows its own schedule. "
                f"Received: reduce_lr_patience={config.reduce_lr_patience}"
            )
        start_rate = float(keras.ops.convert_to_numpy(model.optimizer.learning_rate))
        callbacks.append(
            keras.callbacks.ReduceLROnPlateau(
                monitor=config.monitor,
                factor=0.5,
                patience=config.reduce_lr_patience,
                mode=mode,
                min_lr=start_rate / 64,
            )
        )
    if config.early_stopping is not None:
        callbacks.append(
            keras.callbacks.EarlyStopping(
                monitor=config.monitor,
                patience=config.early_stopping,
                mode=mode,
                restore_best_weights=True,
            )
        )
    return callbacks


def _best_epoch(history: Mapping[str, list[float]], monitor: str) -> int:
    values = history.get(monitor) or []
    if not values:
        return len(history.get("loss", [])) or 1
    arr = np.asarray(values, dtype=np.float64)
    arr = np.where(np.isnan(arr), np.inf if monitor.endswith("loss") else -np.inf, arr)
    index = np.argmin(arr) if monitor.endswith("loss") else np.argmax(arr)
    return int(index) + 1


def prepare(config: Any = None, /, **overrides: Any) -> PreparedData:
    """Loads IMDB, fits the tokenizer and encodes every split, once.

    The work of :func:`train` that depends only on :func:`preparation_key`:
    the IMDB splits (``data_source``, ``validation_split``, ``seed``,
    ``train_size``), a :class:`imdbfast.Tokenizer` fitted on the training
    split only, each split encoded ragged, and the GloVe matrix for exactly
    that vocabulary when the embedding is GloVe. Hand the result to
    :func:`train` (``prepared=``) for every config with the same key.

    Args:
        config: a :class:`TrainConfig`, a preset name, a dict of fields, or
            None for the defaults.
        **overrides: TrainConfig fields to change.

    Returns:
        A :class:`PreparedData`.

    Raises:
        TypeError, ValueError: for an invalid configuration.
        imdbfast.errors.UserError: (a ValueError) for a data or GloVe file
            that is not what it should be.
        OSError: if the data or the GloVe vectors cannot be read.

    Example:
    >>> prepared = imdbfast.training.prepare(data_source="aclImdb_v1.tar.gz")
    >>> for units in (32, 64):
    ...     imdbfast.train(units=units, data_source="aclImdb_v1.tar.gz",
    ...                    prepared=prepared)
    """
    from imdbfast.datasets import load_imdb

    config = resolve_config(config, overrides)
    seconds: dict[str, float] = {}
    with _phase(seconds, "load"), user_input():
        imdb = load_imdb(
            config.data_source,
            validation_split=config.validation_split,
            seed=config.seed,
            train_size=config.train_size,
            # The class-sorted order: the batches are shuffled (seeded) from
            # it, as they were before load_imdb shuffled by default.
            order="sorted",
        )
    with _phase(seconds, "tokenize"):
        tokenizer = make_tokenizer(config)
        tokenizer.fit(imdb.train.texts)
        encoded = {
            name: encode(config, tokenizer, getattr(imdb, name).texts)
            for name in ("train", "validation", "test")
        }
    _log.info(
        "data: %s train, %s validation, %s test reviews (%.1f s)",
        f"{len(imdb.train):,}", f"{len(imdb.validation):,}", f"{len(imdb.test):,}",
        seconds["load"],
    )
    _log.info("vocabulary: %s (%.1f s)",
              describe_encoded(config, tokenizer, encoded["train"]),
              seconds["tokenize"])
    glove = None
    with _phase(seconds, "glove"), user_input():
        if config.uses_glove:
            from imdbfast.embeddings import load_glove

            glove = load_glove(config.glove_source, tokenizer.get_vocabulary())
    if glove is not None:
        _log.info(
            "GloVe: %d-d vectors for %s of %s vocabulary tokens (%.1f s)",
            glove.dim, f"{glove.hits:,}", f"{glove.hits + glove.misses:,}",
            seconds["glove"],
        )
    return PreparedData(
        key=preparation_key(config),
        imdb=imdb,
        tokenizer=tokenizer,
        encoded=encoded,
        glove=glove,
        seconds=seconds,
    )


def train(
    config: Any = None, /, prepared: PreparedData | None = None, **overrides: Any
) -> TrainResult:
    """Trains, evaluates and saves a sentiment model on IMDB.

    Args:
        config: a :class:`TrainConfig`, a preset name (see
            :data:`imdbfast.config.PRESETS`), a dict of fields, or None for the
            defaults (the seed-000 baseline).
        prepared: the :func:`prepare` output of a config with the same
            :func:`preparation_key`, reused instead of loading and tokenizing
            again (its ``load`` and ``tokenize`` seconds then count 0 here);
            None prepares the data.
        **overrides: TrainConfig fields to change, e.g. ``epochs=3``,
            ``data_source="../shared/data/aclImdb_v1_labeled.tar.gz"``.

    Returns:
        A :class:`TrainResult`; the run directory holds the model
        (``model.keras``), ``tokenizer.json``, ``config.json``,
        ``metrics.json``, ``history.csv`` and PNG plots, and
        :func:`imdbfast.load` reads it back.

    Raises:
        TypeError, ValueError: for an invalid configuration, or a ``prepared``
            made for another preparation key.
        imdbfast.errors.UserError: (a ValueError) for a data or GloVe file
            that is not what it should be.
        OSError: if the data, the GloVe vectors or the output directory cannot
            be read or written.

    Example:
    >>> result = imdbfast.train(epochs=2, train_size=2000,
    ...     data_source="../shared/data/aclImdb_v1_labeled.tar.gz")
    >>> result.test_accuracy

    A run that fails or is interrupted (Ctrl-C) before it has written
    anything leaves no empty run directory behind.
    """
    created: list[Path] = []
    try:
        return _train(config, prepared, overrides, created)
    except BaseException:
        for directory in created:
            try:
                directory.rmdir()  # only if still empty
            except OSError:
                pass
        raise


def _train(config: Any, prepared: PreparedData | None,
           overrides: Mapping[str, Any], created: list[Path]) -> TrainResult:
    """:func:`train`; appends the run directory to ``created`` if it makes it."""
    require_keras("imdbfast.train")
    require_matplotlib("imdbfast.train")  # the plots, drawn after the last epoch
    config = resolve_config(config, overrides)
    if prepared is not None:
        prepared.check(config)
    seconds: dict[str, float] = {}
    start = time.perf_counter()

    import keras

    from imdbfast.runtime import configure_tensorflow

    configure_tensorflow(config)  # before the first tensor

    run_dir = choose_run_dir(config)
    prepared = _prepared_data(config, prepared, seconds)
    imdb, tokenizer, encoded = prepared.imdb, prepared.tokenizer, prepared.encoded
    # Only one process writes the run directory; any other keeps its
    # checkpoint (which it reloads like the writer) in a temporary directory.
    writer = writes_run_dir()
    with data_parallel_scope(config.distribution) as replicas:
        _log.info("device: %s, Keras backend %s%s", describe_device(),
                  keras.backend.backend(),
                  f", {replicas} replicas (data parallel)" if replicas > 1 else "")
        keras.utils.set_random_seed(config.seed)
        with _phase(seconds, "build"):
            model, jit_compile = _build_model(config, prepared, replicas)
        _log.info("model: %s, %s embeddings, %s parameters (%.1f s)", config.model,
                  config.embeddings, f"{model.count_params():,}", seconds["build"])
        xla = jit_compile is True or (
            jit_compile == "auto" and keras.backend.backend() == "jax"
        )
        inputs = fit_inputs(config, encoded["train"], imdb.train.labels,
                            encoded["validation"], imdb.validation.labels,
                            empty_id=tokenizer.oov_id, xla=xla, replicas=replicas)
        history, best_epoch = _fit(config, model, inputs, jit_compile, seconds,
                                   checkpoint_dir=run_dir if writer else None,
                                   created=created)
        scores, curve = _evaluate(config, model, prepared, replicas, seconds)

    with _phase(seconds, "save"):
        if writer:
            _save_run(run_dir, config, tokenizer, history, best_epoch, scores, curve)
    seconds["total"] = time.perf_counter() - start
    if writer:
        _log.info("saved: %s (%.1f s)", run_dir, seconds["save"])

    result = TrainResult(
        config=config,
        run_dir=run_dir,
        history=history,
        best_epoch=best_epoch,
        test_accuracy=float(scores["accuracy"]),
        test_loss=float(scores["loss"]),
        precision=float(scores["precision"]),
        recall=float(scores["recall"]),
        f1=float(scores["f1"]),
        average_precision=float(curve.average_precision),
        confusion_matrix=scores["confusion_matrix"],
        seconds=seconds,
        model=model,
        tokenizer=tokenizer,
        resolved=model.resolved_options(config),
    )
    if writer:
        write_metrics(
            _metrics_payload(result, imdb=imdb, glove=prepared.glove,
                             mean_train_tokens=inputs.mean_train_tokens,
                             jit_compile=jit_compile, replicas=replicas),
            run_dir / RUN_FILES["metrics"],
        )
    return result


def _prepared_data(config: TrainConfig, prepared: PreparedData | None,
                   seconds: dict[str, float]) -> PreparedData:
    """The data step: ``prepared``, or :func:`prepare` of ``config`` with its
    seconds counted in ``seconds`` (the GloVe matrix as part of ``build``)."""
    if prepared is None:
        prepared = prepare(config)
        seconds["load"] = prepared.seconds["load"]
        seconds["tokenize"] = prepared.seconds["tokenize"]
        seconds["build"] = prepared.seconds["glove"]
    else:
        seconds.update(load=0.0, tokenize=0.0)
        _log.info("data: prepared already (%s train, %s validation, %s test reviews)",
                  f"{len(prepared.imdb.train):,}",
                  f"{len(prepared.imdb.validation):,}",
                  f"{len(prepared.imdb.test):,}")
    return prepared


def _build_model(config: TrainConfig, prepared: PreparedData,
                 replicas: int) -> tuple[Any, bool | str]:
    """The model step: the config's model, built for the prepared vocabulary
    (and GloVe matrix) and compiled; with the ``jit_compile`` it was given."""
    from imdbfast.models import build_model

    glove = prepared.glove
    model = build_model(
        config,
        prepared.tokenizer.vocabulary_size(),
        glove.matrix if glove is not None else None,
    )
    if config.nb_scaling:
        from imdbfast.models.bag_of_ngrams import nb_log_count_ratios

        model.set_feature_scale(
            nb_log_count_ratios(prepared.encoded["train"], prepared.imdb.train.labels)
        )
    jit_compile = resolve_jit_compile(config)
    # Batches topped up for several replicas carry weight-0 rows,
    # which a weighted accuracy leaves out.
    accuracy: dict[str, Any] = (
        {} if replicas == 1
        else {"metrics": [], "weighted_metrics": ["accuracy"]}
    )
    model.compile(
        optimizer=config.optimizer or "auto",
        learning_rate=config.learning_rate,
        jit_compile=jit_compile,
        steps_per_execution=steps_per_execution(replicas),
        **accuracy,
    )
    # ... and that the loss leaves out too.
    model.weighted_mean_loss = replicas > 1
    return model, jit_compile


def _fit(config: TrainConfig, model: Any, inputs: FitInputs, jit_compile: bool | str,
         seconds: dict[str, float], *, checkpoint_dir: Path | None,
         created: list[Path]) -> tuple[dict[str, list[float]], int]:
    """The fit step: ``model.fit`` with a best-only checkpoint in
    ``checkpoint_dir`` (None: a temporary directory, removed after), then the
    best epoch's weights loaded back.

    Returns:
        The history and the 1-based best epoch.
    """
    if checkpoint_dir is None:
        checkpoint_dir = Path(tempfile.mkdtemp(prefix="imdbfast-"))
        temporary = True
    else:
        temporary = False
    if not checkpoint_dir.exists():
        created.append(checkpoint_dir)
    checkpoint_dir.mkdir(parents=True, exist_ok=True)
    model_path = checkpoint_dir / RUN_FILES["model"]
    callbacks = _fit_callbacks(config, model, model_path, jit_compile)
    callbacks += inputs.callbacks
    if config.verbose:
        from imdbfast._progress import Progress

        callbacks.append(Progress())  # instead of Keras' progress bar
    from imdbfast.layers import right_padded_inputs

    with _phase(seconds, "fit"):
        # Sequence batches come shuffled (seeded) from BucketedBatches,
        # right-padded: the training and validation steps are traced
        # without the fused LSTM's stock-loop branch, and dropped after
        # fit, so a caller's own fit or evaluate on the returned model
        # traces them again with it.
        with right_padded_inputs():
            fit_history = model.fit(
                **inputs.fit_args,
                validation_data=inputs.validation_data,
                epochs=config.epochs,
                callbacks=callbacks,
                verbose=config.verbose,
            )
        model.train_function = model.test_function = None
        history = {
            k: [float(v) for v in vals] for k, vals in fit_history.history.items()
        }
        best_epoch = _best_epoch(history, config.monitor)
        # The checkpoint holds the best epoch's weights; evaluate those.
        model.load_weights(os.fspath(model_path))
        if temporary:
            shutil.rmtree(checkpoint_dir, ignore_errors=True)
    best_values = history.get(config.monitor) or [math.nan]
    _log.info("best epoch: %d of %d, %s %.4f (fit %.1f s)", best_epoch,
              len(history.get("loss", [])), config.monitor,
              best_values[min(best_epoch, len(best_values)) - 1], seconds["fit"])
    return history, best_epoch


def _evaluate(config: TrainConfig, model: Any, prepared: PreparedData, replicas: int,
              seconds: dict[str, float]) -> tuple[dict[str, Any], Any]:
    """The evaluate step: the model's test-split figures (``binary_metrics``)
    and precision-recall curve."""
    from imdbfast.metrics import binary_metrics, precision_recall_curve

    test = prepared.imdb.test
    with _phase(seconds, "evaluate"):
        probabilities = predict(config, model, prepared.encoded["test"],
                                empty_id=prepared.tokenizer.oov_id, replicas=replicas)
        scores = binary_metrics(test.labels, probabilities)
        curve = precision_recall_curve(test.labels, probabilities)
    _log.info("test: accuracy %.4f on %s reviews (%.1f s)", scores["accuracy"],
              f"{len(test):,}", seconds["evaluate"])
    return scores, curve


def _save_run(run_dir: Path, config: TrainConfig, tokenizer: Any,
              history: dict[str, list[float]], best_epoch: int,
              scores: Mapping[str, Any], curve: Any) -> None:
    """The save step: tokenizer, config, history and plots in ``run_dir``
    (the model is there already: the checkpoint; ``metrics.json`` follows)."""
    from imdbfast import plots

    tokenizer.save(run_dir / RUN_FILES["tokenizer"])
    config.save(run_dir / RUN_FILES["config"])
    write_history(history, run_dir / RUN_FILES["history"])
    plots.plot_history(history, run_dir / RUN_FILES["curves"], best_epoch=best_epoch)
    plots.plot_confusion_matrix(scores["confusion_matrix"],
                                run_dir / RUN_FILES["confusion_matrix"])
    plots.plot_precision_recall(curve, run_dir / RUN_FILES["precision_recall"])


def _metrics_payload(result: TrainResult, *, imdb: Any, glove: Any,
                     mean_train_tokens: float | None,
                     jit_compile: Any, replicas: int) -> dict[str, Any]:
    """What ``metrics.json`` holds for a finished run."""
    import keras

    import imdbfast

    best = result.best_epoch - 1
    glove_stats = None
    if glove is not None:
        glove_stats = {"hits": int(glove.hits), "misses": int(glove.misses),
                       "dim": int(glove.dim)}
    return {
        "test": result.metrics(),
        "best_epoch": result.best_epoch,
        "epochs_run": len(result.history.get("loss", [])),
        "validation": {
            k[4:]: v[best] for k, v in result.history.items()
            if k.startswith("val_") and best < len(v)
        },
        "seconds": result.seconds,
        "examples": {
            "train": len(imdb.train), "validation": len(imdb.validation),
            "test": len(imdb.test),
        },
        "resolved": result.resolved,
        "vocabulary_size": int(result.tokenizer.vocabulary_size()),
        "mean_train_tokens": mean_train_tokens,
        "glove": glove_stats,
        "backend": keras.backend.backend(),
        "jit_compile": jit_compile,
        "replicas": replicas,
        "keras_version": keras.__version__,
        "imdbfast_version": imdbfast.__version__,
    }
