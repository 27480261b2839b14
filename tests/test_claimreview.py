"""`kz-timeline export claimreview`: schema.org ClaimReview per rated claim, checked against Google's properties."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from kz_timeline.exports.claimreview import BEST_RATING, RATINGS, REVIEW_AUTHOR, WORST_RATING, claim_review, json_ld_script_text
from kz_timeline.exports.formats import render_export
from kz_timeline.metadata.description import PACKAGE_NAME
from kz_timeline.schema.vocabularies import Verification
from tests.conftest import DATA_DIR, REPO_ROOT
from tests.helpers import replace_in

SCHEMA = json.loads((REPO_ROOT / "docs" / "schemas" / "claimreview.schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
BASE = "https://factchecks.example.org"
DAY = dt.date(2026, 12, 1)
GOOGLE = "https://developers.google.com/search/docs/appearance/structured-data/factcheck"
CLAIMSKG = {"TRUE", "FALSE", "MIXTURE", "OTHER"}


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kz_timeline", *args], capture_output=True, text=True, check=False)


def reviews(data_dir: Path = DATA_DIR, **options: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads(
        render_export("claimreview", data_dir, **({"base_url": BASE, "date": DAY} | options))
    )
    return found


@pytest.fixture(scope="module")
def shipped() -> list[dict[str, Any]]:
    return reviews()


def claims() -> list[dict[str, str]]:
    import csv

    with (DATA_DIR / "claims.csv").open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def errors(document: Any) -> list[str]:
    return [error.message for error in VALIDATOR.iter_errors(document)]


def test_the_schema_is_draft_2020_12_written_from_googles_documentation() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert GOOGLE in SCHEMA["description"] and "https://schema.org/ClaimReview" in SCHEMA["description"]
    assert SCHEMA["$defs"]["ClaimReview"]["required"] == ["@context", "@type", "claimReviewed", "reviewRating", "url"]
    assert SCHEMA["$defs"]["Rating"]["required"] == ["@type", "alternateName"]


def test_the_export_of_the_shipped_data_validates(shipped: list[dict[str, Any]]) -> None:
    assert errors(shipped) == []
    assert shipped


def test_one_review_per_rated_claim_and_none_for_an_opinion(shipped: list[dict[str, Any]]) -> None:
    rated = sorted(row["claim_id"] for row in claims() if row["verification"] != Verification.OPINION)
    assert [review["url"] for review in shipped] == [f"{BASE}/kz-timeline/claims/{claim_id}" for claim_id in rated]
    assert len(rated) < len(claims()), "the shipped data has opinions, which get no review"


def test_each_review_says_the_label_its_number_and_the_verdict(shipped: list[dict[str, Any]]) -> None:
    by_id = {row["claim_id"]: row for row in claims()}
    for review in shipped:
        claim = by_id[review["url"].rsplit("/", 1)[1]]
        rating = review["reviewRating"]
        label = Verification(claim["verification"]).label
        assert (rating["alternateName"], rating["name"]) == (label, label)
        assert rating["ratingValue"] == RATINGS[claim["verification"]].value
        assert (rating["worstRating"], rating["bestRating"]) == (WORST_RATING, BEST_RATING) == (1, 5)
        assert rating["ratingExplanation"] == claim["verdict"]
        assert review["claimReviewed"] == claim["statement"]


def test_each_review_carries_every_property_google_recommends(shipped: list[dict[str, Any]]) -> None:
    for review in shipped:
        assert review["author"] == {"@type": "Organization", "name": "kz-timeline", "url": f"{BASE}/"}
        assert review["datePublished"] == "2026-12-01"
        item = review["itemReviewed"]
        assert item["@type"] == "Claim"
        assert {"author", "datePublished", "appearance", "firstAppearance"} <= set(item)
        assert {"bestRating", "name", "ratingValue", "worstRating"} <= set(review["reviewRating"])


def test_the_claim_is_the_op_eds_first_appearance_and_its_other_copies(shipped: list[dict[str, Any]]) -> None:
    import csv

    with (DATA_DIR / "sources.csv").open(encoding="utf-8", newline="") as stream:
        copies = {row["source_id"]: row for row in csv.DictReader(stream) if row["source_type"] == "op_ed"}
    item = shipped[0]["itemReviewed"]
    assert item["author"] == {"@type": "Person", "name": "Luc Rodehefer"}
    assert item["datePublished"] == copies["oped_burgasgazette"]["published"] == "2023-05-17"
    assert item["firstAppearance"]["url"] == copies["oped_burgasgazette"]["url"]
    others = [copies[source_id]["url"] for source_id in sorted(copies) if source_id != "oped_burgasgazette"]
    assert [work["url"] for work in item["appearance"]] == others and len(others) == 3
    assert {work["@type"] for work in [item["firstAppearance"], *item["appearance"]]} == {"OpinionNewsArticle"}


@pytest.mark.parametrize(
    "path",
    [("@context",), ("@type",), ("claimReviewed",), ("reviewRating",), ("url",), ("reviewRating", "alternateName")],
    ids=lambda path: ".".join(path),
)
def test_a_review_without_a_property_google_requires_fails_the_schema(
    shipped: list[dict[str, Any]], path: tuple[str, ...]
) -> None:
    document = copy.deepcopy(shipped[:1])
    *parents, name = path
    holder = document[0]
    for parent in parents:
        holder = holder[parent]
    del holder[name]
    assert errors(document) == [f"'{name}' is a required property"]


@pytest.mark.parametrize(
    ("path", "value"),
    [(("url",), "/kz-timeline/claims/x"), (("reviewRating", "ratingValue"), "five"), (("datePublished",), "1 December 2026")],
)
def test_a_review_with_a_property_of_the_wrong_kind_fails_the_schema(
    shipped: list[dict[str, Any]], path: tuple[str, ...], value: str
) -> None:
    document = copy.deepcopy(shipped[:1])
    *parents, name = path
    holder = document[0]
    for parent in parents:
        holder = holder[parent]
    holder[name] = value
    assert len(errors(document)) == 1


def test_the_scale_rates_every_label_but_opinion_from_worst_to_best() -> None:
    assert set(RATINGS) == set(Verification.terms()) - {Verification.OPINION}
    assert [rating.value for rating in RATINGS.values()] == list(range(WORST_RATING, BEST_RATING + 1))
    assert {rating.claimskg for rating in RATINGS.values()} <= CLAIMSKG
    assert (RATINGS["corroborated"].claimskg, RATINGS["contradicted"].claimskg) == ("TRUE", "FALSE")


def rating_table(text: str, heading: str) -> dict[str, tuple[int, str]]:
    section = text.split(heading, 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([a-z_]+)` \| ([0-9]+) \| ([A-Z]+) \|$", section, flags=re.MULTILINE)
    assert rows, f"no rating table under {heading!r}"
    return {label: (int(value), claimskg) for label, value, claimskg in rows}


@pytest.mark.parametrize(
    ("document", "heading"),
    [("METHODOLOGY.md", "## 11. Ratings for other tools"), ("claimreview.md", "## The rating scale")],
)
def test_the_docs_give_the_scale_and_the_claimskg_mapping_of_the_code(document: str, heading: str) -> None:
    text = (REPO_ROOT / "docs" / document).read_text(encoding="utf-8")
    table = rating_table(text, heading)
    assert table == {label: (rating.value, rating.claimskg) for label, rating in RATINGS.items()}
    assert list(table) == list(RATINGS)


def test_the_worked_example_in_the_docs_is_what_the_export_writes(shipped: list[dict[str, Any]]) -> None:
    text = (REPO_ROOT / "docs" / "claimreview.md").read_text(encoding="utf-8")
    example = json.loads(text.split("## A worked example", 1)[1].split("```json\n", 1)[1].split("\n```", 1)[0])
    assert f"--base-url {BASE} --date {DAY.isoformat()}" in text
    assert example in shipped
    assert example["url"].endswith("/oped_ablyazov_fled")


def test_the_reviewer_is_the_package() -> None:
    assert REVIEW_AUTHOR == PACKAGE_NAME


def test_a_claimant_that_is_not_a_person_is_an_organization(minimal_dir: Path) -> None:
    replace_in(minimal_dir / "actors.csv", "president,The President,person", "president,The Presidency,government_body")
    authors = {review["itemReviewed"]["author"]["@type"] for review in reviews(minimal_dir)}
    assert authors == {"Organization"}
    replace_in(minimal_dir / "actors.csv", "The Presidency,government_body", "The Presidency,person")
    assert {review["itemReviewed"]["author"]["@type"] for review in reviews(minimal_dir)} == {"Person"}


def test_a_date_the_source_gives_only_in_part_is_kept_and_an_uncertain_one_left_out(minimal_dir: Path) -> None:
    (review, *_) = reviews(minimal_dir)
    assert review["itemReviewed"]["datePublished"] == "2023-05"
    replace_in(minimal_dir / "sources.csv", ",2023-05,op_ed", ",2023-05?,op_ed")
    (review, *_) = reviews(minimal_dir)
    assert "datePublished" not in review["itemReviewed"] and "datePublished" not in review["itemReviewed"]["firstAppearance"]


def test_without_base_url_the_export_is_refused_in_one_line_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "reviews.jsonld"
    result = run_cli("export", "claimreview", "--out", str(out))
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "Error: the claimreview export needs --base-url URL, where the site is served (each review's url is "
        "URL/kz-timeline/claims/CLAIM_ID); --no-url writes a draft without url, not for publication\n"
    )
    assert not out.exists()


def test_no_url_writes_a_draft_that_the_schema_refuses_for_its_url_alone(tmp_path: Path) -> None:
    out = tmp_path / "draft.jsonld"
    result = run_cli("export", "claimreview", "--no-url", "--date", "2026-12-01", "--out", str(out))
    assert result.returncode == 0, result.stderr
    draft = json.loads(out.read_text(encoding="utf-8"))
    assert set(errors(draft)) == {"'url' is a required property"}
    assert len(errors(draft)) == len(draft)
    assert all("url" not in review["author"] for review in draft)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--base-url", BASE, "--no-url"], "--base-url and --no-url contradict each other: give one"),
        (["--base-url", "factchecks.example.org"], "--base-url 'factchecks.example.org' is not an http(s) URL such as "),
        (["--base-url", f"{BASE}/?page=1"], f"--base-url '{BASE}/?page=1' is not an http(s) URL such as "),
        (["--base-url", BASE, "--article", "x.txt"], "the claimreview export takes no --article; it is for the annotations"),
    ],
)
def test_contradictory_or_malformed_options_are_refused_in_one_line(arguments: list[str], message: str, tmp_path: Path) -> None:
    result = run_cli("export", "claimreview", *arguments, "--out", str(tmp_path / "x.jsonld"))
    assert result.returncode == 2
    assert result.stderr.startswith(f"Error: {message}") and result.stderr.count("\n") == 1
    assert not (tmp_path / "x.jsonld").exists()


@pytest.mark.parametrize("flag", [["--base-url", BASE], ["--no-url"], ["--date", "2026-12-01"]])
def test_claimreview_options_on_another_export_are_refused(flag: list[str], tmp_path: Path) -> None:
    result = run_cli("export", "spreadsheet", *flag, "--out", str(tmp_path / "x.csv"))
    assert result.returncode == 2
    assert result.stderr.startswith(f"Error: the spreadsheet export takes no {flag[0]}; it is for the claimreview")


def test_a_date_that_is_not_a_day_is_a_usage_error() -> None:
    result = run_cli("export", "claimreview", "--base-url", BASE, "--date", "01/12/2026", "--out", "-")
    assert result.returncode == 2
    assert "argument --date: '01/12/2026' is not a date YYYY-MM-DD" in result.stderr


def test_the_date_defaults_to_today_in_utc() -> None:
    (review, *_) = reviews(date=None)
    assert review["datePublished"] in {
        (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).date().isoformat(),
        dt.datetime.now(dt.UTC).date().isoformat(),
    }


def test_script_text_cannot_end_its_script_element() -> None:
    hostile = 'He said "</script><script>alert(1)</script>" & <!-- left -->'
    document = claim_review(
        {"statement": hostile, "verification": "contradicted", "verdict": hostile},
        label="Contradicted",
        claimant={"name": hostile, "actor_type": "person"},
        source={"source_id": "s", "title": hostile, "url": "https://example.org/", "source_type": "op_ed"},
    )
    assert document is not None
    text = json_ld_script_text(document)
    assert not set("<>&") & set(text)
    assert json.loads(text) == document


def test_an_opinion_gets_no_review() -> None:
    claim = {"statement": "Credit is due.", "verification": "opinion", "verdict": "Recorded, not rated."}
    source = {"source_id": "s", "title": "t", "url": "https://example.org/", "source_type": "op_ed"}
    assert claim_review(claim, label="Opinion, not rated", claimant={"name": "A"}, source=source) is None


def test_the_builder_runs_without_kz_timeline_as_on_a_published_site() -> None:
    """The published plugin loads this file by path, kz_timeline absent: it must need the standard library only."""
    path = REPO_ROOT / "src" / "kz_timeline" / "exports" / "claimreview.py"
    code = (
        "import importlib.util, json, sys; sys.modules['kz_timeline'] = None\n"
        f"spec = importlib.util.spec_from_file_location('copy', {str(path)!r})\n"
        "module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)\n"
        "claim = {'statement': 'S', 'verification': 'corroborated', 'verdict': 'V'}\n"
        "source = {'source_id': 'a', 'title': 'T', 'url': 'https://example.org/a', 'source_type': 'op_ed'}\n"
        "print(json.dumps(module.claim_review(claim, label='Corroborated', claimant={'name': 'N'}, source=source)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["reviewRating"]["ratingValue"] == 5
