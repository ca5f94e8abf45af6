"""``keras``, imported quietly: ``from imdbfast._keras import keras``.

The modules that need Keras when they are imported (models, layers, batching,
optimizers) take it from here, so that the first import goes through
:func:`imdbfast.errors.require_keras`: TensorFlow's C++ start-up lines held
back (see :mod:`imdbfast._quiet`), and without Keras one error naming the pip
extras.
"""

from __future__ import annotations

from imdbfast.errors import require_keras

require_keras("imdbfast.models")

import keras  # noqa: E402

__all__ = ["keras"]
