"""Generated files (README data dictionary, ...) match what the models and data give today."""

from __future__ import annotations

from pathlib import Path

import pytest

from kz_timeline.metadata.generated import GENERATED_FILES, generate
from kz_timeline.schema.tables import TABLES
from kz_timeline.schema.vocabularies import VOCABULARIES

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("generated", GENERATED_FILES, ids=lambda g: g.path)
def test_generated_file_is_up_to_date(generated) -> None:  # type: ignore[no-untyped-def]
    path = ROOT / generated.path
    current = path.read_text(encoding="utf-8") if path.exists() else None
    assert generated.wanted(ROOT, current) == current, f"{generated.path} is stale: run `kz-timeline generate`"


def test_generate_check_reports_a_stale_readme(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (tmp_path / "README.md").write_text(readme.replace("Stable identifier of the event", "Old words"), encoding="utf-8")
    stale = [path.name for path in generate(tmp_path, check=True)]
    assert "README.md" in stale


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_readme_documents_every_column_of_every_table(table) -> None:  # type: ignore[no-untyped-def]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for column in table.columns:
        assert f"| `{column.name}` |" in readme
        assert column.description.replace("|", "\\|") in readme


def test_readme_documents_every_vocabulary_term() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for vocabulary in VOCABULARIES.values():
        for value, description in vocabulary.terms().items():
            assert f"| `{value}` | {description} |" in readme
