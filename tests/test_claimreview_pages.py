"""Each claim's page on the Datasette site carries the export's ClaimReview as JSON-LD, read back by extruct."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import Any

import extruct
import jsonschema
import pytest

from kz_timeline.exports.formats import render_export
from kz_timeline.site.database import BUILD_INFO_TABLE, build_database
from kz_timeline.site.server import make_datasette
from tests.conftest import DATA_DIR, REPO_ROOT
from tests.helpers import replace_in

#: The address Datasette's in-process client serves from: the pages' own URLs start with it.
SITE = "http://localhost"
SCHEMA = json.loads((REPO_ROOT / "docs" / "schemas" / "claimreview.schema.json").read_text(encoding="utf-8"))


def built_on(db: Path) -> dt.date:
    connection = sqlite3.connect(db)
    try:
        (value,) = connection.execute(f"SELECT value FROM [{BUILD_INFO_TABLE}] WHERE key = 'built_on'").fetchone()
    finally:
        connection.close()
    return dt.date.fromisoformat(value)


def serve(data_dir: Path, db: Path) -> Any:
    build_database(data_dir, db)
    return make_datasette(db, data_dir=data_dir)


def page(datasette: Any, path: str) -> str:
    async def fetch() -> str:
        response = await datasette.client.get(path)
        assert response.status_code == 200, path
        return str(response.text)

    return asyncio.run(fetch())


def json_ld(html: str, url: str) -> list[dict[str, Any]]:
    """Return the JSON-LD documents of a page, as a structured-data extractor reads them."""
    found: list[dict[str, Any]] = extruct.extract(html, base_url=url, syntaxes=["json-ld"], uniform=False)["json-ld"]
    return found


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    db = tmp_path_factory.mktemp("claimreview") / "site.db"
    return serve(DATA_DIR, db), db


def exported(data_dir: Path, db: Path) -> dict[str, dict[str, Any]]:
    """Return the export made with the site's address and the day its database was built, by claim page URL."""
    documents = json.loads(render_export("claimreview", data_dir, base_url=SITE, date=built_on(db)))
    return {document["url"]: document for document in documents}


@pytest.mark.slow
def test_every_rated_claim_page_carries_the_exported_claimreview(site: tuple[Any, Path]) -> None:
    datasette, db = site
    expected = exported(DATA_DIR, db)
    with (DATA_DIR / "claims.csv").open(encoding="utf-8", newline="") as stream:
        rated = [row["claim_id"] for row in csv.DictReader(stream) if row["verification"] != "opinion"]
    assert len(expected) == len(rated) > 0
    for claim_id in rated:
        url = f"{SITE}/kz-timeline/claims/{claim_id}"
        assert json_ld(page(datasette, f"/kz-timeline/claims/{claim_id}"), url) == [expected[url]], claim_id


def test_the_pages_json_ld_validates_and_is_dated_by_the_build(site: tuple[Any, Path]) -> None:
    datasette, db = site
    url = f"{SITE}/kz-timeline/claims/oped_ablyazov_fled"
    documents = json_ld(page(datasette, "/kz-timeline/claims/oped_ablyazov_fled"), url)
    jsonschema.Draft202012Validator(SCHEMA).validate(documents)
    today = dt.datetime.now(dt.UTC).date()
    assert built_on(db) in {today, today - dt.timedelta(days=1)}  # built by the fixture, a moment ago
    assert documents[0]["datePublished"] == built_on(db).isoformat()
    assert documents[0]["url"] == url and documents[0]["author"]["url"] == f"{SITE}/"


def test_an_opinion_page_carries_no_claimreview(site: tuple[Any, Path]) -> None:
    datasette, _ = site
    with (DATA_DIR / "claims.csv").open(encoding="utf-8", newline="") as stream:
        opinion = next(row["claim_id"] for row in csv.DictReader(stream) if row["verification"] == "opinion")
    html = page(datasette, f"/kz-timeline/claims/{opinion}")
    assert "Opinion, not rated" in html
    assert json_ld(html, f"{SITE}/kz-timeline/claims/{opinion}") == []


def test_other_pages_carry_no_claimreview(site: tuple[Any, Path]) -> None:
    datasette, _ = site
    for path in ("/kz-timeline/events/spief_plenary_2022", "/kz-timeline/claims", "/"):
        assert json_ld(page(datasette, path), f"{SITE}{path}") == [], path


def test_hostile_text_stays_inside_the_json_ld(minimal_dir: Path, tmp_path: Path) -> None:
    hostile = "Checked: </script><script>document.title='pwned'</script> & <!-- done"
    replace_in(minimal_dir / "claims.csv", "The court record gives 7 September 2017.", f'"{hostile}"')
    datasette = serve(minimal_dir, tmp_path / "hostile.db")
    html = page(datasette, "/kz-timeline/claims/editor_sentenced_in_2017")
    assert "<script>document.title" not in html
    (document,) = json_ld(html, f"{SITE}/kz-timeline/claims/editor_sentenced_in_2017")
    assert document["reviewRating"]["ratingExplanation"] == hostile
    assert document == exported(minimal_dir, tmp_path / "hostile.db")[document["url"]]
