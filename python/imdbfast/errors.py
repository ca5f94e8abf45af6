"""The exception that marks a user's mistake, as opposed to a bug.

:class:`UserError` is raised for what the person running imdbfast can fix: an
option value, a path that does not exist or is already taken, a data file that
is not what it should be. The command line prints such an error as one line,
``imdbfast: error: ...``; any other exception is a bug and keeps its
traceback.

``UserError`` is a :class:`ValueError`, so code that catches ``ValueError``
around imdbfast calls keeps working.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

__all__ = [
    "UserError",
    "MissingExtraError",
    "MissingFileError",
    "require_keras",
    "require_matplotlib",
    "user_input",
]


class UserError(ValueError):
    """A mistake in what the user asked for or gave (options, paths, data files).

    The message says what was expected and what was received; the command line
    shows it as one line.
    """


@contextmanager
def user_input(what: str | None = None) -> Iterator[None]:
    """Treats a ``ValueError`` raised inside the block as the user's mistake.

    For blocks that read something the user chose (a data file, a saved
    config): a ``ValueError`` there describes that input, so it is re-raised
    as a :class:`UserError` with the same message (prefixed with ``what``
    unless it starts with it already) and the original as its cause. Other
    exceptions pass unchanged.

    Args:
        what: the input, e.g. a file path, or None.

    Returns:
        A context manager.
    """
    try:
        yield
    except UserError:
        raise
    except ValueError as err:
        message = str(err)
        if what and not message.startswith(what):
            message = f"{what}: {message}"
        raise UserError(message) from err


class MissingExtraError(UserError, ImportError):
    """An optional dependency is not installed; the message names the extra.

    Both a :class:`UserError` (the command line shows it as one line) and an
    :class:`ImportError`.
    """

    @classmethod
    def of(cls, needs: str, install: str, err: ImportError) -> "MissingExtraError":
        """The error for a failed import: ``"<needs>: <install>. Received: ..."``.

        Args:
            needs: what is missing, e.g. ``"imdbfast.dask needs Dask"``.
            install: how to install it, e.g. ``"pip install 'imdbfast[dask]'"``.
            err: the ``ImportError`` that import raised.
        """
        return cls(f"{needs}: {install}. Received: {type(err).__name__}: {err}")


class MissingFileError(FileNotFoundError, UserError):
    """A file imdbfast was asked to read does not exist.

    Both a :class:`FileNotFoundError` (what ``open`` raises) and a
    :class:`UserError`, so a ``ValueError`` too: code written for Keras,
    which raises ``ValueError`` for a missing vocabulary file, catches it,
    and the command line shows it as one line. Built like an ``OSError``:
    ``MissingFileError(errno.ENOENT, message, path)``, shown as
    ``message: path``.
    """

    def __str__(self) -> str:
        if self.strerror and self.filename is not None:
            return f"{self.strerror}: {self.filename}"
        return super().__str__()


#: The pip extras that install Keras 3 with a backend.
KERAS_EXTRAS = ("tensorflow", "jax", "torch")


def require_keras(purpose: str, *, quiet: bool | None = None) -> None:
    """Check that Keras 3 and its configured backend can be imported.

    Keras is imported (the first time) with TensorFlow's C++ start-up lines
    held back, see :func:`imdbfast._quiet.import_keras`.

    Args:
        purpose: what needs Keras, for the message (e.g. ``"imdbfast.train"``).
        quiet: as for :func:`imdbfast._quiet.import_keras` (None: quiet
            unless ``TF_CPP_MIN_LOG_LEVEL`` is set).

    Raises:
        MissingExtraError: Keras or its backend (``KERAS_BACKEND``, TensorFlow
            unless set) is not installed.
    """
    from imdbfast._quiet import import_keras

    try:
        import_keras(quiet)
    except ImportError as err:
        extras = " or ".join(f"'imdbfast[{extra}]'" for extra in KERAS_EXTRAS)
        raise MissingExtraError(
            f"{purpose} needs Keras 3 with a backend: pip install {extras} "
            "(with KERAS_BACKEND=jax or torch for those two). "
            f"Received: {type(err).__name__}: {err}"
        ) from err


def require_matplotlib(purpose: str) -> None:
    """Check that matplotlib, which draws a run's plots, can be imported.

    Called before any training, so that a missing matplotlib (e.g. after
    ``pip install imdbfast tensorflow``) stops a command at once instead of
    after the last epoch.

    Args:
        purpose: what needs it, for the message (e.g. ``"imdbfast.train"``).

    Raises:
        MissingExtraError: matplotlib is not installed.
    """
    try:
        import matplotlib  # noqa: F401
    except ImportError as err:
        extras = " or ".join(f"'imdbfast[{extra}]'" for extra in KERAS_EXTRAS)
        raise MissingExtraError(
            f"{purpose} needs matplotlib to draw the run's plots: pip install "
            f"{extras} (each extra includes it), or pip install matplotlib. "
            f"Received: {type(err).__name__}: {err}"
        ) from err
