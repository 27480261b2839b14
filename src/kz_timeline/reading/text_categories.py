"""Columns of few distinct texts held as pandas categories: a code a row, each text once.

Two kinds of column: those of few values by design (vocabularies, booleans: `Column.few_values`), and any other
column outside the primary key whose first SAMPLE_ROWS values hold few distinct texts (`few_distinct`): a place, a
country, a note left mostly empty. A million events' seven vocabulary columns take a few MB as categories against
110 MB as strings. Both readers decide alike and give these columns the same form, `str` categories in sorted order,
so that a table is the same whichever parsed it; every check gives the same answers on either form.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

#: How many of a column's first values are looked at to decide whether it is held as categories.
SAMPLE_ROWS = 10_000
#: At most this share of those values may be distinct for the column to be held as categories.
DISTINCT_SHARE = 0.1


def few_distinct(distinct: int, sampled: int) -> bool:
    """Say whether a column whose first `sampled` values hold `distinct` texts is held as categories."""
    return sampled > 0 and distinct <= sampled * DISTINCT_SHARE


def text_categories(values: pd.Categorical | Sequence[str]) -> pd.Series:
    """Return `values` (texts, or categories of texts) as a categorical Series of sorted `str` categories."""
    categorical = values if isinstance(values, pd.Categorical) else pd.Categorical(list(values))
    categories = pd.Index(sorted(categorical.categories), dtype="str")
    # Each row's code, renumbered for the sorted categories (no row is missing: the readers never make NA).
    renumbered = categories.get_indexer(categorical.categories)[categorical.codes] if len(categorical) else np.zeros(0, np.int8)
    return pd.Series(pd.Categorical.from_codes(renumbered, dtype=pd.CategoricalDtype(categories)))


def is_categorical(values: pd.Series) -> bool:
    """Say whether `values` is held as categories (a column of few distinct values)."""
    return isinstance(values.dtype, pd.CategoricalDtype)


def distinct_texts(values: pd.Series) -> tuple[pd.Series, np.ndarray | None]:
    """Return the texts a whole-column check needs to look at, and each row's position among them.

    For categories, their texts and the rows' codes: a check of a million rows looks at a handful of texts. For a
    `str` column, the column itself and None (one text a row).
    """
    if is_categorical(values):
        return pd.Series(values.cat.categories, dtype="str"), values.cat.codes.to_numpy()
    return values, None


def per_row(results: np.ndarray, codes: np.ndarray | None) -> np.ndarray:
    """Return the results computed over `distinct_texts` for every row."""
    return results if codes is None else results[codes]
