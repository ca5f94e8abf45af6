"""A given vocabulary and the lookups on the tokenizer's vocabulary:
:meth:`Tokenizer.set_vocabulary` (a list or a file, with idf weights for
``"tf_idf"``), :meth:`Tokenizer.get_vocabulary`, ids to tokens and back.

:class:`TokenizerVocabulary` holds these methods; :class:`Tokenizer`
inherits them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from imdbfast import _native
from imdbfast.tokenizer._checks import (
    check_no_specials,
    idf_weights_array,
    read_vocabulary,
)

if TYPE_CHECKING:  # pragma: no cover
    import threading

    from typing_extensions import Self


class TokenizerVocabulary:
    """The vocabulary methods of :class:`~imdbfast.tokenizer.Tokenizer`."""

    if TYPE_CHECKING:  # what the Tokenizer provides
        max_tokens: int | None
        output_mode: str
        pad_to_max_tokens: bool
        encoding: str
        pad_token: str
        oov_token: str | None
        index_from: int | None
        _bag: bool
        _lock: threading.RLock
        _vocab_config: _native.VocabConfig

        def _specials(self) -> list[str]: ...

        def _first_word(self) -> int: ...

        def _fitted(self) -> _native.Vocabulary: ...

        @property
        def _idf(self) -> np.ndarray | None: ...

        def _commit(
            self,
            vocab: _native.Vocabulary,
            idf: np.ndarray | None,
            *,
            counts: _native.TokenCounts | None,
        ) -> None: ...

    def set_vocabulary(
        self,
        vocabulary: Sequence[str] | str | os.PathLike[str],
        idf_weights: Sequence[float] | np.ndarray | None = None,
    ) -> Self:
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
        check_no_specials(rest, specials, self.pad_token, len(tokens) - len(rest))
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
        # The ids before column 0 of a bag (its pad id) are held but not seen.
        internal = [self.pad_token] * self._vocab_config.column_offset
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
        weights = idf_weights_array(idf_weights, entries)
        if not with_specials:
            mean = np.average(weights) if len(weights) else 0.0
            weights = np.concatenate([[mean] * len(self._specials()), weights])
        if self.pad_to_max_tokens and self.max_tokens is not None:
            weights = np.pad(weights, (0, max(self.max_tokens - len(weights), 0)))
        return weights.astype(np.float32)

    def _read_vocabulary(self, vocabulary: Any) -> list[str]:
        """The entries of a vocabulary list or file, type-checked."""
        return read_vocabulary(vocabulary, self.encoding)

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
