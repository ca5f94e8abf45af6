"""The guides' code examples (docs/*.md) run, page by page; so do the docstring
examples of the documented modules, except those listed with a reason.

Each page's ```python blocks run in order in one namespace (so a block may use
names an earlier block of the page defined), in a fresh directory that holds the
files the guides name: ``aclImdb_v1.tar.gz`` and ``glove.6B.50d.txt.gz`` (links
to the real test data), ``reviews.txt`` (one review per line) and
``reviews.parquet`` (a ``text`` column). A block right after a line
``<!-- docs-test: skip REASON -->`` does not run (it downloads, trains or needs a
cluster); the reason is required. The site itself is built by .ci/run (mkdocs
build --strict, then tools/check_api_docs.py).
"""

from __future__ import annotations

import doctest
import importlib
import inspect
import io
import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
SKIP = re.compile(r"<!-- docs-test: skip (?P<reason>\S.*?) -->")
BLOCK = re.compile(r"^```(?P<lang>\w*)\n(?P<code>.*?)^```$", re.MULTILINE | re.DOTALL)


def _blocks(page: Path) -> list[tuple[int, str, str | None]]:
    """The page's python blocks: (line, code, skip reason or None)."""
    text = page.read_text("utf-8")
    found = []
    for match in BLOCK.finditer(text):
        if match.group("lang") != "python":
            continue
        before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        skip = SKIP.fullmatch(before.strip())
        if "docs-test" in before and skip is None:
            raise AssertionError(f"{page.name}: a docs-test marker without a reason: {before}")
        line = text.count("\n", 0, match.start()) + 1
        found.append((line, match.group("code"), skip.group("reason") if skip else None))
    return found


# The pages with at least one block that runs.
PAGES = sorted(p for p in DOCS.glob("*.md")
               if any(reason is None for _, _, reason in _blocks(p)))


def test_every_guide_with_examples_is_collected():
    names = {p.name for p in PAGES}
    assert {"tokenizer.md", "data.md", "scale-out.md"} <= names, names
    runnable = sum(1 for p in PAGES for _, _, reason in _blocks(p) if reason is None)
    assert runnable >= 5, runnable
    skipped = {p.name for p in DOCS.glob("*.md") for _, _, r in _blocks(p) if r}
    assert {"training.md", "studies.md", "scale-out.md", "data.md"} <= skipped, skipped


def test_a_marker_without_a_reason_is_refused(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("<!-- docs-test: skip -->\n```python\nprint(1)\n```\n", "utf-8")
    with pytest.raises(AssertionError, match="without a reason"):
        _blocks(page)


@pytest.fixture
def workdir(tmp_path, monkeypatch, imdb_tar, glove_50d_gz):
    import imdbfast

    (tmp_path / "aclImdb_v1.tar.gz").symlink_to(imdb_tar)
    (tmp_path / "glove.6B.50d.txt.gz").symlink_to(glove_50d_gz)
    texts = [t.replace("\n", " ") for t in imdbfast.load_imdb(imdb_tar, train_size=500).train.texts]
    (tmp_path / "reviews.txt").write_text("\n".join(texts) + "\n", "utf-8")
    pytest.importorskip("pyarrow")
    import pyarrow
    import pyarrow.parquet

    pyarrow.parquet.write_table(pyarrow.table({"text": texts}), tmp_path / "reviews.parquet")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_guide_examples_run(page, workdir):
    namespace: dict[str, object] = {"__name__": f"docs.{page.stem}"}
    for line, code, reason in _blocks(page):
        if reason is not None:
            continue
        try:
            exec(compile(code, f"{page}:{line}", "exec"), namespace)  # noqa: S102
        except Exception as error:
            raise AssertionError(f"{page.name}, the block at line {line} failed: "
                                 f"{type(error).__name__}: {error}") from error


# --- docstring examples -------------------------------------------------------

#: The modules the API reference documents (tools/check_api_docs.py's MODULES).
DOCUMENTED = ("imdbfast", "imdbfast.tokenizer", "imdbfast.sklearn", "imdbfast.dask",
              "imdbfast.models", "imdbfast.experiments")

#: Docstring examples that do not run here, and why. Any other ``>>>`` example in
#: a documented module's public names runs (doctest), so a new one either runs or
#: is listed here.
NOT_RUN = {
    "imdbfast.experiments": "runs a study: trains two models per seed",
    "imdbfast.training.train": "trains on the IMDB archive",
    "imdbfast.models.bag_of_ngrams.BagOfNgramsClassifier": "needs a corpus "
    "(texts, labels) and trains",
}


def _docstring_examples() -> dict[str, doctest.DocTest]:
    """The doctests of the documented modules and their public names, by the
    defining object's qualified name (a name exported twice is found once)."""
    finder = doctest.DocTestFinder(exclude_empty=True)
    found = {}
    for name in DOCUMENTED:
        module = importlib.import_module(name)
        objects = [module, *(getattr(module, n) for n in module.__all__)]
        for obj in objects:
            if inspect.ismodule(obj):
                qualified = obj.__name__
            elif inspect.isclass(obj) or inspect.isroutine(obj):
                qualified = f"{obj.__module__}.{obj.__qualname__}"
            else:
                continue  # constants: int.__doc__'s examples are not ours
            tests = finder.find(obj, qualified, module=False, globs=vars(
                importlib.import_module(getattr(obj, "__module__", None) or obj.__name__)))
            for test in tests:
                if test.examples and (test.name == qualified or not inspect.ismodule(obj)):
                    found[test.name] = test
    return found


def test_docstring_examples_run_or_say_why_not():
    examples = _docstring_examples()
    assert set(NOT_RUN) <= set(examples), set(NOT_RUN) - set(examples)
    ran = []
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for name, test in sorted(examples.items()):
        if name in NOT_RUN:
            continue
        out = io.StringIO()
        result = runner.run(test, out=out.write, clear_globs=True)
        assert result.failed == 0, out.getvalue()
        ran.append(name)
    assert "imdbfast.experiments.study.Study" in ran, ran
