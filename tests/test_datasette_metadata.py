"""metadata.yml: generated from the models, complete for every table, view and column, and never stale."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import yaml

from kz_timeline.defaults import DATABASE_NAME
from kz_timeline.metadata.generated import GENERATED_FILES, generate
from kz_timeline.site.browsing import BROWSING
from kz_timeline.site.database import build_database
from kz_timeline.site.datasette_metadata import site_metadata
from tests.conftest import DATA_DIR, REPO_ROOT


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("meta") / "kz-timeline.db"
    build_database(DATA_DIR, path)
    return path


def database_entry() -> dict[str, Any]:
    entry: dict[str, Any] = site_metadata()["databases"][DATABASE_NAME]
    return entry


def test_metadata_yml_is_what_the_models_give() -> None:
    on_disk = yaml.safe_load((REPO_ROOT / "metadata.yml").read_text(encoding="utf-8"))
    assert on_disk == site_metadata()


def test_a_drifted_metadata_yml_is_reported_stale_and_regenerated(tmp_path: Path) -> None:
    text = (REPO_ROOT / "metadata.yml").read_text(encoding="utf-8")
    drifted = text.replace("Short neutral title of the event.", "A title.")
    assert drifted != text
    for generated in GENERATED_FILES:  # every other generated file as it is in the repository
        (tmp_path / generated.path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / generated.path).write_bytes((REPO_ROOT / generated.path).read_bytes())
    shutil.copytree(REPO_ROOT / "data", tmp_path / "data")
    (tmp_path / "metadata.yml").write_text(drifted, encoding="utf-8")
    assert [path.name for path in generate(tmp_path, check=True)] == ["metadata.yml"]
    generate(tmp_path)
    assert (tmp_path / "metadata.yml").read_text(encoding="utf-8") == text


def test_title_description_licence_source_and_about_are_set() -> None:
    meta = site_metadata()
    for key in ("title", "description", "license", "license_url", "source", "source_url", "about", "about_url"):
        assert meta[key], key
    assert "opinion" in meta["description"] and "public sources" in meta["description"]
    assert "headwinds" in meta["description"]
    assert meta["license_url"] == "https://creativecommons.org/licenses/by/4.0/"


def test_every_table_and_view_of_the_database_and_every_column_is_described(built: Path) -> None:
    tables = database_entry()["tables"]
    connection = sqlite3.connect(built)
    names = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
            "AND name NOT LIKE '%_fts%' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE 'events_span_%'"
        )
    ]
    assert sorted(names) == sorted(tables)
    for name in names:
        columns = [row[1] for row in connection.execute(f"PRAGMA table_info([{name}])")]
        assert list(tables[name]["columns"]) == columns, name
        assert all(tables[name]["columns"].values()), name
        assert tables[name]["description"], name
    connection.close()


def test_every_table_has_a_label_column_that_exists(built: Path) -> None:
    tables = database_entry()["tables"]
    connection = sqlite3.connect(built)
    for name, entry in tables.items():
        kind = connection.execute("SELECT type FROM sqlite_master WHERE name = ?", (name,)).fetchone()[0]
        if kind == "table" and not entry.get("hidden"):
            assert entry["label_column"] in entry["columns"], name
    connection.close()


def test_default_facets_are_few_and_cover_what_people_facet_on() -> None:
    tables = database_entry()["tables"]
    assert len(tables["events"]["facets"]) <= 2
    assert all(len(browsing.facets) <= 2 for browsing in BROWSING.values())
    faceted = {column for entry in tables.values() for column in entry.get("facets", [])}
    assert {"event_type", "year", "date_precision", "verification", "actor_type", "role"} <= faceted
    for entry in tables.values():
        for column in entry.get("facets", []):
            assert column in entry["columns"]
        if "sort" in entry:
            assert entry["sort"] in entry["columns"]


def test_canned_queries_declare_their_parameters() -> None:
    queries = database_entry()["queries"]
    assert set(queries) >= {"actor_events", "oped_claims_contested", "events_between", "links_to_event"}
    for name, query in queries.items():
        assert query["title"] and query["description"], name
        for param in query.get("params", []):
            assert f":{param}" in query["sql"], (name, param)
