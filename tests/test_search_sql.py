"""Datasette's searches run through cheaper SQL on the immutable database and give exactly the rows they gave before."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from kz_timeline.defaults import DATABASE_NAME
from kz_timeline.site import search_sql
from kz_timeline.site.search_facets import count_values, facet_shape, read_codes
from kz_timeline.site.search_sql import MIN_SHARE, SearchPlanner, count_shape, page_shape, page_sql, plan_searches
from kz_timeline.site.server import make_datasette
from tests.generated_site import generated_database, get, pages

EVENTS = 1_500  # "court" matches about a quarter of the events, "sanctions" a fifth of the claims: both rewritten

#: Searches of every kind: common, rare, prefix, phrase, boolean (raw mode), no match, with a filter, with each sort.
EVENT_SEARCHES = [
    "_search=court",
    "_search=court&_size=40",
    "_search=0000500",
    "_search=cour*&_searchmode=raw",
    "_search=cour*",
    "_search=%22court+been%22&_searchmode=raw",
    "_search=court+been",
    "_search=court+AND+bank&_searchmode=raw",
    "_search=court+OR+sanctions&_searchmode=raw",
    "_search=court+NOT+bank&_searchmode=raw",
    "_search=zzzqqq",
    "_search=court&is_key_event=1",
    "_search=court&_facet=theme&_facet=year",
    "_search=court&_sort=year&_size=30",
    "_search=court&_sort_desc=year&_size=30",
    "_search=court&_sort_desc=date_start",
    "_search=court&_sort=event_type&_size=50",
    "_search=court&_sort_desc=event_type&_size=50",
    "_search=court+OR+sanctions&_searchmode=raw&_sort_desc=event_id",
    "_search=court&_sort=title",
    "_search=court+AND&_searchmode=raw",  # an FTS syntax error: the same error page
]
CLAIM_SEARCHES = [
    "_search=sanctions",
    "_search=sanctions&_size=25",
    "_search=sanctions&_sort=verification&_size=30",
    "_search=sanctions&_sort_desc=claim_type&_size=30",
    "_search=sanctions&_sort_desc=claim_id&_size=45",
    "_search=sanctions&verification=opinion",
]


@pytest.fixture(scope="module")
def database_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated_database(tmp_path_factory.mktemp("search"), EVENTS, seed=0)


@pytest.fixture(scope="module")
def planned(database_path: Path) -> Any:
    return make_datasette(database_path, data_dir=database_path.parent)


@pytest.fixture(scope="module")
def unplanned(database_path: Path) -> Any:
    """The same site with Datasette's own SQL for every search."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search_sql, "plan_searches", lambda database, facets: None)
        datasette = make_datasette(database_path, data_dir=database_path.parent)
    assert not hasattr(datasette.get_database(DATABASE_NAME), "search_planner")
    return datasette


def planner(datasette: Any) -> SearchPlanner:
    planner: SearchPlanner = datasette.get_database(DATABASE_NAME).search_planner
    return planner


@pytest.mark.slow
def test_every_search_gives_the_rows_facets_and_counts_of_datasettes_own_sql(planned: Any, unplanned: Any) -> None:
    searches = [f"events.json?{s}" for s in EVENT_SEARCHES] + [f"claims.json?{s}" for s in CLAIM_SEARCHES]
    before = dict(planner(planned).rewritten)
    for search in searches:
        path = f"/{DATABASE_NAME}/{search}"
        expected = pages(unplanned, path)
        assert pages(planned, path) == expected, search
        assert len(expected) > 1 or "_size" not in search, f"{search}: meant to walk several pages"
    rewritten = planner(planned).rewritten
    # Not a comparison of two copies of the same SQL: most of these pages went through the cheaper statements.
    assert rewritten["count"] - before["count"] >= 10
    assert rewritten["page"] - before["page"] >= 30
    assert rewritten["facet"] - before["facet"] >= 10


def test_datasettes_own_search_statements_are_recognised(database_path: Path) -> None:
    """An upgrade of Datasette that writes other SQL for these pages fails here instead of losing the speed-up."""
    for path, facets in ((f"/{DATABASE_NAME}/events?_search=court", 1), (f"/{DATABASE_NAME}/claims?_search=sanctions", 2)):
        datasette = make_datasette(database_path, data_dir=database_path.parent)
        status, _ = get(datasette, path)
        assert status == 200
        assert planner(datasette).rewritten == {"count": 1, "page": 1, "facet": facets}, path


def test_a_rare_word_keeps_datasettes_plan_for_its_page(database_path: Path) -> None:
    connection = sqlite3.connect(database_path)
    matches = connection.execute("select count(*) from events_fts where events_fts match '0000500'").fetchone()[0]
    rows = connection.execute("select count(*) from events").fetchone()[0]
    assert 0 < matches < MIN_SHARE * rows
    datasette = make_datasette(database_path, data_dir=database_path.parent)
    status, _ = get(datasette, f"/{DATABASE_NAME}/events?_search=0000500")
    assert status == 200
    assert planner(datasette).rewritten == {"count": 1, "page": 0, "facet": 1}


def test_the_fts_index_holds_exactly_the_rows_of_its_table(database_path: Path, tmp_path: Path) -> None:
    """Why the FTS index's count is the search's count: the built index is the table's, row for row."""
    copy = tmp_path / "copy.db"
    shutil.copy(database_path, copy)
    connection = sqlite3.connect(copy)
    for table in ("events", "claims"):
        # FTS5 compares its index with its content table (the table itself) and raises on any difference.
        connection.execute(f"insert into {table}_fts ({table}_fts, rank) values ('integrity-check', 1)")
        indexed = connection.execute(f"select id from {table}_fts_docsize order by id").fetchall()
        assert indexed == connection.execute(f"select rowid from {table} order by rowid").fetchall()
    # The counterexample: a row deleted after the build (no triggers) stays in the index, and the counts differ.
    connection.execute("delete from events where rowid in (select rowid from events_fts where events_fts match 'court' limit 1)")
    datasette_count = "select count(*) from events where rowid in (select rowid from events_fts where events_fts match 'court')"
    index_count = "select count(*) from events_fts where events_fts match 'court'"
    assert connection.execute(datasette_count).fetchone()[0] + 1 == connection.execute(index_count).fetchone()[0]


def test_a_mutable_database_is_never_rewritten(database_path: Path, tmp_path: Path) -> None:
    from datasette.app import Datasette

    copy = tmp_path / "mutable.db"
    shutil.copy(database_path, copy)
    datasette = Datasette([str(copy)])
    (database,) = [db for db in datasette.databases.values() if db.path is not None]
    execute = database.execute
    assert plan_searches(database) is None
    assert database.execute == execute and not hasattr(database, "search_planner")


def test_only_datasettes_exact_statements_are_recognised() -> None:
    fts = "rowid in (select rowid from events_fts where events_fts match escape_fts(:search))"
    assert count_shape(f"select count(*) from events where {fts} ") is not None
    assert count_shape(f'select count(*) from events where "event_type" = :p0 and {fts} ') is None
    assert count_shape(f"select count(*) from events where {fts} and year > 2000 ") is None
    page = "select event_id from events where {} order by date_start limit 101"
    assert page_shape(page.format(fts)) is not None
    after = "(date_start > :p1 or (date_start = :p1 and ((event_id > :p0))))"
    assert page_shape(page.format(f"{fts} and {after}")) is not None
    assert page_shape(page.format(f"{fts} and (date_start > :p1 or 1)")) is None  # a visitor's own `_where`
    assert page_shape(page.format(f'"event_type" = :p0 and {fts}')) is None
    facet = (  # Datasette's text, its line breaks and indentation included
        "\n                select event_type as value, count(*) as count from (\n"
        "                    select event_id, event_type from events where {} \n                )\n"
        "                where event_type is not null\n"
        "                group by event_type order by count desc, value limit 31\n            "
    )
    assert facet_shape(facet.format(fts)) is not None
    assert facet_shape(facet.format(f"{fts} and {after}")) is None  # the facets of a `_next` page: Datasette's SQL
    assert facet_shape(facet.format(f'"event_type" = :p0 and {fts}')) is None


def test_facet_codes_are_refused_where_python_would_group_or_order_otherwise(tmp_path: Path) -> None:
    connection = sqlite3.connect(tmp_path / "t.db")
    connection.execute("create table plain (value text, number integer, mixed)")
    connection.execute("create table folded (value text collate nocase)")
    connection.executemany("insert into plain values (?, ?, ?)", [(f"v{n % 300}", n % 7, 1.5 if n else "a") for n in range(600)])
    connection.execute("insert into folded values ('a'), ('A')")
    assert read_codes(connection, "plain", "value") is None  # 300 values: more than a byte of codes
    assert read_codes(connection, "plain", "mixed") is None  # a real number
    assert read_codes(connection, "folded", "value") is None  # NOCASE groups 'a' and 'A' together
    codes = read_codes(connection, "plain", "number")
    assert codes is not None and sorted(codes.values) == list(range(7))
    rowids = np.array([row[0] for row in connection.execute("select rowid from plain where number in (1, 2)")])
    assert sorted(count_values(codes, rowids) or []) == [(1, 86), (2, 86)]
    assert count_values(codes, np.array([601])) is None  # a rowid the codes do not know


def test_the_two_walks_keep_the_plan_that_orders_tied_rows(database_path: Path) -> None:
    """Rows that tie on the sort column come in the order the plan visits them: both statements visit an ascending
    rowid list, then sort (the premise of `page_sql`; a SQLite that plans otherwise fails here)."""
    from datasette.utils import escape_fts

    connection = sqlite3.connect(database_path)
    connection.create_function("escape_fts", 1, escape_fts)
    fts = "rowid in (select rowid from events_fts where events_fts match escape_fts(:search))"
    original = f"select event_id, year from events where {fts} order by year desc limit 101"
    shape = page_shape(original)
    assert shape is not None
    rewritten = page_sql(shape, "idx_events_year")

    def outer(sql: str) -> list[str]:
        plan = connection.execute(f"explain query plan {sql}", {"search": "court"}).fetchall()
        return [detail for _, parent, _, detail in plan if parent == 0]

    expected = ["SEARCH events USING INTEGER PRIMARY KEY (rowid=?)", "LIST SUBQUERY 1", "USE TEMP B-TREE FOR ORDER BY"]
    assert outer(original) == expected
    assert [detail.replace("LIST SUBQUERY 4", "LIST SUBQUERY 1") for detail in outer(rewritten)] == expected
    rows = connection.execute(original, {"search": "court"}).fetchall()
    assert len({year for _, year in rows}) < len(rows), "the page has ties"
    assert connection.execute(rewritten, {"search": "court"}).fetchall() == rows
