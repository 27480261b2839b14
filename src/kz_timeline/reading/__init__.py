"""Reading and checking the CSV files: every problem found, located by file, line and column.

- `csv_files`: read a table's file strictly (and write one canonically).
- `arrow_csv`: the fast path of that reader for files proven clean.
- `csv_diagnosis`: why a file cannot be read (encoding, delimiter, quotes, ragged rows), located exactly.
- `edtf_dates`: the EDTF subset of the `date` columns, and the columns derived from it.
- `validation`: types, vocabularies, keys, references, the event graph and quotes, checked whole columns at once.
"""
