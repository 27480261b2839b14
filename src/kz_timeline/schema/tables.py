"""The tables of the dataset: columns, keys and descriptions, read off the models."""

from __future__ import annotations

import datetime as dt
import types
import typing
from dataclasses import dataclass
from functools import cached_property

from pydantic import BaseModel

from kz_timeline.schema import models
from kz_timeline.schema.models import BOOLEAN, INTEGER, ISO_DATE, Derived, ValueFormat
from kz_timeline.schema.vocabularies import Vocabulary


@dataclass(frozen=True)
class Column:
    """One column of a table, as every consumer (validator, database, docs) sees it."""

    name: str
    description: str
    required: bool
    value_format: ValueFormat | None
    vocabulary: type[Vocabulary] | None
    derived_from: str | None
    python_type: type

    @property
    def type_name(self) -> str:
        """Name the column's type for people (data dictionary, metadata)."""
        if self.vocabulary is not None:
            return f"vocabulary ({len(self.vocabulary)} terms)"
        if self.value_format is not None:
            return self.value_format.name
        return "text"

    @property
    def few_values(self) -> bool:
        """Whether the column holds few distinct values by design (a vocabulary, a boolean): read as categories."""
        return self.vocabulary is not None or self.python_type is bool

    @property
    def sqlite_type(self) -> str:
        """Return the SQLite column type."""
        if self.python_type is int:
            return "INTEGER"
        return "TEXT"


@dataclass(frozen=True)
class ForeignKey:
    """A column whose values must exist in another table's key column."""

    column: str
    other_table: str
    other_column: str


@dataclass(frozen=True)
class Table:
    """A CSV file of the dataset and the model of its rows."""

    name: str
    model: type[BaseModel]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...]
    label_column: str
    #: The rows' natural order, what loaders return, when it is not the primary key's (the files' order).
    order: tuple[str, ...] = ()

    @property
    def row_order(self) -> tuple[str, ...]:
        """Return the columns the rows are ordered by when loaded: `order`, else the primary key."""
        return self.order or self.primary_key

    @property
    def filename(self) -> str:
        """Return the CSV file name."""
        return f"{self.name}.csv"

    @property
    def description(self) -> str:
        """Return the table's description (the model's docstring)."""
        return (self.model.__doc__ or "").strip()

    @cached_property
    def columns(self) -> tuple[Column, ...]:
        """Return the columns in file order."""
        return tuple(_column(name, field) for name, field in self.model.model_fields.items())

    @property
    def column_names(self) -> tuple[str, ...]:
        """Return the column names in file order."""
        return tuple(column.name for column in self.columns)

    def column(self, name: str) -> Column:
        """Return one column by name."""
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)


def _unwrap(annotation: object) -> tuple[object, bool, list[object]]:
    """Split an annotation into its base type, whether None is allowed, and its Annotated metadata."""
    optional = False
    metadata: list[object] = []
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            base, *extra = typing.get_args(annotation)
            metadata.extend(extra)
            annotation = base
        elif origin in (typing.Union, types.UnionType):
            members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
            optional = True
            annotation = members[0]
        else:
            return annotation, optional, metadata


def _column(name: str, field: typing.Any) -> Column:
    base, optional, metadata = _unwrap(field.annotation)
    metadata.extend(field.metadata)
    value_format = next((m for m in metadata if isinstance(m, ValueFormat)), None)
    derived = next((m for m in metadata if isinstance(m, Derived)), None)
    vocabulary = base if isinstance(base, type) and issubclass(base, Vocabulary) else None
    python_type: type
    if base is dt.date:
        python_type, value_format = dt.date, value_format or ISO_DATE
    elif base is int:
        python_type, value_format = int, value_format or INTEGER
    elif base is bool:
        python_type, value_format = bool, value_format or BOOLEAN
    elif typing.get_origin(base) is tuple:
        python_type = tuple
    else:
        python_type = str
    return Column(
        name=name,
        description=field.description or "",
        required=not optional and field.is_required(),
        value_format=value_format,
        vocabulary=vocabulary,
        derived_from=derived.source_column if derived else None,
        python_type=python_type,
    )


def _fk(column: str, table: str, other: str | None = None) -> ForeignKey:
    return ForeignKey(column, table, other or column)


EVENTS = Table("events", models.Event, ("event_id",), (), "title", order=("date_start", "event_id"))
ACTORS = Table("actors", models.Actor, ("actor_id",), (), "name", order=("name", "actor_id"))
SOURCES = Table("sources", models.Source, ("source_id",), (), "title")
PARTICIPANTS = Table(
    "participants",
    models.Participant,
    ("event_id", "actor_id", "role"),
    (_fk("event_id", "events"), _fk("actor_id", "actors")),
    "role",
)
EVENT_LINKS = Table(
    "event_links",
    models.EventLink,
    ("from_event_id", "to_event_id", "relation"),
    (_fk("from_event_id", "events", "event_id"), _fk("to_event_id", "events", "event_id")),
    "relation",
)
CLAIMS = Table(
    "claims",
    models.Claim,
    ("claim_id",),
    (
        _fk("claimant_id", "actors", "actor_id"),
        _fk("source_id", "sources"),
        _fk("event_id", "events"),
        _fk("actor_id", "actors"),
    ),
    "statement",
    # Each source's claims in the order a reader meets them.
    order=("source_id", "quote_start", "claim_id"),
)
EVIDENCE = Table(
    "evidence",
    models.Evidence,
    ("evidence_id",),
    (_fk("claim_id", "claims"), _fk("source_id", "sources"), _fk("event_id", "events")),
    "evidence_id",
)

#: Every table, in dependency order (a table's foreign keys point only to tables before it).
TABLES: tuple[Table, ...] = (EVENTS, ACTORS, SOURCES, PARTICIPANTS, EVENT_LINKS, CLAIMS, EVIDENCE)
TABLES_BY_NAME: dict[str, Table] = {table.name: table for table in TABLES}


def table(name: str) -> Table:
    """Return the table called `name`, or raise KeyError naming the known tables."""
    try:
        return TABLES_BY_NAME[name]
    except KeyError:
        raise KeyError(f"no table {name!r}; the tables are {', '.join(TABLES_BY_NAME)}") from None
