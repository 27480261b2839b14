"""Datasette's metadata.yml (descriptions, labels, sorts, facets, canned queries), generated from the schema."""

from __future__ import annotations

import copy
from html import escape
from typing import Any

import yaml

from kz_timeline.defaults import CHART_KINDS, DATABASE_NAME
from kz_timeline.schema.rubric import HOW_LABELS_ARE_REACHED
from kz_timeline.schema.tables import TABLES, TABLES_BY_NAME
from kz_timeline.schema.vocabularies import VOCABULARIES
from kz_timeline.site.browsing import BROWSING
from kz_timeline.site.database import (
    BUILD_INFO_TABLE,
    EXTRA_COLUMNS,
    VIEW_BASE_TABLES,
    VIEW_COLUMNS,
    VIEW_DESCRIPTIONS,
    database_columns,
    lookup_columns,
    view_columns,
)
from kz_timeline.site.search_indexes import OPEN_END_DAY, SPAN_TABLE
from kz_timeline.site.table_facets import FACET_COUNTS_TABLE
from kz_timeline.text import term_label

HEADER = (
    "# Generated from the models by `kz-timeline generate` (src/kz_timeline/site/datasette_metadata.py); do not edit by hand.\n"
)

TITLE = "kz-timeline: one op-ed on Kazakhstan, set beside the public record"
DESCRIPTION = (
    "Every dated event, actor and claim in the op-ed \"Kazakhstan's progress faces many headwinds; the West should not "
    'be one of them" (byline Luc Rodehefer, earliest dated copy 17 May 2023). The op-ed is opinion, not news: the '
    "data records what it says, who says it and where, verbatim and at exact character offsets, and sets each "
    "checkable claim beside what public sources (court records, news agencies, NGOs, official records) say. The data "
    "speaks in its own neutral voice; the op-ed's framing is recorded as the op-ed's claim, never as fact."
)
#: The home page's description: the one above, then how labels are reached, linking the methodology page.
DESCRIPTION_HTML = (
    f"<p>{escape(DESCRIPTION)}</p>\n<p>{escape(HOW_LABELS_ARE_REACHED)} "
    '<a href="methodology">The methodology</a> says what a claim is, who its claimant is, how sources are classed '
    "and how each label is reached.</p>"
)
LICENSE = "Data: CC BY 4.0; code: MIT"
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
SOURCE = "The op-ed (Burgas Gazette copy, 17 May 2023) and the public sources in the sources table"
SOURCE_URL = (
    "https://www.burgasgazette.com/2023/05/17/kazakhstans-progress-faces-many-headwinds-the-west-should-not-be-one-of-them/"
)


def charts_title(kinds: tuple[str, ...] = CHART_KINDS) -> str:
    """Name the charts page after the charts it shows: 'Charts: timeline, actors and claims'."""
    names = [term_label(kind).lower() for kind in kinds]
    return "Charts: " + (", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0])


#: The charts page's title, menu entry and links (the plugin reads it from its configuration).
CHARTS_TITLE = charts_title()
ABOUT = CHARTS_TITLE
ABOUT_URL = "/timeline"

QUERIES: dict[str, dict[str, Any]] = {
    "actor_events": {
        "title": "Events of one actor, in date order",
        "description": "Every event an actor takes part in, with its role. The actor may be given by actor_id, by name "
        "or by one of its aliases, exactly as written (zhanbolat_mamai, Zhanbolat Mamai, Мамай).",
        "sql": """select
  e.date_start,
  e.date,
  e.event_id,
  e.title,
  e.event_type,
  p.role,
  p.note
from participants p
join events e on e.event_id = p.event_id
where p.actor_id in (
  select actor_id from actors
  where actor_id = :actor
     or name = :actor
     -- one whole alias, as written: instr, not LIKE, so '%' and '_' are only themselves
     or (:actor <> '' and instr(:actor, '|') = 0 and instr('|' || aliases || '|', '|' || :actor || '|') > 0)
)
order by e.date_start, e.event_id, p.role""",
        "params": ["actor"],
    },
    "oped_claims_contested": {
        "title": "The op-ed's claims that the record contests or contradicts, with the evidence",
        "description": "Claims made in the op-ed (any copy of it) labelled contested or contradicted, one row per "
        "piece of evidence: which source, how reliable, how it bears on the claim, whether it can decide the label "
        "(carrying) or came later, and what the source says in its own words.",
        "sql": """select
  c.claim_id,
  c.statement,
  c.quote,
  c.verification,
  c.verdict,
  ev.evidence_id,
  ev.relation as evidence_relation,
  ev.timing as evidence_timing,
  ev.carrying as evidence_carrying,
  s.title as evidence_source,
  s.publisher as evidence_publisher,
  s.reliability as evidence_reliability,
  s.url as evidence_url,
  ev.excerpt as evidence_excerpt,
  ev.note as evidence_note
from claims c
-- "cross join" and "+c.verification": walk the claims in claim_id order, so the first rows come without sorting them all
cross join sources op on op.source_id = c.source_id and op.source_type = 'op_ed'
left join evidence ev on ev.claim_id = c.claim_id
left join sources s on s.source_id = ev.source_id
where +c.verification in ('contested', 'contradicted')
order by c.claim_id, ev.relation, ev.source_id, ev.evidence_id""",
    },
    "events_between": {
        "title": "Events in a date range",
        "description": "Events whose dates overlap a range. Give start and end as YYYY, YYYY-MM or YYYY-MM-DD "
        "(inclusive). An ongoing event overlaps every range after its start; an event with an unknown end counts "
        "from its first possible day only.",
        "sql": """with bounds as (
  select
    case length(:start) when 4 then :start || '-01-01' when 7 then :start || '-01' else :start end as first,
    case length(:end) when 4 then :end || '-12-31' when 7 then date(:end || '-01', '+1 month', '-1 day') else :end end as last
)
select
  e.date_start,
  e.date_end,
  e.date,
  e.date_precision,
  e.event_id,
  e.title,
  e.event_type,
  e.theme
from events e
where e.rowid in (
  select s.event_rowid from events_span s, bounds b
  where s.first_day <= cast(julianday(b.last) - 1721424.5 as integer)
    and s.last_day >= cast(julianday(b.first) - 1721424.5 as integer)
)
order by e.date_start, e.event_id""",
        "params": ["start", "end"],
    },
    "links_to_event": {
        "title": "What links to one event",
        "description": "The edges of the event graph that point to an event (given by event_id): which event, how "
        "it relates, and why.",
        "sql": """select
  f.date_start as from_date,
  l.from_event_id,
  f.title as from_title,
  l.relation,
  l.to_event_id,
  t.title as to_title,
  l.note
from event_links l
join events f on f.event_id = l.from_event_id
join events t on t.event_id = l.to_event_id
where l.to_event_id = :event_id
order by f.date_start, l.from_event_id, l.relation""",
        "params": ["event_id"],
    },
}


def _columns_of_table(name: str) -> dict[str, str]:
    table = TABLES_BY_NAME[name]
    descriptions = {column.name: column.description for column in table.columns}
    descriptions.update({extra.name: extra.description for extra in EXTRA_COLUMNS.get(name, ())})
    return {column: descriptions[column] for column, _ in database_columns(table)}


def _view_columns(name: str, names: list[str]) -> dict[str, str]:
    base = _columns_of_table(VIEW_BASE_TABLES[name])
    own = VIEW_COLUMNS[name]
    return {column: own.get(column) or base[column] for column in names}


def _table_entries() -> dict[str, dict[str, Any]]:
    tables: dict[str, dict[str, Any]] = {}
    for table in TABLES:
        entry: dict[str, Any] = {
            "description": table.description,
            "label_column": table.label_column,
        }
        browsing = BROWSING.get(table.name)
        if browsing is not None and browsing.sort is not None:
            entry["sort"] = browsing.sort
        if browsing is not None and browsing.facets:
            entry["facets"] = list(browsing.facets)
        entry["columns"] = _columns_of_table(table.name)
        tables[table.name] = entry
    for view, names in view_columns().items():
        tables[view] = {
            "description": VIEW_DESCRIPTIONS[view],
            "sort": BROWSING[view].sort,
            "facets": list(BROWSING[view].facets),
            "columns": _view_columns(view, names),
        }
    for name, vocabulary in VOCABULARIES.items():
        tables[name] = {
            "description": f"Lookup table of the {vocabulary.__name__} vocabulary: {(vocabulary.__doc__ or '').strip()}",
            "label_column": "label",
            "sort": "position",
            "columns": lookup_columns(name),
        }
    tables[SPAN_TABLE] = {
        "description": "R*Tree of each event's span in day numbers (0001-01-01 is day 1), for the events_between query.",
        "hidden": True,
        "columns": {
            "event_rowid": "The rowid of the event in events.",
            "first_day": "First possible day of the event.",
            "last_day": f"Last possible day: date_end; date_start when the end is unknown; {OPEN_END_DAY} when it is open.",
        },
    }
    tables[FACET_COUNTS_TABLE] = {
        "description": "Each value of each facet column over its whole table, with its number of rows, counted by the "
        "database build: the site answers the facets of a table page with no filter from it.",
        "hidden": True,
        "columns": {
            "table_name": "The table.",
            "column_name": "The facet column.",
            "value": "A value of the column (NULL is not counted).",
            "count": "The number of rows of the table holding it.",
        },
    }
    tables[BUILD_INFO_TABLE] = {
        "description": "How this database was built: the fingerprint of the data and code, the day it was built "
        "(built_on, the datePublished of the claim pages' ClaimReview), versions, and the SHA-256 of each CSV file. "
        "`kz-timeline serve` rebuilds when the fingerprint changes.",
        "label_column": "key",
        "columns": {"key": "What is recorded.", "value": "Its value."},
    }
    return tables


def site_metadata() -> dict[str, Any]:
    """Return Datasette's metadata for the kz-timeline database, as a dict."""
    return {
        "title": TITLE,
        "description": DESCRIPTION,
        "description_html": DESCRIPTION_HTML,
        "license": LICENSE,
        "license_url": LICENSE_URL,
        "source": SOURCE,
        "source_url": SOURCE_URL,
        "about": ABOUT,
        "about_url": ABOUT_URL,
        "databases": {
            DATABASE_NAME: {
                "description": DESCRIPTION,
                "tables": _table_entries(),
                # A copy: Datasette writes into the query dicts it is given.
                "queries": copy.deepcopy(QUERIES),
            }
        },
    }


class _Dumper(yaml.SafeDumper):
    """Write multi-line strings (the SQL) as literal blocks, so that metadata.yml reads well."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def render_metadata(current: str | None = None) -> str:
    """Return the text of metadata.yml (`current` is ignored: the whole file is generated)."""
    body = yaml.dump(site_metadata(), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=120)
    return HEADER + body
