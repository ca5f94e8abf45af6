"""The run directory: what :func:`imdbfast.train` writes, :func:`imdbfast.load` reads.

A run directory holds the files named in :data:`RUN_FILES`: the Keras model,
the tokenizer and config that go with it, the test metrics, the per-epoch
history and PNG plots. This module owns that layout: choosing a free directory,
finding the files of an existing one, and writing the history and metrics
files.
"""

from __future__ import annotations

import csv
import datetime
import json
import os
from pathlib import Path
from typing import Any, Mapping, Sequence

from imdbfast.config import TrainConfig

__all__ = [
    "RUN_FILES",
    "choose_run_dir",
    "run_files",
    "write_history",
    "write_metrics",
]

# What a run directory holds: key -> file name.
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

# The files :func:`imdbfast.load` needs.
BUNDLE_FILES = ("model", "tokenizer", "config")


def choose_run_dir(config: TrainConfig, *, flags: bool = False) -> Path:
    """The run directory a config asks for (not created yet; checked to be free).

    ``output_dir / run_name``, or, without a ``run_name``,
    ``output_dir / <model>-<embeddings>-<timestamp>`` (with ``-2``, ``-3``...
    appended if that exists already).

    Args:
        config: the run's TrainConfig.
        flags: name the command-line flags (``--run-name``,
            ``--output-dir``) in messages instead of the config fields.

    Returns:
        The directory path.

    Raises:
        NotADirectoryError: if ``output_dir`` exists and is not a directory.
        FileExistsError: if ``run_name`` names a directory that is not empty.
    """
    run_name, output_dir = (
        ("--run-name", "--output-dir") if flags else ("run_name", "output_dir")
    )
    parent = Path(config.output_dir)
    if parent.exists() and not parent.is_dir():
        raise NotADirectoryError(f"{output_dir} is not a directory: {parent}")
    if config.run_name is not None:
        run_dir = parent / config.run_name
        if run_dir.exists() and not run_dir.is_dir():
            raise FileExistsError(
                f"run directory {run_dir} exists and is not a directory; "
                f"choose another {run_name} or remove it"
            )
        if run_dir.exists() and any(run_dir.iterdir()):
            raise FileExistsError(
                f"run directory {run_dir} already exists and is not empty; "
                f"choose another {run_name} or remove it"
            )
        return run_dir
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    base = f"{config.model}-{config.embeddings}-{stamp}"
    run_dir = parent / base
    suffix = 1
    while run_dir.exists():
        suffix += 1
        run_dir = parent / f"{base}-{suffix}"
    return run_dir


def run_files(
    run_dir: str | os.PathLike[str], keys: Sequence[str] = BUNDLE_FILES
) -> dict[str, Path]:
    """The paths of files of an existing run directory, checked to exist.

    Args:
        run_dir: a directory written by :func:`imdbfast.train`.
        keys: which files (keys of :data:`RUN_FILES`); by default those that
            :func:`imdbfast.load` needs.

    Returns:
        ``{key: path}``.

    Raises:
        FileNotFoundError: if the directory or one of the files is missing.
    """
    root = Path(run_dir)
    if not root.is_dir():
        raise FileNotFoundError(f"run directory not found: {root}")
    paths = {key: root / RUN_FILES[key] for key in keys}
    for path in paths.values():
        if not path.is_file():
            raise FileNotFoundError(
                f"{root} is not an imdbfast run directory: missing {path.name}"
            )
    return paths


def write_history(history: Mapping[str, Sequence[float]], path: Path) -> None:
    """Writes per-epoch values as CSV: an ``epoch`` column (1-based), then one
    column per key, values written with ``repr`` (exact round trip).

    Args:
        history: ``{"loss": [...], "val_loss": [...], ...}`` as Keras reports
            it.
        path: the CSV file to write.
    """
    keys = list(history)
    epochs = max((len(v) for v in history.values()), default=0)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["epoch", *keys])
        for i in range(epochs):
            writer.writerow([
                i + 1,
                *(repr(float(history[k][i])) if i < len(history[k]) else ""
                  for k in keys),
            ])


def write_metrics(payload: Mapping[str, Any], path: Path) -> None:
    """Writes a run's metrics as indented JSON.

    Args:
        payload: a JSON-able mapping.
        path: the file to write.
    """
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
