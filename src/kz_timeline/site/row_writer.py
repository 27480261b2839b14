"""Write validated tables' rows into SQLite straight from Arrow, through ADBC's SQLite driver.

pandas' `str` columns are Arrow strings already and categories are codes into a few texts, so the rows go from
Arrow buffers to SQLite's bound parameters in C, with no Python object per value: a million events' seven tables go
in about 2.5 times as fast as through `sqlite3.executemany` (BENCHMARKS.md, Profiles, stop 25). The driver lets go of
the GIL while it writes, so the checks beside the build keep the other core.
"""

from __future__ import annotations

import queue
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

import pyarrow as pa
import pyarrow.compute as pc

from kz_timeline.reading.text_categories import is_categorical

if TYPE_CHECKING:
    import pandas as pd

    from kz_timeline.schema.tables import Column, Table

#: The Arrow type each SQLite column type is written from.
ARROW_TYPES: dict[str, pa.DataType] = {"INTEGER": pa.int64(), "TEXT": pa.large_string()}


class RowWriter:
    """A connection that inserts rows into the SQLite file `path`; used as a context manager, closed at its end.

    `cache_kib`: its page cache. Its transactions are SQLite's own (`begin`, `commit`), with no journal: the file is a
    temporary one that nobody reads yet, as in `kz_timeline.site.database`. ADBC's driver is a copy of SQLite of its
    own: nothing else may have the file open in Python's `sqlite3` with a transaction while this writes it (the two do
    not see each other's locks; see `kz_timeline.site.search_indexes.SideIndexes`).

    The connection is used on a thread of its own, the caller waiting for each call. On the main thread, ADBC would
    swap Python's SIGINT handler for its own (apache/arrow-adbc#1509), which asks the driver to cancel the statement:
    SQLite's driver cannot (NOT_IMPLEMENTED), and a Ctrl-C as a statement ends crashes the process (the cancel is
    called on an object already freed: SIGSEGV). On a thread of its own ADBC leaves SIGINT to Python: Ctrl-C raises
    KeyboardInterrupt in the caller, and an `insert` under way stops at its next batch.
    """

    def __init__(self, path: Path, *, cache_kib: int) -> None:
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kz-timeline-rows")
        try:
            self._cursor = self._call(_connect, path, cache_kib)
        except BaseException:
            self._thread.shutdown()
            raise

    def _call(self, function: Callable[..., T], *args: Any) -> T:
        """Return `function(*args)`, called on the connection's thread (the driver's errors raised as sqlite3's)."""
        return self._thread.submit(_with_sqlite_errors, function, *args).result()

    def begin(self) -> None:
        """Start a transaction."""
        self._call(_execute, self._cursor, "BEGIN")

    def commit(self) -> None:
        """Commit the transaction (other connections then see its rows)."""
        self._call(_execute, self._cursor, "COMMIT")

    def insert(self, name: str, rows: pa.RecordBatchReader) -> None:
        """Insert `rows` into the table `name`, whose columns have the names of the batches' columns.

        Each batch is made on the caller's thread when the driver asks for it, one at a time, as the tables it is made
        from were (made on the connection's thread, they raised a million events' build's peak by 25 MB, the mean of
        five builds each way: BENCHMARKS.md, Profiles, stop 30). An error or a KeyboardInterrupt while the caller
        waits or makes a batch ends the statement at that batch (the transaction, not committed, rolls back at
        `close`), then goes on.
        """
        asks: queue.SimpleQueue[bool] = queue.SimpleQueue()  # True: the driver asks for a batch; False: it has ended
        answers: queue.SimpleQueue[pa.RecordBatch | BaseException | None] = queue.SimpleQueue()

        def asked() -> Iterator[pa.RecordBatch]:  # read by the driver, on the connection's thread
            while True:
                asks.put(True)
                answer = answers.get()
                if answer is None:
                    return
                if isinstance(answer, BaseException):
                    raise _Abandoned from None
                yield answer

        written = self._thread.submit(
            _with_sqlite_errors, self._cursor.adbc_ingest, name, pa.RecordBatchReader.from_batches(rows.schema, asked()), "append"
        )
        written.add_done_callback(lambda _: asks.put(False))
        batches = iter(rows)
        try:
            while asks.get():
                batch = next(batches, None)
                answers.put(batch)
                if batch is None:
                    break
        except BaseException as error:
            answers.put(error)
            wait([written])
            raise
        written.result()

    def close(self) -> None:
        """Close the connection, rolling back any transaction still open (after the statement under way, if any)."""
        try:
            self._call(_close, self._cursor)
        finally:
            self._thread.shutdown()

    def __enter__(self) -> RowWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self.close()


T = TypeVar("T")


class _Abandoned(Exception):
    """Raised to the driver, which reads the batches of an `insert`, when the caller stops making them."""


def _with_sqlite_errors(function: Callable[..., T], *args: Any) -> T:
    """Return `function(*args)`; the driver's errors are raised as the `sqlite3` errors of the same name."""
    import adbc_driver_manager

    try:
        return function(*args)
    except adbc_driver_manager.Error as error:
        kind = getattr(sqlite3, type(error).__name__, sqlite3.OperationalError)
        raise (kind if issubclass(kind, sqlite3.Error) else sqlite3.OperationalError)(str(error)) from error


def _connect(path: Path, cache_kib: int) -> Any:
    """Open `path` through ADBC's SQLite driver, with no journal and a page cache of `cache_kib`; return a cursor."""
    import adbc_driver_sqlite.dbapi

    cursor = adbc_driver_sqlite.dbapi.connect(str(path), autocommit=True).cursor()
    for pragma in ("journal_mode = OFF", "synchronous = OFF", f"cache_size = -{cache_kib}"):
        _execute(cursor, f"PRAGMA {pragma}")
    return cursor


def _execute(cursor: Any, sql: str) -> None:
    cursor.execute(sql)
    cursor.fetchall() if cursor.description else None


def _close(cursor: Any) -> None:
    connection = cursor.connection
    cursor.close()
    connection.close()


def record_batches(
    table: Table,
    frame: pd.DataFrame,
    extra: Mapping[str, pa.Array],
    columns: Sequence[tuple[str, str]],
    batch_rows: int,
) -> pa.RecordBatchReader:
    """Return the rows of `frame` (validated texts) as Arrow batches of `batch_rows` rows in SQLite's types.

    `columns`: the database's (name, SQLite type) of each column, in order; those not in `table` are taken from
    `extra` (whole columns, sliced here). An empty text is NULL; integers and booleans (1 and 0) become int64. A
    column of categories is converted once, category by category, and each batch takes its rows' values from that.
    """
    by_name = {column.name: column for column in table.columns}
    schema = pa.schema([(name, ARROW_TYPES[sqlite_type]) for name, sqlite_type in columns])
    categorical = [name for name, _ in columns if name in by_name and is_categorical(frame[name])]
    converted = {
        name: _converted(by_name[name], pa.array(list(frame[name].cat.categories), pa.large_string())) for name in categorical
    }
    codes = {name: frame[name].cat.codes.to_numpy() for name in categorical}

    def column_values(name: str, start: int, stop: int) -> pa.Array | pa.ChunkedArray:
        if name not in by_name:
            return extra[name][start:stop]
        if name in converted:
            return converted[name].take(pa.array(codes[name][start:stop]))
        return _converted(by_name[name], pa.array(frame[name].array[start:stop]))

    def batches() -> Iterator[pa.RecordBatch]:
        for start in range(0, len(frame), batch_rows):
            stop = min(start + batch_rows, len(frame))
            # A table, not a batch: a column of a million texts is several Arrow arrays, and a slice may span two.
            yield from pa.Table.from_arrays([column_values(name, start, stop) for name, _ in columns], schema=schema).to_batches()

    return pa.RecordBatchReader.from_batches(schema, batches())


def _converted(column: Column, texts: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Return validated `texts` of `column` in SQLite's type: "" as NULL, integers and booleans as int64."""
    texts = texts.cast(pa.large_string())
    missing = pc.equal(pc.binary_length(texts), 0)
    if column.python_type is bool:
        values = pc.equal(texts, "true").cast(pa.int64())
        return pc.if_else(missing, pa.scalar(None, pa.int64()), values)
    present = pc.if_else(missing, pa.scalar(None, pa.large_string()), texts)
    return present.cast(pa.int64()) if column.python_type is int else present
