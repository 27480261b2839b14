"""Hostile content: HTML and JavaScript in every text field are shown as text and never run; formulas are defused.

tests/fixtures/hostile is a valid dataset whose every free-text cell holds a payload that sets `window.__pwned` and
calls alert(). Real Chromium opens the chart HTML files and the served Datasette pages, hovers every mark for its
tooltip, and proves that no payload ran (no dialog, no `window.__pwned`) and that the payloads read as text.
"""

from __future__ import annotations

import csv
import io
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kz_timeline.charts.builders import CHART_KINDS, make_chart
from kz_timeline.charts.rendering import render_chart
from kz_timeline.dataset.loader import load, validate
from kz_timeline.exports.spreadsheet import FORMULA_TRIGGERS, spreadsheet_csv
from kz_timeline.site.database import VIEWS, build_database
from tests.conftest import FIXTURES
from tests.serving import Served, served

HOSTILE = FIXTURES / "hostile"
PAYLOAD_MARK = "window.__pwned="


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("hostile") / "data"
    shutil.copytree(HOSTILE, target)
    return target


def test_the_hostile_dataset_is_valid_and_what_make_hostile_writes(tmp_path: Path) -> None:
    summary = validate(HOSTILE, [HOSTILE / "article.txt"])
    assert summary.quotes_checked == 2
    sys.path.insert(0, str(HOSTILE))
    try:
        import make_hostile
    finally:
        sys.path.remove(str(HOSTILE))
    make_hostile.make(tmp_path)
    for path in tmp_path.iterdir():
        assert path.read_bytes() == (HOSTILE / path.name).read_bytes(), path.name
    events = (HOSTILE / "events.csv").read_text(encoding="utf-8")
    assert "<script>" in events and "onerror" in events and "javascript:" in events


@pytest.mark.parametrize("kind", CHART_KINDS)
def test_chart_html_escapes_markup_inside_the_embedded_spec(hostile_dir: Path, kind: str) -> None:
    html = render_chart(make_chart(load(hostile_dir), kind), "html").decode("utf-8")
    assert PAYLOAD_MARK in html, "the hostile text should be in the spec"
    assert "</script><script>window" not in html
    assert "<script>window.__pwned" not in html
    assert "\\u003cscript\\u003ewindow.__pwned" in html or "\\u003cimg src=x onerror" in html


def spreadsheet_cells(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_spreadsheet_export_defuses_every_formula(hostile_dir: Path) -> None:
    rows = spreadsheet_cells(spreadsheet_csv(load(hostile_dir)))
    cells = [cell for row in rows[1:] for cell in row]
    assert any(cell.startswith("'=HYPERLINK(") for cell in cells)
    assert any(cell.startswith("'+cmd|") for cell in cells)
    assert [cell for cell in cells if cell.startswith(FORMULA_TRIGGERS)] == []


# ------------------------------------------------------------------------------------------------ in a browser


class Watch:
    """A page, and every dialog and script error it produced."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def assert_nothing_ran(self, where: str) -> None:
        pwned = self.page.evaluate("() => window.__pwned")
        frames = [frame.evaluate("() => window.__pwned") for frame in self.page.frames]
        assert (pwned, self.dialogs, [f for f in frames if f is not None]) == (None, [], []), where


@pytest.fixture(scope="module")
def context(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1500, "height": 1100})
    yield context
    context.close()


def hover_every_mark(watch: Watch, selector: str) -> list[str]:
    """Hover each mark with a tooltip; return the tooltip texts, checking that no markup was rendered in them."""
    texts: list[str] = []
    marks = watch.page.locator(selector)
    for index in range(marks.count()):
        mark = marks.nth(index)
        if not mark.is_visible():
            continue
        box = mark.bounding_box()
        if not box or box["width"] * box["height"] == 0:
            continue
        watch.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        tooltip = watch.page.locator("#vg-tooltip-element")
        if tooltip.count() and tooltip.is_visible():
            texts.append(tooltip.inner_text())
            assert tooltip.locator("img, script, svg, iframe, a, b, style").count() == 0
    return texts


MARKS = "svg .mark-symbol path, svg .mark-rect path, svg .mark-text text"


@pytest.mark.browser
@pytest.mark.parametrize("kind", CHART_KINDS)
def test_chart_html_tooltips_show_markup_as_text_and_run_nothing(
    context: Any, hostile_dir: Path, tmp_path: Path, kind: str
) -> None:
    path = tmp_path / f"{kind}.html"
    path.write_bytes(render_chart(make_chart(load(hostile_dir), kind), "html"))
    watch = Watch(context.new_page())
    try:
        watch.page.goto(path.as_uri())
        watch.page.wait_for_selector("svg .mark-symbol, svg .mark-rect", timeout=30000)
        texts = hover_every_mark(watch, MARKS)
        assert any(PAYLOAD_MARK in text for text in texts), texts
        watch.assert_nothing_ran(kind)
        assert watch.errors == []
    finally:
        watch.page.close()


@pytest.fixture(scope="module")
def server(hostile_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    db = tmp_path_factory.mktemp("hostile-db") / "kz-timeline.db"
    build_database(hostile_dir, db)
    with served(hostile_dir, db) as running:
        yield running


DATASETTE_PAGES = [
    "",
    "kz-timeline",
    "kz-timeline/events",
    "kz-timeline/events/editor_sentenced",
    "kz-timeline/events/president_speaks",
    "kz-timeline/actors",
    "kz-timeline/actors/editor",
    "kz-timeline/sources",
    "kz-timeline/sources/article",
    "kz-timeline/claims",
    "kz-timeline/claims/editor_sentenced_in_2017",
    "kz-timeline/participants",
    "kz-timeline/event_links",
    "kz-timeline/evidence",
    "kz-timeline/events?_search=script",
    "kz-timeline/claims?_search=img",
    "kz-timeline/events?_facet=place&_facet=title&_facet=date_note",
    "kz-timeline/actors?_facet=name",
    *(f"kz-timeline/{view}" for view in VIEWS),
    "kz-timeline?sql=select+title,+description,+place+from+events",
]


@pytest.mark.browser
@pytest.mark.parametrize("page_path", DATASETTE_PAGES)
def test_datasette_pages_show_markup_as_text_and_run_nothing(context: Any, server: Served, page_path: str) -> None:
    watch = Watch(context.new_page())
    try:
        response = watch.page.goto(server.url + page_path)
        assert response is not None and response.status == 200, page_path
        watch.page.wait_for_load_state("load")
        # Any element a payload managed to create would run its handler on these events.
        watch.page.evaluate(
            """() => { for (const element of document.querySelectorAll('body *')) {
                for (const type of ['mouseover', 'mouseenter']) {
                    element.dispatchEvent(new MouseEvent(type, {bubbles: true, cancelable: true}));
                } } }"""
        )
        watch.assert_nothing_ran(page_path)
        body = watch.page.inner_text("body")
        if page_path not in ("", "kz-timeline"):  # the index and database pages show no rows
            assert PAYLOAD_MARK in body, f"{page_path}: the payload should read as text"
    finally:
        watch.page.close()


@pytest.mark.slow
@pytest.mark.browser
def test_the_timeline_page_tooltips_show_markup_as_text_and_run_nothing(context: Any, server: Served) -> None:
    watch = Watch(context.new_page())
    try:
        watch.page.goto(server.url + "timeline")
        watch.page.wait_for_selector(".kz-chart-view svg .mark-symbol, .kz-chart-view svg .mark-rect", timeout=60000)
        watch.page.wait_for_function(
            "() => document.querySelectorAll('.kz-chart-view[aria-busy=\"true\"]').length === 0", timeout=60000
        )
        texts = hover_every_mark(watch, ".kz-chart-view " + MARKS.replace(", svg", ", .kz-chart-view svg"))
        assert any(PAYLOAD_MARK in text for text in texts), texts
        watch.assert_nothing_ran("timeline")
        assert watch.errors == []
    finally:
        watch.page.close()
