"""One trained run as a predictor: :class:`Bundle`, its base :class:`Predictor`
and :func:`load_run`; :mod:`imdbfast.bundle` is their public home.

A bundle is a run directory written by :func:`imdbfast.train`: the Keras model,
the tokenizer that encoded its training data and the TrainConfig. Loading it
gives back the same preprocessing (same vocabulary, same truncation, same
length-bucketed, right-padded batches; :mod:`imdbfast._inputs`), so
predictions on new texts are made exactly as the test set was scored.
:class:`imdbfast.ensembles.Ensemble` builds on this module;
:func:`imdbfast.load`, which tells a run from an ensemble, lives above both
(:mod:`imdbfast._loading`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterable, NamedTuple

import numpy as np

from imdbfast._options import check_texts
from imdbfast._inputs import encode, predict
from imdbfast.config import TrainConfig
from imdbfast.errors import require_keras, user_input
from imdbfast.metrics import binary_metrics
from imdbfast.run_dir import run_files


class Predictions(NamedTuple):
    """Output of :meth:`Bundle.predict`.

    Attributes:
        labels: int64 array, 1 = positive, 0 = negative (probability > 0.5).
        probabilities: float32 array, the probability that each text is
            positive.
    """

    labels: np.ndarray
    probabilities: np.ndarray


def test_scores(labels: np.ndarray, probabilities: np.ndarray) -> dict[str, Any]:
    """What :meth:`Predictor.evaluate` returns, from labels and probabilities
    (the confusion matrix as lists, ``examples`` the number of texts)."""
    scores = binary_metrics(labels, probabilities)
    scores["confusion_matrix"] = scores["confusion_matrix"].tolist()
    scores["examples"] = len(labels)
    return scores


class Predictor:
    """What :func:`load` returns: :meth:`predict_proba` on raw texts, and
    :meth:`predict` and :meth:`evaluate` built on it. :class:`Bundle` (one
    trained run) and :class:`imdbfast.ensembles.Ensemble` (averaged runs) are
    predictors.

    Attributes:
        config: the :class:`TrainConfig` whose data settings
            (``data_source``) :meth:`evaluate` reads the test split with.
    """

    config: TrainConfig

    @staticmethod
    def _text_list(texts: Iterable[str]) -> list[str]:
        """``texts`` as a list; a single str is refused (it would be read
        as its characters)."""
        check_texts(texts)
        return list(texts)

    def predict_proba(
        self, texts: Iterable[str], *, batch_size: int | None = None
    ) -> np.ndarray:
        """The probability that each text is positive (float32, one per text)."""
        raise NotImplementedError

    def predict(
        self, texts: Iterable[str], *, batch_size: int | None = None
    ) -> Predictions:
        """Labels and probabilities for raw review texts.

        Args:
            texts: iterable of str.
            batch_size: texts per model call (see :meth:`predict_proba`);
                None = the config's ``eval_batch_size``.

        Returns:
            :class:`Predictions` ``(labels, probabilities)``.
        """
        probabilities = self.predict_proba(texts, batch_size=batch_size)
        return Predictions((probabilities > 0.5).astype(np.int64), probabilities)

    def evaluate(self, texts: Iterable[str] | None = None, labels: Any = None, *,
                 source: str | os.PathLike[str] | None = None,
                 batch_size: int | None = None) -> dict[str, Any]:
        """Test-set figures of the model.

        Args:
            texts, labels: reviews and their 0/1 labels. When both are None, the
                IMDB test split is loaded from ``source``.
            source: IMDB source for the test split (None = the run's
                ``data_source``).
            batch_size: texts per model call (see :meth:`predict_proba`).

        Returns:
            ``accuracy``, ``loss``, ``precision``, ``recall``, ``f1``,
            ``confusion_matrix`` (``[[tn, fp], [fn, tp]]`` as lists) and
            ``examples``.

        Raises:
            ValueError: if only one of texts/labels is given or their lengths
                differ.
            imdbfast.errors.UserError: (a ValueError) if the IMDB source is
                not what it should be.
        """
        if (texts is None) != (labels is None):
            raise ValueError("Pass both `texts` and `labels`, or neither.")
        if texts is None:
            texts, labels = self.test_split(source)
        texts = list(texts)
        labels = np.asarray(labels)
        if labels.shape != (len(texts),):
            raise ValueError(
                "`labels` must have one 0/1 entry per text. "
                f"Received: {len(texts)} texts and labels of shape {labels.shape}"
            )
        return test_scores(labels, self.predict_proba(texts, batch_size=batch_size))

    def test_split(
        self, source: str | os.PathLike[str] | None = None
    ) -> tuple[list[str], np.ndarray]:
        """The IMDB test split that :meth:`evaluate` scores by default.

        Args:
            source: IMDB source (None = the config's ``data_source``), split
                with the config's ``validation_split`` and ``seed``.

        Returns:
            ``(texts, labels)``: the test reviews and their 0/1 labels.
        """
        from imdbfast.datasets import load_imdb

        with user_input():
            imdb = load_imdb(
                os.fspath(source) if source is not None else self.config.data_source,
                validation_split=self.config.validation_split,
                seed=self.config.seed,
                order="sorted",
            )
        return list(imdb.test.texts), np.asarray(imdb.test.labels)

    def export(self, path: str | os.PathLike[str]) -> None:
        """Write a TensorFlow SavedModel that takes raw strings (see
        :meth:`Bundle.export`; only a single trained run can be exported).

        Raises:
            ValueError: always, for a predictor that is not one run.
        """
        raise ValueError(
            "Only one trained run (a Bundle) can be exported as a SavedModel; "
            "export a member run with imdbfast.load(run_dir).export(path). "
            f"Received: {self!r}"
        )


class Bundle(Predictor):
    """A trained model with its tokenizer and config.

    Build it with :func:`load`, or directly from the parts.

    Args:
        model: the Keras model (token ids -> probability of positive).
        tokenizer: the fitted :class:`imdbfast.Tokenizer` used in training.
        config: the :class:`TrainConfig` of the run.
        run_dir: the directory it was loaded from, if any.
    """

    def __init__(self, model: Any, tokenizer: Any, config: TrainConfig,
                 run_dir: str | os.PathLike[str] | None = None) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.config = config
        self.run_dir = Path(run_dir) if run_dir is not None else None

    def __repr__(self) -> str:
        return (
            f"Bundle(model={self.config.model!r}, "
            f"embeddings={self.config.embeddings!r}, "
            f"vocabulary_size={self.tokenizer.vocabulary_size()}, "
            f"run_dir={self.run_dir})"
        )

    def predict_proba(
        self, texts: Iterable[str], *, batch_size: int | None = None
    ) -> np.ndarray:
        """The probability that each text is positive (float32, one per text).

        Args:
            texts: iterable of str (list, tuple, NumPy string array...).
            batch_size: texts per model call; None = the config's
                ``eval_batch_size``. Texts are sorted by length, and a call
                on short texts takes a multiple of this many, up to the
                tokens of ``batch_size`` texts of ``sequence_length`` (the
                same peak memory).

        Raises:
            TypeError: if an item is not a str.
        """
        texts = self._text_list(texts)
        if not texts:
            return np.zeros(0, dtype=np.float32)
        config = self.config
        if batch_size is not None:
            config = config.replace(eval_batch_size=batch_size)
        encoded = encode(config, self.tokenizer, texts)
        return predict(config, self.model, encoded, empty_id=self.tokenizer.oov_id)

    def export(self, path: str | os.PathLike[str]) -> None:
        """Write a TensorFlow SavedModel serving raw strings.

        Its ``serving_default`` signature takes ``texts``, a 1-D ``tf.string``
        batch, and returns ``{"probabilities": float32 (n,)}``: a stock
        ``keras.layers.TextVectorization`` with this run's vocabulary and
        options (the same ids as the tokenizer; ``strip_html`` as a
        ``tf.strings.regex_replace`` before it, and an empty review given the
        OOV id, as :meth:`predict` does), then the trained model. It equals
        :meth:`predict_proba` to float rounding. The SavedModel holds only
        TensorFlow ops: ``tf.saved_model.load(path)`` reads it back without
        imdbfast or Keras installed::

            served = tf.saved_model.load(path).signatures["serving_default"]
            served(texts=tf.constant(["A wonderful film."]))["probabilities"]

        Args:
            path: the SavedModel directory to write.

        Raises:
            ValueError: Keras is not on the TensorFlow backend; a bag-of-n-grams
                run; tokenizer options TextVectorization cannot reproduce
                exactly (see :func:`imdbfast.interop.portable_rules`); or a
                vocabulary token ending in NUL, which the layer would strip.
        """
        import keras

        from imdbfast.interop import HTML_BREAK_PATTERN, text_vectorization

        if keras.backend.backend() != "tensorflow":
            raise ValueError(
                "Bundle.export writes a TensorFlow SavedModel: it needs "
                "KERAS_BACKEND=tensorflow (pip install 'imdbfast[tensorflow]'). "
                f"Received: backend {keras.backend.backend()!r}"
            )
        if self.config.uses_bag_rows:
            raise ValueError(
                "Bundle.export serves models on token ids; TextVectorization "
                "cannot make this run's bag-of-n-grams rows. Received: "
                f"model={self.config.model!r}, output_mode={self.config.output_mode!r}"
            )
        import tensorflow as tf

        vectorize, rules = text_vectorization(self.tokenizer)
        vectorize(tf.constant([""]))  # builds it
        model = self.model
        empty_id = self.tokenizer.oov_id

        def serve(texts: Any) -> dict[str, Any]:
            if rules.strip_html:
                texts = tf.strings.regex_replace(texts, HTML_BREAK_PATTERN, " ")
            ids = tf.cast(vectorize(texts), tf.int32)
            # An empty review is the OOV id, as in predict (BucketedBatches).
            empty = tf.reduce_all(tf.equal(ids, 0), axis=1, keepdims=True)
            first = tf.equal(tf.range(tf.shape(ids)[1]), 0)[tf.newaxis, :]
            ids = tf.where(empty & first, tf.constant(empty_id, tf.int32), ids)
            probabilities = model(ids, training=False)
            return {"probabilities": tf.cast(probabilities[:, 0], tf.float32)}

        archive = keras.export.ExportArchive()
        archive.track(model)
        archive.track(vectorize)
        archive.add_endpoint(
            name="serving_default",
            fn=serve,
            input_signature=[
                tf.TensorSpec(shape=(None,), dtype=tf.string, name="texts")
            ],
        )
        archive.write_out(os.fspath(path), verbose=False)

    def embedding_matrix(self) -> np.ndarray:
        """The embedding layer's weights, ``(vocabulary_size, dim)`` float32."""
        import keras

        layer = self.model.get_layer("embedding")
        weights = keras.ops.convert_to_numpy(layer.embeddings)
        return np.asarray(weights, dtype=np.float32)

    def export_embeddings(self, path: str | os.PathLike[str], *,
                          include_special: bool = False) -> int:
        """Writes the learned word vectors in GloVe text format.

        One line per vocabulary word: the word, then its vector, separated by
        single spaces (``word v1 ... vd``), UTF-8, in vocabulary order, so that
        :func:`imdbfast.load_glove` (or any GloVe reader) can read it back.

        Args:
            path: output file.
            include_special: also write the OOV token (e.g. ``[UNK]``). The
                padding entry (id 0) is never written (it is not a word, and
                usually empty).

        Returns:
            The number of lines written.
        """
        vocabulary = self.tokenizer.get_vocabulary()
        matrix = self.embedding_matrix()
        if len(vocabulary) != matrix.shape[0]:
            raise ValueError(
                "The tokenizer's vocabulary and the embedding disagree. "
                f"Received: {len(vocabulary)} words and {matrix.shape[0]} rows"
            )
        oov = self.tokenizer.oov_id
        lines = 0
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            for i, word in enumerate(vocabulary):
                if i == 0 or not word or (i == oov and not include_special):
                    continue
                if any(c.isspace() for c in word):
                    continue  # cannot be written in the space-separated format
                f.write(word)
                f.write(" ")
                f.write(" ".join(repr(float(v)) for v in matrix[i]))
                f.write("\n")
                lines += 1
        return lines


def load_run(run_dir: str | os.PathLike[str]) -> Bundle:
    """Loads one run directory written by :func:`imdbfast.train` (see
    :func:`imdbfast.load`)."""
    require_keras("imdbfast.load")
    import keras

    import imdbfast.models  # noqa: F401  (registers the custom classes)
    from imdbfast.runtime import configure_tensorflow
    from imdbfast.tokenizer import Tokenizer

    paths = run_files(run_dir)
    with user_input(os.fspath(paths["config"])):
        config = TrainConfig.load(paths["config"])
    configure_tensorflow(config)  # before the first tensor
    with user_input(os.fspath(paths["tokenizer"])):
        tokenizer = Tokenizer.load(paths["tokenizer"])
    with user_input(os.fspath(paths["model"])):
        model = keras.saving.load_model(os.fspath(paths["model"]))
    return Bundle(model, tokenizer, config, run_dir)
