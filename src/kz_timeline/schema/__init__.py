"""The dataset's definition, written once: controlled vocabularies, the Pydantic models of the rows, the tables.

- `vocabularies`: every allowed value of a coded column, with its description.
- `models`: one model per table; each column's name, type and description.
- `tables`: the tables as every later stage sees them (columns, keys, file names), read off the models.
"""
