"""Count the facets of a search from its matches' rowids and a code per row, read once from the immutable file.

Datasette counts a facet of a search with a GROUP BY over every match: on a million events, a common word's 256,000
matches cost 250 ms per facet, each match a lookup in the table or a probe of the match list from the facet's index.
With the file immutable, each row's facet value never changes: `read_codes` keeps it as one byte per rowid (a code
into the column's distinct values, which SQLite's own GROUP BY of the whole table lists), and a facet of a search
becomes a count of those bytes at the matches' rowids. SQLite still orders and limits the counted pairs, so the rows
are the facet SQL's, value for value.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

#: The longest text `match_rowids` lets SQLite write: 100 million rowids of up to 9 digits and a comma.
MAX_TEXT = 1_000_000_000
#: The code of a row with no value (NULL, or no row at that rowid); a column has at most this many distinct values.
NO_VALUE = 255

#: An SQL identifier as Datasette 0.65 writes one: bare, in brackets or in double quotes.
SQL_NAME = r"(?:[A-Za-z_][A-Za-z0-9_]*|\[[^\]]+\]|\"(?:[^\"]|\"\")+\")"
#: Datasette 0.65's column facet over a search with no other filter (`ColumnFacet.facet_results`).
FACET = re.compile(
    rf"\s*select (?P<column>{SQL_NAME}) as value, count\(\*\) as count from \(\s*"
    rf"select (?:.+?) from (?P<table>{SQL_NAME}) where rowid in \(select rowid from (?P<fts>{SQL_NAME}) where (?P=fts) "
    rf"match (?P<match>escape_fts\(:search\)|:search)\) \s*\)\s*"
    rf"where (?P=column) is not null\s*group by (?P=column) order by count desc, value limit (?P<limit>\d+)\s*",
    re.DOTALL,
)


def facet_shape(sql: str) -> re.Match[str] | None:
    """Return the parts of Datasette's column facet of a search with no other filter, or None for any other SQL."""
    return FACET.fullmatch(sql)


@dataclass(frozen=True)
class ColumnCodes:
    """One column's distinct values and, for each rowid, the index of its value (NO_VALUE for none)."""

    values: tuple[str | int, ...]
    codes: npt.NDArray[np.uint8]


def read_codes(connection: sqlite3.Connection, table: str, column: str) -> ColumnCodes | None:
    """Return the codes of `column` in `table`; None when it has more than NO_VALUE values or values not text or integer.

    Text and integer values group in Python as in SQLite (equal exactly when identical); a column declared with a
    collation other than BINARY is refused, since SQLite would group and order its values differently.
    """
    quoted_table, quoted_column = quote_name(table), quote_name(column)
    (schema,) = connection.execute("select sql from sqlite_master where type = 'table' and name = ?", (table,)).fetchone()
    if "collate" in str(schema).lower():
        return None
    groups = connection.execute(
        f"select {quoted_column}, group_concat(rowid) from {quoted_table} "
        f"where {quoted_column} is not null group by {quoted_column}"
    ).fetchall()
    if len(groups) > NO_VALUE or not all(type(value) in (str, int) for value, _ in groups):
        return None
    (top,) = connection.execute(f"select coalesce(max(rowid), 0) from {quoted_table}").fetchone()
    codes = np.full(top + 1, NO_VALUE, dtype=np.uint8)
    for code, (_, rowids) in enumerate(groups):
        codes[np.fromstring(rowids, dtype=np.int64, sep=",")] = code
    return ColumnCodes(tuple(value for value, _ in groups), codes)


def count_values(column: ColumnCodes, rowids: npt.NDArray[np.int64]) -> list[tuple[str | int, int]] | None:
    """Return each value of the rows at `rowids` with how many there are (None for a rowid the codes do not know)."""
    if rowids.size and (rowids.min() < 0 or rowids.max() >= column.codes.size):
        return None
    counts = np.bincount(column.codes[rowids], minlength=NO_VALUE + 1)
    return [(value, int(counts[code])) for code, value in enumerate(column.values) if counts[code]]


def facet_rows_sql(pairs: Sequence[tuple[str | int, int]], limit: int) -> tuple[str, list[Any]]:
    """Return SQL (and its parameters) that orders and limits counted pairs as the facet SQL does its groups."""
    if not pairs:
        return "select null as value, 0 as count where 0", []
    rows = ", ".join("(?, ?)" for _ in pairs)
    sql = f"select column1 as value, column2 as count from (values {rows}) order by count desc, value limit {limit}"
    return sql, [item for pair in pairs for item in pair]


def match_rowids(connection: sqlite3.Connection, fts: str, match: str, search: str) -> npt.NDArray[np.int64]:
    """Return the rowids of Datasette's search subquery, `select rowid from FTS where FTS match MATCH`.

    They come as one text, which SQLite writes and NumPy parses faster than a row each; the connection's bound on
    string length (the limits plugin's, for visitors' SQL) is lifted for this one statement, whose text holds at most
    one number per row of the table.
    """
    cursor = connection.cursor()
    cursor.row_factory = None  # plain tuples, whatever the connection's factory
    bound = connection.getlimit(sqlite3.SQLITE_LIMIT_LENGTH)
    connection.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_TEXT)
    try:
        (text,) = cursor.execute(
            f"select group_concat(rowid) from (select rowid from {fts} where {fts} match {match})", {"search": search}
        ).fetchone()
    finally:
        connection.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, bound)
    return np.fromstring(text, dtype=np.int64, sep=",") if text else np.zeros(0, dtype=np.int64)


def quote_name(name: str) -> str:
    """Return `name` quoted as an SQL identifier."""
    return '"' + name.replace('"', '""') + '"'
