"""load() gives typed DataFrames and validated Pydantic models."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

import kz_timeline
from kz_timeline.schema.models import Actor, Claim, Event
from kz_timeline.schema.tables import TABLES, Table
from tests.conftest import DATA_DIR, REPO_ROOT


def test_frames_have_analysis_dtypes(minimal_dir: Path) -> None:
    data = kz_timeline.load(minimal_dir)
    events = data.events
    assert events["date_start"].dtype.kind == "M"
    assert events["date_end"].dtype.kind == "M"
    assert isinstance(events["event_type"].dtype, pd.CategoricalDtype)
    assert list(events["date_precision"].cat.categories) == ["day", "month", "year", "decade", "century"]
    assert events["is_key_event"].dtype == bool
    assert pd.api.types.is_string_dtype(events["title"])
    assert data.claims["quote_start"].dtype == "int64"
    assert events.loc[events["event_id"] == "editor_sentenced", "date_end"].iloc[0] == pd.Timestamp("2017-09-30")


def test_empty_optional_cells_are_missing_not_empty_strings(minimal_dir: Path) -> None:
    data = kz_timeline.load(minimal_dir)
    assert data.events["date_note"].isna().all()
    assert data.actors.set_index("actor_id").loc["president", "aliases"] is pd.NA or pd.isna(
        data.actors.set_index("actor_id").loc["president", "aliases"]
    )


@pytest.mark.parametrize("table", [table.name for table in TABLES])
def test_every_table_has_its_columns_in_model_order(minimal_dir: Path, table: str) -> None:
    data = kz_timeline.load(minimal_dir)
    assert list(data[table].columns) == list(kz_timeline.TABLES[[t.name for t in TABLES].index(table)].column_names)


def test_models_are_validated_pydantic_rows(minimal_dir: Path) -> None:
    models = kz_timeline.load(minimal_dir).models
    event = next(e for e in models.events if e.event_id == "editor_sentenced")
    assert isinstance(event, Event)
    assert event.date_start == dt.date(2017, 9, 1) and event.date_end == dt.date(2017, 9, 30)
    editor = next(a for a in models.actors if a.actor_id == "editor")
    assert isinstance(editor, Actor)
    assert editor.aliases == ("Редактор", "Editor X")
    assert all(isinstance(claim, Claim) for claim in models.claims)


@pytest.mark.parametrize("table", TABLES, ids=lambda table: table.name)
def test_each_per_table_loader_returns_the_rows_of_its_own_file(minimal_dir: Path, table: Table) -> None:
    frame = getattr(kz_timeline, f"load_{table.name}")(minimal_dir)
    with (minimal_dir / table.filename).open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert list(frame.columns) == list(table.column_names)
    key = table.primary_key[0]
    assert sorted(str(value) for value in frame[key]) == sorted(row[key] for row in rows)  # the file's rows (natural order)


def test_load_of_invalid_data_raises_with_every_problem(minimal_dir: Path) -> None:
    (minimal_dir / "events.csv").write_text("event_id\n", encoding="utf-8")
    with pytest.raises(kz_timeline.DataValidationError) as caught:
        kz_timeline.load(minimal_dir)
    assert len(caught.value.problems) == 14  # every missing column of events.csv


@pytest.mark.parametrize("table", TABLES, ids=lambda table: table.name)
def test_every_loader_returns_its_rows_in_the_tables_natural_order(table: Table) -> None:
    data = kz_timeline.load()
    frame = data.frame(table.name)
    keys = list(frame[list(table.row_order)].itertuples(index=False, name=None))
    assert len(keys) > 0 and keys == sorted(keys)
    assert isinstance(frame.index, pd.RangeIndex)
    pd.testing.assert_frame_equal(getattr(kz_timeline, f"load_{table.name}")(), frame)
    models = getattr(data.models, table.name)
    key = list(table.primary_key)
    assert [tuple(str(getattr(model, column)) for column in key) for model in models] == list(
        frame[key].astype(str).itertuples(index=False, name=None)
    )


def test_events_load_in_date_order_not_in_the_files_order() -> None:
    with (DATA_DIR / "events.csv").open(encoding="utf-8", newline="") as stream:
        in_file = [row["event_id"] for row in csv.DictReader(stream)]
    events = kz_timeline.load().events
    assert events["event_id"].tolist() != in_file and sorted(events["event_id"]) == sorted(in_file)
    assert events["date_start"].is_monotonic_increasing
    assert events["event_id"].iloc[0] == min(
        in_file, key=lambda event_id: (events.set_index("event_id").loc[event_id, "date_start"], event_id)
    )


@pytest.mark.parametrize("table", TABLES, ids=lambda table: table.name)
def test_the_python_page_documents_each_tables_order(table: Table) -> None:
    page = (REPO_ROOT / "docs" / "python.md").read_text(encoding="utf-8")
    (row,) = [line for line in page.splitlines() if line.startswith(f"| `{table.name}` |")]
    positions = [row.index(f"`{column}`") for column in table.row_order]
    assert positions == sorted(positions), row
