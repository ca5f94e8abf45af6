"""Check the tree's layout rules: what ARCHITECTURE.md promises about sizes and imports.

Usage: ``python tools/check_layout.py [REPO_ROOT]`` prints every finding and exits 1 when there
is one. ``tests/test_layout.py`` runs the same checks.

The rules:

- no import cycle among the package's modules; an import inside a function (a deferred import)
  counts, one under ``if TYPE_CHECKING:`` does not (it never runs);
- no Python module over 800 lines and no class over 600;
- no Rust source file over 700 lines before its ``#[cfg(test)]`` module (test files and the
  generated data tables aside);
- no private name (``_name``) imported from another module of the package, and no private
  attribute read through another module's object (``result._split``): what crosses a module
  boundary is public, even inside a private module.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "imdbfast"
MAX_MODULE_LINES = 800
MAX_CLASS_LINES = 600
MAX_RUST_LINES = 700
# Data, not logic: lookup tables written out in full.
RUST_DATA_TABLES = frozenset({"rust/core/src/text/tables.rs"})
# Receivers whose private attributes a module may read: its own instance and class.
OWN_RECEIVERS = frozenset({"self", "cls", "mcs"})


@dataclass(frozen=True)
class Module:
    """One Python module of the package: its dotted name, file and syntax tree."""

    name: str
    path: Path
    tree: ast.Module
    is_package: bool


def load_modules(root: Path) -> dict[str, Module]:
    """Parse every module under ``python/imdbfast``, keyed by dotted name."""
    base = root / "python"
    modules = {}
    for path in sorted((base / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(base).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        name = ".".join(parts)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        modules[name] = Module(name, path, tree, is_package)
    return modules


def _type_checking_nodes(tree: ast.Module) -> set[int]:
    """Ids of the nodes under ``if TYPE_CHECKING:`` blocks (imports that never run)."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = node.test
            name = (
                test.id if isinstance(test, ast.Name) else getattr(test, "attr", None)
            )
            if name == "TYPE_CHECKING":
                for child in node.body:
                    skipped.update(id(sub) for sub in ast.walk(child))
    return skipped


def _resolve(module: Module, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    parts = module.name.split(".")
    if not module.is_package:
        parts = parts[:-1]
    parts = parts[: len(parts) - (node.level - 1)]
    if node.module:
        parts.append(node.module)
    return ".".join(parts)


def imports(
    module: Module, modules: dict[str, Module]
) -> Iterator[tuple[str, str | None, int]]:
    """Yield ``(target module, imported name or None, line)`` for each import of the package."""
    skipped = _type_checking_nodes(module.tree)
    for node in ast.walk(module.tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == PACKAGE:
                    yield alias.name, None, node.lineno
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, node)
            if target.split(".")[0] != PACKAGE:
                continue
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                if submodule in modules or _is_extension(module, submodule):
                    yield submodule, None, node.lineno
                else:
                    yield target, alias.name, node.lineno


def _is_extension(module: Module, name: str) -> bool:
    """Whether ``name`` is a compiled module of the package (``imdbfast._native``)."""
    base = module.path.parents[
        len(module.name.split(".")) - (0 if module.is_package else 1)
    ]
    folder = base.joinpath(*name.split(".")[:-1])
    return (
        any(folder.glob(name.split(".")[-1] + ".*.so"))
        or (folder / (name.split(".")[-1] + ".pyi")).exists()
    )


def import_cycles(modules: dict[str, Module]) -> list[list[str]]:
    """Strongly connected groups of modules that import each other (Tarjan's algorithm)."""
    graph = {
        name: sorted(
            {t for t, _, _ in imports(m, modules) if t in modules and t != name}
        )
        for name, m in modules.items()
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(name: str) -> None:
        index[name] = low[name] = len(index)
        stack.append(name)
        on_stack.add(name)
        for target in graph[name]:
            if target not in index:
                visit(target)
                low[name] = min(low[name], low[target])
            elif target in on_stack:
                low[name] = min(low[name], index[target])
        if low[name] == index[name]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == name:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    sys.setrecursionlimit(10_000)
    for name in graph:
        if name not in index:
            visit(name)
    return sorted(groups)


def oversized_python(modules: dict[str, Module]) -> list[str]:
    """Modules over MAX_MODULE_LINES lines and classes over MAX_CLASS_LINES."""
    found = []
    for module in modules.values():
        lines = len(module.path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_MODULE_LINES:
            found.append(f"{module.name}: {lines} lines (limit {MAX_MODULE_LINES})")
        for node in ast.walk(module.tree):
            if isinstance(node, ast.ClassDef) and node.end_lineno is not None:
                size = node.end_lineno - node.lineno + 1
                if size > MAX_CLASS_LINES:
                    found.append(
                        f"{module.name}.{node.name}: {size} lines (limit {MAX_CLASS_LINES})"
                    )
    return found


def rust_lines_before_tests(path: Path) -> int:
    """Lines of a Rust file before its ``#[cfg(test)]`` module (all of them if it has none)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if line.strip() == "#[cfg(test)]":
            return number
    return len(lines)


def oversized_rust(root: Path) -> list[str]:
    """Rust sources over MAX_RUST_LINES lines outside their tests."""
    found = []
    for path in sorted((root / "rust").rglob("*.rs")):
        relative = path.relative_to(root).as_posix()
        if (
            relative in RUST_DATA_TABLES
            or path.name == "tests.rs"
            or "/tests/" in relative
        ):
            continue
        lines = rust_lines_before_tests(path)
        if lines > MAX_RUST_LINES:
            found.append(
                f"{relative}: {lines} lines before its tests (limit {MAX_RUST_LINES})"
            )
    return found


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def private_reads(modules: dict[str, Module]) -> list[str]:
    """Private names imported from another module, and private attributes read off
    another module's objects (anything but ``self``/``cls``)."""
    found = []
    for module in modules.values():
        for target, name, line in imports(module, modules):
            if name is not None and _is_private(name) and target != module.name:
                found.append(f"{module.name}:{line}: imports {name} from {target}")
        for node in ast.walk(module.tree):
            if not (isinstance(node, ast.Attribute) and _is_private(node.attr)):
                continue
            receiver = node.value
            if isinstance(receiver, ast.Name) and receiver.id in OWN_RECEIVERS:
                continue
            if node.attr in _own_attributes(module) or _is_super(receiver):
                continue
            found.append(
                f"{module.name}:{node.lineno}: reads .{node.attr} of "
                f"{ast.unparse(receiver)}"
            )
    return found


def _is_super(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and getattr(node.func, "id", None) == "super"


def _own_attributes(module: Module) -> set[str]:
    """Private names the module itself defines: methods, class attributes, slots and
    attributes it assigns through ``self`` (another instance of its own class may read them)."""
    names = set()
    for node in ast.walk(module.tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            if isinstance(node.value, ast.Name) and node.value.id in OWN_RECEIVERS:
                names.add(node.attr)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Assign) and any(
            getattr(t, "id", None) == "__slots__" for t in node.targets
        ):
            names.update(
                c.value
                for c in ast.walk(node.value)
                if isinstance(c, ast.Constant) and isinstance(c.value, str)
            )
    return names


def findings(root: Path) -> dict[str, list[str]]:
    """Every rule's findings, keyed by the rule's name (an empty list is a pass)."""
    modules = load_modules(root)
    return {
        "import cycles": [" <-> ".join(group) for group in import_cycles(modules)],
        "oversized Python": oversized_python(modules),
        "oversized Rust": oversized_rust(root),
        "private names across modules": private_reads(modules),
    }


def main(argv: list[str]) -> int:
    root = Path(argv[1] if len(argv) > 1 else Path(__file__).resolve().parent.parent)
    failed = False
    for rule, found in findings(root).items():
        print(f"{rule}: {'ok' if not found else len(found)}")
        for line in found:
            print(f"  {line}")
        failed = failed or bool(found)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
