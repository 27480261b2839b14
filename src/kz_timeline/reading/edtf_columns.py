"""Derive the common EDTF shapes of a whole column at once; `edtf_dates.derive_date` stays the one exact parser.

The shapes taken here are a date of years 1000-9999 at day, month or year precision, with an optional qualifier
(``2022-06-17``, ``2017-09?``, ``2022~``), and an interval of two such dates or with an open or unknown end
(``2022-01-02/2022-01-11``, ``2022-01-05/..``, ``2022-01-05/``). Every value of those shapes whose month, day and
order are valid is derived with NumPy; everything else (unspecified digits, years before 1000, a month 13, 30
February, a reversed interval, spaces, any other text) is left to `derive_date`, which derives it or words why not.
The test suite checks that both give the same texts on every value (tests/test_date_table.py). The same shapes
are written in words (`format_common_dates`) as `edtf_dates.format_human` writes them.
"""

from __future__ import annotations

import calendar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from kz_timeline.schema.vocabularies import DateCertainty, DateEndStatus, DatePrecision

_SIDE = r"(?P<y{n}>[1-9][0-9]{{3}})(?:-(?P<m{n}>[0-9]{{2}})(?:-(?P<d{n}>[0-9]{{2}}))?)?(?P<q{n}>[?~%]?)"
#: One side, then optionally '/' and '..', another side, or nothing. A match that is not one of those shapes (an
#: end side without '/', '..' followed by a side) is sorted out after the match.
_SHAPE = "^" + _SIDE.format(n=1) + r"(?P<slash>/?)(?P<open>(?:\.\.)?)(?:" + _SIDE.format(n=2) + ")?$"
#: Precisions from finest to coarsest: an interval has the coarser of its sides'.
_PRECISIONS = np.array([DatePrecision.DAY.value, DatePrecision.MONTH.value, DatePrecision.YEAR.value], dtype=object)
_CERTAINTIES = np.array(
    [
        DateCertainty.EXACT.value,
        DateCertainty.UNCERTAIN.value,
        DateCertainty.APPROXIMATE.value,
        DateCertainty.UNCERTAIN_AND_APPROXIMATE.value,
    ],
    dtype=object,
)


def derive_common_dates(values: pa.Array) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Derive the values of the common shapes; return which were derived and the derived columns' texts.

    The texts (date_start, date_end, date_precision, date_certainty, date_end_status) are object arrays as long as
    `values`, set where the first array is True; nulls and every other value are left to `derive_date`.
    """
    count = len(values)
    texts = {name: np.full(count, "", dtype=object) for name in DERIVED_FIELDS}
    parts = pc.extract_regex(values, _SHAPE)
    matched = np.asarray(parts.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    if not matched.any():
        return matched, texts
    start, end1, rank1, valid = _side(parts, 1)
    start2, end, rank2, valid2 = _side(parts, 2)
    slash, is_open, has_end = _is(parts, "slash", "/"), _is(parts, "open", ".."), ~_is(parts, "y2", "")
    shaped = matched & valid & ~(is_open & has_end) & (slash | ~(is_open | has_end))
    closed = ~slash | has_end
    # An interval's end side must be a valid date that does not start before the start does.
    done = shaped & (~has_end | (valid2 & (start2 >= start)))
    end = np.where(has_end, end, end1)
    rank = np.where(has_end, np.maximum(rank1, rank2), rank1)
    both = _is(parts, "q1", "%") | _is(parts, "q2", "%")
    uncertain = both | _is(parts, "q1", "?") | _is(parts, "q2", "?")
    approximate = both | _is(parts, "q1", "~") | _is(parts, "q2", "~")
    rows = np.flatnonzero(done)
    texts["date_start"][rows] = _iso(start[rows])
    closed_rows = rows[closed[rows]]
    texts["date_end"][closed_rows] = _iso(end[closed_rows])
    texts["date_precision"][rows] = _PRECISIONS[rank[rows]]
    texts["date_certainty"][rows] = _CERTAINTIES[(uncertain.astype(int) + 2 * approximate.astype(int))[rows]]
    unclosed = np.where(is_open, DateEndStatus.OPEN.value, DateEndStatus.UNKNOWN.value)
    status = np.where(closed, DateEndStatus.CLOSED.value, unclosed)
    texts["date_end_status"][rows] = status[rows]
    return done, texts


def format_common_dates(values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Write the values of the common shapes in words, as `edtf_dates.format_human` does; return which were written.

    The words are an object array as long as `values`, set where the first array is True (the values that
    `derive_common_dates` derives); every other value is left to `format_human`.
    """
    done, _ = derive_common_dates(values)
    words = np.full(len(values), "", dtype=object)
    if not done.any():
        return done, words
    parts = pc.extract_regex(values, _SHAPE)
    first, first_day, first_month = _side_words(parts, 1)
    second, _, second_month = _side_words(parts, 2)
    slash, is_open, has_end = _is(parts, "slash", "/"), _is(parts, "open", ".."), ~_is(parts, "y2", "")
    # Two days of one month: "2 to 11 January 2022" (the first day's qualifier is not written, as format_human does).
    one_month = ~_is(parts, "d1", "") & ~_is(parts, "d2", "") & (first_month == second_month)
    interval = np.where(one_month, first_day + " to " + second, first + " to " + second)
    unclosed = "from " + first + np.where(is_open, " (ongoing)", " (end unknown)").astype(object)
    written = np.where(has_end, interval, np.where(slash, unclosed, first))
    words[done] = written[done]
    return done, words


_MONTH_NAMES = np.array(["", *calendar.month_name[1:]], dtype=object)
_PREFIXES = {"?": "perhaps ", "~": "about ", "%": "perhaps about "}


def _side_words(parts: pa.StructArray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return one side in words ('perhaps 17 June 2022'), its day ('17') and its year and month ('2022-06')."""
    year = _texts(parts, f"y{n}")
    month, day = _numbers(parts.field(f"m{n}")), _numbers(parts.field(f"d{n}"))
    has_month, has_day = ~_is(parts, f"m{n}", ""), ~_is(parts, f"d{n}", "")
    # A month that does not exist is in a value left to format_human; its words here are never used.
    month_year = _MONTH_NAMES[np.where((month >= 1) & (month <= 12), month, 0)] + " " + year
    day_text = day.astype(str).astype(object)
    body = np.where(has_day, day_text + " " + month_year, np.where(has_month, month_year, year))
    qualifier = _texts(parts, f"q{n}")
    prefix = np.full(len(qualifier), "", dtype=object)
    for mark, words in _PREFIXES.items():
        prefix[qualifier == mark] = words
    return prefix + body, day_text, year + "-" + _texts(parts, f"m{n}")


def _texts(parts: pa.StructArray, name: str) -> np.ndarray:
    """Return a field of the match as an object array of texts ("" where empty or unmatched)."""
    return np.asarray(parts.field(name).fill_null("").to_numpy(zero_copy_only=False), dtype=object)


#: The derived columns, in the order of the events table.
DERIVED_FIELDS = ("date_start", "date_end", "date_precision", "date_certainty", "date_end_status")


def _side(parts: pa.StructArray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return one side's first and last day (datetime64[D]), precision rank (0 day, 1 month, 2 year) and validity.

    A side that is absent, or whose month or day does not exist, is not valid (its days are then meaningless).
    """
    year, month, day = (_numbers(parts.field(f"{part}{n}")) for part in "ymd")
    has_month, has_day = ~_is(parts, f"m{n}", ""), ~_is(parts, f"d{n}", "")
    valid = (year > 0) & (~has_month | ((month >= 1) & (month <= 12)))
    first_month = ((year - 1970) * 12 + np.where(has_month & valid, month, 1) - 1).astype("datetime64[M]")
    last_month = first_month + np.where(has_month, 0, 11)
    days_in_month = ((first_month + 1).astype("datetime64[D]") - first_month.astype("datetime64[D]")).astype(np.int64)
    valid &= ~has_day | ((day >= 1) & (day <= days_in_month))
    start = first_month.astype("datetime64[D]") + np.where(has_day & valid, day - 1, 0)
    end = np.where(has_day, start, (last_month + 1).astype("datetime64[D]") - 1)
    rank = np.where(has_day, 0, np.where(has_month, 1, 2))
    return start, end, rank, valid


def _is(parts: pa.StructArray, name: str, text: str) -> np.ndarray:
    """Return where a field of the match is `text` (a row that did not match has every field "")."""
    return np.asarray(pc.equal(parts.field(name).fill_null(""), text).to_numpy(zero_copy_only=False), dtype=bool)


def _numbers(column: pa.Array) -> np.ndarray:
    """Return a field of digits as integers (0 where empty or unmatched)."""
    digits = pc.if_else(pc.equal(column.fill_null(""), ""), "0", column.fill_null(""))
    return np.asarray(pc.cast(digits, pa.int64()).to_numpy(zero_copy_only=False), dtype=np.int64)


def _iso(days: np.ndarray) -> np.ndarray:
    """Return days of years 1000-9999 as YYYY-MM-DD texts."""
    return np.asarray(pc.cast(pa.array(days), pa.string()).to_numpy(zero_copy_only=False), dtype=object)
