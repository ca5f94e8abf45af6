"""The ``presets`` study and its accuracy-vs-training-time chart.

The chart tests draw made-up results (no training); the study test trains two
cheap presets for one epoch on the synthetic reviews of train_helpers."""

from __future__ import annotations

import types
from pathlib import Path

import pytest

pytest.importorskip("matplotlib")

from imdbfast.cli import main
from imdbfast.config import TrainConfig, preset_names
from imdbfast.experiments import BUILTIN_STUDIES, Study, builtin_study
from imdbfast.experiments._charts import (
    TimePoint,
    accuracy_time_figure,
    plot_accuracy_vs_time,
    time_points,
    training_seconds,
)
from imdbfast.experiments.builtin import (
    PUBLISHED_ANCHORS,
    STUDY_ANCHORS,
    glove_presets,
    presets_study,
)

PNG = b"\x89PNG\r\n\x1a\n"


# --- the study -------------------------------------------------------------------


def test_presets_study_trains_every_preset_of_the_registry():
    glove = set(glove_presets())
    assert glove == {n for n in preset_names() if TrainConfig.preset(n).uses_glove}
    assert glove and "ngrams-linear" not in glove
    study = BUILTIN_STUDIES["presets"]
    assert study is builtin_study("presets")
    assert [a.name for a in study.axes] == ["preset"]
    assert list(study.axes[0].labels) == [n for n in preset_names() if n not in glove]
    assert study.repeats >= 2
    for cell in study.cells():  # each cell is its preset, unchanged
        assert cell.config == TrainConfig.preset(cell.values["preset"])
    with_glove = builtin_study("presets", glove=True)
    assert list(with_glove.axes[0].labels) == preset_names()
    assert with_glove.name == "presets"
    assert builtin_study("models", glove=True) is BUILTIN_STUDIES["models"]
    two = presets_study(names=["fasttext-bigrams", "ngrams-linear"])
    assert list(two.axes[0].labels) == ["fasttext-bigrams", "ngrams-linear"]
    for word in ("GloVe", "--glove", "ensembles"):
        assert word in study.description


def test_the_published_anchors_are_the_issues_figures_with_sources():
    values = {a.label: a.value for a in PUBLISHED_ANCHORS}
    assert values == {
        "NBSVM bigrams": 0.9122,
        "NBSVM trigrams": 0.9187,
        "keras-nbsvm": 0.925,
        "Mesnil et al. ensemble": 0.9257,
        "Bingyu & Arefyev": 0.9368,
    }
    assert all(a.source for a in PUBLISHED_ANCHORS)
    assert STUDY_ANCHORS["presets"] == PUBLISHED_ANCHORS


def run_main(capsys, *argv: str) -> tuple[int, str]:
    try:
        status = main(list(argv))
    except SystemExit as exit:
        status = exit.code
    out, err = capsys.readouterr()
    return status, out + err


def test_the_command_line_lists_it_and_adds_glove_presets_with_glove(capsys, tmp_path):
    status, out = run_main(capsys, "experiment", "--list")
    assert status == 0 and "presets: every training preset" in out
    status, out = run_main(capsys, "experiment", "presets", "--dry-run")
    assert status == 0 and "preset=ngrams-linear (seed" in out
    assert "preset=bilstm-glove-frozen" not in out
    glove = tmp_path / "glove.txt"
    glove.write_text("good 0.1 0.2\n", encoding="utf-8")
    status, out = run_main(capsys, "experiment", "presets", "--dry-run",
                           "--glove", str(glove))
    assert status == 0
    for name in glove_presets():
        assert f"preset={name} (seed" in out
    assert f"presets: {len(preset_names())} cells x 2 seeds" in out


# --- the chart on made-up results --------------------------------------------------


def _record(accuracy: float, build: float, fit: float) -> dict:
    return {"test": {"accuracy": accuracy},
            "seconds": {"build": build, "fit": fit, "evaluate": 99.0, "prepare": 50.0}}


def test_training_seconds_are_build_plus_fit_and_points_span_the_seeds():
    assert training_seconds(_record(0.9, 1.5, 20.0)) == 21.5
    study = presets_study(names=["ngrams-linear", "fasttext-bigrams"])
    cells = study.cells()
    records = {cells[0].key: [_record(0.90, 1.0, 9.0), _record(0.92, 1.0, 19.0)],
               cells[1].key: []}
    results = types.SimpleNamespace(study=study, cells=cells,
                                    records_of=lambda cell: records[cell.key])
    (point,) = time_points(results)  # a cell without runs has no point
    assert point.label == "ngrams-linear" and point.runs == 2
    assert point.seconds == pytest.approx(15.0)
    assert point.seconds_range == (10.0, 20.0)
    assert point.accuracy == pytest.approx(0.91)
    assert point.accuracy_range == (0.90, 0.92)


def test_the_chart_has_log_time_error_bars_labels_and_anchor_lines():
    from matplotlib.container import ErrorbarContainer

    points = [
        TimePoint("ngrams-linear", 20.0, (18.0, 23.0), 0.91, (0.905, 0.915), 2),
        TimePoint("bilstm-learned", 900.0, (850.0, 950.0), 0.86, (0.85, 0.87), 2),
    ]
    fig = accuracy_time_figure(points, PUBLISHED_ANCHORS, "made up")
    (ax,) = fig.axes
    assert ax.get_xscale() == "log"
    bars = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    assert len(bars) == 2 and all(c.has_xerr and c.has_yerr for c in bars)
    for container, point in zip(bars, points):
        xs, ys = container.lines[0].get_data()
        assert (xs[0], ys[0]) == (point.seconds, point.accuracy)
        # the y bar runs from the lowest to the highest seed
        segments = container.lines[2][1].get_segments()
        assert segments[0][:, 1].tolist() == pytest.approx(list(point.accuracy_range))
    horizontal = {line.get_ydata()[0] for line in ax.lines
                  if len(set(line.get_ydata())) == 1 and line.get_linestyle() == "--"}
    assert horizontal == {a.value for a in PUBLISHED_ANCHORS}
    texts = {t.get_text() for t in ax.texts}
    assert {"ngrams-linear", "bilstm-learned"} <= texts
    assert "NBSVM trigrams 0.9187" in texts and "keras-nbsvm 0.925" in texts
    low, high = ax.get_ylim()
    assert low <= 0.85 and high >= 0.9368


def test_plot_accuracy_vs_time_needs_a_preset_axis_and_a_finished_run(tmp_path):
    study = presets_study(names=["ngrams-linear"])
    cells = study.cells()
    done = types.SimpleNamespace(study=study, cells=cells,
                                 records_of=lambda cell: [_record(0.9, 1.0, 5.0)])
    assert plot_accuracy_vs_time(done, tmp_path / "c.png")
    assert (tmp_path / "c.png").read_bytes()[:8] == PNG
    empty = types.SimpleNamespace(study=study, cells=cells, records_of=lambda cell: [])
    assert not plot_accuracy_vs_time(empty, tmp_path / "none.png")
    other = Study("seq", {"sequence_length": [20, 30]})
    sweep = types.SimpleNamespace(study=other, cells=other.cells(),
                                  records_of=lambda cell: [_record(0.9, 1.0, 5.0)])
    assert not plot_accuracy_vs_time(sweep, tmp_path / "sweep.png")
    assert not (tmp_path / "none.png").exists() and not (tmp_path / "sweep.png").exists()


# --- a tiny run -----------------------------------------------------------------------


@pytest.mark.slow
def test_a_tiny_presets_study_writes_the_chart_into_its_report(tmp_path_factory):
    pytest.importorskip("keras")
    from imdbfast.experiments import run_study
    from train_helpers import tiny_imdb

    study = presets_study(names=["ngrams-linear", "fasttext-bigrams"])
    overrides = {"data_source": str(tiny_imdb(tmp_path_factory)), "epochs": 1,
                 "max_tokens": 300, "sequence_length": 200, "batch_size": 16,
                 "eval_batch_size": 32}
    out: Path = tmp_path_factory.mktemp("studies")
    results = run_study(study, out, overrides=overrides, repeats=2, progress=False,
                        quiet=True, log=lambda line: None)
    assert results.complete and len(results.records) == 4
    for record in results.records:
        assert training_seconds(record) > 0
    chart = out / "presets" / "plots" / "accuracy-vs-training-time.png"
    assert chart.read_bytes()[:8] == PNG
    summary = results.summary()
    assert all(row["training_seconds_mean"] > 0 for row in summary)
    html = (out / "presets" / "report.html").read_text(encoding="utf-8")
    assert "Test accuracy against training seconds (model build + fit" in html
    plots = list((out / "presets" / "plots").glob("*.png"))
    assert html.count("data:image/png;base64,") == len(plots)
    assert 'id="anchors"' in html and "Bingyu &amp; Arefyev" in html
    assert "0.9368" in html
