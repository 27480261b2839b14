"""Lengths of values and rows: each fits what the site's SQLite can read and sort (see defaults.SITE_VALUE_BYTES).

A value longer than that cannot be shown by the site at all: any page, export or query that reads it fails with
"string or blob too big". A row longer than that cannot be sorted by a column without an index.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from kz_timeline.defaults import SITE_ROW_BYTES, SITE_VALUE_BYTES
from kz_timeline.errors import Problem
from kz_timeline.reading.csv_files import RawTable
from kz_timeline.reading.text_categories import distinct_texts, per_row


def check_value_lengths(raw: RawTable) -> list[Problem]:
    """Report each value longer than SITE_VALUE_BYTES in UTF-8, then each row whose values together exceed SITE_ROW_BYTES.

    A file whose every row takes at most that many bytes (`RawTable.longest_record`, measured as it was read) has no
    such value or row: a row's values are its bytes less the separators and quoting.
    """
    if raw.longest_record is not None and raw.longest_record <= min(SITE_VALUE_BYTES, SITE_ROW_BYTES):
        return []
    problems: list[Problem] = []
    row_bytes = np.zeros(len(raw.frame), dtype=np.int64)
    for column in raw.table.columns:
        texts, codes = distinct_texts(raw.frame[column.name])
        lengths = per_row(_utf8_lengths(texts.array), codes)
        row_bytes += lengths
        for index in np.flatnonzero(lengths > SITE_VALUE_BYTES).tolist():
            message = (
                f"is {int(lengths[index]):,} bytes long in UTF-8; a value may hold at most {SITE_VALUE_BYTES:,} "
                "(the site's SQLite limit, SECURITY.md): shorten it"
            )
            problems.append(Problem(raw.file, raw.line_of(index), column.name, message))
    reported = {problem.line for problem in problems}
    for index in np.flatnonzero(row_bytes > SITE_ROW_BYTES).tolist():
        line = raw.line_of(index)
        if line in reported:
            continue  # its long value is reported already
        message = (
            f"the row's values together are {int(row_bytes[index]):,} bytes long in UTF-8; a row may hold at most "
            f"{SITE_ROW_BYTES:,} (the site sorts whole rows within its SQLite limit, SECURITY.md): shorten its text"
        )
        problems.append(Problem(raw.file, line, None, message))
    return problems


def _utf8_lengths(values: object) -> np.ndarray:
    """Return the UTF-8 byte length of each string (whole-column, from the Arrow offsets)."""
    return np.asarray(pc.binary_length(pa.array(values)), dtype=np.int64)
