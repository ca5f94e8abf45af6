"""``imdbfast.dask`` on a 10x replicated aclImdb (500,000 reviews in Parquet
shards): throughput of the distributed fit + encode with 1 and 2 worker
processes, the scaling ratio, the peak memory of each worker, against
single-process imdbfast and against the same Dask job with
``keras.layers.TextVectorization`` encoding in the workers.

The job: read the ``text`` column of the shards, fit
``Tokenizer(max_tokens=20000, output_sequence_length=600)`` on all of it
(partition counts merged in a tree, ``fit_counts`` in the client), then
encode every review to 600 int32 ids, each partition reduced on its worker
to a checksum (the sum of its ids and its row count), so that what is timed
is reading, tokenizing and encoding, not shipping 1.2 GB of ids to the client.
Every variant's checksum is compared with the single-process one.

- ``single process``: ``pyarrow.parquet.read_table`` + ``fit`` +
  ``transform`` of the whole column in this process, on all cores.
- ``dask, N workers``: a fresh ``LocalCluster(n_workers=N,
  threads_per_worker=1, processes=True)`` per N (started before the clock;
  its start time is reported apart) and warmed up with the job on one shard
  (imports on the workers); each worker's Rust pool is capped to its one
  core by ``imdbfast.dask``.
- ``TextVectorization in the workers``: TextVectorization cannot merge adapt
  states across workers, so its vocabulary is set from the imdbfast
  vocabulary (the same ids, checked), and only the encoding is done by
  ``TextVectorization(max_tokens=20000, output_sequence_length=600,
  vocabulary=...)`` in each worker (TensorFlow limited to one intra-op and
  one inter-op thread per worker); timed on ``--tv-reviews`` reviews (a
  whole number of shards), reported per review.

Peak memory: each worker's ``VmHWM`` (peak RSS over its life; a fresh
cluster per variant), beside its RSS once warmed up; for the single process,
this process's ``VmHWM`` (which holds the whole column and the 1.2 GB of ids).
The 2-worker job also runs once on half the shards, in a fresh cluster: a
worker's peak should not follow the corpus size. ``--memory-only`` measures
the fit (``split_every`` 4 and 8) and the encoding apart, 2 workers each.

``--scaling-only`` measures the 1 -> 2 worker ratio alone, back to back:
a 1-worker and a 2-worker cluster are started and warmed up once, then the
job runs ``--rounds`` times on each in turn (1 worker, 2 workers, 1, 2, ...),
each pair's ratios printed with the load average, and the median ratio of
the pairs at the end (on a shared machine the pairs show how much the load
moved the ratio).

Usage (from the repository root; the shards are written once into
``--cache``, outside the repository)::

    python benches/bench_dask.py --data ../shared/data/aclImdb_v1_labeled.tar.gz
    python benches/bench_dask.py --data ... --repeats 3 --tv-reviews 100000 --json out.json
    python benches/bench_dask.py --data ... --memory-only
    python benches/bench_dask.py --data ... --scaling-only --rounds 5
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

MAX_TOKENS = 20_000
LENGTH = 600


def tokenizer() -> Any:
    import imdbfast

    return imdbfast.Tokenizer(max_tokens=MAX_TOKENS, output_sequence_length=LENGTH)


def write_shards(data: str, cache: Path, replicas: int, shard_rows: int) -> Path:
    """The aclImdb reviews (train then test) ``replicas`` times, in Parquet
    shards of ``shard_rows`` reviews; written once."""
    import imdbfast
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = cache / f"aclImdb-x{replicas}-{shard_rows}"
    done = folder / "_done"
    if done.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    imdb = imdbfast.load_imdb(data, validation_split=0)
    texts = imdb.train.texts + imdb.test.texts
    corpus = texts * replicas
    for i, start in enumerate(range(0, len(corpus), shard_rows)):
        table = pa.table({"text": pa.array(corpus[start : start + shard_rows], pa.large_string())})
        pq.write_table(table, folder / f"part-{i:04d}.parquet")
    done.write_text(str(len(corpus)))
    return folder


def shard_files(folder: Path) -> list[str]:
    return sorted(str(p) for p in folder.glob("part-*.parquet"))


def rss_mib() -> dict[str, float]:
    """This process's current and peak RSS (``VmRSS``, ``VmHWM``), MiB,
    and the CPU seconds it has used (user + system).

    Not ``ru_maxrss``: Linux carries it over ``fork`` and ``exec``, so a
    spawned worker would report its parent's peak.
    """
    fields = {}
    with open("/proc/self/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = int(value.split()[0]) / 1024
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "rss": fields["VmRSS"],
        "peak": fields["VmHWM"],
        "cpu_s": usage.ru_utime + usage.ru_stime,
    }


def checksum_block(block: np.ndarray) -> np.ndarray:
    """(sum of the ids, rows) of one encoded partition."""
    return np.array([[int(block.sum(dtype=np.int64)), block.shape[0]]], dtype=np.int64)


def single_process(files: list[str]) -> tuple[list[str], tuple[int, int], dict[str, float]]:
    """Read + fit + encode in this process; returns the vocabulary, the
    checksum and the seconds of each phase (reading is part of the fit)."""
    import pyarrow.parquet as pq

    start = time.perf_counter()
    column = pq.ParquetDataset(files).read(columns=["text"]).column("text")
    tok = tokenizer().fit(column)
    fitted = time.perf_counter()
    ids = tok.transform(column)
    checksum = (int(ids.sum(dtype=np.int64)), ids.shape[0])
    phases = {"fit": fitted - start, "encode": time.perf_counter() - fitted}
    return tok.get_vocabulary(), checksum, phases


def dask_job(files: list[str]) -> tuple[list[str], tuple[int, int], dict[str, float]]:
    """The same on the cluster: each phase reads the shards on the workers."""
    import dask.dataframe as dd
    import imdbfast.dask

    start = time.perf_counter()
    texts = dd.read_parquet(files, columns=["text"])["text"]
    tok = imdbfast.dask.fit(tokenizer(), texts)
    fitted = time.perf_counter()
    ids = imdbfast.dask.transform(tok, texts)
    sums = ids.map_blocks(checksum_block, chunks=(1, 2), dtype=np.int64).compute()
    total, rows = sums.sum(axis=0)
    phases = {"fit": fitted - start, "encode": time.perf_counter() - fitted}
    return tok.get_vocabulary(), (int(total), int(rows)), phases


def tv_encode(texts: Any, vocabulary: list[str]) -> np.ndarray:
    """A partition through TextVectorization (one layer per worker)."""
    from distributed import get_worker

    worker = get_worker()
    layer = getattr(worker, "_bench_text_vectorization", None)
    if layer is None:
        import keras

        layer = keras.layers.TextVectorization(
            max_tokens=MAX_TOKENS, output_sequence_length=LENGTH, vocabulary=vocabulary
        )
        worker._bench_text_vectorization = layer
    ids = np.asarray(layer(np.asarray(texts.tolist(), dtype=object)))
    return checksum_block(ids)


def tv_job(
    files: list[str], vocabulary: list[str]
) -> tuple[tuple[int, int], dict[str, float]]:
    import dask
    import dask.array as da
    import dask.dataframe as dd

    texts = dd.read_parquet(files, columns=["text"])["text"]
    vocab = dask.delayed(vocabulary, name="bench-vocabulary")
    blocks = [
        da.from_delayed(dask.delayed(tv_encode)(part, vocab), shape=(1, 2), dtype=np.int64)
        for part in texts.to_delayed()
    ]
    start = time.perf_counter()
    total, rows = da.concatenate(blocks).compute().sum(axis=0)
    return (int(total), int(rows)), {"encode": time.perf_counter() - start}


def timed(fn: Any, repeats: int) -> tuple[dict[str, list[float]], Any]:
    """Runs ``fn`` ``repeats`` times; the seconds of each run (``"total"``)
    and of the phases ``fn`` reports as the last item of what it returns."""
    times: dict[str, list[float]] = {"total": []}
    out = None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        times["total"].append(time.perf_counter() - start)
        for phase, seconds in out[-1].items():
            times.setdefault(phase, []).append(seconds)
    return times, out


def memory_by_phase(files: list[str]) -> dict[str, list[float]]:
    """Peak RSS of each worker (2 workers, a fresh cluster each) for the fit
    alone with ``split_every`` 4 and 8, and for the encoding alone."""
    import dask.dataframe as dd
    import imdbfast.dask

    peaks = {}
    for name in ("fit, split_every=4", "fit, split_every=8", "encode"):
        local, client, _ = cluster(2)
        try:
            dask_job(files[:1])  # warm-up, as for the timed runs
            texts = dd.read_parquet(files, columns=["text"])["text"]
            if name.startswith("fit"):
                imdbfast.dask.fit(tokenizer(), texts, split_every=int(name[-1]))
            else:
                tok = tokenizer().fit(texts.partitions[0].compute())
                ids = imdbfast.dask.transform(tok, texts)
                ids.map_blocks(checksum_block, chunks=(1, 2), dtype=np.int64).compute()
            peaks[name] = [v["peak"] for v in client.run(rss_mib).values()]
        finally:
            client.close()
            local.close()
        print("peak RSS per worker,", name, peaks[name], flush=True)
    return peaks


def scaling(files: list[str], rounds: int) -> dict[str, Any]:
    """The job on a warm 1-worker and a warm 2-worker cluster in turn,
    ``rounds`` times; each pair's times, ratios and load average."""
    from distributed import Client

    clusters = {}
    for workers in (1, 2):
        local, client, _ = cluster(workers)
        dask_job(files[:1])  # warm-up: imports on the workers, untimed
        client.close()
        clusters[workers] = local
    pairs = []
    reference = None
    try:
        for _ in range(rounds):
            pair: dict[str, Any] = {"load_average": os.getloadavg()[0]}
            for workers, local in clusters.items():
                with Client(local):
                    start = time.perf_counter()
                    vocab, checksum, phases = dask_job(files)
                    phases["total"] = time.perf_counter() - start
                if reference is None:
                    reference = (vocab, checksum)
                assert (vocab, checksum) == reference, "the runs disagree"
                pair[f"{workers} worker(s)"] = phases
            one, two = pair["1 worker(s)"], pair["2 worker(s)"]
            pair["ratio"] = {phase: one[phase] / two[phase] for phase in one}
            print(
                f"load {pair['load_average']:.2f}: 1 worker {one['total']:.2f} s "
                f"(fit {one['fit']:.2f}, encode {one['encode']:.2f}), 2 workers "
                f"{two['total']:.2f} s (fit {two['fit']:.2f}, encode {two['encode']:.2f}): "
                f"{pair['ratio']['total']:.2f}x (fit {pair['ratio']['fit']:.2f}x, "
                f"encode {pair['ratio']['encode']:.2f}x)",
                flush=True,
            )
            pairs.append(pair)
    finally:
        for local in clusters.values():
            local.close()
    medians = {
        phase: statistics.median(p["ratio"][phase] for p in pairs)
        for phase in ("total", "fit", "encode")
    }
    print(
        f"scaling 1 -> 2 workers, median of {rounds} back-to-back pairs: "
        f"total {medians['total']:.2f}x, fit {medians['fit']:.2f}x, "
        f"encode {medians['encode']:.2f}x"
    )
    return {"pairs": pairs, "median_ratio": medians}


def cluster(n_workers: int, env: dict[str, str] | None = None) -> tuple[Any, Any, float]:
    from distributed import Client, LocalCluster

    start = time.perf_counter()
    local = LocalCluster(
        n_workers=n_workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        env=env or {},
    )
    client = Client(local)
    client.wait_for_workers(n_workers)
    return local, client, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, help="aclImdb tar.gz or directory")
    parser.add_argument(
        "--cache",
        default=os.path.join(tempfile.gettempdir(), "imdbfast-bench-dask"),
        help="where the Parquet shards are written once",
    )
    parser.add_argument("--replicas", type=int, default=10)
    parser.add_argument("--shard-rows", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--tv-reviews", type=int, default=100_000)
    parser.add_argument("--json", help="write the results here too")
    parser.add_argument(
        "--scaling-only",
        action="store_true",
        help="only the 1 -> 2 worker ratio, measured back to back --rounds times",
    )
    parser.add_argument("--rounds", type=int, default=5, help="pairs for --scaling-only")
    parser.add_argument(
        "--memory-only",
        action="store_true",
        help="only the peak memory of the fit and of the encoding apart (2 workers)",
    )
    args = parser.parse_args()

    start = time.perf_counter()
    folder = write_shards(args.data, Path(args.cache), args.replicas, args.shard_rows)
    files = shard_files(folder)
    print(f"shards: {len(files)} in {folder} ({time.perf_counter() - start:.1f} s)", flush=True)
    text_mib = sum(os.path.getsize(f) for f in files) / 2**20
    results: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
        "load_average_start": os.getloadavg(),
        "reviews": args.replicas * 50_000,
        "shards": len(files),
        "parquet_mib": round(text_mib, 1),
        "variants": {},
    }
    n = results["reviews"]
    if args.scaling_only:
        results["scaling"] = scaling(files, args.rounds)
        results["load_average_end"] = os.getloadavg()
        if args.json:
            Path(args.json).write_text(json.dumps(results, indent=1))
        return
    if args.memory_only:
        results["peak_rss_mib_by_phase"] = memory_by_phase(files)
        if args.json:
            Path(args.json).write_text(json.dumps(results, indent=1))
        return

    times, (vocabulary, reference, _) = timed(lambda: single_process(files), args.repeats)
    results["variants"]["single process"] = {"times": times, "reviews": n, "checksum": reference}
    results["variants"]["single process"]["peak_rss_mib"] = [rss_mib()["peak"]]
    print("single process", times, rss_mib(), flush=True)

    # The half corpus (1 run): does a worker's peak memory follow the corpus?
    half = files[: len(files) // 2]
    for workers, job_files, repeats in ((1, files, args.repeats), (2, files, args.repeats), (2, half, 1)):
        local, client, started = cluster(workers)
        try:
            dask_job(files[:1])  # warm-up: imports on the workers, untimed
            before = client.run(rss_mib)
            times, (vocab, checksum, _) = timed(
                lambda job_files=job_files: dask_job(job_files), repeats
            )
            after = client.run(rss_mib)
        finally:
            client.close()
            local.close()
        if job_files is half:
            results["variants"]["dask, 2 workers, half the corpus"] = {
                "times": times,
                "reviews": n * len(half) // len(files),
                "peak_rss_mib": [v["peak"] for v in after.values()],
            }
            print("dask 2, half", times, after, flush=True)
            continue
        assert vocab == vocabulary, "the distributed vocabulary differs"
        assert checksum == reference, (checksum, reference)
        results["variants"][f"dask, {workers} worker(s)"] = {
            "times": times,
            "reviews": n,
            "cpu_s_per_run": [
                (after[w]["cpu_s"] - before[w]["cpu_s"]) / repeats for w in after
            ],
            "cluster_start_s": started,
            "rss_started_mib": [v["rss"] for v in before.values()],
            "peak_rss_mib": [v["peak"] for v in after.values()],
        }
        print(f"dask {workers}", times, after, flush=True)

    tv_files = files[: max(1, args.tv_reviews // args.shard_rows)]
    tv_n = len(tv_files) * args.shard_rows
    env = {"TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1", "TF_CPP_MIN_LOG_LEVEL": "3"}
    local, client, started = cluster(2, env)
    try:
        client.run(lambda: __import__("keras") and None)  # imported before the clock
        tv_job(tv_files[:1], vocabulary)  # warm-up: the layer built, untimed
        before = client.run(rss_mib)
        times, (checksum, _) = timed(lambda: tv_job(tv_files, vocabulary), args.repeats)
        after = client.run(rss_mib)
    finally:
        client.close()
        local.close()
    import pyarrow.parquet as pq

    tv_texts = pq.ParquetDataset(tv_files).read(columns=["text"]).column("text")
    ids = tokenizer().set_vocabulary(vocabulary).transform(tv_texts)
    expected = (int(ids.sum(dtype=np.int64)), ids.shape[0])
    del ids, tv_texts
    assert checksum == expected, (checksum, expected)
    results["variants"]["dask, 2 workers, TextVectorization encoding"] = {
        "times": times,
        "reviews": tv_n,
        "cpu_s_per_run": [
            (after[w]["cpu_s"] - before[w]["cpu_s"]) / args.repeats for w in after
        ],
        "rss_started_mib": [v["rss"] for v in before.values()],
        "peak_rss_mib": [v["peak"] for v in after.values()],
    }
    print("TextVectorization", times, after, flush=True)
    results["load_average_end"] = os.getloadavg()
    print("load average", results["load_average_start"], "->", results["load_average_end"])

    print()
    print(f"{results['date']}, {results['machine']}, {n} reviews in {len(files)} shards")
    print(
        "| variant | reviews | total s | fit s | encode s | reviews/s | encoded/s "
        "| worker CPU s per run | peak RSS |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---|---|")
    for name, row in results["variants"].items():
        medians = {phase: statistics.median(t) for phase, t in row["times"].items()}
        row["medians_s"] = medians
        fit = f"{medians['fit']:.2f}" if "fit" in medians else "-"
        total = f"{medians['total']:.2f}" if "fit" in medians else "-"
        rate = f"{row['reviews'] / medians['total']:.0f}" if "fit" in medians else "-"
        peak = ", ".join(f"{p:.0f}" for p in row.get("peak_rss_mib", []))
        cpu = ", ".join(f"{c:.1f}" for c in row.get("cpu_s_per_run", [])) or "-"
        print(
            f"| {name} | {row['reviews']} | {total} | {fit} | {medians['encode']:.2f} | "
            f"{rate} | {row['reviews'] / medians['encode']:.0f} | {cpu} | {peak} MiB |"
        )
    one = results["variants"]["dask, 1 worker(s)"]["medians_s"]
    two = results["variants"]["dask, 2 worker(s)"]["medians_s"]
    print(
        f"scaling 1 -> 2 workers: total {one['total'] / two['total']:.2f}x, "
        f"fit {one['fit'] / two['fit']:.2f}x, encode {one['encode'] / two['encode']:.2f}x"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
