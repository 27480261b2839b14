"""Deriving dates whole-column gives exactly what deriving them one by one gives, errors included."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kz_timeline.reading import fast_paths
from kz_timeline.reading.edtf_columns import derive_common_dates, format_common_dates
from kz_timeline.reading.edtf_dates import EdtfError, derive_date, format_human
from kz_timeline.reading.validation import _derived_texts, date_table, derived_date_columns

EDGE_CASES = [
    "2022-06-17",
    "2017-09",
    "2022",
    "1600-02-29",
    "1900-02-29",
    "2000-02-29",
    "2023-02",
    "2024-02",
    "1000",
    "0999",
    "0000",
    "0001-01",
    "1000-01-01",
    "9999-12-31",
    "2022-13",
    "2022-00",
    "2022-04-31",
    "2022-01-00",
    "2022-06-17?",
    "2022~",
    "201X",
    "19XX",
    "2022-01-02/2022-01-11",
    "2022-01-05/..",
    "2022-01-05/",
    "2022-XX",
    "2022-1-05",
    "22",
    "2022-06-17 ",
    "abcd",
    "2022/2021",
    # The shapes the whole-column path takes, and their near misses, which it must leave to derive_date.
    "2022-01-02?/2022-01-11~",
    "2022-01-02%/2022-02",
    "2022-01/2022-01-15",
    "2022-01-15/2022-01",
    "2022-01-31/2022-01-01",
    "2022-02-29/2022-03-01",
    "2024-02-29/..",
    "2022-06-17?/",
    "2022~/..",
    "2022/..2023",
    "2022..",
    "20222023",
    "2022-06-17/2023-13",
    "2022-06-17//",
    "2022-06-17/ ",
    "2022?~",
    "2022-06-17\n",
    "1000/9999",
    "0999/1000",
    "201X/2022",
    "2022/202X",
    "2022-XX/2023",
]


def one_by_one(value: str) -> dict[str, str] | str:
    try:
        return _derived_texts(derive_date(value))
    except EdtfError as error:
        return str(error)


def test_whole_column_derivation_matches_derive_date_on_edge_cases_and_random_dates() -> None:
    rng = np.random.default_rng(7)
    days = pd.Series(pd.to_datetime("1700-01-01") + pd.to_timedelta(rng.integers(0, 180_000, 3_000), unit="D"))
    random = days.dt.strftime("%Y-%m-%d").tolist() + days.dt.strftime("%Y-%m").tolist() + days.dt.strftime("%Y").tolist()
    values = pd.Series([*EDGE_CASES, *random, "", *EDGE_CASES], dtype="str")
    table = date_table(values)
    assert "" not in table.distinct
    assert sorted(table.distinct) == sorted(set(values) - {""})
    for position, value in enumerate(table.distinct):
        expected = one_by_one(value)
        if isinstance(expected, str):
            assert value in table.errors and str(table.errors[value]) == expected, value
        else:
            assert value not in table.errors, value
            assert {name: column[position] for name, column in table.texts.items()} == expected, value


def test_whole_column_words_match_format_human_on_edge_cases_and_random_dates_and_intervals() -> None:
    rng = np.random.default_rng(11)
    starts = pd.Series(pd.to_datetime("1700-01-01") + pd.to_timedelta(rng.integers(0, 180_000, 2_000), unit="D"))
    ends = starts + pd.to_timedelta(rng.integers(0, 90, len(starts)), unit="D")
    marks = rng.choice(["", "?", "~", "%"], size=(2, len(starts)))
    day, month = starts.dt.strftime("%Y-%m-%d"), starts.dt.strftime("%Y-%m")
    intervals = [f"{a}{q}/{b}{r}" for a, b, q, r in zip(day, ends.dt.strftime("%Y-%m-%d"), *marks, strict=True)]
    mixed = [f"{a}/{b}" for a, b in zip(month, ends.dt.strftime("%Y"), strict=True)]
    unclosed = [f"{a}{q}/{tail}" for a, q, tail in zip(day, marks[0], rng.choice(["", ".."], len(starts)), strict=True)]
    qualified = [f"{a}{q}" for a, q in zip(month, marks[1], strict=True)]
    values = [*EDGE_CASES, *day, *month, *qualified, *intervals, *mixed, *unclosed]
    done, words = format_common_dates(pa.array(values))
    assert done.sum() > 0.8 * len(values)
    assert done.tolist() == derive_common_dates(pa.array(values))[0].tolist()
    for value, written, word in zip(values, done, words, strict=True):
        if written:
            assert word == format_human(value), value
    assert "2 to perhaps 11 January 2022" in format_common_dates(pa.array(["2022-01-02?/2022-01-11?"]))[1]


def test_the_database_writes_dates_in_the_same_words_by_the_exact_path() -> None:
    from kz_timeline.site.database import _in_words

    valid = ["2022-06-17", "2017-09", "2022", "1600-02-29", "", "2022-01-02?/2022-01-11~", "2017-09", "", "201X", "0999"]
    dates = pd.Series([*valid, "2022-01-05/..", "2022-06-17"], dtype="str")
    with fast_paths.exact_only():
        exact = _in_words(dates)
    assert _in_words(dates) == exact == [format_human(date) if date else None for date in dates]


def test_derived_columns_are_blank_for_blank_and_invalid_dates() -> None:
    dates = pd.Series(["2017-09", "", "2022-13", "2022-01-05/.."], dtype="str")
    columns = derived_date_columns(dates)
    assert columns["date_start"].tolist() == ["2017-09-01", "", "", "2022-01-05"]
    assert columns["date_end"].tolist() == ["2017-09-30", "", "", ""]
    assert columns["date_end_status"].tolist() == ["closed", "", "", "open"]
    assert str(columns["date_start"].dtype) == "str"


def texts_of(table_values: list[str]) -> dict[str, dict[str, str] | str]:
    """Derive `table_values` whole-column; return each value's texts, or its error's words."""
    table = date_table(pd.Series(table_values, dtype="str"))
    found: dict[str, dict[str, str] | str] = {value: str(error) for value, error in table.errors.items()}
    for position, value in enumerate(table.distinct):
        if value not in table.errors:
            found[value] = {name: column[position] for name, column in table.texts.items()}
    return found


def test_the_whole_column_path_takes_the_common_shapes_and_leaves_the_rest() -> None:
    values = ["2022-06-17", "2022-01-02?/2022-01-11~", "2022-01-05/..", "2022-01-05/", "2022~", "2017-09%"]
    misses = ["201X", "0999", "2022-02-30", "2022-13", "2022/2021", "2022/..2023", "20222023", "2022-01-05/ "]
    done, texts = derive_common_dates(pa.array(values + misses))
    assert done.tolist() == [True] * len(values) + [False] * len(misses)
    assert texts["date_certainty"][1] == "uncertain_and_approximate" and texts["date_end"][1] == "2022-01-11"
    assert texts["date_end_status"][2:4].tolist() == ["open", "unknown"] and texts["date_end"][2:4].tolist() == ["", ""]


def test_the_exact_path_derives_the_same_texts_as_the_whole_column_path() -> None:
    fast = texts_of(EDGE_CASES)
    with fast_paths.exact_only():
        exact = texts_of(EDGE_CASES)
    assert fast == exact == {value: one_by_one(value) for value in EDGE_CASES}


SIDES = st.one_of(
    st.from_regex(r"[0-9X]{4}(-[0-9X]{2}(-[0-9X]{2})?)?[?~%]?", fullmatch=True),
    st.builds(
        lambda year, month, day, qualifier: f"{year:04d}-{month:02d}-{day:02d}{qualifier}",
        st.integers(0, 9999),
        st.integers(0, 13),
        st.integers(0, 32),
        st.sampled_from(["", "?", "~", "%"]),
    ),
)
DATES = st.one_of(
    SIDES,
    st.builds(lambda a, sep, b: f"{a}{sep}{b}", SIDES, st.sampled_from(["/", "/..", "/", "..", "//", " /"]), SIDES | st.just("")),
    st.builds(lambda a, end: f"{a}/{end}", SIDES, st.sampled_from(["..", "", " ", ".."])),
    st.text(alphabet="0123456789X-/.?~% \n", max_size=24),
)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(st.lists(DATES, min_size=1, max_size=20))
def test_whole_column_and_one_by_one_agree_on_generated_dates(values: list[str]) -> None:
    found = texts_of(values)
    assert found == {value: one_by_one(value) for value in set(values) - {""}}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["", "2017-09", "2017", "1999-01-02", "2017-09", "not a date"]), max_size=20))
def test_the_table_lists_each_distinct_date_in_order_and_where_each_row_is_among_them(values: list[str]) -> None:
    table = date_table(pd.Series(values, dtype="str"))
    assert table.distinct == [value for value in dict.fromkeys(values) if value]
    assert table.positions.tolist() == [table.distinct.index(value) if value else len(table.distinct) for value in values]
