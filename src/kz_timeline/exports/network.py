"""The dataset as a graph: actors and events as nodes, participation and event links as edges (networkx)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import SubElement

import networkx as nx

from kz_timeline.dataset.loader import Dataset, load
from kz_timeline.schema.models import ALIAS_SEPARATOR, Actor, Claim, Event


def event_node(event_id: str) -> str:
    """Return the node id of an event ('event:<event_id>'); ids are prefixed because tables may share a slug."""
    return f"event:{event_id}"


def actor_node(actor_id: str) -> str:
    """Return the node id of an actor ('actor:<actor_id>')."""
    return f"actor:{actor_id}"


def claim_node(claim_id: str) -> str:
    """Return the node id of a claim ('claim:<claim_id>')."""
    return f"claim:{claim_id}"


def _present(attributes: dict[str, Any]) -> dict[str, Any]:
    """Drop empty attributes: GraphML and GEXF have no null."""
    return {key: value for key, value in attributes.items() if value is not None and value != ""}


def _event_attributes(event: Event) -> dict[str, Any]:
    return _present(
        {
            "kind": "event",
            "label": event.title,
            "date": event.date,
            "start": event.date_start.isoformat(),
            "end": event.date_end.isoformat() if event.date_end else None,
            "date_precision": event.date_precision.value,
            "date_certainty": event.date_certainty.value,
            "date_end_status": event.date_end_status.value,
            "event_type": event.event_type.value,
            "theme": event.theme.value,
            "is_key_event": event.is_key_event,
            "place": event.place,
            "country_code": event.country_code,
            "description": event.description,
        }
    )


def _actor_attributes(actor: Actor) -> dict[str, Any]:
    return _present(
        {
            "kind": "actor",
            "label": actor.name,
            "actor_type": actor.actor_type.value,
            "country_code": actor.country_code,
            "aliases": ALIAS_SEPARATOR.join(actor.aliases),
            "description": actor.description,
        }
    )


def _claim_attributes(claim: Claim) -> dict[str, Any]:
    return _present(
        {
            "kind": "claim",
            "label": claim.statement,
            "quote": claim.quote,
            "source_id": claim.source_id,
            "claim_type": claim.claim_type.value,
            "verification": claim.verification.value,
            "verdict": claim.verdict,
        }
    )


def graph(dataset: Dataset | str | Path | None = None, *, claims: bool = False) -> nx.MultiDiGraph:
    """Return the dataset (the shipped one by default, or a data directory) as a networkx MultiDiGraph.

    Nodes are `event:<id>` and `actor:<id>` with a `kind` attribute, a `label` and the table's columns (events carry
    their EDTF `date` and ISO `start`/`end`). Edges run from actor to event (`kind` participation, with the `role`)
    and between events (`kind` event_link, with the `relation`); each edge's key is its role or relation. With
    `claims`, claim nodes are added, with `asserts` edges from the claimant and `about` edges to the event and actor.
    """
    data = dataset if isinstance(dataset, Dataset) else load(dataset)
    tables = data.models
    network: nx.MultiDiGraph = nx.MultiDiGraph(name="kz-timeline")
    for event in tables.events:
        network.add_node(event_node(event.event_id), **_event_attributes(event))
    for actor in tables.actors:
        network.add_node(actor_node(actor.actor_id), **_actor_attributes(actor))
    for participant in tables.participants:
        network.add_edge(
            actor_node(participant.actor_id),
            event_node(participant.event_id),
            key=participant.role.value,
            **_present(
                {
                    "kind": "participation",
                    "label": participant.role.value,
                    "role": participant.role.value,
                    "note": participant.note,
                }
            ),
        )
    for link in tables.event_links:
        network.add_edge(
            event_node(link.from_event_id),
            event_node(link.to_event_id),
            key=link.relation.value,
            **_present({"kind": "event_link", "label": link.relation.value, "relation": link.relation.value, "note": link.note}),
        )
    if claims:
        _add_claims(network, tables.claims)
    return network


def _add_claims(network: nx.MultiDiGraph, claims: list[Claim]) -> None:
    for claim in claims:
        node = claim_node(claim.claim_id)
        network.add_node(node, **_claim_attributes(claim))
        network.add_edge(actor_node(claim.claimant_id), node, key="asserts", kind="asserts", label="asserts")
        if claim.event_id:
            network.add_edge(node, event_node(claim.event_id), key="about", kind="about", label="about")
        if claim.actor_id:
            network.add_edge(node, actor_node(claim.actor_id), key="about", kind="about", label="about")


def graphml_bytes(network: nx.MultiDiGraph) -> bytes:
    """Return the graph as GraphML (for Cytoscape, Gephi, yEd)."""
    return "\n".join(nx.generate_graphml(network, encoding="utf-8", prettyprint=True)).encode("utf-8") + b"\n"


def gexf_bytes(network: nx.MultiDiGraph) -> bytes:
    """Return the graph as GEXF 1.2 (for Gephi); events' start/end become time spells, so Gephi can play the timeline.

    The file is reproducible: networkx's date of writing is left out and the creator is this package.
    """
    from networkx.readwrite.gexf import GEXFWriter

    from kz_timeline import __version__

    writer = GEXFWriter(encoding="utf-8", prettyprint=True, version="1.2draft")
    meta = writer.xml.find("meta")
    if meta is not None:
        meta.attrib.pop("lastmodifieddate", None)
        for creator in meta.iter("creator"):
            creator.text = f"kz-timeline {__version__}"
        SubElement(meta, "description").text = "Actors and events of one op-ed on Kazakhstan, with participation and event links."
    writer.add_graph(network)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue() + b"\n"
