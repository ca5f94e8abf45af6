"""Check that the API reference covers every public name, each with a docstring.

    python tools/check_api_docs.py site/objects.inv

Run after ``mkdocs build --strict`` (.ci/run does, in the docs environment). For
each module of MODULES, reads its ``__all__`` statically with griffe (as
mkdocstrings does, so neither Keras nor TensorFlow need be installed) and fails
when a public name has no docstring, or when the built site's inventory
(``objects.inv``, written by mkdocstrings) has no entry for it: a page of
docs/reference/ that lost the module, or a filter that hides the name.
"""

from __future__ import annotations

import sys
from pathlib import Path

import griffe
from mkdocstrings import Inventory

#: The modules whose public names the reference documents (docs/reference/).
MODULES = (
    "imdbfast",
    "imdbfast.tokenizer",
    "imdbfast.sklearn",
    "imdbfast.dask",
    "imdbfast.models",
    "imdbfast.experiments",
)

ROOT = Path(__file__).resolve().parents[1]


def problems(inventory: set[str]) -> list[str]:
    """What is missing: one line per public name without a docstring or a reference."""
    package = griffe.load(
        "imdbfast", search_paths=[str(ROOT / "python")], resolve_aliases=True,
        resolve_external=False,
        extensions=griffe.load_extensions(
            str(ROOT / "tools" / "griffe_imdbfast.py") + ":ImdbfastSource"),
    )
    found = []
    for name in MODULES:
        module = package if name == "imdbfast" else package[name.removeprefix("imdbfast.")]
        exports = module.exports
        if not exports:
            found.append(f"{name}: no __all__")
            continue
        for export in sorted(str(e) for e in exports):
            if export == "__version__":
                continue  # a string: documented in the module's page, not an object
            qualified = f"{name}.{export}"
            try:
                member = module[export]
                docstring = member.docstring
            except (KeyError, griffe.AliasResolutionError) as error:
                found.append(f"{qualified}: cannot be resolved ({error})")
                continue
            if docstring is None or not docstring.value.strip():
                found.append(f"{qualified}: no docstring")
            if qualified not in inventory:
                found.append(f"{qualified}: not in the API reference")
    return found


def main(argv: list[str]) -> int:
    """Check the inventory named in ``argv``; the exit status."""
    if len(argv) != 1:
        print("usage: python tools/check_api_docs.py site/objects.inv", file=sys.stderr)
        return 2
    with open(argv[0], "rb") as file:
        inventory = set(Inventory.parse_sphinx(file))
    missing = problems(inventory)
    for line in missing:
        print(f"check_api_docs: {line}", file=sys.stderr)
    if missing:
        return 1
    print(f"check_api_docs: every public name of {len(MODULES)} modules is documented "
          f"({len(inventory)} inventory entries)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
