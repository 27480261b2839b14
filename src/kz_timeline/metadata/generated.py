"""Files generated from the models and the data, and the one way to (re)write or check them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from html import escape
from pathlib import Path

from kz_timeline.errors import GeneratedFileError
from kz_timeline.files import check_target, write_atomically

PUBLISH_START = "<!-- publish-command:start -->"
PUBLISH_END = "<!-- publish-command:end -->"
LABELS_START = "<!-- label-counts:start -->"
LABELS_END = "<!-- label-counts:end -->"
SCALE_START = "<!-- scale:start -->"
SCALE_END = "<!-- scale:end -->"
BENCHMARKS = "BENCHMARKS.md"
METHODOLOGY = "docs/METHODOLOGY.md"


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


def replace_between(current: str | None, start: str, end: str, content: str) -> str:
    """Return `current` with what lies between the markers `start` and `end` replaced by `content`."""
    if current is None or start not in current or end not in current:
        raise GeneratedFileError(f"needs the markers {start} and {end}, where the generated block goes")
    head, rest = current.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{content}{end}{tail}"


DATA_DICTIONARY_INTRO = """\
# Data dictionary

Generated from the models in `src/kz_timeline/schema/models.py` by `kz-timeline generate`; a test fails when it drifts.
Every table is a CSV file in `data/` (UTF-8, comma-separated, a header row); `kz-timeline validate` checks every rule
below, and the [methodology](METHODOLOGY.md) says how the values are chosen.

"""


def _data_dictionary(current: str | None) -> str:
    from kz_timeline.metadata.data_dictionary import data_dictionary

    return DATA_DICTIONARY_INTRO + data_dictionary()


def _cli_reference(current: str | None) -> str:
    from kz_timeline.metadata.cli_reference import cli_reference

    return cli_reference()


def publish_block() -> str:
    """Return the docs' block on publishing: the command `publish-files` prints, and the plugins it writes."""
    from kz_timeline.site.publishing import command_text, plugin_files, publish_command

    plugins = []
    for path in plugin_files():
        doc = (path.read_text(encoding="utf-8").split('"""')[1:2] or [""])[0].strip().splitlines()
        plugins.append(f"- `{path.name}`: {doc[0] if doc else ''}")
    return (
        "```sh\n"
        "kz-timeline publish-files site/\n"
        f"{command_text(publish_command('site'))}\n"
        "# or on Fly: pip install datasette-publish-fly, then the same with `datasette publish fly` and --app\n"
        "```\n\n"
        "The plugins written into `site/plugins/` (`--plugins-dir` sends them all):\n\n" + "\n".join(plugins) + "\n"
    )


def _datasette_docs(current: str | None) -> str:
    return replace_between(current, PUBLISH_START, PUBLISH_END, publish_block())


def _readme_at(root: Path | None, current: str | None) -> str:
    """Return the README with its counts of claims per label (from the data under `root`) and its scale summary."""
    from kz_timeline.metadata.label_counts import label_section
    from kz_timeline.metadata.scale_summary import scale_section

    labelled = replace_between(current, LABELS_START, LABELS_END, label_section(_data_under(root)))
    return replace_between(labelled, SCALE_START, SCALE_END, scale_section(_checkout_file(root, BENCHMARKS).read_text("utf-8")))


def _checkout_file(root: Path | None, name: str) -> Path:
    """Return `root/name` when it exists, else the file of this checkout."""
    if root is not None and (root / name).is_file():
        return root / name
    return Path(__file__).resolve().parents[3] / name


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


METHODOLOGY_PAGE = """{{% extends "base.html" %}}

{{% block title %}}Methodology · kz-timeline{{% endblock %}}

{{% block extra_head %}}
{{{{- super() -}}}}
<link rel="stylesheet" href="{{{{ urls.path('/kz-timeline-static/kz-timeline.css') }}}}">
{{% endblock %}}

{{% block content %}}
<!-- Generated by `kz-timeline generate` from {source}; do not edit by hand. -->
<pre class="kz-methodology">{{% raw %}}{text}{{% endraw %}}</pre>
{{% endblock %}}
"""


def _methodology_page_at(root: Path | None, current: str | None) -> str:
    """Return Datasette's /methodology page: docs/METHODOLOGY.md as it reads, escaped, in the site's layout."""
    text = _checkout_file(root, METHODOLOGY).read_text(encoding="utf-8")
    if "{% endraw %}" in text:
        raise GeneratedFileError(f"its source {METHODOLOGY} holds '{{% endraw %}}', which the page cannot show")
    return METHODOLOGY_PAGE.format(source=METHODOLOGY, text=escape(text, quote=False))


#: Every generated file, relative to the repository root. Add new generated artefacts here.
GENERATED_FILES: list[GeneratedFile] = [
    GeneratedFile("docs/data-dictionary.md", _data_dictionary),
    GeneratedFile("docs/cli.md", _cli_reference),
    GeneratedFile("docs/datasette.md", _datasette_docs),
    GeneratedFile("README.md", partial(_readme_at, None), _readme_at),
    GeneratedFile(
        "src/kz_timeline/site/templates/pages/methodology.html", partial(_methodology_page_at, None), _methodology_page_at
    ),
    GeneratedFile("metadata.yml", _metadata),
    GeneratedFile("docs/timeline.svg", partial(_timeline_svg_at, None), _timeline_svg_at),
    GeneratedFile("datapackage.json", partial(_datapackage_at, None), _datapackage_at),
    GeneratedFile("CITATION.cff", partial(_citation_at, None), _citation_at),
]


def generate(root: Path, *, check: bool = False) -> list[Path]:
    """Regenerate every generated file under `root`; return those that changed (with `check`, that would).

    Every file is computed, and every file it would write passes `check_target`, before the first is written: a
    file lacking its markers (GeneratedFileError) or a target refused (WriteTargetError) leaves every file as it was.
    """
    if not check:
        for generated in GENERATED_FILES:
            check_target(root / generated.path)
    changes: dict[Path, str] = {}
    for generated in GENERATED_FILES:
        path = root / generated.path
        current = path.read_text(encoding="utf-8") if path.exists() else None
        try:
            wanted = generated.wanted(root, current)
        except GeneratedFileError as error:
            raise GeneratedFileError(f"{path}: {error}") from None
        if wanted != current:
            changes[path] = wanted
    if not check:
        for path, wanted in changes.items():
            write_atomically(path, wanted)
    return list(changes)
