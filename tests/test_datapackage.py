"""datapackage.json describes every table from the models, and the real Frictionless validator accepts exactly valid data."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from frictionless import validate

from kz_timeline.metadata.datapackage import datapackage_json, package_descriptor
from kz_timeline.metadata.generated import GENERATED_FILES, generate
from kz_timeline.schema.tables import TABLES
from kz_timeline.schema.vocabularies import EventType
from tests.helpers import replace_in

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    """Return a copy of the repository's datapackage.json beside a writable copy of the shipped data."""
    shutil.copy(ROOT / "datapackage.json", tmp_path / "datapackage.json")
    shutil.copytree(ROOT / "data", tmp_path / "data")
    return tmp_path


def _copy_generated_files(root: Path) -> None:
    """Copy every generated file of the repository (all up to date) under `root`."""
    for generated in GENERATED_FILES:
        if (ROOT / generated.path).is_file():
            (root / generated.path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / generated.path, root / generated.path)


def _errors(descriptor: Path) -> list[tuple[str, str]]:
    report = validate(str(descriptor))
    return [(task.name, error.type) for task in report.tasks for error in task.errors] + [
        ("package", error.type) for error in report.errors
    ]


def test_frictionless_validates_the_shipped_package() -> None:
    report = validate(str(ROOT / "datapackage.json"))
    assert report.valid, report.flatten(["type", "message"])
    assert sorted(task.name for task in report.tasks) == sorted(table.name for table in TABLES)
    assert all(task.stats["rows"] > 0 for task in report.tasks)


def test_frictionless_cli_exits_zero_on_the_shipped_package() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "frictionless", "validate", "--json", "datapackage.json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert json.loads(result.stdout)["valid"] is True


def test_a_foreign_key_to_a_missing_actor_is_invalid(package_copy: Path) -> None:
    replace_in(
        package_copy / "data" / "participants.csv",
        "ablyazov_arrested_france_2013,ablyazov,",
        "ablyazov_arrested_france_2013,no_such_actor,",
    )
    assert _errors(package_copy / "datapackage.json") == [("participants", "foreign-key")]
    result = subprocess.run(
        [sys.executable, "-m", "frictionless", "validate", "--json", "datapackage.json"],
        cwd=package_copy,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert json.loads(result.stdout)["valid"] is False


def test_a_value_outside_its_vocabulary_is_invalid(package_copy: Path) -> None:
    replace_in(package_copy / "data" / "events.csv", ",arrest,ablyazov_cases,", ",detention,ablyazov_cases,")
    assert _errors(package_copy / "datapackage.json") == [("events", "constraint-error")]


def test_an_identifier_that_is_not_a_slug_is_invalid(package_copy: Path) -> None:
    replace_in(package_copy / "data" / "sources.csv", "\nagentsmedia_9434341,", "\nAgents media 9434341,")
    assert ("sources", "constraint-error") in _errors(package_copy / "datapackage.json")


def test_a_duplicate_primary_key_is_invalid(package_copy: Path) -> None:
    events = package_copy / "data" / "events.csv"
    lines = events.read_text(encoding="utf-8").splitlines(keepends=True)
    events.write_text("".join([*lines, lines[1]]), encoding="utf-8", newline="")
    assert ("events", "primary-key") in _errors(package_copy / "datapackage.json")


def test_a_missing_required_value_is_invalid(package_copy: Path) -> None:
    replace_in(package_copy / "data" / "events.csv", ",2022-06-17,2022-06-17,2022-06-17,day,", ",2022-06-17,,2022-06-17,day,")
    assert ("events", "constraint-error") in _errors(package_copy / "datapackage.json")


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_every_column_is_described_with_its_constraints(table) -> None:  # type: ignore[no-untyped-def]
    resource = next(r for r in package_descriptor()["resources"] if r["name"] == table.name)
    fields = {field["name"]: field for field in resource["schema"]["fields"]}
    assert list(fields) == list(table.column_names)
    assert resource["schema"]["primaryKey"] == list(table.primary_key)
    assert resource["description"] == table.description
    keys = {
        (fk["fields"][0], fk["reference"]["resource"], fk["reference"]["fields"][0])
        for fk in resource["schema"].get("foreignKeys", [])
    }
    assert keys == {(fk.column, fk.other_table, fk.other_column) for fk in table.foreign_keys}
    for column in table.columns:
        field = fields[column.name]
        assert field["description"] == column.description
        assert field.get("constraints", {}).get("required", False) == column.required
        if column.vocabulary is not None:
            assert field["constraints"]["enum"] == list(column.vocabulary.terms())


def test_event_type_lists_its_vocabulary_with_descriptions() -> None:
    events = package_descriptor()["resources"][0]
    event_type = next(field for field in events["schema"]["fields"] if field["name"] == "event_type")
    assert event_type["categories"][0] == {"value": "unrest", "label": EventType.UNREST.description}
    slug = next(field for field in events["schema"]["fields"] if field["name"] == "event_id")
    assert slug["constraints"]["pattern"] == "[a-z0-9]+([_-][a-z0-9]+)*"


def test_package_carries_version_licence_and_the_op_ed_as_first_source() -> None:
    from kz_timeline import __version__

    descriptor = package_descriptor()
    assert descriptor["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    assert descriptor["version"] == __version__
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    assert descriptor["sources"][0]["path"].startswith("https://www.burgasgazette.com/2023/05/17/")
    assert "Luc Rodehefer" in descriptor["sources"][0]["title"]


def test_descriptor_reads_the_sources_of_the_data_it_is_given(minimal_dir: Path) -> None:
    minimal = json.loads(datapackage_json(minimal_dir))
    shipped = json.loads(datapackage_json())
    assert minimal["sources"] != shipped["sources"]
    assert minimal["resources"] == shipped["resources"]


def test_generate_check_reports_a_drifted_datapackage(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    _copy_generated_files(tmp_path)
    stale = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    stale["resources"][0]["schema"]["fields"][1]["description"] = "An old description."
    (tmp_path / "datapackage.json").write_text(json.dumps(stale, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert generate(tmp_path, check=True) == [tmp_path / "datapackage.json"]
    generate(tmp_path)
    assert (tmp_path / "datapackage.json").read_text(encoding="utf-8") == (ROOT / "datapackage.json").read_text(encoding="utf-8")


def test_generate_check_cli_exits_1_naming_the_drifted_file(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    _copy_generated_files(tmp_path)
    replace_in(tmp_path / "datapackage.json", '"version": ', '"version": "0.0.0", "old": ')
    result = subprocess.run(
        [sys.executable, "-m", "kz_timeline", "generate", "--check", "--root", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stderr) == (1, f"{tmp_path / 'datapackage.json'}: is stale\n")
