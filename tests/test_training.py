"""TrainConfig and imdbfast.train(): config rules, the run directory, metrics,
checkpoints, GloVe wiring and seeded reproducibility (on small generated data)."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

# Models and training: skipped without a Keras backend (pip install imdbfast[tensorflow]).
pytest.importorskip("keras")

from train_helpers import POSITIVE, TINY_TRAIN, tiny_imdb, tiny_run, write_glove

import imdbfast
from imdbfast.config import PRESETS, TrainConfig
from imdbfast.metrics import average_precision, binary_metrics, precision_recall_curve
from imdbfast.run_dir import RUN_FILES
from imdbfast.training import (
    PreparedData,
    prepare,
    preparation_key,
    resolve_config,
    resolve_jit_compile,
)

# --- TrainConfig -------------------------------------------------------------


def test_defaults_are_the_seed_000_baseline():
    c = TrainConfig()
    assert (c.model, c.embeddings, c.max_tokens, c.sequence_length) == ("bilstm", "learned", 20000, 600)
    assert (c.batch_size, c.epochs, c.validation_split, c.seed) == (32, 10, 0.2, 1337)
    assert c.data_source is None and c.early_stopping is None
    assert TrainConfig.preset("seed000") == c
    assert imdbfast.TrainConfig is TrainConfig


@pytest.mark.parametrize(
    ("field", "value", "error", "match"),
    [
        ("model", "cnn", ValueError, "`model` must be one of"),
        ("embeddings", "word2vec", ValueError, "`embeddings` must be one of"),
        ("epochs", 0, ValueError, r"`epochs` must be >= 1. Received: epochs=0"),
        ("batch_size", 2.5, TypeError, "`batch_size` must be an int"),
        ("validation_split", 0.0, ValueError, "strictly between 0 and 1"),
        ("validation_split", 1.0, ValueError, "strictly between 0 and 1"),
        ("dropout", 1.0, ValueError, r"`dropout` must be a number in \[0, 1\)"),
        ("learning_rate", -1e-3, ValueError, "positive"),
        ("monitor", "accuracy", ValueError, "`monitor` must be one of"),
        ("max_tokens", 2, ValueError, "`max_tokens` must be >= 3"),
        ("run_name", "a/b", ValueError, "plain directory name"),
        ("jit_compile", "yes", ValueError, "jit_compile"),
        ("verbose", 3, ValueError, "verbose"),
    ],
)
def test_invalid_values_are_rejected(field, value, error, match):
    with pytest.raises(error, match=match):
        TrainConfig(**{field: value})


def test_replace_from_dict_and_unknown_fields():
    c = TrainConfig().replace(epochs=3)
    assert c.epochs == 3 and TrainConfig().epochs == 10
    with pytest.raises(TypeError, match="Unknown TrainConfig field.*epoch\\b"):
        TrainConfig().replace(epoch=3)
    assert TrainConfig.from_dict(c.to_dict()) == c
    with pytest.raises(TypeError, match="Unknown TrainConfig field"):
        TrainConfig.from_dict({"nope": 1})


def test_config_file_round_trip_and_bad_files(tmp_path):
    c = TrainConfig(model="lstm", data_source=tmp_path, early_stopping=2)
    assert c.data_source == str(tmp_path)  # paths become str: JSON-able
    c.save(tmp_path / "c.json")
    assert TrainConfig.load(tmp_path / "c.json") == c
    (tmp_path / "bad.json").write_text('{"format": "other"}')
    with pytest.raises(ValueError, match="not an imdbfast TrainConfig file"):
        TrainConfig.load(tmp_path / "bad.json")
    (tmp_path / "v9.json").write_text('{"format": "imdbfast.TrainConfig", "version": 9}')
    with pytest.raises(ValueError, match="unsupported TrainConfig version"):
        TrainConfig.load(tmp_path / "v9.json")


def test_presets_are_valid_configs():
    assert {"seed000", "glove50-bilstm", "best"} <= set(PRESETS)
    for name in PRESETS:
        TrainConfig.preset(name)
    glove = TrainConfig.preset("glove50-bilstm")
    assert (glove.model, glove.embeddings, glove.glove_source) == ("bilstm", "glove", "glove.6B.50d")
    assert TrainConfig.preset("best", epochs=1).epochs == 1
    with pytest.raises(ValueError, match="Unknown preset.*Received: 'fastest'"):
        TrainConfig.preset("fastest")


def test_resolve_config_accepts_configs_presets_dicts_and_overrides():
    assert resolve_config(None, {"epochs": 2}) == TrainConfig(epochs=2)
    assert resolve_config("seed004", {"epochs": 2}).model == "lstm"
    assert resolve_config({"model": "flatten"}, {"epochs": 2}) == TrainConfig(model="flatten", epochs=2)
    assert resolve_config(TrainConfig(), {"seed": 1}).seed == 1
    with pytest.raises(TypeError, match="must be a TrainConfig"):
        resolve_config(42)


def test_jit_compile_is_keras_choice_unless_forced():
    assert resolve_jit_compile(TrainConfig()) == "auto"
    assert resolve_jit_compile(TrainConfig(jit_compile=True)) is True
    assert resolve_jit_compile(TrainConfig(jit_compile=False)) is False


# --- metrics -------------------------------------------------------------------


def test_binary_metrics_by_hand():
    labels = np.array([1, 1, 1, 0, 0, 0, 0])
    probs = np.array([0.9, 0.6, 0.2, 0.7, 0.1, 0.4, 0.5])  # 0.5 is negative
    m = binary_metrics(labels, probs)
    assert m["confusion_matrix"].tolist() == [[3, 1], [1, 2]]
    assert m["accuracy"] == pytest.approx(5 / 7)
    assert m["precision"] == pytest.approx(2 / 3)
    assert m["recall"] == pytest.approx(2 / 3)
    assert m["f1"] == pytest.approx(2 / 3)
    expected = -np.mean(labels * np.log(probs) + (1 - labels) * np.log(1 - probs))
    assert m["loss"] == pytest.approx(expected)
    with pytest.raises(ValueError, match="same length"):
        binary_metrics([1, 0], [0.5])


def test_average_precision_matches_brute_force():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 300)
    scores = np.round(rng.random(300) * 0.6 + labels * 0.3, 2)  # with ties
    _, _, ap = precision_recall_curve(labels, scores)
    brute = 0.0
    previous_recall = 0.0
    for threshold in sorted(set(scores), reverse=True):
        predicted = scores >= threshold
        tp = np.sum(predicted & (labels == 1))
        recall = tp / labels.sum()
        brute += (recall - previous_recall) * tp / predicted.sum()
        previous_recall = recall
    assert ap == pytest.approx(brute)
    assert average_precision(labels, scores) == ap


def test_precision_recall_curve_edge_cases():
    empty = precision_recall_curve([], [])
    assert empty.precision.tolist() == [1.0] and empty.recall.tolist() == [0.0]
    assert empty.average_precision == 0.0
    assert precision_recall_curve([0, 0], [0.3, 0.9]).average_precision == 0.0
    assert precision_recall_curve([1, 0], [0.9, 0.3]).average_precision == 1.0
    with pytest.raises(ValueError, match="same length"):
        precision_recall_curve([1, 0], [0.5])


# --- data preparation ----------------------------------------------------------


def test_history_plot_puts_epochs_on_integer_ticks():
    from imdbfast.plots import history_figure

    history = {"loss": [0.7, 0.6, 0.5], "val_loss": [0.7, 0.65, 0.66],
               "accuracy": [0.5, 0.6, 0.7], "val_accuracy": [0.5, 0.55, 0.6]}
    for ax in history_figure(history, best_epoch=2).axes:
        ticks = [t for t in ax.get_xticks() if 1 <= t <= 3]
        assert ticks and all(float(t).is_integer() for t in ticks), ticks


def test_prepare_reports_its_phases(tmp_path_factory, caplog):
    import logging

    caplog.set_level(logging.INFO, logger="imdbfast")
    prepared = prepare(data_source=str(tiny_imdb(tmp_path_factory)),
                       **{**TINY_TRAIN, "embedding_dim": None})
    lines = [r.getMessage() for r in caplog.records if r.name == "imdbfast.training"]
    assert lines[0].startswith("data: 160 train, 40 validation, 100 test reviews (")
    values = prepared.encoded["train"][0]
    coverage = 1 - np.mean(values == prepared.tokenizer.oov_id)
    assert lines[1].startswith(f"vocabulary: 40 tokens, {coverage:.1%} of the training")
    assert all(line.endswith(" s)") for line in lines)


def test_preparation_key_names_the_data_and_tokenizer_fields():
    base = TrainConfig()
    key = preparation_key(base)
    assert dict(key) == {
        "data_source": None, "validation_split": 0.2, "train_size": None,
        "seed": 1337, "max_tokens": 20000,
        "standardize": "lower_and_strip_punctuation", "sequence_length": 600,
        "strip_html": False, "ngrams": None, "output_mode": "int",
        "glove_source": None,
    }
    assert json.loads(json.dumps(dict(key))) == dict(key)
    hash(key)
    for same in (dict(epochs=2), dict(units=7, model="lstm"), dict(run_name="x"),
                 dict(glove_source="other.txt"), dict(batch_size=8)):
        assert preparation_key(base.replace(**same)) == key, same
    for other in (dict(seed=1), dict(max_tokens=100), dict(sequence_length=50),
                  dict(strip_html=True), dict(train_size=10), dict(data_source="d"),
                  dict(validation_split=0.1), dict(standardize="lower"),
                  dict(embeddings="glove"), dict(ngrams=2),
                  dict(output_mode="multi_hot")):
        assert preparation_key(base.replace(**other)) != key, other
    glove = base.replace(embeddings="glove-finetune", glove_source="v.txt")
    assert dict(preparation_key(glove))["glove_source"] == "v.txt"


# --- a tiny real run ---------------------------------------------------------


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return tiny_run(tmp_path_factory)


@pytest.mark.backend_agnostic
def test_run_directory_holds_every_artifact(run):
    for name in RUN_FILES.values():
        path = run.run_dir / name
        assert path.is_file() and path.stat().st_size > 0, name
    for key in ("curves", "confusion_matrix", "precision_recall"):
        assert (run.run_dir / RUN_FILES[key]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert TrainConfig.load(run.run_dir / "config.json") == run.config


@pytest.mark.backend_agnostic
def test_result_and_metrics_file_agree(run):
    metrics = json.loads((run.run_dir / "metrics.json").read_text())
    assert metrics["test"] == run.metrics()
    (tn, fp), (fn, tp) = run.confusion_matrix
    assert tn + fp + fn + tp == metrics["examples"]["test"] == 100
    assert run.test_accuracy == pytest.approx((tn + tp) / 100)
    assert metrics["examples"] == {"train": 160, "validation": 40, "test": 100}
    assert metrics["vocabulary_size"] == run.tokenizer.vocabulary_size() == 40
    assert set(run.seconds) == {"load", "tokenize", "build", "fit", "evaluate", "save", "total"}
    assert metrics["best_epoch"] == run.best_epoch
    assert metrics["validation"]["loss"] == run.history["val_loss"][run.best_epoch - 1]
    assert metrics["jit_compile"] == "auto"


@pytest.mark.backend_agnostic
def test_history_csv_has_one_row_per_epoch(run):
    with open(run.run_dir / "history.csv") as f:
        rows = list(csv.DictReader(f))
    assert [int(r["epoch"]) for r in rows] == [1, 2]
    assert {"loss", "accuracy", "val_loss", "val_accuracy"} <= set(rows[0])
    assert float(rows[1]["val_loss"]) == run.history["val_loss"][1]


@pytest.mark.backend_agnostic
def test_best_epoch_is_the_lowest_validation_loss_and_is_what_was_saved(run):
    import keras

    assert run.best_epoch == 1 + int(np.argmin(run.history["val_loss"]))
    saved = keras.saving.load_model(run.run_dir / "model.keras")
    x = np.array([[5, 9, 3, 0], [7, 2, 0, 0]], "int32")
    np.testing.assert_array_equal(saved.predict_on_batch(x), run.model.predict_on_batch(x))


def test_same_seed_same_run(run, tmp_path):
    again = imdbfast.train(run.config, output_dir=str(tmp_path), run_name="again")
    assert again.history == run.history
    for a, b in zip(again.model.get_weights(), run.model.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert again.test_accuracy == run.test_accuracy


def test_training_runs_several_steps_per_call_on_tensorflow(run):
    import keras

    from imdbfast import training

    expected = 16 if keras.backend.backend() == "tensorflow" else 1
    assert training.steps_per_execution() == expected
    assert run.model.steps_per_execution == expected
    # whole epochs of steps ran (the kept weights are from epoch 1 or 2)
    metrics = json.loads((run.run_dir / "metrics.json").read_text())
    steps = -(-metrics["examples"]["train"] // TINY_TRAIN["batch_size"])
    iterations = int(run.model.optimizer.iterations)
    assert iterations in (steps, TINY_TRAIN["epochs"] * steps)


def test_the_returned_model_traces_its_own_fit_and_evaluate_again(run):
    # train() traced its steps for right-padded batches only; a caller's
    # fit or evaluate (e.g. on left-padded arrays) must trace its own.
    assert run.model.train_function is None
    assert run.model.test_function is None
    x = np.array([[0, 0, 5, 9], [0, 7, 2, 3]], "int32")  # left-padded
    y = np.array([1.0, 0.0], "float32")
    loss = run.model.evaluate(x, y, verbose=0, return_dict=True)["loss"]
    assert np.isfinite(loss)


def test_train_reuses_prepared_data(run, tmp_path):
    prepared = prepare(run.config)
    assert isinstance(prepared, PreparedData)
    assert prepared.key == preparation_key(run.config)
    assert prepared.glove is None
    assert set(prepared.seconds) == {"load", "tokenize", "glove"}
    assert prepared.tokenizer.get_vocabulary() == run.tokenizer.get_vocabulary()
    sizes = [len(prepared.encoded[s][1]) - 1 for s in ("train", "validation", "test")]
    assert sizes == [160, 40, 100]
    again = imdbfast.train(run.config, prepared=prepared, output_dir=str(tmp_path),
                           run_name="prepared")
    assert again.history == run.history
    assert again.test_accuracy == run.test_accuracy
    assert again.tokenizer is prepared.tokenizer
    assert again.seconds["load"] == again.seconds["tokenize"] == 0.0
    with pytest.raises(ValueError, match=r"max_tokens=30 \(prepared: 40\)"):
        imdbfast.train(run.config, prepared=prepared, max_tokens=30,
                       output_dir=str(tmp_path), run_name="mismatch")
    assert not (tmp_path / "mismatch").exists()


def test_glove_run_aligns_vectors_with_the_vocabulary(tmp_path_factory, tmp_path):
    glove = write_glove(tmp_path / "vectors.txt", dim=8)
    result = imdbfast.train(
        data_source=str(tiny_imdb(tmp_path_factory)),
        output_dir=str(tmp_path), run_name="glove",
        embeddings="glove", glove_source=str(glove),
        **{**TINY_TRAIN, "embedding_dim": None, "epochs": 3},
        early_stopping=1, monitor="val_accuracy",
    )
    vocabulary = result.tokenizer.get_vocabulary()
    expected = imdbfast.load_glove(str(glove), vocabulary).matrix
    import keras

    weights = keras.ops.convert_to_numpy(result.model.get_layer("embedding").embeddings)
    np.testing.assert_array_equal(weights, expected)  # frozen, row i = vocabulary[i]
    positive = [w for w in POSITIVE if w in vocabulary]
    assert positive and weights[vocabulary.index(positive[0])].mean() > 0.3
    metrics = json.loads((result.run_dir / "metrics.json").read_text())
    assert metrics["glove"]["dim"] == 8 and metrics["glove"]["hits"] > 20
    assert 1 <= metrics["epochs_run"] <= 3
    assert result.best_epoch == 1 + int(np.argmax(result.history["val_accuracy"]))


def test_existing_run_directory_is_not_overwritten(run):
    with pytest.raises(FileExistsError, match="already exists"):
        imdbfast.train(run.config)


def test_missing_data_source_is_an_error(tmp_path):
    with pytest.raises((OSError, ValueError), match="nope"):
        imdbfast.train(data_source=str(tmp_path / "nope"), output_dir=str(tmp_path), verbose=0)


def test_reduce_lr_on_plateau_halves_the_rate(tmp_path_factory, tmp_path):
    result = imdbfast.train(
        data_source=str(tiny_imdb(tmp_path_factory)), output_dir=str(tmp_path),
        **TINY_TRAIN | {"epochs": 4, "reduce_lr_patience": 1, "learning_rate": 0.5},
    )
    rates = result.history["learning_rate"]
    assert rates[0] == pytest.approx(0.5)
    assert all(b in (a, a / 2) or b == pytest.approx(a / 2) or b == pytest.approx(a)
               for a, b in zip(rates, rates[1:]))
    assert min(rates) >= 0.5 / 64 - 1e-9


def test_reduce_lr_refuses_a_model_with_its_own_schedule(tmp_path_factory, tmp_path):
    with pytest.raises(ValueError, match="follows its own schedule"):
        imdbfast.train(
            data_source=str(tiny_imdb(tmp_path_factory)), output_dir=str(tmp_path),
            **TINY_TRAIN | {"model": "lstm", "reduce_lr_patience": 1},
        )
