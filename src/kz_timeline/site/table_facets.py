"""Answer Datasette's facets of a whole table from the counts the build wrote, on the immutable database.

Datasette 0.65 counts a facet of a table page with no filter by a GROUP BY over every row: on a million events, 50-70
ms per facet even through the column's index, and a page may show three. The build counts the same groups once
(`FACET_COUNTS_TABLE`, written by `count_facets`); the file is served immutable, so they never change, and such a
facet becomes a lookup of its few counted rows, ordered and limited as Datasette's SQL orders and limits its groups:
the same rows, value for value. Any other statement (a filter, a search, a view, a column not counted) runs as written.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

from kz_timeline.site.query_cache import ExecuteOptions, wrap_execute
from kz_timeline.site.search_facets import SQL_NAME
from kz_timeline.site.search_sql import Execute, immutable_connection, unquote

#: The table the build writes the counts into (hidden on the site).
FACET_COUNTS_TABLE = "_facet_counts"

#: Datasette 0.65's column facet of a table page with no filter (`ColumnFacet.facet_results`): the table's own
#: select, with no WHERE, inside the GROUP BY.
WHOLE_TABLE_FACET = re.compile(
    rf"\s*select (?P<column>{SQL_NAME}) as value, count\(\*\) as count from \(\s*"
    rf"select [^()]+? from (?P<table>{SQL_NAME})\s*\)\s*"
    rf"where (?P=column) is not null\s*group by (?P=column) order by count desc, value limit (?P<limit>\d+)\s*",
    re.DOTALL,
)

#: The counted groups, ordered and limited as the facet SQL orders and limits them.
COUNTED_ROWS = (
    f"select value, count from [{FACET_COUNTS_TABLE}] where table_name = :table and column_name = :column "
    "order by count desc, value limit {limit}"
)


def whole_table_facet_shape(sql: str) -> re.Match[str] | None:
    """Return the parts of Datasette's column facet of a table with no filter, or None for any other SQL."""
    return WHOLE_TABLE_FACET.fullmatch(sql)


def count_facets(connection: sqlite3.Connection, columns: dict[str, list[str]]) -> None:
    """Write FACET_COUNTS_TABLE: each value of each named column (by table) with its number of rows, NULL left out.

    Counted by SQLite's own GROUP BY, so the values keep their types and group exactly as the facet SQL groups them.
    """
    connection.execute(
        f"CREATE TABLE [{FACET_COUNTS_TABLE}] (table_name TEXT NOT NULL, column_name TEXT NOT NULL, value NOT NULL, "
        "count INTEGER NOT NULL, PRIMARY KEY (table_name, column_name, value))"
    )
    for table, names in columns.items():
        for column in names:
            connection.execute(
                f"INSERT INTO [{FACET_COUNTS_TABLE}] (table_name, column_name, value, count) "
                f"SELECT ?, ?, [{column}], count(*) FROM [{table}] WHERE [{column}] IS NOT NULL GROUP BY [{column}]",
                (table, column),
            )


class TableFacets:
    """Runs the facets of whole tables through the counted rows, every other statement as written."""

    def __init__(self, execute: Execute, counted: frozenset[tuple[str, str]]) -> None:
        self.execute = execute
        #: The (table, column) pairs the build counted.
        self.counted = counted
        #: How many facets were answered from the counts (the tests read it).
        self.answered = 0

    async def run(self, sql: str, params: Any, options: ExecuteOptions) -> Any:
        """Return the results of `sql`, from the counted rows when it is the facet of a whole table counted."""
        shape = whole_table_facet_shape(sql) if not params else None
        if shape is not None:
            table, column = unquote(shape["table"]), unquote(shape["column"])
            if (table, column) in self.counted:
                self.answered += 1
                counted = COUNTED_ROWS.format(limit=int(shape["limit"]))
                return await self.execute(counted, {"table": table, "column": column}, *options)
        return await self.execute(sql, params, *options)


def answer_table_facets(database: Any) -> TableFacets | None:
    """Make an immutable Datasette database answer the facets of whole tables from the counts its build wrote.

    Return the wrapper, or None: the database is mutable, or has no counts (built by an older kz-timeline).
    """
    if database.is_mutable:
        return None
    counted = read_counted(database.path)
    if not counted:
        return None
    facets = TableFacets(database.execute, counted)
    wrap_execute(database, facets.run)
    database.table_facets = facets
    return facets


def read_counted(path: str | Path) -> frozenset[tuple[str, str]]:
    """Return the (table, column) pairs counted in the database at `path` (none if it has no FACET_COUNTS_TABLE)."""
    connection = immutable_connection(path)
    try:
        if connection.execute("select 1 from sqlite_master where type = 'table' and name = ?", (FACET_COUNTS_TABLE,)).fetchone():
            rows = connection.execute(f"select distinct table_name, column_name from [{FACET_COUNTS_TABLE}]")
            return frozenset((str(table), str(column)) for table, column in rows)
        return frozenset()
    finally:
        connection.close()
