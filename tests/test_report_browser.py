"""A study's report.html in a real headless browser (Chromium, driven by Selenium).

The page must load from a file:// URL with no console errors, show the summary
table with every cell, and decode every embedded image. Chromium and
chromium-driver come from Debian's packages (``.ci/run`` installs them); without
them the test is skipped, except in CI (``$CI`` set), where that is a failure.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# Models and training: skipped without a Keras backend (pip install imdbfast[tensorflow]).
pytest.importorskip("keras")

from train_helpers import TINY_TRAIN, tiny_imdb, write_glove

pytestmark = pytest.mark.slow


def _require_browser() -> tuple[str, str]:
    """Paths of the Chromium binary and chromedriver (skip or fail without them)."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing = "the selenium package"
    else:
        missing = ", ".join(name for name, path in (("chromium", browser),
                                                    ("chromedriver", driver)) if not path)
    if missing:
        message = f"{missing} not found (apt-get install chromium chromium-driver)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    assert browser and driver
    return browser, driver


@pytest.fixture
def chromium():
    browser, driver_path = _require_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", "--window-size=1280,2000",
                     "--disable-extensions", "--no-first-run"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """A finished tiny study (2 training-set sizes x 2 embeddings, 1 seed, 2 epochs)."""
    from imdbfast.experiments import Study, run_study

    glove = write_glove(tmp_path_factory.mktemp("glove") / "glove.txt")
    # Two epochs: a learning curve of one epoch is not drawn.
    base = {k: v for k, v in TINY_TRAIN.items() if k != "verbose"} | {"epochs": 2}
    study = Study(
        "browser",
        {"train_size": [60, "all"], "embeddings": ["learned", "glove"]},
        base=base,
        description="Report <check> & escaping",
        references=[{"where": {"train_size": "all", "embeddings": "learned"},
                     "value": 0.75, "label": "a published figure"}],
    )
    results = run_study(
        study, tmp_path_factory.mktemp("studies"), progress=False, quiet=True,
        log=lambda line: None,
        overrides={"data_source": str(tiny_imdb(tmp_path_factory)),
                   "glove_source": str(glove)},
    )
    assert results.complete
    return results


def test_report_loads_cleanly_with_every_cell_and_every_image(chromium, report, tmp_path):
    from selenium.webdriver.common.by import By

    page = report.directory / "report.html"
    chromium.get(page.resolve().as_uri())
    assert chromium.title == "imdbfast study browser"
    assert "Report <check> & escaping" in chromium.find_element(By.TAG_NAME, "body").text

    rows = chromium.find_elements(By.CSS_SELECTOR, "#summary tbody tr")
    assert len(rows) == len(report.cells) == 4
    shown = [[td.text for td in row.find_elements(By.TAG_NAME, "td")] for row in rows]
    assert [row[:2] for row in shown] == [["60", "learned"], ["60", "glove"],
                                          ["all", "learned"], ["all", "glove"]]
    for row, cell_row in zip(shown, report.summary()):
        assert row[2] == f"{cell_row['accuracy_mean']:.4f}"
    assert shown[2][4] == "0.750" and "a published figure" in shown[2]
    assert len(chromium.find_elements(By.CSS_SELECTOR, "#runs tbody tr")) == 4

    images = chromium.execute_script(
        "return Array.from(document.images).map("
        "i => [i.complete, i.naturalWidth, i.naturalHeight, i.src.slice(0, 22)]);")
    plots = list((report.directory / "plots").glob("*.png"))
    assert len(images) == len(plots) == 2 + 4  # size plot, bar chart, 4 curves
    for complete, width, height, source in images:
        assert complete and width > 0 and height > 0
        assert source == "data:image/png;base64,"

    errors = [entry for entry in chromium.get_log("browser")
              if entry["level"] in ("SEVERE", "ERROR")]
    assert errors == []

    screenshot = tmp_path / "report.png"
    assert chromium.save_screenshot(os.fspath(screenshot))
    assert Path(screenshot).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
