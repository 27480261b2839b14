"""Write a flat events sheet for journalists (CSV for Excel, LibreOffice and Google Sheets), safe to open."""

from __future__ import annotations

import csv
import io
from collections import defaultdict

from kz_timeline.dataset.loader import Dataset
from kz_timeline.dataset.op_ed import op_ed_claims_by_event
from kz_timeline.reading.edtf_dates import format_human
from kz_timeline.text import term_label

#: Characters that make a spreadsheet read a cell as a formula (or, tab and CR, that hide one); see OWASP "CSV Injection".
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

#: The sheet's columns, in order, with what each holds (the README lists them from here).
COLUMNS: dict[str, str] = {
    "event_id": "Stable identifier of the event.",
    "date": "When it happened, written out ('17 June 2022', 'September 2017', 'about 2022').",
    "date_edtf": "The same date in EDTF, as in events.csv.",
    "date_start": "First possible day (YYYY-MM-DD).",
    "date_end": "Last possible day, inclusive; empty when open or unknown.",
    "title": "Short neutral title.",
    "event_type": "Kind of event.",
    "theme": "Story line.",
    "key_event": "yes for the events the op-ed's argument turns on.",
    "place": "Where it happened.",
    "description": "What happened.",
    "actors": "Who took part, with their roles.",
    "op_ed_quotes": "The op-ed's passages about the event, verbatim.",
    "verification": "How each passage stood against the public record when the op-ed appeared (its label).",
    "verdicts": "What the record showed then, and where the op-ed differs, per passage.",
    "evidence_urls": "Public sources bearing on those passages.",
    "date_note": "Why the date is what it is.",
}


def neutralise_formula(value: str) -> str:
    """Prefix a cell that a spreadsheet would run as a formula with an apostrophe, so it shows as text."""
    return f"'{value}" if value.startswith(FORMULA_TRIGGERS) else value


def event_rows(dataset: Dataset) -> list[dict[str, str]]:
    """Return one row per event (in date order), with its actors, the op-ed's quotes and their verification."""
    tables = dataset.models
    names = {actor.actor_id: actor.name for actor in tables.actors}
    urls = {source.source_id: source.url for source in tables.sources}
    actors: dict[str, list[str]] = defaultdict(list)
    for participant in tables.participants:
        actors[participant.event_id].append(f"{names[participant.actor_id]} ({term_label(participant.role.value).lower()})")
    evidence: dict[str, list[str]] = defaultdict(list)
    for item in tables.evidence:
        url = urls[item.source_id]
        if url and url not in evidence[item.claim_id]:
            evidence[item.claim_id].append(url)
    claims = op_ed_claims_by_event(tables)
    rows = []
    for event in sorted(tables.events, key=lambda event: (event.date_start, event.event_id)):
        about = claims.get(event.event_id, [])
        rows.append(
            {
                "event_id": event.event_id,
                "date": format_human(event.date),
                "date_edtf": event.date,
                "date_start": event.date_start.isoformat(),
                "date_end": event.date_end.isoformat() if event.date_end else "",
                "title": event.title,
                "event_type": term_label(event.event_type.value),
                "theme": term_label(event.theme.value),
                "key_event": "yes" if event.is_key_event else "no",
                "place": event.place or "",
                "description": event.description,
                "actors": "; ".join(actors[event.event_id]),
                "op_ed_quotes": "\n".join(f"“{claim.quote}”" for claim in about),
                "verification": "\n".join(claim.verification.label for claim in about),
                "verdicts": "\n".join(claim.verdict for claim in about),
                "evidence_urls": "\n".join(dict.fromkeys(url for claim in about for url in evidence[claim.claim_id])),
                "date_note": event.date_note or "",
            }
        )
    return rows


def spreadsheet_csv(dataset: Dataset) -> bytes:
    """Return the events sheet as CSV: UTF-8 with a BOM (so Excel reads it as UTF-8), CRLF rows, formulas neutralised."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS), lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writeheader()
    for row in event_rows(dataset):
        writer.writerow({name: neutralise_formula(value) for name, value in row.items()})
    return buffer.getvalue().encode("utf-8-sig")
