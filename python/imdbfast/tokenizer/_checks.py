"""The tokenizer's argument checks: each constructor option (its type, value
and range), the options Keras does not combine, the entries of a given
vocabulary and its idf weights. Each raises ``TypeError`` or ``ValueError``
with a message that names the argument and what was received.

Rules of the vocabulary id layout (special tokens, ``index_from``,
``max_tokens``) are the Rust core's to check.
"""

from __future__ import annotations

import codecs
import collections
import functools
import json
import operator
import os
import re
import sys
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from imdbfast._files import LARGE_FILE_BYTES, read_text
from imdbfast._options import (
    OUTPUT_MODE_ALIASES,
    OUTPUT_MODES,
    SPLIT_MODES,
    STANDARDIZE,
    KerasValueError,
    check_choice,
    check_int,
    check_num_threads,
    check_side,
    describe_choices,
    token_list,
)
from imdbfast._regex import to_rust
from imdbfast.stopwords import get_stopwords

#: Ids are int32: at most this many, special and reserved ones included.
MAX_IDS = 2**31 - 1


def check_output_mode(output_mode: Any) -> str:
    """``output_mode`` under its current name (Keras' earlier names accepted)."""
    if isinstance(output_mode, str):
        output_mode = OUTPUT_MODE_ALIASES.get(output_mode, output_mode)
    check_choice("output_mode", output_mode, OUTPUT_MODES)
    return str(output_mode)


def check_options(
    *,
    max_tokens: Any,
    standardize: Any,
    split: Any,
    output_sequence_length: Any,
    ngrams: Any,
    output_mode: Any,
    pad_to_max_tokens: Any,
    vocabulary: Any,
    idf_weights: Any,
    sparse: Any,
    encoding: Any,
    min_freq: Any,
    stopwords: Any,
    drop_stopwords: Any,
    vocab_order: Any,
    pad_token: Any,
    oov_token: Any,
    strip_html: Any,
    start_token: Any,
    index_from: Any,
    padding: Any,
    truncating: Any,
    num_threads: Any,
) -> dict[str, Any]:
    """Checks the :class:`~imdbfast.tokenizer.Tokenizer` constructor's
    arguments, one by one and then together.

    Returns:
        The options that checking normalizes (``max_tokens``,
        ``output_mode``, ``output_sequence_length``, ``min_freq``,
        ``index_from``, ``split``, ``num_threads``), and ``widths`` (the
        n-gram widths or None) and ``stopword_list``.

    Raises:
        ValueError: an invalid value or combination.
        TypeError: an argument of the wrong type.
    """
    max_tokens = check_int(
        "max_tokens", max_tokens, minimum=1, maximum=MAX_IDS, optional=True
    )
    output_mode = check_output_mode(output_mode)
    if output_sequence_length is not None and (
        isinstance(output_sequence_length, bool)
        or not isinstance(output_sequence_length, (int, np.integer))
    ):
        raise KerasValueError(
            "`output_sequence_length` must be either None or an integer when "
            "`output_mode` is 'int'. Received: "
            f"output_sequence_length={output_sequence_length!r}"
        )
    output_sequence_length = check_int(
        "output_sequence_length",
        output_sequence_length,
        minimum=0,
        maximum=sys.maxsize,
        optional=True,
    )
    min_freq = check_int("min_freq", min_freq, minimum=1, maximum=2**64 - 1)
    index_from = check_int(
        "index_from", index_from, minimum=0, maximum=MAX_IDS - 1, optional=True
    )
    if not callable(standardize):
        check_choice("standardize", standardize, STANDARDIZE)
    split = check_split(split)
    widths = check_ngrams(ngrams)
    check_side("padding", padding)
    check_side("truncating", truncating)
    num_threads = check_num_threads(num_threads)
    if not isinstance(pad_token, str):
        raise TypeError(f"`pad_token` must be a str. Received: pad_token={pad_token!r}")
    for name, tok in (("oov_token", oov_token), ("start_token", start_token)):
        if tok is not None and not isinstance(tok, str):
            raise TypeError(f"`{name}` must be None or a str. Received: {name}={tok!r}")
    for name, flag in (
        ("strip_html", strip_html),
        ("drop_stopwords", drop_stopwords),
        ("pad_to_max_tokens", pad_to_max_tokens),
        ("sparse", sparse),
    ):
        if not isinstance(flag, bool):
            raise TypeError(f"`{name}` must be a bool. Received: {name}={flag!r}")
    if not isinstance(encoding, str):
        raise TypeError(f"`encoding` must be a str. Received: encoding={encoding!r}")
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ValueError(
            f"`encoding` must name a Python codec. Received: encoding={encoding!r}"
        ) from None
    check_combinations(
        output_mode=output_mode,
        output_sequence_length=output_sequence_length,
        max_tokens=max_tokens,
        pad_to_max_tokens=pad_to_max_tokens,
        sparse=sparse,
        vocabulary=vocabulary,
        idf_weights=idf_weights,
        split=split,
        widths=widths,
        vocab_order=vocab_order,
        oov_token=oov_token,
        start_token=start_token,
        index_from=index_from,
    )
    return {
        "max_tokens": max_tokens,
        "output_mode": output_mode,
        "output_sequence_length": output_sequence_length,
        "min_freq": min_freq,
        "index_from": index_from,
        "split": split,
        "num_threads": num_threads,
        "widths": widths,
        "stopword_list": stopword_list(stopwords),
    }


#: Every bit of a ``re`` flag.
REGEX_FLAGS = functools.reduce(operator.or_, (int(flag) for flag in re.RegexFlag), 0)


def check_split(split: Any) -> Any:
    """``split`` as the tokenizer keeps it (a serialized pattern compiled)."""
    if isinstance(split, dict) and set(split) == {"regex", "flags"}:
        regex, flags = split["regex"], split["flags"]
        if not isinstance(regex, str) or not isinstance(flags, int):
            raise TypeError(
                '`split` as a dict must be {"regex": str, "flags": int}. '
                f"Received: split={split!r}"
            )
        if flags < 0 or flags & ~REGEX_FLAGS:
            raise ValueError(
                '`split` {"regex", "flags"}: `flags` must be a combination of re '
                f"flags (0 to {REGEX_FLAGS}). Received: flags={flags}"
            )
        try:
            split = re.compile(regex, flags)
        except re.error as err:
            raise ValueError(
                f'`split` {{"regex", "flags"}}: the pattern does not compile ({err}). '
                f"Received: regex={regex!r}"
            ) from None
    if split is None or split in SPLIT_MODES or callable(split):
        return split
    if isinstance(split, re.Pattern):
        to_rust(split)  # raises for a pattern the Rust engine cannot run exactly
        return split
    choices = describe_choices(SPLIT_MODES)
    if isinstance(split, str):
        raise ValueError(
            f"`split` must be {choices}, None, a callable or a compiled regular "
            "expression (re.compile(...), run by the Rust engine). Received: "
            f"split={split!r}"
        )
    raise KerasValueError(
        f"`split` must be {choices}, None, a callable or a compiled regular "
        f"expression. Received: split={split!r}"
    )


def check_ngrams(ngrams: Any) -> tuple[int, ...] | None:
    """The n-gram widths (None: plain tokens)."""
    if ngrams is None:
        return None
    if isinstance(ngrams, (int, np.integer)) and not isinstance(ngrams, bool):
        if ngrams < 1:
            raise ValueError(f"`ngrams` must be >= 1. Received: ngrams={ngrams}")
        return tuple(range(1, int(ngrams) + 1))
    if isinstance(ngrams, (tuple, list)) and all(
        isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in ngrams
    ):
        if not ngrams or min(ngrams) < 1:
            raise ValueError(
                "`ngrams` must be a non-empty tuple of ints >= 1. "
                f"Received: ngrams={ngrams!r}"
            )
        return tuple(int(n) for n in ngrams)
    raise KerasValueError(
        "`ngrams` must be None, an integer, or a tuple of integers. "
        f"Received: ngrams={ngrams!r}"
    )


def check_combinations(
    *,
    output_mode: str,
    output_sequence_length: int | None,
    max_tokens: int | None,
    pad_to_max_tokens: bool,
    sparse: bool,
    vocabulary: Any,
    idf_weights: Any,
    split: Any,
    widths: tuple[int, ...] | None,
    vocab_order: str,
    oov_token: str | None,
    start_token: str | None,
    index_from: int | None,
) -> None:
    """Options that Keras (or the bag layout) does not combine."""
    bag = output_mode != "int"
    if bag and output_sequence_length is not None:
        raise ValueError(
            "`output_sequence_length` must not be set if `output_mode` is not 'int'. "
            f"Received: output_sequence_length={output_sequence_length}"
        )
    if sparse and not bag:
        raise ValueError(
            "`sparse` may only be true if `output_mode` is 'one_hot', 'multi_hot', "
            f"'count' or 'tf_idf'. Received: sparse={sparse} and output_mode={output_mode!r}"
        )
    if pad_to_max_tokens and max_tokens is None:
        raise ValueError(
            "If pad_to_max_tokens is True, must set `max_tokens`. "
            f"Received: max_tokens={max_tokens}"
        )
    if bag and max_tokens is not None and max_tokens < 2:
        raise ValueError(
            f"If set, `max_tokens` must be greater than 1. Received: max_tokens={max_tokens}"
        )
    if idf_weights is not None and output_mode != "tf_idf":
        raise ValueError(
            "`idf_weights` should only be set if `output_mode` is 'tf_idf'. "
            f"Received: output_mode={output_mode!r}"
        )
    if output_mode == "tf_idf" and vocabulary is not None and idf_weights is None:
        raise ValueError(
            "When specifying the `vocabulary` argument, in TF-IDF output mode, the "
            "`idf_weights` argument must also be provided. Received: idf_weights=None"
        )
    if bag and (oov_token is None or start_token is not None or index_from is not None):
        raise ValueError(
            "Bag output modes use Keras' layout (column 0 the OOV token, no start "
            "token, no reserved ids): they need an `oov_token` and no `start_token` "
            f"or `index_from`. Received: oov_token={oov_token!r}, "
            f"start_token={start_token!r}, index_from={index_from!r}"
        )
    if widths is not None and start_token is not None:
        raise ValueError(
            "`ngrams` cannot be combined with a `start_token`. "
            f"Received: ngrams widths {widths} and start_token={start_token!r}"
        )
    if vocab_order == "frequency_first_seen" and (bag or widths is not None):
        raise ValueError(
            "`vocab_order='frequency_first_seen'` (the legacy Keras Tokenizer's) "
            "needs output_mode='int' and no `ngrams`. "
            f"Received: output_mode={output_mode!r}, ngrams widths {widths}"
        )


def check_no_specials(
    words: list[str], leading: list[str], pad_token: str, offset: int
) -> None:
    """Entries after the leading special tokens: a special token there is
    misplaced (Keras refuses the mask token there; imdbfast every special),
    and none may repeat.

    Args:
        words: the entries after the leading special tokens.
        leading: the special tokens that may lead the vocabulary.
        pad_token: the padding token (never an entry in bag modes either).
        offset: index of ``words[0]`` in the vocabulary given.

    Raises:
        ValueError: a special token among ``words``, or a repeated entry.
    """
    special = set(leading) | {pad_token}
    for i, word in enumerate(words):
        if word in special:
            raise ValueError(
                f"The vocabulary must start with the special tokens {leading} (all "
                f"of them, in this order) or contain none of them, nor the padding "
                f"token {pad_token!r}. Received: {word!r} at index {offset + i}"
            )
    repeated = [w for w, n in collections.Counter(words).items() if n > 1]
    if repeated:
        raise ValueError(
            f"the vocabulary contains {json.dumps(repeated[0], ensure_ascii=False)} "
            f"more than once (an entry must not repeat). Received: {len(repeated)} "
            f"repeated entries, e.g. {repeated[:5]}"
        )

def stopword_list(stopwords: str | Iterable[str] | None) -> list[str]:
    """The stopwords of ``stopwords`` (None, a list name or the words), sorted."""
    if stopwords is None:
        return []
    if isinstance(stopwords, str):
        return list(get_stopwords(stopwords))
    words = list(stopwords)
    for i, w in enumerate(words):
        if not isinstance(w, str):
            raise TypeError(f"`stopwords` must contain only str. Received item {i}: {w!r}")
    return sorted(set(words))



def read_vocabulary(vocabulary: Any, encoding: str) -> list[str]:
    """The entries of a vocabulary list or file, type-checked.

    Args:
        vocabulary: a list, tuple or 1-D array of str, or the path of a text
            file with one entry per line.
        encoding: the file's text encoding.

    Raises:
        TypeError: not a sequence of str or a path.
        ValueError: an empty line in the file, or a file that cannot be read
            as text (see :func:`imdbfast._files.read_text`).
        OSError: the file cannot be read.
    """
    if isinstance(vocabulary, (str, os.PathLike)):
        lines = read_text(
            vocabulary,
            what="vocabulary file",
            max_bytes=LARGE_FILE_BYTES,
            encoding=encoding,
        ).split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        lines = [line[:-1] if line.endswith("\r") else line for line in lines]
        for number, line in enumerate(lines, 1):
            if not line:
                raise ValueError(
                    f"{os.fspath(vocabulary)}: a vocabulary file has one non-empty "
                    f"entry per line. Received: an empty line {number}"
                )
        return lines
    if isinstance(vocabulary, np.ndarray):
        vocabulary = vocabulary.tolist()
    return token_list(vocabulary)


def idf_weights_array(idf_weights: Sequence[float] | np.ndarray, entries: int) -> np.ndarray:
    """Given idf weights as a float64 array, checked against a vocabulary of
    ``entries`` entries.

    Raises:
        ValueError: not a 1-D sequence of finite numbers, one per entry.
    """
    try:
        weights = np.asarray(idf_weights, dtype=np.float64)
    except OverflowError:
        raise ValueError(
            "`idf_weights` must be finite numbers. Received: a number too large "
            "for a float"
        ) from None
    if weights.ndim != 1:
        raise ValueError(
            "`idf_weights` must be a 1-D sequence of numbers. "
            f"Received: an array of shape {weights.shape}"
        )
    if len(weights) != entries:
        raise ValueError(
            "`idf_weights` must be the same length as the vocabulary. "
            f"Received: {len(weights)} weights for {entries} vocabulary entries"
        )
    if not np.all(np.isfinite(weights)):
        bad = weights[~np.isfinite(weights)][0]
        raise ValueError(
            "`idf_weights` must be finite numbers. "
            f"Received: {float(bad)!r} at index "
            f"{int(np.argmin(np.isfinite(weights)))}"
        )
    return weights
