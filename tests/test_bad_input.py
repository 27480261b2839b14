"""Bad input: every case of tests/fixtures/bad is refused with its file, line and column, and nothing is written.

Each case directory holds a broken (or unusual but valid) copy of the minimal dataset and a case.toml that says what
`validate` must report. The very large files are generated here, in a temporary directory.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from kz_timeline.cli import main
from kz_timeline.dataset.loader import load, validate
from kz_timeline.errors import DataValidationError
from kz_timeline.site.database import build_database
from tests.conftest import FIXTURES

BAD = FIXTURES / "bad"
CASES = sorted(path for path in BAD.iterdir() if (path / "case.toml").is_file())
REJECTED = [case for case in CASES if not tomllib.loads((case / "case.toml").read_text(encoding="utf-8")).get("accepted")]
ACCEPTED = [case for case in CASES if case not in REJECTED]
CLASSES = {"files", "structure", "values", "graph", "provenance", "method"}
#: The cases of the method's rules (docs/METHODOLOGY.md, M1-M8): each gives the whole message, not a fragment of it.
METHOD = [case for case in REJECTED if tomllib.loads((case / "case.toml").read_text(encoding="utf-8"))["class"] == "method"]


def meta(case: Path) -> dict[str, Any]:
    return tomllib.loads((case / "case.toml").read_text(encoding="utf-8"))


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kz_timeline", *args], capture_output=True, text=True, check=False, env=dict(os.environ)
    )


def copy_case(case: Path, tmp_path: Path) -> Path:
    target = tmp_path / case.name
    shutil.copytree(case, target)
    (target / "case.toml").unlink()
    return target


def snapshot(directory: Path) -> dict[str, bytes]:
    """Return every file under `directory` (relative path -> bytes), directories included as markers."""
    return {
        str(path.relative_to(directory)): path.read_bytes() if path.is_file() else b"<dir>"
        for path in sorted(directory.rglob("*"))
    }


def expected_location(data_dir: Path, case: dict[str, Any]) -> tuple[str, str | None]:
    """Return the prefix a problem line must start with, and the `column 'x'` part it must hold (if any)."""
    prefix = f"{data_dir / case['file']}"
    if "line" in case:
        prefix += f":{case['line']}"
    column = case.get("column")
    if isinstance(column, int):
        return f"{prefix}:{column}: ", None
    return f"{prefix}: ", None if column is None else f"column {column!r}: "


def test_the_corpus_covers_every_class_with_at_least_60_cases() -> None:
    kinds = {meta(case)["class"] for case in CASES}
    assert kinds == CLASSES
    assert len(CASES) >= 60


def test_every_machine_checkable_rule_of_the_method_has_a_case() -> None:
    rules = {meta(case)["message"].split(":", 1)[0] for case in METHOD}
    assert rules == {"M1", "M2", "M4", "M5", "M6", "M7", "M8"}  # M3: the provenance cases


@pytest.mark.parametrize("case", METHOD, ids=lambda case: case.name)
def test_each_rule_of_the_method_is_reported_in_its_own_words_and_alone(case: Path, tmp_path: Path) -> None:
    expected = meta(case)
    data_dir = copy_case(case, tmp_path)
    with pytest.raises(DataValidationError) as raised:
        validate(data_dir, [data_dir / "article.txt"])
    where = f"{data_dir / expected['file']}" + (f":{expected['line']}" if "line" in expected else "")
    what = f"column {expected['column']!r}: {expected['message']}" if "column" in expected else expected["message"]
    assert [str(problem) for problem in raised.value.problems] == [f"{where}: {what}"]
    assert {meta(case)["class"] for case in ACCEPTED} >= {"files"}
    names = {case.name for case in ACCEPTED}
    assert {"file_bom", "file_crlf", "file_bom_and_crlf"} <= names


def test_the_corpus_is_what_make_cases_writes(tmp_path: Path) -> None:
    sys.path.insert(0, str(BAD))
    try:
        import make_cases
    finally:
        sys.path.remove(str(BAD))
    made = make_cases.make(tmp_path)
    assert sorted(path.name for path in made) == [case.name for case in CASES]
    for case in CASES:
        comparison = filecmp.dircmp(case, tmp_path / case.name)
        assert snapshot(case) == snapshot(tmp_path / case.name), comparison.report()


@pytest.mark.parametrize("case", REJECTED, ids=lambda case: case.name)
def test_validate_names_file_line_column_and_problem(case: Path, tmp_path: Path) -> None:
    expected = meta(case)
    data_dir = copy_case(case, tmp_path)
    result = run_cli("validate", "--data-dir", str(data_dir), "--article", str(data_dir / "article.txt"))
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    prefix, column = expected_location(data_dir, expected)
    lines = result.stderr.splitlines()
    matching = [
        line
        for line in lines
        if line.startswith(prefix) and (column is None or line[len(prefix) :].startswith(column)) and expected["message"] in line
    ]
    assert matching, f"no line starts with {prefix!r}{column or ''} and holds {expected['message']!r}:\n{result.stderr}"
    assert lines[-1].endswith("problem(s) found")


@pytest.mark.parametrize("case", REJECTED, ids=lambda case: case.name)
def test_fmt_refuses_and_leaves_every_file_byte_identical(case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expected = meta(case)
    data_dir = copy_case(case, tmp_path)
    before = snapshot(data_dir)
    # In process (the CLI's own main()): interpreter start-up for ~100 cases twice over would dominate the suite.
    returncode = main(["fmt", "--data-dir", str(data_dir)])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    if expected.get("fmt_repairs"):
        # A derived column that disagrees with `date` is what fmt is for: it recomputes it, and the data is valid.
        assert returncode == 0, err
        assert main(["validate", "--data-dir", str(data_dir)]) == 0
        return
    if expected.get("article_only"):
        assert returncode == 0, err  # fmt does not read the article; the tables themselves are fine
        assert out == f"all files in {data_dir} are formatted\n"
    else:
        assert returncode == 1, out
        assert out == ""
        assert err.splitlines()[-1].endswith("problem(s) found") or err.startswith("Error: ")
    assert snapshot(data_dir) == before
    assert not list(data_dir.glob(".*.tmp")), "a temporary file was left behind"


@pytest.fixture(scope="module")
def built_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a database built from the minimal dataset: the 'previous build' that a refused build must keep."""
    path = tmp_path_factory.mktemp("previous") / "kz-timeline.db"
    build_database(FIXTURES / "minimal", path)
    return path


#: Cases that the tables alone show (build, like fmt, does not read the article; `validate --article` is that gate).
BUILD_REFUSES = [case for case in REJECTED if not meta(case).get("article_only")]


@pytest.mark.parametrize("case", BUILD_REFUSES, ids=lambda case: case.name)
def test_build_refuses_and_leaves_the_previous_database_byte_identical(
    case: Path, tmp_path: Path, built_database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = copy_case(case, tmp_path)
    database = tmp_path / "out" / "kz-timeline.db"
    database.parent.mkdir()
    shutil.copy2(built_database, database)
    before = database.read_bytes()
    assert main(["build", "--data-dir", str(data_dir), "--db", str(database)]) == 1
    out, err = capsys.readouterr()
    assert out == "" and "Traceback" not in err
    assert err.splitlines()[-1].endswith("problem(s) found") or err.startswith("Error: ")
    assert database.read_bytes() == before
    assert [path.name for path in database.parent.iterdir()] == ["kz-timeline.db"], "a temporary file was left behind"


@pytest.mark.parametrize("case", ACCEPTED, ids=lambda case: case.name)
def test_unusual_but_valid_input_is_accepted(case: Path, tmp_path: Path) -> None:
    data_dir = copy_case(case, tmp_path)
    result = run_cli("validate", "--data-dir", str(data_dir), "--article", str(data_dir / "article.txt"))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


@pytest.mark.parametrize("case", ACCEPTED, ids=lambda case: case.name)
def test_fmt_makes_accepted_input_canonical_without_changing_a_value(case: Path, tmp_path: Path) -> None:
    data_dir = copy_case(case, tmp_path)
    before = load(data_dir).text_tables
    result = run_cli("fmt", "--data-dir", str(data_dir))
    assert result.returncode == 0, result.stderr
    after = load(data_dir).text_tables
    for name, frame in before.items():
        ordered = frame[list(after[name].columns)].sort_values(list(after[name].columns[:1]), kind="stable")
        assert ordered.reset_index(drop=True).equals(after[name].reset_index(drop=True)), name
    minimal = FIXTURES / "minimal"
    for path in minimal.glob("*.csv"):
        data = (data_dir / path.name).read_bytes()
        assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data, path.name
        if meta(case)["class"] == "method":  # values of their own, already canonical: fmt leaves them as they are
            assert data == (case / path.name).read_bytes(), path.name
        elif case.name != "file_header_only_event_links" and case.name != "file_header_only_evidence":
            assert data == path.read_bytes(), path.name
    assert main(["fmt", "--check", "--data-dir", str(data_dir)]) == 0


# ------------------------------------------------------------------------------------------------ very large files

EVENT_ROW = (
    "event_{n:06d},Event {n},2022-01-05,2022-01-05,2022-01-05,day,exact,closed,protest,january_2022_unrest,false,"
    '"Almaty, Kazakhstan",KZ,Protesters gather for the {n}th time.,\n'
)
#: Each claim quotes its own span of the record (M2: no two claims share one); its text is not checked here.
CLAIM_ROW = (
    "claim_{n:06d},The record mentions event {n}.,fact,president,record,the President spoke in St. Petersburg,{start},"
    "{end},event_{n:06d},,unverified,No other source was sought.\n"
)


def write_large_dataset(data_dir: Path, rows: int, last_date: str = "2022-01-05") -> None:
    """Add `rows` events, each backed by a claim, to a copy of the minimal dataset (tens of megabytes)."""
    events = (data_dir / "events.csv").read_text(encoding="utf-8")
    claims = (data_dir / "claims.csv").read_text(encoding="utf-8")
    body = "".join(EVENT_ROW.format(n=n) for n in range(rows - 1))
    last = EVENT_ROW.format(n=rows - 1).replace("2022-01-05,2022-01-05,2022-01-05", f"{last_date},2022-01-05,2022-01-05")
    (data_dir / "events.csv").write_text(events + body + last, encoding="utf-8", newline="")
    (data_dir / "claims.csv").write_text(
        claims + "".join(CLAIM_ROW.format(n=n, start=40 * n, end=40 * n + 37) for n in range(rows)),
        encoding="utf-8",
        newline="",
    )


def test_a_very_large_file_with_one_bad_date_on_its_last_line_is_located(minimal_dir: Path) -> None:
    rows = 50_000
    write_large_dataset(minimal_dir, rows, last_date="2022-02-30")
    assert (minimal_dir / "events.csv").stat().st_size > 8_000_000
    result = run_cli("validate", "--data-dir", str(minimal_dir))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{minimal_dir}/events.csv:{rows + 3}: column 'date': not a valid date: '2022-02-30': February 2022 has no day 30",
        "1 problem(s) found",
    ]


def test_a_very_large_valid_file_is_accepted(minimal_dir: Path) -> None:
    write_large_dataset(minimal_dir, 50_000)
    result = run_cli("validate", "--data-dir", str(minimal_dir))
    assert result.returncode == 0, result.stderr[:2000]
    assert "50002 events" in result.stdout


def test_an_unbalanced_quote_near_the_top_of_a_very_large_file_is_found_where_it_opens(minimal_dir: Path) -> None:
    write_large_dataset(minimal_dir, 50_000)
    events = minimal_dir / "events.csv"
    events.write_bytes(events.read_bytes().replace(b'"Almaty, Kazakhstan"', b'"Almaty, Kazakhstan', 1))
    result = run_cli("validate", "--data-dir", str(minimal_dir))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{events}:2:108: quote opened here is not closed on its line: it runs to a quote on line 3, where text follows it "
        "(column 128); close the quote where the field ends",
        "1 problem(s) found",
    ]


@pytest.mark.parametrize("line_ending", ["\n", "\r\n"], ids=["lf_fast_path", "crlf_exact_path"])
def test_a_field_longer_than_the_csv_modules_limit_is_read_whole(minimal_dir: Path, line_ending: str) -> None:
    # Python's csv module stops at 131,072 characters, pyarrow does not: both readers read the field whole, as the
    # length in the message shows, and refuse it as longer than the site can show.
    long_text = 'Қазақстан, "quoted"\n' * 12_000
    events = minimal_dir / "events.csv"
    text = events.read_text(encoding="utf-8").replace("A court sentences an editor.", '"' + long_text.replace('"', '""') + '"')
    events.write_bytes(text.replace("\n", line_ending).encode("utf-8") if line_ending != "\n" else text.encode("utf-8"))
    assert events.stat().st_size > 300_000
    with pytest.raises(DataValidationError) as raised:
        load(minimal_dir)
    length = len(long_text.encode("utf-8"))  # a CRLF inside the field is read as LF
    assert [str(problem) for problem in raised.value.problems] == [
        f"{events}:2: column 'description': is {length:,} bytes long in UTF-8; a value may hold at most 16,384 "
        "(the site's SQLite limit, SECURITY.md): shorten it"
    ]


def test_a_lone_carriage_return_inside_a_field_survives_fmt(minimal_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Found by tests/test_properties.py: Python 3.11's csv.writer left such a field unquoted, splitting the row.
    evidence = minimal_dir / "evidence.csv"
    evidence.write_bytes(
        evidence.read_bytes().replace(b"The record dates", b'"The record\rdates', 1).replace(b"2017.\n", b'2017."\n')
    )
    assert load(minimal_dir).evidence["note"].iloc[0] == "The record\rdates the sentence to 7 September 2017."
    assert main(["fmt", "--data-dir", str(minimal_dir)]) == 0
    assert load(minimal_dir).evidence["note"].iloc[0] == "The record\rdates the sentence to 7 September 2017."


def test_the_docs_give_the_number_of_cases_the_corpus_holds() -> None:
    text = (FIXTURES.parent.parent / "docs" / "bad-input.md").read_text(encoding="utf-8")
    assert f"`tests/fixtures/bad/` holds {len(CASES)} named cases" in text
    assert f"the {sum(case.name.startswith('method_') for case in CASES)} `method_*` cases" in text
