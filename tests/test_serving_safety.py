"""Serving safety: immutable, read-only (every write method 405), no PRAGMA or ATTACH, a 3 s SQL time limit,
no traceback on errors, and 127.0.0.1 unless told otherwise."""

from __future__ import annotations

import asyncio
import hashlib
import json
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import quote

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
    datasette.kz_timeline_data_dir = str(broken)
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


PUBLIC_PAGES = [
    "/",
    "/.json",
    "/-/metadata.json",
    "/-/metadata",
    "/-/databases.json",
    "/-/databases",
    "/-/plugins.json",
    "/-/settings.json",
    "/-/versions.json",
    "/-/actor.json",
    "/-/threads.json",
    "/-/threads",
    f"/{DATABASE_NAME}",
    f"/{DATABASE_NAME}.json",
    f"/{DATABASE_NAME}/events.json?_shape=array",
    f"/{DATABASE_NAME}/_build_info.json",
    "/timeline",
    "/no-such-page",
    f"/{DATABASE_NAME}.json?sql=" + quote("select * from pragma_database_list()"),
    f"/{DATABASE_NAME}?sql=" + quote("select file from pragma_database_list"),
]


def server_paths(database: Path) -> list[str]:
    """Return the absolute paths of this server that no public page may show."""
    import site
    import sysconfig

    paths = {database, database.parent, MINIMAL, MINIMAL.resolve(), Path.cwd(), Path.home(), Path(sys.prefix)}
    paths |= {Path(sysconfig.get_paths()["stdlib"]), *map(Path, site.getsitepackages())}
    return sorted(str(path) for path in paths if len(str(path)) > 1)


def test_no_public_page_shows_a_path_of_the_server(datasette: Any, database: Path) -> None:
    shown: dict[str, list[str]] = {}
    for page in PUBLIC_PAGES:
        response = request(datasette, "GET", page)
        assert response.status_code in (200, 404), (page, response.status_code)
        found = [path for path in server_paths(database) if path in response.text]
        if found:
            shown[page] = found
    assert shown == {}
    assert request(datasette, "GET", "/-/threads.json").status_code == 404  # a debugging page: tasks and their files
    databases = request(datasette, "GET", "/-/databases.json").json()
    assert [db["name"] for db in databases] == [DATABASE_NAME] and "path" not in databases[0]


def test_concurrent_first_requests_for_a_chart_compute_it_once(
    database: Path, minimal_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    from kz_timeline.charts import builders
    from kz_timeline.charts.layout import WIDTH

    computed: list[str] = []
    real = builders.make_chart

    def counted(dataset: Any, kind: str, **kwargs: Any) -> Any:
        computed.append(kind if kwargs.get("width", WIDTH) == WIDTH else f"{kind} (narrow)")
        time.sleep(0.2)  # a chart takes a while: the other requests arrive meanwhile
        return real(dataset, kind, **kwargs)

    monkeypatch.setattr(builders, "make_chart", counted)
    fresh = make_datasette(database, data_dir=minimal_dir)  # a data directory no other test has drawn

    async def ten() -> list[Any]:
        return await asyncio.gather(*(fresh.client.get("/-/kz-timeline/charts/actors.json") for _ in range(10)))

    responses = asyncio.run(ten())
    assert [response.status_code for response in responses] == [200] * 10
    assert len({response.text for response in responses}) == 1
    assert computed.count("actors") == 1, computed  # the startup warm-up may draw the others, and the narrow ones
