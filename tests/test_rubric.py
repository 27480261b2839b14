"""The label rubric (kz_timeline.schema.rubric): the words of METHODOLOGY section 7, carrying evidence, the counts."""

from __future__ import annotations

import re

import pandas as pd
import pytest

import kz_timeline
from kz_timeline.dataset.loader import Dataset
from kz_timeline.schema.rubric import RULES, assess_claims, carrying_evidence, condition, count_evidence
from kz_timeline.schema.vocabularies import Verification
from tests.conftest import REPO_ROOT

METHODOLOGY = (REPO_ROOT / "docs" / "METHODOLOGY.md").read_text(encoding="utf-8")


def rubric_table() -> dict[str, tuple[str, str]]:
    """Return the rows of METHODOLOGY section 7's table: label -> (in words, requires)."""
    section = METHODOLOGY.split("## 7. The label rubric", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([a-z_]+)` \| ([^|]+) \| (.+) \|$", section, flags=re.MULTILINE)
    assert rows, "no rubric table in METHODOLOGY section 7"
    return {label: (words.strip(), requires.strip()) for label, words, requires in rows}


def test_every_label_has_the_rule_and_the_words_of_its_methodology_row() -> None:
    table = rubric_table()
    assert set(table) == set(Verification.terms())
    for label, (words, requires) in table.items():
        assert RULES[label] == requires, label
        assert Verification(label).label == words, label


def test_a_condition_is_the_rule_without_its_gloss() -> None:
    assert condition("partly_corroborated") == "S ≥ 1 and X + Q ≥ 1"
    assert condition("corroborated") == "S ≥ 1, X = 0, Q = 0"


def frames(
    claim_type: str = "fact", rows: list[tuple[str, str, str]] | None = None, reliability: str = "primary"
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Return one claim, its evidence rows (relation, timing, source_id) and two sources (`good` has `reliability`)."""
    claims = pd.DataFrame({"claim_id": ["c"], "claim_type": [claim_type], "verification": ["unverified"]}, dtype="str")
    evidence = pd.DataFrame(
        [(f"e{n}", "c", source, relation, timing) for n, (relation, timing, source) in enumerate(rows or [])],
        columns=["evidence_id", "claim_id", "source_id", "relation", "timing"],
        dtype="str",
    )
    sources = pd.DataFrame({"source_id": ["good", "weak"], "reliability": [reliability, "weak"]}, dtype="str")
    return claims, evidence, sources


@pytest.mark.parametrize(
    ("row", "carries"),
    [
        (("supports", "as_of_publication", "good"), True),
        (("qualifies", "as_of_publication", "good"), True),
        (("contradicts", "as_of_publication", "good"), True),
        (("context", "as_of_publication", "good"), False),
        (("supports", "later_development", "good"), False),
        (("supports", "as_of_publication", "weak"), False),
    ],
)
def test_only_rows_as_of_publication_from_a_deciding_source_that_bear_on_the_claim_carry(
    row: tuple[str, str, str], carries: bool
) -> None:
    assert carrying_evidence(*frames(rows=[row])).tolist() == [carries]


@pytest.mark.parametrize(("claim_type", "carries"), [("attribution", True), ("fact", False)])
def test_a_party_source_carries_only_what_that_party_says(claim_type: str, carries: bool) -> None:
    claims, evidence, sources = frames(claim_type, [("supports", "as_of_publication", "good")], reliability="party")
    assert carrying_evidence(claims, evidence, sources).tolist() == [carries]


@pytest.mark.parametrize("reliability", ["reference", "weak"])
def test_reference_and_weak_sources_never_carry(reliability: str) -> None:
    claims, evidence, sources = frames("attribution", [("supports", "as_of_publication", "good")], reliability=reliability)
    assert carrying_evidence(claims, evidence, sources).tolist() == [False]


def test_counts_are_of_carrying_rows_and_one_side_counts_a_party_that_supports_a_fact() -> None:
    rows = [
        ("supports", "as_of_publication", "good"),
        ("supports", "later_development", "good"),
        ("contradicts", "as_of_publication", "weak"),
        ("qualifies", "as_of_publication", "good"),
        ("context", "as_of_publication", "good"),
    ]
    counts = count_evidence(*frames(rows=rows)).iloc[0]
    assert (counts["supports"], counts["contradicts"], counts["qualifies"], counts["one_side"]) == (1, 0, 1, 1)
    assert counts["supports_or_contradicts"] == 3
    party = count_evidence(*frames(rows=[("supports", "as_of_publication", "good")], reliability="party")).iloc[0]
    assert (party["supports"], party["one_side"]) == (0, 1)  # a party supports one side's account, never a fact


@pytest.fixture(scope="module")
def data() -> Dataset:
    return kz_timeline.load()


def test_every_shipped_label_is_allowed_and_its_carrying_rows_are_listed(data: Dataset) -> None:
    assessed = assess_claims(data.claims, data.evidence, data.sources)
    assert len(assessed) == len(data.claims) >= 40
    assert assessed["label_allowed"].all()
    carrying = set(data.evidence.loc[carrying_evidence(data.claims, data.evidence, data.sources), "evidence_id"])
    assert carrying and set().union(*assessed["carrying"]) == carrying
    counted = assessed["supports"] + assessed["contradicts"] + assessed["qualifies"]
    assert (counted == assessed["carrying"].map(len)).all()
    assert (assessed["rule"] == assessed["verification"].map(RULES)).all()


def test_assess_claims_reads_tables_as_read_as_loaded_and_as_models_alike(data: Dataset) -> None:
    loaded = assess_claims(data.claims, data.evidence, data.sources)
    text = assess_claims(*(data.text_tables[name] for name in ("claims", "evidence", "sources")))
    models = assess_claims(data.models.claims, data.models.evidence, data.models.sources)
    # Rows come in the order of the claims given: loaded tables and models in the op-ed's order, raw text in file order.
    assert loaded["claim_id"].tolist() == data.claims["claim_id"].astype(str).tolist()

    def by_claim(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.sort_values("claim_id", key=lambda ids: ids.astype(str)).reset_index(drop=True)

    pd.testing.assert_frame_equal(by_claim(loaded), by_claim(text))
    pd.testing.assert_frame_equal(loaded, models)


def test_assess_claims_takes_a_dataset_or_its_models_whole(data: Dataset) -> None:
    tables = assess_claims(data.claims, data.evidence, data.sources)
    pd.testing.assert_frame_equal(assess_claims(data), tables)
    pd.testing.assert_frame_equal(assess_claims(data.models), tables)
    with pytest.raises(TypeError, match="a dataset, or its claims, evidence and sources"):
        assess_claims(data.claims)


def test_assess_claims_is_public() -> None:
    assert kz_timeline.assess_claims is assess_claims
    assert "assess_claims" in kz_timeline.__all__
