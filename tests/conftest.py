"""Shared fixtures: where the real data lives, and a plain-Python reference
reading of the full aclImdb archive that tests compare against."""

from __future__ import annotations

import os
import re
import tarfile
from pathlib import Path

import pytest

# ../shared/data beside the project root, or $IMDBFAST_TEST_DATA.
DATA_DIR = Path(
    os.environ.get(
        "IMDBFAST_TEST_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"
    )
)
# Tests parse GloVe files rather than read them back from the cache of parsed
# matrices (which would also write into the user's cache directory); the cache's
# own tests turn it on with a temporary $IMDBFAST_HOME.
os.environ.setdefault("IMDBFAST_GLOVE_CACHE", "0")

IMDB_TAR = DATA_DIR / "aclImdb_v1_labeled.tar.gz"
GLOVE_50D_GZ = DATA_DIR / "glove.6B.50d.txt.gz"

_MEMBER = re.compile(r"^aclImdb/(train|test)/(pos|neg)/(\d+)_(\d+)\.txt$")


def _require(path: Path) -> Path:
    """Skip a test whose real data is absent, except in CI, where that is a failure."""
    if not path.exists():
        message = f"real data not found at {path} (set IMDBFAST_TEST_DATA)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def imdb_tar() -> Path:
    """Path of the labeled aclImdb tar.gz."""
    return _require(IMDB_TAR)


@pytest.fixture(scope="session")
def glove_50d_gz() -> Path:
    """Path of glove.6B.50d.txt.gz."""
    return _require(GLOVE_50D_GZ)


@pytest.fixture(scope="session")
def imdb_reference(imdb_tar: Path) -> dict[str, list[tuple[str, int, int, int]]]:
    """The full aclImdb read with the standard library, as the ground truth.

    Returns ``{"train": [...], "test": [...]}``, each a list of
    ``(text, label, file_id, rating)`` with label 1 = pos, ordered by class
    (neg, then pos) and then by file name, like ``text_dataset_from_directory``.
    """
    rows: dict[str, list[tuple[str, str, str, int, int, int]]] = {"train": [], "test": []}
    with tarfile.open(imdb_tar, "r:gz") as tar:
        for member in tar:
            m = _MEMBER.match(member.name)
            if not m or not member.isfile():
                continue
            split, cls, file_id, rating = m.groups()
            f = tar.extractfile(member)
            assert f is not None
            text = f.read().decode("utf-8")
            name = member.name.rsplit("/", 1)[1]
            rows[split].append((cls, name, text, int(cls == "pos"), int(file_id), int(rating)))
    return {
        split: [(t, label, fid, r) for _, _, t, label, fid, r in sorted(items, key=lambda x: (x[0], x[1]))]
        for split, items in rows.items()
    }


@pytest.fixture(scope="session")
def imdb_train_texts(imdb_reference) -> list[str]:
    """The 25,000 training reviews, in reference order."""
    return [row[0] for row in imdb_reference["train"]]


@pytest.fixture(scope="session")
def imdb_all_texts(imdb_reference) -> list[str]:
    """All 50,000 labeled reviews: train then test, in reference order."""
    return [row[0] for split in ("train", "test") for row in imdb_reference[split]]
