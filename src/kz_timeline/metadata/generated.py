"""Files generated from the models and the data, and the one way to (re)write or check them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from kz_timeline.files import check_target, write_atomically

README_START = "<!-- data-dictionary:start -->"
README_END = "<!-- data-dictionary:end -->"


@dataclass(frozen=True)
class GeneratedFile:
    """A file of the repository whose content is computed; `render` gets the file's current text (or None)."""

    path: str
    render: Callable[[str | None], str]
    #: When set, used by `generate` instead of `render`: it also gets the repository root, for files computed from
    #: the data under it (`root/data`) rather than the default data directory.
    render_at: Callable[[Path, str | None], str] | None = None

    def wanted(self, root: Path, current: str | None) -> str:
        """Return the content the file should have in the repository at `root`."""
        if self.render_at is not None:
            return self.render_at(root, current)
        return self.render(current)


def _readme(current: str | None) -> str:
    from kz_timeline.metadata.data_dictionary import data_dictionary

    if current is None or README_START not in current or README_END not in current:
        raise ValueError(f"README.md needs the markers {README_START} and {README_END}")
    head, rest = current.split(README_START, 1)
    _, tail = rest.split(README_END, 1)
    return f"{head}{README_START}\n{data_dictionary()}{README_END}{tail}"


def _metadata(current: str | None) -> str:
    from kz_timeline.site.datasette_metadata import render_metadata

    return render_metadata(current)


TIMELINE_IMAGE_STAMP = "<!-- kz-timeline: rendered by `kz-timeline generate` from the Vega-Lite spec with SHA-256 {} -->"


def _timeline_svg_at(root: Path | None, current: str | None) -> str:
    """Render the README's timeline image of the data under `root` (or the shipped data), unless it is current.

    `current` is kept when it was rendered from the same spec: the spec's hash decides staleness, so machines with
    other fonts agree.
    """
    from kz_timeline.charts.builders import make_chart
    from kz_timeline.charts.rendering import chart_spec, spec_fingerprint, spec_svg
    from kz_timeline.dataset.loader import load

    spec = chart_spec(make_chart(load(_data_under(root)), "timeline"))
    stamp = TIMELINE_IMAGE_STAMP.format(spec_fingerprint(spec))
    if current is not None and current.startswith(stamp + "\n"):
        return current
    return f"{stamp}\n{spec_svg(spec)}"


def _data_under(root: Path | None) -> Path | None:
    """Return `root/data`, or None (the shipped data) when there is no root or it has no data directory."""
    if root is None or not (root / "data").is_dir():
        return None
    return root / "data"


def _datapackage_at(root: Path | None, current: str | None) -> str:
    from kz_timeline.metadata.datapackage import datapackage_json

    return datapackage_json(_data_under(root))


def _citation_at(root: Path | None, current: str | None) -> str:
    from kz_timeline.metadata.citation import citation_cff

    return citation_cff(_data_under(root))


#: Every generated file, relative to the repository root. Add new generated artefacts here.
GENERATED_FILES: list[GeneratedFile] = [
    GeneratedFile("README.md", _readme),
    GeneratedFile("metadata.yml", _metadata),
    GeneratedFile("docs/timeline.svg", partial(_timeline_svg_at, None), _timeline_svg_at),
    GeneratedFile("datapackage.json", partial(_datapackage_at, None), _datapackage_at),
    GeneratedFile("CITATION.cff", partial(_citation_at, None), _citation_at),
]


def generate(root: Path, *, check: bool = False) -> list[Path]:
    """Regenerate every generated file under `root`; return those that changed (with `check`, that would).

    Every file it would write must pass `check_target` first (WriteTargetError otherwise): then none is written.
    """
    if not check:
        for generated in GENERATED_FILES:
            check_target(root / generated.path)
    changed: list[Path] = []
    for generated in GENERATED_FILES:
        path = root / generated.path
        current = path.read_text(encoding="utf-8") if path.exists() else None
        wanted = generated.wanted(root, current)
        if wanted != current:
            changed.append(path)
            if not check:
                write_atomically(path, wanted)
    return changed
