"""``imdbfast.dask``: distributed fit and encoding on a real ``LocalCluster``
(two worker processes, one thread each, on 127.0.0.1), started once for the
module.

The reference is always the single-process library call on the whole corpus,
``Tokenizer(...).fit(all_texts)`` and ``.transform(all_texts)`` (or
``transform_ragged``): the distributed result must equal it, vocabulary
(order included) and every id, on the full aclImdb too. Reading is checked
against a plain standard-library reading of the archive (conftest's
``imdb_reference``).
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("dask.dataframe")
pytest.importorskip("distributed")
pa = pytest.importorskip("pyarrow")
pd = pytest.importorskip("pandas")

import cloudpickle
import dask.bag as db
import dask.dataframe as dd
import imdbfast
import imdbfast.dask
from distributed import Client, LocalCluster
from imdbfast import Tokenizer
from imdbfast.errors import MissingExtraError

# Functions of this module run on the workers (worker processes cannot
# import a test module): send them by value.
cloudpickle.register_pickle_by_value(sys.modules[__name__])

CORPUS = [f"The cat {i % 7} sat on mat {i % 13}. A dog{i % 5}! {i % 101}" for i in range(3000)]

#: Configurations whose fit depends on every count, and on the corpus order
#: (first_seen), with their output.
CONFIGS = {
    "defaults": {"max_tokens": 60, "output_sequence_length": 9},
    "first_seen": {"vocab_order": "frequency_first_seen", "output_sequence_length": 7},
    "bigrams_min_freq": {"ngrams": 2, "min_freq": 3, "max_tokens": 80, "output_sequence_length": 12},
    "tf_idf": {"output_mode": "tf_idf", "ngrams": 2, "max_tokens": 40},
    "python_regex": {"preset": "python_regex", "min_freq": 2},
    # Widths as a tuple and a callable: the tokenizer pickled to the workers
    # used to fail to unpickle there ("different environments").
    "ngram_widths_callable": {
        "ngrams": (1, 3),
        "standardize": str.lower,
        "max_tokens": 50,
        "output_sequence_length": 8,
    },
}


def make(config: dict) -> Tokenizer:
    config = dict(config)
    preset = config.pop("preset", None)
    return Tokenizer.from_preset(preset, **config) if preset else Tokenizer(**config)


@pytest.fixture(scope="module")
def client():
    """Two worker processes with one thread each, bound to 127.0.0.1, no
    dashboard; closed after the module."""
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster, Client(cluster) as client:
        yield client


def as_bag(texts, npartitions=7):
    return db.from_sequence(texts, npartitions=npartitions)


def as_series(texts, npartitions=5):
    return dd.from_pandas(pd.Series(texts, dtype="string[pyarrow]"), npartitions=npartitions)


# ------------------------------------------------------------ no cluster


def test_import_without_dask_names_the_extra(monkeypatch):
    monkeypatch.delitem(sys.modules, "imdbfast.dask")
    monkeypatch.setitem(sys.modules, "dask", None)
    with pytest.raises(MissingExtraError, match=r"pip install 'imdbfast\[dask\]'"):
        importlib.import_module("imdbfast.dask")


def test_bad_input_is_refused_before_anything_runs():
    fitted = Tokenizer(output_sequence_length=4).fit(CORPUS)
    with pytest.raises(TypeError, match=r"takes an imdbfast.Tokenizer\. Received: str"):
        imdbfast.dask.fit("tokenizer", as_bag(CORPUS))
    with pytest.raises(TypeError, match=r"a dask.bag.Bag of str .* Received: list"):
        imdbfast.dask.fit(Tokenizer(), CORPUS)
    with pytest.raises(TypeError, match=r"a Series of strings\. Received: a Series of dtype int64"):
        imdbfast.dask.fit(Tokenizer(), dd.from_pandas(pd.Series([1, 2, 3]), npartitions=1))
    frame = dd.from_pandas(pd.DataFrame({"text": CORPUS[:4]}), npartitions=1)
    with pytest.raises(TypeError, match=r"one column of texts, e.g. df\['text'\]"):
        imdbfast.dask.transform(fitted, frame)
    with pytest.raises(ValueError, match="needs a fitted tokenizer"):
        imdbfast.dask.transform(Tokenizer(output_sequence_length=4), as_bag(CORPUS))
    with pytest.raises(ValueError, match="needs an `output_sequence_length`, or pass ragged=True"):
        imdbfast.dask.transform(Tokenizer().fit(CORPUS), as_bag(CORPUS))
    with pytest.raises(ValueError, match="sparse=True and output_mode='one_hot'"):
        imdbfast.dask.transform(
            Tokenizer(output_mode="count", sparse=True).fit(CORPUS), as_bag(CORPUS)
        )
    with pytest.raises(ValueError, match="ragged=True\\) returns ids"):
        imdbfast.dask.transform(
            Tokenizer(output_mode="count").fit(CORPUS), as_bag(CORPUS), ragged=True
        )
    with pytest.raises(TypeError, match="ragged must be a bool"):
        imdbfast.dask.transform(fitted, as_bag(CORPUS), ragged="yes")
    with pytest.raises(ValueError, match="split_every must be an int >= 2"):
        imdbfast.dask.fit(Tokenizer(), as_bag(CORPUS), split_every=1)
    with pytest.raises(ValueError, match="built with a `vocabulary`"):
        imdbfast.dask.fit(Tokenizer(vocabulary=["a"]), as_bag(CORPUS))


@pytest.mark.parametrize("cores", [1, 2, 3, 16])
@pytest.mark.parametrize("partitions", [1, 2, 7, 8, 50, 1000])
def test_counting_tasks_and_merge_tree(partitions, cores):
    """Counting tasks take consecutive runs of partitions covering them all
    in order, of near-equal sizes, at most PARTITIONS_PER_TASK each, a
    multiple of the cores where there are enough; the merge tree's nodes
    take at most split_every counts and the top one takes 2."""
    runs = imdbfast.dask._runs(partitions, cores)
    assert [first for first, _ in runs] == [sum(s for _, s in runs[:i]) for i in range(len(runs))]
    assert sum(size for _, size in runs) == partitions
    sizes = {size for _, size in runs}
    assert max(sizes) - min(sizes) <= 1 and max(sizes) <= imdbfast.dask.PARTITIONS_PER_TASK
    if partitions >= cores * imdbfast.dask.TASKS_PER_CORE:
        assert len(runs) % cores == 0
    for split_every in (2, 3, 8):
        nodes, fans = len(runs), []
        while nodes > 1:
            fan = imdbfast.dask._fan_in(nodes, split_every)
            fans.append(min(fan, nodes))
            nodes = -(-nodes // fan)
        assert all(2 <= fan <= split_every for fan in fans)
        assert not fans or fans[-1] == 2


# ------------------------------------------------------------ on the cluster


def test_empty_input_first(client):
    empty = as_bag([], npartitions=1)
    tok = imdbfast.dask.fit(Tokenizer(output_sequence_length=3), empty)
    assert tok.get_vocabulary() == Tokenizer().fit([]).get_vocabulary()
    assert imdbfast.dask.transform(tok, empty).compute().shape == (0, 3)
    assert len(imdbfast.dask.transform(tok, empty, ragged=True).compute()) == 0


def test_items_that_are_not_str_name_their_partition(client):
    bag = as_bag(["a b", "c", 3, "d"], npartitions=2)
    with pytest.raises(TypeError, match=r"fit\(\): partition 1: .*item 0 is of type int"):
        imdbfast.dask.fit(Tokenizer(), bag)
    tok = Tokenizer(output_sequence_length=2).fit(["a b"])
    with pytest.raises(TypeError, match=r"transform\(\): partition 1: .*int"):
        imdbfast.dask.transform(tok, bag).compute()


def test_a_task_of_several_partitions_names_the_bad_one(client):
    """40 partitions on 2 one-thread workers: tasks of 5 partitions; an item
    that is not a str in partition 13 is named as such, and the counts of
    many partitions per task equal the single process's."""
    texts = CORPUS[:400]
    assert imdbfast.dask._runs(40, 2)[0] == (0, 5)
    tok = imdbfast.dask.fit(Tokenizer(vocab_order="frequency_first_seen"), as_bag(texts, 40))
    assert tok.get_vocabulary() == Tokenizer(vocab_order="frequency_first_seen").fit(texts).get_vocabulary()
    bad = texts[:133] + [3] + texts[134:]
    with pytest.raises(TypeError, match=r"fit\(\): partition 13: .*int"):
        imdbfast.dask.fit(Tokenizer(), as_bag(bad, 40))


@pytest.mark.parametrize("name", CONFIGS)
@pytest.mark.parametrize("collection", [as_bag, as_series])
def test_equals_single_process(client, name, collection):
    texts = collection(CORPUS)
    reference = make(CONFIGS[name]).fit(CORPUS)
    tok = imdbfast.dask.fit(make(CONFIGS[name]), texts)
    assert tok.to_dict() == reference.to_dict()  # vocabulary, order, idf weights
    ids = imdbfast.dask.transform(tok, texts).compute()
    expected = reference.transform(CORPUS)
    assert ids.dtype == expected.dtype and np.array_equal(ids, expected)
    if reference.output_mode == "int":
        ragged = imdbfast.dask.transform(tok, texts, ragged=True).compute()
        values, row_splits = reference.transform_ragged(CORPUS)
        assert ragged.dtype == pd.ArrowDtype(pa.large_list(pa.int32()))
        flat = pa.chunked_array(ragged.array._pa_array.chunks).combine_chunks()
        assert np.array_equal(flat.values.to_numpy(), values)
        assert np.array_equal(np.diff(flat.offsets.to_numpy()), np.diff(row_splits))


def test_ragged_ids_keep_the_series_index(client):
    series = dd.from_pandas(
        pd.Series(CORPUS[:100], index=np.arange(100) * 3, dtype="string[pyarrow]"),
        npartitions=4,
    )
    tok = Tokenizer().fit(CORPUS[:100])
    ids = imdbfast.dask.transform(tok, series, ragged=True)
    assert ids.divisions == series.divisions
    got = ids.compute()
    assert got.index.tolist() == list(range(0, 300, 3))
    assert list(got.iloc[5]) == tok.transform_ragged(CORPUS[5:6])[0].tolist()


def test_threads_capped_to_the_workers_share(client):
    """A task runs the tokenizer on its worker's nthreads (1 here), or on
    the tokenizer's own num_threads if lower; the client's tokenizer is
    not changed."""
    for own in (None, 4):
        tok = Tokenizer(num_threads=own).fit(CORPUS)
        on_worker = client.submit(imdbfast.dask._on_worker, tok, pure=False).result()
        assert on_worker.num_threads == 1
        assert on_worker.get_vocabulary() == tok.get_vocabulary()
        assert tok.num_threads == own
    tok = Tokenizer().fit(CORPUS)
    assert imdbfast.dask._on_worker(tok) is tok  # no worker: unchanged
    assert tok.with_num_threads(3).num_threads == 3 and tok.num_threads is None


def _count_unpickles(reset: bool = True) -> int:
    """Counts, on a worker, the tokenizers unpickled since the last reset."""
    import imdbfast.tokenizer as module

    cls = module.Tokenizer
    if "_unpickled" not in cls.__dict__:
        original = cls.__setstate__

        def counted(self, state):
            type(self)._unpickled += 1
            original(self, state)

        cls._unpickled = 0
        cls.__setstate__ = counted
    seen = cls._unpickled
    if reset:
        cls._unpickled = 0
    return seen


def test_tokenizer_travels_once_per_worker(client):
    """16 partitions, 2 workers: each worker unpickles the tokenizer at most
    once per graph (it is one key of the graph, shared by all tasks)."""
    texts = as_bag(CORPUS, npartitions=16)
    tok = Tokenizer(max_tokens=50, output_sequence_length=5)
    client.run(_count_unpickles)
    imdbfast.dask.fit(tok, texts)
    per_worker = client.run(_count_unpickles)
    assert 1 <= sum(per_worker.values()) and max(per_worker.values()) <= 1, per_worker
    imdbfast.dask.transform(tok, texts).compute()
    per_worker = client.run(_count_unpickles)
    assert 1 <= sum(per_worker.values()) and max(per_worker.values()) <= 1, per_worker


# -------------------------------------------------------------- reading


def test_read_text_files_and_parquet(client, tmp_path):
    texts = CORPUS[:40]
    for i, text in enumerate(texts):
        (tmp_path / f"{i:03d}.txt").write_text(text, encoding="utf-8")
    bag = imdbfast.dask.read_text_files(str(tmp_path / "*.txt"), files_per_partition=7)
    assert bag.npartitions == 6
    assert bag.compute() == texts
    with pytest.raises(FileNotFoundError, match="no files match"):
        imdbfast.dask.read_text_files(str(tmp_path / "*.csv"))

    shards = tmp_path / "shards"
    shards.mkdir()
    for i in range(3):
        part = pd.DataFrame({"text": CORPUS[i * 1000 : (i + 1) * 1000], "n": i})
        part.to_parquet(shards / f"part-{i}.parquet")
    series = imdbfast.dask.read_parquet(str(shards), column="text")
    reference = Tokenizer(max_tokens=30, output_sequence_length=6).fit(CORPUS)
    tok = imdbfast.dask.fit(Tokenizer(max_tokens=30, output_sequence_length=6), series)
    assert tok.get_vocabulary() == reference.get_vocabulary()
    assert np.array_equal(imdbfast.dask.transform(tok, series).compute(), reference.transform(CORPUS))
    with pytest.raises(TypeError, match="needs a string column. Received: dtype int64"):
        imdbfast.dask.read_parquet(str(shards), column="n")


def _write_review(root: Path, split: str, cls: str, name: str, text: str) -> None:
    folder = root / "aclImdb" / split / cls
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def test_read_imdb_directory(client, tmp_path):
    for split in ("train", "test"):
        for cls in ("neg", "pos"):
            for i in (10, 2, 7):
                _write_review(tmp_path, split, cls, f"{i}_{i % 10 + 1}.txt", f"{split} {cls} {i} é")
    (tmp_path / "aclImdb" / "README").write_text("not a review")
    frame = imdbfast.dask.read_imdb(tmp_path, blocksize=40).compute()
    # load_imdb's sorted order and labels (validation_split=0: train is whole).
    data = imdbfast.load_imdb(tmp_path, validation_split=0, order="sorted")
    assert frame["text"].tolist() == data.train.texts + data.test.texts
    assert frame["label"].tolist() == data.train.labels.tolist() + data.test.labels.tolist()
    assert frame["rating"].tolist() == data.train.ratings.tolist() + data.test.ratings.tolist()
    assert frame["split"].tolist() == ["train"] * 6 + ["test"] * 6

    with pytest.raises(ValueError, match="larger than max_review_bytes=3"):
        imdbfast.dask.read_imdb(tmp_path, max_review_bytes=3)
    with pytest.raises(ValueError, match="blocksize must be a positive int"):
        imdbfast.dask.read_imdb(tmp_path, blocksize=0)
    with pytest.raises(FileNotFoundError, match="not found"):
        imdbfast.dask.read_imdb(tmp_path / "nothing")
    os.symlink(tmp_path / "aclImdb" / "README", tmp_path / "aclImdb" / "test" / "pos" / "99_9.txt")
    with pytest.raises(ValueError, match="not a link"):
        imdbfast.dask.read_imdb(tmp_path)
    (tmp_path / "aclImdb" / "test" / "pos" / "99_9.txt").unlink()
    for path in (tmp_path / "aclImdb" / "test" / "pos").iterdir():
        path.unlink()
    (tmp_path / "aclImdb" / "test" / "pos").rmdir()
    with pytest.raises(ValueError, match="test/pos is missing"):
        imdbfast.dask.read_imdb(tmp_path)


# ------------------------------------------------------- the full aclImdb


@pytest.fixture(scope="module")
def imdb_frame(client, imdb_tar):
    """The 50k reviews read from the tar.gz on the workers, kept there."""
    return client.persist(imdbfast.dask.read_imdb(imdb_tar, blocksize=8 << 20))


@pytest.fixture(scope="module")
def imdb_single_process(imdb_train_texts, imdb_all_texts):
    """The reference: TextVectorization's defaults with 20k tokens and 600
    ids, fit on the 25k train reviews and encoding all 50k, in this process."""
    tok = Tokenizer(max_tokens=20_000, output_sequence_length=600).fit(imdb_train_texts)
    return tok, tok.transform(imdb_all_texts)


@pytest.mark.slow
def test_read_imdb_archive_equals_the_reference(imdb_frame, imdb_reference):
    frame = imdb_frame.compute()
    rows = [(split, row) for split in ("train", "test") for row in imdb_reference[split]]
    assert len(frame) == 50_000
    assert frame["text"].tolist() == [row[0] for _, row in rows]
    assert frame["label"].tolist() == [row[1] for _, row in rows]
    assert frame["rating"].tolist() == [row[3] for _, row in rows]
    assert frame["split"].tolist() == [split for split, _ in rows]


@pytest.mark.slow
def test_full_imdb_distributed_equals_single_process(
    imdb_frame, imdb_single_process, imdb_all_texts
):
    """The reference's configuration fit on the train split's partitions
    and encoding all 50k; then a first-seen vocabulary (which depends on the
    order of the partitions) with min_freq, fit on all 50k, as ragged ids."""
    train = imdb_frame[imdb_frame["split"] == "train"]["text"]
    texts = imdb_frame["text"]
    assert texts.npartitions >= 4

    reference, reference_ids = imdb_single_process
    tok = imdbfast.dask.fit(Tokenizer(max_tokens=20_000, output_sequence_length=600), train)
    assert tok.get_vocabulary() == reference.get_vocabulary()
    ids = imdbfast.dask.transform(tok, texts).compute()
    assert np.array_equal(ids, reference_ids)

    config = {"vocab_order": "frequency_first_seen", "min_freq": 3, "output_sequence_length": 300}
    reference = Tokenizer(**config).fit(imdb_all_texts)
    tok = imdbfast.dask.fit(Tokenizer(**config), texts)
    assert tok.get_vocabulary() == reference.get_vocabulary()
    ragged = imdbfast.dask.transform(tok, texts, ragged=True).compute()
    values, row_splits = reference.transform_ragged(imdb_all_texts)
    flat = pa.chunked_array(ragged.array._pa_array.chunks).combine_chunks()
    assert np.array_equal(flat.values.to_numpy(), values)
    assert np.array_equal(np.diff(flat.offsets.to_numpy()), np.diff(row_splits))


# ------------------------------------------------------------ failures


def _slowly(texts):
    """A partition, after a pause: keeps both workers busy for seconds."""
    time.sleep(0.25)
    return texts


@pytest.mark.slow
def test_a_worker_killed_mid_job(client, imdb_frame, imdb_single_process):
    """One worker process is killed with SIGKILL while the encoding of the
    50k reviews runs (after a partition has finished, before the last); the
    scheduler reruns its tasks (the nanny restarts it) and the ids equal the
    single-process ones."""
    reference, reference_ids = imdb_single_process
    texts = imdb_frame["text"].repartition(npartitions=12)
    texts = texts.map_partitions(_slowly, meta=texts._meta)

    pids = client.run(os.getpid)
    future = client.compute(imdbfast.dask.transform(reference, texts))
    deadline = time.monotonic() + 60
    while not any(state == "memory" for state in _task_states(client)):
        assert time.monotonic() < deadline, "no partition finished in 60 s"
        time.sleep(0.05)
    assert not future.done()
    victim = min(pids)
    os.kill(pids[victim], signal.SIGKILL)
    ids = future.result(timeout=120)
    assert np.array_equal(ids, reference_ids)
    client.wait_for_workers(2, timeout=60)
    assert pids[victim] not in client.run(os.getpid).values()


def _task_states(client) -> list[str]:
    """States of the encoding tasks on the scheduler."""
    def states(dask_scheduler):
        return [
            ts.state
            for key, ts in dask_scheduler.tasks.items()
            if "encode_partition" in str(key)
        ]

    return client.run_on_scheduler(states)
