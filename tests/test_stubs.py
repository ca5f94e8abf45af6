"""Types: the hand-written stub python/imdbfast/_native.pyi must match the
binary (mypy stubtest, every runtime name covered), and the package must pass
mypy with the project's settings (``[tool.mypy]`` in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ALLOWLIST = ROOT / ".mypy-stubtest-allowlist"


def test_native_stub_matches_extension():
    pytest.importorskip("mypy")
    proc = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "imdbfast._native",
         "--allowlist", str(ALLOWLIST)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_package_passes_mypy():
    pytest.importorskip("mypy")
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "python/imdbfast"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
