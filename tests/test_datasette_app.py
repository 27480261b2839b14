"""Datasette's in-process client on the real built database: pages, row links, facets, search, canned queries, charts."""

from __future__ import annotations

import asyncio
import csv
import html
import json
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from kz_timeline.defaults import CHART_KINDS, DATABASE_NAME
from kz_timeline.schema.vocabularies import VOCABULARIES
from kz_timeline.site.browsing import BROWSING
from kz_timeline.site.database import build_database, stored_fingerprint
from kz_timeline.site.datasette_metadata import QUERIES, site_metadata
from kz_timeline.site.server import SETTINGS, ServeError, make_datasette
from tests.conftest import DATA_DIR

DB = f"/{DATABASE_NAME}"
META_TABLES: dict[str, Any] = site_metadata()["databases"][DATABASE_NAME]["tables"]


@pytest.fixture(scope="module")
def datasette(tmp_path_factory: pytest.TempPathFactory) -> Any:
    # A file name other than kz-timeline.db: the database is still served as /kz-timeline.
    path = tmp_path_factory.mktemp("app") / "built.db"
    build_database(DATA_DIR, path)
    return make_datasette(path, data_dir=DATA_DIR)


class Page:
    def __init__(self, status: int, text: str, headers: dict[str, str]) -> None:
        self.status, self.text, self.headers = status, text, headers

    def json(self) -> Any:
        return json.loads(self.text)


def get(datasette: Any, path: str) -> Page:
    async def fetch() -> Page:
        response = await datasette.client.get(path)
        return Page(response.status_code, response.text, dict(response.headers))

    return asyncio.run(fetch())


def rows_of(datasette: Any, path: str) -> list[dict[str, Any]]:
    base, _, query = path.partition("?")
    page = get(datasette, f"{base}.json?{query}&_shape=array&_size=max")
    assert page.status == 200, page.text[:500]
    rows: list[dict[str, Any]] = page.json()
    return rows


def csv_rows(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def test_the_database_is_served_immutable_as_kz_timeline_with_the_settings(datasette: Any) -> None:
    database = datasette.get_database(DATABASE_NAME)
    assert database.is_mutable is False
    assert [name for name in datasette.databases if not name.startswith("_")] == [DATABASE_NAME]
    for key, value in SETTINGS.items():
        assert datasette.setting(key) == value
    assert datasette.setting("sql_time_limit_ms") == 3000 and datasette.setting("suggest_facets") is False


def test_row_counts_come_from_inspect_data_counted_once_at_start(datasette: Any) -> None:
    tables = datasette.inspect_data[DATABASE_NAME]["tables"]
    assert tables["events"]["count"] == len(csv_rows("events"))
    assert tables["claims"]["count"] == len(csv_rows("claims"))
    page = get(datasette, "/")
    hidden = ("events_fts", "claims_fts", "events_span", "_facet_counts", "sqlite_")
    total = sum(entry["count"] for name, entry in tables.items() if not name.startswith(hidden))
    assert f"{total:,} rows in" in page.text


def test_home_page_shows_title_description_licence_source_and_links_to_the_charts(datasette: Any) -> None:
    page = get(datasette, "/")
    assert page.status == 200
    assert "one op-ed on Kazakhstan, set beside the public record" in page.text
    assert "The op-ed is opinion, not news" in page.text
    assert 'href="https://creativecommons.org/licenses/by/4.0/"' in page.text
    assert "burgasgazette.com" in page.text
    assert '<a href="/timeline">Charts: timeline, actors and claims</a>' in page.text


@pytest.mark.parametrize("name", sorted(META_TABLES))
def test_every_table_and_view_page_renders_with_its_description(datasette: Any, name: str) -> None:
    page = get(datasette, f"{DB}/{name}")
    assert page.status == 200, page.text[:500]
    assert META_TABLES[name]["description"].split(":")[0].replace("'", "&#39;") in page.text


@pytest.mark.parametrize("name", ["events", "actors", "claims", "sources", "participants", "event_links", "evidence"])
def test_every_data_table_serves_every_csv_row(datasette: Any, name: str) -> None:
    page = get(datasette, f"{DB}/{name}.json?_size=1")
    assert page.json()["filtered_table_rows_count"] == len(csv_rows(name))


@pytest.mark.parametrize("name", ["events", "claims", "timeline", "event_types"])
def test_table_pages_list_every_column_description(datasette: Any, name: str) -> None:
    page = get(datasette, f"{DB}/{name}")
    for column, description in META_TABLES[name]["columns"].items():
        assert f"<dt>{column}</dt><dd>{html.escape(description, quote=True).replace('&#x27;', '&#39;')}</dd>" in page.text


def test_metadata_json_carries_column_descriptions_and_canned_queries(datasette: Any) -> None:
    metadata = get(datasette, "/-/metadata.json").json()
    tables = metadata["databases"][DATABASE_NAME]["tables"]
    assert tables["events"]["columns"]["year"].startswith("Year of date_start")
    assert set(metadata["databases"][DATABASE_NAME]["queries"]) == set(QUERIES)


def test_events_page_is_sorted_by_date_with_type_labels_from_the_lookup(datasette: Any) -> None:
    data = get(datasette, f"{DB}/events.json?_labels=on&_size=max").json()
    starts = [row["date_start"] for row in data["rows"]]
    assert starts == sorted(starts)
    labels = {row["event_type"]["value"]: row["event_type"]["label"] for row in data["rows"]}
    assert labels["military_action"] == "Military action"


def test_event_row_page_leads_with_the_event_then_participants_claims_links_and_the_row_folded(datasette: Any) -> None:
    page = get(datasette, f"{DB}/events/mamai_convicted_2023")
    assert page.status == 200
    text = page.text
    assert "<title>Mamai convicted and given a six-year suspended sentence · kz-timeline: events</title>" in text
    event = next(row for row in csv_rows("events") if row["event_id"] == "mamai_convicted_2023")
    order = [
        text.index("<h1>Mamai convicted and given a six-year suspended sentence</h1>"),
        text.index("<strong>10 April 2023</strong> · Almaty, Kazakhstan · Verdict · Mamai case · a key event of the op-ed"),
        text.index(html.escape(event["description"], quote=True).replace("&#x27;", "&#39;")),  # Jinja writes a quote as &#39;
        text.index('id="participants"'),
        text.index('id="claims"'),
        text.index('id="links"'),
        text.index('id="evidence"'),
        text.index('<details class="kz-raw" id="row">'),
    ]
    assert order == sorted(order)
    participants = [row for row in csv_rows("participants") if row["event_id"] == "mamai_convicted_2023"]
    assert participants
    assert '<h2 id="participants-heading">Who takes part</h2>' in text
    assert '<a href="/kz-timeline/actors/mamai">Zhanbolat Mamai</a>: defendant' in text
    claims = [row for row in csv_rows("claims") if row["event_id"] == "mamai_convicted_2023"]
    assert '<h2 id="claims-heading">Claims about this event</h2>' in text
    for claim in claims:
        assert f'href="/kz-timeline/claims/{claim["claim_id"]}"' in text
        assert f'href="/oped#claim-{claim["claim_id"]}"' in text  # back to the op-ed, claim by claim
    links = [row for row in csv_rows("event_links") if "mamai_convicted_2023" in (row["from_event_id"], row["to_event_id"])]
    assert links
    assert '<h2 id="links-heading">Linked events</h2>' in text
    for link in links:
        other = link["to_event_id"] if link["from_event_id"] == "mamai_convicted_2023" else link["from_event_id"]
        assert f'href="/kz-timeline/events/{other}"' in text
    evidence = [row for row in csv_rows("evidence") if row["event_id"] == "mamai_convicted_2023"]
    assert evidence
    section = text.split('id="evidence"')[1].split("</section>")[0]
    assert '<h2 id="evidence-heading">Evidence that documents this event</h2>' in section
    for row in evidence:
        assert f'href="/kz-timeline/sources/{row["source_id"]}"' in section
        assert f'<blockquote class="kz-excerpt">{row["excerpt"]}</blockquote>' in html.unescape(section)
    # The row as stored, folded: every column, and Datasette's list of incoming foreign keys.
    raw = " ".join(text.split('<details class="kz-raw" id="row">')[1].split("</details>")[0].split())
    for column in ("event_id", "date", "date_text", "date_start", "description", "date_note"):
        assert f"<dt>{column}</dt>" in raw
    assert "Links from other tables" in raw
    plural = "" if len(claims) == 1 else "s"
    assert f"{len(claims)} row{plural}</a> from event_id in claims" in raw
    assert f"{len(evidence)} rows</a> from event_id in evidence" in raw


def evidence_of(claim_id: str) -> list[dict[str, str]]:
    return [row for row in csv_rows("evidence") if row["claim_id"] == claim_id]


def section_of(page: Page, section_id: str) -> str:
    return page.text.split(f'id="{section_id}"', 1)[1].split("</section>", 1)[0]


def test_claim_page_leads_with_the_quote_the_label_in_words_and_the_verdict(datasette: Any) -> None:
    claim = next(row for row in csv_rows("claims") if row["claim_id"] == "oped_sanctions_compliance")
    page = get(datasette, f"{DB}/claims/oped_sanctions_compliance")
    assert page.status == 200
    text = html.unescape(page.text)
    order = [
        text.index(f"“{claim['quote']}”"),
        text.index(">Contested</span>"),
        text.index(claim["verdict"]),
        text.index("How this label was reached"),
    ]
    assert order == sorted(order)
    assert text.index("How this label was reached") < text.index('id="context"') < text.index('id="later-developments"')


def test_claim_page_says_which_rule_decided_the_label_and_lists_the_evidence_that_carried_it(datasette: Any) -> None:
    from kz_timeline.dataset.loader import load
    from kz_timeline.schema.rubric import RULES, assess_claims

    data = load(DATA_DIR)
    assessed = assess_claims(data.claims, data.evidence, data.sources).set_index("claim_id").loc["oped_sanctions_compliance"]
    page = get(datasette, f"{DB}/claims/oped_sanctions_compliance")
    how = section_of(page, "how-this-label-was-reached")
    assert f"<strong>Contested</strong> requires {RULES['contested'].replace('`', '')}." in html.unescape(how)
    assert f"S = {assessed['supports']} supporting" in how and f"X = {assessed['contradicts']} contradicting" in how
    sources = {row["source_id"]: row for row in csv_rows("sources")}
    rows = {row["evidence_id"]: row for row in evidence_of("oped_sanctions_compliance")}
    assert set(assessed["carrying"]) == {evidence_id for evidence_id in rows if f'id="{evidence_id}"' in how}
    for evidence_id in assessed["carrying"]:
        row, source = rows[evidence_id], sources[rows[evidence_id]["source_id"]]
        shown = html.unescape(how.split(f'id="{evidence_id}"', 1)[1].split("</tr>", 1)[0])
        assert f"“{row['excerpt']}”" in shown and source["title"] in shown and source["url"] in shown
        assert source["publisher"] in shown and source["reliability"].capitalize() in shown
    later = [evidence_id for evidence_id, row in rows.items() if row["timing"] == "later_development"]
    assert later and all(f'id="{evidence_id}"' in section_of(page, "later-developments") for evidence_id in later)
    context = [evidence_id for evidence_id in rows if evidence_id not in assessed["carrying"] and evidence_id not in later]
    assert context and all(f'id="{evidence_id}"' in section_of(page, "context") for evidence_id in context)


def test_an_opinions_page_says_it_is_not_rated(datasette: Any) -> None:
    page = get(datasette, f"{DB}/claims/oped_title")
    how = section_of(page, "how-this-label-was-reached")
    assert ">Opinion, not rated</span>" in page.text and "recorded, not rated" in how
    assert "<table" not in how


def test_home_page_says_how_labels_are_reached_links_the_method_and_counts_claims_per_label(datasette: Any) -> None:
    from kz_timeline.schema.rubric import HOW_LABELS_ARE_REACHED
    from kz_timeline.schema.vocabularies import Verification

    page = get(datasette, "/")
    assert html.escape(HOW_LABELS_ARE_REACHED) in page.text
    assert '<a href="methodology">The methodology</a>' in page.text
    section = section_of(page, "labels")
    assert "against the record as of 2023-05-17" in section
    claims = csv_rows("claims")
    for value, label in Verification.labels().items():
        count = sum(1 for row in claims if row["verification"] == value)
        assert f'?verification={value}">{html.escape(label)}</a></td>\n          <td class="kz-count">{count}</td>' in section


def test_the_methodology_page_is_docs_methodology(datasette: Any) -> None:
    from tests.conftest import REPO_ROOT

    page = get(datasette, "/methodology")
    assert page.status == 200
    text = (REPO_ROOT / "docs" / "METHODOLOGY.md").read_text(encoding="utf-8")
    body = html.unescape(page.text.split('<pre class="kz-methodology">', 1)[1].split("</pre>", 1)[0])
    assert body == text


def test_actor_row_page_lists_the_actors_events_in_date_order_and_its_claims(datasette: Any) -> None:
    page = get(datasette, f"{DB}/actors/mamai")
    assert page.status == 200
    lead = [page.text.index("<h1>Zhanbolat Mamai</h1>"), page.text.index('id="events"'), page.text.index('id="row"')]
    assert lead == sorted(lead)
    assert '<h2 id="events-heading">Events this actor takes part in</h2>' in page.text
    starts = {row["event_id"]: row["date_start"] for row in csv_rows("events")}
    events = sorted((starts[row["event_id"]], row["event_id"]) for row in csv_rows("participants") if row["actor_id"] == "mamai")
    section = page.text.split('id="events"')[1].split("</section>")[0]
    positions = [section.index(f'href="/kz-timeline/events/{event_id}"') for _, event_id in events]
    assert positions == sorted(positions)
    claims = [row for row in csv_rows("claims") if "mamai" in (row["claimant_id"], row["actor_id"])]
    assert claims
    for claim in claims:
        assert f'href="/kz-timeline/claims/{claim["claim_id"]}"' in page.text


def test_default_facets_count_every_event(datasette: Any) -> None:
    events = csv_rows("events")
    facets = get(datasette, f"{DB}/events.json?_size=0").json()["facet_results"]
    assert set(facets) == set(BROWSING["events"].facets) == {"event_type"}
    assert sum(value["count"] for value in facets["event_type"]["results"]) == len(events)
    facets = get(datasette, f"{DB}/timeline.json?_size=0").json()["facet_results"]
    assert set(facets) == set(BROWSING["timeline"].facets) == {"year", "date_precision"}
    years = {str(year["value"]): year["count"] for year in facets["year"]["results"]}
    for year in {row["date_start"][:4] for row in events}:
        assert years[year] == sum(1 for row in events if row["date_start"].startswith(year))


def test_faceting_by_year_on_demand_works_on_events(datasette: Any) -> None:
    facets = get(datasette, f"{DB}/events.json?_size=0&_facet=year").json()["facet_results"]
    assert sum(value["count"] for value in facets["year"]["results"]) == len(csv_rows("events"))


@pytest.mark.parametrize(("table", "column"), [(t, c) for t, browsing in BROWSING.items() for c in browsing.facets])
def test_each_default_facet_is_offered_on_its_page(datasette: Any, table: str, column: str) -> None:
    data = get(datasette, f"{DB}/{table}.json?_size=0").json()
    assert column in data["facet_results"]
    assert data["facet_results"][column]["results"], column


def test_filtering_by_a_facet_value_narrows_the_rows(datasette: Any) -> None:
    rows = rows_of(datasette, f"{DB}/claims?verification=contradicted")
    assert {row["claim_id"] for row in rows} == {
        row["claim_id"] for row in csv_rows("claims") if row["verification"] == "contradicted"
    }


def test_search_on_events_uses_porter_stemming(datasette: Any) -> None:
    rows = rows_of(datasette, f"{DB}/events?_search=sentencing")
    assert "mamai_convicted_2023" in {row["event_id"] for row in rows}


def test_search_on_claims_finds_a_verbatim_quote(datasette: Any) -> None:
    rows = rows_of(datasette, f"{DB}/claims?_search=retribution")
    assert "amnesty_act_of_retribution" in {row["claim_id"] for row in rows}


@pytest.mark.parametrize("actor", ["mamai", "Zhanbolat Mamai", "Мамай", "Mamay"])
def test_actor_events_lists_the_actors_events_in_date_order(datasette: Any, actor: str) -> None:
    rows = rows_of(datasette, f"{DB}/actor_events?actor={actor}")
    starts = {row["event_id"]: row["date_start"] for row in csv_rows("events")}
    expected = sorted(
        (starts[p["event_id"]], p["event_id"], p["role"]) for p in csv_rows("participants") if p["actor_id"] == "mamai"
    )
    assert [(row["date_start"], row["event_id"], row["role"]) for row in rows] == expected


def test_actor_events_of_an_unknown_actor_is_empty(datasette: Any) -> None:
    assert rows_of(datasette, f"{DB}/actor_events?actor=nobody") == []


@pytest.mark.parametrize("actor", ["%", "_", "%25", "M%", "Mama_", "", "|", "Ablyazov|Ablyazov Mukhtar", "ablyazov"])
def test_actor_events_takes_the_actor_as_written_never_as_a_pattern(datasette: Any, actor: str) -> None:
    rows = rows_of(datasette, f"{DB}/actor_events?actor={quote(actor)}")
    expected = {p["event_id"] for p in csv_rows("participants") if p["actor_id"] == actor}  # only an id matches here
    assert {row["event_id"] for row in rows} == expected


def test_oped_claims_contested_lists_exactly_those_claims_with_their_evidence(datasette: Any) -> None:
    rows = rows_of(datasette, f"{DB}/oped_claims_contested")
    op_eds = {row["source_id"] for row in csv_rows("sources") if row["source_type"] == "op_ed"}
    claims = {
        row["claim_id"]
        for row in csv_rows("claims")
        if row["source_id"] in op_eds and row["verification"] in ("contested", "contradicted")
    }
    assert claims
    assert {row["claim_id"] for row in rows} == claims
    evidence = [row for row in csv_rows("evidence") if row["claim_id"] in claims]
    assert sorted((row["claim_id"], row["evidence_id"], row["evidence_note"], row["evidence_timing"]) for row in rows) == sorted(
        (row["claim_id"], row["evidence_id"], row["note"], row["timing"]) for row in evidence
    )
    assert {row["evidence_carrying"] for row in rows} == {0, 1}


def overlaps(event: dict[str, str], start: str, end: str) -> bool:
    last = event["date_end"] or ("9999-12-31" if event["date_end_status"] == "open" else event["date_start"])
    return event["date_start"] <= end and last >= start


@pytest.mark.parametrize(
    ("start", "end", "first", "last"),
    [
        ("2022-01", "2022-01", "2022-01-01", "2022-01-31"),
        ("2017", "2017", "2017-01-01", "2017-12-31"),
        ("2023-04-10", "2023-04-10", "2023-04-10", "2023-04-10"),
    ],
)
def test_events_between_returns_the_events_overlapping_the_range(
    datasette: Any, start: str, end: str, first: str, last: str
) -> None:
    rows = rows_of(datasette, f"{DB}/events_between?start={start}&end={end}")
    expected = sorted((row["date_start"], row["event_id"]) for row in csv_rows("events") if overlaps(row, first, last))
    assert expected
    assert [(row["date_start"], row["event_id"]) for row in rows] == expected


def test_events_between_january_2022_includes_the_unrest(datasette: Any) -> None:
    rows = rows_of(datasette, f"{DB}/events_between?start=2022-01-05&end=2022-01-05")
    assert {"january_2022_unrest", "state_of_emergency_2022"} <= {row["event_id"] for row in rows}


def test_links_to_event_lists_every_incoming_edge(datasette: Any) -> None:
    counts: dict[str, int] = {}
    for row in csv_rows("event_links"):
        counts[row["to_event_id"]] = counts.get(row["to_event_id"], 0) + 1
    target = max(counts, key=lambda key: (counts[key], key))
    rows = rows_of(datasette, f"{DB}/links_to_event?event_id={target}")
    expected = {(row["from_event_id"], row["relation"]) for row in csv_rows("event_links") if row["to_event_id"] == target}
    assert {(row["from_event_id"], row["relation"]) for row in rows} == expected
    assert len(rows) == counts[target] > 1


def test_canned_query_pages_render_with_their_title(datasette: Any) -> None:
    for name, query in QUERIES.items():
        page = get(datasette, f"{DB}/{name}")
        assert page.status == 200, name
        assert query["title"].replace("'", "&#39;") in page.text


@pytest.mark.parametrize("name", list(VOCABULARIES))
def test_lookup_tables_list_every_term(datasette: Any, name: str) -> None:
    rows = rows_of(datasette, f"{DB}/{name}")
    assert [row["value"] for row in rows] == list(VOCABULARIES[name].terms())


def test_charts_page_lists_the_timeline_and_actors_charts_with_a_local_vega(datasette: Any) -> None:
    page = get(datasette, "/timeline")
    assert page.status == 200
    # The URLs carry the build fingerprint, so that a browser's cached copy goes stale exactly when the data does.
    version = datasette.get_database(DATABASE_NAME).hash[:16]
    assert version == stored_fingerprint(datasette.get_database(DATABASE_NAME).path)[:16]
    assert f'<script src="/-/kz-timeline/vega.js?v={version}"></script>' in page.text
    assert f'data-spec-url="/-/kz-timeline/charts/timeline.json?v={version}"' in page.text
    assert f'data-spec-url="/-/kz-timeline/charts/actors.json?v={version}"' in page.text
    assert "cdn" not in page.text.lower() and "https://" not in page.text.split("<footer")[0].split("</nav>")[1]


def test_charts_page_title_heading_and_menu_name_its_three_charts_and_its_footer_shows_datasettes_version(
    datasette: Any,
) -> None:
    from datasette.version import __version__ as datasette_version

    from kz_timeline.site.datasette_metadata import CHARTS_TITLE

    assert CHARTS_TITLE == "Charts: timeline, actors and claims" and len(CHART_KINDS) == 3
    page = get(datasette, "/timeline")
    assert f"<title>{CHARTS_TITLE} · " in page.text
    assert f"<h1>{CHARTS_TITLE}</h1>" in page.text
    assert f'<a href="/timeline">{CHARTS_TITLE}</a>' in page.text  # the menu
    footer = page.text.split('<footer class="ft">')[1]
    assert f'title="Datasette v{datasette_version}"' in footer
    assert "Data license:" in footer and "CC BY 4.0" in footer


@pytest.mark.parametrize("kind", ["timeline", "actors"])
def test_chart_specs_are_vega_lite_with_the_data_inline(datasette: Any, kind: str) -> None:
    from kz_timeline import load
    from kz_timeline.charts.builders import make_chart
    from kz_timeline.charts.rendering import chart_spec

    page = get(datasette, f"/-/kz-timeline/charts/{kind}.json")
    assert page.status == 200
    assert page.headers["content-type"].startswith("application/json")
    spec = page.json()
    assert spec == json.loads(json.dumps(chart_spec(make_chart(load(DATA_DIR), kind))))
    assert "vega-lite" in spec["$schema"]


def test_an_unknown_chart_is_404(datasette: Any) -> None:
    assert get(datasette, "/-/kz-timeline/charts/pie.json").status == 404


def test_vega_bundle_is_served_locally_as_javascript(datasette: Any) -> None:
    page = get(datasette, "/-/kz-timeline/vega.js")
    assert page.status == 200
    assert page.headers["content-type"].startswith("text/javascript")
    assert "window.vegaEmbed" in page.text and len(page.text) > 500_000


def test_stylesheet_is_served_from_the_package(datasette: Any) -> None:
    page = get(datasette, "/kz-timeline-static/kz-timeline.css")
    assert page.status == 200 and ".kz-chart" in page.text


def test_make_datasette_without_a_database_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ServeError, match="database not found; run `kz-timeline build` first"):
        make_datasette(tmp_path / "missing.db")


def test_charts_follow_the_data_directory_the_database_was_built_from(minimal_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "minimal.db"
    build_database(minimal_dir, db)
    small = make_datasette(db, data_dir=minimal_dir)
    spec = get(small, "/-/kz-timeline/charts/timeline.json").json()
    titles = json.dumps(spec)
    assert "Editor sentenced" in titles and "Mamai convicted" not in titles
    shutil.rmtree(minimal_dir)


def test_oped_claims_contested_walks_claims_in_order_without_sorting_them_all(tmp_path: Path) -> None:
    """At a million claims a full sort took seconds before the first row; the plan must stream in claim_id order."""
    import sqlite3

    database = tmp_path / "plan.db"
    build_database(DATA_DIR, database)
    with sqlite3.connect(database) as connection:
        plan = [row[3] for row in connection.execute("explain query plan " + QUERIES["oped_claims_contested"]["sql"])]
    assert plan[0].startswith("SCAN c USING INDEX sqlite_autoindex_claims"), plan
    assert "USE TEMP B-TREE FOR ORDER BY" not in plan, plan


def test_the_op_ed_page_is_linked_from_the_home_page_the_menu_and_each_claims_page(datasette: Any) -> None:
    home = get(datasette, "/")
    assert '<p class="kz-reader-link"><a href="/oped">Read the op-ed, claim by claim, beside the record</a></p>' in home.text
    assert '<li><a href="/oped">The op-ed, claim by claim</a></li>' in home.text  # the menu, on every page
    claim = get(datasette, f"{DB}/claims/oped_sanctions_compliance")
    assert '<a href="/oped#claim-oped_sanctions_compliance">This claim in the op-ed, claim by claim</a>' in claim.text
    assert 'id="claim-oped_sanctions_compliance"' in get(datasette, "/oped").text


def test_each_chart_is_also_served_drawn_for_a_narrow_screen(datasette: Any) -> None:
    from kz_timeline.charts.layout import NARROW_WIDTH

    page = get(datasette, "/timeline")
    version = datasette.get_database(DATABASE_NAME).hash[:16]
    assert f'data-narrow-spec-url="/-/kz-timeline/charts/timeline-narrow.json?v={version}"' in page.text
    spec = get(datasette, "/-/kz-timeline/charts/timeline-narrow.json").json()
    assert {view["width"] for view in spec["vconcat"]} == {NARROW_WIDTH}
    assert get(datasette, "/-/kz-timeline/charts/pie-narrow.json").status == 404
