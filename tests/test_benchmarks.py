"""The benchmark generator makes valid, canonical, reproducible data; the runner writes its report; neither rots."""

from __future__ import annotations

import csv
import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from kz_timeline.dataset.csv_rewriter import format_data
from kz_timeline.dataset.loader import validate
from kz_timeline.errors import DataValidationError
from kz_timeline.reading import fast_paths, validation
from kz_timeline.schema.tables import TABLES
from tests.conftest import REPO_ROOT

BENCHMARKS = REPO_ROOT / "benchmarks"


def load_module(name: str) -> ModuleType:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        spec = importlib.util.spec_from_file_location(f"benchmarks_{name}", BENCHMARKS / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[f"benchmarks_{name}"] = module
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(BENCHMARKS))


@pytest.fixture(scope="module")
def generate() -> ModuleType:
    return load_module("generate")


@pytest.mark.parametrize("events", [1, 57, 2_000])
def test_generated_data_validates_with_its_article_and_is_canonical(generate: ModuleType, tmp_path: Path, events: int) -> None:
    counts = generate.write_dataset(tmp_path, events, seed=3)
    summary = validate(tmp_path, [tmp_path / generate.TEXT_NAME])
    assert summary.row_counts == counts
    assert summary.row_counts["events"] == events
    assert summary.row_counts["claims"] == max(events, summary.row_counts["actors"])
    assert summary.quotes_checked > 0
    assert format_data(tmp_path, check=True) == []


def test_generator_is_deterministic_per_seed(generate: ModuleType, tmp_path: Path) -> None:
    generate.write_dataset(tmp_path / "a", 300, seed=1)
    generate.write_dataset(tmp_path / "b", 300, seed=1)
    generate.write_dataset(tmp_path / "c", 300, seed=2)
    for table in TABLES:
        assert (tmp_path / "a" / table.filename).read_bytes() == (tmp_path / "b" / table.filename).read_bytes()
    assert (tmp_path / "a" / "events.csv").read_bytes() != (tmp_path / "c" / "events.csv").read_bytes()


def test_generated_data_has_the_hard_parts_of_real_csv(generate: ModuleType, tmp_path: Path) -> None:
    generate.write_dataset(tmp_path, 500, seed=0)
    events = (tmp_path / "events.csv").read_text(encoding="utf-8")
    actors = (tmp_path / "actors.csv").read_text(encoding="utf-8")
    assert '""record""' in events and "line two\nof the note" in events and '"Almaty, Kazakhstan"' in events
    assert "Алиас" in actors
    dates = {line.split(",")[2] for line in events.splitlines()[1:] if line.startswith("ev_")}
    assert any("/" in d for d in dates) and any(d.endswith("?") for d in dates) and any(len(d) == 7 for d in dates)


def test_generated_datapackage_passes_frictionless(generate: ModuleType, tmp_path: Path) -> None:
    generate.write_dataset(tmp_path, 40, seed=0)
    frictionless = Path(sys.executable).parent / "frictionless"
    result = subprocess.run(
        [str(frictionless), "validate", str(tmp_path / "datapackage.json")], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout[-2000:]
    assert result.stdout.count("VALID") == len(TABLES)


def line_of(path: Path, row_start: str) -> int:
    """Return the line on which the row beginning with `row_start` starts, counting newlines independently."""
    text = path.read_text(encoding="utf-8")
    return text[: text.index("\n" + row_start)].count("\n") + 2


def corrupt(path: Path, row_start: str, old: str, new: str) -> int:
    text = path.read_text(encoding="utf-8")
    start = text.index("\n" + row_start) + 1
    end = text.index("\n" + row_start[:3], start + 1) if ("\n" + row_start[:3]) in text[start + 1 :] else len(text)
    row = text[start:end]
    assert old in row, (old, row)
    path.write_text(text[:start] + row.replace(old, new, 1) + text[end:], encoding="utf-8", newline="")
    return line_of(path, row_start)


def field(path: Path, key: str, column: str) -> str:
    """Return one cell of the row whose first field is `key`, read with the csv module."""
    with path.open(encoding="utf-8", newline="") as stream:
        return next(row[column] for row in csv.DictReader(stream) if next(iter(row.values())) == key)


def test_vectorised_checks_report_row_precise_problems_at_scale(generate: ModuleType, tmp_path: Path) -> None:
    generate.write_dataset(tmp_path, 3_000, seed=5)
    events, claims, participants = tmp_path / "events.csv", tmp_path / "claims.csv", tmp_path / "participants.csv"
    event_type = field(events, "ev_0002001", "event_type")
    event_line = corrupt(events, "ev_0002001,", f",{event_type},", ",verdikt,")
    participant_line = corrupt(participants, "ev_0001500,", ",ac_", ",ac_9")
    offsets = f",{field(claims, 'cl_0002500', 'quote_start')},{field(claims, 'cl_0002500', 'quote_end')},"
    claim_line = corrupt(claims, "cl_0002500,", offsets, ",10,5,")
    start, end = int(field(claims, "cl_0000000", "quote_start")), int(field(claims, "cl_0000000", "quote_end"))
    shifted_line = corrupt(claims, "cl_0000000,", f",{start},{end},", f",{start + 1},{end + 1},")
    with pytest.raises(DataValidationError) as caught:
        validate(tmp_path, [tmp_path / generate.TEXT_NAME])
    shown = [str(problem).replace(f"{tmp_path}/", "") for problem in caught.value.problems]
    assert (
        f"events.csv:{event_line}: column 'event_type': "
        "'verdikt' is not a term of the EventType vocabulary; did you mean 'verdict'?" in shown
    )
    assert any(
        p.startswith(f"participants.csv:{participant_line}: column 'actor_id': 'ac_9")
        and "matches no actor_id in actors.csv" in p
        for p in shown
    )
    assert f"claims.csv:{claim_line}: column 'quote_end': M3: 5 is not after quote_start 10" in shown
    moved = f"claims.csv:{shifted_line}: column 'quote': M3: differs from synthetic-oped.txt[{start + 1}:{end + 1}], which reads "
    assert any(p.startswith(moved) and p.endswith(f"; the quote occurs at {start}:{end}") for p in shown), shown
    assert len(shown) == 4, shown
    assert event_line > 2_002, "multi-line fields before the row: its line is not its row number + 1"


def test_cycle_check_at_scale_agrees_with_the_depth_first_search(
    generate: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    generate.write_dataset(tmp_path, 2_000, seed=0)
    links = tmp_path / "event_links.csv"
    with links.open("a", encoding="utf-8", newline="") as stream:
        stream.write("ev_0000100,ev_0001900,causes,\n")
        stream.write("ev_0001900,ev_0000100,causes,forms a cycle with the line above\n")
    line = line_of(links, "ev_0000100,ev_0001900,causes")

    def problems() -> list[str]:
        with pytest.raises(DataValidationError) as caught:
            validate(tmp_path)
        return [str(problem).replace(f"{tmp_path}/", "") for problem in caught.value.problems]

    monkeypatch.setattr(validation, "_GRAPH_FAST_EDGES", 10**9)  # depth-first search only
    slow = problems()
    monkeypatch.setattr(validation, "_GRAPH_FAST_EDGES", 0)  # SciPy decides first, events numbered by the keys' codes
    fast = problems()
    with fast_paths.exact_only():  # SciPy decides first, events numbered by factorizing the link columns
        exact = problems()
    assert fast == slow == exact
    assert any(
        p.startswith("event_links.csv:") and "cycle in 'causes' links:" in p and "ev_0000100 -> ev_0001900" in p for p in fast
    ), fast
    assert all(p.startswith("event_links.csv:") and "cycle in 'causes' links" in p for p in fast), fast
    assert min(int(p.split(":")[1]) for p in fast) <= line + 1


def test_acyclic_graph_passes_the_scipy_check(generate: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    generate.write_dataset(tmp_path, 1_000, seed=0)
    monkeypatch.setattr(validation, "_GRAPH_FAST_EDGES", 0)
    assert validate(tmp_path).row_counts["event_links"] > 1_000


@pytest.mark.slow
def test_runner_writes_a_report_and_keeps_the_load_test_section(tmp_path: Path) -> None:
    out = tmp_path / "BENCHMARKS.md"
    out.write_text(
        "# Benchmarks\n\nold\n\n## Profiles\n\nvalidate: read_clean_csv on top.\n\n"
        "## Load test\n\nServed 1,000 requests; kept as written.\n",
        encoding="utf-8",
    )
    run = load_module("run")
    code = run.main(
        [
            "--sizes",
            "30",
            "--only",
            "floor,arrow-floor,validate,frictionless,sqlite-utils",
            "--out",
            str(out),
            "--work",
            str(tmp_path / "work"),
            "--note",
            "smoke test",
        ]
    )
    assert code == 0
    report = out.read_text(encoding="utf-8")
    assert "## Machine" in report and "- cores: " in report and "- note: smoke test" in report
    assert "| kz-timeline validate --article | " in report and "| pandas.read_csv, all CSVs as str (floor) | " in report
    validate_row = next(line for line in report.splitlines() if line.startswith("| kz-timeline validate --article"))
    assert " s, " in validate_row and "MB" in validate_row and "failed" not in validate_row
    assert "| validate / pandas floor | " in report and "| build / sqlite-utils insert |" not in report
    assert "| pyarrow.csv.read_csv, all CSVs, newlines_in_values (floor) | " in report
    assert "| validate / pyarrow floor | " in report
    assert "| validate --article / pyarrow floor | " in report.split("## Targets", 1)[1]
    assert "- note: 1-minute load average when this run started: " in report
    assert report.endswith(
        "## Profiles\n\nvalidate: read_clean_csv on top.\n\n## Load test\n\nServed 1,000 requests; kept as written.\n"
    )
    assert (tmp_path / "benchmarks.json").exists()
    assert not (REPO_ROOT / "benchmarks" / "work" / "n30").exists()


@pytest.mark.slow
def test_runner_charts_once_with_a_cold_cache_then_from_the_cache(tmp_path: Path) -> None:
    out = tmp_path / "BENCHMARKS.md"
    run = load_module("run")
    arguments = ["--sizes", "30", "--only", "chart", "--repeat", "2"]
    assert run.main([*arguments, "--out", str(out), "--work", str(tmp_path / "work")]) == 0
    rows = {
        line.split(" | ")[0]: line
        for line in out.read_text(encoding="utf-8").splitlines()
        if line.startswith("| kz-timeline chart")
    }
    assert set(rows) == {
        f"| kz-timeline chart {kind} (HTML)" for kind in ("timeline, cold cache", "timeline", "actors", "claims")
    }
    assert all(" s, " in row and "failed" not in row for row in rows.values())
    assert len(list((tmp_path / "work" / "cache" / "kz-timeline" / "validated").iterdir())) == 1
    notes = out.read_text(encoding="utf-8").split("Notes on the runs", 1)[1]
    cold_note = next(line for line in notes.splitlines() if line.startswith("- chart timeline, cold cache at N = 30"))
    assert "median of 2 runs" in cold_note  # run as often as the warm charts (the cache emptied before each)


def test_runner_validates_and_builds_files_never_validated_each_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache of validated tables is emptied before each run of validate and build (they would not write it again)."""
    run = load_module("run")
    validated = tmp_path / "work" / "cache" / "kz-timeline" / "validated"
    found: list[list[str]] = []
    measure = run.measure

    def recorded(command: list[str], **kwargs: object) -> object:
        found.append(sorted(path.name for path in validated.iterdir()) if validated.exists() else [])
        return measure(command, **kwargs)

    monkeypatch.setattr(run, "measure", recorded)
    arguments = ["--sizes", "30", "--only", "validate,build", "--repeat", "2"]
    assert run.main([*arguments, "--out", str(tmp_path / "BENCHMARKS.md"), "--work", str(tmp_path / "work")]) == 0
    assert found == [[], [], [], []]
    assert len(list(validated.iterdir())) == 1  # the build's own, left by its last run


def test_runner_times_validate_and_its_pyarrow_floor_in_turn_run_by_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The ratio of validate to its floor must not take in a drift of the machine's speed between their runs."""
    run = load_module("run")
    order: list[str] = []
    measure = run.measure

    def recorded(command: list[str], **kwargs: object) -> object:
        order.append("validate" if "validate" in command else "floor")
        return measure(command, **kwargs)

    monkeypatch.setattr(run, "measure", recorded)
    out = tmp_path / "BENCHMARKS.md"
    arguments = ["--sizes", "30", "--only", "validate,arrow-floor", "--repeat", "3"]
    assert run.main([*arguments, "--out", str(out), "--work", str(tmp_path / "work")]) == 0
    assert order == ["floor", "validate"] * 3
    notes = out.read_text(encoding="utf-8").split("Notes on the runs", 1)[1]
    assert any(
        line.startswith("- validate at N = 30: median of 3 runs") and "in turn with arrow-floor" in line
        for line in notes.splitlines()
    )


@pytest.mark.slow
def test_runner_times_datasette_pages_of_a_dataset_under_five_hundred_events(tmp_path: Path) -> None:
    out = tmp_path / "BENCHMARKS.md"
    run = load_module("run")
    work = tmp_path / "work"
    arguments = ["--sizes", "30", "--only", "build,datasette", "--requests", "3"]
    assert run.main([*arguments, "--out", str(out), "--work", str(work)]) == 0
    rows = [line for line in out.read_text(encoding="utf-8").split("## Datasette", 1)[1].splitlines() if line.startswith("| ")]
    events_row = next(row for row in rows if row.startswith("| events row | 30 |"))
    assert "failed" not in events_row and "/kz-timeline/events/ev_" in events_row
    assert not any("failed" in row for row in rows)
