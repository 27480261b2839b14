"""Properties (hypothesis): any input fails only with the package's own errors; valid data survives every round trip.

Round trips: CSV -> Pydantic models -> CSV, and CSV -> SQLite (the Datasette database) -> CSV, give back exactly the
same text, for generated values that hold Kazakh Cyrillic, quotes, commas, line breaks and other Unicode.
"""

from __future__ import annotations

import csv
import datetime as dt
import enum
import io
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kz_timeline.dataset.csv_rewriter import canonical_text
from kz_timeline.dataset.loader import load, validate
from kz_timeline.errors import KzTimelineError
from kz_timeline.reading.csv_diagnosis import Record, ScanError, scan
from kz_timeline.reading.csv_files import canonical_csv
from kz_timeline.reading.edtf_dates import EdtfError, derive_date, explain_rejection
from kz_timeline.schema.tables import TABLES, Column, Table
from kz_timeline.site.database import build_database
from tests.conftest import FIXTURES

MINIMAL = FIXTURES / "minimal"
TABLE_BY_NAME = {table.name: table for table in TABLES}
QUICK = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ROUND_TRIP = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def package_error(call: Callable[[], object]) -> KzTimelineError | None:
    """Return the package's own error that `call` raises, or None; any other exception fails the test."""
    try:
        call()
    except KzTimelineError as error:
        return error
    return None


@contextmanager
def minimal_copy() -> Iterator[Path]:
    """Yield a fresh copy of the minimal dataset (hypothesis runs many examples per test, so not tmp_path)."""
    with tempfile.TemporaryDirectory() as temporary:
        target = Path(temporary) / "minimal"
        shutil.copytree(MINIMAL, target)
        yield target


# ------------------------------------------------------------------------------------------------ hostile input

#: Characters that matter to a CSV reader, mixed with any other: text that is CSV-like often enough to go deep.
CSV_ALPHABET = st.sampled_from([",", '"', "\n", "\r", "\r\n", " ", "a", "1", "-", "Қ", "\ufeff", "\x00", "\t", ";"])
csv_like_text = st.one_of(
    st.text(),
    st.lists(st.one_of(CSV_ALPHABET, st.text(max_size=4)), max_size=60).map("".join),
)


def csv_with_header(table: Table) -> st.SearchStrategy[str]:
    """Return text that starts with `table`'s header and goes on with arbitrary CSV-like rows."""
    header = ",".join(table.column_names)
    return csv_like_text.map(lambda body: f"{header}\n{body}")


@QUICK
@given(name=st.sampled_from([table.name for table in TABLES]), data=st.data())
def test_arbitrary_text_in_any_table_fails_only_with_the_packages_errors(name: str, data: st.DataObject) -> None:
    text = data.draw(st.one_of(csv_like_text, csv_with_header(TABLE_BY_NAME[name])))
    with minimal_copy() as directory:
        (directory / f"{name}.csv").write_bytes(text.encode("utf-8", errors="surrogatepass"))
        error = package_error(lambda: validate(directory, [directory / "article.txt"]))
        if error is not None:
            assert str(error)  # every problem is worded
            assert "Traceback" not in str(error)


@QUICK
@given(name=st.sampled_from([table.name for table in TABLES]), data=st.binary(max_size=400), keep_header=st.booleans())
def test_arbitrary_bytes_in_any_table_fail_only_with_the_packages_errors(name: str, data: bytes, keep_header: bool) -> None:
    with minimal_copy() as directory:
        path = directory / f"{name}.csv"
        header = path.read_bytes().split(b"\n", 1)[0] + b"\n" if keep_header else b""
        path.write_bytes(header + data)
        error = package_error(lambda: validate(directory))
        if error is not None:
            assert str(error)


edtf_like = st.lists(st.sampled_from([*"0123456789X?~%/-.u ", "..", "2022", "-02-30", "/..", "XX"]), max_size=14).map("".join)


@settings(max_examples=400, deadline=None)
@given(value=st.one_of(edtf_like, st.text(max_size=12)))
def test_arbitrary_edtf_like_strings_raise_only_edtf_error(value: str) -> None:
    try:
        derived = derive_date(value)
    except EdtfError:
        assert explain_rejection(value)
    else:
        assert derived.end is None or derived.start <= derived.end


@settings(max_examples=20, deadline=None)
@given(value=edtf_like)
def test_arbitrary_edtf_like_dates_in_events_fail_only_with_the_packages_errors(value: str) -> None:
    with minimal_copy() as directory:
        events = directory / "events.csv"
        events.write_text(events.read_text(encoding="utf-8").replace(",2017-09,", f",{value},", 1), encoding="utf-8")
        error = package_error(lambda: validate(directory))
        if error is not None:
            assert "events.csv:" in str(error)


@settings(max_examples=300, deadline=None)
@given(text=csv_like_text)
def test_the_diagnosis_scanner_reads_records_as_the_strict_csv_reader_does(text: str) -> None:
    """Where Python's strict reader succeeds the scanner finds the same records, and it fails where the reader does."""
    reader_records: list[list[str]] | None
    try:
        reader_records = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error:
        reader_records = None
    found = list(scan(text))
    errors = [item for item in found if isinstance(item, ScanError)]
    records = [item for item in found if isinstance(item, Record)]
    if reader_records is None:
        assert errors, "the reader failed but the scanner found nothing"
    else:
        assert not errors, errors
        assert [len(record.fields) for record in records] == [len(fields) for fields in reader_records]


# ------------------------------------------------------------------------------------------------ round trips

TRICKY = ["Қазақстан", "Мамай", "«Тоқаев»", '"', '""', ",", "\n", "\r\n", " ", "'", "<b>", "=1+1", "é", "😀", "\t", "\\"]
#: Text as a cell may hold it: no control character but tab, line feed and carriage return (TRICKY has those).
text_character = st.characters(codec="utf-8", exclude_categories=("Cc",))
free_text = st.lists(st.one_of(st.sampled_from(TRICKY), st.text(text_character, max_size=8)), max_size=6).map("".join)
required_text = free_text.filter(lambda value: value != "")
alias = st.text(st.characters(codec="utf-8", exclude_categories=("Cc",), exclude_characters="|"), min_size=1, max_size=10).filter(
    lambda value: value == value.strip() and not any(char.isspace() for char in (value[0], value[-1]))
)
aliases = st.lists(alias, max_size=3).map("|".join)
#: Columns the method constrains beyond their type: a quote of three words or more (M1), an excerpt that is not blank
#: on a carrying row (M7). Their generated text keeps to the rules and still holds the tricky parts.
METHOD_TEXT = {
    "quote": free_text.map(lambda value: f"three plain words {value}"),
    "excerpt": free_text.map(lambda value: f"«{value}"),
}


def is_free_text(column: Column) -> bool:
    return column.value_format is None and column.vocabulary is None and column.derived_from is None and column.python_type is str


@st.composite
def valid_dataset_texts(draw: st.DrawFn) -> dict[str, str]:
    """Return the canonical CSV text of every table: the minimal dataset with every free-text cell generated."""
    texts: dict[str, str] = {}
    for table in TABLES:
        frame = pd.read_csv(MINIMAL / table.filename, dtype=str, keep_default_na=False)
        for column in table.columns:
            if column.name == "aliases":
                frame[column.name] = [draw(aliases) for _ in range(len(frame))]
            elif column.name in METHOD_TEXT:
                frame[column.name] = [draw(METHOD_TEXT[column.name]) for _ in range(len(frame))]
            elif is_free_text(column):
                strategy = required_text if column.required else free_text
                frame[column.name] = [draw(strategy) for _ in range(len(frame))]
        texts[table.name] = canonical_text(frame.astype(str), table)
    return texts


def write_texts(directory: Path, texts: dict[str, str]) -> None:
    for name, text in texts.items():
        (directory / f"{name}.csv").write_bytes(text.encode("utf-8"))


def cell_text(value: Any) -> str:
    """Write one value as the CSV files do."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


@ROUND_TRIP
@given(texts=valid_dataset_texts())
def test_csv_to_models_to_csv_gives_back_the_same_text(texts: dict[str, str]) -> None:
    with minimal_copy() as directory:
        write_texts(directory, texts)
        models = load(directory).models
        for table in TABLES:
            rows = [
                [cell_text(value) for value in model.model_dump(mode="json").values()] for model in getattr(models, table.name)
            ]
            # Models come in the table's natural order; the files are written in primary-key order.
            key = [table.column_names.index(column) for column in table.primary_key]
            rows.sort(key=lambda row: [row[index] for index in key])
            assert canonical_csv(table, rows) == texts[table.name], table.name


@ROUND_TRIP
@given(texts=valid_dataset_texts())
def test_csv_to_sqlite_to_csv_gives_back_the_same_text(texts: dict[str, str]) -> None:
    with minimal_copy() as directory:
        write_texts(directory, texts)
        database = directory.parent / "round-trip.db"
        build_database(directory, database)
        connection = sqlite3.connect(database)
        try:
            for table in TABLES:
                names = ", ".join(f"[{name}]" for name in table.column_names)
                order = ", ".join(f"[{name}]" for name in table.primary_key)
                cursor = connection.execute(f"SELECT {names} FROM [{table.name}] ORDER BY {order}")
                rows = [
                    [_sqlite_text(table, name, value) for name, value in zip(table.column_names, row, strict=True)]
                    for row in cursor
                ]
                assert canonical_csv(table, rows) == texts[table.name], table.name
        finally:
            connection.close()


def _sqlite_text(table: Table, name: str, value: Any) -> str:
    if value is None:
        return ""
    if table.column(name).python_type is bool:
        return "true" if value == 1 else "false"
    return str(value)
