"""Validation finds every problem at once and locates it by file, line and column."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kz_timeline.dataset.loader import validate
from kz_timeline.errors import DataValidationError
from kz_timeline.reading.csv_files import RawTable
from kz_timeline.reading.validation import _has_duplicates
from kz_timeline.schema.tables import EVIDENCE, PARTICIPANTS
from tests.helpers import append_line, replace_in


def problems_of(data_dir: Path, *articles: Path) -> list[str]:
    with pytest.raises(DataValidationError) as caught:
        validate(data_dir, articles)
    return [str(problem).replace(str(data_dir) + "/", "") for problem in caught.value.problems]


def test_minimal_dataset_is_valid_and_summarised(minimal_dir: Path) -> None:
    summary = validate(minimal_dir, [minimal_dir / "article.txt"])
    assert summary.row_counts == {
        "events": 2,
        "actors": 2,
        "sources": 2,
        "participants": 2,
        "event_links": 1,
        "claims": 2,
        "evidence": 1,
    }
    assert summary.quotes_checked == 2
    assert str(summary).endswith("2 quotes match article.txt")


def test_every_problem_is_reported_at_once_in_file_and_line_order(minimal_dir: Path) -> None:
    replace_in(minimal_dir / "events.csv", "verdict", "verdikt")
    replace_in(minimal_dir / "participants.csv", "president,speaker", "nobody,speaker")
    replace_in(minimal_dir / "actors.csv", "president,The President", "President,The President")
    assert problems_of(minimal_dir) == [
        "actors.csv:3: column 'actor_id': 'President' must be a lowercase slug (a-z, 0-9, '_' or '-' between them)",
        "actors.csv:3: column 'actor_id': no claim or participant row refers to this actor",
        "claims.csv:2: column 'claimant_id': 'president' matches no actor_id in actors.csv",
        "claims.csv:3: column 'actor_id': 'president' matches no actor_id in actors.csv",
        "claims.csv:3: column 'claimant_id': 'president' matches no actor_id in actors.csv",
        "events.csv:2: column 'event_type': 'verdikt' is not a term of the EventType vocabulary; did you mean 'verdict'?",
        "participants.csv:3: column 'actor_id': 'nobody' matches no actor_id in actors.csv",
    ]


def test_derived_columns_must_agree_with_date(minimal_dir: Path) -> None:
    replace_in(minimal_dir / "events.csv", "2017-09-01,2017-09-30,month", "2017-09-01,2017-09-31,day")
    assert problems_of(minimal_dir) == [
        "events.csv:2: column 'date_end': '2017-09-31' disagrees with date '2017-09', which gives '2017-09-30'; "
        "run `kz-timeline fmt` to recompute derived columns",
        "events.csv:2: column 'date_end': '2017-09-31' is not a day of the calendar",
        "events.csv:2: column 'date_precision': 'day' disagrees with date '2017-09', which gives 'month'; "
        "run `kz-timeline fmt` to recompute derived columns",
    ]


def test_duplicate_keys_name_the_first_occurrence(minimal_dir: Path) -> None:
    append_line(minimal_dir / "participants.csv", "editor_sentenced,editor,defendant,again")
    assert problems_of(minimal_dir) == [
        "participants.csv:4: column 'event_id': duplicate key ('editor_sentenced', 'editor', 'defendant') (first on line 2)"
    ]


def test_self_links_and_cycles_are_reported(minimal_dir: Path) -> None:
    append_line(minimal_dir / "event_links.csv", "editor_sentenced,president_speaks,follows,")
    append_line(minimal_dir / "event_links.csv", "editor_sentenced,editor_sentenced,causes,")
    assert problems_of(minimal_dir) == [
        "event_links.csv:2: column 'relation': "
        "cycle in 'follows' links: editor_sentenced -> president_speaks -> editor_sentenced",
        "event_links.csv:4: column 'to_event_id': an event cannot link to itself",
    ]


def test_refers_to_links_may_form_cycles(minimal_dir: Path) -> None:
    append_line(minimal_dir / "event_links.csv", "editor_sentenced,president_speaks,refers_to,")
    append_line(minimal_dir / "event_links.csv", "president_speaks,editor_sentenced,refers_to,")
    assert validate(minimal_dir).row_counts["event_links"] == 3


def test_unbacked_event_is_reported(minimal_dir: Path) -> None:
    replace_in(minimal_dir / "claims.csv", ",president_speaks,president,", ",,president,")
    (minimal_dir / "event_links.csv").write_text("from_event_id,to_event_id,relation,note\n", encoding="utf-8")
    assert problems_of(minimal_dir) == [
        "events.csv:3: column 'event_id': no claim or evidence row refers to this event, nor is it linked to an event "
        "that one does"
    ]


def test_an_event_that_evidence_documents_is_backed(minimal_dir: Path) -> None:
    replace_in(minimal_dir / "claims.csv", ",president_speaks,president,", ",,president,")
    (minimal_dir / "event_links.csv").write_text("from_event_id,to_event_id,relation,note\n", encoding="utf-8")
    replace_in(minimal_dir / "evidence.csv", ",record,editor_sentenced,", ",record,president_speaks,")
    assert validate(minimal_dir).row_counts["events"] == 2


def test_an_event_one_link_from_a_cited_event_is_backed_but_not_one_two_links_away(minimal_dir: Path) -> None:
    replace_in(minimal_dir / "claims.csv", ",president_speaks,president,", ",,president,")
    append_line(
        minimal_dir / "events.csv",
        "court_hearing,Court hearing,2017-08,2017-08-01,2017-08-31,month,exact,closed,trial,mamai_case,false,,KZ,"
        "A court hears the case.,",
    )
    append_line(minimal_dir / "event_links.csv", "court_hearing,president_speaks,refers_to,")
    assert problems_of(minimal_dir) == [
        "events.csv:4: column 'event_id': no claim or evidence row refers to this event, nor is it linked to an event "
        "that one does"
    ]


def test_an_actor_that_only_takes_part_in_an_event_is_backed(minimal_dir: Path) -> None:
    append_line(minimal_dir / "actors.csv", "court,A Court,court,KZ,,A court.")
    append_line(minimal_dir / "participants.csv", "editor_sentenced,court,court,")
    assert validate(minimal_dir).row_counts["actors"] == 3


def test_quote_that_differs_from_the_article_says_where_it_occurs(minimal_dir: Path) -> None:
    replace_in(
        minimal_dir / "claims.csv",
        ",the President spoke in St. Petersburg,16,53,",
        ",the President spoke in St. Petersburg,17,54,",
    )
    assert problems_of(minimal_dir, minimal_dir / "article.txt") == [
        "claims.csv:3: column 'quote': M3: differs from article.txt[17:54], which reads 'he President spoke in St. Petersburg.'; "
        "the quote occurs at 16:53"
    ]


def test_quote_offsets_out_of_range_or_reversed(minimal_dir: Path) -> None:
    replace_in(minimal_dir / "claims.csv", ",16,53,", ",16,9999,")
    replace_in(minimal_dir / "claims.csv", ",55,100,", ",55,40,")
    assert problems_of(minimal_dir, minimal_dir / "article.txt") == [
        "claims.csv:2: column 'quote_end': M3: 40 is not after quote_start 55",
        "claims.csv:3: column 'quote_end': M3: 9999 is past the end of article.txt (101 characters)",
    ]


def test_article_that_matches_no_source_is_reported(minimal_dir: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.txt"
    other.write_text("something else", encoding="utf-8")
    problems = problems_of(minimal_dir, other)
    assert len(problems) == 1
    assert problems[0].startswith(f"{other}: its SHA-256 ")
    assert problems[0].endswith("matches no text_sha256 in sources.csv")


key_values = st.lists(st.sampled_from(["a", "b", "c", "ab", "é", "z9"]), max_size=12)


@settings(max_examples=300, deadline=None)
@given(ids=key_values, ordered=st.booleans())
def test_a_key_of_one_column_has_duplicates_exactly_when_pandas_finds_them(ids: list[str], ordered: bool) -> None:
    values = sorted(ids) if ordered else ids  # sorted: the ascending shortcut decides unless two are alike
    frame = pd.DataFrame({"evidence_id": values}, dtype="str")
    raw = RawTable(EVIDENCE, "evidence.csv", frame, list(range(2, len(values) + 2)))
    assert _has_duplicates(raw, ["evidence_id"], None) == bool(frame.duplicated().any())


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(st.tuples(*[st.sampled_from(["a", "b", "c"])] * 3), max_size=12), ordered=st.booleans())
def test_a_key_of_several_columns_has_duplicates_exactly_when_pandas_finds_them(
    rows: list[tuple[str, str, str]], ordered: bool
) -> None:
    drawn = sorted(rows) if ordered else rows
    frame = pd.DataFrame(drawn or None, columns=["event_id", "actor_id", "role"], dtype="str")
    raw = RawTable(PARTICIPANTS, "participants.csv", frame, list(range(2, len(drawn) + 2)))
    assert _has_duplicates(raw, ["event_id", "actor_id", "role"], None) == bool(frame.duplicated().any())
