"""Read the dataset's CSV files strictly, remembering where each row came from; write them canonically; hash them."""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import blake3
import numpy as np
import numpy.typing as npt
import pandas as pd

from kz_timeline.errors import Problem
from kz_timeline.files import file_sha256
from kz_timeline.reading import fast_paths
from kz_timeline.reading.csv_diagnosis import describe_decode_error, diagnose_binary, diagnose_header, diagnose_text
from kz_timeline.reading.text_categories import SAMPLE_ROWS, few_distinct, text_categories
from kz_timeline.schema.tables import TABLES, Table

BOM = b"\xef\xbb\xbf"


@dataclass
class RawTable:
    """A CSV file read as text: one text column per header name, and the line where each row starts.

    Each column is a pandas `str` Series, but a column of few values by design (`Column.few_values`), or whose first
    values are few, is held as categories of texts (`text_categories`): a million events' vocabularies take a few MB
    instead of 110.
    """

    table: Table
    file: str
    frame: pd.DataFrame
    row_lines: Sequence[int] | npt.NDArray[np.int64]
    #: The BLAKE3 (hex) of the file's bytes as read, BOM included: what the frame was parsed from (the validated
    #: cache's key, see `kz_timeline.files.file_blake3`).
    blake3: str = ""
    #: Their SHA-256 (hex), when the reader was asked for it (`read_table(sha256=True)`: the database's provenance).
    sha256: str = ""
    #: The most bytes any row takes in the file, its line break included, when the fast reader read it (else None):
    #: no value, nor a row's values together, is longer.
    longest_record: int | None = None

    def line_of(self, row_index: int) -> int:
        """Return the 1-based line of the file on which row `row_index` (0-based, header excluded) starts."""
        return int(self.row_lines[row_index])


def read_table(
    path: Path, table: Table, label: str | None = None, *, sha256: bool = False
) -> tuple[RawTable | None, list[Problem]]:
    """Read `path` as `table`'s CSV; return the raw table (None when unreadable) and the structural problems.

    A clean file is parsed by pyarrow as it is read, a block at a time (`arrow_csv`); any other is read whole and
    parsed by the exact reader, which words its problems. `sha256`: hash the bytes read with SHA-256 too.
    """
    file = label or str(path)
    try:
        with path.open("rb") as stream:
            if fast_paths.enabled():
                fast = _parse_fast(stream, table, file, sha256=sha256)
                if fast is not None:
                    return fast, []
                stream.seek(0)
            data = stream.read()
    except FileNotFoundError:
        return None, [Problem(file, None, None, "file not found")]
    except IsADirectoryError:
        return None, [Problem(file, None, None, "is a directory, not a CSV file")]
    except OSError as error:
        return None, [Problem(file, None, None, f"cannot be read: {error.strerror or error}")]
    # Hashed beside the parsing (hashlib lets go of the GIL): the digest is of the very bytes that are checked.
    with ThreadPoolExecutor(max_workers=1) as pool:
        digest = pool.submit(lambda: blake3.blake3(data).hexdigest())
        sha = pool.submit(lambda: hashlib.sha256(data).hexdigest()) if sha256 else None
        raw, problems = _read_bytes(data, table, file)
        if raw is not None:
            raw.blake3 = digest.result()
            raw.sha256 = sha.result() if sha is not None else ""
    return raw, problems


def _read_bytes(data: bytes, table: Table, file: str) -> tuple[RawTable | None, list[Problem]]:
    """Read a whole file with the exact reader, wording the first problem that stops it."""
    if data.startswith(BOM):
        data = data[len(BOM) :]
    if not data or data.isspace():  # not data.strip(), which would copy a large file
        expected = ",".join(table.column_names)
        return None, [Problem(file, 1, None, f"file is empty; it needs at least the header row: {expected}")]
    binary = diagnose_binary(data, file)
    if binary is not None:
        return None, [binary]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        return None, [describe_decode_error(data, error, file)]
    return _parse(text, table, file)


def _parse(text: str, table: Table, file: str) -> tuple[RawTable | None, list[Problem]]:
    with _fields_of_any_size():
        return _parse_text(text, table, file)


@contextmanager
def _fields_of_any_size() -> Iterator[None]:
    """Lift the csv module's 131,072-character field limit, as the pyarrow path has none: a long text is valid."""
    limit = csv.field_size_limit()
    csv.field_size_limit(sys.maxsize)
    try:
        yield
    finally:
        csv.field_size_limit(limit)


def _parse_text(text: str, table: Table, file: str) -> tuple[RawTable | None, list[Problem]]:
    crlf = "\r\n" in text[: text.find("\n") + 1] if "\n" in text else False
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except csv.Error as error:
        return None, _diagnosis(text, 0, file, 1, error)
    wrong_delimiter = diagnose_header(header, table.column_names, file)
    if wrong_delimiter is not None:
        return None, [wrong_delimiter]
    header_problems = _check_header(header, table, file)
    if header_problems:
        return None, header_problems
    width = len(header)
    columns: list[list[str]] = [[] for _ in header]
    row_lines: list[int] = []
    while True:
        start_line = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            return None, _diagnosis(text, width, file, start_line, error)
        if len(record) != width:
            return None, _diagnosis(text, width, file, start_line, None)
        if crlf:
            record = [value.replace("\r\n", "\n") for value in record]
        for values, value in zip(columns, record, strict=True):
            values.append(value)
        row_lines.append(start_line)
    categorical, sampled = _categorical_columns(table), _sampled_columns(table)
    frame = pd.DataFrame(
        {
            name: text_categories(values)
            if name in categorical or (name in sampled and _few_first_values(values))
            else pd.array(values, dtype="str")
            for name, values in zip(header, columns, strict=True)
        }
    )
    return RawTable(table, file, frame, row_lines), []


def _categorical_columns(table: Table) -> frozenset[str]:
    """Return the columns read as pandas categories: those of few distinct values by design (`Column.few_values`)."""
    return frozenset(column.name for column in table.columns if column.few_values)


def _few_first_values(values: list[str]) -> bool:
    """Say whether the first SAMPLE_ROWS values hold few distinct texts (`few_distinct`), as the pyarrow path does."""
    first = values[:SAMPLE_ROWS]
    return few_distinct(len(set(first)), len(first))


def _sampled_columns(table: Table) -> frozenset[str]:
    """Return the columns read as categories when their first values are few: the others outside the primary key."""
    return frozenset(column.name for column in table.columns if not column.few_values and column.name not in table.primary_key)


def _parse_fast(source: bytes | BinaryIO, table: Table, file: str, *, sha256: bool = False) -> RawTable | None:
    """Parse a clean file with pyarrow (multi-threaded, C++); return None whenever the exact path must decide.

    `source`: the file's bytes, or the file opened at its start. Clean means: no carriage returns, a valid header, no
    blank lines, and quotes used only RFC 4180's strict way (a field that holds a quote is quoted whole, inner quotes
    doubled). Anything else, or any pyarrow error (invalid UTF-8, a wrong number of fields, an unbalanced quote),
    goes to `_parse`, which finds and words the problem.
    """
    from kz_timeline.reading.arrow_csv import read_clean_csv

    def header_of(line: bytes) -> list[str] | None:
        try:
            header = next(csv.reader([line.decode("utf-8")], strict=True))
        except (UnicodeDecodeError, csv.Error, StopIteration):
            return None
        return None if _check_header(header, table, file) else header

    read = read_clean_csv(source, header_of, _categorical_columns(table), _sampled_columns(table), sha256=sha256)
    if read is None:
        return None
    return RawTable(table, file, read.frame, read.row_lines, read.blake3, read.sha256, read.longest_record)


def _diagnosis(text: str, width: int, file: str, line: int, error: csv.Error | None) -> list[Problem]:
    """Locate what stopped the reader; fall back on the reader's own words should the diagnosis find nothing."""
    problems = diagnose_text(text, width, file)
    if problems:
        return problems
    return [Problem(file, line, None, f"not valid CSV: {error}" if error else "row has the wrong number of fields")]


def _check_header(header: list[str], table: Table, file: str) -> list[Problem]:
    expected = table.column_names
    problems: list[Problem] = []
    seen: set[str] = set()
    for name in header:
        if name in seen:
            problems.append(Problem(file, 1, name, "duplicate column"))
        seen.add(name)
    unknown = [name for name in header if name not in expected]
    for name in unknown:
        guess = difflib.get_close_matches(name, [n for n in expected if n not in header], n=1)
        hint = f" (did you mean {guess[0]!r}?)" if guess else f"; the columns are {', '.join(expected)}"
        problems.append(Problem(file, 1, name, f"unknown column{hint}"))
    for name in expected:
        if name not in header:
            problems.append(Problem(file, 1, name, "missing column"))
    return problems


def canonical_csv(table: Table, rows: Iterable[Sequence[str]]) -> str:
    """Return the canonical CSV text of `rows` (already in column and row order): LF, minimal quoting.

    Written by hand, not by csv.writer: with an LF line terminator, Python 3.11's writer leaves a field holding a lone
    carriage return unquoted, and reading the file back then splits the row there.
    """
    lines = [",".join(_quoted(value) for value in row) for row in [table.column_names, *rows]]
    return "".join(f"{line}\n" for line in lines)


def _quoted(value: str) -> str:
    """Quote a field when it holds a comma, a quote or a line break; double the quotes inside it."""
    if any(char in value for char in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def table_digests(directory: Path, file_digest: Callable[[Path], str] = file_sha256) -> dict[str, str | None]:
    """Return the digest of every table's CSV file in `directory`, by file name; None where a file cannot be read.

    `file_digest`: SHA-256 by default (what the database records); the validated cache asks for `file_blake3`.
    """
    digests: dict[str, str | None] = {}
    for table in TABLES:
        try:
            digests[table.filename] = file_digest(directory / table.filename)
        except OSError:
            digests[table.filename] = None
    return digests
