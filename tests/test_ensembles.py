"""Prediction-averaging ensembles (``imdbfast.ensembles``) of the n-gram runs of
tests/test_ngram_models.py, on small generated data."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
keras = pytest.importorskip("keras")

import imdbfast  # noqa: E402
from imdbfast.config import TrainConfig  # noqa: E402
from imdbfast.errors import UserError  # noqa: E402

from train_helpers import ngram_runs, tiny_imdb  # noqa: E402


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    return ngram_runs(tmp_path_factory)


def test_ensemble_averages_its_members(runs, tmp_path):
    members = [runs["bag"].run_dir, runs["fast"].run_dir]
    made = imdbfast.ensemble(members, tmp_path / "both", weights=[3, 1],
                             data_source=runs["data"])
    loaded = imdbfast.load(tmp_path / "both")
    texts = imdbfast.load_imdb(runs["data"]).test.texts
    expected = (0.75 * imdbfast.load(members[0]).predict_proba(texts)
                + 0.25 * imdbfast.load(members[1]).predict_proba(texts))
    np.testing.assert_allclose(loaded.predict_proba(texts), expected, rtol=1e-6)
    np.testing.assert_allclose(made.predict_proba(texts), expected, rtol=1e-6)
    labels, probabilities = loaded.predict(["great wonderful", "awful boring"])
    assert labels.tolist() == [1, 0]
    metrics = json.loads((tmp_path / "both" / "metrics.json").read_text())
    assert metrics["test"]["accuracy"] == pytest.approx(loaded.evaluate()["accuracy"])
    assert [m["model"] for m in metrics["members"]] == ["bag_of_ngrams", "fasttext"]
    # self-contained: the members are copies
    assert all((tmp_path / "both" / m["path"] / "model.keras").is_file()
               for m in metrics["members"])


def test_ensemble_bad_input(runs, tmp_path):
    member = runs["bag"].run_dir
    with pytest.raises(ValueError, match="two or more"):
        imdbfast.ensemble([member], tmp_path / "one")
    with pytest.raises(ValueError, match="positive numbers"):
        imdbfast.ensemble([member, member], tmp_path / "w", weights=[1, -1])
    (tmp_path / "taken").mkdir()
    with pytest.raises(FileExistsError):
        imdbfast.ensemble([member, member], tmp_path / "taken")
    with pytest.raises(FileNotFoundError):
        imdbfast.ensemble([member, tmp_path / "taken"], tmp_path / "x")
    assert not (tmp_path / "x").exists() and not (tmp_path / "w").exists()

    imdbfast.ensemble([member, member], tmp_path / "good")
    manifest_path = tmp_path / "good" / "ensemble.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["members"][1]["path"] = "../../elsewhere"
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(UserError, match="inside the ensemble directory"):
        imdbfast.load(tmp_path / "good")
    manifest_path.write_text("{not json")
    with pytest.raises(UserError, match="ensemble.json: not a valid JSON ensemble file"):
        imdbfast.load(tmp_path / "good")


def test_ensemble_command(runs, tmp_path):
    members = [str(runs["bag"].run_dir), str(runs["fast"].run_dir)]
    out = tmp_path / "cli"
    command = [sys.executable, "-m", "imdbfast", "ensemble", *members, "--output", str(out),
               "--data", runs["data"]]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "test accuracy" in done.stdout
    predicted = subprocess.run(
        [sys.executable, "-m", "imdbfast", "predict", str(out), "great wonderful"],
        capture_output=True, text=True, timeout=300)
    assert predicted.returncode == 0
    assert predicted.stdout.splitlines()[1].startswith("positive")  # after the header
    again = subprocess.run(command[:-2] + ["--weights", "1"], capture_output=True,
                           text=True, timeout=300)
    assert again.returncode == 1
    assert again.stderr.strip().startswith("imdbfast: error: --weights needs one weight")
    assert len(again.stderr.strip().splitlines()) == 1


def test_named_ensemble_trains_its_members(tmp_path_factory, tmp_path):
    from imdbfast.ensembles import ENSEMBLE_PRESETS, train_ensemble

    from train_helpers import write_glove

    glove = write_glove(tmp_path / "glove.txt")
    data = str(tiny_imdb(tmp_path_factory))
    made = train_ensemble("ensemble-best", tmp_path / "best", data_source=data,
                          glove_source=str(glove), epochs=1, seed=3, verbose=0)
    models = [member.config.model for member in made.members]
    wanted = [TrainConfig.preset(name).model for name, _ in ENSEMBLE_PRESETS["ensemble-best"]]
    assert models == wanted
    assert all(member.config.seed == 3 for member in made.members)
    # one validation split for every member
    assert {member.config.validation_split for member in made.members} == {0.2}
    metrics = json.loads((tmp_path / "best" / "metrics.json").read_text())
    assert metrics["test"]["examples"] == 100
    # only the ensemble directory is left behind
    assert sorted(p.name for p in tmp_path.iterdir()) == ["best", "glove.txt"]
    with pytest.raises(ValueError, match="chosen by train_ensemble"):
        train_ensemble("ensemble-best", tmp_path / "other", run_name="x")
    with pytest.raises(ValueError, match="Unknown ensemble preset"):
        train_ensemble("nosuch", tmp_path / "other")


@pytest.mark.parametrize(
    "extra, message",
    [(["RUNDIR", "--preset", "ensemble-best", "--data", "DATA"], "not both"),
     (["--preset", "ensemble-best"], "it needs --data"),
     (["RUNDIR"], "two or more runs")],
)
def test_ensemble_command_user_errors(runs, tmp_path, extra, message):
    args = [str(runs["bag"].run_dir) if a == "RUNDIR" else runs["data"] if a == "DATA" else a
            for a in extra]
    done = subprocess.run(
        [sys.executable, "-m", "imdbfast", "ensemble", *args, "--output", str(tmp_path / "e")],
        capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    assert done.stderr.startswith("imdbfast: error:") and message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
