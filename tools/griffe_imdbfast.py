"""A griffe extension that reads imdbfast's source as its authors wrote it.

Loaded by mkdocstrings (mkdocs.yml) and by tools/check_api_docs.py:

* ``#:`` comments right above a module or class attribute are its docstring (the
  Sphinx convention the package uses for constants, e.g. ``imdbfast.dask.SPLIT_EVERY``);
* ``__all__ = ["__version__", *_EXPORTS]``, where ``_EXPORTS`` is a dict literal of
  the same module (``imdbfast/__init__.py``'s lazy exports), lists the dict's keys.
"""

from __future__ import annotations

import ast
from typing import Any

import griffe


class ImdbfastSource(griffe.Extension):
    """``#:`` doc comments and ``*DICT`` in ``__all__``, for griffe's static analysis."""

    def on_attribute_instance(self, *, node: Any, attr: griffe.Attribute,
                              agent: Any, **kwargs: Any) -> None:
        """Give an attribute without a docstring the ``#:`` comment lines above it."""
        if attr.docstring is not None or not isinstance(node, ast.stmt):
            return
        lines = agent.code.splitlines()
        comment: list[str] = []
        index = node.lineno - 2  # the line above, 0-based
        while index >= 0 and lines[index].strip().startswith("#:"):
            comment.insert(0, lines[index].strip()[2:].removeprefix(" "))
            index -= 1
        if comment:
            attr.docstring = griffe.Docstring(
                "\n".join(comment), lineno=index + 2, endlineno=node.lineno - 1,
                parent=attr,
            )

    def on_module_members(self, *, node: Any, mod: griffe.Module, agent: Any,
                          **kwargs: Any) -> None:
        """Expand ``*NAME`` in ``__all__`` where NAME is a dict literal of the module."""
        if not isinstance(node, ast.Module) or not mod.exports:
            return
        dicts: dict[str, list[str]] = {}
        for statement in node.body:
            if (isinstance(statement, ast.Assign) and len(statement.targets) == 1
                    and isinstance(statement.targets[0], ast.Name)
                    and isinstance(statement.value, ast.Dict)):
                keys = [k.value for k in statement.value.keys
                        if isinstance(k, ast.Constant) and isinstance(k.value, str)]
                dicts[statement.targets[0].id] = keys
        exports: list[Any] = []
        for export in mod.exports:
            name = export if isinstance(export, str) else getattr(export, "name", None)
            if not isinstance(export, str) and name in dicts:
                exports.extend(dicts[name])
            else:
                exports.append(export)
        mod.exports = exports
