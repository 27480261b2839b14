"""The HTML charts in a real Chromium: offline, without console errors, right in other time zones, interactive."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from kz_timeline.charts import CHART_KINDS, make_chart
from kz_timeline.dataset import load
from kz_timeline.rendering import write_chart

pytestmark = pytest.mark.browser

TIME_ZONES = ("America/Los_Angeles", "Asia/Almaty")

#: The page coordinates of the first SVG element whose Vega item shows the datum `key` = `value` in a `marktype` mark.
FIND_ITEM = """([key, value, marktype]) => {
  for (const element of document.querySelectorAll("#vis svg *")) {
    const item = element.__data__;
    if (item && item.datum && item.datum[key] === value && item.mark && item.mark.marktype === marktype
        && element.getAttribute("transform")) {
      const box = element.getBoundingClientRect();
      return {x: box.x + box.width / 2, y: box.y + box.height / 2, opacity: item.opacity};
    }
  }
  return null;
}"""


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Write the HTML of every chart of the shipped data."""
    directory = tmp_path_factory.mktemp("charts")
    dataset = load()
    written = {}
    for kind in CHART_KINDS:
        path = directory / f"{kind}.html"
        write_chart(make_chart(dataset, kind), "html", path)
        written[kind] = path
    return written


@dataclass
class Visit:
    """A page opened in a fresh browser context, with what it tried to fetch and what it logged as an error."""

    page: Any
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def item(self, key: str, value: str, marktype: str) -> dict[str, float]:
        found: dict[str, float] | None = self.page.evaluate(FIND_ITEM, [key, value, marktype])
        assert found is not None, f"no {marktype} mark for {key}={value}"
        return found

    def hover(self, key: str, value: str, marktype: str) -> str:
        found = self.item(key, value, marktype)
        self.page.mouse.move(found["x"], found["y"])
        tooltip = self.page.locator("#vg-tooltip-element")
        tooltip.wait_for(state="visible", timeout=5000)
        text: str = tooltip.inner_text()
        return text


@pytest.fixture
def visit(browser: Any, pages: dict[str, Path]) -> Iterator[Any]:
    """Open a chart page in a new context (time zone given) with every non-local request blocked and recorded."""
    contexts: list[Any] = []

    def open_page(kind: str, timezone_id: str = "UTC") -> Visit:
        context = browser.new_context(timezone_id=timezone_id, viewport={"width": 1600, "height": 1200})
        contexts.append(context)
        page = context.new_page()
        visit = Visit(page)

        def route(route: Any) -> None:
            url = route.request.url
            if url.startswith(("file:", "data:", "blob:", "about:")):
                route.continue_()
            else:
                visit.requests.append(url)
                route.abort()

        page.route("**/*", route)
        page.on("console", lambda message: visit.errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: visit.errors.append(str(error)))
        page.goto(pages[kind].as_uri())
        page.wait_for_function("window.vegaView !== undefined", timeout=30000)
        page.wait_for_selector("#vis svg .mark-symbol, #vis svg .mark-rect")
        return visit

    yield open_page
    for context in contexts:
        context.close()


@pytest.mark.parametrize("timezone_id", TIME_ZONES)
def test_timeline_tooltip_shows_the_events_own_day_in_every_time_zone(visit: Any, timezone_id: str) -> None:
    opened = visit("timeline", timezone_id)
    assert opened.page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == timezone_id
    text = opened.hover("event_id", "spief_plenary_2022", "symbol")
    assert "Tokayev beside Putin at the SPIEF plenary session" in text
    assert "17 June 2022" in text
    assert "Kassym-Jomart Tokayev (speaker)" in text
    assert opened.requests == [] and opened.errors == []


@pytest.mark.parametrize("timezone_id", TIME_ZONES)
def test_timeline_places_a_day_on_its_utc_day_and_labels_years_at_utc_new_year(visit: Any, timezone_id: str) -> None:
    opened = visit("timeline", timezone_id)
    placed = opened.page.evaluate(
        """() => {
          const view = window.vegaView;
          const scale = view.scale("concat_0_x");
          let spief = null;
          for (const element of document.querySelectorAll("#vis svg path")) {
            const item = element.__data__;
            if (item && item.datum && item.datum.event_id === "spief_plenary_2022" && item.mark.marktype === "symbol") {
              spief = new Date(scale.invert(item.x)).toISOString();
              break;
            }
          }
          const years = [];
          for (const element of document.querySelectorAll("#vis svg text")) {
            const item = element.__data__;
            if (item && item.datum && element.textContent === "2022" && item.datum.value instanceof Date) {
              years.push(item.datum.value.getTime());
            }
          }
          return {spief, years, utc2022: Date.UTC(2022, 0, 1)};
        }"""
    )
    assert placed["spief"].startswith("2022-06-17T")
    assert placed["years"] and set(placed["years"]) == {placed["utc2022"]}


def test_timeline_legend_picks_out_one_event_type(visit: Any) -> None:
    opened = visit("timeline")
    before = opened.item("event_id", "spief_plenary_2022", "symbol")["opacity"]
    legend_entry = opened.page.locator("#vis svg .role-legend-label text", has_text="Military action")
    legend_entry.first.click()
    opened.page.wait_for_timeout(300)
    spief_after = opened.item("event_id", "spief_plenary_2022", "symbol")["opacity"]
    invasion_after = opened.item("event_id", "russia_invades_ukraine_2022", "symbol")["opacity"]
    assert before == 1 and spief_after < 0.5 and invasion_after == 1


def test_timeline_overview_brush_zooms_the_main_view(visit: Any) -> None:
    opened = visit("timeline")
    page = opened.page
    before = page.evaluate("window.vegaView.scale('concat_0_x').domain().map(Number)")
    strip = page.locator("#vis svg .overview_group").first.bounding_box()
    y = strip["y"] + strip["height"] / 2
    page.mouse.move(strip["x"] + strip["width"] * 0.80, y)
    page.mouse.down()
    page.mouse.move(strip["x"] + strip["width"] * 0.90, y, steps=5)
    page.mouse.up()
    page.wait_for_timeout(300)
    after = page.evaluate("window.vegaView.scale('concat_0_x').domain().map(Number)")
    assert after[0] > before[0] and after[1] < before[1]
    assert (after[1] - after[0]) < (before[1] - before[0]) / 5
    assert opened.errors == []


@pytest.mark.parametrize(
    ("kind", "key", "value", "expected"),
    [
        ("actors", "actor_id", "tokayev", "Kassym-Jomart Tokayev"),
        ("claims", "claim_id", "oped_ablyazov_fled", "Ablyazov fled Kazakhstan"),
    ],
)
def test_each_chart_renders_offline_without_errors_and_shows_tooltips(
    visit: Any, kind: str, key: str, value: str, expected: str
) -> None:
    opened = visit(kind, "Asia/Almaty")
    marktype = "symbol"
    text = opened.hover(key, value, marktype)
    assert expected in text
    assert opened.requests == [] and opened.errors == []
