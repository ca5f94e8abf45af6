"""Downloads into the imdbfast cache: temporary file, sha256, atomic rename.

The cache directory is ``$IMDBFAST_HOME`` when set, else ``~/.cache/imdbfast``.
A download streams into a hidden temporary file in the cache directory while
hashing it; only when it is complete and its sha256 matches (when one is
expected) is it renamed to its final name with :func:`os.replace`, so the cache
never holds a partial or unverified file. Any failure removes the temporary
file (:func:`imdbfast._files.atomic_write`). ``file://`` URLs work like ``http(s)://`` ones (for mirrors and offline
use).
"""

from __future__ import annotations

import hashlib
import os
import urllib.error
import urllib.request
from pathlib import Path

from imdbfast._files import atomic_write

__all__ = ["cache_dir", "download", "sha256_of"]

_CHUNK = 1 << 20


def cache_dir() -> Path:
    """The imdbfast cache directory (not created here).

    Returns:
        ``$IMDBFAST_HOME`` if set and non-empty, else ``~/.cache/imdbfast``.
    """
    home = os.environ.get("IMDBFAST_HOME")
    if home:
        return Path(home).expanduser()
    return Path.home() / ".cache" / "imdbfast"


def sha256_of(path: str | os.PathLike[str]) -> str:
    """The hex sha256 digest of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def download(
    url: str,
    dest: str | os.PathLike[str],
    *,
    sha256: str | None = None,
    progress: bool = True,
    timeout: float = 60.0,
) -> Path:
    """Download ``url`` to ``dest`` atomically, verifying its sha256.

    Args:
        url: ``http://``, ``https://`` or ``file://`` URL.
        dest: final path; its directory is created if needed.
        sha256: expected hex digest, or None to skip the check.
        progress: show a tqdm progress bar on stderr.
        timeout: socket timeout in seconds.

    Returns:
        ``dest`` as a Path.

    Raises:
        OSError: the download failed or was incomplete (nothing is left behind).
        ValueError: the sha256 does not match (the downloaded file is removed).
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with atomic_write(dest) as out:
        try:
            opened = urllib.request.urlopen(url, timeout=timeout)
        except urllib.error.URLError as err:
            # "HTTP Error 404: Not Found" (its response closed), or the
            # socket's error.
            if isinstance(err, urllib.error.HTTPError):
                reason = str(err)
                err.close()
            else:
                reason = str(getattr(err, "reason", err))
            raise OSError(f"could not download {url}: {reason}") from None
        with opened as response:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            received = 0
            from tqdm.auto import tqdm

            with tqdm(
                total=total,
                unit="B",
                unit_scale=True,
                unit_divisor=1024,
                desc=dest.name,
                disable=not progress,
            ) as bar:
                while True:
                    block = response.read(_CHUNK)
                    if not block:
                        break
                    out.write(block)
                    digest.update(block)
                    received += len(block)
                    bar.update(len(block))
        if total is not None and received != total:
            raise OSError(
                f"Incomplete download of {url}: expected {total} bytes, "
                f"received {received}."
            )
        got = digest.hexdigest()
        if sha256 is not None and got.lower() != sha256.lower():
            raise ValueError(
                f"Checksum mismatch for {url}: expected sha256 {sha256}. "
                f"Received: {got}. The downloaded file was removed."
            )
    return dest
