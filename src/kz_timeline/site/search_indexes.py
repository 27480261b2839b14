"""Full-text search and the span R*Tree: each built in its own side database on its own thread, then copied in.

SQLite builds them without holding the GIL, so they take the second core while the main thread inserts rows and
builds the tables' indexes; two side databases, not one, so that neither waits for the other (the R*Tree alone takes
about as long as full-text search). Each side database first copies, from the tables in memory as they are read, the
columns its indexes read, under the same table names and in the same row order (so the same rowids); the very
statements that would build them in the database build them there. Their shadow tables (ordinary tables, as
`sqlite3 .dump` shows) are then copied into the database beside the same virtual table definitions, which makes them
the same indexes: the build's tests check every answer and run SQLite's own integrity checks.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from kz_timeline.background import lower_priority

#: Full-text search (FTS5, porter stemming) over these columns.
FTS_COLUMNS: dict[str, tuple[str, ...]] = {"events": ("title", "description"), "claims": ("statement", "quote")}
#: An R*Tree of each event's span in days, so that "events overlapping a range" is a tree search, not a scan.
SPAN_TABLE = "events_span"
#: The day number of an open (ongoing) end: the largest rtree_i32 coordinate.
OPEN_END_DAY = 2**31 - 1
#: SQL turning an ISO date into the day number of Python's date.toordinal() (0001-01-01 is day 1).
DAY_NUMBER = "CAST(julianday({}) - 1721424.5 AS INTEGER)"
#: The columns of the events table that the span index reads.
SPAN_COLUMNS = ("date_start", "date_end", "date_end_status")


def create_span_index(connection: sqlite3.Connection) -> None:
    """Create and fill the span R*Tree from the events table of `connection`."""
    first = DAY_NUMBER.format("date_start")
    connection.execute(f"CREATE VIRTUAL TABLE [{SPAN_TABLE}] USING rtree_i32(event_rowid, first_day, last_day)")
    # An unknown end counts as the first possible day only; an open end runs to the end of time. Inserting in date
    # order keeps the tree's nodes compact.
    connection.execute(
        f"""INSERT INTO [{SPAN_TABLE}] (event_rowid, first_day, last_day)
        SELECT rowid, {first},
          CASE WHEN date_end IS NOT NULL THEN {DAY_NUMBER.format("date_end")}
               WHEN date_end_status = 'open' THEN {OPEN_END_DAY} ELSE {first} END
        FROM events ORDER BY date_start"""
    )


def create_full_text_search(connection: sqlite3.Connection) -> None:
    """Create and fill the FTS5 table of every table of FTS_COLUMNS, as sqlite-utils' `enable_fts` writes it."""
    db = sqlite_utils.Database(connection)
    for name, columns in FTS_COLUMNS.items():
        db.table(name).enable_fts(list(columns), fts_version="FTS5", tokenize="porter", create_triggers=False)


@dataclass(frozen=True)
class SideBuild:
    """One side database's work: the columns it copies, how it fills its indexes, the virtual tables it leaves.

    `prepare`, if any, runs on the empty copies before the rows are copied in (full-text search is created there).
    """

    name: str
    columns: Mapping[str, tuple[str, ...]]
    fill: Callable[[sqlite3.Connection], None]
    virtual_tables: tuple[str, ...]
    prepare: Callable[[sqlite3.Connection], None] | None = None


def _fill_search(connection: sqlite3.Connection) -> None:
    _fill_full_text_search(connection)  # looked up when called, so that tests can make it fail


SPAN_BUILD = SideBuild("span", {"events": SPAN_COLUMNS}, create_span_index, (SPAN_TABLE,))
SEARCH_BUILD = SideBuild(
    "search", FTS_COLUMNS, _fill_search, tuple(f"{name}_fts" for name in FTS_COLUMNS), prepare=create_full_text_search
)
#: Every side database of a build, each built on its own thread.
SIDE_BUILDS = (SPAN_BUILD, SEARCH_BUILD)
#: Writes the columns of one table (by name) into the SQLite file given, as the database holds them, row for row.
CopyRows = Callable[[Path, str, tuple[str, ...]], None]


class SideIndexes:
    """Build the indexes of `build` for a database in the SQLite file `path`, on another thread.

    `start` fills the side database's copies of the columns its indexes read, through `copy_rows`, from the tables in
    memory as they are read, then builds the indexes; `copy_into` waits for the build and copies the indexes into the
    database; `close` stops the build if it still runs (an error elsewhere) and waits for it. The caller removes
    `path`.

    The copies never read the database being built: its rows go in through ADBC's SQLite, a copy of SQLite of its
    own, and two copies of SQLite in one process do not see each other's locks (POSIX locks do not exclude within a
    process; tensorflow/tensorboard#1467). A reader there could read half-written pages. So each file is written by
    one copy of SQLite at a time, while no other holds a transaction on it: the side file by ADBC's while `copy_rows`
    writes it (Python's connection to it, open, holds none), then by Python's.
    """

    def __init__(self, path: Path, build: SideBuild) -> None:
        self.path = path
        self.build = build
        self._connection: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(1, thread_name_prefix=f"kz-timeline-{build.name}-index")
        self._future: Future[None] | None = None

    def start(self, copy_rows: CopyRows) -> None:
        """Start filling the copies of the columns the indexes read (with `copy_rows`), then building the indexes."""
        self._future = self._executor.submit(self._build, copy_rows)

    def _build(self, copy_rows: CopyRows) -> None:
        connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        with self._lock:
            self._connection = connection
        try:
            connection.execute("PRAGMA journal_mode = OFF")
            connection.execute("PRAGMA synchronous = OFF")
            connection.execute("PRAGMA cache_size = -32000")
            _create_copies(connection, self.build)
            # This connection holds no lock (no transaction is open) while another copy of SQLite writes the rows.
            for name, columns in self.build.columns.items():
                copy_rows(self.path, name, columns)  # at once: the whole tables are held until copied
            lower_priority()  # the inserts and the indexes, on the main thread, come first
            self.build.fill(connection)
        finally:
            with self._lock:
                self._connection = None
            connection.close()

    def copy_into(self, connection: sqlite3.Connection) -> None:
        """Wait for the build, then create the same virtual tables in `connection` and copy their shadow tables in."""
        if self._future is None:
            raise RuntimeError("the side build was not started")
        self._future.result()
        connection.execute("ATTACH DATABASE ? AS side", (str(self.path),))
        try:
            connection.execute("BEGIN")
            for table in self.build.virtual_tables:
                (sql,) = connection.execute("SELECT sql FROM side.sqlite_master WHERE name = ?", (table,)).fetchone()
                connection.execute(sql)
                for shadow in _shadow_tables(connection, table):
                    connection.execute(f"DELETE FROM main.[{shadow}]")
                    connection.execute(f"INSERT INTO main.[{shadow}] SELECT * FROM side.[{shadow}]")
            connection.execute("COMMIT")
        finally:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            connection.execute("DETACH DATABASE side")

    def close(self) -> None:
        """Stop the build if it still runs, and wait for it."""
        with self._lock:
            if self._connection is not None:
                self._connection.interrupt()
        self._executor.shutdown(wait=True)


def _fill_full_text_search(connection: sqlite3.Connection) -> None:
    """Do what `create_full_text_search` does, with more terms kept in memory before each write (fewer merges).

    The same statements as sqlite-utils' `enable_fts`, creating then populating; the setting is then removed, so
    that the index's configuration is the default one.
    """
    db = sqlite_utils.Database(connection)
    for name, columns in FTS_COLUMNS.items():
        fts = f"{name}_fts"
        connection.execute(f"INSERT INTO [{fts}] ([{fts}], rank) VALUES ('hashsize', ?)", (FTS_HASH_SIZE,))
        db.table(name).populate_fts(list(columns))
        connection.execute(f"DELETE FROM [{fts}_config] WHERE k = 'hashsize'")


#: Bytes of pending terms FTS5 keeps in memory before writing a segment (its default is 1 MB): 16 MB takes a quarter
#: off the time of indexing a million events (5.8 s -> 4.3 s of CPU), about 15 MB more memory, and the same index.
FTS_HASH_SIZE = 16 * 1024 * 1024


def _create_copies(connection: sqlite3.Connection, build: SideBuild) -> None:
    """Create the empty tables the rows are copied into (every column TEXT), and what `build` prepares on them."""
    for name, columns in build.columns.items():
        connection.execute(f"CREATE TABLE main.[{name}] ({', '.join(f'[{column}] TEXT' for column in columns)})")
    if build.prepare is not None:
        build.prepare(connection)


def _shadow_tables(connection: sqlite3.Connection, table: str) -> list[str]:
    """Return the shadow tables of virtual table `table` in the main database, checking the side has the same."""
    sql = "SELECT name FROM {}.sqlite_master WHERE type = 'table' AND substr(name, 1, ?) = ? ORDER BY name"
    prefix = (len(table) + 1, f"{table}_")
    main, side = ([row[0] for row in connection.execute(sql.format(schema), prefix)] for schema in ("main", "side"))
    if not main or main != side:
        raise RuntimeError(f"the shadow tables of {table} differ: {main} in the database, {side} in the side database")
    return list(main)
