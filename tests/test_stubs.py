"""The hand-written stub python/imdbfast/_native.pyi must match the binary."""

from __future__ import annotations

import subprocess
import sys

import pytest


def test_native_stub_matches_extension():
    pytest.importorskip("mypy")
    proc = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "imdbfast._native", "--ignore-missing-stub"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
