"""Control characters: refused with file, line, column and position; tab, line feed and carriage return only in text."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from kz_timeline.reading import control_characters
from tests.helpers import replace_in, validation_problems

TEXT_RULE = "only tab, line feed and carriage return may appear in text"


@pytest.mark.parametrize("character", ["\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x80", "\x85", "\x9f"])
def test_a_control_character_in_text_is_refused_where_it_is(minimal_dir: Path, character: str) -> None:
    replace_in(minimal_dir / "events.csv", "Editor sentenced", f"Editor{character}sentenced")
    assert validation_problems(minimal_dir) == [
        f"{minimal_dir / 'events.csv'}:2: column 'title': holds the control character U+{ord(character):04X} at "
        f"character 7; {TEXT_RULE}"
    ]


@pytest.mark.parametrize("character", ["\t", "\n", "\r", "«", "\u00a0", "\u2028", "Қ"])
def test_tab_line_breaks_and_other_characters_stay_allowed_in_text(minimal_dir: Path, character: str) -> None:
    replace_in(minimal_dir / "events.csv", "Editor sentenced", f'"Editor{character}sentenced"')
    assert validation_problems(minimal_dir) == []


def test_a_tab_in_a_formatted_column_is_reported_once_by_its_format(minimal_dir: Path) -> None:
    replace_in(minimal_dir / "sources.csv", "https://example.org/record", "https://example.org/re\tcord")
    (problem,) = validation_problems(minimal_dir)
    assert problem.startswith(f"{minimal_dir / 'sources.csv'}:3: column 'url': ") and "must be an http(s) URL" in problem


def test_a_control_character_a_format_lets_through_is_refused(minimal_dir: Path) -> None:
    replace_in(minimal_dir / "actors.csv", "Editor X", "Editor\x01X")
    assert validation_problems(minimal_dir) == [
        f"{minimal_dir / 'actors.csv'}:2: column 'aliases': holds the control character U+0001 at character 16; remove it"
    ]


CONTROL_TEXT = st.lists(st.text(alphabet="ab\t\n\r\x01\x1f\x7f\x80\x9f\xa0«Қ", max_size=5), max_size=6)


@given(values=CONTROL_TEXT, breaks_allowed=st.booleans(), chunk=st.sampled_from([1, 2, 3, 5, control_characters._SCAN_BYTES]))
@example(values=["\x80"], breaks_allowed=True, chunk=1)  # C2 80 split between two chunks
@example(values=["a\x9f"], breaks_allowed=True, chunk=2)
@example(values=["a\t"], breaks_allowed=True, chunk=1)
def test_the_scan_of_a_columns_bytes_finds_a_control_exactly_when_a_cell_holds_one_whatever_its_chunk_size(
    values: list[str], breaks_allowed: bool, chunk: int
) -> None:
    refused = re.compile(control_characters._CONTROL_IN_TEXT if breaks_allowed else control_characters._ANY_CONTROL)
    column = pd.Series(pd.array(values, dtype="str"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(control_characters, "_SCAN_BYTES", chunk)
        found = control_characters._may_hold_control(column, breaks_allowed=breaks_allowed)
    assert found == any(refused.search(value) for value in values)
