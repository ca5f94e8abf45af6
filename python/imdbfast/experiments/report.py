"""A study's outputs: tables, PNG plots and a self-contained HTML report.

:func:`write_outputs` writes into the study directory:

- ``results.csv``: one row per finished run (metrics, best epoch, seconds per
  phase, overhead beyond ``fit`` and ``evaluate``);
- ``summary.csv`` and ``summary.md``: one row per cell, test accuracy as mean
  ± sample standard deviation over its seeds, ``n``, the reference figure when
  the study declares one;
- ``plots/``: accuracy against the number of training reviews (one line per
  combination of the other axes, error bars, log x axis) when the study has a
  ``train_size`` axis; a bar chart per other axis; test accuracy against
  training time beside published anchors when the study has a ``preset``
  axis (:mod:`imdbfast.experiments._charts`); each cell's learning curves;
- ``report.html``: the study's configuration, the summary, the plots and the
  per-run details in one file (images embedded as data URIs; no scripts, no
  network).

Figures are drawn with matplotlib's object API on an Agg canvas, as in
:mod:`imdbfast.plots`.
"""

from __future__ import annotations

import base64
import csv
import datetime
import html
import math
import os
from pathlib import Path
from typing import Any, Mapping, Sequence

from imdbfast.experiments._charts import (
    figure,
    plot_accuracy_vs_time,
    training_seconds,
)
from imdbfast.experiments.builtin import REFERENCE_TRAIN_REVIEWS, STUDY_ANCHORS
from imdbfast.experiments.study import Cell, value_label

PLOTS_DIR = "plots"
PHASES = (
    "prepare",
    "load",
    "tokenize",
    "build",
    "fit",
    "evaluate",
    "save",
    "total",
    "wall",
)


# --- numbers ------------------------------------------------------------------------


def _mean_std(values: Sequence[float]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    mean = sum(values) / len(values)
    if len(values) < 2:
        return mean, None
    return mean, math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))


def overhead_seconds(record: Mapping[str, Any]) -> float:
    """A run's seconds beyond ``model.fit`` and ``evaluate``: preparing the data
    (when not shared), building the model, saving, the study's bookkeeping."""
    seconds = record["seconds"]
    return (
        float(seconds["wall"])
        - float(seconds.get("fit", 0.0))
        - float(seconds.get("evaluate", 0.0))
    )


def _axis_values(results: Any, cell: Cell) -> dict[str, str]:
    out = {}
    for axis in results.study.axes:
        value = cell.values[axis.name]
        out[axis.name] = (
            value_label(axis.name, value) if axis.kind == "field" else value
        )
    return out


def _accuracy_reference(cell: Cell) -> Any:
    for ref in cell.references:
        if ref.metric == "accuracy":
            return ref
    return None


def summary_rows(results: Any) -> list[dict[str, Any]]:
    """One row per cell of a :class:`~imdbfast.experiments.runner.StudyResults`.

    Columns: ``cell``, one per axis, ``n`` (finished runs), ``planned``,
    ``accuracy_mean``, ``accuracy_std`` (sample std; None for n < 2),
    ``accuracy_min``, ``accuracy_max``, ``loss_mean``, ``f1_mean``,
    ``best_epoch_mean``, ``train_examples``, ``fit_seconds_mean``,
    ``training_seconds_mean`` (model build + fit, the x of the
    accuracy-vs-time chart), ``overhead_seconds_mean``, ``overhead_percent`` (overhead / (fit +
    evaluate)), ``reference``, ``reference_label``, ``difference`` (mean minus
    reference).
    """
    rows = []
    for cell in results.cells:
        records = results.records_of(cell)
        acc = [r["test"]["accuracy"] for r in records]
        mean, std = _mean_std(acc)
        ref = _accuracy_reference(cell)
        timed = sum(
            r["seconds"].get("fit", 0) + r["seconds"].get("evaluate", 0)
            for r in records
        )
        row: dict[str, Any] = {"cell": cell.label, **_axis_values(results, cell)}
        row.update(
            n=len(records),
            planned=results.repeats,
            accuracy_mean=mean,
            accuracy_std=std,
            accuracy_min=min(acc) if acc else None,
            accuracy_max=max(acc) if acc else None,
            loss_mean=_mean_std([r["test"]["loss"] for r in records])[0],
            f1_mean=_mean_std([r["test"]["f1"] for r in records])[0],
            best_epoch_mean=_whole(_mean_std([r["best_epoch"] for r in records])[0]),
            train_examples=_whole(
                _mean_std([r["examples"]["train"] for r in records])[0]
            ),
            fit_seconds_mean=_mean_std([r["seconds"].get("fit", 0) for r in records])[
                0
            ],
            training_seconds_mean=_mean_std([training_seconds(r) for r in records])[0],
            overhead_seconds_mean=_mean_std([overhead_seconds(r) for r in records])[0],
            overhead_percent=(
                100 * sum(overhead_seconds(r) for r in records) / timed
                if timed
                else None
            ),
            reference=ref.value if ref else None,
            reference_label=ref.label if ref else "",
            difference=(mean - ref.value) if ref and mean is not None else None,
        )
        rows.append(row)
    return rows


def _whole(value: float | None) -> float | int | None:
    """A mean that is a whole number as an int (``1`` epochs, not ``1.0``)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _fmt(value: Any, digits: int = 4) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _accuracy_text(row: Mapping[str, Any]) -> str:
    if row["accuracy_mean"] is None:
        return "-"
    text = f"{row['accuracy_mean']:.4f}"
    if row["accuracy_std"] is not None:
        text += f" ± {row['accuracy_std']:.4f}"
    return text


def summary_markdown(results: Any) -> str:
    """The summary as a Markdown table (test accuracy mean ± std, n, reference)."""
    rows = summary_rows(results)
    axes = [axis.name for axis in results.study.axes]
    header = [*axes, "test accuracy (mean ± std)", "n", "reference"]
    header.append("reference source")
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in axes) + "|---:|---:|---:|---|",
    ]
    for row in rows:
        cells = [row[a] for a in axes] + [
            _accuracy_text(row),
            f"{row['n']}/{row['planned']}",
            _fmt(row["reference"], 3),
            row["reference_label"],
        ]
        lines.append(
            "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"
        )
    return "\n".join(lines) + "\n"


def _write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    columns: list[str] = []
    for row in rows:
        columns.extend(k for k in row if k not in columns)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if v is None else v for k, v in row.items()})


def run_rows(results: Any) -> list[dict[str, Any]]:
    """One row per finished run: the cell, seed, test and validation metrics,
    epochs, data sizes and seconds per phase (``overhead`` included)."""
    rows = []
    for record in results.records:
        cell = results.cell_of(record)
        row: dict[str, Any] = {"cell": cell.label, **_axis_values(results, cell)}
        row.update(repeat=record["repeat"], seed=record["seed"])
        for name in (
            "accuracy",
            "loss",
            "precision",
            "recall",
            "f1",
            "average_precision",
        ):
            row[name] = record["test"][name]
        row["val_accuracy"] = record["validation"].get("accuracy")
        row["val_loss"] = record["validation"].get("loss")
        row["best_epoch"] = record["best_epoch"]
        row["epochs_run"] = record["epochs_run"]
        for split, count in record["examples"].items():
            row[f"{split}_examples"] = count
        row["vocabulary_size"] = record["vocabulary_size"]
        for phase in PHASES:
            row[f"seconds_{phase}"] = record["seconds"].get(phase)
        row["seconds_overhead"] = overhead_seconds(record)
        row["shared_preparation"] = record.get("shared_preparation")
        row["run_dir"] = record["run_dir"]
        row["key"] = record["key"]
        rows.append(row)
    return rows


# --- plots ----------------------------------------------------------------------------


def _others_label(results: Any, cell: Cell, skip: str) -> str:
    parts = [
        f"{name}={value}"
        for name, value in _axis_values(results, cell).items()
        if name != skip
    ]
    return ", ".join(parts) or results.study.name


def plot_training_size(results: Any, path: Path) -> bool:
    """Test accuracy against training reviews, a line per other-axes combination.

    Returns:
        Whether a plot was written (the study needs a ``train_size`` axis with
        at least two finished cells).
    """
    if "train_size" not in {axis.name for axis in results.study.axes}:
        return False
    series: dict[str, list[tuple[float, float, float, Any]]] = {}
    for cell in results.cells:
        records = results.records_of(cell)
        if not records:
            continue
        mean, std = _mean_std([r["test"]["accuracy"] for r in records])
        x = sum(r["examples"]["train"] for r in records) / len(records)
        ref = _accuracy_reference(cell)
        series.setdefault(_others_label(results, cell, "train_size"), []).append(
            (x, mean or 0.0, std or 0.0, ref)
        )
    if sum(len(points) for points in series.values()) < 2:
        return False
    fig = figure(7.0, 4.5)
    ax = fig.add_subplot()
    ref_shown = False
    for name, points in series.items():
        points.sort(key=lambda p: p[0])
        xs, ys, es = (
            [p[0] for p in points],
            [p[1] for p in points],
            [p[2] for p in points],
        )
        line = ax.errorbar(xs, ys, yerr=es, marker="o", capsize=3, label=name)
        for x, _, _, ref in points:
            if ref is not None:
                # A figure measured on another number of reviews sits there.
                x = REFERENCE_TRAIN_REVIEWS.get((results.study.name, ref.label), x)
                ax.plot(
                    [x],
                    [ref.value],
                    marker="*",
                    markersize=11,
                    linestyle="none",
                    color=line[0].get_color(),
                    label=None if ref_shown else "published reference",
                )
                ref_shown = True
    ax.set_xscale("log")
    ax.set_xlabel("training reviews (log scale)")
    ax.set_ylabel("test accuracy (mean ± std over seeds)")
    ax.set_title(f"{results.study.name}: accuracy against training-set size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize="small")
    fig.savefig(os.fspath(path))
    return True


def plot_axis_bars(results: Any, axis_name: str, path: Path) -> bool:
    """Mean test accuracy per value of one axis (error bars: std over seeds),
    grouped by the other axes; published references as black marks.

    Returns:
        Whether a plot was written (at least one finished cell).
    """
    axis = next(a for a in results.study.axes if a.name == axis_name)
    groups: dict[str, dict[str, tuple[float, float, Any]]] = {}
    for cell in results.cells:
        records = results.records_of(cell)
        if not records:
            continue
        mean, std = _mean_std([r["test"]["accuracy"] for r in records])
        label = _axis_values(results, cell)[axis_name]
        groups.setdefault(_others_label(results, cell, axis_name), {})[label] = (
            mean or 0.0,
            std or 0.0,
            _accuracy_reference(cell),
        )
    if not groups:
        return False
    labels = [
        label
        for label in _axis_labels(results, axis)
        if any(label in g for g in groups.values())
    ]
    fig = figure(max(5.0, 1.2 * len(labels) * max(1, len(groups)) + 2), 4.5)
    ax = fig.add_subplot()
    width = 0.8 / len(groups)
    lows: list[float] = []
    ref_shown = False
    for g, (name, values) in enumerate(groups.items()):
        xs = [
            i + (g - (len(groups) - 1) / 2) * width
            for i, lab in enumerate(labels)
            if lab in values
        ]
        ys = [values[lab][0] for lab in labels if lab in values]
        es = [values[lab][1] for lab in labels if lab in values]
        ax.bar(xs, ys, width=width * 0.95, yerr=es, capsize=3, label=name)
        lows.extend(y - e for y, e in zip(ys, es))
        for x, lab in zip(xs, [lab for lab in labels if lab in values]):
            ref = values[lab][2]
            if ref is not None:
                ax.plot(
                    [x],
                    [ref.value],
                    marker="_",
                    markersize=18,
                    markeredgewidth=2.5,
                    color="black",
                    label=None if ref_shown else "published reference",
                )
                ref_shown = True
                lows.append(ref.value)
    ax.set_xticks(range(len(labels)), labels)
    ax.set_xlabel(axis_name)
    ax.set_ylabel("test accuracy (mean ± std over seeds)")
    bottom = max(0.0, min(lows) - 0.05) if lows else 0.0
    ax.set_ylim(bottom=math.floor(bottom * 20) / 20)
    ax.set_title(f"{results.study.name}: test accuracy by {axis_name}")
    ax.grid(True, axis="y", alpha=0.3)
    if len(groups) > 1 or ref_shown:
        ax.legend(fontsize="small")
    fig.savefig(os.fspath(path))
    return True


def _axis_labels(results: Any, axis: Any) -> list[str]:
    seen: list[str] = []
    for cell in results.cells:
        label = _axis_values(results, cell)[axis.name]
        if label not in seen:
            seen.append(label)
    return seen


#: The fewest epochs a learning curve is drawn for (one epoch is a point).
MIN_CURVE_EPOCHS = 2


def plot_cell_curves(results: Any, cell: Cell, path: Path) -> bool:
    """Each run of a cell: training and validation accuracy per epoch.

    Returns:
        Whether a plot was written (the cell has a finished run of at least
        :data:`MIN_CURVE_EPOCHS` epochs; the report says why when none has).
    """
    records = results.records_of(cell)
    if max((r["epochs_run"] for r in records), default=0) < MIN_CURVE_EPOCHS:
        return False
    fig = figure(6.0, 3.6)
    ax = fig.add_subplot()
    for record in records:
        history = record["history"]
        for key, style in (("val_accuracy", "-"), ("accuracy", ":")):
            values = history.get(key) or []
            if values:
                line = ax.plot(
                    range(1, len(values) + 1),
                    values,
                    style,
                    marker=".",
                    label=f"seed {record['seed']} "
                    f"{'validation' if key.startswith('val') else 'training'}",
                )
        ax.axvline(record["best_epoch"], color=line[0].get_color(), alpha=0.3)
    ax.set_xlabel("epoch")
    ax.set_ylabel("accuracy")
    ax.set_title(cell.label, fontsize="medium")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="x-small")
    fig.savefig(os.fspath(path))
    return True


def write_plots(results: Any) -> list[tuple[str, Path]]:
    """Writes the study's PNG plots into ``plots/``.

    Returns:
        ``(caption, path)`` of each plot written, summary plots first, then
        each cell's learning curves.
    """
    folder = results.directory / PLOTS_DIR
    folder.mkdir(exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    written: list[tuple[str, Path]] = []
    path = folder / "accuracy-vs-train-size.png"
    if plot_training_size(results, path):
        written.append(("Test accuracy against the number of training reviews", path))
    path = folder / "accuracy-vs-training-time.png"
    if plot_accuracy_vs_time(results, path):
        written.append(
            (
                (
                    "Test accuracy against training seconds (model build + fit, "
                    "log scale): mean over seeds, bars from the lowest to the "
                    "highest seed; dashed lines: published figures"
                ),
                path,
            )
        )
    for axis in results.study.axes:
        if axis.name == "train_size":
            continue
        path = folder / f"accuracy-by-{axis.name}.png"
        if plot_axis_bars(results, axis.name, path):
            written.append((f"Test accuracy by {axis.name}", path))
    for cell in results.cells:
        path = folder / f"curves-{cell.index:03d}.png"
        if plot_cell_curves(results, cell, path):
            written.append((f"Learning curves: {cell.label}", path))
    return written


# --- the HTML report ----------------------------------------------------------------

_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px;
       padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; }
th { background: #f0f0f0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1.5em 0; }
figure img { max-width: 100%; border: 1px solid #ddd; }
.curves { display: flex; flex-wrap: wrap; gap: 1em; }
.curves figure { width: 48%; margin: 0; }
.note { color: #555; font-size: 0.9em; }
code { background: #f6f6f6; padding: 0 0.2em; }
"""


def _esc(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _table(
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    table_id: str = "",
    numeric: Sequence[int] = (),
) -> str:
    opening = f'<table id="{_esc(table_id)}">' if table_id else "<table>"
    out = [opening, "<thead><tr>"]
    out.extend(f"<th>{_esc(h)}</th>" for h in header)
    out.append("</tr></thead><tbody>")
    for row in rows:
        out.append(
            "<tr>"
            + "".join(
                f'<td class="num">{_esc(v)}</td>'
                if i in numeric
                else f"<td>{_esc(v)}</td>"
                for i, v in enumerate(row)
            )
            + "</tr>"
        )
    out.append("</tbody></table>")
    return "".join(out)


def _image(path: Path, caption: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{_esc(caption)}">'
        f"<figcaption>{_esc(caption)}</figcaption></figure>"
    )


def resolved_config(results: Any, cell: Cell) -> dict[str, Any]:
    """A cell's TrainConfig fields, with the fields left to the model (None)
    replaced by the values its finished runs used (their ``resolved``
    record), where all of them agree."""
    config = cell.config.to_dict()
    records = results.records_of(cell)
    for field, value in list(config.items()):
        if value is not None or not records:
            continue
        used = {repr(r.get("resolved", {}).get(field)) for r in records}
        if len(used) == 1:
            config[field] = records[0].get("resolved", {}).get(field)
    return config


def _config_tables(results: Any) -> str:
    configs = [resolved_config(results, cell) for cell in results.cells]
    fields = list(configs[0])
    skip = {"output_dir", "run_name", "verbose"}
    common = [
        (f, configs[0][f])
        for f in fields
        if f not in skip and all(c[f] == configs[0][f] for c in configs)
    ]
    varying = [f for f in fields if f not in skip and f not in dict(common)]
    study = results.study
    parts = [
        _table(
            ["setting", "value"],
            [
                ["mode", study.mode],
                [
                    "repeats (seeds per cell)",
                    f"{results.repeats} (seed, seed + 1, ...)",
                ],
                ["preset", study.preset or "-"],
                [
                    "base fields",
                    ", ".join(f"{k}={v!r}" for k, v in study.base.items()) or "-",
                ],
                [
                    "overrides (options)",
                    ", ".join(f"{k}={v!r}" for k, v in results.overrides.items())
                    or "-",
                ],
                [
                    "axes",
                    "; ".join(f"{a.name}: {', '.join(a.labels)}" for a in study.axes),
                ],
            ],
        )
    ]
    parts.append("<h3>Fields every cell shares</h3>")
    parts.append(
        '<p class="note">Fields the configuration leaves to the model show the '
        "values the model and its optimizer used.</p>"
    )
    parts.append(_table(["field", "value"], [[f, repr(v)] for f, v in common]))
    if varying:
        parts.append("<h3>Fields that differ between cells</h3>")
        parts.append(
            _table(
                ["cell", *varying],
                [
                    [cell.label, *(repr(c[f]) for f in varying)]
                    for cell, c in zip(results.cells, configs)
                ],
            )
        )
    return "".join(parts)


def render_html(results: Any, plots: Sequence[tuple[str, Path]]) -> str:
    """The report page: configuration, summary, plots, per-run details.

    Args:
        results: a :class:`~imdbfast.experiments.runner.StudyResults`.
        plots: ``(caption, png path)`` pairs to embed.

    Returns:
        The HTML text (self-contained: images as data URIs, no scripts).
    """
    import imdbfast

    study = results.study
    axes = [axis.name for axis in study.axes]
    summary = summary_rows(results)
    planned = len(results.cells) * results.repeats
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    body = [
        f"<h1>Study <code>{_esc(study.name)}</code></h1>",
        f"<p>{_esc(study.description)}</p>" if study.description else "",
        (
            f'<p class="note">{len(results.records)} of {planned} runs finished; '
            f"{len(results.cells)} cells × {results.repeats} seeds. Generated {now} "
            f"by imdbfast {_esc(imdbfast.__version__)}.</p>"
        ),
        "<h2>Summary</h2>",
        (
            '<p class="note">Test accuracy on the test split: mean ± sample standard '
            "deviation over the seeds of each cell. References are published figures "
            "(single runs) quoted by the study.</p>"
        ),
        _table(
            [
                *axes,
                "test accuracy",
                "n",
                "reference",
                "difference",
                "reference source",
                "best epoch",
                "fit s",
                "overhead %",
            ],
            [
                [
                    *(row[a] for a in axes),
                    _accuracy_text(row),
                    f"{row['n']}/{row['planned']}",
                    _fmt(row["reference"], 3),
                    _fmt(row["difference"]),
                    row["reference_label"],
                    _fmt(row["best_epoch_mean"], 1),
                    _fmt(row["fit_seconds_mean"], 1),
                    _fmt(row["overhead_percent"], 2),
                ]
                for row in summary
            ],
            table_id="summary",
            numeric=[len(axes) + i for i in (0, 1, 2, 3, 5, 6, 7)],
        ),
        "<h2>Configuration</h2>",
        _config_tables(results),
    ]
    summary_plots = [(c, p) for c, p in plots if not p.name.startswith("curves-")]
    curve_plots = [(c, p) for c, p in plots if p.name.startswith("curves-")]
    if summary_plots:
        body.append("<h2>Plots</h2>")
        body.extend(_image(p, c) for c, p in summary_plots)
        anchors = STUDY_ANCHORS.get(study.name, ())
        if anchors and any(p.name == "accuracy-vs-training-time.png" for _, p in plots):
            body.append("<h3>Published anchors</h3>")
            body.append(
                _table(
                    ["test accuracy", "model", "source"],
                    [[f"{a.value:g}", a.label, a.source] for a in anchors],
                    table_id="anchors",
                    numeric=[0],
                )
            )
    body.append("<h2>Runs</h2>")
    run_table = run_rows(results)
    if run_table:
        body.append(
            _table(
                [
                    *axes,
                    "seed",
                    "accuracy",
                    "loss",
                    "F1",
                    "val accuracy",
                    "best epoch",
                    "train reviews",
                    "fit s",
                    "evaluate s",
                    "overhead s",
                    "run directory",
                ],
                [
                    [
                        *(r[a] for a in axes),
                        r["seed"],
                        _fmt(r["accuracy"]),
                        _fmt(r["loss"]),
                        _fmt(r["f1"]),
                        _fmt(r["val_accuracy"]),
                        f"{r['best_epoch']}/{r['epochs_run']}",
                        r["train_examples"],
                        _fmt(r["seconds_fit"], 1),
                        _fmt(r["seconds_evaluate"], 1),
                        _fmt(r["seconds_overhead"], 2),
                        r["run_dir"],
                    ]
                    for r in run_table
                ],
                table_id="runs",
                numeric=[len(axes) + i for i in range(0, 10)],
            )
        )
    else:
        body.append("<p>No finished runs yet.</p>")
    if curve_plots:
        body.append("<h2>Learning curves</h2>")
        body.append('<div class="curves">')
        body.extend(_image(p, c) for c, p in curve_plots)
        body.append("</div>")
    elif results.records:
        most = max(r["epochs_run"] for r in results.records)
        body.append("<h2>Learning curves</h2>")
        body.append(
            f'<p class="note">No learning curves: the runs trained for {most} '
            f"epoch{'s' if most != 1 else ''}, and a curve needs "
            f"{MIN_CURVE_EPOCHS} or more (run the study with --epochs "
            f"{MIN_CURVE_EPOCHS} or more to see them).</p>"
        )
    if results.ignored:
        body.append(
            f'<p class="note">{results.ignored} earlier run(s) in results.jsonl belong '
            "to cells that are no longer part of the study; they are kept in the file "
            "and left out here.</p>"
        )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<link rel="icon" href="data:,">\n'
        f"<title>imdbfast study {_esc(study.name)}</title>\n<style>{_CSS}</style>\n"
        "</head>\n<body>\n" + "\n".join(b for b in body if b) + "\n</body>\n</html>\n"
    )


def write_outputs(results: Any) -> dict[str, Path]:
    """Writes ``results.csv``, ``summary.csv``, ``summary.md``, the plots and
    ``report.html`` into the study directory.

    Returns:
        Name -> path of each file written (plots under ``plots/``).
    """
    directory: Path = results.directory
    paths = {
        "results_csv": directory / "results.csv",
        "summary_csv": directory / "summary.csv",
        "summary_md": directory / "summary.md",
        "report": directory / "report.html",
    }
    _write_csv(paths["results_csv"], run_rows(results))
    _write_csv(paths["summary_csv"], summary_rows(results))
    study = results.study
    markdown = f"# Study {study.name}\n\n"
    if study.description:
        markdown += study.description + "\n\n"
    markdown += summary_markdown(results)
    paths["summary_md"].write_text(markdown, encoding="utf-8")
    plots = write_plots(results)
    paths["report"].write_text(render_html(results, plots), encoding="utf-8")
    for caption, path in plots:
        paths[path.stem] = path
    return paths
