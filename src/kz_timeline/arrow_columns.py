"""The pyarrow strings under a pandas column of text, for the checks and the rubric that work on Arrow arrays.

A column read from a CSV file is a pandas `str` Series backed by pyarrow: its strings are reached without copying
them. Any other column (categories, numbers) is converted to text first.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def chunked_strings(values: pd.Series) -> pa.ChunkedArray:
    """Return the strings of `values` as a pyarrow chunked array (no copy for a `str` Series)."""
    text = values if values.dtype == "str" else values.astype("str")
    array = pa.array(text.array)
    return array if isinstance(array, pa.ChunkedArray) else pa.chunked_array([array])


def string_array(values: pd.Series) -> pa.Array:
    """Return the strings of `values` as one pyarrow array (no copy for a `str` Series read in one chunk)."""
    return chunked_strings(values).combine_chunks()


def digits_only(values: pd.Series, most: int | None = None) -> np.ndarray:
    """Return, for each value, whether it is one or more ASCII digits (at most `most` of them), as `[0-9]+` matches.

    Arrow's character class test, not a regular expression: 0.005 s for a million offsets against 0.03 s.
    """
    strings = chunked_strings(values)
    digits = pc.ascii_is_decimal(strings)
    if most is not None:
        digits = pc.and_(digits, pc.less_equal(pc.binary_length(strings), most))
    return np.asarray(digits.to_numpy(zero_copy_only=False), dtype=bool)


def dictionary_codes(values: pa.ChunkedArray) -> tuple[pa.Array, np.ndarray]:
    """Hash `values` once: return their distinct texts, in order of first appearance, and each value's code among them.

    The codes are int32, one array for all the chunks (pyarrow encodes every chunk with the one dictionary).
    """
    encoded = values.dictionary_encode()
    if encoded.num_chunks == 0:
        return pa.array([], type=values.type), np.zeros(0, dtype=np.int32)
    codes = [np.asarray(chunk.indices.to_numpy(zero_copy_only=False), dtype=np.int32) for chunk in encoded.chunks]
    return encoded.chunks[-1].dictionary, np.concatenate(codes)
