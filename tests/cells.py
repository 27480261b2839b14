"""Edit one cell of a fixture CSV file, keeping the file valid CSV whatever the value holds."""

from __future__ import annotations

import csv
from pathlib import Path


def set_cell(path: Path, key_column: str, key: str, column: str, value: str) -> None:
    """Set `column` of the row whose `key_column` is `key` to `value`, failing loudly when there is no such row."""
    with path.open(encoding="utf-8", newline="") as stream:
        reader = csv.DictReader(stream)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    matches = [row for row in rows if row[key_column] == key]
    assert len(matches) == 1, f"no single row with {key_column}={key!r} in {path}"
    assert column in fields, f"no column {column!r} in {path}"
    matches[0][column] = value
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
