"""Serve the database read-only with Datasette: metadata, templates, plugins and the charts page from the package."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kz_timeline.defaults import DATABASE_NAME, DEFAULT_DB_PATH, DEFAULT_HOST, DEFAULT_PORT
from kz_timeline.errors import KzTimelineError
from kz_timeline.site.database import BuildResult, ensure_database

PLUGIN_NAME = "kz-timeline"
#: The Datasette settings `serve` uses: a bound on every query, no facet suggestions (slow on big tables), caching.
#: Facets get a second (Datasette's default is 200 ms): on a million events a facet takes a few hundred ms once,
#: then the query cache answers; a facet that timed out would be recomputed, and fail again, on every visit.
SETTINGS: dict[str, Any] = {
    "sql_time_limit_ms": 3000,
    "suggest_facets": False,
    "default_cache_ttl": 3600,
    "facet_time_limit_ms": 1000,
}
#: Templates, plugins and static files, shipped inside the package so that the wheel carries them.
SITE_DIR = Path(__file__).parent
TEMPLATES_DIR = SITE_DIR / "templates"
PLUGINS_DIR = SITE_DIR / "plugins"
STATIC_DIR = SITE_DIR / "static"
STATIC_MOUNT = "kz-timeline-static"


class ServeError(KzTimelineError):
    """The server cannot start (address in use, unknown host, ...)."""


#: The attribute of the Datasette instance that tells the charts plugin where the data is: not the metadata, which
#: /-/metadata.json shows to everyone.
DATA_DIR_ATTRIBUTE = "kz_timeline_data_dir"


def served_metadata() -> dict[str, Any]:
    """Return the metadata `serve` gives Datasette: metadata.yml's content plus the charts page's title (no path)."""
    from kz_timeline.site.datasette_metadata import CHARTS_TITLE, site_metadata

    metadata = site_metadata()
    metadata["plugins"] = {PLUGIN_NAME: {"title": CHARTS_TITLE}}
    return metadata


def inspect_data(db_path: str | Path) -> dict[str, Any]:
    """Return what `datasette inspect` would record of the database: row counts of every table, size, a hash.

    Given to Datasette, it spares counting big tables on every unfiltered table page and hashing the whole file at
    start-up; the build fingerprint serves as the hash (it changes exactly when the database does).
    """
    import sqlite3

    from kz_timeline.site.database import stored_fingerprint

    path = Path(db_path)
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        counts = {name: connection.execute(f"SELECT count(*) FROM [{name}]").fetchone()[0] for name in names}
    finally:
        connection.close()
    return {
        DATABASE_NAME: {
            "hash": stored_fingerprint(path),
            "size": path.stat().st_size,
            "file": path.name,
            "tables": {name: {"count": count} for name, count in counts.items()},
        }
    }


def make_datasette(db_path: str | Path = DEFAULT_DB_PATH, *, data_dir: str | Path | None = None) -> Any:
    """Return a Datasette serving `db_path` immutably as `kz-timeline`, with the package's metadata, templates and plugins.

    `data_dir` is the data the database was built from; the charts page draws it.
    """
    from datasette.app import Datasette

    path = Path(db_path)
    if not path.is_file():
        raise ServeError(f"{path}: database not found; run `kz-timeline build` first")
    from kz_timeline.dataset.loader import resolve_data_dir

    metadata = served_metadata()
    datasette = Datasette(
        immutables=[str(path)],
        metadata=metadata,
        template_dir=str(TEMPLATES_DIR),
        plugins_dir=str(PLUGINS_DIR),
        static_mounts=[(STATIC_MOUNT, str(STATIC_DIR))],
        settings=SETTINGS,
        inspect_data=inspect_data(path),
    )
    setattr(datasette, DATA_DIR_ATTRIBUTE, str(resolve_data_dir(data_dir).resolve()))
    # Datasette names a database after its file; metadata, templates and links use the one name.
    (database,) = [db for db in datasette.databases.values() if db.path is not None]
    if database.name != DATABASE_NAME:
        datasette.remove_database(database.name)
        datasette.add_database(database, name=DATABASE_NAME)
    from kz_timeline.site.query_cache import cache_queries
    from kz_timeline.site.search_sql import plan_searches
    from kz_timeline.site.table_facets import answer_table_facets

    tables = metadata["databases"][DATABASE_NAME]["tables"]
    facets = {name: [f for f in table.get("facets", []) if isinstance(f, str)] for name, table in tables.items()}
    plan_searches(database, facets)  # immutable: searches of common words walk indexes instead of sorting every match
    answer_table_facets(database)  # immutable: the facets of a whole table are the counts its build wrote
    cache_queries(database)  # immutable: facet counts and search counts are computed once, not on every visit
    return datasette


def _bind(host: str, port: int) -> socket.socket:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise ServeError(f"cannot serve on host {host!r}: {error.strerror}") from error
    family, kind, protocol, _, address = infos[0]
    sock = socket.socket(family, kind, protocol)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as error:
        sock.close()
        hint = "; choose another with --port" if error.errno in (98, 48) else ""
        raise ServeError(f"cannot serve on {host}:{port}: {error.strerror}{hint}") from error
    return sock


def _echo(text: str) -> None:
    print(text, flush=True)


def serve(
    data_dir: str | Path | None = None,
    db_path: str | Path = DEFAULT_DB_PATH,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    echo: Callable[[str], None] = _echo,
) -> None:
    """Build the database if the data changed since the last build, then serve it until interrupted."""
    import uvicorn

    from kz_timeline.dataset.loader import resolve_data_dir

    directory = resolve_data_dir(data_dir)
    built: BuildResult | None = ensure_database(directory, db_path)
    echo(str(built) if built else f"{db_path} is up to date with {directory}")
    datasette = make_datasette(db_path, data_dir=directory)
    asyncio.run(datasette.invoke_startup())
    sock = _bind(host, port)
    bound_port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    echo(f"Serving {DATABASE_NAME} at http://{shown}:{bound_port}/ (charts at /timeline); press Ctrl-C to stop")
    config = uvicorn.Config(datasette.app(), log_level="warning", lifespan="on")
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
