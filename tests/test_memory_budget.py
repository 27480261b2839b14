"""validate holds at most WHOLE_TABLES_BUDGET bytes of CSV as whole tables, and waits no longer than that takes."""

from __future__ import annotations

import threading
from concurrent.futures import Future

import pandas as pd

from kz_timeline.dataset.loader import WHOLE_TABLES_BUDGET, _Narrowing
from kz_timeline.reading.csv_files import RawTable
from kz_timeline.reading.validation import StartedCheck
from kz_timeline.schema.tables import TABLES_BY_NAME

MB = 1024 * 1024


def watched(narrowing: _Narrowing, tables: dict[str, RawTable], name: str, size: int) -> Future[list[object]]:
    """Add table `name` (of `size` bytes of CSV) whose one own check ends when the returned future is given a result."""
    tables[name] = RawTable(TABLES_BY_NAME[name], f"{name}.csv", pd.DataFrame(), range(0))
    check: Future[list[object]] = Future()
    narrowing.watch(name, size, [StartedCheck(check)])  # type: ignore[arg-type]
    return check


def room_made(narrowing: _Narrowing, size: int) -> threading.Event:
    """Ask for room for `size` bytes on a thread of its own; the event is set once it is made."""
    made = threading.Event()
    threading.Thread(target=lambda: (narrowing.make_room(size), made.set()), daemon=True).start()
    return made


def test_the_next_file_waits_for_whichever_table_is_narrowed_first() -> None:
    tables: dict[str, RawTable] = {}
    narrowing = _Narrowing(tables)
    events = watched(narrowing, tables, "events", WHOLE_TABLES_BUDGET - 100 * MB)
    participants = watched(narrowing, tables, "participants", 90 * MB)
    made = room_made(narrowing, 40 * MB)  # events and participants whole: 30 MB over the budget
    assert not made.wait(0.2), "the budget holds: the next file waits"
    participants.set_result([])  # the later table's checks end first: that makes room
    assert made.wait(5), "room was made when participants were narrowed, without waiting for events"
    events.set_result([])


def test_the_next_file_waits_until_the_tables_whole_fit_the_budget() -> None:
    tables: dict[str, RawTable] = {}
    narrowing = _Narrowing(tables)
    events = watched(narrowing, tables, "events", WHOLE_TABLES_BUDGET - 100 * MB)
    participants = watched(narrowing, tables, "participants", 90 * MB)
    made = room_made(narrowing, 200 * MB)
    participants.set_result([])
    assert not made.wait(0.2), "events alone and the next file are still over the budget"
    events.set_result([])
    assert made.wait(5)


def test_a_file_larger_than_the_budget_waits_only_for_every_table_to_be_narrowed() -> None:
    tables: dict[str, RawTable] = {}
    narrowing = _Narrowing(tables)
    events = watched(narrowing, tables, "events", 10 * MB)
    made = room_made(narrowing, 2 * WHOLE_TABLES_BUDGET)
    assert not made.wait(0.2)
    events.set_result([])
    assert made.wait(5)
    narrowing.make_room(2 * WHOLE_TABLES_BUDGET)  # nothing whole: no wait
