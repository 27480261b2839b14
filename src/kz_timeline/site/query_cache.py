"""Remember the results of Datasette's queries on an immutable database: the same SQL always gives the same rows.

On a million events, every visit to a table page recounts its facets (a GROUP BY over a million index entries) and
every search recounts its matches; with the file immutable, the first answer can serve every later visitor.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

#: Results with more rows than this are not kept (Datasette pages hold at most max_returned_rows, 1000 by default).
MAX_CACHED_ROWS = 1001
#: All kept results together hold at most this many bytes of values; one result at most MAX_ENTRY_BYTES (a page of
#: 1,000 rows of the largest table of a million events is under 2 MB).
MAX_CACHED_BYTES = 64_000_000
MAX_ENTRY_BYTES = 4_000_000


def results_bytes(results: Any) -> int:
    """Return about how many bytes Datasette's Results hold: the length of each text and blob, 8 for other values."""
    return sum(
        64 + sum(len(value) if isinstance(value, str | bytes) else 8 for value in row) for row in getattr(results, "rows", ())
    )


@dataclass
class QueryCache:
    """A least-recently-used map from a query and its parameters to Datasette's Results, bounded in entries and bytes."""

    max_entries: int = 512
    max_bytes: int = MAX_CACHED_BYTES
    max_entry_bytes: int = MAX_ENTRY_BYTES
    hits: int = 0
    misses: int = 0
    bytes: int = 0
    entries: OrderedDict[Hashable, tuple[Any, int]] = field(default_factory=OrderedDict)

    def get(self, key: Hashable) -> Any | None:
        """Return the remembered results of `key`, or None."""
        entry = self.entries.get(key)
        if entry is None:
            self.misses += 1
            return None
        self.entries.move_to_end(key)
        self.hits += 1
        return entry[0]

    def put(self, key: Hashable, results: Any) -> None:
        """Remember `results` (when small enough), forgetting the least recently used entries beyond the bounds."""
        if len(getattr(results, "rows", ())) > MAX_CACHED_ROWS:
            return
        size = results_bytes(results)
        if size > self.max_entry_bytes:
            return
        previous = self.entries.pop(key, None)
        if previous is not None:
            self.bytes -= previous[1]
        self.entries[key] = (results, size)
        self.bytes += size
        while len(self.entries) > self.max_entries or self.bytes > self.max_bytes:
            _, (_, forgotten) = self.entries.popitem(last=False)
            self.bytes -= forgotten


def _key(sql: str, params: Any, options: tuple[Any, ...]) -> Hashable | None:
    """Return a hashable key for a query, or None when its parameters cannot be one."""
    if params is None:
        frozen: Any = None
    elif isinstance(params, dict):
        frozen = tuple(sorted(params.items()))
    else:
        frozen = tuple(params)
    key = (sql, frozen, options)
    try:
        hash(key)
    except TypeError:
        return None
    return key


#: The arguments of Datasette 0.65's `Database.execute` after the statement and its parameters: truncate,
#: custom_time_limit, page_size, log_sql_errors.
ExecuteOptions = tuple[bool, int | None, int | None, bool]


def wrap_execute(database: Any, handle: Callable[[str, Any, ExecuteOptions], Awaitable[Any]]) -> None:
    """Make `database.execute` call `handle(sql, params, options)`, keeping Datasette 0.65's signature."""

    async def execute(
        sql: str,
        params: Any = None,
        truncate: bool = False,
        custom_time_limit: int | None = None,
        page_size: int | None = None,
        log_sql_errors: bool = True,
    ) -> Any:
        return await handle(sql, params, (truncate, custom_time_limit, page_size, log_sql_errors))

    database.execute = execute


def cache_queries(database: Any, max_entries: int = 512) -> QueryCache | None:
    """Make an immutable Datasette database remember its query results; return the cache (None if it is mutable).

    Errors and interrupted queries (time limits) are not remembered, so they are tried again next time.
    """
    if database.is_mutable:
        return None
    cache = QueryCache(max_entries)
    execute = database.execute

    async def cached_execute(sql: str, params: Any, options: ExecuteOptions) -> Any:
        key = _key(sql, params, options[:3])
        if key is not None:
            results = cache.get(key)
            if results is not None:
                return results
        results = await execute(sql, params, *options)
        if key is not None:
            cache.put(key, results)
        return results

    wrap_execute(database, cached_execute)
    database.query_cache = cache
    return cache
