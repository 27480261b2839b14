"""Read CSV files that are known to be clean with pyarrow, and find the line on which each row starts.

The exact reader (`kz_timeline.reading.csv_files`) is Python's csv module in strict mode, which explains every fault. This
module is its fast twin for the common case: it first proves with whole-array NumPy checks that the bytes are
strict RFC 4180 CSV (so pyarrow and the csv module cannot read them differently), then lets pyarrow parse them on
every core. It returns None as soon as anything is unusual.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from kz_timeline.reading.text_categories import SAMPLE_ROWS, few_distinct, text_categories

QUOTE, COMMA, NEWLINE = ord('"'), ord(","), ord("\n")


def read_clean_csv(
    data: bytes, header: list[str], categorical: Collection[str] = (), sampled: Collection[str] = ()
) -> tuple[pd.DataFrame, range | npt.NDArray[np.int64]] | None:
    """Return the columns of `data` as strings and the 1-based start line of every row, or None if not clean.

    `data` must have no BOM, NUL or carriage return, and `header` must be its first line, already checked. The
    `categorical` columns are returned as pandas categories (`text_categories`), dictionary-encoded as pyarrow parses;
    so is each `sampled` column whose first values are few (`text_categories.few_distinct`).
    """
    array = np.frombuffer(data, dtype=np.uint8)
    quotes, newlines = _positions(array, QUOTE, NEWLINE)
    if not _quotes_are_strict(array, quotes):
        return None
    # A newline is inside a quoted field when an odd number of quotes precede it.
    outside = np.searchsorted(quotes, newlines) % 2 == 0
    row_ends = newlines[outside]
    if len(row_ends) == 0 or row_ends[0] != len(header_line(data)):
        return None
    starts = np.concatenate(([0], row_ends + 1))
    ends = np.concatenate((row_ends, [len(array)]))
    if np.any(starts[1:-1] == ends[1:-1]):  # a blank line (the exact reader words the problem)
        return None
    row_count = len(row_ends) - 1 + (1 if ends[-1] > starts[-1] else 0)
    newlines_in_values = not bool(outside.all())
    few: set[str] = set()
    decided_after = sampled  # a file of no more than SAMPLE_ROWS rows: its columns are sampled once parsed whole
    if sampled and len(row_ends) > SAMPLE_ROWS:
        # Decided on the first rows alone, so that a column held as categories is never built whole as strings.
        first = _parse(memoryview(data)[: row_ends[SAMPLE_ROWS]], header, set(categorical), newlines_in_values)
        if first is None:
            return None
        few = {name for name in sampled if _few_first_values(first.column(name))}
        decided_after = ()
    table = _parse(data, header, {*categorical, *few}, newlines_in_values)
    if table is None:
        return None
    if table.num_rows != row_count:
        return None
    # Row i (0-based) starts on the line after the i-th row end (the header's end is the 0th). Kept as a range or
    # an array: a list of a million ints would cost more memory than the column it locates.
    row_lines: range | npt.NDArray[np.int64] = (
        range(2, row_count + 2) if outside.all() else (np.flatnonzero(outside)[:row_count] + 2).astype(np.int64)
    )
    columns: dict[str, pd.Series] = {}
    for name in header:
        column = table.column(name)
        if name in decided_after and _few_first_values(column):
            column = pc.dictionary_encode(column)
        columns[name] = _categories(column) if pa.types.is_dictionary(column.type) else _strings(column)
    frame = pd.DataFrame(columns)
    del table
    return frame, row_lines


def _parse(data: bytes | memoryview, header: list[str], dictionary: set[str], newlines_in_values: bool) -> pa.Table | None:
    """Parse clean CSV bytes after their header: the `dictionary` columns dictionary-encoded, the rest as strings."""
    try:
        return pa_csv.read_csv(
            pa.BufferReader(data),
            read_options=pa_csv.ReadOptions(column_names=header, skip_rows=1),
            parse_options=pa_csv.ParseOptions(
                quote_char='"',
                double_quote=True,
                escape_char=False,
                newlines_in_values=newlines_in_values,
                ignore_empty_lines=False,
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types={name: _DICTIONARY if name in dictionary else pa.large_string() for name in header},
                null_values=[],
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                check_utf8=True,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None


def _positions(array: np.ndarray, first: int, second: int, block: int = 1 << 22) -> tuple[np.ndarray, np.ndarray]:
    """Return the offsets of byte `first` and of byte `second` in `array`, one block at a time.

    One mask the size of a block is reused for every block and both bytes: a whole-file mask would double the
    memory, and a new mask per block would cost the kernel fresh zeroed pages each time (measured: half the time).
    """
    mask = np.empty(min(block, len(array)), dtype=bool)
    found: tuple[list[np.ndarray], list[np.ndarray]] = ([], [])
    for start in range(0, len(array), block):
        chunk = array[start : start + block]
        part = mask[: len(chunk)]
        for byte, offsets in zip((first, second), found, strict=True):
            np.equal(chunk, byte, out=part)
            offsets.append(np.flatnonzero(part) + start)
    empty = np.zeros(0, dtype=np.intp)
    return tuple(np.concatenate(offsets) if offsets else empty for offsets in found)  # type: ignore[return-value]


def header_line(data: bytes) -> bytes:
    """Return the bytes of the first line, without its newline."""
    end = data.find(b"\n")
    return data if end < 0 else data[:end]


def _quotes_are_strict(array: np.ndarray, quotes: np.ndarray) -> bool:
    """Check that quotes open only at a field's start, close only at its end, and pair up inside.

    With quotes used only that way, the k-th quote (0-based) opens or re-opens a quoted field when k is even and
    closes it when k is odd; so an even one must follow a field start or a closing quote, an odd one must precede a
    field end or a quote.
    """
    if len(quotes) == 0:
        return True
    if len(quotes) % 2:
        return False
    opening, closing = quotes[0::2], quotes[1::2]
    # The byte before each opening quote and after each closing one; the file's start and end count as a newline.
    before = array[np.maximum(opening - 1, 0)]
    if opening[0] == 0:
        before[0] = NEWLINE
    after = array[np.minimum(closing + 1, len(array) - 1)]
    if closing[-1] == len(array) - 1:
        after[-1] = NEWLINE
    return bool(_BESIDE_QUOTES[before].all() and _BESIDE_QUOTES[after].all())


#: The bytes that may stand before an opening quote or after a closing one, as a lookup table by byte value.
_BESIDE_QUOTES = np.zeros(256, dtype=bool)
_BESIDE_QUOTES[[COMMA, NEWLINE, QUOTE]] = True


def _strings(column: pa.ChunkedArray) -> pd.Series:
    """Return a pyarrow string column as a pandas `str` Series without copying the characters."""
    return pd.Series(pd.array(column, dtype="str"))


#: The type a categorical column is parsed as: each block of the file gets its own dictionary.
_DICTIONARY = pa.dictionary(pa.int32(), pa.string())


def _categories(column: pa.ChunkedArray) -> pd.Series:
    """Return a dictionary-encoded pyarrow column as pandas categories, in the form `text_categories` gives."""
    return text_categories(column.to_pandas().array)


def _few_first_values(column: pa.ChunkedArray) -> bool:
    """Say whether the column's first SAMPLE_ROWS values hold few distinct texts (`few_distinct`)."""
    first = column.slice(0, SAMPLE_ROWS)
    return few_distinct(pc.count_distinct(first).as_py(), len(first))
