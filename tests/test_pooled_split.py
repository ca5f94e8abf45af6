"""Seed 004's split as a loader option: ``load_imdb(pool=True,
csv_split="pandas", seed=12)`` against pandas' own
``df.sample(frac=1, random_state=12)`` and contiguous 70/10/20 slices, on a
Kaggle-format CSV (``review,sentiment``) written from the archive's pooled
order (train rows, then test rows, each by class and file name)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from imdbfast import load_imdb
from test_datasets import make_tree


def write_kaggle_csv(path: Path, rows) -> Path:
    """rows: (text, label) in the pooled order."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["review", "sentiment"])
        for text, label in rows:
            w.writerow([text, "positive" if label else "negative"])
    return path


def seed004_split(path: Path, seed=12):
    """Seed 004's ``load_imdb``, transcribed: the original row numbers of
    train, validation and test."""
    pd = pytest.importorskip("pandas")
    df = pd.read_csv(path)
    df["sentiment"] = df["sentiment"].map({"negative": 0, "positive": 1})
    df = df.sample(frac=1, random_state=seed)
    rows = df.index.to_numpy()  # before reset_index(drop=True)
    train_size = int(len(df) * 0.7)
    valid_size = int(len(df) * 0.1)
    return (
        rows[:train_size],
        rows[train_size : train_size + valid_size],
        rows[train_size + valid_size :],
    )


def pooled_names(data):
    return [f"{part}/{name}" for part in ("train", "test") for name in getattr(data, part).files]


def check(source: Path, tmp_path: Path, seed=12):
    plain = load_imdb(source, order="sorted", validation_split=0)
    names = pooled_names(plain)
    rows = list(zip(plain.train.texts + plain.test.texts, np.concatenate([plain.train.labels, plain.test.labels])))
    path = write_kaggle_csv(tmp_path / "IMDB Dataset.csv", rows)
    expected = seed004_split(path, seed)
    ours = load_imdb(source, pool=True, csv_split="pandas", seed=seed, order="sorted")
    from_csv = load_imdb(path, csv_split="pandas", seed=seed, order="sorted")
    for split, csv_split, idx in zip(
        (ours.train, ours.validation, ours.test), (from_csv.train, from_csv.validation, from_csv.test), expected
    ):
        assert sorted(split.files) == sorted(names[i] for i in idx)
        assert sorted(split.texts) == sorted(rows[i][0] for i in idx)
        assert sorted(csv_split.texts) == sorted(split.texts)
        assert int(split.labels.sum()) == sum(int(rows[i][1]) for i in idx)
    return ours


def test_tiny_tree_matches_pandas(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    for i in range(30):
        (root / "train" / ("pos" if i % 2 else "neg") / f"{100 + i}_{7 if i % 2 else 2}.txt").write_text(f"r {i}, \"q\"\n")
        (root / "test" / ("pos" if i % 3 else "neg") / f"{200 + i}_{8 if i % 3 else 1}.txt").write_text(f"t {i}")
    data = check(root, tmp_path)
    assert (len(data.train), len(data.validation), len(data.test)) == (46, 6, 14)


def test_pandas_split_is_a_randomstate_permutation(tmp_path: Path) -> None:
    """Without pandas: ``sample(frac=1, random_state=s)`` draws
    ``np.random.RandomState(s).choice(n, n, replace=False)``, a permutation."""
    root = make_tree(tmp_path)
    plain = load_imdb(root, order="sorted", validation_split=0)
    names = pooled_names(plain)
    perm = np.random.RandomState(12).permutation(len(names))
    data = load_imdb(root, pool=True, csv_split="pandas", seed=12, csv_fractions=(0.5, 0.0, 0.5), order="sorted")
    assert sorted(data.train.files) == sorted(names[i] for i in perm[:3])
    assert sorted(data.test.files) == sorted(names[i] for i in perm[3:])
    assert len(data.validation) == 0
    shuffle = load_imdb(root, pool=True, seed=12, csv_fractions=(0.5, 0.0, 0.5))
    assert len(shuffle.train) == 3 and all(f.startswith(("train/", "test/")) for f in shuffle.train.files)
    with pytest.raises(ValueError, match="pool=True splits the pooled reviews"):
        load_imdb(root, pool=True, csv_split="column")
    with pytest.raises(ValueError, match="csv_split must be one of"):
        load_imdb(root, csv_split="random")


@pytest.mark.slow
def test_full_archive_matches_pandas(imdb_tar: Path, tmp_path: Path) -> None:
    data = check(imdb_tar, tmp_path)
    assert (len(data.train), len(data.validation), len(data.test)) == (35000, 5000, 10000)
