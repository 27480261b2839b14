"""Defaults and choices shared by the command line and the library.

Light on purpose (the standard library only): the command line imports it to build `kz-timeline --help` quickly,
and the library takes its defaults from here, so the two cannot drift apart.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final, Literal

#: The name Datasette serves the database under, and the default file name.
DATABASE_NAME: Final = "kz-timeline"
DEFAULT_DB_PATH: Final = Path(f"{DATABASE_NAME}.db")
#: `kz-timeline serve` listens on this machine only, unless told otherwise.
DEFAULT_HOST: Final = "127.0.0.1"
DEFAULT_PORT: Final = 8001

#: The most bytes one value may hold, and one row's values together, so that the site can show and sort every row:
#: the site's SQLite refuses any string or record longer than SITE_VALUE_BYTES ("string or blob too big"; its bound
#: on what visitors' SQL may compute, SECURITY.md), and a sorted row is one record of all its values. The row bound
#: leaves room for the record's header and the columns the database adds (date_text, year, published_text, carrying).
SITE_VALUE_BYTES: Final = 16_384
SITE_ROW_BYTES: Final = 16_000

#: The kinds of chart `make_chart` draws, in the order the command line and the charts page list them.
CHART_KINDS: Final = ("timeline", "actors", "claims")
DEFAULT_CHART_KIND: Final = "timeline"
#: What the timeline's lanes show: themes (coloured by event type) or event types (coloured by theme).
LaneField = Literal["theme", "event_type"]
LANES: Final[tuple[LaneField, ...]] = ("theme", "event_type")
DEFAULT_LANE: Final[LaneField] = "theme"
#: The formats `render_chart` writes, in the order the command line lists them; html when nothing says otherwise.
CHART_FORMATS: Final = ("html", "png", "svg", "json")
DEFAULT_CHART_FORMAT: Final = "html"

#: Every export format, by the name the command line uses, with what it is for.
EXPORT_FORMATS: Final = {
    "timelinejs": "Knight Lab TimelineJS 3 JSON: a slide per event",
    "graphml": "GraphML graph of actors and events (Cytoscape, Gephi, yEd)",
    "gexf": "GEXF 1.2 graph of actors and events, dated (Gephi)",
    "spreadsheet": "flat CSV sheet of events for journalists, formula-safe",
    "claimreview": "schema.org ClaimReview JSON-LD, one per rated claim (needs --base-url, or --no-url for a draft)",
    "annotations": "W3C Web Annotation collection of the claims' quotes (needs --article, the op-ed's text)",
}
#: Exports that write a folder rather than a file, with what they are for (the command line lists them after
#: EXPORT_FORMATS).
FOLDER_EXPORTS: Final = {
    "reader": "a static site of the op-ed claim by claim, its events, the charts and the method: a folder that opens "
    "from any static host or the file system, with no network request",
}
