"""The pyarrow strings under a pandas column of text, for the checks and the rubric that work on Arrow arrays.

A column read from a CSV file is a pandas `str` Series backed by pyarrow: its strings are reached without copying
them. Any other column (categories, numbers) is converted to text first.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa


def chunked_strings(values: pd.Series) -> pa.ChunkedArray:
    """Return the strings of `values` as a pyarrow chunked array (no copy for a `str` Series)."""
    text = values if values.dtype == "str" else values.astype("str")
    array = pa.array(text.array)
    return array if isinstance(array, pa.ChunkedArray) else pa.chunked_array([array])


def string_array(values: pd.Series) -> pa.Array:
    """Return the strings of `values` as one pyarrow array (no copy for a `str` Series read in one chunk)."""
    return chunked_strings(values).combine_chunks()
