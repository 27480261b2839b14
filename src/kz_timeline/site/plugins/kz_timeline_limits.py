"""Datasette plugin of kz-timeline: bounds on what visitors' SQL can ask of the server, so every request ends in time.

Datasette's time limit is checked between SQLite's steps, and one function call is one step; these bounds keep every
step short (SECURITY.md has the measurements), every result small, and visitors' own SQL from taking every thread.
It needs only Datasette (a published copy runs it without kz_timeline installed).
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import sqlite3
import threading
import weakref
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl

from datasette import hookimpl

#: What one statement may ask of SQLite, on every connection Datasette opens. Inside one step `instr`, `replace`
#: and `trim` cost length x length and LIKE/GLOB length x pattern; the statement length bounds how many such calls
#: one row makes. With these bounds the heaviest statement found ends in about 2 s on 2 cores (SECURITY.md).
SQLITE_LIMITS: dict[int, int] = {
    sqlite3.SQLITE_LIMIT_LENGTH: 16_384,  # bytes of any string, blob or row
    sqlite3.SQLITE_LIMIT_SQL_LENGTH: 8_192,  # bytes of one statement
    sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH: 64,  # bytes of a LIKE or GLOB pattern
}
#: trim(X, Y), ltrim(X, Y) and rtrim(X, Y) compare each character of X with each of Y inside one step, and Y may be
#: as long as X: Y may hold at most this many characters (SQLite's own functions, on a private connection, do the rest).
TRIM_CHARACTERS = 32
#: Bytes of values one query may return (a page of 1,000 rows of the largest table is under 2 MB).
RESULT_BYTES = 16_000_000
#: Requests that run SQL of the visitor's own (?sql= or ?_where=) run at most this many at a time, so that the
#: site's own pages keep threads and a core; a request that finds no free slot within SQL_WAIT_S gets 503.
SQL_PARAMETERS = frozenset({"sql", "_where"})
SQL_SLOTS = 2
SQL_WAIT_S = 1.0

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


def limit_visitor_sql(app: App) -> App:
    """Wrap an ASGI app so that at most SQL_SLOTS requests with SQL of the visitor's own run at once (503 beyond)."""
    slots: asyncio.Semaphore | None = None

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        nonlocal slots
        if scope["type"] != "http" or not runs_visitor_sql(scope):
            await app(scope, receive, send)
            return
        if slots is None:
            slots = asyncio.Semaphore(SQL_SLOTS)
        try:
            async with asyncio.timeout(SQL_WAIT_S):  # not wait_for: a permit won as the time runs out could be lost
                await slots.acquire()
        except TimeoutError:
            await _busy(scope, send)
            return
        try:
            await app(scope, receive, send)
        finally:
            slots.release()

    return wrapped


def runs_visitor_sql(scope: Scope) -> bool:
    """Say whether a request carries SQL of the visitor's own (?sql= or ?_where=)."""
    query = scope.get("query_string", b"").decode("latin-1")
    return any(name in SQL_PARAMETERS and value for name, value in parse_qsl(query, keep_blank_values=True))


async def _busy(scope: Scope, send: Send) -> None:
    message = "the server is running other SQL queries; try again in a few seconds"
    if scope["path"].endswith(".json"):
        body = json.dumps({"ok": False, "error": message, "status": 503}).encode("utf-8")
        kind = b"application/json; charset=utf-8"
    else:
        body = f"<!DOCTYPE html><title>Busy</title><h1>Busy</h1><p>The {message[4:]}.</p>".encode()
        kind = b"text/html; charset=utf-8"
    headers = [(b"content-type", kind), (b"retry-after", b"3"), (b"content-length", str(len(body)).encode("ascii"))]
    await send({"type": "http.response.start", "status": 503, "headers": headers})
    await send({"type": "http.response.body", "body": body})


@hookimpl  # type: ignore[untyped-decorator]  # pluggy ships no types
def asgi_wrapper(datasette: Any) -> Callable[[App], App]:
    """Run few visitors' SQL queries at once."""
    return limit_visitor_sql


@hookimpl  # type: ignore[untyped-decorator]  # pluggy ships no types
def prepare_connection(conn: sqlite3.Connection) -> None:
    """Bound what one SQLite call can do (SQLITE_LIMITS) and how much one query returns (RESULT_BYTES)."""
    for limit, value in SQLITE_LIMITS.items():
        conn.setlimit(limit, value)
    conn.row_factory = bounded_rows(RESULT_BYTES)
    for name in ("trim", "ltrim", "rtrim"):
        conn.create_function(name, 2, bounded_trim(name), deterministic=True)
    for name in ("printf", "format"):
        conn.create_function(name, -1, bounded_printf(name), deterministic=True)


_private = threading.local()


def _private_row(sql: str, args: tuple[Any, ...]) -> Any:
    """Return the first row of `sql` run on this thread's private in-memory connection (SQLite's own functions)."""
    connection: sqlite3.Connection | None = getattr(_private, "connection", None)
    if connection is None:
        connection = _private.connection = sqlite3.connect(":memory:")
        for limit, value in SQLITE_LIMITS.items():
            connection.setlimit(limit, value)
    return connection.execute(sql, args).fetchone()


def _builtin(name: str, args: tuple[Any, ...]) -> Any:
    """Return SQLite's own function `name` of `args`."""
    return _private_row(f"select {name}({', '.join('?' * len(args))})", args)[0]


def bounded_trim(name: str) -> Callable[[Any, Any], Any]:
    """Return SQLite's two-argument `name` (trim, ltrim or rtrim), refusing more than TRIM_CHARACTERS to remove."""

    def trim(text: Any, characters: Any) -> Any:
        if isinstance(characters, str | bytes) and len(characters) > TRIM_CHARACTERS:
            raise ValueError(f"{name}() takes at most {TRIM_CHARACTERS} characters to remove")
        return _builtin(name, (text, characters))

    return trim


def bounded_printf(name: str) -> Callable[..., Any]:
    """Return SQLite's `name` (printf or format), answering NULL at once where SQLite would work long to answer NULL.

    SQLite's %c repeats its character `precision` times one append at a time, on past the length limit, and then
    gives NULL (2**31 times take 11 s); every other conversion fails fast.
    """
    length = SQLITE_LIMITS[sqlite3.SQLITE_LIMIT_LENGTH]

    def printf(*args: Any) -> Any:
        if args and isinstance(args[0], str | bytes):
            text = args[0].decode("latin-1") if isinstance(args[0], bytes) else args[0]
            if any(repeats > length for repeats in character_repeats(text, args[1:])):
                return None
        return _builtin(name, args)

    return printf


#: One conversion of a printf format as SQLite's parser reads it: flags, width, precision, size and type.
_CONVERSION = re.compile(r"%[-+ #!0,]*([1-9][0-9]*|\*)?(?:\.(\*|[0-9]*))?(?:ll|l)?(.?)", re.DOTALL)
#: The conversions SQL's printf knows (after any other SQLite stops), and those that take no argument.
_TYPES = frozenset("dsgzqQwcouxXfeEGinpr%")
_NO_ARGUMENT = frozenset("%n")


def character_repeats(text: str, args: tuple[Any, ...]) -> list[int]:
    """Return how often each %c conversion of a printf format repeats its character, reading `args` as SQLite does.

    A precision read from an argument that is not an integer counts as the largest integer SQLite could read from it.
    """
    repeats: list[int] = []
    used = 0
    for conversion in _CONVERSION.finditer(text):
        width, precision, kind = conversion.groups()
        if kind not in _TYPES:
            break
        used += width == "*"
        if precision == "*":
            value = _star_argument(args[used] if used < len(args) else None)
            used += 1
        else:
            value = _literal(precision or "")
        if kind == "c":
            repeats.append(value)
        used += kind not in _NO_ARGUMENT
    return repeats


def _literal(digits: str) -> int:
    value = 0
    for digit in digits:
        value = (value * 10 + int(digit)) & 0xFFFFFFFF  # SQLite adds up in an unsigned 32-bit integer
    return value & 0x7FFFFFFF


def _star_argument(value: Any) -> int:
    """Return the precision SQLite takes from a '*' argument: its integer value, as a 32-bit int, made positive."""
    if value is None:
        number = 0
    elif isinstance(value, int):
        number = value
    else:
        as_integer, as_real = _private_row("select cast(?1 as integer), cast(?1 as real)", (value,))
        real = as_real if isinstance(as_real, float) and math.isfinite(as_real) else 2.0**62
        return max(_int32_magnitude(as_integer or 0), _int32_magnitude(int(real)), min(abs(int(real)), 2**31 - 1))
    return _int32_magnitude(number)


def _int32_magnitude(number: int) -> int:
    wrapped = ((number + 2**31) % 2**32) - 2**31  # SQLite casts the 64-bit value to int
    return -wrapped if wrapped >= -(2**31 - 1) and wrapped < 0 else max(wrapped, 0)


def bounded_rows(max_bytes: int) -> Callable[[sqlite3.Cursor, tuple[Any, ...]], sqlite3.Row]:
    """Return a row factory that makes Datasette's rows and stops a query once its rows pass `max_bytes`."""
    spent: weakref.WeakKeyDictionary[sqlite3.Cursor, int] = weakref.WeakKeyDictionary()

    def row(cursor: sqlite3.Cursor, values: tuple[Any, ...]) -> sqlite3.Row:
        size = spent.get(cursor, 0) + sum(len(value) if isinstance(value, str | bytes) else 8 for value in values)
        if size > max_bytes:
            raise sqlite3.OperationalError(f"the result is larger than {max_bytes:,} bytes; ask for fewer rows or columns")
        spent[cursor] = size
        return sqlite3.Row(cursor, values)

    return row
