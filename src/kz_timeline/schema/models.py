"""Pydantic models of every table: the one place where columns are named, typed and described."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, StringConstraints

from kz_timeline.schema.vocabularies import (
    ActorType,
    ClaimType,
    DateCertainty,
    DateEndStatus,
    DatePrecision,
    EventType,
    EvidenceRelation,
    EvidenceTiming,
    Relation,
    Role,
    SourceReliability,
    SourceType,
    Theme,
    Verification,
)


@dataclass(frozen=True)
class ValueFormat:
    """How a text cell must look; the regex is shared by row and column validation."""

    name: str
    pattern: str
    message: str


@dataclass(frozen=True)
class Derived:
    """Marks a column computed from another column (`kz-timeline fmt` writes it)."""

    source_column: str


SLUG = ValueFormat("slug", r"^[a-z0-9]+(?:[_-][a-z0-9]+)*$", "must be a lowercase slug (a-z, 0-9, '_' or '-' between them)")
ISO_DATE = ValueFormat("iso_date", r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "must be an ISO date YYYY-MM-DD")
URL = ValueFormat("url", r"^https?://[^\s]+$", "must be an http(s) URL without spaces")
SHA256 = ValueFormat("sha256", r"^[0-9a-f]{64}$", "must be 64 lowercase hex digits")
COUNTRY_CODE = ValueFormat("country_code", r"^[A-Z]{2}$", "must be an ISO 3166-1 alpha-2 code such as KZ")
INTEGER = ValueFormat("integer", r"^(?:0|[1-9][0-9]*)$", "must be a whole number >= 0 without sign or leading zeros")
BOOLEAN = ValueFormat("boolean", r"^(?:true|false)$", "must be 'true' or 'false'")
ALIAS_LIST = ValueFormat(
    "alias_list", r"^[^|\s](?:[^|]*[^|\s])?(?:\|[^|\s](?:[^|]*[^|\s])?)*$", "must be names separated by '|', none empty or padded"
)
#: EDTF is checked by kz_timeline.reading.edtf_dates; the pattern here only rules out what cannot be a date at all.
EDTF = ValueFormat("edtf", r"^[0-9X.?~%/-]+$", "must be an EDTF date")

ALIAS_SEPARATOR = "|"

Slug = Annotated[str, StringConstraints(pattern=SLUG.pattern), SLUG]
Text = Annotated[str, StringConstraints(min_length=1)]
Url = Annotated[str, StringConstraints(pattern=URL.pattern), URL]
Sha256 = Annotated[str, StringConstraints(pattern=SHA256.pattern), SHA256]
CountryCode = Annotated[str, StringConstraints(pattern=COUNTRY_CODE.pattern), COUNTRY_CODE]
EdtfDate = Annotated[str, StringConstraints(pattern=EDTF.pattern), EDTF]
Offset = Annotated[int, Field(ge=0), INTEGER]
Flag = Annotated[bool, BOOLEAN]


def _split_aliases(value: object) -> object:
    if isinstance(value, str):
        return tuple(value.split(ALIAS_SEPARATOR)) if value else ()
    return value


AliasList = Annotated[
    tuple[Annotated[str, StringConstraints(min_length=1, pattern=r"^[^|\s](?:[^|]*[^|\s])?$")], ...],
    BeforeValidator(_split_aliases),
    PlainSerializer(lambda names: ALIAS_SEPARATOR.join(names), return_type=str),
    ALIAS_LIST,
]


class Row(BaseModel):
    """Base of every table row: strict about unknown columns, immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False, str_strip_whitespace=False)


class Event(Row):
    """Something that happened, as the op-ed mentions or implies it, dated as precisely as the record allows."""

    event_id: Slug = Field(description="Stable identifier of the event; never renamed.")
    title: Text = Field(description="Short neutral title of the event.")
    date: EdtfDate = Field(
        description="When it happened, in EDTF (ISO 8601-2): "
        "2017-09, 2022-06-17, 2022-01-02/2022-01-11, 2022~, 2022-01-05/.. (ongoing)."
    )
    date_start: Annotated[dt.date, ISO_DATE, Derived("date")] = Field(
        description="First day the event can have happened (derived from date)."
    )
    date_end: Annotated[dt.date, ISO_DATE, Derived("date")] | None = Field(
        default=None,
        description="Last day the event can have happened, inclusive; empty when the end is open or unknown (derived from date).",
    )
    date_precision: Annotated[DatePrecision, Derived("date")] = Field(
        description="How precisely the date is known; for a range, its coarsest end (derived from date)."
    )
    date_certainty: Annotated[DateCertainty, Derived("date")] = Field(
        description="Whether the date is marked uncertain or approximate (derived from date)."
    )
    date_end_status: Annotated[DateEndStatus, Derived("date")] = Field(
        description="Whether the end is known, open (ongoing) or unknown (derived from date)."
    )
    event_type: EventType = Field(description="What kind of event it is.")
    theme: Theme = Field(description="The story line the event belongs to.")
    is_key_event: Flag = Field(
        description="true for the events the op-ed's argument turns on; they are labelled on the timeline."
    )
    place: str | None = Field(default=None, description="Where it happened, as 'City, Country' or a country.")
    country_code: CountryCode | None = Field(
        default=None, description="ISO 3166-1 alpha-2 code of the country where it happened."
    )
    description: Text = Field(description="What happened, in the package's own neutral voice.")
    date_note: str | None = Field(
        default=None,
        description="Why the date is what it is: the op-ed's own wording and the source that gives the precise date.",
    )


class Actor(Row):
    """A person, state, body or group that the op-ed names or clearly implies."""

    actor_id: Slug = Field(description="Stable identifier of the actor; never renamed.")
    name: Text = Field(description="The name most English-language sources use.")
    actor_type: ActorType = Field(description="What kind of actor it is.")
    country_code: CountryCode | None = Field(
        default=None, description="ISO 3166-1 alpha-2 code of the actor's country, if it has one."
    )
    aliases: AliasList = Field(
        default=(), description="Other spellings and transliterations, Cyrillic included, separated by '|' (Mamay|Мамай)."
    )
    description: Text = Field(description="Who or what the actor is, in the package's own neutral voice.")


class Participant(Row):
    """An actor taking part in an event, in one role."""

    event_id: Slug = Field(description="The event (events.event_id).")
    actor_id: Slug = Field(description="The actor (actors.actor_id).")
    role: Role = Field(description="The part the actor plays in the event.")
    note: str | None = Field(default=None, description="What the actor did, where the role alone does not say it.")


class EventLink(Row):
    """A directed edge of the event graph."""

    from_event_id: Slug = Field(description="The event the relation starts from (events.event_id).")
    to_event_id: Slug = Field(description="The event it points to (events.event_id).")
    relation: Relation = Field(description="How the first event relates to the second.")
    note: str | None = Field(default=None, description="Why the events are linked.")


class Source(Row):
    """A document: the op-ed itself, or a public source set beside it."""

    source_id: Slug = Field(description="Stable identifier of the source.")
    title: Text = Field(description="Title of the document as published.")
    author: str | None = Field(default=None, description="Author or byline, if named.")
    publisher: str | None = Field(default=None, description="Outlet, organisation or court that published it.")
    url: Url | None = Field(default=None, description="Where the document was read.")
    published: EdtfDate | None = Field(default=None, description="When it was published, in EDTF.")
    source_type: SourceType = Field(description="What kind of document it is.")
    reliability: SourceReliability = Field(
        description="How far the source can be relied on, and so whether it can decide a label (METHODOLOGY section 5)."
    )
    text_sha256: Sha256 | None = Field(
        default=None, description="SHA-256 of the exact text that quote offsets refer to, when the package is checked against it."
    )
    note: str | None = Field(default=None, description="What the source is good for, and its limits.")


class Claim(Row):
    """One assertion as the op-ed makes it, verbatim, and how it stood against the record when the op-ed appeared."""

    claim_id: Slug = Field(description="Stable identifier of the claim; never reused (a merged claim is listed in CHANGELOG.md).")
    statement: Text = Field(description="Neutral paraphrase of what is asserted, the op-ed's own terms in quotation marks.")
    claim_type: ClaimType = Field(description="What kind of assertion it is: fact, attribution, framing or opinion.")
    claimant_id: Slug = Field(
        description="Who asserts it (actors.actor_id): the op-ed's author for everything the op-ed says, reported "
        "speech included; a quoted speaker only for their own recorded words."
    )
    source_id: Slug = Field(description="Where it is asserted (sources.source_id).")
    quote: Text = Field(
        description="The shortest passage that carries the whole assertion, verbatim, typos included; a single term "
        "only for a framing claim."
    )
    quote_start: Offset = Field(description="0-based character offset of the quote in the source's text.")
    quote_end: Offset = Field(description="Character offset just after the quote (end exclusive, Python string index).")
    event_id: Slug | None = Field(default=None, description="The event the claim is about (events.event_id).")
    actor_id: Slug | None = Field(default=None, description="The actor the claim is about (actors.actor_id).")
    verification: Verification = Field(
        description="The label: how the claim stands against the record as it stood on the op-ed's publication date, "
        "decided by the carrying evidence (METHODOLOGY section 7)."
    )
    verdict: Text = Field(
        description="In one or two sentences, what the record showed on the op-ed's publication date and where the "
        "op-ed's wording differs from it; later developments only after it, marked as such."
    )


class Evidence(Row):
    """How one public source bears on one claim, in that source's own words."""

    evidence_id: Slug = Field(description="Stable identifier of the piece of evidence.")
    claim_id: Slug = Field(description="The claim (claims.claim_id).")
    source_id: Slug = Field(description="The public source (sources.source_id).")
    event_id: Slug | None = Field(
        default=None, description="The event of the record this row documents (events.event_id), where there is one."
    )
    relation: EvidenceRelation = Field(
        description="Whether the source supports, contradicts or qualifies the claim, or gives context only."
    )
    timing: EvidenceTiming = Field(
        description="as_of_publication when it shows the record as it stood on the op-ed's publication date; "
        "later_development otherwise (shown apart, never counted for the label)."
    )
    excerpt: str | None = Field(
        default=None,
        description="The source's own words: a short verbatim passage, in the source's language, that a reader can "
        "check without opening the link; required on every row that can decide the label (M7).",
    )
    note: Text = Field(
        description="What the source shows that bears on the claim, in the package's voice; a translation when the "
        "excerpt is not in English."
    )
