"""Measure kz-timeline against its peers on synthetic data, and write BENCHMARKS.md.

    python benchmarks/run.py                                  # every step at N = 1e3, 1e5, 1e6
    python benchmarks/run.py --sizes 1e3,1e5 --only validate,floor --note "laptop on battery"

Every step runs in its own subprocess; its wall time is measured around it, its peak memory is the maximum resident
set size the kernel reports for it and its children (`os.wait4`). Results accumulate in a JSON file beside the
report, so a run of some steps keeps the numbers of the others; the report is rewritten from all of them, and a
`## Load test` section written by someone else is kept as it is.

Steps (`--only`): floor (pandas.read_csv of every CSV as strings), arrow-floor (pyarrow.csv.read_csv of every CSV,
newlines_in_values=True: the parse floor of issue 16's target), validate, frictionless (frictionless validate
with an equivalent datapackage.json), build, sqlite-utils (sqlite-utils insert --csv of the same CSVs), chart
(timeline, actors and claims as self-contained HTML), datasette (p50/p99 of table, facet, search and row pages, at
the largest size only), startup (`kz-timeline --help` and validate of the shipped data).
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import partial
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(ROOT / "src"))

from generate import TEXT_NAME, write_dataset  # noqa: E402
from kz_timeline.defaults import CHART_KINDS  # noqa: E402

STEPS = ("floor", "arrow-floor", "validate", "frictionless", "build", "sqlite-utils", "chart", "datasette", "startup")
DEFAULT_SIZES = (1_000, 100_000, 1_000_000)
LOAD_TEST = "## Load test"
#: Sections written by hand (the load test, the profiles behind each change), kept as they are when the report is rewritten.
KEPT_SECTIONS = ("## Profiles", LOAD_TEST)
TIMED_OUT = "timed out after"

FLOOR_SCRIPT = """
import sys
from pathlib import Path
import pandas as pd
for path in sorted(Path(sys.argv[1]).glob("*.csv")):
    pd.read_csv(path, dtype=str, keep_default_na=False)
"""

ARROW_FLOOR_SCRIPT = """
import sys
from pathlib import Path
import pyarrow.csv as pa_csv
for path in sorted(Path(sys.argv[1]).glob("*.csv")):
    pa_csv.read_csv(path, parse_options=pa_csv.ParseOptions(newlines_in_values=True))
"""


@dataclass
class Measurement:
    """One step at one size: wall time, peak resident memory, and whether it succeeded."""

    step: str
    size: int
    seconds: float
    peak_mb: float
    ok: bool
    detail: str = ""


#: Runs the measured command from a small process: a child forked from this runner (pandas loaded) would start
#: with the runner's resident set as its peak, and the kernel would report that.
LAUNCHER = """
import os, sys
pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as stream:
    stream.write(str(usage.ru_maxrss))
sys.exit(min(abs(os.waitstatus_to_exitcode(status)), 255))
"""


def measure(
    command: list[str], *, timeout: float, env: dict[str, str] | None = None, cwd: Path | None = None
) -> tuple[float, float, bool, str]:
    """Run `command`; return its wall seconds, peak RSS in MB (it and its children), success, and its last output line."""
    with tempfile.TemporaryDirectory() as scratch:
        peak_file = Path(scratch) / "peak"
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", LAUNCHER, str(peak_file), *command],
            env=env,
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            output, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # the launcher and the command it started
            process.communicate()
            return time.perf_counter() - started, 0.0, False, f"{TIMED_OUT} {timeout:.0f} s"
        seconds = time.perf_counter() - started
        peak_kb = float(peak_file.read_text()) if peak_file.exists() else 0.0
    text = output.decode("utf-8", errors="replace").strip()
    last = text.splitlines()[-1] if text else ""
    return seconds, peak_kb / 1024, process.returncode == 0, last[:300]


#: Where the steps keep kz-timeline's cache (of validated tables, of the Vega bundle); set by main from --work.
CACHE_HOME: Path | None = None


def package_env() -> dict[str, str]:
    """Return the environment that runs this checkout's kz_timeline (its cache under --work, turned on)."""
    env = dict(os.environ)
    env.pop("KZ_TIMELINE_NO_CACHE", None)
    if CACHE_HOME is not None:
        env["XDG_CACHE_HOME"] = str(CACHE_HOME)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def compile_package() -> None:
    """Byte-compile this checkout's kz_timeline, as installing a wheel does, so that no step compiles it first.

    Under PYTHONDONTWRITEBYTECODE (or a source newer than its bytecode) every command would compile the package
    again in memory before it starts; its peers are installed, and compiled, packages.
    """
    compileall.compile_dir(ROOT / "src" / "kz_timeline", quiet=1)


def tool(name: str) -> str:
    """Return the path of a console script installed beside this Python (else found on PATH)."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else (shutil.which(name) or name)


def kz(*args: str) -> list[str]:
    return [sys.executable, "-m", "kz_timeline", *args]


def has_command(name: str) -> bool:
    """Say whether this checkout's CLI has subcommand `name` (build and serve land from other branches)."""
    result = subprocess.run(kz("--help"), env=package_env(), capture_output=True, text=True, check=False)
    return re.search(rf"\b{re.escape(name)}\b", result.stdout) is not None


def dataset_dir(work: Path, size: int, seed: int) -> Path:
    """Return the directory of the synthetic dataset of `size` events, generating it once."""
    directory = work / f"n{size}"
    marker = directory / ".complete"
    if marker.exists() and marker.read_text() == f"{size} {seed}":
        return directory
    if directory.exists():
        shutil.rmtree(directory)
    started = time.perf_counter()
    counts = write_dataset(directory, size, seed)
    (directory / "counts.json").write_text(json.dumps(counts))
    marker.write_text(f"{size} {seed}")
    print(f"  generated {directory} in {time.perf_counter() - started:.1f} s", flush=True)
    return directory


#: Steps measured in turn, run by run (floor, validate, floor, validate...), when both are asked for: validate's target
#: is a ratio to the pyarrow floor, and the machine's speed can drift by 15% within minutes, which runs one after the
#: other would put into the ratio.
ALTERNATED = ("arrow-floor", "validate")


def _alternated_command(step: str, data: Path) -> tuple[list[str], Callable[[], object] | None]:
    """Return the command of an ALTERNATED step and what to do before each of its runs."""
    if step == "arrow-floor":
        return [sys.executable, "-c", ARROW_FLOOR_SCRIPT, str(data)], None
    # validate runs on files never validated: the cache of validated tables it fills is emptied before each run.
    validated = None if CACHE_HOME is None else CACHE_HOME / "kz-timeline" / "validated"
    emptied = None if validated is None else partial(shutil.rmtree, validated, ignore_errors=True)
    return kz("validate", "--data-dir", str(data), "--article", str(data / TEXT_NAME)), emptied


def run_alternated(size: int, data: Path, timeout: float) -> list[Measurement]:
    """Measure the ALTERNATED steps in turn, run by run; return one measurement of each."""
    runs = [(step, *_alternated_command(step, data)) for step in ALTERNATED]
    return _measured_in_turn(runs, size, timeout, package_env())


def run_step(step: str, size: int, data: Path, work: Path, timeout: float) -> list[Measurement]:
    """Run one step at one size; return its measurements (charts give one per kind)."""
    env = package_env()
    # validate, build and the cold chart each run on files never validated: the cache of validated tables, which they
    # fill (and would not write again for the same files), is emptied before each of their runs (the runs' own cache,
    # under --work; never the user's).
    validated = None if CACHE_HOME is None else CACHE_HOME / "kz-timeline" / "validated"
    emptied = None if validated is None else partial(shutil.rmtree, validated, ignore_errors=True)
    if step == "floor":
        return [_measured(step, size, [sys.executable, "-c", FLOOR_SCRIPT, str(data)], timeout, env)]
    if step in ALTERNATED:
        return _measured_in_turn([(step, *_alternated_command(step, data))], size, timeout, env)
    if step == "frictionless":
        return [_measured(step, size, [tool("frictionless"), "validate", str(data / "datapackage.json")], timeout, env)]
    if step == "build":
        if not has_command("build"):
            return [Measurement(step, size, 0.0, 0.0, False, "not available: this checkout has no build command")]
        database = work / f"n{size}.db"
        database.unlink(missing_ok=True)
        build = kz("build", "--data-dir", str(data), "--db", str(database))
        measured = _measured(step, size, build, timeout, env, before=emptied)
        if database.exists():
            measured.detail = "; ".join(filter(None, [f"{database.stat().st_size / 1e6:.0f} MB database", measured.detail]))
        return [measured]
    if step == "sqlite-utils":
        database = work / f"n{size}-sqlite-utils.db"
        database.unlink(missing_ok=True)
        inserts = " && ".join(
            f"{tool('sqlite-utils')} insert {database} {csv.stem} {csv} --csv --no-detect-types"
            for csv in sorted(data.glob("*.csv"))
        )
        measured = _measured(step, size, ["sh", "-c", inserts], timeout, env)
        database.unlink(missing_ok=True)
        return [measured]
    if step == "chart":
        # A cold chart validates the CSVs and fills the cache of validated tables; the warm ones read that cache.
        cold_out = work / f"n{size}-timeline-cold.html"
        cold = kz("chart", "--data-dir", str(data), "--kind", "timeline", "--out", str(cold_out))
        results = [_measured("chart timeline, cold cache", size, cold, timeout, env, before=emptied)]
        for kind in CHART_KINDS:
            out = work / f"n{size}-{kind}.html"
            measured = _measured(
                f"chart {kind}", size, kz("chart", "--data-dir", str(data), "--kind", kind, "--out", str(out)), timeout, env
            )
            if out.exists():
                measured.detail = "; ".join(filter(None, [f"{out.stat().st_size / 1e6:.2f} MB HTML", measured.detail]))
            results.append(measured)
        return results
    raise ValueError(f"unknown step {step!r}")


#: How many times each step runs; its median time and its highest peak are reported (set by --repeat).
REPEAT = 1


def _measured(
    step: str, size: int, command: list[str], timeout: float, env: dict[str, str], before: Callable[[], object] | None = None
) -> Measurement:
    """Measure `command` REPEAT times (calling `before` before each run); report the median and the highest peak."""
    return _measured_in_turn([(step, command, before)], size, timeout, env)[0]


def _measured_in_turn(
    steps: list[tuple[str, list[str], Callable[[], object] | None]], size: int, timeout: float, env: dict[str, str]
) -> list[Measurement]:
    """Measure each (step, command, before) REPEAT times, the steps in turn run by run; the median and highest peak of each.

    A step that fails is reported with its failure and run no more.
    """
    runs: dict[str, list[tuple[float, float]]] = {step: [] for step, _, _ in steps}
    failed: dict[str, Measurement] = {}
    for _ in range(REPEAT):
        for step, command, before in steps:
            if step in failed:
                continue
            if before is not None:
                before()
            seconds, peak, ok, last = measure(command, timeout=timeout, env=env)
            if not ok:
                elapsed = round(timeout if last.startswith(TIMED_OUT) else seconds, 3)
                failed[step] = Measurement(step, size, elapsed, round(peak, 1), False, last)
            else:
                runs[step].append((seconds, peak))
    measurements = []
    for step, _, _ in steps:
        if step in failed:
            measurements.append(failed[step])
            continue
        times = sorted(seconds for seconds, _ in runs[step])
        detail = f"median of {REPEAT} runs ({', '.join(f'{t:.1f}' for t in times)} s)" if REPEAT > 1 else ""
        peak = round(max(peak for _, peak in runs[step]), 1)
        measurements.append(Measurement(step, size, round(times[len(times) // 2], 3), peak, True, detail))
    if len(steps) > 1 and REPEAT > 1:
        for measurement in measurements:
            if measurement.ok:
                measurement.detail += f"; in turn with {', '.join(step for step, _, _ in steps if step != measurement.step)}"
    return measurements


DATASETTE_SCRIPT = r"""
import asyncio, json, statistics, sys, time
from kz_timeline.site.server import make_datasette

database, data_dir, requests = sys.argv[1], sys.argv[2], int(sys.argv[3])
pages = json.loads(sys.argv[4])

async def main():
    ds = make_datasette(database, data_dir=data_dir)
    await ds.invoke_startup()
    results = {}
    for name, path in pages.items():
        started = time.perf_counter()
        response = await ds.client.get(path)  # the first (cold) visit, and the check that the page works
        first_ms = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            results[name] = {"path": path, "error": f"HTTP {response.status_code}"}
            continue
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            response = await ds.client.get(path)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        p99 = times[min(len(times) - 1, round(0.99 * (len(times) - 1)))]
        p50 = statistics.median(times)
        results[name] = {"path": path, "p50_ms": p50, "p99_ms": p99, "requests": requests, "first_ms": first_ms}
    print(json.dumps(results))

asyncio.run(main())
"""


def datasette_pages(database: Path) -> dict[str, str]:
    """Return the pages to time: table (with its default facets), facet, search and row pages."""
    import sqlite3

    from kz_timeline.defaults import DATABASE_NAME

    with sqlite3.connect(database) as connection:
        # The 501st event, or the last one of a smaller dataset.
        (count,) = connection.execute("select count(*) from events").fetchone()
        offset = min(500, count - 1)
        event_id = connection.execute("select event_id from events order by event_id limit 1 offset ?", (offset,)).fetchone()[0]
    base = f"/{DATABASE_NAME}"
    return {
        "events table": f"{base}/events",
        "events facet": f"{base}/events?_facet=theme&_facet=event_type&_facet=year",
        "events search, rare term": f"{base}/events?_search={event_id.removeprefix('ev_')}",
        "events search, common word": f"{base}/events?_search=court",
        "events row": f"{base}/events/{event_id}",
        "claims facet": f"{base}/claims?_facet=verification",
        "claims search, common word": f"{base}/claims?_search=sanctions",
        "canned query oped_claims_contested": f"{base}/oped_claims_contested",
        "timeline chart spec (for /timeline)": "/-/kz-timeline/charts/timeline.json",
    }


def run_datasette(size: int, work: Path, timeout: float, requests: int) -> list[Measurement]:
    """Time Datasette's pages on the database that `build` wrote for `size` events (in-process test client).

    With --repeat, the whole script runs that many times, each in a fresh process (a first visit happens once per
    process); the medians of the p50, p99 and first-visit times are reported, with the first visits' spread.
    """
    database = work / f"n{size}.db"
    if not database.exists():
        return [Measurement("datasette", size, 0.0, 0.0, False, f"no database {database.name}: run the build step first")]
    pages = datasette_pages(database)
    data = work / f"n{size}"
    command = [sys.executable, "-c", DATASETTE_SCRIPT, str(database), str(data), str(requests), json.dumps(pages)]
    runs = []
    for _ in range(REPEAT):
        result = subprocess.run(command, env=package_env(), capture_output=True, text=True, timeout=timeout, check=False)
        if result.returncode != 0:
            return [Measurement("datasette", size, 0.0, 0.0, False, result.stderr.strip().splitlines()[-1][:300])]
        runs.append(json.loads(result.stdout.strip().splitlines()[-1]))
    measurements = []
    for page in runs[0]:
        timings = [run[page] for run in runs]
        failed = next((timing for timing in timings if "error" in timing), None)
        if failed is not None:
            measurements.append(Measurement(f"datasette {page}", size, 0.0, 0.0, False, f"{failed['path']}: {failed['error']}"))
            continue
        p50, p99, first = (statistics.median(timing[name] for timing in timings) for name in ("p50_ms", "p99_ms", "first_ms"))
        firsts = sorted(timing["first_ms"] for timing in timings)
        spread = f" ({' / '.join(f'{ms:.0f}' for ms in firsts)})" if REPEAT > 1 else ""
        detail = f"{p99:.1f} | {first:.0f}{spread} | `{timings[0]['path']}`"
        measurements.append(Measurement(f"datasette {page}", size, round(p50 / 1000, 5), 0.0, True, detail))
    return measurements


def run_startup(timeout: float, repeats: int = 5) -> list[Measurement]:
    """Time `kz-timeline --help`, validate and build of the shipped data (median of a few runs)."""
    env = package_env()
    measurements = []
    with tempfile.TemporaryDirectory() as scratch:
        build = kz("build", "--db", str(Path(scratch) / "shipped.db"))
        for step, command in (
            ("startup --help", kz("--help")),
            ("startup validate shipped", kz("validate")),
            ("startup build shipped", build),
        ):
            runs = sorted((measure(command, timeout=timeout, env=env) for _ in range(repeats)), key=lambda run: run[0])
            seconds, peak, ok, last = runs[len(runs) // 2]
            measurements.append(Measurement(step, 0, round(seconds, 3), round(peak, 1), ok, "" if ok else last))
    return measurements


def machine() -> dict[str, str]:
    """Describe the machine and the versions that were measured."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))  # type: ignore[union-attr]
        memory = f"{memory_kb / 1024 / 1024:.1f} GB"
    except (OSError, AttributeError):
        memory = "unknown"
    import sqlite3

    versions = []
    for package in (
        "pandas",
        "pyarrow",
        "numpy",
        "scipy",
        "pydantic",
        "frictionless",
        "sqlite-utils",
        "datasette",
        "altair",
        "vl-convert-python",
        "adbc-driver-sqlite",
    ):
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{package} (not installed)")
    return {
        "CPU": cpu,
        "cores": str(os.cpu_count()),
        "RAM": memory,
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "SQLite": sqlite3.sqlite_version,
        "packages": ", ".join(versions),
    }


def load_results(path: Path) -> dict[str, Any]:
    if path.exists():
        return dict(json.loads(path.read_text(encoding="utf-8")))
    return {"measurements": [], "notes": [], "datasets": {}}


def merge(results: dict[str, Any], new: list[Measurement]) -> None:
    """Replace earlier measurements of the same step and size by the new ones."""
    keys = {(m.step, m.size) for m in new}
    kept = [m for m in results["measurements"] if (m["step"], m["size"]) not in keys]
    results["measurements"] = kept + [asdict(m) for m in new]


def render(results: dict[str, Any], previous: str | None) -> str:
    """Return BENCHMARKS.md for `results`, keeping the `## Load test` section of `previous`."""
    by_key = {(m["step"], m["size"]): m for m in results["measurements"]}
    sizes = sorted({m["size"] for m in results["measurements"] if m["size"] > 0})
    lines = [
        "# Benchmarks",
        "",
        "Written by `python benchmarks/run.py` (see docs/scale.md); do not edit by hand, except the Profiles and Load",
        "test sections. Synthetic data from `benchmarks/generate.py` (seeded): for N events, N/10 actors, N/100 sources,",
        "about 2N participants, 1.2N event links, N claims (a fifth quoting a synthetic op-ed, checked with `--article`)",
        "and 0.6N evidence rows. Every step runs in its own process; seconds are wall time, peak MB the maximum resident",
        "set size.",
        "",
        "## Machine",
        "",
    ]
    lines += [f"- {key}: {value}" for key, value in results.get("machine", {}).items()]
    lines += [f"- measured: {results.get('measured_at', '')}"]
    for note in results.get("notes", []):
        lines.append(f"- note: {note}")
    if results.get("datasets"):
        lines += ["", "## Data", "", "| N | rows (all tables) | CSV MB |", "|---:|---:|---:|"]
        for size in sorted(results["datasets"], key=int):
            info = results["datasets"][size]
            lines.append(f"| {int(size):,} | {info['rows']:,} | {info['mb']:.0f} |")
    lines += ["", "## Results", ""]
    lines += ["| step | " + " | ".join(f"N = {size:,}" for size in sizes) + " |", "|---|" + "---:|" * len(sizes)]
    steps = [
        "floor",
        "arrow-floor",
        "validate",
        "frictionless",
        "build",
        "sqlite-utils",
        "chart timeline, cold cache",
        *(f"chart {k}" for k in CHART_KINDS),
    ]
    for step in steps:
        if not any((step, size) in by_key for size in sizes):
            continue
        cells = []
        for size in sizes:
            m = by_key.get((step, size))
            cells.append(_cell(m))
        lines.append(f"| {_step_label(step)} | " + " | ".join(cells) + " |")
    if any(m["step"] == "chart timeline, cold cache" for m in results["measurements"]):
        lines += [
            "",
            "Charts: the cold-cache run validates the CSVs and fills the cache of validated tables",
            "(`kz_timeline.dataset.validated_cache`, keyed on the files' BLAKE3); the chart rows after it read that cache, as",
            "every later `load()`, chart and served /timeline page of the same files does (`validate` and `build` fill it too).",
        ]
    lines += ["", "Ratios (lower is better for kz-timeline):", ""]
    lines += [
        "| ratio | " + " | ".join(f"N = {size:,}" for size in sizes) + " | target at 1e6 |",
        "|---|" + "---:|" * (len(sizes) + 1),
    ]
    for label, top, bottom, target in (
        ("validate / pyarrow floor", "validate", "arrow-floor", "<= 3"),
        ("validate / pandas floor", "validate", "floor", "(first round: <= 2)"),
        ("frictionless / validate", "frictionless", "validate", "(how much faster than frictionless)"),
        ("build / sqlite-utils insert", "build", "sqlite-utils", "<= 0.3"),
    ):
        cells = [_ratio(by_key.get((top, size)), by_key.get((bottom, size))) for size in sizes]
        if any(cell != "–" for cell in cells):
            lines.append(f"| {label} | " + " | ".join(cells) + f" | {target} |")
    details = [m for m in results["measurements"] if m["detail"] and not m["step"].startswith(("datasette", "startup"))]
    if details:
        lines += ["", "Notes on the runs:", ""]
        lines += [
            f"- {m['step']} at N = {m['size']:,}: {m['detail']}" for m in sorted(details, key=lambda m: (m["step"], m["size"]))
        ]
    datasette = sorted((m for m in results["measurements"] if m["step"].startswith("datasette")), key=lambda m: m["step"])
    if datasette:
        lines += [
            "",
            "## Datasette",
            "",
            "In-process test client on the immutable database; targets at 1e6: a first visit of a common-word search and",
            "of the three-facet events page <= 200 ms, repeated visits <= 50 ms p50.",
            "",
        ]
        lines += [
            "p50 and p99 over repeated requests (the query cache of the immutable database answers them); first: the",
            "first visit, which runs the SQL.",
            "",
            "| page | N | p50 ms | p99 ms | first ms | URL |",
            "|---|---:|---:|---:|---:|---|",
        ]
        for m in datasette:
            if m["ok"]:
                lines.append(
                    f"| {m['step'].removeprefix('datasette ')} | {m['size']:,} | {m['seconds'] * 1000:.1f} | {m['detail']} |"
                )
            else:
                lines.append(f"| {m['step'].removeprefix('datasette ')} | {m['size']:,} | failed | | | {m['detail']} |")
    startup = [m for m in results["measurements"] if m["step"].startswith("startup")]
    if startup:
        lines += ["", "## Start-up", "", "Median of 5 runs.", "", "| command | seconds | peak MB |", "|---|---:|---:|"]
        for m in startup:
            command = {
                "startup --help": "kz-timeline --help",
                "startup validate shipped": "kz-timeline validate (shipped data)",
                "startup build shipped": "kz-timeline build (shipped data)",
            }[m["step"]]
            lines.append(f"| `{command}` | {m['seconds']:.2f} | {m['peak_mb']:.0f} |")
    lines += _targets(by_key, sizes)
    text = "\n".join(lines) + "\n"
    for heading in KEPT_SECTIONS:
        kept = _section(previous, heading) if previous else None
        if kept:
            text += "\n" + kept.rstrip("\n") + "\n"
    return text


def _targets(by_key: dict[tuple[str, int], dict[str, Any]], sizes: list[int]) -> list[str]:
    """Return the section that sets each target beside what was measured, saying whether it was met."""
    if not sizes:
        return []
    size = max(sizes)

    def get(step: str, at: int = size) -> dict[str, Any] | None:
        found = by_key.get((step, at))
        return found if found and found["ok"] else None

    rows: list[tuple[str, str, str, bool | None]] = []

    def ratio(label: str, top: str, bottom: str, bound: float) -> None:
        a, b = get(top), get(bottom)
        if a and b and b["seconds"]:
            value = a["seconds"] / b["seconds"]
            rows.append((label, f"{a['seconds']:.2f} s / {b['seconds']:.2f} s = {value:.2f}x", f"<= {bound}x", value <= bound))

    def at_most(label: str, step: str, field: str, bound: float, unit: str, at: int = size) -> None:
        m = get(step, at)
        if m:
            value = m[field] * (1000 if unit == "ms" else 1)
            rows.append((label, f"{value:,.{0 if unit in ('MB', 'ms') else 2}f} {unit}", f"<= {bound:g} {unit}", value <= bound))

    ratio("validate --article / pyarrow floor", "validate", "arrow-floor", 3)
    at_most("validate peak memory", "validate", "peak_mb", 1200, "MB")
    at_most("chart of files never validated (timeline, cold cache)", "chart timeline, cold cache", "seconds", 10, "s")
    for kind in ("timeline", "actors", "claims"):
        at_most(f"chart {kind}, warm", f"chart {kind}", "seconds", 5, "s")
    for kind in ("timeline", "actors", "claims"):
        m = get(f"chart {kind}")
        html = re.match(r"([\d.]+) MB HTML", str(m["detail"])) if m else None
        if html:
            rows.append((f"chart {kind}, HTML size", f"{html.group(1)} MB", "<= 1.2 MB", float(html.group(1)) <= 1.2))
    ratio("build / sqlite-utils insert --csv", "build", "sqlite-utils", 0.3)
    at_most("build peak memory", "build", "peak_mb", 1200, "MB")
    for page in ("events search, common word", "claims search, common word", "events facet"):
        m = get(f"datasette {page}")
        if m:
            first = float(str(m["detail"]).split(" | ")[1].split(" ")[0])
            rows.append((f"Datasette {page}, first visit", f"{first:,.0f} ms", "<= 200 ms", first <= 200))
            p50 = m["seconds"] * 1000
            rows.append((f"Datasette {page}, repeated (p50)", f"{p50:.1f} ms", "<= 50 ms", p50 <= 50))
    at_most("`kz-timeline --help`", "startup --help", "seconds", 0.1, "s", 0)
    at_most("`kz-timeline validate` of the shipped data", "startup validate shipped", "seconds", 1, "s", 0)
    at_most("`kz-timeline build` of the shipped data", "startup build shipped", "seconds", 1, "s", 0)
    if not rows:
        return []
    lines = ["", "## Targets", "", f"Issue 16's targets at N = {size:,}, from the numbers above.", ""]
    lines += ["| target | measured | bound | met |", "|---|---:|---:|---|"]
    lines += [f"| {label} | {value} | {bound} | {'yes' if met else 'no'} |" for label, value, bound, met in rows]
    return lines


def _section(text: str, heading: str) -> str | None:
    """Return the section that starts at `heading` and runs to the next level-2 heading (or the end)."""
    match = re.search(rf"^{re.escape(heading)}\b.*$", text, flags=re.MULTILINE)
    if match is None:
        return None
    rest = text[match.end() :]
    following = re.search(r"^## ", rest, flags=re.MULTILINE)
    return text[match.start() : match.end() + (following.start() if following else len(rest))]


def _step_label(step: str) -> str:
    return {
        "floor": "pandas.read_csv, all CSVs as str (floor)",
        "validate": "kz-timeline validate --article",
        "frictionless": "frictionless validate datapackage.json",
        "build": "kz-timeline build",
        "sqlite-utils": "sqlite-utils insert --csv (all CSVs)",
        "arrow-floor": "pyarrow.csv.read_csv, all CSVs, newlines_in_values (floor)",
    }.get(step, f"kz-timeline {step} (HTML)")


def _cell(m: dict[str, Any] | None) -> str:
    if m is None:
        return "–"
    if _timed_out(m):
        return f"> {m['seconds']:.0f} s (stopped)"
    if not m["ok"]:
        return "failed" if m["seconds"] == 0 else f"failed after {m['seconds']:.1f} s"
    return f"{m['seconds']:.2f} s, {m['peak_mb']:.0f} MB"


def _timed_out(m: dict[str, Any]) -> bool:
    return not m["ok"] and str(m["detail"]).startswith(TIMED_OUT)


def _ratio(top: dict[str, Any] | None, bottom: dict[str, Any] | None) -> str:
    if not top or not bottom or bottom["seconds"] == 0:
        return "–"
    if _timed_out(top) != _timed_out(bottom):  # one side timed out: the ratio is a bound, if the other side succeeded
        finished = bottom if _timed_out(top) else top
        bound = ">" if _timed_out(top) else "<"
        return f"{bound} {top['seconds'] / bottom['seconds']:.2f}x" if finished["ok"] else "–"
    if not top["ok"] or not bottom["ok"]:
        return "–"
    return f"{top['seconds'] / bottom['seconds']:.2f}x"


def parse_sizes(text: str) -> list[int]:
    """Parse '1e3,1e5,1000000' into sizes."""
    try:
        return [int(float(part)) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"sizes must be numbers such as 1e3,1e5: {text!r}") from None


def parse_steps(text: str) -> list[str]:
    steps = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [step for step in steps if step not in STEPS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown step(s) {', '.join(unknown)}; the steps are {', '.join(STEPS)}")
    return steps


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and rewrite the report."""
    parser = argparse.ArgumentParser(description="Measure kz-timeline against its peers and write BENCHMARKS.md.")
    parser.add_argument("--sizes", type=parse_sizes, default=list(DEFAULT_SIZES), help="numbers of events (default 1e3,1e5,1e6)")
    parser.add_argument("--only", type=parse_steps, default=list(STEPS), help=f"steps to run (default all: {','.join(STEPS)})")
    parser.add_argument(
        "--note", action="append", default=[], help="a note on the run for the report (e.g. the machine was shared)"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md", help="report to write (default BENCHMARKS.md)")
    parser.add_argument("--results", type=Path, default=None, help="JSON of accumulated results (default: beside --out)")
    parser.add_argument("--work", type=Path, default=ROOT / "benchmarks" / "work", help="where data and databases go")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=1800, help="seconds before a step is killed (default 1800)")
    parser.add_argument("--requests", type=int, default=50, help="requests per Datasette page (default 50)")
    parser.add_argument("--fresh", action="store_true", help="forget earlier results instead of merging with them")
    parser.add_argument("--repeat", type=int, default=1, help="run each step this many times; report the median (default 1)")
    args = parser.parse_args(argv)
    global REPEAT, CACHE_HOME
    REPEAT = max(1, args.repeat)
    CACHE_HOME = args.work.resolve() / "cache"
    results_path = args.results or args.out.with_name("benchmarks.json")
    results = {"measurements": [], "notes": [], "datasets": {}} if args.fresh else load_results(results_path)
    args.work.mkdir(parents=True, exist_ok=True)
    compile_package()
    started_load = os.getloadavg()[0]
    for size in args.sizes:
        steps = [step for step in args.only if step not in ("startup", "datasette")]
        if steps or "datasette" in args.only:
            data = dataset_dir(args.work, size, args.seed)
            counts = json.loads((data / "counts.json").read_text())
            mb = sum(path.stat().st_size for path in data.glob("*.csv")) / 1e6
            results["datasets"][str(size)] = {"rows": sum(counts.values()), "mb": mb, "counts": counts}
        alternated = all(step in steps for step in ALTERNATED)
        for step in steps:
            if alternated and step in ALTERNATED[1:]:
                continue  # measured in turn with the first
            print(f"N={size:,} {' and '.join(ALTERNATED) if alternated and step in ALTERNATED else step} ...", flush=True)
            if alternated and step in ALTERNATED:
                new = run_alternated(size, data, args.timeout)
            else:
                new = run_step(step, size, data, args.work, args.timeout)
            for m in new:
                print(f"  {m.step}: {m.seconds:.2f} s, {m.peak_mb:.0f} MB{'' if m.ok else ' FAILED ' + m.detail}", flush=True)
            merge(results, new)
            save(results, results_path, args.out, args.note)
    if "datasette" in args.only:
        size = max(args.sizes)
        print(f"N={size:,} datasette ...", flush=True)
        new = run_datasette(size, args.work, args.timeout, args.requests)
        for m in new:
            print(f"  {m.step}: p50 {m.seconds * 1000:.1f} ms {m.detail}", flush=True)
        # The pages timed may change between versions of this script: keep only this run's.
        results["measurements"] = [m for m in results["measurements"] if not m["step"].startswith("datasette")]
        merge(results, new)
    if "startup" in args.only:
        new = run_startup(args.timeout)
        for m in new:
            print(f"  {m.step}: {m.seconds:.3f} s", flush=True)
        merge(results, new)
    load_note = f"1-minute load average when this run started: {started_load:.2f}; when it ended: {os.getloadavg()[0]:.2f}"
    save(results, results_path, args.out, [*args.note, load_note])
    print(f"wrote {args.out} and {results_path}")
    return 0


def save(results: dict[str, Any], results_path: Path, out: Path, notes: list[str]) -> None:
    """Write the accumulated results and the report (after every step, so an interrupted run keeps its numbers)."""
    results["machine"] = machine()
    results["measured_at"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    results["notes"] = list(dict.fromkeys([*results.get("notes", []), *notes]))
    results_path.parent.mkdir(parents=True, exist_ok=True)
    results_path.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    previous = out.read_text(encoding="utf-8") if out.exists() else None
    out.write_text(render(results, previous), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
