"""A format proof never vouches for a value the exact check rejects, and vouches for well-formed columns."""

from __future__ import annotations

import re

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kz_timeline.reading import format_proofs
from kz_timeline.reading.format_proofs import proves_format
from kz_timeline.schema.models import BOOLEAN, ISO_DATE, SLUG


def column(values: list[str], pieces: int = 1) -> pd.Series:
    """A `str` column of `values`, in `pieces` chunks, the later ones slices of a larger array (offset > 0)."""
    size = max(1, -(-len(values) // pieces))
    chunks = []
    for start in range(0, len(values), size):
        part = ["padding", *values[start : start + size]]
        chunks.append(pa.array(part, type=pa.large_string()).slice(1))
    array = pa.chunked_array(chunks, type=pa.large_string()) if chunks else pa.chunked_array([], type=pa.large_string())
    return pd.Series(pd.array(array, dtype="str"))


def exact_slug(value: str) -> bool:
    return value == "" or re.fullmatch(SLUG.pattern, value) is not None


def exact_day(value: str) -> bool:
    if value == "":
        return True
    if re.fullmatch(ISO_DATE.pattern, value) is None:
        return False
    return not pd.isna(pd.to_datetime(value, format="%Y-%m-%d", errors="coerce"))


SLUG_TEXT = st.lists(st.text(alphabet="az09_-Aé \n", max_size=6), max_size=8)
DAY_TEXT = st.lists(
    st.one_of(
        st.dates().map(lambda day: day.isoformat()),
        st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}\Z"),
        st.text(alphabet="0123456789-/ ", max_size=11),
    ),
    max_size=8,
)


@given(values=SLUG_TEXT, pieces=st.integers(1, 3), chunk=st.sampled_from([1, 2, 3, 5, format_proofs.PROOF_CHUNK]))
def test_a_slug_proof_holds_exactly_when_every_value_matches_the_regex_whatever_its_chunk_size(
    values: list[str], pieces: int, chunk: int
) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(format_proofs, "PROOF_CHUNK", chunk)
        assert proves_format(column(values, pieces), SLUG) == all(exact_slug(value) for value in values)


@given(values=DAY_TEXT, pieces=st.integers(1, 3))
def test_a_date_proof_holds_only_when_every_value_is_a_day_of_the_calendar(values: list[str], pieces: int) -> None:
    if proves_format(column(values, pieces), ISO_DATE):
        assert all(exact_day(value) for value in values)


def test_well_formed_columns_are_proven_in_one_piece_or_several() -> None:
    slugs = ["ev_0001", "", "a-b_c", "x1", "kz"]
    days = ["2024-02-29", "", "1991-12-16", "0001-01-01", "9999-12-31", "2000-02-29"]
    for pieces in (1, 2, 3):
        assert proves_format(column(slugs, pieces), SLUG)
        assert proves_format(column(days, pieces), ISO_DATE)
    assert proves_format(column([]), SLUG)


@pytest.mark.parametrize("value", ["a__b", "_a", "a-", "A1", "a b", "é", "a\n", "a-_b"], ids=lambda value: repr(value))
@pytest.mark.parametrize("chunk", [1, 2, 3, format_proofs.PROOF_CHUNK])
def test_a_malformed_slug_is_left_to_the_exact_check_wherever_the_chunks_split_it(
    value: str, chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(format_proofs, "PROOF_CHUNK", chunk)
    assert not proves_format(column(["ok", value, "fine"]), SLUG)


@pytest.mark.parametrize(
    "value", ["1900-02-29", "2023-02-29", "2021-04-31", "2021-13-01", "2021-00-10", "2021-01-00", "0000-01-01", "2021-1-01"]
)
def test_an_impossible_or_unsure_day_is_left_to_the_exact_check(value: str) -> None:
    assert not proves_format(column(["2021-01-01", value]), ISO_DATE)


def test_a_format_without_a_proof_is_never_proven() -> None:
    assert not proves_format(column(["true", "false"]), BOOLEAN)
