"""imdbfast.load(run_dir): predictions identical to the trained model, evaluate,
and embeddings exported in GloVe text format."""

from __future__ import annotations

import random

import numpy as np
import pytest

# Models and training: skipped without a Keras backend (pip install imdbfast[tensorflow]).
pytest.importorskip("keras")

from train_helpers import ngram_runs, review, tiny_run

import imdbfast
from imdbfast.bundle import Bundle, Predictions
from imdbfast.metrics import binary_metrics

TEXTS = [
    "A wonderful, moving film: the best I have seen!",
    "Awful. Boring plot, terrible actor, a waste of time.",
    "",
    "the the the",
    "great " * 80,  # longer than sequence_length: cut like in training
]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return tiny_run(tmp_path_factory)


@pytest.fixture(scope="module")
def bundle(run):
    return imdbfast.load(run.run_dir)


@pytest.mark.backend_agnostic
def test_loaded_bundle_predicts_exactly_like_the_trained_model(run, bundle):
    in_memory = Bundle(run.model, run.tokenizer, run.config)
    a, b = in_memory.predict(TEXTS), bundle.predict(TEXTS)
    assert isinstance(b, Predictions)
    np.testing.assert_array_equal(a.probabilities, b.probabilities)
    np.testing.assert_array_equal(a.labels, b.labels)
    assert b.probabilities.dtype == np.float32 and b.labels.dtype == np.int64
    assert b.labels.tolist() == (b.probabilities > 0.5).astype(int).tolist()
    assert bundle.config == run.config
    assert bundle.tokenizer.get_vocabulary() == run.tokenizer.get_vocabulary()


def test_predict_uses_the_training_preprocessing(run, bundle):
    # Same ids as the tokenizer gives, cut to sequence_length, right-padded.
    tok = run.tokenizer
    ids = [tok.transform([t])[0] for t in TEXTS[:2]]
    width = max(len(i) for i in ids)
    x = np.zeros((2, width), "int32")
    for row, seq in zip(x, ids):
        row[: len(seq)] = seq
    expected = np.asarray(run.model.predict_on_batch(x))[:, 0]
    np.testing.assert_allclose(bundle.predict_proba(TEXTS[:2]), expected, atol=1e-6)


@pytest.mark.backend_agnostic
def test_predictions_do_not_depend_on_batching_or_order(bundle):
    import random

    rng = random.Random(3)
    texts = TEXTS + [review(rng, i % 2) for i in range(40)]
    full = bundle.predict_proba(texts)
    np.testing.assert_allclose(bundle.predict_proba(texts, batch_size=3), full, atol=1e-6)
    perm = np.random.default_rng(0).permutation(len(texts))
    shuffled = bundle.predict_proba([texts[i] for i in perm])
    np.testing.assert_allclose(shuffled, full[perm], atol=1e-6)
    alone = [bundle.predict_proba([t])[0] for t in texts[:5]]
    np.testing.assert_allclose(alone, full[:5], atol=1e-6)


@pytest.mark.backend_agnostic
@pytest.mark.parametrize("kind", ["ids", "bag"])
def test_one_text_at_a_time_gives_the_batch_probability(kind, bundle, tmp_path_factory):
    # One review takes the direct path (one compiled call, no input pipeline);
    # more than eval_batch_size reviews the batch path: the same probability.
    if kind == "bag":
        bundle = imdbfast.load(ngram_runs(tmp_path_factory)["bag"].run_dir)
    rng = random.Random(5)
    texts = TEXTS + [review(rng, i % 2) for i in range(40)]
    assert len(texts) > bundle.config.eval_batch_size
    full = bundle.predict_proba(texts)
    for i in (0, 1, 2, 4, 7, len(texts) - 1):
        alone = bundle.predict([texts[i]])
        assert alone.probabilities.dtype == np.float32 and alone.probabilities.shape == (1,)
        np.testing.assert_allclose(alone.probabilities[0], full[i], rtol=1e-6, atol=1e-7)
        assert alone.labels.tolist() == [int(full[i] > 0.5)]
        again = bundle.predict([texts[i]])  # warm: the cached function
        np.testing.assert_array_equal(again.probabilities, alone.probabilities)


def test_predict_accepts_iterables_and_rejects_a_bare_string(bundle):
    assert len(bundle.predict(iter(TEXTS[:2])).labels) == 2
    assert len(bundle.predict(np.array(TEXTS[:2])).labels) == 2
    assert bundle.predict([]).labels.shape == (0,)
    with pytest.raises(TypeError, match="not a single str"):
        bundle.predict("just one review")


@pytest.mark.backend_agnostic
def test_evaluate_on_the_run_test_split_and_on_given_texts(run, bundle):
    metrics = bundle.evaluate()
    assert metrics["examples"] == 100
    assert metrics["accuracy"] == pytest.approx(run.test_accuracy)
    assert metrics["confusion_matrix"] == run.confusion_matrix.tolist()
    texts, labels = TEXTS[:2], np.array([1, 0])
    expected = binary_metrics(labels, bundle.predict_proba(texts))
    got = bundle.evaluate(texts, labels)
    assert got["accuracy"] == expected["accuracy"] and got["examples"] == 2
    with pytest.raises(ValueError, match="both `texts` and `labels`"):
        bundle.evaluate(texts)
    with pytest.raises(ValueError, match="one 0/1 entry per text"):
        bundle.evaluate(texts, [1])


@pytest.mark.backend_agnostic
def test_export_embeddings_writes_glove_text_that_load_glove_reads_back(bundle, tmp_path):
    path = tmp_path / "vectors.txt"
    lines = bundle.export_embeddings(path)
    vocabulary = bundle.tokenizer.get_vocabulary()
    weights = bundle.embedding_matrix()
    assert lines == len(vocabulary) - 2  # no padding, no [UNK]
    rows = path.read_text(encoding="utf-8").splitlines()
    assert len(rows) == lines
    first = rows[0].split(" ")
    assert first[0] == vocabulary[2] and len(first) == 1 + weights.shape[1]
    glove = imdbfast.load_glove(str(path), vocabulary)
    np.testing.assert_array_equal(glove.matrix[2:], weights[2:])
    assert not glove.matrix[:2].any()
    assert bundle.export_embeddings(tmp_path / "all.txt", include_special=True) == lines + 1


def test_load_errors(tmp_path, run):
    with pytest.raises(FileNotFoundError, match="run directory not found"):
        imdbfast.load(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="not an imdbfast run directory: missing model.keras"):
        imdbfast.load(tmp_path / "empty")


def test_repr_names_the_model(bundle):
    assert "bilstm" in repr(bundle) and "vocabulary_size=40" in repr(bundle)
