"""Datasette plugin of kz-timeline: charts at /timeline, a local Vega bundle, readable pages, counts per label.

Readable pages: an event's, an actor's and a claim's (how its label was reached, and its schema.org ClaimReview as
JSON-LD); the home page counts the op-ed's claims per label.

The published copy runs this plugin without kz_timeline installed: everything the pages show comes from the database.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from datasette import hookimpl
from datasette.utils import tilde_decode, tilde_encode
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


def charts_title(datasette: Any) -> str:
    """Return the charts page's name, which lists its charts (set by `serve` and `publish-files`)."""
    return str(_config(datasette).get("title") or "Charts")


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
    from datasette.version import __version__ as datasette_version

    charts, vega_url = _charts(datasette)
    context = {
        "charts": charts,
        "vega_url": vega_url,
        "database": DATABASE,
        "title": datasette.metadata("title"),
        "charts_title": charts_title(datasette),
        # What Datasette's own pages give the footer: its version, the licence and the source.
        "datasette_version": datasette_version,
        "metadata": datasette.metadata(),
    }
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
    return [{"href": datasette.urls.path("/timeline"), "label": charts_title(datasette)}]


EVENT_PARTICIPANTS = """
select p.actor_id, a.name, a.actor_type, p.role, p.note
from participants p join actors a on a.actor_id = p.actor_id
where p.event_id = :event_id
order by p.role, a.name"""
EVENT_CLAIMS = """
select c.claim_id, c.statement, c.quote, c.verification, v.label, c.verdict,
       c.claimant_id, claimant.name as claimant, c.source_id, s.title as source,
       (select count(*) from evidence x where x.claim_id = c.claim_id) as evidence
from claims c
join verifications v on v.value = c.verification
join actors claimant on claimant.actor_id = c.claimant_id
join sources s on s.source_id = c.source_id
where c.event_id = :event_id
order by c.claim_id"""
#: Evidence rows that document the event (for the claims of the op-ed that the event bears on).
EVENT_EVIDENCE = """
select x.evidence_id, x.claim_id, c.statement, x.relation, r.label as relation_label, x.timing, x.excerpt,
       x.source_id, s.title as source, s.url
from evidence x
join claims c on c.claim_id = x.claim_id
join evidence_relations r on r.value = x.relation
join sources s on s.source_id = x.source_id
where x.event_id = :event_id
order by x.claim_id, r.position, x.evidence_id"""
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
select c.claim_id, c.statement, c.quote, c.verification, v.label, c.source_id, s.title as source,
       c.claimant_id = :actor_id as asserts, c.actor_id = :actor_id as about
from claims c join sources s on s.source_id = c.source_id join verifications v on v.value = c.verification
where c.claim_id in (
  select claim_id from claims where claimant_id = :actor_id
  union select claim_id from claims where actor_id = :actor_id
)
order by c.claim_id
limit :limit"""


CLAIM = """
select c.claim_id, c.statement, c.claim_type, t.label as claim_type_label, c.quote, c.quote_start, c.quote_end,
       c.claimant_id, claimant.name as claimant, claimant.actor_type as claimant_type,
       c.source_id, s.title as source, s.url as source_url, s.publisher as source_publisher,
       s.published as source_published, s.source_type,
       c.event_id, e.title as event, e.date as event_date, c.actor_id, a.name as actor,
       c.verification, v.label, v.rule, c.verdict
from claims c
join verifications v on v.value = c.verification
join claim_types t on t.value = c.claim_type
join actors claimant on claimant.actor_id = c.claimant_id
join sources s on s.source_id = c.source_id
left join events e on e.event_id = c.event_id
left join actors a on a.actor_id = c.actor_id
where c.claim_id = :claim_id"""
CLAIM_EVIDENCE = """
select x.evidence_id, x.relation, r.label as relation_label, x.timing, x.carrying, x.excerpt, x.note,
       x.source_id, s.title as source, s.publisher, s.published, s.url, s.reliability, sr.label as reliability_label,
       x.event_id, e.title as event, e.date as event_date
from evidence x
join evidence_relations r on r.value = x.relation
join sources s on s.source_id = x.source_id
join source_reliabilities sr on sr.value = s.reliability
left join events e on e.event_id = x.event_id
where x.claim_id = :claim_id
order by r.position, x.evidence_id"""
#: The op-ed's claims counted per label, every label in vocabulary order; and the op-ed's publication date (M4).
LABEL_COUNTS = """
select v.value, v.label, v.rule, count(c.claim_id) as claims
from verifications v
left join claims c on c.verification = v.value
  and c.source_id in (select source_id from sources where source_type = 'op_ed')
group by v.value
order by v.position"""
PUBLICATION_DATE = """
select min(published) as published from sources where source_type = 'op_ed' and published is not null"""
#: The op-ed's other copies, where a claim that quotes one of them also appears (ClaimReview's appearance).
OTHER_COPIES = """
select source_id, title, publisher, url, published, source_type from sources
where source_type = 'op_ed' and source_id != :source_id
order by source_id"""
BUILT_ON = "select value from _build_info where key = 'built_on'"
#: `kz-timeline publish-files` copies kz_timeline/exports/claimreview.py here, beside this plugin: a published site
#: has no kz_timeline, and the claim pages' JSON-LD must come from the same function as the export.
CLAIMREVIEW_FILE = "kz_timeline_claimreview.py"


@lru_cache(maxsize=1)
def claimreview_module() -> Any:
    """Return kz_timeline.exports.claimreview, or on a published site the copy of it beside this plugin."""
    try:
        from kz_timeline.exports import claimreview
    except ImportError:
        spec = importlib.util.spec_from_file_location("kz_timeline_claimreview", Path(__file__).with_name(CLAIMREVIEW_FILE))
        if spec is None or spec.loader is None:
            raise
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    return claimreview


async def _rows(datasette: Any, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    return [dict(row) for row in await datasette.get_database(DATABASE).execute(sql, params)]


def claim_sections(evidence: list[dict[str, Any]], *, opinion: bool = False) -> dict[str, list[dict[str, Any]]]:
    """Split a claim's evidence as its page shows it: what carried the label, context as of publication, later.

    Nothing carries the label of an opinion (it is recorded, not rated): its rows as of publication are context.
    """
    carries = [bool(row["carrying"]) and not opinion for row in evidence]
    return {
        "carrying": [row for row, carrying in zip(evidence, carries, strict=True) if carrying],
        "context": [
            row for row, carrying in zip(evidence, carries, strict=True) if not carrying and row["timing"] == "as_of_publication"
        ],
        "later": [row for row in evidence if row["timing"] == "later_development"],
    }


async def claim_json_ld(datasette: Any, request: Any, claim: dict[str, Any]) -> str | None:
    """Return the ClaimReview of a claim's page as script-safe JSON: the export's document, its url this page's."""
    claimreview = claimreview_module()
    source = {
        "source_id": claim["source_id"],
        "title": claim["source"],
        "url": claim["source_url"],
        "publisher": claim["source_publisher"],
        "published": claim["source_published"],
        "source_type": claim["source_type"],
    }
    copies = await _rows(datasette, OTHER_COPIES, {"source_id": claim["source_id"]}) if claim["source_type"] == "op_ed" else []
    built = await _rows(datasette, BUILT_ON, {})
    document = claimreview.claim_review(
        claim,
        label=claim["label"],
        claimant={"name": claim["claimant"], "actor_type": claim["claimant_type"]},
        source=source,
        copies=copies,
        author_url=datasette.absolute_url(request, datasette.urls.instance()),
        date_published=built[0]["value"] if built else None,
        url=datasette.absolute_url(request, datasette.urls.row(DATABASE, "claims", tilde_encode(claim["claim_id"]))),
    )
    return None if document is None else str(claimreview.json_ld_script_text(document))


def _counts(rows: list[dict[str, Any]]) -> dict[str, int]:
    relations = ("supports", "contradicts", "qualifies")
    return {relation: sum(1 for row in rows if row["relation"] == relation) for relation in relations}


@hookimpl  # type: ignore[untyped-decorator]  # pluggy ships no types
def extra_template_vars(view_name: str, database: str | None, table: str | None, request: Any, datasette: Any) -> Any:
    """Give the event, actor and claim pages their sections, and the home page its charts link and claims per label."""
    if view_name == "index":

        async def index_context() -> dict[str, Any]:
            published = await _rows(datasette, PUBLICATION_DATE, {})
            return {
                "kz_charts_title": charts_title(datasette),
                "kz_labels": await _rows(datasette, LABEL_COUNTS, {}),
                "kz_published": published[0]["published"] if published else None,
            }

        return index_context
    if view_name != "row" or database != DATABASE or table not in ("events", "actors", "claims") or request is None:
        return {}
    key = tilde_decode(request.url_vars["pks"])

    async def claim_context() -> dict[str, Any]:
        params = {"claim_id": key}
        found = await _rows(datasette, CLAIM, params)
        if not found:
            return {}
        opinion = found[0]["verification"] == "opinion"
        sections = claim_sections(await _rows(datasette, CLAIM_EVIDENCE, params), opinion=opinion)
        jsonld = None if opinion else await claim_json_ld(datasette, request, found[0])
        return {"kz_claim": {**found[0], **sections, "counts": _counts(sections["carrying"]), "jsonld": jsonld}}

    if table == "claims":
        return claim_context

    async def event_context() -> dict[str, Any]:
        params = {"event_id": key}
        return {
            "kz_event": {
                "participants": await _rows(datasette, EVENT_PARTICIPANTS, params),
                "claims": await _rows(datasette, EVENT_CLAIMS, params),
                "evidence": await _rows(datasette, EVENT_EVIDENCE, params),
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
