"""What describes the package as a whole (name, title, licence, the op-ed it is about), shared by its metadata files."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from kz_timeline.models import Source
from kz_timeline.problems import KzTimelineError
from kz_timeline.vocabularies import SourceType

PACKAGE_NAME: Final = "kz-timeline"
PACKAGE_TITLE: Final = "kz-timeline: the events, actors and claims of one op-ed on Kazakhstan"
PACKAGE_DESCRIPTION: Final = (
    "The events, actors and claims of the op-ed 'Kazakhstan's progress faces many headwinds; the West should not be one"
    " of them', each claim quoted verbatim at exact character offsets and set beside the public record, with how it"
    " stands against that record."
)
DATA_LICENCE: Final = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0 International",
}
CODE_LICENCE: Final = "MIT"


class MissingOpEdError(KzTimelineError):
    """sources.csv has no op-ed whose exact text the quotes refer to."""


def read_sources(data_dir: str | Path | None = None) -> list[Source]:
    """Return the validated sources of the dataset in `data_dir` (the shipped data by default)."""
    from kz_timeline.dataset import load

    return list(load(data_dir).models.sources)


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
