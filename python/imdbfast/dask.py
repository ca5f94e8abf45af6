"""Tokenize corpora past one machine on Dask: a distributed fit whose
vocabulary is exactly the single-process one, and encoding partition by
partition on the workers.

Install with ``pip install 'imdbfast[dask]'``. Every function takes a
``dask.bag.Bag`` of ``str`` or a ``dask.dataframe.Series`` of strings and
runs on whatever scheduler is active: a ``distributed.Client`` (a
``LocalCluster`` or an existing cluster), else Dask's local threads.

- :func:`fit`: the partitions are counted on the workers
  (:meth:`imdbfast.Tokenizer.count`; consecutive partitions counted into one
  :class:`imdbfast.TokenCounts` by one task, a few tasks per core of the
  cluster), the counts merged in a tree, in partition order, ending in a
  2-way merge, and the client learns the vocabulary
  from the total (:meth:`imdbfast.Tokenizer.fit_counts`): the vocabulary (and
  its order, and the tf-idf weights) of ``tokenizer.fit(all texts)``.
- :func:`transform`: each partition is encoded on a worker, into padded
  blocks of a ``dask.array.Array`` or ragged ids as Arrow lists in a
  ``dask.dataframe.Series``.
- :func:`read_imdb`, :func:`read_text_files`, :func:`read_parquet`: texts
  read lazily, on the workers, partition by partition.

The tokenizer travels once per worker: it is one key of the task graph
(``dask.delayed``), which the scheduler sends to each worker that needs it
and every task there shares, rather than a copy pickled into every task.
Each task caps the tokenizer's Rust thread pool to its worker's share of the
cores (the worker's ``nthreads``; concurrent tasks on one worker share one
pool of that size). Workers are processes that Dask spawns: imdbfast's Rust
pools are built inside each of them, never inherited through ``fork``.
Without ``distributed`` (Dask's local schedulers) the tokenizer's own
``num_threads`` applies: the threaded scheduler's tasks share one pool of all
cores; with the multiprocessing scheduler, set ``num_threads`` to the cores
per process. The tokenizer is pickled into the graph, so a tokenizer with
millions of vocabulary entries makes a graph of tens of MB (Dask warns past
10 MB); it is still sent once per worker.

Example:

```python
from dask.distributed import Client
import imdbfast, imdbfast.dask

client = Client("tcp://scheduler:8786")          # or LocalCluster()
texts = imdbfast.dask.read_parquet("s3://bucket/reviews/", column="text")
tok = imdbfast.dask.fit(imdbfast.Tokenizer(max_tokens=20000, output_sequence_length=600), texts)
ids = imdbfast.dask.transform(tok, texts)        # dask.array, (n, 600) int32
```
"""

from __future__ import annotations

import glob
import os
import re
import tarfile
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from imdbfast.datasets import DEFAULT_MAX_REVIEW_BYTES
from imdbfast.errors import MissingExtraError
from imdbfast.tokenizer import TokenCounts, Tokenizer

try:
    import dask
    import dask.array as da
    import dask.bag as db
    import dask.dataframe as dd
    import pandas as pd
    import pyarrow as pa
except ImportError as _err:  # pragma: no cover - exercised in a subprocess
    raise MissingExtraError.of(
        "imdbfast.dask needs Dask (with dask.dataframe and distributed), pandas and "
        "pyarrow",
        "pip install 'imdbfast[dask]'",
        _err,
    ) from _err

__all__ = [
    "DEFAULT_BLOCKSIZE",
    "PARTITIONS_PER_TASK",
    "SPLIT_EVERY",
    "TASKS_PER_CORE",
    "count",
    "fit",
    "read_imdb",
    "read_parquet",
    "read_text_files",
    "transform",
]

#: Bytes of review text per partition of :func:`read_imdb` (about 3,000
#: aclImdb reviews).
DEFAULT_BLOCKSIZE = 4 << 20

#: Counts merged per node of :func:`fit`'s reduction tree (at most).
SPLIT_EVERY = 8

#: What the functions here take as texts.
Texts = Any  # dask.bag.Bag of str | dask.dataframe.Series of strings


# ---------------------------------------------------------------- checks


def _check_tokenizer(tokenizer: Any, function: str) -> Tokenizer:
    if not isinstance(tokenizer, Tokenizer):
        raise TypeError(
            f"imdbfast.dask.{function}() takes an imdbfast.Tokenizer. "
            f"Received: {type(tokenizer).__name__}"
        )
    return tokenizer


def _partitions(texts: Texts, function: str) -> list[Any]:
    """The partitions of ``texts`` as ``dask.delayed`` objects, in order.

    Raises:
        TypeError: ``texts`` is not a Bag or a Series of strings.
    """
    if isinstance(texts, db.Bag):
        return list(texts.to_delayed())
    if isinstance(texts, dd.Series):
        if not pd.api.types.is_string_dtype(texts.dtype):
            raise TypeError(
                f"imdbfast.dask.{function}() takes a Series of strings. "
                f"Received: a Series of dtype {texts.dtype}"
            )
        return list(texts.to_delayed())
    if isinstance(texts, dd.DataFrame):
        raise TypeError(
            f"imdbfast.dask.{function}() takes one column of texts, e.g. df['text']. "
            f"Received: a DataFrame with columns {list(texts.columns)}"
        )
    raise TypeError(
        f"imdbfast.dask.{function}() takes a dask.bag.Bag of str or a "
        f"dask.dataframe.Series of strings. Received: {type(texts).__name__}"
    )


def _shipped(tokenizer: Tokenizer) -> Any:
    """The tokenizer as one key of the task graph: sent once to each worker
    that needs it and shared there by every task of the graph."""
    name = f"imdbfast-tokenizer-{uuid.uuid4().hex}"
    return dask.delayed(tokenizer, name=name, pure=True)


# --------------------------------------------------------- on the workers


def _worker_threads() -> int | None:
    """The cores that Dask gave the worker running this task (its
    ``nthreads``), or None outside a ``distributed`` worker."""
    try:
        from distributed import get_worker
    except ImportError:  # pragma: no cover - distributed is part of the extra
        return None
    try:
        worker = get_worker()
    except ValueError:
        return None
    return int(worker.state.nthreads)


def _on_worker(tokenizer: Tokenizer) -> Tokenizer:
    """The tokenizer as a task uses it: on a ``distributed`` worker, its
    threads capped to the worker's share of the cores (or to the
    tokenizer's own ``num_threads``, if lower); elsewhere unchanged."""
    share = _worker_threads()
    if share is None:
        return tokenizer
    own = tokenizer.num_threads
    return tokenizer.with_num_threads(share if own is None else min(own, share))


def _in_partition(error: Exception, index: int, function: str) -> str:
    return f"imdbfast.dask.{function}(): partition {index}: {error}"


def _count_partitions(tokenizer: Tokenizer, first: int, *parts: Any) -> TokenCounts:
    """The counts of consecutive partitions ``first``, ``first + 1``, ...,
    counted into one :class:`imdbfast.TokenCounts` in order (the same counts
    as merging each partition's, without the merge)."""
    tokenizer = _on_worker(tokenizer)
    counts = TokenCounts()
    for index, texts in enumerate(parts, first):
        try:
            counts += tokenizer.count(texts)
        except TypeError as e:
            raise TypeError(_in_partition(e, index, "fit")) from e
    return counts


def _merge(*counts: TokenCounts) -> TokenCounts:
    return TokenCounts.merge(list(counts))


def _encode_partition(tokenizer: Tokenizer, texts: Any, index: int) -> np.ndarray:
    try:
        return np.asarray(_on_worker(tokenizer).transform(texts))
    except TypeError as e:
        raise TypeError(_in_partition(e, index, "transform")) from e


def _encode_arrow_partition(tokenizer: Tokenizer, texts: Any, index: int) -> Any:
    try:
        ids = _on_worker(tokenizer).transform_arrow(texts)
    except TypeError as e:
        raise TypeError(_in_partition(e, index, "transform")) from e
    return pd.Series(
        pd.arrays.ArrowExtensionArray(ids),
        index=texts.index if isinstance(texts, pd.Series) else None,
        name="ids",
    )


# ---------------------------------------------------------------- fitting

#: Partitions counted by one task of :func:`count` at most: their texts are
#: held together on the worker, and a task's counts are a leaf of the merge
#: tree.
PARTITIONS_PER_TASK = 8

#: Counting tasks of :func:`count` per core of the cluster (at least): few
#: enough that the merge tree is small, enough to balance the cores.
TASKS_PER_CORE = 4


def _cores() -> int:
    """The threads of the ``distributed`` cluster the active client talks to,
    else this machine's cores (Dask's local schedulers)."""
    try:
        from distributed import default_client

        client = default_client()
    except (ImportError, ValueError):  # no distributed, or no client
        client = None
    if client is None or client.asynchronous:  # async: calls return awaitables
        return os.cpu_count() or 1
    return max(1, int(sum(client.nthreads().values())))


def _runs(partitions: int, cores: int) -> list[tuple[int, int]]:
    """``(first, size)`` of the counting tasks: consecutive runs of
    partitions of near-equal sizes, at most :data:`PARTITIONS_PER_TASK`
    each, and a multiple of ``cores`` tasks (at least
    :data:`TASKS_PER_CORE` per core) where there are enough partitions, so
    that the cores finish together."""
    per_core = max(TASKS_PER_CORE, -(-partitions // (cores * PARTITIONS_PER_TASK)))
    tasks = min(partitions, cores * per_core)
    base, extra = divmod(partitions, tasks)
    runs, first = [], 0
    for i in range(tasks):
        size = base + (i < extra)
        runs.append((first, size))
        first += size
    return runs


def _fan_in(nodes: int, split_every: int) -> int:
    """Counts merged per node at a level of ``nodes`` counts: ``split_every``,
    except at the level below the top, split in two halves so that the top
    merge (the one step that runs alone) is a 2-way merge."""
    if nodes <= 2 or nodes > 2 * split_every:
        return min(nodes, split_every)
    return -(-nodes // 2)



def count(tokenizer: Tokenizer, texts: Texts, *, split_every: int = SPLIT_EVERY) -> Any:
    """The token counts of ``texts``, lazily: consecutive partitions counted
    together by one task on a worker (about :data:`TASKS_PER_CORE` tasks per
    core of the cluster, at most :data:`PARTITIONS_PER_TASK` partitions
    each), the tasks' counts merged in a tree in partition order, at most
    ``split_every`` per node, the top node a 2-way merge.

    Args:
        tokenizer: the tokenizer whose tokenization settings count (fitted
            or not; it is not changed).
        texts: a ``dask.bag.Bag`` of str or a ``dask.dataframe.Series`` of
            strings (Arrow-backed strings are read without Python ``str``).
        split_every: counts merged per node of the reduction tree (>= 2).

    Returns:
        A ``dask.delayed`` :class:`imdbfast.TokenCounts` (``.compute()`` it).

    Raises:
        TypeError: ``tokenizer`` is not a Tokenizer, or ``texts`` not a Bag
            or a Series of strings (an item that is not a str raises
            ``TypeError`` naming its partition when computed).
        ValueError: ``split_every`` < 2.
    """
    tokenizer = _check_tokenizer(tokenizer, "count")
    if isinstance(split_every, bool) or not isinstance(split_every, int) or split_every < 2:
        raise ValueError(f"split_every must be an int >= 2. Received: {split_every!r}")
    parts = _partitions(texts, "count")
    if not parts:
        return dask.delayed(TokenCounts)()
    shipped = _shipped(tokenizer)
    count_parts = dask.delayed(_count_partitions, pure=True)
    merge = dask.delayed(_merge, pure=True)
    level = [
        count_parts(shipped, first, *parts[first : first + size])
        for first, size in _runs(len(parts), _cores())
    ]
    while len(level) > 1:
        fan = _fan_in(len(level), split_every)
        groups = [level[i : i + fan] for i in range(0, len(level), fan)]
        level = [merge(*group) if len(group) > 1 else group[0] for group in groups]
    return level[0]


def fit(tokenizer: Tokenizer, texts: Texts, *, split_every: int = SPLIT_EVERY) -> Tokenizer:
    """Learn ``tokenizer``'s vocabulary from ``texts`` on the cluster.

    The partitions are counted on the workers, the counts merged in a tree
    (:func:`count`) and the vocabulary learned in the client from the total
    (:meth:`imdbfast.Tokenizer.fit_counts`): the same vocabulary, order and
    tf-idf weights as ``tokenizer.fit(texts.compute())`` in one process.

    Args:
        tokenizer: an :class:`imdbfast.Tokenizer` without a given
            ``vocabulary``.
        texts: a ``dask.bag.Bag`` of str or a ``dask.dataframe.Series`` of
            strings.
        split_every: counts merged per node of the reduction tree.

    Returns:
        ``tokenizer``, fitted.

    Raises:
        TypeError: wrong argument types, or an item that is not a str.
        ValueError: the tokenizer was built with a ``vocabulary``.
    """
    total = count(tokenizer, texts, split_every=split_every).compute()
    return tokenizer.fit_counts(total)


# --------------------------------------------------------------- encoding


def transform(tokenizer: Tokenizer, texts: Texts, *, ragged: bool = False) -> Any:
    """Encode ``texts`` partition by partition on the workers.

    Args:
        tokenizer: a fitted :class:`imdbfast.Tokenizer`.
        texts: a ``dask.bag.Bag`` of str or a ``dask.dataframe.Series`` of
            strings.
        ragged: False: a ``dask.array.Array`` with one block per partition
            (row counts unknown until computed: ``.compute_chunk_sizes()``):
            ``(n, output_sequence_length)`` int32 ids (``output_mode="int"``,
            which then needs an ``output_sequence_length``) or dense
            ``(n, columns)`` float32 bag rows. True (``output_mode="int"``
            only): a ``dask.dataframe.Series`` named ``"ids"`` of
            ``large_list<int32>`` Arrow lists, one row per text, truncated
            to ``output_sequence_length`` if set and never padded (a Series
            input keeps its index and divisions).

    Returns:
        A lazy ``dask.array.Array`` or ``dask.dataframe.Series``.

    Raises:
        TypeError: wrong argument types (an item that is not a str raises
            ``TypeError`` naming its partition when computed).
        ValueError: the tokenizer is not fitted, or its output cannot be
            one array per partition (``sparse=True``; ``"one_hot"`` with a
            split; ids without ``output_sequence_length`` and
            ``ragged=False``; ``ragged=True`` with a bag mode).
    """
    tokenizer = _check_tokenizer(tokenizer, "transform")
    if not tokenizer.is_fitted:
        raise ValueError(
            "imdbfast.dask.transform() needs a fitted tokenizer: call "
            "imdbfast.dask.fit(tokenizer, texts) (or Tokenizer.fit/load) first. "
            "Received: an unfitted tokenizer"
        )
    if not isinstance(ragged, bool):
        raise TypeError(f"ragged must be a bool. Received: {ragged!r}")
    if ragged:
        return _transform_ragged(tokenizer, texts)
    if tokenizer.output_mode == "int" and tokenizer.output_sequence_length is None:
        raise ValueError(
            "imdbfast.dask.transform() returns padded blocks: the tokenizer needs an "
            "`output_sequence_length`, or pass ragged=True for Arrow lists. "
            "Received: output_sequence_length=None"
        )
    meta = tokenizer.transform([])
    if not isinstance(meta, np.ndarray):
        raise ValueError(
            "imdbfast.dask.transform() builds one dense array per partition: "
            "sparse=True and output_mode='one_hot' with a split are not supported. "
            f"Received: output_mode={tokenizer.output_mode!r}, sparse={tokenizer.sparse}"
        )
    parts = _partitions(texts, "transform")
    shipped = _shipped(tokenizer)
    encode = dask.delayed(_encode_partition, pure=True)
    blocks = [
        da.from_delayed(encode(shipped, part, i), shape=(np.nan, meta.shape[1]), dtype=meta.dtype)
        for i, part in enumerate(parts)
    ]
    if not blocks:
        return da.from_array(meta)
    return da.concatenate(blocks, axis=0)


def _transform_ragged(tokenizer: Tokenizer, texts: Texts) -> Any:
    if tokenizer.output_mode != "int":
        raise ValueError(
            "imdbfast.dask.transform(ragged=True) returns ids: it needs "
            f"output_mode='int'. Received: output_mode={tokenizer.output_mode!r}"
        )
    parts = _partitions(texts, "transform")
    shipped = _shipped(tokenizer)
    encode = dask.delayed(_encode_arrow_partition, pure=True)
    meta = pd.Series(
        pd.array([], dtype=pd.ArrowDtype(pa.large_list(pa.int32()))), name="ids"
    )
    divisions = texts.divisions if isinstance(texts, dd.Series) else None
    return dd.from_delayed(
        [encode(shipped, part, i) for i, part in enumerate(parts)],
        meta=meta,
        divisions=divisions,
        verify_meta=False,
    )


# ---------------------------------------------------------------- reading

#: An aclImdb review: ``<split>/<class>/<id>_<rating>.txt`` under any root.
_REVIEW = re.compile(r"(?:^|/)(train|test)/(neg|pos)/(\d+)_(\d+)\.txt$")
_SPLITS = ("train", "test")
_CLASSES = ("neg", "pos")

#: One review of the index: (split, class, member or relative path, file
#: name, size in bytes).
_Entry = tuple[str, str, str, str, int]


def _imdb_meta() -> Any:
    return pd.DataFrame(
        {
            "text": pd.Series([], dtype="string[pyarrow]"),
            "label": pd.Series([], dtype="int64"),
            "rating": pd.Series([], dtype="int64"),
            "split": pd.Series([], dtype="string[pyarrow]"),
        }
    )


def _index_tar(path: Path, max_review_bytes: int) -> list[_Entry]:
    """The reviews of an aclImdb archive, from its headers only (the data
    is decompressed and skipped, never held)."""
    entries: list[_Entry] = []
    with tarfile.open(path, "r:*") as tar:
        for member in tar:
            found = _REVIEW.search(member.name)
            if found is None:
                continue
            if member.name.startswith("/") or ".." in member.name.split("/"):
                raise ValueError(
                    f"{path}: refusing an archive member outside the archive's tree. "
                    f"Received: {member.name!r}"
                )
            if not member.isfile():
                raise ValueError(
                    f"{path}: a review must be a regular file, not a link or device. "
                    f"Received: {member.name!r}"
                )
            if member.size > max_review_bytes:
                raise ValueError(
                    f"{path}: {member.name} is larger than max_review_bytes="
                    f"{max_review_bytes}. Received: {member.size} bytes"
                )
            split, cls, _, _ = found.groups()
            name = member.name.rsplit("/", 1)[1]
            entries.append((split, cls, member.name, name, member.size))
    return entries


def _index_dir(path: Path, max_review_bytes: int) -> list[_Entry]:
    """The reviews of an extracted aclImdb directory (names and sizes)."""
    root = path / "aclImdb" if (path / "aclImdb").is_dir() else path
    entries: list[_Entry] = []
    for split in _SPLITS:
        for cls in _CLASSES:
            folder = root / split / cls
            if not folder.is_dir():
                raise ValueError(
                    f"{path}: not an aclImdb directory: {split}/{cls} is missing. "
                    f"Received: {os.fspath(path)!r}"
                )
            with os.scandir(folder) as it:
                for item in it:
                    relative = f"{split}/{cls}/{item.name}"
                    if _REVIEW.search(relative) is None:
                        continue
                    if item.is_symlink() or not item.is_file():
                        raise ValueError(
                            f"{path}: a review must be a regular file, not a link. "
                            f"Received: {relative!r}"
                        )
                    size = item.stat().st_size
                    if size > max_review_bytes:
                        raise ValueError(
                            f"{path}: {relative} is larger than max_review_bytes="
                            f"{max_review_bytes}. Received: {size} bytes"
                        )
                    entries.append((split, cls, os.fspath(root / relative), item.name, size))
    return entries


def _blocks(entries: list[_Entry], blocksize: int) -> list[list[_Entry]]:
    """Consecutive runs of entries holding at most ``blocksize`` bytes each
    (at least one entry)."""
    blocks: list[list[_Entry]] = []
    size = 0
    for entry in entries:
        if not blocks or (size + entry[4] > blocksize and blocks[-1]):
            blocks.append([])
            size = 0
        blocks[-1].append(entry)
        size += entry[4]
    return blocks


def _decode(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ValueError(f"{where}: not valid UTF-8 (byte offset {e.start})") from None


def _imdb_frame(entries: Sequence[_Entry], texts: list[str]) -> Any:
    ratings = [int(e[3].rsplit("_", 1)[1].split(".", 1)[0]) for e in entries]
    return pd.DataFrame(
        {
            "text": pd.Series(texts, dtype="string[pyarrow]"),
            "label": pd.Series([int(e[1] == "pos") for e in entries], dtype="int64"),
            "rating": pd.Series(ratings, dtype="int64"),
            "split": pd.Series([e[0] for e in entries], dtype="string[pyarrow]"),
        }
    )


def _read_tar_block(entries: list[_Entry], path: str) -> Any:
    """The reviews of one partition, streamed out of the archive (a gzip
    stream is read from its start; reading stops at the partition's last
    member)."""
    wanted = {e[2]: i for i, e in enumerate(entries)}
    texts: list[str | None] = [None] * len(entries)
    left = len(wanted)
    with tarfile.open(path, "r:*") as tar:
        for member in tar:
            i = wanted.get(member.name)
            if i is None or not member.isfile():
                continue
            f = tar.extractfile(member)
            if f is None:  # pragma: no cover - isfile() members have data
                continue
            texts[i] = _decode(f.read(), f"{path}: {member.name}")
            left -= 1
            if not left:
                break
    if left:
        missing = next(e[2] for e, t in zip(entries, texts) if t is None)
        raise ValueError(f"{path}: the archive changed since it was indexed: {missing} is missing")
    return _imdb_frame(entries, [t for t in texts if t is not None])


def _read_dir_block(entries: list[_Entry]) -> Any:
    texts = []
    for entry in entries:
        with open(entry[2], "rb") as f:
            texts.append(_decode(f.read(), entry[2]))
    return _imdb_frame(entries, texts)


def read_imdb(
    path: str | os.PathLike[str],
    *,
    blocksize: int = DEFAULT_BLOCKSIZE,
    max_review_bytes: int = DEFAULT_MAX_REVIEW_BYTES,
) -> Any:
    """The labeled aclImdb reviews as a lazy ``dask.dataframe.DataFrame``.

    The client lists the reviews (file names and sizes; for an archive, its
    headers: the data is decompressed and skipped) and cuts them into
    partitions of about ``blocksize`` bytes of text; each partition is read
    on a worker. Rows come in the order of
    ``imdbfast.load_imdb(order="sorted")``: the train split then the test
    split, each by class (neg, then pos) and file name.
    No validation split is made (``split`` is ``"train"`` or ``"test"``).

    A gzip stream cannot be entered in the middle: each partition of an
    archive decompresses it from the start up to its last review, so for
    much more than aclImdb extract it (or write Parquet shards) first.

    Args:
        path: ``aclImdb_v1.tar.gz`` (or a ``.tar``), or an extracted
            ``aclImdb`` directory (or its parent).
        blocksize: bytes of review text per partition.
        max_review_bytes: the largest review accepted (checked from the
            sizes before anything is read).

    Returns:
        A ``dask.dataframe.DataFrame`` with columns ``text`` (Arrow
        strings), ``label`` (int64, 1 = positive), ``rating`` (int64, 1-10)
        and ``split`` (``"train"``/``"test"``).

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ValueError: not an aclImdb archive or directory (no reviews, a
            missing class folder), an unsafe archive member, a review larger
            than ``max_review_bytes``, a bad ``blocksize``; when computed, a
            review that is not valid UTF-8 (named).
    """
    for name, value in (("blocksize", blocksize), ("max_review_bytes", max_review_bytes)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive int. Received: {name}={value!r}")
    source = Path(os.fspath(path))
    if not source.exists():
        raise FileNotFoundError(f"aclImdb source not found. Received: {os.fspath(path)!r}")
    if source.is_dir():
        entries = _index_dir(source, max_review_bytes)
    else:
        try:
            entries = _index_tar(source, max_review_bytes)
        except tarfile.TarError as e:
            raise ValueError(f"{source}: not a readable tar archive ({e})") from e
    if not entries:
        raise ValueError(
            f"{source}: no aclImdb reviews ({{train,test}}/{{neg,pos}}/<id>_<rating>.txt) "
            "found"
        )
    entries.sort(key=lambda e: (_SPLITS.index(e[0]), _CLASSES.index(e[1]), e[3]))
    blocks = _blocks(entries, blocksize)
    if source.is_dir():
        return dd.from_map(_read_dir_block, blocks, meta=_imdb_meta(), label="read-imdb")
    return dd.from_map(
        _read_tar_block, blocks, args=[os.fspath(source)], meta=_imdb_meta(), label="read-imdb"
    )


def _read_text(path: str, encoding: str) -> str:
    with open(path, encoding=encoding) as f:
        return f.read()


def read_text_files(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    files_per_partition: int = 1024,
    encoding: str = "utf-8",
) -> Any:
    """Many small text files (one text per file) as a lazy
    ``dask.bag.Bag`` of str, read on the workers.

    Args:
        paths: a glob pattern (``"reviews/**/*.txt"``, recursive), one path,
            or an iterable of paths; a pattern's matches are sorted.
        files_per_partition: files per partition.
        encoding: the files' text encoding.

    Returns:
        A ``dask.bag.Bag`` with one str per file, in the order of ``paths``.

    Raises:
        FileNotFoundError: the pattern matches nothing.
        ValueError: ``files_per_partition`` < 1.
    """
    if (
        isinstance(files_per_partition, bool)
        or not isinstance(files_per_partition, int)
        or files_per_partition < 1
    ):
        raise ValueError(
            f"files_per_partition must be a positive int. Received: {files_per_partition!r}"
        )
    if isinstance(paths, (str, os.PathLike)):
        pattern = os.fspath(paths)
        files = sorted(glob.glob(pattern, recursive=True)) if glob.has_magic(pattern) else [pattern]
        if not files or not os.path.exists(files[0]):
            raise FileNotFoundError(f"no files match {pattern!r}")
    else:
        files = [os.fspath(p) for p in paths]
    bag = db.from_sequence(files, partition_size=files_per_partition)
    return bag.map(_read_text, encoding)


def read_parquet(
    path: str | os.PathLike[str] | Sequence[str], *, column: str = "text", **kwargs: Any
) -> Any:
    """One string column of Parquet files as a lazy ``dask.dataframe.Series``
    (``dask.dataframe.read_parquet(path, columns=[column], **kwargs)``):
    Arrow strings, which the tokenizer reads without Python ``str``.

    Raises:
        KeyError: no such column.
        TypeError: the column is not strings.
    """
    frame = dd.read_parquet(path, columns=[column], **kwargs)
    series = frame[column]
    if not pd.api.types.is_string_dtype(series.dtype):
        raise TypeError(
            f"read_parquet(column={column!r}) needs a string column. "
            f"Received: dtype {series.dtype}"
        )
    return series
