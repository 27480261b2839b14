"""Datasette plugin of kz-timeline: every page of a sorted table is cut from one order, so no row is lost or repeated.

Datasette 0.65 orders the first page of a sorted table by the sort column alone, and every later page (`_next=`) by
the sort column and then the primary key, from which it also makes the `_next` token. Rows that tie on the sort
column then come in SQLite's order on the first page and in key order after it, and paging skips some rows and
repeats others: the shipped evidence table sorted by `timing` descending, 20 rows a page, gave 26 rows (20 distinct)
of 253. Here the first page gets the later pages' ORDER BY (the sort column, then the primary key), so every page
is cut from the same order.

Only immutable databases (the primary keys are read once, at start-up) and only the statement Datasette 0.65 writes
for a table's page (`first_page_shape`) are touched. It needs only Datasette (a published copy runs it without
kz_timeline installed).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from datasette import hookimpl
from datasette.utils import escape_sqlite

_NAME = r"(?:[A-Za-z_][A-Za-z0-9_]*|\[[^\]]+\])"
#: Datasette 0.65's select of a sorted table's first page: `select {columns} from {table} {where}order by {column}
#: [desc] limit {n}`, where `{where}` is empty or `where ... ` (later pages end their ORDER BY with the key).
FIRST_PAGE = re.compile(
    rf"select (?P<columns>.+?) from (?P<table>{_NAME}) (?P<where>where .+ )?"
    rf"order by (?P<column>{_NAME})(?P<desc> desc)? limit (?P<limit>\d+)",
    re.DOTALL,
)


def unquote(name: str) -> str:
    """Return the identifier that Datasette's `escape_sqlite` wrote as `name`."""
    return name[1:-1] if name.startswith("[") else name


def first_page_shape(sql: str) -> re.Match[str] | None:
    """Return the parts of Datasette's select of a sorted table's first page, or None for any other statement."""
    return FIRST_PAGE.fullmatch(sql)


def with_key_order(sql: str, keys: Mapping[str, Sequence[str]]) -> str:
    """Return `sql` with the primary key after the sort column, when it is a first page of a table with a key.

    `keys`: each table's primary key columns, in key order. The key is written as Datasette writes it for the later
    pages. A sort on the table's one-column key, or on rowid, orders every row already and is left as it is.
    """
    shape = first_page_shape(sql)
    if shape is None:
        return sql
    key = keys.get(unquote(shape["table"]))
    column = unquote(shape["column"])
    if not key or column == "rowid" or list(key) == [column]:
        return sql
    order = f"{shape['column']}{shape['desc'] or ''}, {', '.join(escape_sqlite(name) for name in key)}"
    return f"{sql[: shape.start('column')]}{order} limit {shape['limit']}"


def primary_keys(connection: sqlite3.Connection) -> dict[str, list[str]]:
    """Return each table's primary key columns, in key order (tables without a declared key are left out)."""
    tables = [row[0] for row in connection.execute("select name from sqlite_master where type = 'table'")]
    keys: dict[str, list[str]] = {}
    for table in tables:
        columns = connection.execute(f"pragma table_info({escape_sqlite(table)})").fetchall()
        key = [name for _position, name in sorted((row[5], row[1]) for row in columns if row[5])]
        if key:
            keys[table] = key
    return keys


Execute = Callable[..., Awaitable[Any]]


def order_first_pages(database: Any, keys: Mapping[str, Sequence[str]]) -> None:
    """Make `database.execute` give each first page of a sorted table the later pages' order (Datasette 0.65's signature)."""
    # kz_timeline.site.query_cache.wrap_execute does the same; a published copy runs without kz_timeline to import it.
    execute: Execute = database.execute

    async def execute_in_key_order(
        sql: str,
        params: Any = None,
        truncate: bool = False,
        custom_time_limit: int | None = None,
        page_size: int | None = None,
        log_sql_errors: bool = True,
    ) -> Any:
        return await execute(with_key_order(sql, keys), params, truncate, custom_time_limit, page_size, log_sql_errors)

    database.execute = execute_in_key_order


@hookimpl  # type: ignore[untyped-decorator]  # pluggy ships no types
def startup(datasette: Any) -> Callable[[], Awaitable[None]]:
    """Read the primary keys of every immutable database and order its tables' first pages by them too."""

    async def install() -> None:
        for database in list(datasette.databases.values()):
            if database.is_mutable:
                continue
            keys = await database.execute_fn(primary_keys)
            order_first_pages(database, keys)

    return install
