"""The pyarrow fast path reads exactly what the strict csv reader reads, and steps aside whenever a file is odd."""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

import blake3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kz_timeline.reading import fast_paths
from kz_timeline.reading.arrow_csv import CleanCsv, _CleanScan, _NotClean, read_clean_csv
from kz_timeline.reading.csv_files import (
    BOM,
    RawTable,
    _categorical_columns,
    _parse,
    _parse_fast,
    _sampled_columns,
    read_table,
)
from kz_timeline.reading.text_categories import SAMPLE_ROWS
from kz_timeline.schema.tables import EVENTS, TABLES, Table
from tests.conftest import DATA_DIR, FIXTURES

HEADER = ",".join(EVENTS.column_names)
ROW = "e1,Title,2017-09,2017-09-01,2017-09-30,month,exact,closed,verdict,mamai_case,true,{place},KZ,{description},"


def exact(path: Path, table: Table) -> tuple[RawTable | None, list[str]]:
    """Read `path` with the strict csv reader only (the path that existed before the fast one)."""
    data = path.read_bytes().removeprefix(BOM)
    raw, problems = _parse(data.decode("utf-8"), table, str(path))
    return raw, [str(problem) for problem in problems]


def assert_same_read(path: Path, table: Table) -> RawTable:
    raw, problems = read_table(path, table)
    expected, expected_problems = exact(path, table)
    assert [str(problem) for problem in problems] == expected_problems
    assert raw is not None and expected is not None
    assert raw.frame.equals(expected.frame)
    assert list(raw.frame.dtypes) == list(expected.frame.dtypes)
    assert [raw.line_of(i) for i in range(len(raw.frame))] == list(expected.row_lines)
    return raw


@pytest.mark.parametrize("table", TABLES, ids=lambda table: table.name)
@pytest.mark.parametrize("directory", [DATA_DIR, FIXTURES / "minimal"], ids=["shipped", "minimal"])
def test_fast_path_reads_every_fixture_table_like_the_exact_path(directory: Path, table: Table) -> None:
    data = (directory / table.filename).read_bytes()
    assert _parse_fast(data, table, "x") is not None, "the shipped files are clean: the fast path must take them"
    assert_same_read(directory / table.filename, table)


def write_events(tmp_path: Path, *rows: str, ending: str = "\n", prefix: bytes = b"") -> Path:
    path = tmp_path / "events.csv"
    path.write_bytes(prefix + ending.join([HEADER, *rows, ""]).encode("utf-8"))
    return path


def test_fast_path_takes_quotes_commas_newlines_and_cyrillic_in_fields(tmp_path: Path) -> None:
    rows = [
        ROW.format(place='"Almaty, Kazakhstan"', description='"He said ""no"",\nthen left;\n\nМамай too."'),
        ROW.replace("e1,", "e2,").format(place='""', description='"""quoted"" at the start"'),
        ROW.replace("e1,", "e3,").format(place="Astana", description='"ends with a quote"""'),
    ]
    path = write_events(tmp_path, *rows)
    assert _parse_fast(path.read_bytes(), EVENTS, "x") is not None
    raw = assert_same_read(path, EVENTS)
    assert raw.frame["description"].tolist() == [
        'He said "no",\nthen left;\n\nМамай too.',
        '"quoted" at the start',
        'ends with a quote"',
    ]
    assert [raw.line_of(i) for i in range(3)] == [2, 6, 7]
    assert raw.frame["place"].tolist() == ["Almaty, Kazakhstan", "", "Astana"]


def test_fast_path_takes_a_bom_and_a_missing_final_newline(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    last = ROW.format(place="x", description="y" * 500)  # the longest row, with no line break after it
    path.write_bytes(BOM + f"{HEADER}\n{ROW.format(place='x', description='y')}\n{last}".encode())
    raw = assert_same_read(path, EVENTS)
    assert raw.longest_record == len(last.encode())


@pytest.mark.parametrize(
    ("case", "rows", "ending"),
    [
        ("crlf", [ROW.format(place='"a\r\nb"', description="d")], "\r\n"),
        (
            "blank line",
            [ROW.format(place="a", description="d"), "", ROW.replace("e1,", "e2,").format(place="a", description="d")],
            "\n",
        ),
        ("trailing blank line", [ROW.format(place="a", description="d"), ""], "\n"),
        ("text after a closing quote", [ROW.format(place='"a"b', description="d")], "\n"),
        ("quote after an empty quoted field", [ROW.format(place='""b', description="d")], "\n"),
        ("quote inside an unquoted field", [ROW.format(place='a"b', description="d")], "\n"),
        ("unbalanced quote", [ROW.format(place='"a', description="d")], "\n"),
        ("too many fields", [ROW.format(place="a,b", description="d")], "\n"),
        ("too few fields", ["e1,Title"], "\n"),
    ],
)
def test_odd_files_leave_the_fast_path_and_get_the_exact_result(tmp_path: Path, case: str, rows: list[str], ending: str) -> None:
    path = write_events(tmp_path, *rows, ending=ending)
    assert _parse_fast(path.read_bytes(), EVENTS, "x") is None, case
    raw, problems = read_table(path, EVENTS)
    expected, expected_problems = exact(path, EVENTS)
    assert [str(problem) for problem in problems] == expected_problems
    assert (raw is None) == (expected is None)
    if raw is not None and expected is not None:
        assert raw.frame.equals(expected.frame)
        assert list(raw.row_lines) == list(expected.row_lines)


def test_invalid_utf8_gets_the_exact_message(tmp_path: Path) -> None:
    path = write_events(tmp_path, ROW.format(place="a", description="d"))
    path.write_bytes(path.read_bytes().replace(b",d,", b",\xff,"))
    assert _parse_fast(path.read_bytes(), EVENTS, "x") is None
    _, problems = read_table(path, EVENTS)
    offset = path.read_bytes().index(b"\xff")
    assert [str(problem) for problem in problems] == [
        f"{path}:2:88: not valid UTF-8: byte 0xff at byte offset {offset} (it looks like Latin-1 or Windows-1252); "
        "save the file as UTF-8"
    ]


def test_bad_header_gets_the_exact_message(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text(HEADER.replace("title", "titel") + "\n", encoding="utf-8")
    assert _parse_fast(path.read_bytes(), EVENTS, "x") is None
    _, problems = read_table(path, EVENTS)
    assert [str(problem) for problem in problems] == [
        f"{path}:1: column 'titel': unknown column (did you mean 'title'?)",
        f"{path}:1: column 'title': missing column",
    ]


def test_header_only_file_reads_as_an_empty_table(tmp_path: Path) -> None:
    path = write_events(tmp_path)
    raw = assert_same_read(path, EVENTS)
    assert len(raw.frame) == 0


def header_of_events(line: bytes) -> list[str] | None:
    """The header as the fast path takes it: the events table's columns, else None."""
    header = next(csv.reader([line.decode("utf-8")], strict=True))
    return header if header == list(EVENTS.column_names) else None


def read_in_blocks(data: bytes | io.BytesIO, block_size: int) -> CleanCsv | None:
    """Read events.csv (its bytes, or a file) as the fast path does, `block_size` bytes at a time."""
    return read_clean_csv(data, header_of_events, _categorical_columns(EVENTS), _sampled_columns(EVENTS), block_size=block_size)


def longest_record(data: bytes) -> int:
    """Return the most bytes a row of strict CSV `data` takes, its line break included (a byte at a time, in Python)."""
    longest, start, quoted = 0, 0, False
    for index, byte in enumerate(data):
        if byte == ord('"'):
            quoted = not quoted
        elif byte == ord("\n") and not quoted:
            longest, start = max(longest, index + 1 - start), index + 1
    return max(longest, len(data) - start)


def assert_same_as_exact(read: CleanCsv, data: bytes) -> None:
    expected, problems = _parse(data.removeprefix(BOM).decode("utf-8"), EVENTS, "x")
    assert problems == [] and expected is not None
    assert read.frame.equals(expected.frame)
    assert list(read.frame.dtypes) == list(expected.frame.dtypes)
    assert list(read.row_lines) == list(expected.row_lines)
    assert read.blake3 == blake3.blake3(data).hexdigest()
    assert read.longest_record == longest_record(data.removeprefix(BOM))


#: Cells with what the block-by-block proof must get right at every block boundary: quotes, doubled quotes, commas,
#: line breaks inside values, carriage returns, NUL bytes, Cyrillic (several bytes a character).
FIELDS = st.text(alphabet='ab,"\n\r\x00М', max_size=8)


@settings(max_examples=300, deadline=None)
@given(
    cells=st.lists(st.tuples(FIELDS, FIELDS), min_size=0, max_size=6),
    quoted=st.lists(st.booleans(), min_size=12, max_size=12),
    bom=st.booleans(),
    final_newline=st.booleans(),
    block_size=st.integers(min_value=1, max_value=40),
)
def test_reading_block_by_block_gives_the_exact_result_or_steps_aside(
    cells: list[tuple[str, str]], quoted: list[bool], bom: bool, final_newline: bool, block_size: int
) -> None:
    # Fields written raw or quoted (inner quotes doubled): raw ones may break the strict form, which must be refused.
    def field(value: str, index: int) -> str:
        return '"' + value.replace('"', '""') + '"' if quoted[index % len(quoted)] else value

    rows = [
        ROW.replace("e1,", f"e{i},").format(place=field(place, 2 * i), description=field(text, 2 * i + 1))
        for i, (place, text) in enumerate(cells)
    ]
    data = (BOM if bom else b"") + ("\n".join([HEADER, *rows]) + ("\n" if final_newline else "")).encode("utf-8")
    read = read_in_blocks(data, block_size)
    whole = read_in_blocks(data, len(data) + 1)
    assert (read is None) == (whole is None), "the block size must not change the verdict"
    # A header with no line break after it is left to the exact reader too.
    clean = b"\r" not in data and b"\x00" not in data and all(quoted[: 2 * len(cells)]) and (cells or final_newline)
    if read is not None:
        assert_same_as_exact(read, data)
    elif clean:
        raise AssertionError("a file of strictly quoted fields, no carriage return and no NUL must be taken")


def many_rows(count: int, *, description_of: dict[int, str] | None = None) -> bytes:
    """Return events.csv of `count` rows, row i's description `description_of[i]` where given, else plain."""
    described = description_of or {}
    rows = [ROW.replace("e1,", f"e{i},").format(place="Astana", description=described.get(i, f"d{i}")) for i in range(count)]
    return ("\n".join([HEADER, *rows]) + "\n").encode("utf-8")


class CountingReader(io.BytesIO):
    """A file that records the size of every read."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.reads: list[int] = []

    def read(self, size: int | None = -1) -> bytes:
        block = super().read(size)
        self.reads.append(len(block))
        return block


def test_a_clean_file_is_read_once_a_block_at_a_time_never_whole() -> None:
    data = many_rows(SAMPLE_ROWS + 2_000)
    source = CountingReader(data)
    read = read_in_blocks(source, 4096)
    assert read is not None
    assert sum(source.reads) == len(data), "each byte is read once"
    assert max(source.reads) == 4096 < len(data) // 100
    assert_same_as_exact(read, data)


def test_a_line_break_in_a_value_after_the_first_rows_makes_pyarrow_parse_again_told_so() -> None:
    late = SAMPLE_ROWS + 1_000  # past the rows read ahead, which said no value holds a line break
    data = many_rows(SAMPLE_ROWS + 2_000, description_of={late: '"two\nlines"', late + 1: '"and, ""more"""'})
    source = CountingReader(data)
    read = read_in_blocks(source, 4096)
    assert read is not None
    assert len(data) < sum(source.reads) <= 2 * len(data), "read again from the start"
    assert_same_as_exact(read, data)
    assert (read.row_lines[late], read.row_lines[late + 1]) == (late + 2, late + 4)


@pytest.mark.parametrize(
    ("case", "description", "valid"),
    [
        ("carriage return in a quoted value", '"a\r\nb"', True),
        ("NUL byte", "a\x00b", False),
        ("text after a closing quote", '"a"b', False),
        ("unbalanced quote", '"a', False),
        ("too many fields", "a,b", False),
    ],
)
def test_an_odd_row_after_the_first_rows_gets_the_exact_result(tmp_path: Path, case: str, description: str, valid: bool) -> None:
    path = tmp_path / "events.csv"
    path.write_bytes(many_rows(SAMPLE_ROWS + 500, description_of={SAMPLE_ROWS + 300: description}))
    assert read_in_blocks(path.read_bytes(), 4096) is None, case
    raw, problems = read_table(path, EVENTS)
    with fast_paths.exact_only():
        expected, expected_problems = read_table(path, EVENTS)
    assert [str(problem) for problem in problems] == [str(problem) for problem in expected_problems]
    assert (expected_problems == []) == valid
    if valid:
        assert raw is not None and expected is not None and raw.frame.equals(expected.frame)


#: Files whose verdict hangs on the bytes beside a quote, on a line break inside or outside quotes, or on a blank line.
SPLIT_CASES = [
    'h\n"a",b\n',
    'h\na"b\n',
    'h\n"a"b\n',
    'h\n""b\n',
    'h\n"a""b"\n',
    'h\n"a\nb"\n',
    'h\n"a\n\nb",c\n',
    "h\na\n\nb\n",
    'h\n"a"\n"b"',
    'h\n"a"\n"',
    '"h"\n"a,""b"",\n",""\n',
    'h\nМ"М"\n',
    'h\n"М""М"\n',
]


@pytest.mark.parametrize("text", SPLIT_CASES)
def test_the_proof_does_not_depend_on_where_the_blocks_split(text: str) -> None:
    data = text.encode("utf-8")

    def verdict(block_size: int) -> tuple[int, list[int]] | str:
        scan = _CleanScan(block_size, newlines_in_values=True)
        try:
            for start in range(0, len(data), block_size):
                scan.add(data[start : start + block_size])
            count, lines = scan.finish()
        except _NotClean:
            return "not clean"
        return count, list(lines)

    whole = verdict(len(data))
    assert [verdict(size) for size in range(1, len(data))] == [whole] * (len(data) - 1)


@pytest.mark.parametrize("cut", [False, True], ids=["inside a block", "at a block's end"])
def test_bytes_that_are_not_utf8_after_the_first_rows_get_the_exact_message(tmp_path: Path, cut: bool) -> None:
    # pyarrow is not asked to check the text: the scan's proof, a block at a time, must refuse it.
    data = many_rows(SAMPLE_ROWS + 500, description_of={SAMPLE_ROWS + 300: "caf\u00e9"})
    at = data.index("caf\u00e9".encode()) + 3
    bad = data[:at] + b"\xc3" + data[at + 2 :]  # the first byte of é kept, its second gone: a character cut short
    path = tmp_path / "events.csv"
    path.write_bytes(bad)
    block = 4096 if not cut else at + 1  # the first block ends right after the cut character's first byte
    assert read_in_blocks(bad, block) is None
    assert read_in_blocks(data, block) is not None
    raw, problems = read_table(path, EVENTS)
    with fast_paths.exact_only():
        _, expected_problems = read_table(path, EVENTS)
    assert raw is None and [str(problem) for problem in problems] == [str(problem) for problem in expected_problems]
    assert "not valid UTF-8" in str(problems[0])


@pytest.mark.parametrize("exact", [False, True], ids=["fast path", "exact path"])
def test_asked_for_it_the_reader_hashes_the_bytes_read_with_sha256_too(tmp_path: Path, exact: bool) -> None:
    data = BOM + many_rows(SAMPLE_ROWS + 10)
    path = tmp_path / "events.csv"
    path.write_bytes(data if not exact else data.replace(b"\n", b"\r\n"))  # CRLF: the exact reader's to read
    raw, problems = read_table(path, EVENTS, sha256=True)
    assert problems == [] and raw is not None
    assert raw.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert raw.blake3 == blake3.blake3(path.read_bytes()).hexdigest()
    assert read_table(path, EVENTS)[0].sha256 == ""
