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
import textwrap
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
    LANE_NAME_OFFSET,
    LANE_STEP,
    MAX_LABELS,
    NARROW_WIDTH,
    OVERVIEW_HEIGHT,
    ROW_BASE,
    ROW_GAP,
    WIDTH,
    dense_window,
    full_domain,
    is_narrow,
    pack_rows,
    place_labels,
)
from kz_timeline.charts.palette import EVIDENCE_COLOURS, VERIFICATION_COLOURS, categorical
from kz_timeline.defaults import CHART_KINDS, DEFAULT_CHART_KIND, DEFAULT_LANE, LANES, LaneField
from kz_timeline.errors import KzTimelineError, UsageError
from kz_timeline.schema.vocabularies import EventFamily, EventType, RoleFamily, Theme, Verification
from kz_timeline.text import clip

if TYPE_CHECKING:
    from kz_timeline.dataset.loader import Dataset


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
        axis=alt.Axis(formatType="utc", labelFlush=False, grid=True, labelOverlap=True) if axis else None,
    )


def _config(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    configured: alt.TopLevelMixin = (
        chart.configure(font=FONT)
        .configure_view(stroke="#ddd")
        .configure_axis(labelFontSize=11, titleFontSize=12, labelColor="#333", titleColor="#333")
        .configure_legend(labelFontSize=11, titleFontSize=12, labelLimit=260, titleLimit=320, labelColor="#222")
        .configure_title(fontSize=16, anchor="start", subtitleFontSize=12, subtitleColor="#444")
    )
    return configured


def _legend(width: int, **options: Any) -> alt.Legend:
    """Return a colour legend above the plot: in rows on a wide chart, in one column on a narrow one."""
    if is_narrow(width):
        return alt.Legend(orient="top", direction="vertical", symbolType="circle", **options)
    return alt.Legend(orient="top", direction="horizontal", columns=max(1, width // 240), symbolType="circle", **options)


#: Pixels at the top right of a chart that vega-embed's menu button covers: the title's lines end before them.
MENU_BUTTON_PX: Final = 40


def _title(text: str, subtitle: list[str], width: int) -> alt.Title:
    """Return a chart title whose lines are wrapped to the chart's width (Vega does not wrap them).

    The title's first line shares its row with vega-embed's menu button, so the title wraps short of it (about 10 px
    a character at 16 px bold).
    """
    characters = max(30, int(width / 6.6))
    lines = [wrapped for line in subtitle for wrapped in textwrap.wrap(line, characters)]
    return alt.Title(textwrap.wrap(text, max(24, (width - MENU_BUTTON_PX) // 9)), subtitle=lines)


def _overview_title(width: int) -> str:
    """Return the title of an overview strip: what dragging and double-clicking on it do, as fits the chart."""
    if is_narrow(width):
        return "Overview: drag to zoom"
    return "Overview: drag to zoom, drag the box to pan, double-click for the whole span"


def _whole_years(domain: tuple[pd.Timestamp, pd.Timestamp], x_domain: Any) -> alt.Chart:
    """Return an invisible layer spanning `domain`, so the unzoomed view runs over whole years and no mark is cut."""
    ends = pd.DataFrame({"time": list(domain)})
    layer: alt.Chart = alt.Chart(ends).mark_rule(opacity=0, aria=False).encode(x=_utc_x("time", None, x_domain))
    return layer


def _key_events(frame: pd.DataFrame) -> pd.DataFrame:
    key = frame[frame["is_key"]]
    key = key.sort_values(["claims", "start", "event_id"], ascending=[False, True, True], kind="stable").head(MAX_LABELS)
    return key.sort_values(["start", "event_id"], kind="stable")


def _utc_datetime(time: pd.Timestamp) -> alt.DateTime:
    return alt.DateTime(year=time.year, month=time.month, date=time.day, utc=True)


TOOLTIP = [
    alt.Tooltip("title:N", title="Event"),
    alt.Tooltip("date_text:N", title="Date"),
    alt.Tooltip("type:N", title="Type"),
    alt.Tooltip("theme:N", title="Theme"),
    alt.Tooltip("actors:N", title="Actors"),
    alt.Tooltip("quote:N", title="Op-ed"),
    alt.Tooltip("verification:N", title="Verification"),
]
#: The overview strip's tooltip: which event a tick is, when, and of what kind.
OVERVIEW_TOOLTIP = TOOLTIP[:4]


def timeline_chart(dataset: Dataset, lane: LaneField = DEFAULT_LANE, width: int = WIDTH) -> alt.TopLevelMixin:
    """Draw every event on one UTC time axis, in lanes by theme (or event type), with key events labelled.

    A day-precise event is a point (hollow when its date is uncertain or approximate); a month, a year or a range is
    a bar across the whole period, with end caps when it is a range of days; an open or unknown end is a dashed line
    to the end of the axis (with an arrow when it is still going on). Colours are the event types' families (or the
    themes). The chart opens on the span where the op-ed's key events are dense (`layout.dense_window`); the overview
    below it shows the whole span. More than `MAX_ROWS` events are counted per lane and month (or year) instead.
    `width` is the plot's width in pixels (WIDTH, or NARROW_WIDTH for a phone).
    """
    if dataset.row_count("events") == 0:
        raise ChartError("there are no events to chart")
    if dataset.row_count("events") > MAX_ROWS:
        return _timeline_counts_chart(dataset, lane, width)
    frame = frames.timeline_frame(dataset, lane)
    lanes = vocabulary_labels(Theme if lane == "theme" else EventType)
    lanes = [name for name in lanes if name in set(frame["lane"])]
    groups = vocabulary_labels(EventFamily if lane == "theme" else Theme)
    groups = [name for name in groups if name in set(frame["group"])]
    domain = full_domain(frame["start"], frame["end"])
    window = dense_window(frame.loc[frame["is_key"], "start"], domain)
    view = window or domain
    frame["row"] = pack_rows(frame, view, width)
    frame["row_offset"] = ROW_BASE + frame["row"] * ROW_GAP
    frame["open_until"] = domain[1]
    frame["middle"] = frame["start"] + pd.Timedelta(hours=12)
    frame["hollow"] = frame["certainty"] != "exact"
    labels = place_labels(_key_events(frame), view, plot_width=width)
    frame = frame.merge(labels[["event_id", "align", "label_offset"]], on="event_id", how="left")

    brush = alt.selection_interval(name="brush", encodings=["x"])
    if window is not None:
        brush = alt.selection_interval(
            name="brush", encodings=["x"], value={"x": (_utc_datetime(view[0]), _utc_datetime(view[1]))}
        )
    pick = alt.selection_point(name="pick", fields=["group"], bind="legend")
    faded = alt.when(pick).then(alt.value(1.0)).otherwise(alt.value(0.12))
    x_domain = {"param": "brush", "encoding": "x"}
    # Lane names are written inside their lanes (below), so the plot keeps the whole width on a phone.
    # No padding between lanes: offsets within a lane (layout.py) count from its top edge, where its grid line is.
    y = alt.Y(
        "lane:N",
        title=None,
        sort=lanes,
        scale=alt.Scale(domain=lanes, paddingInner=0, paddingOuter=0),
        axis=alt.Axis(labels=False, ticks=False, domain=False, grid=True, tickBand="extent", gridColor="#d0d0d0"),
    )
    y_offset = alt.YOffset("row_offset:Q", scale=None)
    group_scale = alt.Scale(domain=groups, range=categorical(len(groups)))
    colour = alt.Color(
        "group:N",
        title="Kind of event (click to pick out)" if lane == "theme" else "Theme (click to pick out)",
        scale=group_scale,
        legend=_legend(width),
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
        .mark_tick(thickness=2, size=11, clip=True, aria=False)
        .encode(x=_utc_x("start", None, x_domain), color=colour)
    )
    cap_ends = (
        base.transform_filter("datum.mark === 'bar' && datum.end_status === 'closed' && datum.precision === 'day'")
        .mark_tick(thickness=2, size=11, clip=True, aria=False)
        .encode(x=_utc_x("end", None, x_domain), color=colour)
    )
    open_lines = (
        base.transform_filter("datum.end_status !== 'closed'")
        .mark_rule(strokeDash=[4, 3], strokeWidth=2, clip=True)
        .encode(x=_utc_x("start", None, x_domain), x2="open_until:T", color=colour)
    )
    arrows = (
        base.transform_filter("datum.end_status === 'open'")
        .mark_point(shape="triangle-right", filled=True, size=70, clip=True, aria=False)
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
        hollow_points.mark_point(filled=True, size=70, color="white", opacity=1, clip=True, aria=False).encode(
            color=alt.value("white")
        ),
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
    lane_names = (
        alt.Chart(pd.DataFrame({"lane": lanes}))
        .mark_text(align="left", baseline="middle", dx=4, fontSize=12, fontWeight="bold", color="#333", aria=False)
        .encode(y=y, yOffset=alt.YOffset(value=LANE_NAME_OFFSET), x=alt.value(0), text="lane:N")
    )

    pointed = (frame["mark"] == "point") | (frame["end_status"] != "closed")
    layers = [
        (bars, (frame["mark"] == "bar") & (frame["end_status"] == "closed")),
        (caps, None),
        (cap_ends, None),
        (open_lines, frame["end_status"] != "closed"),
        (arrows, None),
        (filled_points, ~frame["hollow"] & pointed),
        (hollow_points, frame["hollow"] & pointed),
        (left_labels, frame["align"] == "left"),
        (right_labels, frame["align"] == "right"),
        (lane_names, None),
        (_whole_years(domain, x_domain), None),
    ]
    # A described layer with nothing to draw is left out: Vega would show screen readers an empty, unnamed mark.
    main = (
        alt.layer(*(layer for layer, drawn in layers if drawn is None or drawn.any()))
        .properties(width=width, height=alt.Step(LANE_STEP))
        .add_params(pick)
    )
    # The overview shows every event, also those outside the span the main view opens on: a hover names it.
    overview = (
        alt.Chart(frame)
        .mark_tick(thickness=2, size=12, aria=False)
        .encode(
            x=_utc_x("middle", _overview_title(width), list(domain)),
            y=alt.Y("lane:N", sort=lanes, scale=alt.Scale(domain=lanes), axis=None),
            color=alt.Color("group:N", scale=group_scale, legend=None),
            opacity=faded,
            tooltip=OVERVIEW_TOOLTIP,
        )
        .properties(name="overview", width=width, height=OVERVIEW_HEIGHT)
        .add_params(brush)
    )
    first, last = domain[0].year, domain[1].year - 1
    opens = (
        f"It opens on the span from {_month_span(window)}, where most of the op-ed's key events fall; "
        f"the overview below shows {first}–{last}."
        if window
        else f"{first}–{last}."
    )
    title = "What happened when: the events of the op-ed and the public record"
    chart = alt.vconcat(main, overview, spacing=12).properties(
        title=_title(
            title,
            [
                f"{len(frame)} events, UTC dates. {opens}",
                "Points: a day; bars: a month, a year or a range of days; hollow: uncertain or approximate date; "
                "dashed: end open (arrow) or unknown. Outlined and labelled: the key events the op-ed's argument "
                f"turns on. Lanes: {'themes' if lane == 'theme' else 'event types'}.",
            ],
            width,
        ),
        description=timeline_description(frame, lanes, lane, domain, window),
    )
    return _config(chart)


def _month_span(window: tuple[pd.Timestamp, pd.Timestamp]) -> str:
    """Return a span of whole months in words: 'November 2021 to May 2023'."""
    last = window[1] - pd.Timedelta(days=1)
    return f"{window[0].strftime('%B %Y')} to {last.strftime('%B %Y')}"


def timeline_description(
    frame: pd.DataFrame,
    lanes: list[str],
    lane: LaneField,
    domain: tuple[pd.Timestamp, pd.Timestamp],
    window: tuple[pd.Timestamp, pd.Timestamp] | None,
) -> str:
    """Return the timeline's text alternative: what it shows, the span it opens on and its key events, in words."""
    key = frame[frame["is_key"]].sort_values(["start", "event_id"], kind="stable")
    keys = "; ".join(f"{title} ({date})" for title, date in zip(key["title"], key["date_text"], strict=True))
    text = (
        f"Timeline of {len(frame)} events from {domain[0].year} to {domain[1].year - 1}, in {len(lanes)} lanes by "
        f"{'theme' if lane == 'theme' else 'event type'}: {', '.join(lanes)}."
    )
    if window is not None:
        inside = int(((key["start"] >= window[0]) & (key["start"] < window[1])).sum())
        text += f" It opens on the span from {_month_span(window)}, where {inside} of the op-ed's {len(key)} key events fall."
    if keys:
        text += f" Key events: {keys}."
    return text


#: Subtitle line of the counted charts, whose colour legend is a gradient: rows are picked out by clicking instead.
PICK_A_ROW = "Click a cell to pick out its row; double-click to show every row."


def _row_pick(field: str) -> tuple[Any, Any]:
    """Return a click selection of the row (`field`) of a counted chart, and the opacity that fades the other rows."""
    pick = alt.selection_point(name="pick", fields=[field], on="click", clear="dblclick")
    return pick, alt.when(pick).then(alt.value(1.0)).otherwise(alt.value(0.2))


def _axis_label_limit(width: int, wide: int) -> int:
    """Return the room, in pixels, for the labels of a chart's rows: `wide` on a wide chart, 110 on a narrow one."""
    return 110 if is_narrow(width) else wide


def _timeline_counts_chart(dataset: Dataset, lane: LaneField, width: int) -> alt.TopLevelMixin:
    counts = frames.timeline_counts(dataset, lane)
    label_limit = _axis_label_limit(width, 200)
    plot = width - label_limit - 10
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
                axis=alt.Axis(labelFontWeight="bold", labelLimit=label_limit),
            ),
            color=alt.Color(
                "events:Q",
                title=f"Events per {period}",
                scale=alt.Scale(scheme="blues", type="sqrt"),
                legend=alt.Legend(orient="top", direction="horizontal"),
            ),
            opacity=faded,
            tooltip=tooltip,
            description=alt.Description("description:N"),
        )
        .add_params(pick)
    )
    main = alt.layer(heat, _whole_years(domain, x_domain)).properties(width=plot, height=alt.Step(28))
    views: list[Any] = [main]
    key = frames.key_events(dataset, MAX_LABELS)
    if not key.empty:
        key["lane"] = "Key events"
        placed = place_labels(key, domain, levels=6, base=6 * LABEL_GAP, plot_width=plot)
        key = key.merge(placed[["event_id", "align", "label_offset"]], on="event_id", how="left")
        key["row_offset"] = 6 * LABEL_GAP + 14
        key_tooltip = [alt.Tooltip("title:N", title="Event"), alt.Tooltip("date_text:N", title="Date")]
        key_y = alt.Y(
            "lane:N", title=None, axis=alt.Axis(labelFontWeight="bold", domain=False, ticks=False, labelLimit=label_limit)
        )
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
            width=plot, height=alt.Step(6 * LABEL_GAP + 24)
        )
        views.insert(0, strip)
    # The overview counts every period, also those outside the span the main view opens on: a hover says how many.
    overview = (
        alt.Chart(counts)
        .mark_bar(color="#4c78a8", aria=False)
        .encode(
            x=_utc_x("start", _overview_title(width), list(domain)),
            x2="end:T",
            y=alt.Y("sum(events):Q", title=None, axis=None),
            tooltip=[
                alt.Tooltip("period_text:N", title=period.capitalize()),
                alt.Tooltip("sum(events):Q", title="Events", format=","),
            ],
        )
        .properties(name="overview", width=plot, height=OVERVIEW_HEIGHT)
        .add_params(brush)
    )
    total = int(counts["events"].sum())
    busiest = counts.groupby("lane", observed=True)["events"].sum().sort_values(ascending=False, kind="stable")
    chart = alt.vconcat(*views, overview, spacing=8).properties(
        title=_title(
            "What happened when: events per lane and " + period,
            [
                f"{total:,} events, too many to draw one by one (more than {MAX_ROWS:,}): counted per {period}, UTC.",
                f"Labelled: up to {MAX_LABELS} key events, those with most op-ed claims first. {PICK_A_ROW}",
            ],
            width,
        ),
        description=(
            f"Heat map of {total:,} events counted per {'theme' if lane == 'theme' else 'event type'} and {period}, "
            f"{domain[0].year} to {domain[1].year - 1}. Events per lane: "
            + ", ".join(f"{name} {int(count):,}" for name, count in busiest.items())
            + "."
        ),
    )
    return _config(chart)


def actors_chart(dataset: Dataset, width: int = WIDTH) -> alt.TopLevelMixin:
    """Draw a lane per actor and a mark per participation coloured by its role's family; a rule joins one event's actors.

    The fine role is in each mark's tooltip. `width` is the chart's width in pixels, actor names included.
    """
    if dataset.row_count("participants") == 0:
        raise ChartError("there are no participations to chart")
    if dataset.row_count("participants") > MAX_ROWS:
        return _actors_counts_chart(dataset, width=width)
    label_limit = _axis_label_limit(width, 240)
    plot = width - label_limit - 10
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
    families = [name for name in vocabulary_labels(RoleFamily) if name in set(participations["family"])]
    domain = full_domain(participations["time"], participations["time"] + pd.Timedelta(days=1))
    brush = alt.selection_interval(name="brush", encodings=["x"])
    pick = alt.selection_point(name="pick", fields=["family"], bind="legend")
    faded = alt.when(pick).then(alt.value(0.95)).otherwise(alt.value(0.08))
    x_domain = {"param": "brush", "encoding": "x"}
    y = alt.Y(
        "actor:N",
        sort=order,
        scale=alt.Scale(domain=order),
        title=None,
        axis=alt.Axis(labelLimit=label_limit, grid=True, gridColor="#f0f0f0"),
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
                "family:N",
                title="Part played (click to pick out)",
                scale=alt.Scale(domain=families, range=categorical(len(families))),
                legend=_legend(width),
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
        width=plot, height=alt.Step(ACTOR_STEP)
    )
    overview = (
        alt.Chart(participations)
        .mark_tick(thickness=1, size=14, color="#777", aria=False)
        .encode(x=_utc_x("time", _overview_title(width), list(domain)))
        .properties(name="overview", width=plot, height=OVERVIEW_HEIGHT - 18)
        .add_params(brush)
    )
    actors, events = participations["actor"].nunique(), participations["event_id"].nunique()
    busiest = participations["actor"].value_counts().head(5)
    chart = alt.vconcat(main, overview, spacing=12).properties(
        title=_title(
            "Who took part: one lane per actor, one mark per part played",
            [
                f"{actors} actors in {events} events; a grey line joins the actors of one event. Actors in order of "
                "first appearance, UTC dates; the exact role is in each mark's tooltip.",
            ],
            width,
        ),
        description=(
            f"Chart of {len(participations)} parts played by {actors} actors in {events} events, {domain[0].year} to "
            f"{domain[1].year - 1}, one row per actor in order of first appearance, coloured by the part played: "
            + ", ".join(families)
            + ". Most parts: "
            + ", ".join(f"{name} ({count})" for name, count in busiest.items())
            + "."
        ),
    )
    return _config(chart)


def _actors_counts_chart(dataset: Dataset, limit: int = 60, width: int = WIDTH) -> alt.TopLevelMixin:
    counts = frames.participation_counts(dataset, limit)
    label_limit = _axis_label_limit(width, 240)
    order = list(dict.fromkeys(counts["actor"]))
    pick, faded = _row_pick("actor")
    chart = (
        alt.Chart(counts)
        # Each mark's text alternative, computed in the browser: in the data it repeated every actor's name per year.
        .transform_calculate(description='datum.actor + ", " + datum.year + ": " + datum.parts + " parts"')
        .mark_rect()
        .encode(
            x=_utc_x("start", None),
            x2="end:T",
            y=alt.Y("actor:N", sort=order, scale=alt.Scale(domain=order), title=None, axis=alt.Axis(labelLimit=label_limit)),
            color=alt.Color(
                "parts:Q",
                title="Parts per year",
                scale=alt.Scale(scheme="purples", type="sqrt"),
                legend=alt.Legend(orient="top", direction="horizontal"),
            ),
            opacity=faded,
            tooltip=[
                alt.Tooltip("actor:N", title="Actor"),
                alt.Tooltip("year:N", title="Year"),
                alt.Tooltip("parts:Q", title="Parts", format=","),
            ],
            description=alt.Description("description:N"),
        )
        .properties(
            width=width - label_limit - 10,
            height=alt.Step(ACTOR_STEP),
            title=_title(
                "Who took part: parts played per actor and year",
                [
                    f"{len(dataset.participants):,} participations, too many to draw one by one (more than {MAX_ROWS:,}): "
                    f"the {len(order)} busiest actors, counted per year, UTC.",
                    PICK_A_ROW,
                ],
                width,
            ),
            description=(
                f"Heat map of the parts played by the {len(order)} busiest of the actors, counted per year, out of "
                f"{len(dataset.participants):,} participations. Busiest first: {', '.join(order[:5])}."
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


def _claims_description(per_label: pd.Series, total: int) -> str:
    """Return the claims chart's text alternative: the op-ed's claims counted per label, in words."""
    counted = ", ".join(f"{int(count):,} {name}" for name, count in per_label.items())
    return f"The op-ed's {total:,} claims by label, against the record as of its publication: {counted}."


def _summary_width(width: int) -> int:
    """Return the width of the bar that counts claims per label: it starts where the claims' labels end."""
    return width - 140 if is_narrow(width) else width - 380


def _claims_counts_chart(counts: pd.DataFrame, total: int, width: int = WIDTH) -> alt.TopLevelMixin:
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
                legend=_legend(width),
            ),
            order=alt.Order("order:Q"),
            opacity=faded,
            tooltip=[alt.Tooltip("verification:N", title="Verification"), alt.Tooltip("claims:Q", title="Claims", format=",")],
        )
        .properties(
            width=_summary_width(width),
            height=34,
            title=f"{total:,} claims of the op-ed by verification",
            description=_claims_description(counts.set_index("verification")["claims"], total),
        )
        .add_params(pick)
    )
    return _config(chart)


def claims_chart(dataset: Dataset, width: int = WIDTH) -> alt.TopLevelMixin:
    """Draw each claim of the op-ed in its verification group, beside the public sources that bear on it.

    Each claim has a bar of the sources that support, qualify or contradict it; a summary bar on top counts the claims
    per verification. `width` is the chart's width in pixels, claims' labels included.
    """
    total = frames.op_ed_claim_count(dataset)
    if total == 0:
        raise ChartError("the op-ed has no claims to chart")
    if total > MAX_ROWS:
        return _claims_counts_chart(frames.verification_counts(dataset), total, width)
    narrow = is_narrow(width)
    label_limit = _axis_label_limit(width, width - 480)
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
            color=alt.Color(
                "verification:N",
                title="Verification (click to pick out)",
                scale=verdict_scale,
                sort=verifications,
                legend=_legend(width),
            ),
            order=alt.Order("order:Q"),
            opacity=faded,
            tooltip=[alt.Tooltip("verification:N", title="Verification"), alt.Tooltip("claims:Q", title="Claims", format=",")],
            description=alt.Description("description:N"),
        )
        .properties(width=_summary_width(width), height=34)
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
        axis=alt.Axis(labelLimit=label_limit, labelExpr="split(datum.label, '\u2009#')[0]", labelFontSize=11),
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
                "verification:N",
                sort=verifications,
                title=None,
                axis=alt.Axis(orient="top", labelAngle=-90 if narrow else -35, labelFontSize=10),
            ),
            y=rows,
            color=alt.Color("verification:N", scale=verdict_scale, legend=None),
            opacity=faded,
            tooltip=claim_tooltip,
        )
        .properties(width=alt.Step(14 if narrow else 22), height=alt.Step(15))
    )
    sources = (
        alt.Chart(evidence)
        .mark_bar(height=10)
        .encode(
            x=alt.X(
                "sum(sources):Q",
                title="Carrying evidence" if narrow else "Carrying evidence (can decide the label)",
                axis=alt.Axis(orient="top", tickMinStep=1),
            ),
            y=bar_rows,
            color=alt.Color(
                "relation:N",
                title="Sources",
                scale=alt.Scale(domain=list(EVIDENCE_COLOURS), range=list(EVIDENCE_COLOURS.values())),
                legend=_legend(width),
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
        .properties(width=90 if narrow else 240, height=alt.Step(15))
    )
    detail = alt.hconcat(verdicts, sources, spacing=6).resolve_scale(color="independent")
    counts = claims["verification"].value_counts()
    chart = (
        alt.vconcat(summary, detail, spacing=18)
        .resolve_scale(color="independent")
        .properties(
            title=_title(
                "Claims vs record: where the op-ed and the public record agree, and where they part",
                [
                    f"{len(claims)} claims of the op-ed, grouped by verification: "
                    + ", ".join(f"{counts[name]} {name.lower()}" for name in verifications)
                    + ".",
                    "Bars count the carrying evidence that supports, qualifies or contradicts each claim: as of the "
                    "op-ed's publication, from primary or established sources (opinions are recorded, not rated).",
                ],
                width,
            ),
            description=_claims_description(counts.reindex(verifications), len(claims)),
        )
    )
    return _config(chart)


#: The function that draws each of CHART_KINDS, given a dataset, the timeline's lanes and a width in pixels.
CHARTS: dict[str, Callable[[Dataset, LaneField, int], alt.TopLevelMixin]] = {
    "timeline": timeline_chart,
    "actors": lambda dataset, lane, width: actors_chart(dataset, width),
    "claims": lambda dataset, lane, width: claims_chart(dataset, width),
}
#: The narrowest and widest charts drawn, in pixels.
WIDTH_RANGE: Final = (NARROW_WIDTH, 4000)


def check_chart_options(kind: str, lane: str | None = None, width: int | None = None) -> None:
    """Raise ChartError for an unknown kind, lane or width, and UsageError for a lane given to a chart that has none."""
    if kind not in CHARTS:
        raise ChartError(f"unknown chart kind {kind!r}; choose one of {', '.join(CHART_KINDS)}")
    if lane is not None and lane not in LANES:
        raise ChartError(f"unknown lane {lane!r}; choose {' or '.join(LANES)}")
    if lane is not None and kind != "timeline":
        raise UsageError(f"--lane {lane}: only the timeline chart has lanes, not the {kind} chart")
    if width is not None and not WIDTH_RANGE[0] <= width <= WIDTH_RANGE[1]:
        raise ChartError(f"a chart {width} pixels wide cannot be drawn; give {WIDTH_RANGE[0]} to {WIDTH_RANGE[1]}")


def make_chart(
    dataset: Dataset, kind: str = DEFAULT_CHART_KIND, *, lane: LaneField | None = None, width: int = WIDTH
) -> alt.TopLevelMixin:
    """Return the chart of `kind` (one of CHART_KINDS) for `dataset`; raise ChartError for an unknown kind.

    `lane` picks the timeline's lanes: "theme" (the default; coloured by the event types' families) or "event_type"
    (coloured by theme); another chart has no lanes: a `lane` given with it raises UsageError. `width` is the chart's
    width in pixels: WIDTH for a wide screen, NARROW_WIDTH for a phone.
    """
    check_chart_options(kind, lane, width)
    return CHARTS[kind](dataset, lane or DEFAULT_LANE, width)
