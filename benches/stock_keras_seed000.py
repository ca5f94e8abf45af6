"""The stock Keras seed-000 pipeline, as the peer that ``imdbfast train`` is timed against.

What the seed notebook does, step for step:
``keras.utils.text_dataset_from_directory`` over an extracted ``aclImdb`` with
20 % of each training class moved to a ``val`` folder, a ``TextVectorization``
(20,000 tokens, length 600) adapted on the training texts and applied inside
the ``tf.data`` pipeline (every batch re-tokenized and padded to 600), then
``Embedding(20000, 128) -> Bidirectional(LSTM(32)) -> Dropout(0.5) ->
Dense(1, sigmoid)``, RMSprop, batch 32, 10 epochs, a best-only
``ModelCheckpoint`` on validation loss, and the best model evaluated on the
25,000 test reviews.

Setup that the notebook does by hand (extracting the archive, moving the
validation files; the same per-class, seeded rule as ``imdbfast.load_imdb``)
happens before the clock starts. Timed: datasets, adapt, build, fit, evaluate.

Usage (from the repository root)::

    python benches/stock_keras_seed000.py --data ../shared/data/aclImdb_v1_labeled.tar.gz
    python benches/stock_keras_seed000.py --data ... --epochs 1   # quick check

Prints per-epoch Keras progress, then one JSON line with the test accuracy and
seconds per phase.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import tarfile
import tempfile
import time
from pathlib import Path


def prepare(archive: Path, workdir: Path, validation_split: float, seed: int) -> Path:
    """Extracts aclImdb and moves the validation files to ``aclImdb/val``."""
    with tarfile.open(archive, "r:gz") as tar:
        members = [
            m for m in tar.getmembers()
            if m.isfile() and m.name.startswith(("aclImdb/train/pos/", "aclImdb/train/neg/",
                                                 "aclImdb/test/pos/", "aclImdb/test/neg/"))
        ]
        tar.extractall(workdir, members=members, filter="data")
    base = workdir / "aclImdb"
    for category in ("neg", "pos"):
        names = sorted(os.listdir(base / "train" / category))
        random.Random(seed).shuffle(names)
        num_val = int(validation_split * len(names))
        (base / "val" / category).mkdir(parents=True, exist_ok=True)
        for name in names[-num_val:]:
            shutil.move(base / "train" / category / name, base / "val" / category / name)
    return base


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, help="aclImdb .tar.gz")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1337)
    parser.add_argument("--workdir", default=None,
                        help="where to extract (default: a temporary directory)")
    parser.add_argument("--mask-zero", action="store_true",
                        help="mask padding in the Embedding (the seed does not)")
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory() if args.workdir is None else None
    workdir = Path(args.workdir or tmp.name)  # type: ignore[union-attr]
    base = prepare(Path(args.data), workdir, 0.2, args.seed)

    import keras
    from keras import layers

    keras.utils.set_random_seed(args.seed)
    seconds: dict[str, float] = {}
    start = t = time.perf_counter()

    batch_size = 32
    train_ds = keras.utils.text_dataset_from_directory(base / "train", batch_size=batch_size)
    val_ds = keras.utils.text_dataset_from_directory(base / "val", batch_size=batch_size)
    test_ds = keras.utils.text_dataset_from_directory(base / "test", batch_size=batch_size)
    seconds["datasets"] = time.perf_counter() - t

    t = time.perf_counter()
    max_length, max_tokens = 600, 20000
    text_vectorization = layers.TextVectorization(
        max_tokens=max_tokens, output_mode="int", output_sequence_length=max_length
    )
    text_vectorization.adapt(train_ds.map(lambda x, y: x))
    seconds["adapt"] = time.perf_counter() - t

    def vectorized(ds):
        return ds.map(lambda x, y: (text_vectorization(x), y), num_parallel_calls=4)

    int_train_ds, int_val_ds, int_test_ds = map(vectorized, (train_ds, val_ds, test_ds))

    t = time.perf_counter()
    inputs = keras.Input(shape=(None,), dtype="int64")
    embedded = layers.Embedding(input_dim=max_tokens, output_dim=128,
                                mask_zero=args.mask_zero)(inputs)
    x = layers.Bidirectional(layers.LSTM(32))(embedded)
    x = layers.Dropout(0.5)(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    seconds["build"] = time.perf_counter() - t

    checkpoint = workdir / "stock_seed000.keras"
    t = time.perf_counter()
    model.fit(
        int_train_ds,
        validation_data=int_val_ds,
        epochs=args.epochs,
        callbacks=[keras.callbacks.ModelCheckpoint(checkpoint, save_best_only=True)],
    )
    seconds["fit"] = time.perf_counter() - t

    t = time.perf_counter()
    best = keras.models.load_model(checkpoint)
    test_loss, test_accuracy = best.evaluate(int_test_ds)
    seconds["evaluate"] = time.perf_counter() - t
    seconds["total"] = time.perf_counter() - start

    print(json.dumps({
        "pipeline": "stock keras seed000",
        "epochs": args.epochs,
        "test_accuracy": round(float(test_accuracy), 4),
        "test_loss": round(float(test_loss), 4),
        "seconds": {k: round(v, 1) for k, v in seconds.items()},
    }))
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
