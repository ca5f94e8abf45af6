"""The :class:`Tokenizer`: raw texts to int32 id arrays, in Rust, on all cores.

Its defaults are those of ``keras.layers.TextVectorization`` and, with them, it
gives exactly the same vocabulary and ids (ASCII-only lowercasing, ASCII
punctuation stripping, ASCII-whitespace splitting, Keras' tie order).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Callable

import numpy as np

from imdbfast import _native
from imdbfast._options import (
    SPLIT_MODES,
    STANDARDIZE,
    check_choice,
    check_int,
    check_side,
    describe_choices,
    get_preset,
    with_aliases,
)
from imdbfast.stopwords import get_stopwords

__all__ = [
    "Tokenizer",
    "PYTHON_REGEX",
    "SEED_004",
    "PRESETS",
    "PRESET_ALIASES",
    "FORMAT",
    "FORMAT_VERSION",
]

FORMAT = "imdbfast.Tokenizer"
FORMAT_VERSION = 1

#: Ids are int32: at most this many, special and reserved ones included.
MAX_IDS = 2**31 - 1

#: The plain-Python regex pipeline (seed 004's): ``text.lower()``,
#: ``re.findall(r"\b\w+\b", ...)``, NLTK English stopwords removed, words seen
#: at least 5 times, alphabetical vocabulary, ``"<pad>"`` = 0, ``"<unk>"`` = 1,
#: first 256 ids, 0-padded at the end.
PYTHON_REGEX: dict[str, Any] = {
    "max_tokens": None,
    "standardize": "lower_unicode",
    "split": "word",
    "output_sequence_length": 256,
    "min_freq": 5,
    "stopwords": "english",
    "vocab_order": "alphabetical",
    "pad_token": "<pad>",
    "oov_token": "<unk>",
    "padding": "post",
    "truncating": "post",
}
#: Earlier name of :data:`PYTHON_REGEX`.
SEED_004 = PYTHON_REGEX

_PRESETS: dict[str, dict[str, Any]] = {
    # keras.layers.TextVectorization's defaults.
    "text_vectorization": {},
    "python_regex": PYTHON_REGEX,
    # keras.datasets.imdb ids: 0 pad, 1 start, 2 OOV, word of rank r at r + 3.
    "keras_imdb": {"start_token": "[START]", "oov_token": "[OOV]", "index_from": 3},
}

#: Earlier preset names -> the descriptive names; both work.
PRESET_ALIASES: dict[str, str] = {"seed004": "python_regex"}

#: Named configurations for :meth:`Tokenizer.from_preset`, aliases included.
PRESETS: dict[str, dict[str, Any]] = with_aliases(_PRESETS, PRESET_ALIASES)


class Tokenizer:
    """Learns a vocabulary from texts and encodes texts into int32 id arrays.

    The constructor mirrors ``keras.layers.TextVectorization``: with the
    defaults, ``Tokenizer(max_tokens=M, output_sequence_length=L)`` gives the
    same ``get_vocabulary()`` and the same ids as
    ``TextVectorization(max_tokens=M, output_sequence_length=L)``.

    Processing order: ``strip_html`` (HTML line breaks ``<br />``, ``<br/>``,
    ``<br>``, any case, become a space), lowercasing, ASCII punctuation
    removal, splitting, stopword removal; empty tokens are dropped.

    Args:
        max_tokens: int or None. Maximum vocabulary size, special (and
            reserved) ids included, as in Keras: at most ``max_tokens - 2``
            learned tokens with the default layout. At most ``2**31 - 1``
            (ids are int32).
        standardize: ``"lower_and_strip_punctuation"`` (default: ASCII
            lowercasing, then deletion of the 32 ASCII punctuation
            characters), ``"lower"`` (ASCII only, like ``tf.strings.lower``),
            ``"strip_punctuation"``, ``"lower_unicode"`` (Python's
            ``str.lower()``), ``"lower_unicode_and_strip_punctuation"``, or
            None.
        split: ``"whitespace"`` (default: runs of ASCII whitespace
            ``" \\t\\n\\v\\f\\r"``, like ``tf.strings.split``; NBSP and other
            Unicode spaces do not split), ``"word"`` (maximal runs of Python
            ``\\w`` characters, i.e. ``re.findall(r"\\b\\w+\\b", text)``), None
            (the whole text is one token), or any other string: a regular
            expression (Rust ``regex`` syntax) whose non-overlapping matches
            are the tokens, like ``re.findall`` for a pattern without groups.
        output_sequence_length: int or None. With an int, :meth:`transform`
            returns a ``(n, output_sequence_length)`` int32 array (a
            ``MemoryError`` if it cannot be allocated); with None, a list of
            1-D int32 arrays (see :meth:`transform`).
        min_freq: int. Tokens seen fewer times during :meth:`fit` are left out.
        stopwords: None, ``"english"`` (NLTK's list, see
            :mod:`imdbfast.stopwords`) or an iterable of tokens, compared with
            the standardized tokens and dropped from every text.
        vocab_order: ``"frequency"`` (count descending, ties broken exactly as
            TextVectorization does: by the token's UTF-8 bytes, descending) or
            ``"alphabetical"`` (by code point; with ``max_tokens`` the most
            frequent tokens are chosen first).
        pad_token: token of id 0 (default ``""``).
        oov_token: token of the out-of-vocabulary id (default ``"[UNK]"``).
        strip_html: bool. Replace HTML line breaks by a space first.
        start_token: str or None. If set, gets id 1 (the OOV id becomes 2) and
            starts every encoded text, as in ``keras.datasets.imdb``.
        index_from: int or None. If set, the learned token of frequency rank
            ``r`` (1-based) gets id ``r + index_from``, the
            ``keras.datasets.imdb`` arithmetic; ids between the special ones
            and ``index_from`` are reserved and shown as ``"[UNUSED<id>]"``
            (they cost no memory: only :meth:`get_vocabulary` writes the
            placeholders out, up to 2**20 of them). At most ``2**31 - 2``.
            ``Tokenizer.from_preset("keras_imdb")`` gives 0 pad, 1
            ``"[START]"``, 2 ``"[OOV]"``, 3 reserved, words from 4.
        padding: ``"post"`` (default) or ``"pre"``: where padding goes.
        truncating: ``"post"`` (default) or ``"pre"``: which end of a long
            text is dropped.

    Raises:
        ValueError: an invalid option (unknown name, bad number, invalid
            regular expression, clashing special tokens).
    """

    def __init__(
        self,
        max_tokens: int | None = None,
        standardize: str | None = "lower_and_strip_punctuation",
        split: str | None = "whitespace",
        output_sequence_length: int | None = None,
        *,
        min_freq: int = 1,
        stopwords: str | Iterable[str] | None = None,
        vocab_order: str = "frequency",
        pad_token: str = "",
        oov_token: str = "[UNK]",
        strip_html: bool = False,
        start_token: str | None = None,
        index_from: int | None = None,
        padding: str = "post",
        truncating: str = "post",
    ) -> None:
        max_tokens = check_int(
            "max_tokens", max_tokens, minimum=1, maximum=MAX_IDS, optional=True
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
        check_choice("standardize", standardize, STANDARDIZE)
        if split is not None and not isinstance(split, str):
            raise TypeError(
                f"`split` must be {describe_choices(SPLIT_MODES)}, None or a regular "
                f"expression string. Received: split={split!r}"
            )
        check_side("padding", padding)
        check_side("truncating", truncating)
        for name, tok in (("pad_token", pad_token), ("oov_token", oov_token)):
            if not isinstance(tok, str):
                raise TypeError(f"`{name}` must be a str. Received: {name}={tok!r}")
        if start_token is not None and not isinstance(start_token, str):
            raise TypeError(
                "`start_token` must be None or a str. "
                f"Received: start_token={start_token!r}"
            )
        if not isinstance(strip_html, bool):
            raise TypeError(
                f"`strip_html` must be a bool. Received: strip_html={strip_html!r}"
            )
        stopword_list = _stopword_list(stopwords)

        self.max_tokens = max_tokens
        self.standardize = standardize
        self.split = split
        self.output_sequence_length = output_sequence_length
        self.min_freq = min_freq
        self.stopwords: str | list[str] | None = (
            stopwords if stopwords is None or isinstance(stopwords, str) else stopword_list
        )
        self.vocab_order = vocab_order
        self.pad_token = pad_token
        self.oov_token = oov_token
        self.strip_html = strip_html
        self.start_token = start_token
        self.index_from = index_from
        self.padding = padding
        self.truncating = truncating

        # The Rust core checks the order and the id layout (special tokens,
        # index_from, max_tokens) now rather than at fit time.
        _native.Vocabulary.check_config(
            min_freq=min_freq, order=vocab_order, **self._layout()
        )
        self._pipeline = _native.TextPipeline(standardize, split, strip_html, stopword_list)
        self._vocab: _native.Vocabulary | None = None

    # ---------------------------------------------------------------- config

    def _layout(self) -> dict[str, Any]:
        """The vocabulary's size limit and special tokens, as the core takes them."""
        return {
            "max_tokens": self.max_tokens,
            "pad_token": self.pad_token,
            "oov_token": self.oov_token,
            "start_token": self.start_token,
            "index_from": self.index_from,
        }

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, as a JSON-serializable dict."""
        return {
            "max_tokens": self.max_tokens,
            "standardize": self.standardize,
            "split": self.split,
            "output_sequence_length": self.output_sequence_length,
            "min_freq": self.min_freq,
            "stopwords": self.stopwords,
            "vocab_order": self.vocab_order,
            "pad_token": self.pad_token,
            "oov_token": self.oov_token,
            "strip_html": self.strip_html,
            "start_token": self.start_token,
            "index_from": self.index_from,
            "padding": self.padding,
            "truncating": self.truncating,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Tokenizer:
        """Build an (unfitted) tokenizer from :meth:`get_config`'s output."""
        return cls(**config)

    @classmethod
    def from_preset(cls, name: str, **overrides: Any) -> Tokenizer:
        """Build an (unfitted) tokenizer from a named configuration.

        Presets: ``"text_vectorization"`` (the defaults), ``"python_regex"``
        (:data:`PYTHON_REGEX`, alias ``"seed004"``: Unicode lowercasing,
        ``\\b\\w+\\b`` words, NLTK English stopwords, ``min_freq=5``,
        alphabetical vocabulary, ``"<pad>"`` = 0, ``"<unk>"`` = 1, 256 ids per
        text) and ``"keras_imdb"`` (``keras.datasets.imdb`` ids: 0 pad, 1
        ``"[START]"``, 2 ``"[OOV]"``, words from 4).

        Args:
            name: preset name or alias (:data:`PRESET_ALIASES`).
            **overrides: constructor arguments that replace the preset's.

        Returns:
            An unfitted tokenizer.

        Raises:
            ValueError: unknown preset.
        """
        return cls(**{**get_preset("preset", name, PRESETS), **overrides})

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if k != "stopwords")
        fitted = f"vocabulary_size={self.vocabulary_size()}" if self._vocab is not None else "not fitted"
        return f"Tokenizer({args}) [{fitted}]"

    # ------------------------------------------------------------ vocabulary

    def fit(self, texts: Iterable[str]) -> Tokenizer:
        """Learn the vocabulary from ``texts`` (replacing any previous one).

        Args:
            texts: list/tuple of str, NumPy str/object array, or any iterable
                of str.

        Returns:
            self.

        Raises:
            TypeError: an item is not a str (its index is named).
        """
        self._vocab = _native.Vocabulary.build(
            self._pipeline,
            _as_text_list(texts),
            min_freq=self.min_freq,
            order=self.vocab_order,
            **self._layout(),
        )
        return self

    adapt = fit

    def set_vocabulary(self, vocabulary: Sequence[str]) -> Tokenizer:
        """Use a given vocabulary (as returned by :meth:`get_vocabulary`).

        Args:
            vocabulary: the tokens in id order (a list, tuple or 1-D array of
                str): the special tokens, the reserved placeholders
                ``"[UNUSED<id>]"`` (with ``index_from``), then the words.

        Returns:
            self.

        Raises:
            TypeError: ``vocabulary`` is a mapping, a set or a single string,
                or an item is not a str (its index is named).
            ValueError: the special tokens or placeholders are not at their
                ids, a token repeats, or it is longer than ``max_tokens``.
        """
        self._vocab = _native.Vocabulary(_token_list(vocabulary), **self._layout())
        return self

    def _fitted(self) -> _native.Vocabulary:
        if self._vocab is None:
            raise RuntimeError(
                "This Tokenizer has no vocabulary yet: call fit(texts) (or load a "
                "saved tokenizer) before using it."
            )
        return self._vocab

    @property
    def oov_id(self) -> int | None:
        """Id of the OOV token, or None when there is none (``oov_token=""``).

        Raises:
            RuntimeError: the tokenizer is not fitted.
        """
        if not self.oov_token:
            return None
        return int(self._fitted().token_to_id(self.oov_token))

    @property
    def is_fitted(self) -> bool:
        """Whether a vocabulary has been learned or set."""
        return self._vocab is not None

    def get_vocabulary(self) -> list[str]:
        """All tokens in id order, special tokens first.

        Raises:
            RuntimeError: the tokenizer is not fitted.
            MemoryError: more than 2**20 reserved ids (a huge ``index_from``)
                would be written out as placeholders.
        """
        return self._fitted().tokens()

    def vocabulary_size(self) -> int:
        """Number of ids (special tokens included)."""
        return len(self._fitted())

    def token_to_id(self, token: str) -> int:
        """Id of ``token``; the OOV id for tokens not in the vocabulary."""
        return self._fitted().token_to_id(token)

    def id_to_token(self, id: int) -> str:
        """Token of an id.

        Raises:
            ValueError: the id is out of range.
        """
        vocab = self._fitted()
        index = int(id)
        token = vocab.token(index) if 0 <= index < len(vocab) else None
        if token is None:
            raise ValueError(f"id must be in [0, {len(vocab)}). Received: {id}")
        return token

    def decode(self, ids: Iterable[int]) -> str:
        """Join the tokens of ``ids`` with spaces, leaving out padding (id 0).

        Raises:
            ValueError: an id is out of range.
        """
        vocab = self._fitted()
        arr = np.asarray(ids, dtype=np.int64).ravel()
        if arr.size and (arr.min() < 0 or arr.max() >= len(vocab)):
            raise ValueError(f"ids must be in [0, {len(vocab)}). Received: {arr.min()}..{arr.max()}")
        return " ".join(vocab.decode_ids(arr[arr != 0].tolist()))

    def tokenize(self, text: str) -> list[str]:
        """The tokens of one text after standardization, splitting and
        stopword removal (before the vocabulary lookup)."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str. Received: {type(text).__name__}")
        return self._pipeline.tokenize(text)

    # -------------------------------------------------------------- encoding

    def transform(self, texts: Iterable[str]) -> np.ndarray | list[np.ndarray]:
        """Encode texts into ids.

        Args:
            texts: list/tuple of str, NumPy str/object array, or any iterable
                of str.

        Returns:
            With ``output_sequence_length=L``: an int32 array of shape
            ``(n, L)``, padded with 0 and truncated as ``padding`` and
            ``truncating`` say (``(0, L)`` for no texts). With None: a list of
            ``n`` 1-D int32 arrays, views into one flat buffer (see
            :meth:`transform_ragged` for the buffer itself).

        Raises:
            TypeError: an item is not a str (its index is named).
            RuntimeError: the tokenizer is not fitted.
        """
        vocab = self._fitted()
        text_list = _as_text_list(texts)
        if self.output_sequence_length is None:
            values, row_splits = vocab.encode_ragged(self._pipeline, text_list, None, self.truncating)
            return np.split(values, row_splits[1:-1]) if len(text_list) else []
        return vocab.encode(
            self._pipeline, text_list, self.output_sequence_length, self.padding, self.truncating
        )

    __call__ = transform

    def transform_ragged(self, texts: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
        """Encode texts into a ragged pair ``(values, row_splits)``.

        Text ``i`` is ``values[row_splits[i]:row_splits[i + 1]]``. Rows are
        truncated to ``output_sequence_length`` if set (honouring
        ``truncating``) and never padded, which suits length bucketing.

        Returns:
            ``values`` (int32, 1-D) and ``row_splits`` (int64, ``n + 1``).

        Raises:
            TypeError: an item is not a str (its index is named).
            RuntimeError: the tokenizer is not fitted.
        """
        return self._fitted().encode_ragged(
            self._pipeline, _as_text_list(texts), self.output_sequence_length, self.truncating
        )

    def fit_transform(self, texts: Iterable[str]) -> np.ndarray | list[np.ndarray]:
        """:meth:`fit` then :meth:`transform` on the same texts."""
        text_list = _as_text_list(texts)
        return self.fit(text_list).transform(text_list)

    # ----------------------------------------------------------- persistence

    def to_dict(self) -> dict[str, Any]:
        """The whole tokenizer (format, version, config, vocabulary) as a dict.

        Raises:
            MemoryError: the vocabulary cannot be listed (see
                :meth:`get_vocabulary`).
        """
        return {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "config": self.get_config(),
            "vocabulary": None if self._vocab is None else self._vocab.tokens(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Tokenizer:
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
        config, vocabulary = _check_document(data)
        try:
            tok = cls.from_config(config)
        except (TypeError, ValueError) as e:
            raise ValueError(f"Invalid {FORMAT} `config`: {e}") from e
        if vocabulary is not None:
            try:
                tok.set_vocabulary(vocabulary)
            except ValueError as e:
                raise ValueError(f"Invalid {FORMAT} `vocabulary`: {e}") from e
        return tok

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the tokenizer as human-readable, versioned JSON (UTF-8).

        The file holds ``format``, ``version``, ``config`` (the constructor
        arguments) and ``vocabulary`` (the tokens in id order, or null).
        """
        with open(path, "w", encoding="utf-8") as f:
            json.dump(self.to_dict(), f, ensure_ascii=False, indent=1)
            f.write("\n")

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Tokenizer:
        """Read a tokenizer written by :meth:`save`.

        Raises:
            OSError: the file cannot be read.
            ValueError: not a tokenizer file, an unsupported version, or a
                field of the wrong type or range (see :meth:`from_dict`; the
                message starts with the path).
        """
        where = os.fspath(path)
        with open(path, encoding="utf-8") as f:
            try:
                data = json.load(f)
            except (json.JSONDecodeError, UnicodeDecodeError) as e:
                raise ValueError(f"{where}: not valid JSON ({e})") from e
        try:
            return cls.from_dict(data)
        except ValueError as e:
            raise ValueError(f"{where}: {e}") from e

    def __getstate__(self) -> dict[str, Any]:
        return self.to_dict()

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(Tokenizer.from_dict(state).__dict__)


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
    "split": ("a string or null", _optional(_is_str)),
    "output_sequence_length": ("an integer or null", _optional(_is_int)),
    "min_freq": ("an integer", _is_int),
    "stopwords": (
        "a string, a list of strings or null",
        _optional(
            lambda v: _is_str(v) or (isinstance(v, list) and all(map(_is_str, v)))
        ),
    ),
    "vocab_order": ("a string", _is_str),
    "pad_token": ("a string", _is_str),
    "oov_token": ("a string", _is_str),
    "strip_html": ("a boolean", lambda v: isinstance(v, bool)),
    "start_token": ("a string or null", _optional(_is_str)),
    "index_from": ("an integer or null", _optional(_is_int)),
    "padding": ("a string", _is_str),
    "truncating": ("a string", _is_str),
}

_DOCUMENT_KEYS = ("format", "version", "config", "vocabulary")


def _short(value: Any) -> str:
    """``repr(value)``, cut to a length fit for an error message."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _check_document(data: Any) -> tuple[dict[str, Any], list[str] | None]:
    """Checks the shape and types of a saved tokenizer document.

    Args:
        data: the parsed JSON.

    Returns:
        The ``config`` dict and the ``vocabulary`` (or None).

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
            f"Received: version={_short(version)}"
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
                f"`config.{name}` must be {expected}. Received: {_short(value)}"
            )
    vocabulary = data.get("vocabulary")
    if vocabulary is None:
        return config, None
    if not isinstance(vocabulary, list):
        raise ValueError(
            "`vocabulary` must be a list of strings or null. "
            f"Received: {type(vocabulary).__name__}"
        )
    for i, token in enumerate(vocabulary):
        if not isinstance(token, str):
            raise ValueError(
                f"`vocabulary[{i}]` must be a string. Received: {_short(token)}"
            )
    return config, vocabulary


def _token_list(vocabulary: Sequence[str]) -> list[str]:
    """The tokens of a vocabulary given in id order, checked to be str."""
    if isinstance(vocabulary, (str, bytes, Mapping, set, frozenset)):
        raise TypeError(
            "`vocabulary` must be a sequence of str in id order (a list, tuple or "
            f"1-D array). Received: {type(vocabulary).__name__}"
        )
    tokens = list(vocabulary)
    for i, token in enumerate(tokens):
        if not isinstance(token, str):
            raise TypeError(
                "`vocabulary` must contain only str. "
                f"Received: {type(token).__name__} at index {i}"
            )
    return tokens


def _stopword_list(stopwords: str | Iterable[str] | None) -> list[str]:
    if stopwords is None:
        return []
    if isinstance(stopwords, str):
        return list(get_stopwords(stopwords))
    words = list(stopwords)
    for i, w in enumerate(words):
        if not isinstance(w, str):
            raise TypeError(f"`stopwords` must contain only str. Received item {i}: {w!r}")
    return sorted(set(words))


def _as_text_list(texts: Any) -> list[str] | tuple[str, ...]:
    """Accept list/tuple, 1-D NumPy str/object arrays and other iterables; the
    native side checks that every item is a str and names the first that is not."""
    if isinstance(texts, (list, tuple)):
        return texts
    if isinstance(texts, (str, bytes)):
        raise TypeError(
            "texts must be an iterable of str, not a single "
            f"{type(texts).__name__}; wrap it in a list."
        )
    if isinstance(texts, np.ndarray):
        if texts.ndim == 2 and texts.shape[1] == 1:
            texts = texts[:, 0]
        if texts.ndim != 1:
            raise ValueError(f"texts must be 1-D. Received an array of shape {texts.shape}")
        items: list[str] = texts.tolist()
        return items
    try:
        return list(texts)
    except TypeError:
        raise TypeError(
            f"texts must be an iterable of str. Received: {type(texts).__name__}"
        ) from None
