"""The README's Scale section says what BENCHMARKS.md's Targets table says, the targets not met by name."""

from __future__ import annotations

import pytest

from kz_timeline.errors import GeneratedFileError
from kz_timeline.metadata.scale_summary import scale_section

BENCHMARKS = """# Benchmarks

- measured: 2026-12-04 21:58 UTC

## Targets

Issue 16's targets at N = 1,000,000, from the numbers above.

| target | measured | bound | met |
|---|---:|---:|---|
| validate --article / pyarrow floor | 9.55 s / 1.40 s = 6.83x | <= 3x | no |
| chart timeline, warm | 3.03 s | <= 5 s | yes |
| `kz-timeline --help` | 0.05 s | <= 0.1 s | yes |

## Profiles

| not a target | x | y | no |
"""


def test_the_section_counts_the_targets_met_and_names_each_one_missed() -> None:
    section = scale_section(BENCHMARKS)
    assert section.startswith("At 1,000,000 events, measured 2026-12-04 21:58 UTC on 2 cores: 2 of 3 targets met ")
    assert section.endswith("Not met yet:\n\n- validate --article / pyarrow floor: 9.55 s / 1.40 s = 6.83x (<= 3x)\n")


def test_all_targets_met_lists_none_missed() -> None:
    section = scale_section(BENCHMARKS.replace("| <= 3x | no |", "| <= 3x | yes |"))
    assert "3 of 3 targets met" in section and "Not met" not in section


def test_benchmarks_without_a_targets_table_are_refused() -> None:
    with pytest.raises(GeneratedFileError, match="no Targets table"):
        scale_section(BENCHMARKS.split("## Targets")[0])
