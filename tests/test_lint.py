"""Lint and format hold: `ruff check` and `ruff format --check` pass on the package, the tests and the benchmarks."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib

import pytest

from tests.conftest import REPO_ROOT

PATHS = ["src", "tests", "benchmarks"]


def ruff(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, *PATHS], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )


def test_ruff_check_passes() -> None:
    result = ruff("check", "--no-cache", "--output-format", "concise")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_leaves_every_file_as_it_is() -> None:
    result = ruff("format", "--check", "--no-cache")
    assert result.returncode == 0, f"run `ruff format {' '.join(PATHS)}`:\n{result.stdout}{result.stderr}"


def test_every_noqa_names_an_enabled_rule() -> None:
    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["ruff"]["lint"]
    enabled = config["select"]
    codes: list[tuple[str, str]] = []
    for folder in PATHS:
        for path in sorted((REPO_ROOT / folder).rglob("*.py")):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                for match in re.finditer(r"#\s*noqa(?::\s*([A-Z0-9, ]+))?", line):
                    where = f"{path.relative_to(REPO_ROOT)}:{number}"
                    assert match.group(1), f"{where}: a bare noqa silences every rule; name the rule"
                    codes += [(where, code.strip()) for code in match.group(1).split(",") if code.strip()]
    assert codes, "no noqa found at all: the scan is broken"
    for where, code in codes:
        assert any(code.startswith(prefix) for prefix in enabled), f"{where}: noqa {code} names a rule that is not enabled"


@pytest.mark.parametrize("command", ["ruff check src tests benchmarks", "ruff format --check src tests benchmarks"])
def test_ci_runs_ruff_before_the_tests(command: str) -> None:
    ci = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert command in ci
    assert ci.index(command) < ci.index("-m pytest")
