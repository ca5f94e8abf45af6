"""The IMDB Large Movie Review Dataset from wherever it is kept, in one call.

:func:`load_imdb` reads the 50,000 labeled reviews of aclImdb from

- an extracted ``aclImdb`` directory (``{train,test}/{neg,pos}/<id>_<rating>.txt``;
  ``unsup`` and other files are ignored), read on all cores by the Rust core;
- the ``.tar.gz`` itself (the official ``aclImdb_v1.tar.gz`` or any archive with
  that layout), read by the Rust core straight from the archive: nothing is
  extracted to disk, and archives with absolute paths, ``..``, links or device
  entries are refused;
- a CSV with ``review,sentiment`` columns such as Kaggle's "IMDB Dataset.csv"
  (labels ``positive``/``negative``; quoted reviews with commas, quotes and
  newlines are fine);
- ``None``: ``aclImdb_v1.tar.gz`` in the cache (``$IMDBFAST_HOME``, else
  ``~/.cache/imdbfast``), downloaded there first if missing (progress bar,
  temporary file, sha256 check, atomic rename). The URL comes from ``url=``,
  else ``$IMDBFAST_IMDB_URL``, else the official Stanford URL; ``file://`` works.

Order within every split: shuffled by default (``order="shuffled"``), so that
any slice such as ``texts[:4000]`` holds both classes: each split is first put
in the sorted order below, then its rows are permuted with
``numpy.random.default_rng((seed, k)).permutation`` (``k`` = 0, 1, 2 for
train, validation, test). The same seed gives the same order; the membership
of each split does not depend on ``order``. ``order="sorted"`` keeps the
sorted order: class (neg, then pos), then file name (Python string order) --
the same for every source, and the order of
``keras.utils.text_dataset_from_directory(shuffle=False)``.

Validation split (the seed notebook's rule, made reproducible): for each class
separately, the train file names are sorted, shuffled with a fresh
``random.Random(seed).shuffle(names)``, and the last
``int(validation_split * len(names))`` names go to validation, the rest stay in
train. ``validation_split=0`` gives an empty validation split.

``train_size=N`` then keeps N reviews of that train part, stratified by class:
class quotas proportional to the class sizes (largest remainder, ties to neg),
each class sampled with a fresh ``random.Random(seed).sample(sorted_names, quota)``.

Two recipes of the seed notebooks, on the official archive:

- ``keras.datasets.imdb`` (seeds 001-003): ``order="keras_imdb",
  validation_split=0`` gives the train and test reviews in ``load_data()``'s
  order (``np.random.RandomState(113)``, train then test, over the sorted
  rows); with the ``keras_imdb`` tokenizer preset, the same conventions on the
  official archive.
- Seed 004 (Kaggle CSV, ``df.sample(frac=1, random_state=12)``, 70/10/20):
  ``pool=True, csv_split="pandas", seed=12`` pools the 50,000 reviews (train
  rows, then test rows, each sorted: the order of a Kaggle-format CSV written
  from them) and slices them as seed 004 slices its data frame.
"""

from __future__ import annotations

import csv
import os
import random
import tarfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Literal, Sequence

import numpy as np

from imdbfast import _download, _native
from imdbfast._options import check_num_threads

__all__ = [
    "IMDB",
    "ORDERS",
    "CSV_SPLITS",
    "KERAS_IMDB_SEED",
    "Split",
    "load_imdb",
    "IMDB_URL",
    "IMDB_SHA256",
    "DEFAULT_MAX_REVIEW_BYTES",
    "check_source",
]

IMDB_URL = "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"
#: sha256 of the official aclImdb_v1.tar.gz, checked after downloading it.
IMDB_SHA256 = "c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe"
_CACHE_NAME = "aclImdb_v1.tar.gz"
#: The values of ``load_imdb(order=...)``.
ORDERS = ("shuffled", "sorted", "keras_imdb")
#: The seed of ``order="keras_imdb"``: ``keras.datasets.imdb.load_data``'s
#: default ``seed``.
KERAS_IMDB_SEED = 113
#: The values of ``load_imdb(csv_split=...)``.
CSV_SPLITS = ("auto", "column", "shuffle", "pandas")
_POSITIVE = {"positive", "pos", "1"}
_NEGATIVE = {"negative", "neg", "0"}


@dataclass(frozen=True, eq=False)
class Split:
    """One split of the data set.

    Attributes:
        texts: the reviews.
        labels: int64 array, 1 = positive, 0 = negative.
        ids: int64 review ids (from ``<id>_<rating>.txt`` or an ``id`` CSV
            column), or None when unknown.
        ratings: int64 star ratings (1-10), or None when unknown.
        files: file names (``"123_8.txt"``) or CSV row keys, or None.
    """

    texts: list[str]
    labels: np.ndarray
    ids: np.ndarray | None = None
    ratings: np.ndarray | None = None
    files: list[str] | None = None

    def __len__(self) -> int:
        return len(self.texts)

    def __repr__(self) -> str:
        pos = int(self.labels.sum()) if len(self.labels) else 0
        return f"Split(n={len(self)}, pos={pos}, neg={len(self) - pos})"

    def take(self, index: Sequence[int] | np.ndarray) -> Split:
        """The rows at ``index``, in that order."""
        idx = np.asarray(index, dtype=np.int64)
        return Split(
            [self.texts[i] for i in idx.tolist()],
            self.labels[idx],
            None if self.ids is None else self.ids[idx],
            None if self.ratings is None else self.ratings[idx],
            None if self.files is None else [self.files[i] for i in idx.tolist()],
        )


@dataclass(frozen=True, eq=False)
class IMDB:
    """The loaded data set.

    Attributes:
        train: training reviews (after the validation split and ``train_size``).
        validation: validation reviews (empty with ``validation_split=0``).
        test: test reviews.
        source: where the reviews came from.
        replaced: number of files (or CSV files) decoded with U+FFFD replacement
            characters (only with ``encoding_errors="replace"``).
        replaced_files: those files.
    """

    train: Split
    validation: Split
    test: Split
    source: str
    replaced: int = 0
    replaced_files: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        return (
            f"IMDB(train={len(self.train)}, validation={len(self.validation)}, "
            f"test={len(self.test)}, source={self.source!r})"
        )


def _split_from_parts(parts: tuple[Any, ...]) -> Split:
    texts, labels, ids, ratings, names = parts
    known = bool(len(ids)) and bool((ids >= 0).all())
    return Split(
        texts,
        labels,
        ids if known else None,
        ratings if known else None,
        names,
    )


def _validation_rows(
    labels: np.ndarray, names: list[str], validation_split: float, seed: int
) -> np.ndarray:
    """Boolean mask of the rows that go to validation (the per-class rule)."""
    mask = np.zeros(len(labels), dtype=bool)
    if validation_split == 0:
        return mask
    for cls in (0, 1):
        rows = np.flatnonzero(labels == cls)
        by_name = {names[r]: r for r in rows.tolist()}
        if len(by_name) != len(rows):
            raise ValueError("file names must be unique within a class to split by name")
        ordered = sorted(by_name)
        random.Random(seed).shuffle(ordered)
        n_val = int(validation_split * len(ordered))
        if n_val:
            mask[[by_name[n] for n in ordered[-n_val:]]] = True
    return mask


def _stratified_keep(labels: np.ndarray, names: list[str], n: int, seed: int) -> np.ndarray:
    """Row indices (sorted) of an ``n``-review stratified sample."""
    classes = [np.flatnonzero(labels == c) for c in (0, 1)]
    total = len(labels)
    exact = [n * len(rows) / total for rows in classes]
    quotas = [int(x) for x in exact]
    order = sorted(range(2), key=lambda c: (-(exact[c] - quotas[c]), c))
    for c in order[: n - sum(quotas)]:
        quotas[c] += 1
    keep: list[int] = []
    for rows, quota in zip(classes, quotas):
        by_name = {names[r]: r for r in rows.tolist()}
        chosen = random.Random(seed).sample(sorted(by_name), quota)
        keep.extend(by_name[x] for x in chosen)
    return np.sort(np.asarray(keep, dtype=np.int64))


def _ordered(split: Split) -> Split:
    """Rows ordered by class (neg, pos), then file name."""
    names = split.files if split.files is not None else [""] * len(split)
    idx = sorted(range(len(split)), key=lambda i: (int(split.labels[i]), names[i]))
    return split.take(idx)


def _file_names(split: Split) -> list[str]:
    """The split's file names, or its row numbers zero-padded where it has none
    (what the seeded choices of rows sort and draw by)."""
    if split.files is not None:
        return split.files
    return [f"{i:09d}" for i in range(len(split))]


def _keras_shuffled(split: Split, rng: np.random.RandomState) -> Split:
    """``keras.datasets.imdb.load_data``'s shuffle of one split, transcribed:
    ``indices = np.arange(len(x)); rng.shuffle(indices); x = x[indices]``."""
    indices = np.arange(len(split))
    rng.shuffle(indices)
    return split.take(indices)


def _pooled(train: Split, test: Split) -> Split:
    """The pooled order of a directory or archive: the train split's rows, then
    the test split's, each in the sorted order; file names get their split as
    a prefix (``"train/1_2.txt"``), so that they stay unique."""
    known = train.ids is not None and test.ids is not None
    return Split(
        train.texts + test.texts,
        np.concatenate([train.labels, test.labels]),
        np.concatenate([train.ids, test.ids]) if known else None,
        np.concatenate([train.ratings, test.ratings]) if known else None,
        [
            f"{part}/{name}"
            for part, split in (("train", train), ("test", test))
            for name in _file_names(split)
        ],
    )


def _split_pool(
    everything: Split,
    mode: str,
    csv_fractions: tuple[float, float, float],
    seed: int,
    where: str,
) -> tuple[Split, Split, Split]:
    """(train, test, validation) of the pooled rows, by ``"shuffle"`` or
    ``"pandas"`` (see :func:`load_imdb`'s ``csv_split``), each sorted."""
    fractions = tuple(float(x) for x in csv_fractions)
    if len(fractions) != 3 or any(f < 0 for f in fractions) or abs(sum(fractions) - 1) > 1e-9:
        raise ValueError(
            "csv_fractions must be three non-negative fractions (train, validation, "
            f"test) adding up to 1. Received: {csv_fractions!r}"
        )
    n = len(everything)
    if mode == "pandas":
        # DataFrame.sample(frac=1, random_state=seed): a RandomState(seed),
        # round(frac * n) rows drawn by choice(n, size, replace=False).
        order = np.random.RandomState(seed).choice(n, size=n, replace=False).tolist()
    else:
        order = list(range(n))
        random.Random(seed).shuffle(order)
    n_train = int(fractions[0] * n)
    n_val = int(fractions[1] * n)
    parts = order[:n_train], order[n_train : n_train + n_val], order[n_train + n_val :]
    if not parts[0] or not parts[2]:
        raise ValueError(f"{where}: empty split: {n} rows are too few for csv_fractions={fractions}")
    train, validation, test = (_ordered(everything.take(p)) for p in parts)
    return train, test, validation


def _finish(
    train: Split,
    test: Split,
    validation: Split | None,
    *,
    validation_split: float,
    seed: int,
    train_size: int | None,
    source: str,
    replaced: list[str],
    order: str = "sorted",
) -> IMDB:
    if order == "keras_imdb":
        # keras.datasets.imdb.load_data: one RandomState(113) shuffles the
        # train rows, then the test rows (then a CSV's own validation rows).
        rng = np.random.RandomState(KERAS_IMDB_SEED)
        train, test = _keras_shuffled(train, rng), _keras_shuffled(test, rng)
        if validation is not None:
            validation = _keras_shuffled(validation, rng)
    if validation is None:
        names = _file_names(train)
        mask = _validation_rows(train.labels, names, validation_split, seed)
        validation = train.take(np.flatnonzero(mask))
        train = train.take(np.flatnonzero(~mask))
    if train_size is not None:
        if train_size > len(train):
            raise ValueError(
                f"train_size={train_size} is larger than the {len(train)} training "
                f"reviews left after the validation split. Received: {train_size}"
            )
        names = _file_names(train)
        train = train.take(_stratified_keep(train.labels, names, train_size, seed))
    if replaced:
        warnings.warn(
            f"{len(replaced)} review file(s) in {source} were not valid UTF-8 and were "
            "decoded with U+FFFD replacement characters (see IMDB.replaced_files).",
            UnicodeWarning,
            stacklevel=3,
        )
    if order == "shuffled":
        train, validation, test = (
            split.take(np.random.default_rng((seed, k)).permutation(len(split)))
            for k, split in enumerate((train, validation, test))
        )
    return IMDB(train, validation, test, source, len(replaced), replaced)


#: The default limit on one review's size: 64 MiB (the largest aclImdb review is
#: about 14 KB). Enforced while reading, before a review is held in memory.
DEFAULT_MAX_REVIEW_BYTES = 64 << 20


def _csv_lines(path: Path, replace: bool, limit: int, replaced: list[str]) -> Iterator[str]:
    """The decoded lines of a CSV, each read with a bounded buffer.

    Lines are split as ``open(newline="")`` splits them (``\n``, ``\r\n`` or
    ``\r``, kept), so the csv module sees what it expects. A line longer than
    ``limit`` bytes is an error before it is read in full; invalid UTF-8 names
    its line and byte offset.
    """
    line_no = offset = 0
    with open(path, "rb") as f:
        while True:
            chunk = f.readline(limit + 1)
            if not chunk:
                return
            if len(chunk) > limit and not chunk.endswith(b"\n"):
                raise ValueError(
                    f"{path}:{line_no + 1}: a line longer than max_review_bytes={limit}; "
                    "raise the limit to read it"
                )
            if offset == 0 and chunk.startswith(b"\xef\xbb\xbf"):
                chunk, offset = chunk[3:], 3
            for raw in chunk.splitlines(keepends=True):
                line_no += 1
                try:
                    yield raw.decode("utf-8")
                except UnicodeDecodeError as e:
                    if not replace:
                        raise ValueError(
                            f"{path}:{line_no}: not valid UTF-8 (byte offset "
                            f"{offset + e.start}); pass encoding_errors=\"replace\" to "
                            "decode it with U+FFFD"
                        ) from None
                    if not replaced:
                        replaced.append(str(path))
                    yield raw.decode("utf-8", errors="replace")
                offset += len(raw)


def _read_csv(
    path: Path, replace: bool, limit: int = DEFAULT_MAX_REVIEW_BYTES
) -> tuple[list[list[str]], list[str], list[str]]:
    """Rows and header of a CSV; raises ValueError naming the file and line.

    The file is read line by line: no line longer than ``limit`` bytes and no
    field longer than ``limit`` characters is ever held in memory.
    """
    replaced: list[str] = []
    reader = csv.reader(_csv_lines(path, replace, limit, replaced), strict=True)
    previous_limit = csv.field_size_limit(max(limit, 1))
    try:
        header = next(reader, None)
        if header is None:
            raise ValueError(f"{path}: empty CSV file, expected a review,sentiment header")
        rows = []
        for row in reader:
            if not row:
                continue
            if len(row) != len(header):
                raise ValueError(
                    f"{path}:{reader.line_num}: expected {len(header)} fields, "
                    f"found {len(row)} (a truncated or malformed row?)"
                )
            rows.append(row)
    except csv.Error as e:
        if "field larger than field limit" in str(e):
            raise ValueError(
                f"{path}:{reader.line_num}: a field longer than max_review_bytes={limit}; "
                "raise the limit to read it"
            ) from None
        raise ValueError(f"{path}:{reader.line_num}: malformed CSV ({e})") from None
    finally:
        csv.field_size_limit(previous_limit)
    return rows, header, replaced


def _label(value: str, path: Path, row: int) -> int:
    v = value.strip().lower()
    if v in _POSITIVE:
        return 1
    if v in _NEGATIVE:
        return 0
    raise ValueError(
        f"{path}: data row {row}: unknown sentiment label, expected positive/negative "
        f"(or pos/neg, 1/0). Received: {value!r}"
    )


def _load_csv(
    path: Path,
    *,
    csv_split: str,
    csv_fractions: tuple[float, float, float],
    seed: int,
    replace: bool,
    max_review_bytes: int = DEFAULT_MAX_REVIEW_BYTES,
    pool: bool = False,
) -> tuple[Split, Split, Split | None, list[str]]:
    rows, header, replaced = _read_csv(path, replace, max_review_bytes)
    cols = {name.strip().lower(): i for i, name in enumerate(header)}
    for need in ("review", "sentiment"):
        if need not in cols:
            raise ValueError(
                f"{path}: the CSV needs 'review' and 'sentiment' columns. "
                f"Received: {header!r}"
            )
    if not rows:
        raise ValueError(f"{path}: empty split: the CSV has no reviews")
    texts = [r[cols["review"]] for r in rows]
    labels = np.array(
        [_label(r[cols["sentiment"]], path, i + 1) for i, r in enumerate(rows)], dtype=np.int64
    )
    ids = ratings = None
    if "id" in cols and "rating" in cols:
        try:
            ids = np.array([int(r[cols["id"]]) for r in rows], dtype=np.int64)
            ratings = np.array([int(r[cols["rating"]]) for r in rows], dtype=np.int64)
        except ValueError:
            ids = ratings = None
    if "file" in cols:
        files = [r[cols["file"]] for r in rows]
    else:
        files = [f"{i:09d}" for i in range(len(rows))]
    everything = Split(texts, labels, ids, ratings, files)
    mode = csv_split
    if mode == "auto":
        mode = "column" if "split" in cols and not pool else "shuffle"
    if mode == "column":
        if "split" not in cols:
            raise ValueError(f"{path}: csv_split='column' needs a 'split' column. Received: {header!r}")
        where: dict[str, list[int]] = {"train": [], "validation": [], "test": []}
        for i, r in enumerate(rows):
            key = r[cols["split"]].strip().lower()
            key = {"val": "validation", "valid": "validation"}.get(key, key)
            if key not in where:
                raise ValueError(
                    f"{path}: data row {i + 1}: unknown split, expected train/validation/test. "
                    f"Received: {r[cols['split']]!r}"
                )
            where[key].append(i)
        for key in ("train", "test"):
            if not where[key]:
                raise ValueError(f"{path}: empty split: no rows with split={key!r}")
        train = _ordered(everything.take(where["train"]))
        test = _ordered(everything.take(where["test"]))
        validation = _ordered(everything.take(where["validation"])) if where["validation"] else None
        return train, test, validation, replaced
    train, test, validation = _split_pool(everything, mode, csv_fractions, seed, str(path))
    return train, test, validation, replaced


def _resolve_download(
    url: str | None, sha256: str | None | Literal["auto"], download: bool, progress: bool
) -> Path:
    home = _download.cache_dir()
    cached = home / _CACHE_NAME
    if cached.is_file():
        return cached
    if not download:
        raise FileNotFoundError(
            f"aclImdb is not in the cache ({cached}) and download=False. Pass a "
            "source path or allow the download."
        )
    url = url or os.environ.get("IMDBFAST_IMDB_URL") or IMDB_URL
    if sha256 == "auto":
        env = os.environ.get("IMDBFAST_IMDB_SHA256")
        if env is not None:
            sha256 = None if env.strip().lower() in ("", "none") else env.strip()
        else:
            sha256 = IMDB_SHA256
    try:
        return _download.download(url, cached, sha256=sha256, progress=progress)
    except OSError as err:
        raise OSError(
            f"{err}. Offline or behind a proxy, give the path of aclImdb_v1.tar.gz "
            "(or an extracted aclImdb directory, or a CSV) as the source: "
            "--data PATH on the command line, load_imdb(PATH) or "
            "train(data_source=PATH) in Python"
        ) from err


def load_imdb(
    source: str | os.PathLike[str] | None = None,
    *,
    validation_split: float = 0.2,
    seed: int = 1337,
    train_size: int | None = None,
    encoding_errors: Literal["strict", "replace"] = "strict",
    csv_split: Literal["auto", "column", "shuffle", "pandas"] = "auto",
    csv_fractions: tuple[float, float, float] = (0.7, 0.1, 0.2),
    pool: bool = False,
    url: str | None = None,
    sha256: str | None | Literal["auto"] = "auto",
    download: bool = True,
    progress: bool = True,
    max_review_bytes: int = DEFAULT_MAX_REVIEW_BYTES,
    follow_symlinks: bool = False,
    num_threads: int | None = None,
    order: Literal["shuffled", "sorted", "keras_imdb"] = "shuffled",
) -> IMDB:
    """Load the labeled IMDB reviews with a reproducible validation split.

    Each split comes in a seeded shuffled order (``order="shuffled"``, the
    default), so that a slice such as ``data.train.texts[:4000]`` holds both
    classes; ``order="sorted"`` gives the class-sorted order instead (all
    negative reviews, then all positive ones, each by file name), the order of
    ``keras.utils.text_dataset_from_directory(shuffle=False)``. Which reviews
    land in which split does not depend on ``order``.

    Args:
        source: an extracted ``aclImdb`` directory (or its parent), the
            ``.tar.gz``/``.tar``, a ``.csv``, or None for the cache/download.
        validation_split: fraction of each class of the train split moved to
            validation (the rule in the module docstring); in ``[0, 1)``.
        seed: seed of the validation split, ``train_size`` sampling, the
            CSV shuffle and the order of the rows.
        train_size: keep this many training reviews (stratified, seeded).
        encoding_errors: ``"strict"``: a review that is not valid UTF-8 raises
            ValueError naming the file; ``"replace"``: decode it with U+FFFD,
            count it in ``IMDB.replaced`` and warn (UnicodeWarning).
        csv_split: for a CSV: ``"column"`` uses its ``split`` column
            (train/validation/test; validation from ``validation_split`` when it
            has no validation rows); ``"shuffle"`` is the seed notebook's split:
            row indices shuffled with ``random.Random(seed).shuffle``, the first
            ``int(0.7 n)`` to train, the next ``int(0.1 n)`` to validation, the
            rest (~20 %) to test (``validation_split`` is not used);
            ``"pandas"``: the same slices of the rows in the order of pandas'
            ``df.sample(frac=1, random_state=seed)`` (seed 004's split with
            ``seed=12``: ``np.random.RandomState(seed).choice(n, n,
            replace=False)``); ``"auto"``: ``"column"`` if there is a split
            column (and ``pool`` is off), else ``"shuffle"``.
        csv_fractions: the (train, validation, test) fractions of
            ``"shuffle"`` and ``"pandas"``.
        pool: pool the labeled reviews and split them as a CSV without a
            split column (``csv_split``: ``"shuffle"``, or ``"pandas"``;
            ``"auto"`` is ``"shuffle"``; ``validation_split`` is not used).
            For a directory or archive the pooled order is the train split's
            rows, then the test split's, each sorted (class, then file name),
            and file names get their split as a prefix (``"test/5_3.txt"``):
            the order of a Kaggle-format CSV written from them. Seed 004's
            split of the archive: ``pool=True, csv_split="pandas", seed=12``.
        url: download URL when ``source`` is None and the cache is empty (else
            ``$IMDBFAST_IMDB_URL``, else the official URL).
        sha256: expected sha256 of the download; ``"auto"``:
            ``$IMDBFAST_IMDB_SHA256`` if set (``"none"`` skips), else the
            official archive's digest; None skips the check.
        download: allow the download when the cache is empty.
        progress: show a progress bar while downloading.
        max_review_bytes: the largest review accepted (64 MiB by default; a CSV
            line or field is held to the same number of bytes/characters). The
            limit is enforced while reading, so a huge or lying file costs no
            more memory than the limit; a larger review is a ValueError naming
            the file.
        follow_symlinks: for a directory source, read class folders and review
            files that are symbolic links. By default they are refused, as
            archives refuse links, so that nothing outside the tree is read.
        num_threads: threads that read and decode the reviews (None: the
            ``IMDBFAST_NUM_THREADS`` environment variable if set, else one per
            core; 1: no thread pool), as :class:`imdbfast.Tokenizer`'s.
        order: ``"shuffled"`` (default): the rows of each split in a seeded
            random order (``numpy.random.default_rng((seed, k)).permutation``
            of the sorted rows, ``k`` = 0, 1, 2 for train, validation, test);
            ``"sorted"``: by class (neg, then pos), then file name;
            ``"keras_imdb"``: ``keras.datasets.imdb.load_data``'s shuffle,
            transcribed: one ``np.random.RandomState(113)`` shuffles the
            indices of the sorted train rows, then those of the test rows (then
            those of a CSV's own validation rows); the validation split and
            ``train_size`` then take their rows in that order. With
            ``validation_split=0`` the train and test splits are in
            ``load_data()``'s order of the same reviews.

    Returns:
        An :class:`IMDB` with ``train``, ``validation`` and ``test`` splits.

    Raises:
        ValueError: bad arguments; a corrupt or unsafe archive, a missing class
            folder, an empty split, an unknown CSV label or invalid UTF-8 (the
            file is named); a checksum mismatch.
        FileNotFoundError: ``source`` does not exist.
        OSError: reading or downloading failed.
    """
    if isinstance(validation_split, bool) or not isinstance(validation_split, (int, float)):
        raise TypeError(f"validation_split must be a float. Received: {validation_split!r}")
    if not 0 <= validation_split < 1:
        raise ValueError(f"validation_split must be in [0, 1). Received: {validation_split}")
    if train_size is not None and (
        isinstance(train_size, bool) or not isinstance(train_size, (int, np.integer)) or train_size < 1
    ):
        raise ValueError(f"train_size must be a positive int or None. Received: {train_size!r}")
    if encoding_errors not in ("strict", "replace"):
        raise ValueError(
            f"encoding_errors must be 'strict' or 'replace'. Received: {encoding_errors!r}"
        )
    if (
        isinstance(max_review_bytes, bool)
        or not isinstance(max_review_bytes, (int, np.integer))
        or max_review_bytes < 1
    ):
        raise ValueError(
            f"max_review_bytes must be a positive int. Received: {max_review_bytes!r}"
        )
    max_review_bytes = int(max_review_bytes)
    if order not in ORDERS:
        raise ValueError(
            f"order must be one of {', '.join(map(repr, ORDERS))}. Received: {order!r}"
        )
    if csv_split not in CSV_SPLITS:
        raise ValueError(
            f"csv_split must be one of {', '.join(map(repr, CSV_SPLITS))}. "
            f"Received: {csv_split!r}"
        )
    if pool and csv_split == "column":
        raise ValueError(
            "pool=True splits the pooled reviews: csv_split must be 'auto', 'shuffle' "
            f"or 'pandas'. Received: {csv_split!r}"
        )
    num_threads = check_num_threads(num_threads)
    replace = encoding_errors == "replace"
    path = (
        _resolve_download(url, sha256, download, progress)
        if source is None
        else Path(os.fspath(source))
    )
    if not path.exists():
        raise FileNotFoundError(f"IMDB source not found. Received: {os.fspath(path)!r}")
    name = path.name.lower()
    validation: Split | None = None
    if path.is_dir():
        train_parts, test_parts, replaced = _native.imdb_read_dir(
            path, replace, max_review_bytes, bool(follow_symlinks), num_threads=num_threads
        )
        train, test = _split_from_parts(train_parts), _split_from_parts(test_parts)
    elif name.endswith(".csv"):
        train, test, validation, replaced = _load_csv(
            path,
            csv_split=csv_split,
            csv_fractions=csv_fractions,
            seed=seed,
            replace=replace,
            max_review_bytes=max_review_bytes,
            pool=bool(pool),
        )
    elif name.endswith((".tar.gz", ".tgz", ".tar")) or _is_gzip(path):
        train_parts, test_parts, replaced = _native.imdb_read_tar(
            path, replace, max_review_bytes, num_threads=num_threads
        )
        train, test = _split_from_parts(train_parts), _split_from_parts(test_parts)
    else:
        raise _unknown_source(path)
    if pool and not name.endswith(".csv"):
        mode = "shuffle" if csv_split == "auto" else csv_split
        train, test, validation = _split_pool(
            _pooled(train, test), mode, csv_fractions, seed, os.fspath(path)
        )
    return _finish(
        train,
        test,
        validation,
        validation_split=float(validation_split),
        seed=seed,
        train_size=None if train_size is None else int(train_size),
        source=os.fspath(path),
        replaced=replaced,
        order=order,
    )


def _unknown_source(path: Path) -> ValueError:
    return ValueError(
        "source must be an aclImdb directory, a .tar.gz/.tar archive or a .csv "
        f"file. Received: {os.fspath(path)!r}"
    )


def check_source(source: str | os.PathLike[str]) -> None:
    """Quick checks of an IMDB source, for a command to run before it starts
    anything heavy (a Keras backend): the path exists, is one of the kinds
    :func:`load_imdb` reads, and an archive starts with a readable tar header
    (only that header is read). Passing them does not promise that the whole
    source loads.

    Args:
        source: a path, as for :func:`load_imdb`.

    Raises:
        FileNotFoundError: ``source`` does not exist.
        ValueError: it is not a directory, a .csv or a tar archive, or the
            archive is corrupt at its start (the file is named).
    """
    path = Path(os.fspath(source))
    if not path.exists():
        raise FileNotFoundError(f"IMDB source not found. Received: {os.fspath(path)!r}")
    name = path.name.lower()
    if path.is_dir() or name.endswith(".csv"):
        return
    if not (name.endswith((".tar.gz", ".tgz", ".tar")) or _is_gzip(path)):
        raise _unknown_source(path)
    try:
        # Opening for reading reads the first member's header only.
        with tarfile.open(path, "r:*"):
            pass
    except PermissionError:
        raise
    except (tarfile.TarError, EOFError, OSError) as err:
        raise ValueError(
            f"{os.fspath(path)}: corrupt or truncated archive (its first tar header "
            f"cannot be read: {err})"
        ) from None


def _is_gzip(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(2) == b"\x1f\x8b"
