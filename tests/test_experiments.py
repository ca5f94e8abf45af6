"""Experiment studies: expansion, bad input, resumable results, shared
preparations, interrupts, outputs and the ``imdbfast experiment`` command.

The training tests run tiny models for one epoch on the synthetic reviews of
train_helpers (200 training reviews)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

# Models and training: skipped without a Keras backend (pip install imdbfast[tensorflow]).
pytest.importorskip("keras")

from train_helpers import TINY_TRAIN, tiny_imdb, write_glove

from imdbfast.cli import main
from imdbfast.config import TrainConfig
from imdbfast.experiments import (
    BUILTIN_STUDIES,
    Study,
    StudyError,
    builtin_study,
    config_key,
    load_study,
    run_study,
    study_from_dict,
)
from imdbfast.experiments.runner import (
    RESULTS_FILE,
    append_record,
    open_study_dir,
    plan_runs,
    read_records,
)

TINY = {k: v for k, v in TINY_TRAIN.items() if k != "verbose"} | {"epochs": 1}


def lines_of(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


# --- expansion -------------------------------------------------------------------


def test_grid_is_the_product_of_the_axes_first_axis_slowest():
    study = Study("g", {"sequence_length": [20, 30], "embeddings": ["learned", "glove"]},
                  base={"epochs": 2})
    cells = study.cells()
    assert [c.label for c in cells] == [
        "sequence_length=20, embeddings=learned", "sequence_length=20, embeddings=glove",
        "sequence_length=30, embeddings=learned", "sequence_length=30, embeddings=glove",
    ]
    assert [(c.config.sequence_length, c.config.embeddings) for c in cells] == [
        (20, "learned"), (20, "glove"), (30, "learned"), (30, "glove")]
    assert all(c.config.epochs == 2 for c in cells)
    assert len({c.key for c in cells}) == 4


def test_zip_pairs_the_values_and_needs_equal_lengths():
    study = Study("z", {"sequence_length": [20, 30], "max_tokens": [100, "all"]}, mode="zip")
    assert [(c.config.sequence_length, c.config.max_tokens) for c in study.cells()] == [
        (20, 100), (30, None)]
    with pytest.raises(StudyError, match=r"same number of values.*sequence_length \(2\)"):
        Study("z", {"sequence_length": [20, 30], "epochs": [1]}, mode="zip")


def test_preset_and_variant_axes_and_the_order_of_precedence():
    study = Study("v", {"preset": ["seed000", "seed004"]}, base={"epochs": 3})
    seed000, seed004 = study.cells()
    assert seed004.config == TrainConfig.preset("seed004", epochs=3)
    assert seed000.config == TrainConfig(epochs=3)
    variants = Study("v", {"arch": {"small": {"units": 4, "epochs": 1},
                                    "lstm": {"preset": "seed004"}}},
                     base={"epochs": 2, "units": 8})
    small, lstm = variants.cells({"units": 16})
    assert (small.config.units, small.config.epochs) == (4, 1)  # the axis wins
    assert lstm.config.model == "lstm" and lstm.config.units == 16  # options > base
    assert small.label == "arch=small"


def test_seeds_follow_the_cells_seed_and_runs_go_seed_by_seed():
    study = Study("s", {"sequence_length": [20, 30]}, base={"seed": 5}, repeats=3)
    cell = study.cells()[0]
    assert [c.seed for c in cell.run_configs(3)] == [5, 6, 7]
    runs = plan_runs(study.cells(), 2)
    assert [(r.cell.index, r.config.seed) for r in runs] == [(0, 5), (1, 5), (0, 6), (1, 6)]
    assert len({r.key for r in runs}) == 4


def test_run_keys_ignore_output_fields_but_not_the_seed_or_data():
    config = TrainConfig(epochs=1, data_source="x")
    assert config_key(config) == config_key(config.replace(verbose=0, output_dir="elsewhere",
                                                           run_name="r"))
    assert config_key(config) == config_key(config.replace(glove_source="other"))  # learned
    assert config_key(config) != config_key(config.replace(seed=config.seed + 1))
    assert config_key(config) != config_key(config.replace(data_source="y"))
    glove = config.replace(embeddings="glove")
    assert config_key(glove) != config_key(glove.replace(glove_source="other"))


def test_train_size_option_caps_the_axis_and_merges_identical_cells():
    study = builtin_study("training-size")
    cells = study.cells({"train_size": 300})
    assert [c.config.train_size for c in cells] == [100] * 3 + [300] * 3
    assert [c.label for c in cells][3] == "train_size=300, embeddings=learned"
    # the published "all" figures no longer describe the capped cells
    assert [len(c.references) for c in cells] == [1, 0, 0, 0, 0, 0]


def test_builtin_studies_carry_the_seeds_reference_figures():
    assert set(BUILTIN_STUDIES) == {"sequence-length", "vocabulary", "training-size",
                                    "validation-size", "models", "presets"}
    refs = {(s.name, c.label): [r.value for r in c.references]
            for s in BUILTIN_STUDIES.values() for c in s.cells()}
    assert refs[("sequence-length", "sequence_length=150")] == [0.825]
    assert refs[("sequence-length", "sequence_length=600")] == [0.862]
    assert refs[("vocabulary", "max_tokens=10000")] == [0.871]
    assert refs[("training-size", "train_size=all, embeddings=glove")] == [0.878]
    hundred = builtin_study("training-size").cells()[0]
    assert hundred.config.train_size == 100 and hundred.config.embeddings == "learned"
    assert hundred.references[0].value == 0.764
    assert "3,200 reviews" in hundred.references[0].label
    sizes = [c.config.train_size for c in builtin_study("training-size").cells()]
    assert sorted(set(sizes), key=lambda s: s or 10**9) == [100, 500, 1000, 5000, None]
    models = [c.config.model for c in builtin_study("models").cells()]
    assert models == ["bilstm", "flatten", "deep_bilstm_attention", "lstm"]
    for study in BUILTIN_STUDIES.values():
        assert study.repeats >= 2


def test_study_files_toml_and_json_give_the_same_study(tmp_path):
    toml = tmp_path / "sweep.toml"
    toml.write_text(
        'description = "a sweep"\npreset = "seed000"\nrepeats = 2\n'
        "[base]\nepochs = 2\ntrain_size = \"all\"\n"
        "[axes]\nsequence_length = [150, 600]\n"
        '[axes.variant]\nsmall = { units = 8 }\nlarge = { units = 64, dropout = 0.3 }\n'
        "[[references]]\nwhere = { sequence_length = 150, variant = \"small\" }\n"
        'value = 0.8\nlabel = "somewhere"\n', encoding="utf-8")
    study = load_study(toml)
    assert study.name == "sweep" and study.repeats == 2
    assert len(study.cells()) == 4
    assert study.cells()[0].references[0].value == 0.8
    assert [len(c.references) for c in study.cells()] == [1, 0, 0, 0]
    as_json = tmp_path / "sweep.json"
    as_json.write_text(json.dumps(study.to_dict()), encoding="utf-8")
    again = load_study(as_json)
    assert again.to_dict() == study.to_dict()
    assert [c.key for c in again.cells()] == [c.key for c in study.cells()]


# --- bad input ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ({"axes": {"sequence_lenght": [1, 2]}}, r"axes\.sequence_lenght.*unknown axis"),
        ({"axes": {"sequence_length": [10]}, "base": {"epoch": 2}},
         r"base\.epoch: unknown field 'epoch' \(did you mean 'epochs'\?\)"),
        ({"axes": {"sequence_length": ["long"]}},
         r"axes\.sequence_length: `sequence_length` must be an integer"),
        ({"axes": {"strip_html": [1]}}, r"`strip_html` must be a boolean"),
        ({"axes": {"sequence_length": [0]}}, r"cell sequence_length=0: .*sequence_length"),
        ({"axes": {"sequence_length": []}}, r"axes\.sequence_length: the axis has no values"),
        ({"axes": {}}, r"axes is empty"),
        ({"name": "x"}, r"missing 'axes'"),
        ({"axes": {"epochs": [1]}, "repeat": 2}, r"unknown key\(s\) 'repeat'"),
        ({"axes": {"epochs": [1]}, "repeats": 0}, r"repeats must be an integer >= 1"),
        ({"axes": {"epochs": [1]}, "mode": "product"}, r"mode must be 'grid' or 'zip'"),
        ({"axes": {"preset": ["seed999"]}}, r"axes\.preset: unknown preset"),
        ({"axes": {"run_name": ["a"]}}, r"`run_name` is set by the study runner"),
        ({"axes": {"epochs": [1, 1]}}, r"axes\.epochs: repeated values: 1"),
        ({"axes": {"epochs": [1, 1], "units": [4, 8]}, "mode": "zip",
          "base": {"units": 2}, "preset": "nope"}, r"preset: unknown preset"),
        ({"axes": {"epochs": [1]}, "references": [{"where": {"units": 4}, "value": 0.8}]},
         r"references\[0\]\.where: 'units' is not an axis"),
        ({"axes": {"epochs": [1]}, "references": [{"where": {"epochs": 1}, "value": "x"}]},
         r"references\[0\]\.value must be a number"),
        ({"axes": {"epochs": [1]}, "name": "a/b"}, r"study name must be a plain"),
    ],
)
def test_bad_studies_raise_one_error_naming_the_field(data, match):
    with pytest.raises(StudyError, match=match):
        study_from_dict({"name": "bad", **data} if "name" not in data else data)


def test_unparsable_study_files_name_the_file(tmp_path):
    toml = tmp_path / "broken.toml"
    toml.write_text("[axes\nepochs = [1]\n", encoding="utf-8")
    with pytest.raises(StudyError, match=r"broken\.toml: not a valid TOML study file"):
        load_study(toml)
    bad_json = tmp_path / "broken.json"
    bad_json.write_text('{"axes": ', encoding="utf-8")
    with pytest.raises(StudyError, match=r"broken\.json: not a valid JSON study file"):
        load_study(bad_json)
    other = tmp_path / "study.yaml"
    other.write_text("axes: {}", encoding="utf-8")
    with pytest.raises(StudyError, match=r"must end in \.toml or \.json"):
        load_study(other)


def test_bad_overrides_fail_before_any_training(tmp_path, monkeypatch):
    from imdbfast import training

    def no_training(*args, **kwargs):
        raise AssertionError("nothing may be trained")

    monkeypatch.setattr(training, "train", no_training)
    monkeypatch.setattr(training, "prepare", no_training)
    study = Study("o", {"epochs": [1, 2]})
    with pytest.raises(StudyError, match="`train_size` must be an integer"):
        run_study(study, tmp_path, overrides={"train_size": "many"}, progress=False)
    with pytest.raises(StudyError, match="unknown field 'epoch'"):
        run_study(study, tmp_path, overrides={"epoch": 1}, progress=False)
    with pytest.raises(StudyError, match="repeats must be"):
        run_study(study, tmp_path, repeats=0, progress=False)
    assert not (tmp_path / "o").exists()


# --- the results file ------------------------------------------------------------------


def _record(study: str, key: str) -> dict:
    return {"format": "imdbfast.StudyRun", "version": 1, "study": study, "key": key}


def test_a_trailing_partial_line_is_dropped_and_whole_lines_are_kept(tmp_path):
    study = Study("p", {"epochs": [1]})
    directory = tmp_path / "p"
    open_study_dir(directory, study)
    results = directory / RESULTS_FILE
    first = append_record(results, _record("p", "a"))
    with open(results, "ab") as f:
        f.write(b'{"format": "imdbfast.StudyRun", "stu')  # killed while writing
    records, end = read_records(results, "p")
    assert [r["key"] for r in records] == ["a"] and end == len(first)
    open_study_dir(directory, study)  # truncates the partial line before appending
    assert results.read_bytes() == first
    second = append_record(results, _record("p", "b"))
    assert results.read_bytes() == first + second


def test_results_of_another_study_are_refused(tmp_path):
    open_study_dir(tmp_path / "p", Study("p", {"epochs": [1]}))
    with pytest.raises(StudyError, match="holds the results of study 'p', not 'q'"):
        open_study_dir(tmp_path / "p", Study("q", {"epochs": [1]}))
    # a results file copied in from elsewhere
    append_record(tmp_path / "p" / RESULTS_FILE, _record("q", "k"))
    with pytest.raises(StudyError, match="holds results of study 'q', not 'p'"):
        open_study_dir(tmp_path / "p", Study("p", {"epochs": [1]}))
    # a results file with no study record beside it
    orphan = tmp_path / "r"
    orphan.mkdir()
    append_record(orphan / RESULTS_FILE, _record("r", "k"))
    with pytest.raises(StudyError, match="without study.json"):
        open_study_dir(orphan, Study("r", {"epochs": [1]}))
    # a corrupt line in the middle
    corrupt = tmp_path / "c"
    open_study_dir(corrupt, Study("c", {"epochs": [1]}))
    (corrupt / RESULTS_FILE).write_bytes(b"not json\n" + b"{}\n")
    with pytest.raises(StudyError, match="line 1: not a valid JSON run record"):
        open_study_dir(corrupt, Study("c", {"epochs": [1]}))


def test_a_study_directory_runs_one_process_at_a_time(tmp_path, monkeypatch):
    import fcntl

    from imdbfast import training

    monkeypatch.setattr(training, "train", None)  # nothing may be trained
    study = Study("locked", {"epochs": [1]})
    run_study(study, tmp_path, train=False, report=False, progress=False)
    # The lock is gone once the study is done: no stale .lock file.
    assert not (tmp_path / "locked" / ".lock").exists()
    with open(tmp_path / "locked" / ".lock", "a") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # another process
        with pytest.raises(StudyError, match="another imdbfast experiment is running"):
            run_study(study, tmp_path, progress=False)
    run_study(study, tmp_path, train=False, report=False, progress=False)  # released
    assert sorted(p.name for p in (tmp_path / "locked").iterdir() if p.name == ".lock") == []


# --- the command line (no training) -------------------------------------------------------


def run_main(capsys, *argv):
    try:
        status = main(list(argv))
    except SystemExit as exit:
        status = exit.code
    out, err = capsys.readouterr()
    return status, out, err


def test_list_shows_every_builtin_study(capsys):
    status, out, _ = run_main(capsys, "experiment", "--list")
    assert status == 0
    for name in BUILTIN_STUDIES:
        assert f"{name}: " in out
    assert "15 cells x 2 seeds" in out


def test_dry_run_lists_cells_and_references(capsys, tmp_path):
    status, out, _ = run_main(capsys, "experiment", "sequence-length", "--dry-run",
                              "--epochs", "1", "--repeats", "3")
    assert status == 0
    assert "sequence-length: 2 cells x 3 seeds" in out
    assert "sequence_length=150 (seed 1337...1339); reference accuracy 0.825" in out


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("[axes]\nepochs = [1, 'x']\n", "`epochs` must be an integer"),
        ("[axes]\nmodle = ['lstm']\n", "unknown axis 'modle'"),
        ("axes = [\n", "not a valid TOML study file"),
        ("[axes]\nepochs = []\n", "the axis has no values"),
    ],
)
def test_bad_study_files_are_one_line_errors(capsys, tmp_path, content, match):
    path = tmp_path / "study.toml"
    path.write_text(content, encoding="utf-8")
    status, _, err = run_main(capsys, "experiment", str(path), "--output-dir",
                              str(tmp_path / "out"))
    assert status == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("imdbfast: error: "), err
    assert match in lines[0]
    assert not (tmp_path / "out").exists()


def test_unknown_study_and_missing_study_are_one_line_errors(capsys, tmp_path):
    status, _, err = run_main(capsys, "experiment", "no-such-study")
    assert status == 1 and "unknown study" in err and "training-size" in err
    status, _, err = run_main(capsys, "experiment", str(tmp_path / "missing.toml"))
    assert status == 1 and "study file not found" in err
    status, _, err = run_main(capsys, "experiment")
    assert status == 1 and "expected a STUDY" in err
    status, _, err = run_main(capsys, "experiment", "models", "--epochs", "0")
    assert status == 2 and "expected an integer >= 1" in err


# --- running -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_data(tmp_path_factory):
    imdb = tiny_imdb(tmp_path_factory)
    glove = write_glove(tmp_path_factory.mktemp("glove") / "glove.txt")
    return {"data_source": str(imdb), "glove_source": str(glove)}


class Counting:
    """Wraps a function and counts its calls; optionally fails on call N."""

    def __init__(self, function, fail_on: int | None = None):
        self.function, self.fail_on, self.calls = function, fail_on, 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        if self.calls == self.fail_on:
            raise RuntimeError("simulated crash")
        return self.function(*args, **kwargs)


@pytest.mark.slow
def test_runs_share_preparations_and_write_every_output(tmp_path, tiny_data, monkeypatch):
    from imdbfast import embeddings, training

    prepare = Counting(training.prepare)
    load_glove = Counting(embeddings.load_glove)
    monkeypatch.setattr(training, "prepare", prepare)
    monkeypatch.setattr(embeddings, "load_glove", load_glove)
    study = Study(
        "share",
        {"train_size": [60, "all"], "embeddings": ["learned", "glove", "glove-finetune"]},
        base=TINY,
        references=[{"where": {"train_size": "all", "embeddings": "learned"},
                     "value": 0.75, "label": "made-up figure"}],
    )
    lines: list[str] = []
    results = run_study(study, tmp_path, overrides=tiny_data, progress=False,
                        quiet=True, log=lines.append)
    # load + tokenize once per training-set size; GloVe once per vocabulary
    assert prepare.calls == 2 and results.preparations == 2
    assert load_glove.calls == 2
    assert results.complete and results.ran == 6 and len(results.records) == 6
    shared = [r["shared_preparation"] for r in results.records]
    assert shared.count(False) == 2
    record = results.records[0]
    assert record["config"]["train_size"] == 60 and record["examples"]["train"] == 60
    assert results.records[3]["examples"]["train"] == 160  # 80 % of 200
    for phase in ("prepare", "build", "fit", "evaluate", "save", "wall"):
        assert record["seconds"][phase] >= 0
    assert record["history"]["val_accuracy"] and record["best_epoch"] == 1
    assert any("cell done: train_size=all, embeddings=learned" in line
               and "reference accuracy 0.750 (made-up figure)" in line for line in lines)

    directory = tmp_path / "share"
    for name in ("study.json", "results.jsonl", "results.csv", "summary.csv", "summary.md",
                 "report.html"):
        assert (directory / name).is_file(), name
    plots = sorted(p.name for p in (directory / "plots").glob("*.png"))
    # One epoch per run: no learning curves (a point each), and the report says so.
    assert plots == ["accuracy-by-embeddings.png", "accuracy-vs-train-size.png"]
    for path in (directory / "plots").glob("*.png"):
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    csv_lines = (directory / "results.csv").read_text(encoding="utf-8").splitlines()
    assert len(csv_lines) == 7 and "seconds_overhead" in csv_lines[0]
    summary = results.summary()
    assert [row["n"] for row in summary] == [1] * 6
    assert summary[3]["reference"] == 0.75
    assert summary[3]["difference"] == pytest.approx(summary[3]["accuracy_mean"] - 0.75)
    table = (directory / "summary.md").read_text(encoding="utf-8")
    assert "| all | learned |" in table and "made-up figure" in table
    html = (directory / "report.html").read_text(encoding="utf-8")
    assert "http://" not in html and "https://" not in html and "<script" not in html
    assert html.count("data:image/png;base64,") == len(plots)
    assert "No learning curves: the runs trained for 1 epoch, and a curve needs 2" in html
    # What the model used, not None, for the fields the config leaves to it.
    assert record["resolved"] == {"embedding_dim": 8, "units": 4, "dropout": 0.5,
                                  "optimizer": "RMSprop", "learning_rate": 0.001}
    assert "<td>optimizer</td><td>&#x27;RMSprop&#x27;</td>" in html
    assert "<td>learning_rate</td><td>0.001</td>" in html
    assert "<td>dropout</td><td>0.5</td>" in html
    shared = html.split("Fields every cell shares")[1].split("<h")[0]
    for field in ("embedding_dim", "units", "dropout", "optimizer", "learning_rate"):
        assert f"<td>{field}</td><td>None</td>" not in shared
    # Whole numbers print as such.
    assert summary[0]["best_epoch_mean"] == 1 and isinstance(summary[0]["best_epoch_mean"], int)
    assert '<td class="num">1.0</td>' not in html


@pytest.mark.slow
def test_a_crash_loses_only_the_run_in_progress_and_a_rerun_continues(
        tmp_path, tiny_data, monkeypatch):
    from imdbfast import training

    real_train = training.train
    study = Study("crash", {"sequence_length": [20, 30]}, base=TINY, repeats=2)
    monkeypatch.setattr(training, "train", Counting(real_train, fail_on=3))
    with pytest.raises(RuntimeError, match="simulated crash"):
        run_study(study, tmp_path, overrides=tiny_data, progress=False,
                  log=lambda line: None)
    results_file = tmp_path / "crash" / RESULTS_FILE
    before = lines_of(results_file)
    assert len(before) == 2

    counting = Counting(real_train)
    monkeypatch.setattr(training, "train", counting)
    results = run_study(study, tmp_path, overrides=tiny_data, progress=False,
                        log=lambda line: None)
    assert counting.calls == 2 and results.ran == 2
    after = lines_of(results_file)
    assert after[:2] == before  # byte-identical
    keys = [json.loads(line)["key"] for line in after]
    assert len(keys) == 4 == len(set(keys))
    assert [(r["cell"], r["seed"]) for r in results.records] == [
        ("sequence_length=20", 11), ("sequence_length=20", 12),
        ("sequence_length=30", 11), ("sequence_length=30", 12)]

    # The same command again trains nothing; a changed study adds and drops cells.
    counting.calls = 0
    again = run_study(study, tmp_path, overrides=tiny_data, progress=False)
    assert counting.calls == 0 and again.ran == 0 and lines_of(results_file) == after
    changed = study.replace(axes={"sequence_length": [30, 40]}, repeats=1)
    results = run_study(changed, tmp_path, overrides=tiny_data, progress=False,
                        log=lambda line: None)
    assert counting.calls == 1
    assert lines_of(results_file)[:4] == after
    assert [(r["cell"], r["seed"]) for r in results.records] == [
        ("sequence_length=30", 11), ("sequence_length=40", 11)]
    assert results.ignored == 3  # kept in the file, left out of the tables
    earlier = [json.loads(line) for line in after]
    assert results.records[0] == next(
        r for r in earlier if r["cell"] == "sequence_length=30" and r["seed"] == 11)

    # A run is matched by its config and seed, whatever cell it was recorded under.
    shifted = study.replace(axes={"sequence_length": [20]}, base={**TINY, "seed": 12},
                            repeats=1)
    results = run_study(shifted, tmp_path, overrides=tiny_data, progress=False)
    assert counting.calls == 1 and results.ran == 0
    assert [(r["cell"], r["seed"]) for r in results.records] == [("sequence_length=20", 12)]
    assert [row["n"] for row in results.summary()] == [1]


@pytest.fixture
def ctrl_c_raises():
    """Python's own SIGINT handler for the test, whatever the test run inherited.

    A test run started in the background by a non-interactive shell (``cmd &``,
    ``nohup``) starts with SIGINT ignored, and Python then leaves it ignored.
    """
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def _default_sigint() -> None:
    """In a child before exec: SIGINT back to its default, so Python handles it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.slow
def test_a_ctrl_c_lost_during_a_run_still_stops_the_study_without_recording_it(
        tmp_path, tiny_data, monkeypatch, ctrl_c_raises):
    from imdbfast import training

    real_train = training.train

    def train_through_a_lost_interrupt(*args, **kwargs):
        try:  # Ctrl-C lands where TensorFlow drops it (a finalizer, say)
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(1)
        except KeyboardInterrupt:
            pass
        return real_train(*args, **kwargs)

    monkeypatch.setattr(training, "train", train_through_a_lost_interrupt)
    study = Study("lost", {"sequence_length": [20, 30]}, base=TINY)
    with pytest.raises(KeyboardInterrupt):
        run_study(study, tmp_path, overrides=tiny_data, progress=False,
                  log=lambda line: None)
    assert not (tmp_path / "lost" / RESULTS_FILE).exists()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


# --- interrupting a real process ---------------------------------------------------------


def _watch(stream, lines: list[str], seen: threading.Event, marker: str) -> None:
    """Collects the lines of a stream; sets ``seen`` at the marker or at the end."""
    for line in iter(stream.readline, ""):
        lines.append(line)
        if marker in line:
            seen.set()
    seen.set()


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
def test_killing_the_process_mid_run_loses_nothing_finished(tmp_path, tiny_data, sig):
    base = {**TINY, "glove_source": tiny_data["glove_source"]}
    study = tmp_path / "kill.json"
    study.write_text(json.dumps({"mode": "zip", "base": base,
                                 "axes": {"sequence_length": [20, 30, 40],
                                          "epochs": [1, 1, 8]}}),
                     encoding="utf-8")
    command = [sys.executable, "-u", "-m", "imdbfast", "experiment", str(study),
               "--data", tiny_data["data_source"], "--output-dir", str(tmp_path / "out")]
    # faulthandler: a crash of the child prints its Python stacks into ``lines``
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONFAULTHANDLER": "1"}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, env=env, start_new_session=True,
                               preexec_fn=_default_sigint)
    lines: list[str] = []
    seen = threading.Event()
    watcher = threading.Thread(target=_watch, args=(process.stdout, lines, seen, "Epoch 2/8"),
                               daemon=True)
    watcher.start()
    try:
        assert seen.wait(timeout=300)
        assert process.poll() is None, "".join(lines[-40:])
        os.kill(process.pid, sig)
        status = process.wait(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    watcher.join(timeout=10)
    process.stdout.close()
    results_file = tmp_path / "out" / "kill" / RESULTS_FILE
    before = lines_of(results_file)
    assert len(before) == 2, "".join(lines[-40:])
    if sig == signal.SIGINT:
        assert status == 130, "".join(lines[-60:])
        assert "imdbfast: error: interrupted" in "".join(lines)
        assert "run the same command again to continue" in "".join(lines)
    else:
        assert status == -signal.SIGKILL

    rerun = subprocess.run(command + ["-q"], capture_output=True, text=True, env=env,
                           timeout=600)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    after = lines_of(results_file)
    assert after[:2] == before
    records = [json.loads(line) for line in after]
    assert len(records) == 3 == len({r["key"] for r in records})
    assert records[2]["epochs_run"] == 8
    assert "3 of 3 runs finished (1 trained now)" in rerun.stdout
    assert (tmp_path / "out" / "kill" / "report.html").is_file()


def test_std_is_the_sample_standard_deviation():
    from imdbfast.experiments.report import _mean_std

    values = [0.81, 0.84, 0.86]
    mean, std = _mean_std(values)
    assert mean == pytest.approx(np.mean(values))
    assert std == pytest.approx(np.std(values, ddof=1))
    assert _mean_std([0.8]) == (0.8, None)


def test_a_reference_measured_on_other_reviews_is_drawn_there(monkeypatch, tmp_path):
    """seed 000's '100 samples' were 3,200 reviews: its star sits at 3,200."""
    import types

    from imdbfast.experiments import report
    from imdbfast.experiments.builtin import BUILTIN_STUDIES, REFERENCE_TRAIN_REVIEWS
    from matplotlib.axes import Axes

    study = BUILTIN_STUDIES["training-size"]
    cells = study.cells({"epochs": 1})
    sizes = {"100": 100, "500": 500, "1000": 1000, "5000": 5000, "None": 20000}

    def records_of(cell):
        n = sizes[str(cell.values["train_size"])]
        return [{"test": {"accuracy": 0.8}, "examples": {"train": n}}]

    results = types.SimpleNamespace(study=study, cells=cells, records_of=records_of)
    stars: list[tuple[float, float]] = []
    plot = Axes.plot

    def recording(self, xs, ys, *args, **kwargs):
        if kwargs.get("marker") == "*":
            stars.append((xs[0], ys[0]))
        return plot(self, xs, ys, *args, **kwargs)

    monkeypatch.setattr(Axes, "plot", recording)
    assert report.plot_training_size(results, tmp_path / "p.png")
    assert (3200, 0.764) in stars and (100, 0.764) not in stars
    assert (20000, 0.878) in stars
    labels = {r.label for r in study.references}
    assert {label for name, label in REFERENCE_TRAIN_REVIEWS if name == study.name} <= labels
