"""Rows written from Arrow through ADBC's SQLite are the values a row-by-row insert of the texts stores."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
import sqlite_utils

from kz_timeline.dataset.loader import read_tables
from kz_timeline.reading.text_categories import is_categorical
from kz_timeline.schema.tables import TABLES
from kz_timeline.site import database
from kz_timeline.site.row_writer import RowWriter, record_batches
from tests.conftest import DATA_DIR
from tests.test_database_content import _value  # the value a row-by-row insert of a text stores


def _in_small_chunks(values: pd.Series, rows: int) -> pd.Series:
    """Return a text column held as Arrow arrays of `rows` rows each, as a million rows are (a batch spans several)."""
    texts = pa.array(values.array)
    chunks = [texts.slice(start, rows) for start in range(0, len(texts), rows)] or [texts]
    return pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array(chunks, pa.large_string())), index=values.index)


@pytest.mark.parametrize("batch_rows", [1, 7, 100_000])
def test_every_table_written_from_arrow_holds_the_values_of_its_texts_row_for_row(tmp_path: Path, batch_rows: int) -> None:
    tables, problems = read_tables(DATA_DIR)
    assert not problems
    path = tmp_path / "rows.db"
    db = sqlite_utils.Database(sqlite3.connect(path, isolation_level=None))
    for table in TABLES:  # the table's own columns only (the build adds some, computed from others)
        db.create_table(table.name, {column.name: int if column.python_type in (int, bool) else str for column in table.columns})
    db.conn.close()
    kinds: set[str] = set()
    with RowWriter(path, cache_kib=1_000) as rows:
        rows.begin()
        for table in TABLES:
            frame = tables[table.name].frame.copy()
            for column in table.columns:
                if is_categorical(frame[column.name]):
                    kinds.add("categories")
                else:
                    frame[column.name] = _in_small_chunks(frame[column.name], 5)
                    kinds.add("chunked texts")
            columns = [(column.name, database._column_type(column)) for column in table.columns]
            rows.insert(table.name, record_batches(table, frame, {}, columns, batch_rows))
        rows.commit()
    assert kinds == {"categories", "chunked texts"}
    connection = sqlite3.connect(path)
    for table in TABLES:
        names = [column.name for column in table.columns]
        got = connection.execute(f"SELECT {', '.join(names)} FROM [{table.name}] ORDER BY rowid").fetchall()
        frame = tables[table.name].frame
        expected = [tuple(_value(table, name, str(frame[name].iloc[row])) for name in names) for row in range(len(frame))]
        assert got == expected, table.name
    integers = connection.execute("SELECT typeof(quote_start), typeof(quote_end) FROM claims").fetchall()
    assert set(integers) == {("integer", "integer")}
    connection.close()


def test_a_write_the_database_refuses_is_raised_as_the_sqlite3_error_it_is(tmp_path: Path) -> None:
    path = tmp_path / "refused.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE kept (name TEXT NOT NULL)")
    connection.close()
    rows_without_names = pa.RecordBatchReader.from_batches(
        pa.schema([("name", pa.large_string())]), [pa.record_batch([pa.array([None], pa.large_string())], names=["name"])]
    )
    with RowWriter(path, cache_kib=1_000) as rows:
        rows.begin()
        with pytest.raises(sqlite3.Error, match=r"NOT NULL constraint failed: kept\.name"):
            rows.insert("kept", rows_without_names)


def _numbers(count: int, *, made_on: list[str], fail_at: int | None = None) -> pa.RecordBatchReader:
    """`count` batches of one number each, recording the thread each is made on (raising at batch `fail_at`)."""
    schema = pa.schema([("n", pa.int64())])

    def batches() -> Iterator[pa.RecordBatch]:
        for n in range(count):
            made_on.append(threading.current_thread().name)
            if n == fail_at:
                raise ValueError(f"batch {n} cannot be made")
            yield pa.record_batch([pa.array([n], pa.int64())], schema=schema)

    return pa.RecordBatchReader.from_batches(schema, batches())


@pytest.fixture
def numbers_db(tmp_path: Path) -> Path:
    """A database with one empty table `t (n INTEGER)`."""
    path = tmp_path / "numbers.db"
    sqlite3.connect(path).execute("CREATE TABLE t (n INTEGER)").connection.close()
    return path


def _stored_numbers(path: Path) -> list[int]:
    connection = sqlite3.connect(path)
    try:
        return [n for (n,) in connection.execute("SELECT n FROM t ORDER BY rowid")]
    finally:
        connection.close()


def test_batches_are_made_on_the_callers_thread_one_at_a_time_as_the_driver_asks(numbers_db: Path) -> None:
    made_on: list[str] = []
    with RowWriter(numbers_db, cache_kib=1_000) as rows:
        rows.begin()
        rows.insert("t", _numbers(5, made_on=made_on))
        rows.commit()
    assert made_on == [threading.current_thread().name] * 5
    assert _stored_numbers(numbers_db) == list(range(5))


def test_an_error_making_a_batch_is_raised_as_it_is_and_no_row_of_the_statement_stays(numbers_db: Path) -> None:
    made_on: list[str] = []
    with RowWriter(numbers_db, cache_kib=1_000) as rows:
        rows.begin()
        rows.insert("t", _numbers(1, made_on=made_on))
        rows.commit()
        rows.begin()
        with pytest.raises(ValueError, match="batch 2 cannot be made"):
            rows.insert("t", _numbers(5, made_on=made_on, fail_at=2))
    assert len(made_on) == 1 + 3  # the driver asked for no batch after the one that failed
    assert _stored_numbers(numbers_db) == [0]  # the first statement's row, committed


INTERRUPTED = """
import os, signal, sqlite3, sys
import pyarrow as pa
from kz_timeline.site.row_writer import RowWriter

path = sys.argv[1]
sqlite3.connect(path).execute("create table t (n integer)").connection.close()
schema = pa.schema([("n", pa.int64())])

def batches(count, interrupt_at):
    for n in range(count):
        if n == interrupt_at:
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C while the driver is inserting
        yield pa.record_batch([pa.array([n], pa.int64())], schema=schema)

interrupted = 0
for attempt in range(60):  # in the first, a middle and the last of a few rows: the statement ends as the signal comes
    try:
        with RowWriter(path, cache_kib=1_000) as rows:
            rows.begin()
            rows.insert("t", pa.RecordBatchReader.from_batches(schema, batches(3, attempt % 3)))
            rows.commit()
    except KeyboardInterrupt:
        interrupted += 1
print(interrupted)
"""


def test_ctrl_c_while_rows_go_in_raises_keyboard_interrupt_and_never_crashes(tmp_path: Path) -> None:
    """On the main thread, ADBC answers SIGINT by cancelling the statement, which its SQLite driver cannot do
    (NOT_IMPLEMENTED), and a Ctrl-C as the statement ends crashed the process (SIGSEGV) about one time in five."""
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", INTERRUPTED, str(tmp_path / "rows.db")], capture_output=True, text=True, check=False, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "60", result.stderr[-2000:]
    assert result.stderr == ""
