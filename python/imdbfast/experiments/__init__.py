"""Experiment studies: sweeps over TrainConfig fields with repeated seeds.

A :class:`Study` is a base configuration plus axes (grid or zipped); each cell
runs with several seeds. :func:`run_study` trains the unfinished runs (sharing
data preparation between runs with the same data and tokenizer settings),
appends each finished run to ``results.jsonl`` so an interrupted study resumes,
and writes ``results.csv``, ``summary.csv``/``summary.md``, PNG plots and a
self-contained ``report.html``.

Example:
>>> from imdbfast.experiments import Study, run_study
>>> study = Study("seq", {"sequence_length": [150, 600]}, repeats=2)
>>> results = run_study(study, "studies", overrides={"epochs": 3,
...     "data_source": "../shared/data/aclImdb_v1_labeled.tar.gz"})
>>> print(results.table())

Built-in studies (:data:`BUILTIN_STUDIES`): ``sequence-length``,
``vocabulary``, ``training-size``, ``validation-size``, ``models``,
``presets`` (every training preset, with an accuracy-vs-training-time chart).
The command line is ``imdbfast experiment``.
"""

from __future__ import annotations

from imdbfast.experiments.builtin import BUILTIN_STUDIES, builtin_study
from imdbfast.experiments.runner import StudyResults, run_study
from imdbfast.experiments.study import (
    Axis,
    Cell,
    Reference,
    Study,
    StudyError,
    config_key,
    load_study,
    study_from_dict,
)

__all__ = [
    "Axis",
    "BUILTIN_STUDIES",
    "Cell",
    "Reference",
    "Study",
    "StudyError",
    "StudyResults",
    "builtin_study",
    "config_key",
    "load_study",
    "run_study",
    "study_from_dict",
]
