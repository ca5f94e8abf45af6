"""Keras imported quietly: TensorFlow's C++ start-up lines held back.

TensorFlow writes lines such as ``Could not find cuda drivers``, ``failed
call to cuInit`` or its CPU-instruction notice on standard error when it is
imported and when it first looks for devices, some of them before its log
settings apply. The ``imdbfast`` command has always held them back; the
Python API does the same through :func:`import_keras`, which every imdbfast
module that needs Keras calls before ``import keras``:

- unless the user has set ``TF_CPP_MIN_LOG_LEVEL`` (any value, e.g. ``0`` to
  see everything), it is set to ``3`` before TensorFlow is imported, and
  what is written to file descriptor 2 while Keras and TensorFlow start and
  probe the devices is held back (:func:`native_stderr_held`; written out
  after all if the import fails, since it may say why);
- with ``TF_CPP_MIN_LOG_LEVEL`` set by the user, or Keras already imported,
  nothing is changed.
"""

from __future__ import annotations

import os
import sys
import tempfile
from contextlib import contextmanager
from typing import Iterator

__all__ = ["LOG_LEVEL_VARIABLE", "import_keras", "native_stderr_held"]

#: TensorFlow's C++ log level variable (0: all, 3: none).
LOG_LEVEL_VARIABLE = "TF_CPP_MIN_LOG_LEVEL"


@contextmanager
def native_stderr_held(enabled: bool = True) -> Iterator[None]:
    """Holds back what is written to file descriptor 2 inside the block.

    TensorFlow's C++ start-up lines (CUDA probing, oneDNN notices) are written
    before its log settings apply, so the only way to keep them off the
    terminal is to point the standard error descriptor elsewhere while the
    library starts. If the block raises, what was held back is written out
    after all, since it may say why.

    Args:
        enabled: False leaves standard error alone.

    Returns:
        A context manager.
    """
    if not enabled:
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as held:
        os.dup2(held.fileno(), 2)
        failed = True
        try:
            yield
            failed = False
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            if failed:
                held.seek(0)
                os.write(2, held.read())


def _start() -> None:
    import keras

    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.config.list_physical_devices("GPU")  # the CUDA probing, now


def import_keras(quiet: bool | None = None) -> None:
    """Imports Keras and starts its backend, holding back the start-up lines.

    Args:
        quiet: True holds the lines back (and sets ``TF_CPP_MIN_LOG_LEVEL``
            to 3 unless it is set); False shows them; None (the Python API's
            default): quiet unless the user set ``TF_CPP_MIN_LOG_LEVEL``.
            Once Keras is imported, calls do nothing.

    Raises:
        ImportError: Keras or its backend cannot be imported (with whatever
            the libraries wrote on standard error shown).
    """
    if sys.modules.get("keras") is not None:
        return
    if quiet is None:
        quiet = LOG_LEVEL_VARIABLE not in os.environ
    if quiet:
        os.environ.setdefault(LOG_LEVEL_VARIABLE, "3")
    with native_stderr_held(enabled=quiet):
        _start()
