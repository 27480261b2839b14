"""Write the static reader: the op-ed claim by claim, its events, the charts and the method, as a folder of files.

`kz-timeline export reader --out DIR`. The pages are the served site's templates rendered from the same rows (the
plugin's `oped_context` and `event_record`), with links between relative files, so the folder works from any static
host or straight from the file system, with no network request.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

from kz_timeline.defaults import CHART_KINDS, DATABASE_NAME
from kz_timeline.errors import KzTimelineError
from kz_timeline.files import check_target, fresh_folder_beside, holds_foreign_content, replace_folder, write_atomically
from kz_timeline.site.server import STATIC_DIR, STATIC_MOUNT, TEMPLATES_DIR

#: A file in every folder the reader writes: only such a folder is replaced by a later export.
MARKER = ".kz-timeline-reader"
#: The template that frames every static page (in place of Datasette's base.html).
STATIC_BASE = "kz-timeline-static-base.html"
#: Where each path of the served site lives in the static reader.
PATHS = {
    "/": "index.html",
    "/oped": "oped.html",
    "/timeline": "charts.html",
    "/methodology": "methodology.html",
    f"/{STATIC_MOUNT}/kz-timeline.css": "kz-timeline.css",
}
#: Below this width the charts page shows each chart drawn for a narrow screen.
NARROW_BELOW_PX = 720


class ReaderError(KzTimelineError):
    """The static reader cannot be written where it was asked for."""


@dataclass(frozen=True)
class ReaderFiles:
    """The static reader as written: its folder and its files."""

    directory: Path
    files: tuple[Path, ...]
    #: The data directory the reader was written from.
    data_dir: Path

    def __str__(self) -> str:
        pages = sum(1 for path in self.files if path.suffix == ".html")
        index = self.directory / "index.html"
        return f"wrote the reader to {self.directory} from {self.data_dir}: {len(self.files)} files, {pages} pages; open {index}"


class StaticUrls:
    """Datasette's `urls` as the templates use it, answered with relative files of the static reader.

    A row without a page of its own here (an actor, a source, a claim: claims live on the op-ed page, an event the
    op-ed's page does not lead to) gets None, and the templates name it without a link.
    """

    def __init__(self, depth: int, events: frozenset[str]) -> None:
        self._prefix = "../" * depth
        self._events = events

    def path(self, path: str) -> str:
        """Return the relative file of a path of the served site."""
        if path not in PATHS:
            raise KeyError(f"the static reader has no page for {path}")
        return self._prefix + PATHS[path]

    def row(self, database: str, table: str, key: str) -> str | None:
        """Return the relative file of a row's page, or None when the reader has none."""
        if table == "events" and key in self._events:
            return f"{self._prefix}events/{key}.html"
        return None


def _environment() -> Any:
    """Return a Jinja environment that renders the package's templates into static pages."""
    import jinja2

    base = (TEMPLATES_DIR / STATIC_BASE).read_text(encoding="utf-8")
    loader = jinja2.ChoiceLoader([jinja2.DictLoader({"base.html": base}), jinja2.FileSystemLoader(TEMPLATES_DIR)])
    environment = jinja2.Environment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined)
    environment.filters["quote_plus"] = quote_plus
    return environment


def _linked_events(oped: dict[str, Any]) -> list[str]:
    """Return the events the op-ed's page links to: its claims', their evidence's and its key events, each once."""
    found = [event["event_id"] for claim in oped["claims"] for event in claim["events"]]
    sections = ("carrying", "context", "later")
    found += [row["event_id"] for claim in oped["claims"] for section in sections for row in claim[section] if row["event_id"]]
    found += [event["event_id"] for event in oped["key_events"]]
    return list(dict.fromkeys(found))


def _charts(dataset: Any, directory: Path) -> list[dict[str, Any]]:
    """Write every chart as SVG (wide and narrow) and as self-contained HTML; return what the charts page shows."""
    from kz_timeline.charts.builders import make_chart
    from kz_timeline.charts.layout import NARROW_WIDTH, WIDTH
    from kz_timeline.charts.rendering import chart_spec, chart_title, spec_html, spec_svg
    from kz_timeline.text import term_label

    (directory / "charts").mkdir()
    shown = []
    for kind in CHART_KINDS:
        wide = chart_spec(make_chart(dataset, kind, width=WIDTH))
        narrow = chart_spec(make_chart(dataset, kind, width=NARROW_WIDTH))
        write_atomically(directory / "charts" / f"{kind}.svg", spec_svg(wide))
        write_atomically(directory / "charts" / f"{kind}-narrow.svg", spec_svg(narrow))
        write_atomically(directory / "charts" / f"{kind}.html", spec_html(wide))
        shown.append(
            {
                "kind": kind,
                "heading": term_label(kind),
                "title": chart_title(wide),
                "description": wide.get("description", ""),
                "svg": f"charts/{kind}.svg",
                "narrow_svg": f"charts/{kind}-narrow.svg",
                "html": f"charts/{kind}.html",
            }
        )
    return shown


def _render(directory: Path, database: Path, dataset: Any) -> None:
    """Render every page of the reader into `directory` from the built `database`."""
    from kz_timeline import __version__
    from kz_timeline.site.datasette_metadata import CHARTS_TITLE, site_metadata
    from kz_timeline.site.plugins.kz_timeline_site import event_record, oped_context

    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        oped = oped_context(connection)
        events = _linked_events(oped)
        records = [record for record in (event_record(connection, event_id) for event_id in events) if record]
    finally:
        connection.close()
    environment = _environment()
    have = frozenset(record["event_id"] for record in records)
    metadata = site_metadata()
    common = {
        "database": DATABASE_NAME,
        "version": __version__,
        "metadata": metadata,
        "narrow_below": NARROW_BELOW_PX,
        "charts_title": CHARTS_TITLE,
    }

    def page(name: str, template: str, depth: int = 0, **context: Any) -> None:
        html = environment.get_template(template).render(urls=StaticUrls(depth, have), **common, **context)
        write_atomically(directory / name, html)

    page("oped.html", "kz-timeline-oped.html", oped=oped)
    (directory / "events").mkdir()
    for record in records:
        page(f"events/{record['event_id']}.html", "kz-timeline-static-event.html", depth=1, ev=record)
    page("charts.html", "kz-timeline-static-charts.html", charts=_charts(dataset, directory))
    page("methodology.html", "pages/methodology.html")
    page("index.html", "kz-timeline-static-index.html", oped=oped, events=len(records))
    shutil.copy(STATIC_DIR / "kz-timeline.css", directory / "kz-timeline.css")
    write_atomically(directory / MARKER, f"Written by kz-timeline {__version__} (`kz-timeline export reader`).\n")


def write_reader(out: str | Path, data_dir: str | Path | None = None) -> ReaderFiles:
    """Write the static reader of the data in `data_dir` (the checkout's or the shipped data by default) into `out`.

    The folder is written whole or not at all: the pages are made in a fresh folder beside it, which then takes its
    place in one step. `out` follows the rule of every writer (`kz_timeline.files.check_target`: not a link, its
    folder must exist), and only a folder the reader wrote before, or an empty one, is replaced.
    """
    from kz_timeline.dataset.loader import load, resolve_data_dir
    from kz_timeline.site.database import build_database

    target = Path(out)
    check_target(target, folder=True)
    if holds_foreign_content(target, MARKER):
        raise ReaderError(f"{target}: is not empty and was not written by the reader; give a new or empty folder")
    source = resolve_data_dir(data_dir)
    dataset = load(source)
    try:
        fresh = fresh_folder_beside(target)
    except OSError as error:
        raise ReaderError(f"{target}: cannot write beside it: {error.strerror or error}") from error
    try:
        with tempfile.TemporaryDirectory(prefix="kz-timeline-reader-") as scratch:
            database = Path(scratch) / f"{DATABASE_NAME}.db"
            build_database(source, database)
            _render(fresh, database, dataset)
        replace_folder(fresh, target)
    except OSError as error:
        shutil.rmtree(fresh, ignore_errors=True)
        raise ReaderError(f"{target}: cannot write the reader: {error.strerror or error}") from error
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    files = tuple(sorted(path for path in target.rglob("*") if path.is_file() and path.name != MARKER))
    return ReaderFiles(target, files, source)
