"""Type stubs for the Rust extension ``imdbfast._native``.

The native module is private: use the public wrappers in :mod:`imdbfast`.
"""

__version__: str

# --- text, vocab, pad: tokenization, vocabularies, padding (rust/py/text.rs,
# rust/py/vocab.rs, rust/py/pad.rs) ---

from collections.abc import Sequence as _Seq
from typing import Any as _Any
from typing import final as _final

import numpy as _np
import numpy.typing as _npt

@_final
class ArrowStrings:
    """The texts of Arrow string arrays as NumPy views of their buffers
    (rust/py/arrow.rs): each chunk is (value bytes uint8, n + 1 offsets int32
    or int64, n null flags or None); a null is the empty text. Each call
    that reads them copies its texts' bytes first (the buffers are
    writable)."""

    def __new__(
        cls,
        chunks: list[
            tuple[
                _npt.NDArray[_np.uint8],
                _npt.NDArray[_np.int32] | _npt.NDArray[_np.int64],
                _npt.NDArray[_np.bool_] | None,
            ]
        ],
    ) -> ArrowStrings: ...
    def __len__(self) -> int: ...

#: What every ``texts`` argument takes.
_Texts = list[str] | tuple[str, ...] | ArrowStrings

@_final
class TextPipeline:
    """Standardization, splitting and stopword removal."""

    def __new__(
        cls,
        standardize: str | None,
        split: str | None,
        strip_html: bool,
        stopwords: _Seq[str],
    ) -> TextPipeline: ...
    def tokenize(self, text: str) -> list[str]:
        """The tokens of one text."""

@_final
class VocabConfig:
    """A vocabulary's settings, checked once when built (ValueError), with
    the id and bag layouts they give; ``bag``: the ids are seen as the
    columns of a bag (no padding column, ``max_tokens`` counts columns).
    Pickles."""

    def __new__(
        cls,
        max_tokens: int | None = None,
        min_freq: int = 1,
        order: str = "frequency",
        pad_token: str = "",
        oov_token: str | None = "[UNK]",
        start_token: str | None = None,
        index_from: int | None = None,
        bag: bool = False,
    ) -> VocabConfig: ...
    @property
    def max_tokens(self) -> int | None: ...
    @property
    def min_freq(self) -> int: ...
    @property
    def order(self) -> str: ...
    @property
    def pad_token(self) -> str: ...
    @property
    def oov_token(self) -> str | None: ...
    @property
    def start_token(self) -> str | None: ...
    @property
    def index_from(self) -> int | None: ...
    @property
    def bag(self) -> bool: ...
    @property
    def specials(self) -> list[str]:
        """The special tokens that lead the vocabulary as seen, in order."""
    @property
    def first_word_index(self) -> int:
        """Index of the first learned entry in the vocabulary as seen."""
    @property
    def column_offset(self) -> int:
        """The id of a bag's column 0 (0 for ids)."""
    def bag_columns(self, vocabulary_size: int, pad_to_max_tokens: bool) -> int:
        """The number of columns of a bag over a vocabulary of that many ids."""
    def idf_columns(self, pad_to_max_tokens: bool) -> tuple[int, int]:
        """``(column_offset, depth)`` of the idf weights to learn."""
    def __reduce__(self) -> tuple[_Any, tuple[_Any, ...]]: ...

@_final
class Vocabulary:
    """An ordered vocabulary; encodes texts into int32 ids."""

    def __new__(cls, tokens: _Seq[str], config: VocabConfig) -> Vocabulary: ...
    @staticmethod
    def build(
        pipeline: TextPipeline,
        texts: _Texts,
        config: VocabConfig,
        *,
        num_threads: int | None = None,
    ) -> Vocabulary:
        """Count tokens in parallel and build a vocabulary."""
    def tokens(self) -> list[str]:
        """All tokens in id order (MemoryError for too many reserved ids)."""
    def token(self, id: int) -> str | None:
        """The token of one id, or None when out of range."""
    def decode_ids(self, ids: _Seq[int]) -> list[str]:
        """The tokens of ids (ValueError for an id out of range)."""
    @property
    def reserved(self) -> int:
        """Number of reserved ids (not stored)."""
    def __len__(self) -> int: ...
    def token_to_id(self, token: str) -> int: ...
    def encode(
        self,
        pipeline: TextPipeline,
        texts: _Texts,
        length: int,
        padding: str,
        truncating: str,
        *,
        num_threads: int | None = None,
    ) -> _npt.NDArray[_np.int32]:
        """Encode into a (len(texts), length) int32 array padded with 0."""
    def encode_ragged(
        self,
        pipeline: TextPipeline,
        texts: _Texts,
        length: int | None,
        truncating: str,
        *,
        num_threads: int | None = None,
    ) -> tuple[_npt.NDArray[_np.int32], _npt.NDArray[_np.int64]]:
        """Encode into (values, row_splits)."""

# --- bag: n-grams and bag-of-n-gram outputs (rust/py/bag.rs) ---

def ngram_vocabulary(
    pipeline: TextPipeline,
    texts: _Texts,
    widths: _Seq[int],
    config: VocabConfig,
    *,
    exclude: _Seq[str],
    idf_columns: tuple[int, int] | None,
    num_threads: int | None = None,
) -> tuple[Vocabulary, _npt.NDArray[_np.float32] | None]:
    """Count n-grams (and document frequencies) and build a vocabulary; with
    idf_columns=(offset, depth), also the idf weight of each bag column."""

def bag_sparse(
    vocabulary: Vocabulary,
    pipeline: TextPipeline,
    texts: _Texts,
    widths: _Seq[int],
    mode: str,
    depth: int,
    column_offset: int,
    idf: _npt.NDArray[_np.float32] | None,
    *,
    num_threads: int | None = None,
) -> tuple[
    _npt.NDArray[_np.float32], _npt.NDArray[_np.int32], _npt.NDArray[_np.int64]
]:
    """Bag rows as CSR arrays (data, indices, indptr)."""

def bag_matrix(
    vocabulary: Vocabulary,
    pipeline: TextPipeline,
    texts: _Texts,
    widths: _Seq[int],
    mode: str,
    depth: int,
    column_offset: int,
    idf: _npt.NDArray[_np.float32] | None,
    *,
    num_threads: int | None = None,
) -> _npt.NDArray[_np.float32]:
    """Bag rows as a dense (len(texts), depth) float32 array."""

def ngram_ids_ragged(
    vocabulary: Vocabulary,
    pipeline: TextPipeline,
    texts: _Texts,
    widths: _Seq[int],
    *,
    num_threads: int | None = None,
) -> tuple[_npt.NDArray[_np.int32], _npt.NDArray[_np.int64]]:
    """The ids of each text's n-grams, width by width: (values, row_splits)."""

def ngram_ids_padded(
    vocabulary: Vocabulary,
    pipeline: TextPipeline,
    texts: _Texts,
    widths: _Seq[int],
    length: int,
    padding: str,
    truncating: str,
    *,
    num_threads: int | None = None,
) -> _npt.NDArray[_np.int32]:
    """The ids of each text's n-grams in a (len(texts), length) int32 array,
    padded with 0 and truncated as pad_sequences does."""

def pad_sequences_int32(
    sequences: _Any, maxlen: int | None, padding: str, truncating: str, value: int
) -> _npt.NDArray[_np.int32] | None: ...
def pad_sequences_int64(
    sequences: _Any, maxlen: int | None, padding: str, truncating: str, value: int
) -> _npt.NDArray[_np.int64] | None: ...
def pad_sequences_float32(
    sequences: _Any, maxlen: int | None, padding: str, truncating: str, value: float
) -> _npt.NDArray[_np.float32] | None: ...
def pad_sequences_float64(
    sequences: _Any, maxlen: int | None, padding: str, truncating: str, value: float
) -> _npt.NDArray[_np.float64] | None: ...
def word_char_table() -> list[tuple[int, int]]:
    """Inclusive code point ranges of Python's \\w used by split="word"."""

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
    *,
    num_threads: int | None = None,
) -> tuple[
    npt.NDArray[np.float32], list[str], int, int, list[str], int, int
]:
    """Parse a GloVe file; returns (matrix, words, hits, misses, missing,
    duplicates, lowercased)."""

def glove_align(
    words: Sequence[str],
    matrix: npt.NDArray[np.float32],
    vocabulary: Sequence[str],
    lowercase_fallback: bool = False,
    *,
    num_threads: int | None = None,
) -> tuple[
    npt.NDArray[np.float32], list[str], int, int, list[str], int, int
]:
    """Align vectors in memory (``matrix[i]`` is the vector of ``words[i]``,
    C-contiguous float32) with a vocabulary by the rules of ``glove_load``'s
    vocabulary mode; returns what ``glove_load`` returns, with the vocabulary
    as the words. Raises ValueError when ``matrix`` is not C-contiguous or
    has not one row per word."""

def zip_members(path: str | os.PathLike[str]) -> list[str]:
    """The member names of a zip archive."""

# --- datasets: aclImdb directory / tar.gz reading (rust/py/archive.rs) ---

_SplitParts = tuple[
    list[str],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    list[str],
]

def imdb_read_tar(
    path: str | os.PathLike[str],
    replace_invalid: bool = False,
    max_review_bytes: int = ...,
    *,
    num_threads: int | None = None,
) -> tuple[_SplitParts, _SplitParts, list[str]]:
    """Read the labeled aclImdb reviews from a .tar.gz without extracting it;
    returns (train, test, replaced), each split (texts, labels, ids, ratings,
    names). A member declaring more than ``max_review_bytes`` is an error."""

def imdb_read_dir(
    path: str | os.PathLike[str],
    replace_invalid: bool = False,
    max_review_bytes: int = ...,
    follow_symlinks: bool = False,
    *,
    num_threads: int | None = None,
) -> tuple[_SplitParts, _SplitParts, list[str]]:
    """Read the labeled aclImdb reviews from an extracted directory; symbolic
    links are refused unless ``follow_symlinks``."""

# --- counts: mergeable token counts (rust/py/count.rs) ---

@_final
class TokenCounts:
    """Token (n-gram) counts of some texts; ``a + b`` adds ``b``'s texts
    after ``a``'s; pickles."""

    def __new__(cls) -> TokenCounts: ...
    def add_texts(
        self,
        pipeline: TextPipeline,
        texts: _Texts,
        widths: _Seq[int],
        source: str,
        *,
        num_threads: int | None = None,
    ) -> None:
        """Count the n-grams of texts and add them after those already counted."""
    @staticmethod
    def merge(counts: _Seq[TokenCounts]) -> TokenCounts:
        """The counts of all, in order."""
    def __add__(self, value: TokenCounts, /) -> TokenCounts: ...
    def __radd__(self, value: TokenCounts, /) -> TokenCounts: ...
    def __iadd__(self, value: TokenCounts, /) -> TokenCounts: ...
    @property
    def documents(self) -> int:
        """Number of texts counted."""
    @property
    def ngrams(self) -> list[int]:
        """The n-gram widths counted (empty for empty counts)."""
    @property
    def source(self) -> str:
        """Label of the tokenizer settings the counts come from."""
    @property
    def nbytes(self) -> int:
        """Approximate bytes of memory the counts hold."""
    def count(self, token: str) -> int:
        """Occurrences of a token."""
    def document_count(self, token: str) -> int:
        """Number of texts a token occurs in."""
    def __len__(self) -> int: ...
    def __getstate__(self) -> bytes: ...
    def __setstate__(self, state: bytes) -> None: ...

def vocabulary_from_counts(
    counts: TokenCounts,
    config: VocabConfig,
    *,
    exclude: _Seq[str],
    idf_columns: tuple[int, int] | None,
    num_threads: int | None = None,
) -> tuple[Vocabulary, _npt.NDArray[_np.float32] | None]:
    """The vocabulary (and idf weights) learned from counts."""
