"""Rewrite the dataset's CSV files canonically: derived columns recomputed, columns and rows in order, LF, UTF-8."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from kz_timeline.dataset.loader import read_valid_tables, resolve_data_dir
from kz_timeline.files import check_target, write_atomically
from kz_timeline.reading.csv_files import canonical_csv
from kz_timeline.reading.validation import derived_date_columns
from kz_timeline.schema.tables import EVENTS, TABLES, Table


def canonical_text(frame: pd.DataFrame, table: Table) -> str:
    """Return the canonical CSV text of a validated frame of strings."""
    if table is EVENTS:
        frame = frame.assign(**derived_date_columns(frame["date"]))
    ordered = frame[list(table.column_names)].sort_values(list(table.primary_key), kind="stable")
    return canonical_csv(table, ordered.itertuples(index=False, name=None))


def format_data(data_dir: str | Path | None = None, *, check: bool = False) -> list[Path]:
    """Rewrite every table canonically and return the files that changed; with `check`, only say which would.

    Invalid data (other than derived columns, which this recomputes) raises DataValidationError and nothing is
    written; so does a file that `check_target` refuses (a symbolic link: its target is not formatted through it).
    """
    directory = resolve_data_dir(data_dir)
    tables = read_valid_tables(directory, check_derived=False)
    changed: list[tuple[Path, str]] = []
    for table in TABLES:
        path = directory / table.filename
        text = canonical_text(tables[table.name].frame, table)
        if path.read_bytes() != text.encode("utf-8"):
            changed.append((path, text))
    if not check:
        for path, _ in changed:
            check_target(path)
        for path, text in changed:
            write_atomically(path, text)
    return [path for path, _ in changed]
