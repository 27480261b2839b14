"""Paging through a sorted table in Datasette gives every row once, in one order, however many rows tie."""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from kz_timeline.defaults import DATABASE_NAME
from kz_timeline.schema.tables import TABLES
from kz_timeline.site.database import build_database
from kz_timeline.site.plugins.kz_timeline_pagination import first_page_shape, primary_keys, with_key_order
from kz_timeline.site.server import make_datasette
from tests.conftest import DATA_DIR
from tests.serving import served

#: Small pages, so that ties run across page breaks in the shipped data.
PAGE_SIZE = 20


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pages") / "built.db"
    build_database(DATA_DIR, path)
    return path


@pytest.fixture(scope="module")
def datasette(built: Path) -> Any:
    return make_datasette(built, data_dir=DATA_DIR)


def pages(datasette: Any, table: str, query: str) -> list[tuple[Any, ...]]:
    """Return the primary key of every row of every page of `table?query`, following `next_url` to the end."""

    async def walk() -> list[tuple[Any, ...]]:
        keys: list[tuple[Any, ...]] = []
        url: str | None = f"/{DATABASE_NAME}/{table}.json?{query}&_size={PAGE_SIZE}&_shape=objects"
        while url is not None:
            response = await datasette.client.get(url)
            assert response.status_code == 200, response.text[:500]
            page = response.json()
            keys += [tuple(row[name] for name in page["primary_keys"]) for row in page["rows"]]
            url = page["next_url"] and page["next_url"].removeprefix("http://localhost")
        return keys

    return asyncio.run(walk())


def tied_columns(path: Path) -> list[tuple[str, str]]:
    """Return (table, column) for every column of the data tables in which some value is shared by several rows."""
    with sqlite3.connect(path) as connection:
        return [
            (table.name, column.name)
            for table in TABLES
            for column in table.columns
            if connection.execute(f"select count(distinct [{column.name}]) < count(*) from [{table.name}]").fetchone()[0]
        ]


def test_the_shipped_tables_have_ties_across_page_breaks(built: Path) -> None:
    with sqlite3.connect(built) as connection:
        biggest = max(
            connection.execute(f"select count(*) from [{table}] group by [{column}] order by 1 desc limit 1").fetchone()[0]
            for table, column in tied_columns(built)
        )
    assert biggest > PAGE_SIZE  # else the test below could not fail


@pytest.mark.parametrize("direction", ["_sort", "_sort_desc"])
def test_every_page_of_every_sort_holds_each_row_once_in_sort_then_key_order(datasette: Any, built: Path, direction: str) -> None:
    with sqlite3.connect(built) as connection:
        keys = primary_keys(connection)
        for table, column in tied_columns(built):
            key = ", ".join(f"[{name}]" for name in keys[table])
            order = f"[{column}]{' desc' if direction == '_sort_desc' else ''}, {key}"
            expected = connection.execute(f"select {key} from [{table}] order by {order}").fetchall()
            assert pages(datasette, table, f"{direction}={column}") == expected, (table, column, direction)


FIRST_PAGE = "select event_id, title from events order by date_start limit 101"


def test_a_first_page_gets_the_key_after_its_sort_column_as_later_pages_have_it() -> None:
    keys = {"events": ["event_id"], "participants": ["event_id", "actor_id", "role"]}
    assert with_key_order(FIRST_PAGE, keys) == "select event_id, title from events order by date_start, event_id limit 101"
    assert (
        with_key_order("select event_id, role from participants where role = :p0 order by [note] desc limit 21", keys)
        == "select event_id, role from participants where role = :p0 order by [note] desc, event_id, actor_id, role limit 21"
    )


@pytest.mark.parametrize(
    "sql",
    [
        "select event_id from events order by event_id limit 101",  # the key orders every row already
        "select rowid, event_id from events order by rowid limit 101",
        "select event_id from events where date_start > :p0 order by date_start, event_id limit 101",  # a later page
        "select event_id from timeline order by date_start limit 101",  # a view: no key
        "select theme as value, count(*) as count from (select * from events) group by theme order by count desc, value limit 31",
        "select count(*) from events",
        "select e.event_id from events e join participants p on p.event_id = e.event_id order by e.date_start limit 5",
    ],
)
def test_other_statements_are_left_as_written(sql: str) -> None:
    assert with_key_order(sql, {"events": ["event_id"], "participants": ["event_id", "actor_id", "role"]}) == sql


def test_only_datasettes_own_first_page_shape_is_recognised() -> None:
    shape = first_page_shape(FIRST_PAGE)
    assert shape is not None
    assert (shape["table"], shape["column"], shape["limit"]) == ("events", "date_start", "101")
    assert first_page_shape(FIRST_PAGE + " offset 100") is None


def test_a_served_site_pages_a_sorted_table_through_every_row_once(built: Path, tmp_path: Path) -> None:
    db = tmp_path / "served.db"
    shutil.copyfile(built, db)
    with served(DATA_DIR, db) as server, sqlite3.connect(built) as connection:
        keys: list[str] = []
        url: str | None = f"{server.url}{DATABASE_NAME}/evidence.json?_sort_desc=timing&_size={PAGE_SIZE}&_shape=objects"
        while url is not None:
            with urllib.request.urlopen(url, timeout=30) as response:
                page = json.load(response)
            keys += [row["evidence_id"] for row in page["rows"]]
            url = page["next_url"]
        expected = [row[0] for row in connection.execute("select evidence_id from evidence order by timing desc, evidence_id")]
    assert keys == expected
