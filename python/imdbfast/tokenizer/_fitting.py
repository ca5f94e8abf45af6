"""How the tokenizer learns: :meth:`Tokenizer.fit` (lists in one go,
iterators :data:`FIT_CHUNK` texts at a time), :meth:`Tokenizer.count`,
:meth:`Tokenizer.fit_counts` and :meth:`Tokenizer.partial_fit`, each
computing everything before it installs anything.

:class:`TokenizerFitting` holds these methods; :class:`Tokenizer` inherits
them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from imdbfast import _native
from imdbfast.tokenizer._texts import TextPipelines, chunks, in_memory

if TYPE_CHECKING:  # pragma: no cover
    import threading

    from typing_extensions import Self

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


class TokenizerFitting:
    """The learning methods of :class:`~imdbfast.tokenizer.Tokenizer`."""

    if TYPE_CHECKING:  # what the Tokenizer provides
        max_tokens: int | None
        standardize: Any
        split: Any
        output_mode: str
        pad_to_max_tokens: bool
        drop_stopwords: bool
        strip_html: bool
        num_threads: int | None
        _widths: tuple[int, ...] | None
        _stopword_list: list[str]
        _text: TextPipelines
        _lock: threading.RLock
        _counts: TokenCounts | None
        _has_input_vocabulary: bool
        _vocab_config: _native.VocabConfig

        def vocabulary_size(self) -> int: ...

        def _commit(
            self,
            vocab: _native.Vocabulary,
            idf: np.ndarray | None,
            *,
            counts: TokenCounts | None,
        ) -> None: ...

    def fit(self, texts: Iterable[str] | Any) -> Self:
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
            if not in_memory(texts):
                self._commit(*self._learn_counts(self.count(texts)), counts=None)
                return self
            text_list = self._text.prepare(self._text.texts(texts))
            # Kept-in-text stopwords are counted through the encoding pipeline
            # and then taken out of the counts.
            pipeline, excluded = self._count_pipeline()
            idf = None
            if self._widths is None and self.output_mode != "tf_idf":
                vocab = _native.Vocabulary.build(
                    self._text.pipeline,
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

    def fit_counts(self, counts: TokenCounts) -> Self:
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

    def partial_fit(self, texts: Iterable[str] | Any) -> Self:
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
            return self._text.encode_pipeline, self._stopword_list
        return self._text.pipeline, []

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
                "stopwords_counted": pipeline is self._text.encode_pipeline and bool(excluded),
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
        parts = [self._text.texts(texts)] if in_memory(texts) else chunks(texts, FIT_CHUNK)
        for part in parts:
            counts.add_texts(
                pipeline, self._text.prepare(part), widths, source, num_threads=self.num_threads
            )
            del part  # before the next chunk is read: one chunk at a time

    adapt = fit
