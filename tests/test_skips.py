"""Without Chromium and the op-ed's text the suite passes, skipping with one reason per group; CI's strict mode fails."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import (
    ARTICLE_MISSING,
    ARTICLE_VARIABLE,
    CHROMIUM_MISSING,
    CHROMIUM_VARIABLE,
    REPO_ROOT,
    STRICT_VARIABLE,
    find_article,
    find_chromium,
    strict,
)

#: A small selection: two tests that need the op-ed's text, one that drives Chromium, one that needs neither.
SELECTION = [
    "tests/test_shipped_data.py::test_the_op_ed_is_one_source_with_its_exact_hash",
    "tests/test_shipped_data.py::test_every_quote_of_the_op_ed_is_verbatim_at_its_offsets",
    "tests/test_datasette_browser.py",
    "tests/test_text.py",
]


def run_selection(**variables: str) -> subprocess.CompletedProcess[str]:
    """Run pytest on SELECTION as a fresh process, with Chromium and the article hidden, plus `variables`."""
    env = {key: value for key, value in os.environ.items() if key != STRICT_VARIABLE}
    env.update({CHROMIUM_VARIABLE: "", ARTICLE_VARIABLE: "", **variables})
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *SELECTION]
    return subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.slow
def test_without_chromium_and_the_article_the_suite_passes_and_names_each_skipped_group() -> None:
    result = run_selection()
    assert result.returncode == 0, result.stdout[-3000:]
    summary = [line for line in result.stdout.splitlines() if line.startswith("SKIPPED")]
    # One line per group: pytest folds skips with the same reason from the same place.
    assert len(summary) == 2, summary
    assert any(f"{ARTICLE_MISSING}" in line and line.startswith("SKIPPED [2]") for line in summary), summary
    assert any(CHROMIUM_MISSING in line for line in summary), summary
    last = result.stdout.splitlines()[-1]
    assert " passed" in last and " skipped" in last and "failed" not in last and "error" not in last, last


@pytest.mark.slow
def test_strict_mode_turns_every_such_skip_into_a_failure() -> None:
    result = run_selection(**{STRICT_VARIABLE: "1"})
    assert result.returncode == 1, result.stdout[-3000:]
    last = result.stdout.splitlines()[-1]
    assert "skipped" not in last and " passed" in last and " error" in last, last
    assert f"{ARTICLE_MISSING} ({STRICT_VARIABLE}=1: nothing may be skipped)" in result.stdout
    assert f"{CHROMIUM_MISSING} ({STRICT_VARIABLE}=1: nothing may be skipped)" in result.stdout


@pytest.mark.parametrize(("value", "expected"), [("", False), ("0", False), ("1", True), ("yes", True)])
def test_strict_is_any_value_but_empty_or_0(value: str, expected: bool) -> None:
    assert strict({STRICT_VARIABLE: value}) is expected
    assert strict({}) is False


def test_the_article_is_found_through_the_variable_then_beside_the_checkout(tmp_path: Path) -> None:
    named, shared = tmp_path / "named.txt", tmp_path / "shared" / "article.txt"
    named.write_text("text", encoding="utf-8")
    assert find_article({ARTICLE_VARIABLE: str(named)}, shared) == named
    assert find_article({}, shared) is None
    shared.parent.mkdir()
    shared.write_text("text", encoding="utf-8")
    assert find_article({}, shared) == shared
    assert find_article({ARTICLE_VARIABLE: ""}, shared) is None  # set empty: hidden, even with ../shared there
    assert find_article({ARTICLE_VARIABLE: str(tmp_path / "missing.txt")}, shared) is None


def test_chromium_is_found_through_the_variable_then_debian_then_playwright(tmp_path: Path) -> None:
    named, debian, own = tmp_path / "named", tmp_path / "debian", tmp_path / "own"
    for path in (named, own):
        path.write_text("", encoding="utf-8")
    assert find_chromium({CHROMIUM_VARIABLE: str(named)}, debian, lambda: str(own)) == named
    assert find_chromium({}, debian, lambda: str(own)) == own
    assert find_chromium({}, debian, lambda: str(tmp_path / "not-installed")) is None
    debian.write_text("", encoding="utf-8")
    assert find_chromium({}, debian, lambda: str(own)) == debian
    assert find_chromium({CHROMIUM_VARIABLE: ""}, debian, lambda: str(own)) is None


def test_ci_runs_the_suite_strictly() -> None:
    ci = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert f"export {STRICT_VARIABLE}=1" in ci
    assert ci.index(f"export {STRICT_VARIABLE}=1") < ci.index("-m pytest")
