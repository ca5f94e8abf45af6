"""Type stubs for the Rust extension ``imdbfast._native``.

The native module is private: use the public wrappers in :mod:`imdbfast`.
"""

__version__: str

# --- text: tokenization, vocabulary, padding (rust/py/text.rs) ---

# --- glove: embedding file parsing (rust/py/glove.rs) ---

import os
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

def glove_load(
    path: str | os.PathLike[str],
    member: str | None = None,
    vocabulary: Sequence[str] | None = None,
    dim: int | None = None,
    lowercase_fallback: bool = False,
) -> tuple[
    npt.NDArray[np.float32], list[str], int, int, list[str], int, int
]:
    """Parse a GloVe file; returns (matrix, words, hits, misses, missing,
    duplicates, lowercased)."""

def zip_members(path: str | os.PathLike[str]) -> list[str]:
    """The member names of a zip archive."""

# --- datasets: aclImdb directory / tar.gz reading (rust/py/datasets.rs) ---

_SplitParts = tuple[
    list[str],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    list[str],
]

def imdb_read_tar(
    path: str | os.PathLike[str], replace_invalid: bool = False
) -> tuple[_SplitParts, _SplitParts, list[str]]:
    """Read the labeled aclImdb reviews from a .tar.gz without extracting it;
    returns (train, test, replaced), each split (texts, labels, ids, ratings,
    names)."""

def imdb_read_dir(
    path: str | os.PathLike[str], replace_invalid: bool = False
) -> tuple[_SplitParts, _SplitParts, list[str]]:
    """Read the labeled aclImdb reviews from an extracted directory."""
