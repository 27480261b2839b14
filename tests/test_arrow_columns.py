"""The pyarrow strings under a pandas text column: reached without a copy, other columns converted to text."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from kz_timeline.arrow_columns import chunked_strings, string_array


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
