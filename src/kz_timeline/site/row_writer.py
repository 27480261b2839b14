"""Write validated tables' rows into SQLite straight from Arrow, through ADBC's SQLite driver.

pandas' `str` columns are Arrow strings already and categories are codes into a few texts, so the rows go from
Arrow buffers to SQLite's bound parameters in C, with no Python object per value: a million events' seven tables go
in about 2.5 times as fast as through `sqlite3.executemany` (BENCHMARKS.md, Profiles, stop 25). The driver lets go of
the GIL while it writes, so the checks beside the build keep the other core.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from kz_timeline.reading.text_categories import is_categorical

if TYPE_CHECKING:
    import pandas as pd

    from kz_timeline.schema.tables import Column, Table

#: The Arrow type each SQLite column type is written from.
ARROW_TYPES: dict[str, pa.DataType] = {"INTEGER": pa.int64(), "TEXT": pa.large_string()}


@contextmanager
def _as_sqlite_errors() -> Iterator[None]:
    """Raise the driver's errors as `sqlite3` errors of the same name, as the rest of the build raises them.

    Ctrl-C raises KeyboardInterrupt: ADBC answers SIGINT by asking the driver to cancel the statement, which SQLite's
    driver cannot (NOT_IMPLEMENTED, raised from a KeyboardInterrupt once the statement has ended).
    """
    import adbc_driver_manager

    try:
        yield
    except adbc_driver_manager.Error as error:
        if isinstance(error.__cause__, KeyboardInterrupt):
            raise KeyboardInterrupt from None
        kind = getattr(sqlite3, type(error).__name__, sqlite3.OperationalError)
        raise (kind if issubclass(kind, sqlite3.Error) else sqlite3.OperationalError)(str(error)) from error


class RowWriter:
    """A connection that inserts rows into the SQLite file `path`; used as a context manager, closed at its end.

    `cache_kib`: its page cache. Its transactions are SQLite's own (`begin`, `commit`), with no journal: the file is a
    temporary one that nobody reads yet, as in `kz_timeline.site.database`. ADBC's driver is a copy of SQLite of its
    own: nothing else may have the file open in Python's `sqlite3` with a transaction while this writes it (the two do
    not see each other's locks; see `kz_timeline.site.search_indexes.SideIndexes`).
    """

    def __init__(self, path: Path, *, cache_kib: int) -> None:
        import adbc_driver_sqlite.dbapi

        with _as_sqlite_errors():
            self._connection = adbc_driver_sqlite.dbapi.connect(str(path), autocommit=True)
            self._cursor = self._connection.cursor()
            for pragma in (
                "journal_mode = OFF",
                "synchronous = OFF",
                f"cache_size = -{cache_kib}",
            ):
                self._execute(f"PRAGMA {pragma}")

    def _execute(self, sql: str) -> None:
        with _as_sqlite_errors():
            self._cursor.execute(sql)
            self._cursor.fetchall() if self._cursor.description else None

    def begin(self) -> None:
        """Start a transaction."""
        self._execute("BEGIN")

    def commit(self) -> None:
        """Commit the transaction (other connections then see its rows)."""
        self._execute("COMMIT")

    def insert(self, name: str, rows: pa.RecordBatchReader) -> None:
        """Insert `rows` into the table `name`, whose columns have the names of the batches' columns."""
        with _as_sqlite_errors():
            self._cursor.adbc_ingest(name, rows, mode="append")

    def close(self) -> None:
        """Close the connection, rolling back any transaction still open."""
        with _as_sqlite_errors():
            self._cursor.close()
            self._connection.close()

    def __enter__(self) -> RowWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self.close()


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
