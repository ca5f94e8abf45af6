"""PNG plots of a training run: learning curves, confusion matrix, PR curve.

Figures are drawn with matplotlib's object API on an Agg canvas: no pyplot
state, no display needed, nothing changes the user's matplotlib backend. The
figures are computed elsewhere (:mod:`imdbfast.metrics`); this module only
draws them.
"""

from __future__ import annotations

import os
from typing import Any, Mapping, Sequence

import numpy as np

from imdbfast.metrics import PrecisionRecall


def _figure(width: float, height: float) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def plot_history(
    history: Mapping[str, Sequence[float]],
    path: str | os.PathLike[str],
    *,
    best_epoch: int | None = None,
) -> None:
    """Accuracy and loss per epoch (training and validation) side by side.

    Args:
        history: ``{"accuracy": [...], "val_accuracy": [...], "loss": [...],
            "val_loss": [...]}`` (missing keys are skipped).
        path: where to write the PNG.
        best_epoch: 1-based epoch to mark (the one kept), or None.
    """
    history_figure(history, best_epoch=best_epoch).savefig(os.fspath(path))


def history_figure(
    history: Mapping[str, Sequence[float]], *, best_epoch: int | None = None
) -> Any:
    """The figure :func:`plot_history` writes: epochs on integer ticks.

    Args:
        history: per-epoch values by Keras name (see :func:`plot_history`).
        best_epoch: 1-based epoch to mark, or None.

    Returns:
        A matplotlib ``Figure`` with two axes (accuracy, loss).
    """
    from matplotlib.ticker import MaxNLocator

    fig = _figure(10, 4)
    for ax, metric in zip(fig.subplots(1, 2), ("accuracy", "loss")):
        for key, label, style in (
            (metric, "training", "o-"),
            (f"val_{metric}", "validation", "s--"),
        ):
            values = history.get(key)
            if values:
                ax.plot(range(1, len(values) + 1), values, style, label=label)
        if best_epoch is not None:
            ax.axvline(best_epoch, color="grey", linestyle=":", label="best epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        ax.set_title(f"Training and validation {metric}")
        ax.grid(alpha=0.3)
        ax.legend()
    return fig


def plot_confusion_matrix(
    matrix: Any,
    path: str | os.PathLike[str],
    *,
    class_names: Sequence[str] = ("negative", "positive"),
) -> None:
    """The 2x2 confusion matrix (rows: true class, columns: predicted)."""
    matrix = np.asarray(matrix)
    fig = _figure(4.5, 4)
    ax = fig.subplots()
    image = ax.imshow(matrix, cmap="Blues")
    fig.colorbar(image, ax=ax)
    ticks = np.arange(len(class_names))
    ax.set_xticks(ticks, labels=list(class_names))
    ax.set_yticks(ticks, labels=list(class_names))
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title("Confusion matrix (test)")
    threshold = matrix.max() / 2 if matrix.size else 0
    for (i, j), value in np.ndenumerate(matrix):
        ax.text(j, i, f"{value:,}", ha="center", va="center",
                color="white" if value > threshold else "black")
    fig.savefig(os.fspath(path))


def plot_precision_recall(
    curve: PrecisionRecall, path: str | os.PathLike[str]
) -> None:
    """The precision-recall curve of the positive class.

    Args:
        curve: :func:`imdbfast.metrics.precision_recall_curve` of the test set.
        path: where to write the PNG.
    """
    fig = _figure(5, 4.5)
    ax = fig.subplots()
    ax.step(curve.recall, curve.precision, where="post")
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_title(f"Precision-recall (test), AP = {curve.average_precision:.3f}")
    ax.grid(alpha=0.3)
    fig.savefig(os.fspath(path))
