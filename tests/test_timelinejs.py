"""The TimelineJS export: dates only as precise as the data, escaped text, quotes with their verification, groups."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kz_timeline.dataset.loader import load
from kz_timeline.exports.formats import export
from kz_timeline.exports.timelinejs import slide_dates, timeline, timeline_date
from tests.cells import set_cell


@pytest.mark.parametrize(
    ("edtf", "expected"),
    [
        ("2022-06-17", {"year": 2022, "month": 6, "day": 17}),
        ("2017-09", {"year": 2017, "month": 9}),
        ("2022", {"year": 2022}),
        ("2009-03?", {"year": 2009, "month": 3}),
        ("2022~", {"year": 2022}),
        ("201X", {"year": 2010}),
        ("2022-01-XX", {"year": 2022, "month": 1}),
    ],
)
def test_a_date_has_only_the_parts_the_data_has(edtf: str, expected: dict[str, int]) -> None:
    assert timeline_date(edtf) == expected


@pytest.mark.parametrize(
    ("edtf", "expected"),
    [
        (
            "2022-01-06/2022-01-19",
            {
                "start_date": {"year": 2022, "month": 1, "day": 6},
                "end_date": {"year": 2022, "month": 1, "day": 19},
                "display_date": "6 to 19 January 2022",
            },
        ),
        (
            "2021-12/2022",
            {"start_date": {"year": 2021, "month": 12}, "end_date": {"year": 2022}, "display_date": "December 2021 to 2022"},
        ),
        (
            "2017-04-03?/",
            {"start_date": {"year": 2017, "month": 4, "day": 3}, "display_date": "from perhaps 3 April 2017 (end unknown)"},
        ),
        ("2022-01-05/..", {"start_date": {"year": 2022, "month": 1, "day": 5}, "display_date": "from 5 January 2022 (ongoing)"}),
        ("2023-04", {"start_date": {"year": 2023, "month": 4}, "display_date": "April 2023"}),
    ],
)
def test_ranges_have_an_end_date_only_when_the_end_is_known(edtf: str, expected: dict[str, object]) -> None:
    assert slide_dates(edtf) == expected


def test_minimal_timeline_has_a_title_slide_from_the_op_ed_and_a_slide_per_event(minimal_dir: Path) -> None:
    document = timeline(load(minimal_dir))
    assert document["title"]["text"]["headline"] == "A small article"
    assert "A. Writer, May 2023" in document["title"]["text"]["text"]
    assert '<a href="https://example.org/article"' in document["title"]["text"]["text"]
    first, second = document["events"]
    assert first["unique_id"] == "editor_sentenced"
    assert first["start_date"] == {"year": 2017, "month": 9}
    assert "end_date" not in first
    assert first["group"] == "Verdict"
    assert first["text"]["headline"] == "Editor sentenced"
    assert "“In September 2017 a court sentenced an editor”</blockquote>" in first["text"]["text"]
    assert "<strong>Corroborated</strong>: The court record gives 7 September 2017." in first["text"]["text"]
    assert "The Editor (defendant)" in first["text"]["text"]
    assert second["start_date"] == {"year": 2022, "month": 6, "day": 17}
    assert second["group"] == "Statement"


HOSTILE = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>'


def hostile_copy(minimal_dir: Path) -> Path:
    """Put markup in every free-text field that reaches a slide."""
    events = minimal_dir / "events.csv"
    set_cell(events, "event_id", "editor_sentenced", "title", f"Editor {HOSTILE}")
    set_cell(events, "event_id", "editor_sentenced", "description", f"Described {HOSTILE}")
    set_cell(events, "event_id", "editor_sentenced", "place", f"Place {HOSTILE}")
    set_cell(events, "event_id", "editor_sentenced", "date_note", f"Note {HOSTILE}")
    set_cell(minimal_dir / "actors.csv", "actor_id", "editor", "name", f"Actor {HOSTILE}")
    set_cell(minimal_dir / "claims.csv", "claim_id", "editor_sentenced_in_2017", "verdict", f"Checked {HOSTILE}")
    set_cell(minimal_dir / "sources.csv", "source_id", "article", "title", f"Article {HOSTILE}")
    return minimal_dir


def test_hostile_markup_in_the_data_is_escaped_everywhere(minimal_dir: Path) -> None:
    document = timeline(load(hostile_copy(minimal_dir)))
    text = json.dumps(document, ensure_ascii=False)
    assert "<img" not in text and "<script" not in text
    escaped = "&lt;img src=x onerror=&quot;window.pwned=1&quot;&gt;&lt;script&gt;window.pwned=2&lt;/script&gt;"
    assert document["events"][0]["text"]["headline"] == f"Editor {escaped}"
    assert document["title"]["text"]["headline"] == f"Article {escaped}"
    assert text.count(escaped) == 7


def test_shipped_timeline_has_a_slide_per_event_in_date_order(tmp_path: Path) -> None:
    dataset = load()
    out = export("timelinejs", tmp_path / "timeline.json")
    document = json.loads(out.read_text(encoding="utf-8"))
    assert sorted(slide["unique_id"] for slide in document["events"]) == sorted(dataset.events["event_id"])
    starts = [
        (slide["start_date"]["year"], slide["start_date"].get("month", 1), slide["start_date"].get("day", 1))
        for slide in document["events"]
    ]
    assert starts == sorted(starts)
    events = dataset.events.set_index("event_id")
    for slide in document["events"]:
        event = events.loc[slide["unique_id"]]
        if "/" not in event["date"]:
            assert ("day" in slide["start_date"]) == (event["date_precision"] == "day"), slide["unique_id"]
            assert ("month" in slide["start_date"]) == (event["date_precision"] in ("day", "month")), slide["unique_id"]
        assert ("end_date" in slide) == ("/" in event["date"] and event["date_end_status"] == "closed")
    assert (
        document["title"]["text"]["headline"] == "Kazakhstan’s progress faces many headwinds; the West should not be one of them"
    )
