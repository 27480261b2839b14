"""The EDTF subset: what is accepted, what each value derives to, and how it reads to a person."""

from __future__ import annotations

import datetime as dt

import pytest
from edtf import parse_edtf, struct_time_to_date

from kz_timeline.reading.edtf_dates import EdtfError, derive_date, explain_rejection, format_human

D = dt.date


@pytest.mark.parametrize(
    ("value", "start", "end", "precision", "certainty", "end_status"),
    [
        ("2022-06-17", D(2022, 6, 17), D(2022, 6, 17), "day", "exact", "closed"),
        ("2017-09", D(2017, 9, 1), D(2017, 9, 30), "month", "exact", "closed"),
        ("2024-02", D(2024, 2, 1), D(2024, 2, 29), "month", "exact", "closed"),
        ("2022", D(2022, 1, 1), D(2022, 12, 31), "year", "exact", "closed"),
        ("2022-01-02/2022-01-11", D(2022, 1, 2), D(2022, 1, 11), "day", "exact", "closed"),
        ("2022-01/2022-03-15", D(2022, 1, 1), D(2022, 3, 15), "month", "exact", "closed"),
        ("2022~", D(2022, 1, 1), D(2022, 12, 31), "year", "approximate", "closed"),
        ("2009?", D(2009, 1, 1), D(2009, 12, 31), "year", "uncertain", "closed"),
        ("2022%", D(2022, 1, 1), D(2022, 12, 31), "year", "uncertain_and_approximate", "closed"),
        ("2022-03-12~", D(2022, 3, 12), D(2022, 3, 12), "day", "approximate", "closed"),
        ("2022?/2023~", D(2022, 1, 1), D(2023, 12, 31), "year", "uncertain_and_approximate", "closed"),
        ("2022-01-05/..", D(2022, 1, 5), None, "day", "exact", "open"),
        ("2022-01-05/", D(2022, 1, 5), None, "day", "exact", "unknown"),
        ("2022-01-XX", D(2022, 1, 1), D(2022, 1, 31), "month", "exact", "closed"),
        ("2022-XX", D(2022, 1, 1), D(2022, 12, 31), "year", "exact", "closed"),
        ("201X", D(2010, 1, 1), D(2019, 12, 31), "decade", "exact", "closed"),
        ("19XX", D(1900, 1, 1), D(1999, 12, 31), "century", "exact", "closed"),
    ],
)
def test_derive_date_gives_strict_bounds_precision_certainty_and_end_status(
    value: str, start: dt.date, end: dt.date | None, precision: str, certainty: str, end_status: str
) -> None:
    derived = derive_date(value)
    assert (derived.start, derived.end, derived.precision, derived.certainty, derived.end_status) == (
        start,
        end,
        precision,
        certainty,
        end_status,
    )


@pytest.mark.parametrize(
    "value",
    ["2022-06-17", "2017-09", "2022", "2022-01-02/2022-01-11", "2022~", "2009?", "2022%", "2022-01-XX", "201X", "19XX"],
)
def test_bounds_agree_with_the_edtf_package(value: str) -> None:
    parsed = parse_edtf(value)
    derived = derive_date(value)
    assert derived.start == struct_time_to_date(parsed.lower_strict())
    assert derived.end == struct_time_to_date(parsed.upper_strict())


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2022-02-30", "not a valid date: '2022-02-30': February 2022 has no day 30"),
        ("2022-13", "not a valid date: '2022-13': month 13 does not exist"),
        ("2022-01-05/2021", "not a valid date: '2022-01-05/2021': the interval ends (2021) before it starts (2022-01-05)"),
        ("../2022", "valid EDTF, but outside the supported subset"),
        ("2022?~", "not a valid EDTF date"),
        ("17 June 2022", "not a valid EDTF date"),
        ("", "not a valid EDTF date"),
        (" 2022", "not a valid date: ' 2022' has spaces around it"),
        ("2022/2023/2024", "more than one '/'"),
    ],
)
def test_rejected_values_are_explained(value: str, reason: str) -> None:
    with pytest.raises(EdtfError):
        derive_date(value)
    assert reason in explain_rejection(value)


@pytest.mark.parametrize(
    ("value", "human"),
    [
        ("2022-06-17", "17 June 2022"),
        ("2017-09", "September 2017"),
        ("2022", "2022"),
        ("2022-01-02/2022-01-11", "2 to 11 January 2022"),
        ("2022-11-07/2023-04-10", "7 November 2022 to 10 April 2023"),
        ("2022-03-12~", "about 12 March 2022"),
        ("2009?", "perhaps 2009"),
        ("2022-01-05/..", "from 5 January 2022 (ongoing)"),
        ("2022-01-05/", "from 5 January 2022 (end unknown)"),
        ("201X", "the 2010s"),
    ],
)
def test_format_human_writes_dates_as_a_person_would(value: str, human: str) -> None:
    assert format_human(value) == human
