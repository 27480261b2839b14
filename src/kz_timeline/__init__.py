"""kz-timeline: the events, actors and claims of one op-ed on Kazakhstan, set beside the public record.

The data flows through the subpackages in this order; each imports only from those before it:

1. `schema`: the dataset's definition. Vocabularies, the Pydantic models of the rows (each column named, typed and
   described once), the tables read off them, and the label rubric of docs/METHODOLOGY.md (`assess_claims`).
2. `reading`: the CSV files read strictly and checked whole columns at once (types, vocabularies, EDTF dates, keys,
   references, the event graph, quotes against the op-ed's text, and the method's rules M1-M8); every problem
   located by file, line and column.
3. `dataset`: the loaded dataset (`load()`, typed DataFrames and models), the cache of validated tables, the op-ed
   and its claims, and the canonical rewrite of the files (`kz-timeline fmt`).
4. What is made from a loaded dataset: `charts` (frames, layout, Altair charts, rendering), `exports` (TimelineJS,
   GraphML, GEXF, a spreadsheet, ClaimReview, Web Annotation, re-anchoring on another copy), `site` (the SQLite
   database and the Datasette site that serves it), and `metadata` (datapackage.json, CITATION.cff, the data
   dictionary and every other generated file).

Beside them: `cli` (the `kz-timeline` command, a thin layer over the functions below), `arguments` (its parser, from
which the docs' command-line reference is generated), `defaults` (the defaults and choices the command line and the
library share), `errors` (problems and exceptions), `files` (what a writer may write, atomic writes, digests, the
cache directory), `private_cache` (private cache folders, signed entries), `text` (labels of vocabulary terms,
clipped text) and `arrow_columns` (the pyarrow strings under a pandas text column).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# Heavy modules (pandas, pydantic) load on first use, so that `kz-timeline --help` stays quick.
_EXPORTS = {
    "Dataset": "kz_timeline.dataset.loader",
    "Models": "kz_timeline.dataset.loader",
    "ValidationSummary": "kz_timeline.dataset.loader",
    "load": "kz_timeline.dataset.loader",
    "load_events": "kz_timeline.dataset.loader",
    "load_actors": "kz_timeline.dataset.loader",
    "load_sources": "kz_timeline.dataset.loader",
    "load_participants": "kz_timeline.dataset.loader",
    "load_event_links": "kz_timeline.dataset.loader",
    "load_claims": "kz_timeline.dataset.loader",
    "load_evidence": "kz_timeline.dataset.loader",
    "validate": "kz_timeline.dataset.loader",
    "default_data_dir": "kz_timeline.dataset.loader",
    "format_data": "kz_timeline.dataset.csv_rewriter",
    "DataValidationError": "kz_timeline.errors",
    "DataDirectoryError": "kz_timeline.errors",
    "KzTimelineError": "kz_timeline.errors",
    "Problem": "kz_timeline.errors",
    "WriteTargetError": "kz_timeline.errors",
    "TABLES": "kz_timeline.schema.tables",
    "assess_claims": "kz_timeline.schema.rubric",
    "CHART_KINDS": "kz_timeline.defaults",
    "ChartError": "kz_timeline.charts.builders",
    "make_chart": "kz_timeline.charts.builders",
    "timeline_chart": "kz_timeline.charts.builders",
    "actors_chart": "kz_timeline.charts.builders",
    "claims_chart": "kz_timeline.charts.builders",
    "render_chart": "kz_timeline.charts.rendering",
    "RenderError": "kz_timeline.charts.rendering",
    "graph": "kz_timeline.exports.network",
    "export": "kz_timeline.exports.formats",
    "ExportError": "kz_timeline.exports.formats",
    "build_database": "kz_timeline.site.database",
    "make_datasette": "kz_timeline.site.server",
    "serve": "kz_timeline.site.server",
    "write_reader": "kz_timeline.site.reader",
}

if TYPE_CHECKING:
    from kz_timeline.charts.builders import ChartError, actors_chart, claims_chart, make_chart, timeline_chart
    from kz_timeline.charts.rendering import RenderError, render_chart
    from kz_timeline.dataset.csv_rewriter import format_data
    from kz_timeline.dataset.loader import (
        Dataset,
        Models,
        ValidationSummary,
        default_data_dir,
        load,
        load_actors,
        load_claims,
        load_event_links,
        load_events,
        load_evidence,
        load_participants,
        load_sources,
        validate,
    )
    from kz_timeline.defaults import CHART_KINDS
    from kz_timeline.errors import DataDirectoryError, DataValidationError, KzTimelineError, Problem, WriteTargetError
    from kz_timeline.exports.formats import ExportError as ExportError
    from kz_timeline.exports.formats import export as export
    from kz_timeline.exports.network import graph as graph
    from kz_timeline.schema.rubric import assess_claims
    from kz_timeline.schema.tables import TABLES
    from kz_timeline.site.database import build_database as build_database
    from kz_timeline.site.reader import write_reader as write_reader
    from kz_timeline.site.server import make_datasette as make_datasette
    from kz_timeline.site.server import serve as serve

__all__ = [
    "CHART_KINDS",
    "TABLES",
    "ChartError",
    "DataDirectoryError",
    "DataValidationError",
    "Dataset",
    "ExportError",
    "KzTimelineError",
    "Models",
    "Problem",
    "RenderError",
    "ValidationSummary",
    "WriteTargetError",
    "__version__",
    "actors_chart",
    "assess_claims",
    "build_database",
    "claims_chart",
    "default_data_dir",
    "export",
    "format_data",
    "graph",
    "load",
    "load_actors",
    "load_claims",
    "load_event_links",
    "load_events",
    "load_evidence",
    "load_participants",
    "load_sources",
    "make_chart",
    "make_datasette",
    "render_chart",
    "serve",
    "timeline_chart",
    "validate",
    "write_reader",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'kz_timeline' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
