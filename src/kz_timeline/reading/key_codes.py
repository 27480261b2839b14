"""Integer codes for a key column and every column that refers to it, from one hash pass over all of them.

The key's values come first, so a value has a code below `KeyCodes.distinct` exactly when the key holds it: a foreign
key resolves, or an event is cited, by comparing integers and indexing arrays instead of hashing the strings again for
every question. `SharedCodes` computes each key's codes once for all the checks that ask (they may run in threads).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from kz_timeline.arrow_columns import chunked_strings, dictionary_codes
from kz_timeline.reading.csv_files import RawTable
from kz_timeline.reading.text_categories import distinct_texts, per_row

#: A column, as (table name, column name).
ColumnName = tuple[str, str]


@dataclass(frozen=True)
class KeyCodes:
    """The codes of one key and of the columns referring to it; codes below `distinct` are values of the key."""

    distinct: int
    codes: dict[ColumnName, np.ndarray]
    key: ColumnName

    def holds(self, column: ColumnName) -> np.ndarray:
        """Return, for each row of `column`, whether its value is one of the key's."""
        return np.asarray(self.codes[column] < self.distinct)

    def rows_in_key(self, column: ColumnName) -> np.ndarray:
        """Return, for each row of `column`, the first row of the key column holding its value, or -1 where none does.

        What `pyarrow.compute.index_in(column, value_set=key)` answers, from the codes instead of a hash table.
        """
        own = self.codes[self.key]
        # Codes are given in order of first appearance, so a row holds a value first seen exactly when its code
        # exceeds every code above it; those rows, in order, are the first rows of codes 0, 1, 2...
        seen = np.maximum.accumulate(own)
        new = np.ones(len(own), dtype=bool)
        new[1:] = own[1:] > seen[:-1]
        first = np.append(np.flatnonzero(new), -1)  # the last slot answers every value the key lacks
        return np.asarray(first[np.minimum(self.codes[column], self.distinct)])

    def marked(self, columns: list[ColumnName], rows: Mapping[ColumnName, np.ndarray] | None = None) -> np.ndarray:
        """Return, for each code of the key, whether a row of `columns` (only `rows[column]`, if given) holds it."""
        found = np.zeros(self.distinct + 1, dtype=bool)  # the last slot takes every value the key does not hold
        for column in columns:
            codes = self.codes[column] if rows is None or column not in rows else self.codes[column][rows[column]]
            found[np.minimum(codes, self.distinct)] = True
        return found[: self.distinct]


def referring_columns(tables: Mapping[str, RawTable], key: ColumnName) -> list[ColumnName]:
    """Return the columns of `tables` whose foreign key points to `key`, in table order."""
    return [
        (raw.table.name, foreign_key.column)
        for raw in tables.values()
        for foreign_key in raw.table.foreign_keys
        if (foreign_key.other_table, foreign_key.other_column) == key
    ]


def key_codes(tables: Mapping[str, RawTable], key: ColumnName) -> KeyCodes:
    """Encode the key column and every column referring to it with one dictionary, the key's values first."""
    columns = [key, *referring_columns(tables, key)]
    # A column held as categories is encoded by its categories, each once, then each row takes its category's code.
    distinct = [distinct_texts(tables[name].frame[column]) for name, column in columns]
    arrays = [chunked_strings(texts) for texts, _ in distinct]
    kind = arrays[0].type
    together = pa.chunked_array([chunk for array in arrays for chunk in array.cast(kind).chunks], type=kind)
    _, every = dictionary_codes(together)
    codes, start = {}, 0
    for column, array, (_, rows) in zip(columns, arrays, distinct, strict=True):
        codes[column] = per_row(every[start : start + len(array)], rows)
        start += len(array)
    own = codes[key]
    return KeyCodes(int(own.max()) + 1 if len(own) else 0, codes, key)


@dataclass
class SharedCodes:
    """Each key's codes, computed on first request and then shared (safe to ask from several threads).

    Each key has a lock of its own: a check that asks for one key does not wait while another key is being encoded.
    """

    tables: Mapping[str, RawTable]
    _found: dict[ColumnName, KeyCodes] = field(default_factory=dict)
    _locks: dict[ColumnName, threading.Lock] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def referred_keys(self) -> list[ColumnName]:
        """Return every key that a column of the tables refers to, the one with the most values to encode first."""
        keys = sorted(
            {
                (foreign_key.other_table, foreign_key.other_column)
                for raw in self.tables.values()
                for foreign_key in raw.table.foreign_keys
                if foreign_key.other_table in self.tables
            }
        )

        def values(key: ColumnName) -> int:
            return sum(len(self.tables[name].frame) for name, _ in [key, *referring_columns(self.tables, key)])

        return sorted(keys, key=values, reverse=True)

    def __call__(self, key: ColumnName) -> KeyCodes:
        """Return the codes of `key` and of the columns referring to it."""
        with self._lock:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._found:
                self._found[key] = key_codes(self.tables, key)
            return self._found[key]
