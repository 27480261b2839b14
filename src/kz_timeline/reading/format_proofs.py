"""Prove from a column's bytes that every value has its format, without a regex per value (a fast path).

An identifier column of a million rows costs a million regex matches; its Arrow buffers can be tested whole in a
few array operations instead. A proof only ever says "every value is well-formed" or "cannot tell": when it cannot
tell, the exact check (the regex, and for dates the calendar) runs as before and words each problem, so the problems
reported never depend on the proof.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from kz_timeline.reading.text_categories import distinct_texts
from kz_timeline.schema.models import ISO_DATE, SLUG, ValueFormat

#: The bytes a slug may hold, and its two separators.
_SLUG_TEXT = b"abcdefghijklmnopqrstuvwxyz0123456789_-"
_UNDERSCORE, _DASH = ord("_"), ord("-")
#: Bytes tested at a time by a proof over a column's characters: small enough to stay in the CPU's cache.
PROOF_CHUNK = 1 << 20
#: Days in each month (index 1-12) of a common year.
_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
#: Where a YYYY-MM-DD date has its digits, and its dashes.
_DIGITS, _DASHES = [0, 1, 2, 3, 5, 6, 8, 9], [4, 7]


def proves_format(values: pd.Series, value_format: ValueFormat) -> bool:
    """Say whether every non-empty value of `values` (a `str` or categorical column) surely has `value_format`.

    False means "cannot tell" (always so for formats without a proof here): check the values one by one.
    """
    prove = _PROOFS.get(value_format.name)
    if prove is None:
        return False
    texts, _ = distinct_texts(values)  # of categories, each text once
    array = pa.array(texts.array)
    chunks = array.chunks if isinstance(array, pa.ChunkedArray) else [array]
    return all(chunk.null_count == 0 and prove(*_buffers(chunk)) for chunk in chunks)


def _buffers(chunk: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Return a string chunk's value offsets (one more than its values) and its character bytes, as NumPy arrays."""
    kind = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
    _, offsets_buffer, data_buffer = chunk.buffers()
    offsets = np.frombuffer(offsets_buffer, dtype=kind)[chunk.offset : chunk.offset + len(chunk) + 1].astype(np.int64)
    data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer is not None else np.zeros(0, dtype=np.uint8)
    return offsets, data


def _proves_slugs(offsets: np.ndarray, data: np.ndarray) -> bool:
    """`^[a-z0-9]+(?:[_-][a-z0-9]+)*$` for every non-empty value.

    The values' bytes are all slug bytes; no two separators stand side by side anywhere; and each value starts and
    ends with a byte that is not a separator. As no value then starts or ends with a separator, two separators side
    by side can only lie within one value, so the bytes are tested as one run, a chunk at a time (each chunk one
    byte longer, for a pair across chunks): a deletion by `bytes.translate` and NumPy comparisons in buffers that
    stay in the CPU's cache, where a lookup table indexed by every byte costs several times more.
    """
    if len(offsets) < 2:
        return True
    first, last = int(offsets[0]), int(offsets[-1])
    size = min(PROOF_CHUNK, max(last - first, 0)) + 1
    separator, dash = np.empty(size, dtype=bool), np.empty(size, dtype=bool)
    for at in range(first, last, PROOF_CHUNK):
        chunk = data[at : min(at + PROOF_CHUNK + 1, last)]
        if chunk.tobytes().translate(None, _SLUG_TEXT):
            return False  # a byte that no slug holds
        these, pairs = separator[: len(chunk)], dash[: len(chunk)]
        np.equal(chunk, _UNDERSCORE, out=these)
        np.equal(chunk, _DASH, out=pairs)
        np.logical_or(these, pairs, out=these)
        np.logical_and(these[1:], these[:-1], out=pairs[:-1])
        if pairs[:-1].any():
            return False
    starts, ends = offsets[:-1], offsets[1:]
    present = ends > starts
    if not present.all():
        starts, ends = starts[present], ends[present]
    head, tail = data[starts], data[ends - 1]
    return not bool(((head == _UNDERSCORE) | (head == _DASH) | (tail == _UNDERSCORE) | (tail == _DASH)).any())


def _proves_days(offsets: np.ndarray, data: np.ndarray) -> bool:
    """YYYY-MM-DD naming a day of the calendar, for every non-empty value; years 0001-9999.

    The exact check (the regex, then pandas' calendar) takes year 0000 too: such a value is left to it.
    """
    starts, lengths = offsets[:-1], np.diff(offsets)
    present = lengths > 0
    if not (lengths[present] == 10).all():
        return False
    starts = starts[present]
    if len(starts) == 0:
        return True
    characters = data[starts[:, None] + np.arange(10)]
    digits = characters[:, _DIGITS].astype(np.int64) - ord("0")
    if not ((digits >= 0) & (digits <= 9)).all() or not (characters[:, _DASHES] == ord("-")).all():
        return False
    year = digits[:, 0] * 1000 + digits[:, 1] * 100 + digits[:, 2] * 10 + digits[:, 3]
    month = digits[:, 4] * 10 + digits[:, 5]
    day = digits[:, 6] * 10 + digits[:, 7]
    if not ((year >= 1) & (month >= 1) & (month <= 12) & (day >= 1)).all():
        return False
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    return bool((day <= _MONTH_DAYS[month] + (leap & (month == 2))).all())


_PROOFS = {SLUG.name: _proves_slugs, ISO_DATE.name: _proves_days}
