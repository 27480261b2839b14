"""Problems found in data files, and the exceptions that carry them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the data, located as precisely as possible."""

    file: str
    line: int | None
    column: str | None
    message: str
    #: 1-based character column within the line, for problems found while reading the file (no column name yet).
    position: int | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.line is not None and self.position is not None:
            where = f"{where}:{self.position}"
        what = self.message if self.column is None else f"column {self.column!r}: {self.message}"
        return f"{where}: {what}"


class KzTimelineError(Exception):
    """Base of every error the package raises on purpose."""


class DataValidationError(KzTimelineError):
    """The data is invalid; `problems` lists every problem found, in file and line order."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = sorted(problems, key=_sort_key)
        super().__init__("\n".join(str(problem) for problem in self.problems))


class DataDirectoryError(KzTimelineError):
    """The data directory does not exist or is not a directory."""


class UsageError(KzTimelineError):
    """Options that contradict each other, or a file name that names no known format (the command line exits 2)."""


class GeneratedFileError(KzTimelineError):
    """A file `generate` fills in lacks the markers that say where its generated block goes."""


class WriteTargetError(KzTimelineError):
    """A path kz-timeline will not write: not a regular file, a symbolic link, or in a folder that does not exist."""


def _sort_key(problem: Problem) -> tuple[str, int, str, str]:
    return (problem.file, problem.line or 0, problem.column or "", problem.message)
