"""Hostile and damaged archives: unsafe tar members are refused, nothing is ever
written to disk, and corrupt or truncated gz/tar/zip files give an error that names
the file and says what is wrong."""

from __future__ import annotations

import gzip
import io
import os
import tarfile
import zipfile
from pathlib import Path

import pytest

from imdbfast import load_glove
from imdbfast.datasets import load_imdb

GOOD = {
    "aclImdb/train/neg/1_2.txt": b"bad",
    "aclImdb/train/pos/2_9.txt": b"good",
    "aclImdb/test/neg/3_1.txt": b"awful",
    "aclImdb/test/pos/4_8.txt": b"great",
}


def build_tar(path: Path, extra: list[tarfile.TarInfo] | None = None, mode: str = "w:gz") -> Path:
    with tarfile.open(path, mode, format=tarfile.GNU_FORMAT) as tar:
        for name, data in GOOD.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for info in extra or []:
            tar.addfile(info, io.BytesIO(b"x" * info.size) if info.isfile() else None)
    return path


def member(name: str, kind: bytes = tarfile.REGTYPE, target: str = "", size: int = 1) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    info.size = size if kind == tarfile.REGTYPE else 0
    return info


def snapshot(root: Path) -> set[str]:
    return {os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root) for f in fs}


def test_good_archive_reads(tmp_path: Path) -> None:
    data = load_imdb(build_tar(tmp_path / "ok.tar.gz"), validation_split=0, order="sorted")
    assert data.train.texts == ["bad", "good"] and data.test.texts == ["awful", "great"]
    plain = load_imdb(build_tar(tmp_path / "ok.tar", mode="w"), validation_split=0,
                      order="sorted")
    assert plain.train.texts == data.train.texts


@pytest.mark.parametrize(
    ("info", "reason"),
    [
        (member("/tmp/evil/train/pos/9_9.txt"), "absolute path"),
        (member("aclImdb/../../evil.txt"), r"'\.\.' in its path"),
        (member("aclImdb/train/pos/../../../x_1.txt"), r"'\.\.' in its path"),
        (member("aclImdb/train/pos/7_7.txt", tarfile.SYMTYPE, "/etc/passwd"), "symbolic link"),
        (member("aclImdb/train/pos/8_8.txt", tarfile.LNKTYPE, "aclImdb/train/pos/2_9.txt"), "hard link"),
        (member("aclImdb/dev0", tarfile.CHRTYPE), "device file"),
        (member("aclImdb/dev1", tarfile.BLKTYPE), "device file"),
        (member("aclImdb/fifo", tarfile.FIFOTYPE), "FIFO"),
    ],
)
def test_unsafe_members_are_refused(tmp_path: Path, info: tarfile.TarInfo, reason: str) -> None:
    archive = build_tar(tmp_path / "evil.tar.gz", [info])
    before = snapshot(tmp_path)
    with pytest.raises(ValueError, match=rf"evil\.tar\.gz: refusing unsafe archive member .*{reason}"):
        load_imdb(archive)
    # Nothing was written anywhere under the test directory (nothing is extracted).
    assert snapshot(tmp_path) == before
    assert not Path("/tmp/evil/train/pos/9_9.txt").exists()


def test_truncated_and_corrupt_gzip(tmp_path: Path) -> None:
    good = build_tar(tmp_path / "good.tar.gz").read_bytes()
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(good[: len(good) // 2])
    with pytest.raises(ValueError, match=r"truncated\.tar\.gz: corrupt or truncated archive"):
        load_imdb(truncated)
    corrupt = tmp_path / "corrupt.tar.gz"
    data = bytearray(good)
    for i in range(20, min(len(data), 200)):
        data[i] ^= 0x5A
    corrupt.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=r"corrupt\.tar\.gz: corrupt or truncated archive"):
        load_imdb(corrupt)


def test_gzip_that_is_not_a_tar(tmp_path: Path) -> None:
    path = tmp_path / "notatar.tar.gz"
    path.write_bytes(gzip.compress(b"hello world, not a tar archive" * 40))
    with pytest.raises(ValueError, match=r"notatar\.tar\.gz: corrupt or truncated archive"):
        load_imdb(path)


def test_truncated_tar_member(tmp_path: Path) -> None:
    raw = build_tar(tmp_path / "plain.tar", mode="w").read_bytes()
    # Cut inside the data block of the last review member.
    cut = tmp_path / "cut.tar"
    cut.write_bytes(raw[: 512 * 7 + 2])
    with pytest.raises(ValueError, match=r"cut\.tar: corrupt or truncated archive \(member .* is short\)"):
        load_imdb(cut)


def test_archive_without_a_class(tmp_path: Path) -> None:
    path = tmp_path / "partial.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        info = tarfile.TarInfo("aclImdb/train/pos/1_9.txt")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    with pytest.raises(ValueError, match=r"partial\.tar\.gz: empty split: the archive has no reviews in train/neg"):
        load_imdb(path)


def test_invalid_utf8_in_archive(tmp_path: Path) -> None:
    info = member("aclImdb/test/pos/9_9.txt", size=3)
    path = tmp_path / "u.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for name, data in GOOD.items():
            i = tarfile.TarInfo(name)
            i.size = len(data)
            tar.addfile(i, io.BytesIO(data))
        tar.addfile(info, io.BytesIO(b"\xc3\x28!"))
    with pytest.raises(ValueError, match=r"u\.tar\.gz::aclImdb/test/pos/9_9\.txt: not valid UTF-8"):
        load_imdb(path)
    with pytest.warns(UnicodeWarning):
        data = load_imdb(path, encoding_errors="replace", validation_split=0)
    assert data.replaced_files == ["test/pos/9_9.txt"] and "\ufffd(!" in data.test.texts


def test_corrupt_and_truncated_zip(tmp_path: Path) -> None:
    path = tmp_path / "glove.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("glove.6B.2d.txt", b"a 1 2\n" * 50_000)
    raw = path.read_bytes()
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(ValueError, match=r"truncated\.zip: not a readable zip archive"):
        load_glove(truncated)
    # Damage the compressed data but keep the central directory.
    damaged = bytearray(raw)
    for i in range(60, 400):
        damaged[i] ^= 0xFF
    bad = tmp_path / "damaged.zip"
    bad.write_bytes(bytes(damaged))
    with pytest.raises(ValueError, match=r"damaged\.zip::glove\.6B\.2d\.txt: (corrupt zip member|cannot open member)"):
        load_glove(bad)
