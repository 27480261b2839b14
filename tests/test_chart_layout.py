"""Timeline layout in pixels: whole-year domains, rows of marks that avoid each other, labels that never overlap."""

from __future__ import annotations

import itertools

import pandas as pd

from kz_timeline.charts.layout import CHAR_WIDTH, LABEL_LEVELS, MARK_ROWS, WIDTH, full_domain, pack_rows, place_labels, to_px


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
