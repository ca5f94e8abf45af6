"""Keras 3 sentiment classifiers: the four seed architectures, and a registry.

Every model is a functional :class:`keras.Model` subclass built in three
sections (layers, functional model, config), takes a batch of token ids as a
named ``int32`` input ``token_ids`` and returns the probability that a review
is positive. They use ``keras.layers`` and ``keras.ops`` only, so they run on
TensorFlow, JAX and PyTorch.

=========================  =====================================================
``bilstm`` (seed 000)      Embedding 128 -> Bidirectional(LSTM 32) -> Dropout 0.5
                           -> Dense(1, sigmoid); RMSprop.
``flatten`` (seeds 001/2)  Embedding -> Flatten -> [Dense 10 relu] ->
                           Dense(1, sigmoid); RMSprop. Fixed input length.
``deep_bilstm_attention``  Embedding -> Bidirectional(LSTM 128, sequences) ->
(seed 003)                 Dropout 0.5 -> BatchNorm -> additive attention pooling
                           -> Dense 64 relu -> Dropout 0.4 -> Dense(1, sigmoid);
                           AdamW 1e-4.
``lstm`` (seed 004)        Embedding -> LSTM 100 -> Dense(1, sigmoid); Adam 1e-3
                           with a 200-step linear warmup.
``fasttext``               Embedding 32 of token and n-gram ids -> average over
                           the review -> [Dense relu] -> Dense(1, sigmoid); Adam.
``bag_of_ngrams``          a bag row (``multi_hot``/``count``/``tf_idf``, sparse)
                           -> [naive-Bayes feature scaling] -> Dense(1, sigmoid)
                           or Dense relu -> Dense(1, sigmoid); Adam 1e-2.
=========================  =====================================================

All but ``bag_of_ngrams`` read token ids (``input_kind = "ids"``);
``bag_of_ngrams`` reads the tokenizer's bag rows (``input_kind = "bag"``,
named input ``bag``), and :func:`imdbfast.train` feeds it sparse rows.

The recurrent models take an optional ``embedding_dropout``: a
``SpatialDropout1D`` after the embedding that, during training, drops whole
embedding channels (the same dimensions at every position of a review); 0 by
default, so the seed architectures are unchanged.

Padding (id 0) is masked: the embedding sets ``mask_zero=True``, the mask flows
through the recurrent layers and the attention pooling ignores masked steps, so
appending padding to a review never changes its prediction. ``flatten`` cannot
mask (its Dense layer sees every position): it takes exactly
``sequence_length`` ids per review, right-padded with 0.

The recurrent layers keep Keras' defaults (tanh/sigmoid activations, no
recurrent dropout, no unrolling) so TensorFlow runs them with cuDNN on a GPU;
batches must then be right-padded, as :mod:`imdbfast.batching` makes them.
They are :class:`imdbfast.layers.LSTM`, i.e. ``keras.layers.LSTM`` plus a fused
one-op-per-sequence path on a CPU-only TensorFlow (same weights and results,
about twice as fast as Keras' step loop); ``fused_lstm=False`` turns it off.
The classes with such layers say so (``has_lstm = True``: ``bilstm``,
``lstm``, ``deep_bilstm_attention``), and :func:`imdbfast.train` and :func:`imdbfast.load`
then give each TensorFlow op half the CPUs
(:func:`imdbfast.runtime.use_tf_intra_op_threads`).

Embeddings are ``"learned"``, ``"glove"`` (frozen) or ``"glove-finetune"``. A
GloVe matrix (one row per vocabulary id, e.g. from
``imdbfast.load_glove(source, tokenizer.get_vocabulary())``) is copied into the
embedding after the model is built; it is not part of ``get_config()`` (the
weights carry it).

Each model lives in ``imdbfast/models/<name>.py`` and registers itself under
its name (:func:`register`); :func:`build_model` looks the class up and lets it
build itself from a :class:`~imdbfast.config.TrainConfig`
(:meth:`SentimentClassifier.from_train_config`). The recurrent models share
:class:`RecurrentClassifier` and differ only in their encoder. A new model is
one file here: a subclass with ``__init__``, ``encoder`` and the two
decorators, e.g. for a GRU::

    @keras.saving.register_keras_serializable(package="imdbfast")
    @register("gru")
    class GRUClassifier(RecurrentClassifier):
        units_argument = "units"

        def __init__(self, vocabulary_size, embedding_dim=128, units=32,
                     dropout=0.5, **kwargs):
            super().__init__(vocabulary_size, embedding_dim,
                             {"units": units, "dropout": dropout}, **kwargs)

        def encoder(self, *, units, dropout, fused_lstm, dtype):
            return [keras.layers.GRU(units, dtype=dtype, name="gru"),
                    keras.layers.Dropout(dropout, dtype=dtype, name="dropout")]
"""

from __future__ import annotations

import importlib

from imdbfast._keras import keras  # noqa: F401 - first, quietly
from imdbfast._options import EMBEDDINGS as EMBEDDING_MODES
from imdbfast._options import MODELS
from imdbfast.models._base import (
    DEFAULT_EMBEDDING_DIM,
    MODEL_CLASSES,
    RecurrentClassifier,
    SentimentClassifier,
    build_model,
    get_model_class,
    register,
    unregister,
)
from imdbfast.models._blocks import AttentionPooling, FeatureScaledDense, LinearWarmup
from imdbfast.models.bag_of_ngrams import BagOfNgramsClassifier, nb_log_count_ratios
from imdbfast.models.bilstm import BiLSTMClassifier
from imdbfast.models.fasttext import FastTextClassifier
from imdbfast.models.deep_bilstm_attention import DeepBiLSTMAttentionClassifier
from imdbfast.models.flatten import FlattenClassifier
from imdbfast.models.lstm import LSTMClassifier

# Every shipped model module registers its class when imported, including one
# added without a line above.
for _name in MODELS:
    importlib.import_module(f"{__name__}.{_name}")

__all__ = [
    "AttentionPooling",
    "BagOfNgramsClassifier",
    "BiLSTMClassifier",
    "DEFAULT_EMBEDDING_DIM",
    "DeepBiLSTMAttentionClassifier",
    "EMBEDDING_MODES",
    "FastTextClassifier",
    "FeatureScaledDense",
    "FlattenClassifier",
    "LSTMClassifier",
    "LinearWarmup",
    "MODEL_CLASSES",
    "RecurrentClassifier",
    "SentimentClassifier",
    "build_model",
    "get_model_class",
    "nb_log_count_ratios",
    "register",
    "unregister",
]
