"""What describes the package as a whole (name, title, description, licences), shared by its metadata files."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from kz_timeline.schema.models import Source

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


def read_sources(data_dir: str | Path | None = None) -> list[Source]:
    """Return the validated sources of the dataset in `data_dir` (the shipped data by default)."""
    from kz_timeline.dataset.loader import load

    return list(load(data_dir).models.sources)
