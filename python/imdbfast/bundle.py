"""Trained-model bundles: ``imdbfast.load(run_dir)`` -> predict, evaluate, export.

A bundle is a run directory written by :func:`imdbfast.train`: the Keras model,
the tokenizer that encoded its training data and the TrainConfig. Loading it
gives back the same preprocessing (same vocabulary, same truncation, same
length-bucketed, right-padded batches), so predictions on new texts are made
exactly as the test set was scored.

The public home of :class:`Bundle`, :class:`Predictor`, :class:`Predictions`,
:func:`test_scores` and :func:`load_run` (written in :mod:`imdbfast._bundle`)
and of :func:`load` (:mod:`imdbfast._loading`, which also reads ensembles).
"""

from __future__ import annotations

from imdbfast._bundle import Bundle, Predictions, Predictor, load_run, test_scores
from imdbfast._loading import load

# Names this module imported before its classes moved to _bundle, still importable from here.
from imdbfast.config import TrainConfig  # noqa: F401
from imdbfast.errors import require_keras, user_input  # noqa: F401
from imdbfast.metrics import binary_metrics  # noqa: F401
from imdbfast.run_dir import run_files  # noqa: F401

__all__ = [
    "Bundle",
    "Predictions",
    "Predictor",
    "load",
    "load_run",
    "test_scores",
]
