"""imdbfast.datasets.load_imdb: every source gives the same 50,000 reviews as the
plain-Python reference, the validation split follows the documented rule, and bad
inputs give clear errors."""

from __future__ import annotations

import csv
import random
import tarfile
from pathlib import Path

import numpy as np
import pytest

import imdbfast
from imdbfast.datasets import IMDB, Split, load_imdb


def load_sorted(*args, **kwargs) -> IMDB:
    """load_imdb in the class-sorted order, the order the references here list."""
    return load_imdb(*args, order="sorted", **kwargs)


@pytest.fixture(scope="session")
def imdb_dir(imdb_tar: Path, tmp_path_factory) -> Path:
    """The real archive extracted once (standard library, 'data' filter)."""
    root = tmp_path_factory.mktemp("aclimdb")
    with tarfile.open(imdb_tar, "r:gz") as tar:
        tar.extractall(root, filter="data")
    return root / "aclImdb"


@pytest.fixture(scope="session")
def imdb_csv(imdb_reference, tmp_path_factory) -> Path:
    """A CSV written from the reference, with split/file/id/rating columns."""
    path = tmp_path_factory.mktemp("csv") / "imdb.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["review", "sentiment", "split", "file", "id", "rating"])
        for split in ("test", "train"):  # deliberately not in output order
            for text, label, fid, rating in reversed(imdb_reference[split]):
                name = f"{fid}_{rating}.txt"
                w.writerow([text, "positive" if label else "negative", split, name, fid, rating])
    return path


def reference_split(rows, validation_split: float, seed: int):
    """The documented validation rule, written independently."""
    val_names: set[tuple[int, str]] = set()
    for cls in (0, 1):
        names = sorted(f"{fid}_{r}.txt" for _, label, fid, r in rows if label == cls)
        random.Random(seed).shuffle(names)
        n_val = int(validation_split * len(names))
        val_names |= {(cls, n) for n in (names[-n_val:] if n_val else [])}
    train = [row for row in rows if (row[1], f"{row[2]}_{row[3]}.txt") not in val_names]
    val = [row for row in rows if (row[1], f"{row[2]}_{row[3]}.txt") in val_names]
    return train, val


def assert_split_equals(split: Split, rows) -> None:
    assert split.texts == [r[0] for r in rows]
    np.testing.assert_array_equal(split.labels, [r[1] for r in rows])
    assert split.labels.dtype == np.int64
    assert split.ids is not None and split.ratings is not None
    np.testing.assert_array_equal(split.ids, [r[2] for r in rows])
    np.testing.assert_array_equal(split.ratings, [r[3] for r in rows])


def test_tar_equals_reference(imdb_tar: Path, imdb_reference) -> None:
    data = load_sorted(imdb_tar, validation_split=0)
    assert isinstance(data, IMDB) and data.replaced == 0
    assert (len(data.train), len(data.validation), len(data.test)) == (25_000, 0, 25_000)
    assert_split_equals(data.train, imdb_reference["train"])
    assert_split_equals(data.test, imdb_reference["test"])


def test_all_sources_agree_with_split_rule(imdb_tar, imdb_dir, imdb_csv, imdb_reference) -> None:
    train_ref, val_ref = reference_split(imdb_reference["train"], 0.2, 1337)
    assert len(train_ref) == 20_000 and len(val_ref) == 5_000
    results = {
        "tar": load_sorted(imdb_tar),
        "dir": load_sorted(imdb_dir),
        "dir-parent": load_sorted(imdb_dir.parent, validation_split=0.2, seed=1337),
        "csv": load_sorted(imdb_csv),
    }
    for name, data in results.items():
        assert_split_equals(data.train, train_ref)
        assert_split_equals(data.validation, val_ref)
        assert_split_equals(data.test, imdb_reference["test"])
        assert data.train.files == [f"{r[2]}_{r[3]}.txt" for r in train_ref], name


def test_split_rule_other_seed_and_fraction(imdb_tar, imdb_reference) -> None:
    data = load_sorted(imdb_tar, validation_split=0.1, seed=7)
    train_ref, val_ref = reference_split(imdb_reference["train"], 0.1, 7)
    assert_split_equals(data.train, train_ref)
    assert_split_equals(data.validation, val_ref)
    # Deterministic, and the seed matters.
    again = load_sorted(imdb_tar, validation_split=0.1, seed=7)
    assert again.validation.files == data.validation.files
    other = load_sorted(imdb_tar, validation_split=0.1, seed=8)
    assert other.validation.files != data.validation.files


def test_train_size_stratified_seeded(imdb_tar) -> None:
    full = load_sorted(imdb_tar, seed=3)
    small = load_sorted(imdb_tar, train_size=101, seed=3)
    assert len(small.train) == 101 and int(small.train.labels.sum()) in (50, 51)
    assert set(small.train.files or []) <= set(full.train.files or [])
    # Only the train part changes; the order rule still holds.
    assert small.validation.files == full.validation.files
    keys = list(zip(small.train.labels.tolist(), small.train.files or []))
    assert keys == sorted(keys)
    assert load_sorted(imdb_tar, train_size=101, seed=3).train.files == small.train.files
    assert load_sorted(imdb_tar, train_size=101, seed=4).train.files != small.train.files
    with pytest.raises(ValueError, match="larger than the 20000 training reviews"):
        load_sorted(imdb_tar, train_size=20_001)


def test_kaggle_csv_shuffle_split(imdb_reference, tmp_path: Path) -> None:
    rows = imdb_reference["train"][:600] + imdb_reference["test"][:400]
    path = tmp_path / "IMDB Dataset.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["review", "sentiment"])
        for text, label, _, _ in rows:
            w.writerow([text, "positive" if label else "negative"])
    data = load_sorted(path, seed=11)
    order = list(range(len(rows)))
    random.Random(11).shuffle(order)
    parts = order[:700], order[700:800], order[800:]
    for split, idx in zip((data.train, data.validation, data.test), parts):
        expect = sorted(idx, key=lambda i: (rows[i][1], i))
        assert split.texts == [rows[i][0] for i in expect]
        np.testing.assert_array_equal(split.labels, [rows[i][1] for i in expect])
        assert split.ids is None and split.ratings is None
    assert (len(data.train), len(data.validation), len(data.test)) == (700, 100, 200)
    custom = load_sorted(path, csv_fractions=(0.5, 0.0, 0.5))
    assert (len(custom.train), len(custom.validation), len(custom.test)) == (500, 0, 500)


def make_tree(root: Path, extra: dict[str, bytes] | None = None) -> Path:
    files = {
        "train/neg/1_2.txt": b"bad",
        "train/neg/3_1.txt": b"awful",
        "train/pos/2_9.txt": b"great <br /> film",
        "train/pos/4_10.txt": b"loved it",
        "test/neg/5_3.txt": b"meh",
        "test/pos/6_8.txt": "caf\u00e9".encode(),
        "train/unsup/9_0.txt": b"ignored",
    }
    files.update(extra or {})
    for name, data in files.items():
        p = root / "aclImdb" / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    return root / "aclImdb"


def test_small_tree_order_and_types(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    data = load_sorted(root, validation_split=0)
    assert data.train.texts == ["bad", "awful", "great <br /> film", "loved it"]
    assert data.train.files == ["1_2.txt", "3_1.txt", "2_9.txt", "4_10.txt"]
    assert data.test.texts == ["meh", "caf\u00e9"]
    assert len(data.validation) == 0 and data.validation.labels.dtype == np.int64
    assert imdbfast.load_imdb is load_imdb
    assert "train=4" in repr(data)
    # Names that are not <id>_<rating>.txt: ids and ratings are unknown.
    (root / "train" / "pos" / "review.txt").write_bytes(b"odd name")
    odd = load_sorted(root, validation_split=0)
    assert odd.train.ids is None and odd.train.ratings is None
    assert odd.test.ids is not None


def test_default_order_is_seeded_shuffle_of_the_sorted_rows(imdb_tar: Path) -> None:
    """load_imdb's default: each split is the sorted split permuted with
    numpy.random.default_rng((seed, k)).permutation (k = 0, 1, 2); the
    membership is the same, a prefix holds both classes, the seed decides."""
    ordered = load_sorted(imdb_tar, seed=5, train_size=4000)
    shuffled = load_imdb(imdb_tar, seed=5, train_size=4000)
    for k, name in enumerate(("train", "validation", "test")):
        a, b = getattr(ordered, name), getattr(shuffled, name)
        perm = np.random.default_rng((5, k)).permutation(len(a))
        assert b.texts == [a.texts[i] for i in perm], name
        np.testing.assert_array_equal(b.labels, a.labels[perm])
        assert b.files == [a.files[i] for i in perm]
        assert sorted(b.files) == sorted(a.files)
    # The reproducer: a prefix of the sorted order is one class.
    assert set(ordered.train.labels[:1000].tolist()) == {0}
    assert set(shuffled.train.labels[:1000].tolist()) == {0, 1}
    again = load_imdb(imdb_tar, seed=5, train_size=4000)
    assert again.train.files == shuffled.train.files
    other = load_imdb(imdb_tar, seed=6, train_size=4000, validation_split=0.2)
    assert other.test.files != shuffled.test.files
    assert sorted(other.test.files) == sorted(shuffled.test.files)
    with pytest.raises(ValueError, match=r"order must be one of 'shuffled', 'sorted', 'keras_imdb'\. Received: 'class'"):
        load_imdb(imdb_tar, order="class")
    assert "order" in (load_imdb.__doc__ or "") and "shuffled" in (load_imdb.__doc__ or "")


def test_invalid_utf8_error_and_replacement(tmp_path: Path) -> None:
    root = make_tree(tmp_path, {"test/neg/7_2.txt": b"broken \xff\xfe text"})
    with pytest.raises(ValueError, match=r"test/neg/7_2\.txt: not valid UTF-8"):
        load_sorted(root)
    with pytest.warns(UnicodeWarning, match="1 review file"):
        data = load_sorted(root, encoding_errors="replace")
    assert data.replaced == 1 and data.replaced_files == ["test/neg/7_2.txt"]
    assert "broken \ufffd\ufffd text" in data.test.texts


def test_missing_class_folder_and_empty_split(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "a")
    for p in (root / "test" / "pos").iterdir():
        p.unlink()
    with pytest.raises(ValueError, match=r"empty split: the directory has no reviews in test/pos"):
        load_sorted(root)
    (root / "test" / "pos").rmdir()
    with pytest.raises(ValueError, match=r"missing class folder .*test/pos"):
        load_sorted(root)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"review,sentiment\nnice,positive\nbad,neutral\n", r"data row 2: unknown sentiment label.*'neutral'"),
        (b"review,sentiment\n\"unterminated,positive\n", r"malformed CSV|expected 2 fields"),
        (b"review,sentiment\nnice,positive,extra\n", r":2: expected 2 fields, found 3"),
        (b"text,label\nnice,positive\n", r"needs 'review' and 'sentiment' columns"),
        (b"", r"empty CSV file"),
        (b"review,sentiment\n", r"empty split: the CSV has no reviews"),
        (b"review,sentiment\nok,positive\n\xff,negative\n", r"\.csv:3: not valid UTF-8"),
    ],
)
def test_csv_faults(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=message):
        load_sorted(path)


def test_csv_quoting_and_replacement(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    rows = [
        ('He said "wow", then\nleft, twice', "positive", "train"),
        ("plain", "negative", "train"),
        ("x,y", "negative", "test"),
        ("ok \xff", "positive", "test"),
    ]
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["review", "sentiment", "split"])
        w.writerows(rows)
    data = load_sorted(path, validation_split=0)
    assert data.train.texts == ["plain", 'He said "wow", then\nleft, twice']
    assert data.test.texts == ["x,y", "ok \xff"]
    path.write_bytes(path.read_bytes().replace("\xff".encode(), b"\xff"))
    with pytest.warns(UnicodeWarning):
        data = load_sorted(path, validation_split=0, encoding_errors="replace")
    assert data.replaced == 1 and data.test.texts[1] == "ok \ufffd"


def test_argument_errors(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    with pytest.raises(ValueError, match=r"validation_split must be in \[0, 1\)"):
        load_sorted(root, validation_split=1.0)
    with pytest.raises(TypeError, match="validation_split must be a float"):
        load_sorted(root, validation_split="0.2")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="train_size must be a positive int"):
        load_sorted(root, train_size=0)
    with pytest.raises(ValueError, match="encoding_errors must be"):
        load_sorted(root, encoding_errors="ignore")  # type: ignore[arg-type]
    with pytest.raises(FileNotFoundError, match="IMDB source not found"):
        load_sorted(tmp_path / "nope.tar.gz")
    other = tmp_path / "data.json"
    other.write_text("{}")
    with pytest.raises(ValueError, match="must be an aclImdb directory"):
        load_sorted(other)
