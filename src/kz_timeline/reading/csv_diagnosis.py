"""Explain why a CSV file cannot be read: encoding, NUL bytes, delimiters, quotes and ragged rows, located exactly.

The fast reader in csv_files stops at the first sign of trouble; the functions here run only then, and say where
the trouble is (line and 1-based character column) and what to do about it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from kz_timeline.errors import Problem

#: Byte-order marks of encodings that spreadsheets write and that are not UTF-8.
_FOREIGN_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)
_QUOTED = re.compile(r'"(?:[^"]|"")*"')
_UNQUOTED = re.compile(r"[^,\r\n]*")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def byte_position(data: bytes, offset: int) -> tuple[int, int]:
    """Return the 1-based line and character column of byte `offset` of UTF-8-ish `data`."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", errors="replace")) + 1
    return data.count(b"\n", 0, offset) + 1, column


def diagnose_binary(data: bytes, file: str) -> Problem | None:
    """Return the problem when `data` (UTF-8 BOM removed) is UTF-16/32 or holds a NUL byte, else None."""
    for bom, encoding in _FOREIGN_BOMS:
        if data.startswith(bom):
            return Problem(
                file, 1, None, f"the file is encoded as {encoding} (it starts with its byte-order mark); save it as UTF-8", 1
            )
    utf16 = _looks_like_utf16(data)
    if utf16:
        return Problem(file, 1, None, f"the file looks encoded as {utf16} (every other byte is NUL); save it as UTF-8", 1)
    nul = data.find(b"\x00")
    if nul >= 0:
        line, column = byte_position(data, nul)
        return Problem(file, line, None, f"NUL byte (byte offset {nul}); the file is binary or corrupt, not CSV text", column)
    return None


def describe_decode_error(data: bytes, error: UnicodeDecodeError, file: str) -> Problem:
    """Locate a UTF-8 decoding error by line, column and byte offset, and guess the encoding the file is in."""
    line, column = byte_position(data, error.start)
    guess = _guess_encoding(data[error.start : error.start + 8])
    return Problem(
        file,
        line,
        None,
        f"not valid UTF-8: byte 0x{data[error.start]:02x} at byte offset {error.start}{guess}; save the file as UTF-8",
        column,
    )


def _looks_like_utf16(data: bytes) -> str | None:
    sample = data[:512]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return "UTF-16LE"
    if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "UTF-16BE"
    return None


def _guess_encoding(sample: bytes) -> str:
    """Name the likely legacy encoding of the bytes that are not UTF-8 (Cyrillic words are runs of high bytes)."""
    run = sample[: next((i for i, byte in enumerate(sample) if byte < 0x80), len(sample))]
    letters = run.decode("cp1251", errors="replace")
    if len(run) >= 2 and all("\u0400" <= char <= "\u04ff" for char in letters):
        return " (it looks like Windows-1251 Cyrillic)"
    return " (it looks like Latin-1 or Windows-1252)"


def diagnose_header(header: Sequence[str], expected: Sequence[str], file: str) -> Problem | None:
    """Return a problem when the header row is blank, or one field that splits into the expected names otherwise."""
    if not header:
        return Problem(file, 1, None, f"the first line is blank; the header row must come first: {','.join(expected)}")
    if len(header) != 1:
        return None
    for delimiter, name in ((";", "';'"), ("\t", "tab"), ("|", "'|'")):
        names = header[0].split(delimiter)
        if len(names) > 1 and set(names) & set(expected):
            return Problem(
                file,
                1,
                None,
                f"the file uses {name} as the delimiter; save it as comma-separated CSV (columns: {','.join(expected)})",
            )
    return None


@dataclass(frozen=True)
class Field:
    """Where one field of a record starts and ends."""

    line: int
    column: int
    end_line: int
    quoted: bool


@dataclass(frozen=True)
class Record:
    """One CSV record as found by the scanner: its fields, or the problem that stopped the scan."""

    line: int
    end_line: int
    fields: tuple[Field, ...]
    line_length: int  # characters on the record's last line, line break excluded


@dataclass(frozen=True)
class ScanError:
    """A quoting error: where it is and what it is."""

    line: int
    column: int
    message: str


class _Cursor:
    """A position in the text that knows its line and column."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1
        self.line_start = 0

    @property
    def column(self) -> int:
        return self.pos - self.line_start + 1

    def advance_to(self, end: int) -> None:
        for match in _LINE_BREAK.finditer(self.text, self.pos, end):
            self.line += 1
            self.line_start = match.end()
        self.pos = end


def scan(text: str) -> Iterator[Record | ScanError]:
    """Split `text` into records as Python's strict csv reader does, yielding a ScanError where it would fail."""
    cursor = _Cursor(text)
    size = len(text)
    while cursor.pos < size:
        start_line = cursor.line
        fields: list[Field] = []
        while True:
            line, column = cursor.line, cursor.column
            if cursor.pos < size and text[cursor.pos] == '"':
                match = _QUOTED.match(text, cursor.pos)
                if match is None:
                    yield ScanError(line, column, "quote opened here never closes")
                    return
                cursor.advance_to(match.end())
                fields.append(Field(line, column, cursor.line, True))
                if cursor.pos < size and text[cursor.pos] not in ",\r\n" and cursor.line > line:
                    yield ScanError(
                        line,
                        column,
                        f"quote opened here is not closed on its line: it runs to a quote on line {cursor.line}, "
                        f"where text follows it (column {cursor.column}); close the quote where the field ends",
                    )
                    return
                if cursor.pos < size and text[cursor.pos] not in ",\r\n":
                    yield ScanError(
                        cursor.line,
                        cursor.column,
                        f"text after the closing quote of the field that starts at line {line}, column {column}; "
                        'inside a quoted field write a quote twice ("")',
                    )
                    return
            else:
                match = _UNQUOTED.match(text, cursor.pos)
                assert match is not None  # the pattern matches the empty string
                cursor.advance_to(match.end())
                fields.append(Field(line, column, line, False))
            if cursor.pos < size and text[cursor.pos] == ",":
                cursor.advance_to(cursor.pos + 1)
                continue
            break
        length = cursor.pos - cursor.line_start
        breaker = _LINE_BREAK.match(text, cursor.pos)
        cursor.advance_to(breaker.end() if breaker else size)
        if len(fields) == 1 and fields[0].column == length + 1 and not fields[0].quoted:
            fields = []  # a blank line
        yield Record(start_line, fields[-1].end_line if fields else start_line, tuple(fields), length)


def diagnose_text(text: str, width: int, file: str) -> list[Problem]:
    """Return every structural problem of CSV `text` whose header has `width` fields, located by line and column."""
    problems: list[Problem] = []
    for found in scan(text):
        if isinstance(found, ScanError):
            problems.append(Problem(file, found.line, None, found.message, found.column))
            break
        if found.line == 1:
            continue
        if not found.fields:
            problems.append(Problem(file, found.line, None, "blank line; delete it"))
            continue
        count = len(found.fields)
        if count == width:
            continue
        problems.append(_ragged(found, width, file))
    return problems


def _ragged(record: Record, width: int, file: str) -> Problem:
    count = len(record.fields)
    expected = f"expected {width} fields as in the header, found {count}"
    spanning = next((field for field in record.fields if field.quoted and field.end_line > field.line), None)
    if spanning is not None:
        return Problem(
            file,
            spanning.line,
            None,
            f"{expected}: the quote opened here closes only on line {spanning.end_line}, so everything in between "
            "became one field; close the quote where the field ends",
            spanning.column,
        )
    if count > width:
        extra = record.fields[width]
        return Problem(file, extra.line, None, f"{expected}; the first extra field starts here (a stray comma?)", extra.column)
    return Problem(file, record.end_line, None, f"{expected}; the row ends here", record.line_length + 1)
