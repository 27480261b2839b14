"""Datasette plugin of kz-timeline: charts at /timeline, the op-ed claim by claim at /oped, readable pages.

Readable pages: an event's and an actor's (the thing itself first, the raw row folded below), a claim's (how its
label was reached, and its schema.org ClaimReview as JSON-LD); the home page counts the op-ed's claims per label.

The published copy runs this plugin without kz_timeline installed: everything the pages show comes from the database.
The functions that read a page's rows (`oped_context`, `event_record`) take a plain sqlite3 connection, so that
`kz-timeline export reader` renders the same templates from the same rows.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import sqlite3
import threading
from collections.abc import Callable
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from datasette import hookimpl
from datasette.utils import tilde_decode, tilde_encode
from datasette.utils.asgi import NotFound, Response

PLUGIN = "kz-timeline"
DATABASE = "kz-timeline"
VEGA_PATH = "/-/kz-timeline/vega.js"
#: The spec of a chart for a wide screen, and for a narrow one (`{kind}-narrow.json`); a published copy has both.
SPEC_PATH = "/-/kz-timeline/charts/{kind}.json"
NARROW = "-narrow"
#: Browsers may keep the bundle and the specs for a day: their URLs carry the build fingerprint (`?v=`), which
#: changes whenever the package or the data does.
CACHE = "max-age=86400"

#: Data up to this size (all CSV files together) is loaded for the charts at startup rather than on the first visit.
WARM_LIMIT_BYTES = 20_000_000

_lock = threading.Lock()


def _csv_bytes(data_dir: str) -> int:
    return sum(path.stat().st_size for path in Path(data_dir).glob("*.csv"))


def _vega_bundle() -> str:
    """Return Vega, Vega-Lite, vega-embed and the package's `kzTimelineEmbed` as one script (no CDN)."""
    from kz_timeline.charts.rendering import chart_script

    return chart_script()


@lru_cache(maxsize=4)
def _dataset(data_dir: str) -> Any:
    from kz_timeline.dataset.loader import load

    return load(data_dir)


#: The chart specs drawn so far, by data directory, kind and width (the oldest are forgotten beyond SPECS_KEPT).
_specs: dict[tuple[str, str, bool], str] = {}
SPECS_KEPT = 32


def _spec(data_dir: str, kind: str, narrow: bool = False) -> str:
    """Return the Vega-Lite spec of one chart (`narrow`: for a phone) as JSON, drawn once however many ask together."""
    key = (data_dir, kind, narrow)
    found = _specs.get(key)
    if found is not None:
        return found
    from kz_timeline.charts.builders import make_chart
    from kz_timeline.charts.layout import NARROW_WIDTH, WIDTH
    from kz_timeline.charts.rendering import chart_spec

    with _lock:  # one chart at a time (Altair's data transformer settings are global); those who waited find it drawn
        found = _specs.get(key)
        if found is None:
            width = NARROW_WIDTH if narrow else WIDTH
            found = json.dumps(chart_spec(make_chart(_dataset(data_dir), kind, width=width)), ensure_ascii=False)
            _specs[key] = found
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
    name = request.url_vars["kind"]
    kind = name.removesuffix(NARROW)
    if kind not in chart_kinds():
        raise NotFound(f"no chart {name!r}; the charts are {', '.join(chart_kinds())}, each also as KIND{NARROW}")
    body = await asyncio.to_thread(_spec, data_dir, kind, name != kind)
    return Response(body, content_type="application/json; charset=utf-8", headers={"cache-control": CACHE})


def _charts(datasette: Any) -> tuple[list[dict[str, str]], str]:
    """Return the charts to show (kind, title, URLs of the wide and the narrow spec) and the URL of the Vega bundle."""
    published = _config(datasette).get("static_charts")
    if published:
        # A published copy (kz-timeline publish-files): specs and bundle are static files; kz_timeline is not installed.
        base = published["base"].rstrip("/")
        charts = [
            {
                "kind": kind,
                "title": title,
                "spec_url": datasette.urls.path(f"{base}/charts/{kind}.json"),
                "narrow_spec_url": datasette.urls.path(f"{base}/charts/{kind}{NARROW}.json"),
            }
            for kind, title in published["charts"].items()
        ]
        return charts, datasette.urls.path(f"{base}/vega.js")
    _live_data_dir(datasette)
    from kz_timeline.text import term_label

    version = f"?v={(datasette.get_database(DATABASE).hash or '')[:16]}"
    charts = [
        {
            "kind": kind,
            "title": term_label(kind),
            "spec_url": datasette.urls.path(SPEC_PATH.format(kind=kind)) + version,
            "narrow_spec_url": datasette.urls.path(SPEC_PATH.format(kind=kind + NARROW)) + version,
        }
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


async def oped_page(datasette: Any, request: Any) -> Response:
    """Render the op-ed, claim by claim: /oped."""
    oped = await datasette.get_database(DATABASE).execute_fn(oped_context)
    context = {"oped": oped, "database": DATABASE}
    html = await datasette.render_template("kz-timeline-oped.html", context, request=request)
    return Response.html(html)


@hookimpl  # type: ignore[untyped-decorator]  # pluggy ships no types
def register_routes() -> list[tuple[str, Any]]:
    """Add the op-ed page, the charts page, the Vega bundle and the chart specs to Datasette's routes."""
    return [
        (r"^/oped$", oped_page),
        (r"^/timeline$", timeline_page),
        (r"^/-/kz-timeline/vega\.js$", vega_js),
        (r"^/-/kz-timeline/charts/(?P<kind>[a-z0-9_-]+)\.json$", chart_spec),
    ]


#: The name of the thread that warms the charts at start-up (tests wait for it, so it ends with the test that began it).
WARM_THREAD_NAME = "kz-timeline-warm"


@hookimpl  # type: ignore[untyped-decorator]  # pluggy ships no types
def startup(datasette: Any) -> None:
    """Prepare the Vega bundle and the chart specs in the background, so that the first visit to /timeline is quick.

    Not for big data: loading a million events for the charts takes a minute and gigabytes, so it waits for a visit.
    The thread is not a daemon: a process that ends while it works waits for the step under way (one chart, of data
    under WARM_LIMIT_BYTES) rather than tear down pyarrow's thread pool under it, which aborts the process
    ("terminate called without an active exception", apache/arrow#34314). It takes no further step once the
    main thread has ended.
    """
    data_dir = getattr(datasette, DATA_DIR_ATTRIBUTE, None)
    if not data_dir or _csv_bytes(str(data_dir)) > WARM_LIMIT_BYTES:
        return
    steps: list[Callable[[], str]] = [_vega_bundle]
    for kind in chart_kinds():
        steps += [partial(_spec, str(data_dir), kind), partial(_spec, str(data_dir), kind, True)]

    def warm() -> None:
        try:
            for step in steps:
                if not threading.main_thread().is_alive():
                    return  # the process is ending: whatever is left would be drawn for nobody
                step()
        except Exception:  # noqa: BLE001 - a warm-up only: the same error reaches whoever visits /timeline
            return

    threading.Thread(target=warm, name=WARM_THREAD_NAME).start()


@hookimpl  # type: ignore[untyped-decorator]  # pluggy ships no types
def menu_links(datasette: Any) -> list[dict[str, str]]:
    """Link the op-ed page, the charts page and the methodology from Datasette's menu."""
    return [
        {"href": datasette.urls.path("/oped"), "label": "The op-ed, claim by claim"},
        {"href": datasette.urls.path("/timeline"), "label": charts_title(datasette)},
        {"href": datasette.urls.path("/methodology"), "label": "The methodology"},
    ]


EVENT = """
select e.event_id, e.title, e.date, e.date_text, e.place, e.description, e.date_note, e.is_key_event,
       e.event_type, t.label as event_type_label, e.theme, th.label as theme_label
from events e
join event_types t on t.value = e.event_type
join themes th on th.value = e.theme
where e.event_id = :event_id"""
EVENT_PARTICIPANTS = """
select p.actor_id, a.name, a.actor_type, at.label as actor_type_label, p.role, r.label as role_label, p.note
from participants p
join actors a on a.actor_id = p.actor_id
join actor_types at on at.value = a.actor_type
join roles r on r.value = p.role
where p.event_id = :event_id
order by r.position, a.name"""
EVENT_CLAIMS = """
select c.claim_id, c.statement, c.quote, c.verification, v.label, c.verdict,
       c.claimant_id, claimant.name as claimant, c.source_id, s.title as source, s.source_type,
       (select count(*) from evidence x where x.claim_id = c.claim_id) as evidence
from claims c
join verifications v on v.value = c.verification
join actors claimant on claimant.actor_id = c.claimant_id
join sources s on s.source_id = c.source_id
where c.event_id = :event_id
order by c.quote_start, c.claim_id"""
#: Evidence rows that document the event (for the claims of the op-ed that the event bears on).
EVENT_EVIDENCE = """
select x.evidence_id, x.claim_id, c.statement, cs.source_type = 'op_ed' as in_oped, x.relation,
       r.label as relation_label, x.timing, x.excerpt, x.source_id, s.title as source, s.publisher, s.published_text, s.url
from evidence x
join claims c on c.claim_id = x.claim_id
join sources cs on cs.source_id = c.source_id
join evidence_relations r on r.value = x.relation
join sources s on s.source_id = x.source_id
where x.event_id = :event_id
order by x.claim_id, r.position, x.evidence_id"""
EVENT_LINKS = """
select 'to' as direction, l.relation, rel.label as relation_label, l.to_event_id as other_id, e.title as other_title,
       e.date_text as other_date, e.date_start, l.note
from event_links l join events e on e.event_id = l.to_event_id join relations rel on rel.value = l.relation
where l.from_event_id = :event_id
union all
select 'from', l.relation, rel.label, l.from_event_id, e.title, e.date_text, e.date_start, l.note
from event_links l join events e on e.event_id = l.from_event_id join relations rel on rel.value = l.relation
where l.to_event_id = :event_id
order by 1 desc, 2, 7"""


def _fetch(connection: sqlite3.Connection, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the rows of `sql` as dicts."""
    cursor = connection.execute(sql, params)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def event_record(connection: sqlite3.Connection, event_id: str) -> dict[str, Any] | None:
    """Return what an event's page shows: the event, who takes part, the claims about it, its evidence, its links."""
    params = {"event_id": event_id}
    found = _fetch(connection, EVENT, params)
    if not found:
        return None
    return {
        **found[0],
        "participants": _fetch(connection, EVENT_PARTICIPANTS, params),
        "claims": _fetch(connection, EVENT_CLAIMS, params),
        "evidence": _fetch(connection, EVENT_EVIDENCE, params),
        "links": _fetch(connection, EVENT_LINKS, params),
    }


#: An actor's page lists at most this many events and claims of each kind, and links to the full lists.
ACTOR_LIST_LIMIT = 200
ACTOR = """
select a.actor_id, a.name, a.actor_type, t.label as actor_type_label, a.country_code, a.aliases, a.description
from actors a join actor_types t on t.value = a.actor_type
where a.actor_id = :actor_id"""
ACTOR_EVENTS = """
select e.event_id, e.title, e.date, e.date_text, e.event_type, t.label as event_type_label, p.role,
       r.label as role_label, p.note
from participants p
join events e on e.event_id = p.event_id
join event_types t on t.value = e.event_type
join roles r on r.value = p.role
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


#: Every copy of the op-ed: first the one whose text the quotes refer to, then the others by id.
OPED_COPIES = """
select s.source_id, s.title, s.author, s.publisher, s.url, s.published, s.published_text, s.reliability,
       sr.label as reliability_label, s.text_sha256 is not null as quoted, s.note
from sources s join source_reliabilities sr on sr.value = s.reliability
where s.source_type = 'op_ed'
order by s.text_sha256 is null, s.source_id"""
#: The op-ed's claims in the op-ed's order; a passage before the claims nested in it.
OPED_CLAIMS = """
select c.claim_id, c.statement, c.claim_type, t.label as claim_type_label, c.quote, c.quote_start, c.quote_end,
       c.source_id, c.claimant_id, claimant.name as claimant, coalesce(claimant.name = s.author, 0) as by_author,
       c.event_id, e.title as event, e.date_text as event_date, c.actor_id, a.name as actor,
       c.verification, v.label, v.rule, c.verdict
from claims c
join sources s on s.source_id = c.source_id
join verifications v on v.value = c.verification
join claim_types t on t.value = c.claim_type
join actors claimant on claimant.actor_id = c.claimant_id
left join events e on e.event_id = c.event_id
left join actors a on a.actor_id = c.actor_id
where s.source_type = 'op_ed'
order by c.source_id, c.quote_start, c.quote_end desc, c.claim_id"""
OPED_EVIDENCE = """
select x.claim_id, x.evidence_id, x.relation, r.label as relation_label, x.timing, x.carrying, x.excerpt, x.note,
       x.source_id, s.title as source, s.publisher, s.published_text, s.url, s.reliability,
       sr.label as reliability_label, x.event_id, e.title as event, e.date_text as event_date, e.date_start
from evidence x
join claims c on c.claim_id = x.claim_id
join sources o on o.source_id = c.source_id and o.source_type = 'op_ed'
join evidence_relations r on r.value = x.relation
join sources s on s.source_id = x.source_id
join source_reliabilities sr on sr.value = s.reliability
left join events e on e.event_id = x.event_id
order by x.claim_id, r.position, x.evidence_id"""
VERIFICATIONS = "select value, label, rule from verifications order by position"
KEY_EVENTS = """
select e.event_id, e.title, e.date_text, e.date_start from events e where e.is_key_event order by e.date_start, e.event_id"""


def _passages(claims: list[dict[str, Any]]) -> None:
    """Mark where the op-ed's text runs on between claims (`gap_before`) and which claims lie inside an earlier one."""
    furthest: dict[str, int] = {}
    for claim in claims:
        end = furthest.get(claim["source_id"], 0)
        claim["gap_before"] = claim["quote_start"] > end
        claim["nested"] = claim["source_id"] in furthest and claim["quote_end"] <= end
        furthest[claim["source_id"]] = max(end, claim["quote_end"])


def _events_of(claim: dict[str, Any], evidence: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the events a claim is about or its evidence as of publication documents, in date order, each once.

    Later developments' events are linked from their own rows, shown apart.
    """
    found = {row["event_id"]: row for row in evidence if row["event_id"] and row["timing"] == "as_of_publication"}
    events = sorted(found.values(), key=lambda row: (row["date_start"], row["event_id"]))
    linked = [{"event_id": row["event_id"], "title": row["event"], "date": row["event_date"]} for row in events]
    if claim["event_id"]:
        first = {"event_id": claim["event_id"], "title": claim["event"], "date": claim["event_date"]}
        linked = [first, *(row for row in linked if row["event_id"] != claim["event_id"])]
    return linked


def oped_context(connection: sqlite3.Connection) -> dict[str, Any]:
    """Return what the op-ed's page shows: the op-ed, its claims in order with their evidence, counts, key events.

    Each claim is one assertion (METHODOLOGY section 2), quoted verbatim; `gap_before` marks where the op-ed's text
    runs on before it (shown as [...]: the full text is not republished).
    """
    claims = _fetch(connection, OPED_CLAIMS, {})
    evidence: dict[str, list[dict[str, Any]]] = {}
    for row in _fetch(connection, OPED_EVIDENCE, {}):
        evidence.setdefault(row["claim_id"], []).append(row)
    _passages(claims)
    for number, claim in enumerate(claims, start=1):
        claim["number"] = number
        rows = evidence.get(claim["claim_id"], [])
        sections = claim_sections(rows, opinion=claim["verification"] == "opinion")
        claim.update(sections, counts=_counts(sections["carrying"]), events=_events_of(claim, rows), evidence=len(rows))
    labels = [
        {**label, "claims": sum(c["verification"] == label["value"] for c in claims)}
        for label in _fetch(connection, VERIFICATIONS, {})
    ]
    claims_by_event: dict[str, list[dict[str, Any]]] = {}
    for claim in claims:
        if claim["event_id"]:
            claims_by_event.setdefault(claim["event_id"], []).append({"claim_id": claim["claim_id"], "number": claim["number"]})
    key_events = [{**event, "claims": claims_by_event.get(event["event_id"], [])} for event in _fetch(connection, KEY_EVENTS, {})]
    copies = _fetch(connection, OPED_COPIES, {})
    dated = [copy for copy in copies if copy["published"]]
    return {
        "op_ed": copies[0] if copies else None,
        "copies": copies,
        "published_text": min(dated, key=lambda copy: copy["published"])["published_text"] if dated else None,
        "claims": claims,
        "labels": labels,
        "key_events": key_events,
    }


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
        record = await datasette.get_database(DATABASE).execute_fn(lambda connection: event_record(connection, key))
        return {"kz_event": record} if record else {}

    async def actor_context() -> dict[str, Any]:
        params = {"actor_id": key, "limit": ACTOR_LIST_LIMIT}
        found = await _rows(datasette, ACTOR, params)
        if not found:
            return {}
        return {
            "kz_actor": {
                **found[0],
                "events": await _rows(datasette, ACTOR_EVENTS, params),
                "claims": await _rows(datasette, ACTOR_CLAIMS, params),
                "limit": ACTOR_LIST_LIMIT,
            }
        }

    return event_context if table == "events" else actor_context
