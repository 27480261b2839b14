"""kz_timeline.graph() and the GraphML and GEXF files: every actor, event, participation and link, read back."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

import kz_timeline
from kz_timeline.dataset.loader import Dataset, load


@pytest.fixture(scope="module")
def shipped() -> Dataset:
    return load()


def test_graph_has_a_node_per_actor_and_event_and_an_edge_per_participation_and_link(shipped: Dataset) -> None:
    network = kz_timeline.graph(shipped)
    assert isinstance(network, nx.MultiDiGraph)
    kinds = nx.get_node_attributes(network, "kind")
    assert sum(kind == "event" for kind in kinds.values()) == len(shipped.events)
    assert sum(kind == "actor" for kind in kinds.values()) == len(shipped.actors)
    edge_kinds = [kind for _, _, kind in network.edges(data="kind")]
    assert edge_kinds.count("participation") == len(shipped.participants)
    assert edge_kinds.count("event_link") == len(shipped.event_links)


def test_graph_nodes_and_edges_carry_labels_dates_roles_and_relations(minimal_dir: Path) -> None:
    network = kz_timeline.graph(minimal_dir)
    event = network.nodes["event:editor_sentenced"]
    assert (event["label"], event["date"], event["start"], event["end"]) == (
        "Editor sentenced",
        "2017-09",
        "2017-09-01",
        "2017-09-30",
    )
    assert (event["event_type"], event["is_key_event"]) == ("verdict", True)
    actor = network.nodes["actor:editor"]
    assert (actor["kind"], actor["label"], actor["aliases"]) == ("actor", "The Editor", "Редактор|Editor X")
    assert network.edges["actor:editor", "event:editor_sentenced", "defendant"]["role"] == "defendant"
    assert network.edges["event:president_speaks", "event:editor_sentenced", "follows"]["relation"] == "follows"
    assert "note" not in network.edges["event:president_speaks", "event:editor_sentenced", "follows"]


def test_graph_with_claims_adds_claim_nodes_and_their_edges(minimal_dir: Path) -> None:
    network = kz_timeline.graph(minimal_dir, claims=True)
    claim = network.nodes["claim:editor_sentenced_in_2017"]
    assert (claim["kind"], claim["claim_type"], claim["verification"]) == ("claim", "fact", "corroborated")
    assert claim["verdict"] == "The court record gives 7 September 2017."
    assert network.has_edge("actor:president", "claim:editor_sentenced_in_2017", "asserts")
    assert network.has_edge("claim:editor_sentenced_in_2017", "event:editor_sentenced", "about")
    assert network.has_edge("claim:editor_sentenced_in_2017", "actor:editor", "about")
    assert kz_timeline.graph(minimal_dir).number_of_nodes() == network.number_of_nodes() - 2


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_exported_graph_reads_back_with_every_node_edge_and_attribute(fmt: str, tmp_path: Path, shipped: Dataset) -> None:
    out = tmp_path / f"kz.{fmt}"
    result = subprocess.run(
        [sys.executable, "-m", "kz_timeline", "export", fmt, "--out", str(out)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"wrote {out} from {kz_timeline.default_data_dir()}\n"  # the checkout's data/, run here
    read = nx.read_graphml(out, force_multigraph=True) if fmt == "graphml" else nx.read_gexf(out)
    original = kz_timeline.graph(shipped)
    assert sorted(read.nodes) == sorted(original.nodes)
    assert read.number_of_edges() == original.number_of_edges()
    for node, attributes in original.nodes(data=True):
        for key in ("label", "kind", "date", "start", "end", "event_type", "role", "actor_type", "is_key_event"):
            if key in attributes:
                assert read.nodes[node][key] == attributes[key], (node, key)
    roles = sorted(role for _, _, role in read.edges(data="role") if role)
    assert roles == sorted(shipped.participants["role"].astype(str))
    relations = sorted(relation for _, _, relation in read.edges(data="relation") if relation)
    assert relations == sorted(shipped.event_links["relation"].astype(str))


def test_gexf_dates_events_as_time_spells_for_gephi(tmp_path: Path, minimal_dir: Path) -> None:
    out = kz_timeline.export("gexf", tmp_path / "kz.gexf", minimal_dir)
    text = out.read_text(encoding="utf-8")
    assert 'mode="dynamic"' in text and 'timeformat="date"' in text
    assert "<creator>kz-timeline " in text and "lastmodifieddate" not in text
    assert 'id="event:editor_sentenced" label="Editor sentenced" start="2017-09-01" end="2017-09-30"' in text
