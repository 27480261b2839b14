"""Small helpers for tests that edit fixture CSV files and read what validation says of them."""

from __future__ import annotations

from pathlib import Path

from kz_timeline.dataset.loader import validate
from kz_timeline.errors import DataValidationError


def replace_in(path: Path, old: str, new: str, count: int = 1) -> None:
    """Replace `old` by `new` in a file, failing loudly when `old` is not there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8", newline="")


def append_line(path: Path, line: str) -> None:
    """Append one line (LF-terminated) to a file."""
    with path.open("a", encoding="utf-8", newline="") as stream:
        stream.write(line + "\n")


def validation_problems(data_dir: Path) -> list[str]:
    """Return every problem `validate` finds in `data_dir`, as it words them (an empty list when it is valid)."""
    try:
        validate(data_dir)
    except DataValidationError as error:
        return [str(problem) for problem in error.problems]
    return []
