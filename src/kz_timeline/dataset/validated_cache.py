"""Remember validated tables, so that loading the same files again skips reading and checking them.

An entry is keyed on the BLAKE3 of every CSV's bytes, the SHA-256 of every article's, and of this package's own code: a
changed cell, a different article or a new validator is a different key, never a stale answer. The tables are kept
as uncompressed Arrow files and read memory-mapped, which takes milliseconds where validating a million events takes
seconds. The cache is only ever a shortcut: any failure to read or write it falls back to validating the files.

An entry is used only if it is what this package wrote (see `kz_timeline.private_cache`): the folder is the user's
own and private, and the keyed digest of its files, recorded when they were stored, matches them; anything else is
refused with one line on stderr and the files are validated again.

It lives in $XDG_CACHE_HOME/kz-timeline/validated (~/.cache by default); KZ_TIMELINE_NO_CACHE=1 turns it off.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import queue
import shutil
import tempfile
import threading
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path

import pandas as pd

from kz_timeline.background import lower_priority
from kz_timeline.errors import WriteTargetError
from kz_timeline.files import cache_home, file_blake3, file_sha256, write_bytes_atomically
from kz_timeline.private_cache import (
    UntrustedEntry,
    check_owned,
    discard,
    file_mac,
    keyed_digest,
    private_folder,
    signing_key,
    warn_refused,
)
from kz_timeline.reading.csv_files import table_digests as read_table_digests
from kz_timeline.schema.tables import TABLES

#: How many validated datasets are kept; the least recently used go first.
KEPT_ENTRIES = 3
DISABLE_VARIABLE = "KZ_TIMELINE_NO_CACHE"
_COMPLETE = "complete"
#: The stamp of the files an entry was validated from (`inputs_stamp`), beside its tables.
_INPUTS = "inputs"


def cache_root() -> Path:
    """Return where validated tables are kept."""
    return cache_home() / "validated"


def enabled() -> bool:
    """Say whether the cache is on (KZ_TIMELINE_NO_CACHE unset, empty or 0)."""
    return os.environ.get(DISABLE_VARIABLE, "").strip() in ("", "0")


@cache
def _code_digest() -> str:
    """Hash this package's Python code and the versions of what writes the frames: a new validator, a new key."""
    import pyarrow

    digest = hashlib.sha256(f"pandas {pd.__version__} pyarrow {pyarrow.__version__}".encode())
    package = Path(__file__).resolve().parents[1]  # all of kz_timeline, not only this subpackage
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_key(
    data_dir: Path, articles: Iterable[Path], *, check_derived: bool = True, table_digests: Mapping[str, str | None] | None = None
) -> str | None:
    """Return the key of the validated tables of `data_dir` checked against `articles`; None if a file cannot be read.

    `table_digests`: the CSV files' BLAKE3 by file name, when the caller has them already (as read, see
    `RawTable.blake3`).
    """
    digests = read_table_digests(data_dir, file_blake3) if table_digests is None else table_digests
    if None in digests.values():
        return None  # let validation report the missing or unreadable file
    key = hashlib.sha256(_code_digest().encode())
    key.update(f"check_derived={check_derived}".encode())
    for name, digest in digests.items():
        key.update(f"\0table {name} {digest}".encode())
    try:
        article_digests = sorted(file_sha256(Path(article)) for article in articles)
    except OSError:
        return None
    for digest in article_digests:
        key.update(f"\0article {digest}".encode())
    return key.hexdigest()


def inputs_stamp(data_dir: Path, articles: Iterable[Path], *, check_derived: bool = True) -> str | None:
    """Return a digest of what the file system says of the files (no byte is read), or None if one cannot be read.

    Each CSV's and article's device, inode, size and times of change (`st_ctime_ns` moves with every write and cannot
    be set back), with this package's code: files with the same stamp are the same bytes as far as anything short of
    reading them can tell. It only decides whether validation writes the tables again; what is read from the cache
    is always found by `cache_key`, the digest of the bytes.
    """
    stamp = hashlib.sha256(f"{_code_digest()} check_derived={check_derived}".encode())
    try:
        paths = [data_dir / table.filename for table in TABLES] + sorted(Path(article).resolve() for article in articles)
        for path in paths:
            status = path.stat()
            times = f"{status.st_mtime_ns} {status.st_ctime_ns}"
            stamp.update(f"\0{path.name} {status.st_dev} {status.st_ino} {status.st_size} {times}".encode())
    except OSError:
        return None
    return stamp.hexdigest()


def stamped_key(inputs: str) -> str | None:
    """Return the key of a complete entry stored with the stamp `inputs` (see `inputs_stamp`), or None."""
    try:
        entries = list(cache_root().iterdir())
    except OSError:
        return None
    for entry in entries:
        try:
            if (entry / _COMPLETE).is_file() and (entry / _INPUTS).read_text(encoding="ascii") == inputs:
                return entry.name
        except (OSError, UnicodeDecodeError):
            continue
    return None


def mark_used(key: str) -> None:
    """Mark the entry of `key` recently used (evicted last), if it is there."""
    with contextlib.suppress(OSError):
        os.utime(cache_root() / key / _COMPLETE)


def _label(key: str) -> str:
    return f"validated tables {key}"


def _table_files(entry: Path) -> list[Path]:
    return [entry / f"{table.name}.arrow" for table in TABLES]


def read(key: str) -> dict[str, pd.DataFrame] | None:
    """Return the tables stored under `key`, or None when there are none (or they cannot be read, or are refused)."""
    import pyarrow
    import pyarrow.feather

    wait_for_stores()  # an entry this process is still writing is found, not validated again
    entry = cache_root() / key
    if not os.path.lexists(entry):
        return None
    try:
        _check_entry(entry, key)
        frames = {table.name: pyarrow.feather.read_feather(entry / f"{table.name}.arrow", memory_map=True) for table in TABLES}
        os.utime(entry / _COMPLETE)  # recently used: evicted last
    except UntrustedEntry as error:
        warn_refused(error)
        discard(entry)
        return None
    except (OSError, ValueError, pyarrow.ArrowException):
        return None
    for table in TABLES:
        if list(frames[table.name].columns) != [column.name for column in table.columns]:
            return None
    return frames


def _check_entry(entry: Path, key: str) -> None:
    """Raise UntrustedEntry unless `entry` is the user's own, private, and holds what `store` wrote under `key`."""
    private_folder(cache_root().name)
    check_owned(entry, directory=True)
    files = _table_files(entry)
    for path in [*files, entry / _COMPLETE]:
        check_owned(path)
    recorded = (entry / _COMPLETE).read_text(encoding="ascii", errors="replace").strip()
    if not hmac.compare_digest(recorded, keyed_digest(_label(key), files)):
        raise UntrustedEntry(entry, "its tables are not what kz-timeline stored (the keyed digest differs)")


class TableStore:
    """Validated tables written to the cache one by one, as they are read, while they are checked.

    `add` queues a table; a thread of its own writes each to a folder aside (and lets go of it). `keep(key)` (the
    tables passed their checks) signs them and moves them into place under `key` once every table is written; `drop()`
    (they failed, or the checks did not end) removes what was written. Whoever starts one must give one verdict,
    whatever happens (or the thread, which Python waits for at exit, would wait forever).

    `background`: the thread runs at a lower priority than the caller's (`kz_timeline.background`): for `load`,
    whose caller draws a chart meanwhile; `validate` waits for the writes, and lets go of each table once written.
    `inputs` (see `inputs_stamp`), if any, is kept beside the tables: a later validation of the very same files finds
    the entry by it, before it has read them, and writes nothing.
    """

    def __init__(self, root: Path, signing: bytes, inputs: str | None = None, *, background: bool = True) -> None:
        self._root = root
        self._background = background
        self._signing = signing
        self._inputs = inputs
        self._queue: queue.SimpleQueue[tuple[str, pd.DataFrame] | str | None] = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._run, name=STORE_THREAD_NAME)
        self.thread.start()

    def add(self, name: str, frame: pd.DataFrame) -> None:
        """Queue the table `name` (every column) to be written."""
        self._queue.put((name, frame))

    def keep(self, key: str) -> None:
        """Keep the tables under `key` (they passed their checks), once every table is written."""
        self._queue.put(key)

    def drop(self) -> None:
        """Drop the tables (they failed their checks, or the checks did not end): remove what was written."""
        self._queue.put(None)

    def _run(self) -> None:
        import pyarrow
        import pyarrow.feather

        if self._background:
            lower_priority()  # what the caller does with the tables comes first; this only has to end some time
        scratch: Path | None = None
        failed = False
        try:
            scratch = Path(tempfile.mkdtemp(prefix=".writing-", dir=self._root))
        except OSError:
            failed = True
        macs: dict[Path, bytes] = {}
        while isinstance(item := self._queue.get(), tuple):
            name, frame = item
            del item
            path = None if failed or scratch is None else scratch / f"{name}.arrow"
            try:
                if path is not None:
                    pyarrow.feather.write_feather(frame, path, compression="uncompressed")
            except (OSError, ValueError, pyarrow.ArrowException):
                failed = True
            del frame  # let go of the table as soon as it is written
            if path is not None and not failed:
                try:  # its part of the signature, taken now, while the checks run, not once they have all ended
                    macs[path] = file_mac(self._signing, path)
                except OSError:
                    failed = True
        if scratch is not None:
            verdict = item if not failed else None
            _move_into_place(self._root, self._signing, verdict, scratch, self._inputs, macs)


def table_store(inputs: str | None = None, *, background: bool = True) -> TableStore | None:
    """Start a `TableStore` (None, having said why on stderr, when the cache folder is refused)."""
    target = _store_target()
    return None if target is None else TableStore(*target, inputs, background=background)


def _move_into_place(
    root: Path, signing: bytes, key: str | None, scratch: Path, inputs: str | None, macs: Mapping[Path, bytes]
) -> None:
    """Sign the tables written in `scratch` and move them into place under `key`; `key` None: remove them.

    `macs`: each table file's `file_mac`, taken as it was written.

    Nothing is moved when an entry for `key` is in place already (it is marked used instead): the same key is the
    same bytes checked by the same code.
    """
    import pyarrow

    try:
        if key is None or not all(path.is_file() for path in _table_files(scratch)):
            return
        if (root / key / _COMPLETE).is_file():  # in place already: marked used (evicted last), found by its new stamp
            os.utime(root / key / _COMPLETE)
            if inputs is not None:
                write_bytes_atomically(root / key / _INPUTS, inputs.encode("ascii"))
            return
        if inputs is not None:
            (scratch / _INPUTS).write_text(inputs, encoding="ascii")
        digest = keyed_digest(_label(key), _table_files(scratch), key=signing, file_macs=macs)
        (scratch / _COMPLETE).write_text(digest, encoding="ascii")
        try:
            scratch.rename(root / key)
        except OSError:
            return  # another process stored the same key first
        _evict(root)
    except UntrustedEntry as error:
        warn_refused(error)
    except (OSError, ValueError, pyarrow.ArrowException, WriteTargetError):
        pass
    finally:
        if scratch.exists():
            shutil.rmtree(scratch, ignore_errors=True)


def wait_for_stores() -> None:
    """Wait until every store started in the background by this process has ended."""
    for thread in threading.enumerate():
        if thread.name == STORE_THREAD_NAME and thread is not threading.current_thread():
            thread.join()


#: The name of the threads of `TableStore`.
STORE_THREAD_NAME = "kz-timeline-store"


def _store_target() -> tuple[Path, bytes] | None:
    """Return the cache folder and the signing key, or None (having said why on stderr) when the folder is refused."""
    try:
        return private_folder(cache_root().name), signing_key()
    except UntrustedEntry as error:
        warn_refused(error)
    except OSError:
        pass
    return None


def _evict(root: Path) -> None:
    """Remove all but the KEPT_ENTRIES most recently used entries, and writes abandoned over an hour ago."""
    import time

    for abandoned in root.glob(".writing-*"):
        if abandoned.stat().st_mtime < time.time() - 3600:
            shutil.rmtree(abandoned, ignore_errors=True)
    entries = [path for path in root.iterdir() if (path / _COMPLETE).is_file()]
    entries.sort(key=lambda path: (path / _COMPLETE).stat().st_mtime_ns, reverse=True)
    for stale in entries[KEPT_ENTRIES:]:
        shutil.rmtree(stale, ignore_errors=True)
