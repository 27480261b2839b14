"""The label rubric of docs/METHODOLOGY.md (sections 6 and 7): which evidence carries, and which labels it allows.

Pure and whole-column: tables in (pandas DataFrames, as read or as loaded, or lists of the row models), DataFrames
out; no I/O. `kz-timeline validate` (M5, M6), the Datasette claim pages, the README's counts and analysts all use
these functions, so a label means the same everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, Protocol, cast

import numpy as np
import pandas as pd
import pyarrow.compute as pc
from pydantic import BaseModel

from kz_timeline.arrow_columns import string_array
from kz_timeline.schema.vocabularies import ClaimType, EvidenceRelation, EvidenceTiming, SourceReliability, Verification

#: What each label requires, in the words of its row of the table in METHODOLOGY section 7 (a test keeps them equal).
RULES: Final[dict[str, str]] = {
    Verification.CORROBORATED: "S ≥ 1, X = 0, Q = 0",
    Verification.PARTLY_CORROBORATED: "S ≥ 1 and X + Q ≥ 1: part of the assertion holds, part is wrong, misleading or "
    "unconfirmed",
    Verification.CONTESTED: "X ≥ 1, and at least one `supports` row as of publication from a primary, established or "
    "party source: accounts disagree, and the claim repeats one side's",
    Verification.CONTRADICTED: "X ≥ 1 and S = 0",
    Verification.UNVERIFIED: "S = 0 and X = 0: no source found that confirms or refutes it",
    Verification.OPINION: "`claim_type` is `opinion`, and no row supports or contradicts it",
}
#: How labels are reached, in two sentences: the README and the Datasette home page both say it in these words.
HOW_LABELS_ARE_REACHED: Final = (
    "Each claim's label judges it against the public record as it stood on the op-ed's publication date, and follows "
    "by a fixed rubric from the evidence that can carry it: rows dated by then, from primary or established sources "
    "(a party's own site only for what that party says), each quoting the source's own words. Opinions are recorded "
    "but not rated, later developments are shown apart and never move a label, and kz-timeline validate checks every "
    "label against its evidence."
)
#: Relations that count for or against a label (S, X and Q); `context` never does.
COUNTED_RELATIONS: Final = (EvidenceRelation.SUPPORTS, EvidenceRelation.CONTRADICTS, EvidenceRelation.QUALIFIES)
#: Reliability classes that can decide any label; `party` decides only attribution claims (what the party says).
DECIDING_RELIABILITY: Final = (SourceReliability.PRIMARY, SourceReliability.ESTABLISHED)
#: Reliability classes whose supporting row gives "one side's account" for `contested`.
SIDE_RELIABILITY: Final = (SourceReliability.PRIMARY, SourceReliability.ESTABLISHED, SourceReliability.PARTY)
#: Columns of `count_evidence`: carrying rows that support (S), contradict (X) and qualify (Q) each claim, supporting
#: rows as of publication from a primary, established or party source (one side's account), and rows of any kind
#: that support or contradict (which an opinion may not have).
COUNT_COLUMNS: Final = ("supports", "contradicts", "qualifies", "one_side", "supports_or_contradicts")

Table = pd.DataFrame | Sequence[BaseModel]


class Tables(Protocol):
    """Anything that holds the three tables the rubric reads: a loaded `Dataset`, or its `models`."""

    @property
    def claims(self) -> Any:
        """The claims."""

    @property
    def evidence(self) -> Any:
        """The evidence."""

    @property
    def sources(self) -> Any:
        """The sources."""


def condition(label: str) -> str:
    """Return what a label requires, without its gloss: 'S ≥ 1 and X + Q ≥ 1' for partly_corroborated."""
    return RULES[label].split(": ", 1)[0]


def _frame(table: Table) -> pd.DataFrame:
    if isinstance(table, pd.DataFrame):
        return table
    return pd.DataFrame([row.model_dump(mode="json") for row in table])


def _is(values: pd.Series, *terms: str) -> np.ndarray:
    """Return whether each value is one of `terms` (as text or as categories; empty is none of them)."""
    return values.isin(list(terms)).to_numpy(dtype=bool)


def key_positions(keys: pd.Series, known: pd.Series) -> np.ndarray:
    """Return the row of `known` holding each key (its first, if repeated), or -1; a hash lookup in C++."""
    found = pc.index_in(string_array(keys), value_set=string_array(known))
    return np.asarray(found.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)


@dataclass(frozen=True)
class EvidenceKeys:
    """For each evidence row, the row of its claim in the claims and of its source in the sources (-1: none).

    Validation passes the ones it has already worked out from the keys' codes; anyone else lets the rubric look
    them up (`evidence_keys`).
    """

    claim: np.ndarray
    source: np.ndarray


def evidence_keys(claims: pd.DataFrame, evidence: pd.DataFrame, sources: pd.DataFrame) -> EvidenceKeys:
    """Look up each evidence row's claim and source (`key_positions`)."""
    return EvidenceKeys(
        key_positions(evidence["claim_id"], claims["claim_id"]), key_positions(evidence["source_id"], sources["source_id"])
    )


@dataclass(frozen=True)
class _EvidenceRows:
    """What the rubric needs of each evidence row, as arrays: its claim, and whether it carries or gives one side."""

    claim: np.ndarray  # position of the row's claim in the claims table, -1 when unknown
    relation: pd.Series
    carrying: np.ndarray
    one_side: np.ndarray


def _at(flags: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """Return flags[position] for each position, False where the position is -1 (no such row)."""
    found = np.zeros(len(positions), dtype=bool)
    known = positions >= 0
    found[known] = flags[positions[known]]
    return found


def _evidence_rows(
    claims: pd.DataFrame, evidence: pd.DataFrame, sources: pd.DataFrame, keys: EvidenceKeys | None
) -> _EvidenceRows:
    if keys is None:
        keys = evidence_keys(claims, evidence, sources)
    claim, source = keys.claim, keys.source
    attribution = _at(_is(claims["claim_type"], ClaimType.ATTRIBUTION), claim)
    reliability = sources["reliability"]
    deciding = _at(_is(reliability, *DECIDING_RELIABILITY), source)
    party = _at(_is(reliability, SourceReliability.PARTY), source)
    side = _at(_is(reliability, *SIDE_RELIABILITY), source)
    as_of = _is(evidence["timing"], EvidenceTiming.AS_OF_PUBLICATION)
    counted = _is(evidence["relation"], *COUNTED_RELATIONS)
    return _EvidenceRows(
        claim=claim,
        relation=evidence["relation"],
        carrying=as_of & counted & (deciding | (party & attribution)),
        one_side=as_of & side,
    )


#: The columns of claims and sources that `carrying_evidence` reads (beside every column of evidence it is given).
CARRYING_READS: dict[str, tuple[str, ...]] = {"claims": ("claim_id", "claim_type"), "sources": ("source_id", "reliability")}


def carrying_evidence(claims: Table, evidence: Table, sources: Table, *, keys: EvidenceKeys | None = None) -> pd.Series:
    """Return, for every evidence row, whether it carries (can decide its claim's label; METHODOLOGY section 6).

    Carrying: as of publication, relation supports, contradicts or qualifies, from a primary or established source,
    or from a party source when the claim is an attribution (what that party itself says). `keys`: each row's claim
    and source, when already known.
    """
    rows = _frame(evidence)
    return pd.Series(_evidence_rows(_frame(claims), rows, _frame(sources), keys).carrying, index=rows.index)


def count_evidence(
    claims: Table, evidence: Table, sources: Table, *, carrying_only: bool = True, keys: EvidenceKeys | None = None
) -> pd.DataFrame:
    """Return, for every claim (in the order of `claims`), the counts of COUNT_COLUMNS.

    With `carrying_only` false, every row counts in S, X, Q and one_side whatever its timing and source: what a
    label would rest on if later, weak or reference evidence could decide it (M6 reports such labels). `keys`: each
    evidence row's claim and source, when already known.
    """
    claim_frame = _frame(claims)
    rows = _evidence_rows(claim_frame, _frame(evidence), _frame(sources), keys)
    known = rows.claim >= 0
    counted = rows.carrying if carrying_only else np.ones(len(known), dtype=bool)
    side = rows.one_side if carrying_only else counted
    supports = _is(rows.relation, EvidenceRelation.SUPPORTS)
    contradicts = _is(rows.relation, EvidenceRelation.CONTRADICTS)

    def tally(mask: np.ndarray) -> np.ndarray:
        return np.bincount(rows.claim[known & mask], minlength=len(claim_frame))

    return pd.DataFrame(
        {
            "claim_id": claim_frame["claim_id"].array,
            "supports": tally(counted & supports),
            "contradicts": tally(counted & contradicts),
            "qualifies": tally(counted & _is(rows.relation, EvidenceRelation.QUALIFIES)),
            "one_side": tally(side & supports),
            "supports_or_contradicts": tally(supports | contradicts),
        }
    )


def allowed_labels(claim_types: pd.Series, counts: pd.DataFrame) -> pd.DataFrame:
    """Return, for every claim, whether the rubric allows each label (one boolean column per Verification term).

    `claim_types` and `counts` (from `count_evidence`) are aligned row by row.
    """
    opinion = _is(claim_types, ClaimType.OPINION)
    s, x, q = (counts[name].to_numpy() for name in ("supports", "contradicts", "qualifies"))
    rated = ~opinion
    allowed = {
        Verification.CORROBORATED: rated & (s >= 1) & (x == 0) & (q == 0),
        Verification.PARTLY_CORROBORATED: rated & (s >= 1) & (x + q >= 1),
        Verification.CONTESTED: rated & (x >= 1) & (counts["one_side"].to_numpy() >= 1),
        Verification.CONTRADICTED: rated & (x >= 1) & (s == 0),
        Verification.UNVERIFIED: rated & (s == 0) & (x == 0),
        Verification.OPINION: opinion & (counts["supports_or_contradicts"].to_numpy() == 0),
    }
    return pd.DataFrame({label.value: mask for label, mask in allowed.items()}, index=counts.index)


def label_allowed(labels: pd.Series, allowed: pd.DataFrame) -> np.ndarray:
    """Return, for every claim, whether its label is one the rubric allows (False for a label outside the vocabulary)."""
    result = np.zeros(len(labels), dtype=bool)
    for label in allowed.columns:
        result |= _is(labels, label) & allowed[label].to_numpy()
    return result


def assess_claims(claims: Table | Tables, evidence: Table | None = None, sources: Table | None = None) -> pd.DataFrame:
    """Say how each claim's label was reached: the counts, the labels allowed, the rule, and the carrying evidence.

    `assess_claims(kz_timeline.load())`, or with the three tables: `assess_claims(claims, evidence, sources)`.

    One row per claim, in the order of `claims`. Columns: claim_id, claim_type, verification, supports, contradicts,
    qualifies (S, X, Q: carrying rows), one_side (supporting rows as of publication from a primary, established or
    party source), allowed (the labels the rubric allows, in vocabulary order), label_allowed, rule (what the chosen
    label requires, as METHODOLOGY section 7 words it) and carrying (the evidence_id of every carrying row, in file
    order). Takes the tables as DataFrames (as read or as loaded by `kz_timeline.load()`) or as lists of row models.
    """
    if isinstance(claims, (pd.DataFrame, Sequence)):
        if evidence is None or sources is None:
            raise TypeError("assess_claims takes a dataset, or its claims, evidence and sources")
        claim_frame, rows, source_frame = _frame(claims), _frame(evidence), _frame(sources)
    else:
        tables = cast(Tables, claims)
        claim_frame, rows, source_frame = _frame(tables.claims), _frame(tables.evidence), _frame(tables.sources)
    counts = count_evidence(claim_frame, rows, source_frame)
    allowed = allowed_labels(claim_frame["claim_type"], counts)
    labels = claim_frame["verification"].astype(object)
    carrying = rows[carrying_evidence(claim_frame, rows, source_frame).to_numpy()]
    by_claim = carrying["evidence_id"].astype(object).groupby(carrying["claim_id"].astype(object).to_numpy(), sort=False)
    carried = by_claim.agg(tuple)
    names = list(allowed.columns)
    matrix = allowed.to_numpy()
    return pd.DataFrame(
        {
            "claim_id": counts["claim_id"],
            "claim_type": claim_frame["claim_type"].astype(object).to_numpy(),
            "verification": labels.to_numpy(),
            "supports": counts["supports"],
            "contradicts": counts["contradicts"],
            "qualifies": counts["qualifies"],
            "one_side": counts["one_side"],
            "allowed": [tuple(name for name, ok in zip(names, row, strict=True) if ok) for row in matrix],
            "label_allowed": label_allowed(labels, allowed),
            "rule": [RULES.get(str(label), "") for label in labels],
            "carrying": [carried.get(claim_id, ()) for claim_id in counts["claim_id"].astype(object)],
        }
    )
