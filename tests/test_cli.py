"""The command line: exit codes, one line per problem on stderr, no tracebacks, fmt that changes no value."""

from __future__ import annotations

import os
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


def test_every_subcommand_has_help_a_handler_and_a_section_in_the_cli_reference() -> None:
    from kz_timeline.cli import HANDLERS, build_parser

    reference = (Path(__file__).resolve().parents[1] / "docs" / "cli.md").read_text(encoding="utf-8")
    parser = build_parser()
    subcommands = next(action for action in parser._actions if action.dest == "command")
    assert list(subcommands.choices) == list(HANDLERS)  # type: ignore[attr-defined]
    helps = {action.dest: action.help for action in subcommands._choices_actions}  # type: ignore[attr-defined]
    for name, subparser in subcommands.choices.items():  # type: ignore[attr-defined]
        assert subparser.format_help() and helps[name], name
        assert f"\n## kz-timeline {name}\n" in reference, f"`kz-timeline {name}` is not in docs/cli.md"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--format", "png", "--out", "x.svg"],
            "Error: x.svg: a .svg file cannot hold png; name it .png, or choose --format svg",
        ),
        (
            ["--format", "html", "--out", "x.JSON"],
            "Error: x.JSON: a .JSON file cannot hold html; name it .html, or choose --format json",
        ),
        (["--out", "q.pdf"], "Error: q.pdf: .pdf is not a chart format; name the file .html, .png, .svg or .json"),
        (
            ["--format", "svg", "--out", "q.htm"],
            "Error: q.htm: .htm is not a chart format; name the file .html, .png, .svg or .json",
        ),
        (
            ["--kind", "actors", "--lane", "event_type"],
            "Error: --lane event_type: only the timeline chart has lanes, not the actors chart",
        ),
        (["--kind", "claims", "--lane", "theme"], "Error: --lane theme: only the timeline chart has lanes, not the claims chart"),
    ],
)
def test_chart_refuses_contradictory_options_in_one_line_and_writes_nothing(
    args: list[str], message: str, tmp_path: Path, minimal_dir: Path
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "kz_timeline", "chart", "--data-dir", str(minimal_dir), *args],
        cwd=work, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert (result.returncode, result.stdout, result.stderr.splitlines()) == (2, "", [message])
    assert list(work.iterdir()) == []


@pytest.mark.parametrize(
    ("out", "fmt", "written"),
    [("x.SVG", "svg", "x.SVG"), ("chart", "png", "chart"), ("x.json", None, "x.json"), ("x.svg", None, "x.svg")],
)
def test_chart_takes_a_suffix_that_agrees_with_the_format_or_no_suffix(
    out: str, fmt: str | None, written: str, tmp_path: Path, minimal_dir: Path
) -> None:
    args = ["chart", "--data-dir", str(minimal_dir), "--out", str(tmp_path / out)] + (["--format", fmt] if fmt else [])
    assert main(args) == 0
    data = (tmp_path / written).read_bytes()
    assert data.startswith({"svg": b"<svg", "png": b"\x89PNG", None: b"{"}[fmt if out != "x.svg" else "svg"])


def test_write_chart_refuses_a_suffix_that_contradicts_the_format(minimal_dir: Path, tmp_path: Path) -> None:
    from kz_timeline.charts.builders import make_chart
    from kz_timeline.charts.rendering import write_chart
    from kz_timeline.dataset.loader import load
    from kz_timeline.errors import UsageError

    with pytest.raises(UsageError, match="cannot hold png"):
        write_chart(make_chart(load(minimal_dir), "claims"), "png", tmp_path / "x.svg")
    assert not (tmp_path / "x.svg").exists()


def test_make_chart_refuses_a_lane_for_a_chart_without_lanes(minimal_dir: Path) -> None:
    from kz_timeline.charts.builders import make_chart
    from kz_timeline.dataset.loader import load
    from kz_timeline.errors import UsageError

    with pytest.raises(UsageError, match="only the timeline chart has lanes"):
        make_chart(load(minimal_dir), "actors", lane="event_type")
    assert make_chart(load(minimal_dir), "timeline", lane="event_type") is not None


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_adds_a_traceback_before_or_after_the_subcommand(minimal_dir: Path, where: str) -> None:
    replace_in(minimal_dir / "events.csv", "verdict", "verdikt")
    args = ["validate", "--data-dir", str(minimal_dir)]
    result = run_cli(*(["--debug", *args] if where == "before" else [*args, "--debug"]))
    assert result.returncode == 1
    assert "Traceback" in result.stderr


def test_without_debug_there_is_no_traceback_and_debug_after_a_usage_error_shows_one(minimal_dir: Path) -> None:
    assert "Traceback" not in run_cli("chart", "--data-dir", str(minimal_dir), "--out", "q.pdf").stderr
    result = run_cli("chart", "--data-dir", str(minimal_dir), "--out", "q.pdf", "--debug")
    assert result.returncode == 2 and "Traceback" in result.stderr


POOL_SCRIPT = """
import sys
from kz_timeline.cli import main
code = main(["validate", "--data-dir", sys.argv[1]])
import pyarrow as pa
print(code, pa.default_memory_pool().backend_name)
"""


def _pool_after_validate(data_dir: Path, variable: str | None) -> str:
    env = {key: value for key, value in os.environ.items() if key != "ARROW_DEFAULT_MEMORY_POOL"}
    if variable is not None:
        env["ARROW_DEFAULT_MEMORY_POOL"] = variable
    done = subprocess.run([sys.executable, "-c", POOL_SCRIPT, str(data_dir)], capture_output=True, text=True, env=env, check=True)
    return done.stdout.split()[-1]


def test_the_cli_gives_arrow_jemalloc_where_pyarrow_has_it(minimal_dir: Path) -> None:
    import pyarrow as pa

    try:
        expected = pa.jemalloc_memory_pool().backend_name
    except NotImplementedError:  # the pool pyarrow chooses by default stays
        expected = subprocess.run(
            [sys.executable, "-c", "import pyarrow; print(pyarrow.default_memory_pool().backend_name)"],
            capture_output=True,
            text=True,
            env={key: value for key, value in os.environ.items() if key != "ARROW_DEFAULT_MEMORY_POOL"},
            check=True,
        ).stdout.strip()
    assert _pool_after_validate(minimal_dir, None) == expected


def test_the_cli_keeps_the_arrow_memory_pool_the_environment_chooses(minimal_dir: Path) -> None:
    assert _pool_after_validate(minimal_dir, "system") == "system"


BLAS_SCRIPT = """
import os, sys
from kz_timeline.cli import main
code = main(["validate", "--data-dir", sys.argv[1]])
import scipy.sparse.csgraph  # SciPy's OpenBLAS, loaded by the links' cycle check on large data
print(code, os.environ.get("OPENBLAS_NUM_THREADS"), len(os.listdir("/proc/self/task")))
"""


def _blas_after_validate(data_dir: Path, variable: str | None) -> tuple[str, int]:
    env = {key: value for key, value in os.environ.items() if key != "OPENBLAS_NUM_THREADS"}
    if variable is not None:
        env["OPENBLAS_NUM_THREADS"] = variable
    done = subprocess.run([sys.executable, "-c", BLAS_SCRIPT, str(data_dir)], capture_output=True, text=True, env=env, check=True)
    code, value, threads = done.stdout.split()[-3:]
    assert code == "0"
    return value, int(threads)


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="counts the process's threads in /proc (Linux)")
@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="OpenBLAS starts no thread of its own on one core")
def test_the_cli_starts_no_openblas_threads_unless_the_environment_asks(minimal_dir: Path) -> None:
    value, threads = _blas_after_validate(minimal_dir, None)
    asked_value, asked_threads = _blas_after_validate(minimal_dir, "3")
    assert (value, asked_value) == ("1", "3")
    # Asked for three (at most one per core), NumPy's and SciPy's OpenBLAS each start that many less one of their own.
    assert asked_threads - threads == 2 * (min(3, os.cpu_count() or 1) - 1)


def test_the_console_script_leaves_the_objects_of_the_ended_command_out_of_the_exit_collections(minimal_dir: Path) -> None:
    script = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('frozen', gc.get_freeze_count() > 0))\n"
        "from kz_timeline.cli import run\n"
        "sys.argv = ['kz-timeline', 'validate', '--data-dir', sys.argv[1]]\n"
        "run()\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(minimal_dir)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].startswith(str(minimal_dir)) and "valid" in done.stdout
    assert done.stdout.splitlines()[-1] == "frozen True"


INTERRUPTED_BUILD = """
import os, signal, sys, threading
import pyarrow as pa
from kz_timeline import cli
from kz_timeline.site import database

real = database.record_batches
def interrupting(*args, **kwargs):
    reader = real(*args, **kwargs)
    if threading.current_thread() is not threading.main_thread():
        return reader  # a side build's copy
    def batches():
        for batch in reader:
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C while the first table's rows go in
            yield batch
    return pa.RecordBatchReader.from_batches(reader.schema, batches())
database.record_batches = interrupting
sys.exit(cli.main(["build", "--data-dir", sys.argv[1], "--db", sys.argv[2]]))
"""


def test_ctrl_c_during_a_build_exits_130_without_a_message_or_a_file_left(minimal_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    result = subprocess.run(
        [sys.executable, "-c", INTERRUPTED_BUILD, str(minimal_dir), str(out / "kz-timeline.db")],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 130, result.stderr[-2000:]
    assert result.stderr == ""
    assert result.stdout == ""
    assert list(out.iterdir()) == []
