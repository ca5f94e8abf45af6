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

    def _peak():
        # The high-water mark of this process's own memory: VmHWM starts
        # afresh at exec, unlike ru_maxrss, which keeps the RSS the forked
        # child had (a copy of the test runner) before it ran this script.
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    def _report(outcome, **extra):
        print(json.dumps({{"outcome": outcome, "peak": _peak(), **extra}}))
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


# ---------------------------------------------------------------- GloVe sources


def _zip64(path: Path, name: str, data: bytes, declared: int) -> Path:
    """A zip64 archive of one deflated member whose header declares
    ``declared`` uncompressed bytes (its real size is ``len(data)``)."""
    import struct
    import zlib

    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = packer.compress(data) + packer.flush()
    crc = zlib.crc32(data)
    raw = name.encode()
    extra = struct.pack("<HHQQ", 1, 16, declared, len(packed))
    local = struct.pack(
        "<IHHHHHIIIHH", 0x04034B50, 45, 0, 8, 0, 0x21, crc,
        0xFFFFFFFF, 0xFFFFFFFF, len(raw), len(extra),
    ) + raw + extra + packed
    central = struct.pack(
        "<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, 0, 8, 0, 0x21, crc,
        0xFFFFFFFF, 0xFFFFFFFF, len(raw), len(extra), 0, 0, 0, 0, 0,
    ) + raw + extra
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central), len(local), 0)
    path.write_bytes(local + central + end)
    return path


@pytest.mark.parametrize("declared", [1 << 40, 2**64 - 1])
def test_zip64_glove_member_declaring_a_huge_size(tmp_path: Path, declared: int) -> None:
    """The declared size is never an allocation size: the member is read as it is."""
    path = _zip64(tmp_path / "glove.zip", "glove.6B.2d.txt", b"the 0.5 -1\n", declared)
    assert path.stat().st_size < 200
    report = run_isolated(
        f"""
        import imdbfast
        def main():
            g = imdbfast.load_glove({str(path)!r})
            return g.words, g.matrix.tolist()
        """
    )
    if report["outcome"] == "ok":
        assert report["result"] == [["the"], [[0.5, -1.0]]], report
    else:
        assert_raises(report, "ValueError", "glove.zip::glove.6B.2d.txt: corrupt zip member")
    assert report["peak"] < 400 << 20


def _zip_of(path: Path, name: str, chunk: bytes, total: int, level: int = 1) -> Path:
    """A zip whose one member is ``chunk`` repeated to ``total`` bytes."""
    import zipfile

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        with zf.open(name, "w", force_zip64=True) as member:
            block = chunk * ((1 << 20) // len(chunk))
            for _ in range(total // len(block)):
                member.write(block)
    return path


def test_zip_bomb_of_nuls_is_refused_with_bounded_memory(tmp_path: Path) -> None:
    path = _zip_of(tmp_path / "bomb.zip", "glove.txt", b"\0", 1 << 30, level=9)
    assert path.stat().st_size < 2 << 20
    report = run_isolated(
        f"""
        import imdbfast
        def main():
            imdbfast.load_glove({str(path)!r})
        """
    )
    assert_raises(
        report, "ValueError", "bomb.zip::glove.txt:1: a line longer than 16777216 bytes",
        peak_below=200 << 20,
    )


@pytest.mark.parametrize("kind", ["zip", "gz", "txt"])
def test_duplicate_lines_peak_far_below_their_size(tmp_path: Path, kind: str) -> None:
    """200 MiB of ``a 0`` lines (compressed or not): one row, and memory far
    below 200 MiB (a plain file's size is only a hint for the reservations)."""
    total = 200 << 20
    if kind == "zip":
        path = _zip_of(tmp_path / "dups.zip", "glove.txt", b"a 0\n", total)
    elif kind == "txt":
        path = tmp_path / "dups.txt"
        path.write_bytes(b"a 0\n" * (total // 4))
    else:
        path = tmp_path / "dups.txt.gz"
        with gzip.open(path, "wb", compresslevel=1) as f:
            block = b"a 0\n" * (1 << 18)
            for _ in range(total // len(block)):
                f.write(block)
    report = run_isolated(
        f"""
        import imdbfast
        def main():
            g = imdbfast.load_glove({str(path)!r})
            return g.words, g.matrix.tolist(), g.duplicates
        """,
        timeout=300,
    )
    assert report["outcome"] == "ok", report
    assert report["result"] == [["a"], [[0.0]], (total // 4) - 1]
    assert report["peak"] < 150 << 20, f"peak {report['peak'] / 2**20:.0f} MiB"


def test_glove_file_truncated_while_parsed(tmp_path: Path) -> None:
    """A file cut short while it is read (a download still being written)
    ends in a clean error naming it (or, if the cut came after the read, the
    whole table): never SIGBUS. (The Rust tests cut a file mid-read
    deterministically.)"""
    path = tmp_path / "glove.txt"
    line = b"word " + b" ".join([b"-0.123456"] * 50) + b"\n"
    with open(path, "wb") as f:
        for i in range(200_000):
            f.write(b"w%d" % i + line[4:])
    report = run_isolated(
        f"""
        import os, threading, time
        import imdbfast
        def cut():
            time.sleep(0.02)
            os.truncate({str(path)!r}, 1 << 20)
        def main():
            threading.Thread(target=cut).start()
            return imdbfast.load_glove({str(path)!r}).matrix.shape[0]
        """
    )
    # Cut while read: an OSError; cut before it was opened: the file is
    # simply short, and its last, broken line is named; cut after: all rows.
    if report["outcome"] == "ok":
        assert report["result"] == 200_000, report
    elif report["type"] == "OSError":
        assert_raises(report, "OSError", "glove.txt: the file changed while it was read")
    else:
        assert_raises(report, "ValueError", "glove.txt:2075: expected 50 values, found 24")


def test_zip_with_many_members_gives_a_short_message(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for i in range(100_000):
            zf.writestr(f"vectors{i}.txt", b"")
    report = run_isolated(
        f"""
        import imdbfast
        def main():
            imdbfast.load_glove({str(path)!r})
        """
    )
    assert_raises(report, "ValueError", '100000 names, the first 8: ["vectors0.txt"')
    assert len(report["message"]) < 500, report


# ---------------------------------------------------------------- huge lengths


def test_pad_sequences_with_a_huge_maxlen() -> None:
    report = run_isolated(
        """
        import imdbfast
        def main():
            imdbfast.pad_sequences([[1, 2, 3]], maxlen=10**12)
        """
    )
    assert_raises(report, "MemoryError", "the padded matrix (1 sequences x maxlen=1000000000000)")
    # 3 x maxlen wraps around in 64 bits: an error, not a wrapped size.
    report = run_isolated(
        """
        import imdbfast
        def main():
            imdbfast.pad_sequences([[1], [2], [3]], maxlen=(2**64 + 2) // 3, padding="pre")
        """
    )
    assert_raises(
        report, "MemoryError", "3 x 6148914691236517206 values of 4 bytes do not fit in memory"
    )
    report = run_isolated(
        """
        import imdbfast
        def main():
            imdbfast.pad_sequences([[1, 2, 3]], maxlen=2**64)
        """
    )
    assert_raises(report, "ValueError", "`maxlen` must be at most 9223372036854775807")


def _saved_tokenizer(tmp_path: Path, **config) -> Path:
    """A tokenizer.json fitted on two words, its config fields overridden."""
    import imdbfast

    path = tmp_path / "tokenizer.json"
    imdbfast.Tokenizer().fit(["fine film"]).save(path)
    data = json.loads(path.read_text())
    data["config"].update(config)
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize("source", ["constructor", "tokenizer.json"])
def test_huge_output_sequence_length(tmp_path: Path, source: str) -> None:
    make = (
        "imdbfast.Tokenizer(output_sequence_length=10**12).fit(['fine film'])"
        if source == "constructor"
        else f"imdbfast.Tokenizer.load({str(_saved_tokenizer(tmp_path, output_sequence_length=10**12))!r})"
    )
    report = run_isolated(
        f"""
        import imdbfast
        def main():
            {make}.transform(["fine film"])
        """
    )
    assert_raises(
        report, "MemoryError", "the id matrix (1 texts x output_sequence_length=1000000000000)"
    )


def test_output_sequence_length_that_wraps(tmp_path: Path) -> None:
    """``rows * length`` would wrap around in 64 bits: an error, not a
    wrapped size, from the constructor or from a tokenizer.json."""
    wraps = (2**64 + 2) // 3
    path = _saved_tokenizer(tmp_path, output_sequence_length=wraps, padding="pre")
    for make in (
        f"imdbfast.Tokenizer(output_sequence_length={wraps}, padding='pre').fit(['a'])",
        f"imdbfast.Tokenizer.load({str(path)!r})",
    ):
        report = run_isolated(
            f"""
            import imdbfast
            def main():
                {make}.transform(["a", "b", "c"])
            """
        )
        assert_raises(
            report, "MemoryError", "3 x 6148914691236517206 values of 4 bytes do not fit"
        )
    # Beyond int64: refused by the constructor.
    path = _saved_tokenizer(tmp_path, output_sequence_length=2**64)
    report = run_isolated(
        f"""
        import imdbfast
        def main():
            imdbfast.Tokenizer.load({str(path)!r})
        """
    )
    assert_raises(
        report, "ValueError",
        "Invalid imdbfast.Tokenizer `config`: `output_sequence_length` must be <= 9223372036854775807",
    )


# ---------------------------------------------------------------- reserved ids


def test_huge_index_from_costs_no_memory() -> None:
    report = run_isolated(
        """
        import imdbfast
        def main():
            tok = imdbfast.Tokenizer(index_from=10**9, output_sequence_length=4)
            tok.fit(["fine film fine"])
            ids = tok.transform(["fine film dull"]).tolist()
            return [ids, tok.vocabulary_size(), tok.id_to_token(12345),
                    tok.decode(ids[0]), tok.token_to_id("film")]
        """
    )
    assert report["outcome"] == "ok", report
    assert report["result"] == [
        [[1_000_000_001, 1_000_000_002, 1, 0]],
        1_000_000_003,
        "[UNUSED12345]",
        "fine film [UNK]",
        1_000_000_002,
    ]
    assert report["peak"] < 300 << 20, f"peak {report['peak'] / 2**20:.0f} MiB"
    report = run_isolated(
        """
        import imdbfast
        def main():
            imdbfast.Tokenizer(index_from=10**9).fit(["fine film"]).get_vocabulary()
        """
    )
    assert_raises(report, "MemoryError", "999999999 reserved ids (index_from=1000000000)")
    report = run_isolated(
        """
        import imdbfast
        def main():
            imdbfast.Tokenizer(index_from=2**31)
        """
    )
    assert_raises(report, "ValueError", "`index_from` must be <= 2147483646")


@pytest.mark.parametrize("index_from", [10**9, 10**12])
def test_tampered_tokenizer_json_with_a_huge_index_from(tmp_path: Path, index_from: int) -> None:
    path = _saved_tokenizer(tmp_path, index_from=index_from)
    report = run_isolated(
        f"""
        import imdbfast
        def main():
            imdbfast.Tokenizer.load({str(path)!r})
        """
    )
    match = (
        'must start with the special tokens ["", "[UNK]"] and have at least 1000000001 entries'
        if index_from == 10**9 else "`index_from` must be <= 2147483646"
    )
    assert_raises(report, "ValueError", match)
    assert report["message"].startswith(str(path)), report


# ---------------------------------------------------------------- contract slips


def test_max_tokens_beyond_any_int() -> None:
    import imdbfast

    with pytest.raises(ValueError, match="`max_tokens` must be <= 2147483647"):
        imdbfast.Tokenizer(max_tokens=10**30)


@pytest.mark.parametrize(
    "edit, match",
    [
        (lambda d: d.pop("config"), "needs a `config` object"),
        (lambda d: d.update(config=[1]), "`config` must be an object. Received: list"),
        (lambda d: d.update(vocabulary=["", "[UNK]", 7]), "`vocabulary[2]` must be a string. Received: 7"),
        (lambda d: d.update(vocabulary=["", "[UNK]", None]), "`vocabulary[2]` must be a string. Received: None"),
        (lambda d: d.update(vocabulary={"": 0, "[UNK]": 1}), "`vocabulary` must be a list of strings or null. Received: dict"),
        (lambda d: d.update(version=True), "Received: version=True"),
        (lambda d: d.update(extra=1), "Unknown imdbfast.Tokenizer field(s): extra"),
        (lambda d: d["config"].update(colour="red"), "Unknown `config` field(s): colour"),
        (lambda d: d["config"].update(max_tokens="20000"), "`config.max_tokens` must be an integer or null. Received: '20000'"),
        (lambda d: d["config"].update(min_freq=1.0), "`config.min_freq` must be an integer. Received: 1.0"),
        (lambda d: d["config"].update(strip_html=1), "`config.strip_html` must be a boolean. Received: 1"),
        (lambda d: d["config"].update(stopwords={"the": 1}), "`config.stopwords` must be a string, a list of strings or null"),
        (lambda d: d["config"].update(min_freq=0), "`config`: `min_freq` must be >= 1"),
        (lambda d: d["config"].update(padding="middle"), "`config`: `padding` must be \"pre\" or \"post\""),
        (lambda d: d.update(vocabulary=["", "[UNK]", "a", "a"]), "`vocabulary`: the vocabulary contains \"a\" more than once"),
    ],
)
def test_tokenizer_json_is_validated_strictly(tmp_path: Path, edit, match: str) -> None:
    import imdbfast

    path = tmp_path / "tokenizer.json"
    imdbfast.Tokenizer().fit(["fine film"]).save(path)
    data = json.loads(path.read_text())
    edit(data)
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError) as caught:
        imdbfast.Tokenizer.load(path)
    assert match in str(caught.value)
    assert str(caught.value).startswith(str(path))


def test_set_vocabulary_refuses_non_str_items_and_mappings() -> None:
    import imdbfast

    tok = imdbfast.Tokenizer()
    with pytest.raises(TypeError, match="must contain only str. Received: int at index 2"):
        tok.set_vocabulary(["", "[UNK]", 7])
    with pytest.raises(TypeError, match="Received: dict"):
        tok.set_vocabulary({"": 0, "[UNK]": 1, "a": 2})
    assert tok.set_vocabulary(("", "[UNK]", "a")).get_vocabulary() == ["", "[UNK]", "a"]


@pytest.mark.parametrize(
    "edit, match",
    [
        (lambda d: d.pop("config"), "`config` must be a JSON object. Received: NoneType"),
        (lambda d: d.update(config=[1, 2]), "`config` must be a JSON object. Received: list"),
        (lambda d: d.update(version=True), "unsupported TrainConfig version"),
        (lambda d: d["config"].update(epochs="3"), "`epochs` must be an int >= 1. Received: epochs='3'"),
        (lambda d: d["config"].update(colour="red"), "Unknown TrainConfig field(s): colour"),
    ],
)
def test_run_directory_config_is_validated(tmp_path: Path, edit, match: str) -> None:
    from imdbfast.config import TrainConfig

    path = tmp_path / "config.json"
    TrainConfig().save(path)
    data = json.loads(path.read_text())
    edit(data)
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError) as caught:
        TrainConfig.load(path)
    assert match in str(caught.value)
