"""Hostile input never kills the process: each reproducer runs in a subprocess.

A reproducer that aborts, panics across the boundary, hangs or swells the
process would take the whole test run down with it; run in a child process with
an address-space cap and a time limit, it fails its own test instead. Every case
asserts a clean Python exception (type and message) or the correct result, and
the child's peak memory.
"""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
import tarfile
import textwrap
from pathlib import Path

import pytest

#: Address space the child may map: far below what the hostile sizes ask for.
_ADDRESS_SPACE = 3 << 30

_PRELUDE = textwrap.dedent(
    f"""
    import json, resource, sys, traceback
    resource.setrlimit(resource.RLIMIT_AS, ({_ADDRESS_SPACE}, {_ADDRESS_SPACE}))

    def _report(outcome, **extra):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        print(json.dumps({{"outcome": outcome, "peak": peak, **extra}}))
    """
)


def run_isolated(body: str, timeout: float = 120) -> dict:
    """Run ``body`` (which defines ``main()``) in a fresh interpreter.

    Returns ``{"outcome": "ok" | "raised", "type": ..., "message": ..., "peak":
    bytes, ...}``; fails the test if the child died (signal, abort) or hung.
    """
    script = (
        _PRELUDE
        + textwrap.dedent(body)
        + textwrap.dedent(
            """
            try:
                result = main()
            except Exception as e:
                _report("raised", type=type(e).__name__, message=str(e)[:2000])
            else:
                _report("ok", result=result)
            """
        )
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, (
        f"the child died (exit {done.returncode}):\n{done.stderr[-3000:]}"
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def assert_raises(report: dict, kind: str, match: str, peak_below: int = 400 << 20) -> None:
    assert report["outcome"] == "raised", report
    assert report["type"] == kind, report
    assert match in report["message"], report
    assert report["peak"] < peak_below, f"peak {report['peak'] / 2**20:.0f} MiB"


def _aclimdb_members() -> list[tuple[str, bytes]]:
    return [
        (f"aclImdb/{split}/{cls}/{i}_{7 if cls == 'pos' else 2}.txt", b"fine film")
        for split in ("train", "test")
        for cls in ("neg", "pos")
        for i in range(2)
    ]


def _write_tar_gz(path: Path, members: list[tuple[str, bytes]], extra: tarfile.TarInfo | None = None,
                  extra_data: bytes = b"") -> Path:
    with tarfile.open(path, "w:gz", format=tarfile.GNU_FORMAT) as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        if extra is not None:
            tar.addfile(extra, io.BytesIO(extra_data))
    return path


# ---------------------------------------------------------------- declared sizes


def test_tar_member_declaring_a_terabyte(tmp_path: Path) -> None:
    """A tiny .tar.gz whose review header declares 1 TiB (GNU base-256 size)."""
    path = tmp_path / "declared.tar.gz"
    header = tarfile.TarInfo("aclImdb/train/pos/1_9.txt")
    header.size = 1 << 40
    buf = io.BytesIO()
    buf.write(header.tobuf(format=tarfile.GNU_FORMAT))
    buf.write(b"tiny".ljust(512, b"\0"))
    path.write_bytes(gzip.compress(buf.getvalue()))
    assert path.stat().st_size < 200
    report = run_isolated(
        f"""
        import imdbfast
        def main():
            imdbfast.load_imdb({str(path)!r})
        """
    )
    assert_raises(report, "ValueError", "1099511627776 bytes, more than max_review_bytes")


# ---------------------------------------------------------------- bounded reads


def test_huge_review_in_a_small_archive(tmp_path: Path) -> None:
    """A review over the default limit (64 MiB) is refused before it is held."""
    big = tarfile.TarInfo("aclImdb/train/neg/99_1.txt")
    big.size = (64 << 20) + 1
    path = _write_tar_gz(tmp_path / "big.tar.gz", _aclimdb_members(), big, b"a" * big.size)
    report = run_isolated(
        f"""
        import imdbfast
        def main():
            imdbfast.load_imdb({str(path)!r})
        """
    )
    assert_raises(report, "ValueError", "99_1.txt: the review is 67108865 bytes")
    # The limit is the caller's to raise.
    report = run_isolated(
        f"""
        import imdbfast
        def main():
            data = imdbfast.load_imdb({str(path)!r}, max_review_bytes=65 << 20,
                                      validation_split=0)
            return max(len(t) for t in data.train.texts)
        """
    )
    assert report == {**report, "outcome": "ok", "result": (64 << 20) + 1}


def test_directory_review_over_the_limit(tmp_path: Path) -> None:
    for name, data in _aclimdb_members():
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    (tmp_path / "aclImdb/test/pos/50_9.txt").write_bytes(b"b" * (1 << 20))
    report = run_isolated(
        f"""
        import imdbfast
        def main():
            imdbfast.load_imdb({str(tmp_path)!r}, max_review_bytes=100_000)
        """
    )
    assert_raises(report, "ValueError", "50_9.txt: the review is 100001 bytes")


def test_csv_with_a_huge_line(tmp_path: Path) -> None:
    path = tmp_path / "reviews.csv"
    with open(path, "wb") as f:
        f.write(b"review,sentiment\nfine,positive\n")
        f.write(b"x" * (200 << 20))
        f.write(b",negative\n")
    report = run_isolated(
        f"""
        import imdbfast
        def main():
            imdbfast.load_imdb({str(path)!r})
        """
    )
    assert_raises(report, "ValueError", "reviews.csv:3: a line longer than max_review_bytes")


def test_csv_with_a_huge_quoted_field(tmp_path: Path) -> None:
    """A quoted review spanning many short lines is bounded by the field limit."""
    path = tmp_path / "reviews.csv"
    with open(path, "wb") as f:
        f.write(b'review,sentiment\nfine,positive\n"')
        f.write(b"many short lines\n" * 100_000)
        f.write(b'",negative\n')
    report = run_isolated(
        f"""
        import imdbfast
        def main():
            imdbfast.load_imdb({str(path)!r}, max_review_bytes=1 << 20)
        """
    )
    assert_raises(report, "ValueError", "a field longer than max_review_bytes=1048576")


# ---------------------------------------------------------------- links


def test_directory_reader_refuses_links_out_of_the_tree(tmp_path: Path) -> None:
    root = tmp_path / "data"
    for name, data in _aclimdb_members():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    secret = tmp_path / "secret.txt"
    secret.write_text("outside the tree")
    (root / "aclImdb/train/pos/77_9.txt").symlink_to(secret)
    report = run_isolated(
        f"""
        import imdbfast
        def main():
            imdbfast.load_imdb({str(root)!r})
        """
    )
    assert_raises(report, "ValueError", "refusing symbolic link")
    report = run_isolated(
        f"""
        import imdbfast
        def main():
            data = imdbfast.load_imdb({str(root)!r}, follow_symlinks=True, validation_split=0)
            return "outside the tree" in data.train.texts
        """
    )
    assert report["outcome"] == "ok" and report["result"] is True, report


@pytest.mark.parametrize("value", [0, -1, 1.5, True, "64"])
def test_max_review_bytes_is_checked(value) -> None:
    import imdbfast

    with pytest.raises(ValueError, match="max_review_bytes must be a positive int"):
        imdbfast.load_imdb("unused", max_review_bytes=value)
