"""The accuracy-vs-training-time chart of a study, and the figure plumbing.

:func:`plot_accuracy_vs_time` draws one point per cell of a study that has a
``preset`` axis (the ``presets`` study): x is the training time in seconds
on a log axis, y the test accuracy, each at the mean over the cell's seeds
with error bars from the smallest to the largest seed (min-max, both axes),
labelled with the cell's preset; the published anchors of the study
(:data:`imdbfast.experiments.builtin.STUDY_ANCHORS`) are horizontal lines
with their labels.

The training time of a run (:func:`training_seconds`) is what
:func:`imdbfast.train` spends turning the tokenized data into a trained
model: building the model (with its naive-Bayes ratios) plus ``model.fit``
over every epoch, validation included. Loading and tokenizing the data
(shared between the runs of a study, see
:mod:`imdbfast.experiments.runner`), the GloVe lookup, the test evaluation
and saving are left out; every run records them apart in ``seconds``.

Figures are drawn with matplotlib's object API on an Agg canvas, as in
:mod:`imdbfast.plots`.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from imdbfast.experiments.builtin import STUDY_ANCHORS, Anchor

#: The seconds of a run's ``seconds`` record that make its training time.
TRAINING_PHASES = ("build", "fit")


def figure(width: float, height: float) -> Any:
    """A matplotlib Figure of that size (inches) on an Agg canvas, laid out
    with the constrained layout."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def training_seconds(record: Mapping[str, Any]) -> float:
    """A finished run's training time: the sum of its :data:`TRAINING_PHASES`
    seconds (model build and ``model.fit``; see the module docstring)."""
    seconds = record["seconds"]
    return sum(float(seconds.get(phase, 0.0)) for phase in TRAINING_PHASES)


@dataclasses.dataclass(frozen=True)
class TimePoint:
    """One cell on the chart: means over its seeds and their min-max spread.

    Attributes:
        label: what the point is labelled with (the preset).
        seconds: mean training seconds.
        seconds_range: (smallest, largest) training seconds of a seed.
        accuracy: mean test accuracy.
        accuracy_range: (smallest, largest) test accuracy of a seed.
        runs: the number of finished runs behind the point.
    """

    label: str
    seconds: float
    seconds_range: tuple[float, float]
    accuracy: float
    accuracy_range: tuple[float, float]
    runs: int


def time_point(label: str, records: Sequence[Mapping[str, Any]]) -> TimePoint:
    """The :class:`TimePoint` of a cell's finished runs (at least one)."""
    seconds = [training_seconds(r) for r in records]
    accuracy = [float(r["test"]["accuracy"]) for r in records]
    return TimePoint(
        label,
        sum(seconds) / len(seconds),
        (min(seconds), max(seconds)),
        sum(accuracy) / len(accuracy),
        (min(accuracy), max(accuracy)),
        len(records),
    )


def has_time_chart(study: Any) -> bool:
    """Whether a study's report draws the accuracy-vs-time chart: it has a
    ``preset`` axis (one point per preset)."""
    return any(axis.name == "preset" for axis in study.axes)


def time_points(results: Any) -> list[TimePoint]:
    """One :class:`TimePoint` per cell of a study with finished runs.

    Args:
        results: a :class:`~imdbfast.experiments.runner.StudyResults` (or
            anything with ``study``, ``cells`` and ``records_of``).

    Returns:
        The points in study order; a point is labelled with the cell's
        preset, followed by its other axis values when there are any.
    """
    points = []
    for cell in results.cells:
        records = results.records_of(cell)
        if not records:
            continue
        parts = [str(cell.values["preset"])] if "preset" in cell.values else []
        parts += [f"{k}={v}" for k, v in cell.values.items() if k != "preset"]
        points.append(time_point(", ".join(parts) or cell.label, records))
    return points


def accuracy_time_figure(
    points: Sequence[TimePoint], anchors: Sequence[Anchor], title: str
) -> Any:
    """The chart of :func:`plot_accuracy_vs_time` as a matplotlib Figure.

    Args:
        points: the cells to draw (at least one).
        anchors: published figures drawn as labelled horizontal lines.
        title: the figure's title.

    Returns:
        The Figure: one axes, log x axis, an errorbar container per point,
        one dashed line per anchor.
    """
    fig = figure(8.0, 5.0)
    ax = fig.add_subplot()
    colors = [f"C{i % 10}" for i in range(len(points))]
    for point, color in zip(points, colors):
        low_s, high_s = point.seconds_range
        low_a, high_a = point.accuracy_range
        ax.errorbar(
            [point.seconds],
            [point.accuracy],
            xerr=[[point.seconds - low_s], [high_s - point.seconds]],
            yerr=[[point.accuracy - low_a], [high_a - point.accuracy]],
            marker="o",
            capsize=3,
            color=color,
            linestyle="none",
            label=f"{point.label} (n={point.runs})",
        )
        ax.annotate(
            point.label,
            (point.seconds, point.accuracy),
            xytext=(5, 5),
            textcoords="offset points",
            fontsize="small",
            color=color,
        )
    ax.set_xscale("log")
    low_x = min(p.seconds_range[0] for p in points)
    high_x = max(p.seconds_range[1] for p in points)
    low_x = low_x if low_x > 0 else 0.01
    ax.set_xlim(low_x / 2, max(high_x, low_x) * 3)
    # Labels alternate left and right, so that close figures stay readable.
    for i, anchor in enumerate(sorted(anchors, key=lambda a: a.value)):
        ax.axhline(anchor.value, color="0.4", linestyle="--", linewidth=0.9)
        side = i % 2
        ax.annotate(
            f"{anchor.label} {anchor.value:g}",
            (float(side), anchor.value),
            xycoords=("axes fraction", "data"),
            xytext=(-3 if side else 3, 2),
            textcoords="offset points",
            horizontalalignment="right" if side else "left",
            fontsize="x-small",
            color="0.3",
        )
    values = [p.accuracy_range[0] for p in points] + [a.value for a in anchors]
    tops = [p.accuracy_range[1] for p in points] + [a.value for a in anchors]
    ax.set_ylim(max(0.0, min(values) - 0.02), min(1.0, max(tops) + 0.01))
    ax.set_xlabel("training seconds (model build + fit; log scale)")
    ax.set_ylabel("test accuracy (mean over seeds, bars: min-max)")
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize="x-small", loc="lower right")
    return fig


def plot_accuracy_vs_time(results: Any, path: Path) -> bool:
    """Writes the accuracy-vs-training-time chart of a study (module docstring).

    Returns:
        Whether a chart was written (the study has a ``preset`` axis and a
        finished run).
    """
    if not has_time_chart(results.study):
        return False
    points = time_points(results)
    if not points:
        return False
    anchors = STUDY_ANCHORS.get(results.study.name, ())
    fig = accuracy_time_figure(
        points,
        anchors,
        f"{results.study.name}: test accuracy against training time",
    )
    fig.savefig(os.fspath(path))
    return True
