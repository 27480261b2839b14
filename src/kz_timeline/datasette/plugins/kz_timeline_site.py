"""Datasette plugin of kz-timeline: the /timeline charts page, a local Vega bundle, and readable event pages."""

from __future__ import annotations

import asyncio
import json
import threading
from functools import lru_cache
from typing import Any

from datasette import hookimpl
from datasette.utils import tilde_decode
from datasette.utils.asgi import NotFound, Response

PLUGIN = "kz-timeline"
DATABASE = "kz-timeline"
VEGA_PATH = "/-/kz-timeline/vega.js"
SPEC_PATH = "/-/kz-timeline/charts/{kind}.json"
#: Browsers may keep the bundle and the specs for a day: they change only when the package or the data does.
CACHE = "max-age=86400"

_lock = threading.Lock()


def _vega_bundle() -> str:
    """Return Vega, Vega-Lite and vega-embed as one script, for the Vega-Lite version Altair writes (no CDN)."""
    from kz_timeline.rendering import javascript_bundle

    return javascript_bundle()


@lru_cache(maxsize=4)
def _dataset(data_dir: str) -> Any:
    from kz_timeline.dataset import load

    return load(data_dir)


@lru_cache(maxsize=32)
def _spec(data_dir: str, kind: str) -> str:
    from kz_timeline.charts import make_chart
    from kz_timeline.rendering import chart_spec

    with _lock:  # Altair's data transformer settings are global: build one chart at a time
        spec = chart_spec(make_chart(_dataset(data_dir), kind))
    return json.dumps(spec, ensure_ascii=False)


def chart_kinds() -> list[str]:
    """Return the kinds of chart the charts page shows, in order."""
    from kz_timeline.charts import CHART_KINDS

    return list(CHART_KINDS)


def _data_dir(datasette: Any) -> str:
    config = datasette.plugin_config(PLUGIN) or {}
    data_dir = config.get("data_dir")
    if not data_dir:
        raise RuntimeError(f"the {PLUGIN} plugin needs its data_dir setting (kz-timeline serve sets it)")
    return str(data_dir)


async def vega_js(datasette: Any, request: Any) -> Response:
    bundle = await asyncio.to_thread(_vega_bundle)
    return Response(bundle, content_type="text/javascript; charset=utf-8", headers={"cache-control": CACHE})


async def chart_spec(datasette: Any, request: Any) -> Response:
    kind = request.url_vars["kind"]
    if kind not in chart_kinds():
        raise NotFound(f"no chart {kind!r}; the charts are {', '.join(chart_kinds())}")
    body = await asyncio.to_thread(_spec, _data_dir(datasette), kind)
    return Response(body, content_type="application/json; charset=utf-8", headers={"cache-control": CACHE})


async def timeline_page(datasette: Any, request: Any) -> Response:
    from kz_timeline.database import term_label

    charts = [
        {"kind": kind, "title": term_label(kind), "spec_url": datasette.urls.path(SPEC_PATH.format(kind=kind))}
        for kind in chart_kinds()
    ]
    html = await datasette.render_template(
        "kz-timeline-charts.html",
        {"charts": charts, "vega_url": datasette.urls.path(VEGA_PATH), "database": DATABASE, "title": datasette.metadata("title")},
        request=request,
    )
    return Response.html(html)


@hookimpl  # type: ignore[untyped-decorator]  # pluggy ships no types
def register_routes() -> list[tuple[str, Any]]:
    return [
        (r"^/timeline$", timeline_page),
        (r"^/-/kz-timeline/vega\.js$", vega_js),
        (r"^/-/kz-timeline/charts/(?P<kind>[a-z0-9_-]+)\.json$", chart_spec),
    ]


@hookimpl  # type: ignore[untyped-decorator]  # pluggy ships no types
def startup(datasette: Any) -> None:
    """Prepare the Vega bundle and the chart specs in the background, so that the first visit to /timeline is quick."""
    data_dir = (datasette.plugin_config(PLUGIN) or {}).get("data_dir")
    if not data_dir:
        return

    def warm() -> None:
        _vega_bundle()
        for kind in chart_kinds():
            _spec(str(data_dir), kind)

    threading.Thread(target=warm, name="kz-timeline-warm", daemon=True).start()


@hookimpl  # type: ignore[untyped-decorator]  # pluggy ships no types
def menu_links(datasette: Any) -> list[dict[str, str]]:
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


@hookimpl  # type: ignore[untyped-decorator]  # pluggy ships no types
def extra_template_vars(view_name: str, database: str | None, table: str | None, request: Any, datasette: Any) -> Any:
    if view_name != "row" or database != DATABASE or table != "events" or request is None:
        return {}

    async def event_context() -> dict[str, Any]:
        event_id = tilde_decode(request.url_vars["pks"])
        db = datasette.get_database(DATABASE)
        params = {"event_id": event_id}
        participants = [dict(row) for row in await db.execute(EVENT_PARTICIPANTS, params)]
        claims = [dict(row) for row in await db.execute(EVENT_CLAIMS, params)]
        links = [dict(row) for row in await db.execute(EVENT_LINKS, params)]
        return {"kz_event": {"participants": participants, "claims": claims, "links": links}}

    return event_context
