"""The shared option lists and checks (imdbfast._options) and the presets."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import numpy as np
import pytest

from imdbfast import _native, _options, config, tokenizer
from imdbfast._options import check_choice, check_int, check_side
from imdbfast.config import PRESET_ALIASES, PRESETS, TrainConfig, preset_names
from imdbfast.tokenizer import Tokenizer


def test_config_tokenizer_and_options_share_one_list_each():
    assert config.STANDARDIZE is _options.STANDARDIZE
    assert config.MODELS is _options.MODELS
    assert config.EMBEDDINGS is _options.EMBEDDINGS
    assert config.MONITORS is _options.MONITORS
    assert config.DISTRIBUTIONS is _options.DISTRIBUTIONS


def test_distribution_is_none_by_default_and_checked(tmp_path):
    assert TrainConfig().distribution == "none"
    parallel = TrainConfig(distribution="data_parallel")
    parallel.save(tmp_path / "c.json")  # recorded like every other field
    assert TrainConfig.load(tmp_path / "c.json").distribution == "data_parallel"
    with pytest.raises(ValueError, match=r'`distribution` must be one of "none", '
                       r'"data_parallel". Received: distribution=\'mirrored\''):
        TrainConfig(distribution="mirrored")
    with pytest.raises(ValueError, match="`distribution` must be 'none' for bag rows"):
        TrainConfig(distribution="data_parallel", model="bag_of_ngrams",
                    output_mode="multi_hot")


@pytest.mark.parametrize("mode", _options.STANDARDIZE)
def test_every_standardize_mode_works_in_config_tokenizer_and_core(mode):
    assert TrainConfig(standardize=mode).standardize == mode
    assert Tokenizer(standardize=mode).standardize == mode
    _native.TextPipeline(mode, "whitespace", False, [])


def test_standardize_modes_are_the_ones_the_core_parses():
    with pytest.raises(ValueError) as err:
        _native.TextPipeline("upper", "whitespace", False, [])
    listed = str(err.value).split("Received")[0]
    assert set(re.findall(r'"(\w+)"', listed)) == {m for m in _options.STANDARDIZE if m}
    assert ("None" in listed) == (None in _options.STANDARDIZE)


def test_sides_are_the_ones_the_core_parses():
    for side in _options.SIDES:
        _native.pad_sequences_int32([[1, 2]], 1, side, side, 0)
    with pytest.raises(ValueError) as err:
        _native.pad_sequences_int32([[1, 2]], 1, "middle", "pre", 0)
    listed = str(err.value).split("Received")[0]
    assert tuple(re.findall(r'"(\w+)"', listed)) == _options.SIDES


def test_lower_unicode_config_trains_the_tokenizer_it_names():
    cfg = TrainConfig(standardize="lower_unicode_and_strip_punctuation")
    tok = Tokenizer(standardize=cfg.standardize).fit(["ÉCOLE, école!"])
    assert tok.get_vocabulary()[2:] == ["école"]


def test_check_int_accepts_numpy_integers_and_refuses_bools():
    assert check_int("n", np.int64(3), minimum=1) == 3
    assert type(check_int("n", np.uint8(3), minimum=1)) is int
    assert check_int("n", None, minimum=1, optional=True) is None
    for bad in (True, np.bool_(True), 2.0, "2", None):
        with pytest.raises(TypeError, match=r"`n` must be an int >= 1\. Received: n="):
            check_int("n", bad, minimum=1)
    with pytest.raises(TypeError, match=r"an int >= 1 or None\. Received: n=1\.5"):
        check_int("n", 1.5, minimum=1, optional=True)
    with pytest.raises(ValueError, match=r"`n` must be >= 1\. Received: n=0"):
        check_int("n", np.int32(0), minimum=1)


def test_check_choice_and_check_side_messages():
    check_choice("x", None, ("a", None))
    expected = r'must be one of "a", "b", None\. Received: x=\'c\''
    with pytest.raises(ValueError, match=expected):
        check_choice("x", "c", ("a", "b", None))
    check_side("padding", "pre")
    expected = r'`padding` must be "pre" or "post"\. Received: padding=1'
    with pytest.raises(ValueError, match=expected):
        check_side("padding", 1)


def test_numpy_integers_in_config_and_tokenizer_are_stored_as_ints(tmp_path):
    cfg = TrainConfig(epochs=np.int64(3), max_tokens=np.int32(100), units=np.int16(0))
    assert (cfg.epochs, cfg.max_tokens, cfg.units) == (3, 100, 0)
    assert all(type(v) is int for v in (cfg.epochs, cfg.max_tokens, cfg.units))
    cfg.save(tmp_path / "c.json")
    assert TrainConfig.load(tmp_path / "c.json") == cfg
    with pytest.raises(TypeError, match="`epochs` must be an int"):
        TrainConfig(epochs=True)
    tok = Tokenizer(max_tokens=np.int64(10), output_sequence_length=np.int32(4))
    assert type(tok.max_tokens) is int and type(tok.output_sequence_length) is int
    json.dumps(tok.get_config())


@pytest.mark.parametrize(
    "layout",
    [
        {"oov_token": ""},
        {"pad_token": "[UNK]"},
        {"start_token": "[S]", "index_from": 1},
        {"max_tokens": 1},
        {"index_from": 5, "max_tokens": 5},
        {"vocab_order": "random"},
    ],
)
def test_tokenizer_options_are_checked_by_the_core_as_fit_checks_them(layout):
    with pytest.raises(ValueError) as at_init:
        Tokenizer(**layout)
    # Building the vocabulary in the core gives the very same error.
    settings = {
        "max_tokens": None,
        "min_freq": 1,
        "order": "frequency",
        "pad_token": "",
        "oov_token": "[UNK]",
        "start_token": None,
        "index_from": None,
    }
    for key, value in layout.items():
        settings["order" if key == "vocab_order" else key] = value
    pipeline = _native.TextPipeline(None, "whitespace", False, [])
    with pytest.raises(ValueError) as at_build:
        _native.Vocabulary.build(pipeline, ["a b"], _native.VocabConfig(**settings))
    assert str(at_init.value) == str(at_build.value)


def test_valid_layouts_pass_the_core_check():
    Tokenizer(start_token="[S]", index_from=2, max_tokens=3)
    Tokenizer.from_preset("keras_imdb", max_tokens=4)
    Tokenizer(oov_token="", pad_token="<pad>")


def test_training_presets_have_descriptive_names_and_the_old_ones_as_aliases():
    assert preset_names() == [
        "bilstm-learned",
        "bilstm-glove-frozen",
        "flatten-learned",
        "flatten-glove-frozen",
        "attention-learned",
        "lstm-learned",
        "attention-glove-finetune",
        "ngrams-linear",
        "nbsvm-trigrams",
        "fasttext-bigrams",
    ]
    assert set(PRESETS) == set(preset_names()) | set(PRESET_ALIASES)
    for alias, name in PRESET_ALIASES.items():
        assert TrainConfig.preset(alias) == TrainConfig.preset(name)
        assert TrainConfig.preset(alias, epochs=2) == TrainConfig.preset(name, epochs=2)
    assert TrainConfig.preset("seed000") == TrainConfig()
    best = TrainConfig.preset("attention-glove-finetune")
    assert (best.model, best.embeddings) == ("deep_bilstm_attention", "glove-finetune")
    frozen = TrainConfig.preset("bilstm-glove-frozen")
    assert (frozen.model, frozen.embeddings) == ("bilstm", "glove")
    for name in preset_names():
        cfg = TrainConfig.preset(name)
        if cfg.ngrams is not None:  # the n-gram models: model and n-gram kind
            expected = {"ngrams-linear": 2, "nbsvm-trigrams": 3, "fasttext-bigrams": 2}
            assert cfg.ngrams == expected[name]
            continue
        model = {"deep_bilstm_attention": "attention"}.get(cfg.model, cfg.model)
        embeddings = {"glove": "glove-frozen"}.get(cfg.embeddings, cfg.embeddings)
        assert name == f"{model}-{embeddings}"
    with pytest.raises(ValueError, match="Unknown preset.*seed000.*Received: 'seed9'"):
        TrainConfig.preset("seed9")


def test_tokenizer_presets_have_descriptive_names_and_the_old_ones_as_aliases():
    assert tokenizer.SEED_004 is tokenizer.PYTHON_REGEX
    assert tokenizer.PRESETS["seed004"] is tokenizer.PRESETS["python_regex"]
    assert (
        Tokenizer.from_preset("seed004").get_config()
        == Tokenizer.from_preset("python_regex").get_config()
    )
    assert tokenizer.PRESET_ALIASES == {"seed004": "python_regex"}
    expected = "Unknown preset.*python_regex.*Received: 'nope'"
    with pytest.raises(ValueError, match=expected):
        Tokenizer.from_preset("nope")


def test_an_alias_must_name_a_preset():
    with pytest.raises(ValueError, match="must name a preset"):
        _options.with_aliases({"a": 1}, {"b": "c"})
    with pytest.raises(ValueError, match="differ from every preset name"):
        _options.with_aliases({"a": 1, "b": 2}, {"b": "a"})


def test_options_config_and_tokenizer_import_without_keras():
    code = (
        "import sys, imdbfast._options, imdbfast.config, imdbfast.tokenizer\n"
        "imdbfast.config.TrainConfig(model='lstm')\n"
        "assert not {'keras', 'tensorflow', 'jax', 'torch'} & set(sys.modules), "
        "sorted(m for m in sys.modules if m.split('.')[0] in ('keras', 'tensorflow'))\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_check_rate():
    for ok in (0, 0.0, 0.5, np.float32(0.25)):
        _options.check_rate("dropout", ok)
    _options.check_rate("dropout", None, optional=True)
    for bad in (1.0, -0.1, True, "0.1", None, float("nan")):
        with pytest.raises(ValueError, match=r"`dropout` must be a number in \[0, 1\)"):
            _options.check_rate("dropout", bad)
    with pytest.raises(ValueError, match="`dropout` must be a number"):
        TrainConfig(dropout=True)
