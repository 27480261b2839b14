"""The SQLite build: keys, foreign keys, indexes, lookups, full-text search, views, fingerprint, atomic writes."""

from __future__ import annotations

import csv
import hashlib
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kz_timeline.background import BACKGROUND_NICENESS
from kz_timeline.errors import DataValidationError, WriteTargetError
from kz_timeline.schema.rubric import RULES
from kz_timeline.schema.tables import EVENTS, TABLES, TABLES_BY_NAME, Table
from kz_timeline.schema.vocabularies import VOCABULARIES
from kz_timeline.site import database, row_writer, search_indexes
from kz_timeline.site.browsing import BROWSING
from kz_timeline.site.database import (
    BUILD_INFO_TABLE,
    build_database,
    data_fingerprint,
    database_columns,
    ensure_database,
    is_up_to_date,
    stored_fingerprint,
)
from kz_timeline.text import term_label
from tests.conftest import DATA_DIR
from tests.helpers import replace_in


@pytest.fixture(scope="module")
def shipped_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("db") / "kz-timeline.db"
    build_database(DATA_DIR, path)
    return path


@pytest.fixture
def conn(shipped_db: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(f"file:{shipped_db}?mode=ro", uri=True)
    yield connection
    connection.close()


def csv_rows(table: Table) -> list[dict[str, str]]:
    with (DATA_DIR / table.filename).open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def index_first_columns(conn: sqlite3.Connection, table: str) -> set[str]:
    firsts = set()
    for _, name, *_ in conn.execute(f"PRAGMA index_list([{table}])"):
        columns = conn.execute(f"PRAGMA index_info([{name}])").fetchall()
        firsts.add(columns[0][2])
    return firsts


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_every_table_has_its_primary_key_and_declared_column_types(conn: sqlite3.Connection, table: Table) -> None:
    info = conn.execute(f"PRAGMA table_info([{table.name}])").fetchall()
    pk = tuple(name for _, name, _, _, _, position in sorted(info, key=lambda row: row[5]) if position)
    assert pk == table.primary_key
    types = {name: declared for _, name, declared, *_ in info}
    assert list(types.items()) == database_columns(table)
    for column in table.columns:
        expected = "INTEGER" if column.python_type in (int, bool) else "TEXT"
        assert types[column.name] == expected, column.name


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_every_table_holds_every_csv_row(conn: sqlite3.Connection, table: Table) -> None:
    rows = csv_rows(table)
    key = ", ".join(table.primary_key)
    stored = conn.execute(f"SELECT {key} FROM [{table.name}] ORDER BY {key}").fetchall()
    assert stored == sorted(tuple(row[c] for c in table.primary_key) for row in rows)


def test_values_are_converted_empty_to_null_integers_and_booleans(conn: sqlite3.Connection) -> None:
    claim = conn.execute(
        "SELECT quote_start, quote_end, typeof(quote_start) FROM claims WHERE claim_id = ?", ("amnesty_act_of_retribution",)
    )
    assert claim.fetchone() == (3967, 4056, "integer")
    assert conn.execute("SELECT count(*) FROM events WHERE date_end = ''").fetchone() == (0,)
    assert conn.execute("SELECT count(*) FROM events WHERE date_end IS NULL").fetchone()[0] == sum(
        1 for row in csv_rows(EVENTS) if not row["date_end"]
    )
    assert {row[0] for row in conn.execute("SELECT DISTINCT is_key_event FROM events")} == {0, 1}


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_foreign_keys_are_declared_to_other_tables_and_lookups(conn: sqlite3.Connection, table: Table) -> None:
    declared = {(row[3], row[2], row[4]) for row in conn.execute(f"PRAGMA foreign_key_list([{table.name}])")}
    expected = {(fk.column, fk.other_table, fk.other_column) for fk in table.foreign_keys}
    expected |= {(c.name, database.lookup_table_name(c.vocabulary), "value") for c in table.columns if c.vocabulary}
    assert declared == expected
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_the_graph_tables_point_where_the_issue_says() -> None:
    pairs = {(t.name, fk.other_table) for t in TABLES for fk in t.foreign_keys}
    assert {
        ("participants", "events"),
        ("participants", "actors"),
        ("claims", "sources"),
        ("claims", "events"),
        ("claims", "actors"),
        ("evidence", "claims"),
        ("evidence", "sources"),
        ("event_links", "events"),
    } <= pairs


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_every_foreign_key_and_facet_column_leads_an_index(conn: sqlite3.Connection, table: Table) -> None:
    firsts = index_first_columns(conn, table.name)
    fk_columns = {row[3] for row in conn.execute(f"PRAGMA foreign_key_list([{table.name}])")}
    assert fk_columns <= firsts
    assert set(database.facet_columns(table)) <= firsts


def test_the_facet_query_on_event_type_uses_an_index(conn: sqlite3.Connection) -> None:
    sql = "SELECT event_type, count(*) FROM events GROUP BY event_type"
    plan = " ".join(row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
    assert "COVERING INDEX idx_events_event_type" in plan


@pytest.mark.parametrize("name", list(VOCABULARIES))
def test_each_vocabulary_has_a_lookup_table_with_value_label_description(conn: sqlite3.Connection, name: str) -> None:
    rows = conn.execute(f"SELECT value, label, description, position FROM [{name}] ORDER BY position").fetchall()
    vocabulary = VOCABULARIES[name]
    labels = vocabulary.labels()
    assert rows == [(value, labels[value], text, n) for n, (value, text) in enumerate(vocabulary.terms().items(), start=1)]
    assert {label for _, label, _, _ in rows} >= {term_label(value, vocabulary.__name__) for value in vocabulary.terms()}


def test_the_verifications_lookup_gives_each_label_in_words_and_its_rule(conn: sqlite3.Connection) -> None:
    rows = {value: (label, rule) for value, label, rule in conn.execute("SELECT value, label, rule FROM verifications")}
    assert rows["opinion"] == ("Opinion, not rated", RULES["opinion"])
    assert rows["partly_corroborated"] == ("Partly corroborated", RULES["partly_corroborated"])
    assert set(rows) == set(RULES)


def test_year_is_the_integer_year_of_date_start(conn: sqlite3.Connection) -> None:
    rows = conn.execute("SELECT date_start, year, typeof(year) FROM events").fetchall()
    assert rows and all(year == int(start[:4]) and kind == "integer" for start, year, kind in rows)
    assert conn.execute("SELECT year FROM events WHERE event_id = 'mamai_convicted_2017'").fetchone() == (2017,)


def test_full_text_search_on_events_stems_words_with_porter(conn: sqlite3.Connection) -> None:
    sql = "SELECT name, sql FROM sqlite_master WHERE name IN ('events_fts', 'claims_fts')"
    fts = dict(conn.execute(sql).fetchall())
    assert "USING FTS5" in fts["events_fts"] and "porter" in fts["events_fts"]
    assert '"title", "description"' in fts["events_fts"] and '"statement", "quote"' in fts["claims_fts"]
    # "sentencing" finds "sentenced" and "sentence" only through stemming.
    hits = {
        row[0]
        for row in conn.execute(
            "SELECT e.event_id FROM events e JOIN events_fts ON events_fts.rowid = e.rowid WHERE events_fts MATCH 'sentencing'"
        )
    }
    assert "mamai_convicted_2023" in hits
    assert conn.execute("SELECT count(*) FROM events_fts").fetchone() == conn.execute("SELECT count(*) FROM events").fetchone()


def test_full_text_search_on_claims_finds_quotes(conn: sqlite3.Connection) -> None:
    hits = conn.execute(
        "SELECT c.claim_id FROM claims c JOIN claims_fts f ON f.rowid = c.rowid WHERE claims_fts MATCH '\"act of retribution\"'"
    ).fetchall()
    assert ("amnesty_act_of_retribution",) in hits


def test_sorting_events_by_date_pages_through_an_index(conn: sqlite3.Connection) -> None:
    sql = "SELECT * FROM events ORDER BY date_start, event_id LIMIT 101"
    plan = " ".join(row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
    assert "USING INDEX idx_events_date_start_sort" in plan and "TEMP B-TREE" not in plan


@pytest.mark.parametrize("name", [name for name, browsing in BROWSING.items() if browsing.sort])
def test_every_default_sort_pages_through_an_index(conn: sqlite3.Connection, name: str) -> None:
    key = TABLES_BY_NAME[database.VIEW_BASE_TABLES.get(name, name)].primary_key
    sql = f"SELECT * FROM [{name}] ORDER BY {', '.join(dict.fromkeys([str(BROWSING[name].sort), *key]))} LIMIT 101"
    top = [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}") if row[1] == 0]  # not the views' subqueries
    assert not any("TEMP B-TREE" in step for step in top) and "INDEX" in top[0], top


def test_facet_columns_of_a_table_include_those_of_its_views() -> None:
    assert database.facet_columns(EVENTS) == ["event_type", "theme", "is_key_event", "year", "date_precision"]


@pytest.mark.parametrize(("view", "table"), [("timeline", "events"), ("claims_named", "claims")])
def test_counting_a_view_reads_only_its_base_table(conn: sqlite3.Connection, view: str, table: str) -> None:
    plan = [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN SELECT count(*) FROM {view}")]
    assert len(plan) == 1 and plan[0].split()[:2] in (["SCAN", table], ["SCAN", table[0]]), plan


def test_the_span_index_holds_each_events_days_open_ends_to_the_end_of_time(conn: sqlite3.Connection) -> None:
    import datetime as dt

    rows = conn.execute(
        "SELECT e.date_start, e.date_end, e.date_end_status, s.first_day, s.last_day "
        "FROM events e JOIN events_span s ON s.event_rowid = e.rowid"
    ).fetchall()
    assert len(rows) == conn.execute("SELECT count(*) FROM events").fetchone()[0]
    statuses = set()
    for start, end, status, first, last in rows:
        statuses.add(status)
        assert first == dt.date.fromisoformat(start).toordinal()
        if end is not None:
            assert last == dt.date.fromisoformat(end).toordinal()
        else:
            assert last == (search_indexes.OPEN_END_DAY if status == "open" else first)
    assert {"closed", "open"} <= statuses


def test_the_span_index_counts_an_unknown_end_as_the_first_day_only(minimal_dir: Path, tmp_path: Path) -> None:
    import datetime as dt

    replace_in(
        minimal_dir / "events.csv",
        "2017-09,2017-09-01,2017-09-30,month,exact,closed",
        "2017-09-07?/,2017-09-07,,day,uncertain,unknown",
    )
    build_database(minimal_dir, tmp_path / "unknown.db")
    with sqlite3.connect(tmp_path / "unknown.db") as connection:
        span = connection.execute(
            "SELECT s.first_day, s.last_day FROM events e JOIN events_span s ON s.event_rowid = e.rowid "
            "WHERE e.event_id = 'editor_sentenced'"
        ).fetchone()
    assert span == (dt.date(2017, 9, 7).toordinal(),) * 2


def test_timeline_view_lists_every_event_in_date_order_with_actors_and_verification(conn: sqlite3.Connection) -> None:
    conn.row_factory = sqlite3.Row
    rows = conn.execute("SELECT * FROM timeline ORDER BY date_start, event_id").fetchall()
    assert [row["event_id"] for row in rows] == [
        row[0] for row in conn.execute("SELECT event_id FROM events ORDER BY date_start, event_id")
    ]
    mamai = next(row for row in rows if row["event_id"] == "mamai_convicted_2023")
    assert "Zhanbolat Mamai (defendant)" in mamai["actors"]
    count = conn.execute("SELECT count(*) FROM claims WHERE event_id = 'mamai_convicted_2023'").fetchone()[0]
    assert mamai["claims"] == count > 0
    assert sum(int(part.rsplit(" ", 1)[1]) for part in mamai["verification"].split("; ")) == count


def test_claims_named_view_shows_names_instead_of_ids(conn: sqlite3.Connection) -> None:
    conn.row_factory = sqlite3.Row
    row = conn.execute("SELECT * FROM claims_named WHERE claim_id = 'amnesty_act_of_retribution'").fetchone()
    assert row["claimant"] == "Luc Rodehefer"  # reported speech: the op-ed's author asserts it (METHODOLOGY section 3)
    assert row["claim_type"] == "attribution"
    assert "headwinds" in row["source"]
    assert row["about_actor"] == "Amnesty International"
    evidence = conn.execute("SELECT count(*) FROM evidence WHERE claim_id = 'amnesty_act_of_retribution'").fetchone()[0]
    assert row["evidence"] == evidence > row["carrying"] > 0
    assert row["verdict"].startswith("Amnesty's April 2023 urgent action")


def test_evidence_says_which_rows_carry_their_claims_label_as_the_rubric_does(conn: sqlite3.Connection) -> None:
    from kz_timeline.dataset.loader import load
    from kz_timeline.schema.rubric import carrying_evidence

    data = load(DATA_DIR)
    expected = dict(zip(data.evidence["evidence_id"], carrying_evidence(data.claims, data.evidence, data.sources), strict=True))
    stored = dict(conn.execute("SELECT evidence_id, carrying FROM evidence").fetchall())
    assert stored == {evidence_id: int(carries) for evidence_id, carries in expected.items()}
    assert 0 < sum(stored.values()) < len(stored)
    assert conn.execute("SELECT count(*) FROM claims_named").fetchone() == conn.execute("SELECT count(*) FROM claims").fetchone()


def test_build_info_records_the_fingerprint_version_and_file_hashes(shipped_db: Path, conn: sqlite3.Connection) -> None:
    from kz_timeline import __version__

    info = dict(conn.execute(f"SELECT key, value FROM [{BUILD_INFO_TABLE}]").fetchall())
    assert info["fingerprint"] == data_fingerprint(DATA_DIR) == stored_fingerprint(shipped_db)
    assert info["kz_timeline_version"] == __version__
    assert {key for key in info if key.startswith("sha256:")} == {f"sha256:{t.filename}" for t in TABLES}
    assert all(info[f"sha256:{t.filename}"] == hashlib.sha256((DATA_DIR / t.filename).read_bytes()).hexdigest() for t in TABLES)
    assert is_up_to_date(shipped_db, DATA_DIR)


def test_fingerprint_changes_with_any_csv_byte(minimal_dir: Path) -> None:
    before = data_fingerprint(minimal_dir)
    replace_in(minimal_dir / "evidence.csv", "\n", "\n", 1)
    assert data_fingerprint(minimal_dir) == before
    replace_in(minimal_dir / "actors.csv", "A ", "An ")
    assert data_fingerprint(minimal_dir) != before


def test_ensure_database_builds_only_when_the_data_changed(minimal_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "kz.db"
    assert ensure_database(minimal_dir, db) is not None
    first = db.stat().st_mtime_ns, db.stat().st_ino
    assert ensure_database(minimal_dir, db) is None
    assert (db.stat().st_mtime_ns, db.stat().st_ino) == first
    replace_in(minimal_dir / "events.csv", "A court sentences an editor.", "A court sentences the editor.")
    assert not is_up_to_date(db, minimal_dir)
    assert ensure_database(minimal_dir, db) is not None
    assert is_up_to_date(db, minimal_dir)


def test_stored_fingerprint_of_a_missing_or_foreign_file_is_none(tmp_path: Path) -> None:
    assert stored_fingerprint(tmp_path / "missing.db") is None
    (tmp_path / "not.db").write_text("not a database", encoding="utf-8")
    assert stored_fingerprint(tmp_path / "not.db") is None


def built_alone(data_dir: Path, tmp_path: Path) -> tuple[Path, bytes]:
    """Build `data_dir` into a folder of its own; return the database and its bytes."""
    (tmp_path / "out").mkdir()
    db = tmp_path / "out" / "kz.db"
    build_database(data_dir, db)
    return db, db.read_bytes()


def assert_untouched(db: Path, before: bytes) -> None:
    """The database holds `before`, byte for byte, and nothing else was left in its folder."""
    assert db.read_bytes() == before
    assert [p.name for p in db.parent.iterdir()] == ["kz.db"]


def test_invalid_data_raises_and_leaves_the_existing_database_byte_identical(minimal_dir: Path, tmp_path: Path) -> None:
    db, before = built_alone(minimal_dir, tmp_path)
    replace_in(minimal_dir / "events.csv", "verdict", "verdikt")
    with pytest.raises(DataValidationError) as raised:
        build_database(minimal_dir, db)
    assert raised.value.problems[0].column == "event_type"
    assert_untouched(db, before)


def test_a_build_failing_midway_leaves_the_database_untouched_and_no_temporary_file(
    minimal_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, before = built_alone(minimal_dir, tmp_path)

    def broken_views(*args: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    replace_in(minimal_dir / "events.csv", "A court sentences an editor.", "A court sentences the editor.")
    monkeypatch.setattr(database, "_write_build_info", broken_views)
    with pytest.raises(sqlite3.OperationalError):
        build_database(minimal_dir, db)
    assert_untouched(db, before)


def test_a_new_database_gets_ordinary_permissions_and_a_rebuild_keeps_them(minimal_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "kz.db"
    build_database(minimal_dir, db)
    assert db.stat().st_mode & 0o777 != 0o600
    db.chmod(0o640)
    build_database(minimal_dir, db)
    assert db.stat().st_mode & 0o777 == 0o640


def test_a_directory_as_database_path_is_a_clear_error(minimal_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(WriteTargetError, match="is a directory"):
        build_database(minimal_dir, tmp_path)


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kz_timeline", *args], capture_output=True, text=True, check=False)


def test_cli_build_prints_what_it_built_and_exits_0(minimal_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "kz.db"
    result = run_cli("build", "--data-dir", str(minimal_dir), "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        f"built {db} from {minimal_dir} (2 events, 2 actors, 2 sources, 2 participants, 1 event_links, 2 claims, 1 evidence)\n"
    )
    assert stored_fingerprint(db) == data_fingerprint(minimal_dir)


def test_cli_build_of_invalid_data_lists_problems_exits_1_and_writes_nothing(minimal_dir: Path, tmp_path: Path) -> None:
    replace_in(minimal_dir / "events.csv", "verdict", "verdikt")
    db = tmp_path / "kz.db"
    result = run_cli("build", "--data-dir", str(minimal_dir), "--db", str(db))
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == "1 problem(s) found"
    assert "events.csv:2: column 'event_type'" in result.stderr
    assert "Traceback" not in result.stderr
    assert not db.exists()
    assert list(tmp_path.iterdir()) == [minimal_dir]


def test_cli_build_with_article_refuses_a_quote_the_text_does_not_hold_and_keeps_the_database(
    minimal_dir: Path, tmp_path: Path
) -> None:
    db = tmp_path / "kz.db"
    article = str(minimal_dir / "article.txt")
    assert run_cli("build", "--data-dir", str(minimal_dir), "--db", str(db), "--article", article).returncode == 0
    before = db.read_bytes()
    replace_in(minimal_dir / "claims.csv", "In September 2017 a court", "In September 2017 a Court")
    result = run_cli("build", "--data-dir", str(minimal_dir), "--db", str(db), "--article", article)
    assert result.returncode == 1
    assert "claims.csv:2: column 'quote'" in result.stderr and "Traceback" not in result.stderr
    assert db.read_bytes() == before
    assert run_cli("build", "--data-dir", str(minimal_dir), "--db", str(db)).returncode == 0  # without the text, unchecked


def test_cli_build_into_a_directory_is_one_error_line(minimal_dir: Path, tmp_path: Path) -> None:
    result = run_cli("build", "--data-dir", str(minimal_dir), "--db", str(tmp_path))
    assert result.returncode == 1
    assert result.stderr == f"Error: {tmp_path}: is a directory; give the path of a file\n"


def test_rows_inserted_in_many_small_batches_are_the_same_rows(
    shipped_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database, "BATCH_SIZE", 7)
    small = tmp_path / "small-batches.db"
    build_database(DATA_DIR, small)
    for table in TABLES:
        order = ", ".join(table.primary_key)
        sql = f"SELECT * FROM [{table.name}] ORDER BY {order}"
        expected, got = (sqlite3.connect(path).execute(sql).fetchall() for path in (shipped_db, small))
        assert got == expected, table.name


def test_a_failing_search_index_build_fails_the_build_and_leaves_nothing(
    minimal_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, before = built_alone(minimal_dir, tmp_path)

    def broken(connection: sqlite3.Connection) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    replace_in(minimal_dir / "events.csv", "A court sentences an editor.", "A court sentences the editor.")
    monkeypatch.setattr(search_indexes, "_fill_full_text_search", broken)
    with pytest.raises(sqlite3.OperationalError, match="disk is full"):
        build_database(minimal_dir, db)
    assert_untouched(db, before)


def test_the_side_builds_fill_their_copies_from_the_tables_in_memory_and_never_open_the_database_being_built(
    minimal_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rows go in through ADBC's SQLite, which does not see the locks of Python's: no other thread may read the file.

    Every connection a side build opens, in Python's SQLite or ADBC's, is to its own side file, and none attaches
    another; and they start before the first row goes in.
    """
    happened: list[str] = []
    opened: list[tuple[str, str]] = []
    statements: list[tuple[str, str]] = []
    connect, writer_init, insert_rows = sqlite3.connect, row_writer.RowWriter.__init__, database._insert_rows

    def recorded_connect(path: object, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        thread = threading.current_thread().name
        opened.append((thread, str(path)))
        connection = connect(path, *args, **kwargs)  # type: ignore[call-overload]
        connection.set_trace_callback(lambda sql: statements.append((thread, sql)))
        return connection  # type: ignore[no-any-return]

    def recorded_writer(self: row_writer.RowWriter, path: Path, **kwargs: Any) -> None:
        opened.append((threading.current_thread().name, str(path)))
        writer_init(self, path, **kwargs)

    def recorded_insert(rows: row_writer.RowWriter, table: Table, *args: object) -> None:
        happened.append(f"insert {table.name}")
        insert_rows(rows, table, *args)  # type: ignore[arg-type]

    def recorded_copy(path: Path, name: str, columns: tuple[str, ...], **kwargs: Any) -> None:
        happened.append(f"copy {name}")
        copy_rows(path, name, columns, **kwargs)

    def recorded_start(self: search_indexes.SideIndexes, copy: search_indexes.CopyRows) -> None:
        happened.append(f"start {self.build.name}")
        start(self, copy)

    copy_rows, start = database._copy_rows, search_indexes.SideIndexes.start
    monkeypatch.setattr(search_indexes.SideIndexes, "start", recorded_start)
    monkeypatch.setattr(sqlite3, "connect", recorded_connect)
    monkeypatch.setattr(row_writer.RowWriter, "__init__", recorded_writer)
    monkeypatch.setattr(database, "_insert_rows", recorded_insert)
    monkeypatch.setattr(database, "_copy_rows", recorded_copy)
    build_database(minimal_dir, tmp_path / "kz.db")
    sides = [(thread, path) for thread, path in opened if thread.startswith("kz-timeline-") and "-index" in thread]
    assert {thread.split("-index")[0] for thread, _ in sides} == {f"kz-timeline-{b.name}" for b in search_indexes.SIDE_BUILDS}
    assert all(path.endswith(".side") for _, path in sides), sides
    assert not [sql for thread, sql in statements if "-index" in thread and "ATTACH" in sql.upper()]
    copied = {f"copy {name}" for build in search_indexes.SIDE_BUILDS for name in build.columns}
    started = {f"start {build.name}" for build in search_indexes.SIDE_BUILDS}
    assert set(happened) == copied | started | {f"insert {table.name}" for table in TABLES}
    starts = [happened.index(f"start {build.name}") for build in search_indexes.SIDE_BUILDS]
    assert max(starts) < happened.index(f"insert {TABLES[0].name}")


def test_the_checks_and_the_side_builds_run_at_a_lower_priority_than_the_inserts_and_indexes(
    minimal_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On two cores the main thread's inserts and indexes are the longest chain: the work beside them yields to them."""
    if sys.platform != "linux":
        pytest.skip("thread priorities are set on Linux only")
    import os

    from kz_timeline.dataset import loader

    seen: dict[str, int] = {}

    def niceness() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    fill, checked = search_indexes._fill_full_text_search, loader._checked

    def recorded_fill(connection: sqlite3.Connection) -> None:
        seen["search"] = niceness()
        fill(connection)

    def recorded_checks(*args: Any, **kwargs: Any) -> Any:
        seen["checks"] = niceness()
        return checked(*args, **kwargs)

    monkeypatch.setattr(search_indexes, "_fill_full_text_search", recorded_fill)
    monkeypatch.setattr(loader, "_checked", recorded_checks)
    build_database(minimal_dir, tmp_path / "kz.db")
    main = niceness()
    assert seen == {"search": min(19, main + BACKGROUND_NICENESS), "checks": min(19, main + BACKGROUND_NICENESS)}


def test_data_that_trips_the_build_up_is_reported_as_validate_reports_it_and_nothing_is_written(
    minimal_dir: Path, tmp_path: Path
) -> None:
    """The checks run beside the build: bad data that makes the build itself fail still gets the checks' error."""
    from kz_timeline.dataset.loader import read_valid_tables

    db, before = built_alone(minimal_dir, tmp_path)
    events = minimal_dir / "events.csv"
    lines = events.read_text(encoding="utf-8").splitlines(keepends=True)
    # A second row with the first row's key (the insert fails on the primary key), and a date that is no date (the
    # dates in words fail), beside a boolean that is not one.
    events.write_text(
        lines[0] + lines[1] + lines[1].replace(",2017-09,", ",2017-13,").replace(",true,", ",yes,") + "".join(lines[2:])
    )
    with pytest.raises(DataValidationError) as expected:
        read_valid_tables(minimal_dir)
    with pytest.raises(DataValidationError) as raised:
        build_database(minimal_dir, db)
    assert raised.value.problems == expected.value.problems
    assert {problem.column for problem in raised.value.problems} >= {"event_id", "date", "is_key_event"}
    assert_untouched(db, before)


def test_a_build_failing_while_search_is_built_beside_it_stops_that_and_leaves_nothing(
    minimal_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "out").mkdir()
    db = tmp_path / "out" / "kz.db"
    started: list[bool] = []
    start = search_indexes.SideIndexes.start

    def broken_indexes(*args: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    def recorded_start(self: search_indexes.SideIndexes, copy_rows: search_indexes.CopyRows) -> None:
        started.append(True)
        start(self, copy_rows)

    monkeypatch.setattr(database, "_create_indexes", broken_indexes)
    monkeypatch.setattr(search_indexes.SideIndexes, "start", recorded_start)
    with pytest.raises(sqlite3.OperationalError, match="disk is full"):
        build_database(minimal_dir, db)
    assert started == [True] * len(search_indexes.SIDE_BUILDS)
    assert list(db.parent.iterdir()) == []


CHECKS_AT_EXIT = """
import atexit, threading, time
from kz_timeline.dataset.loader import CHECKS_THREAD_NAME, BesideChecks

def slow_checks():
    time.sleep(1)  # the process ends meanwhile (as after Ctrl-C during a build)
    return {}

def report():  # atexit runs once Python has joined the threads that are not daemons, before it tears modules down
    print("checking at exit:", any(thread.name == CHECKS_THREAD_NAME for thread in threading.enumerate()))
atexit.register(report)
BesideChecks(slow_checks).start()
"""


def test_a_process_that_ends_while_the_checks_beside_a_build_run_waits_for_them() -> None:
    result = subprocess.run([sys.executable, "-c", CHECKS_AT_EXIT], capture_output=True, text=True, check=False, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "checking at exit: False"
