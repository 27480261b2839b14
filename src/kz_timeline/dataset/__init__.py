"""The loaded dataset: validated tables as typed DataFrames and Pydantic models, and what keeps them.

- `loader`: `load()`, one loader per table and `validate()`, over the reading stage.
- `validated_cache`: valid tables kept as Arrow files, so that loading the same bytes again skips validation.
- `csv_rewriter`: `kz-timeline fmt`, the files rewritten canonically.
"""
