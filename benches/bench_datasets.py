"""Reading all 50,000 labeled aclImdb reviews, imdbfast beside its peers in the
same run.

    IMDBFAST_TEST_DATA=/work/shared/data python -m pytest benches/bench_datasets.py \
        --benchmark-enable --benchmark-json=/tmp/bench_datasets.json
    python benches/report.py /tmp/bench_datasets.json

The archive is extracted once into a temporary directory (standard library,
'data' filter). Groups:
- "imdb-tar.gz": from aclImdb_v1_labeled.tar.gz: imdbfast.datasets.load_imdb
  (Rust, streamed, nothing written to disk) vs a plain Python ``tarfile`` loop.
- "imdb-directory": from the extracted directory: load_imdb vs a plain Python
  ``open().read()`` loop vs ``keras.utils.text_dataset_from_directory`` (train
  and test, unbatched, materialised as Python strings and labels).
Every entry produces the 50,000 texts (str) and labels; counts are checked.
load_imdb runs with its default validation split (20 %, seeded), included in
its time.
"""

from __future__ import annotations

import os
import re
import tarfile
from pathlib import Path

import numpy as np
import pytest

from imdbfast.datasets import load_imdb

DATA = Path(os.environ.get("IMDBFAST_TEST_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
TAR = DATA / "aclImdb_v1_labeled.tar.gz"
MEMBER = re.compile(r"^aclImdb/(train|test)/(pos|neg)/\d+_\d+\.txt$")


@pytest.fixture(scope="session")
def tar_path() -> Path:
    if not TAR.exists():
        pytest.skip(f"real data not found at {TAR}")
    return TAR


@pytest.fixture(scope="session")
def imdb_dir(tar_path, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("aclimdb")
    with tarfile.open(tar_path, "r:gz") as tar:
        tar.extractall(root, filter="data")
    return root / "aclImdb"


def count(data) -> int:
    return len(data.train) + len(data.validation) + len(data.test)


def python_tar_loop(path: Path):
    texts, labels = [], []
    with tarfile.open(path, "r:gz") as tar:
        for m in tar:
            hit = MEMBER.match(m.name)
            if hit and m.isfile():
                f = tar.extractfile(m)
                assert f is not None
                texts.append(f.read().decode("utf-8"))
                labels.append(int(hit.group(2) == "pos"))
    return texts, np.array(labels)


def python_dir_loop(root: Path):
    texts, labels = [], []
    for split in ("train", "test"):
        for label, cls in enumerate(("neg", "pos")):
            folder = root / split / cls
            for name in sorted(os.listdir(folder)):
                with open(folder / name, encoding="utf-8") as f:
                    texts.append(f.read())
                labels.append(label)
    return texts, np.array(labels)


def keras_from_directory(root: Path):
    import keras

    texts, labels = [], []
    for split in ("train", "test"):
        ds = keras.utils.text_dataset_from_directory(
            root / split, batch_size=1024, shuffle=False, verbose=False
        )
        for x, y in ds.as_numpy_iterator():
            texts.extend(t.decode("utf-8") for t in x)
            labels.append(y)
    return texts, np.concatenate(labels)


@pytest.mark.benchmark(group="imdb-tar.gz")
def test_imdbfast_tar(benchmark, tar_path):
    data = benchmark.pedantic(load_imdb, args=(tar_path,), rounds=10, warmup_rounds=1)
    assert count(data) == 50_000


@pytest.mark.benchmark(group="imdb-tar.gz")
def test_python_tarfile_loop(benchmark, tar_path):
    texts, labels = benchmark.pedantic(python_tar_loop, args=(tar_path,), rounds=3)
    assert len(texts) == 50_000 and labels.sum() == 25_000


@pytest.mark.benchmark(group="imdb-directory")
def test_imdbfast_directory(benchmark, imdb_dir):
    data = benchmark.pedantic(load_imdb, args=(imdb_dir,), rounds=10, warmup_rounds=1)
    assert count(data) == 50_000


@pytest.mark.benchmark(group="imdb-directory")
def test_python_read_loop(benchmark, imdb_dir):
    texts, labels = benchmark.pedantic(python_dir_loop, args=(imdb_dir,), rounds=3, warmup_rounds=1)
    assert len(texts) == 50_000 and labels.sum() == 25_000


@pytest.mark.benchmark(group="imdb-directory")
def test_keras_text_dataset_from_directory(benchmark, imdb_dir):
    pytest.importorskip("keras")
    keras_from_directory(imdb_dir)  # warm up TensorFlow outside the timing
    texts, labels = benchmark.pedantic(keras_from_directory, args=(imdb_dir,), rounds=2)
    assert len(texts) == 50_000 and labels.sum() == 25_000
