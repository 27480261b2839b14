"""Write the dataset as Knight Lab's TimelineJS 3 JSON: one slide per event, dated only as precisely as the data."""

from __future__ import annotations

import json
from collections import defaultdict
from html import escape
from typing import Any

from kz_timeline.dataset.loader import Dataset
from kz_timeline.dataset.op_ed import op_ed, op_ed_claims_by_event
from kz_timeline.reading.edtf_dates import derive_date, format_human
from kz_timeline.schema.models import Claim, Event, Source
from kz_timeline.schema.vocabularies import DatePrecision, EventType, Verification
from kz_timeline.text import term_label


def timeline_date(edtf_side: str) -> dict[str, int]:
    """Return a TimelineJS date of one EDTF date (no interval) with only the parts the date has.

    Day precision gives year, month and day; month precision year and month; a year, decade or century the first
    year alone (the slide's display_date says which).
    """
    derived = derive_date(edtf_side)
    date = {"year": derived.start.year}
    if derived.precision in (DatePrecision.DAY, DatePrecision.MONTH):
        date["month"] = derived.start.month
    if derived.precision == DatePrecision.DAY:
        date["day"] = derived.start.day
    return date


def slide_dates(edtf: str) -> dict[str, Any]:
    """Return a slide's start_date, end_date (for a closed interval) and display_date for an EDTF date."""
    start_text, _, end_text = edtf.partition("/")
    dates: dict[str, Any] = {"start_date": timeline_date(start_text)}
    if end_text not in ("", ".."):
        dates["end_date"] = timeline_date(end_text)
    dates["display_date"] = escape(format_human(edtf))
    return dates


def _paragraph(text: str, css_class: str | None = None) -> str:
    attribute = f' class="{css_class}"' if css_class else ""
    return f"<p{attribute}>{escape(text)}</p>"


def claim_html(claim: Claim) -> str:
    """Return the op-ed's passage on an event and how it stands against the record, every text escaped."""
    label = f"<strong>{escape(Verification(claim.verification).label)}</strong>"
    return (
        f'<blockquote class="kz-quote" data-claim="{escape(claim.claim_id, quote=True)}">'
        f"“{escape(claim.quote)}”</blockquote>"
        f'<p class="kz-verification">{label}: {escape(claim.verdict)}</p>'
    )


def event_slide(event: Event, claims: list[Claim], actors: list[str]) -> dict[str, Any]:
    """Return the TimelineJS slide of one event."""
    parts = [_paragraph(event.description)]
    if event.place:
        parts.append(_paragraph(event.place, "kz-place"))
    if actors:
        parts.append(_paragraph("With: " + "; ".join(actors), "kz-actors"))
    parts.extend(claim_html(claim) for claim in claims)
    if event.date_note:
        parts.append(_paragraph(f"Date: {event.date_note}", "kz-date-note"))
    return {
        "unique_id": event.event_id,
        **slide_dates(event.date),
        "text": {"headline": escape(event.title), "text": "".join(parts)},
        "group": term_label(EventType(event.event_type).value),
    }


def title_slide(source: Source, event_count: int) -> dict[str, Any]:
    """Return the title slide, from the op-ed's source row."""
    byline = [
        part for part in (source.author, source.publisher, format_human(source.published) if source.published else None) if part
    ]
    parts = [_paragraph(", ".join(byline))] if byline else []
    parts.append(
        _paragraph(
            f"{event_count} events that the op-ed mentions or implies, each with the passage that mentions it and how"
            " that passage stands against the public record."
        )
    )
    if source.url:
        parts.append(f'<p><a href="{escape(source.url, quote=True)}" rel="noopener noreferrer">Read the op-ed</a></p>')
    return {"unique_id": "title", "text": {"headline": escape(source.title), "text": "".join(parts)}}


def timeline(dataset: Dataset) -> dict[str, Any]:
    """Return the TimelineJS 3 document of the dataset: a title slide from the op-ed and a slide per event."""
    tables = dataset.models
    claims_by_event = op_ed_claims_by_event(tables)
    names = {actor.actor_id: actor.name for actor in tables.actors}
    actors_by_event: dict[str, list[str]] = defaultdict(list)
    for participant in tables.participants:
        actors_by_event[participant.event_id].append(
            f"{names[participant.actor_id]} ({term_label(participant.role.value).lower()})"
        )
    events = sorted(tables.events, key=lambda event: (event.date_start, event.event_id))
    return {
        "title": title_slide(op_ed(tables.sources), len(events)),
        "events": [
            event_slide(event, claims_by_event.get(event.event_id, []), actors_by_event[event.event_id]) for event in events
        ],
    }


def timelinejs_json(dataset: Dataset) -> str:
    """Return the TimelineJS 3 JSON text of the dataset."""
    return json.dumps(timeline(dataset), indent=2, ensure_ascii=False) + "\n"
