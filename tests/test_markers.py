"""Markers that do their job: a test that drives Chromium without the `browser` marker stops the run at collection."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

CONFTEST = Path(__file__).resolve().parent / "conftest.py"
UNMARKED = """
import pytest

@pytest.fixture
def page(browser):
    return browser

def test_direct(browser):
    pass

def test_through_another_fixture(page):
    pass
"""
MARKED = """
import pytest

pytestmark = pytest.mark.browser

def test_marked_module(browser):
    pass
"""
PLAIN = """
def test_without_a_browser():
    pass
"""


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeconftest(CONFTEST.read_text(encoding="utf-8"))
    pytester.makeini("[pytest]\nmarkers =\n    browser: drives Chromium\n")
    return pytester


def test_a_browser_test_without_the_marker_stops_the_run_naming_it(suite: pytest.Pytester) -> None:
    suite.makepyfile(test_unmarked=UNMARKED, test_marked=MARKED, test_plain=PLAIN)
    result = suite.runpytest("--collect-only", "-q", "-m", "not browser")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = result.stderr.str()
    assert "test_unmarked.py::test_direct" in errors and "test_unmarked.py::test_through_another_fixture" in errors
    assert "test_marked" not in errors and "test_plain" not in errors


def test_marked_browser_tests_are_left_out_by_not_browser(suite: pytest.Pytester) -> None:
    suite.makepyfile(test_marked=MARKED, test_plain=PLAIN)
    result = suite.runpytest("--collect-only", "-q", "-m", "not browser")
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["test_plain.py::test_without_a_browser", "*1/2 tests collected (1 deselected)*"])
