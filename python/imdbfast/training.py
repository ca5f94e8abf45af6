"""``imdbfast.train()``: raw IMDB reviews in, an evaluated and saved model out.

The steps, each timed:

1. **load** - :func:`imdbfast.datasets.load_imdb` (train / validation / test);
2. **tokenize** - fit an :class:`imdbfast.Tokenizer` on the training reviews
   only, then encode all three splits once, ragged (no padding);
3. **build** - the GloVe matrix for exactly the tokenizer's vocabulary when the
   embedding is GloVe, then the model (:func:`imdbfast.models.build_model`),
   compiled with the seed's optimizer;
4. **fit** - length-bucketed batches (:mod:`imdbfast.batching`), a best-only
   :class:`keras.callbacks.ModelCheckpoint` on the validation ``monitor`` and
   optional :class:`keras.callbacks.EarlyStopping`; the best epoch's weights
   are the ones kept;
5. **evaluate** - on the test split: accuracy, loss, precision, recall, F1,
   confusion matrix, average precision;
6. **save** - the run directory (see :data:`RUN_FILES`).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import json
import math
import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Mapping

import numpy as np

from imdbfast.config import TrainConfig

# What a run directory holds.
RUN_FILES = {
    "model": "model.keras",
    "tokenizer": "tokenizer.json",
    "config": "config.json",
    "metrics": "metrics.json",
    "history": "history.csv",
    "curves": "curves.png",
    "confusion_matrix": "confusion_matrix.png",
    "precision_recall": "precision_recall.png",
}


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

    def summary(self) -> str:
        """A few human-readable lines about the run."""
        lines = [
            f"run directory: {self.run_dir}",
            f"best epoch: {self.best_epoch} of {len(self.history.get('loss', []))}",
            f"test accuracy: {self.test_accuracy:.4f}  loss: {self.test_loss:.4f}",
            f"precision: {self.precision:.4f}  recall: {self.recall:.4f}  "
            f"F1: {self.f1:.4f}",
            "seconds: "
            + ", ".join(f"{k} {v:.1f}" for k, v in self.seconds.items()),
        ]
        return "\n".join(lines)


def binary_metrics(labels: Any, probabilities: Any) -> dict[str, Any]:
    """Accuracy, log loss, precision, recall, F1 and the confusion matrix.

    The loss is binary cross-entropy with probabilities clipped to
    ``[1e-7, 1 - 1e-7]``, as Keras computes it; a probability above 0.5 is a
    positive prediction.

    Args:
        labels: array of 0/1 true labels.
        probabilities: array of predicted probabilities of class 1.

    Returns:
        A dict with ``accuracy``, ``loss``, ``precision``, ``recall``, ``f1``
        and ``confusion_matrix`` (``[[tn, fp], [fn, tp]]``, int64).
    """
    y = np.asarray(labels).astype(np.int64).ravel()
    p = np.asarray(probabilities, dtype=np.float64).ravel()
    if y.shape != p.shape:
        raise ValueError(
            "`labels` and `probabilities` must have the same length. "
            f"Received: {y.shape[0]} and {p.shape[0]}"
        )
    predicted = (p > 0.5).astype(np.int64)
    tp = int(np.sum((predicted == 1) & (y == 1)))
    tn = int(np.sum((predicted == 0) & (y == 0)))
    fp = int(np.sum((predicted == 1) & (y == 0)))
    fn = int(np.sum((predicted == 0) & (y == 1)))
    eps = 1e-7
    clipped = np.clip(p, eps, 1 - eps)
    loss = -np.mean(y * np.log(clipped) + (1 - y) * np.log(1 - clipped)) if len(y) else math.nan
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "accuracy": (tp + tn) / len(y) if len(y) else math.nan,
        "loss": float(loss),
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "confusion_matrix": np.array([[tn, fp], [fn, tp]], dtype=np.int64),
    }


def resolve_config(config: Any = None, overrides: Mapping[str, Any] | None = None) -> TrainConfig:
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


def _choose_run_dir(config: TrainConfig) -> Path:
    """The run directory to write (not created yet; checked to be free)."""
    parent = Path(config.output_dir)
    if parent.exists() and not parent.is_dir():
        raise NotADirectoryError(f"output_dir is not a directory: {parent}")
    if config.run_name is not None:
        run_dir = parent / config.run_name
        if run_dir.exists() and any(run_dir.iterdir()):
            raise FileExistsError(
                f"run directory {run_dir} already exists and is not empty; "
                "choose another run_name or remove it"
            )
    else:
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        base = f"{config.model}-{config.embeddings}-{stamp}"
        run_dir = parent / base
        suffix = 1
        while run_dir.exists():
            suffix += 1
            run_dir = parent / f"{base}-{suffix}"
    return run_dir


def make_tokenizer(config: TrainConfig) -> Any:
    """The (unfitted) Tokenizer a config asks for."""
    from imdbfast.tokenizer import Tokenizer

    return Tokenizer(
        max_tokens=config.max_tokens,
        standardize=config.standardize,
        output_sequence_length=config.sequence_length,
        strip_html=config.strip_html,
    )


def batches_for(
    config: TrainConfig,
    ragged: tuple[Any, Any],
    labels: Any = None,
    *,
    training: bool = False,
    empty_id: int | None = 1,
    xla: bool = False,
) -> Any:
    """The :class:`~imdbfast.batching.BucketedBatches` a config implies.

    Args:
        config: the run's TrainConfig.
        ragged: ``(values, row_splits)`` from ``Tokenizer.transform_ragged``.
        labels: labels or None.
        training: shuffled training batches of ``batch_size`` (else sorted
            evaluation batches of ``eval_batch_size``).
        empty_id: id given to empty reviews (see BucketedBatches).
        xla: the steps are compiled per shape: round lengths to multiples of
            32 unless the config sets ``length_multiple``.
    """
    from imdbfast.batching import BucketedBatches

    multiple = config.length_multiple
    if multiple is None and xla:
        multiple = 32
    return BucketedBatches.from_ragged(
        ragged,
        labels,
        batch_size=config.batch_size if training else config.eval_batch_size,
        shuffle=training,
        seed=config.seed,
        fixed_length=config.sequence_length if config.model == "flatten" else None,
        length_multiple=multiple,
        empty_id=empty_id,
    )


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


def _eval_without_xla_callback() -> Any:
    import keras

    class _EvalWithoutXLA(keras.callbacks.Callback):
        """XLA for the training step only: on TensorFlow, validation and
        prediction functions are built after ``on_train_begin``, and batches of
        every width would each cost an XLA compile for little gain."""

        def on_train_begin(self, logs: Any = None) -> None:
            self.model.jit_compile = False

    return _EvalWithoutXLA()


def _oov_id(tokenizer: Any) -> int | None:
    oov = getattr(tokenizer, "oov_token", "[UNK]")
    if not oov:
        return None
    try:
        return int(tokenizer.token_to_id(oov))
    except (KeyError, ValueError):
        return None


def _best_epoch(history: Mapping[str, list[float]], monitor: str) -> int:
    values = history.get(monitor) or []
    if not values:
        return len(history.get("loss", [])) or 1
    arr = np.asarray(values, dtype=np.float64)
    arr = np.where(np.isnan(arr), np.inf if monitor.endswith("loss") else -np.inf, arr)
    index = np.argmin(arr) if monitor.endswith("loss") else np.argmax(arr)
    return int(index) + 1


def _write_history(history: Mapping[str, list[float]], path: Path) -> None:
    keys = list(history)
    epochs = max((len(v) for v in history.values()), default=0)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["epoch", *keys])
        for i in range(epochs):
            writer.writerow(
                [i + 1, *(repr(float(history[k][i])) if i < len(history[k]) else "" for k in keys)]
            )


def train(config: Any = None, /, **overrides: Any) -> TrainResult:
    """Trains, evaluates and saves a sentiment model on IMDB.

    Args:
        config: a :class:`TrainConfig`, a preset name (see
            :data:`imdbfast.config.PRESETS`), a dict of fields, or None for the
            defaults (the seed-000 baseline).
        **overrides: TrainConfig fields to change, e.g. ``epochs=3``,
            ``data_source="../shared/data/aclImdb_v1_labeled.tar.gz"``.

    Returns:
        A :class:`TrainResult`; the run directory holds the model
        (``model.keras``), ``tokenizer.json``, ``config.json``,
        ``metrics.json``, ``history.csv`` and PNG plots, and
        :func:`imdbfast.load` reads it back.

    Raises:
        TypeError, ValueError: for an invalid configuration.
        OSError: if the data, the GloVe vectors or the output directory cannot
            be read or written.

    Example:
    >>> result = imdbfast.train(epochs=2, train_size=2000,
    ...     data_source="../shared/data/aclImdb_v1_labeled.tar.gz")
    >>> result.test_accuracy
    """
    config = resolve_config(config, overrides)
    seconds: dict[str, float] = {}
    start = time.perf_counter()

    import keras

    from imdbfast.batching import fit_input, predict_sorted
    from imdbfast.datasets import load_imdb
    from imdbfast.models import build_model

    keras.utils.set_random_seed(config.seed)
    run_dir = _choose_run_dir(config)

    with _phase(seconds, "load"):
        imdb = load_imdb(
            config.data_source,
            validation_split=config.validation_split,
            seed=config.seed,
            train_size=config.train_size,
        )

    with _phase(seconds, "tokenize"):
        tokenizer = make_tokenizer(config)
        tokenizer.fit(imdb.train.texts)
        encoded = {
            name: tokenizer.transform_ragged(getattr(imdb, name).texts)
            for name in ("train", "validation", "test")
        }
    empty_id = _oov_id(tokenizer)

    glove_stats = None
    with _phase(seconds, "build"):
        matrix = None
        if config.uses_glove:
            from imdbfast.embeddings import load_glove

            glove = load_glove(config.glove_source, tokenizer.get_vocabulary())
            matrix = glove.matrix
            glove_stats = {"hits": int(glove.hits), "misses": int(glove.misses),
                           "dim": int(glove.dim)}
        model = build_model(config, tokenizer.vocabulary_size(), matrix)
        jit_compile = resolve_jit_compile(config)
        model.compile(
            optimizer=config.optimizer or "auto",
            learning_rate=config.learning_rate,
            jit_compile=jit_compile,
        )

    xla = jit_compile is True or (
        jit_compile == "auto" and keras.backend.backend() == "jax"
    )
    train_batches = batches_for(config, encoded["train"], imdb.train.labels,
                                training=True, empty_id=empty_id, xla=xla)
    val_batches = batches_for(config, encoded["validation"], imdb.validation.labels,
                              empty_id=empty_id)
    run_dir.mkdir(parents=True, exist_ok=True)
    model_path = run_dir / RUN_FILES["model"]
    callbacks: list[Any] = [
        keras.callbacks.ModelCheckpoint(
            os.fspath(model_path),
            monitor=config.monitor,
            save_best_only=True,
            mode="min" if config.monitor.endswith("loss") else "max",
        )
    ]
    if jit_compile is True and keras.backend.backend() == "tensorflow":
        callbacks.append(_eval_without_xla_callback())
    if config.early_stopping is not None:
        callbacks.append(
            keras.callbacks.EarlyStopping(
                monitor=config.monitor,
                patience=config.early_stopping,
                mode="min" if config.monitor.endswith("loss") else "max",
                restore_best_weights=True,
            )
        )
    with _phase(seconds, "fit"):
        fit_history = model.fit(
            fit_input(train_batches),
            validation_data=fit_input(val_batches),
            epochs=config.epochs,
            callbacks=callbacks,
            shuffle=False,  # the batches are shuffled, seeded, by BucketedBatches
            verbose=config.verbose,
        )
        history = {k: [float(v) for v in vals] for k, vals in fit_history.history.items()}
        best_epoch = _best_epoch(history, config.monitor)
        # The checkpoint holds the best epoch's weights; evaluate those.
        model.load_weights(os.fspath(model_path))

    with _phase(seconds, "evaluate"):
        test_batches = batches_for(config, encoded["test"], empty_id=empty_id)
        probabilities = predict_sorted(model, test_batches)[:, 0]
        scores = binary_metrics(imdb.test.labels, probabilities)

    with _phase(seconds, "save"):
        from imdbfast import plots

        tokenizer.save(run_dir / RUN_FILES["tokenizer"])
        config.save(run_dir / RUN_FILES["config"])
        _write_history(history, run_dir / RUN_FILES["history"])
        plots.plot_history(history, run_dir / RUN_FILES["curves"], best_epoch=best_epoch)
        plots.plot_confusion_matrix(scores["confusion_matrix"],
                                    run_dir / RUN_FILES["confusion_matrix"])
        average_precision = plots.plot_precision_recall(
            imdb.test.labels, probabilities, run_dir / RUN_FILES["precision_recall"]
        )
    seconds["total"] = time.perf_counter() - start

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
        average_precision=float(average_precision),
        confusion_matrix=scores["confusion_matrix"],
        seconds=seconds,
        model=model,
        tokenizer=tokenizer,
    )
    _write_metrics(result, run_dir / RUN_FILES["metrics"], imdb=imdb,
                   glove=glove_stats, train_batches=train_batches,
                   jit_compile=jit_compile)
    return result


def _write_metrics(result: TrainResult, path: Path, *, imdb: Any, glove: Any,
                   train_batches: Any, jit_compile: Any) -> None:
    import keras

    import imdbfast

    best = result.best_epoch - 1
    payload = {
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
        "vocabulary_size": int(result.tokenizer.vocabulary_size()),
        "mean_train_tokens": float(np.mean(train_batches.lengths)),
        "glove": glove,
        "backend": keras.backend.backend(),
        "jit_compile": jit_compile,
        "keras_version": keras.__version__,
        "imdbfast_version": imdbfast.__version__,
    }
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
