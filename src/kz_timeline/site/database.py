"""Build the SQLite database that Datasette serves, from validated data only, atomically and fast."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import tempfile
import threading
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import sqlite_utils

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

from kz_timeline.defaults import DEFAULT_DB_PATH
from kz_timeline.errors import KzTimelineError
from kz_timeline.files import check_target, replaced_file_mode
from kz_timeline.reading.csv_files import RawTable, table_digests
from kz_timeline.schema import rubric
from kz_timeline.schema.tables import TABLES, TABLES_BY_NAME, Column, Table
from kz_timeline.schema.vocabularies import VOCABULARIES, Vocabulary
from kz_timeline.site import search_indexes
from kz_timeline.site.browsing import BROWSING
from kz_timeline.site.row_writer import RowWriter, record_batches
from kz_timeline.site.search_indexes import SideIndexes
from kz_timeline.site.table_facets import count_facets

BUILD_INFO_TABLE = "_build_info"
BATCH_SIZE = 50_000


@dataclass(frozen=True)
class ExtraColumn:
    """A column the database adds to a table (after the column `after`), computed from the validated tables."""

    name: str
    sqlite_type: str
    after: str
    description: str
    #: Whether every row has a value (NOT NULL).
    required: bool = True


#: Columns the database adds to each table.
EXTRA_COLUMNS: dict[str, tuple[ExtraColumn, ...]] = {
    "events": (
        ExtraColumn(
            "date_text",
            "TEXT",
            "date",
            "The date in words, as a reader writes it: '17 June 2022', 'September 2017', '2 to 11 January 2022' "
            "(added by the database build).",
        ),
        ExtraColumn("year", "INTEGER", "date_start", "Year of date_start, to facet and filter on (added by the database build)."),
    ),
    "sources": (
        ExtraColumn(
            "published_text",
            "TEXT",
            "published",
            "When it was published, in words: '17 May 2023' (added by the database build).",
            required=False,
        ),
    ),
    "evidence": (
        ExtraColumn(
            "carrying",
            "INTEGER",
            "timing",
            "1 when the row can decide its claim's label (METHODOLOGY section 6): as of publication, supports, "
            "contradicts or qualifies, from a primary or established source (or a party source, for an attribution "
            "claim); else 0 (added by the database build, from kz_timeline.schema.rubric).",
        ),
    ),
}
#: Columns a vocabulary's lookup table adds to value, label, description and position: name, description, values.
LOOKUP_EXTRA: dict[str, tuple[str, str, Mapping[str, str]]] = {
    "verifications": (
        "rule",
        "What the label requires, as METHODOLOGY section 7 words it (S, X, Q: the carrying rows that support, "
        "contradict and qualify the claim).",
        rubric.RULES,
    ),
}
LOOKUP_COLUMNS: dict[str, str] = {
    "value": "The value as it appears in the data.",
    "label": "The value as people read it.",
    "description": "What the value means.",
    "position": "Where the value comes in the vocabulary's order (1 comes first).",
}
#: Modules whose code decides what the database holds (paths inside the package); a change to any of them makes a
#: new fingerprint.
_LAYOUT_MODULES = (
    "site/database.py",
    "site/browsing.py",
    "site/search_indexes.py",
    "schema/tables.py",
    "schema/models.py",
    "schema/vocabularies.py",
    "schema/rubric.py",
    "reading/edtf_dates.py",
    "text.py",
)

VIEWS: dict[str, str] = {
    "timeline": """
SELECT
  e.event_id,
  e.date,
  e.date_start,
  e.date_end,
  e.year,
  e.date_precision,
  e.event_type,
  e.theme,
  e.is_key_event,
  e.title,
  e.place,
  (SELECT group_concat(name || ' (' || role || ')', '; ') FROM (
     SELECT a.name, p.role FROM participants p JOIN actors a ON a.actor_id = p.actor_id
     WHERE p.event_id = e.event_id ORDER BY a.name, p.role)) AS actors,
  (SELECT count(*) FROM claims c WHERE c.event_id = e.event_id) AS claims,
  (SELECT group_concat(label || ' ' || n, '; ') FROM (
     SELECT v.label, count(*) AS n FROM claims c JOIN verifications v ON v.value = c.verification
     WHERE c.event_id = e.event_id GROUP BY c.verification ORDER BY n DESC, v.position)) AS verification
FROM events e""",
    "claims_named": """
SELECT
  c.claim_id,
  c.statement,
  c.claim_type,
  (SELECT name FROM actors WHERE actor_id = c.claimant_id) AS claimant,
  (SELECT title FROM sources WHERE source_id = c.source_id) AS source,
  (SELECT publisher FROM sources WHERE source_id = c.source_id) AS publisher,
  c.quote,
  (SELECT title FROM events WHERE event_id = c.event_id) AS event,
  (SELECT date FROM events WHERE event_id = c.event_id) AS event_date,
  (SELECT name FROM actors WHERE actor_id = c.actor_id) AS about_actor,
  c.verification,
  c.verdict,
  (SELECT count(*) FROM evidence v WHERE v.claim_id = c.claim_id) AS evidence,
  (SELECT count(*) FROM evidence v WHERE v.claim_id = c.claim_id AND v.carrying) AS carrying
FROM claims c""",
}
# No ORDER BY in the views: it would stop SQLite from flattening them, and counts and facets would then compute
# every correlated subquery of a million rows. Datasette sorts them (metadata `sort`) through the tables' indexes.
# Names come from scalar subqueries, not joins: SQLite drops a subquery whose column the outer query does not use,
# so counting or faceting a view costs no more than its base table (a join would be run for every row).
#: Descriptions of the view columns that are not copied from a table column of the same name.
VIEW_COLUMNS: dict[str, dict[str, str]] = {
    "timeline": {
        "actors": "The actors taking part in the event, each with its role: 'Name (role); ...'.",
        "claims": "How many claims are about the event.",
        "verification": "How the claims about the event stand against the record, in words: 'Label count; ...'.",
    },
    "claims_named": {
        "claimant": "Who asserts the claim (actors.name of claimant_id).",
        "source": "Where it is asserted (sources.title of source_id).",
        "publisher": "Who published that source (sources.publisher).",
        "event": "The event the claim is about (events.title of event_id).",
        "event_date": "When that event happened, in EDTF (events.date).",
        "about_actor": "The actor the claim is about (actors.name of actor_id).",
        "evidence": "How many pieces of evidence bear on the claim (rows in evidence).",
        "carrying": "How many of them can decide its label (rows in evidence whose carrying is 1).",
    },
}
#: The table whose columns the other columns of each view copy.
VIEW_BASE_TABLES: dict[str, str] = {"timeline": "events", "claims_named": "claims"}
VIEW_DESCRIPTIONS: dict[str, str] = {
    "timeline": "Every event in date order, with the actors taking part (and their roles), the number of claims about "
    "it and how those claims stand against the record.",
    "claims_named": "Every claim with names instead of ids: who asserts it, where, about which event or actor, and "
    "how it stands against the record.",
}


class DatabaseBuildError(KzTimelineError):
    """The database file cannot be written where it was asked for."""


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote: the database file, its fingerprint, the rows of each data table and the data it read."""

    path: Path
    fingerprint: str
    row_counts: dict[str, int]
    data_dir: Path

    def __str__(self) -> str:
        counts = ", ".join(f"{count} {name}" for name, count in self.row_counts.items())
        return f"built {self.path} from {self.data_dir} ({counts})"


def lookup_table_name(vocabulary: type[Vocabulary]) -> str:
    """Return the name of the lookup table of `vocabulary`."""
    for name, candidate in VOCABULARIES.items():
        if candidate is vocabulary:
            return name
    raise KeyError(f"{vocabulary.__name__} has no lookup table; add it to VOCABULARIES")


def _column_type(column: Column) -> str:
    return "INTEGER" if column.python_type in (int, bool) else "TEXT"


def database_columns(table: Table) -> list[tuple[str, str]]:
    """Return the (name, SQLite type) of every column of `table` in the database, added columns included."""
    columns = [(column.name, _column_type(column)) for column in table.columns]
    for extra in EXTRA_COLUMNS.get(table.name, ()):
        position = [column for column, _ in columns].index(extra.after) + 1
        columns.insert(position, (extra.name, extra.sqlite_type))
    return columns


def vocabulary_foreign_keys(table: Table) -> list[tuple[str, str, str]]:
    """Return the foreign keys from `table`'s vocabulary columns to their lookup tables."""
    return [(column.name, lookup_table_name(column.vocabulary), "value") for column in table.columns if column.vocabulary]


def data_fingerprint(data_dir: str | Path | None = None) -> str:
    """Return the SHA-256 of the CSV files, the package version and the code that lays out the database."""
    from kz_timeline.dataset.loader import resolve_data_dir

    return _fingerprint(_file_digests(resolve_data_dir(data_dir)))


def _fingerprint(file_digests: dict[str, str]) -> str:
    from kz_timeline import __version__

    digest = hashlib.sha256(f"kz-timeline {__version__}\n".encode())
    package = Path(__file__).resolve().parents[1]
    for module in _LAYOUT_MODULES:
        digest.update(f"{module} {hashlib.sha256((package / module).read_bytes()).hexdigest()}\n".encode())
    for name, file_digest in file_digests.items():
        digest.update(f"{name} {file_digest}\n".encode())
    return digest.hexdigest()


def _file_digests(directory: Path) -> dict[str, str]:
    return {name: digest or "unreadable" for name, digest in table_digests(directory).items()}


def stored_fingerprint(db_path: str | Path) -> str | None:
    """Return the fingerprint recorded in an existing database, or None if there is none to read."""
    path = Path(db_path)
    if not path.is_file():
        return None
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = connection.execute(f"SELECT value FROM [{BUILD_INFO_TABLE}] WHERE key = 'fingerprint'").fetchone()
        finally:
            connection.close()
    except sqlite3.Error:
        return None
    return str(row[0]) if row else None


def is_up_to_date(db_path: str | Path, data_dir: str | Path | None = None) -> bool:
    """Return whether `db_path` exists and was built from exactly this data by this code."""
    return stored_fingerprint(db_path) == data_fingerprint(data_dir)


def build_database(
    data_dir: str | Path | None = None, db_path: str | Path = DEFAULT_DB_PATH, *, articles: Iterable[str | Path] = ()
) -> BuildResult:
    """Validate the data and build the SQLite database at `db_path`, replacing it atomically.

    Quotes are checked against `articles`, if any. Raises DataValidationError (and leaves any existing database
    untouched) when the data is invalid, and WriteTargetError when `kz_timeline.files.check_target` refuses `db_path`.
    """
    from kz_timeline.dataset.loader import read_valid_tables, resolve_data_dir

    path = Path(db_path)
    check_target(path)
    directory = resolve_data_dir(data_dir)
    article_list = [Path(article) for article in articles]
    try:
        mode = replaced_file_mode(path)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as error:
        read_valid_tables(directory, article_list)  # invalid data is reported first
        raise DatabaseBuildError(f"{path}: cannot write the database there: {error.strerror or error}") from error
    os.close(handle)
    try:
        # The database is moved into place only once every check has passed.
        tables, digests = _build(Path(temporary), directory, article_list)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    counts = {table.name: len(tables[table.name].frame) for table in TABLES}
    return BuildResult(path, _fingerprint(digests), counts, directory)


def ensure_database(data_dir: str | Path | None = None, db_path: str | Path = DEFAULT_DB_PATH) -> BuildResult | None:
    """Build the database unless it is up to date; return what was built, or None when nothing was."""
    if is_up_to_date(db_path, data_dir):
        return None
    return build_database(data_dir, db_path)


#: SQLite's page cache of the database being built, in KiB.
CACHE_KIB = 8_000


def _build(path: Path, directory: Path, articles: list[Path]) -> tuple[dict[str, RawTable], dict[str, str]]:
    """Build the database at `path` from the files in `directory`; return the tables read and the files' digests.

    Each table's rows go in as soon as it is read (`RowWriter`, ADBC's SQLite), while its own checks run and the next
    file is read; the side builds copy the columns they index from each table as it is read. Once the checks of a
    table are done, it keeps only what the checks across tables read (`kz_timeline.dataset.loader.read_beside`): a
    million events are never all held whole. The checks across tables then run beside the indexes. Invalid data that
    trips the build up gets the checks' error, the one `validate` gives, not what the build tripped over.

    The tables are created here (Python's SQLite), the rows go in through ADBC's SQLite, then the indexes, views and
    build information here again: the file is written by one copy of SQLite at a time, while the other holds no
    transaction on it (see `search_indexes.SideIndexes`).
    No `PRAGMA foreign_key_check`: the checks prove every reference, and the tests run it on the databases they build
    of the shipped and of generated data (it would read every row of every table again: 8 s of a million events).
    """
    from kz_timeline import __version__
    from kz_timeline.dataset.loader import BesideChecks, read_beside

    sides: list[SideIndexes] = []
    feed = _Feed(Counter(name for build in search_indexes.SIDE_BUILDS for name in build.columns))
    checks: BesideChecks | None = None
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        for build in search_indexes.SIDE_BUILDS:
            handle, side_path = tempfile.mkstemp(dir=path.parent, prefix=f"{path.name}.", suffix=f".{build.name}.side")
            os.close(handle)
            sides.append(SideIndexes(Path(side_path), build))
        # A temporary file nobody reads yet: durability comes from the final os.replace, not from journalling.
        connection.execute("PRAGMA journal_mode = OFF")
        connection.execute("PRAGMA synchronous = OFF")
        connection.execute("PRAGMA foreign_keys = OFF")
        connection.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        db = sqlite_utils.Database(connection)
        connection.execute("BEGIN")
        _create_lookups(db)
        for table in TABLES:
            _create_table(db, table)
        connection.execute("COMMIT")  # no transaction stays open here while the rows go in
        for side in sides:
            side.start(partial(_copy_rows, feed=feed))
        with RowWriter(path, cache_kib=CACHE_KIB) as rows:
            rows.begin()
            inserting = _Inserting(rows, feed)
            tables, checks = read_beside(directory, articles, inserting.put_in)
            if inserting.failure is not None:
                raise inserting.failure
            rows.commit()
        checks.start()  # on the other core, at a lower priority than the indexes
        digests = {table.filename: tables[table.name].sha256 or "unreadable" for table in TABLES}
        connection.execute("BEGIN")
        _create_indexes(db)
        connection.execute("COMMIT")
        for side in sides:
            side.copy_into(connection)
        for name, sql in VIEWS.items():
            db.create_view(name, sql.strip())
        connection.execute("BEGIN")
        count_facets(connection, counted_facets())  # through the facet indexes just made
        connection.execute("COMMIT")
        _write_build_info(db, _fingerprint(digests), __version__, digests)
        connection.execute("PRAGMA analysis_limit = 1000")
        connection.execute("ANALYZE")
        checks.result()
        return tables, digests
    except Exception:
        invalid = checks.error() if checks is not None else None
        if invalid is not None:
            raise invalid from None
        raise
    finally:
        if checks is not None:
            checks.abandon()  # interrupted before the checks started: the cache store is told to drop the tables
        feed.stop()
        connection.close()
        for side in sides:
            side.close()
            side.path.unlink(missing_ok=True)


class _BuildStopped(Exception):
    """The build ended before a side build had the table it copies from."""


class _Feed:
    """Hands each table's whole frame, once read, to the side builds that copy from it; forgets it once all have."""

    def __init__(self, takers: Mapping[str, int]) -> None:
        self._changed = threading.Condition()
        self._frames: dict[str, pd.DataFrame] = {}
        self._left = dict(takers)
        self._stopped = False

    def put(self, name: str, frame: pd.DataFrame) -> None:
        """Offer the frame of the table `name`, if a side build copies from it."""
        with self._changed:
            if self._left.get(name) and not self._stopped:
                self._frames[name] = frame
                self._changed.notify_all()

    def take(self, name: str) -> pd.DataFrame:
        """Wait for the frame of the table `name` and return it (raise _BuildStopped if the build ends first)."""
        with self._changed:
            self._changed.wait_for(lambda: name in self._frames or self._stopped)
            if self._stopped:
                raise _BuildStopped(name)
            frame = self._frames[name]
            self._left[name] -= 1
            if self._left[name] == 0:
                del self._frames[name]
            return frame

    def stop(self) -> None:
        """Let go of every frame, and make every `take` still waiting raise."""
        with self._changed:
            self._stopped = True
            self._frames.clear()
            self._changed.notify_all()


class _Inserting:
    """Puts each table's rows into the database as it is read (and offers it to the side builds)."""

    def __init__(self, rows: RowWriter, feed: _Feed) -> None:
        self._rows = rows
        self._feed = feed
        #: The tables the rows of a later table are computed from (evidence's carrying), until it is in.
        self._kept: dict[str, RawTable] = {}
        #: What went wrong inserting a table (no later table goes in); the checks say why first, if they find why.
        self.failure: Exception | None = None

    def put_in(self, raw: RawTable) -> None:
        """Insert the rows of `raw`, with the columns the database adds to them."""
        name = raw.table.name
        self._feed.put(name, raw.frame)
        if name in rubric.CARRYING_READS:  # only what evidence's carrying reads, not a million claims' statements
            self._kept[name] = replace(raw, frame=raw.frame[list(rubric.CARRYING_READS[name])])
        if self.failure is None:
            try:
                _insert_rows(self._rows, raw.table, raw, _extra_values(raw, self._kept))
            except Exception as error:  # noqa: BLE001 - raised once the checks have had their say
                self.failure = error
        if name == "evidence":
            self._kept.clear()


def view_columns() -> dict[str, list[str]]:
    """Return the result columns of every view, read from an empty database with the same layout."""
    connection = sqlite3.connect(":memory:")
    try:
        db = sqlite_utils.Database(connection)
        _create_lookups(db)
        for table in TABLES:
            _create_table(db, table)
        for name, sql in VIEWS.items():
            db.create_view(name, sql.strip())
        return {name: [row[1] for row in connection.execute(f"PRAGMA table_info([{name}])")] for name in VIEWS}
    finally:
        connection.close()


def lookup_columns(name: str) -> dict[str, str]:
    """Return the columns of the lookup table `name` with their descriptions."""
    extra = LOOKUP_EXTRA.get(name)
    return {**LOOKUP_COLUMNS, **({extra[0]: extra[1]} if extra else {})}


def _create_lookups(db: sqlite_utils.Database) -> None:
    for name, vocabulary in VOCABULARIES.items():
        extra = LOOKUP_EXTRA.get(name)
        columns: dict[str, type] = {"value": str, "label": str, "description": str, "position": int}
        if extra is not None:
            columns[extra[0]] = str
        db.create_table(name, columns, pk="value", not_null=set(lookup_columns(name)))
        labels = vocabulary.labels()
        rows = [
            (value, labels[value], text, position, *((extra[2][value],) if extra else ()))
            for position, (value, text) in enumerate(vocabulary.terms().items(), start=1)
        ]
        names = ", ".join(f"[{column}]" for column in columns)
        db.conn.executemany(f"INSERT INTO [{name}] ({names}) VALUES ({', '.join('?' for _ in columns)})", rows)


def _create_table(db: sqlite_utils.Database, table: Table) -> None:
    required = {column.name for column in table.columns if column.required}
    required.update(extra.name for extra in EXTRA_COLUMNS.get(table.name, ()) if extra.required)
    foreign_keys = [(fk.column, fk.other_table, fk.other_column) for fk in table.foreign_keys]
    foreign_keys += vocabulary_foreign_keys(table)
    db.create_table(
        table.name,
        dict(database_columns(table)),
        pk=table.primary_key[0] if len(table.primary_key) == 1 else table.primary_key,
        not_null=required,
        foreign_keys=foreign_keys,
    )


def _in_words(dates: pd.Series) -> list[str | None]:
    """Return each EDTF date in words (`format_human`), each distinct date written once; None for an empty one.

    The common shapes are written whole-column (`format_common_dates`), the rest one by one.
    """
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    from kz_timeline.reading import fast_paths
    from kz_timeline.reading.edtf_columns import format_common_dates
    from kz_timeline.reading.edtf_dates import format_human

    unique = pd.Series(dates.unique(), dtype="str")
    distinct = unique[unique != ""].reset_index(drop=True)
    if fast_paths.enabled():
        done, words = format_common_dates(pa.array(distinct.array))
    else:
        done, words = np.zeros(len(distinct), dtype=bool), np.full(len(distinct), "", dtype=object)
    for position in np.flatnonzero(~done).tolist():
        words[position] = format_human(distinct[position])
    positions = pd.Index(distinct).get_indexer(dates)
    # An empty date is at position -1: the None put last.
    written = np.full(len(words) + 1, None, dtype=object)
    written[:-1] = words
    return list(written[positions])


def _extra_values(raw: RawTable, kept: Mapping[str, RawTable]) -> dict[str, pa.Array]:
    """Return the values of the EXTRA_COLUMNS of the table of `raw`, computed whole-column.

    `kept`: the tables read before it that they are computed from (claims and sources, for evidence's carrying).
    """
    import pyarrow as pa

    frame = raw.frame
    if raw.table.name == "events":
        return {
            "date_text": pa.array(_in_words(frame["date"]), pa.large_string()),
            "year": pa.array(frame["date_start"].str.slice(0, 4).astype("int64").to_numpy()),
        }
    if raw.table.name == "sources":
        return {"published_text": pa.array(_in_words(frame["published"]), pa.large_string())}
    if raw.table.name == "evidence":
        carrying = rubric.carrying_evidence(kept["claims"].frame, frame, kept["sources"].frame)
        return {"carrying": pa.array(carrying.astype("int64").to_numpy())}
    return {}


def _insert_rows(rows: RowWriter, table: Table, raw: RawTable, extra: Mapping[str, pa.Array]) -> None:
    # Arrow batches of BATCH_SIZE rows: the empty texts made NULL a batch at a time, not a copy of every column at once.
    rows.insert(table.name, record_batches(table, raw.frame, extra, database_columns(table), BATCH_SIZE))


def _copy_rows(path: Path, name: str, columns: tuple[str, ...], *, feed: _Feed) -> None:
    """Write `columns` of table `name` (once read) into the side database `path`, as the database holds them."""
    table = TABLES_BY_NAME[name]
    types = dict(database_columns(table))
    wanted = [(column, types[column]) for column in columns]
    batches = record_batches(table, feed.take(name), {}, wanted, BATCH_SIZE)
    with RowWriter(path, cache_kib=SIDE_CACHE_KIB) as rows:
        rows.begin()
        rows.insert(name, batches)
        rows.commit()


#: SQLite's page cache of a side database while its columns are copied in, in KiB.
SIDE_CACHE_KIB = 8_000


def facet_columns(table: Table) -> list[str]:
    """Return every column people facet on in `table` or in a view of it (see `kz_timeline.site.browsing`)."""
    names = [table.name, *(view for view, base in VIEW_BASE_TABLES.items() if base == table.name)]
    browsing = [BROWSING[name] for name in names if name in BROWSING]
    return list(dict.fromkeys(column for entry in browsing for column in (*entry.facets, *entry.other_facets)))


def counted_facets() -> dict[str, list[str]]:
    """Return, by table, the facet columns whose counts over the whole table the build writes (`table_facets`)."""
    counted = {}
    for table in TABLES:
        present = {name for name, _ in database_columns(table)}
        counted[table.name] = [column for column in facet_columns(table) if column in present]
    return counted


def index_columns(table: Table) -> list[str]:
    """Return the columns of `table` that get their own index: foreign keys and facets."""
    wanted = [fk.column for fk in table.foreign_keys]
    wanted += [column for column, _, _ in vocabulary_foreign_keys(table)]
    wanted += facet_columns(table)
    # The primary key's own index already serves lookups on its first column.
    return [column for column in dict.fromkeys(wanted) if column != table.primary_key[0]]


def _create_indexes(db: sqlite_utils.Database) -> None:
    for table in TABLES:
        for column in index_columns(table):
            db.table(table.name).create_index([column], index_name=f"idx_{table.name}_{column}")
        sort = BROWSING[table.name].sort if table.name in BROWSING else None
        if sort is not None and sort != table.primary_key[0]:
            db.table(table.name).create_index([sort, *table.primary_key], index_name=f"idx_{table.name}_{sort}_sort")


def _write_build_info(db: sqlite_utils.Database, fingerprint: str, version: str, digests: dict[str, str]) -> None:
    import datetime as dt

    rows = [
        ("fingerprint", fingerprint),
        # The day the site's pages date their ClaimReview JSON-LD by (datePublished): the data was built into it then.
        ("built_on", dt.datetime.now(dt.UTC).date().isoformat()),
        ("kz_timeline_version", version),
        ("sqlite_utils_version", _sqlite_utils_version()),
        *((f"sha256:{name}", digest) for name, digest in digests.items()),
    ]
    db.create_table(BUILD_INFO_TABLE, {"key": str, "value": str}, pk="key")
    db.conn.executemany(f"INSERT INTO [{BUILD_INFO_TABLE}] (key, value) VALUES (?, ?)", rows)


def _sqlite_utils_version() -> str:
    from importlib.metadata import version

    return version("sqlite-utils")
