"""Describe the dataset as a Frictionless Data Package (v2), generated from the models, vocabularies and sources."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kz_timeline.dataset.op_ed import op_ed_sources
from kz_timeline.metadata.description import (
    DATA_LICENCE,
    PACKAGE_DESCRIPTION,
    PACKAGE_NAME,
    PACKAGE_TITLE,
    read_sources,
)
from kz_timeline.schema.models import ALIAS_SEPARATOR, Source
from kz_timeline.schema.tables import TABLES, Column, Table

PACKAGE_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
RESOURCE_PROFILE = "https://datapackage.org/profiles/2.0/dataresource.json"
TABLE_SCHEMA_PROFILE = "https://datapackage.org/profiles/2.0/tableschema.json"

#: Table Schema types of the value formats that are not plain strings.
_FORMAT_TYPES = {"iso_date": "date", "integer": "integer", "boolean": "boolean"}


def _pattern(regex: str) -> str:
    """Return a Table Schema pattern: XML Schema regexes are anchored and have no non-capturing groups."""
    return regex.removeprefix("^").removesuffix("$").replace("(?:", "(")


def field_descriptor(column: Column, table: Table) -> dict[str, Any]:
    """Return the Table Schema field of one column."""
    field: dict[str, Any] = {"name": column.name, "description": column.description}
    constraints: dict[str, Any] = {}
    if column.required:
        constraints["required"] = True
    if column.name in table.primary_key and len(table.primary_key) == 1:
        constraints["unique"] = True
    value_format = column.value_format
    if column.vocabulary is not None:
        field["type"] = "string"
        field["categories"] = [{"value": value, "label": label} for value, label in column.vocabulary.terms().items()]
        constraints["enum"] = list(column.vocabulary.terms())
    elif value_format is not None and value_format.name in _FORMAT_TYPES:
        field["type"] = _FORMAT_TYPES[value_format.name]
        if field["type"] == "date":
            field["format"] = "default"
        elif field["type"] == "integer":
            constraints["minimum"] = 0
        else:
            field["trueValues"], field["falseValues"] = ["true"], ["false"]
    elif value_format is not None and value_format.name == "alias_list":
        field["type"] = "list"
        field["delimiter"] = ALIAS_SEPARATOR
        field["itemType"] = "string"
    else:
        field["type"] = "string"
        if value_format is not None:
            if value_format.name == "url":
                field["format"] = "uri"
            constraints["pattern"] = _pattern(value_format.pattern)
        elif column.required:
            constraints["minLength"] = 1
    if constraints:
        field["constraints"] = constraints
    return field


def resource_descriptor(table: Table) -> dict[str, Any]:
    """Return the Data Resource of one table, its Table Schema inline."""
    schema: dict[str, Any] = {
        "$schema": TABLE_SCHEMA_PROFILE,
        "fields": [field_descriptor(column, table) for column in table.columns],
        "missingValues": [""],
        "primaryKey": list(table.primary_key),
    }
    if table.foreign_keys:
        schema["foreignKeys"] = [
            {"fields": [fk.column], "reference": {"resource": fk.other_table, "fields": [fk.other_column]}}
            for fk in table.foreign_keys
        ]
    return {
        "$schema": RESOURCE_PROFILE,
        "name": table.name,
        "type": "table",
        "path": f"data/{table.filename}",
        "scheme": "file",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "title": table.name.replace("_", " ").capitalize(),
        "description": table.description,
        "dialect": {"header": True, "delimiter": ",", "quoteChar": '"', "doubleQuote": True, "lineTerminator": "\n"},
        "schema": schema,
    }


def _source_entry(source: Source) -> dict[str, str]:
    entry = {"title": f"{source.author + ': ' if source.author else ''}{source.title}"}
    if source.publisher:
        entry["title"] += f" ({source.publisher}{', ' + source.published if source.published else ''})"
    if source.url:
        entry["path"] = source.url
    return entry


def package_descriptor(data_dir: str | Path | None = None) -> dict[str, Any]:
    """Return the Data Package descriptor of the dataset in `data_dir` (the shipped data by default)."""
    from kz_timeline import __version__

    sources = read_sources(data_dir)
    package_sources = [_source_entry(source) for source in op_ed_sources(sources)]
    package_sources.append(
        {"title": f"The {len(sources)} sources in data/sources.csv: the op-ed's copies and the public record set beside it"}
    )
    return {
        "$schema": PACKAGE_PROFILE,
        "name": PACKAGE_NAME,
        "title": PACKAGE_TITLE,
        "description": PACKAGE_DESCRIPTION,
        "version": __version__,
        "licenses": [DATA_LICENCE],
        "sources": package_sources,
        "contributors": [{"title": "kz-timeline developers", "roles": ["creator"]}],
        "keywords": ["Kazakhstan", "op-ed", "fact-checking", "timeline", "claims", "EDTF"],
        "resources": [resource_descriptor(table) for table in TABLES],
    }


def datapackage_json(data_dir: str | Path | None = None) -> str:
    """Return datapackage.json's text: the descriptor, indented, keys in a stable order, LF, final newline."""
    return json.dumps(package_descriptor(data_dir), indent=2, ensure_ascii=False) + "\n"
