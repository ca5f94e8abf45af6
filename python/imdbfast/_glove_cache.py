"""The on-disk cache of parsed GloVe matrices (used by :func:`imdbfast.load_glove`).

A parsed file is stored once per (file, vocabulary, dim, lowercase_fallback) in
``<cache dir>/glove-matrices/`` (the cache dir is ``$IMDBFAST_HOME``, else
``~/.cache/imdbfast``), so the next :func:`~imdbfast.load_glove` of the same
inputs, in this process or another, reads the matrix back instead of parsing.

Key: the source file's resolved absolute path, zip member, size, ``mtime_ns``,
``ctime_ns``, inode and device, a fingerprint (a hash of its first and last
64 KiB, so a file under 128 KiB is hashed whole), a sha256 of the vocabulary
(its JSON form: any token is told apart), ``dim`` and ``lowercase_fallback``.
The entry's name is the sha256 of that key (nothing of the user's path reaches
a file name), and the key itself is stored in the entry and compared on
reading.

Entry: one file, ``MAGIC``, the length and crc32 of a JSON header (shape,
counts, missing words, the key), the file's words (``\\n``-joined UTF-8, only
without a vocabulary, whose rows are the vocabulary), then the float32 matrix
at a 64-byte aligned offset. Its size must be exactly what the header says, and
the crc32 of the words and of the matrix (in full up to ``FULL_CHECK_BYTES``,
else of 64 pages spread over it) must match: otherwise the entry is ignored,
the file is parsed again and the entry rewritten. A matrix up to
``MAP_BYTES`` is read into a fresh array; a larger one is a private
copy-on-write memory map of the entry (writable; writes stay in the process),
which is safe because entries are never changed in place: they are written to
a temporary file and renamed (:func:`os.replace`), and evicted by unlinking,
so two processes writing the same entry at once each leave a complete one.

Size bound: after a write, the oldest entries (by modification time; a hit
refreshes it) are removed until the directory holds at most
``$IMDBFAST_GLOVE_CACHE_BYTES`` (default 4 GiB) besides the newest entry.

Opt out with ``load_glove(..., cache=False)`` or ``IMDBFAST_GLOVE_CACHE=0``.
The cache is best effort: a directory that cannot be written, a full disk or a
damaged entry never fails a load, it only costs a parse.
"""

from __future__ import annotations

import hashlib
import json
import mmap
import os
import stat
import struct
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from imdbfast import _download
from imdbfast._files import atomic_write

__all__ = [
    "DEFAULT_LIMIT_BYTES",
    "FULL_CHECK_BYTES",
    "MAGIC",
    "MAP_BYTES",
    "CacheEntry",
    "cache_enabled",
    "cache_key",
    "entries_dir",
    "read_entry",
    "vocabulary_digest",
    "write_entry",
]

MAGIC = b"IMDBFAST-GLOVE-CACHE\x00\x01\r\n"
"""The first bytes of every entry (with the format's version)."""

FULL_CHECK_BYTES = 64 << 20
"""A matrix up to this size is checked whole against its crc32."""

MAP_BYTES = 32 << 20
"""A matrix above this size is memory-mapped (copy-on-write) instead of read."""

DEFAULT_LIMIT_BYTES = 4 << 30
"""The default bound of the cache directory (``$IMDBFAST_GLOVE_CACHE_BYTES``)."""

_PREFIX = struct.Struct("<QI")
_ALIGN = 64
_FINGERPRINT = 64 << 10
_SAMPLES = 64
_PAGE = 4096
_SUFFIX = ".glove"
_STALE_PART_NS = 3600 * 10**9


@dataclass(frozen=True)
class CacheEntry:
    """What an entry holds: the fields of a :class:`~imdbfast.GloVe` but its source.

    Attributes:
        matrix: float32 ``(rows, dim)``.
        words: the row labels (None when they are the vocabulary).
        hits, misses, missing, duplicates, lowercased: as in ``GloVe``.
    """

    matrix: np.ndarray
    words: list[str] | None
    hits: int
    misses: int
    missing: list[str]
    duplicates: int
    lowercased: int


def cache_enabled(cache: bool) -> bool:
    """Whether to use the cache: ``cache`` and ``$IMDBFAST_GLOVE_CACHE`` not off."""
    flag = os.environ.get("IMDBFAST_GLOVE_CACHE", "").strip().lower()
    return bool(cache) and flag not in {"0", "false", "no", "off"}


def entries_dir() -> Path:
    """The directory of the cache's entries (not created here)."""
    return _download.cache_dir() / "glove-matrices"


def _limit_bytes() -> int:
    text = os.environ.get("IMDBFAST_GLOVE_CACHE_BYTES", "").strip()
    try:
        return max(0, int(text)) if text else DEFAULT_LIMIT_BYTES
    except ValueError:
        return DEFAULT_LIMIT_BYTES


def _fingerprint(path: Path, size: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        digest.update(f.read(_FINGERPRINT))
        if size > 2 * _FINGERPRINT:
            f.seek(size - _FINGERPRINT)
        digest.update(f.read(_FINGERPRINT))
    return digest.hexdigest()


def vocabulary_digest(vocabulary: list[str] | None) -> str | None:
    """The sha256 of the vocabulary's JSON form (hex), or None without one."""
    if vocabulary is None:
        return None
    return hashlib.sha256(json.dumps(vocabulary).encode("ascii")).hexdigest()


def cache_key(
    path: Path,
    member: str | None,
    vocabulary: list[str] | None,
    dim: int | None,
    lowercase_fallback: bool,
    *,
    digest: str | None = None,
) -> str | None:
    """The key of these inputs (JSON text), or None when the file cannot be read
    or is not a regular file.

    Args:
        path: the GloVe file (or zip archive).
        member: the zip member asked for, or None.
        vocabulary: the vocabulary, or None for the whole file.
        dim: the dimension asked for, or None.
        lowercase_fallback: see :func:`~imdbfast.load_glove`.
        digest: :func:`vocabulary_digest` of ``vocabulary`` when the caller
            has it already (the key is taken again after a parse, to see
            that the file did not change: the vocabulary is hashed once).
    """
    try:
        resolved = path.resolve(strict=True)
        st = os.stat(resolved)
        if not stat.S_ISREG(st.st_mode):
            return None  # a pipe or a device: not read twice, not cached
        fingerprint = _fingerprint(resolved, st.st_size)
    except (OSError, RuntimeError):
        return None
    vocab_hash = digest if digest is not None else vocabulary_digest(vocabulary)
    key = {
        "path": os.fsencode(resolved).hex(),
        "member": member,
        "size": st.st_size,
        "mtime_ns": st.st_mtime_ns,
        "ctime_ns": st.st_ctime_ns,
        "inode": st.st_ino,
        "device": st.st_dev,
        "fingerprint": fingerprint,
        "vocabulary": vocab_hash,
        "rows": None if vocabulary is None else len(vocabulary),
        "dim": dim,
        "lowercase_fallback": bool(lowercase_fallback),
    }
    return json.dumps(key, sort_keys=True)


def _entry_path(key: str) -> Path:
    return entries_dir() / (hashlib.sha256(key.encode("ascii")).hexdigest() + _SUFFIX)


def _matrix_crc(view: memoryview) -> int:
    """crc32 of the matrix bytes: whole when small, else of spread pages."""
    n = len(view)
    if n <= FULL_CHECK_BYTES:
        return zlib.crc32(view)
    crc = 0
    step = max(_PAGE, (n - _PAGE) // (_SAMPLES - 1))
    for start in range(0, n, step):
        crc = zlib.crc32(view[start : start + _PAGE], crc)
    return zlib.crc32(view[n - _PAGE :], crc)


def read_entry(key: str) -> CacheEntry | None:
    """The entry stored under ``key``, or None when absent, damaged or stale."""
    path = _entry_path(key)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb", buffering=0) as f:
            entry = _parse_entry(f, key)
        if entry is not None:
            try:
                os.utime(path)  # Recently used: evicted last.
            except OSError:
                pass
        return entry
    except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError, MemoryError):
        return None


def _parse_entry(f: Any, key: str) -> CacheEntry | None:
    size = os.fstat(f.fileno()).st_size
    head = f.read(len(MAGIC) + _PREFIX.size)
    if len(head) != len(MAGIC) + _PREFIX.size or not head.startswith(MAGIC):
        return None
    header_len, header_crc = _PREFIX.unpack_from(head, len(MAGIC))
    if header_len > size:
        return None
    header_bytes = f.read(header_len)
    if len(header_bytes) != header_len or zlib.crc32(header_bytes) != header_crc:
        return None
    header = json.loads(header_bytes)
    if header["key"] != key:
        return None
    rows, dim = int(header["rows"]), int(header["dim"])
    words_len, offset = int(header["words_bytes"]), int(header["matrix_offset"])
    nbytes = rows * dim * 4
    if rows < 0 or dim <= 0 or offset + nbytes != size:
        return None
    words: list[str] | None = None
    if header["has_words"]:
        blob = f.read(words_len)
        if len(blob) != words_len or zlib.crc32(blob) != header["words_crc"]:
            return None
        words = blob.decode("utf-8").split("\n") if rows else []
        if len(words) != rows:
            return None
    if nbytes <= MAP_BYTES:
        matrix = np.empty((rows, dim), dtype=np.float32)
        f.seek(offset)
        if f.readinto(matrix.data.cast("B")) != nbytes:
            return None
    else:
        mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_COPY)
        matrix = np.frombuffer(mapped, dtype=np.float32, count=rows * dim, offset=offset)
        matrix = matrix.reshape(rows, dim)
    if _matrix_crc(matrix.data.cast("B")) != header["matrix_crc"]:
        return None
    return CacheEntry(
        matrix=matrix,
        words=words,
        hits=int(header["hits"]),
        misses=int(header["misses"]),
        missing=[str(w) for w in header["missing"]],
        duplicates=int(header["duplicates"]),
        lowercased=int(header["lowercased"]),
    )


def write_entry(key: str, entry: CacheEntry) -> None:
    """Store ``entry`` under ``key`` (atomically), then bound the directory.

    Failures (read-only or full disk, a word that cannot be stored) are
    swallowed: the cache is only a shortcut.
    """
    try:
        _write(key, entry)
    except (OSError, ValueError, UnicodeEncodeError, MemoryError):
        return
    try:
        _evict(_limit_bytes(), keep=_entry_path(key))
    except OSError:
        return


def _write(key: str, entry: CacheEntry) -> None:
    matrix = np.ascontiguousarray(entry.matrix, dtype=np.float32)
    if matrix.ndim != 2:
        raise ValueError("not a matrix")
    rows, dim = matrix.shape
    blob = b""
    if entry.words is not None:
        if any("\n" in w for w in entry.words):
            raise ValueError("a word holds a line break")
        blob = "\n".join(entry.words).encode("utf-8")
    body = matrix.data.cast("B")
    header: dict[str, Any] = {
        "key": key,
        "rows": rows,
        "dim": dim,
        "has_words": entry.words is not None,
        "words_bytes": len(blob),
        "words_crc": zlib.crc32(blob),
        "matrix_crc": _matrix_crc(body),
        "hits": entry.hits,
        "misses": entry.misses,
        "missing": entry.missing,
        "duplicates": entry.duplicates,
        "lowercased": entry.lowercased,
        "matrix_offset": 0,
    }
    # The offset depends on the header's length, which depends on the offset's
    # digits: fix the point (two rounds at most).
    for _ in range(3):
        header_bytes = json.dumps(header).encode("ascii")
        start = len(MAGIC) + _PREFIX.size + len(header_bytes) + len(blob)
        offset = -(-start // _ALIGN) * _ALIGN
        if header["matrix_offset"] == offset:
            break
        header["matrix_offset"] = offset
    else:  # pragma: no cover - the length converges at once
        raise ValueError("header length does not settle")
    directory = entries_dir()
    directory.mkdir(parents=True, exist_ok=True)
    final = _entry_path(key)
    with atomic_write(final) as out:
        out.write(MAGIC)
        out.write(_PREFIX.pack(len(header_bytes), zlib.crc32(header_bytes)))
        out.write(header_bytes)
        out.write(blob)
        out.write(b"\0" * (offset - start))
        out.write(body)


def _evict(limit: int, keep: Path) -> None:
    """Remove the oldest entries until the rest (besides ``keep``) fit ``limit``."""
    found = []
    now = time.time_ns()
    for item in os.scandir(entries_dir()):
        if item.path == os.fspath(keep):
            continue
        try:
            st = item.stat(follow_symlinks=False)
        except OSError:
            continue
        if item.name.endswith(".part") and now - st.st_mtime_ns > _STALE_PART_NS:
            # Left by a writer that was killed.
            Path(item.path).unlink(missing_ok=True)
        elif item.name.endswith(_SUFFIX):
            found.append((st.st_mtime_ns, st.st_size, item.path))
    found.sort(reverse=True)
    total = 0
    for _, size, name in found:
        total += size
        if total > limit:
            try:
                os.unlink(name)
            except OSError:
                pass
