"""Tokenizer speed on the full aclImdb: fit on the 25k train reviews, encode all
50k to (50000, L) int32, imdbfast beside its peers in the same run.

    IMDBFAST_TEST_DATA=/work/shared/data python -m pytest benches/bench_tokenizer.py \
        --benchmark-enable --benchmark-json=/tmp/bench_tokenizer.json
    python benches/report.py /tmp/bench_tokenizer.json

Groups: "tokenizer-keras" (TextVectorization defaults, max_tokens=20000, L=600:
imdbfast vs TextVectorization adapt+call vs HF tokenizers WordLevel train +
encode_batch + NumPy) and "tokenizer-seed004" (seed 004's pipeline, L=256:
imdbfast's preset vs the plain-Python regex + Counter pipeline).

Threads: every peer runs on THREADS (2) threads, set explicitly: imdbfast's
``num_threads`` and TensorFlow's intra- and inter-op pools.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tarfile
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

import imdbfast
from imdbfast.stopwords import ENGLISH

DATA = Path(os.environ.get("IMDBFAST_TEST_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
TAR = DATA / "aclImdb_v1_labeled.tar.gz"
MEMBER = re.compile(r"^aclImdb/(train|test)/(pos|neg)/\d+_\d+\.txt$")
THREADS = 2


def load_texts() -> tuple[list[str], list[str]]:
    """(train texts, all 50k texts) in the fixtures' order (class, file name)."""
    rows: dict[str, list[tuple[str, str, str]]] = {"train": [], "test": []}
    with tarfile.open(TAR, "r:gz") as tar:
        for m in tar:
            hit = MEMBER.match(m.name)
            if hit and m.isfile():
                f = tar.extractfile(m)
                assert f is not None
                rows[hit.group(1)].append((hit.group(2), m.name, f.read().decode("utf-8")))
    train = [t for _, _, t in sorted(rows["train"])]
    test = [t for _, _, t in sorted(rows["test"])]
    return train, train + test


@pytest.fixture(scope="module")
def texts():
    if not TAR.exists():
        pytest.skip(f"real data not found at {TAR}")
    return load_texts()


def run_imdbfast(train, all_texts, max_tokens=20000, length=600):
    tok = imdbfast.Tokenizer(
        max_tokens=max_tokens, output_sequence_length=length, num_threads=THREADS
    ).fit(train)
    return tok.transform(all_texts)


def tensorflow_on_threads():
    """TensorFlow with its intra- and inter-op pools at THREADS threads (set
    before its runtime starts; an error if it already started with others)."""
    import tensorflow as tf

    threading = tf.config.threading
    try:
        threading.set_intra_op_parallelism_threads(THREADS)
        threading.set_inter_op_parallelism_threads(THREADS)
    except RuntimeError:  # the runtime is up: keep it only if it has THREADS
        got = (
            threading.get_intra_op_parallelism_threads(),
            threading.get_inter_op_parallelism_threads(),
        )
        if got != (THREADS, THREADS):
            raise
    return tf


def run_text_vectorization(train, all_texts, max_tokens=20000, length=600):
    tf = tensorflow_on_threads()
    from keras.layers import TextVectorization

    layer = TextVectorization(max_tokens=max_tokens, output_sequence_length=length)
    layer.adapt(tf.constant(train))
    return np.concatenate(
        [np.asarray(layer(tf.constant(all_texts[i : i + 10000]))) for i in range(0, len(all_texts), 10000)]
    ).astype(np.int32)


def run_hf_wordlevel(train, all_texts, max_tokens=20000, length=600):
    from tokenizers import Regex
    from tokenizers import Tokenizer as HFTokenizer
    from tokenizers import models, normalizers, pre_tokenizers, trainers

    hf = HFTokenizer(models.WordLevel(unk_token="[UNK]"))
    hf.normalizer = normalizers.Sequence(
        [normalizers.Lowercase(), normalizers.Replace(Regex(r"[!\"#$%&()*+,\-./:;<=>?@\[\\\]^_`{|}~']"), "")]
    )
    hf.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    trainer = trainers.WordLevelTrainer(vocab_size=max_tokens, special_tokens=["[PAD]", "[UNK]"])
    hf.train_from_iterator(train, trainer)
    hf.enable_truncation(length)
    hf.enable_padding(length=length, pad_id=0)
    return np.array([e.ids for e in hf.encode_batch(all_texts)], dtype=np.int32)


_WORD = re.compile(r"\b\w+\b")
_STOP = set(ENGLISH)


def run_python_seed004(train, all_texts, maxlen=256, min_freq=5):
    """Seed 004's build_vocab + tokenize: stopwords are kept out of the
    vocabulary only, so in the texts they are looked up and become <unk>."""

    def tokens(text):
        return _WORD.findall(text.lower())

    counts: Counter[str] = Counter()
    for t in train:
        counts.update(w for w in tokens(t) if w not in _STOP)
    vocab = ["<pad>", "<unk>"] + sorted(w for w, c in counts.items() if c >= min_freq)
    index = {w: i for i, w in enumerate(vocab)}
    out = np.zeros((len(all_texts), maxlen), dtype=np.int32)
    for row, t in enumerate(all_texts):
        seq = [index.get(w, 1) for w in tokens(t)][:maxlen]
        out[row, : len(seq)] = seq
    return out


def run_imdbfast_seed004(train, all_texts):
    return imdbfast.Tokenizer.from_preset("seed004").fit(train).transform(all_texts)


@pytest.mark.benchmark(group="tokenizer-keras")
def test_imdbfast(benchmark, texts):
    out = benchmark.pedantic(run_imdbfast, args=texts, rounds=15, iterations=1, warmup_rounds=1)
    assert out.shape == (50000, 600)


@pytest.mark.benchmark(group="tokenizer-keras")
def test_text_vectorization(benchmark, texts):
    pytest.importorskip("keras")
    out = benchmark.pedantic(run_text_vectorization, args=texts, rounds=3, iterations=1)
    np.testing.assert_array_equal(out, run_imdbfast(*texts))


@pytest.mark.benchmark(group="tokenizer-keras")
def test_hf_tokenizers_wordlevel(benchmark, texts):
    pytest.importorskip("tokenizers")
    out = benchmark.pedantic(run_hf_wordlevel, args=texts, rounds=2, iterations=1)
    assert out.shape == (50000, 600)


@pytest.mark.benchmark(group="tokenizer-seed004")
def test_imdbfast_seed004(benchmark, texts):
    out = benchmark.pedantic(run_imdbfast_seed004, args=texts, rounds=15, iterations=1, warmup_rounds=1)
    assert out.shape == (50000, 256)


@pytest.mark.benchmark(group="tokenizer-seed004")
def test_python_seed004(benchmark, texts):
    out = benchmark.pedantic(run_python_seed004, args=texts, rounds=3, iterations=1)
    np.testing.assert_array_equal(out, run_imdbfast_seed004(*texts))


_MEMORY_SCRIPT = """
import gc, json, sys
sys.path.insert(0, sys.argv[1])
from bench_tokenizer import load_texts, run_imdbfast
def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) * 1024
train, all_texts = load_texts()
gc.collect()
input_bytes = sum(len(t.encode("utf-8")) for t in all_texts)
open("/proc/self/clear_refs", "w").write("5")  # reset the peak-RSS mark
before = status("VmRSS:")
out = run_imdbfast(train, all_texts)
peak = status("VmHWM:")
print(json.dumps({"input_bytes": input_bytes, "output_bytes": out.nbytes,
                  "rss_before": before, "rss_peak": peak, "extra": peak - before - out.nbytes}))
"""


def test_peak_memory_while_encoding(texts):
    """Peak RSS growth while fitting + encoding 50k x 600, beyond the input
    already in memory, minus the output array: must stay under 100 MB."""
    import json

    res = subprocess.run(
        [sys.executable, "-c", _MEMORY_SCRIPT, str(Path(__file__).parent)],
        capture_output=True, text=True, check=True,
    )
    stats = json.loads(res.stdout.strip().splitlines()[-1])
    print("\nmemory:", {k: f"{v / 2**20:.1f} MiB" for k, v in stats.items()})
    assert stats["extra"] < 100 * 2**20
