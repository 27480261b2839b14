"""Turn the dataset into the flat frames the charts draw: one row per event, per participation, per claim.

Pure pandas, no Altair: every frame here can be inspected, tested and reused (in Datasette, in a notebook) on its
own. Times are UTC midnights (tz-aware), so a day-precise event is the same day wherever it is shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from kz_timeline.dataset.op_ed import op_ed_source_ids
from kz_timeline.defaults import LaneField
from kz_timeline.reading.edtf_dates import format_human
from kz_timeline.schema.rubric import count_evidence
from kz_timeline.schema.vocabularies import EVENT_FAMILIES, ROLE_FAMILIES, Verification, Vocabulary
from kz_timeline.text import clip, term_label

if TYPE_CHECKING:
    from kz_timeline.dataset.loader import Dataset

#: Above this many rows a chart draws aggregates (counts per lane and period) instead of one mark per row.
MAX_ROWS = 5000
#: Longest op-ed quote shown in a tooltip, in characters.
QUOTE_CHARS = 240


def vocabulary_labels(vocabulary: type[Vocabulary]) -> list[str]:
    """Return the labels of a vocabulary's values, in vocabulary order (the order of legends and lanes)."""
    return list(vocabulary.labels().values())


def _labelled(values: pd.Series, vocabulary: str = "") -> pd.Series:
    """Map a categorical (or text) column to labels, category by category, before any conversion to str.

    `vocabulary` names the column's vocabulary where its terms read differently there (`text.term_label`).
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        labels = [term_label(str(c), vocabulary) for c in values.cat.categories]
        return values.cat.rename_categories(labels).astype(object).fillna("")
    return values.astype(object).map(lambda v: term_label(str(v), vocabulary) if isinstance(v, str) else "")


def _family_labels(values: pd.Series, families: Mapping[Any, Vocabulary]) -> pd.Series:
    """Map a vocabulary column to the label of each term's family (`schema.vocabularies`)."""
    labels = {str(term): family.label for term, family in families.items()}
    return values.astype(object).map(labels).astype(object).fillna("")


def _utc(values: pd.Series) -> pd.Series:
    """Return dates as UTC midnights (tz-aware), whatever their input resolution."""
    converted = pd.to_datetime(values)
    if converted.dt.tz is None:
        return converted.dt.tz_localize("UTC")
    return converted.dt.tz_convert("UTC")


def event_actor_text(dataset: Dataset) -> pd.Series:
    """Return, by event_id, its actors as 'Name (role), Name (role)' in the order of participants.csv."""
    participants = dataset.participants
    if participants.empty:
        return pd.Series(dtype=object)
    names = dataset.actors.set_index("actor_id")["name"]
    named = participants["actor_id"].map(names).astype(object)
    roles = _labelled(participants["role"]).str.lower()
    text = named + " (" + roles + ")"
    return text.groupby(participants["event_id"].astype(object), sort=False).agg(", ".join)


def event_quotes(dataset: Dataset) -> pd.DataFrame:
    """Return, by event_id, the op-ed's first quote about the event and the verification of its claims."""
    claims = dataset.claims
    op_ed = claims[claims["source_id"].isin(op_ed_source_ids(dataset.sources)) & claims["event_id"].notna()]
    if op_ed.empty:
        return pd.DataFrame({"quote": pd.Series(dtype=object), "verification": pd.Series(dtype=object), "claims": []})
    op_ed = op_ed.sort_values(["event_id", "quote_start", "claim_id"])
    verification = _labelled(op_ed["verification"], Verification.__name__)
    grouped = op_ed.assign(verification_label=verification).groupby(op_ed["event_id"].astype(object), sort=False)
    return pd.DataFrame(
        {
            "quote": grouped["quote"].first().map(lambda q: clip(str(q), QUOTE_CHARS)),
            "verification": grouped["verification_label"].agg(lambda v: ", ".join(dict.fromkeys(v))),
            "claims": grouped["claim_id"].count(),
        }
    )


def timeline_frame(dataset: Dataset, lane: LaneField = "theme") -> pd.DataFrame:
    """Return one row per event: times, mark kind, lane, colour group, date as a person writes it, tooltip text.

    Columns: event_id, title, start, end (exclusive: the inclusive end plus one day; for an open or unknown end,
    the start plus one day), end_status ('closed', 'open', 'unknown'), precision, certainty, mark ('point' for a
    day-precise instant, 'bar' for a month, a year or a range), lane, group (the colour: the event type's family
    when the lanes are themes, else the theme), type, family, theme, date_text, actors, quote, verification,
    claims (op-ed claims about the event), is_key.
    """
    events = dataset.events
    start = _utc(events["date_start"])
    inclusive_end = _utc(events["date_end"])
    end_status = events["date_end_status"].astype(object).fillna("closed")
    end = (inclusive_end.fillna(start)) + pd.Timedelta(days=1)
    precision = events["date_precision"].astype(object)
    is_instant = (precision == "day") & (end_status == "closed") & (inclusive_end == start)
    unique_dates = pd.Series(events["date"].unique())
    human = dict(zip(unique_dates, unique_dates.map(format_human), strict=True))
    frame = pd.DataFrame(
        {
            "event_id": events["event_id"].astype(object),
            "title": events["title"].astype(object),
            "start": start,
            "end": end,
            "end_status": end_status,
            "precision": precision,
            "certainty": events["date_certainty"].astype(object),
            "mark": is_instant.map({True: "point", False: "bar"}).astype(object),
            "lane": _labelled(events[lane]),
            "type": _labelled(events["event_type"]),
            "family": _family_labels(events["event_type"], EVENT_FAMILIES),
            "theme": _labelled(events["theme"]),
            "date_text": events["date"].map(human).astype(object),
            "is_key": events["is_key_event"].astype(bool),
        }
    )
    frame["group"] = frame["family"] if lane == "theme" else frame["theme"]
    actors = event_actor_text(dataset)
    quotes = event_quotes(dataset)
    frame["actors"] = frame["event_id"].map(actors).astype(object).fillna("")
    frame["quote"] = frame["event_id"].map(quotes["quote"]).astype(object).fillna("")
    frame["verification"] = frame["event_id"].map(quotes["verification"]).astype(object).fillna("")
    frame["claims"] = frame["event_id"].map(quotes["claims"]).fillna(0).astype(int)
    return frame.sort_values(["start", "event_id"], kind="stable").reset_index(drop=True)


def timeline_counts(dataset: Dataset, lane: LaneField = "theme", freq: str | None = None) -> pd.DataFrame:
    """Return event counts per lane and period (start, end exclusive): the timeline of a dataset too big to draw.

    The period is a month when the events span less than 20 years, else a year (or `freq`: 'MS', 'YS', ...).
    """
    events = dataset.unordered("events", ["date_start", lane])  # counted, so the order does not matter
    start = _utc(events["date_start"])
    if freq is None:
        span_days = (start.max() - start.min()).days if len(start) else 0
        freq = "MS" if span_days < 20 * 366 else "YS"
    period = start.dt.tz_localize(None).dt.to_period("M" if freq == "MS" else "Y")
    lanes = events[lane]
    sizes = pd.DataFrame({"period": period, "lane": lanes}).groupby(["lane", "period"], observed=True).size()
    counts: pd.DataFrame = sizes.rename("events").reset_index()
    counts["lane"] = _labelled(counts["lane"])
    counts["start"] = counts["period"].dt.start_time.dt.tz_localize("UTC")
    counts["end"] = (counts["period"] + 1).dt.start_time.dt.tz_localize("UTC")
    counts["period_text"] = counts["period"].dt.strftime("%B %Y" if freq == "MS" else "%Y")
    return counts.drop(columns="period").sort_values(["start", "lane"], kind="stable").reset_index(drop=True)


def key_events(dataset: Dataset, limit: int) -> pd.DataFrame:
    """Return at most `limit` key events (is_key_event), those with most op-ed claims first, then the earliest.

    Works on the events table alone (no per-event text beyond the title and date), so it stays fast for big data.
    Columns: event_id, title, start, middle (noon of the first day), date_text, claims, description.
    """
    # Counted and then sorted on a total order (event_id last), so the tables' own order does not matter.
    events = dataset.unordered("events", ["event_id", "title", "date", "date_start", "is_key_event"])
    key = events[events["is_key_event"].astype(bool)]
    claims = dataset.unordered("claims", ["source_id", "event_id"])
    op_ed = claims[claims["source_id"].isin(op_ed_source_ids(dataset.sources))]
    per_event = op_ed["event_id"].astype(object).value_counts()
    frame = pd.DataFrame(
        {
            "event_id": key["event_id"].astype(object),
            "title": key["title"].astype(object),
            "start": _utc(key["date_start"]),
            "date": key["date"].astype(object),
        }
    )
    frame["claims"] = frame["event_id"].map(per_event).fillna(0).astype(int)
    frame = frame.sort_values(["claims", "start", "event_id"], ascending=[False, True, True], kind="stable").head(limit)
    frame["date_text"] = frame["date"].map(format_human)
    frame["middle"] = frame["start"] + pd.Timedelta(hours=12)
    frame["description"] = frame["title"] + ", " + frame["date_text"]
    return frame.drop(columns="date").sort_values(["start", "event_id"], kind="stable").reset_index(drop=True)


def op_ed_claim_count(dataset: Dataset) -> int:
    """Return how many claims the op-ed makes (claims whose source is an op-ed)."""
    claims = dataset.unordered("claims", ["source_id"])  # counted, so the order does not matter
    return int(claims["source_id"].isin(op_ed_source_ids(dataset.sources)).sum())


def verification_counts(dataset: Dataset) -> pd.DataFrame:
    """Return the op-ed's claims counted per verification (labelled, in vocabulary order): what a big claims chart draws."""
    claims = dataset.unordered("claims", ["source_id", "verification"])  # counted, so the order does not matter
    verification = claims.loc[claims["source_id"].isin(op_ed_source_ids(dataset.sources)), "verification"]
    counts = verification.value_counts(sort=False)
    counts = counts[counts > 0]
    labels = Verification.labels()
    return pd.DataFrame({"verification": [labels[str(value)] for value in counts.index], "claims": counts.to_numpy(dtype=int)})


def participation_frame(dataset: Dataset) -> pd.DataFrame:
    """Return one row per participation: event, actor, role and its family, the event's time and date text, and tooltip text.

    `time` is the middle of the event's first day (a range is placed at its start) so that every actor of one event
    shares one x position and a rule can join them.
    """
    participants = dataset.participants
    events = timeline_frame(dataset).set_index("event_id")
    actors = dataset.actors.set_index("actor_id")
    event_ids = participants["event_id"].astype(object)
    actor_ids = participants["actor_id"].astype(object)
    frame = pd.DataFrame(
        {
            "event_id": event_ids,
            "actor_id": actor_ids,
            "actor": actor_ids.map(actors["name"]).astype(object),
            "actor_type": actor_ids.map(_labelled(actors["actor_type"]).set_axis(actors.index)).astype(object),
            "role": _labelled(participants["role"]),
            "family": _family_labels(participants["role"], ROLE_FAMILIES),
            "note": participants["note"].astype(object).fillna(""),
            "title": event_ids.map(events["title"]).astype(object),
            "time": event_ids.map(events["start"]) + pd.Timedelta(hours=12),
            "date_text": event_ids.map(events["date_text"]).astype(object),
            "theme": event_ids.map(events["lane"]).astype(object),
        }
    )
    return frame.sort_values(["time", "event_id", "actor_id"], kind="stable").reset_index(drop=True)


def participation_counts(dataset: Dataset, limit: int = 60) -> pd.DataFrame:
    """Return parts played per actor and year for the `limit` busiest actors: the actors chart of a big dataset.

    Columns: actor, year, parts, start and end (UTC, end exclusive); actors busiest first.
    """
    participants = dataset.unordered("participants", ["event_id", "actor_id"])  # counted: order does not matter
    events = dataset.unordered("events", ["event_id", "date_start"])  # looked up by event_id: order does not matter
    starts = pd.Series(events["date_start"].dt.year.to_numpy(), index=events["event_id"].astype(object))
    per_actor = participants["actor_id"].value_counts(sort=False)
    per_actor = per_actor[per_actor > 0]
    # Busiest first, ties by identifier: the same actors whatever the rows' order.
    ranked = pd.DataFrame({"actor_id": per_actor.index.astype(object), "parts": per_actor.to_numpy()})
    busiest = ranked.sort_values(["parts", "actor_id"], ascending=[False, True], kind="stable").head(limit)["actor_id"]
    kept = participants[participants["actor_id"].isin(busiest)]
    years = kept["event_id"].astype(object).map(starts)
    sizes = pd.DataFrame({"actor_id": kept["actor_id"].astype(object), "year": years}).groupby(["actor_id", "year"]).size()
    counts: pd.DataFrame = sizes.rename("parts").reset_index()
    names = dataset.actors.set_index("actor_id")["name"].astype(object)
    counts["actor"] = counts["actor_id"].map(names)
    counts["rank"] = counts["actor_id"].map({actor: rank for rank, actor in enumerate(busiest)})
    counts["start"] = pd.to_datetime(counts["year"].astype(str), format="%Y").dt.tz_localize("UTC")
    counts["end"] = pd.to_datetime((counts["year"] + 1).astype(str), format="%Y").dt.tz_localize("UTC")
    counts["year"] = counts["year"].astype(str)
    return counts.sort_values(["rank", "year"]).drop(columns=["actor_id", "rank"]).reset_index(drop=True)


def actor_order(participations: pd.DataFrame) -> list[str]:
    """Order actors by their first event, then by how often they take part (busiest first), then by name."""
    stats = participations.groupby("actor", sort=False).agg(first=("time", "min"), count=("event_id", "size"))
    stats = stats.reset_index().sort_values(["first", "count", "actor"], ascending=[True, False, True], kind="stable")
    return list(stats["actor"])


def claims_frame(dataset: Dataset) -> pd.DataFrame:
    """Return one row per claim of the op-ed: statement, quote, label and verdict, and its carrying evidence.

    The columns supports, qualifies and contradicts count the carrying evidence (the rows that can decide the label,
    `kz_timeline.schema.rubric`) that bears on the claim that way.
    """
    claims = dataset.claims
    claims = claims[claims["source_id"].isin(op_ed_source_ids(dataset.sources))]
    relations = ("supports", "qualifies", "contradicts")
    counts = count_evidence(claims, dataset.evidence, dataset.sources).set_index("claim_id")
    claim_ids = claims["claim_id"].astype(object)
    names = dataset.actors.set_index("actor_id")["name"]
    events = dataset.events.set_index("event_id")["title"]
    frame = pd.DataFrame(
        {
            "claim_id": claim_ids,
            "statement": claims["statement"].astype(object),
            "quote": claims["quote"].astype(object).map(lambda q: clip(str(q), QUOTE_CHARS)),
            "claimant": claims["claimant_id"].map(names).astype(object),
            "about": claims["event_id"]
            .map(events)
            .astype(object)
            .fillna(claims["actor_id"].map(names).astype(object))
            .fillna(""),
            "verification": _labelled(claims["verification"], Verification.__name__),
            "verdict": claims["verdict"].astype(object).fillna(""),
            "quote_start": claims["quote_start"].astype(int),
        }
    )
    for relation in relations:
        frame[relation] = counts[relation].to_numpy()
    return frame.sort_values(["quote_start", "claim_id"], kind="stable").reset_index(drop=True)


def evidence_frame(claims: pd.DataFrame) -> pd.DataFrame:
    """Return claims in long form: one row per claim and evidence relation with at least one source."""
    long = claims.melt(
        id_vars=["claim_id", "verification", "statement"],
        value_vars=["supports", "qualifies", "contradicts"],
        var_name="relation",
        value_name="sources",
    )
    long = long[long["sources"] > 0].copy()
    long["relation"] = long["relation"].map(term_label)
    return long.reset_index(drop=True)
