"""Bundle.export: a SavedModel serving raw strings. The reference is
bundle.predict_proba; the SavedModel is read back by tf.saved_model.load in a
fresh process that never imports imdbfast."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import textwrap

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from train_helpers import review, tiny_run  # noqa: E402

import imdbfast  # noqa: E402
from imdbfast.bundle import Bundle  # noqa: E402
from imdbfast.ensembles import Ensemble  # noqa: E402

on_tensorflow = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow", reason="exports need TensorFlow"
)

SERVE = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    import tensorflow as tf

    path, texts_file, out_file = sys.argv[1:]
    texts = json.load(open(texts_file, encoding="utf-8"))
    served = tf.saved_model.load(path).signatures["serving_default"]
    probabilities = served(texts=tf.constant(texts))["probabilities"].numpy()
    assert "imdbfast" not in sys.modules, "the SavedModel imported imdbfast"
    np.save(out_file, probabilities)
    """
)

EDGE_CASES = ["", "   ", "<br /><br />", "!!!", "A wonderful, moving film.",
              "Dull<br/>and far too long", "ΣΊΣΥΦΟΣ\u00a0non-breaking"]


def served_in_fresh_process(path, texts, tmp_path) -> np.ndarray:
    texts_file = tmp_path / "texts.json"
    texts_file.write_text(json.dumps(texts), encoding="utf-8")
    out_file = tmp_path / "out.npy"
    done = subprocess.run(
        [sys.executable, "-c", SERVE, str(path), str(texts_file), str(out_file)],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return np.load(out_file)


@pytest.mark.slow
@on_tensorflow
def test_served_equals_predict_on_real_reviews(tmp_path_factory, tmp_path, imdb_reference):
    """The tiny run served on 1,000 real test reviews (plus edge cases)."""
    bundle = imdbfast.load(tiny_run(tmp_path_factory).run_dir)
    assert bundle.tokenizer.strip_html is False
    texts = [row[0] for row in imdb_reference["test"][::25]] + EDGE_CASES
    assert len(texts) == 1000 + len(EDGE_CASES)
    path = tmp_path / "served"
    bundle.export(path)
    got = served_in_fresh_process(path, texts, tmp_path)
    np.testing.assert_allclose(got, bundle.predict_proba(texts), rtol=0, atol=1e-5)


@pytest.mark.slow
@on_tensorflow
def test_strip_html_is_served(tmp_path_factory, tmp_path):
    """strip_html runs before TextVectorization, as tf.strings.regex_replace."""
    run = tiny_run(tmp_path_factory)
    bundle = imdbfast.load(run.run_dir)
    texts = [*EDGE_CASES, "great<BR  />movie", "awful<br>plot<br", "<b>best</b>"]
    tokenizer = imdbfast.Tokenizer(
        max_tokens=bundle.tokenizer.max_tokens,
        output_sequence_length=bundle.tokenizer.output_sequence_length,
        strip_html=True,
        vocabulary=bundle.tokenizer.get_vocabulary(),
    )
    html_bundle = Bundle(bundle.model, tokenizer, bundle.config.replace(strip_html=True))
    html_bundle.export(tmp_path / "served")
    got = served_in_fresh_process(tmp_path / "served", texts, tmp_path)
    np.testing.assert_allclose(got, html_bundle.predict_proba(texts), rtol=0, atol=1e-5)
    assert not np.allclose(got, bundle.predict_proba(texts))


@pytest.mark.slow
@pytest.mark.backend_agnostic
def test_what_cannot_be_exported(tmp_path_factory, tmp_path):
    bundle = imdbfast.load(tiny_run(tmp_path_factory).run_dir)
    if keras.backend.backend() != "tensorflow":
        with pytest.raises(ValueError, match="imdbfast\\[tensorflow\\]"):
            bundle.export(tmp_path / "served")
        return
    unicode = imdbfast.Tokenizer(standardize="lower_unicode", output_sequence_length=40)
    unicode.fit(["a film"])
    with pytest.raises(ValueError, match="lower_unicode"):
        Bundle(bundle.model, unicode, bundle.config).export(tmp_path / "a")
    pre = imdbfast.Tokenizer(output_sequence_length=40, truncating="pre").fit(["a film"])
    with pytest.raises(ValueError, match="at the end only"):
        Bundle(bundle.model, pre, bundle.config).export(tmp_path / "b")
    bag = bundle.config.replace(model="bag_of_ngrams", output_mode="tf_idf")
    with pytest.raises(ValueError, match="bag-of-n-grams"):
        Bundle(bundle.model, bundle.tokenizer, bag).export(tmp_path / "c")
    with pytest.raises(ValueError, match="one trained run"):
        Ensemble([bundle, bundle]).export(tmp_path / "d")
    assert not any((tmp_path / name).exists() for name in "abcd")


@pytest.mark.slow
@on_tensorflow
@pytest.mark.parametrize("name", ["flatten", "lstm", "deep_bilstm_attention", "fasttext"])
def test_every_id_model_is_served_like_predict(tmp_path, name):
    """Each model on ids (untrained weights, read back in this process);
    fasttext's n-gram ids are refused (the export covers single tokens only)."""
    import tensorflow as tf

    from imdbfast.config import TrainConfig
    from imdbfast.models import build_model

    rng = random.Random(3)
    texts = [review(rng, i % 2) for i in range(200)] + EDGE_CASES
    ngrams = 2 if name == "fasttext" else None
    config = TrainConfig(model=name, embedding_dim=4, units=3, sequence_length=30,
                         max_tokens=40, ngrams=ngrams, eval_batch_size=16)
    tokenizer = imdbfast.Tokenizer(max_tokens=40, output_sequence_length=30, ngrams=ngrams)
    tokenizer.fit(texts[:150])
    keras.utils.set_random_seed(5)
    bundle = Bundle(build_model(config, tokenizer.vocabulary_size()), tokenizer, config)
    if ngrams:
        with pytest.raises(ValueError, match="ngrams=2"):
            bundle.export(tmp_path / "served")
        return
    bundle.export(tmp_path / "served")
    served = tf.saved_model.load(str(tmp_path / "served")).signatures["serving_default"]
    got = served(texts=tf.constant(texts))["probabilities"].numpy()
    np.testing.assert_allclose(got, bundle.predict_proba(texts), rtol=0, atol=1e-5)
