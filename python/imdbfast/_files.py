"""The one reader of the files imdbfast loads whole: saved tokenizers,
vocabulary files, ``config.json``, ``ensemble.json``, study files and
``results.jsonl``.

Every loader goes through :func:`read_bytes` (then :func:`read_text`,
:func:`read_json`) so that each rule below holds everywhere, with one message:

- regular files only: a FIFO, a socket or a device (``/dev/zero``) is refused
  before anything is read, so a load never blocks or reads without end; the
  file is opened without blocking (``O_NONBLOCK``) and checked with ``fstat``
  on the open descriptor, so a file swapped after a check cannot slip
  through. A directory raises :class:`IsADirectoryError` as ``open`` does;
- bounded size: a file larger than the loader's limit is refused from its
  size, before it is read;
- text is decoded strictly; an error names the file and the byte offset;
- JSON and TOML nesting is bounded (:data:`MAX_NESTING`): deeper documents
  are refused with one message before the parser, which recurses, sees them;
- a missing file raises :class:`~imdbfast.errors.MissingFileError`, both a
  ``FileNotFoundError`` and a ``ValueError``.

And the one writer of files that must appear whole or not at all (downloads,
GloVe cache entries, ``study.json``): :func:`atomic_write`.

Errors about the content are raised as ``error`` (a
:class:`~imdbfast.errors.UserError` subclass chosen by the loader, e.g.
``StudyError``), each message starting with the path.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from imdbfast.errors import MissingFileError, UserError

__all__ = [
    "LARGE_FILE_BYTES",
    "MAX_NESTING",
    "SMALL_FILE_BYTES",
    "atomic_write",
    "check_nesting",
    "decode",
    "loads_json",
    "read_bytes",
    "read_json",
    "read_text",
]

#: The deepest nesting of arrays and objects (tables) a loaded JSON or TOML
#: document may have. imdbfast's own files nest 5 levels at most.
MAX_NESTING = 64

#: Size limit of small documents: config.json, ensemble.json, study files.
SMALL_FILE_BYTES = 16 << 20

#: Size limit of documents that hold a vocabulary or many records: saved
#: tokenizers, vocabulary files, results.jsonl.
LARGE_FILE_BYTES = 2 << 30

_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _describe_mode(mode: int) -> str:
    for check, words in _KINDS:
        if check(mode):
            return words
    return "not a regular file"


def _size_words(n: int) -> str:
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if n >= 1 << shift:
            return f"{n / (1 << shift):.3g} {unit}"
    return f"{n} bytes"


def read_bytes(
    path: str | os.PathLike[str],
    *,
    what: str,
    max_bytes: int,
    error: type[UserError] = UserError,
) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``.

    Args:
        path: the file.
        what: what the file is, for messages (e.g. ``"tokenizer file"``).
        max_bytes: the largest size accepted.
        error: the class of the errors about the file's kind or size.

    Returns:
        The file's bytes.

    Raises:
        MissingFileError: the file does not exist (a ``FileNotFoundError``
            and a ``ValueError``).
        IsADirectoryError: the path is a directory.
        UserError: (``error``) not a regular file, or larger than ``max_bytes``.
        OSError: the file cannot be read.
    """
    name = os.fspath(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(name, flags)
    except FileNotFoundError as err:
        raise MissingFileError(
            errno.ENOENT, f"{what} not found ({err.strerror})", name
        ) from None
    try:
        mode = os.fstat(fd)
        if stat.S_ISDIR(mode.st_mode):
            raise IsADirectoryError(
                errno.EISDIR, f"{what} expected, found a directory", name
            )
        if not stat.S_ISREG(mode.st_mode):
            raise error(
                f"{name}: a {what} must be a regular file. "
                f"Received: {_describe_mode(mode.st_mode)}"
            )
        if mode.st_size > max_bytes:
            raise error(
                f"{name}: a {what} may hold at most {_size_words(max_bytes)}. "
                f"Received: {_size_words(mode.st_size)}"
            )
        chunks = []
        left = max_bytes + 1  # one more byte tells a file that grew
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 24))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        if left <= 0:
            raise error(
                f"{name}: a {what} may hold at most {_size_words(max_bytes)}. "
                "Received: a file that grew past it while it was read"
            )
        return b"".join(chunks)
    finally:
        os.close(fd)


def decode(
    data: bytes,
    where: str,
    *,
    what: str,
    encoding: str = "utf-8",
    error: type[UserError] = UserError,
) -> str:
    """``data`` decoded strictly; an error names ``where`` and the offset.

    Raises:
        UserError: (``error``) the bytes are not valid ``encoding`` text.
    """
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as err:
        bad = err.object[err.start : err.start + 4]
        raise error(
            f"{where}: a {what} must be {encoding} text. Received: bytes "
            f"{bytes(bad)!r} at offset {err.start} ({err.reason})"
        ) from None


def read_text(
    path: str | os.PathLike[str],
    *,
    what: str,
    max_bytes: int,
    encoding: str = "utf-8",
    error: type[UserError] = UserError,
) -> str:
    """The text of a regular file (see :func:`read_bytes`, :func:`decode`)."""
    data = read_bytes(path, what=what, max_bytes=max_bytes, error=error)
    return decode(data, os.fspath(path), what=what, encoding=encoding, error=error)


# Strings (where brackets do not count), then everything but brackets.
_JSON_STRINGS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)
_TOML_STRINGS = re.compile(
    r'"""[\s\S]*?(?:"""|$)|\'\'\'[\s\S]*?(?:\'\'\'|$)'
    r'|"(?:[^"\\\n]|\\.)*"?|\'[^\'\n]*\'?|#[^\n]*'
)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
# Brackets scanned at a time (bounds the scan's memory).
_SCAN_CHUNK = 1 << 20


def check_nesting(
    text: str,
    where: str,
    *,
    what: str,
    toml: bool = False,
    error: type[UserError] = UserError,
) -> None:
    """Refuses a JSON (or TOML) document nested deeper than :data:`MAX_NESTING`.

    Counts the open brackets and braces outside strings (and, for TOML,
    comments): an upper bound of the parser's depth, found without recursion.

    Raises:
        UserError: (``error``) the document nests too deeply.
    """
    if text.count("[") + text.count("{") <= MAX_NESTING:
        return  # cannot nest deeper than it has openings
    strings = _TOML_STRINGS if toml else _JSON_STRINGS
    brackets = _NOT_BRACKETS.sub("", strings.sub("", text)).encode("ascii")
    depth = 0
    for start in range(0, len(brackets), _SCAN_CHUNK):
        codes = np.frombuffer(brackets[start : start + _SCAN_CHUNK], dtype=np.uint8)
        steps = np.where((codes == ord("[")) | (codes == ord("{")), 1, -1)
        running = depth + np.cumsum(steps, dtype=np.int64)
        if int(running.max()) > MAX_NESTING:
            raise error(
                f"{where}: a {what} may nest arrays and objects {MAX_NESTING} "
                "levels deep at most. Received: a document nested deeper"
            )
        depth = int(running[-1])


def loads_json(
    text: str, where: str, *, what: str, error: type[UserError] = UserError
) -> Any:
    """``json.loads(text)`` with the nesting bounded and one error class.

    Raises:
        UserError: (``error``) not JSON, or nested too deeply.
    """
    check_nesting(text, where, what=what, error=error)
    try:
        return json.loads(text)
    except ValueError as err:  # JSONDecodeError, or an integer of too many digits
        raise error(f"{where}: not a valid JSON {what} ({err})") from None
    except RecursionError:  # a stack already deep when called
        raise error(
            f"{where}: a {what} nests too deeply to be read here"
        ) from None


def read_json(
    path: str | os.PathLike[str],
    *,
    what: str,
    max_bytes: int = SMALL_FILE_BYTES,
    error: type[UserError] = UserError,
) -> Any:
    """The JSON document of a UTF-8 file (see :func:`read_bytes`).

    Raises:
        MissingFileError, IsADirectoryError, OSError: see :func:`read_bytes`.
        UserError: (``error``) not a regular file, too large, not UTF-8, not
            JSON or nested too deeply; the message starts with the path.
    """
    text = read_text(path, what=what, max_bytes=max_bytes, error=error)
    return loads_json(text, os.fspath(path), what=what, error=error)


@contextlib.contextmanager
def atomic_write(dest: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """Write ``dest`` whole or not at all.

    Yields a binary file open on a new hidden temporary file in ``dest``'s
    directory (``.<name>.<random>.part``, created exclusively with the
    permissions of the umask, as :func:`open` would give). When the block ends
    normally the file is closed and renamed to ``dest`` with
    :func:`os.replace` (atomic on one file system: a reader sees the old file
    or the new one, never a partial one). When the block raises (any
    exception, ``KeyboardInterrupt`` included) the temporary file is removed
    and the exception goes on; ``dest`` is left as it was.

    Args:
        dest: the final path; its directory must exist.
    """
    dest = Path(dest)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    flags |= getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    while True:
        tmp = dest.parent / f".{dest.name}.{secrets.token_hex(6)}.part"
        try:
            fd = os.open(tmp, flags, 0o666)
        except FileExistsError:  # pragma: no cover - 48 random bits
            continue
        break
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
