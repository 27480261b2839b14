"""Lengths: a value or a row the site's SQLite could not read or sort is refused by validate, and one at the bound is
served and sorted."""

from __future__ import annotations

import asyncio
import csv
import io
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from kz_timeline.defaults import SITE_ROW_BYTES, SITE_VALUE_BYTES
from kz_timeline.reading.csv_files import read_table
from kz_timeline.reading.value_lengths import check_value_lengths
from kz_timeline.schema.tables import EVENTS
from kz_timeline.site.database import build_database
from kz_timeline.site.plugins.kz_timeline_limits import SQLITE_LIMITS
from kz_timeline.site.server import make_datasette
from tests.helpers import validation_problems

ROW_RULE = f"a row may hold at most {SITE_ROW_BYTES:,} (the site sorts whole rows within its SQLite limit, SECURITY.md)"
SORTED_PAGES = ["/kz-timeline/events?_sort=description", "/kz-timeline/events?_sort_desc=title", "/kz-timeline/events.csv"]


def pad_first_event(data_dir: Path, row_bytes: int) -> str:
    """Lengthen the first event's description so that its row's values hold `row_bytes` bytes; return the text."""
    path = data_dir / "events.csv"
    text = path.read_text(encoding="utf-8")
    header, first = list(csv.reader(io.StringIO(text, newline="")))[:2]
    description = first[header.index("description")]
    missing = row_bytes - sum(len(value.encode("utf-8")) for value in first)
    longer = description + "z" * missing
    path.write_text(text.replace(description, longer, 1), encoding="utf-8")
    return longer


def statuses(database: Path, data_dir: Path) -> dict[str, int]:
    datasette = make_datasette(database, data_dir=data_dir)

    async def fetch() -> dict[str, int]:
        return {
            page: (await datasette.client.get(page)).status_code
            for page in [*SORTED_PAGES, "/kz-timeline/events/editor_sentenced"]
        }

    return asyncio.run(fetch())


def test_the_bounds_are_the_sites_sqlite_limit() -> None:
    assert SQLITE_LIMITS[sqlite3.SQLITE_LIMIT_LENGTH] == SITE_VALUE_BYTES
    assert SITE_ROW_BYTES < SITE_VALUE_BYTES


def test_a_row_at_the_bound_is_valid_and_the_site_shows_and_sorts_it(minimal_dir: Path, tmp_path: Path) -> None:
    longer = pad_first_event(minimal_dir, SITE_ROW_BYTES)
    assert validation_problems(minimal_dir) == []
    database = tmp_path / "bound.db"
    build_database(minimal_dir, database)
    assert set(statuses(database, minimal_dir).values()) == {200}
    with sqlite3.connect(database) as connection:
        assert connection.execute("select description from events where event_id = 'editor_sentenced'").fetchone() == (longer,)


def test_a_row_one_byte_over_the_bound_is_refused_on_its_line(minimal_dir: Path) -> None:
    pad_first_event(minimal_dir, SITE_ROW_BYTES + 1)
    assert validation_problems(minimal_dir) == [
        f"{minimal_dir / 'events.csv'}:2: the row's values together are {SITE_ROW_BYTES + 1:,} bytes long in UTF-8; "
        f"{ROW_RULE}: shorten its text"
    ]


def test_a_file_whose_rows_all_fit_the_bound_is_cleared_by_their_length_as_read(minimal_dir: Path) -> None:
    raw = read_table(minimal_dir / "events.csv", EVENTS)[0]
    assert raw is not None and raw.longest_record is not None and raw.longest_record <= SITE_ROW_BYTES
    assert check_value_lengths(raw) == []
    # The length measured as the file was read decides alone: the columns are not measured again.
    lengthened = raw.frame.assign(description="d" * (SITE_VALUE_BYTES + 1))
    assert check_value_lengths(replace(raw, frame=lengthened)) == []
    assert len(check_value_lengths(replace(raw, frame=lengthened, longest_record=None))) == len(raw.frame)


def test_a_row_longer_in_the_file_than_the_bound_is_judged_by_its_values(minimal_dir: Path) -> None:
    """Quoting makes a row longer in the file than its values: past the bound, the values decide."""
    path = minimal_dir / "events.csv"
    text = path.read_text(encoding="utf-8")
    quoted = '"' + '""' * 9_000 + '"'  # 18,002 bytes in the file, a value of 9,000
    path.write_text(text.replace("A court sentences an editor.", quoted, 1), encoding="utf-8")
    raw = read_table(path, EVENTS)[0]
    assert raw is not None and raw.longest_record is not None and raw.longest_record > SITE_ROW_BYTES
    assert validation_problems(minimal_dir) == []


def test_a_long_value_is_counted_in_utf8_bytes_and_reported_once_with_its_column(minimal_dir: Path) -> None:
    path = minimal_dir / "sources.csv"
    text = path.read_text(encoding="utf-8")
    url = "https://example.org/record?q=" + "Қ" * 8_200  # 8,229 characters, 16,429 bytes
    path.write_text(text.replace("https://example.org/record", url, 1), encoding="utf-8")
    problems = [problem for problem in validation_problems(minimal_dir) if "bytes long" in problem]
    assert len(problems) == 1 and ":3: column 'url': is 16,429 bytes long in UTF-8" in problems[0], problems


def test_without_the_rule_a_longer_row_would_break_the_sites_sorted_pages(minimal_dir: Path, tmp_path: Path) -> None:
    """What the rule prevents, shown on a database whose row was lengthened after the build."""
    database = tmp_path / "over.db"
    build_database(minimal_dir, database)
    with sqlite3.connect(database) as connection:
        connection.execute(
            "update events set description = description || ? where event_id = 'editor_sentenced'", ("z" * SITE_VALUE_BYTES,)
        )
    pages = statuses(database, minimal_dir)
    assert pages["/kz-timeline/events?_sort=description"] != 200, pages
    assert pages["/kz-timeline/events/editor_sentenced"] != 200, pages


@pytest.mark.parametrize("column", ["title", "place"])
def test_the_row_rule_counts_every_column(minimal_dir: Path, column: str) -> None:
    path = minimal_dir / "events.csv"
    text = path.read_text(encoding="utf-8")
    old = {"title": "Editor sentenced", "place": '"Almaty, Kazakhstan"'}[column]
    new = {"title": "Editor sentenced " + "t" * 8_000, "place": '"Almaty, Kazakhstan ' + "p" * 8_000 + '"'}[column]
    path.write_text(text.replace(old, new, 1).replace("A court sentences an editor.", "d" * 8_100, 1), encoding="utf-8")
    problems = validation_problems(minimal_dir)
    assert len(problems) == 1 and ":2: the row's values together are" in problems[0], problems
