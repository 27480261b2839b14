"""The op-ed the dataset describes: which sources are its copies, which copy the quotes refer to, and its claims."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from kz_timeline.errors import KzTimelineError
from kz_timeline.schema.vocabularies import SourceType

if TYPE_CHECKING:
    import pandas as pd

    from kz_timeline.dataset.loader import Models
    from kz_timeline.schema.models import Claim, Source


class MissingOpEdError(KzTimelineError):
    """sources.csv has no op-ed whose exact text the quotes refer to."""


def op_ed_source_ids(sources: pd.DataFrame) -> set[str]:
    """Return the source_id of every copy of the op-ed, from the (typed) sources table."""
    return set(sources.loc[sources["source_type"].astype(object) == SourceType.OP_ED.value, "source_id"].astype(str))


def op_ed_sources(sources: list[Source]) -> list[Source]:
    """Return the op-ed's copies: first the one whose text the quote offsets refer to, then the rest by id."""
    copies = [source for source in sources if source.source_type == SourceType.OP_ED]
    copies.sort(key=lambda source: (source.text_sha256 is None, source.source_id))
    if not copies or copies[0].text_sha256 is None:
        raise MissingOpEdError("sources.csv has no op_ed source with a text_sha256: the package cannot say what it describes")
    return copies


def op_ed(sources: list[Source]) -> Source:
    """Return the op-ed's copy whose text the quote offsets refer to."""
    return op_ed_sources(sources)[0]


def op_ed_claims_by_event(tables: Models) -> dict[str, list[Claim]]:
    """Return the op-ed's claims about each event, by event_id, in the order of their quotes in the op-ed."""
    copies = {source.source_id for source in tables.sources if source.source_type == SourceType.OP_ED}
    claims: dict[str, list[Claim]] = defaultdict(list)
    for claim in sorted(tables.claims, key=lambda claim: (claim.quote_start, claim.claim_id)):
        if claim.event_id and claim.source_id in copies:
            claims[claim.event_id].append(claim)
    return claims
