"""What the command-line tools share: argparse types, the ``--verbose`` flag,
quiet start-up of the Keras backend and the phase lines of ``train()``.

Used by :mod:`imdbfast.cli` and :mod:`imdbfast.experiments.cli`.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from imdbfast._quiet import native_stderr_held

__all__ = [
    "add_verbose",
    "check_data",
    "existing_path",
    "float_where",
    "int_at_least",
    "native_stderr_held",
    "phase_lines",
    "start_backend",
]


def int_at_least(minimum: int) -> Any:
    """An argparse type: an integer of at least ``minimum``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected an integer, got {text!r}"
            ) from None
        if value < minimum:
            raise argparse.ArgumentTypeError(
                f"expected an integer >= {minimum}, got {value}"
            )
        return value

    parse.__name__ = "integer"
    return parse


def float_where(accept: Callable[[float], bool], expected: str) -> Any:
    """An argparse type: a float for which ``accept`` holds."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected a number, got {text!r}"
            ) from None
        if not accept(value):
            raise argparse.ArgumentTypeError(f"expected {expected}, got {value}")
        return value

    parse.__name__ = "number"
    return parse


def existing_path(text: str) -> str:
    """An argparse type: a path that exists."""
    if not os.path.exists(text):
        raise argparse.ArgumentTypeError(f"no such file or directory: {text}")
    return text


def check_data(source: str | None) -> None:
    """The quick checks of an IMDB source (see
    :func:`imdbfast.datasets.check_source`), for a command to run before the
    backend starts; None (the cache or a download) passes.

    Raises:
        UserError: the source is not one load_imdb reads, or is corrupt at
            its start.
        FileNotFoundError: it does not exist.
    """
    if source is None:
        return
    from imdbfast.datasets import check_source
    from imdbfast.errors import user_input

    with user_input():
        check_source(source)


def add_verbose(group: Any) -> None:
    """Adds ``-v/--verbose`` (keep the libraries' start-up messages) to a parser."""
    group.add_argument("-v", "--verbose", action="store_true",
                       help="show the start-up messages of TensorFlow and other "
                       "libraries (held back by default)")


def start_backend(verbose: bool) -> None:
    """Imports Keras with its backend and finds the device, quietly unless verbose.

    Args:
        verbose: keep the libraries' start-up messages and warnings.
    """
    if not verbose:
        # TensorFlow's C++ log lines once its logging is set up, errors
        # included (e.g. oneDNN's fallback notices while fitting): Python
        # exceptions still say what failed, and --verbose shows them all.
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from imdbfast.errors import require_keras

    with native_stderr_held(enabled=not verbose):
        # Imports Keras and starts the backend; without them a one-line
        # error naming the pip extra.
        require_keras("this command", quiet=not verbose)

        from imdbfast.runtime import describe_device

        describe_device()  # the GPU probing, while stderr is held
    if not verbose:
        logging.getLogger("tensorflow").setLevel(logging.ERROR)
        try:
            from absl import logging as absl_logging
        except ImportError:  # pragma: no cover - absl comes with TensorFlow
            pass
        else:
            absl_logging.set_verbosity(absl_logging.ERROR)


@contextmanager
def phase_lines(enabled: bool) -> Iterator[None]:
    """Shows the library's INFO lines (one per phase) on stderr in the block.

    Args:
        enabled: False shows nothing.

    Returns:
        A context manager.
    """
    if not enabled:
        yield
        return
    logger = logging.getLogger("imdbfast")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)
