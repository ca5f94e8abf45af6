"""``imdbfast experiment``: run a study from the command line.

Examples::

    imdbfast experiment --list
    imdbfast experiment sequence-length --output-dir studies --epochs 3 \\
        --data ../shared/data/aclImdb_v1_labeled.tar.gz
    imdbfast experiment my-study.toml --data aclImdb/ --output-dir studies \\
        --train-size 400 --epochs 1 --repeats 1 -q

:func:`add_experiment_parser` adds the subcommand to the ``imdbfast`` parser;
:func:`cmd_experiment` runs it. Invalid studies and options raise
:class:`~imdbfast.experiments.study.StudyError` (a ``ValueError``), which the
command line prints as one ``imdbfast: error: ...`` line, before any training.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from imdbfast._cli_support import (
    add_verbose,
    check_data,
    existing_path,
    int_at_least,
    start_backend,
)
from imdbfast.errors import require_matplotlib
from imdbfast.experiments.builtin import BUILTIN_STUDIES, builtin_study
from imdbfast.experiments.study import Study, StudyError, load_study

_DESCRIPTION = """\
Run a study: a base configuration, axes (grid or zipped) and several seeds per
cell. STUDY is a built-in study (see --list) or a .toml/.json study file. Results
go to OUTPUT_DIR/<study name>: results.jsonl (one line per finished run; a rerun
of the same command skips finished runs), results.csv, summary.csv, summary.md,
PNG plots and report.html. The options below override the base configuration of
every cell (--train-size caps the values of a train_size axis)."""

_EPILOG = """\
examples:
  imdbfast experiment --list
  imdbfast experiment training-size --data ../shared/data/aclImdb_v1_labeled.tar.gz \\
      --output-dir studies --epochs 3 --repeats 2
  imdbfast experiment models --data aclImdb/ --train-size 400 --epochs 1 -q
  imdbfast experiment presets --data ../shared/data/aclImdb_v1_labeled.tar.gz \\
      --glove ../shared/data/glove.6B.50d.txt.gz --repeats 2"""


def add_experiment_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Adds the ``experiment`` subcommand to an ``add_subparsers()`` object.

    Args:
        subparsers: the ``imdbfast`` parser's subcommands.

    Returns:
        The subcommand's parser (its handler is :func:`cmd_experiment`).
    """
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "experiment",
        help="run a study (sweep, repeated seeds) and write its tables, plots and "
        "HTML report",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "study",
        metavar="STUDY",
        nargs="?",
        default=None,
        help="a built-in study name or a .toml/.json study file",
    )
    parser.add_argument(
        "--list", action="store_true", help="list the built-in studies and exit"
    )
    parser.add_argument(
        "--data",
        metavar="PATH",
        type=existing_path,
        default=None,
        help="IMDB source: the aclImdb .tar.gz, an extracted directory "
        "or a CSV (default: the user cache, downloading it if needed)",
    )
    parser.add_argument(
        "--output-dir",
        metavar="DIR",
        default="studies",
        help="parent of the study directory (default: studies)",
    )
    parser.add_argument(
        "--epochs",
        metavar="N",
        type=int_at_least(1),
        default=None,
        help="epochs of every run",
    )
    parser.add_argument(
        "--repeats",
        metavar="K",
        type=int_at_least(1),
        default=None,
        help="seeds per cell (default: the study's)",
    )
    parser.add_argument(
        "--train-size",
        metavar="N",
        type=int_at_least(2),
        default=None,
        help="train on at most N reviews (stratified); caps a train_size axis",
    )
    parser.add_argument(
        "--glove",
        metavar="SOURCE",
        default=None,
        help="GloVe vectors for GloVe cells: a .txt/.gz/.zip path or a "
        "name like glove.6B.50d (the presets study trains its GloVe presets "
        "only when given)",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="check the study and list its cells and runs; train nothing",
    )
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="write the tables, plots and report from the finished runs; train nothing",
    )
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="no Keras progress bars (the progress line over runs stays)",
    )
    add_verbose(parser)
    parser.set_defaults(handler=cmd_experiment)
    return parser


def resolve_study(name_or_path: str, *, glove: bool = False) -> Study:
    """A built-in study by name, or a study file by path.

    Args:
        name_or_path: a built-in study name or a ``.toml``/``.json`` file.
        glove: a GloVe source was given (see
            :func:`~imdbfast.experiments.builtin.builtin_study`).

    Raises:
        StudyError: if it is neither, or the file is not a valid study.
    """
    if name_or_path in BUILTIN_STUDIES:
        return builtin_study(name_or_path, glove=glove)
    if os.path.exists(name_or_path) or name_or_path.lower().endswith(
        (".toml", ".json")
    ):
        if not os.path.exists(name_or_path):
            raise StudyError(f"study file not found: {name_or_path}")
        return load_study(name_or_path)
    return builtin_study(name_or_path)  # raises, listing the built-in studies


def _list_studies() -> None:
    for name, study in BUILTIN_STUDIES.items():
        cells = study.cells()
        axes = " x ".join(f"{a.name} ({', '.join(a.labels)})" for a in study.axes)
        print(f"{name}: {study.description}")
        print(f"    {len(cells)} cells x {study.repeats} seeds; axes: {axes}")


def cmd_experiment(args: argparse.Namespace) -> int:
    """Runs ``imdbfast experiment`` (see the module docstring).

    Returns:
        0 when every run of the study has finished.
    """
    if args.list:
        _list_studies()
        return 0
    if args.study is None:
        raise StudyError("expected a STUDY (a built-in name or a study file) or --list")
    study = resolve_study(args.study, glove=args.glove is not None)
    overrides: dict[str, Any] = {}
    if args.data is not None:
        overrides["data_source"] = args.data
    if args.epochs is not None:
        overrides["epochs"] = args.epochs
    if args.train_size is not None:
        overrides["train_size"] = args.train_size
    if args.glove is not None:
        overrides["glove_source"] = args.glove
    repeats = args.repeats if args.repeats is not None else study.repeats
    cells = study.cells(overrides)  # checks every cell before anything runs
    if args.dry_run:
        print(f"{study.name}: {len(cells)} cells x {repeats} seeds")
        for cell in cells:
            refs = "".join(
                f"; reference {r.metric} {r.value:.3f} ({r.label})"
                for r in cell.references
            )
            print(
                f"  {cell.label} (seed {cell.config.seed}..."
                f"{cell.config.seed + repeats - 1}){refs}"
            )
        return 0
    # What needs no backend is checked before it starts (seconds): the
    # dependencies, the data and the study directory.
    from imdbfast.experiments.runner import check_study_dir, run_study

    require_matplotlib("imdbfast experiment")
    check_data(args.data)
    check_study_dir(Path(args.output_dir) / study.name, study)
    if not args.report_only:
        start_backend(args.verbose)

    results = run_study(
        study,
        args.output_dir,
        overrides=overrides,
        repeats=repeats,
        quiet=args.quiet,
        train=not args.report_only,
    )
    print(
        f"study {study.name}: {len(results.records)} of "
        f"{len(results.cells) * results.repeats} runs finished "
        f"({results.ran} trained now)"
    )
    print(results.table(), end="")
    print(f"report: {results.directory / 'report.html'}")
    sys.stdout.flush()
    return 0
