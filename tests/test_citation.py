"""CITATION.cff is valid Citation File Format 1.2.0, cites the dataset and references the op-ed from sources.csv."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from kz_timeline import __version__
from kz_timeline.metadata.citation import citation, citation_cff
from kz_timeline.metadata.generated import generate
from tests.helpers import replace_in

ROOT = Path(__file__).resolve().parents[1]
#: The CFF 1.2.0 JSON schema, copied from the cffconvert 2.0.0 wheel (schemas/1.2.0/schema.json).
SCHEMA = json.loads((Path(__file__).parent / "fixtures" / "cff" / "schema-1.2.0.json").read_text(encoding="utf-8"))


def _schema_errors(document: Any) -> list[str]:
    validator = jsonschema.Draft7Validator(SCHEMA, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    return [f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(document)]


def test_shipped_citation_cff_is_valid_cff_1_2_0() -> None:
    document = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert _schema_errors(document) == []
    assert document["cff-version"] == "1.2.0"
    assert document["type"] == "dataset"


def test_the_schema_rejects_a_broken_citation() -> None:
    document = citation()
    del document["authors"]
    document["references"][0]["type"] = "op-ed"
    document["references"][0]["date-published"] = "2023-05"
    failing = {error.split(":")[0] for error in _schema_errors(document)}
    assert failing == {"[]", "['references', 0, 'type']", "['references', 0, 'date-published']"}


def test_citation_references_the_op_ed_as_an_article() -> None:
    reference = citation()["references"][0]
    assert reference["type"] == "article"
    assert reference["title"] == "Kazakhstan’s progress faces many headwinds; the West should not be one of them"
    assert reference["authors"] == [{"given-names": "Luc", "family-names": "Rodehefer"}]
    assert reference["publisher"] == {"name": "Burgas Gazette (copy; original outlet unconfirmed)"}
    assert reference["date-published"] == "2023-05-17"


def test_a_month_precise_publication_gives_year_and_month_only(minimal_dir: Path) -> None:
    reference = citation(minimal_dir)["references"][0]
    assert reference["title"] == "A small article"
    assert (reference.get("date-published"), reference["year"], reference["month"]) == (None, 2023, 5)
    assert reference["authors"] == [{"given-names": "A.", "family-names": "Writer"}]
    assert _schema_errors(yaml.safe_load(citation_cff(minimal_dir))) == []


def test_generate_reads_the_sources_under_the_root_it_is_given(tmp_path: Path, minimal_dir: Path) -> None:
    shutil.copytree(minimal_dir, tmp_path / "repo" / "data")
    shutil.copy(ROOT / "README.md", tmp_path / "repo" / "README.md")
    shutil.copytree(ROOT / "docs", tmp_path / "repo" / "docs")
    (tmp_path / "repo" / "src" / "kz_timeline" / "site" / "templates" / "pages").mkdir(parents=True)
    replace_in(tmp_path / "repo" / "data" / "sources.csv", "A small article", "A renamed article")
    generate(tmp_path / "repo")
    cff = yaml.safe_load((tmp_path / "repo" / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["references"][0]["title"] == "A renamed article"
    package = json.loads((tmp_path / "repo" / "datapackage.json").read_text(encoding="utf-8"))
    assert "A renamed article" in package["sources"][0]["title"]


def test_version_is_the_same_everywhere() -> None:
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    package = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    versions = re.findall(r"^## \[([^\]]+)\]", changelog, flags=re.MULTILINE)
    assert str(cff["version"]) == package["version"] == __version__
    assert versions[:1] == [__version__], "CHANGELOG.md's newest heading must name __version__"


@pytest.mark.parametrize("path", ["pyproject.toml", "README.md"])
def test_no_other_file_writes_the_version(path: str) -> None:
    text = (ROOT / path).read_text(encoding="utf-8")
    assert not re.search(rf"version\s*=\s*[\"']{re.escape(__version__)}", text)
