"""How the tokenizer reads its input texts: which containers it takes (lists,
NumPy arrays, Arrow data, any iterable, chunk by chunk), and the
:class:`TextPipelines` that run a callable ``standardize`` or ``split`` in
Python before the Rust pipelines see the texts.

The checks of incoming texts themselves (one wording for the whole package)
live in :mod:`imdbfast._options`.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from imdbfast import _arrow, _native
from imdbfast._options import (
    check_text_items,
    check_texts,
    check_texts_shape,
    texts_not_iterable,
)
from imdbfast._regex import to_rust

#: Texts as the native calls take them.
Texts = list[str] | tuple[str, ...] | _native.ArrowStrings

#: Joins the tokens of a callable ``split`` on their way to the Rust engine,
#: whose pipeline then cuts at it (:data:`SEPARATED`, Rust regex syntax).
SEPARATOR = "\x1f"
#: The Rust pipeline's split of texts joined by :data:`SEPARATOR`.
SEPARATED = "[^\\x{1F}]+"


def native_split(split: Any) -> str | None:
    """The Rust pipeline's split spec of a named mode, None or a pattern."""
    if isinstance(split, re.Pattern):
        return to_rust(split)
    return None if split is None else str(split)


class TextPipelines:
    """The Rust pipelines of one tokenizer, and the callables that run in
    Python before them.

    Args:
        standardize: a named standardization, None or a callable.
        split: a named split, None, a compiled pattern or a callable.
        strip_html: replace HTML line breaks by a space first.
        stopwords: the stopwords, never counted.
        drop_stopwords: also drop them from the texts that are encoded.

    Attributes:
        standardize_fn: the callable ``standardize``, or None.
        split_fn: the callable ``split``, or None.
        pipeline: what fitting counts with (stopwords dropped).
        encode_pipeline: what encoding runs (stopwords dropped only with
            ``drop_stopwords``).
    """

    def __init__(
        self,
        standardize: str | Callable[[str], str] | None,
        split: Any,
        strip_html: bool,
        stopwords: list[str],
        drop_stopwords: bool,
    ) -> None:
        # Callables run in Python (see prepare); the Rust pipelines then see
        # their output: standardized text, or tokens joined by SEPARATOR.
        self.standardize_fn = standardize if callable(standardize) else None
        self.split_fn: Callable[[str], Any] | None = (
            split if callable(split) and not isinstance(split, re.Pattern) else None
        )
        native_standardize = None if callable(standardize) else standardize
        self.before_split: _native.TextPipeline | None = None
        if self.split_fn is not None:
            if native_standardize is not None or strip_html:
                self.before_split = _native.TextPipeline(
                    native_standardize, None, strip_html, []
                )
            rust_split: str | None = SEPARATED
            native_standardize, native_html = None, False
        else:
            rust_split = native_split(split)
            native_html = strip_html
        # Fitting always keeps stopwords out of the vocabulary; encoding drops
        # them from the texts only with drop_stopwords.
        self.pipeline = _native.TextPipeline(
            native_standardize, rust_split, native_html, stopwords
        )
        self.encode_pipeline = (
            self.pipeline
            if drop_stopwords or not stopwords
            else _native.TextPipeline(native_standardize, rust_split, native_html, [])
        )

    def texts(self, texts: Any) -> Texts:
        """Texts as the native calls take them: a list or tuple of str, or
        the buffers of Arrow strings (as Python strs when a callable
        ``standardize`` or ``split`` has to see them)."""
        if isinstance(texts, (list, tuple)):  # the common case, checked first
            return texts
        if isinstance(texts, _native.ArrowStrings):
            return texts
        if _arrow.is_arrow(texts):
            strings = _arrow.arrow_strings(texts)
            if self.standardize_fn is None and self.split_fn is None:
                return strings
            return ["" if t is None else t for t in _arrow.to_pylist(texts)]
        return as_text_list(texts)

    def prepare(self, texts: Texts) -> Texts:
        """Texts as the Rust pipelines take them: unchanged, unless a callable
        ``standardize`` or ``split`` has to run on them first."""
        if self.standardize_fn is None and self.split_fn is None:
            return texts
        if isinstance(texts, _native.ArrowStrings):
            raise TypeError("Arrow texts reach a callable as str (see texts())")
        out = []
        for i, text in enumerate(texts):
            check_text_items((text,), start=i)  # item by item, as it is prepared
            out.append(self.prepare_one(text))
        return out

    def prepare_one(self, text: str) -> str:
        """One text through the callables (see :meth:`prepare`)."""
        if self.standardize_fn is not None:
            text = self.standardize_fn(text)
            if not isinstance(text, str):
                raise TypeError(
                    "A callable `standardize` must return a str. "
                    f"Received: {type(text).__name__} ({text!r:.80})"
                )
        if self.split_fn is None:
            return text
        if self.before_split is not None:
            standardized = self.before_split.tokenize(text)
            text = standardized[0] if standardized else ""
        tokens = self.split_fn(text)
        if isinstance(tokens, str) or not isinstance(tokens, (list, tuple)):
            raise TypeError(
                "A callable `split` must return a list or tuple of str. "
                f"Received: {type(tokens).__name__} ({tokens!r:.80})"
            )
        for token in tokens:
            if not isinstance(token, str):
                raise TypeError(
                    "A callable `split` must return a list or tuple of str. "
                    f"Received an item of type {type(token).__name__} ({token!r:.80})"
                )
            if SEPARATOR in token:
                raise ValueError(
                    "Tokens from a callable `split` cannot contain U+001F (the "
                    f"separator they travel with to the Rust engine). Received: {token!r:.80}"
                )
        return SEPARATOR.join(tokens)


def as_text_list(texts: Any) -> list[str] | tuple[str, ...]:
    """Accept list/tuple, 1-D NumPy str/object arrays and other iterables; the
    native side checks that every item is a str and names the first that is not."""
    if isinstance(texts, (list, tuple)):
        return texts
    check_texts(texts)
    if isinstance(texts, np.ndarray):
        check_texts_shape(texts.shape)
        if texts.ndim == 2:
            texts = texts[:, 0]
        items: list[str] = texts.tolist()
        return items
    try:
        return list(texts)
    except TypeError:
        raise texts_not_iterable(texts) from None


def in_memory(texts: Any) -> bool:
    """Whether ``texts`` is read in one go (a list, tuple, NumPy array, Arrow
    data, or what is already a native batch) rather than chunk by chunk."""
    return (
        isinstance(texts, (list, tuple, str, bytes, np.ndarray, _native.ArrowStrings))
        or _arrow.is_arrow(texts)
    )


def chunks(texts: Any, size: int) -> Iterator[list[str]]:
    """Lists of at most ``size`` texts of the iterable ``texts``, each item
    checked to be a str (its index in the whole stream is named)."""
    try:
        iterator = iter(texts)
    except TypeError:
        raise texts_not_iterable(texts) from None
    start = 0
    while True:
        chunk = list(itertools.islice(iterator, size))
        if not chunk:
            return
        check_text_items(chunk, start)
        n = len(chunk)
        yield chunk
        del chunk  # before the next one is read
        start += n
