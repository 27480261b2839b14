"""The facets of a whole table come from the counts the build wrote, and give exactly the rows of Datasette's own SQL."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from kz_timeline.defaults import DATABASE_NAME
from kz_timeline.site import table_facets
from kz_timeline.site.database import counted_facets
from kz_timeline.site.server import make_datasette
from kz_timeline.site.table_facets import FACET_COUNTS_TABLE, TableFacets, read_counted, whole_table_facet_shape
from tests.generated_site import generated_database, pages

EVENTS = 800  # more years than a facet shows (31), many of them tied in count: the limit and the order both matter

#: Facet pages of every kind: whole tables (answered from the counts), and filtered, searched, view and uncounted
#: facets (Datasette's own SQL), with sizes and the pages after the first.
PAGES = [
    "events.json?_facet=theme&_facet=event_type&_facet=year",
    "events.json?_facet=year&_facet_size=5",
    "events.json?_facet=year&_facet_size=max",
    "events.json?_facet=is_key_event&_facet=date_precision&_size=7",
    "events.json?_facet=theme&event_type=trial",
    "events.json?_facet=theme&_search=court",
    "events.json?_facet=country_code",
    "events.json?_facet=theme&_sort_desc=year&_size=50",
    "timeline.json?_facet=year&_facet=date_precision",
    "claims.json?_facet=verification&_facet=claim_type",
    "claims_named.json?_facet=verification",
    "participants.json?_facet=role&_size=200",
    "evidence.json?_facet=relation&_facet=timing&_facet=carrying",
    "event_links.json?_facet=relation",
    "actors.json?_facet=actor_type",
    "sources.json?_facet=reliability&_facet=source_type",
]


@pytest.fixture(scope="module")
def database_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated_database(tmp_path_factory.mktemp("facets"), EVENTS, seed=1)


@pytest.fixture(scope="module")
def counted(database_path: Path) -> Any:
    return make_datasette(database_path, data_dir=database_path.parent)


@pytest.fixture(scope="module")
def uncounted(database_path: Path) -> Any:
    """The same site with Datasette's own SQL for every facet."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(table_facets, "answer_table_facets", lambda database: None)
        datasette = make_datasette(database_path, data_dir=database_path.parent)
    assert not hasattr(datasette.get_database(DATABASE_NAME), "table_facets")
    return datasette


def answered(datasette: Any) -> int:
    facets: TableFacets = datasette.get_database(DATABASE_NAME).table_facets
    return facets.answered


def test_the_build_counts_every_facet_column_as_sqlites_group_by_does(database_path: Path) -> None:
    connection = sqlite3.connect(database_path)
    columns = counted_facets()
    assert columns["events"] == ["event_type", "theme", "is_key_event", "year", "date_precision"]
    for table, names in columns.items():
        for column in names:
            stored = connection.execute(
                f"SELECT value, count, typeof(value) FROM [{FACET_COUNTS_TABLE}] WHERE table_name = ? AND column_name = ? "
                "ORDER BY value",
                (table, column),
            ).fetchall()
            grouped = connection.execute(
                f"SELECT [{column}], count(*), typeof([{column}]) FROM [{table}] WHERE [{column}] IS NOT NULL "
                f"GROUP BY [{column}] ORDER BY 1"
            ).fetchall()
            assert stored == grouped and grouped, (table, column)
    connection.close()


@pytest.mark.slow
def test_every_facet_page_gives_the_rows_of_datasettes_own_sql(counted: Any, uncounted: Any) -> None:
    before = answered(counted)
    for page in PAGES:
        path = f"/{DATABASE_NAME}/{page}"
        expected = pages(uncounted, path)
        assert expected[0][0] == 200 and expected[0][1]["facet_results"], page
        assert pages(counted, path) == expected, page
    # Not a comparison of two copies of the same SQL: the facets of whole tables came from the counts.
    assert answered(counted) - before >= 20


def test_only_datasettes_facet_of_a_whole_table_is_recognised() -> None:
    facet = (  # Datasette's text, its line breaks and indentation included
        "\n                select year as value, count(*) as count from (\n"
        "                    select event_id, event_type, year from {} \n                )\n"
        "                where year is not null\n"
        "                group by year order by count desc, value limit 31\n            "
    )
    shape = whole_table_facet_shape(facet.format("events"))
    assert shape is not None and (shape["table"], shape["column"], shape["limit"]) == ("events", "year", "31")
    assert whole_table_facet_shape(facet.format("[events]")) is not None
    assert whole_table_facet_shape(facet.format('events where "event_type" = :p0')) is None
    assert whole_table_facet_shape(facet.format("events where rowid in (select rowid from events_fts)")) is None
    assert whole_table_facet_shape(facet.format("events where (year > 2000)")) is None
    assert whole_table_facet_shape(facet.replace("event_id,", "(select 1) as x,").format("events")) is None
    assert whole_table_facet_shape(facet.format("events").replace("is not null", "is null")) is None


def test_a_database_built_without_counts_is_served_with_datasettes_own_sql(database_path: Path, tmp_path: Path) -> None:
    older = tmp_path / "older.db"
    shutil.copy(database_path, older)
    connection = sqlite3.connect(older)
    connection.execute(f"DROP TABLE [{FACET_COUNTS_TABLE}]")
    connection.commit()
    connection.close()
    assert read_counted(older) == frozenset()
    datasette = make_datasette(older, data_dir=database_path.parent)
    assert not hasattr(datasette.get_database(DATABASE_NAME), "table_facets")
    (status, page), *_ = pages(datasette, f"/{DATABASE_NAME}/events.json?_facet=theme")
    assert status == 200 and page["facet_results"]["theme"]["results"]
    assert ("events", "theme") in read_counted(database_path)


def test_a_mutable_database_is_never_answered_from_counts() -> None:
    class Mutable:
        is_mutable = True

    assert table_facets.answer_table_facets(Mutable()) is None
