"""The tokenizer's document format: :meth:`Tokenizer.to_dict` and
:meth:`Tokenizer.from_dict`, the versioned JSON of :meth:`Tokenizer.save` and
:meth:`Tokenizer.load`, pickling's state, and :func:`check_document`, the
strict check of a document before anything is built from it.

:class:`TokenizerDocument` holds these methods; :class:`Tokenizer` inherits
them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

import numpy as np

from imdbfast import _native
from imdbfast._files import LARGE_FILE_BYTES, read_json
from imdbfast._options import short_repr

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

    from typing_extensions import Self

#: The ``"format"`` entry of the JSON that :meth:`Tokenizer.save` writes.
FORMAT = "imdbfast.Tokenizer"
#: The ``"version"`` entry of that JSON: the layout version :meth:`Tokenizer.load` reads.
FORMAT_VERSION = 1


class TokenizerDocument:
    """The document methods of :class:`~imdbfast.tokenizer.Tokenizer`: to and
    from a dict, JSON files, Hugging Face's ``tokenizer.json``."""

    if TYPE_CHECKING:  # what the Tokenizer provides
        _state: tuple[_native.Vocabulary | None, np.ndarray | None]
        _bag: bool

        def get_config(self) -> dict[str, Any]: ...

        @classmethod
        def from_config(cls, config: dict[str, Any]) -> Self: ...

        def set_vocabulary(
            self,
            vocabulary: Sequence[str] | str | os.PathLike[str],
            idf_weights: Sequence[float] | np.ndarray | None = None,
        ) -> Self: ...

    def to_dict(self) -> dict[str, Any]:
        """The whole tokenizer (format, version, config, vocabulary) as a dict.

        Raises:
            MemoryError: the vocabulary cannot be listed (see
                :meth:`get_vocabulary`).
        """
        vocab, idf = self._state  # one fit's pair
        config = self.get_config()
        if isinstance(config["ngrams"], tuple):
            config["ngrams"] = list(config["ngrams"])  # JSON's type
        tokens = None if vocab is None else vocab.tokens()[int(self._bag) :]
        return {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "config": config,
            "vocabulary": tokens,
            # tf_idf: one weight per vocabulary entry.
            "idf_weights": None
            if idf is None or tokens is None
            else idf[: len(tokens)].tolist(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Rebuild a tokenizer from :meth:`to_dict`'s output.

        The document is checked strictly before anything is built: its keys,
        ``format``, ``version``, the type of every ``config`` field (a
        missing field takes its default, an unknown one is an error), then
        their values and ranges (as the constructor checks them), and a
        ``vocabulary`` that is null or a list of strings.

        Raises:
            ValueError: not a tokenizer document, a newer format version, or
                a field of the wrong type or range (the message names it).
        """
        return from_document(cls, data, {})

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the tokenizer as human-readable, versioned JSON (UTF-8).

        The file holds ``format``, ``version``, ``config`` (the constructor
        arguments) and ``vocabulary`` (the tokens in id order, or null).

        Raises:
            ValueError: a callable ``standardize`` or ``split``, which JSON
                cannot hold (nothing is written; pickle or joblib keep such a
                tokenizer, the callable by reference).
        """
        functions = functions_of(self.get_config())
        if functions:
            name, value = next(iter(functions.items()))
            raise ValueError(
                f"Tokenizer.save writes JSON, which cannot hold a callable `{name}`: "
                "pickle or joblib the tokenizer instead (they keep the callable by "
                "reference), or use a named option. Received: "
                f"{name}={short_repr(value, 80)}"
            )
        with open(path, "w", encoding="utf-8") as f:
            json.dump(self.to_dict(), f, ensure_ascii=False, indent=1)
            f.write("\n")

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Self:
        """Read a tokenizer written by :meth:`save`.

        Raises:
            OSError: the file cannot be read (a missing file raises
                :class:`~imdbfast.errors.MissingFileError`, also a
                ``ValueError``).
            ValueError: not a regular file of at most 2 GiB of UTF-8 JSON
                nested at most 64 levels deep, not a tokenizer file, an
                unsupported version, or a field of the wrong type or range
                (see :meth:`from_dict`; the message starts with the path).
        """
        where = os.fspath(path)
        data = read_json(path, what="tokenizer file", max_bytes=LARGE_FILE_BYTES)
        try:
            return cls.from_dict(data)
        except ValueError as e:
            raise ValueError(f"{where}: {e}") from e

    def save_huggingface(self, path: str | os.PathLike[str]) -> None:
        """Write a Hugging Face ``tokenizer.json`` that gives the same ids.

        ``tokenizers.Tokenizer.from_file(path).encode_batch(texts)`` then
        gives :meth:`transform`'s ids (padded and truncated to
        ``output_sequence_length`` when set). See
        :func:`imdbfast.interop.huggingface_json` for what is written.

        Raises:
            ValueError: the tokenizer is not fitted, or its configuration
                cannot be reproduced exactly (Unicode lowercasing, a split
                other than ``"whitespace"``, ngrams, bag modes, ...; the
                message says why).
        """
        from imdbfast.interop import save_huggingface

        save_huggingface(cast(Any, self), path)  # self: a Tokenizer


_T = TypeVar("_T", bound=TokenizerDocument)


def from_document(cls: type[_T], data: Any, functions: dict[str, Any]) -> _T:
    """A tokenizer of class ``cls`` rebuilt from the document ``data``
    (:meth:`TokenizerDocument.from_dict`), whose ``config`` holds None in
    place of the callable options ``functions`` (pickle's state).

    Raises:
        ValueError: see :func:`check_document`; a config the constructor
            refuses, or a vocabulary :meth:`Tokenizer.set_vocabulary` refuses.
    """
    config, vocabulary, idf_weights = check_document(data)
    try:
        tok = cls.from_config({**config, **functions})
    except (TypeError, ValueError) as e:
        raise ValueError(f"Invalid {FORMAT} `config`: {e}") from e
    if vocabulary is not None:
        try:
            tok.set_vocabulary(vocabulary, idf_weights=idf_weights)
        except ValueError as e:
            raise ValueError(f"Invalid {FORMAT} `vocabulary`: {e}") from e
    return tok


def functions_of(config: Mapping[str, Any]) -> dict[str, Any]:
    """The options of ``config`` given as callables (``standardize``,
    ``split``), which JSON cannot hold."""
    return {
        name: config[name]
        for name in ("standardize", "split")
        if callable(config.get(name))
    }


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_str(value: Any) -> bool:
    return isinstance(value, str)


def _optional(check: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda value: value is None or check(value)


#: The JSON type of each ``config`` field of a saved tokenizer: (what it
#: must be, for the message; the check). Values and ranges are the
#: constructor's to check.
_CONFIG_TYPES: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "max_tokens": ("an integer or null", _optional(_is_int)),
    "standardize": ("a string or null", _optional(_is_str)),
    "split": (
        'a string, a {"regex": string, "flags": integer} object or null',
        _optional(
            lambda v: _is_str(v)
            or (
                isinstance(v, dict)
                and set(v) == {"regex", "flags"}
                and _is_str(v["regex"])
                and _is_int(v["flags"])
            )
        ),
    ),
    "output_sequence_length": ("an integer or null", _optional(_is_int)),
    "ngrams": (
        "an integer, a list of integers or null",
        _optional(lambda v: _is_int(v) or (isinstance(v, list) and all(map(_is_int, v)))),
    ),
    "output_mode": ("a string", _is_str),
    "pad_to_max_tokens": ("a boolean", lambda v: isinstance(v, bool)),
    "vocabulary": (
        "a list of strings or null",
        _optional(lambda v: isinstance(v, list) and all(map(_is_str, v))),
    ),
    "idf_weights": ("a list of numbers or null", _optional(lambda v: _is_numbers(v))),
    "sparse": ("a boolean", lambda v: isinstance(v, bool)),
    "encoding": ("a string", _is_str),
    "drop_stopwords": ("a boolean", lambda v: isinstance(v, bool)),
    "min_freq": ("an integer", _is_int),
    "stopwords": (
        "a string, a list of strings or null",
        _optional(
            lambda v: _is_str(v) or (isinstance(v, list) and all(map(_is_str, v)))
        ),
    ),
    "vocab_order": ("a string", _is_str),
    "pad_token": ("a string", _is_str),
    "oov_token": ("a string or null", _optional(_is_str)),
    "strip_html": ("a boolean", lambda v: isinstance(v, bool)),
    "start_token": ("a string or null", _optional(_is_str)),
    "index_from": ("an integer or null", _optional(_is_int)),
    "padding": ("a string", _is_str),
    "truncating": ("a string", _is_str),
    "num_threads": ("an integer or null", _optional(_is_int)),
}

_DOCUMENT_KEYS = ("format", "version", "config", "vocabulary", "idf_weights")


def _is_numbers(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in value
    )


def check_document(
    data: Any,
) -> tuple[dict[str, Any], list[str] | None, list[float] | None]:
    """Checks the shape and types of a saved tokenizer document.

    Args:
        data: the parsed JSON.

    Returns:
        The ``config`` dict, the ``vocabulary`` and the ``idf_weights`` (each
        possibly None).

    Raises:
        ValueError: the first field that is missing, unknown or of the wrong
            type, named in the message.
    """
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        received = (
            f"keys {sorted(map(str, data))[:5]}" if isinstance(data, dict)
            else type(data).__name__
        )
        raise ValueError(
            f"Not an {FORMAT} document: expected an object with "
            f'"format": "{FORMAT}". Received: {received}'
        )
    unknown = sorted(set(data) - set(_DOCUMENT_KEYS))
    if unknown:
        raise ValueError(
            f"Unknown {FORMAT} field(s): {', '.join(map(str, unknown[:5]))}. "
            f"Expected: {', '.join(_DOCUMENT_KEYS)}"
        )
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or not (
        1 <= version <= FORMAT_VERSION
    ):
        raise ValueError(
            f"Unsupported {FORMAT} version; this imdbfast reads versions 1..{FORMAT_VERSION}. "
            f"Received: version={short_repr(version, 80)}"
        )
    if "config" not in data:
        raise ValueError(f"An {FORMAT} document needs a `config` object. Received none")
    config = data["config"]
    if not isinstance(config, dict):
        raise ValueError(
            f"`config` must be an object. Received: {type(config).__name__}"
        )
    unknown = sorted(set(config) - set(_CONFIG_TYPES))
    if unknown:
        raise ValueError(
            f"Unknown `config` field(s): {', '.join(map(str, unknown[:5]))}. "
            f"Expected some of: {', '.join(_CONFIG_TYPES)}"
        )
    for name, value in config.items():
        expected, check = _CONFIG_TYPES[name]
        if not check(value):
            raise ValueError(
                f"`config.{name}` must be {expected}. Received: {short_repr(value, 80)}"
            )
    idf_weights = data.get("idf_weights")
    if idf_weights is not None and not _is_numbers(idf_weights):
        raise ValueError(
            "`idf_weights` must be a list of numbers or null. "
            f"Received: {short_repr(idf_weights, 80)}"
        )
    vocabulary = data.get("vocabulary")
    if vocabulary is None:
        return config, None, idf_weights
    if not isinstance(vocabulary, list):
        raise ValueError(
            "`vocabulary` must be a list of strings or null. "
            f"Received: {type(vocabulary).__name__}"
        )
    for i, token in enumerate(vocabulary):
        if not isinstance(token, str):
            raise ValueError(
                f"`vocabulary[{i}]` must be a string. Received: {short_repr(token, 80)}"
            )
    return config, vocabulary, idf_weights

