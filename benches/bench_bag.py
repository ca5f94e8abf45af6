"""Bag-of-n-grams speed on the full aclImdb: bigram tf-idf with max_tokens
20000, fit on the 25k train reviews + transform all 50k, imdbfast beside its
peers in the same run.

    IMDBFAST_TEST_DATA=/work/shared/data python -m pytest benches/bench_bag.py \\
        --benchmark-enable --benchmark-json=/tmp/bench_bag.json
    python benches/report.py /tmp/bench_bag.json

Group "bag-tfidf":

- imdbfast: ``Tokenizer(output_mode="tf_idf", max_tokens=20000, ngrams=2,
  sparse=True)``, fit + transform to a ``scipy.sparse.csr_matrix``;
- ``keras.layers.TextVectorization`` with the same options, ``adapt`` + call
  (dense: Keras 3 crashes on ``sparse=True`` with ``tf_idf``), in batches of
  2,000 reviews whose outputs are dropped (all 50k at once would be a 4 GB
  float32 matrix); its values are checked equal to imdbfast's on a sample;
- scikit-learn ``TfidfVectorizer(ngram_range=(1, 2), max_features=20000)``,
  ``fit_transform`` on the train reviews + ``transform`` of all 50k (time
  only: it tokenizes with ``(?u)\\b\\w\\w+\\b`` on lowercased text, drops
  one-letter tokens, smooths idf as ``ln((1 + N) / (1 + df)) + 1`` and
  L2-normalizes rows, so its numbers differ from Keras').
"""

from __future__ import annotations

import os

import numpy as np
import pytest

import imdbfast

from bench_tokenizer import texts  # noqa: F401  (the shared data fixture)

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

OPTIONS = {"output_mode": "tf_idf", "max_tokens": 20000, "ngrams": 2}


def run_imdbfast(train, all_texts):
    tok = imdbfast.Tokenizer(sparse=True, **OPTIONS).fit(train)
    return tok.transform(all_texts)


def run_text_vectorization(train, all_texts, keep=()):
    """Adapt + call in batches; returns the rows of the batches in ``keep``."""
    import tensorflow as tf
    from keras.layers import TextVectorization

    layer = TextVectorization(**OPTIONS)
    layer.adapt(tf.constant(train))
    kept = {}
    for i in range(0, len(all_texts), 2000):
        out = layer(tf.constant(all_texts[i : i + 2000]))
        if i in keep:
            kept[i] = np.asarray(out)
    return kept


def run_sklearn(train, all_texts):
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(ngram_range=(1, 2), max_features=20000)
    vectorizer.fit_transform(train)
    return vectorizer.transform(all_texts)


@pytest.mark.benchmark(group="bag-tfidf")
def test_imdbfast_tfidf(benchmark, texts):  # noqa: F811
    out = benchmark.pedantic(run_imdbfast, args=texts, rounds=7, iterations=1, warmup_rounds=1)
    assert out.shape == (50000, 20000) and out.dtype == np.float32


@pytest.mark.benchmark(group="bag-tfidf")
def test_text_vectorization_tfidf(benchmark, texts):  # noqa: F811
    pytest.importorskip("keras")
    kept = benchmark.pedantic(
        run_text_vectorization, args=texts, kwargs={"keep": (0, 26000)}, rounds=2, iterations=1
    )
    ours = run_imdbfast(*texts)
    for i, rows in kept.items():
        np.testing.assert_allclose(ours[i : i + len(rows)].toarray(), rows, rtol=1e-6)


@pytest.mark.benchmark(group="bag-tfidf")
def test_sklearn_tfidf(benchmark, texts):  # noqa: F811
    pytest.importorskip("sklearn")
    out = benchmark.pedantic(run_sklearn, args=texts, rounds=3, iterations=1)
    assert out.shape == (50000, 20000)
