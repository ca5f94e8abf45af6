"""Arrow in and out of the tokenizer, without Python ``str`` objects.

Texts: a ``pyarrow`` ``StringArray``, ``LargeStringArray`` or ``ChunkedArray``
of them (``string_view`` is cast to ``large_string``, a copy of the bytes),
a pandas ``Series`` backed by Arrow strings (pandas' ``"string[pyarrow]"`` /
``ArrowDtype``, the default ``str`` dtype of pandas 3), or any object that
exports an Arrow array or stream through the Arrow PyCapsule interface
(``__arrow_c_array__`` / ``__arrow_c_stream__``, e.g. a Polars ``Series``).
Each chunk's value buffer, offsets and null mask become NumPy views (no
copy) in an ``imdbfast._native.ArrowStrings``, no Python ``str`` made. Each
native call copies the bytes of its texts out of those buffers (one
``memcpy``, the span of a sliced array only) before it checks them as UTF-8
and reads them with the GIL released: Arrow buffers are writable (through
NumPy, or a ``bytearray`` behind ``pa.py_buffer``), and a concurrent writer
must not hand the Rust core bytes it never checked. A null is the empty
text.

Ids: :func:`to_list_array` wraps the ragged ids of the Rust core (int32
values, int64 row offsets) as a ``pyarrow.LargeListArray`` without copying.

``pyarrow`` is optional: it is imported only when Arrow data is met or asked
for.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from imdbfast import _native

__all__ = ["arrow_strings", "is_arrow", "to_list_array", "to_pylist"]


def _pyarrow() -> Any:
    """``pyarrow``, or an ImportError that says how to get it."""
    try:
        import pyarrow
    except ImportError as e:
        raise ImportError(
            "Arrow input and output need pyarrow: pip install pyarrow (or "
            "imdbfast[glove], which brings it)."
        ) from e
    return pyarrow


def is_arrow(texts: Any) -> bool:
    """Whether ``texts`` is Arrow data that :func:`arrow_strings` reads
    (never true for a list, tuple, str or NumPy array, so those never import
    pyarrow)."""
    if isinstance(texts, (list, tuple, str, bytes, np.ndarray)):
        return False
    module = type(texts).__module__.split(".")[0]
    if module == "pyarrow":
        return True
    if module == "pandas":
        return hasattr(getattr(texts, "array", None), "__arrow_array__") and _pandas_arrow(
            texts
        )
    return hasattr(texts, "__arrow_c_stream__") or hasattr(texts, "__arrow_c_array__")


def _pandas_arrow(series: Any) -> bool:
    """A pandas Series (or Index) whose values are Arrow strings."""
    dtype = series.dtype
    if getattr(dtype, "storage", None) == "pyarrow":  # StringDtype("pyarrow")
        return True
    pyarrow_dtype = getattr(dtype, "pyarrow_dtype", None)  # pd.ArrowDtype
    return pyarrow_dtype is not None


def _chunks(texts: Any) -> list[Any]:
    """The Arrow arrays (chunks) of ``texts``."""
    pa = _pyarrow()
    module = type(texts).__module__.split(".")[0]
    if module == "pandas":
        texts = texts.array.__arrow_array__()
    elif module != "pyarrow":
        try:
            texts = (
                pa.chunked_array(texts)
                if hasattr(texts, "__arrow_c_stream__")
                else pa.array(texts)
            )
        except (TypeError, ValueError, pa.ArrowException) as e:
            raise TypeError(
                "texts exported through the Arrow PyCapsule interface could not be "
                f"read as an Arrow array. Received: {type(texts).__name__} ({e})"
            ) from e
    if isinstance(texts, pa.ChunkedArray):
        chunks = list(texts.chunks)
        kind = texts.type
    elif isinstance(texts, pa.Array):
        chunks, kind = [texts], texts.type
    else:
        raise TypeError(
            "texts from pyarrow must be a string Array or a ChunkedArray. "
            f"Received: {type(texts).__name__}"
        )
    if pa.types.is_string_view(kind):
        chunks = [c.cast(pa.large_string()) for c in chunks]
    elif not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
        raise TypeError(
            "texts as Arrow data must be of type string, large_string or "
            f"string_view. Received: {kind}"
        )
    return chunks


def arrow_strings(texts: Any) -> _native.ArrowStrings:
    """The texts of Arrow data (see the module docs) as NumPy views of its
    buffers, for the Rust core.

    Raises:
        ImportError: pyarrow is not installed.
        TypeError: not Arrow strings.
    """
    pa = _pyarrow()
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray | None]] = []
    for chunk in _chunks(texts):
        offset_type = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        n = len(chunk)
        _, offsets_buffer, data_buffer = chunk.buffers()
        if offsets_buffer is None:  # an empty array may have no buffers
            offsets = np.zeros(n + 1, dtype=offset_type)
        else:
            offsets = np.frombuffer(offsets_buffer, dtype=offset_type)[
                chunk.offset : chunk.offset + n + 1
            ]
            # Buffers that went through a byte stream (pickle protocol 5,
            # Dask's transfers) can start at any address; the Rust core
            # reads offsets as a slice of integers, which must be aligned:
            # such offsets are copied (8 or 4 bytes a text, never the text).
            offsets = np.require(offsets, requirements="A")
        data = (
            np.frombuffer(data_buffer, dtype=np.uint8)
            if data_buffer is not None
            else np.zeros(0, dtype=np.uint8)
        )
        nulls = (
            chunk.is_null().to_numpy(zero_copy_only=False) if chunk.null_count else None
        )
        parts.append((data, offsets, nulls))
    return _native.ArrowStrings(parts)


def to_list_array(values: np.ndarray, row_splits: np.ndarray) -> Any:
    """``pyarrow.LargeListArray`` of int32 whose row ``i`` is
    ``values[row_splits[i]:row_splits[i + 1]]``, sharing both buffers (no
    copy; the arrays stay alive as long as the Arrow array)."""
    pa = _pyarrow()
    values = np.ascontiguousarray(values, dtype=np.int32)
    row_splits = np.ascontiguousarray(row_splits, dtype=np.int64)
    flat = pa.Array.from_buffers(pa.int32(), len(values), [None, pa.py_buffer(values)])
    return pa.Array.from_buffers(
        pa.large_list(pa.int32()),
        len(row_splits) - 1,
        [None, pa.py_buffer(row_splits)],
        children=[flat],
    )



def to_pylist(texts: Any) -> list[str | None]:
    """The texts of Arrow data as Python strs (None for a null), for the
    callables of a tokenizer, which run in Python."""
    items: list[str | None] = []
    for chunk in _chunks(texts):
        items.extend(chunk.to_pylist())
    return items
