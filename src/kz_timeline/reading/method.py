"""Check the data against the written method (docs/METHODOLOGY.md): the rules M1, M2 and M4 to M8 that a machine can.

M3 (quotes and offsets) is `validation.check_quotes`. Every check here works on whole columns (group-bys, bincounts,
vectorised string tests); only the rows that break a rule are then worded one by one, each message starting with
the rule's identifier.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kz_timeline.arrow_columns import digits_only, string_array
from kz_timeline.errors import Problem
from kz_timeline.reading import fast_paths
from kz_timeline.reading.csv_files import RawTable
from kz_timeline.reading.key_codes import ColumnName, SharedCodes
from kz_timeline.reading.validation import Check, date_table, derived_date_columns, isin, offsets, run_checks
from kz_timeline.schema import rubric
from kz_timeline.schema.vocabularies import ClaimType, EvidenceRelation, EvidenceTiming, SourceType, Verification

#: A quote without three words (three runs of non-space characters, Unicode spaces included) belongs to a framing
#: claim (M1); the words Python's `str.split()` finds.
THREE_WORDS = r"[^\s\p{Z}][\s\p{Z}]+[^\s\p{Z}]+[\s\p{Z}]+[^\s\p{Z}]"
#: Query parameters that track a visit (M8); `utm_` is a prefix.
TRACKING_PARAMETERS = ("fbclid", "gclid")
TRACKING_PREFIX = "utm_"
#: Query parameters that carry a search, not a page (M8); page addresses such as `?p=123` or `?id=3442` stay.
SEARCH_PARAMETERS = ("q", "query", "s", "search")
#: Default ports, which a cited URL leaves out (M8).
DEFAULT_PORTS = ("80", "443")


@dataclass(frozen=True)
class KeyRows:
    """Where the values of a referring column stand in its key: from the keys' codes, or by hash lookups.

    Validation's fast path has encoded every key and the columns referring to it (`SharedCodes`, for the checks of
    keys and references); the method's checks then read each evidence row's claim, source and event off those
    codes. Without codes (the exact path, or a check run on its own) each answer is a lookup of its own.
    """

    tables: Mapping[str, RawTable]
    codes: SharedCodes | None = None

    def __call__(self, column: ColumnName, key: ColumnName) -> np.ndarray:
        """Return, for each row of `column`, the first row of `key` holding its value, or -1 where none does."""
        if self.codes is not None and fast_paths.enabled():
            return self.codes(key).rows_in_key(column)
        return rubric.key_positions(self.tables[column[0]].frame[column[1]], self.tables[key[0]].frame[key[1]])

    def evidence(self) -> rubric.EvidenceKeys:
        """Return each evidence row's claim and source, as the rubric takes them."""
        return rubric.EvidenceKeys(
            self(("evidence", "claim_id"), ("claims", "claim_id")), self(("evidence", "source_id"), ("sources", "source_id"))
        )


def _key_rows(rows: KeyRows | None, *tables: RawTable) -> KeyRows:
    """Return `rows`, or lookups among `tables` alone (for a check run on its own)."""
    return rows if rows is not None else KeyRows({raw.table.name: raw for raw in tables})


def check_method(tables: Mapping[str, RawTable]) -> list[Problem]:
    """Run every check of the method over the tables that were read (each check needs the tables it names)."""
    return run_checks(method_checks(tables))


def method_checks(
    tables: Mapping[str, RawTable], codes: SharedCodes | None = None, *, started: Mapping[str, list[Check]] | None = None
) -> list[Check]:
    """Return the checks of `check_method`, each on its own, in the order their problems are listed.

    `codes`: the keys' codes, shared with the checks of keys and references (`dataset_checks`). `started`: each
    table's `table_method_checks` already made (and perhaps started, as the table was read), by table name.
    """
    claims, evidence, sources, events = (tables.get(name) for name in ("claims", "evidence", "sources", "events"))
    rows = KeyRows(tables, codes)
    checks: list[Check] = []
    for table in (claims, sources):
        if table is not None:
            name = table.table.name
            checks += started[name] if started is not None and name in started else table_method_checks(table)
    if evidence is not None and sources is not None and events is not None:
        checks.append(partial(check_timing, evidence, sources, events, rows=rows))
    if claims is not None and evidence is not None and sources is not None:
        checks += [
            partial(check_labels, claims, evidence, sources, rows=rows),
            partial(check_excerpts, claims, evidence, sources, rows=rows),
        ]
    return checks


def table_method_checks(raw: RawTable) -> list[Check]:
    """Return the checks of the method that read no table but `raw`, in listing order (they may start once it is read)."""
    if raw.table.name == "claims":
        return [partial(check_short_quotes, raw), partial(check_spans, raw)]
    if raw.table.name == "sources":
        return [partial(check_urls, raw)]
    return []


def _rows(positions: np.ndarray) -> list[int]:
    return [int(position) for position in np.asarray(positions).tolist()]


# ------------------------------------------------------------------------------------------------------------ M1


def check_short_quotes(claims: RawTable) -> Iterator[Problem]:
    """M1: a quote of fewer than three words belongs to a framing claim."""
    frame = claims.frame
    quotes = string_array(frame["quote"])
    three_words = np.asarray(pc.match_substring_regex(quotes, THREE_WORDS).to_numpy(zero_copy_only=False), dtype=bool)
    bad = ~three_words & (frame["claim_type"] != ClaimType.FRAMING).to_numpy(dtype=bool) & (frame["quote"] != "").to_numpy()
    for index in _rows(np.flatnonzero(bad)):
        quote, kind = frame["quote"].iat[index], frame["claim_type"].iat[index]
        yield Problem(
            claims.file,
            claims.line_of(index),
            "quote",
            f"M1: a quote of fewer than three words ({quote!r}) belongs to a framing claim, not to a {kind!r} one; "
            "quote the whole assertion, or make it a framing claim about the term",
        )


# ------------------------------------------------------------------------------------------------------------ M2


def check_spans(claims: RawTable) -> list[Problem]:
    """M2: no two claims of a source share a quote span or partly overlap; only a framing claim lies inside another.

    Spans are sorted by source, start and end (longest first); each is compared with the span before it that reaches
    furthest (a running maximum): it starts after that one ends, lies inside it, or partly overlaps it. The spans that
    lie inside another are then compared among themselves, level by level, so that two terms inside one passage are
    checked too.
    """
    frame = claims.frame
    usable = digits_only(frame["quote_start"], 18) & digits_only(frame["quote_end"], 18)
    rows = np.flatnonzero(usable)
    start = offsets(frame["quote_start"], usable)[rows]
    end = offsets(frame["quote_end"], usable)[rows]
    keep = end > start  # a reversed or empty span is M3's to report
    rows, start, end = rows[keep], start[keep], end[keep]
    # Compared and encoded as Arrow strings: a column turned into Python objects first costs more than the rest.
    source = pd.factorize(frame["source_id"].take(rows))[0]
    framing = (frame["claim_type"] == ClaimType.FRAMING.value).to_numpy(dtype=bool)[rows]
    order = span_order(source, start, end)
    rows, start, end, source, framing = rows[order], start[order], end[order], source[order], framing[order]
    problems: list[Problem] = []
    block = source
    members = np.arange(len(rows))
    first_level = True
    while len(members):
        found, nested, holders, parents = _compare_with_container(start[members], end[members], block)
        for kind, member, container in found:
            problems.append(_span_problem(claims, kind, rows[members[member]], rows[members[container]]))
        if first_level:  # a span inside another is inside it at the first level; deeper levels would repeat it
            inside = np.flatnonzero(nested & ~framing[members])
            for inner, outer in zip(inside.tolist(), holders[inside].tolist(), strict=True):
                problems.append(_span_problem(claims, "inside", rows[members[inner]], rows[members[outer]]))
        # The next level: the spans inside another, grouped by the outermost span they lie in at this level.
        block = parents[nested]
        members = members[nested]
        first_level = False
    return problems


def span_order(source: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Return the order of spans by source, start and end (longest first), ties in their given order.

    `np.lexsort((positions, -end, start, source))`, from one stable sort of one integer per span when the three fit
    in 63 bits (always, for texts of less than a few hundred MB): a third of the time at a million claims.
    """
    if len(start) == 0:
        return np.zeros(0, dtype=np.intp)
    low, high = int(end.min()), int(end.max())
    sources, starts, ends = int(source.max()) + 1, int(start.max()) + 1, high - low + 1
    if int(source.min()) < 0 or int(start.min()) < 0 or sources * starts * ends >= 1 << 63:
        return np.lexsort((np.arange(len(start)), -end, start, source))
    combined = (source.astype(np.int64) * starts + start) * ends + (high - end)
    return np.argsort(combined, kind="stable")


def _compare_with_container(
    start: np.ndarray, end: np.ndarray, block: np.ndarray
) -> tuple[list[tuple[str, int, int]], np.ndarray, np.ndarray, np.ndarray]:
    """Compare each span (sorted within its block) with the span before it in its block that reaches furthest.

    Return the problems found as (kind, span, other span); whether each span lies inside another (not sharing its
    span); the span it was compared with; and the outermost span of this level that holds it.
    """
    count = len(start)
    positions = np.arange(count)
    first = np.ones(count, dtype=bool)
    first[1:] = block[1:] != block[:-1]
    frame = pd.DataFrame({"block": block, "end": end})
    reach = frame.groupby("block", sort=False)["end"].cummax().to_numpy()
    holder = np.where(end == reach, positions, -1)
    holder = pd.Series(holder).groupby(block, sort=False).cummax().to_numpy()
    previous_reach = np.where(first, -1, np.roll(reach, 1))
    previous_holder = np.where(first, -1, np.roll(holder, 1))
    top = first | (start >= previous_reach)
    outermost = np.maximum.accumulate(np.where(top, positions, -1))
    overlaps = ~top
    partial = overlaps & (end > previous_reach)
    same = overlaps & ~partial & (start == start[previous_holder]) & (end == end[previous_holder])
    nested = overlaps & ~partial & ~same
    found = [("partial", int(i), int(previous_holder[i])) for i in np.flatnonzero(partial)]
    found += [("same", int(i), int(previous_holder[i])) for i in np.flatnonzero(same)]
    return found, nested, previous_holder, np.where(nested, outermost, -1)


def _span_problem(claims: RawTable, kind: str, row: int, other: int) -> Problem:
    frame = claims.frame
    span = f"{frame['quote_start'].iat[row]}:{frame['quote_end'].iat[row]}"
    other_span = f"{frame['quote_start'].iat[other]}:{frame['quote_end'].iat[other]}"
    other_claim = f"claim {frame['claim_id'].iat[other]!r} (line {claims.line_of(other)})"
    if kind == "same":
        message = f"M2: the quote span {span} is also the span of {other_claim}; no two claims share a quote span"
    elif kind == "partial":
        message = f"M2: the quote span {span} partly overlaps {other_span} of {other_claim}; quotes may not partly overlap"
    else:
        message = (
            f"M2: the quote span {span} lies inside {other_span} of {other_claim}; only a framing claim may quote a "
            "term of another claim's passage"
        )
    return Problem(claims.file, claims.line_of(row), "quote_start", message)


# ------------------------------------------------------------------------------------------------------------ M4


def publication_date(sources: pd.DataFrame) -> str | None:
    """Return the op-ed's publication date for the as-of rule: the earliest first day of an op_ed source's `published`.

    `sources` is the sources table as text (as read, or a loaded dataset's `text_tables["sources"]`).
    """
    frame = sources
    published = frame.loc[(frame["source_type"] == SourceType.OP_ED) & (frame["published"] != ""), "published"]
    if published.empty:
        return None
    table = date_table(published.reset_index(drop=True))
    starts = [start for start, value in zip(table.texts["date_start"], table.distinct, strict=True) if start and value]
    return min(starts) if starts else None


def _values_at(values: pd.Series, positions: np.ndarray, index: pd.Index) -> pd.Series:
    """Return values[position] for each position, '' where the position is -1."""
    found = string_array(values).take(pa.array(positions, mask=positions < 0)).fill_null("")
    return pd.Series(pd.array(found, dtype="str"), index=index)


def _first_days(values: pd.Series) -> pd.Series:
    """Return the first day (YYYY-MM-DD) of each EDTF value, '' where it is empty or not a valid date.

    The first day of a date is that of its first side with any qualifier dropped (bounds are strict), which is
    nearly always a plain date: those are derived whole-column. Each distinct value is worked out once (evidence rows
    repeat their events' dates).
    """
    codes, distinct = pd.factorize(values)
    distinct_values = pd.Series(distinct, dtype="str")
    first_side = distinct_values.str.replace(r"/.*$", "", regex=True).str.replace(r"[?~%]$", "", regex=True)
    days = string_array(derived_date_columns(first_side)["date_start"])
    return pd.Series(pd.array(days.take(pa.array(codes)), dtype="str"), index=values.index)


def check_timing(evidence: RawTable, sources: RawTable, events: RawTable, *, rows: KeyRows | None = None) -> list[Problem]:
    """M4: a row is as_of_publication only if what it documents dates from on or before the op-ed's publication.

    That is: its event started on or before the publication date or, when it documents no event, its source was
    published by then. `rows`: where each row's event and source stand in their tables.
    """
    frame = evidence.frame
    as_of = frame["timing"] == EvidenceTiming.AS_OF_PUBLICATION
    if not as_of.any():
        return []
    published_on = publication_date(sources.frame)
    if published_on is None:
        return [
            Problem(
                sources.file,
                None,
                None,
                "M4: no op_ed source gives a published date, so no evidence can be as_of_publication; give the "
                "op-ed's publication date in `published`",
            )
        ]
    events_frame, sources_frame = events.frame, sources.frame
    with_event = as_of & (frame["event_id"] != "")
    without_event = as_of & (frame["event_id"] == "") & isin(frame["source_id"], sources_frame["source_id"])
    # The first day of what each row documents: its event's, or (documenting no event) its source's publication.
    rows = _key_rows(rows, evidence, sources, events)
    event_row = np.where(with_event, rows(("evidence", "event_id"), ("events", "event_id")), -1)
    source_row = np.where(without_event, rows(("evidence", "source_id"), ("sources", "source_id")), -1)
    dated = _values_at(events_frame["date"], event_row, frame.index)
    published = _values_at(sources_frame["published"], source_row, frame.index)
    event_day, source_day = _first_days(dated), _first_days(published)
    late_event = with_event & (event_day != "") & (event_day > published_on)
    undated = without_event & (published == "")
    late_source = without_event & (source_day != "") & (source_day > published_on)
    messages = {
        "event": (
            late_event,
            "M4: as_of_publication, but its event {event!r} started on {day}, after the op-ed's publication date "
            "{published}; make it later_development",
        ),
        "undated": (
            undated,
            "M4: as_of_publication needs the event the row documents, or a source published on or before {published}; "
            "source {source!r} gives no published date",
        ),
        "source": (
            late_source,
            "M4: as_of_publication, but it documents no event and its source {source!r} was published on {day}, after "
            "the op-ed's publication date {published}; name the earlier event it documents, or make it "
            "later_development",
        ),
    }
    problems: list[Problem] = []
    for kind, (mask, template) in messages.items():
        for index in _rows(np.flatnonzero(mask.to_numpy(dtype=bool))):
            day = (event_day if kind == "event" else source_day).iat[index]
            text = template.format(
                event=frame["event_id"].iat[index], source=frame["source_id"].iat[index], day=day, published=published_on
            )
            problems.append(Problem(evidence.file, evidence.line_of(index), "timing", text))
    return problems


# ------------------------------------------------------------------------------------------------------------ M5, M6


def check_labels(claims: RawTable, evidence: RawTable, sources: RawTable, *, rows: KeyRows | None = None) -> list[Problem]:
    """M5 and M6: every label is one the rubric allows, counted on carrying evidence only.

    M5 also holds opinion ⇔ claim_type opinion, and no row supports or contradicts an opinion. A label that only
    later, reference, weak or party evidence would allow is reported as M6: such evidence never decides a label.
    """
    frame = claims.frame
    keys = _key_rows(rows, claims, evidence, sources).evidence()
    counts = rubric.count_evidence(frame, evidence.frame, sources.frame, keys=keys)
    allowed = rubric.allowed_labels(frame["claim_type"], counts)
    labels = frame["verification"]
    known = labels.isin(list(Verification.terms())) & frame["claim_type"].isin(list(ClaimType.terms()))
    # An opinion labelled opinion that some row supports or contradicts: those rows are the problem, reported below.
    opinion = (labels == Verification.OPINION) & (frame["claim_type"] == ClaimType.OPINION)
    wrong = (known & ~opinion).to_numpy() & ~rubric.label_allowed(labels, allowed)
    problems: list[Problem] = []
    if wrong.any():
        everything = rubric.count_evidence(frame, evidence.frame, sources.frame, carrying_only=False, keys=keys)
        rescued = rubric.label_allowed(labels, rubric.allowed_labels(frame["claim_type"], everything))
        for index in _rows(np.flatnonzero(wrong)):
            problems.append(_label_problem(claims, index, counts.iloc[index], bool(rescued[index])))
    problems.extend(_opinion_rows(claims, evidence))
    return problems


def _label_problem(claims: RawTable, index: int, counts: pd.Series, rescued: bool) -> Problem:
    frame = claims.frame
    label, kind = str(frame["verification"].iat[index]), str(frame["claim_type"].iat[index])
    line = claims.line_of(index)
    if kind == ClaimType.OPINION:
        message = f"M5: a claim of type 'opinion' is labelled 'opinion', not {label!r}"
    elif label == Verification.OPINION:
        message = f"M5: label 'opinion' needs claim_type 'opinion', not {kind!r}"
    else:
        gives = f"S={counts['supports']}, X={counts['contradicts']}, Q={counts['qualifies']}"
        if label == Verification.CONTESTED:
            gives += f", and {counts['one_side']} supporting row(s) as of publication from a primary, established or party source"
        if rescued:
            message = (
                f"M6: label {label!r} rests on evidence that cannot decide a label (later developments, or reference, "
                f"weak or party sources); carrying evidence gives {gives}, and {label!r} needs {rubric.condition(label)}"
            )
        else:
            message = f"M5: label {label!r} needs {rubric.condition(label)}; carrying evidence gives {gives}"
    return Problem(claims.file, line, "verification", message)


def _opinion_rows(claims: RawTable, evidence: RawTable) -> Iterator[Problem]:
    """M5: no row supports or contradicts an opinion (it is recorded, not rated)."""
    frame = claims.frame
    opinions = frame.loc[frame["claim_type"] == ClaimType.OPINION, "claim_id"]
    rows = evidence.frame
    rating = rows["relation"].isin([EvidenceRelation.SUPPORTS.value, EvidenceRelation.CONTRADICTS.value])
    bad = rating & isin(rows["claim_id"], opinions)
    for index in _rows(np.flatnonzero(bad.to_numpy())):
        yield Problem(
            evidence.file,
            evidence.line_of(index),
            "relation",
            f"M5: claim {rows['claim_id'].iat[index]!r} is an opinion, which no row supports or contradicts; "
            "make this row context or qualifies",
        )


# ------------------------------------------------------------------------------------------------------------ M7


def check_excerpts(claims: RawTable, evidence: RawTable, sources: RawTable, *, rows: KeyRows | None = None) -> Iterator[Problem]:
    """M7: every carrying row has an excerpt (the source's own words)."""
    keys = _key_rows(rows, claims, evidence, sources).evidence()
    frame = evidence.frame
    carrying = rubric.carrying_evidence(claims.frame, frame, sources.frame, keys=keys)
    bad = carrying & (frame["excerpt"].str.strip() == "")
    for index in _rows(np.flatnonzero(bad.to_numpy())):
        yield Problem(
            evidence.file,
            evidence.line_of(index),
            "excerpt",
            f"M7: this row can decide its claim's label (as of publication, {frame['relation'].iat[index]!r}, from a "
            "source that carries), so it needs the source's own words in excerpt",
        )


# ------------------------------------------------------------------------------------------------------------ M8

_URL = r"^[A-Za-z][A-Za-z0-9+.-]*://(?P<host>[^/?#]*)[^?#]*(?:\?(?P<query>[^#]*))?"


def check_urls(sources: RawTable) -> list[Problem]:
    """M8: URLs as the source publishes them: no tracking parameters, search queries, default ports or stray dots."""
    urls = sources.frame["url"]
    parts = urls.str.extract(_URL)
    host = parts["host"].fillna("")
    query = "&" + parts["query"].fillna("")
    names = "|".join([*TRACKING_PARAMETERS, TRACKING_PREFIX + "[^=&]*"])
    tracking = query.str.extract(f"&(?P<name>{names})(?:=|&|$)")["name"]
    search = query.str.extract(f"&(?P<name>{'|'.join(SEARCH_PARAMETERS)})=")["name"]
    port = host.str.extract(f":(?P<port>{'|'.join(DEFAULT_PORTS)})$")["port"]
    dotted = host.str.replace(r":[0-9]*$", "", regex=True).str.endswith(".")
    checks: list[tuple[pd.Series, pd.Series, str]] = [
        (tracking.notna(), tracking, "carries the tracking parameter {!r}; cite the URL without it"),
        (search.notna(), search + "=", "carries the search query {!r}; cite the page itself"),
        (port.notna(), ":" + port, "gives the default port {!r}; leave it out"),
        (dotted, host, "has a trailing dot in its host {!r}; leave it out"),
    ]
    problems: list[Problem] = []
    for mask, found, words in checks:
        for index in _rows(np.flatnonzero(mask.to_numpy(dtype=bool))):
            message = f"M8: {urls.iat[index]!r} " + words.format(found.iat[index])
            problems.append(Problem(sources.file, sources.line_of(index), "url", message))
    return problems
