"""scikit-learn: :class:`TextVectorizer`, the :class:`imdbfast.Tokenizer` as a
transformer for ``Pipeline``, ``GridSearchCV`` and ``clone``.

Needs scikit-learn (and SciPy for the sparse bag output), the ``sklearn``
extra: ``pip install 'imdbfast[sklearn]'``; without it, importing this module
raises :class:`imdbfast.errors.MissingExtraError` naming the extra::

    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from imdbfast.sklearn import TextVectorizer

    model = make_pipeline(
        TextVectorizer(max_tokens=20000, ngrams=2, output_mode="tf_idf"),
        LogisticRegression(max_iter=1000),
    )
    model.fit(train_texts, train_labels).score(test_texts, test_labels)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from imdbfast import _arrow
from imdbfast._options import check_texts, check_texts_shape
from imdbfast.errors import MissingExtraError
from imdbfast.tokenizer import Tokenizer

try:
    from sklearn.base import BaseEstimator, TransformerMixin
    from sklearn.utils.validation import check_is_fitted
except ImportError as _err:  # pragma: no cover - exercised in a subprocess
    raise MissingExtraError.of(
        "imdbfast.sklearn needs scikit-learn",
        "pip install 'imdbfast[sklearn]' (or pip install scikit-learn)",
        _err,
    ) from _err

__all__ = ["TextVectorizer"]


class TextVectorizer(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """A scikit-learn transformer from raw texts to features, built on
    :class:`imdbfast.Tokenizer`.

    Every parameter is the :class:`imdbfast.Tokenizer` option of the same
    name and meaning, with the same default, except two: ``output_mode``
    defaults to ``"tf_idf"`` and ``sparse`` to True, so that the default
    output is what a linear model wants. Following scikit-learn's
    conventions, the constructor only stores its arguments; they are
    checked by :meth:`fit` (which builds the tokenizer), and
    ``get_params``/``set_params``/``clone`` and pickling work as for any
    estimator.

    Output of :meth:`transform`: in the bag modes (``"multi_hot"``,
    ``"count"``, ``"tf_idf"``) a ``scipy.sparse.csr_matrix`` (float32) with
    ``sparse=True``, else a dense float32 array, one column per vocabulary
    entry (column 0: the OOV token); with ``output_mode="int"`` an int32
    array ``(n, output_sequence_length)`` of token ids (an
    ``output_sequence_length`` is then required: scikit-learn works on 2-D
    arrays).

    Input: a 1-D sequence of str (list, NumPy array, pandas Series), or a
    2-D array with one column of str (what a ``ColumnTransformer`` passes);
    Arrow strings as :class:`imdbfast.Tokenizer` takes them (a ``pyarrow``
    array, an Arrow-backed pandas Series or one-column DataFrame, a Polars
    Series), nulls (``pd.NA``) as empty texts.

    scikit-learn's estimator checks pass, except those that feed numbers
    (random float arrays with several columns, sparse matrices) as the
    texts, which do not apply to a text transformer: ``tests/test_sklearn.py``
    lists them with the reason for each.

    Attributes:
        tokenizer_: the fitted :class:`imdbfast.Tokenizer`.
        vocabulary_: dict token -> column (bag modes) or id (``"int"``).

    The rest of the Args: see :class:`imdbfast.Tokenizer`.
    """

    def __init__(
        self,
        max_tokens: int | None = None,
        standardize: str | Callable[[str], str] | None = "lower_and_strip_punctuation",
        split: str | re.Pattern[str] | Callable[[str], Any] | None = "whitespace",
        output_sequence_length: int | None = None,
        *,
        ngrams: int | tuple[int, ...] | None = None,
        output_mode: str = "tf_idf",
        pad_to_max_tokens: bool = False,
        vocabulary: Sequence[str] | str | None = None,
        idf_weights: Sequence[float] | None = None,
        sparse: bool = True,
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
        self.max_tokens = max_tokens
        self.standardize = standardize
        self.split = split
        self.output_sequence_length = output_sequence_length
        self.ngrams = ngrams
        self.output_mode = output_mode
        self.pad_to_max_tokens = pad_to_max_tokens
        self.vocabulary = vocabulary
        self.idf_weights = idf_weights
        self.sparse = sparse
        self.encoding = encoding
        self.min_freq = min_freq
        self.stopwords = stopwords
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

    def _make_tokenizer(self) -> Tokenizer:
        params = self.get_params()
        if params["output_mode"] == "int" and params["output_sequence_length"] is None:
            raise ValueError(
                "With output_mode='int', TextVectorizer needs an "
                "`output_sequence_length` (scikit-learn works on 2-D arrays). "
                "Received: output_sequence_length=None"
            )
        if params["output_mode"] == "one_hot":
            raise ValueError(
                "TextVectorizer gives one row per text: use 'multi_hot', 'count', "
                "'tf_idf' or 'int'. Received: output_mode='one_hot'"
            )
        if params["output_mode"] == "int":
            params["sparse"] = False  # ids are dense; `sparse` is for bags
        return Tokenizer(**params)

    def fit(self, X: Any, y: Any = None) -> TextVectorizer:
        """Learn the vocabulary (and idf weights) from the texts ``X``.

        Args:
            X: 1-D sequence of str, or a 2-D array with one column of str.
            y: ignored.

        Returns:
            self.

        Raises:
            TypeError: an item of ``X`` is not a str.
            ValueError: an invalid option, or ``X`` of the wrong shape.
        """
        tokenizer = self._make_tokenizer()
        if self.vocabulary is None:
            tokenizer.fit(_texts(X))
        self.tokenizer_ = tokenizer
        names = self._vocabulary_names()
        self.vocabulary_ = {token: i for i, token in enumerate(names)}
        return self

    def transform(self, X: Any) -> Any:
        """Encode the texts ``X`` (see the class docstring for the output)."""
        check_is_fitted(self, "tokenizer_")
        return self.tokenizer_.transform(_texts(X))

    def fit_transform(self, X: Any, y: Any = None, **fit_params: Any) -> Any:
        """:meth:`fit`, then :meth:`transform` of the same texts."""
        texts = _texts(X)
        return self.fit(texts).transform(texts)

    def _vocabulary_names(self) -> list[str]:
        names = self.tokenizer_.get_vocabulary()
        if self.output_mode != "int" and self.pad_to_max_tokens and self.max_tokens:
            names = names + _placeholder_names(names, self.max_tokens)
        return names

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the output columns.

        Bag modes: the vocabulary entry of each column (column 0 is the OOV
        token; columns beyond the vocabulary, with ``pad_to_max_tokens``, are
        ``"[EMPTY<i>]"``, in as many more brackets as it takes to differ
        from every token). ``output_mode="int"``: ``"position0"``,
        ``"position1"``, ... (the columns hold ids by position).

        Returns:
            1-D object array of str.
        """
        check_is_fitted(self, "tokenizer_")
        if self.output_mode == "int":
            assert self.output_sequence_length is not None
            names = [f"position{i}" for i in range(self.output_sequence_length)]
        else:
            names = self._vocabulary_names()
        return np.asarray(names, dtype=object)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        return tags


def _texts(X: Any) -> Any:
    """The texts of a 1-D sequence, or of a one-column 2-D array: a list
    of str, or Arrow data as the tokenizer reads it (nulls included)."""
    check_texts(X)
    shape = getattr(X, "shape", None)
    if shape is not None:
        check_texts_shape(shape)
    if shape is not None and len(shape) == 2:
        column = X.iloc[:, 0] if hasattr(X, "iloc") else None  # a DataFrame
        if column is not None and _arrow.is_arrow(column):
            return column
        X = np.asarray(X)[:, 0]
    if _arrow.is_arrow(X):
        return X
    texts = list(X)
    return texts


def _placeholder_names(tokens: list[str], columns: int) -> list[str]:
    """Names of the empty columns ``len(tokens) .. columns - 1``: ``"[EMPTY<i>]"``,
    wrapped in more brackets while it is a token, so that no name repeats."""
    taken = set(tokens)
    names = []
    for i in range(len(tokens), columns):
        name = f"[EMPTY{i}]"
        while name in taken:
            name = f"[{name}]"
        names.append(name)
    return names
