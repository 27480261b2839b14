"""The pyarrow strings under a pandas text column: reached without a copy, other columns converted to text."""

from __future__ import annotations

import re

import pandas as pd
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from kz_timeline.arrow_columns import chunked_strings, digits_only, string_array


def test_a_text_column_is_reached_without_copying_its_characters() -> None:
    values = pd.Series(pd.array(pa.chunked_array([["a", "bc"], ["def"]], type=pa.large_string()), dtype="str"))
    underneath = values.array._pa_array  # pandas' own chunks, which the checks must not copy
    strings = chunked_strings(values)
    assert strings.num_chunks == 2
    assert [chunk.buffers()[2].address for chunk in strings.chunks] == [chunk.buffers()[2].address for chunk in underneath.chunks]
    assert string_array(values).to_pylist() == ["a", "bc", "def"]


def test_categories_and_numbers_are_turned_into_text_first() -> None:
    categories = pd.Series(pd.Categorical(["opinion", "fact", "opinion"]))
    assert chunked_strings(categories).to_pylist() == ["opinion", "fact", "opinion"]
    assert pa.types.is_large_string(string_array(pd.Series([1, 22])).type)
    assert string_array(pd.Series([1, 22])).to_pylist() == ["1", "22"]


#: Digits of other scripts, signs, spaces and superscripts beside ASCII digits: what `[0-9]+` must not take.
OFFSET_TEXTS = st.text(alphabet=st.sampled_from("0123456789 +-.e١٢²٣𝟘"), max_size=22)


@settings(max_examples=300, deadline=None)
@given(st.lists(OFFSET_TEXTS, max_size=40), st.one_of(st.none(), st.integers(min_value=0, max_value=20)))
def test_digits_only_is_a_full_match_of_ascii_digits_up_to_a_length(texts: list[str], most: int | None) -> None:
    values = pd.Series(texts, dtype="str")
    expected = [re.fullmatch(r"[0-9]+", text) is not None and (most is None or len(text) <= most) for text in texts]
    assert digits_only(values, most).tolist() == expected


def test_digits_only_reads_categories_and_empty_columns() -> None:
    assert digits_only(pd.Series(["12", "x", "12"], dtype="category")).tolist() == [True, False, True]
    assert digits_only(pd.Series([], dtype="str")).tolist() == []
