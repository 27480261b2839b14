"""Timeline layout in pixels: whole-year domains, rows of marks that avoid each other, labels that never overlap."""

from __future__ import annotations

import itertools

import pandas as pd

from kz_timeline.charts.layout import (
    CHAR_WIDTH,
    LABEL_LEVELS,
    MARK_ROWS,
    NARROW_WIDTH,
    WIDTH,
    dense_window,
    full_domain,
    pack_rows,
    place_labels,
    to_px,
)


def utc(*days: str) -> pd.Series:
    return pd.Series(pd.to_datetime(list(days))).dt.tz_localize("UTC")


DOMAIN = (pd.Timestamp("2010-01-01", tz="UTC"), pd.Timestamp("2020-01-01", tz="UTC"))


def test_full_domain_runs_over_whole_years_and_an_exclusive_new_year_end_stays_in_its_year() -> None:
    assert full_domain(utc("2012-06-17"), utc("2019-01-01")) == (
        pd.Timestamp("2012-01-01", tz="UTC"),
        pd.Timestamp("2019-01-01", tz="UTC"),
    )
    assert full_domain(utc("2012-06-17"), utc("2019-01-02"))[1] == pd.Timestamp("2020-01-01", tz="UTC")


def test_to_px_maps_the_domain_onto_the_plot_width() -> None:
    assert list(to_px(utc("2010-01-01", "2020-01-01"), DOMAIN)) == [0.0, WIDTH]


def test_overlapping_events_of_one_lane_get_different_rows_and_other_lanes_start_again() -> None:
    frame = pd.DataFrame(
        {
            "lane": ["a", "a", "a", "b"],
            "start": utc("2012-01-01", "2012-01-01", "2016-01-01", "2012-01-01"),
            "end": utc("2013-01-01", "2012-01-02", "2016-01-02", "2013-01-01"),
            "end_status": ["closed"] * 4,
        }
    )
    rows = list(pack_rows(frame, DOMAIN))
    assert sorted(rows[:2]) == [0, 1]  # the shorter one first, on the top row
    assert rows[2:] == [0, 0]


def test_rows_are_capped_however_crowded_the_lane() -> None:
    frame = pd.DataFrame(
        {"lane": ["a"] * 10, "start": utc(*["2012-01-01"] * 10), "end": utc(*["2012-01-02"] * 10), "end_status": ["closed"] * 10}
    )
    assert set(pack_rows(frame, DOMAIN)) == set(range(MARK_ROWS))


def test_labels_go_right_of_their_mark_or_left_near_the_edge_and_never_overlap() -> None:
    titles = ["A long title of a crowded event"] * 3 + ["Near the right edge of the plot"]
    labels = pd.DataFrame(
        {
            "event_id": ["a", "b", "c", "d"],
            "title": titles,
            "lane": ["x"] * 4,
            "start": utc("2012-01-01", "2012-02-01", "2012-03-01", "2019-12-01"),
        }
    )
    placed = place_labels(labels, DOMAIN)
    assert list(placed["align"]) == ["left", "left", "left", "right"]
    x = to_px(placed["start"], DOMAIN)
    width = placed["title"].str.len() * CHAR_WIDTH
    left = x.where(placed["align"] == "left", x - width)
    for level, same in placed.assign(left=left, right=left + width).groupby("level"):
        spans = sorted(zip(same["left"], same["right"], strict=True))
        assert all(first[1] <= second[0] for first, second in itertools.pairwise(spans)), level
    assert placed.set_index("event_id").loc["d", "level"] == 0


def test_a_label_with_no_free_level_is_left_out_rather_than_drawn_over_another() -> None:
    count = LABEL_LEVELS + 2
    labels = pd.DataFrame(
        {
            "event_id": [f"e{n}" for n in range(count)],
            "title": ["Same place, same long title"] * count,
            "lane": ["x"] * count,
            "start": utc(*["2012-01-01"] * count),
        }
    )
    placed = place_labels(labels, DOMAIN)
    assert list(placed["event_id"]) == [f"e{n}" for n in range(LABEL_LEVELS)]
    assert sorted(placed["level"]) == list(range(LABEL_LEVELS))


def test_the_dense_window_is_the_shortest_span_holding_most_key_events_widened_to_whole_months() -> None:
    # Ten events: one early outlier, eight packed in 2018, one late straggler. Four fifths (eight) fit in 2018 alone;
    # the first-to-last span (2010 to 2019) would not be the shortest.
    times = utc("2010-03-05", *(f"2018-{month:02d}-10" for month in range(2, 10)), "2019-06-01")
    # 10 February to 10 September 2018, a month's margin on each side (a tenth would be less), whole months.
    assert dense_window(times, DOMAIN) == (pd.Timestamp("2018-01-01", tz="UTC"), pd.Timestamp("2018-11-01", tz="UTC"))


def test_the_dense_window_stays_inside_the_domain_and_is_none_when_it_would_show_nearly_everything() -> None:
    assert dense_window(utc("2010-01-05", "2010-01-20", "2010-02-01"), DOMAIN)[0] == DOMAIN[0]
    assert dense_window(utc("2010-06-01", "2015-01-01", "2019-06-01"), DOMAIN) is None
    assert dense_window(utc("2014-01-01", "2014-02-01"), DOMAIN) is None  # too few key events to call anything dense


def test_labels_of_events_outside_the_opening_span_run_away_from_the_plot() -> None:
    window = (pd.Timestamp("2014-01-01", tz="UTC"), pd.Timestamp("2016-01-01", tz="UTC"))
    labels = pd.DataFrame(
        {
            "event_id": ["before", "inside", "after"],
            "title": ["Before the window", "Inside the window", "After the window"],
            "lane": ["a", "a", "a"],
            "start": utc("2012-01-01", "2015-01-01", "2018-01-01"),
        }
    )
    placed = place_labels(labels, window).set_index("event_id")
    assert placed["align"].to_dict() == {"before": "right", "inside": "left", "after": "left"}
    x = to_px(labels.set_index("event_id")["start"], window)
    assert x["before"] < 0 and x["after"] > WIDTH  # right-aligned left of the plot, left-aligned right of it: unseen


def test_a_label_that_fits_on_neither_side_of_its_mark_in_a_narrow_plot_is_left_out() -> None:
    middle = pd.Timestamp("2015-01-01", tz="UTC")
    labels = pd.DataFrame(
        {"event_id": ["long", "short"], "title": ["x" * 40, "short"], "lane": ["a", "b"], "start": [middle, middle]}
    )
    assert 40 * CHAR_WIDTH > NARROW_WIDTH / 2
    placed = place_labels(labels, DOMAIN, plot_width=NARROW_WIDTH)
    assert list(placed["event_id"]) == ["short"]
    assert set(place_labels(labels, DOMAIN)["event_id"]) == {"long", "short"}
