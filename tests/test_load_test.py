"""The load test runs end to end (2 clients, 2 s) and rewrites only its own section of the output file."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, REPO_ROOT


@pytest.mark.slow
def test_load_test_smoke_serves_every_kind_without_errors_and_replaces_only_its_section(tmp_path: Path) -> None:
    output = tmp_path / "BENCHMARKS.md"
    output.write_text(
        "# Benchmarks\n\n## Results\n\nkept\n\n## Load test\n\nstale numbers\n\n## Start-up\n\nkept too\n", encoding="utf-8"
    )
    result = subprocess.run(
        [
            sys.executable,
            str(REPO_ROOT / "benchmarks" / "load_test.py"),
            "--clients",
            "2",
            "--duration",
            "2",
            "--data-dir",
            str(FIXTURES / "minimal"),
            "--output",
            str(output),
        ],
        capture_output=True,
        text=True,
        check=False,
        env=dict(os.environ),
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    text = output.read_text(encoding="utf-8")
    assert "stale numbers" not in text
    assert text.startswith("# Benchmarks\n\n## Results\n\nkept\n\n## Load test\n")
    assert text.endswith("## Start-up\n\nkept too\n")
    row = re.search(r"^\| (\d+) \| (\d+) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \|$", text, re.MULTILINE)
    assert row is not None, text
    served, errors = int(row.group(1)), int(row.group(2))
    p50, p99 = float(row.group(4)), float(row.group(5))
    assert served > 0 and errors == 0
    assert 0 < p50 <= p99
    kinds = re.search(r"Requests by kind: (.*)\.", text)
    assert kinds is not None
    assert {part.split()[0] for part in kinds.group(1).split(", ")} == {"chart", "facet", "row", "search", "table"}
