"""Small generated IMDB data and one tiny shared training run for the TRAIN tests.

The run is cached at module level, so test_training, test_bundle and test_cli
share a single (slow to build) Keras model per pytest session.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

POSITIVE = "great excellent wonderful loved best amazing superb moving".split()
NEGATIVE = "awful boring worst terrible waste bad dull stupid".split()
NEUTRAL = (
    "the a film movie plot actor story scene and of it was this to in but "
    "director music time character ending really very just some there"
).split()

TINY_TRAIN = dict(
    epochs=2,
    embedding_dim=8,
    units=4,
    max_tokens=40,
    sequence_length=40,
    batch_size=16,
    eval_batch_size=32,
    seed=11,
    verbose=0,
)


def review(rng: random.Random, label: int) -> str:
    """A synthetic review: neutral filler with a few words of its sentiment."""
    words = [rng.choice(NEUTRAL) for _ in range(rng.randint(0, 50))]
    cue = POSITIVE if label else NEGATIVE
    for _ in range(rng.randint(1, 4)):
        words.insert(rng.randint(0, len(words)), rng.choice(cue))
    if rng.random() < 0.2:  # the odd word of the other side
        words.insert(rng.randint(0, len(words)), rng.choice(NEGATIVE if label else POSITIVE))
    text = " ".join(words)
    return (text[:1].upper() + text[1:] + "." + (" <br /><br />The end!" if rng.random() < 0.3 else ""))


def make_imdb_dir(root: Path, *, train_per_class: int = 100, test_per_class: int = 50,
                  seed: int = 0) -> Path:
    """Writes an ``aclImdb`` directory (train/test x neg/pos) of synthetic reviews."""
    rng = random.Random(seed)
    base = root / "aclImdb"
    file_id = 0
    for split, count in (("train", train_per_class), ("test", test_per_class)):
        for label, cls in ((0, "neg"), (1, "pos")):
            folder = base / split / cls
            folder.mkdir(parents=True)
            for _ in range(count):
                rating = rng.randint(7, 10) if label else rng.randint(1, 4)
                (folder / f"{file_id}_{rating}.txt").write_text(review(rng, label),
                                                                encoding="utf-8")
                file_id += 1
    return base


def write_glove(path: Path, dim: int = 8, seed: int = 0) -> Path:
    """A small GloVe text file covering most synthetic words (not all)."""
    rng = random.Random(seed)
    words = POSITIVE + NEGATIVE + NEUTRAL[:-3] + ["unrelated", "zebra"]
    with open(path, "w", encoding="utf-8") as f:
        for word in words:
            sign = 1 if word in POSITIVE else -1 if word in NEGATIVE else 0
            vector = [sign * 0.5 + rng.uniform(-0.1, 0.1) for _ in range(dim)]
            f.write(word + " " + " ".join(f"{v:.5f}" for v in vector) + "\n")
    return path


_CACHE: dict[str, Any] = {}


def tiny_imdb(tmp_path_factory: Any) -> Path:
    """The shared synthetic aclImdb directory."""
    if "imdb" not in _CACHE:
        _CACHE["imdb"] = make_imdb_dir(tmp_path_factory.mktemp("imdb"))
    return _CACHE["imdb"]


def tiny_run(tmp_path_factory: Any) -> Any:
    """The shared TrainResult of a 2-epoch run on the synthetic data (skips
    the test when no Keras backend is installed)."""
    import pytest

    pytest.importorskip("keras")
    if "run" not in _CACHE:
        import imdbfast

        _CACHE["run"] = imdbfast.train(
            data_source=str(tiny_imdb(tmp_path_factory)),
            output_dir=str(tmp_path_factory.mktemp("runs")),
            run_name="tiny",
            **TINY_TRAIN,
        )
    return _CACHE["run"]


#: The training fields of the n-gram runs of :func:`ngram_runs`.
NGRAM_SMALL = dict(batch_size=16, eval_batch_size=32, seed=5, verbose=0, epochs=2)


def ngram_runs(tmp_path_factory: Any) -> dict[str, Any]:
    """The shared ``ngrams-linear`` (``bag``) and ``fasttext-bigrams``
    (``fast``) TrainResults on the synthetic data, with its ``data`` source and
    their ``out`` directory (tests/test_ngram_models.py, tests/test_ensembles.py)."""
    if "ngram_runs" not in _CACHE:
        import imdbfast

        data = str(tiny_imdb(tmp_path_factory))
        out = tmp_path_factory.mktemp("ngram-runs")
        bag = imdbfast.train("ngrams-linear", data_source=data, output_dir=str(out),
                             run_name="bag", **NGRAM_SMALL)
        fast = imdbfast.train("fasttext-bigrams", data_source=data,
                              output_dir=str(out), run_name="fast",
                              **NGRAM_SMALL | {"max_tokens": 300})
        _CACHE["ngram_runs"] = {"data": data, "out": out, "bag": bag, "fast": fast}
    return _CACHE["ngram_runs"]
