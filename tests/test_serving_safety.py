"""Serving safety: immutable, read-only (every write method 405), no PRAGMA or ATTACH, a 3 s SQL time limit,
no traceback on errors, and 127.0.0.1 unless told otherwise."""

from __future__ import annotations

import asyncio
import hashlib
import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from kz_timeline.cli import build_parser
from kz_timeline.defaults import DATABASE_NAME
from kz_timeline.site.database import build_database
from kz_timeline.site.server import SETTINGS, make_datasette
from tests.conftest import FIXTURES
from tests.serving import served

MINIMAL = FIXTURES / "minimal"
SLOW_QUERY = "with recursive counter(x) as (select 1 union all select x + 1 from counter) select count(*) from counter"


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("safety") / "kz-timeline.db"
    build_database(MINIMAL, path)
    return path


@pytest.fixture(scope="module")
def datasette(database: Path) -> Any:
    return make_datasette(database, data_dir=MINIMAL)


def request(datasette: Any, method: str, path: str, **kwargs: Any) -> Any:
    async def send() -> Any:
        return await datasette.client.request(method, path, **kwargs)

    return asyncio.run(send())


def sql(datasette: Any, query: str) -> Any:
    from urllib.parse import urlencode

    return request(datasette, "GET", f"/{DATABASE_NAME}.json?{urlencode({'sql': query})}")


def test_the_database_is_served_immutable_and_left_unchanged(datasette: Any, database: Path) -> None:
    before = hashlib.sha256(database.read_bytes()).hexdigest()
    databases = request(datasette, "GET", "/-/databases.json").json()
    (served_db,) = [db for db in databases if db["name"] == DATABASE_NAME]
    assert served_db["is_mutable"] is False
    for path in ("/kz-timeline/events", "/kz-timeline/events?_search=court", "/kz-timeline/claims?_facet=verification"):
        assert request(datasette, "GET", path).status_code == 200
    assert hashlib.sha256(database.read_bytes()).hexdigest() == before


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize(
    "path",
    ["/", f"/{DATABASE_NAME}", f"/{DATABASE_NAME}/events", f"/{DATABASE_NAME}/events/-/insert", "/-/messages", "/timeline"],
)
def test_every_write_method_is_refused_with_405(datasette: Any, method: str, path: str) -> None:
    response = request(datasette, method, path, content=b'{"row": {"event_id": "x"}}')
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD, OPTIONS"
    assert response.json() == {"ok": False, "error": "this site is read-only", "status": 405}


@pytest.mark.parametrize(
    "query",
    [
        "PRAGMA writable_schema = 1",
        "pragma journal_mode = delete",
        "ATTACH DATABASE '/tmp/kz-timeline-attack.db' AS attack",
        "DETACH DATABASE main",
        "insert into events (event_id) values ('x')",
        "update events set title = 'x'",
        "delete from events",
        "drop table events",
        "create table attack (x)",
        "vacuum",
    ],
)
def test_pragma_attach_and_writing_sql_are_refused(datasette: Any, query: str) -> None:
    response = sql(datasette, query)
    assert response.status_code == 400
    assert response.json()["ok"] is False
    assert not Path("/tmp/kz-timeline-attack.db").exists()


@pytest.mark.slow
def test_a_slow_recursive_query_is_stopped_by_the_3_second_limit(datasette: Any) -> None:
    assert SETTINGS["sql_time_limit_ms"] == 3000
    assert datasette.setting("sql_time_limit_ms") == 3000
    response = sql(datasette, SLOW_QUERY)
    assert response.status_code == 400
    assert "SQL query took too long" in response.json()["error"]


def test_an_unexpected_error_is_a_plain_500_without_traceback(database: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()  # the charts page reads the data: a directory without it makes the plugin fail
    datasette = make_datasette(database, data_dir=MINIMAL)
    datasette._metadata_local["plugins"]["kz-timeline"]["data_dir"] = str(broken)
    for path in ("/-/kz-timeline/charts/timeline.json", "/-/kz-timeline/charts/actors.json"):
        response = request(datasette, "GET", path)
        assert response.status_code == 500, response.text[:300]
        assert "Traceback" not in response.text and 'File "' not in response.text
        assert str(broken) not in response.text
        assert "Internal error" in response.text


def test_serve_binds_127_0_0_1_by_default_and_refuses_writes_over_http(database: Path) -> None:
    assert build_parser().parse_args(["serve"]).host == "127.0.0.1"
    with served(MINIMAL, database) as running:
        assert running.url.startswith("http://127.0.0.1:")
        post = urllib.request.Request(running.url + f"{DATABASE_NAME}/events", data=b"x=1", method="POST")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(post, timeout=30)
        assert refused.value.code == 405
        assert json.loads(refused.value.read()) == {"ok": False, "error": "this site is read-only", "status": 405}
