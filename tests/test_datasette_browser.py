"""A served instance in a real Chromium: home, events, a facet, a row page, the charts drawn; no console errors, offline."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from tests.conftest import DATA_DIR
from tests.serving import Served, served

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with served(DATA_DIR, tmp_path_factory.mktemp("served") / "kz-timeline.db") as running:
        yield running


@dataclass
class Visit:
    """One browser context: its page, what it tried to fetch outside 127.0.0.1 (blocked), and its console errors."""

    page: Any
    outside: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def check_clean(self) -> None:
        assert self.outside == [], f"requests outside 127.0.0.1: {self.outside}"
        assert self.errors == [], f"console errors: {self.errors}"


@pytest.fixture
def visit(browser: Any, server: Served) -> Iterator[Visit]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, timezone_id="America/Los_Angeles")
    page = context.new_page()
    seen = Visit(page)

    def route(route: Any) -> None:
        host = urlparse(route.request.url).hostname
        if host == "127.0.0.1":
            route.continue_()
        else:
            seen.outside.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    page.on("console", lambda message: seen.errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: seen.errors.append(str(error)))
    page.set_default_timeout(60_000)
    yield seen
    context.close()


def test_home_page_shows_the_title_and_links_to_the_charts(visit: Visit, server: Served) -> None:
    visit.page.goto(server.url)
    assert "one op-ed on Kazakhstan" in visit.page.locator("h1").inner_text()
    visit.page.get_by_role("link", name="Charts: timeline, actors and claims").first.click()
    visit.page.wait_for_url("**/timeline")
    visit.page.locator(".kz-chart-view[data-drawn]").first.wait_for()
    visit.check_clean()


def test_events_table_lists_events_in_date_order_with_facets(visit: Visit, server: Served) -> None:
    visit.page.goto(server.url + "kz-timeline/events")
    assert "events" in visit.page.locator("h1").inner_text()
    starts = visit.page.locator("td.col-date_start").all_inner_texts()
    assert len(starts) > 50 and starts == sorted(starts)
    facets = visit.page.locator(".facet-info")
    assert facets.count() == 1
    visit.check_clean()


def test_clicking_a_facet_value_filters_the_events(visit: Visit, server: Served) -> None:
    visit.page.goto(server.url + "kz-timeline/events")
    before = visit.page.locator("tbody tr").count()
    facet = visit.page.locator('.facet-info[data-column="event_type"] li a').first
    facet.click()
    visit.page.wait_for_url("**event_type=*")
    after = visit.page.locator("tbody tr")
    assert 0 < after.count() < before
    chosen = urlparse(visit.page.url).query.split("event_type=")[1].split("&")[0]
    assert set(visit.page.locator("td.col-event_type a").all_inner_texts()) == {
        visit.page.locator("td.col-event_type a").first.inner_text()
    }
    assert chosen
    visit.check_clean()


def test_event_row_page_lists_participants_claims_and_linked_events(visit: Visit, server: Served) -> None:
    visit.page.goto(server.url + "kz-timeline/events/mamai_convicted_2023")
    participants = visit.page.locator("#participants")
    assert "Zhanbolat Mamai" in participants.inner_text()
    assert visit.page.locator("#claims li").count() >= 1
    assert visit.page.locator("#links li").count() >= 1
    visit.page.locator("#participants a", has_text="Zhanbolat Mamai").click()
    visit.page.wait_for_url("**/kz-timeline/actors/mamai")
    assert visit.page.locator("#events li").count() >= 10
    assert "Mamai convicted of money laundering" in visit.page.locator("#events").inner_text()
    visit.check_clean()


def test_claim_page_shows_how_its_label_was_reached_and_leads_to_its_evidence(visit: Visit, server: Served) -> None:
    visit.page.goto(server.url + "kz-timeline/claims/oped_sanctions_compliance")
    assert visit.page.locator(".kz-claim-quote").inner_text().startswith("“Impressively, Kazakhstan’s strong compliance")
    assert visit.page.locator(".kz-claim-label .kz-label").inner_text() == "Contested"
    how = visit.page.locator("#how-this-label-was-reached")
    assert "Contested requires X ≥ 1" in how.locator(".kz-rule").inner_text()
    assert how.locator("tbody tr").count() == 7  # S = 3, X = 1, Q = 3 carrying rows
    assert visit.page.locator("#later-developments tbody tr").count() >= 1
    how.locator("tbody tr a", has_text="Just passing through").first.click()
    visit.page.wait_for_url("**/kz-timeline/sources/**")
    assert "established" in visit.page.locator("body").inner_text()
    visit.check_clean()


def test_home_page_counts_the_claims_per_label_and_opens_the_methodology(visit: Visit, server: Served) -> None:
    visit.page.goto(server.url)
    counts = visit.page.locator("#labels tbody tr")
    assert counts.count() == 6
    assert "Opinion, not rated" in counts.nth(5).inner_text()
    visit.page.get_by_role("link", name="The methodology", exact=True).click()
    visit.page.wait_for_url("**/methodology")
    assert "The label rubric" in visit.page.locator("pre.kz-methodology").inner_text()
    visit.check_clean()


def test_charts_page_draws_every_chart_from_the_local_vega(visit: Visit, server: Served) -> None:
    requested: list[str] = []
    visit.page.on("request", lambda request: requested.append(urlparse(request.url).path))
    visit.page.goto(server.url + "timeline")
    views = visit.page.locator(".kz-chart-view")
    assert views.count() >= 2
    for index in range(views.count()):
        view = views.nth(index)
        view.locator("svg.marks").wait_for()
        assert view.get_attribute("data-drawn") == "true"
        assert view.locator("svg.marks path, svg.marks line, svg.marks rect, svg.marks text").count() > 10
    kinds = [views.nth(index).get_attribute("data-kind") for index in range(views.count())]
    assert {"timeline", "actors"} <= set(kinds)
    assert "/-/kz-timeline/vega.js" in requested
    visit.check_clean()


def test_a_canned_query_form_runs_with_a_parameter(visit: Visit, server: Served) -> None:
    visit.page.goto(server.url + "kz-timeline/actor_events")
    visit.page.fill('input[name="actor"]', "Мамай")
    visit.page.locator('input[type="submit"]').first.click()
    visit.page.wait_for_url("**actor=*")
    assert visit.page.locator("tbody tr").count() > 5
    visit.check_clean()


def test_the_served_database_file_is_not_written(server: Served, tmp_path: Path) -> None:
    # Immutable mode opens the file read-only: no journal or WAL file appears beside it.
    db = Path(server.output.splitlines()[0].split(" ", 2)[1])
    assert db.exists()
    assert sorted(p.name for p in db.parent.iterdir()) == [db.name]


def test_a_claim_on_an_event_page_leads_back_to_its_place_in_the_op_ed(visit: Visit, server: Served) -> None:
    visit.page.goto(server.url + "kz-timeline/events/mamai_convicted_2023")
    visit.page.locator("#claims a", has_text="In the op-ed, claim by claim").first.click()
    visit.page.wait_for_url("**/oped#claim-oped_mamai_suspended_2023")
    card = visit.page.locator("#claim-oped_mamai_suspended_2023")
    assert card.is_visible() and "Partly corroborated" in card.inner_text()
    assert visit.page.evaluate("document.querySelector(':target').id") == "claim-oped_mamai_suspended_2023"
    visit.check_clean()
