"""Datasette plugin of kz-timeline: the /timeline charts page, a local Vega bundle, and readable event pages."""

from __future__ import annotations

import asyncio
import json
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from datasette import hookimpl
from datasette.utils import tilde_decode
from datasette.utils.asgi import NotFound, Response

PLUGIN = "kz-timeline"
DATABASE = "kz-timeline"
VEGA_PATH = "/-/kz-timeline/vega.js"
SPEC_PATH = "/-/kz-timeline/charts/{kind}.json"
#: Browsers may keep the bundle and the specs for a day: their URLs carry the build fingerprint (`?v=`), which
#: changes whenever the package or the data does.
CACHE = "max-age=86400"

#: Data up to this size (all CSV files together) is loaded for the charts at startup rather than on the first visit.
WARM_LIMIT_BYTES = 20_000_000

_lock = threading.Lock()


def _csv_bytes(data_dir: str) -> int:
    return sum(path.stat().st_size for path in Path(data_dir).glob("*.csv"))


def _vega_bundle() -> str:
    """Return Vega, Vega-Lite and vega-embed as one script, for the Vega-Lite version Altair writes (no CDN)."""
    from kz_timeline.charts.rendering import javascript_bundle

    return javascript_bundle()


@lru_cache(maxsize=4)
def _dataset(data_dir: str) -> Any:
    from kz_timeline.dataset.loader import load

    return load(data_dir)


#: The chart specs drawn so far, by data directory and kind (the oldest are forgotten beyond SPECS_KEPT).
_specs: dict[tuple[str, str], str] = {}
SPECS_KEPT = 32


def _spec(data_dir: str, kind: str) -> str:
    """Return the Vega-Lite spec of one chart as JSON, drawn once however many requests ask for it together."""
    found = _specs.get((data_dir, kind))
    if found is not None:
        return found
    from kz_timeline.charts.builders import make_chart
    from kz_timeline.charts.rendering import chart_spec

    with _lock:  # one chart at a time (Altair's data transformer settings are global); those who waited find it drawn
        found = _specs.get((data_dir, kind))
        if found is None:
            found = json.dumps(chart_spec(make_chart(_dataset(data_dir), kind)), ensure_ascii=False)
            _specs[(data_dir, kind)] = found
            while len(_specs) > SPECS_KEPT:
                del _specs[next(iter(_specs))]
    return found


def chart_kinds() -> list[str]:
    """Return the kinds of chart the charts page shows, in order."""
    from kz_timeline.defaults import CHART_KINDS

    return list(CHART_KINDS)


def _config(datasette: Any) -> dict[str, Any]:
    config: dict[str, Any] = datasette.plugin_config(PLUGIN) or {}
    return config


#: Where `kz-timeline serve` puts the data directory on the Datasette instance (kz_timeline.site.server.DATA_DIR_ATTRIBUTE).
DATA_DIR_ATTRIBUTE = "kz_timeline_data_dir"


def _live_data_dir(datasette: Any) -> str:
    """Return the data directory the charts are drawn from (set by `kz-timeline serve`); 404 on a published copy."""
    data_dir = getattr(datasette, DATA_DIR_ATTRIBUTE, None)
    if not data_dir:
        raise NotFound("charts are drawn live only by `kz-timeline serve`; a published copy serves them as static files")
    return str(data_dir)


async def vega_js(datasette: Any, request: Any) -> Response:
    """Serve the Vega bundle the charts page loads (no CDN)."""
    _live_data_dir(datasette)
    bundle = await asyncio.to_thread(_vega_bundle)
    return Response(bundle, content_type="text/javascript; charset=utf-8", headers={"cache-control": CACHE})


async def chart_spec(datasette: Any, request: Any) -> Response:
    """Serve the Vega-Lite spec of one chart of the data being served."""
    data_dir = _live_data_dir(datasette)
    kind = request.url_vars["kind"]
    if kind not in chart_kinds():
        raise NotFound(f"no chart {kind!r}; the charts are {', '.join(chart_kinds())}")
    body = await asyncio.to_thread(_spec, data_dir, kind)
    return Response(body, content_type="application/json; charset=utf-8", headers={"cache-control": CACHE})


def _charts(datasette: Any) -> tuple[list[dict[str, str]], str]:
    """Return the charts to show (kind, title, URL of the spec) and the URL of the Vega bundle."""
    published = _config(datasette).get("static_charts")
    if published:
        # A published copy (kz-timeline publish-files): specs and bundle are static files; kz_timeline is not installed.
        base = published["base"].rstrip("/")
        charts = [
            {"kind": kind, "title": title, "spec_url": datasette.urls.path(f"{base}/charts/{kind}.json")}
            for kind, title in published["charts"].items()
        ]
        return charts, datasette.urls.path(f"{base}/vega.js")
    _live_data_dir(datasette)
    from kz_timeline.text import term_label

    version = f"?v={(datasette.get_database(DATABASE).hash or '')[:16]}"
    charts = [
        {"kind": kind, "title": term_label(kind), "spec_url": datasette.urls.path(SPEC_PATH.format(kind=kind)) + version}
        for kind in chart_kinds()
    ]
    return charts, datasette.urls.path(VEGA_PATH) + version


async def timeline_page(datasette: Any, request: Any) -> Response:
    """Render the charts page, /timeline."""
    charts, vega_url = _charts(datasette)
    context = {"charts": charts, "vega_url": vega_url, "database": DATABASE, "title": datasette.metadata("title")}
    html = await datasette.render_template("kz-timeline-charts.html", context, request=request)
    return Response.html(html)


@hookimpl  # type: ignore[untyped-decorator]  # pluggy ships no types
def register_routes() -> list[tuple[str, Any]]:
    """Add the charts page, the Vega bundle and the chart specs to Datasette's routes."""
    return [
        (r"^/timeline$", timeline_page),
        (r"^/-/kz-timeline/vega\.js$", vega_js),
        (r"^/-/kz-timeline/charts/(?P<kind>[a-z0-9_-]+)\.json$", chart_spec),
    ]


@hookimpl  # type: ignore[untyped-decorator]  # pluggy ships no types
def startup(datasette: Any) -> None:
    """Prepare the Vega bundle and the chart specs in the background, so that the first visit to /timeline is quick.

    Not for big data: loading a million events for the charts takes a minute and gigabytes, so it waits for a visit.
    """
    data_dir = getattr(datasette, DATA_DIR_ATTRIBUTE, None)
    if not data_dir or _csv_bytes(str(data_dir)) > WARM_LIMIT_BYTES:
        return

    def warm() -> None:
        try:
            _vega_bundle()
            for kind in chart_kinds():
                _spec(str(data_dir), kind)
        except Exception:  # noqa: BLE001 - a warm-up only: the same error reaches whoever visits /timeline
            return

    threading.Thread(target=warm, name="kz-timeline-warm", daemon=True).start()


@hookimpl  # type: ignore[untyped-decorator]  # pluggy ships no types
def menu_links(datasette: Any) -> list[dict[str, str]]:
    """Link the charts page from Datasette's menu."""
    return [{"href": datasette.urls.path("/timeline"), "label": "Charts: timeline and actors"}]


EVENT_PARTICIPANTS = """
select p.actor_id, a.name, a.actor_type, p.role, p.note
from participants p join actors a on a.actor_id = p.actor_id
where p.event_id = :event_id
order by p.role, a.name"""
EVENT_CLAIMS = """
select c.claim_id, c.statement, c.quote, c.verification, c.verification_note,
       c.claimant_id, claimant.name as claimant, c.source_id, s.title as source,
       (select count(*) from evidence v where v.claim_id = c.claim_id) as evidence
from claims c
join actors claimant on claimant.actor_id = c.claimant_id
join sources s on s.source_id = c.source_id
where c.event_id = :event_id
order by c.claim_id"""
EVENT_LINKS = """
select 'to' as direction, l.relation, l.to_event_id as other_id, e.title as other_title, e.date as other_date, l.note
from event_links l join events e on e.event_id = l.to_event_id
where l.from_event_id = :event_id
union all
select 'from', l.relation, l.from_event_id, e.title, e.date, l.note
from event_links l join events e on e.event_id = l.from_event_id
where l.to_event_id = :event_id
order by 1 desc, 2, 5"""


#: An actor's page lists at most this many events and claims of each kind, and links to the full lists.
ACTOR_LIST_LIMIT = 200
ACTOR_EVENTS = """
select e.event_id, e.title, e.date, e.event_type, p.role, p.note
from participants p join events e on e.event_id = p.event_id
where p.actor_id = :actor_id
order by e.date_start, e.event_id, p.role
limit :limit"""
ACTOR_CLAIMS = """
select c.claim_id, c.statement, c.quote, c.verification, c.source_id, s.title as source,
       c.claimant_id = :actor_id as asserts, c.actor_id = :actor_id as about
from claims c join sources s on s.source_id = c.source_id
where c.claim_id in (
  select claim_id from claims where claimant_id = :actor_id
  union select claim_id from claims where actor_id = :actor_id
)
order by c.claim_id
limit :limit"""


async def _rows(datasette: Any, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    return [dict(row) for row in await datasette.get_database(DATABASE).execute(sql, params)]


@hookimpl  # type: ignore[untyped-decorator]  # pluggy ships no types
def extra_template_vars(view_name: str, database: str | None, table: str | None, request: Any, datasette: Any) -> Any:
    """Give the event and actor pages their participants, claims, links and events."""
    if view_name != "row" or database != DATABASE or table not in ("events", "actors") or request is None:
        return {}
    key = tilde_decode(request.url_vars["pks"])

    async def event_context() -> dict[str, Any]:
        params = {"event_id": key}
        return {
            "kz_event": {
                "participants": await _rows(datasette, EVENT_PARTICIPANTS, params),
                "claims": await _rows(datasette, EVENT_CLAIMS, params),
                "links": await _rows(datasette, EVENT_LINKS, params),
            }
        }

    async def actor_context() -> dict[str, Any]:
        params = {"actor_id": key, "limit": ACTOR_LIST_LIMIT}
        return {
            "kz_actor": {
                "events": await _rows(datasette, ACTOR_EVENTS, params),
                "claims": await _rows(datasette, ACTOR_CLAIMS, params),
                "limit": ACTOR_LIST_LIMIT,
            }
        }

    return event_context if table == "events" else actor_context
