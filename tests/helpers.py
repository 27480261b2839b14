"""Small helpers for tests that edit fixture CSV files."""

from __future__ import annotations

from pathlib import Path


def replace_in(path: Path, old: str, new: str, count: int = 1) -> None:
    """Replace `old` by `new` in a file, failing loudly when `old` is not there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8", newline="")


def append_line(path: Path, line: str) -> None:
    """Append one line (LF-terminated) to a file."""
    with path.open("a", encoding="utf-8", newline="") as stream:
        stream.write(line + "\n")
