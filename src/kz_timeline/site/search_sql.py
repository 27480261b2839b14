"""Cheaper SQL for Datasette 0.65's full-text searches on an immutable database, giving exactly the same rows.

A search of a common word matches a quarter of a million events; Datasette then counts the matches by looking up
every matching row, and finds the first page by sorting every match. On a database built whole and served immutable:

- the count of a search with no other filter is the FTS index's own count of its matches: the index was filled from
  every row of its table in one statement after the last row was written (`kz-timeline build`, no triggers), and an
  immutable file never changes, so its rowids are exactly the table's rowids;
- a page of a search that matches at least MIN_SHARE of the table is found by walking the index of the sort column,
  not by sorting every match. When the ORDER BY ends with the primary key, one walk gives the page (`walk_sql`);
  otherwise rows that tie on the sort column come in SQLite's own order, so one walk finds the sort value of the
  page's last row, a second collects the matches up to that value, and Datasette's own ORDER BY then sorts those few
  rows as it would have sorted them all (`page_sql`);
- a column facet of a search with no other filter counts a code per row at the matches' rowids
  (`kz_timeline.site.search_facets`), for the facets named in the metadata of a table with full-text search.

Only the exact statements Datasette 0.65 writes are recognised (`count_shape`, `page_shape`, `facet_shape`); every
other statement, and every statement on a mutable database, runs unchanged; a rewritten statement that fails (an FTS
syntax error) is run as written, so that Datasette reports its own error.
"""

from __future__ import annotations

import re
import sqlite3
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from kz_timeline.site.query_cache import wrap_execute
from kz_timeline.site.search_facets import (
    SQL_NAME,
    ColumnCodes,
    count_values,
    facet_rows_sql,
    facet_shape,
    match_rowids,
    quote_name,
    read_codes,
)

#: The page select is rewritten when the search matches at least this share of the table's rows. Measured at a
#: million events (BENCHMARKS.md): the walk costs about the same for any common word (70 ms), the sort grows with the
#: matches (170 ms for 256,000); when the matches all sit at the far end of the sort order the walk reads the whole
#: index twice (157 ms against 190 ms for the sort at 100,000 matches, 174 ms against 67 ms at 26,000).
MIN_SHARE = 0.10

_FTS = rf"rowid in \(select rowid from (?P<fts>{SQL_NAME}) where (?P=fts) match (?P<match>escape_fts\(:search\)|:search)\)"
#: Datasette's keyset pagination after the first page (`_next=`) on a table with a one-column primary key.
_AFTER_KEY = rf"\(\({SQL_NAME} > :p\d+\)\)"
_NEXT = (
    rf"\((?P<c1>{SQL_NAME}) > :p(?P<n1>\d+) or \((?P=c1) = :p(?P=n1) and {_AFTER_KEY}\)\)",
    rf"\((?P<c2>{SQL_NAME}) < :p(?P<n2>\d+) or (?P=c2) is null or \((?P=c2) = :p(?P=n2) and {_AFTER_KEY}\)\)",
    rf"\((?P<c3>{SQL_NAME}) is not null or \((?P=c3) is null and {_AFTER_KEY}\)\)",
    rf"\((?P<c4>{SQL_NAME}) is null and {_AFTER_KEY}\)",
    _AFTER_KEY,
)
_WHERE = rf"(?P<where>{_FTS}(?: and (?:{'|'.join(_NEXT)}))?)"
COUNT = re.compile(rf"select count\(\*\) from (?P<table>{SQL_NAME}) where (?P<where>{_FTS}) ?")
PAGE = re.compile(
    rf"select (?P<columns>.+?) from (?P<table>{SQL_NAME}) where {_WHERE} "
    rf"order by (?P<column>{SQL_NAME})(?P<desc> desc)?(?:, (?P<key>{SQL_NAME}))? limit (?P<limit>\d+)",
    re.DOTALL,
)

Execute = Callable[..., Awaitable[Any]]
#: The matches of this many searches are kept for the facets of their pages (a million rowids take 8 MB).
KEPT_SEARCHES = 4


def unquote(name: str) -> str:
    """Return the identifier that Datasette's `escape_sqlite` quoted as `name`."""
    if name.startswith("["):
        return name[1:-1]
    if name.startswith('"'):
        return name[1:-1].replace('""', '"')
    return name


def count_shape(sql: str) -> re.Match[str] | None:
    """Return the parts of Datasette's count of a search with no other filter, or None for any other statement."""
    return COUNT.fullmatch(sql)


def page_shape(sql: str) -> re.Match[str] | None:
    """Return the parts of Datasette's page select of a search (any sort, `_next` pages too), or None."""
    return PAGE.fullmatch(sql)


def fts_count_sql(shape: re.Match[str]) -> str:
    """Return the FTS index's own count of the matches of the search in `shape` (a count or a page select)."""
    return f"select count(*) from {shape['fts']} where {shape['fts']} match {shape['match']}"


def walk_sql(shape: re.Match[str], index: str) -> str:
    """Return Datasette's page select `shape` made to walk `index`, for an ORDER BY that orders every row.

    An ORDER BY that ends with a unique NOT NULL key gives the same rows whatever the plan; this one stops after a
    page of matches.
    """
    table = f"{shape['table']} indexed by {quote_name(index)}"
    return f"select {shape['columns']} from {table} where {shape['where']} order by {_order(shape)} limit {shape['limit']}"


def _order(shape: re.Match[str]) -> str:
    return f"{shape['column']}{shape['desc'] or ''}" + (f", {shape['key']}" if shape["key"] else "")


def page_sql(shape: re.Match[str], index: str) -> str:
    """Return Datasette's page select `shape` with the matches found by walking `index`, whose first column sorts.

    The scalar subquery walks the index in the page's order to the page's last row and returns its sort value v (NULL
    when fewer rows match: the caller then runs the original). Every row of the original page sorts at or before v,
    every other match after it, so the matches up to v hold the page; the outer select keeps Datasette's ORDER BY and
    the original's plan (look up each rowid of an ascending rowid list, then sort), so rows that tie on the sort
    column come in the same order as the original's.
    """
    table, column, where = shape["table"], shape["column"], shape["where"]
    desc = " desc" if shape["desc"] else ""
    bound = ">=" if desc else "<="
    offset = int(shape["limit"]) - 1
    order = _order(shape)
    walked = f"{table} indexed by {quote_name(index)}"
    last = f"select {column} from {walked} where {where} order by {column}{desc} limit 1 offset {offset}"
    matches = f"select rowid from {walked} where {where} and {column} {bound} ({last})"
    return f"select {shape['columns']} from {table} where rowid in ({matches}) order by {order} limit {shape['limit']}"


@dataclass
class TableFacts:
    """What the rewrites need to know of one table: its row count, its NOT NULL columns, an index for each column."""

    rows: int | None
    not_null: frozenset[str]
    key: str | None
    index_of: Mapping[str, str]
    fts: str | None


class SearchPlanner:
    """Run Datasette's searches on one immutable database through the cheaper statements, others unchanged."""

    def __init__(self, database: Any, execute: Execute, codes: Mapping[tuple[str, str], ColumnCodes] | None = None) -> None:
        self.database = database
        self.execute = execute
        self.codes = dict(codes or {})
        self.facts: dict[str, TableFacts] = {}
        self.matches: OrderedDict[tuple[str, str, str], npt.NDArray[np.int64]] = OrderedDict()
        #: How many statements were rewritten, by kind (the tests read it).
        self.rewritten: dict[str, int] = {"count": 0, "page": 0, "facet": 0}

    async def run(self, sql: str, params: Any, options: tuple[Any, ...]) -> Any:
        """Return the results of `sql`, through a cheaper statement when one gives the same rows."""
        if isinstance(params, dict) and isinstance(params.get("search"), str):
            try:
                results = await self._rewritten(sql, params, options)
            except Exception:  # noqa: BLE001  # a search SQLite refuses (raw syntax) fails below as it always did
                results = None
            if results is not None:
                return results
        return await self.execute(sql, params, *options)

    async def _rewritten(self, sql: str, params: dict[str, Any], options: tuple[Any, ...]) -> Any | None:
        count = count_shape(sql)
        if count is not None and await self._fts_of(count["table"]) == unquote(count["fts"]):
            results = await self.database.execute(fts_count_sql(count), {"search": params["search"]})
            self.rewritten["count"] += 1
            return results
        page = page_shape(sql)
        if page is not None:
            return await self._page(page, params, options)
        facet = facet_shape(sql)
        return None if facet is None else await self._facet(facet, params, options)

    async def _facet(self, shape: re.Match[str], params: dict[str, Any], options: tuple[Any, ...]) -> Any | None:
        table = unquote(shape["table"])
        codes = self.codes.get((table, unquote(shape["column"])))
        if codes is None or await self._fts_of(table) != unquote(shape["fts"]):
            return None
        pairs = count_values(codes, await self._matches(shape["fts"], shape["match"], params["search"], options[1]))
        if pairs is None:
            return None
        sql, arguments = facet_rows_sql(pairs, int(shape["limit"]))
        results = await self.execute(sql, arguments, *options)
        self.rewritten["facet"] += 1
        return results

    async def _matches(self, fts: str, match: str, search: str, time_limit_ms: int | None) -> npt.NDArray[np.int64]:
        """Return the rowids of a search's matches, kept for the other facets of its page."""
        key = (fts, match, search)
        rowids = self.matches.get(key)
        if rowids is None:
            from datasette.utils import sqlite_timelimit

            limit = time_limit_ms or self.database.ds.setting("sql_time_limit_ms")

            def read(connection: sqlite3.Connection) -> npt.NDArray[np.int64]:
                with sqlite_timelimit(connection, limit):
                    return match_rowids(connection, fts, match, search)

            rowids = await self.database.execute_fn(read)
            self.matches[key] = rowids
            while len(self.matches) > KEPT_SEARCHES:
                self.matches.popitem(last=False)
        self.matches.move_to_end(key)
        return rowids

    async def _page(self, shape: re.Match[str], params: dict[str, Any], options: tuple[Any, ...]) -> Any | None:
        table, column = unquote(shape["table"]), unquote(shape["column"])
        facts = await self._facts(table)
        index = facts.index_of.get(column)
        if index is None or column not in facts.not_null or not facts.rows or facts.fts != unquote(shape["fts"]):
            return None
        counted = await self.database.execute(fts_count_sql(shape), {"search": params["search"]})
        if counted.rows[0][0] < MIN_SHARE * facts.rows:
            return None
        last = unquote(shape["key"] or shape["column"])
        if last == facts.key and last in facts.not_null:  # the ORDER BY is total: a unique, NOT NULL key decides ties
            results = await self.execute(walk_sql(shape, index), params, *options)
        else:
            results = await self.execute(page_sql(shape, index), params, *options)
            if len(results.rows) < int(shape["limit"]):
                return None  # fewer matches than a page: no last row to walk to
        self.rewritten["page"] += 1
        return results

    async def _fts_of(self, table: str) -> str | None:
        return (await self._facts(unquote(table))).fts

    async def _facts(self, table: str) -> TableFacts:
        facts = self.facts.get(table)
        if facts is None:
            counts = await self.database.table_counts()
            columns = await self.database.execute('select name, "notnull", pk from pragma_table_info(:table)', {"table": table})
            keys = [row[0] for row in columns.rows if row[2]]
            # Each column's first index that is not partial (a partial index lacks rows, so it cannot be walked).
            indexes = await self.database.execute(
                "select info.name, list.name from pragma_index_list(:table) as list, pragma_index_info(list.name) as info "
                "where info.seqno = 0 and not list.partial order by list.seq desc",
                {"table": table},
            )
            facts = TableFacts(
                rows=counts.get(table),
                not_null=frozenset(row[0] for row in columns.rows if row[1]),
                key=keys[0] if len(keys) == 1 else None,
                index_of={row[0]: row[1] for row in indexes.rows},
                fts=await self.database.fts_table(table),
            )
            self.facts[table] = facts
        return facts


def plan_searches(database: Any, facets: Mapping[str, Sequence[str]] | None = None) -> SearchPlanner | None:
    """Make an immutable Datasette database run searches through cheaper SQL; return the planner (None if mutable).

    `facets` names, by table, the columns whose facets of a search are counted from codes read now (the table must
    have full-text search). Install the planner before the query cache (`cache_queries`), so that the cache answers
    repeated visits first and the match count that chooses the plan is counted once per search.
    """
    if database.is_mutable:
        return None
    planner = SearchPlanner(database, database.execute, read_facet_codes(database.path, facets or {}))

    wrap_execute(database, planner.run)
    database.search_planner = planner
    return planner


def read_facet_codes(path: str, facets: Mapping[str, Sequence[str]]) -> dict[tuple[str, str], ColumnCodes]:
    """Return the codes of the named facet columns of the tables with full-text search in the database at `path`."""
    from datasette.utils import detect_fts

    found: dict[tuple[str, str], ColumnCodes] = {}
    if not facets:
        return found
    connection = immutable_connection(path)
    try:
        for table, columns in facets.items():
            if detect_fts(connection, table) is None:
                continue
            for column in columns:
                codes = read_codes(connection, table, column)
                if codes is not None:
                    found[(table, column)] = codes
    finally:
        connection.close()
    return found


def immutable_connection(path: str | Path) -> sqlite3.Connection:
    """Open the database at `path` as the site serves it: read-only, immutable (SQLite takes no locks)."""
    return sqlite3.connect(f"{Path(path).resolve().as_uri()}?immutable=1", uri=True)
