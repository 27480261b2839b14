"""The cache of validated tables: a second load of the same bytes skips validation, and nothing stale ever comes back."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from kz_timeline import load, make_chart, validate
from kz_timeline.dataset import loader as dataset_module
from kz_timeline.dataset import validated_cache
from kz_timeline.errors import DataValidationError
from kz_timeline.reading import fast_paths
from kz_timeline.schema.tables import TABLES
from tests.conftest import REPO_ROOT


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Turn the cache on, in a directory of this test's own."""
    monkeypatch.delenv("KZ_TIMELINE_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    return tmp_path / "xdg" / "kz-timeline" / "validated"


def entries(cache_dir: Path) -> list[Path]:
    validated_cache.wait_for_stores()  # `load` stores what it validated in the background
    return sorted(path for path in cache_dir.iterdir() if not path.name.startswith(".")) if cache_dir.exists() else []


def refuse_to_validate(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("the files were validated again")

    monkeypatch.setattr(dataset_module, "_read_checking", fail)  # where every table is read and checked


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_second_load_of_the_same_files_comes_from_the_cache(
    minimal_dir: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = load(minimal_dir)
    assert len(entries(cache_dir)) == 1
    refuse_to_validate(monkeypatch)
    second = load(minimal_dir)
    for name, frame in first.text_tables.items():
        pd.testing.assert_frame_equal(second.text_tables[name], frame)
    for name, frame in first.frames.items():
        pd.testing.assert_frame_equal(second.frames[name], frame)


def hold_stores(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Make background stores wait, before they write, until the returned event is set."""
    release = threading.Event()
    run = validated_cache.TableStore._run

    def held(store: validated_cache.TableStore) -> None:
        assert release.wait(timeout=60)
        run(store)

    monkeypatch.setattr(validated_cache.TableStore, "_run", held)
    return release


def test_load_returns_the_tables_while_they_are_stored_and_the_same_process_then_finds_them(
    minimal_dir: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = hold_stores(monkeypatch)
    first = load(minimal_dir)  # returns although the store cannot have written anything yet
    assert not cache_dir.exists() or not any(cache_dir.iterdir())
    assert [t.name for t in threading.enumerate()].count(validated_cache.STORE_THREAD_NAME) == 1
    release.set()
    refuse_to_validate(monkeypatch)
    second = load(minimal_dir)  # waits for the store, then reads the entry
    pd.testing.assert_frame_equal(second.text_tables["events"], first.text_tables["events"])
    assert len(entries(cache_dir)) == 1


def test_a_store_in_the_background_writes_where_and_with_the_key_of_when_it_started(
    minimal_dir: Path, cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = hold_stores(monkeypatch)
    load(minimal_dir)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "elsewhere"))  # as a test's teardown would
    release.set()
    validated_cache.wait_for_stores()
    assert not (tmp_path / "elsewhere").exists()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    refuse_to_validate(monkeypatch)
    assert len(load(minimal_dir).events) > 0  # the entry is there and signed with the key of its own cache home


def test_charts_of_the_cached_shipped_data_equal_those_of_the_files(cache_dir: Path) -> None:
    fresh = load()
    cached = load()
    assert entries(cache_dir)
    for kind in ("timeline", "actors", "claims"):
        assert make_chart(cached, kind).to_dict() == make_chart(fresh, kind).to_dict()


def test_the_tables_are_written_while_they_are_checked(
    minimal_dir: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[list[str]] = []
    checked = dataset_module._checked

    def watched(*args: Any, **kwargs: Any) -> Any:
        seen.append([thread.name for thread in threading.enumerate()])
        return checked(*args, **kwargs)

    monkeypatch.setattr(dataset_module, "_checked", watched)
    validate(minimal_dir)
    assert validated_cache.STORE_THREAD_NAME in seen[0]  # the store had started when the checks began
    assert len(entries(cache_dir)) == 1


def test_tables_that_fail_their_checks_are_written_but_never_kept(minimal_dir: Path, cache_dir: Path) -> None:
    replace_in(minimal_dir / "events.csv", "2017-09,2017-09-01", "2017-13,2017-09-01")
    with pytest.raises(DataValidationError, match=r"events\.csv"):
        load(minimal_dir)
    validated_cache.wait_for_stores()  # returns: the store was told, and ended
    assert entries(cache_dir) == []
    assert not [path for path in cache_dir.iterdir() if path.name.startswith(".writing-")]
    assert [thread.name for thread in threading.enumerate()].count(validated_cache.STORE_THREAD_NAME) == 0


def test_an_article_that_cannot_be_read_is_reported_not_raised_by_the_store(
    minimal_dir: Path, cache_dir: Path, tmp_path: Path
) -> None:
    with pytest.raises(DataValidationError):
        load(minimal_dir, articles=[tmp_path / "missing.txt"])
    assert entries(cache_dir) == []


def test_a_changed_cell_of_the_same_size_is_read_afresh(minimal_dir: Path, cache_dir: Path) -> None:
    load(minimal_dir)
    replace_in(minimal_dir / "events.csv", "Editor sentenced", "Editor Sentenced")
    assert load(minimal_dir).events.loc[0, "title"] == "Editor Sentenced"
    assert len(entries(cache_dir)) == 2


def test_an_edit_that_breaks_the_data_fails_although_the_old_files_were_cached(minimal_dir: Path, cache_dir: Path) -> None:
    load(minimal_dir)
    replace_in(minimal_dir / "events.csv", "2017-09,2017-09-01", "2017-13,2017-09-01")
    with pytest.raises(DataValidationError, match=r"events\.csv"):
        load(minimal_dir)


def test_the_articles_are_part_of_the_key(minimal_dir: Path, cache_dir: Path, tmp_path: Path) -> None:
    load(minimal_dir, articles=[minimal_dir / "article.txt"])
    stranger = tmp_path / "stranger.txt"
    stranger.write_text("Not the op-ed.\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="matches no text_sha256"):
        load(minimal_dir, articles=[stranger])


def test_a_corrupt_cache_entry_is_ignored_and_the_files_validated(minimal_dir: Path, cache_dir: Path) -> None:
    first = load(minimal_dir)
    (entry,) = entries(cache_dir)
    (entry / "events.arrow").write_bytes(b"not arrow at all")
    second = load(minimal_dir)
    pd.testing.assert_frame_equal(second.events, first.events)


def test_a_cache_that_cannot_be_written_does_not_stop_a_load(
    minimal_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.delenv("KZ_TIMELINE_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    loaded = load(minimal_dir)
    monkeypatch.setenv("KZ_TIMELINE_NO_CACHE", "1")
    for table in TABLES:  # every table, as a load without any cache gives it
        pd.testing.assert_frame_equal(loaded.frame(table.name), load(minimal_dir).frame(table.name))
    assert len(loaded.events) == 2
    assert blocker.is_file() and blocker.read_bytes() == b""  # nothing was written where the cache should be


def test_kz_timeline_no_cache_turns_it_off(minimal_dir: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KZ_TIMELINE_NO_CACHE", "1")
    load(minimal_dir)
    assert entries(cache_dir) == []


def test_validate_always_checks_the_files_and_fills_the_cache_for_load(
    minimal_dir: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    validate(minimal_dir)
    assert len(entries(cache_dir)) == 1
    refuse_to_validate(monkeypatch)
    assert len(load(minimal_dir).events) > 0
    with pytest.raises(AssertionError, match="validated again"):
        validate(minimal_dir)


def test_validating_files_already_stored_rewrites_nothing_and_marks_the_entry_used(
    minimal_dir: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyarrow.feather

    validate(minimal_dir)
    (entry,) = entries(cache_dir)
    before = {path.name: path.stat().st_mtime_ns for path in entry.iterdir()}
    complete = entry / "complete"
    os.utime(complete, ns=(0, 0))

    written: list[object] = []
    monkeypatch.setattr(pyarrow.feather, "write_feather", lambda *args, **kwargs: written.append(args))
    validate(minimal_dir)
    assert entries(cache_dir) == [entry]
    assert written == []
    assert {path.name: path.stat().st_mtime_ns for path in entry.iterdir() if path != complete} == {
        name: mtime for name, mtime in before.items() if name != complete.name
    }
    assert complete.stat().st_mtime_ns > 0  # marked used: evicted last
    assert not [path for path in cache_dir.iterdir() if path.name.startswith(".writing-")]


def test_an_entry_refused_on_read_is_stored_afresh_by_the_next_validation(minimal_dir: Path, cache_dir: Path) -> None:
    first = load(minimal_dir)
    (entry,) = entries(cache_dir)
    (entry / "events.arrow").write_bytes(b"not arrow at all")
    validate(minimal_dir)  # the entry is in place: nothing is rewritten yet
    assert (entry / "events.arrow").read_bytes() == b"not arrow at all"
    load(minimal_dir)  # refused (one line on stderr), discarded, validated and stored again
    (stored,) = entries(cache_dir)
    assert (stored / "events.arrow").read_bytes() != b"not arrow at all"
    pd.testing.assert_frame_equal(load(minimal_dir).events, first.events)


def test_only_the_most_recently_used_entries_are_kept(minimal_dir: Path, cache_dir: Path) -> None:
    load(minimal_dir)
    (oldest,) = entries(cache_dir)
    for n in range(validated_cache.KEPT_ENTRIES):
        replace_in(minimal_dir / "events.csv", "A court sentences an editor" if n == 0 else f"court {n - 1}", f"court {n}")
        load(minimal_dir)
    kept = entries(cache_dir)
    assert len(kept) == validated_cache.KEPT_ENTRIES
    assert oldest not in kept


@pytest.mark.slow
def test_a_chart_from_the_cli_fills_the_cache_and_a_second_one_uses_it(
    minimal_dir: Path, cache_dir: Path, tmp_path: Path
) -> None:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO_ROOT / "src"), "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    outputs = []
    for n in range(2):
        out = tmp_path / f"timeline-{n}.json"
        result = subprocess.run(
            [sys.executable, "-m", "kz_timeline", "chart", "--data-dir", str(minimal_dir), "--out", str(out)],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        outputs.append(out.read_bytes())
        assert len(entries(cache_dir)) == 1
    assert outputs[0] == outputs[1]


def test_validate_lets_go_of_the_columns_only_a_tables_own_checks_read_and_stores_every_column(
    minimal_dir: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kz_timeline.reading.validation import OWN_CHECKS_ONLY

    with fast_paths.exact_only():  # each check ends as it starts: every table is narrowed
        tables, _ = dataset_module._validate_and_remember(minimal_dir, [])
    for name, columns in OWN_CHECKS_ONLY.items():
        assert not set(columns) & set(tables[name].frame.columns), name
    refuse_to_validate(monkeypatch)
    stored = load(minimal_dir)
    for table in TABLES:
        assert list(stored.text_tables[table.name].columns) == [column.name for column in table.columns]


def test_the_methods_checks_of_one_table_start_as_it_is_read_on_the_columns_the_checks_across_tables_keep(
    minimal_dir: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kz_timeline.reading.validation import OWN_CHECKS_ONLY

    events: list[tuple[str, str, frozenset[str]]] = []
    read, method = dataset_module.read_table, dataset_module.table_method_checks

    def reading(path: Path, table: Any, **options: Any) -> Any:
        events.append(("read", table.name, frozenset()))
        return read(path, table, **options)

    def starting(raw: Any) -> Any:
        events.append(("method", raw.table.name, frozenset(raw.frame.columns)))
        return method(raw)

    monkeypatch.setattr(dataset_module, "read_table", reading)
    monkeypatch.setattr(dataset_module, "table_method_checks", starting)
    validate(minimal_dir)
    order = [(kind, name) for kind, name, _ in events]
    assert order.index(("method", "claims")) == order.index(("read", "claims")) + 1 < order.index(("read", "evidence"))
    assert order.index(("method", "sources")) < order.index(("read", "participants"))
    claims_columns = next(columns for kind, name, columns in events if (kind, name) == ("method", "claims"))
    assert claims_columns and not claims_columns & set(OWN_CHECKS_ONLY["claims"])


def test_files_with_a_new_stamp_but_the_same_bytes_keep_their_entry_and_then_write_nothing(
    minimal_dir: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyarrow.feather

    validate(minimal_dir)
    (entry,) = entries(cache_dir)
    events = minimal_dir / "events.csv"
    events.write_bytes(events.read_bytes())  # the same bytes, written again: a new change time
    validate(minimal_dir)  # the stamp is new: the tables are written aside, the key is the same, the entry stays
    assert entries(cache_dir) == [entry]
    assert not [path for path in cache_dir.iterdir() if path.name.startswith(".writing-")]
    written: list[object] = []
    monkeypatch.setattr(pyarrow.feather, "write_feather", lambda *args, **kwargs: written.append(args))
    validate(minimal_dir)  # the entry now carries the new stamp
    assert written == []
    assert entries(cache_dir) == [entry]


def test_a_build_interrupted_before_its_checks_start_leaves_no_store_waiting_and_nothing_stored(
    minimal_dir: Path, cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tables are written to the cache while they are read; the verdict comes from the checks, which never ran."""
    from kz_timeline.site import database, row_writer

    def interrupted(self: row_writer.RowWriter) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(row_writer.RowWriter, "commit", interrupted)
    with pytest.raises(KeyboardInterrupt):
        database.build_database(minimal_dir, tmp_path / "kz.db")
    for thread in threading.enumerate():
        if thread.name == validated_cache.STORE_THREAD_NAME:
            thread.join(timeout=30)
            assert not thread.is_alive(), "a store still waits for a verdict: Python would wait for it at exit"
    assert entries(cache_dir) == []
    assert not [path for path in cache_dir.iterdir() if path.name.startswith(".writing-")]
    assert not (tmp_path / "kz.db").exists()


def test_a_build_stores_the_tables_it_validated_for_the_next_load(
    minimal_dir: Path, cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kz_timeline.site import database

    database.build_database(minimal_dir, tmp_path / "kz.db")
    assert len(entries(cache_dir)) == 1
    refuse_to_validate(monkeypatch)
    for table in TABLES:
        assert list(load(minimal_dir).text_tables[table.name].columns) == [column.name for column in table.columns]


STORED_AT_EXIT = """
import threading, time
import pandas as pd
from kz_timeline.dataset.validated_cache import table_store
from kz_timeline.schema.tables import TABLES

store = table_store()
for table in TABLES:
    store.add(table.name, pd.DataFrame({"n": [1, 2]}))

def verdict() -> None:  # as after Ctrl-C: the checks answer once the main thread has ended and Python shuts down
    while threading.main_thread().is_alive():
        time.sleep(0.01)
    store.keep("a" * 64)

threading.Thread(target=verdict, daemon=True).start()
"""


def test_tables_kept_while_python_shuts_down_are_signed_and_stored_without_a_traceback(cache_dir: Path) -> None:
    """`concurrent.futures` refuses new work once Python has begun to shut down; the signature is taken all the same."""
    result = subprocess.run([sys.executable, "-c", STORED_AT_EXIT], capture_output=True, text=True, check=False, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stderr == ""
    (entry,) = entries(cache_dir)
    assert entry.name == "a" * 64
    assert (entry / validated_cache._COMPLETE).is_file()
