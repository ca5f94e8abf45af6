"""The cache of parsed GloVe matrices: a read-back equals a parse byte for byte,
a changed file or a damaged entry is parsed again, two writers at once leave a
good entry, the size bound, and the opt-outs."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import numpy as np
import pytest
from imdbfast import _glove_cache
from imdbfast.embeddings import GloVe, load_glove

LINES = b"the 0.1 0.2 0.3\nof -1.5 2.5e-3 7\nParis 1 2 3\nparis 4 5 6\nthe 9 9 9\n"


@pytest.fixture(autouse=True)
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("IMDBFAST_HOME", str(home))
    monkeypatch.setenv("IMDBFAST_GLOVE_CACHE", "1")
    monkeypatch.delenv("IMDBFAST_GLOVE_CACHE_BYTES", raising=False)
    return home


def entries() -> list[Path]:
    directory = _glove_cache.entries_dir()
    return sorted(directory.glob("*.glove")) if directory.exists() else []


def same(a: GloVe, b: GloVe) -> None:
    assert a.matrix.dtype == b.matrix.dtype == np.float32
    assert a.matrix.shape == b.matrix.shape
    assert a.matrix.tobytes() == b.matrix.tobytes()
    assert a.words == b.words
    assert (a.dim, a.hits, a.misses, a.missing, a.duplicates, a.lowercased, a.source) == (
        b.dim, b.hits, b.misses, b.missing, b.duplicates, b.lowercased, b.source,
    )


@pytest.fixture
def glove_txt(tmp_path: Path) -> Path:
    path = tmp_path / "g.txt"
    path.write_bytes(LINES)
    return path


VOCABS = [
    None,
    ["", "[UNK]", "paris", "the", "nope"],
    ["", "[UNK]", "Paris", "THE", "of", "a\nb", "ü"],
]


@pytest.mark.parametrize("vocab", VOCABS)
@pytest.mark.parametrize("fallback", [False, True])
def test_read_back_equals_parse(glove_txt: Path, vocab, fallback: bool) -> None:
    parsed = load_glove(glove_txt, vocab, lowercase_fallback=fallback, cache=False)
    assert entries() == []
    first = load_glove(glove_txt, vocab, lowercase_fallback=fallback)
    assert len(entries()) == 1
    again = load_glove(glove_txt, vocab, lowercase_fallback=fallback)
    same(parsed, first)
    same(parsed, again)
    # Writable, and a write stays in this array.
    again.matrix[...] = 42
    same(parsed, load_glove(glove_txt, vocab, lowercase_fallback=fallback))


def test_keys_tell_inputs_apart(glove_txt: Path, tmp_path: Path) -> None:
    load_glove(glove_txt)
    load_glove(glove_txt, ["", "[UNK]", "the"])
    load_glove(glove_txt, ["", "[UNK]", "of"])
    load_glove(glove_txt, ["", "[UNK]", "of"], lowercase_fallback=True)
    load_glove(glove_txt, ["", "[UNK]", "of"], dim=3)
    # The same bytes under another name are another entry.
    other = tmp_path / "copy.txt"
    other.write_bytes(LINES)
    load_glove(other)
    assert len(entries()) == 6
    # Tokens are told apart even when their concatenations agree.
    a = load_glove(glove_txt, ["the", "of"])
    b = load_glove(glove_txt, ["theof"])
    assert a.hits == 2 and b.hits == 0


def test_a_changed_file_is_parsed_again(glove_txt: Path) -> None:
    load_glove(glove_txt)
    st = glove_txt.stat()
    # Same size, same mtime, other bytes: the fingerprint tells.
    glove_txt.write_bytes(LINES.replace(b"0.1", b"0.9"))
    os.utime(glove_txt, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert load_glove(glove_txt).matrix[0, 0] == np.float32(0.9)
    # Another size.
    glove_txt.write_bytes(LINES + b"and 1 1 1\n")
    assert load_glove(glove_txt).words[-1] == "and"
    # Another mtime.
    os.utime(glove_txt, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    same(load_glove(glove_txt, cache=False), load_glove(glove_txt))


def test_a_large_file_changed_in_its_middle_is_parsed_again(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    lines = [f"w{i} {i} {i + 1}\n".encode() for i in range(40_000)]
    path.write_bytes(b"".join(lines))
    load_glove(path)
    lines[20_000] = lines[20_000].replace(b"w20000", b"x20000")
    path.write_bytes(b"".join(lines))
    # Size and fingerprint agree; the mtime (a later write) tells.
    os.utime(path, ns=(0, path.stat().st_mtime_ns + 10**9))
    assert "x20000" in load_glove(path).words


@pytest.mark.parametrize(
    "damage",
    ["truncate", "extend", "flip-header", "flip-words", "flip-matrix", "garbage", "empty"],
)
def test_a_damaged_entry_is_parsed_again_and_rewritten(glove_txt: Path, damage: str) -> None:
    parsed = load_glove(glove_txt, cache=False)
    load_glove(glove_txt)
    [entry] = entries()
    data = bytearray(entry.read_bytes())
    if damage == "truncate":
        data = data[:-3]
    elif damage == "extend":
        data += b"\0\0\0\0"
    elif damage == "flip-header":
        data[len(_glove_cache.MAGIC) + 20] ^= 1
    elif damage == "flip-words":
        data[data.index(b"the\nof")] ^= 1
    elif damage == "flip-matrix":
        data[-2] ^= 0x40
    elif damage == "garbage":
        data = bytearray(os.urandom(len(data)))
    else:
        data = bytearray()
    entry.write_bytes(bytes(data))
    same(parsed, load_glove(glove_txt))
    # Rewritten whole.
    same(parsed, load_glove(glove_txt))
    assert entry.read_bytes().startswith(_glove_cache.MAGIC)


def test_large_matrices_are_mapped_and_checked(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(_glove_cache, "MAP_BYTES", 0)
    monkeypatch.setattr(_glove_cache, "FULL_CHECK_BYTES", 0)
    path = tmp_path / "big.txt"
    path.write_bytes(b"".join(f"w{i} {i} {-i} 0.5\n".encode() for i in range(5_000)))
    parsed = load_glove(path, cache=False)
    load_glove(path)
    mapped = load_glove(path)
    same(parsed, mapped)
    mapped.matrix[0, 0] = -7  # copy-on-write: the entry is untouched
    same(parsed, load_glove(path))
    [entry] = entries()
    data = bytearray(entry.read_bytes())
    data[-1] ^= 0x40  # the last page is always among the sampled ones
    entry.write_bytes(bytes(data))
    same(parsed, load_glove(path))


def _load_many(path: str, home: str, rounds: int) -> None:
    os.environ["IMDBFAST_HOME"] = home
    os.environ["IMDBFAST_GLOVE_CACHE"] = "1"
    for _ in range(rounds):
        for entry in _glove_cache.entries_dir().glob("*.glove"):
            entry.unlink(missing_ok=True)
        load_glove(path)


def test_two_writers_at_once(tmp_path: Path, cache_home: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"".join(f"w{i} {i} {-i} 0.5\n".encode() for i in range(20_000)))
    parsed = load_glove(path, cache=False)
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_load_many, args=(str(path), str(cache_home), 5)) for _ in range(2)]
    for p in procs:
        p.start()
    for _ in range(20):
        same(parsed, load_glove(path))
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    same(parsed, load_glove(path))
    assert len(entries()) == 1
    assert not list(_glove_cache.entries_dir().glob("*.part"))


def test_opt_out(glove_txt: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    load_glove(glove_txt, cache=False)
    assert entries() == []
    for off in ("0", "false", "OFF", "no"):
        monkeypatch.setenv("IMDBFAST_GLOVE_CACHE", off)
        load_glove(glove_txt)
        assert entries() == []
    monkeypatch.setenv("IMDBFAST_GLOVE_CACHE", "1")
    load_glove(glove_txt)
    assert len(entries()) == 1


def test_size_bound_evicts_the_oldest(tmp_path: Path, monkeypatch) -> None:
    paths = []
    for i in range(4):
        p = tmp_path / f"g{i}.txt"
        p.write_bytes(LINES)
        paths.append(p)
    load_glove(paths[0])
    size = entries()[0].stat().st_size
    monkeypatch.setenv("IMDBFAST_GLOVE_CACHE_BYTES", str(2 * size))
    for i, p in enumerate(paths[1:], 1):
        for entry in entries():  # distinct mtimes, in load order
            os.utime(entry, ns=(0, entry.stat().st_mtime_ns - 10**9))
        load_glove(p)
    # The newest entry plus two more fit.
    assert len(entries()) == 3


def test_an_unwritable_cache_is_no_failure(glove_txt: Path, tmp_path: Path, monkeypatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_bytes(b"")
    monkeypatch.setenv("IMDBFAST_HOME", str(blocker))  # a file, not a directory
    same(load_glove(glove_txt, cache=False), load_glove(glove_txt))


def test_hostile_paths_name_no_file(tmp_path: Path) -> None:
    odd = tmp_path / "..%2F..\n;rm -rf ~ \u00e9.txt"
    odd.write_bytes(LINES)
    load_glove(odd)
    [entry] = entries()
    assert entry.parent == _glove_cache.entries_dir()
    assert len(entry.stem) == 64 and set(entry.stem) <= set("0123456789abcdef")
    # A planted symlink in place of an entry is not followed.
    target = tmp_path / "elsewhere"
    target.write_bytes(entry.read_bytes())
    entry.unlink()
    entry.symlink_to(target)
    parsed = load_glove(odd, cache=False)
    same(parsed, load_glove(odd))
    assert not entry.is_symlink()


def test_a_pipe_is_not_cached(tmp_path: Path) -> None:
    fifo = tmp_path / "g.txt"
    os.mkfifo(fifo)
    assert _glove_cache.cache_key(fifo, None, None, None, False) is None


def test_a_file_replaced_while_parsed_is_not_stored(glove_txt: Path, monkeypatch) -> None:
    from imdbfast import _native

    parse = _native.glove_load

    def parse_then_replace(*args, **kwargs):
        out = parse(*args, **kwargs)
        glove_txt.write_bytes(LINES + b"new 1 1 1\n")
        return out

    monkeypatch.setattr(_native, "glove_load", parse_then_replace)
    load_glove(glove_txt)
    assert entries() == []
