"""The user's private cache: folders only the user can write, entries signed with a key only the user can read.

A cache entry is used only if it is what kz-timeline wrote: the entry and its folders belong to the user, nobody
else can write them, none is a symbolic link, and its keyed digest (HMAC-SHA256 with 32 random bytes kept in
`signing-key`, a file only the user can read, made on first use; each file of it MACed first with BLAKE3 in keyed
mode under the same key) matches its content. Anything else is refused
with one line on stderr, removed when it is the user's own, and recomputed: never used.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import shutil
import stat
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

import blake3

from kz_timeline.files import cache_home, write_bytes_atomically

KEY_FILE = "signing-key"
#: The first line of a signed file: this word, a space and the keyed digest of the rest.
SIGNATURE = "kz-timeline-signed"
KEY_BYTES = 32
#: Files are hashed through a buffer of this size.
READ_BYTES = 1024 * 1024
#: Nobody but the user may write an entry or its folders.
_WRITABLE_BY_OTHERS = stat.S_IWGRP | stat.S_IWOTH


class UntrustedEntry(Exception):
    """A cache entry (or folder) that kz-timeline did not write, or that someone else could have changed."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


def warn_refused(error: UntrustedEntry) -> None:
    """Say, in one line on stderr, that a cache entry is ignored and why."""
    print(f"kz-timeline: ignoring the cache entry {error.path}: {error.reason}; computing it again", file=sys.stderr, flush=True)


def private_folder(*parts: str) -> Path:
    """Return the folder `parts` of the cache home, creating each missing level private to the user (0700).

    Raises UntrustedEntry when a level exists but is a link, is not the user's, or others can write it; OSError when it
    cannot be created.
    """
    folder = cache_home()
    _private_level(folder)
    for part in parts:
        folder = folder / part
        _private_level(folder)
    return folder


def _private_level(folder: Path) -> None:
    try:
        folder.mkdir(mode=0o700)
    except FileExistsError:
        check_owned(folder, directory=True)
    except FileNotFoundError:
        folder.parent.mkdir(mode=0o700, parents=True)  # ~/.cache itself, on a fresh account
        folder.mkdir(mode=0o700)


def check_owned(path: Path, *, directory: bool = False) -> None:
    """Raise UntrustedEntry unless `path` is the user's own regular file (folder, with `directory`), not a link.

    Nobody else may be able to write it either.
    """
    try:
        status = os.lstat(path)
    except OSError as error:
        raise UntrustedEntry(path, f"it cannot be read ({error.strerror or error})") from error
    if stat.S_ISLNK(status.st_mode):
        raise UntrustedEntry(path, "it is a symbolic link")
    if not (stat.S_ISDIR(status.st_mode) if directory else stat.S_ISREG(status.st_mode)):
        raise UntrustedEntry(path, "it is not a folder" if directory else "it is not a regular file")
    if status.st_uid != os.geteuid():
        raise UntrustedEntry(path, f"it belongs to user id {status.st_uid}, not to this user")
    if status.st_mode & _WRITABLE_BY_OTHERS:
        raise UntrustedEntry(path, f"others can write it (mode {stat.S_IMODE(status.st_mode):04o})")


def signing_key() -> bytes:
    """Return the user's signing key, making it on first use; a key that others could read or change is replaced."""
    path = private_folder() / KEY_FILE
    key = _read_key(path)
    if key is not None:
        return key
    temporary = path.with_name(f".{KEY_FILE}.{secrets.token_hex(8)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(secrets.token_bytes(KEY_BYTES))
    try:
        os.link(temporary, path)  # the first key made wins, so that processes starting together agree on it
    except FileExistsError:
        pass
    finally:
        temporary.unlink()
    return signing_key()


def _read_key(path: Path) -> bytes | None:
    if not os.path.lexists(path):
        return None
    try:
        check_owned(path)
        if os.lstat(path).st_mode & 0o077:
            raise UntrustedEntry(path, "others can read it")
        key = path.read_bytes()
        if len(key) != KEY_BYTES:
            raise UntrustedEntry(path, "it is not a key")
    except UntrustedEntry as error:
        warn_refused(error)
        discard(path)
        return None
    return key


def discard(path: Path) -> None:
    """Remove a refused entry (a file, a link or a folder) as far as the user may; never follow a link."""
    if path.is_symlink() or not path.is_dir():
        path.unlink(missing_ok=True)
    else:
        shutil.rmtree(path, ignore_errors=True)


def write_signed(path: Path, label: str, payload: bytes) -> None:
    """Write `payload` to `path` (in a private folder) atomically, after a first line holding its keyed digest."""
    write_bytes_atomically(path, f"{SIGNATURE} {keyed_digest(label, [payload])}\n".encode("ascii") + payload)


def read_signed(path: Path, label: str) -> bytes | None:
    """Return the payload `write_signed` wrote to `path` under `label`, or None when there is none.

    An entry that is not the user's own, that others can write, or whose digest does not match its content is
    refused (one line on stderr), removed and not returned.
    """
    if not os.path.lexists(path):
        return None
    try:
        check_owned(path)
        header, _, payload = path.read_bytes().partition(b"\n")
        expected = header.removeprefix(SIGNATURE.encode("ascii") + b" ")
        if not hmac.compare_digest(expected, keyed_digest(label, [payload]).encode("ascii")):
            raise UntrustedEntry(path, "its content is not what kz-timeline wrote (the keyed digest differs)")
    except UntrustedEntry as error:
        warn_refused(error)
        discard(path)
        return None
    return payload


def keyed_digest(
    label: str, parts: Iterable[bytes | Path], *, key: bytes | None = None, file_macs: Mapping[Path, bytes] | None = None
) -> str:
    """Return the HMAC-SHA256, under the user's key, of `label` and each part's inner MAC (bytes, or a file's name and MAC).

    `key`: the user's `signing_key()`, when the caller has it already (a thread of its own must not look it up: the
    environment that locates it may have changed by then). `file_macs`: the `file_mac` of some of the files, taken by
    the caller as it wrote them (under `key`), which are not read again.

    A part of bytes has HMAC-SHA256 for its inner MAC, a file (`file_mac`) BLAKE3 in keyed mode: 4.4 GB/s on one core
    here against HMAC-SHA256's 1.8 GB/s (BENCHMARKS.md, Profiles, stop 29), for the 0.65 GB of a million events'
    tables. The inner MACs are computed two at a time (both let go of the GIL).
    """
    key = signing_key() if key is None else key
    listed = list(parts)
    inners = _inner_macs(key, listed, file_macs or {})
    outer = hmac.new(key, label.encode("utf-8"), hashlib.sha256)
    for part, inner in zip(listed, inners, strict=True):
        name = b"bytes" if isinstance(part, bytes) else f"file {part.name}".encode()
        outer.update(b"\0" + name + b"\0" + inner)
    return outer.hexdigest()


#: How many parts are digested at once (the machines this is measured on have two cores).
DIGEST_THREADS = 2


def _inner_macs(key: bytes, parts: list[bytes | Path], known: Mapping[Path, bytes]) -> list[bytes]:
    """Return each part's inner MAC, DIGEST_THREADS at a time (one at a time once Python has begun to shut down).

    `concurrent.futures` takes no new work once Python has begun to shut down; a store whose checks answered after
    Ctrl-C signs its tables then.
    """
    from concurrent.futures import ThreadPoolExecutor

    def inner(part: bytes | Path) -> bytes:
        return known[part] if isinstance(part, Path) and part in known else _inner_mac(key, part)

    try:
        with ThreadPoolExecutor(max_workers=DIGEST_THREADS) as pool:
            futures = [pool.submit(inner, part) for part in parts]
    except RuntimeError:
        return [inner(part) for part in parts]
    return [future.result() for future in futures]


def _inner_mac(key: bytes, part: bytes | Path) -> bytes:
    return hmac.digest(key, part, "sha256") if isinstance(part, bytes) else file_mac(key, part)


def file_mac(key: bytes, path: Path) -> bytes:
    """Return the inner MAC `keyed_digest` takes of the file at `path`: the keyed BLAKE3 of its content under `key`."""
    mac = blake3.blake3(key=key)
    buffer = bytearray(READ_BYTES)
    view = memoryview(buffer)
    with path.open("rb", buffering=0) as stream:
        while count := stream.readinto(buffer):
            mac.update(view[:count])
    return mac.digest()
