"""Controlled vocabularies: every allowed value with its description, written once here."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from kz_timeline.text import term_label


class Vocabulary(StrEnum):
    """A controlled vocabulary whose members carry a description."""

    description: str

    def __new__(cls, value: str, description: str = "") -> Any:
        """Make a member whose value is `value` and whose description is `description`."""
        member = str.__new__(cls, value)
        member._value_ = value
        member.description = description
        return member

    @classmethod
    def terms(cls) -> dict[str, str]:
        """Return every value of the vocabulary mapped to its description."""
        return {member.value: member.description for member in cls}

    @classmethod
    def labels(cls) -> dict[str, str]:
        """Return every value of the vocabulary mapped to its label, as people read it (`text.term_label`)."""
        return {member.value: term_label(member.value, cls.__name__) for member in cls}

    @property
    def label(self) -> str:
        """Return the term as people read it ('Partly corroborated', 'Opinion, not rated')."""
        return term_label(self.value, type(self).__name__)


class EventType(Vocabulary):
    """What kind of thing happened."""

    UNREST = "unrest", "Mass protests, riots or civil unrest."
    PROTEST = "protest", "A peaceful demonstration, rally or vigil, authorised or not."
    MILITARY_ACTION = "military_action", "A war, invasion or armed deployment."
    ARREST = "arrest", "An arrest, detention or house arrest."
    CHARGE = "charge", "A criminal or administrative charge brought or changed."
    LAWSUIT = "lawsuit", "A civil claim filed in court."
    TRIAL = "trial", "The opening or a hearing of a trial."
    VERDICT = "verdict", "A criminal court's verdict or sentence."
    COURT_RULING = (
        "court_ruling",
        "A ruling other than a criminal verdict: civil judgment, appeal, extradition or asylum decision.",
    )
    STATEMENT = "statement", "A public statement, speech, interview or appeal."
    PUBLICATION = "publication", "The publication of a text: an op-ed, report or urgent action."
    VOTE = "vote", "A vote in an international body or a legislature."
    REFERENDUM = "referendum", "A national referendum."
    ELECTION = "election", "An election."
    LEGISLATION = "legislation", "A law, decree or constitutional amendment adopted or signed."
    POLICY = "policy", "A government policy measure, programme or body set up."
    RECOGNITION = "recognition", "A state's recognition, or refusal to recognise, another entity."
    FOUNDING = "founding", "The founding or attempted registration of an organisation."
    FINANCIAL = "financial", "A financial event: nationalisation, asset seizure or transfer."
    FLIGHT_OR_ASYLUM = "flight_or_asylum", "Leaving a country, exile, or a grant or loss of asylum."


class Theme(Vocabulary):
    """The story line an event belongs to; the lanes of the timeline chart."""

    UKRAINE_WAR_AND_DIPLOMACY = (
        "ukraine_war_and_diplomacy",
        "Russia's war against Ukraine and Kazakhstan's diplomatic position on it.",
    )
    SANCTIONS = "sanctions", "Western sanctions on Russia and Kazakhstan's handling of them."
    JANUARY_2022_UNREST = "january_2022_unrest", "The unrest of January 2022 ('Bloody January', Qandy Qantar) and its aftermath."
    DOMESTIC_REFORM = "domestic_reform", "Constitutional, political and economic reforms inside Kazakhstan."
    MAMAI_CASE = "mamai_case", "Zhanbolat Mamai, his prosecutions and his Democratic Party."
    ABLYAZOV_CASES = "ablyazov_cases", "Mukhtar Ablyazov, BTA Bank and the court cases around them."
    OP_ED = "op_ed", "The op-ed itself: its publication and circulation."


class ActorType(Vocabulary):
    """What kind of actor someone is."""

    PERSON = "person", "A natural person."
    STATE = "state", "A sovereign state, as a whole."
    GOVERNMENT_BODY = "government_body", "A government, ministry, prosecutor, presidency or other state body."
    COURT = "court", "A court or tribunal."
    NGO = "ngo", "A non-governmental organisation."
    POLITICAL_PARTY = "political_party", "A political party, registered or not."
    MEDIA = "media", "A news outlet, newspaper or the media as a group."
    COMPANY = "company", "A bank or company."
    INTERNATIONAL_ORGANISATION = "international_organisation", "An intergovernmental organisation or forum."
    TERRITORY_OR_ENTITY = "territory_or_entity", "A territory or self-proclaimed entity whose statehood is disputed."
    GROUP = "group", "A loosely defined group of people, states or organisations."


class Role(Vocabulary):
    """The part an actor plays in an event."""

    SPEAKER = "speaker", "Makes the statement the event consists of."
    ADDRESSEE = "addressee", "Is spoken to or addressed by the event."
    MODERATOR = "moderator", "Moderates a discussion."
    AUTHOR = "author", "Wrote the text that was published."
    PUBLISHER = "publisher", "Published or carried the text."
    DEFENDANT = "defendant", "Is accused, tried, detained or sentenced."
    PLAINTIFF = "plaintiff", "Brings a civil claim or an extradition request."
    PROSECUTOR = "prosecutor", "Prosecutes or investigates."
    COURT = "court", "Decides the case."
    WITNESS = "witness", "Testifies."
    FUNDER = "funder", "Provides, or is alleged to provide, money."
    ORGANISER = "organiser", "Organises or leads the event."
    PARTICIPANT = "participant", "Takes part without a more specific role."
    HOST = "host", "Hosts the event."
    DECISION_MAKER = "decision_maker", "Decides, signs or orders the measure."
    VOTER = "voter", "Casts a vote."
    TARGET = "target", "Is the object of the action, measure or sanction."
    SUBJECT = "subject", "Is what the event is about without acting in it."
    CRITIC = "critic", "Criticises the action or decision."
    INVADER = "invader", "Attacks or invades."
    VICTIM = "victim", "Suffers the attack or violence."


class Relation(Vocabulary):
    """How one event relates to another; the edges of the event graph."""

    FOLLOWS = "follows", "Comes after the other event as the next step of the same story."
    PART_OF = "part_of", "Is a part or episode of the other, larger event."
    CAUSES = "causes", "Brings about the other event."
    RESPONDS_TO = "responds_to", "Is a reaction to the other event."
    REVIEWS = "reviews", "A court ruling that reviews, upholds or overturns the other ruling."
    REFERS_TO = "refers_to", "Mentions or discusses the other event."


#: Relations that order events in time; a cycle in any of them is an error.
ACYCLIC_RELATIONS: frozenset[Relation] = frozenset({Relation.FOLLOWS, Relation.PART_OF, Relation.CAUSES})


class Verification(Vocabulary):
    """How a claim stands against the public record on the op-ed's publication date (docs/METHODOLOGY.md, section 7)."""

    CORROBORATED = "corroborated", "Carrying evidence supports the claim; none contradicts or qualifies it."
    PARTLY_CORROBORATED = (
        "partly_corroborated",
        "Part of the assertion holds, part is wrong, misleading or unconfirmed: carrying evidence supports it, and "
        "some contradicts or qualifies it.",
    )
    CONTESTED = (
        "contested",
        "Accounts disagree and the claim repeats one side's: carrying evidence contradicts it, and a primary, "
        "established or party source supports it.",
    )
    CONTRADICTED = "contradicted", "Carrying evidence contradicts the claim; none supports it."
    UNVERIFIED = "unverified", "No source was found that confirms or refutes the claim."
    OPINION = "opinion", "A judgement that no record can confirm or refute: recorded, not rated."


class ClaimType(Vocabulary):
    """What kind of assertion a claim is (docs/METHODOLOGY.md, section 2)."""

    FACT = "fact", "A checkable statement of fact."
    ATTRIBUTION = "attribution", "That someone said, did or decided something."
    FRAMING = "framing", "The op-ed's choice of a word or label for something; the claim's statement says so."
    OPINION = "opinion", "A judgement that no record can confirm or refute: a value judgement, prediction or exhortation."


class EvidenceRelation(Vocabulary):
    """How a source bears on a claim (docs/METHODOLOGY.md, section 6)."""

    SUPPORTS = "supports", "The source confirms the claim, or the part of it the row is about."
    CONTRADICTS = "contradicts", "The source says otherwise."
    QUALIFIES = (
        "qualifies",
        "The source adds something that changes how the claim should be read: a missing part, a different figure, a condition.",
    )
    CONTEXT = "context", "Background a reader needs; it does not bear on the label."


class EvidenceTiming(Vocabulary):
    """Whether evidence shows the record as it stood when the op-ed was published (the as-of rule, M4)."""

    AS_OF_PUBLICATION = (
        "as_of_publication",
        "Documents an event that started on or before the op-ed's publication date or, documenting no event, comes "
        "from a source published by then; it may decide the label.",
    )
    LATER_DEVELOPMENT = (
        "later_development",
        "Documents what happened, or was published, after the op-ed; shown apart, it never counts for or against the label.",
    )


class SourceReliability(Vocabulary):
    """How far a source can be relied on, and so whether it can decide a label (docs/METHODOLOGY.md, section 5)."""

    PRIMARY = (
        "primary",
        "The record itself: a court's judgment or docket, an official text, the transcript of a speech on the "
        "speaker's official site, the report or statement a claim is about. Can decide a label.",
    )
    ESTABLISHED = (
        "established",
        "A news agency, a major outlet with editorial standards, an NGO's published report. Can decide a label.",
    )
    REFERENCE = "reference", "An encyclopaedia, a legal database's summary, their mirrors: context only."
    PARTY = (
        "party",
        "A site run by one side of a dispute: counts only for what that party itself says (attribution claims), "
        "never as proof of a fact.",
    )
    WEAK = (
        "weak",
        "An aggregator, a mirror of unknown provenance, a content farm, a partisan site, the op-ed's own copies: "
        "never decides a label.",
    )


class SourceType(Vocabulary):
    """What kind of document a source is."""

    OP_ED = "op_ed", "An opinion piece."
    NEWS_REPORT = "news_report", "A report by a news agency, newspaper or broadcaster."
    COURT_RECORD = "court_record", "A judgment, docket entry or other court document."
    NGO_REPORT = "ngo_report", "A statement, report or urgent action by a non-governmental organisation."
    OFFICIAL_RECORD = "official_record", "A document or statement of a government or intergovernmental body."
    REFERENCE_WORK = "reference_work", "An encyclopaedia or similar reference work."
    PARTY_WEBSITE = "party_website", "A website run by one side of a dispute."


class DatePrecision(Vocabulary):
    """How precisely a date is known (the coarsest end of a range)."""

    DAY = "day", "Known to the day."
    MONTH = "month", "Known to the month."
    YEAR = "year", "Known to the year."
    DECADE = "decade", "Known to the decade."
    CENTURY = "century", "Known to the century."


class DateCertainty(Vocabulary):
    """The EDTF qualification of a date."""

    EXACT = "exact", "Not qualified."
    UNCERTAIN = "uncertain", "Uncertain: the sources are in doubt (EDTF '?')."
    APPROXIMATE = "approximate", "Approximate: about this date (EDTF '~')."
    UNCERTAIN_AND_APPROXIMATE = (
        "uncertain_and_approximate",
        "Both uncertain and approximate (EDTF '%', or '?' and '~' on different ends).",
    )


class DateEndStatus(Vocabulary):
    """Whether the end of a date is known."""

    CLOSED = "closed", "The end is known; date_end holds it."
    OPEN = "open", "Still going on (EDTF '..' end); date_end is empty."
    UNKNOWN = "unknown", "The end is not known (EDTF empty end); date_end is empty."


#: Every vocabulary, by the name of its lookup table in the database.
VOCABULARIES: dict[str, type[Vocabulary]] = {
    "event_types": EventType,
    "themes": Theme,
    "actor_types": ActorType,
    "roles": Role,
    "relations": Relation,
    "verifications": Verification,
    "claim_types": ClaimType,
    "evidence_relations": EvidenceRelation,
    "evidence_timings": EvidenceTiming,
    "source_types": SourceType,
    "source_reliabilities": SourceReliability,
    "date_precisions": DatePrecision,
    "date_certainties": DateCertainty,
    "date_end_statuses": DateEndStatus,
}
