"""The fast build writes exactly the database a plain, row-by-row build writes, on synthetic data of every shape.

The expected database is built here the straightforward way, in one connection: rows converted one value at a time
from the CSV module's reading of the files, then the same indexes, full-text search, span R*Tree and views made in
place. The build under test inserts in batches, checks the data beside the build and builds search and the R*Tree in
a side database on another thread; every table, view, answer of full-text search and span of the R*Tree must be the
same.
"""

from __future__ import annotations

import csv
import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from kz_timeline.reading.edtf_dates import format_human
from kz_timeline.schema import rubric
from kz_timeline.schema.tables import TABLES, Table
from kz_timeline.site import database, search_indexes, table_facets
from kz_timeline.site.database import build_database, database_columns
from tests.test_benchmarks import load_module

pytestmark = pytest.mark.slow
EVENTS = 1500


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("synthetic")
    load_module("generate").write_dataset(directory, EVENTS, seed=11)
    return directory


@pytest.fixture(scope="module")
def built(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[sqlite3.Connection]:
    path = tmp_path_factory.mktemp("built") / "fast.db"
    monkeypatch = pytest.MonkeyPatch()
    # Small batches, so that the synthetic data crosses many batch boundaries.
    monkeypatch.setattr(database, "BATCH_SIZE", 97)
    try:
        build_database(data_dir, path)
    finally:
        monkeypatch.undo()
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    yield connection
    connection.close()


def _file_rows(data_dir: Path, table: Table) -> list[dict[str, str]]:
    with (data_dir / table.filename).open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def _value(table: Table, name: str, text: str) -> Any:
    column = next(column for column in table.columns if column.name == name)
    if text == "":
        return None
    if column.python_type is int:
        return int(text)
    if column.python_type is bool:
        return {"true": 1, "false": 0}[text]
    return text


def _expected_rows(data_dir: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, in file order, converted one value at a time, with the columns the database adds."""
    files = {table.name: _file_rows(data_dir, table) for table in TABLES}
    frames = {name: pd.DataFrame(rows, dtype="str") for name, rows in files.items()}
    carrying = rubric.carrying_evidence(frames["claims"], frames["evidence"], frames["sources"]).tolist()
    expected: dict[str, list[tuple[Any, ...]]] = {}
    for table in TABLES:
        rows = []
        for position, row in enumerate(files[table.name]):
            added = {
                "date_text": format_human(row["date"]) if "date" in row else None,
                "year": int(row["date_start"][:4]) if "date_start" in row else None,
                "published_text": format_human(row["published"]) if row.get("published") else None,
                "carrying": int(carrying[position]) if table.name == "evidence" else None,
            }
            rows.append(
                tuple(added[name] if name in added else _value(table, name, row[name]) for name, _ in database_columns(table))
            )
        expected[table.name] = rows
    return expected


@pytest.fixture(scope="module")
def expected(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[sqlite3.Connection]:
    """The database built the plain way: one connection, row by row, every index made in place."""
    import sqlite_utils

    rows = _expected_rows(data_dir)
    connection = sqlite3.connect(tmp_path_factory.mktemp("expected") / "plain.db", isolation_level=None)
    db = sqlite_utils.Database(connection)
    database._create_lookups(db)
    for table in TABLES:
        database._create_table(db, table)
        names = [name for name, _ in database_columns(table)]
        marks = ", ".join("?" for _ in names)
        connection.executemany(f"INSERT INTO [{table.name}] VALUES ({marks})", rows[table.name])
    database._create_indexes(db)
    search_indexes.create_span_index(connection)
    search_indexes.create_full_text_search(connection)
    for name, sql in database.VIEWS.items():
        db.create_view(name, sql.strip())
    table_facets.count_facets(connection, database.counted_facets())
    yield connection
    connection.close()


def _schema(connection: sqlite3.Connection) -> list[tuple[str, ...]]:
    sql = "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE tbl_name NOT IN (?, 'sqlite_stat1') ORDER BY name"
    return connection.execute(sql, (database.BUILD_INFO_TABLE,)).fetchall()


def test_the_schema_is_the_same_every_table_index_view_and_virtual_table(
    built: sqlite3.Connection, expected: sqlite3.Connection
) -> None:
    assert _schema(built) == _schema(expected)


@pytest.mark.parametrize("table", TABLES, ids=lambda table: table.name)
def test_every_table_holds_the_files_rows_in_file_order_converted_value_by_value(
    built: sqlite3.Connection, expected: sqlite3.Connection, table: Table
) -> None:
    sql = f"SELECT rowid, * FROM [{table.name}] ORDER BY rowid"
    got, want = built.execute(sql).fetchall(), expected.execute(sql).fetchall()
    assert len(got) == len(want) > 0
    assert got == want
    # The rowid is the row's position in its file, from 1: full-text search and the R*Tree rely on it.
    assert [row[0] for row in got] == list(range(1, len(got) + 1))


def test_every_reference_resolves_as_sqlite_checks_it(built: sqlite3.Connection) -> None:
    """The build runs no foreign-key check of its own (the checks prove every reference): SQLite's, here."""
    assert built.execute("PRAGMA foreign_key_check").fetchall() == []
    assert built.execute("SELECT count(*) FROM participants").fetchone()[0] > 0


@pytest.mark.parametrize("view", list(database.VIEWS))
def test_every_view_answers_the_same(built: sqlite3.Connection, expected: sqlite3.Connection, view: str) -> None:
    sql = f"SELECT * FROM [{view}] ORDER BY 1"
    assert built.execute(sql).fetchall() == expected.execute(sql).fetchall()


def test_the_span_index_holds_each_event_once_with_its_days(built: sqlite3.Connection, data_dir: Path) -> None:
    rows = _file_rows(data_dir, next(table for table in TABLES if table.name == "events"))
    want = []
    for rowid, row in enumerate(rows, start=1):
        first = dt.date.fromisoformat(row["date_start"]).toordinal()
        if row["date_end"]:
            last = dt.date.fromisoformat(row["date_end"]).toordinal()
        else:
            last = search_indexes.OPEN_END_DAY if row["date_end_status"] == "open" else first
        want.append((rowid, first, last))
    assert built.execute(f"SELECT * FROM [{search_indexes.SPAN_TABLE}] ORDER BY 1").fetchall() == want
    assert built.execute(f"SELECT rtreecheck('{search_indexes.SPAN_TABLE}')").fetchone() == ("ok",)
    # A tree search gives what a scan gives.
    middle = want[len(want) // 2][1]
    search = f"SELECT event_rowid FROM [{search_indexes.SPAN_TABLE}] WHERE first_day <= ? AND last_day >= ? ORDER BY 1"
    assert [row[0] for row in built.execute(search, (middle + 30, middle))] == [
        rowid for rowid, first, last in want if first <= middle + 30 and last >= middle
    ]


def _words(connection: sqlite3.Connection, table: str, column: str) -> list[str]:
    texts = [row[0] for row in connection.execute(f"SELECT [{column}] FROM [{table}] WHERE [{column}] IS NOT NULL")]
    counts = pd.Series(" ".join(texts).lower().split()).str.strip(".,;:!?\"'()«»").value_counts()
    common = [word for word in counts.index if word.isalpha()]
    return [*common[:25], *common[-10:]]


@pytest.mark.parametrize("table", list(search_indexes.FTS_COLUMNS))
def test_full_text_search_answers_the_same_with_the_same_ranks(
    built: sqlite3.Connection, expected: sqlite3.Connection, table: str
) -> None:
    fts = f"{table}_fts"
    queries = [word for column in search_indexes.FTS_COLUMNS[table] for word in _words(expected, table, column)]
    first_column = search_indexes.FTS_COLUMNS[table][0]
    queries += [f'"{queries[0]}" OR "{queries[1]}"', f"{queries[2][:3]}*", f"{first_column} : {queries[3]}"]
    answered = 0
    for query in queries:
        sql = f"SELECT rowid, rank FROM [{fts}] WHERE [{fts}] MATCH ? ORDER BY rank, rowid"
        got = built.execute(sql, (f'"{query}"' if query.isalpha() else query,)).fetchall()
        assert got == expected.execute(sql, (f'"{query}"' if query.isalpha() else query,)).fetchall(), query
        answered += bool(got)
    assert answered > len(queries) // 2
    for shadow in ("docsize", "config"):
        sql = f"SELECT * FROM [{fts}_{shadow}] ORDER BY 1"
        assert built.execute(sql).fetchall() == expected.execute(sql).fetchall()
    # SQLite's own check that the index holds exactly the tokens of the content table.
    writable = sqlite3.connect(":memory:")
    (path,) = (row[2] for row in built.execute("PRAGMA database_list") if row[1] == "main")
    writable.execute("ATTACH DATABASE ? AS built", (path,))
    writable.execute(f"INSERT INTO built.[{fts}] ([{fts}]) VALUES ('integrity-check')")
    writable.close()


def test_the_facet_counts_are_those_of_the_plain_build(built: sqlite3.Connection, expected: sqlite3.Connection) -> None:
    sql = f"SELECT table_name, column_name, value, count FROM [{table_facets.FACET_COUNTS_TABLE}] ORDER BY 1, 2, 3"
    got = built.execute(sql).fetchall()
    assert got == expected.execute(sql).fetchall()
    assert {(table, column) for table, column, _, _ in got} == {
        (table, column) for table, columns in database.counted_facets().items() for column in columns
    }
