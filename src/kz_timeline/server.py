"""Serve the database read-only with Datasette: metadata, templates, plugins and the charts page from the package."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kz_timeline.database import DATABASE_NAME, DEFAULT_DB_PATH, BuildResult, ensure_database
from kz_timeline.problems import KzTimelineError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8001
PLUGIN_NAME = "kz-timeline"
#: The Datasette settings `serve` uses: a bound on every query, no facet suggestions (slow on big tables), caching.
SETTINGS: dict[str, Any] = {"sql_time_limit_ms": 3000, "suggest_facets": False, "default_cache_ttl": 3600}
#: Templates, plugins and static files, shipped inside the package so that the wheel carries them.
SITE_DIR = Path(__file__).parent / "datasette"
TEMPLATES_DIR = SITE_DIR / "templates"
PLUGINS_DIR = SITE_DIR / "plugins"
STATIC_DIR = SITE_DIR / "static"
STATIC_MOUNT = "kz-timeline-static"


class ServeError(KzTimelineError):
    """The server cannot start (address in use, unknown host, ...)."""


def datasette_metadata(data_dir: str | Path | None = None) -> dict[str, Any]:
    """Return the metadata `serve` gives Datasette: metadata.yml's content plus the charts plugin's configuration."""
    from kz_timeline.dataset import resolve_data_dir
    from kz_timeline.site_metadata import site_metadata

    metadata = site_metadata()
    metadata["plugins"] = {PLUGIN_NAME: {"data_dir": str(resolve_data_dir(data_dir).resolve())}}
    return metadata


def make_datasette(db_path: str | Path = DEFAULT_DB_PATH, *, data_dir: str | Path | None = None) -> Any:
    """Return a Datasette serving `db_path` immutably as `kz-timeline`, with the package's metadata, templates and plugins.

    `data_dir` is the data the database was built from; the charts page draws it.
    """
    from datasette.app import Datasette

    path = Path(db_path)
    if not path.is_file():
        raise ServeError(f"{path}: database not found; run `kz-timeline build` first")
    datasette = Datasette(
        immutables=[str(path)],
        metadata=datasette_metadata(data_dir),
        template_dir=str(TEMPLATES_DIR),
        plugins_dir=str(PLUGINS_DIR),
        static_mounts=[(STATIC_MOUNT, str(STATIC_DIR))],
        settings=SETTINGS,
    )
    # Datasette names a database after its file; metadata, templates and links use the one name.
    (database,) = [db for db in datasette.databases.values() if db.path is not None]
    if database.name != DATABASE_NAME:
        datasette.remove_database(database.name)
        datasette.add_database(database, name=DATABASE_NAME)
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

    built: BuildResult | None = ensure_database(data_dir, db_path)
    echo(str(built) if built else f"{db_path} is up to date")
    datasette = make_datasette(db_path, data_dir=data_dir)
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
