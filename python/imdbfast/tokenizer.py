"""The :class:`Tokenizer`: raw texts to int32 id arrays, or to bags of
n-grams (multi-hot, counts, tf-idf), in Rust, on all cores.

Its options are those of ``keras.layers.TextVectorization`` and, with the same
values, it gives the same vocabulary and the same output (ASCII-only
lowercasing, ASCII punctuation stripping, ASCII-whitespace splitting, Keras'
tie order, n-grams joined with a space, Keras' idf formula).
"""

from __future__ import annotations

import codecs
import collections
import functools
import itertools
import json
import operator
import os
import re
import sys
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from imdbfast import _arrow, _native
from imdbfast._files import LARGE_FILE_BYTES, read_json, read_text
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
    get_preset,
    with_aliases,
)
from imdbfast._regex import to_rust
from imdbfast.preprocessing import pad_sequences  # noqa: F401  (importable from here)
from imdbfast.stopwords import get_stopwords

__all__ = [
    "Tokenizer",
    "TokenCounts",
    "PYTHON_REGEX",
    "SEED_004",
    "KERAS_LEGACY",
    "KERAS_LEGACY_FILTERS",
    "PRESETS",
    "PRESET_ALIASES",
    "FORMAT",
    "FORMAT_VERSION",
]

#: The ``"format"`` entry of the JSON that :meth:`Tokenizer.save` writes.
FORMAT = "imdbfast.Tokenizer"
#: The ``"version"`` entry of that JSON: the layout version :meth:`Tokenizer.load` reads.
FORMAT_VERSION = 1

#: Ids are int32: at most this many, special and reserved ones included.
MAX_IDS = 2**31 - 1

#: Mergeable token counts (:meth:`Tokenizer.count`): occurrences, document
#: frequencies and first positions of the tokens (or n-grams) of some texts,
#: and the number of texts. ``a + b`` and ``TokenCounts.merge([a, b, ...])``
#: are the counts of ``a``'s texts followed by ``b``'s (the order matters
#: for ``vocab_order="frequency_first_seen"`` only); ``len(counts)`` is the
#: number of distinct tokens, ``counts.documents`` the number of texts,
#: ``counts.count(token)`` and ``counts.document_count(token)`` what is known
#: of one token. Counts pickle; counts of tokenizers with different
#: tokenization settings do not merge (``ValueError``).
TokenCounts = _native.TokenCounts

#: Texts per chunk when :meth:`Tokenizer.fit` or :meth:`Tokenizer.count`
#: consume an iterator: the most texts held at once.
FIT_CHUNK = 8192

#: Texts as the native calls take them.
_Texts = list[str] | tuple[str, ...] | _native.ArrowStrings

#: The plain-Python regex pipeline (seed 004's ``build_vocab`` + ``tokenize``):
#: ``text.lower()``, ``re.findall(r"\b\w+\b", ...)``; the vocabulary is the
#: words seen at least 5 times that are not NLTK English stopwords, sorted,
#: after ``"<pad>"`` = 0 and ``"<unk>"`` = 1; every word of a text is looked
#: up, so a stopword (never in the vocabulary) encodes as ``"<unk>"``; first
#: 256 ids, 0-padded at the end. (``drop_stopwords=True`` drops the stopwords
#: from the texts as well.)
PYTHON_REGEX: dict[str, Any] = {
    "max_tokens": None,
    "standardize": "lower_unicode",
    "split": "word",
    "output_sequence_length": 256,
    "min_freq": 5,
    "stopwords": "english",
    "drop_stopwords": False,
    "vocab_order": "alphabetical",
    "pad_token": "<pad>",
    "oov_token": "<unk>",
    "padding": "post",
    "truncating": "post",
}
#: Earlier name of :data:`PYTHON_REGEX`.
SEED_004 = PYTHON_REGEX

#: The legacy Keras ``Tokenizer``'s default ``filters``: each of these
#: characters is replaced by the split character (a space) before splitting.
KERAS_LEGACY_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'

#: The legacy ``keras.preprocessing.text.Tokenizer`` (tf-keras) with its
#: defaults, ``fit_on_texts`` + ``texts_to_sequences``: ``str.lower()``, the
#: filters replaced by a space, split on ``" "``, words ranked by count with
#: ties in first-seen order from id 1, no OOV id (unknown words are left
#: out; ``oov_token="<OOV>"`` gives it id 1 and words from 2), ragged output.
#: ``max_tokens`` is ``num_words``: ids stay below it.
KERAS_LEGACY: dict[str, Any] = {
    "standardize": "lower_unicode",
    # Tokens are the runs of characters that are neither a filter nor the
    # split character, exactly what translate + split(" ") leaves.
    "split": re.compile("[^" + re.escape(KERAS_LEGACY_FILTERS + " ") + "]+"),
    "vocab_order": "frequency_first_seen",
    "pad_token": "",
    "oov_token": None,
    "output_sequence_length": None,
}

_PRESETS: dict[str, dict[str, Any]] = {
    # keras.layers.TextVectorization's defaults.
    "text_vectorization": {},
    "python_regex": PYTHON_REGEX,
    # keras.datasets.imdb ids: 0 pad, 1 start, 2 OOV, word of rank r at r + 3.
    "keras_imdb": {"start_token": "[START]", "oov_token": "[OOV]", "index_from": 3},
    "keras_legacy": KERAS_LEGACY,
}

#: Earlier preset names -> the descriptive names; both work.
PRESET_ALIASES: dict[str, str] = {"seed004": "python_regex"}

#: Named configurations for :meth:`Tokenizer.from_preset`, aliases included.
PRESETS: dict[str, dict[str, Any]] = with_aliases(_PRESETS, PRESET_ALIASES)


class Tokenizer:
    """Learns a vocabulary from texts and encodes texts into int32 id arrays
    or bags of n-grams.

    The constructor mirrors ``keras.layers.TextVectorization``: with the
    defaults, ``Tokenizer(max_tokens=M, output_sequence_length=L)`` gives the
    same ``get_vocabulary()`` and the same ids as
    ``TextVectorization(max_tokens=M, output_sequence_length=L)``, and the same
    holds for ``ngrams``, ``output_mode`` (``"multi_hot"``, ``"count"``,
    ``"tf_idf"``, ``"one_hot"``), ``pad_to_max_tokens``, ``vocabulary`` and
    ``idf_weights``. Options after ``output_sequence_length`` are keyword-only.

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
            A callable ``str -> str`` replaces the named standardization (it
            runs in Python on each text, before ``strip_html``).
        split: ``"whitespace"`` (default: runs of ASCII whitespace
            ``" \\t\\n\\v\\f\\r"``, like ``tf.strings.split``; NBSP and other
            Unicode spaces do not split), ``"character"`` (every Unicode
            character is a token, like ``tf.strings.unicode_split``),
            ``"word"`` (maximal runs of Python ``\\w`` characters, i.e.
            ``re.findall(r"\\b\\w+\\b", text)``), None (the whole text is one
            token; a text empty after standardization is the padding id 0, as
            in Keras), a compiled ``re.Pattern`` (the tokens are
            ``m.group(0) for m in pattern.finditer(text)``, found by the Rust
            engine; a pattern it cannot run with Python's exact meaning raises
            ``ValueError``, see :mod:`imdbfast._regex`), or a callable
            ``str -> list of str`` run in Python on each standardized text.
            Any other string raises ``ValueError``.
        output_sequence_length: int or None, with ``output_mode="int"``
            only. With an int, :meth:`transform` returns a
            ``(n, output_sequence_length)`` int32 array (a ``MemoryError`` if
            it cannot be allocated); with None, a list of 1-D int32 arrays
            (see :meth:`transform`).
        ngrams: None, an int ``n >= 1`` (widths 1 to ``n``) or a tuple of
            widths >= 1. An n-gram is ``n`` consecutive tokens joined with a
            space; a text's n-grams come width by width. The vocabulary holds
            n-grams ranked by count, like tokens.
        output_mode: ``"int"`` (default: ids), ``"multi_hot"`` (1 for each
            vocabulary entry present), ``"count"`` (occurrences), ``"tf_idf"``
            (occurrences times ``ln(1 + documents / (1 + document frequency))``
            learned by :meth:`fit`; the OOV column's weight is the mean of the
            others) or ``"one_hot"`` (with ``split=None``, one row per text;
            with a split, one row per token: see :meth:`transform`). In these
            bag modes column 0 is the OOV token and there is no padding
            column (Keras' layout); rows are float32.
        pad_to_max_tokens: bool. Bag modes: give rows ``max_tokens`` columns
            even when the vocabulary is smaller (needs ``max_tokens``).
        vocabulary: None, a list/tuple/array of str or the path of a UTF-8
            text file with one entry per line (every line a vocabulary
            entry; a final newline is allowed, an empty line is not). The
            special tokens may lead a list or be left out; anywhere else they
            raise ``ValueError``. Such a tokenizer is fitted from the start
            and :meth:`fit` refuses to run.
        idf_weights: with ``output_mode="tf_idf"`` and ``vocabulary`` only:
            one weight per entry of ``vocabulary`` (the OOV column gets their
            mean when the list leaves the OOV token out).
        sparse: bool. Bag modes: :meth:`transform` returns a
            ``scipy.sparse.csr_matrix`` (float32), built directly in CSR
            form (needs SciPy).
        encoding: str. The text encoding of a ``vocabulary`` file.
        min_freq: int. Tokens seen fewer times during :meth:`fit` are left out.
        stopwords: None, ``"english"`` (NLTK's list, see
            :mod:`imdbfast.stopwords`) or an iterable of tokens, compared with
            the standardized tokens and never in a learned vocabulary.
        drop_stopwords: bool. True (default): stopwords are also dropped from
            every text before it is encoded. False: they stay in the texts and
            encode as the OOV id (seed 004's pipeline).
        vocab_order: ``"frequency"`` (count descending, ties broken exactly as
            TextVectorization does: by the token's UTF-8 bytes, descending),
            ``"alphabetical"`` (by code point; with ``max_tokens`` the most
            frequent tokens are chosen first) or ``"frequency_first_seen"``
            (count descending, ties in the order first met: the legacy Keras
            ``Tokenizer``'s; ``output_mode="int"`` without ``ngrams`` only).
        pad_token: token of id 0 (default ``""``).
        oov_token: token of the out-of-vocabulary id (default ``"[UNK]"``),
            or None (``output_mode="int"`` only): no such id, and tokens not
            in the vocabulary are left out of the encoded texts.
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
        num_threads: int >= 1 or None. Threads used by every call of this
            tokenizer (fit, count, transform, ...). None (default): the
            ``IMDBFAST_NUM_THREADS`` environment variable if set (read at
            each call; a value that is not an integer >= 1 raises
            ``ValueError``), else one per core. 1: no thread pool at all,
            the work runs on the calling thread. Never more than the cores
            this process may use, unless the ``IMDBFAST_MAX_THREADS``
            environment variable allows more (so a saved tokenizer cannot
            start more threads than that); a few pools are kept at most.

    Fitting is transactional and thread-safe: :meth:`fit`,
    :meth:`partial_fit`, :meth:`fit_counts` and :meth:`set_vocabulary` hold
    this tokenizer's lock, so calls from several threads run one after
    another (``partial_fit`` from 4 threads counts the texts of all 4), and
    each installs what it learned only once all of it is computed: one that
    raises (a bad item, a stream that fails half-way) leaves the tokenizer
    exactly as it was, ``partial_fit``'s running counts included. Transforms
    take no lock; one running during a fit uses the vocabulary (and tf-idf
    weights) before the fit or after it, never a mix.

    Raises:
        ValueError: an invalid option (unknown name, bad number, a pattern
            the Rust engine cannot run exactly, clashing special tokens, a
            bad vocabulary or idf weights, options Keras does not combine).
        TypeError: an option of the wrong type.
    """

    def __init__(
        self,
        max_tokens: int | None = None,
        standardize: str | Callable[[str], str] | None = "lower_and_strip_punctuation",
        split: str | re.Pattern[str] | Callable[[str], Any] | None = "whitespace",
        output_sequence_length: int | None = None,
        *,
        ngrams: int | tuple[int, ...] | None = None,
        output_mode: str = "int",
        pad_to_max_tokens: bool = False,
        vocabulary: Sequence[str] | str | os.PathLike[str] | None = None,
        idf_weights: Sequence[float] | np.ndarray | None = None,
        sparse: bool = False,
        encoding: str = "utf-8",
        min_freq: int = 1,
        stopwords: str | Iterable[str] | None = None,
        drop_stopwords: bool = True,
        vocab_order: str = "frequency",
        pad_token: str = "",
        oov_token: str | None = "[UNK]",
        strip_html: bool = False,
        start_token: str | None = None,
        index_from: int | None = None,
        padding: str = "post",
        truncating: str = "post",
        num_threads: int | None = None,
    ) -> None:
        max_tokens = check_int(
            "max_tokens", max_tokens, minimum=1, maximum=MAX_IDS, optional=True
        )
        output_mode = _check_output_mode(output_mode)
        bag = output_mode != "int"
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
        split = _check_split(split)
        widths = _check_ngrams(ngrams)
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
        _check_combinations(
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
        stopword_list = _stopword_list(stopwords)

        self.max_tokens = max_tokens
        self.standardize = standardize
        self.split = split
        self.output_sequence_length = output_sequence_length
        # Python ints (a NumPy int or a list of widths becomes what the
        # constructor takes back from a saved or pickled config).
        self.ngrams: int | tuple[int, ...] | None = widths
        if isinstance(ngrams, (int, np.integer)):
            self.ngrams = int(ngrams)
        self.output_mode = output_mode
        self.pad_to_max_tokens = pad_to_max_tokens
        self.sparse = sparse
        self.encoding = encoding
        self.min_freq = min_freq
        self.stopwords: str | list[str] | None = (
            stopwords if stopwords is None or isinstance(stopwords, str) else stopword_list
        )
        self.drop_stopwords = drop_stopwords
        self.vocab_order = vocab_order
        self.pad_token = pad_token
        self.oov_token = oov_token
        self.strip_html = strip_html
        self.start_token = start_token
        self.index_from = index_from
        self.padding = padding
        self.truncating = truncating
        self.num_threads = num_threads
        self._bag = bag
        self._widths = widths
        self._stopword_list = stopword_list

        # The vocabulary settings, checked once by the Rust core (now rather
        # than at fit time): every native call that learns or rebuilds a
        # vocabulary takes them, and the id and bag layouts come from them.
        self._vocab_config = _native.VocabConfig(
            max_tokens=self.max_tokens,
            min_freq=self.min_freq,
            order=self.vocab_order,
            pad_token=self.pad_token,
            oov_token=self.oov_token,
            start_token=self.start_token,
            index_from=self.index_from,
            bag=self._bag,
        )
        # Callables run in Python (see _prepare); the Rust pipelines then see
        # their output: standardized text, or tokens joined by _SEPARATOR.
        self._standardize_fn = standardize if callable(standardize) else None
        self._split_fn = split if callable(split) and not isinstance(split, re.Pattern) else None
        native_standardize = None if callable(standardize) else standardize
        self._before_split: _native.TextPipeline | None = None
        if self._split_fn is not None:
            if native_standardize is not None or strip_html:
                self._before_split = _native.TextPipeline(
                    native_standardize, None, strip_html, []
                )
            native_split: str | None = _SEPARATED
            native_standardize, native_html = None, False
        else:
            native_split = _native_split(split)
            native_html = strip_html
        # Fitting always keeps stopwords out of the vocabulary; encoding drops
        # them from the texts only with drop_stopwords.
        self._pipeline = _native.TextPipeline(
            native_standardize, native_split, native_html, stopword_list
        )
        self._encode_pipeline = (
            self._pipeline
            if drop_stopwords or not stopword_list
            else _native.TextPipeline(native_standardize, native_split, native_html, [])
        )
        # What fitting learns, as one tuple (vocabulary, tf-idf weights) that
        # a fit replaces in one assignment (_commit): a transform reads it
        # once and never sees one fit's vocabulary with another's weights.
        self._state: tuple[_native.Vocabulary | None, np.ndarray | None] = (None, None)
        self._counts: TokenCounts | None = None  # partial_fit's
        # Held by every method that learns (fit, fit_counts, partial_fit,
        # set_vocabulary): they run one at a time (see the class docs).
        self._lock = threading.RLock()
        _WITH_LOCKS.add(self)
        self._input_vocabulary: list[str] | None = None
        self._input_idf_weights: list[float] | None = None
        self._has_input_vocabulary = vocabulary is not None
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)
            if not isinstance(vocabulary, (str, os.PathLike)):
                self._input_vocabulary = self._read_vocabulary(vocabulary)
            if idf_weights is not None:
                self._input_idf_weights = np.asarray(idf_weights, dtype=np.float64).tolist()

    # ---------------------------------------------------------------- config

    def _specials(self) -> list[str]:
        """The special tokens that lead :meth:`get_vocabulary`, in id order
        (the core's layout: bag modes have no padding column)."""
        return self._vocab_config.specials

    def _first_word(self) -> int:
        """Index in :meth:`get_vocabulary` of the first learned entry."""
        return self._vocab_config.first_word_index

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, as a JSON-serializable dict.

        A compiled ``split`` pattern is written as ``{"regex": pattern,
        "flags": flags}`` (which the constructor accepts too); callables are
        returned as they are (such a config is not JSON). ``vocabulary`` and
        ``idf_weights`` are those given as lists (None for a vocabulary file,
        as Keras records it).
        """
        split: Any = self.split
        if isinstance(split, re.Pattern):
            split = {"regex": split.pattern, "flags": split.flags}
        return {
            "max_tokens": self.max_tokens,
            "standardize": self.standardize,
            "split": split,
            "output_sequence_length": self.output_sequence_length,
            "ngrams": self.ngrams,
            "output_mode": self.output_mode,
            "pad_to_max_tokens": self.pad_to_max_tokens,
            "vocabulary": self._input_vocabulary,
            "idf_weights": self._input_idf_weights,
            "sparse": self.sparse,
            "encoding": self.encoding,
            "min_freq": self.min_freq,
            "stopwords": self.stopwords,
            "drop_stopwords": self.drop_stopwords,
            "vocab_order": self.vocab_order,
            "pad_token": self.pad_token,
            "oov_token": self.oov_token,
            "strip_html": self.strip_html,
            "start_token": self.start_token,
            "index_from": self.index_from,
            "padding": self.padding,
            "truncating": self.truncating,
            "num_threads": self.num_threads,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Tokenizer:
        """Build a tokenizer from :meth:`get_config`'s output (unfitted unless
        the config holds a vocabulary)."""
        if isinstance(config.get("ngrams"), list):
            config = {**config, "ngrams": tuple(config["ngrams"])}
        return cls(**config)

    @classmethod
    def from_preset(cls, name: str, **overrides: Any) -> Tokenizer:
        """Build an (unfitted) tokenizer from a named configuration.

        Presets: ``"text_vectorization"`` (the defaults), ``"python_regex"``
        (:data:`PYTHON_REGEX`, alias ``"seed004"``: Unicode lowercasing,
        ``\\b\\w+\\b`` words, NLTK English stopwords, ``min_freq=5``,
        alphabetical vocabulary, ``"<pad>"`` = 0, ``"<unk>"`` = 1, 256 ids per
        text; stopwords kept out of the vocabulary and encoded as ``"<unk>"``),
        ``"keras_imdb"`` (``keras.datasets.imdb`` ids: 0 pad, 1
        ``"[START]"``, 2 ``"[OOV]"``, words from 4) and ``"keras_legacy"``
        (:data:`KERAS_LEGACY`: the legacy ``keras.preprocessing.text.Tokenizer``;
        ``from_preset("keras_legacy", max_tokens=N, oov_token="<OOV>")`` is
        ``Tokenizer(num_words=N, oov_token="<OOV>")``).

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
        long = ("stopwords", "vocabulary", "idf_weights")
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if k not in long)
        fitted = f"vocabulary_size={self.vocabulary_size()}" if self._vocab is not None else "not fitted"
        return f"Tokenizer({args}) [{fitted}]"

    # ------------------------------------------------------------ vocabulary

    def fit(self, texts: Iterable[str] | Any) -> Tokenizer:
        """Learn the vocabulary (and the idf weights for ``"tf_idf"``) from
        ``texts``, replacing any previous one.

        A list, tuple, NumPy array or Arrow data is counted in one go; any
        other iterable (a generator, a file, ...) is consumed
        :data:`FIT_CHUNK` texts at a time, each chunk counted and dropped
        (:meth:`count`), so only one chunk and the counts are held: the
        vocabulary is the same.

        Args:
            texts: list/tuple of str, NumPy str/object array, Arrow strings
                (a ``pyarrow`` ``StringArray``, ``LargeStringArray`` or
                ``ChunkedArray``, or a pandas/Polars column of them: read
                from the Arrow buffers, nulls as empty texts), or any
                iterable of str.

        Returns:
            self.

        Raises:
            TypeError: an item is not a str (its index is named), or a
                callable ``standardize``/``split`` returned something else
                than a str/list of str.
            ValueError: the tokenizer was built with a ``vocabulary``.
        """
        self._check_learnable("fit")
        with self._lock:
            if not _in_memory(texts):
                self._commit(*self._learn_counts(self.count(texts)), counts=None)
                return self
            text_list = self._prepare(self._texts(texts))
            # Kept-in-text stopwords are counted through the encoding pipeline
            # and then taken out of the counts.
            pipeline, excluded = self._count_pipeline()
            idf = None
            if self._widths is None and self.output_mode != "tf_idf":
                vocab = _native.Vocabulary.build(
                    self._pipeline,
                    text_list,
                    self._vocab_config,
                    num_threads=self.num_threads,
                )
            else:
                vocab, idf = _native.ngram_vocabulary(
                    pipeline,
                    text_list,
                    list(self._widths or (1,)),
                    self._vocab_config,
                    exclude=excluded,
                    idf_columns=self._idf_columns_spec(),
                    num_threads=self.num_threads,
                )
            self._commit(vocab, idf, counts=None)
        return self

    def count(self, texts: Iterable[str] | Any) -> TokenCounts:
        """Count the tokens (the n-grams, with ``ngrams``) of ``texts`` as
        :meth:`fit` would, without learning anything.

        Counts of several parts of a corpus add up (``a + b``,
        :data:`TokenCounts` ``.merge([...])``, in corpus order) and
        :meth:`fit_counts` learns from the total exactly the vocabulary (its
        order, ``min_freq``, ``max_tokens``, stopwords, n-grams, tf-idf
        document frequencies) that :meth:`fit` learns from the whole corpus:
        count on several workers or over a stream, then fit once.

        Args:
            texts: as for :meth:`fit` (an iterator is consumed
                :data:`FIT_CHUNK` texts at a time).

        Returns:
            A :data:`TokenCounts`.

        Raises:
            TypeError: an item is not a str (its index is named).
        """
        counts = TokenCounts()
        self._count_into(counts, texts)
        return counts

    def fit_counts(self, counts: TokenCounts) -> Tokenizer:
        """Learn the vocabulary (and tf-idf weights) from token counts made
        by :meth:`count` of a tokenizer with the same tokenization settings
        (``standardize``, ``split``, ``strip_html``, ``stopwords``,
        ``drop_stopwords``, ``ngrams``).

        Returns:
            self.

        Raises:
            TypeError: ``counts`` is not a :data:`TokenCounts`.
            ValueError: counts of other tokenization settings, or the
                tokenizer was built with a ``vocabulary``.
        """
        self._check_learnable("fit_counts")
        with self._lock:
            # partial_fit starts over.
            self._commit(*self._learn_counts(counts), counts=None)
        return self

    def _learn_counts(
        self, counts: TokenCounts
    ) -> tuple[_native.Vocabulary, np.ndarray | None]:
        """The vocabulary and tf-idf weights learned from ``counts`` (see
        :meth:`fit_counts`), leaving this tokenizer as it is."""
        if not isinstance(counts, TokenCounts):
            raise TypeError(
                "fit_counts() takes the TokenCounts of Tokenizer.count(). "
                f"Received: {type(counts).__name__}"
            )
        if counts.documents or counts.ngrams:
            source, widths = self._counts_source(), list(self._widths or (1,))
            if counts.source != source or counts.ngrams != widths:
                raise ValueError(
                    "These counts come from a tokenizer with other tokenization "
                    "settings (standardize, split, strip_html, stopwords, "
                    "drop_stopwords, ngrams): count with this tokenizer. Received: "
                    f"{counts.source} with ngram widths {counts.ngrams}; expected "
                    f"{source} with ngram widths {widths}"
                )
        return _native.vocabulary_from_counts(
            counts,
            self._vocab_config,
            exclude=self._stopword_list,
            idf_columns=self._idf_columns_spec(),
            num_threads=self.num_threads,
        )

    def _commit(
        self,
        vocab: _native.Vocabulary,
        idf: np.ndarray | None,
        *,
        counts: TokenCounts | None,
    ) -> None:
        """Install what a fit learned, once it has all been computed: the
        vocabulary and weights in one assignment (a transform in another
        thread sees the old pair or the new one), then partial_fit's counts."""
        self._state = (vocab, idf)
        self._counts = counts

    def partial_fit(self, texts: Iterable[str] | Any) -> Tokenizer:
        """Add the counts of ``texts`` to those of the earlier
        ``partial_fit`` calls (since the last :meth:`fit`,
        :meth:`fit_counts` or :meth:`set_vocabulary`) and learn the
        vocabulary from all of them: after ``partial_fit(a)`` then
        ``partial_fit(b)``, the tokenizer is ``fit(a + b)``. The counts live
        in this object only (they are not saved or pickled). A call that
        raises adds nothing: the counts and the vocabulary stay those of the
        calls before it.

        Args:
            texts: as for :meth:`fit`.

        Returns:
            self.

        Raises:
            TypeError: an item is not a str (its index is named).
            ValueError: the tokenizer was built with a ``vocabulary``.
        """
        self._check_learnable("partial_fit")
        with self._lock:
            # The new texts are counted apart and added once all of them
            # are: a stream that fails half-way adds nothing.
            counts = self.count(texts)
            if self._counts is not None:
                counts = self._counts + counts
            self._commit(*self._learn_counts(counts), counts=counts)
        return self

    def _check_learnable(self, method: str) -> None:
        if self._has_input_vocabulary:
            raise ValueError(
                f"This Tokenizer was built with a `vocabulary`, which {method}() "
                "would replace; build it without one to learn a vocabulary. "
                f"Received: vocabulary of {self.vocabulary_size()} entries"
            )

    def _count_pipeline(self) -> tuple[_native.TextPipeline, list[str]]:
        """The pipeline that fitting counts with, and the tokens taken out of
        its counts: stopwords kept in the texts (``drop_stopwords=False``)
        are counted, so that n-grams span them, then left out."""
        keep = not self.drop_stopwords and bool(self._stopword_list)
        if keep and (self._widths is not None or self.output_mode == "tf_idf"):
            return self._encode_pipeline, self._stopword_list
        return self._pipeline, []

    def _counts_source(self) -> str:
        """The tokenization settings that counts depend on, as the label
        that :data:`TokenCounts` carry (counts of other labels do not mix)."""
        pipeline, excluded = self._count_pipeline()

        def name(value: Any) -> Any:
            if isinstance(value, re.Pattern):
                return {"regex": value.pattern, "flags": int(value.flags)}
            if callable(value):
                module = getattr(value, "__module__", "?")
                return f"callable {module}.{getattr(value, '__qualname__', '?')}"
            return value

        return json.dumps(
            {
                "standardize": name(self.standardize),
                "split": name(self.split),
                "strip_html": self.strip_html,
                "stopwords": self._stopword_list,
                "stopwords_counted": pipeline is self._encode_pipeline and bool(excluded),
            },
            sort_keys=True,
            ensure_ascii=False,
        )

    def _idf_columns_spec(self) -> tuple[int, int] | None:
        """``(column_offset, depth)`` of the idf weights to learn, or None."""
        if self.output_mode != "tf_idf":
            return None
        return self._vocab_config.idf_columns(self.pad_to_max_tokens)

    def _count_into(self, counts: TokenCounts, texts: Iterable[str] | Any) -> None:
        """Add the counts of ``texts`` to ``counts`` (an iterator chunk by
        chunk)."""
        pipeline, _ = self._count_pipeline()
        widths, source = list(self._widths or (1,)), self._counts_source()
        parts = [self._texts(texts)] if _in_memory(texts) else _chunks(texts, FIT_CHUNK)
        for part in parts:
            counts.add_texts(
                pipeline, self._prepare(part), widths, source, num_threads=self.num_threads
            )
            del part  # before the next chunk is read: one chunk at a time

    adapt = fit

    def set_vocabulary(
        self,
        vocabulary: Sequence[str] | str | os.PathLike[str],
        idf_weights: Sequence[float] | np.ndarray | None = None,
    ) -> Tokenizer:
        """Use a given vocabulary (and, for ``"tf_idf"``, idf weights).

        Args:
            vocabulary: a list, tuple or 1-D array of str, or the path of a
                text file with one entry per line (read with ``encoding``;
                every line is an entry, a final newline is allowed, an empty
                line is not). A list may start with the special tokens, in
                :meth:`get_vocabulary`'s order (with ``index_from``, the
                ``"[UNUSED<id>]"`` placeholders too), or leave them out.
            idf_weights: ``"tf_idf"`` only, and then required: one weight per
                entry of ``vocabulary``; when it leaves the OOV token out, the
                OOV column gets the mean weight (Keras' rule).

        Returns:
            self.

        Args:
            vocabulary: the tokens in id order (a list, tuple or 1-D array of
                str): the special tokens, the reserved placeholders
                ``"[UNUSED<id>]"`` (with ``index_from``), then the words.

        Returns:
            self.

        Raises:
            TypeError: ``vocabulary`` is not a sequence of str or a path.
            ValueError: a special token elsewhere than at the start, a token
                that repeats, more entries than ``max_tokens``, an empty line
                in a file, idf weights missing, unexpected, of the wrong
                length or not finite (NaN, inf); a file that is not a
                regular file, larger than 2 GiB or not ``encoding`` text.
            OSError: the file cannot be read; a missing file raises
                :class:`~imdbfast.errors.MissingFileError`, both a
                ``FileNotFoundError`` and a ``ValueError`` (what Keras raises).
        """
        from_file = isinstance(vocabulary, (str, os.PathLike))
        tf_idf = self.output_mode == "tf_idf"
        if tf_idf and idf_weights is None:
            raise ValueError(
                "`idf_weights` must be set if `output_mode` is 'tf_idf'. "
                "Received: idf_weights=None"
            )
        if not tf_idf and idf_weights is not None:
            raise ValueError(
                "`idf_weights` should only be set if `output_mode` is 'tf_idf'. "
                f"Received: output_mode={self.output_mode!r} and idf_weights of "
                f"length {len(idf_weights)}"
            )
        if tf_idf and from_file:
            raise ValueError(
                "`output_mode` 'tf_idf' does not take a vocabulary file (as in "
                f"Keras): pass the tokens as a list. Received: vocabulary={vocabulary!r}"
            )
        tokens = self._read_vocabulary(vocabulary)
        specials = self._specials()
        found = not from_file and tokens[: len(specials)] == specials
        # After the special tokens come the reserved placeholders, if any
        # (the core checks them), then the words.
        rest = tokens[len(specials) :] if found else tokens
        _check_no_specials(rest, specials, self.pad_token, len(tokens) - len(rest))
        with self._lock:
            idf = None  # checked before anything changes
            if tf_idf and idf_weights is not None:
                idf = self._idf_columns(idf_weights, len(tokens), found)
            vocab = self._words_vocabulary(rest, with_placeholders=found)
            self._commit(vocab, idf, counts=None)
        return self

    def _words_vocabulary(
        self, words: list[str], with_placeholders: bool = False
    ) -> _native.Vocabulary:
        """A vocabulary of these learned entries (preceded by the reserved
        placeholders when ``with_placeholders``)."""
        internal = [self.pad_token] if self._bag else []
        internal += self._specials()
        reserved = self._first_word() - len(self._specials())
        if reserved > 0 and not with_placeholders:
            if reserved > 2**20:
                raise ValueError(
                    "A vocabulary without its \"[UNUSED<id>]\" placeholders can only "
                    "be given with at most 2**20 reserved ids. Received: "
                    f"index_from={self.index_from}"
                )
            internal += [f"[UNUSED{i}]" for i in range(len(internal), len(internal) + reserved)]
        return _native.Vocabulary(internal + words, self._vocab_config)

    def _idf_columns(
        self, idf_weights: Sequence[float] | np.ndarray, entries: int, with_specials: bool
    ) -> np.ndarray:
        """One float32 weight per bag column, from weights given per entry."""
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
        if not with_specials:
            mean = np.average(weights) if len(weights) else 0.0
            weights = np.concatenate([[mean] * len(self._specials()), weights])
        if self.pad_to_max_tokens and self.max_tokens is not None:
            weights = np.pad(weights, (0, max(self.max_tokens - len(weights), 0)))
        return weights.astype(np.float32)

    def _read_vocabulary(self, vocabulary: Any) -> list[str]:
        """The entries of a vocabulary list or file, type-checked."""
        if isinstance(vocabulary, (str, os.PathLike)):
            lines = read_text(
                vocabulary,
                what="vocabulary file",
                max_bytes=LARGE_FILE_BYTES,
                encoding=self.encoding,
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
        return _token_list(vocabulary)

    @property
    def _vocab(self) -> _native.Vocabulary | None:
        """The vocabulary learned or set, or None."""
        return self._state[0]

    @property
    def _idf(self) -> np.ndarray | None:
        """``"tf_idf"``: one float32 weight per column, or None."""
        return self._state[1]

    def _fitted_state(self) -> tuple[_native.Vocabulary, np.ndarray | None]:
        """The vocabulary and the tf-idf weights of one fit (read together)."""
        vocab, idf = self._state
        if vocab is None:
            raise RuntimeError(
                "This Tokenizer has no vocabulary yet: call fit(texts) (or load a "
                "saved tokenizer) before using it."
            )
        return vocab, idf

    def _fitted(self) -> _native.Vocabulary:
        return self._fitted_state()[0]

    @property
    def oov_id(self) -> int | None:
        """Id of the OOV token (its column in bag modes), or None when there
        is none (``oov_token=None`` or ``""``).

        Raises:
            RuntimeError: the tokenizer is not fitted.
        """
        if not self.oov_token:
            return None
        return int(self._fitted().token_to_id(self.oov_token)) - int(self._bag)

    @property
    def idf_weights(self) -> np.ndarray | None:
        """The idf weights of a fitted ``"tf_idf"`` tokenizer, read-only.

        One float64 weight per vocabulary entry (``vocabulary_size()`` of
        them, the OOV column first, at the mean weight), as
        ``to_dict()["idf_weights"]`` lists them; a read-only copy, so writing
        to it cannot change this tokenizer. None for other output modes and
        before fitting.
        """
        if self._idf is None:
            return None
        weights = np.array(self._idf[: self.vocabulary_size()], dtype=np.float64)
        weights.flags.writeable = False
        return weights

    @property
    def is_fitted(self) -> bool:
        """Whether a vocabulary has been learned or set."""
        return self._vocab is not None

    def with_num_threads(self, num_threads: int | None) -> Tokenizer:
        """This tokenizer running on ``num_threads`` threads: a shallow copy
        that shares the vocabulary (nothing is copied or re-read), for a
        caller that must cap the threads of a tokenizer it does not own,
        e.g. a task on a Dask worker (:mod:`imdbfast.dask`).

        Args:
            num_threads: int >= 1 or None, as for the constructor.

        Returns:
            A tokenizer equal to this one except for ``num_threads`` (self
            when that is already the value).

        Raises:
            ValueError: ``num_threads`` out of range.
            TypeError: ``num_threads`` is not an int or None.
        """
        num_threads = check_num_threads(num_threads)
        if num_threads == self.num_threads:
            return self
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone.num_threads = num_threads
        clone._counts = None  # partial_fit's counts stay with the original
        clone._lock = threading.RLock()  # its fits replace its own state only
        _WITH_LOCKS.add(clone)
        return clone

    def get_vocabulary(self, include_special_tokens: bool = True) -> list[str]:
        """All entries in id order (column order in bag modes).

        Args:
            include_special_tokens: with False, only the learned entries (no
                padding, start, OOV token or reserved placeholders), as
                Keras' ``get_vocabulary(include_special_tokens=False)``.

        Returns:
            The tokens; in bag modes the first is the OOV token (no padding
            entry), as in Keras.

        Raises:
            RuntimeError: the tokenizer is not fitted.
            MemoryError: more than 2**20 reserved ids (a huge ``index_from``)
                would be written out as placeholders.
        """
        tokens = self._fitted().tokens()
        if self._bag:
            tokens = tokens[1:]
        return tokens if include_special_tokens else tokens[self._first_word() :]

    def vocabulary_size(self) -> int:
        """Number of ids (special tokens included); in bag modes the number
        of columns without ``pad_to_max_tokens``."""
        return len(self._fitted()) - int(self._bag)

    def token_to_id(self, token: str) -> int:
        """Id (bag modes: column) of ``token``; the OOV id for tokens not in
        the vocabulary.

        Raises:
            ValueError: the token is not in the vocabulary and there is no
                OOV token.
        """
        id = self._fitted().token_to_id(token)
        if id < 0:
            raise ValueError(
                "The token is not in the vocabulary and this Tokenizer has no OOV "
                f"token (oov_token=None). Received: {token!r}"
            )
        return id - int(self._bag)

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
        stopword removal (with ``drop_stopwords``), before the vocabulary
        lookup."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str. Received: {type(text).__name__}")
        return self._encode_pipeline.tokenize(self._prepare_one(text))

    # -------------------------------------------------------------- encoding

    def transform(self, texts: Iterable[str] | Any) -> Any:
        """Encode texts into ids, or into bag rows.

        Args:
            texts: list/tuple of str, NumPy str/object array, or any iterable
                of str.

        Returns:
            ``output_mode="int"``: with ``output_sequence_length=L``, an
            int32 array of shape ``(n, L)``, padded with 0 and truncated as
            ``padding`` and ``truncating`` say (``(0, L)`` for no texts);
            with None, a list of ``n`` 1-D int32 arrays, views into one flat
            buffer (see :meth:`transform_ragged` for the buffer itself).
            Bag modes: a float32 array of shape ``(n, columns)``, or with
            ``sparse=True`` a ``scipy.sparse.csr_matrix`` of that shape;
            ``columns`` is ``max_tokens`` with ``pad_to_max_tokens``, else
            :meth:`vocabulary_size`. ``output_mode="one_hot"`` with a split
            is Keras' ragged ``(n, tokens, columns)``: a list of ``n`` float32
            arrays of shape ``(tokens_i, columns)``, one one-hot row per token
            (or per n-gram, width by width), views into one block (with
            ``sparse=True``, CSR matrices); that block holds
            ``4 * columns`` bytes per token, so prefer ``multi_hot``/``count``
            or ``sparse=True`` for many texts.

        Raises:
            TypeError: an item is not a str (its index is named).
            RuntimeError: the tokenizer is not fitted.
            ImportError: ``sparse=True`` without SciPy installed.
        """
        vocab, idf = self._fitted_state()
        text_list = self._prepare(self._texts(texts))
        if self._bag:
            return self._transform_bag(vocab, idf, text_list)
        length = self.output_sequence_length
        if self._widths is not None:
            if length is not None:
                # Padded in the core, as pad_sequences pads the ragged rows.
                return _native.ngram_ids_padded(
                    vocab,
                    self._encode_pipeline,
                    text_list,
                    list(self._widths),
                    length,
                    self.padding,
                    self.truncating,
                    num_threads=self.num_threads,
                )
            values, row_splits = _native.ngram_ids_ragged(
                vocab,
                self._encode_pipeline,
                text_list,
                list(self._widths),
                num_threads=self.num_threads,
            )
            return np.split(values, row_splits[1:-1]) if len(text_list) else []
        if length is None:
            values, row_splits = vocab.encode_ragged(
                self._encode_pipeline,
                text_list,
                None,
                self.truncating,
                num_threads=self.num_threads,
            )
            return np.split(values, row_splits[1:-1]) if len(text_list) else []
        return vocab.encode(
            self._encode_pipeline,
            text_list,
            length,
            self.padding,
            self.truncating,
            num_threads=self.num_threads,
        )

    __call__ = transform

    def _transform_bag(
        self, vocab: _native.Vocabulary, idf: np.ndarray | None, text_list: _Texts
    ) -> Any:
        """Bag rows of texts (see :meth:`transform`), with the tf-idf
        weights ``idf`` learned with ``vocab``."""
        layout = self._vocab_config
        depth = layout.bag_columns(len(vocab), self.pad_to_max_tokens)
        widths = list(self._widths or (1,))
        if self.output_mode == "one_hot" and self.split is not None:
            return self._one_hot_rows(vocab, text_list, depth)
        idf = idf if self.output_mode == "tf_idf" else None
        # Column c counts id c + column_offset: the padding id has no column.
        if not self.sparse:
            return _native.bag_matrix(
                vocab,
                self._encode_pipeline,
                text_list,
                widths,
                self.output_mode,
                depth,
                layout.column_offset,
                idf,
                num_threads=self.num_threads,
            )
        sparse = _scipy_sparse()
        data, indices, indptr = _native.bag_sparse(
            vocab,
            self._encode_pipeline,
            text_list,
            widths,
            self.output_mode,
            depth,
            layout.column_offset,
            idf,
            num_threads=self.num_threads,
        )
        if indptr[-1] <= np.iinfo(np.int32).max:
            indptr = indptr.astype(np.int32)
        else:
            indices = indices.astype(np.int64)
        return sparse.csr_matrix(
            (data, indices, indptr), shape=(len(text_list), depth), copy=False
        )

    def _one_hot_rows(
        self, vocab: _native.Vocabulary, text_list: _Texts, depth: int
    ) -> list[Any]:
        """``one_hot`` with a split: per text, one row per token (n-grams
        width by width), Keras' ragged ``(texts, tokens, columns)`` as a list
        of 2-D arrays, views into one block (or CSR matrices with ``sparse``)."""
        values, row_splits = _native.ngram_ids_ragged(
            vocab,
            self._encode_pipeline,
            text_list,
            list(self._widths or (1,)),
            num_threads=self.num_threads,
        )
        # Column c is id c + column_offset: the padding id has no column.
        columns = values.astype(np.int64) - self._vocab_config.column_offset
        if self.sparse:
            data = np.ones(len(columns), dtype=np.float32)
            block = _scipy_sparse().csr_matrix(
                (data, columns, np.arange(len(columns) + 1)), shape=(len(columns), depth)
            )
            return [block[a:b] for a, b in zip(row_splits[:-1], row_splits[1:])]
        dense = np.zeros((len(columns), depth), dtype=np.float32)
        dense[np.arange(len(columns)), columns] = 1.0
        return np.split(dense, row_splits[1:-1]) if len(text_list) else []

    def transform_ragged(self, texts: Iterable[str] | Any) -> tuple[np.ndarray, np.ndarray]:
        """Encode texts into a ragged pair ``(values, row_splits)``
        (``output_mode="int"`` only).

        Text ``i`` is ``values[row_splits[i]:row_splits[i + 1]]``. Rows are
        truncated to ``output_sequence_length`` if set (honouring
        ``truncating``) and never padded, which suits length bucketing.

        Returns:
            ``values`` (int32, 1-D) and ``row_splits`` (int64, ``n + 1``).

        Raises:
            TypeError: an item is not a str (its index is named).
            RuntimeError: the tokenizer is not fitted.
            ValueError: a bag output mode.
        """
        if self._bag:
            raise ValueError(
                "transform_ragged() encodes ids: it needs output_mode='int'. "
                f"Received: output_mode={self.output_mode!r}"
            )
        vocab = self._fitted()
        text_list = self._prepare(self._texts(texts))
        length = self.output_sequence_length
        if self._widths is None:
            return vocab.encode_ragged(
                self._encode_pipeline,
                text_list,
                length,
                self.truncating,
                num_threads=self.num_threads,
            )
        values, row_splits = _native.ngram_ids_ragged(
            vocab,
            self._encode_pipeline,
            text_list,
            list(self._widths),
            num_threads=self.num_threads,
        )
        if length is None:
            return values, row_splits
        lengths = np.diff(row_splits)
        starts = row_splits[:-1].copy()
        if self.truncating == "pre":
            starts += np.maximum(lengths - length, 0)
        kept = np.minimum(lengths, length)
        new_splits = np.concatenate([[0], np.cumsum(kept)]).astype(np.int64)
        index = np.repeat(starts - new_splits[:-1], kept) + np.arange(new_splits[-1])
        return values[index], new_splits

    def transform_arrow(self, texts: Iterable[str] | Any) -> Any:
        """Encode texts into a ``pyarrow.LargeListArray`` of int32 ids
        (``output_mode="int"`` only): row ``i`` holds the ids of text ``i``,
        as :meth:`transform_ragged` gives them (truncated to
        ``output_sequence_length`` if set, never padded). The Arrow array
        shares the buffers of :meth:`transform_ragged`'s values and int64
        row offsets (no copy), hence ``large_list``; ``.cast(pa.list_(
        pa.int32()))`` gives int32 offsets.

        Args:
            texts: as for :meth:`transform`, Arrow strings included.

        Raises:
            ImportError: pyarrow is not installed.
            TypeError: an item is not a str (its index is named).
            RuntimeError: the tokenizer is not fitted.
            ValueError: a bag output mode.
        """
        values, row_splits = self.transform_ragged(texts)
        return _arrow.to_list_array(values, row_splits)

    def fit_transform(self, texts: Iterable[str] | Any) -> Any:
        """:meth:`fit` then :meth:`transform` on the same texts."""
        text_list = self._texts(texts)
        return self.fit(text_list).transform(text_list)

    # ------------------------------------------------------------- callables

    def _texts(self, texts: Any) -> _Texts:
        """Texts as the native calls take them: a list or tuple of str, or
        the buffers of Arrow strings (as Python strs when a callable
        ``standardize`` or ``split`` has to see them)."""
        if isinstance(texts, _native.ArrowStrings):
            return texts
        if _arrow.is_arrow(texts):
            strings = _arrow.arrow_strings(texts)
            if self._standardize_fn is None and self._split_fn is None:
                return strings
            return ["" if t is None else t for t in _arrow.to_pylist(texts)]
        return _as_text_list(texts)

    def _prepare(self, texts: _Texts) -> _Texts:
        """Texts as the Rust pipelines take them: unchanged, unless a callable
        ``standardize`` or ``split`` has to run on them first."""
        if self._standardize_fn is None and self._split_fn is None:
            return texts
        if isinstance(texts, _native.ArrowStrings):
            raise TypeError("Arrow texts reach a callable as str (see _texts)")
        out = []
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise TypeError(
                    f"texts must contain only str, but item {i} is of type "
                    f"{type(text).__name__}"
                )
            out.append(self._prepare_one(text))
        return out

    def _prepare_one(self, text: str) -> str:
        if self._standardize_fn is not None:
            text = self._standardize_fn(text)
            if not isinstance(text, str):
                raise TypeError(
                    "A callable `standardize` must return a str. "
                    f"Received: {type(text).__name__} ({text!r:.80})"
                )
        if self._split_fn is None:
            return text
        if self._before_split is not None:
            standardized = self._before_split.tokenize(text)
            text = standardized[0] if standardized else ""
        tokens = self._split_fn(text)
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
            if _SEPARATOR in token:
                raise ValueError(
                    "Tokens from a callable `split` cannot contain U+001F (the "
                    f"separator they travel with to the Rust engine). Received: {token!r:.80}"
                )
        return _SEPARATOR.join(tokens)

    # ----------------------------------------------------------- persistence

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
        return cls._from_document(data, {})

    @classmethod
    def _from_document(cls, data: Any, functions: dict[str, Any]) -> Tokenizer:
        """:meth:`from_dict` of ``data``, whose ``config`` holds None in
        place of the callable options ``functions`` (pickle's state)."""
        config, vocabulary, idf_weights = _check_document(data)
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

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the tokenizer as human-readable, versioned JSON (UTF-8).

        The file holds ``format``, ``version``, ``config`` (the constructor
        arguments) and ``vocabulary`` (the tokens in id order, or null).

        Raises:
            ValueError: a callable ``standardize`` or ``split``, which JSON
                cannot hold (nothing is written; pickle or joblib keep such a
                tokenizer, the callable by reference).
        """
        functions = _functions(self.get_config())
        if functions:
            name, value = next(iter(functions.items()))
            raise ValueError(
                f"Tokenizer.save writes JSON, which cannot hold a callable `{name}`: "
                "pickle or joblib the tokenizer instead (they keep the callable by "
                "reference), or use a named option. Received: "
                f"{name}={_short(value)}"
            )
        with open(path, "w", encoding="utf-8") as f:
            json.dump(self.to_dict(), f, ensure_ascii=False, indent=1)
            f.write("\n")

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Tokenizer:
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

        save_huggingface(self, path)

    def __getstate__(self) -> dict[str, Any]:
        """:meth:`to_dict`, whose config holds a callable ``standardize``
        or ``split`` as the object itself: pickle saves it by reference (by
        value with cloudpickle) and refuses, at dump time, one that cannot be
        found again (a lambda, a local function)."""
        return self.to_dict()

    def __setstate__(self, state: dict[str, Any]) -> None:
        config = state.get("config") if isinstance(state, dict) else None
        functions: dict[str, Any] = {}
        if isinstance(config, dict):
            functions = _functions(config)
            state = {**state, "config": {**config, **dict.fromkeys(functions)}}
        self.__dict__.update(Tokenizer._from_document(state, functions).__dict__)
        _WITH_LOCKS.add(self)


#: The tokenizers alive, whose locks a forked child replaces: one held by a
#: parent thread (a fit running there) would never be released in the
#: child, which has only the forking thread.
_WITH_LOCKS: weakref.WeakSet[Tokenizer] = weakref.WeakSet()


def _new_locks_after_fork() -> None:
    for tok in list(_WITH_LOCKS):
        tok._lock = threading.RLock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_new_locks_after_fork)


def _functions(config: Mapping[str, Any]) -> dict[str, Any]:
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


def _short(value: Any) -> str:
    """``repr(value)``, cut to a length fit for an error message."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _check_document(
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
    idf_weights = data.get("idf_weights")
    if idf_weights is not None and not _is_numbers(idf_weights):
        raise ValueError(
            "`idf_weights` must be a list of numbers or null. "
            f"Received: {_short(idf_weights)}"
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
                f"`vocabulary[{i}]` must be a string. Received: {_short(token)}"
            )
    return config, vocabulary, idf_weights


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


#: Joins the tokens of a callable ``split`` on their way to the Rust engine,
#: whose pipeline then cuts at it (``_SEPARATED``, Rust regex syntax).
_SEPARATOR = "\x1f"
_SEPARATED = "[^\\x{1F}]+"


def _check_output_mode(output_mode: Any) -> str:
    if isinstance(output_mode, str):
        output_mode = OUTPUT_MODE_ALIASES.get(output_mode, output_mode)
    check_choice("output_mode", output_mode, OUTPUT_MODES)
    return str(output_mode)


#: Every bit of a ``re`` flag.
_REGEX_FLAGS = functools.reduce(operator.or_, (int(flag) for flag in re.RegexFlag), 0)


def _check_split(split: Any) -> Any:
    """``split`` as the tokenizer keeps it (a serialized pattern compiled)."""
    if isinstance(split, dict) and set(split) == {"regex", "flags"}:
        regex, flags = split["regex"], split["flags"]
        if not isinstance(regex, str) or not isinstance(flags, int):
            raise TypeError(
                '`split` as a dict must be {"regex": str, "flags": int}. '
                f"Received: split={split!r}"
            )
        if flags < 0 or flags & ~_REGEX_FLAGS:
            raise ValueError(
                '`split` {"regex", "flags"}: `flags` must be a combination of re '
                f"flags (0 to {_REGEX_FLAGS}). Received: flags={flags}"
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


def _native_split(split: Any) -> str | None:
    """The Rust pipeline's split spec of a named mode, None or a pattern."""
    if isinstance(split, re.Pattern):
        return to_rust(split)
    return None if split is None else str(split)


def _check_ngrams(ngrams: Any) -> tuple[int, ...] | None:
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


def _check_combinations(
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


def _check_no_specials(
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


def _scipy_sparse() -> Any:
    """``scipy.sparse``, imported when ``sparse=True`` first needs it."""
    try:
        import scipy.sparse
    except ImportError as e:
        raise ImportError(
            "Tokenizer(sparse=True) returns a scipy.sparse.csr_matrix: install SciPy "
            "(pip install scipy)."
        ) from e
    return scipy.sparse


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


def _in_memory(texts: Any) -> bool:
    """Whether ``texts`` is read in one go (a list, tuple, NumPy array, Arrow
    data, or what is already a native batch) rather than chunk by chunk."""
    return (
        isinstance(texts, (list, tuple, str, bytes, np.ndarray, _native.ArrowStrings))
        or _arrow.is_arrow(texts)
    )


def _chunks(texts: Any, size: int) -> Iterator[list[str]]:
    """Lists of at most ``size`` texts of the iterable ``texts``, each item
    checked to be a str (its index in the whole stream is named)."""
    try:
        iterator = iter(texts)
    except TypeError:
        raise TypeError(
            f"texts must be an iterable of str. Received: {type(texts).__name__}"
        ) from None
    start = 0
    while True:
        chunk = list(itertools.islice(iterator, size))
        if not chunk:
            return
        for i, text in enumerate(chunk):
            if not isinstance(text, str):
                raise TypeError(
                    f"texts must contain only str, but item {start + i} is of type "
                    f"{type(text).__name__}"
                )
        n = len(chunk)
        yield chunk
        del chunk  # before the next one is read
        start += n
