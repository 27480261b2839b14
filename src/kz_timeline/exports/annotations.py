"""The claims as a W3C Web Annotation collection: each quote anchored in the op-ed by its text and by its offsets.

Follows the Web Annotation Data Model (W3C Recommendation, 23 February 2017, https://www.w3.org/TR/annotation-model/):
an AnnotationCollection whose first AnnotationPage holds one Annotation per claim. Each targets the claim's source
(its URL) through two selectors of the same span: a TextQuoteSelector (the quote, with up to 32 characters before and
after it in the source's text) and a TextPositionSelector (the quote's offsets). Its body is the label (purpose
tagging), the verdict (assessing), the statement (describing) and the sources of the evidence that carried the label
(linking). Offsets count Unicode code points in the text whose SHA-256 sources.csv records, as the model asks.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kz_timeline.errors import KzTimelineError
from kz_timeline.exports.claimreview import REVIEW_AUTHOR, records

if TYPE_CHECKING:
    from kz_timeline.dataset.loader import Dataset

ANNOTATION_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
#: At most this many characters of the source's text before and after the quote (the selectors' prefix and suffix).
CONTEXT_CHARS = 32
#: Name-based (version 5) UUIDs make the annotations' IRIs: the same claim gets the same id in every export.
_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "kz-timeline:annotations")


class AnnotationError(KzTimelineError):
    """The annotations cannot be made (a source without a URL), or an annotations file cannot be read."""


def annotation_id(claim_id: str) -> str:
    """Return the IRI of a claim's annotation: a urn:uuid, the same in every export."""
    return f"urn:uuid:{uuid.uuid5(_ID_NAMESPACE, f'claim:{claim_id}')}"


COLLECTION_ID = f"urn:uuid:{uuid.uuid5(_ID_NAMESPACE, 'collection')}"
PAGE_ID = f"urn:uuid:{uuid.uuid5(_ID_NAMESPACE, 'page:0')}"


@dataclass(frozen=True)
class QuoteSelector:
    """A quote located in a text twice over: by its words and context (TextQuoteSelector) and by its offsets."""

    exact: str
    prefix: str
    suffix: str
    start: int
    end: int

    @classmethod
    def of(cls, text: str, start: int, end: int, context: int = CONTEXT_CHARS) -> QuoteSelector:
        """Return the selectors of text[start:end], with up to `context` characters before and after it."""
        return cls(text[start:end], text[max(0, start - context) : start], text[end : end + context], start, end)

    def as_json(self) -> list[dict[str, Any]]:
        """Return the two selectors as the Web Annotation model writes them."""
        return [
            {"type": "TextQuoteSelector", "exact": self.exact, "prefix": self.prefix, "suffix": self.suffix},
            {"type": "TextPositionSelector", "start": self.start, "end": self.end},
        ]


def source_texts(dataset: Dataset, articles: Iterable[str | Path]) -> dict[str, str]:
    """Return the text of each source that an article file is (matched by SHA-256), by source_id."""
    from kz_timeline.dataset.loader import read_source_texts
    from kz_timeline.errors import DataValidationError
    from kz_timeline.reading.csv_files import RawTable
    from kz_timeline.schema.tables import TABLES_BY_NAME

    sources = RawTable(TABLES_BY_NAME["sources"], "sources.csv", dataset.text_tables["sources"], [])
    texts, problems = read_source_texts(articles, {"sources": sources})
    if problems:
        raise DataValidationError(problems)
    return {source_id: text.text for source_id, text in texts.items()}


def annotation_collection(dataset: Dataset, texts: Mapping[str, str], *, created: str) -> dict[str, Any]:
    """Return every claim whose source's text is in `texts` as one Web Annotation collection, in claim_id order.

    `created` is when the annotations are made: an xsd:dateTime in UTC ("2026-01-31T12:00:00Z").
    """
    from kz_timeline import __version__
    from kz_timeline.schema import rubric
    from kz_timeline.schema.vocabularies import Verification

    tables = dataset.text_tables
    claims = tables["claims"]
    missing = sorted(set(claims["source_id"]) - set(texts))
    if missing:
        count = int(claims["source_id"].isin(missing).sum())
        raise AnnotationError(
            f"no --article for source {', '.join(missing)} ({count} claim(s)): give the text whose SHA-256 sources.csv records"
        )
    sources = {row["source_id"]: row for row in records(tables["sources"])}
    evidence = tables["evidence"]
    carrying = evidence[rubric.carrying_evidence(claims, evidence, tables["sources"]).to_numpy()]
    links: dict[str, list[str]] = {}
    for claim_id, source_id in zip(carrying["claim_id"], carrying["source_id"], strict=True):
        url = sources[source_id]["url"]
        if url and url not in links.setdefault(claim_id, []):
            links[claim_id].append(url)
    creator = {"type": "Organization", "name": REVIEW_AUTHOR}
    generator = {"type": "Software", "name": f"kz-timeline {__version__}"}
    items = []
    for claim in sorted(records(claims), key=lambda row: str(row["claim_id"])):
        source = sources[claim["source_id"]]
        if not source["url"]:
            raise AnnotationError(f"sources.csv: source {source['source_id']!r} has no url; its claims' annotations need one")
        opinion = claim["verification"] == Verification.OPINION.value
        selector = QuoteSelector.of(texts[claim["source_id"]], int(claim["quote_start"]), int(claim["quote_end"]))
        if selector.exact != claim["quote"]:
            raise AnnotationError(f"claims.csv: claim {claim['claim_id']!r}: its quote is not the source's text at its offsets")
        body: list[dict[str, Any]] = [
            {"type": "TextualBody", "purpose": "tagging", "value": Verification(claim["verification"]).label},
            {"type": "TextualBody", "purpose": "assessing", "value": claim["verdict"], "format": "text/plain", "language": "en"},
            {
                "type": "TextualBody",
                "purpose": "describing",
                "value": claim["statement"],
                "format": "text/plain",
                "language": "en",
            },
        ]
        if not opinion:
            body += [
                {"type": "SpecificResource", "purpose": "linking", "source": url} for url in links.get(claim["claim_id"], [])
            ]
        items.append(
            {
                "id": annotation_id(claim["claim_id"]),
                "type": "Annotation",
                "motivation": "describing" if opinion else "assessing",
                "creator": creator,
                "created": created,
                "generator": generator,
                "body": body,
                "target": {"type": "SpecificResource", "source": source["url"], "selector": selector.as_json()},
            }
        )
    collection: dict[str, Any] = {
        "@context": ANNOTATION_CONTEXT,
        "id": COLLECTION_ID,
        "type": "AnnotationCollection",
        "label": "kz-timeline: the op-ed's claims, each quoted where it stands, with its label and verdict",
        "creator": creator,
        "created": created,
        "total": len(items),
    }
    if items:
        collection["first"] = {"id": PAGE_ID, "type": "AnnotationPage", "startIndex": 0, "items": items}
    return collection


def read_selectors(path: str | Path, claim_ids: Iterable[str]) -> dict[str, QuoteSelector]:
    """Return the quote selectors of an annotation collection written by `export annotations`, by claim_id.

    Annotations whose id is not one of `claim_ids`' are left out. Raise AnnotationError, naming the file, when it is
    not such a collection.
    """
    file = Path(path)
    try:
        document = json.loads(file.read_text(encoding="utf-8"))
    except OSError as error:
        raise AnnotationError(f"{file}: cannot be read: {error.strerror or error}") from error
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise AnnotationError(f"{file}: is not a JSON file ({error})") from error
    if not isinstance(document, dict) or document.get("type") != "AnnotationCollection":
        raise AnnotationError(f"{file}: is not a Web Annotation collection (its type is not AnnotationCollection)")
    by_id = {annotation_id(claim_id): claim_id for claim_id in claim_ids}
    selectors: dict[str, QuoteSelector] = {}
    first = document.get("first")
    items: list[Any] = first.get("items", []) if isinstance(first, dict) else []
    for number, item in enumerate(items, start=1):
        claim_id = by_id.get(str(item.get("id"))) if isinstance(item, dict) else None
        if claim_id is None:
            continue
        target = item.get("target")
        listed = target.get("selector", []) if isinstance(target, dict) else []
        found: dict[str, Any] = {str(selector.get("type")): selector for selector in listed if isinstance(selector, dict)}
        try:
            quote, position = found["TextQuoteSelector"], found["TextPositionSelector"]
            selectors[claim_id] = QuoteSelector(
                str(quote["exact"]),
                str(quote.get("prefix", "")),
                str(quote.get("suffix", "")),
                int(position["start"]),
                int(position["end"]),
            )
        except (TypeError, KeyError, ValueError) as error:
            raise AnnotationError(f"{file}: annotation {number} lacks a TextQuoteSelector or TextPositionSelector") from error
    return selectors
