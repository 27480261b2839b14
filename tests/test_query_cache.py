"""Datasette remembers query results on the immutable database: the second visit of a facet page runs no facet SQL."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from kz_timeline.defaults import DATABASE_NAME
from kz_timeline.site.database import build_database
from kz_timeline.site.query_cache import MAX_CACHED_BYTES, MAX_CACHED_ROWS, MAX_ENTRY_BYTES, QueryCache, cache_queries
from kz_timeline.site.server import make_datasette
from tests.conftest import DATA_DIR


@pytest.fixture(scope="module")
def datasette(tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = tmp_path_factory.mktemp("cache") / "kz.db"
    build_database(DATA_DIR, path)
    return make_datasette(path, data_dir=DATA_DIR)


def get(datasette: Any, path: str) -> tuple[int, str]:
    async def fetch() -> tuple[int, str]:
        response = await datasette.client.get(path)
        return response.status_code, response.text

    return asyncio.run(fetch())


def test_second_visit_is_answered_from_the_cache_with_the_same_page(datasette: Any) -> None:
    database = datasette.get_database(DATABASE_NAME)
    cache: QueryCache = database.query_cache
    path = f"/{DATABASE_NAME}/events.json?_facet=theme&_facet=event_type&_shape=objects"
    status, first = get(datasette, path)
    assert status == 200
    hits, misses = cache.hits, cache.misses
    status, second = get(datasette, path)
    assert status == 200
    assert cache.misses == misses, "no query of the second visit should reach SQLite"
    assert cache.hits > hits
    assert _without_timing(first) == _without_timing(second)


def _without_timing(text: str) -> str:

    data = json.loads(text)
    data.pop("query_ms", None)
    return json.dumps(data, sort_keys=True)


def test_a_different_filter_is_a_different_query(datasette: Any) -> None:
    _, all_rows = get(datasette, f"/{DATABASE_NAME}/events.json?_shape=array&_size=max")
    _, filtered = get(datasette, f"/{DATABASE_NAME}/events.json?_shape=array&_size=max&is_key_event=1")
    assert len(json.loads(filtered)) < len(json.loads(all_rows))


def test_cache_forgets_the_least_recently_used_and_skips_large_results() -> None:
    cache = QueryCache(max_entries=2)

    class Results:
        def __init__(self, count: int) -> None:
            self.rows = [()] * count

    first, second, third = Results(1), Results(1), Results(1)
    cache.put("a", first)
    cache.put("b", second)
    assert cache.get("a") is first  # "a" is now the most recent
    cache.put("c", third)
    assert cache.get("b") is None and cache.get("a") is first and cache.get("c") is third
    cache.put("big", Results(MAX_CACHED_ROWS + 1))
    assert cache.get("big") is None


def test_mutable_databases_are_left_alone(tmp_path: Path) -> None:
    from datasette.app import Datasette

    datasette = Datasette([str(tmp_path / "scratch.db")])
    (database,) = [db for db in datasette.databases.values() if db.path is not None]
    assert cache_queries(database) is None
    assert not hasattr(database, "query_cache")


class Blobs:
    """Results whose rows each hold one blob of `size` bytes, like `select zeroblob(size)`."""

    def __init__(self, rows: int, size: int) -> None:
        self.rows = [(bytes(size),)] * rows


def test_cache_is_bounded_in_bytes_and_keeps_no_result_above_the_entry_bound() -> None:
    cache = QueryCache(max_entries=512, max_bytes=10_000_000, max_entry_bytes=2_000_000)
    cache.put("too big", Blobs(100, 50_000))  # 5 MB: one entry may not hold that
    assert cache.get("too big") is None and cache.bytes == 0
    for n in range(20):  # 1.5 MB each: 30 MB offered, 10 MB kept, the newest
        cache.put(n, Blobs(30, 50_000))
    assert cache.bytes <= 10_000_000 and len(cache.entries) == 6
    assert cache.get(19) is not None and cache.get(0) is None
    cache.put(19, Blobs(1, 10))  # replacing an entry gives its bytes back
    assert cache.bytes == sum(size for _, size in cache.entries.values())


def test_large_zeroblob_results_are_not_kept_by_the_served_cache(datasette: Any) -> None:
    cache: QueryCache = datasette.get_database(DATABASE_NAME).query_cache
    assert (cache.max_bytes, cache.max_entry_bytes) == (MAX_CACHED_BYTES, MAX_ENTRY_BYTES)
    loop = "with recursive r(i) as (select 1 union all select i + 1 from r)"
    for n in range(20):
        sql = f"{loop} select zeroblob(16000), {n} from r limit 400"  # 6.4 MB each
        status, _ = get(datasette, f"/{DATABASE_NAME}.json?sql={quote(sql)}")
        assert status == 200
    assert cache.bytes <= MAX_ENTRY_BYTES
    assert all(size <= MAX_ENTRY_BYTES for _, size in cache.entries.values())
