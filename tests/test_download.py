"""Downloads into the cache: served from a local http.server on 127.0.0.1 or
file:// URLs (never the internet). A failed, interrupted or mismatching download
leaves nothing in the cache."""

from __future__ import annotations

import gzip
import hashlib
import http.server
import io
import re
import tarfile
import threading
import zipfile
from pathlib import Path
from typing import Iterator

import pytest

from imdbfast import _download, load_glove
from imdbfast.datasets import load_imdb

PAYLOAD = bytes(range(256)) * 4096  # 1 MiB


class Handler(http.server.BaseHTTPRequestHandler):
    files: dict[str, bytes] = {}

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        if self.path == "/drop":
            # Announce 1 MiB, send half, then close the connection.
            self.send_response(200)
            self.send_header("Content-Length", str(len(PAYLOAD)))
            self.end_headers()
            self.wfile.write(PAYLOAD[: len(PAYLOAD) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        data = self.files.get(self.path)
        if data is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    Handler.files = {"/payload.bin": PAYLOAD}
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def leftovers(cache: Path) -> list[str]:
    return sorted(p.name for p in cache.iterdir()) if cache.exists() else []


def test_cache_dir_from_env(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("IMDBFAST_HOME", str(tmp_path / "h"))
    assert _download.cache_dir() == tmp_path / "h"
    monkeypatch.delenv("IMDBFAST_HOME")
    assert _download.cache_dir() == Path.home() / ".cache" / "imdbfast"


def test_http_download_with_checksum(server: str, tmp_path: Path) -> None:
    digest = hashlib.sha256(PAYLOAD).hexdigest()
    dest = _download.download(f"{server}/payload.bin", tmp_path / "c" / "p.bin", sha256=digest, progress=False)
    assert dest.read_bytes() == PAYLOAD
    assert leftovers(tmp_path / "c") == ["p.bin"]
    assert _download.sha256_of(dest) == digest


def test_checksum_mismatch_removes_file(server: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="Checksum mismatch .* expected sha256 0{64}"):
        _download.download(f"{server}/payload.bin", tmp_path / "p.bin", sha256="0" * 64, progress=False)
    assert leftovers(tmp_path) == []


def test_interrupted_download_leaves_nothing(server: str, tmp_path: Path) -> None:
    with pytest.raises(OSError):
        _download.download(f"{server}/drop", tmp_path / "p.bin", progress=False)
    assert leftovers(tmp_path) == []


def test_http_error_leaves_nothing(server: str, tmp_path: Path) -> None:
    with pytest.raises(OSError, match="404"):
        _download.download(f"{server}/missing", tmp_path / "p.bin", progress=False)
    assert leftovers(tmp_path) == []


def test_file_url_and_progress_bar(tmp_path: Path, capsys) -> None:
    src = tmp_path / "src.bin"
    src.write_bytes(PAYLOAD)
    dest = _download.download(src.as_uri(), tmp_path / "cache" / "out.bin", sha256=None, progress=True)
    assert dest.read_bytes() == PAYLOAD
    assert "out.bin" in capsys.readouterr().err  # the tqdm bar


def small_imdb_tar(path: Path) -> Path:
    files = {
        "aclImdb/train/neg/1_2.txt": b"bad",
        "aclImdb/train/pos/2_9.txt": b"good",
        "aclImdb/test/neg/3_1.txt": b"awful",
        "aclImdb/test/pos/4_8.txt": b"great",
    }
    with tarfile.open(path, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_load_imdb_downloads_into_cache(monkeypatch, tmp_path: Path, server: str) -> None:
    archive = small_imdb_tar(tmp_path / "mirror.tar.gz")
    digest = _download.sha256_of(archive)
    cache = tmp_path / "home"
    monkeypatch.setenv("IMDBFAST_HOME", str(cache))
    # Default checksum is the official one: a different file is refused and removed.
    with pytest.raises(ValueError, match="Checksum mismatch"):
        load_imdb(url=archive.as_uri(), progress=False)
    assert leftovers(cache) == []
    # Env URL + env checksum (file://).
    monkeypatch.setenv("IMDBFAST_IMDB_URL", archive.as_uri())
    monkeypatch.setenv("IMDBFAST_IMDB_SHA256", digest)
    data = load_imdb(validation_split=0, progress=False, order="sorted")
    assert data.train.texts == ["bad", "good"] and data.source == str(cache / "aclImdb_v1.tar.gz")
    assert leftovers(cache) == ["aclImdb_v1.tar.gz"]
    # Second call: served from the cache, no download needed.
    archive.unlink()
    assert load_imdb(validation_split=0, download=False,
                     order="sorted").test.texts == ["awful", "great"]


def test_load_imdb_http_and_no_download(monkeypatch, tmp_path: Path, server: str) -> None:
    monkeypatch.setenv("IMDBFAST_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("IMDBFAST_IMDB_URL", raising=False)
    monkeypatch.delenv("IMDBFAST_IMDB_SHA256", raising=False)
    with pytest.raises(FileNotFoundError, match="download=False"):
        load_imdb(download=False)
    Handler.files["/aclImdb_v1.tar.gz"] = small_imdb_tar(tmp_path / "a.tar.gz").read_bytes()
    data = load_imdb(url=f"{server}/aclImdb_v1.tar.gz", sha256=None, validation_split=0, progress=False)
    assert len(data.train) == 2 and len(data.test) == 2


def test_load_glove_downloads_zip(monkeypatch, tmp_path: Path) -> None:
    mirror = tmp_path / "glove.6B.zip"
    with zipfile.ZipFile(mirror, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("glove.6B.100d.txt", "the " + " ".join(["0.5"] * 100) + "\n")
        z.writestr("glove.6B.200d.txt", "the " + " ".join(["1.5"] * 200) + "\n")
    cache = tmp_path / "home"
    monkeypatch.setenv("IMDBFAST_HOME", str(cache))
    monkeypatch.setenv("IMDBFAST_GLOVE_URL", mirror.as_uri())
    monkeypatch.setenv("IMDBFAST_GLOVE_SHA256", "f" * 64)
    with pytest.raises(ValueError, match="Checksum mismatch"):
        load_glove("glove.6B.100d", progress=False)
    assert leftovers(cache) == []
    monkeypatch.setenv("IMDBFAST_GLOVE_SHA256", _download.sha256_of(mirror))
    g = load_glove("glove.6B.100d", ["", "[UNK]", "the", "cat"], progress=False)
    assert g.matrix.shape == (4, 100) and g.matrix[2, 0] == 0.5 and g.missing == ["cat"]
    assert g.source == f"{cache / 'glove.6B.zip'}::glove.6B.100d.txt"
    mirror.unlink()  # now served from the cached zip
    assert load_glove("glove.6B.200d", download=False).matrix[0, 0] == 1.5


def test_glove_download_interrupted(monkeypatch, tmp_path: Path, server: str) -> None:
    cache = tmp_path / "home"
    monkeypatch.setenv("IMDBFAST_HOME", str(cache))
    with pytest.raises(OSError):
        load_glove("glove.6B.300d", url=f"{server}/drop", progress=False)
    assert leftovers(cache) == []


def test_gzip_glove_in_cache_wins_over_download(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("IMDBFAST_HOME", str(tmp_path))
    monkeypatch.setenv("IMDBFAST_GLOVE_URL", (tmp_path / "nothing-here.zip").as_uri())
    (tmp_path / "glove.6B.200d.txt.gz").write_bytes(gzip.compress(b"w " + b"1 " * 199 + b"1\n"))
    assert load_glove("glove.6B.200d").matrix.shape == (1, 200)


def _closed_port_url(name: str) -> str:
    """A URL on 127.0.0.1 at a port nothing listens on (nothing leaves the host)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/{name}"


def test_offline_downloads_name_the_url_and_what_to_pass_instead(
        monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("IMDBFAST_HOME", str(tmp_path / "home"))
    url = _closed_port_url("aclImdb_v1.tar.gz")
    with pytest.raises(OSError, match=rf"^could not download {re.escape(url)}: ") as err:
        load_imdb(url=url, progress=False)
    assert "--data PATH" in str(err.value) and "load_imdb(PATH)" in str(err.value)
    assert "urlopen error" not in str(err.value)
    url = _closed_port_url("glove.6B.zip")
    with pytest.raises(OSError, match=rf"^could not download {re.escape(url)}: ") as err:
        load_glove("glove.6B.100d", url=url, progress=False)
    assert "--glove PATH" in str(err.value)
    assert leftovers(tmp_path / "home") == []
