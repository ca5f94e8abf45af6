"""The tokenizer's named configurations (:meth:`Tokenizer.from_preset`) and
the constants that spell them out (:data:`PYTHON_REGEX`, :data:`KERAS_LEGACY`,
:data:`KERAS_IMDB`).

Plain data: re-exported by :mod:`imdbfast.tokenizer`.
"""

from __future__ import annotations

import re
from typing import Any

from imdbfast._options import with_aliases

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

#: ``keras.datasets.imdb``'s conventions on the reviews given to
#: :meth:`Tokenizer.fit`: the legacy Keras ``Tokenizer``'s words
#: (:data:`KERAS_LEGACY`) ranked as its ``word_index`` (count descending, ties
#: in first-seen order, rank 1 the most frequent); 0 pad, 1 ``"[START]"``
#: (starts every text), 2 ``"[OOV]"``, 3 reserved, the word of rank ``r`` at
#: ``r + 3`` (``index_from=3``). ``max_tokens`` is ``load_data``'s
#: ``num_words``: an id ``>= max_tokens`` becomes 2, so words of rank
#: ``1 .. max_tokens - 4`` are kept. With ``output_sequence_length=L`` the
#: texts are padded and truncated as ``keras.utils.pad_sequences(maxlen=L)``
#: does by default: zeros in front, the *last* ``L`` ids kept (the start id is
#: dropped from a longer text); without it the output is ragged, like
#: ``load_data``'s lists. One difference: a word never seen in the fitted
#: texts encodes as 2, where ``load_data`` leaves test words unseen in
#: training out.
KERAS_IMDB: dict[str, Any] = {
    **KERAS_LEGACY,
    "start_token": "[START]",
    "oov_token": "[OOV]",
    "index_from": 3,
    "padding": "pre",
    "truncating": "pre",
}

_PRESETS: dict[str, dict[str, Any]] = {
    # keras.layers.TextVectorization's defaults.
    "text_vectorization": {},
    "python_regex": PYTHON_REGEX,
    "keras_imdb": KERAS_IMDB,
    "keras_legacy": KERAS_LEGACY,
}

#: Earlier preset names -> the descriptive names; both work.
PRESET_ALIASES: dict[str, str] = {"seed004": "python_regex"}

#: Named configurations for :meth:`Tokenizer.from_preset`, aliases included.
PRESETS: dict[str, dict[str, Any]] = with_aliases(_PRESETS, PRESET_ALIASES)
