"""Silent wrong answers become errors (or right answers): ensemble weights,
idf weights, placeholder feature names, exported vocabularies and merged
counts, each with the reproducer that used to give a wrong result quietly."""

from __future__ import annotations

import json
import math
import struct
from pathlib import Path

import imdbfast
import numpy as np
import pytest
from imdbfast.ensembles import Ensemble, load_ensemble
from imdbfast.errors import UserError
from imdbfast.tokenizer import TokenCounts


class _Member:
    """Stands for a Bundle: Ensemble only reads ``config`` at construction."""

    config = None


# ----------------------------------------------------------- ensemble weights


def test_huge_weights_normalize_without_overflow():
    # 1e308 + 1e308 is inf: dividing by the sum gave every weight 0.0, and
    # every probability 0.0.
    ensemble = Ensemble([_Member(), _Member()], [1e308, 1e308])
    assert ensemble.weights.tolist() == [0.5, 0.5]
    combined = ensemble.combine([np.array([0.2, 0.9]), np.array([0.4, 0.7])])
    np.testing.assert_allclose(combined, [0.3, 0.8], rtol=1e-6)
    uneven = Ensemble([_Member(), _Member()], [1.5e308, 0.5e308]).weights
    np.testing.assert_allclose(uneven, [0.75, 0.25])
    tiny = Ensemble([_Member(), _Member()], [5e-324, 5e-324]).weights
    assert tiny.tolist() == [0.5, 0.5]


@pytest.mark.parametrize(
    "weights",
    [[10**400, 1], [math.inf, 1], [math.nan, 1], [0, 1], [-1, 1], ["1", 1], [1]],
)
def test_invalid_weights_are_one_clear_error(weights):
    with pytest.raises(ValueError, match="`weights` must be 2 finite positive numbers"):
        Ensemble([_Member(), _Member()], weights)


def test_ensemble_json_with_a_weight_beyond_any_float(tmp_path: Path):
    root = tmp_path / "ens"
    root.mkdir()
    manifest = {
        "format": "imdbfast.Ensemble",
        "version": 1,
        "members": [{"path": "a", "weight": 10**400}, {"path": "b", "weight": 1}],
    }
    from imdbfast import ensembles

    manifest["format"] = ensembles._FORMAT
    manifest["version"] = ensembles._VERSION
    (root / "ensemble.json").write_text(json.dumps(manifest))
    # Refused before any member is loaded (the members do not even exist).
    with pytest.raises(UserError, match="ensemble.json: `weights` must be 2 finite"):
        load_ensemble(root)
    manifest["members"][0]["weight"] = True
    (root / "ensemble.json").write_text(json.dumps(manifest))
    with pytest.raises(UserError, match="not an imdbfast ensemble file"):
        load_ensemble(root)


# ------------------------------------------------------------- idf weights


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_idf_weights_must_be_finite(bad):
    with pytest.raises(ValueError, match="`idf_weights` must be finite numbers"):
        imdbfast.Tokenizer(
            output_mode="tf_idf", vocabulary=["a", "b"], idf_weights=[1.0, bad]
        )
    tok = imdbfast.Tokenizer(output_mode="tf_idf")
    with pytest.raises(ValueError, match="Received: .* at index 1"):
        tok.set_vocabulary(["a", "b"], idf_weights=[1.0, bad])
    assert not tok.is_fitted


def test_idf_weights_beyond_any_float_are_a_value_error():
    with pytest.raises(ValueError, match="`idf_weights` must be finite numbers"):
        imdbfast.Tokenizer(
            output_mode="tf_idf", vocabulary=["a", "b"], idf_weights=[1.0, 10**400]
        )


def test_saved_idf_weights_that_are_not_finite_are_refused(tmp_path: Path):
    path = tmp_path / "tokenizer.json"
    imdbfast.Tokenizer(
        output_mode="tf_idf", vocabulary=["a", "b"], idf_weights=[1.0, 2.0]
    ).save(path)
    data = json.loads(path.read_text())
    data["idf_weights"][-1] = float("nan")  # json writes NaN
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match="must be finite"):
        imdbfast.Tokenizer.load(path)


# ----------------------------------------------------- placeholder names


def test_placeholder_feature_names_never_equal_a_token():
    pytest.importorskip("sklearn")
    from imdbfast.sklearn import TextVectorizer

    texts = ["[EMPTY5] a", "[[EMPTY5]] b"]
    vec = TextVectorizer(
        output_mode="count", max_tokens=8, pad_to_max_tokens=True, standardize=None
    ).fit(texts)
    names = list(vec.get_feature_names_out())
    assert len(names) == 8 and len(set(names)) == 8, names
    assert names[5] == "[[[EMPTY5]]]" and names[6] == "[EMPTY6]"
    assert vec.transform(texts).shape[1] == len(names)
    assert len(vec.vocabulary_) == 8


# ----------------------------------------------------------- export and NUL


def test_export_refuses_a_token_ending_in_nul(tmp_path: Path):
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "tensorflow":
        pytest.skip("exports need TensorFlow")
    from imdbfast.bundle import Bundle
    from imdbfast.config import TrainConfig

    tok = imdbfast.Tokenizer(vocabulary=["film", "film\x00", "good"])
    bundle = Bundle(model=None, tokenizer=tok, config=TrainConfig())
    with pytest.raises(ValueError, match=r"NUL.*'film\\x00'"):
        bundle.export(tmp_path / "served")
    assert not (tmp_path / "served").exists()


# ------------------------------------------------------------ merged counts


def _tampered(counts: TokenCounts, count: int) -> TokenCounts:
    """``counts`` (of one token) with that token's count replaced, as in
    ``TokenCounts.__getstate__``'s layout: the last entry ends with four
    little-endian u64s, the count first."""
    state = counts.__getstate__()
    at = len(state) - 32
    state = state[:at] + struct.pack("<Q", count) + state[at + 8 :]
    tampered = TokenCounts()
    tampered.__setstate__(state)
    return tampered


def test_tampered_counts_do_not_wrap_on_merge():
    tok = imdbfast.Tokenizer()
    huge = _tampered(tok.count(["a"]), 2**64 - 1)
    assert huge.count("a") == 2**64 - 1
    two = tok.count(["a a"])
    with pytest.raises(ValueError, match="do not fit in 64 bits"):
        huge + two
    with pytest.raises(ValueError, match="do not fit in 64 bits"):
        TokenCounts.merge([huge, two])
    with pytest.raises(ValueError, match="do not fit in 64 bits"):
        huge += two
    assert huge.count("a") == 2**64 - 1 and huge.documents == 1  # unchanged
    near = _tampered(tok.count(["a"]), 2**64 - 3)
    assert (near + two).count("a") == 2**64 - 1


def test_tallies_that_cannot_be_counts_are_refused():
    tok = imdbfast.Tokenizer()
    state = tok.count(["a"]).__getstate__()
    # documents of the token (1) beyond its occurrences.
    at = len(state) - 32
    bad = state[:at] + struct.pack("<Q", 0) + state[at + 8 :]
    with pytest.raises(ValueError, match="do not agree"):
        TokenCounts().__setstate__(bad)
