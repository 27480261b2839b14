"""Altair charts of the dataset: the timeline, the actors and the claims set beside the record.

Each function takes a loaded :class:`~kz_timeline.dataset.loader.Dataset` and returns an Altair chart; none saves or shows
anything (`kz_timeline.charts.rendering.render_chart` does). Every time scale, time unit and format is UTC and every time
is a UTC midnight, so a day-precise event shows its own day in any time zone.

Interactivity (in HTML): drag across the overview strip to zoom the main view to a span of time, drag the grey box
to pan it, scroll on it to widen or narrow it, double-click to reset; click a legend entry to pick out its marks
(shift-click for more).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

import altair as alt
import pandas as pd

from kz_timeline.charts import frames
from kz_timeline.charts.frames import MAX_ROWS, vocabulary_labels
from kz_timeline.charts.layout import (
    ACTOR_STEP,
    LABEL_FONT_SIZE,
    LABEL_GAP,
    LANE_STEP,
    MAX_LABELS,
    OVERVIEW_HEIGHT,
    ROW_BASE,
    ROW_GAP,
    WIDTH,
    full_domain,
    pack_rows,
    place_labels,
)
from kz_timeline.defaults import CHART_KINDS, DEFAULT_CHART_KIND, DEFAULT_LANE, LANES, LaneField
from kz_timeline.errors import KzTimelineError, UsageError
from kz_timeline.schema.vocabularies import EventType, Role, Theme, Verification
from kz_timeline.text import clip

if TYPE_CHECKING:
    from kz_timeline.dataset.loader import Dataset


VERIFICATION_COLOURS = {
    "corroborated": "#1a9850",
    "partly_corroborated": "#91cf60",
    "contested": "#fdae61",
    "contradicted": "#d73027",
    "unverified": "#bdbdbd",
    "opinion": "#8073ac",
}
EVIDENCE_COLOURS = {"Supports": "#1a9850", "Qualifies": "#fdae61", "Contradicts": "#d73027"}
UTC: Final = alt.Scale(type="utc")
FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"


class ChartError(KzTimelineError):
    """A chart cannot be drawn: an unknown kind, or a dataset with nothing to draw."""


def _utc_x(field: str, title: str | None, domain: Any = None, *, axis: bool = True) -> alt.X:
    scale = alt.Scale(type="utc", domain=domain) if domain is not None else UTC
    return alt.X(
        f"{field}:T",
        title=title,
        scale=scale,
        # No fixed format: on a UTC scale Vega labels ticks in UTC, years when unzoomed, months and days when zoomed.
        axis=alt.Axis(formatType="utc", labelFlush=False, grid=True) if axis else None,
    )


def _config(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    configured: alt.TopLevelMixin = (
        chart.configure(font=FONT)
        .configure_view(stroke="#ddd")
        .configure_axis(labelFontSize=11, titleFontSize=12, labelColor="#333", titleColor="#333")
        .configure_legend(labelFontSize=11, titleFontSize=12, orient="right", labelLimit=260, titleLimit=320)
        .configure_title(fontSize=16, anchor="start", subtitleFontSize=12, subtitleColor="#555")
    )
    return configured


def _whole_years(domain: tuple[pd.Timestamp, pd.Timestamp], x_domain: Any) -> alt.Chart:
    """Return an invisible layer spanning `domain`, so the unzoomed view runs over whole years and no mark is cut."""
    ends = pd.DataFrame({"time": list(domain)})
    layer: alt.Chart = alt.Chart(ends).mark_rule(opacity=0, aria=False).encode(x=_utc_x("time", None, x_domain))
    return layer


def _key_events(frame: pd.DataFrame) -> pd.DataFrame:
    key = frame[frame["is_key"]]
    key = key.sort_values(["claims", "start", "event_id"], ascending=[False, True, True], kind="stable").head(MAX_LABELS)
    return key.sort_values(["start", "event_id"], kind="stable")


TOOLTIP = [
    alt.Tooltip("title:N", title="Event"),
    alt.Tooltip("date_text:N", title="Date"),
    alt.Tooltip("type:N", title="Type"),
    alt.Tooltip("theme:N", title="Theme"),
    alt.Tooltip("actors:N", title="Actors"),
    alt.Tooltip("quote:N", title="Op-ed"),
    alt.Tooltip("verification:N", title="Verification"),
]


def timeline_chart(dataset: Dataset, lane: LaneField = DEFAULT_LANE) -> alt.TopLevelMixin:
    """Draw every event on one UTC time axis, in lanes by theme (or event type), with key events labelled.

    A day-precise event is a point (hollow when its date is uncertain or approximate); a month, a year or a range is
    a bar across the whole period, with end caps when it is a range of days; an open or unknown end is a dashed line
    to the end of the axis (with an arrow when it is still going on). More than `MAX_ROWS` events are counted per
    lane and month (or year) instead.
    """
    if dataset.row_count("events") == 0:
        raise ChartError("there are no events to chart")
    if dataset.row_count("events") > MAX_ROWS:
        return _timeline_counts_chart(dataset, lane)
    frame = frames.timeline_frame(dataset, lane)
    other = "event_type" if lane == "theme" else "theme"
    lanes = vocabulary_labels(Theme if lane == "theme" else EventType)
    lanes = [name for name in lanes if name in set(frame["lane"])]
    groups = [name for name in vocabulary_labels(EventType if other == "event_type" else Theme) if name in set(frame["group"])]
    domain = full_domain(frame["start"], frame["end"])
    frame["row"] = pack_rows(frame, domain)
    frame["row_offset"] = ROW_BASE + frame["row"] * ROW_GAP
    frame["open_until"] = domain[1]
    frame["middle"] = frame["start"] + pd.Timedelta(hours=12)
    frame["type"], frame["theme"] = (frame["group"], frame["lane"]) if lane == "theme" else (frame["lane"], frame["group"])
    frame["hollow"] = frame["certainty"] != "exact"
    labels = place_labels(_key_events(frame), domain)
    frame = frame.merge(labels[["event_id", "align", "label_offset"]], on="event_id", how="left")

    brush = alt.selection_interval(name="brush", encodings=["x"])
    pick = alt.selection_point(name="pick", fields=["group"], bind="legend")
    faded = alt.when(pick).then(alt.value(1.0)).otherwise(alt.value(0.12))
    x_domain = {"param": "brush", "encoding": "x"}
    y = alt.Y(
        "lane:N",
        title=None,
        sort=lanes,
        scale=alt.Scale(domain=lanes),
        axis=alt.Axis(labelFontWeight="bold", labelLimit=200, domain=False, ticks=False, labelPadding=8),
    )
    y_offset = alt.YOffset("row_offset:Q", scale=None)
    colour = alt.Color(
        "group:N",
        title="Event type (click to pick out)" if lane == "theme" else "Theme (click to pick out)",
        scale=alt.Scale(domain=groups, scheme="category20" if len(groups) > 10 else "tableau10"),
        legend=alt.Legend(symbolType="circle", columns=1),
    )
    # Screen readers get the date as written ("17 June 2022"): Vega's own descriptions would use local time.
    description = alt.Description("description:N")
    frame["description"] = frame["title"] + ", " + frame["date_text"] + " (" + frame["type"] + ")"
    base = alt.Chart(frame).encode(y=y, yOffset=y_offset, opacity=faded, tooltip=TOOLTIP, description=description)

    bars = (
        base.transform_filter("datum.mark === 'bar' && datum.end_status === 'closed'")
        .mark_bar(height=7, cornerRadius=2, clip=True)
        .encode(
            x=_utc_x("start", None, x_domain),
            x2="end:T",
            color=colour,
            stroke=alt.when("datum.is_key").then(alt.value("#111")).otherwise(alt.value(None)),
            strokeWidth=alt.value(1.2),
        )
    )
    caps = (
        base.transform_filter("datum.mark === 'bar' && datum.end_status === 'closed' && datum.precision === 'day'")
        .mark_tick(thickness=2, size=11, clip=True)
        .encode(x=_utc_x("start", None, x_domain), color=colour)
    )
    cap_ends = (
        base.transform_filter("datum.mark === 'bar' && datum.end_status === 'closed' && datum.precision === 'day'")
        .mark_tick(thickness=2, size=11, clip=True)
        .encode(x=_utc_x("end", None, x_domain), color=colour)
    )
    open_lines = (
        base.transform_filter("datum.end_status !== 'closed'")
        .mark_rule(strokeDash=[4, 3], strokeWidth=2, clip=True)
        .encode(x=_utc_x("start", None, x_domain), x2="open_until:T", color=colour)
    )
    arrows = (
        base.transform_filter("datum.end_status === 'open'")
        .mark_point(shape="triangle-right", filled=True, size=70, clip=True)
        .encode(x=_utc_x("open_until", None, x_domain), color=colour)
    )
    # Key events (the labelled ones) get a dark outline, so a label's mark stands out in a crowded lane.
    outline = alt.when("datum.is_key").then(alt.value("#111")).otherwise(alt.value("white"))
    outline_width = alt.when("datum.is_key").then(alt.value(1.6)).otherwise(alt.value(0.8))
    filled_points = (
        base.transform_filter("!datum.hollow && (datum.mark === 'point' || datum.end_status !== 'closed')")
        .mark_point(filled=True, size=70, clip=True)
        .encode(x=_utc_x("middle", None, x_domain), color=colour, stroke=outline, strokeWidth=outline_width)
    )
    hollow_points = (
        base.transform_filter("datum.hollow && (datum.mark === 'point' || datum.end_status !== 'closed')")
        .mark_point(filled=False, size=70, strokeWidth=2, clip=True)
        .encode(x=_utc_x("middle", None, x_domain), color=colour)
    )
    # Hollow points are drawn over a white disc so they stay hollow on top of other marks.
    hollow_points = alt.layer(
        hollow_points.mark_point(filled=True, size=70, color="white", opacity=1, clip=True).encode(color=alt.value("white")),
        hollow_points,
    )
    label_base = (
        alt.Chart(frame)
        .transform_filter("isValid(datum.align)")
        .encode(
            x=_utc_x("middle", None, x_domain),
            y=y,
            yOffset=alt.YOffset("label_offset:Q", scale=None),
            text="title:N",
            opacity=faded,
            tooltip=TOOLTIP,
            description=description,
        )
    )
    left_labels = label_base.transform_filter("datum.align === 'left'").mark_text(
        align="left", dx=-4, fontSize=LABEL_FONT_SIZE, fontWeight="bold", color="#222", baseline="middle", clip=True
    )
    right_labels = label_base.transform_filter("datum.align === 'right'").mark_text(
        align="right", dx=4, fontSize=LABEL_FONT_SIZE, fontWeight="bold", color="#222", baseline="middle", clip=True
    )

    main = (
        alt.layer(
            bars,
            caps,
            cap_ends,
            open_lines,
            arrows,
            filled_points,
            hollow_points,
            left_labels,
            right_labels,
            _whole_years(domain, x_domain),
        )
        .properties(width=WIDTH, height=alt.Step(LANE_STEP))
        .add_params(pick)
    )
    overview = (
        alt.Chart(frame)
        .mark_tick(thickness=1.5, size=12, aria=False)
        .encode(
            x=_utc_x("middle", "Overview: drag to zoom, drag the box to pan, double-click to reset", [domain[0], domain[1]]),
            y=alt.Y("lane:N", sort=lanes, scale=alt.Scale(domain=lanes), axis=None),
            color=alt.Color(
                "group:N", scale=alt.Scale(domain=groups, scheme="category20" if len(groups) > 10 else "tableau10"), legend=None
            ),
            opacity=faded,
        )
        .properties(name="overview", width=WIDTH, height=OVERVIEW_HEIGHT)
        .add_params(brush)
    )
    chart = alt.vconcat(main, overview, spacing=12).properties(
        title=alt.Title(
            "What happened when: the events of the op-ed and the public record",
            subtitle=[
                f"{len(frame)} events, {domain[0].year}–{domain[1].year - 1}, UTC dates. Points: a day; bars: a month, a year "
                "or a range of days; hollow: uncertain or approximate date; dashed: end open (arrow) or unknown.",
                "Labelled and outlined: the key events the op-ed's argument turns on. "
                f"Lanes: {'theme' if lane == 'theme' else 'event type'}.",
            ],
        )
    )
    return _config(chart)


#: Subtitle line of the counted charts, whose colour legend is a gradient: rows are picked out by clicking instead.
PICK_A_ROW = "Click a cell to pick out its row; double-click to show every row."


def _row_pick(field: str) -> tuple[Any, Any]:
    """Return a click selection of the row (`field`) of a counted chart, and the opacity that fades the other rows."""
    pick = alt.selection_point(name="pick", fields=[field], on="click", clear="dblclick")
    return pick, alt.when(pick).then(alt.value(1.0)).otherwise(alt.value(0.2))


def _timeline_counts_chart(dataset: Dataset, lane: LaneField) -> alt.TopLevelMixin:
    counts = frames.timeline_counts(dataset, lane)
    lanes = [name for name in vocabulary_labels(Theme if lane == "theme" else EventType) if name in set(counts["lane"])]
    period = "month" if (counts["end"] - counts["start"]).max() < pd.Timedelta(days=40) else "year"
    counts["description"] = counts["lane"] + ", " + counts["period_text"] + ": " + counts["events"].astype(str) + " events"
    domain = full_domain(counts["start"], counts["end"])
    x_domain = {"param": "brush", "encoding": "x"}
    brush = alt.selection_interval(name="brush", encodings=["x"])
    tooltip = [
        alt.Tooltip("lane:N", title="Theme" if lane == "theme" else "Event type"),
        alt.Tooltip("period_text:N", title=period.capitalize()),
        alt.Tooltip("events:Q", title="Events", format=","),
    ]
    pick, faded = _row_pick("lane")
    heat = (
        alt.Chart(counts)
        .mark_rect(clip=True)
        .encode(
            x=_utc_x("start", None, x_domain),
            x2="end:T",
            y=alt.Y(
                "lane:N",
                title=None,
                sort=lanes,
                scale=alt.Scale(domain=lanes),
                axis=alt.Axis(labelFontWeight="bold", labelLimit=200),
            ),
            color=alt.Color("events:Q", title=f"Events per {period}", scale=alt.Scale(scheme="blues", type="sqrt")),
            opacity=faded,
            tooltip=tooltip,
            description=alt.Description("description:N"),
        )
        .add_params(pick)
    )
    main = alt.layer(heat, _whole_years(domain, x_domain)).properties(width=WIDTH, height=alt.Step(28))
    views: list[Any] = [main]
    key = frames.key_events(dataset, MAX_LABELS)
    if not key.empty:
        key["lane"] = "Key events"
        placed = place_labels(key, domain, levels=6, base=6 * LABEL_GAP)
        key = key.merge(placed[["event_id", "align", "label_offset"]], on="event_id", how="left")
        key["row_offset"] = 6 * LABEL_GAP + 14
        key_tooltip = [alt.Tooltip("title:N", title="Event"), alt.Tooltip("date_text:N", title="Date")]
        key_y = alt.Y("lane:N", title=None, axis=alt.Axis(labelFontWeight="bold", domain=False, ticks=False))
        key_base = alt.Chart(key).encode(x=_utc_x("middle", None, x_domain), y=key_y, tooltip=key_tooltip)
        marks = key_base.mark_point(filled=True, size=60, color="#333", clip=True).encode(
            yOffset=alt.YOffset("row_offset:Q", scale=None), description=alt.Description("description:N")
        )
        text = key_base.encode(yOffset=alt.YOffset("label_offset:Q", scale=None), text="title:N")
        style: dict[str, Any] = {
            "fontSize": LABEL_FONT_SIZE,
            "fontWeight": "bold",
            "color": "#222",
            "baseline": "middle",
            "clip": True,
        }
        left = text.transform_filter("datum.align === 'left'").mark_text(align="left", dx=-4, **style)
        right = text.transform_filter("datum.align === 'right'").mark_text(align="right", dx=4, **style)
        strip = alt.layer(marks, left, right, _whole_years(domain, x_domain)).properties(
            width=WIDTH, height=alt.Step(6 * LABEL_GAP + 24)
        )
        views.insert(0, strip)
    overview = (
        alt.Chart(counts)
        .mark_bar(color="#4c78a8", aria=False)
        .encode(
            x=_utc_x("start", "Overview: drag to zoom, drag the box to pan, double-click to reset", [domain[0], domain[1]]),
            x2="end:T",
            y=alt.Y("sum(events):Q", title=None, axis=None),
        )
        .properties(name="overview", width=WIDTH, height=OVERVIEW_HEIGHT)
        .add_params(brush)
    )
    total = int(counts["events"].sum())
    chart = alt.vconcat(*views, overview, spacing=8).properties(
        title=alt.Title(
            "What happened when: events per lane and " + period,
            subtitle=[
                f"{total:,} events, too many to draw one by one (more than {MAX_ROWS:,}): counted per {period}, UTC.",
                f"Labelled: up to {MAX_LABELS} key events, those with most op-ed claims first. {PICK_A_ROW}",
            ],
        )
    )
    return _config(chart)


def actors_chart(dataset: Dataset) -> alt.TopLevelMixin:
    """Draw a lane per actor and a mark per participation coloured by role; a rule joins the actors of one event."""
    if dataset.row_count("participants") == 0:
        raise ChartError("there are no participations to chart")
    if dataset.row_count("participants") > MAX_ROWS:
        return _actors_counts_chart(dataset)
    participations = frames.participation_frame(dataset)
    order = frames.actor_order(participations)
    position = {name: index for index, name in enumerate(order)}
    participations["position"] = participations["actor"].map(position)
    spans = (
        participations.groupby("event_id", sort=False)
        .agg(
            time=("time", "first"),
            title=("title", "first"),
            date_text=("date_text", "first"),
            first=("position", "min"),
            last=("position", "max"),
            actors=("actor", "size"),
        )
        .reset_index()
    )
    spans = spans[spans["actors"] > 1].copy()
    spans["description"] = spans["title"] + ", " + spans["date_text"] + ": " + spans["actors"].astype(str) + " actors"
    participations["description"] = (
        participations["actor"]
        + ", "
        + participations["role"].str.lower()
        + ", in "
        + participations["title"]
        + ", "
        + participations["date_text"]
    )
    spans["top"] = [order[i] for i in spans["first"]]
    spans["bottom"] = [order[i] for i in spans["last"]]
    roles = [name for name in vocabulary_labels(Role) if name in set(participations["role"])]
    domain = full_domain(participations["time"], participations["time"] + pd.Timedelta(days=1))
    brush = alt.selection_interval(name="brush", encodings=["x"])
    pick = alt.selection_point(name="pick", fields=["role"], bind="legend")
    faded = alt.when(pick).then(alt.value(0.95)).otherwise(alt.value(0.08))
    x_domain = {"param": "brush", "encoding": "x"}
    y = alt.Y(
        "actor:N",
        sort=order,
        scale=alt.Scale(domain=order),
        title=None,
        axis=alt.Axis(labelLimit=360, grid=True, gridColor="#f0f0f0"),
    )
    joins = (
        alt.Chart(spans)
        .mark_rule(color="#9a9a9a", strokeWidth=1.2, opacity=0.55, clip=True)
        .encode(
            x=_utc_x("time", None, x_domain),
            y=alt.Y("top:N", sort=order, scale=alt.Scale(domain=order), title=None),
            y2="bottom:N",
            tooltip=[
                alt.Tooltip("title:N", title="Event"),
                alt.Tooltip("date_text:N", title="Date"),
                alt.Tooltip("actors:Q", title="Actors"),
            ],
            description=alt.Description("description:N"),
        )
    )
    marks = (
        alt.Chart(participations)
        .mark_point(filled=True, size=64, stroke="white", strokeWidth=0.7, clip=True)
        .encode(
            x=_utc_x("time", None, x_domain),
            y=y,
            color=alt.Color(
                "role:N",
                title="Role (click to pick out)",
                scale=alt.Scale(domain=roles, scheme="category20"),
                legend=alt.Legend(symbolType="circle"),
            ),
            opacity=faded,
            description=alt.Description("description:N"),
            tooltip=[
                alt.Tooltip("actor:N", title="Actor"),
                alt.Tooltip("role:N", title="Role"),
                alt.Tooltip("title:N", title="Event"),
                alt.Tooltip("date_text:N", title="Date"),
                alt.Tooltip("note:N", title="Note"),
            ],
        )
    )
    main = alt.layer(joins, marks.add_params(pick), _whole_years(domain, x_domain)).properties(
        width=WIDTH, height=alt.Step(ACTOR_STEP)
    )
    overview = (
        alt.Chart(participations)
        .mark_tick(thickness=1, size=14, color="#777", aria=False)
        .encode(x=_utc_x("time", "Overview: drag to zoom, drag the box to pan, double-click to reset", [domain[0], domain[1]]))
        .properties(name="overview", width=WIDTH, height=OVERVIEW_HEIGHT - 18)
        .add_params(brush)
    )
    chart = alt.vconcat(main, overview, spacing=12).properties(
        title=alt.Title(
            "Who took part: one lane per actor, one mark per part played",
            subtitle=[
                f"{participations['actor'].nunique()} actors in {participations['event_id'].nunique()} events; "
                "a grey line joins the actors of one event. Actors in order of first appearance, UTC dates.",
            ],
        )
    )
    return _config(chart)


def _actors_counts_chart(dataset: Dataset, limit: int = 60) -> alt.TopLevelMixin:
    counts = frames.participation_counts(dataset, limit)
    counts["description"] = counts["actor"] + ", " + counts["year"] + ": " + counts["parts"].astype(str) + " parts"
    order = list(dict.fromkeys(counts["actor"]))
    pick, faded = _row_pick("actor")
    chart = (
        alt.Chart(counts)
        .mark_rect()
        .encode(
            x=_utc_x("start", None),
            x2="end:T",
            y=alt.Y("actor:N", sort=order, scale=alt.Scale(domain=order), title=None, axis=alt.Axis(labelLimit=360)),
            color=alt.Color("parts:Q", title="Parts per year", scale=alt.Scale(scheme="purples", type="sqrt")),
            opacity=faded,
            tooltip=[
                alt.Tooltip("actor:N", title="Actor"),
                alt.Tooltip("year:N", title="Year"),
                alt.Tooltip("parts:Q", title="Parts", format=","),
            ],
            description=alt.Description("description:N"),
        )
        .properties(
            width=WIDTH,
            height=alt.Step(ACTOR_STEP),
            title=alt.Title(
                "Who took part: parts played per actor and year",
                subtitle=[
                    f"{len(dataset.participants):,} participations, too many to draw one by one (more than {MAX_ROWS:,}): "
                    f"the {len(order)} busiest actors, counted per year, UTC.",
                    PICK_A_ROW,
                ],
            ),
        )
        .add_params(pick)
    )
    return _config(chart)


_OP_ED_SAYS = re.compile(r"^The op-ed says (?:that )?")


_SET_AGAINST = " Here it is set against: "


def _claim_label(statement: str, limit: int = 100) -> str:
    """Shorten a claim's statement for an axis label, keeping what tells claims on one subject apart."""
    text = _OP_ED_SAYS.sub("", statement)
    text = text[:1].upper() + text[1:]
    if _SET_AGAINST in text:
        claim, record = text.split(_SET_AGAINST, 1)
        record = record.rstrip(".")
        return clip(f"{clip(claim.rstrip('.'), max(24, limit - len(record) - 6))} vs. {record}", limit)
    return clip(text, limit)


def _claims_counts_chart(counts: pd.DataFrame, total: int) -> alt.TopLevelMixin:
    """Draw the op-ed's claims counted per verification: one stacked bar, from a row per verification."""
    verifications = list(counts["verification"])
    colours = [VERIFICATION_COLOURS[value] for value, label in Verification.labels().items() if label in set(verifications)]
    pick = alt.selection_point(name="pick", fields=["verification"], bind="legend")
    faded = alt.when(pick).then(alt.value(1.0)).otherwise(alt.value(0.15))
    chart = (
        alt.Chart(counts.assign(order=range(len(counts))))
        .mark_bar(height=26)
        .encode(
            x=alt.X("claims:Q", title="Claims of the op-ed", stack="zero"),
            color=alt.Color(
                "verification:N",
                title="Verification (click to pick out)",
                scale=alt.Scale(domain=verifications, range=colours),
                sort=verifications,
            ),
            order=alt.Order("order:Q"),
            opacity=faded,
            tooltip=[alt.Tooltip("verification:N", title="Verification"), alt.Tooltip("claims:Q", title="Claims", format=",")],
        )
        .properties(width=WIDTH - 380, height=34, title=f"{total:,} claims of the op-ed by verification")
        .add_params(pick)
    )
    return _config(chart)


def claims_chart(dataset: Dataset) -> alt.TopLevelMixin:
    """Draw each claim of the op-ed in its verification group, beside the public sources that bear on it.

    Each claim has a bar of the sources that support, qualify or contradict it; a summary bar on top counts the claims
    per verification.
    """
    total = frames.op_ed_claim_count(dataset)
    if total == 0:
        raise ChartError("the op-ed has no claims to chart")
    if total > MAX_ROWS:
        return _claims_counts_chart(frames.verification_counts(dataset), total)
    claims = frames.claims_frame(dataset)
    present = set(claims["verification"])
    verifications = [label for label in Verification.labels().values() if label in present]
    colours = [VERIFICATION_COLOURS[value] for value, label in Verification.labels().items() if label in present]
    verdict_scale = alt.Scale(domain=verifications, range=colours)
    pick = alt.selection_point(name="pick", fields=["verification"], bind="legend")
    faded = alt.when(pick).then(alt.value(1.0)).otherwise(alt.value(0.15))
    # Counted in pandas, so the summary stays small whatever the number of claims.
    per_verification = claims["verification"].value_counts()
    totals = pd.DataFrame({"verification": verifications, "claims": [int(per_verification[name]) for name in verifications]})
    totals["order"] = range(len(totals))
    totals["description"] = totals["verification"] + ": " + totals["claims"].astype(str) + " claims"
    summary = (
        alt.Chart(totals)
        .mark_bar(height=26)
        .encode(
            x=alt.X("claims:Q", title="Claims of the op-ed", stack="zero"),
            color=alt.Color("verification:N", title="Verification (click to pick out)", scale=verdict_scale, sort=verifications),
            order=alt.Order("order:Q"),
            opacity=faded,
            tooltip=[alt.Tooltip("verification:N", title="Verification"), alt.Tooltip("claims:Q", title="Claims", format=",")],
            description=alt.Description("description:N"),
        )
        .properties(width=WIDTH - 380, height=34)
        .add_params(pick)
    )
    claims["label"] = claims["statement"].map(_claim_label)
    claims["group_order"] = claims["verification"].map({name: index for index, name in enumerate(verifications)})
    claims = claims.sort_values(["group_order", "quote_start", "claim_id"], kind="stable").reset_index(drop=True)
    order = list(claims["label"] + "\u2009#" + claims.index.astype(str))
    claims["row"] = order
    evidence = frames.evidence_frame(claims).merge(claims[["claim_id", "row", "quote", "verdict"]], on="claim_id")
    rows = alt.Y(
        "row:N",
        sort=order,
        title=None,
        scale=alt.Scale(domain=order),
        axis=alt.Axis(labelLimit=620, labelExpr="split(datum.label, '\u2009#')[0]", labelFontSize=11),
    )
    bar_rows = alt.Y("row:N", sort=order, title=None, scale=alt.Scale(domain=order), axis=None)
    claim_tooltip = [
        alt.Tooltip("statement:N", title="Claim"),
        alt.Tooltip("quote:N", title="Op-ed"),
        alt.Tooltip("verification:N", title="Label"),
        alt.Tooltip("verdict:N", title="Verdict"),
    ]
    verdicts = (
        alt.Chart(claims)
        .mark_square(size=90, opacity=1)
        .encode(
            x=alt.X(
                "verification:N", sort=verifications, title=None, axis=alt.Axis(orient="top", labelAngle=-35, labelFontSize=10)
            ),
            y=rows,
            color=alt.Color("verification:N", scale=verdict_scale, legend=None),
            opacity=faded,
            tooltip=claim_tooltip,
        )
        .properties(width=alt.Step(22), height=alt.Step(15))
    )
    sources = (
        alt.Chart(evidence)
        .mark_bar(height=10)
        .encode(
            x=alt.X(
                "sum(sources):Q",
                title="Carrying evidence (can decide the label)",
                axis=alt.Axis(orient="top", tickMinStep=1),
            ),
            y=bar_rows,
            color=alt.Color(
                "relation:N",
                title="Sources",
                scale=alt.Scale(domain=list(EVIDENCE_COLOURS), range=list(EVIDENCE_COLOURS.values())),
            ),
            order=alt.Order("relation_order:Q"),
            opacity=faded,
            tooltip=[
                alt.Tooltip("statement:N", title="Claim"),
                alt.Tooltip("relation:N", title="Sources that"),
                alt.Tooltip("sources:Q", title="Number"),
            ],
        )
        .transform_calculate(relation_order=f"indexof({list(EVIDENCE_COLOURS)!r}, datum.relation)")
        .properties(width=240, height=alt.Step(15))
    )
    detail = alt.hconcat(verdicts, sources, spacing=6).resolve_scale(color="independent")
    counts = claims["verification"].value_counts()
    chart = (
        alt.vconcat(summary, detail, spacing=18)
        .resolve_scale(color="independent")
        .properties(
            title=alt.Title(
                "Claims vs record: where the op-ed and the public record agree, and where they part",
                subtitle=[
                    f"{len(claims)} claims of the op-ed, grouped by verification: "
                    + ", ".join(f"{counts[name]} {name.lower()}" for name in verifications)
                    + ".",
                    "Bars count the carrying evidence that supports, qualifies or contradicts each claim: as of the "
                    "op-ed's publication, from primary or established sources (opinions are recorded, not rated).",
                ],
            )
        )
    )
    return _config(chart)


#: The function that draws each of CHART_KINDS.
CHARTS: dict[str, Callable[[Dataset], alt.TopLevelMixin]] = {
    "timeline": timeline_chart,
    "actors": actors_chart,
    "claims": claims_chart,
}


def check_chart_options(kind: str, lane: str | None = None) -> None:
    """Raise ChartError for an unknown kind or lane, and UsageError for a lane given to a chart that has none."""
    if kind not in CHARTS:
        raise ChartError(f"unknown chart kind {kind!r}; choose one of {', '.join(CHART_KINDS)}")
    if lane is not None and lane not in LANES:
        raise ChartError(f"unknown lane {lane!r}; choose {' or '.join(LANES)}")
    if lane is not None and kind != "timeline":
        raise UsageError(f"--lane {lane}: only the timeline chart has lanes, not the {kind} chart")


def make_chart(dataset: Dataset, kind: str = DEFAULT_CHART_KIND, *, lane: LaneField | None = None) -> alt.TopLevelMixin:
    """Return the chart of `kind` (one of CHART_KINDS) for `dataset`; raise ChartError for an unknown kind.

    `lane` picks the timeline's lanes: "theme" (the default; coloured by event type) or "event_type" (coloured by
    theme). Another chart has no lanes: a `lane` given with it raises UsageError.
    """
    check_chart_options(kind, lane)
    if kind == "timeline":
        return timeline_chart(dataset, lane or DEFAULT_LANE)
    return CHARTS[kind](dataset)
