"""Shared fixtures: paths, copies of fixture data, the op-ed's text, and a real Chromium driven by Playwright.

What a clone does not carry (Chromium, the op-ed's text, npm, git) is looked for here; a test that needs what is
missing skips with one reason per group, saying how to provide it. With KZ_TIMELINE_STRICT=1 (CI) such a skip fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = REPO_ROOT / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
#: Set to 1, every test that would skip for want of a browser, the op-ed's text or a tool fails instead.
STRICT_VARIABLE = "KZ_TIMELINE_STRICT"
#: The op-ed's exact text is not redistributed with the package: this variable names its file, else ../shared has it.
ARTICLE_VARIABLE = "KZ_TIMELINE_ARTICLE"
SHARED_ARTICLE = REPO_ROOT.parent / "shared" / "article.txt"
ARTICLE_SHA256 = "644f334f971742dd4b076914907bf2e4c058d0607688a79dbd70e732ed73e59a"
ARTICLE_MISSING = (
    f"needs the op-ed's text: set {ARTICLE_VARIABLE} to its file, or put it at ../shared/article.txt beside the checkout"
)
#: A Chromium to drive: this variable names its executable (empty: none), else Debian's, else Playwright's own.
CHROMIUM_VARIABLE = "KZ_TIMELINE_CHROMIUM"
DEBIAN_CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_MISSING = (
    "needs Chromium: apt-get install chromium, or `playwright install chromium`, "
    f"or set {CHROMIUM_VARIABLE} to a Chromium executable"
)
NPM_MISSING = "needs npm to fetch TimelineJS once: apt-get install npm"
GIT_MISSING = "needs git and a git checkout of kz-timeline, to clone it"
#: Every reason a test may skip for, one per group of tests; nothing else skips.
GROUPS = (ARTICLE_MISSING, CHROMIUM_MISSING, NPM_MISSING, GIT_MISSING)
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


@pytest.fixture(autouse=True)
def _background_threads_end_with_their_test() -> Iterator[None]:
    """Wait for a Datasette started in a test to finish warming its charts, and for tables stored in the background:
    else the thread, still loading or writing, writes into the next test's output or cache."""
    yield
    from kz_timeline.dataset.validated_cache import STORE_THREAD_NAME
    from kz_timeline.site.plugins.kz_timeline_site import WARM_THREAD_NAME

    for thread in threading.enumerate():
        if thread.name == WARM_THREAD_NAME:
            thread.join(timeout=300)
    for thread in threading.enumerate():
        if thread.name == STORE_THREAD_NAME:
            thread.join(timeout=300)


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


T = TypeVar("T")


def strict(environ: Mapping[str, str] = os.environ) -> bool:
    """Say whether a missing prerequisite fails the test rather than skipping it (KZ_TIMELINE_STRICT=1, as in CI)."""
    return environ.get(STRICT_VARIABLE, "") not in ("", "0")


def missing(reason: str) -> NoReturn:
    """Skip the test for want of something a clone does not carry; fail instead under KZ_TIMELINE_STRICT=1."""
    assert reason in GROUPS, f"{reason!r} is not one of the groups of tests that may skip"
    if strict():
        pytest.fail(f"{reason} ({STRICT_VARIABLE}=1: nothing may be skipped)")
    pytest.skip(reason)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[pytest.TestReport]:
    """Report every skip of one group at one place, so that pytest's summary folds it into one line with a count."""
    report: pytest.TestReport = yield
    if report.skipped and isinstance(report.longrepr, tuple):
        reason = report.longrepr[2].removeprefix("Skipped: ")
        if reason in GROUPS:
            report.longrepr = (__file__, missing.__code__.co_firstlineno, reason)
    return report


def require(found: T | None, reason: str) -> T:
    """Return `found`, or skip (strict: fail) with `reason` when it is None."""
    if found is None:
        missing(reason)
    return found


def find_article(environ: Mapping[str, str] = os.environ, shared: Path = SHARED_ARTICLE) -> Path | None:
    """Return the op-ed's text file: KZ_TIMELINE_ARTICLE when set (empty: none), else ../shared/article.txt, if there."""
    named = environ.get(ARTICLE_VARIABLE)
    path = shared if named is None else Path(named) if named else None
    return path if path is not None and path.is_file() else None


def find_chromium(
    environ: Mapping[str, str] = os.environ, debian: Path = DEBIAN_CHROMIUM, playwrights: Callable[[], str] | None = None
) -> Path | None:
    """Return a Chromium executable: KZ_TIMELINE_CHROMIUM when set (empty: none), else Debian's, else Playwright's own."""
    named = environ.get(CHROMIUM_VARIABLE)
    if named is not None:
        return Path(named) if named and Path(named).is_file() else None
    if debian.is_file():
        return debian
    own = Path(playwrights()) if playwrights is not None else None
    return own if own is not None and own.is_file() else None


@pytest.fixture(scope="session")
def article() -> Path:
    """Return the op-ed's text file; skip (strict: fail) when it is missing."""
    return require(find_article(), ARTICLE_MISSING)


@pytest.fixture(scope="session")
def git_checkout() -> Path:
    """Return the repository's root when git is installed and the root is a git checkout; skip (strict: fail) if not."""
    git = shutil.which("git")
    inside = git is not None and subprocess.run([git, "-C", str(REPO_ROOT), "rev-parse"], capture_output=True).returncode == 0
    return require(REPO_ROOT if inside else None, GIT_MISSING)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Launch Chromium through Playwright, once per test module; skip (strict: fail) when there is none.

    Module scope on purpose: Playwright's sync API keeps an event loop running while it is open, which would break
    asyncio-based tests (Datasette's client) in other modules.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        executable = require(find_chromium(playwrights=lambda: playwright.chromium.executable_path), CHROMIUM_MISSING)
        launched = playwright.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()
