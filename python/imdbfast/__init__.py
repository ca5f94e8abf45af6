"""imdbfast: from raw movie reviews to a trained Keras sentiment model, fast.

The text work (tokenization, vocabularies, padding, GloVe and archive parsing)
runs in a Rust extension on all cores with the GIL released; on top sit IMDB
and GloVe loaders, Keras 3 model builders and :func:`imdbfast.train`.

Public names are imported lazily, so ``import imdbfast`` stays fast and does not
import TensorFlow until a model is built or trained.
"""

from __future__ import annotations

import importlib
import importlib.metadata
from typing import TYPE_CHECKING, Any

#: The installed distribution's version, from its metadata. maturin writes it
#: from Cargo.toml's ``[workspace.package] version`` (pyproject.toml declares the
#: version dynamic), the one place it is set; ``imdbfast --version`` prints it.
__version__: str = importlib.metadata.version("imdbfast")

# public name -> submodule that defines it
_EXPORTS = {
    "Tokenizer": "imdbfast.tokenizer",
    "TokenCounts": "imdbfast.tokenizer",
    "pad_sequences": "imdbfast.preprocessing",
    "GloVe": "imdbfast.embeddings",
    "load_glove": "imdbfast.embeddings",
    "load_imdb": "imdbfast.datasets",
    "TrainConfig": "imdbfast.config",
    "train": "imdbfast.training",
    "load": "imdbfast.bundle",
    "ensemble": "imdbfast.ensembles",
}

__all__ = ["__version__", *_EXPORTS]

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from imdbfast.bundle import load
    from imdbfast.ensembles import ensemble
    from imdbfast.config import TrainConfig
    from imdbfast.datasets import load_imdb
    from imdbfast.embeddings import GloVe, load_glove
    from imdbfast.preprocessing import pad_sequences
    from imdbfast.tokenizer import TokenCounts, Tokenizer
    from imdbfast.training import train


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'imdbfast' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
