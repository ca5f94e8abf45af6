"""Evaluation and prediction throughput on the 25,000 IMDB test reviews.

Reviews per second, from raw texts to figures, for

* imdbfast: ``imdbfast.load(run_dir)`` then ``Bundle.evaluate(texts, labels)``
  (tokenize in Rust, length-sorted batches, one pass of the model, metrics
  once) and ``Bundle.predict(texts)``;
* the stock Keras seed-000 model with its ``TextVectorization`` inside (string
  input, every batch tokenized and padded to 600 in the graph), through
  ``model.evaluate`` and ``model.predict`` on ``tf.data`` batches of 32 texts,
  as the seed evaluates.

Both sides start from the same texts in memory, each in a process of its
own. Each call runs ``--repeats`` times; the table gives the first call (which
includes tracing the model's function) and the best and median of all calls;
reviews per second are from the best. Throughput does not depend on the
weights' values: without ``--run-dir`` a one-epoch imdbfast run on 2,000
reviews is trained first (same model shapes), and the stock model has fresh
weights (so its accuracy means nothing) unless ``--stock-model`` names a saved
one (``stock_keras_seed000.py --workdir DIR`` leaves ``stock_seed000.keras``
there).

Usage (from the repository root)::

    python benches/eval_throughput.py --data ../shared/data/aclImdb_v1_labeled.tar.gz
    python benches/eval_throughput.py --data ... --run-dir runs/seed000 --repeats 3
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

import numpy as np


def timed(fn: Callable[[], Any], repeats: int) -> dict[str, Any]:
    """Runs ``fn`` ``repeats`` times.

    Args:
        fn: the call to time.
        repeats: how many times (at least 1).

    Returns:
        ``first_s`` (the first call, tracing included), ``best_s`` and
        ``median_s`` of all calls, ``times`` and the last call's result as
        ``value``.
    """
    times: list[float] = []
    value = None
    for _ in range(max(1, repeats)):
        start = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - start)
    return {"first_s": times[0], "best_s": min(times),
            "median_s": statistics.median(times), "times": times, "value": value}


def imdbfast_side(args: argparse.Namespace, texts: list[str], labels: np.ndarray
                  ) -> dict[str, dict[str, Any]]:
    """Times ``Bundle.evaluate`` and ``Bundle.predict`` on the test texts."""
    import imdbfast

    run_dir = args.run_dir
    if run_dir is None:
        result = imdbfast.train(data_source=args.data, train_size=2000, epochs=1,
                                output_dir=tempfile.mkdtemp(prefix="eval_tp-"),
                                verbose=0)
        run_dir = result.run_dir
    bundle = imdbfast.load(run_dir)
    evaluate = timed(lambda: bundle.evaluate(texts, labels), args.repeats)
    predict = timed(lambda: bundle.predict(texts), args.repeats)
    evaluate["accuracy"] = evaluate.pop("value")["accuracy"]
    predict.pop("value")
    return {"evaluate": evaluate, "predict": predict}


def stock_side(args: argparse.Namespace, train_texts: list[str], texts: list[str],
               labels: np.ndarray) -> dict[str, dict[str, Any]]:
    """Times the stock model with TextVectorization inside."""
    import keras
    import tensorflow as tf
    from keras import layers

    keras.utils.set_random_seed(1337)
    max_tokens, max_length = 20000, 600
    vectorize = layers.TextVectorization(max_tokens=max_tokens, output_mode="int",
                                         output_sequence_length=max_length)
    vectorize.adapt(tf.data.Dataset.from_tensor_slices(train_texts).batch(32))
    if args.stock_model:
        model = keras.models.load_model(args.stock_model)
    else:  # benches/stock_keras_seed000.py's model
        ids = keras.Input(shape=(None,), dtype="int64")
        x = layers.Embedding(input_dim=max_tokens, output_dim=128)(ids)
        x = layers.Bidirectional(layers.LSTM(32))(x)
        x = layers.Dropout(0.5)(x)
        model = keras.Model(ids, layers.Dense(1, activation="sigmoid")(x))
    strings = keras.Input(shape=(), dtype="string")
    end_to_end = keras.Model(strings, model(vectorize(strings)))
    end_to_end.compile(loss="binary_crossentropy", metrics=["accuracy"])
    bs = args.stock_batch_size
    with_labels = tf.data.Dataset.from_tensor_slices(
        (texts, labels.astype("float32"))).batch(bs)
    texts_only = tf.data.Dataset.from_tensor_slices(texts).batch(bs)
    evaluate = timed(lambda: end_to_end.evaluate(with_labels, verbose=0,
                                                 return_dict=True), args.repeats)
    predict = timed(lambda: end_to_end.predict(texts_only, verbose=0), args.repeats)
    evaluate["accuracy"] = float(evaluate.pop("value")["accuracy"])
    predict.pop("value")
    return {"evaluate": evaluate, "predict": predict}


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Times one side (``args.only``) in this process."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import imdbfast

    data = imdbfast.load_imdb(args.data)
    texts, labels = list(data.test.texts), np.asarray(data.test.labels)
    load_before = os.getloadavg()
    if args.only == "imdbfast":
        calls = imdbfast_side(args, texts, labels)
    else:
        calls = stock_side(args, list(data.train.texts), texts, labels)
    return {"reviews": len(texts), "load": [load_before, os.getloadavg()],
            "calls": calls}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, help="the aclImdb .tar.gz")
    parser.add_argument("--run-dir", default=None,
                        help="an imdbfast run directory (default: train a small one)")
    parser.add_argument("--stock-model", default=None,
                        help="a saved stock model (.keras); default: fresh weights")
    parser.add_argument("--stock-batch-size", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--only", choices=("imdbfast", "stock"), default=None,
                        help="time one side, in this process")
    parser.add_argument("--json", default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    args.data = os.path.abspath(args.data)

    results: dict[str, Any] = {}
    if args.only:
        results[args.only] = measure(args)
    else:  # each side in a process of its own (allocators, threads, memory)
        argv = list(sys.argv[1:] if argv is None else argv)
        for side in ("imdbfast", "stock"):
            with tempfile.NamedTemporaryFile(suffix=".json") as out:
                command = [sys.executable, os.path.abspath(__file__), *argv,
                           "--only", side, "--json", out.name]
                subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
                with open(out.name) as f:
                    results[side] = json.load(f)[side]

    print(f"{time.strftime('%Y-%m-%d %H:%M:%S %Z')}, {os.cpu_count()} cores")
    print("| pipeline | call | first call | best | median | reviews/s |"
          " accuracy | load average (1 min) |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for name, side in results.items():
        n = side["reviews"]
        load = " -> ".join(f"{values[0]:.1f}" for values in side["load"])
        for call, r in side["calls"].items():
            accuracy = f"{r['accuracy']:.4f}" if "accuracy" in r else ""
            print(f"| {name} | {call} | {r['first_s']:.2f} s | {r['best_s']:.2f} s "
                  f"| {r['median_s']:.2f} s | {n / r['best_s']:,.0f} | {accuracy} "
                  f"| {load} |")
    if len(results) == 2:
        for call in ("evaluate", "predict"):
            ratio = (results["stock"]["calls"][call]["best_s"]
                     / results["imdbfast"]["calls"][call]["best_s"])
            print(f"imdbfast {call}: {ratio:.1f}x the stock model's throughput")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
