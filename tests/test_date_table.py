"""Deriving dates whole-column gives exactly what deriving them one by one gives, errors included."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kz_timeline.reading.edtf_dates import EdtfError, derive_date
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


def test_derived_columns_are_blank_for_blank_and_invalid_dates() -> None:
    dates = pd.Series(["2017-09", "", "2022-13", "2022-01-05/.."], dtype="str")
    columns = derived_date_columns(dates)
    assert columns["date_start"].tolist() == ["2017-09-01", "", "", "2022-01-05"]
    assert columns["date_end"].tolist() == ["2017-09-30", "", "", ""]
    assert columns["date_end_status"].tolist() == ["closed", "", "", "open"]
    assert str(columns["date_start"].dtype) == "str"
