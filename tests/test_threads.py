"""``num_threads`` and ``IMDBFAST_NUM_THREADS``: every native call runs on
the threads asked for, with the same results whatever their number, and one
thread means no pool at all (the work runs on the calling thread)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from imdbfast import Tokenizer, _native, pad_sequences

CORPUS = [f"the cat {i % 7} sat on mat {i % 13}. A dog! {i}" for i in range(3000)]


def outputs(num_threads: int | None) -> list:
    """Everything a tokenizer computes natively, with this thread count."""
    out = []
    for config in (
        {"max_tokens": 50},
        {"vocab_order": "frequency_first_seen", "output_sequence_length": 6},
        {"output_mode": "tf_idf", "ngrams": 2, "max_tokens": 40},
        {"output_mode": "count", "sparse": True},
    ):
        tok = Tokenizer(**config, num_threads=num_threads).fit(CORPUS)
        out.append(tok.get_vocabulary())
        got = tok.transform(CORPUS[:50])
        out.append(got.toarray() if hasattr(got, "toarray") else got)
        if tok.output_mode == "int":
            out.append(tok.transform_ragged(CORPUS))
        counts = tok.count(CORPUS)
        out.append(tok.fit_counts(counts).get_vocabulary())
    return out


def same(a, b) -> bool:
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and np.array_equal(a, b)
    return a == b


def test_bad_num_threads():
    with pytest.raises(ValueError, match=r"`num_threads` must be .*Received: num_threads=0"):
        Tokenizer(num_threads=0)
    for bad in ("2", 2.0, True):
        with pytest.raises(TypeError, match="`num_threads` must be an int >= 1 or None"):
            Tokenizer(num_threads=bad)
    with pytest.raises(ValueError, match="num_threads"):
        Tokenizer(num_threads=10**6)


def test_results_do_not_depend_on_the_thread_count():
    reference = outputs(None)
    for n in (1, 2, 4):
        assert same(outputs(n), reference), n


def test_config_round_trip():
    tok = Tokenizer(num_threads=2).fit(["a b"])
    assert tok.get_config()["num_threads"] == 2
    assert Tokenizer.from_dict(tok.to_dict()).num_threads == 2


@pytest.mark.parametrize("value", ["0", "abc", "-2", "1.5"])
def test_bad_environment_variable(monkeypatch, value):
    monkeypatch.setenv("IMDBFAST_NUM_THREADS", value)
    message = rf"IMDBFAST_NUM_THREADS must be an integer >= 1\. Received: IMDBFAST_NUM_THREADS='{value}'"
    tok = Tokenizer()
    with pytest.raises(ValueError, match=message):
        tok.fit(["a b"])
    with pytest.raises(ValueError, match=message):
        pad_sequences([[1, 2], [3]])
    with pytest.raises(ValueError, match=message):
        _native.imdb_read_tar("/nonexistent.tar.gz")
    with pytest.raises(ValueError, match=message):
        _native.glove_align(["a"], np.zeros((1, 2), np.float32), ["a"])
    # An explicit num_threads wins over the variable.
    Tokenizer(num_threads=2).fit(["a b"]).transform(["a"])


def test_environment_variable_is_honoured(monkeypatch):
    reference = outputs(None)
    for value in ("1", " 3 ", ""):
        monkeypatch.setenv("IMDBFAST_NUM_THREADS", value)
        assert same(outputs(None), reference), value


# Counts the threads of a fresh interpreter (Linux: /proc/self/task) around
# native calls.
THREAD_COUNT = textwrap.dedent(
    """
    import os, sys
    import numpy as np
    from imdbfast import Tokenizer, pad_sequences, _native

    def threads():
        return len(os.listdir("/proc/self/task"))

    corpus = [f"the cat {i} sat. A dog {i % 5}" for i in range(5000)]
    n = sys.argv[1]
    num_threads = None if n == "env" else int(n)
    before = threads()
    for config in ({}, {"output_mode": "tf_idf", "ngrams": 2},
                   {"vocab_order": "frequency_first_seen"}):
        tok = Tokenizer(**config, num_threads=num_threads)
        tok.fit(corpus)
        tok.fit(iter(corpus))
        tok.transform(corpus)
        tok.fit_counts(tok.count(corpus))
    print(threads() - before)
    # Calls outside a Tokenizer follow the environment variable.
    pad_sequences([[1, 2, 3]] * 100, maxlen=2)
    _native.glove_align(["a", "b"], np.ones((2, 3), np.float32), ["b", "a"])
    if n == "env":  # the readers too (a directory read builds its own pool)
        import pathlib
        root = pathlib.Path(sys.argv[2])  # written by write_small_data
        _native.imdb_read_dir(root)
        _native.glove_load(root / "glove.txt")
    print(threads() - before)
    """
)


def write_small_data(root) -> None:
    """A small aclImdb directory (20 reviews per class and split) and a
    5,000-word GloVe file, ``glove.txt``, under ``root``."""
    for split in ("train", "test"):
        for label in ("pos", "neg"):
            folder = root / "aclImdb" / split / label
            folder.mkdir(parents=True)
            for i in range(20):
                (folder / f"{i}_7.txt").write_text(f"review {i} of {split}")
    (root / "glove.txt").write_text("".join(f"w{i} 0.5 1.5\n" for i in range(5000)))


def spawned_threads(n: str, root, env: dict[str, str] | None = None) -> tuple[int, int]:
    """Threads started by a fresh interpreter's tokenizer calls, and by
    those plus padding, GloVe alignment and (for ``"env"``) the readers of
    :func:`write_small_data`'s files under ``root``."""
    result = subprocess.run(
        [sys.executable, "-c", THREAD_COUNT, n, str(root)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )
    assert result.returncode == 0, result.stderr
    tokenizer, total = result.stdout.strip().splitlines()[-2:]
    return int(tokenizer), int(total)


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="needs Linux /proc")
def test_one_thread_spawns_no_thread(tmp_path):
    write_small_data(tmp_path)
    assert spawned_threads("1", tmp_path)[0] == 0
    assert spawned_threads("env", tmp_path, {"IMDBFAST_NUM_THREADS": "1"}) == (0, 0)
    # A pool of 3 workers, built once and reused by every call (3 threads
    # allowed, whatever the number of cores).
    assert spawned_threads(
        "3", tmp_path, {"IMDBFAST_NUM_THREADS": "3", "IMDBFAST_MAX_THREADS": "3"}
    ) == (3, 3)


def test_inline_then_default_on_the_same_thread():
    """The calling thread, once it ran inline work, still gets the full
    pool (and the same results) for calls without a cap."""
    tok = Tokenizer(num_threads=1).fit(CORPUS)
    inline = tok.transform_ragged(CORPUS)
    wide = Tokenizer().fit(CORPUS).transform_ragged(CORPUS)
    assert same(inline, wide)


@pytest.mark.skipif(sys.platform != "linux", reason="fork start method")
def test_inline_pool_survives_fork():
    import multiprocessing

    Tokenizer(num_threads=1).fit(CORPUS)  # this thread is now its own pool
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(1) as pool:
        got = pool.apply_async(outputs, (1,)).get(timeout=120)
        got_wide = pool.apply_async(outputs, (2,)).get(timeout=120)
    reference = outputs(None)
    assert same(got, reference) and same(got_wide, reference)


LOADERS_INLINE = textwrap.dedent(
    """
    import os, pathlib, sys
    import numpy as np
    import imdbfast

    np.ones(3) @ np.ones(3)  # NumPy's BLAS starts its own threads once

    def threads():
        return len(os.listdir("/proc/self/task"))

    root = pathlib.Path(sys.argv[1])  # written by write_small_data
    before = threads()
    imdb = imdbfast.load_imdb(root, num_threads=1)
    glove = imdbfast.load_glove(root / "glove.txt", ["", "[UNK]", "w3"], num_threads=1)
    assert len(imdb.test.texts) == 40 and glove.matrix.shape == (3, 2)
    print(threads() - before)
    """
)


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="needs Linux /proc")
def test_loaders_take_num_threads(tmp_path):
    write_small_data(tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "IMDBFAST_NUM_THREADS"}
    result = subprocess.run(
        [sys.executable, "-c", LOADERS_INLINE, str(tmp_path)],
        capture_output=True, text=True, timeout=120, env=env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "0"


def test_loaders_refuse_bad_num_threads(tmp_path):
    import imdbfast

    with pytest.raises(ValueError, match=r"`num_threads` must be >= 1\. Received: num_threads=0"):
        imdbfast.load_imdb(tmp_path, num_threads=0)
    with pytest.raises(TypeError, match="`num_threads` must be an int >= 1 or None"):
        imdbfast.load_glove(tmp_path / "x.txt", num_threads="2")


def test_with_num_threads_shares_the_vocabulary():
    tok = Tokenizer(max_tokens=50, output_sequence_length=6).fit(CORPUS)
    one = tok.with_num_threads(1)
    assert one.num_threads == 1 and tok.num_threads is None
    assert one.get_vocabulary() == tok.get_vocabulary()
    assert np.array_equal(one.transform(CORPUS), tok.transform(CORPUS))
    assert tok.with_num_threads(None) is tok
    with pytest.raises(ValueError, match="num_threads"):
        tok.with_num_threads(0)
    with pytest.raises(TypeError, match="`num_threads` must be an int >= 1 or None"):
        tok.with_num_threads("2")
    # Refitting the copy leaves the original's vocabulary alone.
    one.fit(["zebra"])
    assert "zebra" not in tok.get_vocabulary()


# Threads alive in a fresh interpreter after native calls on many thread
# counts, once the pools dropped from the cache have let their threads go.
MANY_COUNTS = textwrap.dedent(
    """
    import json, os, sys, time
    from imdbfast import Tokenizer

    def threads():
        return len(os.listdir("/proc/self/task"))

    corpus = [f"the cat {i} sat" for i in range(500)]
    before = threads()
    if sys.argv[1] == "counts":
        for n in range(2, 61):
            Tokenizer(num_threads=n).fit(corpus).transform(corpus)
    else:  # a saved tokenizer that asks for 1,024 threads
        Tokenizer(num_threads=1).fit(corpus).save(sys.argv[2])
        with open(sys.argv[2]) as f:
            data = json.load(f)
        data["config"]["num_threads"] = 1024
        with open(sys.argv[2], "w") as f:
            json.dump(data, f)
        Tokenizer.load(sys.argv[2]).transform(corpus)
    for _ in range(100):  # threads of a dropped pool end soon after
        if threads() - before <= int(sys.argv[3]):
            break
        time.sleep(0.05)
    print(threads() - before)
    """
)


def many_counts_threads(case: str, tmp_path, cap: str | None, bound: int) -> int:
    env = {k: v for k, v in os.environ.items()
           if k not in ("IMDBFAST_NUM_THREADS", "IMDBFAST_MAX_THREADS")}
    if cap is not None:
        env["IMDBFAST_MAX_THREADS"] = cap
    result = subprocess.run(
        [sys.executable, "-c", MANY_COUNTS, case, str(tmp_path / "tok.json"), str(bound)],
        capture_output=True, check=False, text=True, timeout=300, env=env,
    )
    assert result.returncode == 0, result.stderr
    return int(result.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="needs Linux /proc")
def test_pools_stay_bounded_whatever_counts_are_asked(tmp_path):
    """59 distinct counts used to keep 59 pools (1,829 idle threads); a few
    pools of at most the cap are kept now."""
    bound = 4 * 8  # MAX_POOLS (rust/py/fork.rs) pools of at most 8 threads
    assert many_counts_threads("counts", tmp_path, "8", bound) <= bound


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="needs Linux /proc")
def test_a_loaded_file_cannot_ask_for_more_threads_than_the_cores(tmp_path):
    cores = len(os.sched_getaffinity(0))
    assert many_counts_threads("file", tmp_path, None, cores) <= cores


def test_bad_max_threads_variable(monkeypatch):
    monkeypatch.setenv("IMDBFAST_MAX_THREADS", "0")
    with pytest.raises(ValueError, match="IMDBFAST_MAX_THREADS must be an integer >= 1"):
        Tokenizer(num_threads=2).fit(["a b"])
