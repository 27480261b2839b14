"""Shared fixtures: paths, copies of fixture data, and a real Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = REPO_ROOT / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
#: The op-ed's exact text lives beside the checkout, in ../shared (it is not redistributed with the package).
ARTICLE = REPO_ROOT.parent / "shared" / "article.txt"
ARTICLE_SHA256 = "644f334f971742dd4b076914907bf2e4c058d0607688a79dbd70e732ed73e59a"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


#: The fixture that launches Chromium; every test that uses it, directly or through another fixture, is marked browser.
BROWSER_FIXTURE = "browser"


def browser_tests_without_the_marker(items: list[pytest.Item]) -> list[str]:
    """Return the ids of the tests that use the browser fixture but are not marked `browser`."""
    return [
        item.nodeid
        for item in items
        if BROWSER_FIXTURE in getattr(item, "fixturenames", ()) and item.get_closest_marker("browser") is None
    ]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Stop the run when a test drives Chromium without the `browser` marker: `-m "not browser"` would still run it."""
    unmarked = browser_tests_without_the_marker(items)
    if unmarked:
        raise pytest.UsageError("mark these tests @pytest.mark.browser (they use the browser fixture):\n" + "\n".join(unmarked))


def pytest_configure(config: pytest.Config) -> None:
    """Keep the cache of validated tables out of the tests (and out of ~/.cache); test_validated_cache turns it on."""
    os.environ["KZ_TIMELINE_NO_CACHE"] = "1"


@pytest.fixture
def minimal_dir(tmp_path: Path) -> Path:
    """Return a writable copy of the smallest valid dataset (tests/fixtures/minimal), article included."""
    target = tmp_path / "minimal"
    shutil.copytree(FIXTURES / "minimal", target)
    return target


@pytest.fixture
def shipped_dir(tmp_path: Path) -> Path:
    """Return a writable copy of the shipped data."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


@pytest.fixture(scope="session")
def article() -> Path:
    """Return the op-ed's text file; fail (never skip) when it is missing."""
    if not ARTICLE.is_file():
        pytest.fail(f"{ARTICLE} is missing: the tests need ../shared/article.txt beside the checkout")
    return ARTICLE


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Launch Debian's Chromium through Playwright, once per test module; fail (never skip) when it is missing.

    Module scope on purpose: Playwright's sync API keeps an event loop running while it is open, which would break
    asyncio-based tests (Datasette's client) in other modules.
    """
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium); .ci/run does")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()
