"""The :class:`Tokenizer`: raw texts to int32 id arrays, or to bags of
n-grams (multi-hot, counts, tf-idf), in Rust, on all cores.

Its options are those of ``keras.layers.TextVectorization`` and, with the same
values, it gives the same vocabulary and the same output (ASCII-only
lowercasing, ASCII punctuation stripping, ASCII-whitespace splitting, Keras'
tie order, n-grams joined with a space, Keras' idf formula).
"""

# The package's modules: _tokenizer (the class, its options and state),
# _fitting (fit, count, partial_fit), _vocabulary (a given vocabulary, the
# lookups), _encoding (transform), _document (to_dict/from_dict, save/load,
# pickling), _checks (argument checks), _texts (text input, the Python side
# of the pipelines), _presets (from_preset's table).

from __future__ import annotations

# Names that the one-file module held as module attributes (its imports and
# MAX_IDS, FIT_CHUNK), importable from here as before; not part of __all__.
import codecs  # noqa: F401
import collections  # noqa: F401
import functools  # noqa: F401
import itertools  # noqa: F401
import json  # noqa: F401
import operator  # noqa: F401
import os  # noqa: F401
import re  # noqa: F401
import sys  # noqa: F401
import threading  # noqa: F401
import weakref  # noqa: F401
from collections.abc import (  # noqa: F401
    Callable,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from typing import Any  # noqa: F401

import numpy as np  # noqa: F401

from imdbfast._files import LARGE_FILE_BYTES, read_json, read_text  # noqa: F401
from imdbfast._options import (  # noqa: F401
    OUTPUT_MODE_ALIASES,
    OUTPUT_MODES,
    SPLIT_MODES,
    STANDARDIZE,
    KerasValueError,
    check_choice,
    check_int,
    check_num_threads,
    check_side,
    describe_choices,
    get_preset,
    with_aliases,
)
from imdbfast._regex import to_rust  # noqa: F401
from imdbfast.preprocessing import pad_sequences  # noqa: F401
from imdbfast.stopwords import get_stopwords  # noqa: F401
from imdbfast.tokenizer._checks import MAX_IDS  # noqa: F401
from imdbfast.tokenizer._document import FORMAT, FORMAT_VERSION
from imdbfast.tokenizer._fitting import FIT_CHUNK, TokenCounts  # noqa: F401
from imdbfast.tokenizer._presets import (
    KERAS_IMDB,
    KERAS_LEGACY,
    KERAS_LEGACY_FILTERS,
    PRESET_ALIASES,
    PRESETS,
    PYTHON_REGEX,
    SEED_004,
)
from imdbfast.tokenizer._tokenizer import Tokenizer

# Pickles name the class by this module (imdbfast.tokenizer.Tokenizer), as
# they did when the package was one file: they load across this layout.
Tokenizer.__module__ = __name__

__all__ = [
    "Tokenizer",
    "TokenCounts",
    "PYTHON_REGEX",
    "SEED_004",
    "KERAS_LEGACY",
    "KERAS_LEGACY_FILTERS",
    "KERAS_IMDB",
    "PRESETS",
    "PRESET_ALIASES",
    "FORMAT",
    "FORMAT_VERSION",
]
