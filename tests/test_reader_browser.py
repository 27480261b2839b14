"""Readers in a real Chromium: axe-core finds no serious violation, phones scroll only down, keyboards open the
evidence, charts fit their frames, and no page reaches outside this machine or logs an error.

The served site (`kz-timeline serve`) and the static reader (`kz-timeline export reader`, opened from file://).
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from kz_timeline.site.reader import write_reader
from tests.conftest import DATA_DIR
from tests.npm_cache import npm_package
from tests.serving import Served, served

pytestmark = pytest.mark.browser

AXE = "axe-core@4.14.1"
#: Impacts a page may not have (axe's scale: minor, moderate, serious, critical).
BARRED = ("serious", "critical")
#: What a page may load: this machine's server, its own files, inline data.
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")


def csv_rows(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


@pytest.fixture(scope="module")
def axe_js() -> Path:
    return npm_package(AXE, "axe.min.js")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with served(DATA_DIR, tmp_path_factory.mktemp("served") / "kz-timeline.db") as running:
        yield running


@pytest.fixture(scope="module")
def static_reader(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("static") / "reader"
    write_reader(out, DATA_DIR)
    return out


@dataclass
class Visit:
    """A page in a fresh browser context: what it tried to fetch elsewhere (blocked) and what it logged as errors."""

    page: Any
    outside: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def check_clean(self) -> None:
        assert self.outside == [], f"requests outside this machine: {self.outside}"
        assert self.errors == [], f"console errors: {self.errors}"


@pytest.fixture
def visit(browser: Any) -> Iterator[Callable[..., Visit]]:
    contexts: list[Any] = []

    def open_page(url: str, width: int = 1280) -> Visit:
        context = browser.new_context(viewport={"width": width, "height": 900}, timezone_id="America/Los_Angeles")
        contexts.append(context)
        page = context.new_page()
        seen = Visit(page)

        def route(request_route: Any) -> None:
            url = request_route.request.url
            if url.startswith(LOCAL_SCHEMES) or urlparse(url).hostname == "127.0.0.1":
                request_route.continue_()
            else:
                seen.outside.append(url)
                request_route.abort()

        context.route("**/*", route)
        page.on("console", lambda message: seen.errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: seen.errors.append(str(error)))
        page.set_default_timeout(60_000)
        page.goto(url)
        if page.locator(".kz-chart-view").count():
            page.wait_for_function("[...document.querySelectorAll('.kz-chart-view')].every((v) => v.dataset.drawn)")
        return seen

    yield open_page
    for context in contexts:
        context.close()


def barred_violations(page: Any, axe_js: Path) -> list[str]:
    """Run axe-core in the page; return its violations of serious or critical impact, one line each."""
    page.add_script_tag(path=str(axe_js))
    # No preload: axe would fetch the stylesheets again itself, which a page opened from file:// forbids.
    violations = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations'], preload: false})).violations")
    return [
        f"{violation['id']} ({violation['impact']}): {node['target']}"
        for violation in violations
        if violation["impact"] in BARRED
        for node in violation["nodes"]
    ]


SERVED_PAGES = {
    "home": "",
    "a table": "kz-timeline/events",
    "an event": "kz-timeline/events/mamai_convicted_2023",
    "an actor": "kz-timeline/actors/mamai",
    "a claim": "kz-timeline/claims/oped_sanctions_compliance",
    "the charts": "timeline",
    "the op-ed": "oped",
}
STATIC_PAGES = ["index.html", "oped.html", "charts.html", "events/mamai_convicted_2023.html", "methodology.html"]


@pytest.mark.parametrize("name", list(SERVED_PAGES))
def test_axe_finds_no_serious_violation_on_the_served_site_and_nothing_reaches_outside(
    visit: Callable[..., Visit], server: Served, axe_js: Path, name: str
) -> None:
    opened = visit(server.url + SERVED_PAGES[name])
    assert barred_violations(opened.page, axe_js) == []
    opened.check_clean()


@pytest.mark.parametrize("name", STATIC_PAGES)
def test_axe_finds_no_serious_violation_in_the_static_reader_opened_from_the_file_system(
    visit: Callable[..., Visit], static_reader: Path, axe_js: Path, name: str
) -> None:
    opened = visit((static_reader / name).as_uri())
    assert barred_violations(opened.page, axe_js) == []
    opened.check_clean()


def test_axe_finds_the_violations_of_a_page_without_language_or_labels(
    visit: Callable[..., Visit], tmp_path: Path, axe_js: Path
) -> None:
    page = tmp_path / "bad.html"
    page.write_text("<!DOCTYPE html><html><head><title>x</title></head><body><select><option>a</option></select></body></html>")
    found = barred_violations(visit(page.as_uri()).page, axe_js)
    assert {line.split(" ")[0] for line in found} == {"html-has-lang", "select-name"}


#: Whether the page scrolls sideways, and every claim card whose label or verdict is not fully in view without hover.
PHONE_CHECK = """() => {
  const root = document.documentElement;
  const hidden = [];
  for (const card of document.querySelectorAll("article.kz-claim")) {
    for (const selector of [".kz-claim-label .kz-label", ".kz-verdict"]) {
      const element = card.querySelector(selector);
      const box = element && element.getBoundingClientRect();
      const style = element && getComputedStyle(element);
      if (!element || box.width === 0 || box.height === 0 || box.left < 0 || box.right > root.clientWidth
          || style.visibility !== "visible" || style.display === "none") {
        hidden.push(card.id + " " + selector);
      }
    }
  }
  const claims = document.querySelectorAll("article.kz-claim").length;
  return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, claims, hidden};
}"""


@pytest.mark.parametrize("where", ["served", "static"])
def test_at_390_px_the_op_ed_page_never_scrolls_sideways_and_shows_every_label_and_verdict(
    visit: Callable[..., Visit], server: Served, static_reader: Path, where: str
) -> None:
    url = server.url + "oped" if where == "served" else (static_reader / "oped.html").as_uri()
    opened = visit(url, width=390)
    found = opened.page.evaluate(PHONE_CHECK)
    assert found["claims"] == 47
    assert found["hidden"] == []
    assert found["scrollWidth"] <= found["clientWidth"] == 390
    opened.check_clean()


def test_the_phone_check_catches_a_page_that_scrolls_sideways_and_a_hidden_verdict(
    visit: Callable[..., Visit], tmp_path: Path
) -> None:
    page = tmp_path / "wide.html"
    page.write_text(
        '<!DOCTYPE html><html lang="en"><head><title>x</title></head><body><div style="width: 900px">wide</div>'
        '<article class="kz-claim" id="claim-x"><p class="kz-claim-label"><span class="kz-label">Contested</span></p>'
        '<p class="kz-verdict" style="display: none">hidden</p></article></body></html>',
        encoding="utf-8",
    )
    found = visit(page.as_uri(), width=390).page.evaluate(PHONE_CHECK)
    assert found["scrollWidth"] > found["clientWidth"] and found["hidden"] == ["claim-x .kz-verdict"]


#: The focused element's tag and the id of the claim it is in, if any: "SUMMARY claim-oped_title".
FOCUSED = """(() => {
  const element = document.activeElement;
  const claim = element.closest("article.kz-claim");
  return element.tagName + " " + (claim ? claim.id : "");
})()"""


@pytest.mark.parametrize("where", ["served", "static"])
def test_the_keyboard_reaches_each_claim_and_opens_its_evidence(
    visit: Callable[..., Visit], server: Served, static_reader: Path, where: str
) -> None:
    url = server.url + "oped" if where == "served" else (static_reader / "oped.html").as_uri()
    page = visit(url).page
    focused: list[str] = []
    for _ in range(400):
        page.keyboard.press("Tab")
        focused.append(page.evaluate(FOCUSED))
        if focused[-1].startswith("SUMMARY claim-"):
            break
    assert focused[-1].startswith("SUMMARY claim-"), focused[-5:]
    assert any(entry.startswith("A claim-") for entry in focused), "no claim's own link was reached first"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")
    assert page.evaluate("document.activeElement.parentElement.open") is False
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.parentElement.open") is True
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('details.kz-evidence') !== null")


#: For every chart on the page: its width, its frame's, the width drawn for (data-width), legend labels cut short,
#: and the lines of its title that run under vega-embed's menu button.
CHART_FIT = """() => [...document.querySelectorAll(".kz-chart-view")].map((view) => {
  const svg = view.querySelector("svg.marks");
  const cut = [...view.querySelectorAll(".role-legend-label text")].map((t) => t.textContent).filter((t) => t.endsWith("…"));
  const menu = view.querySelector("summary").getBoundingClientRect();
  const lines = [...view.querySelectorAll(".role-title-text tspan")];
  const underMenu = (lines.length ? lines : [...view.querySelectorAll(".role-title-text")]).filter((line) => {
    const box = line.getBoundingClientRect();
    return box.right > menu.left && box.left < menu.right && box.bottom > menu.top && box.top < menu.bottom;
  }).map((line) => line.textContent);
  return {kind: view.dataset.kind, drawn: view.dataset.width, chart: svg.getBoundingClientRect().width,
          frame: view.clientWidth, cut, underMenu};
})"""


@pytest.mark.parametrize(("width", "drawn"), [(390, "narrow"), (1280, "wide")])
def test_every_chart_fits_its_frame_on_a_phone_and_a_1280_px_screen(
    visit: Callable[..., Visit], server: Served, width: int, drawn: str
) -> None:
    opened = visit(server.url + "timeline", width=width)
    charts = opened.page.evaluate(CHART_FIT)
    assert {chart["kind"] for chart in charts} == {"timeline", "actors", "claims"}
    for chart in charts:
        assert chart["drawn"] == drawn
        assert chart["chart"] <= chart["frame"], chart
        assert chart["cut"] == [], chart
        assert chart["underMenu"] == [], chart
    root = opened.page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert root[0] <= root[1]
    opened.check_clean()


def test_the_fit_check_catches_a_title_under_the_menu_button(visit: Callable[..., Visit], tmp_path: Path) -> None:
    page = tmp_path / "chart.html"
    page.write_text(
        '<!DOCTYPE html><html lang="en"><head><title>x</title></head><body>'
        '<div class="kz-chart-view" data-kind="timeline" data-width="narrow" data-drawn="true"'
        ' style="position: relative; width: 300px">'
        '<svg class="marks" width="300" height="60"><g class="role-title-text"><text x="0" y="20">'
        "<tspan>A title long enough to run under the button</tspan><tspan x='0' dy='20'>Short</tspan></text></g></svg>"
        '<details style="position: absolute; top: 0; right: 0"><summary>…</summary></details></div></body></html>',
        encoding="utf-8",
    )
    (chart,) = visit(page.as_uri(), width=390).page.evaluate(CHART_FIT)
    assert chart["underMenu"] == ["A title long enough to run under the button"]


def test_every_chart_on_the_charts_page_is_described_to_screen_readers(visit: Callable[..., Visit], server: Served) -> None:
    opened = visit(server.url + "timeline")
    labels = opened.page.evaluate(
        """() => [...document.querySelectorAll(".kz-chart-view")].map((view) => {
          const wrapper = view.querySelector("[role=graphics-document]");
          return [view.dataset.specUrl, wrapper && wrapper.getAttribute("aria-label")];
        })"""
    )
    for spec_url, label in labels:
        spec = json.loads(opened.page.evaluate("(url) => fetch(url).then((r) => r.text())", spec_url))
        assert label == spec["description"] and len(label) > 40
    names = opened.page.evaluate(
        "[...document.querySelectorAll('.kz-chart-view summary')].map((s) => s.getAttribute('aria-label'))"
    )
    assert names == ["Save the chart as SVG or PNG"] * 3


def busiest(table: str, column: str) -> str:
    """Return the value of `column` that most rows of `table` (a CSV file of the shipped data) have."""
    counts = Counter(row[column] for row in csv_rows(table))
    return max(counts, key=lambda value: (counts[value], value))


#: Each page that must lead with the thing itself, and its sections that must start on the first 1,000 px at 1280
#: px: a typical event and actor, and those with the most participants and the most events.
RECORD_PAGES = {
    "event mamai_convicted_2023": ("kz-timeline/events/mamai_convicted_2023", ("#participants", "#claims")),
    "the event with most participants": (
        lambda: f"kz-timeline/events/{busiest('participants', 'event_id')}",
        ("#participants", "#claims"),
    ),
    "actor mamai": ("kz-timeline/actors/mamai", ("#events", "#claims")),
    "the actor with most events": (lambda: f"kz-timeline/actors/{busiest('participants', 'actor_id')}", ("#events", "#claims")),
}


@pytest.mark.parametrize("name", list(RECORD_PAGES))
def test_event_and_actor_pages_show_their_parts_and_claims_within_the_first_1000_px_and_fit_a_phone(
    visit: Callable[..., Visit], server: Served, name: str
) -> None:
    where, sections = RECORD_PAGES[name]
    path = where() if callable(where) else where
    opened = visit(server.url + path)
    for section in sections:
        box = opened.page.locator(section).bounding_box()
        assert box is not None and box["y"] < 1000, (path, section, box)
    assert opened.page.locator("details.kz-raw").evaluate("(details) => details.open") is False
    opened.check_clean()
    phone = visit(server.url + path, width=390).page
    assert phone.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]") == [390, 390]


def test_an_actors_folded_events_open_from_the_keyboard(visit: Callable[..., Visit], server: Served) -> None:
    actor = busiest("participants", "actor_id")
    page = visit(server.url + f"kz-timeline/actors/{actor}").page
    events = sum(row["actor_id"] == actor for row in csv_rows("participants"))
    assert page.locator("#events li").count() == events
    summary = page.locator("details.kz-more-events > summary")
    assert summary.inner_text().startswith(f"{events - 8} more events, to ")
    summary.focus()
    page.keyboard.press("Enter")
    assert page.locator("details.kz-more-events").evaluate("(details) => details.open") is True
    assert page.locator("#events li").last.is_visible()


def test_the_static_readers_interactive_charts_draw_from_the_file_system_alone(
    visit: Callable[..., Visit], static_reader: Path
) -> None:
    for kind in ("timeline", "actors", "claims"):
        opened = visit((static_reader / "charts" / f"{kind}.html").as_uri())
        opened.page.wait_for_function("window.vegaView !== undefined")
        assert opened.page.locator("#vis svg .mark-symbol, #vis svg .mark-rect").count() > 0
        opened.check_clean()


@pytest.mark.parametrize("width", [390, 1280])
def test_the_static_readers_charts_page_shows_the_chart_drawn_for_the_screen(
    visit: Callable[..., Visit], static_reader: Path, width: int
) -> None:
    opened = visit((static_reader / "charts.html").as_uri(), width=width)
    shown = opened.page.evaluate(
        """[...document.querySelectorAll('.kz-chart-figure img')].map(
          (img) => [img.currentSrc, img.complete && img.naturalWidth > 0, img.getBoundingClientRect().right])"""
    )
    assert len(shown) == 3
    for source, loaded, right in shown:
        assert loaded and right <= width
        assert source.endswith("-narrow.svg") == (width == 390)
    opened.check_clean()
