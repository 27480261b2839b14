"""The command line: exit codes, one line per problem on stderr, no tracebacks, fmt that changes no value."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kz_timeline.cli import main
from tests.helpers import replace_in


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kz_timeline", *args], capture_output=True, text=True, check=False)


def test_validate_valid_data_prints_one_summary_line_and_exits_0(minimal_dir: Path) -> None:
    result = run_cli("validate", "--data-dir", str(minimal_dir), "--article", str(minimal_dir / "article.txt"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"{minimal_dir}: valid (2 events, 2 actors, 2 sources, 2 participants, 1 event_links, 2 claims, 1 evidence); "
        "2 quotes match article.txt"
    ]
    assert result.stderr == ""


def test_validate_invalid_data_lists_problems_on_stderr_and_exits_1(minimal_dir: Path) -> None:
    replace_in(minimal_dir / "events.csv", "verdict", "verdikt")
    result = run_cli("validate", "--data-dir", str(minimal_dir))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{minimal_dir}/events.csv:2: column 'event_type': 'verdikt' is not a term of the EventType vocabulary; "
        "did you mean 'verdict'?",
        "1 problem(s) found",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["validate", "--data-dir", "/nonexistent/dir"], "Error: /nonexistent/dir: data directory not found"),
        (["fmt", "--data-dir", "/nonexistent/dir"], "Error: /nonexistent/dir: data directory not found"),
    ],
)
def test_missing_data_directory_is_one_error_line(args: list[str], message: str) -> None:
    result = run_cli(*args)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [message]


def test_data_dir_that_is_a_file_is_one_error_line(minimal_dir: Path) -> None:
    result = run_cli("validate", "--data-dir", str(minimal_dir / "events.csv"))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"Error: {minimal_dir / 'events.csv'}: is not a directory"]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("args", [[], ["validate", "--no-such-option"], ["no-such-command"], ["fmt", "--check", "extra"]])
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = run_cli(*args)
    assert result.returncode == 2
    assert "usage: kz-timeline" in result.stderr


def test_debug_adds_a_traceback(minimal_dir: Path) -> None:
    replace_in(minimal_dir / "events.csv", "verdict", "verdikt")
    result = run_cli("--debug", "validate", "--data-dir", str(minimal_dir))
    assert result.returncode == 1
    assert "Traceback" in result.stderr


def test_fmt_recomputes_derived_columns_sorts_rows_and_normalises_line_endings(minimal_dir: Path) -> None:
    events = minimal_dir / "events.csv"
    canonical = events.read_bytes()
    header, first, second = canonical.decode().splitlines()
    scrambled = "\r\n".join([header, second, first.replace("2017-09-01,2017-09-30,month", ",,")]) + "\r\n"
    events.write_bytes(b"\xef\xbb\xbf" + scrambled.encode())
    assert main(["fmt", "--data-dir", str(minimal_dir), "--check"]) == 1
    assert events.read_bytes() == b"\xef\xbb\xbf" + scrambled.encode()
    assert main(["fmt", "--data-dir", str(minimal_dir)]) == 0
    assert events.read_bytes() == canonical
    assert main(["fmt", "--data-dir", str(minimal_dir), "--check"]) == 0


def test_fmt_refuses_invalid_data_and_touches_nothing(minimal_dir: Path) -> None:
    replace_in(minimal_dir / "events.csv", "verdict", "verdikt")
    before = {path.name: path.read_bytes() for path in minimal_dir.iterdir()}
    assert main(["fmt", "--data-dir", str(minimal_dir)]) == 1
    assert {path.name: path.read_bytes() for path in minimal_dir.iterdir()} == before


def test_help_does_not_import_pandas() -> None:
    code = "import sys; from kz_timeline.cli import build_parser; build_parser(); print('pandas' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_every_subcommand_has_help_and_is_in_the_readme() -> None:
    from kz_timeline.cli import build_parser

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    parser = build_parser()
    subcommands = next(action for action in parser._actions if action.dest == "command")
    for name, subparser in subcommands.choices.items():  # type: ignore[attr-defined]
        assert subparser.format_help(), name
        assert f"kz-timeline {name}" in readme, f"`kz-timeline {name}` is not documented in README.md"
