"""How people browse each table and view of the site: the facets shown, the other facet columns, the default sort.

One table for the two stages that need it: the database gives every facet and sort column an index (a facet over a
million rows is then an index scan), and metadata.yml shows the default facets and sorts.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Browsing:
    """How Datasette presents one table or view."""

    #: Facets shown by default: few, so that a page stays under 100 ms on a million rows (each facet counts every
    #: row through its index, about 60 ms at 1e6).
    facets: tuple[str, ...] = ()
    #: Other columns people facet on: indexed like the default facets, but not shown until asked for.
    other_facets: tuple[str, ...] = ()
    #: The default sort; indexed with the primary key as tie-breaker (as Datasette pages).
    sort: str | None = None


#: Every table and view people browse, by name; a view's facets and sort are served by its base table's indexes.
BROWSING: dict[str, Browsing] = {
    "events": Browsing(facets=("event_type",), other_facets=("theme", "is_key_event"), sort="date_start"),
    "timeline": Browsing(facets=("year", "date_precision"), sort="date_start"),
    "actors": Browsing(facets=("actor_type",), sort="name"),
    "participants": Browsing(facets=("role",)),
    "event_links": Browsing(facets=("relation",)),
    "sources": Browsing(facets=("reliability",), other_facets=("source_type",), sort="source_id"),
    "claims": Browsing(facets=("claim_type", "verification"), sort="claim_id"),
    "claims_named": Browsing(facets=("claim_type", "verification"), sort="claim_id"),
    "evidence": Browsing(facets=("relation", "timing"), other_facets=("carrying",)),
}
