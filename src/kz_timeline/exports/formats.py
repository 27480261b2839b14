"""Export the dataset to the formats other tools read: TimelineJS, GraphML, GEXF, a spreadsheet, ClaimReview, annotations."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kz_timeline.defaults import EXPORT_FORMATS
from kz_timeline.errors import KzTimelineError, UsageError

if TYPE_CHECKING:
    from kz_timeline.dataset.loader import Dataset


class ExportError(KzTimelineError):
    """An export cannot be made: an unknown format, or an output path that cannot be written."""


@dataclass(frozen=True)
class ExportOptions:
    """What an export takes besides the data; each format takes only some of these (`ExportFormat.takes`)."""

    #: Graph exports: add the claims as nodes.
    claims: bool = False
    #: ClaimReview: where the Datasette site is served (each review's url is BASE_URL/kz-timeline/claims/CLAIM_ID).
    base_url: str | None = None
    #: ClaimReview: write the reviews without url, a draft not for publication (instead of a base URL).
    without_url: bool = False
    #: ClaimReview's datePublished and the annotations' created: the day the export is published (default: now).
    date: dt.date | None = None
    #: Annotations: the op-ed's text (matched by SHA-256), from which the selectors' prefix and suffix come.
    articles: tuple[Path, ...] = ()

    def given(self) -> list[str]:
        """Return the names of the options set, other than claims."""
        return [name for name in ("base_url", "without_url", "date", "articles") if getattr(self, name)]


#: How each option is given on the command line, for messages.
FLAGS = {"base_url": "--base-url", "without_url": "--no-url", "date": "--date", "articles": "--article"}


@dataclass(frozen=True)
class ExportFormat:
    """One export: its name, what it is for, and how it renders the dataset to bytes."""

    name: str
    description: str
    suffixes: tuple[str, ...]
    render: Callable[[Dataset, ExportOptions], bytes]
    #: Whether the export can carry the claims too (as nodes of the graph).
    takes_claims: bool = False
    #: The other options (ExportOptions fields) the export takes.
    takes: frozenset[str] = field(default_factory=frozenset)
    #: Raises UsageError when the options do not make a whole export of this format.
    check: Callable[[ExportOptions], None] | None = None


def _timelinejs(dataset: Dataset, options: ExportOptions) -> bytes:
    from kz_timeline.exports.timelinejs import timelinejs_json

    return timelinejs_json(dataset).encode("utf-8")


def _graphml(dataset: Dataset, options: ExportOptions) -> bytes:
    from kz_timeline.exports.network import graph, graphml_bytes

    return graphml_bytes(graph(dataset, claims=options.claims))


def _gexf(dataset: Dataset, options: ExportOptions) -> bytes:
    from kz_timeline.exports.network import gexf_bytes, graph

    return gexf_bytes(graph(dataset, claims=options.claims))


def _spreadsheet(dataset: Dataset, options: ExportOptions) -> bytes:
    from kz_timeline.exports.spreadsheet import spreadsheet_csv

    return spreadsheet_csv(dataset)


def _json(document: object) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _claimreview(dataset: Dataset, options: ExportOptions) -> bytes:
    from kz_timeline.exports.claimreview import claim_reviews

    day = options.date or dt.datetime.now(dt.UTC).date()
    return _json(claim_reviews(dataset, base_url=options.base_url, date_published=day.isoformat()))


def _check_claimreview(options: ExportOptions) -> None:
    from kz_timeline.exports.claimreview import BASE_URL

    if options.base_url and options.without_url:
        raise UsageError("--base-url and --no-url contradict each other: give one")
    if not options.base_url and not options.without_url:
        raise UsageError(
            "the claimreview export needs --base-url URL, where the site is served (each review's url is "
            "URL/kz-timeline/claims/CLAIM_ID); --no-url writes a draft without url, not for publication"
        )
    if options.base_url and not BASE_URL.match(options.base_url):
        raise UsageError(f"--base-url {options.base_url!r} is not an http(s) URL such as https://example.org/factchecks")


def _annotations(dataset: Dataset, options: ExportOptions) -> bytes:
    from kz_timeline.exports.annotations import annotation_collection, source_texts

    if options.date is not None:
        created = f"{options.date.isoformat()}T00:00:00Z"
    else:
        created = dt.datetime.now(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    return _json(annotation_collection(dataset, source_texts(dataset, options.articles), created=created))


def _check_annotations(options: ExportOptions) -> None:
    if not options.articles:
        raise UsageError(
            "the annotations export needs --article FILE, the op-ed's text (its SHA-256 is in sources.csv): "
            "the selectors' prefix and suffix come from it"
        )


#: Every export format, by the name the command line uses (named and described in kz_timeline.defaults).
FORMATS: dict[str, ExportFormat] = {
    export.name: export
    for export in (
        ExportFormat("timelinejs", EXPORT_FORMATS["timelinejs"], (".json",), _timelinejs),
        ExportFormat("graphml", EXPORT_FORMATS["graphml"], (".graphml", ".xml"), _graphml, True),
        ExportFormat("gexf", EXPORT_FORMATS["gexf"], (".gexf",), _gexf, True),
        ExportFormat("spreadsheet", EXPORT_FORMATS["spreadsheet"], (".csv",), _spreadsheet),
        ExportFormat(
            "claimreview",
            EXPORT_FORMATS["claimreview"],
            (".jsonld", ".json"),
            _claimreview,
            takes=frozenset({"base_url", "without_url", "date"}),
            check=_check_claimreview,
        ),
        ExportFormat(
            "annotations",
            EXPORT_FORMATS["annotations"],
            (".jsonld", ".json"),
            _annotations,
            takes=frozenset({"date", "articles"}),
            check=_check_annotations,
        ),
    )
}


def _format(format_name: str, options: ExportOptions) -> ExportFormat:
    chosen = FORMATS.get(format_name)
    if chosen is None:
        raise ExportError(f"unknown export format {format_name!r}; the formats are {', '.join(FORMATS)}")
    if options.claims and not chosen.takes_claims:
        graphs = ", ".join(name for name, export in FORMATS.items() if export.takes_claims)
        raise ExportError(f"the {format_name} export cannot carry claims; claims go into the graph exports ({graphs})")
    for name in options.given():
        if name not in chosen.takes:
            takers = ", ".join(other for other, export in FORMATS.items() if name in export.takes)
            raise UsageError(f"the {format_name} export takes no {FLAGS[name]}; it is for the {takers} export(s)")
    if chosen.check is not None:
        chosen.check(options)
    return chosen


def _options(
    claims: bool,
    base_url: str | None,
    without_url: bool,
    date: dt.date | None,
    articles: Iterable[str | Path],
) -> ExportOptions:
    return ExportOptions(claims, base_url, without_url, date, tuple(Path(article) for article in articles))


def render_export(
    format_name: str,
    data_dir: str | Path | None = None,
    *,
    claims: bool = False,
    base_url: str | None = None,
    without_url: bool = False,
    date: dt.date | None = None,
    articles: Iterable[str | Path] = (),
) -> bytes:
    """Return the dataset in `data_dir` (the shipped data by default) exported as `format_name`.

    `claims`: for the graph exports, add the claims as nodes (asserted by their claimant, about events and actors).
    For claimreview, `base_url` (where the site is served; or `without_url` for a draft) and `date` (datePublished,
    default today); for annotations, `articles` (the op-ed's text) and `date` (created, default now). Options a
    format does not take, and a claimreview without a base URL or annotations without the text, raise UsageError.
    """
    return _render(format_name, data_dir, _options(claims, base_url, without_url, date, articles))


def _render(format_name: str, data_dir: str | Path | None, options: ExportOptions) -> bytes:
    from kz_timeline.dataset.loader import load

    chosen = _format(format_name, options)
    return chosen.render(load(data_dir, articles=options.articles), options)


def export(
    format_name: str,
    out: str | Path,
    data_dir: str | Path | None = None,
    *,
    claims: bool = False,
    base_url: str | None = None,
    without_url: bool = False,
    date: dt.date | None = None,
    articles: Iterable[str | Path] = (),
) -> Path:
    """Export the dataset in `data_dir` (the shipped data by default) as `format_name` to `out`; return the path.

    Takes the options of `render_export`. The file is written atomically: on any error the previous file, if any,
    is left as it was. A target that `kz_timeline.files.check_target` refuses raises WriteTargetError before anything
    is computed.
    """
    from kz_timeline.files import check_target, write_bytes_atomically

    options = _options(claims, base_url, without_url, date, articles)
    _format(format_name, options)
    path = Path(out)
    check_target(path)
    data = _render(format_name, data_dir, options)
    try:
        write_bytes_atomically(path, data)
    except OSError as error:
        raise ExportError(f"{path}: cannot be written: {error.strerror or error}") from error
    return path
