"""The fast paths of reading and checking report exactly what the exact paths report, on every bad file.

`fast_paths.exact_only()` turns off pyarrow's CSV reader and the whole-column derivation of dates; every case of the
bad-input corpus, and files that Hypothesis breaks cell by cell and byte by byte, must then give the same problems,
in the same words, at the same file, line and column.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kz_timeline.dataset.loader import read_valid_tables
from kz_timeline.errors import DataValidationError
from kz_timeline.reading import fast_paths
from kz_timeline.reading.csv_files import canonical_csv, read_table
from kz_timeline.schema.tables import TABLES, TABLES_BY_NAME
from tests.conftest import FIXTURES
from tests.test_bad_input import CASES, copy_case
from tests.test_date_table import DATES

MINIMAL = FIXTURES / "minimal"


def problems_of(data_dir: Path, *, keep_checked_columns: bool = False) -> list[str]:
    """Return every problem validation finds in `data_dir` (quotes checked against its article.txt)."""
    try:
        read_valid_tables(data_dir, [data_dir / "article.txt"], keep_checked_columns=keep_checked_columns)
    except DataValidationError as error:
        return [str(problem) for problem in error.problems]
    return []


def both_paths(data_dir: Path) -> tuple[list[str], list[str]]:
    """Return the problems of the fast paths and of the exact ones; the exact ones are also run as `validate` runs them,
    each table narrowed to what the checks across tables read once its own checks are done, and must agree."""
    fast = problems_of(data_dir)
    with fast_paths.exact_only():
        exact = problems_of(data_dir)
        # Without the fast paths each check ends as it starts, so every table is narrowed before the next is read.
        assert problems_of(data_dir, keep_checked_columns=True) == exact
    return fast, exact


def test_exact_only_turns_the_fast_reader_off(tmp_path: Path) -> None:
    # The counterexample the other tests rely on: without the switch, both runs would take the same path.
    events = TABLES_BY_NAME["events"]
    raw, _ = read_table(MINIMAL / events.filename, events)
    with fast_paths.exact_only():
        exact, _ = read_table(MINIMAL / events.filename, events)
    assert raw is not None and exact is not None
    assert isinstance(raw.row_lines, range) and isinstance(exact.row_lines, list)
    assert fast_paths.enabled()


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_fast_and_exact_paths_report_the_same_problems_on_every_bad_case(case: Path, tmp_path: Path) -> None:
    fast, exact = both_paths(copy_case(case, tmp_path))
    assert fast == exact


def read_rows(name: str) -> list[list[str]]:
    text = (MINIMAL / TABLES_BY_NAME[name].filename).read_text(encoding="utf-8")
    return list(csv.reader(io.StringIO(text, newline=""), strict=True))


#: What a broken cell may hold: dates and near-dates, other rows' identifiers and terms, text with the characters that
#: CSV and the checks care about (quotes, commas, line breaks, control characters, spaces, Cyrillic).
CELLS = st.one_of(
    DATES,
    st.sampled_from(["", "ev_0001", "ac_0001", "so_0001", "cl_0001", "true", "false", "KZ", "https://example.org/a?utm_x=1"]),
    st.text(alphabet='ab ,"\n\r\t\x0b\x85\u00a0Мы0123456789-_:/.?', max_size=16),
)
EDITS = st.lists(
    st.tuples(st.sampled_from([table.name for table in TABLES]), st.integers(0, 3), st.integers(0, 20), CELLS),
    min_size=1,
    max_size=3,
)
#: Byte-level damage: a stray quote, carriage return, line feed, comma, invalid UTF-8, NUL, or a BOM.
BYTES = st.lists(
    st.tuples(
        st.sampled_from([table.name for table in TABLES]),
        st.floats(0, 1),
        st.sampled_from([b'"', b"\r", b"\n", b",", b"\xff", b"\x00"]),
    ),
    max_size=2,
)


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(edits=EDITS, damage=BYTES)
def test_fast_and_exact_paths_agree_on_generated_broken_files(
    tmp_path: Path, edits: list[tuple[str, int, int, str]], damage: list[tuple[str, float, bytes]]
) -> None:
    data_dir = tmp_path / "data"
    shutil.rmtree(data_dir, ignore_errors=True)
    shutil.copytree(MINIMAL, data_dir)
    tables = {table.name: read_rows(table.name) for table in TABLES}
    for name, row, column, value in edits:
        rows = tables[name]
        if len(rows) > 1:
            cells = rows[1 + row % (len(rows) - 1)]
            cells[column % len(cells)] = value
    for name, rows in tables.items():
        table = TABLES_BY_NAME[name]
        (data_dir / table.filename).write_text(canonical_csv(table, rows[1:]), encoding="utf-8", newline="")
    for name, where, byte in damage:
        path = data_dir / TABLES_BY_NAME[name].filename
        data = path.read_bytes()
        cut = int(where * len(data))
        path.write_bytes(data[:cut] + byte + data[cut:])
    fast, exact = both_paths(data_dir)
    assert fast == exact
