"""Export the dataset to the formats other tools read: TimelineJS, GraphML, GEXF and a spreadsheet."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kz_timeline.defaults import EXPORT_FORMATS
from kz_timeline.errors import KzTimelineError

if TYPE_CHECKING:
    from kz_timeline.dataset.loader import Dataset


class ExportError(KzTimelineError):
    """An export cannot be made: an unknown format, or an output path that cannot be written."""


@dataclass(frozen=True)
class ExportFormat:
    """One export: its name, what it is for, and how it renders the dataset to bytes."""

    name: str
    description: str
    suffixes: tuple[str, ...]
    render: Callable[[Dataset, bool], bytes]
    #: Whether the export can carry the claims too (as nodes of the graph).
    takes_claims: bool = False


def _timelinejs(dataset: Dataset, claims: bool) -> bytes:
    from kz_timeline.exports.timelinejs import timelinejs_json

    return timelinejs_json(dataset).encode("utf-8")


def _graphml(dataset: Dataset, claims: bool) -> bytes:
    from kz_timeline.exports.network import graph, graphml_bytes

    return graphml_bytes(graph(dataset, claims=claims))


def _gexf(dataset: Dataset, claims: bool) -> bytes:
    from kz_timeline.exports.network import gexf_bytes, graph

    return gexf_bytes(graph(dataset, claims=claims))


def _spreadsheet(dataset: Dataset, claims: bool) -> bytes:
    from kz_timeline.exports.spreadsheet import spreadsheet_csv

    return spreadsheet_csv(dataset)


#: Every export format, by the name the command line uses (named and described in kz_timeline.defaults).
FORMATS: dict[str, ExportFormat] = {
    export.name: export
    for export in (
        ExportFormat("timelinejs", EXPORT_FORMATS["timelinejs"], (".json",), _timelinejs),
        ExportFormat("graphml", EXPORT_FORMATS["graphml"], (".graphml", ".xml"), _graphml, True),
        ExportFormat("gexf", EXPORT_FORMATS["gexf"], (".gexf",), _gexf, True),
        ExportFormat("spreadsheet", EXPORT_FORMATS["spreadsheet"], (".csv",), _spreadsheet),
    )
}


def _format(format_name: str, claims: bool = False) -> ExportFormat:
    chosen = FORMATS.get(format_name)
    if chosen is None:
        raise ExportError(f"unknown export format {format_name!r}; the formats are {', '.join(FORMATS)}")
    if claims and not chosen.takes_claims:
        graphs = ", ".join(name for name, export in FORMATS.items() if export.takes_claims)
        raise ExportError(f"the {format_name} export cannot carry claims; claims go into the graph exports ({graphs})")
    return chosen


def render_export(format_name: str, data_dir: str | Path | None = None, *, claims: bool = False) -> bytes:
    """Return the dataset in `data_dir` (the shipped data by default) exported as `format_name`.

    `claims`: for the graph exports, add the claims as nodes (asserted by their claimant, about events and actors).
    """
    from kz_timeline.dataset.loader import load

    chosen = _format(format_name, claims)
    return chosen.render(load(data_dir), claims)


def export(format_name: str, out: str | Path, data_dir: str | Path | None = None, *, claims: bool = False) -> Path:
    """Export the dataset in `data_dir` (the shipped data by default) as `format_name` to `out`; return the path.

    The file is written atomically: on any error the previous file, if any, is left as it was. A target that
    `kz_timeline.files.check_target` refuses raises WriteTargetError before anything is computed.
    """
    from kz_timeline.files import check_target, write_bytes_atomically

    _format(format_name, claims)
    path = Path(out)
    check_target(path)
    data = render_export(format_name, data_dir, claims=claims)
    try:
        write_bytes_atomically(path, data)
    except OSError as error:
        raise ExportError(f"{path}: cannot be written: {error.strerror or error}") from error
    return path
