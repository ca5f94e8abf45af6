"""Test-set figures of a binary classifier: counts, loss, precision-recall.

NumPy only (no Keras, no plotting): :func:`imdbfast.train` and
:meth:`imdbfast.bundle.Bundle.evaluate` score with these, and
:mod:`imdbfast.plots` only draws what they computed.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

__all__ = ["PrecisionRecall", "average_precision", "binary_metrics",
           "precision_recall_curve"]


class PrecisionRecall(NamedTuple):
    """Output of :func:`precision_recall_curve`.

    Attributes:
        precision: float64 array, from the highest threshold to the lowest,
            starting at 1 (recall 0).
        recall: float64 array of the same length, starting at 0.
        average_precision: ``sum((r_k - r_{k-1}) * p_k)`` over thresholds
            (scikit-learn's definition); 0 when there are no positives.
    """

    precision: np.ndarray
    recall: np.ndarray
    average_precision: float


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

    Raises:
        ValueError: if the arrays differ in length.
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
    loss = (
        -np.mean(y * np.log(clipped) + (1 - y) * np.log(1 - clipped))
        if len(y)
        else math.nan
    )
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


def precision_recall_curve(labels: Any, scores: Any) -> PrecisionRecall:
    """Precision and recall at every score threshold, and average precision.

    Args:
        labels: array of 0/1 true labels.
        scores: array of predicted probabilities of class 1.

    Returns:
        A :class:`PrecisionRecall` ``(precision, recall, average_precision)``;
        the arrays run from the highest threshold to the lowest, starting at
        recall 0 (precision 1).

    Raises:
        ValueError: if the arrays differ in length.
    """
    truth = np.asarray(labels).astype(bool).ravel()
    score = np.asarray(scores, dtype=np.float64).ravel()
    if truth.shape != score.shape:
        raise ValueError(
            "`labels` and `scores` must have the same length. "
            f"Received: {truth.shape[0]} and {score.shape[0]}"
        )
    order = np.argsort(-score, kind="stable")
    score, truth = score[order], truth[order]
    # last index of each distinct score: thresholds between distinct values
    cut = np.r_[np.flatnonzero(np.diff(score)), len(score) - 1].astype(np.int64)
    if not len(score):
        cut = np.zeros(0, dtype=np.int64)
    tp = np.cumsum(truth)[cut]
    fp = (cut + 1) - tp
    positives = int(truth.sum())
    precision = np.r_[1.0, tp / np.maximum(tp + fp, 1)]
    recall = np.r_[0.0, tp / positives] if positives else np.zeros(len(tp) + 1)
    ap = float(np.sum(np.diff(recall) * precision[1:])) if positives else 0.0
    return PrecisionRecall(precision, recall, ap)


def average_precision(labels: Any, scores: Any) -> float:
    """Area under the precision-recall curve (see :func:`precision_recall_curve`).

    Args:
        labels: array of 0/1 true labels.
        scores: array of predicted probabilities of class 1.

    Returns:
        The average precision; 0 when there are no positives.
    """
    return precision_recall_curve(labels, scores).average_precision
