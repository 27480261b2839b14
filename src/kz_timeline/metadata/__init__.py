"""Files that describe the dataset, generated from the schema and the data (`kz-timeline generate`).

- `description`: the package's name, title, description and licences, and the op-ed it is about.
- `datapackage`: datapackage.json (Frictionless Data Package v2).
- `citation`: CITATION.cff.
- `data_dictionary`: the README's data dictionary, in Markdown.
- `generated`: every generated file of the repository, and the one way to rewrite or check them.
"""
