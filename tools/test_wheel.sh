#!/usr/bin/env bash
# Test a built wheel without TensorFlow or Keras, as `pip install imdbfast` installs it:
#
#   bash tools/test_wheel.sh PYTHON WHEEL_DIR [VENV_DIR]
#
# makes a fresh virtual environment with PYTHON (default VENV_DIR: .venv-wheel), installs
# the imdbfast wheel from WHEEL_DIR that fits that interpreter (never one from the
# package index) with its dependencies and the test tools, checks that neither
# TensorFlow nor Keras is importable, then runs the test files listed in
# tests/without_tensorflow.txt against the installed wheel. Used by .ci/run and by
# each wheel of .github/workflows/release.yml (Linux, macOS, Windows, Alpine).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${1:?usage: bash tools/test_wheel.sh PYTHON WHEEL_DIR [VENV_DIR]}
WHEELS=${2:?usage: bash tools/test_wheel.sh PYTHON WHEEL_DIR [VENV_DIR]}
VENV=${3:-.venv-wheel}

rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
if [ -x "$VENV/Scripts/python.exe" ]; then PY="$VENV/Scripts/python.exe"; else PY="$VENV/bin/python"; fi
"$PY" -m pip install --quiet --upgrade pip
# The wheel from WHEEL_DIR only, then its dependencies and the test tools from the index.
"$PY" -m pip install --quiet --no-index --find-links "$WHEELS" --no-deps imdbfast
"$PY" -m pip install --quiet --find-links "$WHEELS" imdbfast pytest hypothesis pytest-benchmark
"$PY" -c 'import importlib.util as u, sys; sys.exit(any(u.find_spec(m) for m in ("tensorflow", "keras")))'
"$PY" -c 'import imdbfast, imdbfast._native as n; print("imdbfast", imdbfast.__version__, "from", n.__file__)'
# (no mapfile: macOS ships bash 3.2; tr: a Windows checkout may end lines with CRLF)
TESTS=$(grep -v '^#' tests/without_tensorflow.txt | tr -d '\r')
# shellcheck disable=SC2086
"$PY" -m pytest -q -p no:cacheprovider $TESTS
