"""The method's checks (kz_timeline.reading.method) beyond the one-case fixtures: spans at random, URLs, the as-of date."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kz_timeline.reading.csv_files import RawTable
from kz_timeline.reading.method import check_short_quotes, check_spans, check_urls, publication_date, span_order
from kz_timeline.schema.tables import CLAIMS, SOURCES

Span = tuple[str, int, int, bool]  # source, start, end, framing


def claims_table(spans: list[Span]) -> RawTable:
    frame = pd.DataFrame(
        {
            "claim_id": [f"c{n}" for n in range(len(spans))],
            "source_id": [source for source, _, _, _ in spans],
            "quote_start": [str(start) for _, start, _, _ in spans],
            "quote_end": [str(end) for _, _, end, _ in spans],
            "claim_type": ["framing" if framing else "fact" for *_, framing in spans],
        },
        dtype="str",
    )
    return RawTable(CLAIMS, "claims.csv", frame, list(range(2, len(spans) + 2)))


def breaks_m2(spans: list[Span]) -> bool:
    """Say, pair by pair, whether two claims of a source share a span, partly overlap, or nest a non-framing claim."""
    for (source_a, start_a, end_a, framing_a), (source_b, start_b, end_b, framing_b) in combinations(spans, 2):
        if source_a != source_b or end_a <= start_b or end_b <= start_a:
            continue
        if (start_a, end_a) == (start_b, end_b):
            return True
        if start_a <= start_b and end_b <= end_a:
            if not framing_b:
                return True
        elif start_b <= start_a and end_a <= end_b:
            if not framing_a:
                return True
        else:
            return True
    return False


spans = st.lists(
    st.tuples(st.sampled_from(["a", "b"]), st.integers(0, 40), st.integers(1, 15), st.booleans()).map(
        lambda t: (t[0], t[1], t[1] + t[2], t[3])
    ),
    max_size=9,
)


@settings(max_examples=400, deadline=None)
@given(spans)
def test_the_vectorised_span_check_finds_a_problem_exactly_when_a_pairwise_check_does(drawn: list[Span]) -> None:
    problems = check_spans(claims_table(drawn))
    assert bool(problems) == breaks_m2(drawn), (drawn, [str(problem) for problem in problems])
    assert all(problem.message.startswith("M2: ") for problem in problems)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 3), st.integers(0, 2**40), st.integers(1, 2**40)), max_size=30),
    st.sampled_from([1, 2**20, 2**60]),
)
def test_spans_are_ordered_as_lexsort_orders_them_ties_kept_in_order(drawn: list[tuple[int, int, int]], scale: int) -> None:
    source = np.array([span[0] for span in drawn], dtype=np.int64)
    start = np.array([span[1] % scale for span in drawn], dtype=np.int64)  # small values tie often; 2**60 overflows
    end = start + np.array([span[2] % scale + 1 for span in drawn], dtype=np.int64)
    expected = np.lexsort((np.arange(len(drawn)), -end, start, source))
    assert span_order(source, start, end).tolist() == expected.tolist()


def test_two_terms_inside_one_passage_may_not_overlap_each_other() -> None:
    drawn = [("a", 0, 100, False), ("a", 10, 50, True), ("a", 40, 60, True)]
    (problem,) = check_spans(claims_table(drawn))
    assert str(problem) == (
        "claims.csv:4: column 'quote_start': M2: the quote span 40:60 partly overlaps 10:50 of claim 'c1' (line 3); "
        "quotes may not partly overlap"
    )


def test_spans_of_different_sources_never_clash() -> None:
    assert check_spans(claims_table([("a", 0, 10, False), ("b", 0, 10, False)])) == []


def sources_table(urls: list[str], published: list[str] | None = None, kinds: list[str] | None = None) -> RawTable:
    frame = pd.DataFrame(
        {
            "source_id": [f"s{n}" for n in range(len(urls))],
            "url": urls,
            "published": published or [""] * len(urls),
            "source_type": kinds or ["news_report"] * len(urls),
        },
        dtype="str",
    )
    return RawTable(SOURCES, "sources.csv", frame, list(range(2, len(urls) + 2)))


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/a?fbclid=IwAR0",
        "https://example.org/a?id=1&gclid=x",
        "https://example.org/a?utm_medium=social",
        "https://example.org/search?q=mamai",
        "https://example.org/?s=ablyazov",
        "http://example.org:80/a",
        "https://example.org.:443/a",
    ],
)
def test_url_artefacts_are_refused(url: str) -> None:
    assert [problem.message.split(" ", 1)[0] for problem in check_urls(sources_table([url]))][:1] == ["M8:"]


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/?p=9434341",
        "http://enews.fergananews.com/news.php?id=3442&mode=snews",
        "https://bureau.kz/?p=52601&post_type=post",
        "https://example.org:8080/a",
        "https://example.org/a?sq=1&queryx=2",
        "https://example.org/questions",
    ],
)
def test_site_page_addresses_are_kept(url: str) -> None:
    assert check_urls(sources_table([url])) == []


def test_the_publication_date_is_the_earliest_first_day_of_an_op_ed_copy() -> None:
    table = sources_table(
        ["https://a.example", "https://b.example", "https://c.example", "https://d.example"],
        published=["2023-05-17", "2023-05", "", "2020"],
        kinds=["op_ed", "op_ed", "op_ed", "news_report"],
    )
    assert publication_date(table.frame) == "2023-05-01"
    assert publication_date(table.frame[table.frame["source_type"] != "op_ed"]) is None


@pytest.mark.parametrize(
    ("quote", "short"),
    [
        ("one two three", False),
        ("one\u00a0two\u00a0three", False),  # no-break spaces part words too
        ("Қазақстан қала үй", False),
        ("St. Petersburg", True),
        ("  Taiwan  ", True),
        ("high[1]profile dealings", True),
    ],
)
def test_a_short_quote_is_one_of_fewer_than_three_words_as_str_split_counts_them(quote: str, short: bool) -> None:
    frame = pd.DataFrame({"quote": [quote], "claim_type": ["fact"]}, dtype="str")
    problems = list(check_short_quotes(RawTable(CLAIMS, "claims.csv", frame, [2])))
    assert bool(problems) == short == (len(quote.split()) < 3)
