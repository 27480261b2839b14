"""Write the data dictionary (tables, columns, vocabularies) as Markdown, from the models."""

from __future__ import annotations

from kz_timeline.schema.tables import TABLES
from kz_timeline.schema.vocabularies import VOCABULARIES


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def data_dictionary() -> str:
    """Return the data dictionary of every table and vocabulary as Markdown."""
    parts: list[str] = []
    for table in TABLES:
        keys = ", ".join(table.primary_key)
        parts.append(f"### `{table.filename}`\n\n{table.description} Primary key: {keys}.\n")
        references = {fk.column: f"{fk.other_table}.{fk.other_column}" for fk in table.foreign_keys}
        parts.append("| column | type | required | description |\n|---|---|---|---|")
        for column in table.columns:
            kind = column.type_name
            if column.vocabulary is not None:
                kind = f"[{column.vocabulary.__name__}](#{column.vocabulary.__name__.lower()})"
            if column.name in references:
                kind += f" → {references[column.name]}"
            if column.derived_from:
                kind += f", derived from {column.derived_from}"
            required = "yes" if column.required else ""
            parts.append(f"| `{column.name}` | {kind} | {required} | {_cell(column.description)} |")
        parts.append("")
    parts.append("### Vocabularies\n")
    for vocabulary in VOCABULARIES.values():
        doc = (vocabulary.__doc__ or "").strip()
        parts.append(f"#### {vocabulary.__name__}\n\n{doc}\n")
        parts.append("| value | description |\n|---|---|")
        parts.extend(f"| `{value}` | {_cell(description)} |" for value, description in vocabulary.terms().items())
        parts.append("")
    return "\n".join(parts).rstrip() + "\n"
