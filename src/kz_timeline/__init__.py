"""kz-timeline: the events, actors and claims of one op-ed on Kazakhstan, set beside the public record."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# Heavy modules (pandas, pydantic) load on first use, so that `kz-timeline --help` stays quick.
_EXPORTS = {
    "Dataset": "kz_timeline.dataset",
    "Models": "kz_timeline.dataset",
    "ValidationSummary": "kz_timeline.dataset",
    "load": "kz_timeline.dataset",
    "load_events": "kz_timeline.dataset",
    "load_actors": "kz_timeline.dataset",
    "load_sources": "kz_timeline.dataset",
    "load_participants": "kz_timeline.dataset",
    "load_event_links": "kz_timeline.dataset",
    "load_claims": "kz_timeline.dataset",
    "load_evidence": "kz_timeline.dataset",
    "validate": "kz_timeline.dataset",
    "default_data_dir": "kz_timeline.dataset",
    "format_data": "kz_timeline.formatting",
    "DataValidationError": "kz_timeline.problems",
    "DataDirectoryError": "kz_timeline.problems",
    "KzTimelineError": "kz_timeline.problems",
    "Problem": "kz_timeline.problems",
    "TABLES": "kz_timeline.schema",
    "CHART_KINDS": "kz_timeline.charts",
    "ChartError": "kz_timeline.charts",
    "make_chart": "kz_timeline.charts",
    "timeline_chart": "kz_timeline.charts",
    "actors_chart": "kz_timeline.charts",
    "claims_chart": "kz_timeline.charts",
    "render_chart": "kz_timeline.rendering",
    "RenderError": "kz_timeline.rendering",
    "graph": "kz_timeline.network",
    "export": "kz_timeline.exports",
    "ExportError": "kz_timeline.exports",
}

if TYPE_CHECKING:
    from kz_timeline.dataset import (
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
    from kz_timeline.formatting import format_data
    from kz_timeline.problems import DataDirectoryError, DataValidationError, KzTimelineError, Problem
    from kz_timeline.schema import TABLES
    from kz_timeline.charts import CHART_KINDS, ChartError, actors_chart, claims_chart, make_chart, timeline_chart
    from kz_timeline.rendering import RenderError, render_chart
    from kz_timeline.exports import ExportError as ExportError
    from kz_timeline.exports import export as export
    from kz_timeline.network import graph as graph

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'kz_timeline' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
