import re
from pathlib import Path

import imdbfast
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _toml(name: str) -> dict:
    """A TOML file at the repository root, parsed."""
    import pytest

    tomllib = pytest.importorskip("tomllib")
    return tomllib.loads((ROOT / name).read_text("utf-8"))


def test_version_matches_native_module():
    from imdbfast import _native

    assert imdbfast.__version__ == _native.__version__
    assert imdbfast.__version__.count(".") == 2


def test_version_is_the_installed_metadata_set_once_in_cargo_toml():
    """One version: Cargo.toml's workspace version, which maturin writes into the
    metadata (pyproject.toml declares it dynamic), is what imdbfast reports."""
    import importlib.metadata

    assert imdbfast.__version__ == importlib.metadata.version("imdbfast")
    cargo = _toml("Cargo.toml")
    assert cargo["package"]["version"] == {"workspace": True}
    assert imdbfast.__version__ == cargo["workspace"]["package"]["version"]
    project = _toml("pyproject.toml")["project"]
    assert "version" not in project and project["dynamic"] == ["version"]
    core = (ROOT / "rust" / "core" / "Cargo.toml").read_text("utf-8")
    assert re.search(r"^version\.workspace = true$", core, re.MULTILINE)


def test_changelog_names_the_version():
    """The newest released entry of CHANGELOG.md is the package's version."""
    changelog = (ROOT / "CHANGELOG.md").read_text("utf-8")
    released = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$",
                          changelog, re.MULTILINE)
    assert released and released[0] == imdbfast.__version__, released


def test_version_option_prints_the_metadata_version():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "imdbfast", "--version"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"imdbfast {imdbfast.__version__}\n"


def test_unknown_attribute_raises_attribute_error():
    import pytest

    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        imdbfast.nope  # noqa: B018


# Run in a fresh interpreter; sys.modules[name] = None makes `import name` fail
# as if the package were not installed.
NO_KERAS = "import sys\nsys.modules['keras'] = None\n"


def _python(code: str):
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )


def test_text_modules_import_neither_keras_nor_tensorflow():
    """pip install imdbfast (no extras): tokenizer, padding, GloVe, datasets."""
    done = _python(
        "import sys\n"
        "import imdbfast\n"
        "from imdbfast import Tokenizer, pad_sequences, load_glove, load_imdb\n"
        "import imdbfast.interop, imdbfast.config, imdbfast.cli\n"
        "ids = Tokenizer(output_sequence_length=3).fit(['a b']).transform(['b a c'])\n"
        "assert ids.tolist() == [[2, 3, 1]], ids\n"
        "heavy = ('keras', 'tensorflow', 'jax', 'torch', 'matplotlib', 'scipy', 'sklearn')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_train_without_keras_names_the_extras():
    done = _python(
        NO_KERAS
        + "import imdbfast\n"
        "from imdbfast.errors import MissingExtraError, UserError\n"
        "try:\n"
        "    imdbfast.train(epochs=1)\n"
        "except MissingExtraError as err:\n"
        "    assert isinstance(err, (UserError, ImportError)), type(err).__mro__\n"
        "    print(err)\n"
    )
    assert done.returncode == 0, done.stderr
    assert "imdbfast.train needs Keras 3 with a backend" in done.stdout
    assert "pip install 'imdbfast[tensorflow]'" in done.stdout


def test_train_command_without_keras_is_one_error_line():
    done = _python(
        NO_KERAS
        + "from imdbfast.cli import main\n"
        "sys.exit(main(['train', '--epochs', '1']))\n"
    )
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("imdbfast: error: "), done.stderr
    assert "'imdbfast[tensorflow]'" in lines[0]


def _extras() -> dict[str, list[str]]:
    """The optional dependencies that pyproject.toml declares."""
    return _toml("pyproject.toml")["project"]["optional-dependencies"]


def test_the_test_extra_spells_out_the_tensorflow_extra():
    extras = _extras()
    assert set(extras["tensorflow"]) <= set(extras["test"])
    keras = [r for r in extras["tensorflow"] if r.startswith("keras")]
    assert all(keras[0] in extras[backend] for backend in ("jax", "torch"))


def test_the_test_extra_spells_out_the_dask_extra():
    """CI installs .[test] only: the imdbfast.dask tests need the dask extra."""
    extras = _extras()
    assert set(extras["dask"]) <= set(extras["test"])


# TensorFlow's C++ log lines ("I0000 00:00:... cudart_stub.cc:31] Could not
# find cuda drivers", "E0000 ... failed call to cuInit") and absl's notice.
_NATIVE_LINE = r"^[IWEF]\d{4} |absl::InitializeLog|cuda|cuInit|oneDNN|TensorFlow binary"


def _python_env(code: str, **env: str):
    import os
    import subprocess
    import sys

    environ = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    environ.update(env)
    return subprocess.run([sys.executable, "-c", code], capture_output=True,
                          text=True, timeout=180, env=environ, check=False)


def test_the_python_api_holds_back_tensorflow_start_up_lines():
    """import imdbfast.models and building a model print nothing on stderr
    (as the command line), unless the user set TF_CPP_MIN_LOG_LEVEL."""
    import re

    pytest.importorskip("tensorflow")  # the lines held back are TensorFlow's

    code = (
        "import os\n"
        "import imdbfast, imdbfast.models\n"
        "model = imdbfast.models.build_model(imdbfast.TrainConfig(), 50)\n"
        "print(os.environ['TF_CPP_MIN_LOG_LEVEL'], model.count_params() > 0)\n"
    )
    quiet = _python_env(code)
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stdout.split() == ["3", "True"]
    assert not re.findall(_NATIVE_LINE, quiet.stderr, re.MULTILINE), quiet.stderr
    # The user's own setting is kept, and nothing is held back then.
    chosen = _python_env(code, TF_CPP_MIN_LOG_LEVEL="0")
    assert chosen.returncode == 0, chosen.stderr
    assert chosen.stdout.split() == ["0", "True"]
    # Without Keras the import is the one-line error naming the extras.
    missing = _python_env(NO_KERAS + "import imdbfast.models\n")
    assert missing.returncode == 1
    assert "MissingExtraError: imdbfast.models needs Keras 3" in missing.stderr


def test_the_test_extra_spells_out_the_sklearn_extra():
    extras = _extras()
    assert set(extras["sklearn"]) <= set(extras["test"])


@pytest.mark.parametrize(
    ("module", "missing", "extra"),
    [("imdbfast.sklearn", "sklearn", "sklearn"), ("imdbfast.dask", "dask", "dask")],
)
def test_modules_of_an_extra_name_it_when_it_is_missing(module, missing, extra):
    done = _python(
        f"import sys\nsys.modules[{missing!r}] = None\n"
        "from imdbfast.errors import MissingExtraError\n"
        "try:\n"
        f"    import {module}\n"
        "except MissingExtraError as err:\n"
        "    print(err)\n"
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1, done.stdout
    assert f"{module} needs" in lines[0]
    assert f"pip install 'imdbfast[{extra}]'" in lines[0]


def test_train_without_matplotlib_stops_before_the_first_epoch(tmp_path):
    """pip install imdbfast tensorflow (no matplotlib): the plots are drawn
    after the last epoch, so train() checks for matplotlib first."""
    pytest.importorskip("keras")
    done = _python_env(
        "import sys\nsys.modules['matplotlib'] = None\n"
        "import keras, imdbfast\n"
        "from imdbfast.errors import MissingExtraError\n"
        "def fit(*args, **kwargs):\n"
        "    raise AssertionError('fit was reached')\n"
        "keras.Model.fit = fit\n"
        "try:\n"
        f"    imdbfast.train(epochs=1, output_dir={str(tmp_path)!r})\n"
        "except MissingExtraError as err:\n"
        "    print(err)\n"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("imdbfast.train needs matplotlib")
    assert "pip install 'imdbfast[tensorflow]'" in done.stdout
    assert list(tmp_path.iterdir()) == []
