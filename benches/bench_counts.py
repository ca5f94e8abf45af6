"""Streaming and mergeable fits on the full aclImdb: ``fit`` over a
generator, ``count`` of parts + ``TokenCounts.merge`` + ``fit_counts``,
beside the one-shot ``fit`` of a list, and the peak memory of ``fit`` over a
generator of the 50k reviews read lazily from the tar.gz.

    IMDBFAST_TEST_DATA=/work/shared/data python -m pytest benches/bench_counts.py \
        --benchmark-enable --benchmark-json=/tmp/bench_counts.json -s
    python benches/report.py /tmp/bench_counts.json

Group "fit-25k" (TextVectorization defaults, max_tokens=20000): list fit vs
generator fit vs 5 counted parts merged. The memory test prints the peak RSS
growth and checks it against one chunk + the counts + 100 MB, for words and
for bigrams.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import imdbfast
from imdbfast.tokenizer import TokenCounts

sys.path.insert(0, str(Path(__file__).parent))
from bench_tokenizer import TAR, load_texts  # noqa: E402


@pytest.fixture(scope="module")
def train():
    if not TAR.exists():
        pytest.skip(f"real data not found at {TAR}")
    return load_texts()[0]


def fit_list(train):
    return imdbfast.Tokenizer(max_tokens=20000).fit(train)


def fit_generator(train):
    return imdbfast.Tokenizer(max_tokens=20000).fit(t for t in train)


def fit_merged_parts(train, parts=5):
    tok = imdbfast.Tokenizer(max_tokens=20000)
    step = -(-len(train) // parts)
    counts = [tok.count(train[i : i + step]) for i in range(0, len(train), step)]
    return tok.fit_counts(TokenCounts.merge(counts))


@pytest.mark.benchmark(group="fit-25k")
def test_fit_list(benchmark, train):
    benchmark.pedantic(fit_list, args=(train,), rounds=10, iterations=1, warmup_rounds=1)


@pytest.mark.benchmark(group="fit-25k")
def test_fit_generator(benchmark, train):
    tok = benchmark.pedantic(fit_generator, args=(train,), rounds=10, iterations=1, warmup_rounds=1)
    assert tok.get_vocabulary() == fit_list(train).get_vocabulary()


@pytest.mark.benchmark(group="fit-25k")
def test_fit_merged_parts(benchmark, train):
    tok = benchmark.pedantic(fit_merged_parts, args=(train,), rounds=10, iterations=1, warmup_rounds=1)
    assert tok.get_vocabulary() == fit_list(train).get_vocabulary()


_MEMORY_SCRIPT = """
import gc, json, pickle, re, sys, tarfile
import imdbfast
from imdbfast.tokenizer import FIT_CHUNK
MEMBER = re.compile(r"^aclImdb/(train|test)/(pos|neg)/\\d+_\\d+\\.txt$")
def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) * 1024
sizes = []
def reviews(path):
    # The 50k reviews, read one by one from the tar.gz: never all in memory.
    with tarfile.open(path, "r:gz") as tar:
        for m in tar:
            if MEMBER.match(m.name) and m.isfile():
                text = tar.extractfile(m).read().decode("utf-8")
                sizes.append(sys.getsizeof(text))
                yield text
config = dict(max_tokens=None if sys.argv[2] == "all" else 20000)
if sys.argv[3] == "bigrams":
    config.update(ngrams=2, output_mode="tf_idf")
imdbfast.Tokenizer(**config).fit(["warm up the pool"] * 1000)
gc.collect()
open("/proc/self/clear_refs", "w").write("5")  # reset the peak-RSS mark
before = status("VmRSS:")
tok = imdbfast.Tokenizer(**config).fit(reviews(sys.argv[1]))
peak = status("VmHWM:")
chunk = max(sum(sizes[i : i + FIT_CHUNK]) for i in range(0, len(sizes), FIT_CHUNK))
counts = tok.count(reviews(sys.argv[1]))
print(json.dumps({"texts": len(sizes) // 2, "text_bytes": sum(sizes) // 2,
                  "chunk_bytes": chunk, "counts_bytes": counts.nbytes,
                  "counts_pickle_bytes": len(pickle.dumps(counts)),
                  "distinct": len(counts), "rss_before": before, "rss_peak": peak,
                  "growth": peak - before}))
"""


@pytest.mark.parametrize("config", ["words", "bigrams"])
def test_peak_memory_of_a_streamed_fit(config):
    """Peak RSS growth while fitting on a generator of the 50k reviews must
    stay under one chunk + the counts + 100 MB."""
    if not TAR.exists():
        pytest.skip(f"real data not found at {TAR}")
    res = subprocess.run(
        [sys.executable, "-c", _MEMORY_SCRIPT, str(TAR), "20000", config],
        capture_output=True, text=True, check=True,
    )
    stats = json.loads(res.stdout.strip().splitlines()[-1])
    print(f"\nmemory ({config}):", {k: (f"{v / 2**20:.1f} MiB" if "bytes" in k or "rss" in k or k == "growth" else v) for k, v in stats.items()})
    assert stats["texts"] == 50_000
    limit = stats["chunk_bytes"] + stats["counts_bytes"] + 100 * 2**20
    assert stats["growth"] <= limit
