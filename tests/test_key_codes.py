"""The keys' codes answer where a referring value stands in its key exactly as a hash lookup does."""

from __future__ import annotations

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from kz_timeline.reading.csv_files import RawTable
from kz_timeline.reading.key_codes import SharedCodes
from kz_timeline.reading.text_categories import text_categories
from kz_timeline.schema.rubric import key_positions
from kz_timeline.schema.tables import TABLES_BY_NAME

#: Few distinct values, so that keys repeat and referring values are often missing from the key; '' included.
VALUES = st.lists(st.sampled_from(["", "a", "b", "c", "d", "ev_1", "Ев"]), max_size=12)


def raw(name: str, column: str, values: list[str]) -> RawTable:
    table = TABLES_BY_NAME[name]
    frame = pd.DataFrame({name: pd.Series([""] * len(values), dtype="str") for name in table.column_names})
    frame[column] = pd.Series(values, dtype="str")
    return RawTable(table, f"{name}.csv", frame, list(range(2, len(values) + 2)))


@given(events=VALUES, participants=VALUES, links=VALUES)
def test_rows_in_key_are_the_first_rows_a_hash_lookup_finds(events: list[str], participants: list[str], links: list[str]) -> None:
    tables = {
        "events": raw("events", "event_id", events),
        "participants": raw("participants", "event_id", participants),
        "event_links": raw("event_links", "to_event_id", links),
    }
    codes = SharedCodes(tables)(("events", "event_id"))
    key = tables["events"].frame["event_id"]
    for name, column in (("participants", "event_id"), ("event_links", "to_event_id"), ("events", "event_id")):
        expected = key_positions(tables[name].frame[column], key).tolist()
        assert codes.rows_in_key((name, column)).tolist() == expected


def test_rows_in_key_point_at_the_first_of_repeated_keys() -> None:
    # A counterexample for "the code is the row": codes 0, 1, 2 stand on rows 0, 2, 3 of the key.
    tables = {
        "events": raw("events", "event_id", ["a", "a", "b", "c"]),
        "participants": raw("participants", "event_id", ["c", "x", "b", "a"]),
    }
    codes = SharedCodes(tables)(("events", "event_id"))
    assert codes.rows_in_key(("participants", "event_id")).tolist() == [3, -1, 2, 0]


@given(events=VALUES, participants=VALUES, links=VALUES)
def test_a_referring_column_held_as_categories_gets_the_codes_of_its_texts(
    events: list[str], participants: list[str], links: list[str]
) -> None:
    def tables(categorical: bool) -> dict[str, RawTable]:
        found = {
            "events": raw("events", "event_id", events),
            "participants": raw("participants", "event_id", participants),
            "event_links": raw("event_links", "to_event_id", links),
        }
        if categorical:
            found["participants"].frame["event_id"] = text_categories(participants)
            found["event_links"].frame["to_event_id"] = text_categories(links)
        return found

    as_text, as_categories = SharedCodes(tables(False)), SharedCodes(tables(True))
    key = ("events", "event_id")
    for column in (("participants", "event_id"), ("event_links", "to_event_id")):
        assert as_categories(key).rows_in_key(column).tolist() == as_text(key).rows_in_key(column).tolist()
        assert as_categories(key).holds(column).tolist() == as_text(key).holds(column).tolist()
        # Rows of the same text share a code, whichever form the column is in.
        texts = tables(False)[column[0]].frame[column[1]].tolist()
        codes = as_categories(key).codes[column].tolist()
        assert len({(text, code) for text, code in zip(texts, codes, strict=True)}) == len(set(texts))
