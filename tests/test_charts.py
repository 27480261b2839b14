"""Charts: what each spec draws (marks, encodings, UTC times, one datum per event, tooltips), and its renderings."""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd
import pytest

from kz_timeline.charts.builders import CHART_KINDS, ChartError, make_chart
from kz_timeline.charts.frames import MAX_ROWS, timeline_frame
from kz_timeline.charts.layout import LABEL_LEVELS, NARROW_WIDTH, WIDTH
from kz_timeline.charts.rendering import FORMATS, RenderError, render_chart, script_safe_json
from kz_timeline.dataset.loader import Dataset, load
from kz_timeline.schema.vocabularies import Verification
from tests.conftest import REPO_ROOT
from tests.helpers import replace_in


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return load()


@pytest.fixture(scope="module")
def specs(dataset: Dataset) -> dict[str, dict[str, Any]]:
    return {kind: make_chart(dataset, kind).to_dict() for kind in CHART_KINDS}


def walk(node: Any) -> Iterator[dict[str, Any]]:
    """Yield every dict in a spec, depth first."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def views(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Return every unit view (a dict with a mark) of a spec."""
    return [node for node in walk(spec) if "mark" in node]


def mark_type(view: dict[str, Any]) -> str:
    mark = view["mark"]
    return str(mark["type"] if isinstance(mark, dict) else mark)


def dataset_of(spec: dict[str, Any], view: dict[str, Any]) -> list[dict[str, Any]]:
    data = view.get("data") or spec.get("data")
    assert data is not None, "a view without data"
    rows: list[dict[str, Any]] = spec["datasets"][data["name"]]
    return rows


def main_rows(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the rows of the timeline's main view: the frame of events with their rows in the lanes."""
    for rows in spec["datasets"].values():
        if rows and "row_offset" in rows[0]:
            return list(rows)
    raise AssertionError("no main view")


# --- make_chart -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", CHART_KINDS)
def test_make_chart_returns_an_altair_chart_that_validates_against_the_vega_lite_schema(dataset: Dataset, kind: str) -> None:
    chart = make_chart(dataset, kind)
    assert isinstance(chart, alt.TopLevelMixin)
    spec = chart.to_dict(validate=True)
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/v6")


def test_make_chart_rejects_an_unknown_kind_naming_the_known_ones(dataset: Dataset) -> None:
    with pytest.raises(ChartError, match=r"unknown chart kind 'gantt'; choose one of timeline, actors, claims"):
        make_chart(dataset, "gantt")


def test_every_time_is_utc_scale_format_and_datum(specs: dict[str, dict[str, Any]]) -> None:
    temporal = 0
    for kind, spec in specs.items():
        for node in walk(spec):
            if node.get("type") == "temporal" and "field" in node:
                temporal += 1
                assert node.get("scale", {}).get("type") == "utc", (kind, node)
                axis = node.get("axis")
                if axis:
                    assert axis["formatType"] == "utc", (kind, node)
        for rows in spec["datasets"].values():
            for row in rows:
                for key in ("start", "end", "time", "middle", "open_until"):
                    if key in row:
                        assert row[key].endswith("+00:00"), (kind, key, row[key])
    assert temporal >= 10


# --- the timeline ----------------------------------------------------------------------------------------------------


def test_timeline_draws_one_datum_per_event(dataset: Dataset, specs: dict[str, dict[str, Any]]) -> None:
    rows = main_rows(specs["timeline"])
    assert sorted(row["event_id"] for row in rows) == sorted(dataset.events["event_id"])


def test_timeline_draws_points_bars_range_caps_open_ends_and_labels(specs: dict[str, dict[str, Any]]) -> None:
    marks = [mark_type(view) for view in views(specs["timeline"])]
    for mark in ("point", "bar", "tick", "rule", "text"):
        assert mark in marks, mark


def test_timeline_day_precise_instant_is_a_point_with_its_own_day(specs: dict[str, dict[str, Any]]) -> None:
    spief = next(row for row in main_rows(specs["timeline"]) if row["event_id"] == "spief_plenary_2022")
    assert spief["mark"] == "point"
    assert spief["date_text"] == "17 June 2022"
    assert spief["start"] == "2022-06-17T00:00:00+00:00"
    assert spief["middle"] == "2022-06-17T12:00:00+00:00"


@pytest.mark.parametrize(
    ("event_id", "date_text", "start", "end"),
    [
        ("mamai_convicted_2017", "7 September 2017", "2017-09-07", "2017-09-08"),
        ("ablyazov_leaves_uk_2012", "February 2012", "2012-02-01", "2012-03-01"),
        ("dpk_founded_2019", "2019", "2019-01-01", "2020-01-01"),
        ("january_2022_unrest", "2 to 11 January 2022", "2022-01-02", "2022-01-12"),
        ("russia_invades_ukraine_2022", "from 24 February 2022 (ongoing)", "2022-02-24", "2022-02-25"),
    ],
)
def test_timeline_bars_span_the_whole_period_with_an_exclusive_end(
    specs: dict[str, dict[str, Any]], event_id: str, date_text: str, start: str, end: str
) -> None:
    row = next(row for row in main_rows(specs["timeline"]) if row["event_id"] == event_id)
    assert row["date_text"] == date_text
    assert row["start"] == f"{start}T00:00:00+00:00"
    assert row["end"] == f"{end}T00:00:00+00:00"


def test_timeline_open_ends_run_to_the_axis_end(specs: dict[str, dict[str, Any]]) -> None:
    rows = {row["event_id"]: row for row in main_rows(specs["timeline"])}
    assert rows["russia_invades_ukraine_2022"]["end_status"] == "open"
    latest_end = max(row["end"] for row in rows.values())
    assert {row["open_until"] for row in rows.values()} == {
        "2025-01-01T00:00:00+00:00"
    } and latest_end <= "2025-01-01T00:00:00+00:00"
    rules = [view for view in views(specs["timeline"]) if mark_type(view) == "rule"]
    assert any(view["encoding"].get("x2", {}).get("field") == "open_until" and view["mark"]["strokeDash"] for view in rules)


def test_timeline_unknown_ends_run_to_the_axis_end_too(minimal_dir: Path) -> None:
    replace_in(
        minimal_dir / "events.csv",
        "2017-09,2017-09-01,2017-09-30,month,exact,closed",
        "2017-09-07?/,2017-09-07,,day,uncertain,unknown",
    )
    spec = make_chart(load(minimal_dir), "timeline").to_dict()
    (row,) = [row for row in main_rows(spec) if row["event_id"] == "editor_sentenced"]
    assert row["end_status"] == "unknown"
    assert row["date_text"] == "from perhaps 7 September 2017 (end unknown)"
    rules = [view for view in views(spec) if mark_type(view) == "rule"]
    assert any(view["encoding"].get("x2", {}).get("field") == "open_until" and view["mark"]["strokeDash"] for view in rules)


def test_timeline_tooltip_gives_title_date_type_actors_quote_and_verification(specs: dict[str, dict[str, Any]]) -> None:
    point = next(view for view in views(specs["timeline"]) if mark_type(view) == "point")
    titles = [tooltip["title"] for tooltip in point["encoding"]["tooltip"]]
    assert titles == ["Event", "Date", "Type", "Theme", "Actors", "Op-ed", "Verification"]
    spief = next(row for row in main_rows(specs["timeline"]) if row["event_id"] == "spief_plenary_2022")
    assert "Kassym-Jomart Tokayev (speaker)" in spief["actors"]
    assert spief["quote"] and spief["verification"]
    assert spief["type"] == "Statement" and spief["theme"] == "Ukraine war and diplomacy"


def test_timeline_labels_exactly_the_key_events_without_overlap(dataset: Dataset, specs: dict[str, dict[str, Any]]) -> None:
    rows = main_rows(specs["timeline"])
    labelled = sorted(row["event_id"] for row in rows if row.get("align"))
    key = sorted(dataset.events.loc[dataset.events["is_key_event"], "event_id"])
    assert labelled == key
    frame = pd.DataFrame([row for row in rows if row.get("align")])
    assert frame["label_offset"].nunique() <= LABEL_LEVELS
    for _, same in frame.groupby(["lane", "label_offset"]):
        middles = pd.to_datetime(same["middle"])
        ordered = same.assign(middle=middles).sort_values("middle")
        # Labels on one level of one lane: a left-aligned label never runs into the next label's start.
        for (_, first), (_, second) in zip(ordered.iterrows(), ordered.iloc[1:].iterrows(), strict=False):
            assert not (first["align"] == "left" and second["align"] == "right"), (first["title"], second["title"])


def test_timeline_legend_filters_and_overview_brush_drives_the_main_domain(specs: dict[str, dict[str, Any]]) -> None:
    spec = specs["timeline"]
    params = {
        param["name"]: param
        for node in walk(spec)
        for param in node.get("params", [])
        if isinstance(param, dict) and "select" in param
    }
    assert params["pick"]["bind"] == "legend"
    assert params["brush"]["select"]["encodings"] == ["x"]
    domains = [
        node["scale"]["domain"]
        for node in walk(spec)
        if isinstance(node.get("scale"), dict) and isinstance(node["scale"].get("domain"), dict)
    ]
    assert {"param": "brush", "encoding": "x"} in domains


# --- actors and claims -------------------------------------------------------------------------------------------------


def test_actors_chart_has_a_mark_per_participation_coloured_by_role_family_and_rules_joining_each_event(
    dataset: Dataset, specs: dict[str, dict[str, Any]]
) -> None:
    spec = specs["actors"]
    by_mark = {mark_type(view): view for view in views(spec)}
    points = dataset_of(spec, by_mark["point"])
    assert len(points) == len(dataset.participants)
    assert by_mark["point"]["encoding"]["color"]["field"] == "family"
    assert {"field": "role", "title": "Role", "type": "nominal"} in by_mark["point"]["encoding"]["tooltip"]
    mamai = next(row for row in points if row["actor_id"] == "mamai" and row["role"] == "Defendant")
    assert mamai["family"] == "Accused or targeted"
    joins = dataset_of(spec, next(view for view in views(spec) if "y2" in view.get("encoding", {})))
    spief = next(row for row in joins if row["event_id"] == "spief_plenary_2022")
    assert spief["top"] != spief["bottom"] and spief["actors"] >= 2


def test_claims_chart_groups_every_op_ed_claim_by_verification(dataset: Dataset, specs: dict[str, dict[str, Any]]) -> None:
    spec = specs["claims"]
    squares = next(view for view in views(spec) if mark_type(view) == "square")
    rows = dataset_of(spec, squares)
    assert len(rows) == len(dataset.claims)
    order = [row["verification"] for row in rows]
    labels = ["Corroborated", "Partly corroborated", "Contested", "Contradicted", "Unverified", "Opinion, not rated"]
    assert order == sorted(order, key=labels.index)
    bars = [view for view in views(spec) if mark_type(view) == "bar" and view["encoding"]["color"]["field"] == "relation"]
    assert bars, "no evidence bars"


def test_claims_chart_counts_the_labels_of_the_data_and_shows_each_verdict(
    dataset: Dataset, specs: dict[str, dict[str, Any]]
) -> None:
    spec = specs["claims"]
    summary = next(
        view for view in views(spec) if mark_type(view) == "bar" and view["encoding"]["color"]["field"] == "verification"
    )
    counted = {row["verification"]: row["claims"] for row in dataset_of(spec, summary)}
    labels = dataset.claims["verification"].map(lambda value: Verification(value).label)
    assert counted == labels.value_counts().to_dict()
    assert counted["Opinion, not rated"] == int((dataset.claims["claim_type"] == "opinion").sum()) > 0
    squares = next(view for view in views(spec) if mark_type(view) == "square")
    assert [tooltip["title"] for tooltip in squares["encoding"]["tooltip"]] == ["Claim", "Op-ed", "Label", "Verdict"]
    verdicts = {row["claim_id"]: row["verdict"] for row in dataset_of(spec, squares)}
    assert verdicts == dict(zip(dataset.claims["claim_id"], dataset.claims["verdict"], strict=True))


# --- rendering ---------------------------------------------------------------------------------------------------------


def test_render_chart_rejects_an_unknown_format(dataset: Dataset) -> None:
    with pytest.raises(RenderError, match="unknown format 'gif'; choose one of html, png, svg, json"):
        render_chart(make_chart(dataset, "timeline"), "gif")


def test_render_json_is_the_charts_spec(dataset: Dataset, specs: dict[str, dict[str, Any]]) -> None:
    assert json.loads(render_chart(make_chart(dataset, "timeline"), "json")) == specs["timeline"]


@pytest.fixture(scope="module")
def timeline_svg(dataset: Dataset) -> str:
    return render_chart(make_chart(dataset, "timeline"), "svg").decode("utf-8")


def test_svg_shows_the_titles_of_the_key_events(dataset: Dataset, timeline_svg: str) -> None:
    text = html.unescape(timeline_svg)
    for title in dataset.events.loc[dataset.events["is_key_event"], "title"]:
        assert title in text, title


def test_svg_is_reproducible_with_renumbered_clip_ids(dataset: Dataset, timeline_svg: str) -> None:
    assert render_chart(make_chart(dataset, "timeline"), "svg").decode("utf-8") == timeline_svg
    ids = re.findall(r'id="(clip\d+)"', timeline_svg)
    assert ids == [f"clip{n}" for n in range(len(ids))]


def test_png_is_a_png(dataset: Dataset) -> None:
    png = render_chart(make_chart(dataset, "actors"), "png")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


def test_html_is_self_contained_without_network(dataset: Dataset) -> None:
    page = render_chart(make_chart(dataset, "claims"), "html").decode("utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "<script src" not in page and "<link" not in page
    assert "vegaEmbed(" in page
    assert len(page) < 3_000_000


def test_html_is_reproducible(dataset: Dataset) -> None:
    chart = make_chart(dataset, "actors")
    assert render_chart(chart, "html") == render_chart(make_chart(dataset, "actors"), "html")


def test_html_escapes_data_that_would_end_the_script_element() -> None:
    hostile = "</script><script>alert('x')</script><!--"
    chart = alt.Chart(pd.DataFrame({"a": [1]}), title=hostile).mark_point().encode(x="a:Q")
    page = render_chart(chart, "html").decode("utf-8")
    assert page.count("</script>") == 2
    assert "<script>alert" not in page and "<!--" not in page
    assert "\\u003c/script\\u003e\\u003cscript\\u003ealert('x')" in page
    assert "&lt;/script&gt;" in page.split("<title>")[1].split("</title>")[0]


def test_script_safe_json_round_trips() -> None:
    value = {"t": "a</script>&\u2028b"}
    assert json.loads(script_safe_json(value)) == value


def test_formats_are_the_documented_ones() -> None:
    assert FORMATS == ("html", "png", "svg", "json")


# --- big datasets are aggregated ---------------------------------------------------------------------------------------


def synthetic(dataset: Dataset, events: int) -> Dataset:
    """Return the shipped dataset with `events` events (copies of the real ones on shifted ids) and participants."""
    tables = dict(dataset.text_tables)
    base = tables["events"]
    copies = -(-events // len(base))
    frame = pd.concat([base] * copies, ignore_index=True).head(events).copy()
    frame["event_id"] = [f"{event_id}-{n}" for n, event_id in enumerate(frame["event_id"])]
    tables["events"] = frame
    participants = tables["participants"]
    first = participants.drop_duplicates("event_id").set_index("event_id")
    original = frame["event_id"].str.rsplit("-", n=1).str[0]
    tables["participants"] = pd.DataFrame(
        {
            "event_id": frame["event_id"],
            "actor_id": original.map(first["actor_id"]).fillna("ablyazov"),
            "role": original.map(first["role"]).fillna("subject"),
            "note": "",
        }
    )
    tables["claims"] = tables["claims"].assign(event_id="")
    return Dataset(dataset.data_dir, tables)


def test_timeline_of_more_than_max_rows_events_counts_them_per_lane_and_month(dataset: Dataset) -> None:
    big = synthetic(dataset, MAX_ROWS + 1)
    spec = make_chart(big, "timeline").to_dict()
    rects = [view for view in views(spec) if mark_type(view) == "rect"]
    assert rects and rects[0]["encoding"]["color"]["field"] == "events"
    rows = dataset_of(spec, rects[0])
    assert sum(row["events"] for row in rows) == MAX_ROWS + 1
    assert len(rows) < MAX_ROWS
    assert all(row["start"].endswith("+00:00") for row in rows)
    texts = [view for view in views(spec) if mark_type(view) == "text"]
    labelled = [row for row in dataset_of(spec, texts[0]) if row.get("align")]
    assert labelled and len(labelled) <= 20


def test_the_counted_timelines_overview_says_on_hover_how_many_events_each_period_has(dataset: Dataset) -> None:
    big = synthetic(dataset, MAX_ROWS + 1)
    spec = make_chart(big, "timeline").to_dict()
    overview = next(view for view in views(spec) if view.get("name") == "overview")
    tooltip = overview["encoding"]["tooltip"]
    assert [(item["field"], item.get("aggregate")) for item in tooltip] == [("period_text", None), ("events", "sum")]
    svg = render_chart(make_chart(big, "timeline"), "svg")
    assert svg.startswith(b"<svg")  # Vega accepts the encoding (an aggregate grouped by the period's text too)


def test_actors_of_more_than_max_rows_participations_are_counted_per_year(dataset: Dataset) -> None:
    big = synthetic(dataset, MAX_ROWS + 1)
    spec = make_chart(big, "actors").to_dict()
    rects = [view for view in views(spec) if mark_type(view) == "rect"]
    rows = dataset_of(spec, rects[0])
    assert sum(row["parts"] for row in rows) == MAX_ROWS + 1
    ablyazov_2013 = next(row for row in rows if row["actor"] == "Mukhtar Ablyazov" and row["year"] == "2013")
    assert ablyazov_2013["start"] == "2013-01-01T00:00:00+00:00" and ablyazov_2013["end"] == "2014-01-01T00:00:00+00:00"


def test_the_busiest_actors_do_not_depend_on_the_rows_order(dataset: Dataset) -> None:
    from kz_timeline.charts.frames import participation_counts

    big = synthetic(dataset, MAX_ROWS + 1)
    tables = dict(big.text_tables)
    tied = sorted(tables["actors"]["actor_id"])[:8]  # eight actors with the same number of parts: a tie at the cut
    participants = tables["participants"].head(8 * (len(tables["participants"]) // 8)).copy()
    participants["actor_id"] = [tied[n % 8] for n in range(len(participants))]
    tables["participants"] = participants
    expected = participation_counts(Dataset(big.data_dir, tables), 3)
    assert sorted(expected["actor"].unique()) == sorted(big.actors.set_index("actor_id").loc[tied[:3], "name"])
    for seed in range(3):
        shuffled = dict(tables, participants=participants.sample(frac=1, random_state=seed).reset_index(drop=True))
        pd.testing.assert_frame_equal(participation_counts(Dataset(big.data_dir, shuffled), 3), expected)


@pytest.mark.slow
def test_each_counted_actor_year_has_a_text_alternative_in_the_rendered_svg(dataset: Dataset) -> None:
    big = synthetic(dataset, MAX_ROWS + 1)
    chart = make_chart(big, "actors")
    rows = dataset_of(chart.to_dict(), next(view for view in views(chart.to_dict()) if mark_type(view) == "rect"))
    svg = render_chart(chart, "svg").decode("utf-8")
    labels = set(re.findall(r'aria-label="([^"]*)"', html.unescape(svg).replace("&quot;", '"')))
    for row in rows[:5] + rows[-5:]:
        assert f"{row['actor']}, {row['year']}: {row['parts']} parts" in labels


@pytest.mark.slow
def test_a_dataset_at_max_rows_is_still_drawn_event_by_event(dataset: Dataset) -> None:
    spec = make_chart(synthetic(dataset, MAX_ROWS), "timeline").to_dict()
    assert len(main_rows(spec)) == MAX_ROWS


def test_timeline_frame_maps_categories_to_labels(dataset: Dataset) -> None:
    frame = timeline_frame(dataset)
    assert set(frame["lane"]) <= {
        "Ukraine war and diplomacy",
        "Sanctions",
        "January 2022 unrest",
        "Domestic reform",
        "Mamai case",
        "Ablyazov cases",
        "Op-ed",
    }
    assert "Trials and rulings" in set(frame["group"]) and "Court ruling" in set(frame["type"])
    assert (frame["group"] == frame["family"]).all()
    by_type = timeline_frame(dataset, "event_type")
    assert (by_type["group"] == by_type["theme"]).all()


# --- the README image ---------------------------------------------------------------------------------------------------


def test_readme_image_is_registered_and_shown_in_the_readme() -> None:
    from kz_timeline.metadata.generated import GENERATED_FILES

    assert "docs/timeline.svg" in [generated.path for generated in GENERATED_FILES]
    assert "](docs/timeline.svg)" in (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert "](timeline.svg)" in (REPO_ROOT / "docs" / "charts.md").read_text(encoding="utf-8")


def test_readme_image_is_stale_when_the_chart_changes_and_regenerated_to_the_current_spec(
    dataset: Dataset, tmp_path: Path
) -> None:
    from kz_timeline.charts.rendering import chart_spec, spec_fingerprint
    from kz_timeline.metadata.generated import GENERATED_FILES, TIMELINE_IMAGE_STAMP

    image = next(generated for generated in GENERATED_FILES if generated.path == "docs/timeline.svg")
    current = (REPO_ROOT / "docs" / "timeline.svg").read_text(encoding="utf-8")
    stamp = TIMELINE_IMAGE_STAMP.format(spec_fingerprint(chart_spec(make_chart(dataset, "timeline"))))
    assert current.startswith(stamp + "\n"), "docs/timeline.svg is stale: run `kz-timeline generate`"
    stale = TIMELINE_IMAGE_STAMP.format("0" * 64) + "\n<svg></svg>\n"
    fresh = image.render(stale)
    assert fresh != stale and fresh.startswith(stamp + "\n<svg")
    assert "Constitutional referendum" in html.unescape(fresh)


# --- the command line ---------------------------------------------------------------------------------------------------


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "src")}
    return subprocess.run([sys.executable, "-m", "kz_timeline", *args], capture_output=True, check=False, cwd=cwd, env=env)


def test_cli_chart_json_goes_to_stdout_and_equals_the_library_spec(minimal_dir: Path) -> None:
    result = run_cli("chart", "--data-dir", str(minimal_dir), "--kind", "actors", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == make_chart(load(minimal_dir), "actors").to_dict()
    assert result.stderr == b""


def test_cli_chart_writes_kind_dot_format_in_the_current_directory_by_default(minimal_dir: Path, tmp_path: Path) -> None:
    result = run_cli("chart", "--data-dir", str(minimal_dir), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "timeline.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert result.stdout.decode() == f"wrote timeline.html ({len(page.encode()):,} bytes) from {minimal_dir}\n"


def test_cli_chart_takes_the_format_from_the_out_suffix(minimal_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "charts").mkdir()
    out = tmp_path / "charts" / "claims.svg"
    result = run_cli("chart", "--data-dir", str(minimal_dir), "--kind", "claims", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_text(encoding="utf-8").startswith("<svg")
    assert [path.name for path in out.parent.iterdir()] == ["claims.svg"]


def test_cli_chart_png_to_stdout(minimal_dir: Path) -> None:
    result = run_cli("chart", "--data-dir", str(minimal_dir), "--format", "png", "--out", "-")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kind", "gantt"], "argument --kind: invalid choice: 'gantt'"),
        (["--format", "gif"], "argument --format: invalid choice: 'gif'"),
        (["--lane", "actor"], "argument --lane: invalid choice: 'actor'"),
    ],
)
def test_cli_chart_usage_errors_exit_2(args: list[str], message: str) -> None:
    result = run_cli("chart", *args)
    assert result.returncode == 2
    assert message in result.stderr.decode()
    assert result.stdout == b""


def test_cli_chart_invalid_data_exits_1_naming_file_and_line(minimal_dir: Path, tmp_path: Path) -> None:
    replace_in(minimal_dir / "events.csv", "verdict", "verdikt")
    result = run_cli("chart", "--data-dir", str(minimal_dir), "--out", str(tmp_path / "t.html"))
    assert result.returncode == 1
    assert f"{minimal_dir}/events.csv:2: column 'event_type'" in result.stderr.decode()
    assert "Traceback" not in result.stderr.decode()
    assert not (tmp_path / "t.html").exists()


def test_cli_chart_missing_data_dir_exits_1(tmp_path: Path) -> None:
    result = run_cli("chart", "--data-dir", str(tmp_path / "nope"))
    assert result.returncode == 1
    assert result.stderr.decode() == f"Error: {tmp_path / 'nope'}: data directory not found\n"


def test_cli_chart_unwritable_out_exits_1_and_leaves_nothing(minimal_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    result = run_cli("chart", "--data-dir", str(minimal_dir), "--out", str(tmp_path / "a-file" / "t.html"))
    assert result.returncode == 1
    assert result.stderr.decode() == f"Error: {tmp_path / 'a-file' / 't.html'}: {tmp_path / 'a-file'} is not a directory\n"
    assert "Traceback" not in result.stderr.decode()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a-file", "minimal"]


def test_cli_chart_replaces_an_existing_file_whole(minimal_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "t.json"
    out.write_text("old" * 100_000, encoding="utf-8")
    result = run_cli("chart", "--data-dir", str(minimal_dir), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["$schema"].startswith("https://vega.github.io/schema/vega-lite/")


RENDER_EVERY_KIND = """
import hashlib, sys
from kz_timeline import load, make_chart, render_chart
data = load()
svgs = {kind: render_chart(make_chart(data, kind), "svg") for kind in ("timeline", "actors", "claims")}
assert b">2022</text>" in svgs["timeline"]
print(" ".join(hashlib.sha256(svg).hexdigest() for svg in svgs.values()))
"""


@pytest.mark.slow
def test_svgs_are_the_same_whatever_the_machines_time_zone() -> None:
    """vl-convert renders in the machine's time zone (axis labels, accessible descriptions); all-UTC charts must not care."""
    outputs = []
    for zone in ("America/Los_Angeles", "Asia/Almaty"):
        env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "src"), "TZ": zone}
        result = subprocess.run([sys.executable, "-c", RENDER_EVERY_KIND], capture_output=True, text=True, env=env, check=False)
        assert result.returncode == 0, result.stderr
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1]


def test_claims_of_more_than_max_rows_keep_only_the_summary_bar(dataset: Dataset) -> None:
    tables = dict(dataset.text_tables)
    claims = tables["claims"]
    copies = pd.concat([claims] * (MAX_ROWS // len(claims) + 1), ignore_index=True)
    copies["claim_id"] = [f"{claim_id}-{n}" for n, claim_id in enumerate(copies["claim_id"])]
    tables["claims"] = copies
    spec = make_chart(Dataset(dataset.data_dir, tables), "claims").to_dict()
    assert [mark_type(view) for view in views(spec)] == ["bar"]
    assert spec["title"] == f"{len(copies):,} claims of the op-ed by verification"


@pytest.mark.parametrize(
    ("kind", "table", "message"),
    [("timeline", "events", "there are no events to chart"), ("actors", "participants", "there are no participations to chart")],
)
def test_a_chart_with_nothing_to_draw_raises_chart_error(dataset: Dataset, kind: str, table: str, message: str) -> None:
    tables = dict(dataset.text_tables)
    tables[table] = tables[table].iloc[0:0]
    with pytest.raises(ChartError, match=message):
        make_chart(Dataset(dataset.data_dir, tables), kind)


def test_claims_of_more_than_max_rows_are_counted_per_verification_in_a_small_spec(dataset: Dataset) -> None:
    tables = dict(dataset.text_tables)
    base = tables["claims"]
    copies = -(-(MAX_ROWS + 1) // len(base))
    claims = pd.concat([base] * copies, ignore_index=True)
    claims["claim_id"] = [f"{claim_id}-{n}" for n, claim_id in enumerate(claims["claim_id"])]
    tables["claims"] = claims
    big = Dataset(dataset.data_dir, tables)
    op_ed = {"oped_burgasgazette"} | set(big.sources.loc[big.sources["source_type"].astype(object) == "op_ed", "source_id"])
    total = int(claims["source_id"].isin(op_ed).sum())
    assert total > MAX_ROWS
    spec = make_chart(big, "claims").to_dict()
    (rows,) = list(spec["datasets"].values())
    assert sum(row["claims"] for row in rows) == total
    assert len(rows) == len({row["verification"] for row in rows}) <= 6
    assert len(json.dumps(spec)) < 20_000


# --- charts a reader can read: text alternatives, the span the timeline opens on, widths ------------------------------


def text_alternative_problems(spec: dict[str, Any]) -> list[str]:
    """Return what a chart spec lacks as a text alternative: a title and a description that names what it shows."""
    problems = []
    title = spec.get("title")
    if not title or not (title.get("text") if isinstance(title, dict) else title):
        problems.append("no title")
    if len(str(spec.get("description", ""))) < 40:
        problems.append("no description")
    return problems


@pytest.mark.parametrize("kind", CHART_KINDS)
@pytest.mark.parametrize("width", [WIDTH, NARROW_WIDTH])
def test_every_chart_has_a_title_and_a_description_in_words(dataset: Dataset, kind: str, width: int) -> None:
    spec = make_chart(dataset, kind, width=width).to_dict()
    assert text_alternative_problems(spec) == []


@pytest.mark.parametrize("kind", CHART_KINDS)
def test_counted_charts_of_big_data_have_a_title_and_a_description_too(dataset: Dataset, kind: str) -> None:
    big = synthetic(dataset, MAX_ROWS + 1)
    tables = dict(big.text_tables)
    claims = pd.concat([tables["claims"]] * (MAX_ROWS // len(tables["claims"]) + 1), ignore_index=True)
    tables["claims"] = claims.assign(claim_id=[f"claim-{n}" for n in range(len(claims))])
    spec = make_chart(Dataset(big.data_dir, tables), kind).to_dict()
    assert {mark_type(view) for view in views(spec)} & {"rect", "bar"}, "not a counted chart"
    assert text_alternative_problems(spec) == []


def test_the_text_alternative_check_catches_a_chart_without_a_description(dataset: Dataset) -> None:
    spec = make_chart(dataset, "actors").to_dict()
    del spec["description"]
    assert text_alternative_problems(spec) == ["no description"]


def test_descriptions_say_what_the_chart_shows_in_words(specs: dict[str, dict[str, Any]]) -> None:
    timeline = specs["timeline"]["description"]
    assert timeline.startswith("Timeline of 94 events from 2009 to 2024, in 7 lanes by theme")
    assert "It opens on the span from November 2021 to May 2023, where 11 of the op-ed's 12 key events fall" in timeline
    assert "Tokayev beside Putin at the SPIEF plenary session (17 June 2022)" in timeline
    assert specs["claims"]["description"].startswith("The op-ed's 47 claims by label, against the record as of its")
    assert "10 Corroborated, 13 Partly corroborated" in specs["claims"]["description"]
    assert "Mukhtar Ablyazov" in specs["actors"]["description"]


def svg_root(svg: str) -> Any:
    import xml.etree.ElementTree as ET

    return ET.fromstring(svg)


@pytest.mark.parametrize("kind", CHART_KINDS)
def test_the_svg_of_every_chart_is_an_image_whose_title_and_desc_come_first(dataset: Dataset, kind: str) -> None:
    spec = make_chart(dataset, kind).to_dict()
    root = svg_root(render_chart(make_chart(dataset, kind), "svg").decode("utf-8"))
    svg = "{http://www.w3.org/2000/svg}"
    assert root.get("role") == "img"
    first, second = list(root)[:2]
    assert (first.tag, first.text) == (f"{svg}title", " ".join(spec["title"]["text"]))
    assert (second.tag, second.text) == (f"{svg}desc", spec["description"])


def test_the_timeline_opens_on_the_dense_span_with_the_whole_span_in_its_overview(specs: dict[str, dict[str, Any]]) -> None:
    spec = specs["timeline"]
    brush = next(param for node in walk(spec) for param in node.get("params", []) if param.get("name") == "brush")
    start, end = brush["value"]["x"]
    assert (start["year"], start["month"], start["date"], start["utc"]) == (2021, 11, 1, True)
    assert (end["year"], end["month"], end["date"]) == (2023, 6, 1)
    overview = next(view for view in views(spec) if view.get("name") == "overview")
    domain = overview["encoding"]["x"]["scale"]["domain"]
    assert domain[0].startswith("2009-01-01") and domain[1].startswith("2025-01-01")


def test_a_timeline_with_no_dense_span_opens_on_everything(minimal_dir: Path) -> None:
    spec = make_chart(load(minimal_dir), "timeline").to_dict()
    brush = next(param for node in walk(spec) for param in node.get("params", []) if param.get("name") == "brush")
    assert "value" not in brush


def svg_width(svg: bytes) -> float:
    match = re.search(rb'<svg[^>]* width="([0-9.]+)"', svg)
    assert match is not None
    return float(match.group(1))


@pytest.mark.slow
@pytest.mark.parametrize("kind", CHART_KINDS)
def test_every_chart_fits_a_phone_narrow_and_a_1280_px_screen_wide(dataset: Dataset, kind: str) -> None:
    # A 390 px phone leaves about 358 px inside the page's margins; a 1280 px screen about 1,200.
    assert svg_width(render_chart(make_chart(dataset, kind, width=NARROW_WIDTH), "svg")) <= 358
    assert svg_width(render_chart(make_chart(dataset, kind, width=WIDTH), "svg")) <= 1200


def test_make_chart_refuses_a_width_it_cannot_draw(dataset: Dataset) -> None:
    with pytest.raises(ChartError, match="a chart 100 pixels wide cannot be drawn; give 320 to 4000"):
        make_chart(dataset, "timeline", width=100)
