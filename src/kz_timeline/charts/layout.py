"""Lay out the timeline in pixels before Vega does: whole-year domains, the span it opens on, rows and labels.

Pure pandas. Positions are computed for the view the chart opens on, in a plot `width` pixels wide (WIDTH on a wide
screen, NARROW_WIDTH on a phone); in HTML a reader may zoom, and the labels keep the places chosen here.
"""

from __future__ import annotations

import math

import pandas as pd

#: Width of the plot area of every chart, in pixels: on a wide screen, and on a phone (a 390 px viewport).
WIDTH = 960
NARROW_WIDTH = 320
#: Chart widths at or below this are drawn for a narrow screen: shorter axis labels, legends in one column.
NARROW_LIMIT = 600
#: Height of a lane of the timeline: its name at the top, up to three levels of labels, up to four rows of marks.
LANE_STEP = 96
#: Where, from the top of a lane, its name is written.
LANE_NAME_OFFSET = 9
ACTOR_STEP = 20
OVERVIEW_HEIGHT = 44
LABEL_FONT_SIZE = 11
#: Width of one character of an 11 px sans-serif label, generously estimated, for placing labels apart.
CHAR_WIDTH = 6.4
#: At most this many key events are labelled (those with most op-ed claims first, then the earliest).
MAX_LABELS = 20
# Within a lane's band (offsets from its top, in pixels): up to three levels of labels, then up to four rows of marks.
LABEL_LEVELS = 3
LABEL_GAP = 13
LABEL_BASE = 50
MARK_ROWS = 4
ROW_GAP = 9
ROW_BASE = 62
#: The timeline opens on the shortest span that holds this share of the op-ed's key events ...
DENSE_SHARE = 0.8
#: ... widened by this share of its length on each side, then to whole months.
DENSE_MARGIN = 0.1


Domain = tuple[pd.Timestamp, pd.Timestamp]


def full_domain(start: pd.Series, end: pd.Series) -> Domain:
    """Return whole years around every date, so open ends have an axis end to run to."""
    first = pd.Timestamp(year=start.min().year, month=1, day=1, tz="UTC")
    last = pd.Timestamp(year=(end.max() - pd.Timedelta(days=1)).year + 1, month=1, day=1, tz="UTC")
    return first, last


def _month_start(time: pd.Timestamp) -> pd.Timestamp:
    return pd.Timestamp(year=time.year, month=time.month, day=1, tz="UTC")


def dense_window(times: pd.Series, domain: Domain, share: float = DENSE_SHARE) -> Domain | None:
    """Return the span the timeline opens on: the shortest that holds `share` of `times`, with a margin, in whole months.

    `times` are the starts of the op-ed's key events. None when the span would be the whole `domain` anyway (fewer
    than three key events, or a window as long as the domain).
    """
    ordered = times.dropna().sort_values().reset_index(drop=True)
    if len(ordered) < 3:
        return None
    count = max(2, math.ceil(share * len(ordered)))
    lengths = ordered.iloc[count - 1 :].reset_index(drop=True) - ordered.iloc[: len(ordered) - count + 1]
    first = int(lengths.to_numpy().argmin())
    start, end = ordered.iloc[first], ordered.iloc[first + count - 1]
    margin = max((end - start) * DENSE_MARGIN, pd.Timedelta(days=31))
    start = _month_start(start - margin)
    end = _month_start(end + margin) + pd.DateOffset(months=1)
    start, end = max(start, domain[0]), min(end, domain[1])
    if (end - start) >= (domain[1] - domain[0]) * 0.9:
        return None
    return start, end


def to_px(times: pd.Series, domain: Domain, width: float = WIDTH) -> pd.Series:
    """Return the x position of each time, in pixels of a plot `width` wide showing `domain`."""
    span = (domain[1] - domain[0]).total_seconds()
    return (times - domain[0]).dt.total_seconds() / span * width


def pack_rows(frame: pd.DataFrame, domain: Domain, width: float = WIDTH) -> pd.Series:
    """Give each event a row within its lane so that marks overlap as little as the initial view allows."""
    x0 = to_px(frame["start"], domain, width)
    x1 = to_px(frame["end"], domain, width).where(frame["end_status"] == "closed", width)
    rows = pd.Series(0, index=frame.index)
    for _, lane in frame.groupby("lane", sort=False):
        ends = [-1e9] * MARK_ROWS
        for index in lane.sort_values(["start", "end"]).index:
            left, right = x0[index] - 5, max(x1[index], x0[index] + 5)
            free = [row for row in range(MARK_ROWS) if ends[row] < left]
            row = free[0] if free else min(range(MARK_ROWS), key=lambda r: ends[r])
            ends[row] = right + 2
            rows[index] = row
    return rows


def place_labels(
    labels: pd.DataFrame, domain: Domain, levels: int = LABEL_LEVELS, base: float = LABEL_BASE, plot_width: float = WIDTH
) -> pd.DataFrame:
    """Choose, per key event, a level above its lane and a side (left or right of its mark) so no labels overlap.

    A label is written rightwards from its mark, or leftwards when it would run past the plot's right edge; it goes
    on the lowest level where it overlaps no other label of its lane. A label that fits on neither side, or has no
    free level, is left out (the event keeps its mark and tooltip) rather than drawn over another. The label of an
    event outside `domain` (the span the chart opens on) runs away from the plot, so that none of it shows until a
    reader pans to it.
    """
    placed = labels.copy()
    x = to_px(placed["start"], domain, plot_width)
    width = placed["title"].str.len() * CHAR_WIDTH
    right = ((x + width > plot_width) & (x <= plot_width)) | (x < 0)
    placed["align"] = right.map({True: "right", False: "left"})
    fits = (x < 0) | (x > plot_width) | (x + width <= plot_width) | (x - width >= 0)
    placed["level"] = -1
    for _, lane in placed[fits].groupby("lane", sort=False):
        taken: list[list[tuple[float, float]]] = [[] for _ in range(levels)]
        for index in lane.sort_values("start").index:
            left = x[index] - width[index] if right[index] else x[index]
            span = (left - 4, left + width[index] + 4)
            level = next((n for n, spans in enumerate(taken) if all(span[1] <= a or span[0] >= b for a, b in spans)), -1)
            if level >= 0:
                taken[level].append(span)
            placed.at[index, "level"] = level
    placed = placed[placed["level"] >= 0].copy()
    placed["label_offset"] = base - placed["level"] * LABEL_GAP
    return placed


def is_narrow(width: float) -> bool:
    """Return whether a chart `width` pixels wide is drawn for a narrow screen (a phone)."""
    return width <= NARROW_LIMIT
