"""The charts warmed at start-up: every spec drawn in the background, and a process that ends meanwhile exits cleanly."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from typing import Any

import pytest

from kz_timeline.charts import builders
from kz_timeline.charts.layout import WIDTH
from kz_timeline.site.database import build_database
from kz_timeline.site.plugins.kz_timeline_site import WARM_THREAD_NAME, chart_kinds
from kz_timeline.site.server import make_datasette


def _warm_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == WARM_THREAD_NAME]


def test_startup_draws_every_chart_wide_and_narrow_on_a_thread_that_is_not_a_daemon(
    minimal_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn: list[tuple[str, bool]] = []
    real = builders.make_chart

    def recorded(dataset: Any, kind: str, **kwargs: Any) -> Any:
        drawn.append((kind, kwargs.get("width", WIDTH) != WIDTH))
        return real(dataset, kind, **kwargs)

    monkeypatch.setattr(builders, "make_chart", recorded)
    database = tmp_path / "kz-timeline.db"
    build_database(minimal_dir, database)
    datasette = make_datasette(database, data_dir=minimal_dir)
    asyncio.run(datasette.invoke_startup())
    (thread,) = _warm_threads()
    assert not thread.daemon  # a daemon would still be drawing while the interpreter tears pyarrow down
    thread.join(timeout=300)
    assert sorted(drawn) == sorted((kind, narrow) for kind in chart_kinds() for narrow in (False, True))


EXITING = """
import asyncio, atexit, sys, threading, time
from kz_timeline.charts import builders
from kz_timeline.site.server import make_datasette

drawn = []
real = builders.make_chart
def slow(dataset, kind, **kwargs):
    time.sleep(0.5)  # each chart takes a while: the process ends while they are drawn
    drawn.append(kind)
    return real(dataset, kind, **kwargs)
builders.make_chart = slow

def report():  # atexit runs after Python has joined the threads that are not daemons, before it tears modules down
    warm = [thread for thread in threading.enumerate() if thread.name == "kz-timeline-warm"]
    print("warming at exit:", any(thread.is_alive() for thread in warm), "charts drawn:", len(drawn), flush=True)
atexit.register(report)

datasette = make_datasette(sys.argv[1], data_dir=sys.argv[2])
asyncio.run(datasette.invoke_startup())
"""


def test_a_process_that_ends_while_the_charts_warm_waits_for_the_step_under_way_and_takes_no_other(
    minimal_dir: Path, tmp_path: Path
) -> None:
    database = tmp_path / "kz-timeline.db"
    build_database(minimal_dir, database)
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(EXITING), str(database), str(minimal_dir)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "terminate called" not in result.stderr
    (line,) = result.stdout.splitlines()
    assert line.startswith("warming at exit: False charts drawn: "), line
    drawn = int(line.rsplit(" ", 1)[1])
    assert drawn < 2 * len(chart_kinds()), f"the warm-up went on after the main thread had ended ({drawn} charts)"
