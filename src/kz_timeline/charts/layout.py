"""Lay out the timeline in pixels before Vega does: whole-year domains, rows of marks and levels of labels.

Pure pandas. Positions are computed for the unzoomed view of a WIDTH-pixel plot; in HTML a reader may zoom, and the
labels keep the places chosen here.
"""

from __future__ import annotations

import pandas as pd

#: Width of the plot area of every chart, in pixels.
WIDTH = 960
LANE_STEP = 84
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
LABEL_BASE = 38
MARK_ROWS = 4
ROW_GAP = 9
ROW_BASE = 50


Domain = tuple[pd.Timestamp, pd.Timestamp]


def full_domain(start: pd.Series, end: pd.Series) -> Domain:
    """Return whole years around every date, so open ends have an axis end to run to."""
    first = pd.Timestamp(year=start.min().year, month=1, day=1, tz="UTC")
    last = pd.Timestamp(year=(end.max() - pd.Timedelta(days=1)).year + 1, month=1, day=1, tz="UTC")
    return first, last


def to_px(times: pd.Series, domain: Domain) -> pd.Series:
    """Return the x position of each time, in pixels of the unzoomed plot."""
    span = (domain[1] - domain[0]).total_seconds()
    return (times - domain[0]).dt.total_seconds() / span * WIDTH


def pack_rows(frame: pd.DataFrame, domain: Domain) -> pd.Series:
    """Give each event a row within its lane so that marks overlap as little as the initial view allows."""
    x0 = to_px(frame["start"], domain)
    x1 = to_px(frame["end"], domain).where(frame["end_status"] == "closed", WIDTH)
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


def place_labels(labels: pd.DataFrame, domain: Domain, levels: int = LABEL_LEVELS, base: float = LABEL_BASE) -> pd.DataFrame:
    """Choose, per key event, a level above its lane and a side (left or right of its mark) so no labels overlap.

    A label is written rightwards from its mark, or leftwards when it would run past the plot's right edge; it goes
    on the lowest level where it overlaps no other label of its lane. A label with no free level is left out (the
    event keeps its mark and tooltip) rather than drawn over another.
    """
    placed = labels.copy()
    x = to_px(placed["start"], domain)
    width = placed["title"].str.len() * CHAR_WIDTH
    placed["align"] = (x + width > WIDTH).map({True: "right", False: "left"})
    placed["level"] = -1
    for _, lane in placed.groupby("lane", sort=False):
        taken: list[list[tuple[float, float]]] = [[] for _ in range(levels)]
        for index in lane.sort_values("start").index:
            right_aligned = placed.at[index, "align"] == "right"
            left = x[index] - width[index] if right_aligned else x[index]
            span = (left - 4, left + width[index] + 4)
            level = next((n for n, spans in enumerate(taken) if all(span[1] <= a or span[0] >= b for a, b in spans)), -1)
            if level >= 0:
                taken[level].append(span)
            placed.at[index, "level"] = level
    placed = placed[placed["level"] >= 0].copy()
    placed["label_offset"] = base - placed["level"] * LABEL_GAP
    return placed
