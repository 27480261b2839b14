"""schema.org ClaimReview for each checkable claim: the export, and the JSON-LD of each claim's page on the site.

`claim_review()` builds one document from plain rows (mappings of column names to text), so that the export and the
Datasette plugin make the same JSON-LD with the same function. The plugin runs without kz_timeline on a published
site (`kz-timeline publish-files` puts a copy of this file beside it), so this module imports nothing but the
standard library at its top; only `claim_reviews()`, which reads a loaded dataset, imports kz_timeline.

The rating scale (docs/METHODOLOGY.md, "Ratings for other tools"): ratingValue 1 (Contradicted) to 5
(Corroborated), and the ClaimsKG normalised rating of each label. Opinions are recorded, not rated: they get no
ClaimReview. Google's required and recommended properties are those of
https://developers.google.com/search/docs/appearance/structured-data/factcheck (docs/claimreview.md).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from kz_timeline.dataset.loader import Dataset

SCHEMA_ORG = "https://schema.org"
#: Who publishes these reviews: the dataset, as an Organization (a fact-checker republishing them puts theirs here).
REVIEW_AUTHOR = "kz-timeline"
#: The label of a claim that is recorded, not rated; it gets no ClaimReview.
NOT_RATED = "opinion"


class Rating(NamedTuple):
    """A label's place on the numeric scale of reviewRating, and its ClaimsKG normalised rating."""

    value: int
    claimskg: str


WORST_RATING, BEST_RATING = 1, 5
#: Every rated label, from worst to best (docs/METHODOLOGY.md keeps the same table; a test holds them equal).
RATINGS: dict[str, Rating] = {
    "contradicted": Rating(1, "FALSE"),
    "contested": Rating(2, "OTHER"),
    "unverified": Rating(3, "OTHER"),
    "partly_corroborated": Rating(4, "MIXTURE"),
    "corroborated": Rating(5, "TRUE"),
}
#: A date schema.org reads as one (ISO 8601: a year, a month or a day); EDTF qualifiers and intervals are left out.
_ISO_DATE = re.compile(r"^[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?$")
#: What a base URL must look like: http(s), a host, an optional path; no query or fragment.
BASE_URL = re.compile(r"^https?://[^\s/?#]+(?:/[^\s?#]*)?$")


def iso_date(value: str | None) -> str | None:
    """Return an EDTF date that is a plain ISO year, month or day as it is, and None for anything else."""
    return value if value and _ISO_DATE.match(value) else None


def claim_path(database: str, claim_id: str) -> str:
    """Return the path of a claim's page on the Datasette site: /DATABASE/claims/CLAIM_ID (ids are slugs)."""
    return f"/{database}/claims/{claim_id}"


def _work(source: Mapping[str, Any]) -> dict[str, Any]:
    """Return a source as the CreativeWork in which the claim appears (an OpinionNewsArticle for an op-ed's copy)."""
    work: dict[str, Any] = {"@type": "OpinionNewsArticle" if source.get("source_type") == "op_ed" else "CreativeWork"}
    if source.get("url"):
        work["url"] = source["url"]
    work["headline"] = source["title"]
    published = iso_date(source.get("published"))
    if published:
        work["datePublished"] = published
    if source.get("publisher"):
        work["publisher"] = {"@type": "Organization", "name": source["publisher"]}
    return work


def claim_review(
    claim: Mapping[str, Any],
    *,
    label: str,
    claimant: Mapping[str, Any],
    source: Mapping[str, Any],
    copies: Sequence[Mapping[str, Any]] = (),
    author_url: str | None = None,
    date_published: str | None = None,
    url: str | None = None,
) -> dict[str, Any] | None:
    """Return the ClaimReview JSON-LD of one claim, or None for an opinion (recorded, not rated).

    `claim` has statement and verification, and verdict; `label` is the verification in words; `claimant` has name
    and actor_type; `source` (title, url, published, publisher, source_type) is the copy the claim quotes, its first
    appearance, and `copies` the other copies of the same text. `url` is the claim's page; without it the document
    lacks a property Google requires, and is not to be published.
    """
    rating = RATINGS.get(str(claim["verification"]))
    if rating is None:
        return None
    claim_author = {"@type": "Person" if claimant.get("actor_type") == "person" else "Organization", "name": claimant["name"]}
    item: dict[str, Any] = {"@type": "Claim", "author": claim_author}
    claimed_on = iso_date(source.get("published"))
    if claimed_on:
        item["datePublished"] = claimed_on
    item["firstAppearance"] = _work(source)
    if copies:
        item["appearance"] = [_work(copy) for copy in sorted(copies, key=lambda copy: str(copy["source_id"]))]
    author: dict[str, Any] = {"@type": "Organization", "name": REVIEW_AUTHOR}
    if author_url:
        author["url"] = author_url
    document: dict[str, Any] = {"@context": SCHEMA_ORG, "@type": "ClaimReview"}
    if url:
        document["url"] = url
    document["claimReviewed"] = claim["statement"]
    document["itemReviewed"] = item
    document["author"] = author
    if date_published:
        document["datePublished"] = date_published
    document["reviewRating"] = {
        "@type": "Rating",
        "ratingValue": rating.value,
        "bestRating": BEST_RATING,
        "worstRating": WORST_RATING,
        "alternateName": label,
        "name": label,
        "ratingExplanation": claim["verdict"],
    }
    return document


def json_ld_script_text(document: Mapping[str, Any]) -> str:
    """Return a document as JSON that is safe inside an HTML <script> element (<, > and & written as escapes)."""
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def records(frame: Any) -> list[dict[str, Any]]:
    """Return the rows of a table of text (a pandas DataFrame) as dicts of column name to text ('' when empty)."""
    rows: list[dict[str, Any]] = frame.to_dict(orient="records")
    return rows


def claim_reviews(dataset: Dataset, *, base_url: str | None, date_published: str | None) -> list[dict[str, Any]]:
    """Return the ClaimReview of every rated claim of `dataset`, in claim_id order.

    `base_url` is where the Datasette site is served: each review's url is BASE_URL/kz-timeline/claims/CLAIM_ID, and
    the author's url the base URL. Without it the reviews have no url and are a draft, not for publication.
    """
    from kz_timeline.defaults import DATABASE_NAME
    from kz_timeline.schema.vocabularies import SourceType, Verification

    tables = dataset.text_tables
    actors = {row["actor_id"]: row for row in records(tables["actors"])}
    sources = {row["source_id"]: row for row in records(tables["sources"])}
    copies = [row for row in sources.values() if row["source_type"] == SourceType.OP_ED.value]
    root = base_url.rstrip("/") if base_url else None
    reviews = []
    for claim in sorted(records(tables["claims"]), key=lambda row: str(row["claim_id"])):
        source = sources[claim["source_id"]]
        is_copy = source["source_type"] == SourceType.OP_ED.value
        others = [copy for copy in copies if copy["source_id"] != source["source_id"]] if is_copy else []
        review = claim_review(
            claim,
            label=Verification(claim["verification"]).label,
            claimant=actors[claim["claimant_id"]],
            source=source,
            copies=others,
            author_url=f"{root}/" if root else None,
            date_published=date_published,
            url=f"{root}{claim_path(DATABASE_NAME, claim['claim_id'])}" if root else None,
        )
        if review is not None:
            reviews.append(review)
    return reviews
