"""The Datasette site: the SQLite database, its metadata, the server, and the files `datasette publish` sends.

- `database`: the SQLite database built from validated data (lookups, views, indexes, full-text search).
- `browsing`: the one table of facets and sorts, which the database indexes and the metadata shows.
- `datasette_metadata`: metadata.yml (descriptions, labels, facets, sorts, canned queries), from the schema.
- `server`: `make_datasette` and `serve`; `query_cache` remembers the answers of the immutable database.
- `publishing`: the files `datasette publish` needs, with the charts as static files.
- `plugins/`, `templates/`, `static/`: the Datasette plugins, templates and stylesheet, shipped in the wheel.
"""
