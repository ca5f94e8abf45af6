"""PNG plots of a training run: learning curves, confusion matrix, PR curve.

Figures are drawn with matplotlib's object API on an Agg canvas: no pyplot
state, no display needed, nothing changes the user's matplotlib backend.
"""

from __future__ import annotations

import os
from typing import Any, Mapping, Sequence

import numpy as np


def _figure(width: float, height: float) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def precision_recall_curve(
    labels: Any, scores: Any
) -> tuple[np.ndarray, np.ndarray, float]:
    """Precision and recall at every score threshold, and average precision.

    Args:
        labels: array of 0/1 true labels.
        scores: array of predicted probabilities of class 1.

    Returns:
        ``(precision, recall, average_precision)``; the arrays run from the
        highest threshold to the lowest, starting at recall 0 (precision 1).
        Average precision is ``sum((r_k - r_{k-1}) * p_k)`` over thresholds
        (scikit-learn's definition); 0 when there are no positives.
    """
    labels = np.asarray(labels).astype(bool).ravel()
    scores = np.asarray(scores, dtype=np.float64).ravel()
    if labels.shape != scores.shape:
        raise ValueError(
            "`labels` and `scores` must have the same length. "
            f"Received: {labels.shape[0]} and {scores.shape[0]}"
        )
    order = np.argsort(-scores, kind="stable")
    scores, labels = scores[order], labels[order]
    # last index of each distinct score: thresholds between distinct values
    cut = np.r_[np.flatnonzero(np.diff(scores)), len(scores) - 1] if len(scores) else []
    tp = np.cumsum(labels)[cut] if len(scores) else np.zeros(0)
    fp = (np.asarray(cut) + 1) - tp
    positives = labels.sum()
    precision = np.r_[1.0, tp / np.maximum(tp + fp, 1)]
    recall = np.r_[0.0, tp / positives] if positives else np.zeros(len(tp) + 1)
    ap = float(np.sum(np.diff(recall) * precision[1:])) if positives else 0.0
    return precision, recall, ap


def plot_history(history: Mapping[str, Sequence[float]], path: str | os.PathLike[str],
                 *, best_epoch: int | None = None) -> None:
    """Accuracy and loss per epoch (training and validation) side by side.

    Args:
        history: ``{"accuracy": [...], "val_accuracy": [...], "loss": [...],
            "val_loss": [...]}`` (missing keys are skipped).
        path: where to write the PNG.
        best_epoch: 1-based epoch to mark (the one kept), or None.
    """
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
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        ax.set_title(f"Training and validation {metric}")
        ax.grid(alpha=0.3)
        ax.legend()
    fig.savefig(os.fspath(path))


def plot_confusion_matrix(matrix: Any, path: str | os.PathLike[str],
                          *, class_names: Sequence[str] = ("negative", "positive")) -> None:
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


def plot_precision_recall(labels: Any, scores: Any, path: str | os.PathLike[str]) -> float:
    """The precision-recall curve of the positive class.

    Returns:
        The average precision.
    """
    precision, recall, ap = precision_recall_curve(labels, scores)
    fig = _figure(5, 4.5)
    ax = fig.subplots()
    ax.step(recall, precision, where="post")
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_title(f"Precision-recall (test), AP = {ap:.3f}")
    ax.grid(alpha=0.3)
    fig.savefig(os.fspath(path))
    return ap
