"""What fails must leave no trace, and what runs at once must add up.

A ``fit``, ``partial_fit`` or ``set_vocabulary`` that raises leaves the
tokenizer exactly as it was (``partial_fit``'s running counts included);
from several threads, learning calls run one at a time (their counts add
up) and a transform sees one fit's vocabulary and weights, never a mix;
Arrow texts in a buffer that Python can still write are read as they were
when handed over, never as bytes changed after their UTF-8 check.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from imdbfast import Tokenizer
from imdbfast.tokenizer import FIT_CHUNK

WORDS = ["great", "dull", "fun", "plot", "film", "acting", "thin", "end", "café"]


def _texts(seed: int, n: int) -> list[str]:
    rng = np.random.default_rng(seed)
    return [" ".join(rng.choice(WORDS, size=rng.integers(1, 8))) for _ in range(n)]


A = _texts(0, 300)
C = _texts(1, 200) + ["only in c", "c words c"]
# A stream's first chunk holds words that neither A nor C has.
FAILED = [f"failed{i % 50} stream" for i in range(10_000)]


def _failing_stream(texts: list[str], after: int) -> Iterator[str]:
    """``texts``, then an error after ``after`` of them (a file that cannot
    be read further, a dropped connection)."""
    for i, text in enumerate(texts):
        if i == after:
            raise OSError("the stream broke")
        yield text


def _state(tok: Tokenizer) -> Any:
    """Everything a tokenizer holds and gives, partial_fit's counts too."""
    out = tok.transform(A[:20] + C[:20])
    rows = [np.asarray(r).tolist() for r in out]
    return tok.to_dict(), rows, _counts(tok._counts)


def _counts(counts: Any) -> Any:
    """What counts know of the corpus' tokens, bigrams and the failed
    stream's words."""
    if counts is None:
        return None
    words = [*WORDS, "only", "c", "in", "words", "failed0", "stream"]
    keys = words + [f"{a} {b}" for a in words for b in words]
    return counts.documents, [(counts.count(k), counts.document_count(k)) for k in keys]


@pytest.mark.parametrize(
    "options", [{}, {"ngrams": (1, 2)}, {"output_mode": "tf_idf", "ngrams": 2}]
)
def test_a_failed_partial_fit_stream_adds_nothing(options):
    """Reproducer: partial_fit(a), a partial_fit of a stream that raises
    after 9,000 texts, then partial_fit(c) learned the failed stream's
    first chunk; it must be fit(a + c)."""
    tok = Tokenizer(**options).partial_fit(A)
    before = _state(tok)
    with pytest.raises(OSError, match="the stream broke"):
        tok.partial_fit(_failing_stream(FAILED, after=9000))
    assert _state(tok) == before
    tok.partial_fit(C)
    expected = Tokenizer(**options).fit(A + C)
    assert tok.get_vocabulary() == expected.get_vocabulary()
    assert _state(tok)[:2] == _state(expected)[:2]
    counts = Tokenizer(**options).count(A + C)
    assert _state(tok)[2] == _counts(counts)
    assert not any(w.startswith("failed") for w in tok.get_vocabulary())


@pytest.mark.parametrize("bad", [["fine", 3], "stream"])
def test_a_failed_fit_keeps_the_partial_fit_state(bad):
    """Reproducer: after partial_fit(a), a fit() that fails on a bad item
    showed a's vocabulary, but the next partial_fit started from nothing."""
    tok = Tokenizer().partial_fit(A)
    before = _state(tok)
    texts = bad if bad != "stream" else iter([*FAILED[: FIT_CHUNK + 5], None])
    with pytest.raises(TypeError, match="item"):
        tok.fit(texts)
    assert _state(tok) == before
    tok.partial_fit(C)
    assert tok.get_vocabulary() == Tokenizer().fit(A + C).get_vocabulary()


def test_a_failed_fit_keeps_the_fitted_state():
    tok = Tokenizer(output_mode="tf_idf", ngrams=2).fit(A)
    before = _state(tok)
    with pytest.raises(OSError):
        tok.fit(_failing_stream(FAILED, after=9000))
    with pytest.raises(TypeError):
        tok.fit(["fine", b"bytes"])
    with pytest.raises(TypeError):
        tok.fit_counts("not counts")
    with pytest.raises(ValueError, match="other tokenization settings"):
        tok.fit_counts(Tokenizer(standardize=None).count(C))
    assert _state(tok) == before


def test_a_failed_set_vocabulary_keeps_the_state():
    """Reproducer: a set_vocabulary whose idf weights were refused had
    already installed its vocabulary, without weights."""
    tok = Tokenizer(output_mode="tf_idf").fit(A)
    before = _state(tok)
    with pytest.raises(ValueError, match="same length as the vocabulary"):
        tok.set_vocabulary(["x", "y"], idf_weights=[1.0])
    assert _state(tok) == before
    with pytest.raises(ValueError, match="more than once"):
        tok.set_vocabulary(["x", "x"], idf_weights=[1.0, 2.0])
    assert _state(tok) == before


def test_a_failed_callable_leaves_no_trace():
    calls = []

    def standardize(text: str) -> str:
        calls.append(text)
        if len(calls) > 250:
            raise RuntimeError("standardize broke")
        return text.lower()

    tok = Tokenizer(standardize=standardize).partial_fit(A[:200])
    before = _state(tok)  # 40 more calls
    with pytest.raises(RuntimeError, match="standardize broke"):
        tok.partial_fit(C)
    calls.clear()
    assert _state(tok) == before


# ---------------------------------------------------------------- threads


def _run(threads: int, target: Any) -> list[BaseException]:
    """Run ``target(i)`` on ``threads`` threads started together; the
    exceptions they raised."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(threads)

    def run(i: int) -> None:
        barrier.wait()
        try:
            target(i)
        except BaseException as e:  # noqa: BLE001 - reported by the test
            errors.append(e)

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    return errors


def test_partial_fit_from_four_threads_adds_all_counts():
    """Reproducer: partial_fit from 4 threads kept one thread's counts (and
    some runs raised `RuntimeError: Already borrowed`)."""
    parts = [_texts(10 + i, 20_000) + [f"thread{i} only"] for i in range(4)]
    everything = [t for part in parts for t in part]
    expected = Tokenizer().fit(everything).get_vocabulary()
    for _ in range(3):
        tok = Tokenizer(num_threads=2)
        assert _run(4, lambda i, tok=tok: tok.partial_fit(parts[i])) == []
        assert tok.get_vocabulary() == expected
        # The running counts are those of all the texts (in some order).
        assert _counts(tok._counts)[0] == len(everything)
        assert all(tok._counts.count(f"thread{i}") == 1 for i in range(4))


def test_transforms_never_see_a_half_fitted_state():
    """Reproducer: a tf_idf transform while another thread fits raised
    spurious `idf_weights must be set` errors. Every transform must give
    the output of one fit or the other."""
    corpora = [_texts(20, 30_000), _texts(21, 30_000) + ["new words here"] * 50]
    probe = C[:50]
    tok = Tokenizer(output_mode="tf_idf", ngrams=2, max_tokens=30)
    expected = [tok.fit(corpus).transform(probe) for corpus in corpora]
    stop = threading.Event()
    seen: list[np.ndarray] = []

    def work(i: int) -> None:
        if i == 0:
            try:
                for k in range(6):
                    tok.fit(corpora[k % 2])
            finally:
                stop.set()
        else:
            while not stop.is_set():
                seen.append(tok.transform(probe))

    assert _run(3, work) == []
    assert seen
    for out in seen:
        assert any(np.array_equal(out, e) for e in expected)


def test_set_vocabulary_from_threads_installs_whole_pairs():
    pairs = []
    for seed in range(3):
        fitted = Tokenizer(output_mode="tf_idf").fit(_texts(seed, 100 + seed))
        pairs.append((fitted.get_vocabulary(), fitted.to_dict()["idf_weights"]))
    tok = Tokenizer(output_mode="tf_idf").set_vocabulary(*pairs[0])
    expected = [
        Tokenizer(output_mode="tf_idf", vocabulary=v, idf_weights=w).transform(C)
        for v, w in pairs
    ]
    stop = threading.Event()
    seen: list[np.ndarray] = []

    def work(i: int) -> None:
        if i < 2:
            for k in range(300):
                tok.set_vocabulary(*pairs[(k + i) % 3])
            return
        while not stop.is_set():
            seen.append(tok.transform(C))

    def both(i: int) -> None:
        try:
            work(i)
        finally:
            if i == 0:
                stop.set()

    assert _run(3, both) == []
    for out in seen:
        assert any(np.array_equal(out, e) for e in expected)


#: The tokenizer a forked child finds (inherited, not pickled to it).
_INHERITED: dict[str, Tokenizer] = {}


def _partial_fit_in_child() -> list[str]:
    return _INHERITED["tok"].partial_fit(C).get_vocabulary()


@pytest.mark.parametrize("pickled", [False, True])
def test_a_fork_during_a_fit_does_not_inherit_its_lock(pickled):
    """A child forked while another thread of the parent fits (holds the
    lock) gets a free lock: its own fits do not wait forever."""
    import multiprocessing
    import pickle

    tok = Tokenizer().partial_fit(A)
    if pickled:
        tok = pickle.loads(pickle.dumps(tok))
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with tok._lock:  # what a running fit holds
            held.set()
            release.wait(60)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(60)
    _INHERITED["tok"] = tok
    try:
        with multiprocessing.get_context("fork").Pool(1) as pool:
            got = pool.apply_async(_partial_fit_in_child).get(timeout=30)
    finally:
        release.set()
        holder.join()
        _INHERITED.clear()
    # Pickling keeps no partial_fit counts: the child starts from C alone.
    assert got == Tokenizer().fit(C if pickled else A + C).get_vocabulary()


# ------------------------------------------------------------------ Arrow


def test_arrow_bytes_written_after_the_check_never_reach_the_tokenizer():
    """Reproducer: Arrow texts in a writable buffer were read after their
    UTF-8 check with the GIL released, so a concurrent writer could hand
    the Rust core bytes that were never valid text (tokens of 0xFF bytes in
    the vocabulary). A writer that makes the bytes invalid for an instant,
    while a fit runs, must leave each fit refused whole or right."""
    pa = pytest.importorskip("pyarrow")
    text = "éé " * 20
    n = 20_000
    raw = bytearray(text.encode() * n)
    offsets = np.arange(n + 1, dtype=np.int32) * len(text.encode())
    array = pa.Array.from_buffers(
        pa.string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(raw)]
    )
    leads = np.frombuffer(raw, dtype=np.uint8)[0::2]  # writes through to raw
    original = leads.copy()
    stop, writing = threading.Event(), threading.Lock()

    def write() -> None:
        while not stop.is_set():
            time.sleep(0.001)
            with writing:  # invalid for an instant, then the text again
                leads[:] = 0xFF  # not UTF-8
                leads[:] = original

    writer = threading.Thread(target=write)
    writer.start()
    outcomes = []
    try:
        tok = Tokenizer(num_threads=2)
        for _ in range(60):
            with writing:
                pass  # the text is valid now; the writer wakes during the fit
            try:
                tok.fit(array)
            except ValueError as e:  # invalid when read: refused whole
                assert "not UTF-8" in str(e)
                outcomes.append("refused")
                continue
            outcomes.append(tok.get_vocabulary())
    finally:
        stop.set()
        writer.join()
    assert [o for o in outcomes if o != "refused"], "no fit ran"
    for outcome in outcomes:
        assert outcome in ("refused", ["", "[UNK]", "éé"])
