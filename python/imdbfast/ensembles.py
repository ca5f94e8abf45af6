"""Prediction-averaging ensembles of trained runs.

:func:`ensemble` writes an ensemble directory from finished run directories:
``ensemble.json`` (the members and their weights), a copy of each member run
under ``members/`` (so the directory is self-contained) and, given the IMDB
data, the ensemble's test ``metrics.json``. :func:`imdbfast.load` reads it
back as an :class:`Ensemble`, which predicts like any bundle: the weighted
mean of its members' probabilities, each member with its own tokenizer.

The weights are fixed in advance (equal by default); nothing is fitted on
the test split.

Example:
>>> imdbfast.ensemble(["runs/ngrams", "runs/bilstm"], "runs/both",
...                   data_source="aclImdb_v1.tar.gz")
>>> imdbfast.load("runs/both").predict(["A wonderful film."])
"""

from __future__ import annotations

import json
import numbers
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

from imdbfast._bundle import Bundle, Predictor, load_run, test_scores
from imdbfast._files import read_json
from imdbfast._options import short_repr
from imdbfast.config import TrainConfig
from imdbfast.errors import UserError
from imdbfast.run_dir import BUNDLE_FILES, RUN_FILES, run_files, write_metrics

__all__ = [
    "ENSEMBLE_FILE",
    "ENSEMBLE_PRESETS",
    "Ensemble",
    "ensemble",
    "load_ensemble",
    "train_ensemble",
]

#: The file that makes a directory an ensemble.
ENSEMBLE_FILE = "ensemble.json"
_FORMAT = "imdbfast.Ensemble"
_VERSION = 1
_MEMBERS_DIR = "members"

#: Named ensembles: their members, each a training preset with the fields
#: changed for the ensemble, trained with the same data and seed, then
#: averaged with equal weights. Every member picks its best epoch on the same
#: validation split (20 % of the training reviews); nothing is chosen on the
#: test split.
ENSEMBLE_PRESETS: dict[str, tuple[tuple[str, dict[str, Any]], ...]] = {
    # The three presets with the best validation accuracy on the full data
    # (benches/README.md): bigrams seen as a bag (a naive-Bayes-scaled linear
    # model, fastText-style averaged vectors) and whole reviews read in order
    # (the attention BiLSTM over fine-tuned GloVe); their errors differ, so the
    # average beats each of them.
    "ensemble-best": (
        ("ngrams-linear", {}),
        ("fasttext-bigrams", {}),
        ("attention-glove-finetune", {"validation_split": 0.2}),
    ),
}


class Ensemble(Predictor):
    """Runs whose probabilities are averaged (weighted).

    Args:
        members: the member :class:`~imdbfast.bundle.Bundle` objects.
        weights: one positive weight per member (normalized to sum 1);
            None = equal.
        run_dir: the directory it was loaded from, if any.

    Attributes:
        config: the first member's config (its ``data_source`` is where
            :meth:`evaluate` reads the test split from by default).
    """

    def __init__(self, members: Sequence[Bundle], weights: Sequence[float] | None = None,
                 run_dir: str | os.PathLike[str] | None = None) -> None:
        self.members = list(members)
        if not self.members:
            raise ValueError("An ensemble needs at least one member. Received: none")
        self.weights = _normalized(weights, len(self.members))
        self.config: TrainConfig = self.members[0].config
        self.run_dir = Path(run_dir) if run_dir is not None else None

    def __repr__(self) -> str:
        parts = ", ".join(
            f"{m.config.model}:{w:.3g}" for m, w in zip(self.members, self.weights)
        )
        return f"Ensemble({parts}, run_dir={self.run_dir})"

    def predict_proba(
        self, texts: Iterable[str], *, batch_size: int | None = None
    ) -> np.ndarray:
        """The weighted mean of the members' probabilities (float32).

        Args:
            texts: iterable of str.
            batch_size: passed to each member's ``predict_proba``.

        Raises:
            TypeError: if an item is not a str.
        """
        return self.combine(self.member_probabilities(texts, batch_size=batch_size))

    def member_probabilities(
        self, texts: Iterable[str], *, batch_size: int | None = None
    ) -> list[np.ndarray]:
        """Each member's ``predict_proba`` of ``texts``, in member order."""
        texts = self._text_list(texts)
        return [member.predict_proba(texts, batch_size=batch_size) for member in self.members]

    def combine(self, member_probabilities: Sequence[np.ndarray]) -> np.ndarray:
        """The weighted mean of the members' probabilities (float32)."""
        total = np.zeros(len(member_probabilities[0]), dtype=np.float64)
        for probabilities, weight in zip(member_probabilities, self.weights):
            total += weight * probabilities
        return total.astype(np.float32)


def _normalized(weights: Sequence[float] | None, count: int) -> np.ndarray:
    """The weights scaled to sum 1: finite, positive, and safe from overflow.

    Divided by the largest weight first, so that weights whose sum is not a
    float (``1e308`` each) still normalize; a weight that is no float at all
    (``10**400``) is refused like any other invalid one.
    """
    if weights is None:
        return np.full(count, 1.0 / count)
    given = list(weights)
    expected = (
        f"`weights` must be {count} finite positive numbers, one per member. "
        f"Received: {_short_list(given)}"
    )
    if any(isinstance(w, bool) or not isinstance(w, numbers.Real) for w in given):
        raise ValueError(expected)
    try:
        values = np.asarray(given, dtype=np.float64)
    except OverflowError:
        raise ValueError(expected) from None
    if values.shape != (count,) or not np.all(np.isfinite(values)) or np.any(values <= 0):
        raise ValueError(expected)
    scaled = values / values.max()
    normalized: np.ndarray = scaled / scaled.sum()
    return normalized


def _short_list(values: list[Any]) -> str:
    """``values`` for a message, each cut to 20 characters."""
    parts = [short_repr(v, 20, big_int_bits=64) for v in values]
    return "[" + ", ".join(parts[:10]) + (", ..." if len(parts) > 10 else "") + "]"


def ensemble(
    run_dirs: Sequence[str | os.PathLike[str]],
    output_dir: str | os.PathLike[str],
    *,
    weights: Sequence[float] | None = None,
    data_source: str | os.PathLike[str] | None = None,
) -> Ensemble:
    """Writes an ensemble directory of finished runs and returns it loaded.

    Args:
        run_dirs: run directories written by :func:`imdbfast.train` (two or
            more; each is copied into ``output_dir/members``).
        output_dir: the ensemble directory to create (must not exist yet).
        weights: one positive weight per run; None = equal weights.
        data_source: IMDB source: when given, the ensemble is evaluated on
            its test split and ``metrics.json`` is written (with each
            member's test accuracy beside it).

    Returns:
        The :class:`Ensemble`.

    Raises:
        ValueError: for fewer than two runs or bad weights.
        FileExistsError: if ``output_dir`` exists.
        FileNotFoundError: if a run directory or one of its files is missing.
    """
    sources = [Path(d) for d in run_dirs]
    if len(sources) < 2:
        raise ValueError(
            f"An ensemble needs two or more run directories. Received: {len(sources)}"
        )
    weights_array = _normalized(weights, len(sources))
    for source in sources:
        run_files(source)  # each must be a complete run
    target = Path(output_dir)
    if target.exists():
        raise FileExistsError(f"ensemble directory already exists: {target}")
    target.parent.mkdir(parents=True, exist_ok=True)
    # Written next to its final place, then renamed: never half an ensemble.
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        names = []
        for index, source in enumerate(sources):
            name = f"{index}-{source.resolve().name}"
            member = staging / _MEMBERS_DIR / name
            member.mkdir(parents=True)
            for key in (*BUNDLE_FILES, "metrics"):
                path = source / RUN_FILES[key]
                if path.is_file():
                    shutil.copy2(path, member / path.name)
            names.append(name)
        entries = [
            {"path": f"{_MEMBERS_DIR}/{name}", "weight": float(w), "source": str(src)}
            for name, w, src in zip(names, weights_array, sources)
        ]
        manifest = {"format": _FORMAT, "version": _VERSION, "members": entries}
        (staging / ENSEMBLE_FILE).write_text(
            json.dumps(manifest, indent=2) + "\n", encoding="utf-8"
        )
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    result = load_ensemble(target)
    if data_source is not None:
        # Each member scores the test reviews once; the ensemble combines those.
        texts, labels = result.test_split(data_source)
        probabilities = result.member_probabilities(texts)
        write_metrics(
            {
                "test": test_scores(labels, result.combine(probabilities)),
                "members": [
                    {"path": entry["path"], "model": m.config.model,
                     "weight": entry["weight"],
                     "test_accuracy": test_scores(labels, p)["accuracy"]}
                    for entry, m, p in zip(entries, result.members, probabilities)
                ],
            },
            target / RUN_FILES["metrics"],
        )
    return result


def load_ensemble(run_dir: str | os.PathLike[str]) -> Ensemble:
    """Loads an ensemble directory written by :func:`ensemble`.

    Raises:
        FileNotFoundError: if the directory, ``ensemble.json`` or a member's
            files are missing.
        imdbfast.errors.UserError: (a ValueError) if ``ensemble.json`` is not
            what it should be: a regular file of at most 16 MiB of UTF-8 JSON,
            nested at most 64 levels deep, with finite positive weights.
    """
    root = Path(run_dir)
    path = root / ENSEMBLE_FILE
    manifest: Any = read_json(path, what="ensemble file")
    entries = manifest.get("members") if isinstance(manifest, dict) else None
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != _FORMAT
        or manifest.get("version") != _VERSION
        or not isinstance(entries, list)
        or not entries
        or not all(
            isinstance(e, dict) and isinstance(e.get("path"), str)
            and isinstance(e.get("weight"), (int, float))
            and not isinstance(e.get("weight"), bool)
            for e in entries
        )
    ):
        raise UserError(
            f"{path} is not an imdbfast ensemble file (format {_FORMAT!r}, version "
            f"{_VERSION}, a list of members with 'path' and 'weight')"
        )
    try:  # before any member is loaded
        _normalized([e["weight"] for e in entries], len(entries))
    except ValueError as err:
        raise UserError(f"{path}: {err}") from None
    members = []
    for entry in entries:
        member_dir = (root / entry["path"]).resolve()
        if root.resolve() not in member_dir.parents:
            raise UserError(
                f"{path}: a member must lie inside the ensemble directory. "
                f"Received: {entry['path']!r}"
            )
        members.append(load_run(member_dir))
    try:
        return Ensemble(members, [e["weight"] for e in entries], run_dir=root)
    except ValueError as err:
        raise UserError(f"{path}: {err}") from None


def train_ensemble(
    preset: str,
    output_dir: str | os.PathLike[str],
    **overrides: Any,
) -> Ensemble:
    """Trains the members of a named ensemble and writes the ensemble.

    Each member preset of :data:`ENSEMBLE_PRESETS` is trained with
    :func:`imdbfast.train`, its own fields and the same ``overrides`` (``data_source``,
    ``seed``, ``glove_source``, ``epochs``, ``train_size``...); the ensemble
    directory is then written as :func:`ensemble` does, evaluated on the test
    split when ``data_source`` is given.

    Args:
        preset: a name in :data:`ENSEMBLE_PRESETS`.
        output_dir: the ensemble directory to create (must not exist yet).
        **overrides: TrainConfig fields applied to every member.

    Returns:
        The :class:`Ensemble`.

    Raises:
        ValueError: for an unknown preset or invalid overrides.
        FileExistsError: if ``output_dir`` exists.
    """
    from imdbfast._options import get_preset
    from imdbfast.training import train

    members = get_preset("ensemble preset", preset, ENSEMBLE_PRESETS)
    target = Path(output_dir)
    if target.exists():
        raise FileExistsError(f"ensemble directory already exists: {target}")
    for name in ("output_dir", "run_name"):
        if name in overrides:
            raise ValueError(
                f"`{name}` is chosen by train_ensemble (the members are trained "
                f"inside the ensemble directory). Received: {name}={overrides[name]!r}"
            )
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-runs-", dir=target.parent))
    try:
        run_dirs = [
            train(member, output_dir=os.fspath(staging), run_name=member,
                  **{**fields, **overrides}).run_dir
            for member, fields in members
        ]
        return ensemble(run_dirs, target, data_source=overrides.get("data_source"))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
