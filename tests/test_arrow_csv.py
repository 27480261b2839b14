"""The pyarrow fast path reads exactly what the strict csv reader reads, and steps aside whenever a file is odd."""

from __future__ import annotations

from pathlib import Path

import pytest

from kz_timeline.reading.csv_files import BOM, RawTable, _parse, _parse_fast, read_table
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
    path.write_bytes(BOM + f"{HEADER}\n{ROW.format(place='x', description='y')}".encode())
    assert_same_read(path, EVENTS)


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
