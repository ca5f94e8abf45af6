"""The ``keras_imdb`` tokenizer preset and ``load_imdb(order="keras_imdb")``
against ``keras.datasets.imdb``'s conventions, transcribed step by step here
(the reference never calls imdbfast's tokenizer):

1. the legacy Keras ``Tokenizer`` (tf-keras ``fit_on_texts``) counts the words
   of the training reviews (``text_to_word_sequence``: ``lower()``, the
   default filters replaced by a space, ``split(" ")``) and ranks them in
   ``word_index`` (count descending, ties in first-seen order, from 1);
2. ``load_data``: ``[start_char] + [w + index_from for w in x]``, then
   ``[w if skip_top <= w < num_words else oov_char for w in x]``, with
   ``start_char=1``, ``oov_char=2``, ``index_from=3``, ``skip_top=0`` (a word
   unseen in the training reviews is ``oov_char`` here: imdbfast's one
   documented difference);
3. ``keras.utils.pad_sequences(maxlen=L)``'s defaults, ``padding="pre"`` and
   ``truncating="pre"`` (the call itself when Keras is installed);
4. ``load_data``'s shuffle: one ``np.random.RandomState(113)`` shuffles the
   train indices, then the test indices.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from imdbfast import Tokenizer, load_imdb
from imdbfast.datasets import KERAS_IMDB_SEED
from test_datasets import make_tree
from test_keras_parity import HARD_TEXTS

# ---- keras.datasets.imdb's conventions, transcribed -------------------------

#: tf-keras ``Tokenizer``'s default ``filters``.
FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'


def text_to_word_sequence(text, filters=FILTERS, lower=True, split=" "):
    if lower:
        text = text.lower()
    text = text.translate(str.maketrans({c: split for c in filters}))
    return [w for w in text.split(split) if w]


def fit_word_index(texts):
    """``Tokenizer().fit_on_texts(texts).word_index``."""
    word_counts = {}  # an OrderedDict in tf-keras: insertion order
    for text in texts:
        for w in text_to_word_sequence(text):
            if w in word_counts:
                word_counts[w] += 1
            else:
                word_counts[w] = 1
    wcounts = list(word_counts.items())
    wcounts.sort(key=lambda x: x[1], reverse=True)
    sorted_voc = [wc[0] for wc in wcounts]
    return dict(zip(sorted_voc, range(1, len(sorted_voc) + 1)))


def load_data_ids(word_index, texts, num_words, start_char=1, oov_char=2, index_from=3):
    """``load_data``'s id arithmetic over the word ranks of ``texts``."""
    xs = [
        [start_char]
        + [word_index[w] + index_from if w in word_index else oov_char for w in text_to_word_sequence(t)]
        for t in texts
    ]
    skip_top = 0
    return [[w if (skip_top <= w < num_words) else oov_char for w in x] for x in xs]


def pad_pre(sequences, maxlen):
    """``keras.utils.pad_sequences(sequences, maxlen)`` (pre, pre)."""
    try:
        from keras.utils import pad_sequences
    except ImportError:
        out = np.zeros((len(sequences), maxlen), dtype=np.int32)
        for i, s in enumerate(sequences):
            kept = s[-maxlen:]
            if kept:
                out[i, -len(kept):] = kept
        return out
    return pad_sequences(sequences, maxlen=maxlen, padding="pre", truncating="pre")


def keras_shuffled(n_train, n_test, seed=113):
    """``load_data``'s row orders of train and test."""
    rng = np.random.RandomState(seed)
    indices = np.arange(n_train)
    rng.shuffle(indices)
    train = indices
    indices = np.arange(n_test)
    rng.shuffle(indices)
    return train, indices


# ----------------------------------------------------------------------------


def check(train, texts, num_words, maxlen):
    word_index = fit_word_index(train)
    expected = load_data_ids(word_index, texts, num_words)
    tok = Tokenizer.from_preset("keras_imdb", max_tokens=num_words).fit(train)
    got = tok.transform(texts)
    bad = [i for i, (g, e) in enumerate(zip(got, expected)) if g.tolist() != e]
    assert not bad, f"rows differ: {bad[:10]}"
    padded = Tokenizer.from_preset("keras_imdb", max_tokens=num_words, output_sequence_length=maxlen)
    np.testing.assert_array_equal(padded.fit(train).transform(texts), pad_pre(expected, maxlen))
    words = sorted(word_index, key=word_index.__getitem__)
    vocab = tok.get_vocabulary()
    assert vocab[:4] == ["", "[START]", "[OOV]", "[UNUSED3]"]
    assert vocab[4:] == words[: num_words - 4]
    return got


TEXTS = HARD_TEXTS + [
    "well-made, don't miss it; it's well made!",
    "b a c a b",  # ties: b is met before a
    "The end. THE END, the end!",
    "x\ry a\u00a0b tab\there new\nline",
    "ΣΊΣΥΦΟΣ İstanbul Straße " * 3,
]


@pytest.mark.parametrize("num_words", [4, 6, 12, 1000])
@pytest.mark.parametrize("maxlen", [1, 3, 8])
def test_tiny_texts_follow_the_transcribed_conventions(num_words, maxlen):
    check(TEXTS[:-3], TEXTS, num_words, maxlen)


def test_keras_order_is_load_datas_shuffle(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    for i in range(20):
        (root / "train" / ("pos" if i % 2 else "neg") / f"{100 + i}_{7 if i % 2 else 2}.txt").write_text(f"r{i}")
        (root / "test" / ("pos" if i % 3 else "neg") / f"{200 + i}_{8 if i % 3 else 1}.txt").write_text(f"t{i}")
    plain = load_imdb(root, order="sorted", validation_split=0)
    keras = load_imdb(root, order="keras_imdb", validation_split=0)
    train_idx, test_idx = keras_shuffled(len(plain.train), len(plain.test), KERAS_IMDB_SEED)
    assert keras.train.files == [plain.train.files[i] for i in train_idx]
    assert keras.test.files == [plain.test.files[i] for i in test_idx]
    np.testing.assert_array_equal(keras.train.labels, plain.train.labels[train_idx])
    # A validation split takes its rows, in that order, out of the shuffled train.
    split = load_imdb(root, order="keras_imdb", validation_split=0.25, seed=3)
    assert split.train.files == [f for f in keras.train.files if f not in set(split.validation.files)]
    assert split.validation.files == [f for f in keras.train.files if f in set(split.validation.files)]
    assert split.test.files == keras.test.files


@pytest.mark.slow
def test_full_aclimdb_follows_the_transcribed_conventions(imdb_tar, imdb_train_texts, imdb_all_texts):
    """Seed 001's data: num_words=10000, the last 150 ids; fitted on the 25k
    training reviews, all 50k encoded; and load_data's order of the archive."""
    got = check(imdb_train_texts, imdb_all_texts, 10000, 150)
    assert len(got) == 50000
    assert max(int(r.max()) for r in got) == 9999
    data = load_imdb(imdb_tar, order="keras_imdb", validation_split=0)
    train_idx, test_idx = keras_shuffled(25000, 25000)
    assert data.train.texts == [imdb_train_texts[i] for i in train_idx]
    assert data.test.texts == [imdb_all_texts[25000 + i] for i in test_idx]
