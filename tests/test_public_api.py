"""The public API: every name `kz_timeline` exports, and every module and name the README, CHANGELOG and docs use, imports."""

from __future__ import annotations

import importlib
import re

import pytest

import kz_timeline
from tests.conftest import REPO_ROOT

#: What `import kz_timeline` offers: the names of `kz_timeline.__all__`, written out so that a rename shows here.
PUBLIC_NAMES = [
    "__version__",
    # the loaded dataset
    "Dataset",
    "Models",
    "ValidationSummary",
    "load",
    "load_events",
    "load_actors",
    "load_sources",
    "load_participants",
    "load_event_links",
    "load_claims",
    "load_evidence",
    "validate",
    "default_data_dir",
    "format_data",
    "TABLES",
    # problems
    "Problem",
    "KzTimelineError",
    "WriteTargetError",
    "DataValidationError",
    "DataDirectoryError",
    # charts
    "CHART_KINDS",
    "ChartError",
    "make_chart",
    "timeline_chart",
    "actors_chart",
    "claims_chart",
    "render_chart",
    "RenderError",
    # exports
    "graph",
    "export",
    "ExportError",
    # the label rubric
    "assess_claims",
    # the Datasette site
    "build_database",
    "make_datasette",
    "serve",
    # the static reader
    "write_reader",
]

#: Modules and names the README and the CHANGELOG use, beyond the top-level ones.
DOCUMENTED = [
    ("kz_timeline.charts.frames", "timeline_frame"),
    ("kz_timeline.charts.frames", "participation_frame"),
    ("kz_timeline.charts.frames", "claims_frame"),
    ("kz_timeline.charts.frames", "timeline_counts"),
    ("kz_timeline.charts.frames", "key_events"),
    ("kz_timeline.charts.frames", "participation_counts"),
    ("kz_timeline.charts.layout", "place_labels"),
    ("kz_timeline.charts.rendering", "render_chart"),
    ("kz_timeline.site.database", "build_database"),
    ("kz_timeline.site.server", "make_datasette"),
    ("kz_timeline.site.query_cache", "cache_queries"),
    ("kz_timeline.dataset.validated_cache", "cache_key"),
    ("kz_timeline.reading.csv_diagnosis", "diagnose_text"),
    ("kz_timeline.defaults", "CHART_KINDS"),
    ("kz_timeline.schema.rubric", "assess_claims"),
    ("kz_timeline.reading.method", "check_method"),
    ("kz_timeline.charts.layout", "dense_window"),
    ("kz_timeline.charts.palette", "OKABE_ITO"),
    ("kz_timeline.charts.rendering", "chart_script"),
    ("kz_timeline.schema.vocabularies", "EVENT_FAMILIES"),
    ("kz_timeline.schema.vocabularies", "ROLE_FAMILIES"),
    ("kz_timeline.site.reader", "write_reader"),
]

#: A dotted name inside backquotes or after `from`/`import` in the docs: kz_timeline.something.else.
_DOTTED = re.compile(r"\bkz_timeline(?:\.[A-Za-z_][A-Za-z0-9_]*)+")
_FROM_IMPORT = re.compile(r"from (kz_timeline(?:\.[a-z_]+)*) import ([A-Za-z_][A-Za-z0-9_, ]*)")


def test_all_lists_exactly_the_public_names() -> None:
    assert sorted(kz_timeline.__all__) == sorted(PUBLIC_NAMES)
    assert sorted(kz_timeline.__all__) == sorted(["__version__", *kz_timeline._EXPORTS])  # each loads from its module


@pytest.mark.parametrize("name", PUBLIC_NAMES)
def test_each_public_name_imports_from_the_package(name: str) -> None:
    namespace: dict[str, object] = {}
    exec(f"from kz_timeline import {name}", namespace)  # the statement a user writes
    assert namespace[name] is not None


@pytest.mark.parametrize(("module", "name"), DOCUMENTED, ids=lambda value: str(value))
def test_each_documented_name_imports_from_its_module(module: str, name: str) -> None:
    assert getattr(importlib.import_module(module), name) is not None


def _resolves(dotted: str) -> bool:
    """Say whether `dotted` is a module, or an attribute (or attribute of an attribute) of one."""
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        try:
            value: object = importlib.import_module(".".join(parts[:split]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[split:]:
            if not hasattr(value, attribute):
                return False
            value = getattr(value, attribute)
        return True
    return False


DOCUMENTS = [
    "README.md",
    "CHANGELOG.md",
    "BENCHMARKS.md",
    *sorted(f"docs/{path.name}" for path in (REPO_ROOT / "docs").glob("*.md")),
]


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_module_and_name_the_docs_mention_exists(document: str) -> None:
    text = (REPO_ROOT / document).read_text(encoding="utf-8")
    mentioned = set(_DOTTED.findall(text))
    mentioned |= {f"{module}.{name.strip()}" for module, names in _FROM_IMPORT.findall(text) for name in names.split(",")}
    missing = sorted(name for name in mentioned if not _resolves(name))
    assert missing == [], f"{document} names what does not exist: {missing}"
