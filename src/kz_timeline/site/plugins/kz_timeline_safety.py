"""Datasette plugin of kz-timeline: a read-only site that refuses every write and never shows a traceback."""

from __future__ import annotations

import json
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


@hookimpl  # type: ignore[untyped-decorator]  # pluggy ships no types
def asgi_wrapper(datasette: Any) -> Callable[[App], App]:
    """Refuse every write method on the whole site."""
    return refuse_writes


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
