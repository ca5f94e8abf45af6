"""Sequence padding: :func:`pad_sequences`, a Rust-backed drop-in for
``keras.utils.pad_sequences``."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

from imdbfast import _native
from imdbfast._options import check_side

__all__ = ["pad_sequences"]

# dtype -> native kernel; other dtypes (and sequences of vectors, strings, ...)
# take the NumPy path below, which follows Keras step by step.
_NATIVE = {
    np.dtype("int32"): _native.pad_sequences_int32,
    np.dtype("int64"): _native.pad_sequences_int64,
    np.dtype("float32"): _native.pad_sequences_float32,
    np.dtype("float64"): _native.pad_sequences_float64,
}


def pad_sequences(
    sequences: Sequence[Any],
    maxlen: int | None = None,
    dtype: Any = "int32",
    padding: str = "pre",
    truncating: str = "pre",
    value: Any = 0,
) -> np.ndarray:
    """Pad (and truncate) sequences to a common length, like
    ``keras.utils.pad_sequences``, with identical output.

    Lists/tuples of Python numbers and 1-D arrays of the target dtype are
    converted and padded in Rust for ``int32``, ``int64``, ``float32`` and
    ``float64``; everything else Keras accepts (other dtypes, sequences of
    vectors, strings with ``dtype=object``) goes through an equivalent NumPy
    path. Two deliberate differences: an empty ``sequences`` with
    ``maxlen=None`` gives an array of shape ``(0, 0)`` (Keras raises), and
    ``maxlen=0`` gives ``(n, 0)`` for either ``truncating`` (Keras raises for
    ``"pre"``).

    Args:
        sequences: list (or other sized iterable) of sequences.
        maxlen: length of every row; ``None`` = the longest sequence.
        dtype: NumPy dtype of the result.
        padding: ``"pre"`` or ``"post"``: where the padding goes.
        truncating: ``"pre"`` or ``"post"``: which values to drop from
            sequences longer than ``maxlen``.
        value: padding value.

    Returns:
        An array of shape ``(len(sequences), maxlen)`` (plus the shape of the
        elements, for sequences of vectors).

    Raises:
        ValueError: bad ``padding``/``truncating``/``maxlen``, a non-iterable
            item, inconsistent element shapes, or a ``str`` ``value`` with a
            numeric ``dtype``.
        MemoryError: the ``(len(sequences), maxlen)`` array cannot be
            allocated (as NumPy and Keras raise it).
    """
    check_side("padding", padding)
    check_side("truncating", truncating)
    if not hasattr(sequences, "__len__"):
        raise ValueError("`sequences` must be iterable.")
    if maxlen is not None:
        if isinstance(maxlen, bool) or not isinstance(maxlen, (int, np.integer)):
            raise ValueError(f"`maxlen` must be None or an int. Received: maxlen={maxlen!r}")
        if maxlen < 0:
            raise ValueError(f"`maxlen` must be >= 0. Received: maxlen={maxlen}")
        maxlen = int(maxlen)
        if maxlen > sys.maxsize:
            raise ValueError(
                f"`maxlen` must be at most {sys.maxsize}. Received: maxlen={maxlen}"
            )
    np_dtype = np.dtype(dtype)
    is_dtype_str = np.issubdtype(np_dtype, np.str_) or np.issubdtype(np_dtype, np.bytes_)
    if isinstance(value, str) and dtype is not object and not is_dtype_str:
        raise ValueError(
            f"`dtype` {dtype} is not compatible with `value`'s type: {type(value)}\n"
            "You should set `dtype=object` for variable length strings."
        )
    kernel = _NATIVE.get(np_dtype)
    if kernel is not None and isinstance(sequences, (list, tuple)):
        fill = np.empty((), dtype=np_dtype)
        np.copyto(fill, value, casting="unsafe")  # as np.full does
        out = kernel(sequences, maxlen, padding, truncating, fill.item())
        if out is not None:
            return out
    return _pad_numpy(sequences, maxlen, dtype, padding, truncating, value)


def _pad_numpy(
    sequences: Sequence[Any],
    maxlen: int | None,
    dtype: Any,
    padding: str,
    truncating: str,
    value: Any,
) -> np.ndarray:
    """The general path: Keras' algorithm, one sequence at a time."""
    lengths = []
    sample_shape: tuple[int, ...] = ()
    found_shape = False
    for x in sequences:
        try:
            n = len(x)
        except TypeError as e:
            raise ValueError(
                f"`sequences` must be a list of iterables. Found non-iterable: {x!s}"
            ) from e
        lengths.append(n)
        if not found_shape and n:
            sample_shape = np.asarray(x).shape[1:]
            found_shape = True
    if maxlen is None:
        maxlen = int(max(lengths, default=0))
    x = np.full((len(lengths), maxlen) + sample_shape, value, dtype=dtype)
    if maxlen == 0:
        return x
    for idx, s in enumerate(sequences):
        if not len(s):
            continue
        trunc = s[-maxlen:] if truncating == "pre" else s[:maxlen]
        trunc = np.asarray(trunc, dtype=dtype)
        if trunc.shape[1:] != sample_shape:
            raise ValueError(
                f"Shape of sample {trunc.shape[1:]} of sequence at position {idx} "
                f"is different from expected shape {sample_shape}"
            )
        if padding == "post":
            x[idx, : len(trunc)] = trunc
        else:
            x[idx, -len(trunc) :] = trunc
    return x
