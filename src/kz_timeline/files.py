"""Files as kz-timeline writes and reads them: what it may write, atomic replacement, SHA-256 and BLAKE3 digests, the cache."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import stat
import sys
import tempfile
from pathlib import Path

import blake3

from kz_timeline.errors import WriteTargetError


def check_target(path: Path, *, folder: bool = False) -> None:
    """Refuse, with one line naming `path`, a target that kz-timeline must not write (the rule of every writer).

    A target that exists must be a regular file (a directory, with `folder`) and not a symbolic link: a link, a FIFO
    or a device is never replaced or written through. Its folder must already exist: no folder is created.
    """
    try:
        mode: int | None = os.lstat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        mode = None  # nothing there yet (or no folder: said below)
    except OSError as error:
        raise WriteTargetError(f"{path}: cannot be checked: {error.strerror or error}") from error
    if mode is not None:
        if stat.S_ISLNK(mode):
            raise WriteTargetError(f"{path}: is a symbolic link; kz-timeline never writes through links")
        if folder and not stat.S_ISDIR(mode):
            raise WriteTargetError(f"{path}: is not a directory")
        if not folder and stat.S_ISDIR(mode):
            raise WriteTargetError(f"{path}: is a directory; give the path of a file")
        if not folder and not stat.S_ISREG(mode):
            raise WriteTargetError(f"{path}: is not a regular file; kz-timeline writes only regular files")
    parent = path.parent
    if not parent.is_dir():
        if parent.exists():
            raise WriteTargetError(f"{path}: {parent} is not a directory")
        raise WriteTargetError(f"{path}: the folder {parent} does not exist; kz-timeline creates no folders")


def default_file_mode() -> int:
    """Return the permissions a plain `open()` would give a new file (0666 less the umask)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def replaced_file_mode(path: Path) -> int:
    """Return the permissions a file written to `path` gets: those of the regular file it replaces, or the default."""
    try:
        status = os.lstat(path)
    except FileNotFoundError:
        return default_file_mode()
    return status.st_mode & 0o777 if stat.S_ISREG(status.st_mode) else default_file_mode()


def write_bytes_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that readers see the old file or the new one, never half of it.

    `path` must pass `check_target` (raises WriteTargetError otherwise). The new file keeps the mode of the file it
    replaces, or gets the umask's default mode (mkstemp alone gives 0600).
    """
    check_target(path)
    mode = replaced_file_mode(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def holds_foreign_content(folder: Path, marker: str) -> bool:
    """Say whether `folder` holds anything while lacking the writer's `marker` file (a regular file, not a link)."""
    if not folder.is_dir() or not any(folder.iterdir()):
        return False
    try:
        return not stat.S_ISREG(os.lstat(folder / marker).st_mode)
    except OSError:
        return True


def fresh_folder_beside(target: Path) -> Path:
    """Create and return an empty folder beside `target` (same file system), for `replace_folder` to move into place."""
    return Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".new"))


def replace_folder(fresh: Path, target: Path) -> None:
    """Put the folder `fresh` in place of `target` in one step, then delete what `target` held.

    Readers see the old folder or the new one: on Linux the two are exchanged atomically (renameat2), elsewhere the
    old folder is renamed aside first. `fresh` gets the permissions of the folder it replaces (or the umask's
    default); nothing inside the old folder is followed or kept, links included.
    """
    umask = os.umask(0)
    os.umask(umask)
    mode = os.lstat(target).st_mode & 0o777 if target.is_dir() else 0o777 & ~umask
    os.chmod(fresh, mode)
    try:
        os.rename(fresh, target)  # no folder there, or an empty one: one rename
        return
    except OSError as error:
        if error.errno not in (errno.ENOTEMPTY, errno.EEXIST):
            raise
    if _exchange(fresh, target):
        shutil.rmtree(fresh, ignore_errors=True)  # `fresh` now names the old folder
        return
    old = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".old"))
    os.rename(target, old / "folder")
    os.rename(fresh, target)
    shutil.rmtree(old, ignore_errors=True)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically with Linux's renameat2(RENAME_EXCHANGE); return False where it is not available."""
    if sys.platform != "linux":
        return False
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EPERM):
        return False  # the file system or the kernel does not exchange
    raise OSError(code, os.strerror(code), str(second))


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` as UTF-8 so that readers see the old file or the new one, never half of it."""
    write_bytes_atomically(path, text.encode("utf-8"))


def file_sha256(path: Path) -> str:
    """Return the SHA-256 of the file at `path`, in hex (raises OSError when it cannot be read)."""
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def file_blake3(path: Path) -> str:
    """Return the BLAKE3 of the file at `path`, in hex (raises OSError when it cannot be read).

    The digest by which the validated cache knows a CSV's bytes: BLAKE3 hashes 4.5 GB/s on one core here, SHA-256
    (with the CPU's SHA extensions) 1.8 GB/s (BENCHMARKS.md, Profiles, stop 29). What a user may check a file
    against (the database's provenance, an article's text_sha256) stays SHA-256.
    """
    return blake3.blake3().update_mmap(path).hexdigest()


def cache_home() -> Path:
    """Return kz-timeline's cache directory: $XDG_CACHE_HOME/kz-timeline, else ~/.cache/kz-timeline."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kz-timeline"
