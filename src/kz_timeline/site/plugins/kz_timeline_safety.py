"""Datasette plugin of kz-timeline: a read-only site that refuses every write and never shows a traceback."""

from __future__ import annotations

import html
import json
import sqlite3
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from datasette import hookimpl
from datasette.utils.asgi import Response

#: The only methods a read-only site answers; anything else (POST, PUT, PATCH, DELETE, ...) gets 405.
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ALLOW = ", ".join(sorted(READ_METHODS))

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


def refuse_writes(app: App) -> App:
    """Wrap an ASGI app so that every HTTP request other than GET, HEAD or OPTIONS is answered 405."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"].upper() not in READ_METHODS:
            body = json.dumps({"ok": False, "error": "this site is read-only", "status": 405}).encode("utf-8")
            await send(
                {
                    "type": "http.response.start",
                    "status": 405,
                    "headers": [
                        (b"content-type", b"application/json; charset=utf-8"),
                        (b"allow", ALLOW.encode("ascii")),
                        (b"content-length", str(len(body)).encode("ascii")),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        await app(scope, receive, send)

    return wrapped


#: Datasette's pages that would show where the server keeps its files: /-/threads (a debugging page, each task with
#: its source file) is not served; /-/databases is served without the database's path.
HIDDEN_PAGES = frozenset({"/-/threads", "/-/threads.json"})
DATABASES_PAGES = frozenset({"/-/databases", "/-/databases.json"})


def hide_server_paths(app: App, datasette: Any) -> App:
    """Wrap an ASGI app so that no page of Datasette's own names a file of the server."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if path in HIDDEN_PAGES:
            await _send(send, 404, path, {"ok": False, "error": "Not found", "status": 404})
        elif path in DATABASES_PAGES:
            databases = [{k: v for k, v in db.items() if k != "path"} for db in datasette._connected_databases()]
            await _send(send, 200, path, databases)
        else:
            await app(scope, receive, send)

    return wrapped


async def _send(send: Send, status: int, path: str, data: Any) -> None:
    text = json.dumps(data, indent=2)
    if path.endswith(".json"):
        body, kind = text.encode("utf-8"), b"application/json; charset=utf-8"
    else:
        body, kind = f"<!DOCTYPE html><title>{path}</title><pre>{html.escape(text)}</pre>".encode(), b"text/html; charset=utf-8"
    headers = [(b"content-type", kind), (b"content-length", str(len(body)).encode("ascii"))]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


@hookimpl  # type: ignore[untyped-decorator]  # pluggy ships no types
def asgi_wrapper(datasette: Any) -> Callable[[App], App]:
    """Refuse every write method on the whole site, and show no path of the server."""
    return lambda app: refuse_writes(hide_server_paths(app, datasette))


@hookimpl  # type: ignore[untyped-decorator]  # pluggy ships no types
def prepare_connection(conn: sqlite3.Connection) -> None:
    """Hide the database file's path from SQL: pragma_database_list's `file` column reads as NULL."""
    conn.set_authorizer(hide_database_file)


def hide_database_file(action: int, first: str | None, second: str | None, database: str | None, source: str | None) -> int:
    """Authorize everything, but read pragma_database_list.file as NULL."""
    if action == sqlite3.SQLITE_READ and first == "pragma_database_list" and second == "file":
        return sqlite3.SQLITE_IGNORE
    return sqlite3.SQLITE_OK


@hookimpl  # type: ignore[untyped-decorator]  # pluggy ships no types
def startup(datasette: Any) -> None:
    """Keep Datasette's fallback error handler from printing every error, with its locals, through `rich`.

    It runs for every error, whatever other handlers answer; with `rich` installed each query stopped by the time
    limit cost about a second of the event loop (for every visitor) and a 200 kB traceback in the log.
    """
    from datasette import handle_exception as fallback

    fallback.rich = None


@hookimpl  # type: ignore[untyped-decorator]  # pluggy ships no types
def handle_exception(datasette: Any, request: Any, exception: Exception) -> Response | None:
    """Answer an unexpected error with a plain 500 page: no traceback, no exception text, one line in the log."""
    from datasette.utils.asgi import Base400
    from datasette.views.base import DatasetteError

    if isinstance(exception, (Base400, DatasetteError)):
        return None  # Datasette's own errors (404, 400, 403, query errors) say what is wrong and nothing more
    print(f"kz-timeline: {type(exception).__name__} on {request.path}", file=sys.stderr, flush=True)
    message = "Internal error; the server's log names it."
    if request.path.endswith(".json"):
        return Response.json({"ok": False, "error": message, "status": 500}, status=500)
    return Response.html(f"<!DOCTYPE html><title>Error 500</title><h1>Error 500</h1><p>{message}</p>", status=500)
