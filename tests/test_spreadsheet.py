"""The journalists' events sheet: one row per event, readable by Excel, and no cell that runs as a formula."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from kz_timeline.dataset.loader import load
from kz_timeline.exports.spreadsheet import COLUMNS, neutralise_formula, spreadsheet_csv
from tests.cells import set_cell


def _rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "Excel needs the UTF-8 BOM to read the sheet as UTF-8"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ('=HYPERLINK("http://evil.example","click")', '\'=HYPERLINK("http://evil.example","click")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Almaty = 1", "Almaty = 1"),
        ("'quoted", "'quoted"),
        ("", ""),
    ],
)
def test_neutralise_formula(value: str, shown: str) -> None:
    assert neutralise_formula(value) == shown


def test_hostile_cells_reach_the_sheet_neutralised(minimal_dir: Path) -> None:
    events = minimal_dir / "events.csv"
    set_cell(events, "event_id", "editor_sentenced", "title", '=HYPERLINK("http://evil.example","x")')
    set_cell(events, "event_id", "editor_sentenced", "description", "+cmd|' /C calc'!A0")
    set_cell(events, "event_id", "president_speaks", "place", "@SUM(1+1)*cmd|' /C calc'!A0")
    set_cell(events, "event_id", "president_speaks", "description", "-1+1")
    set_cell(minimal_dir / "actors.csv", "actor_id", "editor", "name", "=1+1")
    rows = {row["event_id"]: row for row in _rows(spreadsheet_csv(load(minimal_dir)))}
    assert rows["editor_sentenced"]["title"] == '\'=HYPERLINK("http://evil.example","x")'
    assert rows["editor_sentenced"]["description"] == "'+cmd|' /C calc'!A0"
    assert rows["editor_sentenced"]["actors"] == "'=1+1 (defendant)"
    assert rows["president_speaks"]["place"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert rows["president_speaks"]["description"] == "'-1+1"
    for row in rows.values():
        assert not any(value.startswith(("=", "+", "-", "@", "\t", "\r")) for value in row.values())


def test_sheet_has_a_row_per_event_in_date_order_with_quotes_and_verification(minimal_dir: Path) -> None:
    data = spreadsheet_csv(load(minimal_dir))
    assert data.count(b"\r\n") == 3
    rows = _rows(data)
    assert list(rows[0]) == list(COLUMNS)
    assert [row["event_id"] for row in rows] == ["editor_sentenced", "president_speaks"]
    first = rows[0]
    assert (first["date"], first["date_edtf"], first["date_start"], first["date_end"]) == (
        "September 2017",
        "2017-09",
        "2017-09-01",
        "2017-09-30",
    )
    assert first["op_ed_quotes"] == "“In September 2017 a court sentenced an editor”"
    assert (first["verification"], first["verdicts"]) == ("Corroborated", "The court record gives 7 September 2017.")
    assert (rows[1]["verification"], rows[1]["verdicts"]) == ("Unverified", "No record of the speech was found.")
    assert first["actors"] == "The Editor (defendant)"
    assert first["key_event"] == "yes"
    assert first["evidence_urls"] == "https://example.org/record"


def test_shipped_sheet_covers_every_event_and_every_op_ed_quote() -> None:
    dataset = load()
    rows = _rows(spreadsheet_csv(dataset))
    assert sorted(row["event_id"] for row in rows) == sorted(dataset.events["event_id"])
    quotes = sum(len(row["op_ed_quotes"].split("\n")) for row in rows if row["op_ed_quotes"])
    claims = dataset.claims
    assert quotes == int(claims["event_id"].notna().sum())
