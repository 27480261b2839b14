"""A database built from the benchmarks' generated data, and its Datasette pages as JSON: for the tests that compare
the site's cheaper SQL with Datasette's own."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

from kz_timeline.site.database import build_database
from tests.conftest import REPO_ROOT


def load_generator() -> Any:
    """Return `benchmarks/generate.py` as a module."""
    sys.path.insert(0, str(REPO_ROOT / "benchmarks"))
    try:
        import generate  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(REPO_ROOT / "benchmarks"))
    return generate


def generated_database(directory: Path, events: int, seed: int) -> Path:
    """Write `events` generated events (and their other tables) into `directory`, build their database; return it."""
    load_generator().write_dataset(directory, events, seed=seed)
    build_database(directory, directory / "kz.db")
    return directory / "kz.db"


def get(datasette: Any, path: str) -> tuple[int, str]:
    """Return the status and text of a page of `datasette` (its test client)."""

    async def fetch() -> tuple[int, str]:
        response = await datasette.client.get(path)
        return response.status_code, response.text

    return asyncio.run(fetch())


def pages(datasette: Any, path: str) -> list[tuple[int, dict[str, Any]]]:
    """Return every page of the JSON `path`, following `next`, without the timings."""
    found: list[tuple[int, dict[str, Any]]] = []
    url: str | None = path
    while url is not None:
        status, text = get(datasette, url)
        page = json.loads(text)
        page.pop("query_ms", None)
        found.append((status, page))
        url = f"{path}&_next={quote(str(page['next']))}" if status == 200 and page.get("next") else None
    return found
