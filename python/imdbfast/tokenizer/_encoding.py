"""How the tokenizer encodes: ids (padded, ragged, Arrow) and bag rows
(multi-hot, counts, tf-idf, one-hot; dense or sparse), from the vocabulary
and tf-idf weights of one fit.

:class:`TokenizerEncoding` holds these methods; :class:`Tokenizer` inherits
them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from imdbfast import _arrow, _native
from imdbfast.tokenizer._texts import TextPipelines, Texts

#: The largest int32: a CSR matrix whose values fit below it gets int32
#: ``indptr`` (looked up once, not per call: one review at a time counts).
_INT32_MAX = int(np.iinfo(np.int32).max)


class TokenizerEncoding:
    """The encoding methods of :class:`~imdbfast.tokenizer.Tokenizer`."""

    if TYPE_CHECKING:  # what the Tokenizer provides
        max_tokens: int | None
        split: Any
        output_sequence_length: int | None
        output_mode: str
        pad_to_max_tokens: bool
        sparse: bool
        padding: str
        truncating: str
        num_threads: int | None
        _bag: bool
        _widths: tuple[int, ...] | None
        _text: TextPipelines
        _vocab_config: _native.VocabConfig

        def _fitted_state(self) -> tuple[_native.Vocabulary, np.ndarray | None]: ...

        def _fitted(self) -> _native.Vocabulary: ...

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
        text_list = self._text.prepare(self._text.texts(texts))
        if self._bag:
            return self._transform_bag(vocab, idf, text_list)
        length = self.output_sequence_length
        if length is None:
            values, row_splits = self._ragged_ids(vocab, text_list, None)
            if len(text_list) == 1:  # one review at a time: no np.split
                return [values[row_splits[0] : row_splits[1]]]
            return np.split(values, row_splits[1:-1]) if len(text_list) else []
        if self._widths is not None:
            # Padded in the core, as pad_sequences pads the ragged rows.
            return _native.ngram_ids_padded(
                vocab,
                self._text.encode_pipeline,
                text_list,
                list(self._widths),
                length,
                self.padding,
                self.truncating,
                num_threads=self.num_threads,
            )
        return vocab.encode(
            self._text.encode_pipeline,
            text_list,
            length,
            self.padding,
            self.truncating,
            num_threads=self.num_threads,
        )

    __call__ = transform

    def _transform_bag(
        self, vocab: _native.Vocabulary, idf: np.ndarray | None, text_list: Texts
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
                self._text.encode_pipeline,
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
            self._text.encode_pipeline,
            text_list,
            widths,
            self.output_mode,
            depth,
            layout.column_offset,
            idf,
            num_threads=self.num_threads,
        )
        if indptr[-1] <= _INT32_MAX:
            indptr = indptr.astype(np.int32)
        else:
            indices = indices.astype(np.int64)
        return sparse.csr_matrix(
            (data, indices, indptr), shape=(len(text_list), depth), copy=False
        )

    def _one_hot_rows(
        self, vocab: _native.Vocabulary, text_list: Texts, depth: int
    ) -> list[Any]:
        """``one_hot`` with a split: per text, one row per token (n-grams
        width by width), Keras' ragged ``(texts, tokens, columns)`` as a list
        of 2-D arrays, views into one block (or CSR matrices with ``sparse``)."""
        values, row_splits = _native.ngram_ids_ragged(
            vocab,
            self._text.encode_pipeline,
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
        text_list = self._text.prepare(self._text.texts(texts))
        return self._ragged_ids(vocab, text_list, self.output_sequence_length)

    def _ragged_ids(
        self, vocab: _native.Vocabulary, text_list: Texts, length: int | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(values, row_splits)`` of the texts' ids (n-grams width by
        width), each row truncated to ``length`` from the ``truncating`` side
        when given, never padded."""
        if self._widths is None:
            return vocab.encode_ragged(
                self._text.encode_pipeline,
                text_list,
                length,
                self.truncating,
                num_threads=self.num_threads,
            )
        values, row_splits = _native.ngram_ids_ragged(
            vocab,
            self._text.encode_pipeline,
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

