"""The switch between the fast paths of reading and checking and the exact ones they stand in for.

Reading and checking have fast paths for the common case (pyarrow's CSV parser for clean files, dates derived
column-wise) beside exact paths that handle everything (the csv module in strict mode, `derive_date` one value at a
time). Both must report the same problems; `exact_only()` turns the fast paths off, so tests can compare the two.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_ENABLED: ContextVar[bool] = ContextVar("kz_timeline_fast_paths", default=True)


def enabled() -> bool:
    """Say whether the fast paths may be taken (they are, unless inside `exact_only()`)."""
    return _ENABLED.get()


@contextmanager
def exact_only() -> Iterator[None]:
    """Within this block, read and check by the exact paths only."""
    token = _ENABLED.set(False)
    try:
        yield
    finally:
        _ENABLED.reset(token)
