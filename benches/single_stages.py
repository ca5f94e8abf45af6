"""Where the time of one BiLSTM prediction goes: ``Bundle.predict([review])``
step by step (medians of 1,000 calls each, after 100 warm-up calls).

    IMDBFAST_TEST_DATA=/work/shared/data python benches/single_stages.py [RUN_DIR]

RUN_DIR is a run of the default preset; without it a small one is trained
first (400 training reviews, one epoch, as ``bench_single.py`` does) in a
temporary directory. The review is ``bench_single.py``'s: the median-length
one of the first 1,000 training reviews.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))

from bench_tokenizer import TAR, load_texts

import imdbfast


def median_us(fn: Callable[[], Any], calls: int = 1000) -> float:
    for _ in range(100):
        fn()
    times = []
    for _ in range(calls):
        start = time.perf_counter_ns()
        fn()
        times.append(time.perf_counter_ns() - start)
    return float(np.median(times)) / 1e3


def main(run_dir: str | None) -> None:
    import tensorflow as tf

    from imdbfast._inputs import encode
    from imdbfast.batching import batches_for, predict_sorted
    from imdbfast.layers import right_padded_inputs
    from imdbfast.runtime import model_step

    head = sorted(load_texts()[0][:1000], key=len)
    review = [head[len(head) // 2]]
    if run_dir is None:
        out = tempfile.mkdtemp(prefix="imdbfast-stages-")
        run_dir = imdbfast.train(data_source=str(TAR), output_dir=out, run_name="bilstm",
                                 train_size=400, epochs=1, verbose=0, seed=7).run_dir
    bundle = imdbfast.load(run_dir)
    config, tokenizer, model = bundle.config, bundle.tokenizer, bundle.model
    encoded = encode(config, tokenizer, review)
    batches = batches_for(config, encoded, empty_id=tokenizer.oov_id)
    (rows,) = batches.batch_indices()
    x = batches.batch(rows)[0]
    tensor = tf.constant(x)
    with right_padded_inputs():
        step = model_step(model, ("ids", batches.fixed_length),
                          [tf.TensorSpec((None, batches.fixed_length), tf.int32)],
                          lambda live, ids: live(ids, training=False))
    stages = [
        ("Bundle.predict([review])", lambda: bundle.predict(review)),
        ("  encode (ragged ids)", lambda: encode(config, tokenizer, review)),
        ("  batches_for", lambda: batches_for(config, encoded, empty_id=tokenizer.oov_id)),
        ("  predict_sorted", lambda: predict_sorted(model, batches)),
        ("    batch(rows): padded ids", lambda: batches.batch(rows)),
        ("    tf.constant", lambda: tf.constant(x)),
        ("    compiled step (concrete function)", lambda: step(tensor)),
        ("    the same, bypassing argument binding", lambda: step._call_flat([tensor], step.captured_inputs)),
        ("    compiled step + output to NumPy", lambda: np.asarray(step(tensor))),
    ]
    print(f"review: {len(review[0])} characters, {x.shape[1]} ids; load {os.getloadavg()}")
    for name, fn in stages:
        print(f"| {name} | {median_us(fn):.1f} us |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
