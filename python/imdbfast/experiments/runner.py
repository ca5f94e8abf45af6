"""Running a study: shared preparations, resumable results, progress.

:func:`run_study` writes into ``output_dir / study.name``:

- ``study.json``: the study's identity (its name) and its latest definition;
  a directory holding another study's results is refused;
- ``results.jsonl``: one JSON line per finished run, appended atomically (one
  ``write``, then ``fsync``) as soon as the run ends. A rerun skips the runs
  whose key (:func:`~imdbfast.experiments.study.config_key` of the run's
  config, seed included) is already there, so an interrupted study continues
  where it stopped, and changing the study adds or drops cells without
  touching finished ones. A trailing partial line (a crash while writing) is
  dropped;
- ``runs/``: each run's directory (model, tokenizer, metrics, plots);
- the tables, plots and ``report.html`` of :mod:`imdbfast.experiments.report`.

Runs go seed by seed (every cell's first seed, then every cell's second...),
grouped so that runs with the same data and tokenizer configuration follow
one another: IMDB is loaded, the tokenizer fitted and the splits encoded once
per group (:func:`imdbfast.training.prepare`), and the GloVe matrix is looked
up once per vocabulary.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime
import json
import math
import os
import re
import shutil
import signal
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from imdbfast._files import (
    LARGE_FILE_BYTES,
    atomic_write,
    decode,
    loads_json,
    read_bytes,
    read_json,
)
from imdbfast.experiments.study import (
    Cell,
    Study,
    StudyError,
    check_run_count,
    config_key,
)

STUDY_FILE = "study.json"
LOCK_FILE = ".lock"
RESULTS_FILE = "results.jsonl"
RUNS_DIR = "runs"
_STUDY_FORMAT = "imdbfast.Study"
_RECORD_FORMAT = "imdbfast.StudyRun"
_VERSION = 1


@dataclasses.dataclass(frozen=True)
class PlannedRun:
    """One run of a cell: the cell, the repeat index and the run's config."""

    cell: Cell
    repeat: int
    config: Any
    key: str


def plan_runs(cells: Iterable[Cell], repeats: int) -> list[PlannedRun]:
    """Every run of the cells, seed by seed (all first seeds, then the second...).

    Runs whose configs are identical (two cells meeting at one seed) appear once.
    Linear in ``repeats``.

    Raises:
        StudyError: more than :data:`~imdbfast.experiments.study.MAX_RUNS` runs.
    """
    runs: list[PlannedRun] = []
    seen: set[str] = set()
    cells = list(cells)
    check_run_count(len(cells), repeats)
    for repeat in range(repeats):
        for cell in cells:
            config = cell.run_config(repeat)
            key = config_key(config)
            if key not in seen:
                seen.add(key)
                runs.append(PlannedRun(cell, repeat, config, key))
    return runs


# --- the results file ------------------------------------------------------------


def read_records(path: Path, study_name: str) -> tuple[list[dict[str, Any]], int]:
    """The finished runs in a results file, and the byte length of its whole lines.

    A last line without its newline (a crash while writing it) is ignored.

    Raises:
        StudyError: if the file is not a regular file of at most 2 GiB, or a
            complete line is not a run record of this study (not UTF-8, not
            JSON, nested too deeply, or without its ``key``).
    """
    if not path.exists():
        return [], 0
    data = read_bytes(path, what="results file", max_bytes=LARGE_FILE_BYTES,
                      error=StudyError)
    end = data.rfind(b"\n") + 1
    records = []
    for number, line in enumerate(data[:end].splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}, line {number}"
        try:
            text = decode(line, where, what="run record", error=StudyError)
            record = loads_json(text, where, what="run record", error=StudyError)
        except StudyError as err:
            raise StudyError(f"{err}; move the file away or repair it") from None
        if (
            not isinstance(record, dict)
            or record.get("format") != _RECORD_FORMAT
            or not isinstance(record.get("key"), str)
        ):
            raise StudyError(
                f"{where}: not an imdbfast study run record (an object with "
                f"format {_RECORD_FORMAT!r} and a string 'key')"
            )
        if record.get("study") != study_name:
            raise StudyError(
                f"{path} holds results of study {record.get('study')!r}, not "
                f"{study_name!r}; refusing to mix them (choose another output "
                "directory)"
            )
        records.append(record)
    return records, end


def append_record(path: Path, record: Mapping[str, Any]) -> bytes:
    """Appends one run record as one line, durably (one write, flush, fsync).

    Returns:
        The bytes written.
    """
    line = (json.dumps(record, separators=(",", ":")) + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        view = memoryview(line)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    finally:
        os.close(fd)
    return line


def check_study_dir(
    directory: Path, study: Study
) -> tuple[list[dict[str, Any]], int]:
    """Checks a study directory without changing it (a missing one is fine).

    Reads ``study.json`` and ``results.jsonl`` as :func:`open_study_dir`
    does; a command runs it before the backend starts, so that a directory
    of another study or a corrupt results file is one line at once.

    Returns:
        The finished runs and the byte length of the whole lines of
        ``results.jsonl`` (see :func:`read_records`).

    Raises:
        StudyError: if the directory belongs to another study or its files
            are not what they should be.
    """
    if directory.exists() and not directory.is_dir():
        raise StudyError(f"study directory is not a directory: {directory}")
    study_file = directory / STUDY_FILE
    results = directory / RESULTS_FILE
    if study_file.exists():
        payload = read_json(study_file, what="study directory file", error=StudyError)
        if not isinstance(payload, dict) or payload.get("format") != _STUDY_FORMAT:
            raise StudyError(f"{study_file} is not an imdbfast study file")
        if payload.get("name") != study.name:
            raise StudyError(
                f"{directory} holds the results of study {payload.get('name')!r}, not "
                f"{study.name!r}; refusing to mix them (choose another output "
                "directory)"
            )
    elif results.exists():
        raise StudyError(
            f"{results} exists without {STUDY_FILE}; refusing to mix results of an "
            "unknown study (choose another output directory)"
        )
    return read_records(results, study.name)


def open_study_dir(directory: Path, study: Study) -> list[dict[str, Any]]:
    """Checks (or creates) a study directory and returns its finished runs.

    Drops a trailing partial line from ``results.jsonl`` so that appends start
    on a line of their own, and records the study in ``study.json``.

    Raises:
        StudyError: if the directory belongs to another study.
    """
    records, end = check_study_dir(directory, study)
    study_file = directory / STUDY_FILE
    results = directory / RESULTS_FILE
    directory.mkdir(parents=True, exist_ok=True)
    if results.exists() and results.stat().st_size != end:
        with open(results, "r+b") as f:
            f.truncate(end)
            f.flush()
            os.fsync(f.fileno())
    payload = {
        "format": _STUDY_FORMAT,
        "version": _VERSION,
        "name": study.name,
        "study": study.to_dict(),
        "updated": _now(),
    }
    with atomic_write(study_file) as out:
        out.write((json.dumps(payload, indent=2, default=str) + "\n").encode("utf-8"))
    return records


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


@contextmanager
def _study_lock(directory: Path) -> Iterator[None]:
    """Holds an exclusive lock on a study directory (POSIX ``flock``).

    A second process running the same study would train the same runs twice;
    it is refused instead. The kernel drops the lock when the process ends,
    however it ends. The lock file is removed (while still locked) when the
    block ends, so a finished study directory holds no ``.lock``; a process
    that locked a file just removed this way sees that the path no longer
    names it and is refused like any other second process.

    Raises:
        StudyError: if another process holds the lock.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock
        yield
        return
    path = directory / LOCK_FILE
    with open(path, "a", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            try:
                current = os.stat(path)
            except FileNotFoundError:
                raise BlockingIOError from None
            mine = os.fstat(handle.fileno())
            if (current.st_dev, current.st_ino) != (mine.st_dev, mine.st_ino):
                raise BlockingIOError
        except BlockingIOError:
            raise StudyError(
                f"another imdbfast experiment is running in {directory}; wait for it "
                "to finish or stop it"
            ) from None
        try:
            yield
        finally:
            path.unlink(missing_ok=True)
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


@contextmanager
def _noting_interrupts(interrupted: threading.Event) -> Iterator[None]:
    """Sets ``interrupted`` on SIGINT (Ctrl-C), then lets the handler in place act.

    Python raises KeyboardInterrupt wherever the main thread is; if that is a
    finalizer (TensorFlow runs many), the exception is printed and dropped and
    training goes on. The event lets the runner still drop that run and stop.
    Only in the main thread, and only over a handler that is a Python function
    (the default one raises KeyboardInterrupt).
    """
    previous = signal.getsignal(signal.SIGINT)
    if threading.current_thread() is not threading.main_thread() or not callable(
        previous
    ):
        yield
        return

    def note(signum: int, frame: Any) -> None:
        interrupted.set()
        previous(signum, frame)

    signal.signal(signal.SIGINT, note)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


# --- preparations -----------------------------------------------------------------


class _Preparations:
    """The data preparations of the current group of runs.

    Keyed by :func:`imdbfast.training.preparation_key` without
    ``glove_source``: runs that differ only in their embedding share the
    loaded splits, the tokenizer and the encoded ids; the GloVe matrix is
    looked up once per source for that vocabulary.
    """

    def __init__(self) -> None:
        self.text_key: Any = None
        self.base: Any = None
        self.variants: dict[Any, Any] = {}
        self.count = 0

    @staticmethod
    def text_key_of(config: Any) -> Any:
        from imdbfast import training

        return tuple(
            p for p in training.preparation_key(config) if p[0] != "glove_source"
        )

    def get(self, config: Any) -> Any:
        from imdbfast import training

        key = training.preparation_key(config)
        text_key = self.text_key_of(config)
        if text_key != self.text_key:  # a new group: free the previous one
            self.text_key, self.base, self.variants = text_key, None, {}
        if key in self.variants:
            return self.variants[key]
        if self.base is None:
            prepared = training.prepare(config)
            self.count += 1
            self.base = prepared
        else:
            prepared = self._derive(self.base, config, key)
        self.variants[key] = prepared
        return prepared

    @staticmethod
    def _derive(base: Any, config: Any, key: Any) -> Any:
        """The preparation for ``config`` from one that differs only in GloVe."""
        glove = None
        seconds = {"load": 0.0, "tokenize": 0.0, "glove": 0.0}
        if config.uses_glove:
            from imdbfast.embeddings import load_glove

            start = time.perf_counter()
            glove = load_glove(config.glove_source, base.tokenizer.get_vocabulary())
            seconds["glove"] = time.perf_counter() - start
        return dataclasses.replace(base, key=key, glove=glove, seconds=seconds)


def _group_by_preparation(runs: list[PlannedRun]) -> list[PlannedRun]:
    """The runs reordered so that runs sharing a preparation are adjacent.

    Groups keep the order of their first run; runs keep their order in a group.
    """
    groups: dict[Any, list[PlannedRun]] = {}
    for run in runs:
        groups.setdefault(_Preparations.text_key_of(run.config), []).append(run)
    return [run for group in groups.values() for run in group]


# --- running ------------------------------------------------------------------------


def _run_name(run: PlannedRun) -> str:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", run.cell.label).strip("-")[:48]
    return f"{slug}-seed{run.config.seed}-{run.key[:8]}"


def _record(
    study: Study,
    run: PlannedRun,
    result: Any,
    prepared: Any,
    seconds: Mapping[str, float],
    run_dir: Path,
    *,
    shared: bool,
) -> dict[str, Any]:
    history = {k: [float(v) for v in vals] for k, vals in result.history.items()}
    best = result.best_epoch - 1
    glove = prepared.glove
    return {
        "format": _RECORD_FORMAT,
        "version": _VERSION,
        "study": study.name,
        "key": run.key,
        "cell_key": run.cell.key,
        "cell": run.cell.label,
        "values": dict(run.cell.values),
        "repeat": run.repeat,
        "seed": run.config.seed,
        "config": run.config.to_dict(),
        "resolved": dict(result.resolved),
        "test": result.metrics(),
        "validation": {
            k[4:]: v[best]
            for k, v in history.items()
            if k.startswith("val_") and best < len(v)
        },
        "best_epoch": result.best_epoch,
        "epochs_run": len(history.get("loss", [])),
        "history": history,
        "seconds": dict(seconds),
        "shared_preparation": shared,
        "examples": {
            name: len(getattr(prepared.imdb, name))
            for name in ("train", "validation", "test")
        },
        "vocabulary_size": int(prepared.tokenizer.vocabulary_size()),
        "glove": None
        if glove is None
        else {
            "hits": int(glove.hits),
            "misses": int(glove.misses),
            "dim": int(glove.dim),
        },
        "run_dir": os.fspath(run_dir),
        "finished": _now(),
    }


def _mean_std(values: list[float]) -> tuple[float, float | None]:
    mean = sum(values) / len(values)
    if len(values) < 2:
        return mean, None
    var = sum((v - mean) ** 2 for v in values) / (len(values) - 1)
    return mean, math.sqrt(var)


def describe_cell(cell: Cell, records: Sequence[Mapping[str, Any]]) -> str:
    """One line: the cell's test accuracy (mean ± std, n) and its references."""
    accuracies = [r["test"]["accuracy"] for r in records]
    text = f"{cell.label}: "
    if accuracies:
        mean, std = _mean_std(accuracies)
        spread = f" ± {std:.4f}" if std is not None else ""
        text += f"accuracy {mean:.4f}{spread} (n={len(accuracies)})"
    else:
        text += "no finished runs"
    for ref in cell.references:
        text += f"; reference {ref.metric} {ref.value:.3f} ({ref.label})"
    return text


@dataclasses.dataclass
class StudyResults:
    """What :func:`run_study` returns.

    Attributes:
        study: the study that ran.
        directory: the study directory (``output_dir / study.name``).
        cells: the cells, with the overrides applied.
        repeats: runs per cell.
        records: the finished run records of these cells (one dict per run,
            as in ``results.jsonl``), in study order.
        ignored: records in ``results.jsonl`` of runs that are not part of
            the study any more (they stay in the file).
        overrides: the TrainConfig overrides the study ran with.
        preparations: how many data preparations this call made.
        ran: how many runs this call trained.
    """

    study: Study
    directory: Path
    cells: list[Cell]
    repeats: int
    records: list[dict[str, Any]]
    ignored: int = 0
    overrides: dict[str, Any] = dataclasses.field(default_factory=dict)
    preparations: int = 0
    ran: int = 0
    _cell_of_run: dict[str, Cell] = dataclasses.field(
        default_factory=dict, init=False, repr=False
    )

    def cell_of(self, record: Mapping[str, Any]) -> Cell:
        """The cell a finished run belongs to in the study as it is now.

        Matched by the run's key (its config and seed), like finished runs are,
        not by the cell the run was recorded under.
        """
        return self._planned()[record["key"]]

    def _planned(self) -> dict[str, Cell]:
        """The cell of each planned run, by run key (planned once)."""
        if not self._cell_of_run:
            runs = plan_runs(self.cells, self.repeats)
            self._cell_of_run.update((run.key, run.cell) for run in runs)
        return self._cell_of_run

    def records_of(self, cell: Cell) -> list[dict[str, Any]]:
        """The finished runs of one cell."""
        return [r for r in self.records if self.cell_of(r).key == cell.key]

    @property
    def complete(self) -> bool:
        """Whether every planned run has finished."""
        return len(self.records) == len(self._planned())

    def summary(self) -> list[dict[str, Any]]:
        """One row per cell (see :func:`imdbfast.experiments.report.summary_rows`)."""
        from imdbfast.experiments.report import summary_rows

        return summary_rows(self)

    def table(self) -> str:
        """The summary as a Markdown table."""
        from imdbfast.experiments.report import summary_markdown

        return summary_markdown(self)


def _select(
    records: list[dict[str, Any]], runs: list[PlannedRun]
) -> tuple[list[dict[str, Any]], int]:
    by_key: dict[str, dict[str, Any]] = {}
    for record in records:
        by_key.setdefault(record["key"], record)  # first wins
    order = {run.key: (run.cell.index, run.repeat) for run in runs}
    chosen = [by_key[k] for k in order if k in by_key]
    chosen.sort(key=lambda r: order[r["key"]])
    ignored = sum(1 for k in by_key if k not in order)
    return chosen, ignored


def run_study(
    study: Study,
    output_dir: str | os.PathLike[str],
    *,
    overrides: Mapping[str, Any] | None = None,
    repeats: int | None = None,
    quiet: bool = False,
    progress: bool = True,
    log: Callable[[str], None] | None = None,
    train: bool = True,
    report: bool = True,
) -> StudyResults:
    """Runs a study's unfinished runs and writes its tables, plots and report.

    Args:
        study: the :class:`Study`.
        output_dir: parent of the study directory (``output_dir/study.name``).
        overrides: TrainConfig fields applied to every cell's base (e.g.
            ``{"epochs": 1, "data_source": "aclImdb/"}``); see
            :meth:`Study.cells`.
        repeats: runs per cell; None = the study's ``repeats``.
        quiet: silence Keras' per-epoch progress bars.
        progress: show a progress line over the runs (elapsed time, ETA).
        log: called with one line per finished run and per finished cell
            (default: written above the progress line on stderr; pass
            ``lambda line: None`` for silence).
        train: False writes the outputs of the finished runs only.
        report: write the tables, plots and ``report.html``.

    Returns:
        A :class:`StudyResults`.

    Raises:
        StudyError: for an invalid study or overrides (before any training),
            a study directory that belongs to another study, or one that
            another process is running.
        KeyboardInterrupt: when interrupted (Ctrl-C); finished runs are kept,
            the run in progress is not recorded, and a rerun continues.
    """
    repeats = study.repeats if repeats is None else repeats
    if isinstance(repeats, bool) or not isinstance(repeats, int) or repeats < 1:
        raise StudyError(f"repeats must be an integer >= 1. Received: {repeats!r}")
    check_run_count(study.grid_size, repeats, f"study {study.name!r}")
    overrides = dict(overrides or {})
    cells = study.cells(overrides)
    runs = plan_runs(cells, repeats)
    directory = Path(output_dir) / study.name
    if directory.exists() and not directory.is_dir():
        raise StudyError(f"study directory is not a directory: {directory}")
    directory.mkdir(parents=True, exist_ok=True)
    with _study_lock(directory):
        return _run_locked(
            study,
            directory,
            cells,
            runs,
            repeats,
            overrides,
            quiet=quiet,
            progress=progress,
            log=log,
            train=train,
            report=report,
        )


def _run_locked(
    study: Study,
    directory: Path,
    cells: list[Cell],
    runs: list[PlannedRun],
    repeats: int,
    overrides: dict[str, Any],
    *,
    quiet: bool,
    progress: bool,
    log: Callable[[str], None] | None,
    train: bool,
    report: bool,
) -> StudyResults:
    """The body of :func:`run_study`, with the study directory locked."""
    from tqdm.auto import tqdm

    records = open_study_dir(directory, study)
    done = {r["key"] for r in records}
    pending = _group_by_preparation([run for run in runs if run.key not in done])
    runs_dir = directory / RUNS_DIR
    preparations = _Preparations()
    write = log or tqdm.write
    cell_of_run = {run.key: run.cell.key for run in runs}
    by_cell: dict[str, list[dict[str, Any]]] = {cell.key: [] for cell in cells}
    for record in records:
        cell_key = cell_of_run.get(record["key"])
        if cell_key is not None:
            by_cell[cell_key].append(record)
    runs_of_cell = collections.Counter(run.cell.key for run in runs)
    bar = tqdm(
        total=len(runs),
        initial=len(runs) - len(pending),
        unit="run",
        desc=study.name,
        file=sys.stderr,
        dynamic_ncols=True,
        disable=not progress or not (train and pending),
        bar_format="{desc}: {n_fmt}/{total_fmt} runs |{bar}| "
        "elapsed {elapsed}, ETA {remaining}{postfix}",
    )
    ran = 0
    interrupted = threading.Event()
    try:
        with _noting_interrupts(interrupted):
            for run in pending if train else []:
                bar.set_postfix_str(f"{run.cell.label}, seed {run.config.seed}")
                start = time.perf_counter()
                config = run.config.replace(
                    output_dir=os.fspath(runs_dir),
                    run_name=_run_name(run),
                    verbose=0 if quiet else run.config.verbose,
                )
                partial = runs_dir / config.run_name
                if partial.exists():  # left by an interrupted attempt of this run
                    shutil.rmtree(partial)
                before = preparations.count
                prep_start = time.perf_counter()
                prepared = preparations.get(config)
                prepare_seconds = time.perf_counter() - prep_start
                from imdbfast import training

                result = training.train(config, prepared=prepared)
                seconds = {k: float(v) for k, v in result.seconds.items()}
                seconds["prepare"] = prepare_seconds
                seconds["wall"] = time.perf_counter() - start
                record = _record(
                    study,
                    run,
                    result,
                    prepared,
                    seconds,
                    Path(RUNS_DIR) / config.run_name,
                    shared=preparations.count == before,
                )
                if interrupted.is_set():
                    # Ctrl-C during the run that got lost on its way (raised in
                    # a finalizer, it is only printed): the run does not count.
                    raise KeyboardInterrupt
                append_record(directory / RESULTS_FILE, record)
                ran += 1
                bar.update(1)
                cell_records = by_cell[run.cell.key]
                cell_records.append(record)
                fit = result.seconds.get("fit", 0.0)
                write(
                    f"{run.cell.label}, seed {run.config.seed}: test accuracy "
                    f"{result.test_accuracy:.4f} (fit {fit:.1f} s)"
                )
                if len(cell_records) == runs_of_cell[run.cell.key]:
                    write("cell done: " + describe_cell(run.cell, cell_records))
    except KeyboardInterrupt:
        bar.close()
        write(
            f"interrupted: {len(runs) - len(pending) + ran} of {len(runs)} runs are "
            f"finished in {directory / RESULTS_FILE}; run the same command again "
            "to continue"
        )
        raise
    finally:
        bar.close()
    all_records, _ = read_records(directory / RESULTS_FILE, study.name)
    chosen, ignored = _select(all_records, runs)
    results = StudyResults(
        study=study,
        directory=directory,
        cells=cells,
        repeats=repeats,
        records=chosen,
        ignored=ignored,
        overrides=overrides,
        preparations=preparations.count,
        ran=ran,
    )
    if report:
        from imdbfast.experiments.report import write_outputs

        write_outputs(results)
    return results
