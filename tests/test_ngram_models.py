"""The n-gram models (bag_of_ngrams with naive-Bayes scaling, fasttext) and
prediction-averaging ensembles, on small generated data. Full-data accuracy
and timing are recorded in benches/README.md (not asserted here)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
keras = pytest.importorskip("keras")
scipy_sparse = pytest.importorskip("scipy.sparse")

import imdbfast  # noqa: E402
from imdbfast.config import TrainConfig  # noqa: E402
from imdbfast.errors import UserError  # noqa: E402
from imdbfast.models import BagOfNgramsClassifier, nb_log_count_ratios  # noqa: E402

from train_helpers import tiny_imdb  # noqa: E402

SMALL = dict(batch_size=16, eval_batch_size=32, seed=5, verbose=0, epochs=2)


# --- naive-Bayes ratios ---------------------------------------------------------


def reference_nb_ratios(rows: list[list[float]], labels: list[int], alpha: float) -> list[float]:
    """Wang & Manning (2012), section 2.1, step by step: binarize the feature
    counts, p = alpha + sum of positive rows, q = alpha + sum of negative rows,
    r = log((p / ||p||_1) / (q / ||q||_1))."""
    features = len(rows[0])
    p = [alpha] * features
    q = [alpha] * features
    for row, label in zip(rows, labels):
        for j, value in enumerate(row):
            binary = 1.0 if value > 0 else 0.0
            if label == 1:
                p[j] += binary
            else:
                q[j] += binary
    p_norm, q_norm = sum(p), sum(q)
    return [float(np.log((p[j] / p_norm) / (q[j] / q_norm))) for j in range(features)]


def test_nb_ratios_follow_the_paper():
    rng = np.random.default_rng(0)
    dense = (rng.random((40, 9)) < 0.3) * rng.integers(1, 4, (40, 9))
    labels = rng.integers(0, 2, 40)
    expected = reference_nb_ratios(dense.tolist(), labels.tolist(), alpha=1.0)
    np.testing.assert_allclose(nb_log_count_ratios(dense, labels), expected, rtol=1e-6)
    sparse = scipy_sparse.csr_matrix(dense.astype(np.float32))
    np.testing.assert_allclose(nb_log_count_ratios(sparse, labels), expected, rtol=1e-6)
    np.testing.assert_allclose(
        nb_log_count_ratios(dense, labels, alpha=0.5),
        reference_nb_ratios(dense.tolist(), labels.tolist(), alpha=0.5), rtol=1e-6)


@pytest.mark.parametrize(
    "labels, match",
    [(np.ones(4), "no review labelled 0"), (np.zeros(3), "one label per row")],
)
def test_nb_ratios_bad_input(labels, match):
    with pytest.raises(ValueError, match=match):
        nb_log_count_ratios(np.eye(4), labels)


# --- bag_of_ngrams --------------------------------------------------------------


@pytest.mark.parametrize("hidden_units", [0, 3])
def test_bag_model_is_the_scaled_linear_formula(hidden_units):
    rng = np.random.default_rng(1)
    rows = (rng.random((6, 11)) < 0.4).astype(np.float32)
    scale = rng.normal(size=11).astype(np.float32)
    model = BagOfNgramsClassifier(11, hidden_units=hidden_units, sparse=False)
    model.set_feature_scale(scale)
    np.testing.assert_array_equal(model.feature_scale, scale)
    layer = model.get_layer("scaled_dense")
    kernel = np.asarray(layer.kernel)
    bias = np.asarray(layer.bias)
    first = (rows * scale) @ kernel + bias
    if hidden_units:
        head = model.get_layer("output")
        first = np.maximum(first, 0) @ np.asarray(head.kernel) + np.asarray(head.bias)
    expected = 1 / (1 + np.exp(-first))
    np.testing.assert_allclose(model.predict(rows, verbose=0), expected, rtol=1e-5, atol=1e-6)
    sparse_model = BagOfNgramsClassifier(11, hidden_units=hidden_units, sparse=True)
    sparse_model.set_weights(model.get_weights())
    np.testing.assert_allclose(
        sparse_model.predict(scipy_sparse.csr_matrix(rows), verbose=0), expected,
        rtol=1e-5, atol=1e-6)


def test_bag_model_scale_is_checked():
    model = BagOfNgramsClassifier(5)
    with pytest.raises(ValueError, match="shape"):
        model.set_feature_scale(np.ones(4))
    with pytest.raises(ValueError, match="finite"):
        model.set_feature_scale([1, 2, np.inf, 1, 1])


@pytest.mark.parametrize(
    "fields, match",
    [
        ({"model": "bag_of_ngrams"}, "needs output_mode='multi_hot'"),
        ({"model": "bag_of_ngrams", "output_mode": "multi_hot", "embeddings": "glove"},
         "has no embedding"),
        ({"model": "bag_of_ngrams", "output_mode": "count", "embedding_dim": 8},
         "does not apply"),
        ({"model": "bilstm", "output_mode": "multi_hot"}, "reads token ids"),
        ({"nb_scaling": True}, "applies to 'bag_of_ngrams' only"),
    ],
)
def test_bad_model_and_input_combinations(fields, match):
    from imdbfast.models import build_model

    with pytest.raises(ValueError, match=match):
        build_model(TrainConfig(**fields), 50, np.zeros((50, 8)) if fields.get(
            "embeddings") == "glove" else None)


def test_config_checks_the_new_fields():
    with pytest.raises(ValueError, match="output_mode"):
        TrainConfig(output_mode="one_hot")
    with pytest.raises(TypeError, match="nb_scaling"):
        TrainConfig(nb_scaling=1)
    with pytest.raises(ValueError, match="ngrams"):
        TrainConfig(ngrams=0)


def test_earlier_study_keys_do_not_change():
    """Fields added later count in a study's run key only when they are set."""
    from imdbfast.experiments.study import _identity_dict

    data = _identity_dict(TrainConfig())
    assert not {"ngrams", "output_mode", "nb_scaling"} & set(data)
    assert _identity_dict(TrainConfig(ngrams=2))["ngrams"] == 2


# --- training, loading, ensembles ----------------------------------------------------


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    data = str(tiny_imdb(tmp_path_factory))
    out = tmp_path_factory.mktemp("ngram-runs")
    bag = imdbfast.train("ngrams-linear", data_source=data, output_dir=str(out),
                         run_name="bag", **SMALL)
    fast = imdbfast.train("fasttext-bigrams", data_source=data, output_dir=str(out),
                          run_name="fast", **SMALL | {"max_tokens": 300})
    return {"data": data, "out": out, "bag": bag, "fast": fast}


def test_bag_of_ngrams_trains_with_nb_scaling(runs):
    result = runs["bag"]
    assert result.config.model == "bag_of_ngrams" and result.config.nb_scaling
    assert result.test_accuracy > 0.8  # the synthetic cue words are easy
    # The scale is the training split's NB ratios, saved with the model.
    prepared = imdbfast.training.prepare(result.config)
    expected = nb_log_count_ratios(prepared.encoded["train"], prepared.imdb.train.labels)
    bundle = imdbfast.load(result.run_dir)
    np.testing.assert_allclose(bundle.model.feature_scale, expected, rtol=1e-6)
    metrics = json.loads((result.run_dir / "metrics.json").read_text())
    assert metrics["test"]["accuracy"] == pytest.approx(result.test_accuracy)
    assert metrics["mean_train_tokens"] is None


def test_nbsvm_trigrams_preset_trains(tmp_path_factory, tmp_path):
    """The 1-3-gram NBSVM preset on tiny data: trigrams in the capped
    vocabulary, NB scaling, the small validation split."""
    config = TrainConfig.preset("nbsvm-trigrams")
    assert (config.model, config.ngrams, config.nb_scaling) == ("bag_of_ngrams", 3, True)
    assert config.output_mode == "multi_hot" and config.validation_split == 0.05
    data = str(tiny_imdb(tmp_path_factory))
    result = imdbfast.train("nbsvm-trigrams", data_source=data, output_dir=str(tmp_path),
                            run_name="tri", **SMALL | {"max_tokens": 2000})
    assert result.tokenizer.vocabulary_size() == 2000
    vocabulary = result.tokenizer.get_vocabulary()
    assert any(entry.count(" ") == 2 for entry in vocabulary)  # trigrams are entries
    assert result.test_accuracy > 0.8  # the synthetic cue words are easy
    assert not np.allclose(result.model.feature_scale, 1.0)  # NB ratios were set
    assert imdbfast.load(result.run_dir).evaluate()["accuracy"] == pytest.approx(
        result.test_accuracy
    )


def test_bag_bundle_predicts_like_the_trained_model(runs):
    result = runs["bag"]
    imdb = imdbfast.load_imdb(runs["data"])
    texts = imdb.test.texts[:40]
    bundle = imdbfast.load(result.run_dir)
    rows = result.tokenizer.transform(texts)
    assert scipy_sparse.issparse(rows)
    expected = result.model.predict(rows, verbose=0)[:, 0]
    np.testing.assert_allclose(bundle.predict_proba(texts), expected, rtol=1e-6)
    assert bundle.predict_proba([]).shape == (0,)
    # the whole test split scores as train() scored it
    assert bundle.evaluate()["accuracy"] == pytest.approx(result.test_accuracy)


def test_fasttext_reads_bigram_ids(runs):
    result = runs["fast"]
    assert result.tokenizer.ngrams == 2 or result.tokenizer.ngrams == (1, 2)
    vocabulary = result.tokenizer.get_vocabulary()
    assert any(" " in entry for entry in vocabulary)  # bigrams are entries
    layers = [layer.name for layer in result.model.layers]
    assert "average" in layers
    bundle = imdbfast.load(result.run_dir)
    assert bundle.evaluate()["accuracy"] == pytest.approx(result.test_accuracy)


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
