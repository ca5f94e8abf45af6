"""Hostile files: every loader reads through ``imdbfast._files``, so each rule
holds for saved tokenizers, vocabulary files, config.json, ensemble.json,
study files and results.jsonl alike: regular files only (a FIFO never blocks,
a device is never read), bounded size and nesting, strict UTF-8 with the file
named, and one error class a caller (or the command line) can rely on.

Reproducers where blocking or memory is the point run in a child process with
a time limit (and an address-space cap).
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import imdbfast
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from imdbfast import _files
from imdbfast.config import TrainConfig
from imdbfast.ensembles import load_ensemble
from imdbfast.errors import MissingFileError, UserError
from imdbfast.experiments.runner import RESULTS_FILE, open_study_dir, read_records
from imdbfast.experiments.study import StudyError, load_study

DEEP = "[" * 100_000 + "]" * 100_000
DEEP_OBJECT = '{"a": ' * 50_000 + "1" + "}" * 50_000


def _tokenizer_file(tmp_path: Path) -> Path:
    path = tmp_path / "tokenizer.json"
    imdbfast.Tokenizer().fit(["fine film"]).save(path)
    return path


def _load_results(path: Path) -> object:
    return read_records(path, "s")


#: Each loader, with the name its file has.
LOADERS = {
    "tokenizer.json": imdbfast.Tokenizer.load,
    "config.json": TrainConfig.load,
    "study.json": load_study,
    "study.toml": load_study,
    RESULTS_FILE: _load_results,
    "vocabulary.txt": lambda path: imdbfast.Tokenizer(vocabulary=path),
}


def _load_ensemble_file(path: Path) -> object:
    return load_ensemble(path.parent)


LOADERS["ensemble.json"] = _load_ensemble_file


# ---------------------------------------------------------------- nesting


@pytest.mark.parametrize(
    "name", ["tokenizer.json", "config.json", "ensemble.json", "study.json"]
)
@pytest.mark.parametrize("document", [DEEP, DEEP_OBJECT], ids=["arrays", "objects"])
def test_deeply_nested_json_is_one_clear_error(tmp_path, name, document):
    path = tmp_path / name
    path.write_text(document, encoding="utf-8")
    with pytest.raises(UserError, match="64 levels deep at most") as caught:
        LOADERS[name](path)
    assert str(caught.value).startswith(str(path))


def test_deeply_nested_toml_and_results_lines_are_one_clear_error(tmp_path):
    toml = tmp_path / "deep.toml"
    toml.write_text("[axes]\nepochs = " + DEEP + "\n", encoding="utf-8")
    with pytest.raises(StudyError, match="64 levels deep at most"):
        load_study(toml)
    inline = tmp_path / "inline.toml"
    inline.write_text("x = " + "{a = " * 5000 + "1" + "}" * 5000 + "\n")
    with pytest.raises(StudyError, match="64 levels deep at most"):
        load_study(inline)
    results = tmp_path / RESULTS_FILE
    results.write_text(DEEP + "\n", encoding="utf-8")
    with pytest.raises(StudyError, match="line 1: a run record may nest"):
        read_records(results, "s")


def test_nesting_counts_brackets_outside_strings_only(tmp_path):
    # Tokens made of brackets (in a vocabulary, in comments) are no nesting.
    path = tmp_path / "tokenizer.json"
    tokens = ["[" * 200, "{" * 200, '\\"[[[', "x"]
    imdbfast.Tokenizer(vocabulary=tokens, standardize=None).save(path)
    assert imdbfast.Tokenizer.load(path).get_vocabulary()[2:] == tokens
    toml = tmp_path / "ok.toml"
    toml.write_text(
        "# " + "[" * 200 + "\n"
        'description = "' + "[" * 200 + '"\n'
        "[base]\ndata_source = '" + "{" * 200 + "'\n"
        "[axes]\nepochs = [1, 2]\n",
        encoding="utf-8",
    )
    study = load_study(toml)
    assert study.description == "[" * 200
    assert study.base["data_source"] == "{" * 200
    _files.check_nesting("[" * 64 + "]" * 64, "x", what="file")
    with pytest.raises(UserError, match="64 levels"):
        _files.check_nesting("[" * 65 + "]" * 65, "x", what="file")


# ---------------------------------------------------------- regular files


FIFO_SCRIPT = textwrap.dedent(
    """
    import os, sys
    import imdbfast
    from imdbfast.config import TrainConfig
    from imdbfast.experiments.study import load_study
    from imdbfast.experiments.runner import read_records

    fifo = sys.argv[1]
    for load in (imdbfast.Tokenizer.load, TrainConfig.load,
                 lambda p: imdbfast.Tokenizer(vocabulary=p),
                 lambda p: read_records(__import__("pathlib").Path(p), "s")):
        try:
            load(fifo)
        except ValueError as err:
            print(type(err).__name__, str(err))
        else:
            print("loaded")
    """
)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "tokenizer.json"
    os.mkfifo(fifo)
    done = subprocess.run(
        [sys.executable, "-c", FIFO_SCRIPT, str(fifo)],
        capture_output=True, check=False, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 4, done.stdout
    for line in lines:
        assert "must be a regular file. Received: a FIFO (named pipe)" in line, line
        assert str(fifo) in line


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_device_is_never_read():
    from test_hostile_input import assert_raises, run_isolated

    for load in ("imdbfast.Tokenizer.load", "TrainConfig.load"):
        report = run_isolated(
            f"""
            import imdbfast
            from imdbfast.config import TrainConfig

            def main():
                {load}("/dev/zero")
            """,
            timeout=60,
        )
        assert_raises(
            report, "UserError",
            "/dev/zero: a", peak_below=300 << 20,
        )
        assert "must be a regular file. Received: a character device" in report["message"]


def test_a_directory_is_an_is_a_directory_error(tmp_path):
    with pytest.raises(IsADirectoryError):
        imdbfast.Tokenizer.load(tmp_path)


# ---------------------------------------------------------------- size


def test_files_over_the_limit_are_refused_from_their_size(tmp_path, monkeypatch):
    path = tmp_path / "config.json"
    with open(path, "wb") as f:
        f.truncate(_files.SMALL_FILE_BYTES + 1)  # sparse: no disk, no reading
    with pytest.raises(UserError, match=r"at most 16 MiB\. Received: 16 MiB"):
        TrainConfig.load(path)
    monkeypatch.setattr(_files, "LARGE_FILE_BYTES", 10)
    big = tmp_path / "vocabulary.txt"
    big.write_text("a\nb\nc\nd\ne\nf\n")
    with pytest.raises(UserError, match="at most 10 bytes"):
        _files.read_text(big, what="vocabulary file", max_bytes=_files.LARGE_FILE_BYTES)


# ------------------------------------------------------------------ UTF-8


@pytest.mark.parametrize("name", sorted(LOADERS))
def test_invalid_utf8_names_the_file(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b'{"a": "\xff\xfe"}\n')
    with pytest.raises(UserError) as caught:
        LOADERS[name](path)
    message = str(caught.value)
    assert message.startswith(str(path)), message
    assert "utf-8 text" in message and "offset" in message, message


def test_vocabulary_file_decoding_follows_encoding(tmp_path):
    path = tmp_path / "vocabulary.txt"
    path.write_bytes("café\n".encode("latin-1"))
    tok = imdbfast.Tokenizer(vocabulary=path, encoding="latin-1", standardize=None)
    assert tok.get_vocabulary()[2:] == ["café"]
    with pytest.raises(ValueError, match="a vocabulary file must be utf-8 text"):
        imdbfast.Tokenizer(vocabulary=path)


# --------------------------------------------------------------- missing


@pytest.mark.parametrize("name", sorted(LOADERS))
def test_a_missing_file_is_both_file_not_found_and_value_error(tmp_path, name):
    path = tmp_path / "missing" / name
    loader = LOADERS[name]
    if name == RESULTS_FILE:
        assert read_records(path, "s") == ([], 0)  # no results yet
        return
    with pytest.raises(FileNotFoundError) as caught:
        loader(path)
    err = caught.value
    assert isinstance(err, ValueError) and isinstance(err, MissingFileError)
    assert err.errno == errno.ENOENT and err.filename == str(path)
    assert str(path) in str(err)


def test_missing_vocabulary_file_is_caught_as_keras_code_catches_it(tmp_path):
    missing = tmp_path / "vocab.txt"
    with pytest.raises(ValueError, match="vocabulary file not found"):
        imdbfast.Tokenizer(vocabulary=str(missing))
    with pytest.raises(FileNotFoundError):
        imdbfast.Tokenizer().set_vocabulary(missing)


# ------------------------------------------------------------ regex flags


@pytest.mark.parametrize("flags", [2**40, -1, 1 << 9])
def test_regex_flags_out_of_range_are_a_value_error(tmp_path, flags):
    split = {"regex": r"\S+", "flags": flags}
    with pytest.raises(ValueError, match="`flags` must be a combination of re flags"):
        imdbfast.Tokenizer(split=split)
    path = _tokenizer_file(tmp_path)
    data = json.loads(path.read_text())
    data["config"]["split"] = split
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match=r"`flags` must be .*Received: flags="):
        imdbfast.Tokenizer.load(path)


def test_a_saved_pattern_that_does_not_compile_is_a_value_error(tmp_path):
    path = _tokenizer_file(tmp_path)
    data = json.loads(path.read_text())
    data["config"]["split"] = {"regex": "(", "flags": 0}
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match="the pattern does not compile"):
        imdbfast.Tokenizer.load(path)


# ------------------------------------------------------- the command line


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "imdbfast", *args],
        capture_output=True, check=False, text=True, timeout=120, cwd=cwd,
    )


def _one_error_line(done: subprocess.CompletedProcess[str], *parts: str) -> None:
    assert done.returncode == 1, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("imdbfast: error: "), done.stderr
    for part in parts:
        assert part in lines[0], lines[0]


def test_cli_study_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "study.toml"
    path.write_bytes(b"[axes]\nepochs = [1]\ndescription = '\xff'\n")
    done = _cli("experiment", str(path), "--dry-run", cwd=tmp_path)
    _one_error_line(done, str(path), "utf-8 text", "offset")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_cli_study_file_that_is_a_fifo(tmp_path):
    path = tmp_path / "study.toml"
    os.mkfifo(path)
    done = _cli("experiment", str(path), "--dry-run", cwd=tmp_path)  # times out if it blocks
    _one_error_line(done, str(path), "must be a regular file. Received: a FIFO")


@pytest.mark.parametrize(
    ("content", "part"),
    [
        (b'{"format": "imdbfast.StudyRun", "study": "s", "key": "\xff"}\n', "utf-8 text"),
        (b'{"format": "imdbfast.StudyRun", "study": "s"}\n', "a string 'key'"),
        (b'{"format": "imdbfast.StudyRun", "study": "s", "key": 5}\n', "a string 'key'"),
        (DEEP.encode() + b"\n", "64 levels deep"),
    ],
)
def test_cli_results_that_are_not_records(tmp_path, content, part):
    study = tmp_path / "s.toml"
    study.write_text("[axes]\nepochs = [1]\n", encoding="utf-8")
    out = tmp_path / "out"
    open_study_dir(out / "s", load_study(study))
    (out / "s" / RESULTS_FILE).write_bytes(content)
    done = _cli("experiment", str(study), "--report-only", "--output-dir", str(out),
                cwd=tmp_path)
    _one_error_line(done, f"{RESULTS_FILE}, line 1", part)


# ------------------------------------------------- property: any bytes at all


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(
        st.sampled_from(
            ["format", "version", "config", "vocabulary", "members", "path", "weight",
             "name", "axes", "base", "key", "study", "epochs", "repeats", "mode",
             "references", "idf_weights", "preset"]
        ) | st.text(max_size=5),
        inner,
        max_size=5,
    ),
    max_leaves=20,
)


def _document(name: str, value: object) -> bytes:
    if name.endswith(".toml"):
        table = value if isinstance(value, dict) else {"axes": value}
        return "\n".join(f"{k!r} = {json.dumps(v)}" for k, v in table.items()).encode()
    return json.dumps(value).encode() + b"\n"


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.sampled_from(sorted(LOADERS)),
    content=st.one_of(
        _JSON.map(lambda v: ("json", v)),
        st.binary(max_size=64).map(lambda b: ("bytes", b)),
        st.integers(1, 3000).map(lambda n: ("deep", n)),
    ),
)
def test_any_file_loads_or_raises_one_clear_error(tmp_path_factory, name, content):
    """Whatever a file holds, its loader returns or raises a ValueError (or
    an OSError): never a RecursionError, UnicodeDecodeError, OverflowError,
    KeyError or TypeError from inside."""
    root = tmp_path_factory.mktemp("files")
    kind, value = content
    if kind == "json":
        data = _document(name, value)
    elif kind == "bytes":
        data = value
    else:
        data = ("[" * value + "]" * value).encode()
    path = root / name
    path.write_bytes(data)
    try:
        LOADERS[name](path)
    except (ValueError, OSError):
        pass


def _valid_documents(root: Path) -> dict[str, dict]:
    """A valid document of each JSON surface, to mutate one field of."""
    tok = root / "tok.json"
    imdbfast.Tokenizer(max_tokens=20).fit(["a fine film", "a bad film"]).save(tok)
    config = root / "config.json"
    TrainConfig().save(config)
    return {
        "tokenizer.json": json.loads(tok.read_text()),
        "config.json": json.loads(config.read_text()),
        "study.json": {"name": "s", "repeats": 2, "base": {"epochs": 1},
                       "axes": {"units": [4, 8], "v": {"a": {"epochs": 2}}},
                       "references": [{"where": {"units": 4}, "value": 0.5}]},
        "ensemble.json": {"format": "imdbfast.Ensemble", "version": 1,
                          "members": [{"path": "m", "weight": 1.0}]},
        RESULTS_FILE: {"format": "imdbfast.StudyRun", "study": "s", "key": "k",
                       "test": {"accuracy": 0.5}},
    }


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.sampled_from(["tokenizer.json", "config.json", "study.json",
                          "ensemble.json", RESULTS_FILE]),
    choice=st.integers(0, 10**6),
    value=_JSON,
)
def test_any_field_of_a_valid_file_loads_or_raises_one_clear_error(
    tmp_path_factory, name, choice, value
):
    """One field of a valid file (nested objects included) set to any JSON
    value: the loader returns or raises a ValueError or an OSError."""
    root = tmp_path_factory.mktemp("fields")
    document = _valid_documents(root)[name]
    tables = [document] + [v for v in document.values() if isinstance(v, dict)]
    tables += [v for t in list(tables[1:]) for v in t.values() if isinstance(v, dict)]
    table = tables[choice % len(tables)]
    keys = sorted(table)
    table[keys[choice % len(keys)]] = value
    path = root / name
    path.write_text(json.dumps(document) + "\n", encoding="utf-8")
    try:
        LOADERS[name](path)
    except (ValueError, OSError):
        pass
