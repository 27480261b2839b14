"""Files as kz-timeline writes and reads them: atomic replacement, the default mode, SHA-256 digests, the cache home."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


def default_file_mode() -> int:
    """Return the permissions a plain `open()` would give a new file (0666 less the umask)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_bytes_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that readers see the old file or the new one, never half of it.

    The new file keeps the mode of the file it replaces, or gets the umask's default mode (mkstemp alone gives 0600).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else default_file_mode()
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` as UTF-8 so that readers see the old file or the new one, never half of it."""
    write_bytes_atomically(path, text.encode("utf-8"))


def file_sha256(path: Path) -> str:
    """Return the SHA-256 of the file at `path`, in hex (raises OSError when it cannot be read)."""
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def cache_home() -> Path:
    """Return kz-timeline's cache directory: $XDG_CACHE_HOME/kz-timeline, else ~/.cache/kz-timeline."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kz-timeline"
