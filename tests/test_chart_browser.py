"""The HTML charts in a real Chromium: offline, without console errors, right in other time zones, interactive."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from kz_timeline.charts.builders import CHART_KINDS, make_chart
from kz_timeline.charts.frames import MAX_ROWS
from kz_timeline.charts.rendering import write_chart
from kz_timeline.dataset.loader import load
from tests.test_charts import synthetic

pytestmark = pytest.mark.browser

TIME_ZONES = ("America/Los_Angeles", "Asia/Almaty")

#: The page coordinates of the first SVG element whose Vega item shows the datum `key` = `value` in a `marktype` mark.
FIND_ITEM = """([key, value, marktype]) => {
  for (const element of document.querySelectorAll("#vis svg *")) {
    const item = element.__data__;
    if (item && item.datum && item.datum[key] === value && item.mark && item.mark.marktype === marktype
        && (element.getAttribute("transform") || marktype === "rect")) {  // a rect's place is in its path alone
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
    big = synthetic(dataset, MAX_ROWS * 2)
    for kind in ("timeline", "actors"):
        path = directory / f"{kind}-counted.html"
        write_chart(make_chart(big, kind), "html", path)
        written[f"{kind}-counted"] = path
    return written


#: Whether the point (x, y) of the page lies inside the plot of the first view of the chart.
IN_PLOT = """([x, y]) => {
  const plot = document.querySelector("#vis svg .concat_0_group > g > path.background");
  if (!plot) return true;
  const box = plot.getBoundingClientRect();
  return box.left <= x && x <= box.right && box.top <= y && y <= box.bottom;
}"""


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
        if not self.page.evaluate(IN_PLOT, [found["x"], found["y"]]):
            # Outside the span the chart opens on: a double-click on the overview shows the whole span.
            strip = self.page.locator("#vis svg .overview_group").first.bounding_box()
            self.page.mouse.dblclick(strip["x"] + 2, strip["y"] + strip["height"] / 2)
            self.page.wait_for_timeout(300)
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
    # An event far from others on the unzoomed axis (in mid-2022 the marks of one lane overlap until one zooms in).
    text = opened.hover("event_id", "unga_68_262_2014", "symbol")
    assert 'UNGA resolution 68/262 "Territorial integrity of Ukraine"' in text
    assert "27 March 2014" in text
    assert "Kazakhstan (voter)" in text
    assert opened.requests == [] and opened.errors == []


def test_a_hover_on_the_overview_names_an_event_outside_the_span_the_timeline_opens_on(visit: Any) -> None:
    opened = visit("timeline")
    main = opened.item("event_id", "unga_68_262_2014", "symbol")
    assert not opened.page.evaluate(IN_PLOT, [main["x"], main["y"]]), "the event lies in the span the chart opens on"
    tick = opened.item("event_id", "unga_68_262_2014", "rect")  # the overview's tick, nothing zoomed or reset
    opened.page.mouse.move(tick["x"], tick["y"])
    tooltip = opened.page.locator("#vg-tooltip-element")
    tooltip.wait_for(state="visible", timeout=5000)
    text = tooltip.inner_text()
    assert 'UNGA resolution 68/262 "Territorial integrity of Ukraine"' in text and "27 March 2014" in text
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


def test_timeline_legend_picks_out_one_kind_of_event(visit: Any) -> None:
    opened = visit("timeline")
    before = opened.item("event_id", "spief_plenary_2022", "symbol")["opacity"]
    symbol = opened.page.evaluate(
        """() => {
          for (const element of document.querySelectorAll("#vis svg .role-legend-symbol path")) {
            const item = element.__data__;
            if (item && item.datum && item.datum.value === "Unrest and war") {
              const box = element.getBoundingClientRect();
              return {x: box.x + box.width / 2, y: box.y + box.height / 2};
            }
          }
          return null;
        }"""
    )
    assert symbol is not None, "no legend entry for Unrest and war"
    opened.page.mouse.click(symbol["x"], symbol["y"])
    opened.page.wait_for_timeout(300)
    spief_after = opened.item("event_id", "spief_plenary_2022", "symbol")["opacity"]
    invasion_after = opened.item("event_id", "russia_invades_ukraine_2022", "symbol")["opacity"]
    assert before == 1 and spief_after < 0.5 and invasion_after == 1


def test_timeline_opens_on_the_dense_span_and_a_double_click_on_the_overview_shows_the_whole(visit: Any) -> None:
    opened = visit("timeline", "America/Los_Angeles")
    page = opened.page
    domain = "window.vegaView.scale('concat_0_x').domain().map((d) => new Date(d).toISOString())"
    assert page.evaluate(domain) == ["2021-11-01T00:00:00.000Z", "2023-06-01T00:00:00.000Z"]
    strip = page.locator("#vis svg .overview_group").first.bounding_box()
    page.mouse.dblclick(strip["x"] + strip["width"] * 0.3, strip["y"] + strip["height"] / 2)
    page.wait_for_timeout(300)
    assert page.evaluate(domain) == ["2009-01-01T00:00:00.000Z", "2025-01-01T00:00:00.000Z"]
    assert opened.errors == []


def test_timeline_overview_brush_zooms_the_main_view_with_finer_utc_ticks(visit: Any) -> None:
    opened = visit("timeline", "America/Los_Angeles")
    page = opened.page
    before = page.evaluate("window.vegaView.scale('concat_0_x').domain().map(Number)")
    strip = page.locator("#vis svg .overview_group").first.bounding_box()
    y = strip["y"] + strip["height"] / 2
    # Outside the box of the span the chart opens on (a drag inside it would pan the box).
    page.mouse.move(strip["x"] + strip["width"] * 0.30, y)
    page.mouse.down()
    page.mouse.move(strip["x"] + strip["width"] * 0.32, y, steps=5)
    page.mouse.up()
    page.wait_for_timeout(300)
    after = page.evaluate("window.vegaView.scale('concat_0_x').domain().map(Number)")
    assert after[1] < before[0]
    assert (after[1] - after[0]) < (before[1] - before[0]) / 3
    ticks = page.evaluate(
        """() => [...document.querySelectorAll("#vis svg .concat_0_group text")]
          .filter((element) => element.__data__ && element.__data__.datum && element.__data__.datum.value instanceof Date)
          .map((element) => [element.textContent, element.__data__.datum.value.toISOString()])"""
    )
    assert ticks and all(iso.endswith("T00:00:00.000Z") for _, iso in ticks), ticks
    assert any(not text.isdigit() for text, _ in ticks), ticks  # months or days once zoomed in
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


@pytest.mark.parametrize("timezone_id", TIME_ZONES)
def test_timeline_key_event_labels_neither_overlap_nor_leave_the_plot(visit: Any, timezone_id: str) -> None:
    opened = visit("timeline", timezone_id)
    boxes = opened.page.evaluate(
        """() => {
          const plot = document.querySelector("#vis svg .concat_0_group > g > path.background").getBoundingClientRect();
          const labels = [];
          for (const element of document.querySelectorAll("#vis svg text")) {
            const item = element.__data__;
            if (item && item.datum && item.datum.align && item.mark.marktype === "text") {
              const box = element.getBoundingClientRect();
              // The labels of key events outside the span the chart opens on lie wholly outside the plot (unseen).
              if (box.right > plot.left && box.left < plot.right) {
                labels.push({title: element.textContent, left: box.left, right: box.right, top: box.top, bottom: box.bottom});
              }
            }
          }
          return {plot: {left: plot.left, right: plot.right, top: plot.top, bottom: plot.bottom}, labels};
        }"""
    )
    plot, labels = boxes["plot"], boxes["labels"]
    events = load().events
    key = events[events["is_key_event"]]
    assert len(labels) == int((key["date_start"].astype(str) >= "2021-11-01").sum()) == 11
    for label in labels:
        assert plot["left"] <= label["left"] and label["right"] <= plot["right"], label["title"]
        assert plot["top"] <= label["top"] and label["bottom"] <= plot["bottom"], label["title"]
    for n, first in enumerate(labels):
        for second in labels[n + 1 :]:
            apart = (
                first["right"] <= second["left"]
                or second["right"] <= first["left"]
                or first["bottom"] <= second["top"]
                or second["bottom"] <= first["top"]
            )
            assert apart, (first["title"], second["title"])


#: The legend symbol of `value` in page coordinates.
LEGEND_SYMBOL = """(value) => {
  for (const element of document.querySelectorAll("#vis svg .role-legend-symbol path")) {
    const item = element.__data__;
    if (item && item.datum && item.datum.value === value) {
      const box = element.getBoundingClientRect();
      return {x: box.x + box.width / 2, y: box.y + box.height / 2};
    }
  }
  return null;
}"""

#: [value of `field`, opacity] of every symbol whose datum has `field`.
SYMBOL_OPACITIES = """(field) => {
  const found = [];
  for (const element of document.querySelectorAll("#vis svg .mark-symbol path")) {
    const item = element.__data__;
    if (item && item.datum && item.datum[field] !== undefined) found.push([item.datum[field], item.opacity]);
  }
  return found;
}"""


@pytest.mark.parametrize(
    ("kind", "field", "value"),
    [
        ("timeline", "group", "Trials and rulings"),
        ("actors", "family", "Speech and publication"),
        ("claims", "verification", "Contradicted"),
    ],
)
def test_clicking_a_legend_entry_picks_out_its_marks_in_every_chart(visit: Any, kind: str, field: str, value: str) -> None:
    opened = visit(kind)
    symbol = opened.page.evaluate(LEGEND_SYMBOL, value)
    assert symbol is not None, f"no legend entry {value!r}"
    opened.page.mouse.click(symbol["x"], symbol["y"])
    opened.page.wait_for_timeout(300)
    opacities = opened.page.evaluate(SYMBOL_OPACITIES, field)
    picked = [opacity for name, opacity in opacities if name == value]
    others = [opacity for name, opacity in opacities if name != value]
    assert picked and others
    assert min(picked) > 0.9 and max(others) < 0.2
    assert opened.errors == []


@pytest.mark.parametrize(("kind", "expected"), [("timeline-counted", "Events"), ("actors-counted", "Parts")])
def test_counted_charts_of_big_data_render_without_errors_and_show_counts(visit: Any, kind: str, expected: str) -> None:
    opened = visit(kind, "America/Los_Angeles")
    box = opened.page.evaluate(
        """() => {
          for (const element of document.querySelectorAll("#vis svg .mark-rect path")) {
            const item = element.__data__;
            if (item && item.datum && item.datum.description) {
              const box = element.getBoundingClientRect();
              return {x: box.x + box.width / 2, y: box.y + box.height / 2};
            }
          }
          return null;
        }"""
    )
    assert box is not None
    opened.page.mouse.move(box["x"], box["y"])
    tooltip = opened.page.locator("#vg-tooltip-element")
    tooltip.wait_for(state="visible", timeout=5000)
    assert expected in tooltip.inner_text()
    assert opened.requests == [] and opened.errors == []


def test_a_hover_on_the_counted_timelines_overview_says_how_many_events_that_period_has(visit: Any) -> None:
    opened = visit("timeline-counted")
    bar = opened.page.evaluate(
        """() => {
          for (const element of document.querySelectorAll("#vis svg .overview_group .mark-rect path")) {
            const item = element.__data__;
            if (item && item.datum && item.datum.period_text && item.datum.sum_events > 0) {
              const box = element.getBoundingClientRect();
              return {x: box.x + box.width / 2, y: box.y + box.height - 1, period: item.datum.period_text,
                      events: item.datum.sum_events};
            }
          }
          return null;
        }"""
    )
    assert bar is not None, "no overview bar with its period and count"
    opened.page.mouse.move(bar["x"], bar["y"])
    tooltip = opened.page.locator("#vg-tooltip-element")
    tooltip.wait_for(state="visible", timeout=5000)
    text = tooltip.inner_text()
    assert bar["period"] in text and f"{bar['events']:,}" in text, text
    assert opened.requests == [] and opened.errors == []


#: [row, opacity, centre x, centre y] of every counted cell (a rect whose datum has `field` and a description).
CELLS = """(field) => {
  const found = [];
  for (const element of document.querySelectorAll("#vis svg .mark-rect path")) {
    const item = element.__data__;
    if (item && item.datum && item.datum[field] !== undefined && item.datum.description) {
      const box = element.getBoundingClientRect();
      found.push([item.datum[field], item.opacity, box.x + box.width / 2, box.y + box.height / 2]);
    }
  }
  return found;
}"""


@pytest.mark.parametrize(("kind", "field"), [("timeline-counted", "lane"), ("actors-counted", "actor")])
def test_clicking_a_cell_of_a_counted_chart_picks_out_its_row_and_a_double_click_shows_all(
    visit: Any, kind: str, field: str
) -> None:
    opened = visit(kind)
    cells = opened.page.evaluate(CELLS, field)
    rows = {row for row, *_ in cells}
    assert len(rows) > 1 and all(opacity == 1 for _, opacity, *_ in cells)
    row, _, x, y = cells[len(cells) // 2]
    opened.page.mouse.click(x, y)
    opened.page.wait_for_timeout(300)
    after = opened.page.evaluate(CELLS, field)
    assert {opacity for name, opacity, *_ in after if name == row} == {1}
    assert {opacity for name, opacity, *_ in after if name != row} == {0.2}
    opened.page.mouse.dblclick(x, y)
    opened.page.wait_for_timeout(300)
    assert {opacity for _, opacity, *_ in opened.page.evaluate(CELLS, field)} == {1}
    assert opened.errors == []
