"""Generate a synthetic kz-timeline dataset of any size that satisfies the schema, deterministically from a seed.

    python benchmarks/generate.py --events 1000000 --out benchmarks/work/1e6 [--seed 0]

For N events it writes N claims (one per event, so every event is backed; at least one per actor), N/10 actors
(each backed by a claim), N/100 sources (+1: a synthetic op-ed whose text the quotes of a fifth of the claims match),
about 2N participants, 1.2N event links (follows/part_of/causes always point to an earlier event, so they cannot form
cycles) and 0.6N evidence rows. The data follows the method (docs/METHODOLOGY.md) too: each source's quote spans are
disjoint (M2), a quote of fewer than three words is a framing claim (M1), evidence is as of publication only when
what it documents is (M4), every row carries an excerpt (M7), and each label is one that the rubric allows on the
evidence drawn (M5, M6). Rows and columns are built whole-column with NumPy and pandas (no per-row Python), then written
canonically (rows in primary-key order, minimal quoting, LF), so `kz-timeline fmt --check` finds nothing to change.
Fields hold commas, doubled quotes, Cyrillic and line breaks, as real data does. Beside the CSVs it writes the
op-ed's text (`synthetic-oped.txt`, for `validate --article`) and a `datapackage.json` describing the same schema
(for frictionless).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kz_timeline.reading.validation import derived_date_columns
from kz_timeline.schema import rubric
from kz_timeline.schema.tables import TABLES, Table
from kz_timeline.schema.vocabularies import (
    ACYCLIC_RELATIONS,
    ActorType,
    ClaimType,
    EventType,
    EvidenceRelation,
    EvidenceTiming,
    Relation,
    Role,
    SourceReliability,
    SourceType,
    Theme,
)

TEXT_NAME = "synthetic-oped.txt"
#: The synthetic op-ed's publication date (the as-of date of its claims' labels).
PUBLISHED = "2023-05-17"
#: Each quote of a source lies in its own slot of this many characters, so no two spans overlap (M2).
SLOT = 100
PLACES = np.array(
    [
        ("Almaty, Kazakhstan", "KZ"),
        ("Astana, Kazakhstan", "KZ"),
        ("Moscow, Russia", "RU"),
        ("Kyiv, Ukraine", "UA"),
        ("London, United Kingdom", "GB"),
        ("Paris, France", "FR"),
        ("New York, United States", "US"),
        ("Kazakhstan", "KZ"),
        ("", ""),
        ("", ""),
    ]
)
WORDS = np.array(
    [
        "the",
        "court",
        "ruled",
        "that",
        "a",
        "protest",
        "in",
        "January",
        "was",
        "followed",
        "by",
        "arrests",
        "while",
        "ministers",
        "said",
        "sanctions",
        "would",
        "not",
        "apply",
        "to",
        "trade",
        "and",
        "the",
        "opposition",
        "party",
        "claimed",
        "its",
        "leader",
        "had",
        "been",
        "detained",
        "without",
        "charge",
        "Токаев",
        "Алматы",
        "Мамай",
        "reform",
        "referendum",
        "asylum",
        "bank",
        "assets",
    ]
)


def _ids(prefix: str, count: int, width: int) -> pd.Series:
    """Return ids `prefix_000…` whose string order is their numeric order."""
    return prefix + pd.Series(np.arange(count)).astype("str").str.zfill(width)


def _pick(rng: np.random.Generator, values: list[str], count: int) -> np.ndarray:
    return np.asarray(values, dtype=object)[rng.integers(0, len(values), count)]


def _terms(vocabulary: Any) -> list[str]:
    return list(vocabulary.terms())


def _phrases(rng: np.random.Generator, count: int, words: int) -> pd.Series:
    """Return `count` pseudo-sentences of `words` words, drawn from a small vocabulary (whole-column)."""
    matrix = WORDS[rng.integers(0, len(WORDS), (count, words))]
    frame = pd.DataFrame(matrix)
    text = frame[0].astype("str")
    for column in range(1, words):
        text = text + " " + frame[column].astype("str")
    return text.str.capitalize()


def _dates(rng: np.random.Generator, count: int) -> pd.Series:
    """Return EDTF dates of every supported form: days, months, years, qualified dates and intervals."""
    day_numbers = rng.integers(0, 46_000, count)  # days since 1900-01-01: up to 2025
    days = pd.Series(pd.to_datetime("1900-01-01") + pd.to_timedelta(day_numbers, unit="D"))
    day = days.dt.strftime("%Y-%m-%d").astype("str")
    ends = (days + pd.to_timedelta(rng.integers(1, 30, count), unit="D")).dt.strftime("%Y-%m-%d").astype("str")
    kind = rng.random(count)
    result = day.copy()
    result = result.mask(kind > 0.70, day.str.slice(0, 7))  # month
    result = result.mask(kind > 0.80, day.str.slice(0, 4))  # year
    result = result.mask(kind > 0.85, day + "/" + ends)  # closed interval
    result = result.mask(kind > 0.93, day + "?")
    result = result.mask(kind > 0.95, day.str.slice(0, 4) + "~")
    result = result.mask(kind > 0.97, day + "/..")
    result = result.mask(kind > 0.985, day + "/")
    result = result.mask(kind > 0.995, day.str.slice(0, 3) + "X")
    return result


def _source_text(rng: np.random.Generator, size: int) -> str:
    """Return the synthetic op-ed: sentences in paragraphs, with quotes, commas and Cyrillic."""
    sentences = _phrases(rng, max(size // 60, 20), 9)
    marks = rng.random(len(sentences))
    sentences = sentences.mask(marks > 0.9, 'He called it "' + sentences + '", the report said')
    endings = np.where(rng.random(len(sentences)) > 0.85, ".\n\n", ". ")
    return "".join((sentences + endings).tolist())


def events_frame(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """Return `n` events with valid EDTF dates and the derived columns computed from them."""
    places = PLACES[rng.integers(0, len(PLACES), n)]
    dates = _dates(rng, n)
    event_id = _ids("ev_", n, 7)
    description = (
        "Synthetic event "
        + event_id.str.slice(3)
        + ", a "
        + _phrases(rng, n, 8).str.lower()
        + '; the "record" of it, for benchmarking only.'
    )
    frame = pd.DataFrame(
        {
            "event_id": event_id,
            "title": "Event " + event_id.str.slice(3) + ": " + _phrases(rng, n, 4),
            "date": dates,
            "event_type": _pick(rng, _terms(EventType), n),
            "theme": _pick(rng, _terms(Theme), n),
            "is_key_event": np.where(rng.random(n) < 0.01, "true", "false"),
            "place": places[:, 0],
            "country_code": places[:, 1],
            "description": description,
            "date_note": np.where(rng.random(n) < 0.2, "Day from a synthetic source, line two\nof the note.", ""),
        }
    )
    return frame.assign(**derived_date_columns(frame["date"].astype("str")))


def actors_frame(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """Return `n` actors, a third with aliases (Cyrillic included)."""
    actor_id = _ids("ac_", n, 6)
    number = actor_id.str.slice(3)
    aliases = ("Alias " + number + "|Алиас " + number).where(pd.Series(rng.random(n) < 0.3), "")
    places = PLACES[rng.integers(0, len(PLACES), n)]
    return pd.DataFrame(
        {
            "actor_id": actor_id,
            "name": "Actor " + number,
            "actor_type": _pick(rng, _terms(ActorType), n),
            "country_code": places[:, 1],
            "aliases": aliases,
            "description": "A synthetic actor, number " + number + ", who " + _phrases(rng, n, 5).str.lower() + ".",
        }
    )


def sources_frame(rng: np.random.Generator, n: int, text_sha256: str) -> pd.DataFrame:
    """Return `n` sources of every reliability; the first is the synthetic op-ed whose text is given, the others have none."""
    source_id = _ids("so_", n, 5)
    number = source_id.str.slice(3)
    dates = _dates(rng, n)
    frame = pd.DataFrame(
        {
            "source_id": source_id,
            "title": "Report " + number + ": " + _phrases(rng, n, 4),
            "author": np.where(rng.random(n) < 0.5, "A. Writer", ""),
            "publisher": "Synthetic Press, desk " + number,
            "url": "https://example.org/reports/" + number,
            "published": dates,
            "source_type": _pick(rng, [t for t in _terms(SourceType) if t != "op_ed"], n),
            "reliability": _pick(rng, _terms(SourceReliability), n),
            "text_sha256": "",
            "note": "",
        }
    )
    frame.loc[0, ["title", "published", "source_type", "reliability", "text_sha256", "note"]] = [
        "The synthetic op-ed",
        PUBLISHED,
        "op_ed",
        SourceReliability.PRIMARY.value,
        text_sha256,
        "Its text is synthetic-oped.txt; quotes of claims citing it are checked against it.",
    ]
    return frame


def participants_frame(rng: np.random.Generator, n_events: int, n_actors: int) -> pd.DataFrame:
    """Return 1-3 distinct actors per event (about 2N rows), each in one role, in key order."""
    per_event = rng.integers(1, 4, n_events)
    event = np.repeat(np.arange(n_events), per_event)
    offset = np.arange(len(event)) - np.repeat(np.cumsum(per_event) - per_event, per_event)
    actor = (rng.integers(0, n_actors, n_events)[event] + offset) % n_actors  # distinct within an event
    order = np.lexsort((actor, event))
    event, actor = event[order], actor[order]
    count = len(event)
    roles = _pick(rng, _terms(Role), count)
    return pd.DataFrame(
        {
            "event_id": _ids("ev_", n_events, 7).to_numpy()[event],
            "actor_id": _ids("ac_", n_actors, 6).to_numpy()[actor],
            "role": roles,
            "note": np.where(rng.random(count) < 0.3, "Took part, as the synthetic record says.", ""),
        }
    )


def event_links_frame(rng: np.random.Generator, n_events: int) -> pd.DataFrame:
    """Return about 1.2N links, each to an earlier event (so no relation can form a cycle), in key order."""
    if n_events < 2:
        return pd.DataFrame({name: pd.Series([], dtype="str") for name in ("from_event_id", "to_event_id", "relation", "note")})
    source = np.arange(1, n_events)
    window = np.minimum(source, 50)
    first = rng.integers(0, 1 << 30, len(source)) % window
    second_rows = (rng.random(len(source)) < 0.2) & (window >= 2)
    from_index = np.concatenate([source, source[second_rows]])
    to_index = np.concatenate([source - 1 - first, source[second_rows] - 1 - (first[second_rows] + 1) % window[second_rows]])
    order = np.lexsort((to_index, from_index))
    from_index, to_index = from_index[order], to_index[order]
    count = len(from_index)
    acyclic = sorted(relation.value for relation in ACYCLIC_RELATIONS)
    relations = _pick(rng, [*acyclic, *acyclic, Relation.RESPONDS_TO.value, Relation.REFERS_TO.value], count)
    ids = _ids("ev_", n_events, 7).to_numpy()
    return pd.DataFrame(
        {
            "from_event_id": ids[from_index],
            "to_event_id": ids[to_index],
            "relation": relations,
            "note": np.where(rng.random(count) < 0.1, "Linked, in the synthetic record.", ""),
        }
    )


def claims_frame(rng: np.random.Generator, n_events: int, n_actors: int, n_sources: int, text: str) -> pd.DataFrame:
    """Return one claim per event (more when there are fewer events than actors); claim i is about event i mod N and
    actor i mod N/10, so every event and every actor is backed. Labels are left to `label_claims`.

    A fifth of the claims cite the synthetic op-ed (source 0) and quote it exactly at their offsets. Each claim's span
    lies in its own slot of its source (the k-th claim of a source in [k * SLOT, k * SLOT + 80)), so spans never
    overlap; a quote of fewer than three words makes a framing claim.
    """
    n = max(n_events, n_actors)
    quotes_text = rng.random(n) < 0.2
    quotes_text[0] = True  # so that even the smallest dataset checks a quote
    source = np.where(quotes_text, 0, rng.integers(1, max(n_sources, 2), n) % n_sources)
    slot = pd.Series(source).groupby(source).cumcount().to_numpy()
    length = rng.integers(12, 80, n)
    start = slot * SLOT + rng.integers(0, SLOT - 80, n)
    end = start + length
    quoted_rows = np.flatnonzero(source == 0)
    if len(quoted_rows) and end[quoted_rows].max() > len(text):
        raise AssertionError("the synthetic op-ed is too short for its quotes")
    quote = _phrases(rng, n, 3).to_numpy(dtype=object)
    # Cutting a slice is the one per-row step, and only for the rows that quote the op-ed.
    quote[quoted_rows] = [text[s:e] for s, e in zip(start[quoted_rows].tolist(), end[quoted_rows].tolist(), strict=True)]
    blank = np.array([not q.strip() for q in quote[quoted_rows]], dtype=bool)
    if blank.any():  # a slice of only spaces is not a quote; never happens with words of letters, kept as a guard
        raise AssertionError("synthetic quote is blank")
    short = pd.Series(quote, dtype="str").str.count(r"\S+").to_numpy() < 3
    claim_type = np.where(short, ClaimType.FRAMING.value, _pick(rng, _terms(ClaimType), n))
    claim_id = _ids("cl_", n, 7)
    return pd.DataFrame(
        {
            "claim_id": claim_id,
            "statement": "The synthetic record says " + _phrases(rng, n, 6).str.lower() + ".",
            "claim_type": claim_type,
            "claimant_id": _ids("ac_", n_actors, 6).to_numpy()[rng.integers(0, n_actors, n)],
            "source_id": _ids("so_", n_sources, 5).to_numpy()[source],
            "quote": quote,
            "quote_start": start.astype(str),
            "quote_end": end.astype(str),
            "event_id": _ids("ev_", n_events, 7).to_numpy()[np.arange(n) % n_events],
            "actor_id": _ids("ac_", n_actors, 6).to_numpy()[np.arange(n) % n_actors],
            "verification": "",
            "verdict": np.where(
                rng.random(n) < 0.5, "Checked against synthetic sources, which agree.", 'The record, "in part", differs.'
            ),
        }
    )


def evidence_frame(rng: np.random.Generator, claims: pd.DataFrame, events: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """Return evidence for half the claims (two sources for a tenth), from sources other than the op-ed.

    Two rows in three document the claim's event. A row is as of publication only where what it documents (its
    event, else its source) dates from on or before the op-ed's publication (M4), and nine in ten of those are; no
    row supports or contradicts an opinion (M5). Every row has an excerpt.
    """
    n_claims, n_sources = len(claims), len(sources)
    claim = np.arange(n_claims)
    first = claim[claim % 2 == 0]
    second = claim[claim % 10 == 0]
    others = max(n_sources - 1, 1)
    pick = rng.integers(0, others, n_claims)
    claim_index = np.concatenate([first, second])
    source_index = np.concatenate([1 + pick[first] % others, 1 + (pick[second] + 1) % others]) % n_sources
    order = np.lexsort((source_index, claim_index))
    claim_index, source_index = claim_index[order], source_index[order]
    count = len(claim_index)
    with_event = rng.random(count) < 2 / 3
    event_id = np.where(with_event, claims["event_id"].to_numpy()[claim_index], "")
    event_start = events.set_index("event_id")["date_start"]
    source_start = derived_date_columns(sources["published"].astype("str"))["date_start"].to_numpy()[source_index]
    documented = np.where(with_event, pd.Series(event_id).map(event_start).fillna("").to_numpy(), source_start)
    may_be_as_of = (documented != "") & (documented <= PUBLISHED)
    timing = np.where(
        may_be_as_of & (rng.random(count) < 0.9), EvidenceTiming.AS_OF_PUBLICATION.value, EvidenceTiming.LATER_DEVELOPMENT.value
    )
    relation = _pick(rng, _terms(EvidenceRelation), count)
    opinion = claims["claim_type"].to_numpy()[claim_index] == ClaimType.OPINION.value
    rating = np.isin(relation, [EvidenceRelation.SUPPORTS.value, EvidenceRelation.CONTRADICTS.value])
    relation = np.where(opinion & rating, EvidenceRelation.CONTEXT.value, relation)
    return pd.DataFrame(
        {
            "evidence_id": _ids("evi_", count, 7),
            "claim_id": claims["claim_id"].to_numpy()[claim_index],
            "source_id": sources["source_id"].to_numpy()[source_index],
            "event_id": event_id,
            "relation": relation,
            "timing": timing,
            "excerpt": np.where(rng.random(count) < 0.5, "«Синтетический» source, in its own words.", '"Quoted," it said.'),
            "note": "The synthetic source bears on the claim, in part.",
        }
    )


def label_claims(rng: np.random.Generator, claims: pd.DataFrame, evidence: pd.DataFrame, sources: pd.DataFrame) -> pd.Series:
    """Return, for every claim, a label the rubric allows on its evidence (M5, M6), drawn among those allowed."""
    counts = rubric.count_evidence(claims, evidence, sources)
    allowed = rubric.allowed_labels(claims["claim_type"], counts)
    scores = rng.random(allowed.shape) * allowed.to_numpy()
    return pd.Series(np.asarray(allowed.columns)[scores.argmax(axis=1)], index=claims.index)


def generate_frames(n_events: int, seed: int = 0) -> tuple[dict[str, pd.DataFrame], str]:
    """Return every table of a synthetic dataset with `n_events` events, and the op-ed's text."""
    if n_events < 1:
        raise ValueError("n_events must be at least 1")
    rng = np.random.default_rng(seed)
    n_actors = max(3, n_events // 10)  # 3: an event has up to 3 distinct participants
    n_sources = max(3, n_events // 100) + 1
    # Room for every quote of the op-ed in its own slot (a fifth of the claims, and some to spare).
    text = _source_text(rng, max(20_000, n_events * SLOT // 3))
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    frames = {
        "events": events_frame(rng, n_events),
        "actors": actors_frame(rng, n_actors),
        "sources": sources_frame(rng, n_sources, digest),
        "participants": participants_frame(rng, n_events, n_actors),
        "event_links": event_links_frame(rng, n_events),
        "claims": claims_frame(rng, n_events, n_actors, n_sources, text),
    }
    frames["evidence"] = evidence_frame(rng, frames["claims"], frames["events"], frames["sources"])
    frames["claims"]["verification"] = label_claims(rng, frames["claims"], frames["evidence"], frames["sources"])
    return frames, text


def datapackage(tables: tuple[Table, ...] = TABLES) -> dict[str, Any]:
    """Return a Frictionless data package descriptor for the synthetic CSVs, from the package's own datapackage.json
    code (types, patterns, vocabularies as enums, keys), with paths beside the descriptor."""
    from kz_timeline.metadata.datapackage import PACKAGE_PROFILE, resource_descriptor

    resources = [{**resource_descriptor(table), "path": table.filename} for table in tables]
    return {"$schema": PACKAGE_PROFILE, "name": "kz-timeline-synthetic", "resources": resources}


def write_dataset(out: Path, n_events: int, seed: int = 0) -> dict[str, int]:
    """Write a synthetic dataset to `out` (CSVs, op-ed text, datapackage.json); return the row count of each table."""
    frames, text = generate_frames(n_events, seed)
    out.mkdir(parents=True, exist_ok=True)
    for table in TABLES:
        frame = frames[table.name][list(table.column_names)]
        frame.to_csv(out / table.filename, index=False, lineterminator="\n", encoding="utf-8")
    (out / TEXT_NAME).write_bytes(text.encode("utf-8"))
    (out / "datapackage.json").write_text(json.dumps(datapackage(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return {name: len(frame) for name, frame in frames.items()}


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and write the dataset."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--events", type=int, required=True, help="number of events (other tables scale with it)")
    parser.add_argument("--out", type=Path, required=True, help="directory to write into (created if missing)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0); the same seed gives the same bytes")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    counts = write_dataset(args.out, args.events, args.seed)
    elapsed = time.perf_counter() - started
    print(f"{args.out}: " + ", ".join(f"{count} {name}" for name, count in counts.items()) + f" in {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
