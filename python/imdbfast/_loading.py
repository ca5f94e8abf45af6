"""``imdbfast.load``: a run directory or an ensemble directory, loaded.

It sits above both kinds: :mod:`imdbfast._bundle` (one run, :func:`load_run`)
and :mod:`imdbfast.ensembles` (which loads its members with ``load_run``), so
neither of those imports the other's loader.
"""

from __future__ import annotations

import os
from pathlib import Path

from imdbfast._bundle import Predictor, load_run
from imdbfast.ensembles import ENSEMBLE_FILE, load_ensemble

__all__ = ["load"]


def load(run_dir: str | os.PathLike[str]) -> Predictor:
    """Loads a run directory written by :func:`imdbfast.train`, or an
    ensemble directory written by :func:`imdbfast.ensemble`.

    Args:
        run_dir: the directory (holding ``model.keras``, ``tokenizer.json`` and
            ``config.json``; or ``ensemble.json`` and its members).

    Returns:
        A :class:`imdbfast.bundle.Bundle`, or an
        :class:`imdbfast.ensembles.Ensemble` (both
        :class:`imdbfast.bundle.Predictor`: ``predict``, ``predict_proba``,
        ``evaluate``).

    Raises:
        FileNotFoundError: if the directory or one of the files is missing.
        imdbfast.errors.UserError: (a ValueError) if a file is not what it
            should be.
    """
    if (Path(run_dir) / ENSEMBLE_FILE).is_file():
        return load_ensemble(run_dir)
    return load_run(run_dir)
