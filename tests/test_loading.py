"""``imdbfast.load`` (``imdbfast._loading``): the public names and the layering.

Loading itself (a run, an ensemble, the errors) is tested with the bundles
(tests/test_bundle.py) and ensembles (tests/test_ngram_models.py,
tests/test_silent_errors.py).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytest.importorskip("keras")


def test_load_is_one_function_under_each_public_name():
    import imdbfast
    from imdbfast import _loading, bundle

    assert imdbfast.load is bundle.load is _loading.load


_IMPORTS = """
import json, sys
import imdbfast.ensembles
ensembles = sorted(m for m in sys.modules if m.startswith("imdbfast."))
import imdbfast.bundle
print(json.dumps([ensembles, sorted(m for m in sys.modules if m.startswith("imdbfast."))]))
"""


def test_ensembles_build_on_the_run_module_and_neither_imports_batching():
    """ensembles.py builds on _bundle.py, never on bundle.py (which re-exports
    _loading's load, which imports ensembles); the loaders take TensorFlow's
    settings from imdbfast.runtime, so importing them leaves batching out."""
    out = subprocess.run([sys.executable, "-c", _IMPORTS], capture_output=True,
                         text=True, timeout=120, check=True)
    ensembles, everything = json.loads(out.stdout.strip().splitlines()[-1])
    assert "imdbfast.bundle" not in ensembles and "imdbfast._loading" not in ensembles
    assert "imdbfast._bundle" in ensembles
    assert "imdbfast.batching" not in everything
