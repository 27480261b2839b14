"""The package type-checks under `mypy --strict`; a typing error anywhere in it fails the suite."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _mypy(src: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MYPYPATH": str(src)}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--cache-dir",
            str(cache),
            "-p",
            "kz_timeline",
        ],
        cwd=src,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.slow
def test_package_passes_mypy_strict(tmp_path: Path) -> None:
    result = _mypy(ROOT / "src", tmp_path / "cache")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout


@pytest.mark.slow
def test_mypy_check_fails_on_a_typing_error(tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(ROOT / "src" / "kz_timeline", src / "kz_timeline", ignore=shutil.ignore_patterns("__pycache__", "data"))
    with (src / "kz_timeline" / "errors.py").open("a", encoding="utf-8") as stream:
        stream.write("\n\ndef broken() -> int:\n    return 'not an int'\n")
    result = _mypy(src, tmp_path / "cache")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "errors.py" in result.stdout and "Incompatible return value type" in result.stdout
