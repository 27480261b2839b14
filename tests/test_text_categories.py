"""Columns of few distinct values (vocabularies, booleans) are held as categories, the same whichever reader read them."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kz_timeline.reading import fast_paths
from kz_timeline.reading.csv_files import read_table
from kz_timeline.reading.text_categories import SAMPLE_ROWS, distinct_texts, per_row, text_categories
from kz_timeline.reading.validation import _check_derived_dates, date_table
from kz_timeline.schema.tables import TABLES, TABLES_BY_NAME
from tests.conftest import FIXTURES

MINIMAL = FIXTURES / "minimal"


def test_categories_are_sorted_str_texts_with_every_row_kept() -> None:
    values = text_categories(["war", "", "economy", "war"])
    assert isinstance(values.dtype, pd.CategoricalDtype)
    assert list(values.cat.categories) == ["", "economy", "war"]
    assert values.cat.categories.dtype == "str"
    assert values.tolist() == ["war", "", "economy", "war"]


def test_categories_of_unsorted_categories_are_renumbered_not_relabelled() -> None:
    unsorted = pd.Categorical.from_codes([0, 1, 0], categories=["zeta", "alpha"])
    assert text_categories(unsorted).tolist() == ["zeta", "alpha", "zeta"]


def test_a_whole_column_result_over_categories_reaches_every_row() -> None:
    texts, codes = distinct_texts(text_categories(["b", "a", "b", "b"]))
    assert texts.tolist() == ["a", "b"]
    assert per_row(np.array([10, 20]), codes).tolist() == [20, 10, 20, 20]
    plain = pd.Series(["b", "a"], dtype="str")
    assert distinct_texts(plain)[1] is None


@pytest.mark.parametrize("table", TABLES, ids=lambda table: table.name)
def test_both_readers_give_the_same_columns_of_the_same_dtypes(table: object) -> None:
    raw, problems = read_table(MINIMAL / table.filename, table)  # type: ignore[attr-defined]
    with fast_paths.exact_only():
        exact, _ = read_table(MINIMAL / table.filename, table)  # type: ignore[attr-defined]
    assert raw is not None and exact is not None and not problems
    pd.testing.assert_frame_equal(raw.frame, exact.frame)
    categorical = {name for name in raw.frame.columns if isinstance(raw.frame[name].dtype, pd.CategoricalDtype)}
    assert categorical >= {column.name for column in table.columns if column.few_values}  # type: ignore[attr-defined]


def test_vocabulary_and_boolean_columns_are_categories_and_texts_are_not() -> None:
    events = TABLES_BY_NAME["events"]
    raw, _ = read_table(MINIMAL / events.filename, events)
    assert raw is not None
    assert isinstance(raw.frame["theme"].dtype, pd.CategoricalDtype)
    assert isinstance(raw.frame["is_key_event"].dtype, pd.CategoricalDtype)
    assert raw.frame["title"].dtype == "str"


@pytest.mark.parametrize("exact", [False, True], ids=["fast", "exact"])
def test_a_derived_category_that_disagrees_with_its_date_is_reported(exact: bool, tmp_path: Path) -> None:
    events = TABLES_BY_NAME["events"]
    text = (MINIMAL / events.filename).read_text(encoding="utf-8")
    raw, _ = read_table(MINIMAL / events.filename, events)
    assert raw is not None
    first = raw.frame.iloc[0]
    wrong = "approximate" if first["date_certainty"] != "approximate" else "uncertain"
    lines = text.split("\n")
    header = lines[0].split(",")
    cells = lines[1].split(",")
    assert cells[header.index("date_certainty")] == first["date_certainty"]  # the first row has no quoted comma there
    cells[header.index("date_certainty")] = wrong
    lines[1] = ",".join(cells)
    path = tmp_path / events.filename
    path.write_text("\n".join(lines), encoding="utf-8")
    if exact:
        with fast_paths.exact_only():
            changed, _ = read_table(path, events)
    else:
        changed, _ = read_table(path, events)
    assert changed is not None
    assert isinstance(changed.frame["date_certainty"].dtype, pd.CategoricalDtype)
    problems = list(_check_derived_dates(changed, date_table(changed.frame["date"])))
    assert [(problem.line, problem.column) for problem in problems] == [(2, "date_certainty")]
    assert f"gives {first['date_certainty']!r}" in problems[0].message


def _events_file(path: Path, rows: int, place_of: object) -> None:
    """Write an events file of `rows` copies of the minimal first row, with each row's place from `place_of(i)`."""
    events = TABLES_BY_NAME["events"]
    with (MINIMAL / events.filename).open(encoding="utf-8", newline="") as stream:
        header, first = list(csv.reader(stream))[:2]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for index in range(rows):
        row = list(first)
        row[header.index("event_id")] = f"ev_{index:06d}"
        row[header.index("title")] = f"Event {index}"
        row[header.index("place")] = place_of(index)  # type: ignore[operator]
        writer.writerow(row)
    path.write_text(out.getvalue(), encoding="utf-8")


@pytest.mark.parametrize("exact", [False, True], ids=["fast", "exact"])
def test_a_column_of_few_first_values_is_held_as_categories_whatever_follows(exact: bool, tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    # Two places in the first SAMPLE_ROWS rows, then a new place on every row: decided on the first rows.
    _events_file(path, SAMPLE_ROWS + 50, lambda index: ["Astana", "Almaty"][index % 2] if index < SAMPLE_ROWS else f"P{index}")
    events = TABLES_BY_NAME["events"]
    if exact:
        with fast_paths.exact_only():
            raw, problems = read_table(path, events)
    else:
        raw, problems = read_table(path, events)
    assert raw is not None and not problems
    assert isinstance(raw.row_lines, range) != exact  # the reader asked for, not the other
    assert isinstance(raw.frame["place"].dtype, pd.CategoricalDtype)
    assert raw.frame["place"].iloc[-1] == f"P{SAMPLE_ROWS + 49}"
    assert raw.frame["place"].cat.categories.dtype == "str"
    # Keys and texts that differ from row to row stay strings.
    assert raw.frame["event_id"].dtype == "str" and raw.frame["title"].dtype == "str"


def test_a_column_of_many_first_values_stays_text_in_both_readers(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    _events_file(path, SAMPLE_ROWS + 50, lambda index: f"P{index % (SAMPLE_ROWS // 5)}")  # 2,000 places: a fifth
    events = TABLES_BY_NAME["events"]
    raw, _ = read_table(path, events)
    with fast_paths.exact_only():
        exact, _ = read_table(path, events)
    assert raw is not None and exact is not None
    assert raw.frame["place"].dtype == "str"
    pd.testing.assert_frame_equal(raw.frame, exact.frame)
