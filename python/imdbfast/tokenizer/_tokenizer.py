"""The :class:`Tokenizer` class: its options, the vocabulary layout it asks
the Rust core for, and its state. What it inherits lives beside it: learning
in :mod:`~imdbfast.tokenizer._fitting`, a given vocabulary and the lookups in
:mod:`~imdbfast.tokenizer._vocabulary`, encoding in
:mod:`~imdbfast.tokenizer._encoding`, the document format in
:mod:`~imdbfast.tokenizer._document`; its argument checks in
:mod:`~imdbfast.tokenizer._checks`, its text input in
:mod:`~imdbfast.tokenizer._texts`, its presets in
:mod:`~imdbfast.tokenizer._presets`.
"""

from __future__ import annotations

import os
import re
import threading
import weakref
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from imdbfast import _native
from imdbfast._options import check_num_threads, get_preset
from imdbfast.tokenizer._checks import check_options
from imdbfast.tokenizer._document import (
    TokenizerDocument,
    from_document,
    functions_of,
)
from imdbfast.tokenizer._encoding import TokenizerEncoding
from imdbfast.tokenizer._fitting import TokenCounts, TokenizerFitting
from imdbfast.tokenizer._presets import PRESETS
from imdbfast.tokenizer._texts import TextPipelines
from imdbfast.tokenizer._vocabulary import TokenizerVocabulary


class Tokenizer(
    TokenizerVocabulary, TokenizerFitting, TokenizerEncoding, TokenizerDocument
):
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
        checked = check_options(
            max_tokens=max_tokens,
            standardize=standardize,
            split=split,
            output_sequence_length=output_sequence_length,
            ngrams=ngrams,
            output_mode=output_mode,
            pad_to_max_tokens=pad_to_max_tokens,
            vocabulary=vocabulary,
            idf_weights=idf_weights,
            sparse=sparse,
            encoding=encoding,
            min_freq=min_freq,
            stopwords=stopwords,
            drop_stopwords=drop_stopwords,
            vocab_order=vocab_order,
            pad_token=pad_token,
            oov_token=oov_token,
            strip_html=strip_html,
            start_token=start_token,
            index_from=index_from,
            padding=padding,
            truncating=truncating,
            num_threads=num_threads,
        )
        max_tokens, output_mode = checked["max_tokens"], checked["output_mode"]
        output_sequence_length = checked["output_sequence_length"]
        min_freq, index_from = checked["min_freq"], checked["index_from"]
        split, num_threads = checked["split"], checked["num_threads"]
        widths: tuple[int, ...] | None = checked["widths"]
        stopword_list: list[str] = checked["stopword_list"]
        bag = output_mode != "int"

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
        # The Rust pipelines, and the callables that run before them.
        self._text = TextPipelines(
            standardize, split, strip_html, stopword_list, drop_stopwords
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
        ``"keras_imdb"`` (:data:`KERAS_IMDB`: ``keras.datasets.imdb``'s
        conventions: the legacy ``Tokenizer``'s word ranks, 0 pad, 1
        ``"[START]"``, 2 ``"[OOV]"``, words from 4, ``max_tokens`` as
        ``num_words``, pre-padding and pre-truncation) and ``"keras_legacy"``
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

    # ----------------------------------------------------------------- state

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

    def tokenize(self, text: str) -> list[str]:
        """The tokens of one text after standardization, splitting and
        stopword removal (with ``drop_stopwords``), before the vocabulary
        lookup."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str. Received: {type(text).__name__}")
        return self._text.encode_pipeline.tokenize(self._text.prepare_one(text))

    def fit_transform(self, texts: Iterable[str] | Any) -> Any:
        """:meth:`fit` then :meth:`transform` on the same texts."""
        text_list = self._text.texts(texts)
        return self.fit(text_list).transform(text_list)

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
            functions = functions_of(config)
            state = {**state, "config": {**config, **dict.fromkeys(functions)}}
        self.__dict__.update(from_document(Tokenizer, state, functions).__dict__)
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
