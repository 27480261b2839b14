"""Load the dataset: read and validate every table, then offer it as pandas DataFrames and Pydantic models."""

from __future__ import annotations

import contextvars
import hashlib
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel

from kz_timeline.background import lower_priority
from kz_timeline.dataset import validated_cache
from kz_timeline.errors import DataDirectoryError, DataValidationError, Problem
from kz_timeline.reading.csv_files import RawTable, read_table
from kz_timeline.reading.key_codes import SharedCodes
from kz_timeline.reading.method import method_checks, table_method_checks
from kz_timeline.reading.validation import (
    OWN_CHECKS_ONLY,
    Check,
    CheckPool,
    SourceText,
    StartedCheck,
    dataset_checks,
    run_checks,
    table_checks,
)
from kz_timeline.schema import models
from kz_timeline.schema.tables import TABLES, TABLES_BY_NAME, Table


def checkout_data_dir(directory: str | Path | None = None) -> Path | None:
    """Return `directory/data` (default: the current directory's) when `directory` is a kz-timeline checkout, else None.

    The rule: a directory is a checkout when it has a `data` folder that holds the file of every table in TABLES
    (events.csv, actors.csv, sources.csv, participants.csv, event_links.csv, claims.csv, evidence.csv).
    """
    data = (Path.cwd() if directory is None else Path(directory).absolute()) / "data"
    if all((data / table.filename).is_file() for table in TABLES):
        return data
    return None


def default_data_dir() -> Path:
    """Return the data used when none is given: ./data in a kz-timeline checkout, else the data shipped with the package.

    The shipped data is the copy inside the installed package, or, in an editable install, the repository's data/.
    """
    checkout = checkout_data_dir()
    if checkout is not None:
        return checkout
    packaged = Path(__file__).parents[1] / "data"
    if packaged.is_dir():
        return packaged
    repository = Path(__file__).resolve().parents[3] / "data"
    if repository.is_dir():
        return repository
    raise DataDirectoryError("no data shipped with this installation; pass data_dir")


def resolve_data_dir(data_dir: str | Path | None) -> Path:
    """Return `data_dir` as a checked directory, or the default data directory when it is None."""
    if data_dir is None:
        return default_data_dir()
    path = Path(data_dir)
    if not path.exists():
        raise DataDirectoryError(f"{path}: data directory not found")
    if not path.is_dir():
        raise DataDirectoryError(f"{path}: is not a directory")
    return path


def read_tables(data_dir: Path) -> tuple[dict[str, RawTable], list[Problem]]:
    """Read every table of `data_dir` as text; return those readable and the structural problems of the rest."""
    tables: dict[str, RawTable] = {}
    problems: list[Problem] = []
    for table in TABLES:
        raw, found = read_table(data_dir / table.filename, table)
        problems.extend(found)
        if raw is not None:
            tables[table.name] = raw
    return tables, problems


def read_source_texts(
    articles: Iterable[str | Path], tables: Mapping[str, RawTable]
) -> tuple[dict[str, SourceText], list[Problem]]:
    """Match each article file to the source whose text_sha256 it has; return the texts by source_id."""
    sources = tables.get("sources")
    by_hash: dict[str, str] = {}
    if sources is not None:
        frame = sources.frame
        by_hash = {digest: source for digest, source in zip(frame["text_sha256"], frame["source_id"], strict=True) if digest}
    texts: dict[str, SourceText] = {}
    problems: list[Problem] = []
    for article in articles:
        path = Path(article)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            problems.append(Problem(str(path), None, None, "article file not found"))
            continue
        except IsADirectoryError:
            problems.append(Problem(str(path), None, None, "is a directory, not an article file"))
            continue
        except OSError as error:
            problems.append(Problem(str(path), None, None, f"cannot be read: {error.strerror or error}"))
            continue
        digest = hashlib.sha256(data).hexdigest()
        source_id = by_hash.get(digest)
        if source_id is None:
            problems.append(Problem(str(path), None, None, f"its SHA-256 {digest} matches no text_sha256 in sources.csv"))
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            problems.append(Problem(str(path), None, None, f"not valid UTF-8 at byte {error.start}"))
            continue
        texts[source_id] = SourceText(source_id, text, path.name)
    return texts, problems


def read_valid_tables(
    data_dir: str | Path | None = None,
    articles: Iterable[str | Path] = (),
    *,
    check_derived: bool = True,
    on_table: Callable[[RawTable], None] | None = None,
    keep_checked_columns: bool = False,
) -> dict[str, RawTable]:
    """Read and check every table; raise DataValidationError listing every problem.

    `on_table`: called with each table as soon as it is read, while the checks run on.
    `keep_checked_columns`: as soon as a table's own checks are done, hold only the columns the checks across tables
    read (`OWN_CHECKS_ONLY` goes); the tables returned are then narrowed so.
    """
    tables, _ = _read_valid(
        resolve_data_dir(data_dir),
        articles,
        check_derived=check_derived,
        on_table=on_table,
        keep_checked_columns=keep_checked_columns,
    )
    return tables


def _read_valid(
    directory: Path,
    articles: Iterable[str | Path],
    *,
    check_derived: bool = True,
    on_table: Callable[[RawTable], None] | None = None,
    keep_checked_columns: bool = False,
) -> tuple[dict[str, RawTable], dict[str, SourceText]]:
    """Do what `read_valid_tables` does; return the tables and the articles' texts, by source_id."""
    with CheckPool() as pool:
        tables, problems, started = _read_checking(
            directory, pool, check_derived=check_derived, on_table=on_table, keep_checked_columns=keep_checked_columns
        )
        return _checked(tables, problems, articles, check_derived=check_derived, pool=pool, started=started)


@dataclass
class _StartedChecks:
    """The checks started as each table was read, by table name.

    `own`: the table's own checks (`table_checks`); `method`: the method's that read no other table
    (`table_method_checks`).
    """

    own: dict[str, list[Check]] = field(default_factory=dict)
    method: dict[str, list[Check]] = field(default_factory=dict)


def _read_checking(
    directory: Path,
    pool: CheckPool,
    *,
    check_derived: bool = True,
    on_table: Callable[[RawTable], None] | None = None,
    keep_checked_columns: bool = False,
    sha256: bool = False,
) -> tuple[dict[str, RawTable], list[Problem], _StartedChecks]:
    """Read every table, starting its checks in `pool`; return the tables, the reading's problems and those checks.

    See `read_valid_tables` for `on_table` and `keep_checked_columns`; `sha256`: hash each file with SHA-256 too.
    """
    tables: dict[str, RawTable] = {}
    problems: list[Problem] = []
    started = _StartedChecks()
    narrowing = _Narrowing(tables) if keep_checked_columns else None
    for table in TABLES:
        path = directory / table.filename
        size = _size(path)
        if narrowing is not None:
            narrowing.make_room(size)
        raw, found = read_table(path, table, sha256=sha256)
        problems.extend(found)
        if raw is not None:
            tables[table.name] = raw
            if on_table is not None:
                on_table(raw)
            # A table's own checks start now, on the core that reading the next file leaves idle, and so do the
            # method's that read it alone (given only the columns kept for the checks across tables).
            own = started.own[table.name] = [pool.start(check) for check in table_checks(raw, check_derived=check_derived)]
            kept = narrowing.narrowed(raw) if narrowing is not None else raw
            started.method[table.name] = [pool.start(check) for check in table_method_checks(kept)]
            if narrowing is not None:
                narrowing.watch(table.name, size, own)
            del kept
        del raw  # the table is held by `tables` alone (which `_Narrowing` may narrow)
    return tables, problems, started


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # reading it says why


class _Narrowing:
    """Narrow each table of `tables` to what the checks across tables read, as soon as its own checks are done.

    Called back from the checks' threads; the frame narrowed from is let go once those checks (and whoever else holds
    it, such as a cache store still writing it) are done with it.
    """

    def __init__(self, tables: dict[str, RawTable]) -> None:
        self._tables = tables
        self._lock = threading.Lock()
        self._changed = threading.Condition()  # notified whenever a table is narrowed
        self._narrowed: dict[str, threading.Event] = {}
        self._sizes: dict[str, int] = {}

    def watch(self, name: str, size: int, checks: list[Check]) -> None:
        """Narrow the table `name` (read from `size` bytes) once every one of `checks` (its own, started) has ended."""
        self._sizes[name] = size
        started = [check for check in checks if isinstance(check, StartedCheck)]
        remaining = [len(started)]
        narrowed = self._narrowed[name] = threading.Event()

        def ended(_: object) -> None:
            with self._lock:
                remaining[0] -= 1
                if remaining[0] > 0:
                    return
                try:
                    self._tables[name] = self.narrowed(self._tables[name])
                finally:
                    with self._changed:
                        narrowed.set()  # whatever happens, `make_room` does not wait for this table any longer
                        self._changed.notify_all()

        if not started:
            remaining[0] = 1
            ended(None)
        for check in started:
            check.future.add_done_callback(ended)

    @staticmethod
    def narrowed(raw: RawTable) -> RawTable:
        """Return `raw` without the columns only its own checks read (`OWN_CHECKS_ONLY`), the others not copied."""
        columns = [column for column in OWN_CHECKS_ONLY.get(raw.table.name, ()) if column in raw.frame.columns]
        return replace(raw, frame=raw.frame.drop(columns=columns))

    def make_room(self, size: int) -> None:
        """Wait, before `size` bytes of CSV are read, for tables to be narrowed (their memory handed back).

        Until the files of the tables still whole, and this one, come to at most WHOLE_TABLES_BUDGET bytes (or no
        table is whole), whichever tables' checks end first.
        """
        waited = False
        with self._changed:
            while (whole := self._whole()) > 0 and whole + size > WHOLE_TABLES_BUDGET:
                self._changed.wait()
                waited = True
        if waited:
            self.release()

    def _whole(self) -> int:
        """Return the bytes of CSV of the tables not narrowed yet."""
        return sum(self._sizes[name] for name, event in self._narrowed.items() if not event.is_set())

    def release(self) -> None:
        """Hand what Arrow's allocator keeps of the memory freed back to the system, before the next file is parsed.

        jemalloc keeps freed pages a second, in the arena of the thread that freed them (here, a check's thread).
        """
        import pyarrow

        pyarrow.default_memory_pool().release_unused()


#: How many bytes of CSV `validate` may hold as whole tables (not yet narrowed) while it reads the next file. At a
#: million events the parse of claims.csv (217 MB) beside events still whole (291 MB) made the peak (BENCHMARKS.md,
#: Profiles, stop 25); smaller data never waits.
WHOLE_TABLES_BUDGET = 384 * 1024 * 1024


def _checked(
    tables: dict[str, RawTable],
    problems: list[Problem],
    articles: Iterable[str | Path],
    *,
    check_derived: bool = True,
    pool: CheckPool | None = None,
    started: _StartedChecks | None = None,
) -> tuple[dict[str, RawTable], dict[str, SourceText]]:
    """Check tables read with `problems`; return them and the articles' texts, or raise DataValidationError.

    `pool` and `started`: where checks run, and the checks already started there as each table was read.
    """
    texts, text_problems = read_source_texts(articles, tables)
    problems = [*problems, *text_problems]
    # The checks of form and of the method, run together so that two cores share them.
    codes = SharedCodes(tables)  # each key encoded once, for the checks of keys, references and the method
    own, method = (started.own, started.method) if started is not None else (None, None)
    form = dataset_checks(tables, texts, check_derived=check_derived, own=own, codes=codes)
    problems.extend(run_checks([*form, *method_checks(tables, codes, started=method)], pool, codes))
    if problems:
        raise DataValidationError(problems)
    return tables, texts


def typed_frame(frame: pd.DataFrame, table: Table, names: Sequence[str] | None = None) -> pd.DataFrame:
    """Convert a validated frame of strings to analysis types, in the model's column order (only `names`, if given)."""
    columns: dict[str, Any] = {}
    for column in table.columns:
        if names is not None and column.name not in names:
            continue
        values = frame[column.name]
        missing = values == ""
        if column.vocabulary is not None:
            columns[column.name] = pd.Categorical(values.where(~missing), categories=list(column.vocabulary.terms()))
        elif column.python_type is int:
            numbers = pd.to_numeric(values.where(~missing))
            columns[column.name] = numbers.astype("Int64" if not column.required else "int64")
        elif column.python_type is bool:
            columns[column.name] = values == "true"
        elif column.value_format is not None and column.value_format.name == "iso_date":
            columns[column.name] = pd.to_datetime(values.where(~missing), format="%Y-%m-%d")
        else:
            columns[column.name] = values.where(~missing).astype("str")
    return pd.DataFrame(columns, index=pd.RangeIndex(len(frame)))


def _model_rows(frame: pd.DataFrame, model: type[BaseModel]) -> list[Any]:
    records = frame.to_dict(orient="records")
    return [model.model_validate({key: value for key, value in record.items() if value != ""}) for record in records]


@dataclass
class Models:
    """Every table as a list of validated Pydantic models."""

    events: list[models.Event]
    actors: list[models.Actor]
    sources: list[models.Source]
    participants: list[models.Participant]
    event_links: list[models.EventLink]
    claims: list[models.Claim]
    evidence: list[models.Evidence]


@dataclass
class Dataset:
    """The whole dataset, validated: typed DataFrames by table name, the text tables, and models on demand."""

    data_dir: Path
    text_tables: dict[str, pd.DataFrame] = field(repr=False)
    _typed: dict[str, pd.DataFrame] = field(default_factory=dict, init=False, repr=False, compare=False)
    _positions: dict[str, pd.Index] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def frames(self) -> dict[str, pd.DataFrame]:
        """Return every table as a typed DataFrame."""
        return {table.name: self.frame(table.name) for table in TABLES}

    def frame(self, name: str) -> pd.DataFrame:
        """Return one table as a typed DataFrame in its natural order (`Table.row_order`), typed on first use.

        Typed on first use because a chart of a million events needs three tables, not seven.
        """
        typed = self._typed.get(name)
        if typed is None:
            table = TABLES_BY_NAME[name]
            unordered = typed_frame(self.text_tables[name], table)
            positions = self._positions[name] = unordered.sort_values(list(table.row_order), kind="stable").index
            typed = self._typed[name] = unordered.iloc[positions].reset_index(drop=True)
        return typed

    def unordered(self, name: str, columns: Sequence[str]) -> pd.DataFrame:
        """Return some columns of one table, typed, in the files' row order: for counts, where order does not matter.

        Much cheaper than `frame` on a big table: only these columns are typed, and nothing is sorted.
        """
        typed = self._typed.get(name)
        if typed is not None:
            return typed[list(columns)]
        return typed_frame(self.text_tables[name], TABLES_BY_NAME[name], columns)

    def row_count(self, name: str) -> int:
        """Return the number of rows of one table (without typing it)."""
        return len(self.text_tables[name])

    @property
    def events(self) -> pd.DataFrame:
        """Return the events table."""
        return self.frame("events")

    @property
    def actors(self) -> pd.DataFrame:
        """Return the actors table."""
        return self.frame("actors")

    @property
    def sources(self) -> pd.DataFrame:
        """Return the sources table."""
        return self.frame("sources")

    @property
    def participants(self) -> pd.DataFrame:
        """Return the participants table."""
        return self.frame("participants")

    @property
    def event_links(self) -> pd.DataFrame:
        """Return the event_links table."""
        return self.frame("event_links")

    @property
    def claims(self) -> pd.DataFrame:
        """Return the claims table."""
        return self.frame("claims")

    @property
    def evidence(self) -> pd.DataFrame:
        """Return the evidence table."""
        return self.frame("evidence")

    @cached_property
    def models(self) -> Models:
        """Return every table as Pydantic models."""
        built = {table.name: _model_rows(self._in_order(table.name), table.model) for table in TABLES}
        return Models(**built)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.frame(name)

    def _in_order(self, name: str) -> pd.DataFrame:
        """Return one table's text frame in the natural order of its typed frame."""
        self.frame(name)
        return self.text_tables[name].iloc[self._positions[name]]


def load(data_dir: str | Path | None = None, *, articles: Iterable[str | Path] = ()) -> Dataset:
    """Load and validate the dataset (the shipped one by default); raise DataValidationError if it is invalid.

    Files already validated (the same bytes, the same articles, the same kz-timeline) are read from the cache of
    validated tables in milliseconds instead (see `kz_timeline.dataset.validated_cache`).
    """
    directory = resolve_data_dir(data_dir)
    article_list = [Path(article) for article in articles]
    key = _cache_key(directory, article_list)
    frames = validated_cache.read(key) if key is not None else None
    if frames is None:
        # Stored while the caller goes on: a chart of new files is drawn while its tables are written.
        checked = _check_and_remember(directory, article_list)
        frames = {name: raw.frame for name, raw in checked.items()}
    return Dataset(directory, frames)


#: The name of the thread `BesideChecks` runs the checks on.
CHECKS_THREAD_NAME = "kz-timeline-checks"


class BesideChecks:
    """The checks of tables already read, run on another thread from `start` on; `result` waits for their answer."""

    def __init__(self, check: Callable[[], dict[str, RawTable]], abandon: Callable[[], None] = lambda: None) -> None:
        self._check = check
        self._abandon = abandon
        self._answer: Future[dict[str, RawTable]] = Future()
        self._started = False
        self._lock = threading.Lock()

    def abandon(self) -> None:
        """Never start the checks, if they have not started (what waits for their verdict is told to stop)."""
        with self._lock:
            if self._started:
                return
            self._started = True
        self._answer.set_exception(RuntimeError("the checks were abandoned before they started"))
        self._abandon()

    def start(self) -> None:
        """Start the checks on another thread (the first call only).

        Not a daemon: a process that ends while the checks run (Ctrl-C during a build) waits for them, rather than
        tear down pyarrow under them, which aborts the process (see the charts' warm-up in the Datasette plugin).
        """
        with self._lock:
            if self._started:
                return
            self._started = True
        # In the caller's context, so that `fast_paths.exact_only()` holds there too.
        context = contextvars.copy_context()
        threading.Thread(target=context.run, args=(self._run,), name=CHECKS_THREAD_NAME).start()

    def _run(self) -> None:
        lower_priority()  # whoever started the checks works on meanwhile, and waits for them last
        try:
            self._answer.set_result(self._check())
        except BaseException as error:  # noqa: BLE001 - handed to whoever waits for the answer
            self._answer.set_exception(error)

    def result(self) -> dict[str, RawTable]:
        """Return the tables once checked (starting the checks if need be), or raise what the checks raised."""
        self.start()
        return self._answer.result()

    def error(self) -> BaseException | None:
        """Return what the checks raised (starting them if need be, and waiting for them), or None if they passed."""
        self.start()
        return self._answer.exception()


def read_beside(
    directory: Path, articles: list[Path], on_table: Callable[[RawTable], None]
) -> tuple[dict[str, RawTable], BesideChecks]:
    """Read every table as `validate` does, calling `on_table` with each as soon as it is read; return the rest to do.

    That is the tables and the checks across tables, which the caller starts when it likes. Each table's own checks
    run while the next file is read; once they are done the table keeps only what the checks across tables read
    (`on_table` keeps a reference to the whole table while it needs one). The tables are written to the cache as they
    are read, and kept there once every check has passed. The checks raise the very DataValidationError that
    `read_valid_tables` raises; anything made from the tables before they have answered may rest on invalid data.
    Tables that cannot all be read are checked at once instead (and raise). Each table's bytes are hashed with
    SHA-256 as well as BLAKE3 (`RawTable.sha256`: the database records them).
    """
    remembering = _Remembering(directory, articles, background=False)

    def read(raw: RawTable) -> None:
        remembering.add(raw)
        on_table(raw)

    pool = CheckPool()
    try:
        tables, problems, started = _read_checking(directory, pool, on_table=read, keep_checked_columns=True, sha256=True)
        if problems or len(tables) < len(TABLES):
            _checked(tables, problems, articles, pool=pool, started=started)
    except BaseException:
        pool.close()
        remembering.drop()
        raise

    def check() -> dict[str, RawTable]:
        try:
            with CheckPool() as beside:  # made on the checks' thread: its threads run at that thread's priority
                checked, _ = _checked(tables, [], articles, pool=beside, started=started)
        except BaseException:
            remembering.drop()
            raise
        finally:
            pool.close()
        remembering.keep(checked)
        return checked

    def abandon() -> None:
        pool.close()
        remembering.drop()

    return tables, BesideChecks(check, abandon)


def read_digests(tables: Mapping[str, RawTable]) -> dict[str, str | None]:
    """Return the BLAKE3 of the bytes each table was read from, by file name (in the order of TABLES)."""
    return {table.filename: tables[table.name].blake3 or None if table.name in tables else None for table in TABLES}


def _cache_key(directory: Path, articles: list[Path]) -> str | None:
    if not validated_cache.enabled():
        return None
    return validated_cache.cache_key(directory, articles)


class _Remembering:
    """The cache of validated tables, filled while the tables are read and checked (see `validated_cache.TableStore`).

    Files whose stamp an entry carries (`validated_cache.inputs_stamp`) are taken for stored: nothing is written, and
    their entry is marked used once their bytes prove to have its key. `background`: the writes yield to the caller.
    """

    def __init__(self, directory: Path, articles: list[Path], *, background: bool) -> None:
        self._directory = directory
        self._articles = articles
        inputs = validated_cache.inputs_stamp(directory, articles) if validated_cache.enabled() else None
        self._stored = validated_cache.stamped_key(inputs) if inputs is not None else None
        new = inputs is not None and self._stored is None
        self._store = validated_cache.table_store(inputs, background=background) if new else None

    def add(self, raw: RawTable) -> None:
        """Write the table `raw` (every column) to the cache, unless it is there already."""
        if self._store is not None:
            self._store.add(raw.table.name, raw.frame)

    def drop(self) -> None:
        """Keep nothing: the tables failed their checks (or the checks did not end)."""
        if self._store is not None:
            self._store.drop()

    def keep(self, tables: Mapping[str, RawTable], *, wait: bool = True) -> None:
        """Keep `tables`, which passed their checks, under the key of the very bytes read (`wait`: until written)."""
        try:
            key = validated_cache.cache_key(self._directory, self._articles, table_digests=read_digests(tables))
        except OSError:
            key = None  # an article that cannot be read now: nothing is stored
        if self._store is not None:
            if key is None:
                self._store.drop()
            else:
                self._store.keep(key)
            if wait:
                self._store.thread.join()
        elif self._stored is not None and key == self._stored:
            validated_cache.mark_used(key)


def _check_and_remember(directory: Path, articles: list[Path]) -> dict[str, RawTable]:
    """Read and check every table; remember them in the cache, returning while they are still being written.

    Each table is written as soon as it is read, while the checks run, and kept only if they all pass.
    """
    remembering = _Remembering(directory, articles, background=True)  # the caller draws a chart meanwhile
    try:
        tables = read_valid_tables(directory, articles, on_table=remembering.add)
    except BaseException:
        remembering.drop()
        raise
    remembering.keep(tables, wait=False)
    return tables


def _validate_and_remember(directory: Path, articles: list[Path]) -> tuple[dict[str, RawTable], dict[str, SourceText]]:
    """Check every table as `_check_and_remember` does, holding only what later checks read of each (for `validate`).

    The tables returned lack the columns only their own checks read (`OWN_CHECKS_ONLY`); the articles' texts come
    with them, by source_id.
    """
    # At full priority: a table's columns are let go once written, and validate waits for the writes anyway.
    remembering = _Remembering(directory, articles, background=False)
    try:
        tables, texts = _read_valid(directory, articles, on_table=remembering.add, keep_checked_columns=True)
    except BaseException:
        remembering.drop()
        raise
    remembering.keep(tables)
    return tables, texts


def load_events(data_dir: str | Path | None = None) -> pd.DataFrame:
    """Return the validated events table."""
    return load(data_dir).events


def load_actors(data_dir: str | Path | None = None) -> pd.DataFrame:
    """Return the validated actors table."""
    return load(data_dir).actors


def load_sources(data_dir: str | Path | None = None) -> pd.DataFrame:
    """Return the validated sources table."""
    return load(data_dir).sources


def load_participants(data_dir: str | Path | None = None) -> pd.DataFrame:
    """Return the validated participants table."""
    return load(data_dir).participants


def load_event_links(data_dir: str | Path | None = None) -> pd.DataFrame:
    """Return the validated event_links table."""
    return load(data_dir).event_links


def load_claims(data_dir: str | Path | None = None) -> pd.DataFrame:
    """Return the validated claims table."""
    return load(data_dir).claims


def load_evidence(data_dir: str | Path | None = None) -> pd.DataFrame:
    """Return the validated evidence table."""
    return load(data_dir).evidence


@dataclass(frozen=True)
class ValidationSummary:
    """What a successful validation checked."""

    data_dir: Path
    row_counts: dict[str, int]
    quotes_checked: int
    texts: tuple[str, ...]

    def __str__(self) -> str:
        counts = ", ".join(f"{count} {name}" for name, count in self.row_counts.items())
        against = f"; {self.quotes_checked} quotes match {', '.join(self.texts)}" if self.texts else ""
        return f"{self.data_dir}: valid ({counts}){against}"


def validate(data_dir: str | Path | None = None, articles: Iterable[str | Path] = ()) -> ValidationSummary:
    """Validate the dataset, checking quotes against `articles`; raise DataValidationError listing every problem.

    Always checks every file (never answers from the cache), and remembers the valid tables for `load`.
    """
    directory = resolve_data_dir(data_dir)
    article_list = [Path(article) for article in articles]
    tables, texts = _validate_and_remember(directory, article_list)
    claims = tables["claims"].frame
    checked = int(claims["source_id"].isin(list(texts)).sum())
    return ValidationSummary(
        directory,
        {table.name: len(tables[table.name].frame) for table in TABLES},
        checked,
        tuple(text.label for text in texts.values()),
    )
