"""Check the dataset: whole columns at once for types and vocabularies, then keys, references, graph and quotes.

Checks run on columns of strings (vectorised by pandas), so their cost grows with the number of distinct problems,
not with the number of rows; each failing cell is then reported with its file, line and column.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kz_timeline.arrow_columns import chunked_strings, dictionary_codes, digits_only
from kz_timeline.errors import Problem
from kz_timeline.reading import fast_paths
from kz_timeline.reading.control_characters import check_control_characters
from kz_timeline.reading.csv_files import RawTable
from kz_timeline.reading.edtf_columns import DERIVED_FIELDS, derive_common_dates
from kz_timeline.reading.edtf_dates import DerivedDate, EdtfError, derive_date, explain_rejection
from kz_timeline.reading.format_proofs import proves_format
from kz_timeline.reading.key_codes import ColumnName, KeyCodes, SharedCodes
from kz_timeline.reading.text_categories import distinct_texts, per_row
from kz_timeline.reading.value_lengths import check_value_lengths
from kz_timeline.schema.models import EDTF
from kz_timeline.schema.tables import EVENT_LINKS, EVENTS, TABLES, Column, Table
from kz_timeline.schema.vocabularies import ACYCLIC_RELATIONS
from kz_timeline.text import clip


@dataclass(frozen=True)
class SourceText:
    """The exact text of a source, against which its claims' quotes are checked."""

    source_id: str
    text: str
    label: str


#: Longest excerpt of a source's text shown in a problem, in characters.
QUOTE_EXCERPT_CHARS = 80
#: Above this many edges, a cycle search first asks SciPy whether there is any cycle at all.
_GRAPH_FAST_EDGES = 5_000


def isin(values: pd.Series, known: pd.Series | list[str]) -> pd.Series:
    """Return whether each value is one of `known`, by a hash lookup in C++ (pandas' own isin loops in Python)."""
    return isin_many([values], known)[0]


def isin_many(columns: list[pd.Series], known: pd.Series | list[str]) -> list[pd.Series]:
    """Return `isin(values, known)` for each of `columns`, building the hash table of `known` once for all of them."""
    # A categorical column is looked up by its categories, each once (`distinct_texts`).
    distinct = [distinct_texts(values) for values in columns]
    arrays = [chunked_strings(texts) for texts, _ in distinct]
    kind = pa.large_string() if any(array.type == pa.large_string() for array in arrays) else arrays[0].type
    # is_in builds its own hash table of the value set, duplicates and all; a unique() first would hash it twice.
    value_set = pa.array(known, type=kind) if isinstance(known, list) else chunked_strings(known).cast(kind)
    together = pa.chunked_array([chunk for array in arrays for chunk in array.cast(kind).chunks], type=kind)
    found = pc.is_in(together, value_set=value_set, skip_nulls=True).to_numpy(zero_copy_only=False)
    results, start = [], 0
    for values, (texts, codes) in zip(columns, distinct, strict=True):
        within = per_row(found[start : start + len(texts)], codes)
        results.append(pd.Series(within, index=values.index, dtype=bool))
        start += len(texts)
    return results


def check_columns(raw: RawTable, *, check_derived: bool = True) -> list[Problem]:
    """Check every cell of one table against its column's type, format and vocabulary."""
    problems: list[Problem] = []
    dates: dict[str, DateTable] = {}  # each EDTF column derived once, for its own check and the derived columns'
    for column in raw.table.columns:
        if column.derived_from and not check_derived:
            continue
        problems.extend(_check_column(raw, column, dates))
    if check_derived and raw.table is EVENTS:
        problems.extend(_check_derived_dates(raw, dates.get("date")))
    return problems


def _report(raw: RawTable, column: str, mask: pd.Series, message: str | Mapping[str, str]) -> Iterator[Problem]:
    """Yield a problem for every row where `mask` holds; `message` may map each value to its own message."""
    values = raw.frame[column]
    for index in mask.to_numpy().nonzero()[0].tolist():
        text = message if isinstance(message, str) else message[str(values.iat[index])]
        yield Problem(raw.file, raw.line_of(index), column, text)


def _check_column(raw: RawTable, column: Column, dates: dict[str, DateTable]) -> Iterator[Problem]:
    values = raw.frame[column.name]
    empty = values == ""
    if column.required and empty.any():
        hint = "; run `kz-timeline fmt` to fill derived columns" if column.derived_from else ""
        yield from _report(raw, column.name, empty, f"is required but empty{hint}")
    present = ~empty
    if column.vocabulary is not None:
        terms = column.vocabulary.terms()
        bad = present & ~isin(values, list(terms))
        if bad.any():
            messages = {value: _vocabulary_message(value, column) for value in values[bad].unique()}
            yield from _report(raw, column.name, bad, messages)
        return
    value_format = column.value_format
    if value_format is None:
        return
    if value_format is EDTF:
        dates[column.name] = date_table(values)
        yield from _check_edtf(raw, column.name, dates[column.name])
        return
    if fast_paths.enabled() and proves_format(values, value_format):
        return  # every value has its format, proven from the column's bytes; the checks below would find nothing
    bad = present & ~values.str.fullmatch(value_format.pattern)
    if bad.any():
        messages = {value: f"{value!r} {value_format.message}" for value in values[bad].unique()}
        yield from _report(raw, column.name, bad, messages)
    if value_format.name == "iso_date":
        candidates = present & ~bad
        parsed = pd.to_datetime(values.where(candidates), format="%Y-%m-%d", errors="coerce")
        impossible = candidates & parsed.isna()
        if impossible.any():
            yield from _report(
                raw, column.name, impossible, {v: f"{v!r} is not a day of the calendar" for v in values[impossible].unique()}
            )


def _vocabulary_message(value: str, column: Column) -> str:
    assert column.vocabulary is not None
    terms = list(column.vocabulary.terms())
    guess = difflib.get_close_matches(value, terms, n=1)
    hint = f"did you mean {guess[0]!r}?" if guess else f"allowed: {', '.join(terms)}"
    return f"{value!r} is not a term of the {column.vocabulary.__name__} vocabulary; {hint}"


@dataclass(frozen=True)
class DateTable:
    """Every distinct EDTF value of a column, derived once: the text of each derived column, or the error."""

    distinct: list[str]
    texts: dict[str, list[str]]
    errors: dict[str, EdtfError]
    #: For each row of the column derived, its value's position in `distinct`; len(distinct) for a blank one.
    positions: np.ndarray


def date_table(values: pd.Series) -> DateTable:
    """Derive each distinct non-empty value of `values`: the common shapes at once, other forms through `derive_date`.

    The values are hashed once: their distinct texts, in order of first appearance, and each row's position among
    them come from one dictionary encoding.
    """
    dictionary, codes = dictionary_codes(chunked_strings(values))
    unique = pd.Series(pd.array(dictionary, dtype="str"))
    blank = (unique == "").to_numpy()
    distinct = unique[~blank].reset_index(drop=True)
    # A code's position among the non-blank texts (those after the blank one move up one); the blank's is last.
    position_of = np.arange(len(unique)) - np.cumsum(blank)
    position_of[blank] = len(distinct)
    positions = position_of[codes]
    if fast_paths.enabled():
        done, texts = derive_common_dates(chunked_strings(distinct).combine_chunks())
    else:
        done = np.zeros(len(distinct), dtype=bool)
        texts = {name: np.full(len(distinct), "", dtype=object) for name in _DERIVED_FIELDS}
    errors: dict[str, EdtfError] = {}
    distinct_values: list[str] = distinct.tolist()
    for position in np.flatnonzero(~done).tolist():
        value = distinct_values[position]
        try:
            derived = derive_date(value)
        except EdtfError as error:
            errors[value] = error
            continue
        for name, text in _derived_texts(derived).items():
            texts[name][position] = text
    return DateTable(distinct_values, {name: column.tolist() for name, column in texts.items()}, errors, positions)


def _check_edtf(raw: RawTable, column: str, table: DateTable) -> Iterator[Problem]:
    values = raw.frame[column]
    failures = {value: explain_rejection(value) for value in table.errors}
    if failures:
        bad = isin(values, list(failures))
        yield from _report(raw, column, bad, failures)


def derived_date_columns(dates: pd.Series) -> dict[str, pd.Series]:
    """Compute the text of every derived date column from a column of valid EDTF dates ("" where invalid).

    Each distinct date is derived once (`date_table`); the columns are then gathered whole, by each row's position.
    """
    table = date_table(dates)
    positions = pa.array(table.positions)
    return {
        name: pd.Series(pd.array(pa.array([*column, ""], type=pa.large_string()).take(positions), dtype="str"), index=dates.index)
        for name, column in table.texts.items()
    }


_DERIVED_FIELDS = DERIVED_FIELDS


def _derived_texts(result: DerivedDate) -> dict[str, str]:
    return {
        "date_start": result.start.isoformat(),
        "date_end": result.end.isoformat() if result.end else "",
        "date_precision": result.precision.value,
        "date_certainty": result.certainty.value,
        "date_end_status": result.end_status.value,
    }


def _check_derived_dates(raw: RawTable, table: DateTable | None = None) -> Iterator[Problem]:
    dates = raw.frame["date"]
    if table is None:
        table = date_table(dates)
    positions = table.positions
    valid = np.array([value not in table.errors for value in table.distinct] + [False])[positions]
    for name, texts in table.texts.items():
        wanted = np.array([*texts, ""], dtype=object)  # by position in table.distinct, then "" for a blank date
        actual = raw.frame[name]
        differs = _differs(actual, wanted, positions)
        # An empty required column is reported once, as empty; an empty optional one (date_end) disagrees.
        bad = valid & differs & ((actual != "").to_numpy() | ~EVENTS.column(name).required)
        for index in np.flatnonzero(bad).tolist():
            yield Problem(
                raw.file,
                raw.line_of(index),
                name,
                f"{actual.iat[index]!r} disagrees with date {dates.iat[index]!r}, which gives "
                f"{wanted[positions[index]]!r}; run `kz-timeline fmt` to recompute derived columns",
            )


def _differs(actual: pd.Series, wanted: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """Return whether each row's `actual` value differs from `wanted[positions]` (the value its date gives).

    Categories are compared by their codes, each wanted text looked up once among them; texts whole-column.
    """
    texts, codes = distinct_texts(actual)
    if codes is None:
        expected = pa.array(wanted, type=pa.large_string()).take(pa.array(positions))
        same: np.ndarray = pc.equal(chunked_strings(actual), expected).to_numpy(zero_copy_only=False)
        return ~same
    wanted_codes = pd.Index(texts).get_indexer(wanted)  # -1: a text no row has, which differs from every row
    differs: np.ndarray = wanted_codes[positions] != codes
    return differs


def check_keys(raw: RawTable, codes: SharedCodes | None = None) -> list[Problem]:
    """Check that the primary key is unique (`codes`: the keys' codes, for a key made of foreign keys)."""
    key = list(raw.table.primary_key)
    frame = raw.frame
    if fast_paths.enabled() and not _has_duplicates(raw, key, codes):
        return []  # the usual case, told by one hash pass in C++; only a table with duplicates is searched for them
    duplicated = frame.duplicated(subset=key, keep=False)
    if not duplicated.any():
        return []
    first_line: dict[tuple[str, ...], int] = {}
    problems = []
    for index in duplicated.to_numpy().nonzero()[0].tolist():
        values = tuple(str(frame[name].iat[index]) for name in key)
        line = raw.line_of(index)
        if values not in first_line:
            first_line[values] = line
            continue
        shown = values[0] if len(values) == 1 else values
        problems.append(Problem(raw.file, line, key[0], f"duplicate key {shown!r} (first on line {first_line[values]})"))
    return problems


def _has_duplicates(raw: RawTable, key: list[str], codes: SharedCodes | None) -> bool:
    """Say whether two rows of `raw` may share their values of `key` (no: they do not; yes: look).

    A key of one column has as many distinct values as the key's codes (`codes`), when given, else as pyarrow finds
    (unless its values stand in strictly ascending order, as `kz-timeline fmt` writes them: then no two are alike).
    A key of several columns becomes one integer per row from its parts' codes (a foreign key's from `codes`, any
    other column's from pandas' factorize) when the product of their counts fits (strictly ascending integers need no
    sort); else its parts are joined into one text with a unit separator between them, and two different keys that
    happen to give equal texts only send the table to the exact search.
    """
    frame = raw.frame
    if len(key) == 1:
        if codes is not None and raw.table.name in codes.tables:  # encoded for the checks of references
            return codes((raw.table.name, key[0])).distinct < len(frame)
        values = chunked_strings(frame[key[0]])
        if _strictly_ascending(values):
            return False
        return len(values.unique()) < len(frame)  # unique() hashes faster than count_distinct
    references = {foreign_key.column: foreign_key for foreign_key in raw.table.foreign_keys}
    combined = np.zeros(len(frame), dtype=np.int64)
    room = 1
    for name in key:
        foreign_key = references.get(name)
        if codes is not None and foreign_key is not None and foreign_key.other_table in codes.tables:
            part = codes((foreign_key.other_table, foreign_key.other_column)).codes[(raw.table.name, name)]
        else:
            part = pd.factorize(frame[name])[0].astype(np.int64)
        size = int(part.max()) + 1 if len(part) else 1
        room *= size
        if room >= 1 << 62:
            return _joined_has_duplicates(frame, key)
        combined = combined * size + part
    if bool((combined[1:] > combined[:-1]).all()):
        return False
    combined.sort()  # sorting integers is about twice as fast as hashing them (pd.unique)
    return bool((combined[1:] == combined[:-1]).any())


def _strictly_ascending(values: pa.ChunkedArray) -> bool:
    """Say whether each text of `values` sorts after the one before it (byte by byte: Python's order of `str`)."""
    if len(values) < 2:
        return True
    return pc.all(pc.less(values.slice(0, len(values) - 1), values.slice(1)), skip_nulls=False).as_py() is True


def _joined_has_duplicates(frame: pd.DataFrame, key: list[str]) -> bool:
    columns = [chunked_strings(frame[name]).cast(chunked_strings(frame[key[0]]).type) for name in key]
    joined = pc.binary_join_element_wise(*columns, pa.scalar("\x1f", columns[0].type))
    return len(joined.unique()) < len(frame)


def check_references(tables: Mapping[str, RawTable], codes: SharedCodes | None = None) -> list[Problem]:
    """Check that every foreign key resolves and that no event links to itself.

    `codes`: the keys' codes, shared with `check_backing` (computed here when not given).
    """
    problems: list[Problem] = []
    if codes is None and fast_paths.enabled():
        codes = SharedCodes(tables)
    found = _resolved(tables, codes) if codes is not None and fast_paths.enabled() else _resolved_by_lookup(tables)
    for raw in tables.values():
        for foreign_key in raw.table.foreign_keys:
            other = tables.get(foreign_key.other_table)
            if other is None:
                continue
            values = raw.frame[foreign_key.column]
            dangling = (values != "") & ~found[(raw.table.name, foreign_key.column)]
            if dangling.any():
                other_file = other.table.filename
                messages = {
                    value: f"{value!r} matches no {foreign_key.other_column} in {other_file}"
                    for value in values[dangling].unique()
                }
                problems.extend(_report(raw, foreign_key.column, dangling, messages))
    links = tables.get(EVENT_LINKS.name)
    if links is not None:
        frame = links.frame
        self_links = frame["from_event_id"] == frame["to_event_id"]
        problems.extend(_report(links, "to_event_id", self_links, "an event cannot link to itself"))
        events = codes(("events", "event_id")) if codes is not None and "events" in tables and fast_paths.enabled() else None
        problems.extend(_check_cycles(links, events))
    return problems


def _resolved(tables: Mapping[str, RawTable], codes: SharedCodes) -> dict[tuple[str, str], pd.Series]:
    """Return, for every foreign key column, whether each value is one of its key's (from the keys' codes)."""
    found: dict[tuple[str, str], pd.Series] = {}
    for raw in tables.values():
        for foreign_key in raw.table.foreign_keys:
            if foreign_key.other_table in tables:
                column = (raw.table.name, foreign_key.column)
                holds = codes((foreign_key.other_table, foreign_key.other_column)).holds(column)
                found[column] = pd.Series(holds, index=raw.frame.index, dtype=bool)
    return found


def _resolved_by_lookup(tables: Mapping[str, RawTable]) -> dict[tuple[str, str], pd.Series]:
    """Return what `_resolved` returns, by a hash lookup per key (the exact path)."""
    referring: dict[tuple[str, str], list[tuple[RawTable, str]]] = {}
    for raw in tables.values():
        for foreign_key in raw.table.foreign_keys:
            if foreign_key.other_table in tables:
                target = (foreign_key.other_table, foreign_key.other_column)
                referring.setdefault(target, []).append((raw, foreign_key.column))
    found: dict[tuple[str, str], pd.Series] = {}
    for (other_name, other_column), columns in referring.items():
        known = tables[other_name].frame[other_column]
        masks = isin_many([raw.frame[column] for raw, column in columns], known)
        for (raw, column), mask in zip(columns, masks, strict=True):
            found[(raw.table.name, column)] = mask
    return found


def _check_cycles(links: RawTable, events: KeyCodes | None = None) -> Iterator[Problem]:
    """Report each cycle of a relation that may have none.

    `events`: the codes of the events' key, which number the link columns' values too; a large graph is then first
    asked for any cycle at all on those numbers instead of on the identifiers.
    """
    frame = links.frame
    looped = frame["from_event_id"] == frame["to_event_id"]
    for relation in sorted(ACYCLIC_RELATIONS):
        chosen = (frame["relation"] == relation.value) & ~looped
        count = int(chosen.sum())
        if count == 0 or (count > _GRAPH_FAST_EDGES and not _links_have_cycle(links, chosen.to_numpy(dtype=bool), events)):
            continue
        edges = frame[chosen]
        successors: dict[str, list[tuple[str, int]]] = {}
        for index, source, target in zip(edges.index, edges["from_event_id"], edges["to_event_id"], strict=True):
            successors.setdefault(source, []).append((target, int(index)))
        for cycle in _find_cycles(successors):
            path = " -> ".join([*(node for node, _ in cycle), cycle[0][0]])
            line = min(links.line_of(row) for _, row in cycle)
            yield Problem(links.file, line, "relation", f"cycle in {relation.value!r} links: {path}")


def _links_have_cycle(links: RawTable, chosen: np.ndarray, events: KeyCodes | None) -> bool:
    """Say whether the chosen links (no self-links among them) make a cycle, numbering events by their codes if given."""
    if events is not None:
        sources = events.codes[(links.table.name, "from_event_id")][chosen]
        targets = events.codes[(links.table.name, "to_event_id")][chosen]
        return _has_cycle_among(sources.astype(np.int64), targets.astype(np.int64))
    frame = links.frame
    codes, _ = pd.factorize(pd.concat([frame["from_event_id"][chosen], frame["to_event_id"][chosen]], ignore_index=True))
    count = int(chosen.sum())
    return _has_cycle_among(codes[:count], codes[count:])


def _has_cycle_among(sources: np.ndarray, targets: np.ndarray) -> bool:
    """Say whether the directed graph of these edges between numbered nodes (no self-loops) has a cycle.

    That is: whether it has a strong component of two nodes or more.
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    nodes = int(max(sources.max(), targets.max())) + 1 if len(sources) else 0
    graph = coo_matrix((np.ones(len(sources), dtype=np.int8), (sources, targets)), shape=(nodes, nodes))
    _, labels = connected_components(graph.tocsr(), directed=True, connection="strong")
    return bool(np.bincount(labels).max() > 1)


def _find_cycles(successors: dict[str, list[tuple[str, int]]]) -> Iterator[list[tuple[str, int]]]:
    """Yield cycles found by depth-first search, each as (node, row of the edge leaving it) pairs."""
    done: set[str] = set()
    for root in sorted(successors):
        if root in done:
            continue
        nodes = [root]  # the current path
        rows: list[int] = []  # rows[i] is the edge from nodes[i] to nodes[i + 1]
        on_path = {root}
        iterators = [iter(successors.get(root, []))]
        while iterators:
            step = next(iterators[-1], None)
            if step is None:
                finished = nodes.pop()
                on_path.discard(finished)
                done.add(finished)
                iterators.pop()
                if rows:
                    rows.pop()
                continue
            child, row = step
            if child in on_path:
                start = nodes.index(child)
                yield list(zip(nodes[start:], [*rows[start:], row], strict=True))
            elif child not in done:
                nodes.append(child)
                rows.append(row)
                on_path.add(child)
                iterators.append(iter(successors.get(child, [])))


def check_backing(tables: Mapping[str, RawTable], codes: SharedCodes | None = None) -> list[Problem]:
    """Check that every event and every actor is tied to the op-ed's claims or to the record cited for them.

    An event is backed when a claim or an evidence row refers to it, or when an event link joins it to such an event
    (the record the op-ed's story needs); an actor, when a claim (as claimant or subject) or a participant row names it.
    `codes`: the keys' codes, shared with `check_references` (computed here when not given).
    """
    if not fast_paths.enabled():
        return _check_backing_by_lookup(tables)
    claims = tables.get("claims")
    if claims is None:
        return []
    codes = codes if codes is not None else SharedCodes(tables)
    problems: list[Problem] = []
    events = tables.get("events")
    if events is not None:
        event_codes = codes(("events", "event_id"))
        cited = [("claims", "event_id")] + ([("evidence", "event_id")] if "evidence" in tables else [])
        cited_codes = event_codes.marked(cited)
        backed_codes = cited_codes.copy()
        links = tables.get("event_links")
        if links is not None and not links.frame.empty:
            # A link from or to a cited event backs the event at its other end.
            to_cited = _cited(event_codes.codes[("event_links", "to_event_id")], cited_codes)
            from_cited = _cited(event_codes.codes[("event_links", "from_event_id")], cited_codes)
            backed_codes |= event_codes.marked(
                [("event_links", "from_event_id"), ("event_links", "to_event_id")],
                {("event_links", "from_event_id"): to_cited, ("event_links", "to_event_id"): from_cited},
            )
        backed = pd.Series(backed_codes[event_codes.codes[("events", "event_id")]], index=events.frame.index)
        problems.extend(
            _report(
                events,
                "event_id",
                ~backed,
                "no claim or evidence row refers to this event, nor is it linked to an event that one does",
            )
        )
    actors = tables.get("actors")
    if actors is not None:
        actor_codes = codes(("actors", "actor_id"))
        named = [("claims", "actor_id"), ("claims", "claimant_id")]
        named += [("participants", "actor_id")] if "participants" in tables else []
        named_codes = actor_codes.marked(named)
        unbacked = pd.Series(~named_codes[actor_codes.codes[("actors", "actor_id")]], index=actors.frame.index)
        problems.extend(_report(actors, "actor_id", unbacked, "no claim or participant row refers to this actor"))
    return problems


def _cited(codes: np.ndarray, cited: np.ndarray) -> np.ndarray:
    """Return, for each code, whether it is a key's value marked in `cited`."""
    inside = codes < len(cited)
    found = np.zeros(len(codes), dtype=bool)
    found[inside] = cited[codes[inside]]
    return found


def _check_backing_by_lookup(tables: Mapping[str, RawTable]) -> list[Problem]:
    """Check backing by hash lookups of the identifiers (the exact path of `check_backing`)."""
    claims = tables.get("claims")
    if claims is None:
        return []
    problems: list[Problem] = []
    evidence = tables.get("evidence")
    events = tables.get("events")
    if events is not None:
        cited = [claims.frame["event_id"]] + ([evidence.frame["event_id"]] if evidence is not None else [])
        backed = isin(events.frame["event_id"], pd.concat(cited, ignore_index=True))
        links = tables.get("event_links")
        if links is not None and not links.frame.empty:
            cited_ids = events.frame["event_id"][backed]
            frame = links.frame
            linked_from = frame.loc[isin(frame["to_event_id"], cited_ids), "from_event_id"]
            linked_to = frame.loc[isin(frame["from_event_id"], cited_ids), "to_event_id"]
            neighbours = pd.concat([linked_from, linked_to], ignore_index=True)
            backed |= isin(events.frame["event_id"], neighbours)
        problems.extend(
            _report(
                events,
                "event_id",
                ~backed,
                "no claim or evidence row refers to this event, nor is it linked to an event that one does",
            )
        )
    actors = tables.get("actors")
    if actors is not None:
        named = [claims.frame["actor_id"], claims.frame["claimant_id"]]
        participants = tables.get("participants")
        if participants is not None:
            named.append(participants.frame["actor_id"])
        unbacked = ~isin(actors.frame["actor_id"], pd.concat(named, ignore_index=True))
        problems.extend(_report(actors, "actor_id", unbacked, "no claim or participant row refers to this actor"))
    return problems


def check_quotes(claims: RawTable, texts: Mapping[str, SourceText]) -> list[Problem]:
    """Check quote offsets, and every quote against its source's text where that text is given.

    The offsets and quotes of all rows are compared at once; only rows that may be wrong are then examined one by
    one, to word their problem.
    """
    frame = claims.frame
    numeric = digits_only(frame["quote_start"]) & digits_only(frame["quote_end"])
    # Up to 18 digits fits an int64; longer offsets (absurd, but possible) take the row-by-row path.
    short = digits_only(frame["quote_start"], 18) & digits_only(frame["quote_end"], 18)
    starts = offsets(frame["quote_start"], short)
    ends = offsets(frame["quote_end"], short)
    fine = short & (ends > starts)
    source_ids = frame["source_id"]
    quotes = chunked_strings(frame["quote"])
    for source_id, source in texts.items():
        rows = np.flatnonzero(fine & (source_ids == source_id).to_numpy(dtype=bool))
        within = ends[rows] <= len(source.text)
        fine[rows[~within]] = False
        rows = rows[within]
        text = source.text
        found = pa.array(
            [text[start:end] for start, end in zip(starts[rows].tolist(), ends[rows].tolist(), strict=True)], type=quotes.type
        )
        same = pc.equal(found, quotes.take(pa.array(rows))).to_numpy(zero_copy_only=False)
        fine[rows[~same]] = False
    problems: list[Problem] = []
    for index in np.flatnonzero(numeric & ~fine).tolist():
        problems.extend(_quote_problems(claims, index, texts))
    return problems


def offsets(values: pd.Series, usable: np.ndarray) -> np.ndarray:
    """Return the integers of `values` where `usable` holds (0 elsewhere)."""
    numbers = np.zeros(len(values), dtype=np.int64)
    if usable.any():
        numbers[usable] = pc.cast(chunked_strings(values).filter(pa.array(usable)), pa.int64()).to_numpy()
    return numbers


def _quote_problems(claims: RawTable, index: int, texts: Mapping[str, SourceText]) -> list[Problem]:
    """Word the problem of one claim's quote, if it has one."""
    frame = claims.frame
    start, end = int(str(frame["quote_start"].iat[index])), int(str(frame["quote_end"].iat[index]))
    line = claims.line_of(index)
    if end <= start:
        return [Problem(claims.file, line, "quote_end", f"M3: {end} is not after quote_start {start}")]
    source = texts.get(str(frame["source_id"].iat[index]))
    if source is None:
        return []
    quote = str(frame["quote"].iat[index])
    if end > len(source.text):
        past = f"M3: {end} is past the end of {source.label} ({len(source.text)} characters)"
        return [Problem(claims.file, line, "quote_end", past)]
    found = source.text[start:end]
    if found == quote:
        return []
    elsewhere = source.text.find(quote) if quote else -1
    hint = f"; the quote occurs at {elsewhere}:{elsewhere + len(quote)}" if elsewhere >= 0 else "; the quote occurs nowhere in it"
    return [
        Problem(
            claims.file,
            line,
            "quote",
            f"M3: differs from {source.label}[{start}:{end}], which reads {clip(found, QUOTE_EXCERPT_CHARS)!r}{hint}",
        )
    ]


#: Tables without which there is no dataset; the link tables (participants, event_links, evidence) may be empty.
TABLES_THAT_NEED_ROWS = ("events", "actors", "sources", "claims")


def check_row_counts(tables: Mapping[str, RawTable]) -> list[Problem]:
    """Check that the tables every dataset needs have at least one row (a header alone is not a table)."""
    return [
        Problem(raw.file, 1, None, f"has a header but no rows; {raw.table.filename} needs at least one row")
        for name, raw in tables.items()
        if name in TABLES_THAT_NEED_ROWS and raw.frame.empty
    ]


def check_dataset(
    tables: Mapping[str, RawTable], texts: Mapping[str, SourceText], *, check_derived: bool = True
) -> list[Problem]:
    """Run every check of form over tables that were read without structural problems.

    Row counts, cells, keys, references, the event graph, backing and quotes; the method's own rules are
    `kz_timeline.reading.method.check_method`.
    """
    return run_checks(dataset_checks(tables, texts, check_derived=check_derived))


#: A check that can run on its own: it returns (or yields) its problems when called.
Check = Callable[[], Iterable[Problem]]


#: The columns of each table that only its own checks (`table_checks`) read, never the checks across tables: free
#: text, places and notes. `validate` lets go of them once a table's own checks are done (a million events' titles
#: and descriptions need not wait for the keys' codes); `tests/test_validation.py` proves the checks across tables
#: read none of them and report the same problems without them.
OWN_CHECKS_ONLY: dict[str, tuple[str, ...]] = {
    "events": ("title", "description", "place", "country_code", "date_note"),
    "actors": ("name", "aliases", "description", "country_code"),
    "participants": ("note",),
    "event_links": ("note",),
    "claims": ("statement", "verdict"),
    "evidence": ("note",),
}


def table_checks(raw: RawTable, *, check_derived: bool = True) -> list[Check]:
    """Return the checks of one table that read nothing else, in listing order.

    Cells, control characters, lengths, and a primary key of one column that no other table refers to (a key made of
    foreign keys, or one that others refer to, is checked with the other tables, from the keys' codes, which hash its
    values anyway). They may start as soon as the table is read, while the next file is being read (see `CheckPool`).
    """
    checks: list[Check] = [
        partial(check_columns, raw, check_derived=check_derived),
        partial(check_control_characters, raw),
        partial(check_value_lengths, raw),
    ]
    if not _key_checked_from_codes(raw.table):
        checks.append(partial(check_keys, raw))
    return checks


def _key_checked_from_codes(table: Table) -> bool:
    """Say whether the primary key of `table` is checked from the keys' codes (`SharedCodes`).

    So it is when it has several columns, or when other tables refer to it (its values are encoded for the checks of
    references).
    """
    key = table.primary_key
    return len(key) > 1 or any(
        (foreign_key.other_table, foreign_key.other_column) == (table.name, key[0])
        for other in TABLES
        for foreign_key in other.foreign_keys
    )


def dataset_checks(
    tables: Mapping[str, RawTable],
    texts: Mapping[str, SourceText],
    *,
    check_derived: bool = True,
    own: Mapping[str, list[Check]] | None = None,
    codes: SharedCodes | None = None,
) -> list[Check]:
    """Return the checks of `check_dataset`, each on its own, in the order their problems are listed.

    `own`: each table's `table_checks` already made (and perhaps started), by table name. `codes`: the keys' codes,
    when other checks share them too (see `method.method_checks`).
    """
    # Each key's codes, computed once for the checks of keys, references and backing (and the method's, if shared).
    codes = codes if codes is not None else SharedCodes(tables)
    checks: list[Check] = [partial(check_row_counts, tables)]
    for name, raw in tables.items():
        checks += own[name] if own is not None and name in own else table_checks(raw, check_derived=check_derived)
        if _key_checked_from_codes(raw.table):  # else the key is among the table's own checks
            checks.append(partial(check_keys, raw, codes))
    checks += [partial(check_references, tables, codes), partial(check_backing, tables, codes)]
    claims = tables.get("claims")
    if claims is not None:
        checks.append(partial(check_quotes, claims, texts))
    return checks


@dataclass(frozen=True)
class StartedCheck:
    """A check already started in a `CheckPool`; calling it waits for its problems."""

    future: Future[list[Problem]]

    def __call__(self) -> list[Problem]:
        """Return the check's problems once it has ended (raising what it raised)."""
        return self.future.result()


class CheckPool:
    """Run independent checks two at a time when the fast paths are on, else each at once when it is started.

    The checks only read the tables. Most of their time is spent in pyarrow, NumPy and pandas, which let go of the
    GIL, so a second core shortens the whole; and a check started while the next file is read uses the core the
    reading leaves idle. The problems are the same, listed in the same order, either way.
    """

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=CHECK_THREADS) if fast_paths.enabled() else None

    @property
    def parallel(self) -> bool:
        """Say whether checks run two at a time (else each runs when it is started)."""
        return self._pool is not None

    def __enter__(self) -> CheckPool:
        return self

    def __exit__(self, *exception: object) -> None:
        self.close()

    def close(self) -> None:
        """Wait for the checks running, and cancel those not started."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def start(self, check: Check) -> StartedCheck:
        """Start `check` (run it now, without the fast paths) and return it started."""
        if isinstance(check, StartedCheck):
            return check
        if self._pool is not None:
            return StartedCheck(self._pool.submit(_listed, check))
        future: Future[list[Problem]] = Future()
        future.set_result(_listed(check))
        return StartedCheck(future)


def run_checks(checks: Iterable[Check], pool: CheckPool | None = None, codes: SharedCodes | None = None) -> list[Problem]:
    """Run independent checks (in `pool`, or in a pool of their own) and list their problems in the checks' order.

    `codes`: the keys' codes some of the checks are given. When the checks run two at a time, each key's codes are
    computed first, the key with the most values to encode first, then the checks that need no codes, then those that
    do: a check never waits for codes another thread is computing while other work is left.
    """
    if pool is None:
        with CheckPool() as own_pool:
            return run_checks(checks, own_pool, codes)
    listed = list(checks)
    order: Iterable[int] = range(len(listed))
    if codes is not None and pool.parallel:
        for key in codes.referred_keys():
            pool.start(partial(_encoded, codes, key))
        order = sorted(order, key=lambda index: _given_codes(listed[index], codes))
    started: list[Check] = list(listed)
    for index in order:
        started[index] = pool.start(listed[index])
    return [problem for check in started for problem in check()]


def _encoded(codes: SharedCodes, key: ColumnName) -> list[Problem]:
    """Compute the codes of `key`, for the checks that need them (which raise what this would raise)."""
    codes(key)
    return []


def _given_codes(check: Check, codes: SharedCodes) -> bool:
    """Say whether `check` is given `codes` (itself, or as the `codes` of what it is given)."""
    given = [*check.args, *check.keywords.values()] if isinstance(check, partial) else []
    return any(value is codes or getattr(value, "codes", None) is codes for value in given)


def _listed(check: Check) -> list[Problem]:
    return list(check())


#: How many checks run at once (the machines this is measured on have two cores).
CHECK_THREADS = 2
