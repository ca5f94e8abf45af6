"""The tree's layout rules (tools/check_layout.py, ARCHITECTURE.md): no import cycle in the
package, deferred imports included; no module over 800 lines, no class over 600; no Rust file
over 700 lines outside its tests; no private name read across modules."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location(
    "check_layout", ROOT / "tools" / "check_layout.py"
)
assert _spec is not None and _spec.loader is not None
check_layout = importlib.util.module_from_spec(_spec)
sys.modules["check_layout"] = check_layout
_spec.loader.exec_module(check_layout)

FINDINGS = check_layout.findings(ROOT)


@pytest.mark.parametrize("rule", sorted(FINDINGS))
def test_layout_rule_holds(rule: str) -> None:
    assert FINDINGS[rule] == [], f"{rule}:\n" + "\n".join(FINDINGS[rule])


def test_checker_sees_a_cycle_and_a_private_import(tmp_path: Path) -> None:
    """The checker itself: a deferred import cycle and a private import are found, an import
    under TYPE_CHECKING is not a cycle."""
    package = tmp_path / "python" / "imdbfast"
    package.mkdir(parents=True)
    (tmp_path / "rust").mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text(
        "def f():\n    from imdbfast.b import _g\n    return _g\n"
    )
    (package / "b.py").write_text("from imdbfast import a\n\ndef _g():\n    return a\n")
    (package / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from imdbfast import d\n"
    )
    (package / "d.py").write_text("from imdbfast import c\n")
    found = check_layout.findings(tmp_path)
    assert found["import cycles"] == ["imdbfast.a <-> imdbfast.b"]
    assert found["private names across modules"] == [
        "imdbfast.a:2: imports _g from imdbfast.b"
    ]
