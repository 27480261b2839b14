"""Control characters in cells: none, except tab, line feed and carriage return in the text columns, where text may break.

A vertical tab or an escape in a title reads as nothing on screen, and makes the GraphML and GEXF exports ill-formed
XML (XML 1.0 admits no C0 control character but those three).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa

from kz_timeline.errors import Problem
from kz_timeline.reading.csv_files import RawTable
from kz_timeline.reading.text_categories import distinct_texts

#: C0 controls, DEL and C1 controls (Unicode category Cc); in text, all but tab, line feed and carriage return.
_ANY_CONTROL = "[\x00-\x1f\x7f-\x9f]"
_CONTROL_IN_TEXT = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
#: Columns are scanned in pieces of this many bytes (bounded memory).
_SCAN_BYTES = 16 * 1024 * 1024


def check_control_characters(raw: RawTable) -> list[Problem]:
    """Report each cell holding a control character it may not hold, naming the character and where it is.

    A cell of a column with a format (slug, URL, date, ...) is reported only when it matches its format otherwise:
    the format's own message covers the rest. Vocabulary columns admit only their terms anyway.
    """
    problems: list[Problem] = []
    for column in raw.table.columns:
        if column.vocabulary is not None:
            continue
        text = column.value_format is None
        pattern = _CONTROL_IN_TEXT if text else _ANY_CONTROL
        values = raw.frame[column.name]
        if not _may_hold_control(values, breaks_allowed=text):
            continue  # the usual case, told by one pass over the column's bytes (a regex per cell is 8 times slower)
        bad = values.str.contains(pattern, regex=True)
        if column.value_format is not None:
            bad &= values.str.fullmatch(column.value_format.pattern)
        allowed = "only tab, line feed and carriage return may appear in text" if text else "remove it"
        for index in bad.to_numpy().nonzero()[0].tolist():
            value = str(values.iat[index])
            found = re.search(pattern, value)
            assert found is not None
            character = f"U+{ord(found.group()):04X}"
            message = f"holds the control character {character} at character {found.start() + 1}; {allowed}"
            problems.append(Problem(raw.file, raw.line_of(index), column.name, message))
    return problems


def _may_hold_control(values: pd.Series, *, breaks_allowed: bool) -> bool:
    """Say whether a column's UTF-8 bytes hold a control: a byte below 20 or 7F, or C2 then 80-9F (a C1 control)."""
    texts, _ = distinct_texts(values)  # of categories, each text once
    array = pa.array(texts.array)
    for chunk in array.chunks if isinstance(array, pa.ChunkedArray) else [array]:
        buffer = chunk.buffers()[2]
        data = np.frombuffer(buffer, dtype=np.uint8) if buffer is not None else np.empty(0, dtype=np.uint8)
        for start in range(0, len(data), _SCAN_BYTES):
            piece = data[start : start + _SCAN_BYTES + 1]  # one byte more: a C2 that ends a piece
            low = piece < 0x20
            if breaks_allowed and low.any():
                low &= (piece != 0x09) & (piece != 0x0A) & (piece != 0x0D)
            if low.any() or (piece == 0x7F).any():
                return True
            leads = np.flatnonzero(piece[:-1] == 0xC2)
            if leads.size and (piece[leads + 1] < 0xA0).any():
                return True
    return False
