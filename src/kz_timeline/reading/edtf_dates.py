"""Parse the supported subset of EDTF (ISO 8601-2) and derive a date's bounds, precision and certainty.

The subset, and nothing else, is accepted:

- a calendar date at day, month or year precision: ``2022-06-17``, ``2017-09``, ``2022``;
- unspecified digits from the right: ``2022-01-XX``, ``2022-XX``, ``201X`` (decade), ``19XX`` (century);
- a qualifier after a date: ``?`` uncertain, ``~`` approximate, ``%`` both (``2022~``, ``2009?``);
- an interval of two such dates, ``2022-01-02/2022-01-11``, with an open end ``2022-01-05/..`` (still going on)
  or an unknown end ``2022-01-05/``.

Open or unknown starts, seasons, sets, times and Level 2 features are rejected. Bounds are strict (EDTF's
``lower_strict``/``upper_strict``), except that an open or unknown end has no bound (the ``edtf`` package would
invent one ten years on). Parsing is done here rather than by the ``edtf`` package because that package takes
milliseconds per value; the test suite checks that both agree on every form of the subset, and the ``edtf``
package is asked only to explain a rejected value.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from kz_timeline.schema.vocabularies import DateCertainty, DateEndStatus, DatePrecision

_SIDE = re.compile(
    r"(?P<year>[0-9]{4}|[0-9]{3}X|[0-9]{2}XX)"
    r"(?:-(?P<month>[0-9]{2}|XX)(?:-(?P<day>[0-9]{2}|XX))?)?"
    r"(?P<qualifier>[?~%])?"
)
_PRECISION_ORDER = [DatePrecision.DAY, DatePrecision.MONTH, DatePrecision.YEAR, DatePrecision.DECADE, DatePrecision.CENTURY]


class EdtfError(ValueError):
    """A value that is not a date of the supported EDTF subset."""

    def __init__(self, message: str, *, impossible: bool = False) -> None:
        super().__init__(message)
        #: True when no EDTF reading could make sense of it either (a day that does not exist, a reversed interval).
        self.impossible = impossible


@dataclass(frozen=True)
class DerivedDate:
    """What the derived date columns of an event hold."""

    start: dt.date
    end: dt.date | None
    precision: DatePrecision
    certainty: DateCertainty
    end_status: DateEndStatus


@dataclass(frozen=True)
class _Side:
    start: dt.date
    end: dt.date
    precision: DatePrecision
    qualifier: str


def _parse_side(text: str) -> _Side:
    match = _SIDE.fullmatch(text)
    if match is None:
        raise EdtfError(f"{text!r} is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD")
    year_text, month_text, day_text = match["year"], match["month"], match["day"]
    qualifier = match["qualifier"] or ""
    if "X" in year_text and (month_text or day_text):
        raise EdtfError(f"{text!r}: a year with unspecified digits cannot have a month or day")
    if month_text == "XX" and day_text not in (None, "XX"):
        raise EdtfError(f"{text!r}: an unspecified month cannot have a specified day")
    if year_text.endswith("XX"):
        first_year, last_year, precision = int(year_text[:2]) * 100, int(year_text[:2]) * 100 + 99, DatePrecision.CENTURY
    elif year_text.endswith("X"):
        first_year, last_year, precision = int(year_text[:3]) * 10, int(year_text[:3]) * 10 + 9, DatePrecision.DECADE
    else:
        first_year = last_year = int(year_text)
        precision = DatePrecision.YEAR
    first_year = max(first_year, 1)
    if last_year < 1:
        raise EdtfError(f"{text!r}: year 0 is outside the supported range 0001-9999")
    if month_text is None or month_text == "XX":
        return _Side(dt.date(first_year, 1, 1), dt.date(last_year, 12, 31), precision, qualifier)
    month = int(month_text)
    if not 1 <= month <= 12:
        raise EdtfError(f"{text!r}: month {month_text} does not exist", impossible=True)
    year = first_year
    last_day = calendar.monthrange(year, month)[1]
    if day_text is None or day_text == "XX":
        return _Side(dt.date(year, month, 1), dt.date(year, month, last_day), DatePrecision.MONTH, qualifier)
    day = int(day_text)
    if not 1 <= day <= last_day:
        raise EdtfError(f"{text!r}: {calendar.month_name[month]} {year} has no day {day_text}", impossible=True)
    exact = dt.date(year, month, day)
    return _Side(exact, exact, DatePrecision.DAY, qualifier)


def _certainty(qualifiers: set[str]) -> DateCertainty:
    qualifiers.discard("")
    if not qualifiers:
        return DateCertainty.EXACT
    if qualifiers == {"?"}:
        return DateCertainty.UNCERTAIN
    if qualifiers == {"~"}:
        return DateCertainty.APPROXIMATE
    return DateCertainty.UNCERTAIN_AND_APPROXIMATE


@lru_cache(maxsize=1 << 18)  # a million events have some 160,000 distinct dates
def derive_date(value: str) -> DerivedDate:
    """Parse `value` as EDTF of the supported subset and derive its columns; raise EdtfError if it is not."""
    if value != value.strip():
        raise EdtfError(f"{value!r} has spaces around it", impossible=True)
    if value.count("/") > 1:
        raise EdtfError(f"{value!r} has more than one '/'")
    if "/" not in value:
        side = _parse_side(value)
        return DerivedDate(side.start, side.end, side.precision, _certainty({side.qualifier}), DateEndStatus.CLOSED)
    start_text, end_text = value.split("/")
    if start_text in ("", ".."):
        raise EdtfError(f"{value!r}: open or unknown starts are not supported; give the earliest possible start")
    start = _parse_side(start_text)
    if end_text in ("", ".."):
        status = DateEndStatus.OPEN if end_text == ".." else DateEndStatus.UNKNOWN
        return DerivedDate(start.start, None, start.precision, _certainty({start.qualifier}), status)
    end = _parse_side(end_text)
    if end.start < start.start:
        raise EdtfError(f"{value!r}: the interval ends ({end_text}) before it starts ({start_text})", impossible=True)
    coarsest = max(start.precision, end.precision, key=_PRECISION_ORDER.index)
    return DerivedDate(start.start, end.end, coarsest, _certainty({start.qualifier, end.qualifier}), DateEndStatus.CLOSED)


def explain_rejection(value: str) -> str:
    """Say why `value` was rejected, noting when it is valid EDTF outside the supported subset."""
    try:
        derive_date(value)
    except EdtfError as error:
        reason = str(error)
        if error.impossible:
            return f"not a valid date: {reason}"
    else:
        return f"{value!r} is a supported EDTF date"
    try:
        from edtf import parse_edtf  # imported here: slow to import, needed only to explain an error

        parse_edtf(value)
    except Exception:  # noqa: BLE001 - the edtf package raises several unrelated types for bad input
        return f"not a valid EDTF date: {reason}{_hint(value)}"
    return f"valid EDTF, but outside the supported subset (see kz_timeline.reading.edtf_dates): {reason}"


def _hint(value: str) -> str:
    """Suggest the EDTF spelling of a few common mistakes."""
    if re.search(r"(\?~|~\?)$", value):
        return f"; the old draft wrote '?~', EDTF writes '%' for uncertain and approximate: {value[:-2]}%"
    if re.fullmatch(r"[0-9]{1,2}[/.][0-9]{1,2}[/.][0-9]{4}", value):
        return "; write the day as YYYY-MM-DD (2022-06-17)"
    return ""


def format_human(value: str) -> str:
    """Write an EDTF date as a person would: '17 June 2022', 'September 2017', '2 to 11 January 2022'."""
    derive_date(value)  # raises EdtfError for anything outside the subset, a reversed interval included
    if "/" in value:
        start_text, end_text = value.split("/")
        start_side = _parse_side(start_text)
        if end_text in ("", ".."):
            tail = "ongoing" if end_text == ".." else "end unknown"
            return f"from {_human_side(start_text, start_side)} ({tail})"
        end_side = _parse_side(end_text)
        if start_side.precision == end_side.precision == DatePrecision.DAY and start_side.start.replace(
            day=1
        ) == end_side.start.replace(day=1):
            return f"{start_side.start.day} to {_human_side(end_text, end_side)}"
        return f"{_human_side(start_text, start_side)} to {_human_side(end_text, end_side)}"
    return _human_side(value, _parse_side(value))


def _human_side(text: str, side: _Side) -> str:
    if side.precision == DatePrecision.DAY:
        body = f"{side.start.day} {calendar.month_name[side.start.month]} {side.start.year}"
    elif side.precision == DatePrecision.MONTH:
        body = f"{calendar.month_name[side.start.month]} {side.start.year}"
    elif side.precision == DatePrecision.YEAR:
        body = str(side.start.year)
    elif side.precision == DatePrecision.DECADE:
        body = f"the {side.start.year // 10 * 10}s"
    else:
        body = f"the {side.end.year // 100 * 100}s"
    prefix = {"": "", "?": "perhaps ", "~": "about ", "%": "perhaps about "}[side.qualifier]
    return prefix + body
