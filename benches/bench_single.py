"""One review at a time: the latency of encoding and of predicting a single
text, imdbfast beside its peers in the same run (median of 1,000 calls).

    IMDBFAST_TEST_DATA=/work/shared/data python -m pytest benches/bench_single.py \
        --benchmark-enable --benchmark-json=/tmp/bench_single.json
    python benches/report.py /tmp/bench_single.json

Groups:

- "single-transform": the default ``Tokenizer`` (ids) and a tf-idf
  ``Tokenizer`` (sparse bag rows), both fitted on the 25k training reviews,
  against scikit-learn's ``TfidfVectorizer`` fitted likewise:
  ``transform([review])``.
- "single-bilstm-by-length": the BiLSTM run's compiled inference step on one
  row of 8, 40, 168 and 336 ids (its fixed cost and its cost per token).
- "single-predict": ``Bundle.predict([review])`` of two small trained runs
  (the default BiLSTM and the ``ngrams-linear`` preset, one epoch on a few
  hundred real reviews), against the same Keras model's
  ``model.predict(x, verbose=0)`` and ``model(x, training=False)`` on the
  review already encoded (the model's own cost, with and without Keras'
  input pipeline; ``model.predict`` gets 100 calls, each builds a
  ``tf.data`` pipeline).
"""

from __future__ import annotations

import os
import sys
from typing import Any

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(__file__))

from bench_tokenizer import TAR, load_texts

import imdbfast

#: Calls per benchmark (the median of these is reported), after warm-up calls;
#: IMDBFAST_BENCH_ROUNDS sets fewer (for a slow "before" build).
ROUNDS = int(os.environ.get("IMDBFAST_BENCH_ROUNDS", "1000"))
WARMUP = 50
#: Keras' ``model.predict`` builds an input pipeline per call (tenths of a
#: second): it gets this many calls.
SLOW_ROUNDS = min(ROUNDS, 100)


def bench(benchmark: Any, fn: Any, *args: Any, rounds: int = ROUNDS) -> Any:
    return benchmark.pedantic(fn, args=args, rounds=rounds, iterations=1,
                              warmup_rounds=min(WARMUP, rounds))


@pytest.fixture(scope="module")
def train_texts() -> list[str]:
    if not TAR.exists():
        pytest.skip(f"real data not found at {TAR}")
    return load_texts()[0]


@pytest.fixture(scope="module")
def review(train_texts: list[str]) -> str:
    """A review of median length (among the first 1,000 training reviews)."""
    head = sorted(train_texts[:1000], key=len)
    return head[len(head) // 2]


# --- single-transform --------------------------------------------------------


@pytest.fixture(scope="module")
def tokenizers(train_texts: list[str]) -> dict[str, Any]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return {
        "ids": imdbfast.Tokenizer().fit(train_texts),
        "tfidf": imdbfast.Tokenizer(output_mode="tf_idf", sparse=True).fit(train_texts),
        "sklearn": TfidfVectorizer().fit(train_texts),
    }


@pytest.mark.benchmark(group="single-transform")
def test_imdbfast_transform_ids(benchmark, tokenizers, review):
    out = bench(benchmark, tokenizers["ids"].transform, [review])
    assert len(out) == 1 and len(out[0]) > 0


@pytest.mark.benchmark(group="single-transform")
def test_imdbfast_transform_tfidf(benchmark, tokenizers, review):
    out = bench(benchmark, tokenizers["tfidf"].transform, [review])
    assert out.shape[0] == 1 and out.nnz > 0


@pytest.mark.benchmark(group="single-transform")
def test_sklearn_tfidf_transform(benchmark, tokenizers, review):
    out = bench(benchmark, tokenizers["sklearn"].transform, [review])
    assert out.shape[0] == 1 and out.nnz > 0


# --- single-predict ----------------------------------------------------------


@pytest.fixture(scope="module")
def bundles(tmp_path_factory) -> dict[str, Any]:
    """Bundles of two small runs on real data, loaded from their run dirs."""
    pytest.importorskip("keras")
    if not TAR.exists():
        pytest.skip(f"real data not found at {TAR}")
    out = tmp_path_factory.mktemp("single-runs")
    small = {"data_source": str(TAR), "output_dir": str(out), "train_size": 400,
             "epochs": 1, "verbose": 0, "seed": 7}
    runs = {
        "bilstm": imdbfast.train(run_name="bilstm", **small),
        "bag": imdbfast.train("ngrams-linear", run_name="bag", **small),
    }
    return {name: imdbfast.load(run.run_dir) for name, run in runs.items()}


def encoded(bundle: Any, review: str) -> Any:
    """The review as the model reads it: padded ids (a stock Keras input)
    or a sparse bag row."""
    return bundle.tokenizer.transform([review])


def call_input(x: Any) -> Any:
    """``x`` as ``model(x)`` takes it (a sparse row as a ``tf.SparseTensor``)."""
    import keras

    if hasattr(x, "tocoo"):
        from keras.src.trainers.data_adapters.data_adapter_utils import (
            scipy_sparse_to_tf_sparse,
        )

        return scipy_sparse_to_tf_sparse(x)
    return keras.ops.convert_to_tensor(x)


@pytest.mark.parametrize("name", ["bilstm", "bag"])
@pytest.mark.benchmark(group="single-predict")
def test_bundle_predict(benchmark, bundles, review, name):
    out = bench(benchmark, bundles[name].predict, [review])
    assert out.probabilities.shape == (1,)


@pytest.mark.parametrize("name", ["bilstm", "bag"])
@pytest.mark.benchmark(group="single-predict")
def test_keras_model_predict(benchmark, bundles, review, name):
    model = bundles[name].model
    x = encoded(bundles[name], review)
    out = bench(benchmark, lambda: model.predict(x, verbose=0), rounds=SLOW_ROUNDS)
    assert np.asarray(out).shape == (1, 1)


@pytest.mark.parametrize("name", ["bilstm", "bag"])
@pytest.mark.benchmark(group="single-predict")
def test_keras_model_call(benchmark, bundles, review, name):
    model = bundles[name].model
    x = call_input(encoded(bundles[name], review))
    out = bench(benchmark, lambda: model(x, training=False))
    assert tuple(out.shape) == (1, 1)


@pytest.mark.parametrize("length", [8, 40, 168, 336])
@pytest.mark.benchmark(group="single-bilstm-by-length")
def test_bilstm_step_by_length(benchmark, bundles, length):
    """The BiLSTM bundle's compiled inference step (the one ``Bundle.predict``
    calls) on one row of ``length`` ids: its fixed cost and its cost per token,
    which bound ``Bundle.predict`` of one review from below."""
    pytest.importorskip("tensorflow")
    import tensorflow as tf

    from imdbfast.layers import right_padded_inputs
    from imdbfast.runtime import model_step

    model = bundles["bilstm"].model
    with right_padded_inputs():
        step = model_step(
            model,
            ("ids", None),
            [tf.TensorSpec((None, None), tf.int32)],
            lambda live, x: live(x, training=False),
        )
    x = tf.constant(np.random.default_rng(0).integers(2, 1000, (1, length), dtype=np.int32))
    out = bench(benchmark, step, x)
    assert tuple(out.shape) == (1, 1)
