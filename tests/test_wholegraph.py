"""mscgraph.views.wholegraph on the real data: the whole-graph rows joined from flat facts equal what the
named queries answer (the slow path: per row plans, and per link for the evidence)."""

from __future__ import annotations

import gc
import weakref

import pyoxigraph as ox
import pytest

import mscgraph
from mscgraph.evidence import summary
from mscgraph.model.namespaces import CONVERTER
from mscgraph.query.library import get
from mscgraph.query.terms import python
from mscgraph.views import html, network, wholegraph


@pytest.fixture(scope="module")
def facts(kg) -> wholegraph.Facts:
    return wholegraph.Facts(kg)


def _edges(graph):
    return sorted((u, v, k, repr(sorted(d.items()))) for u, v, k, d in graph.edges(keys=True, data=True))


def test_network_equals_the_network_of_the_named_queries(kg, facts):
    slow = network.from_rows(
        kg.rows("_network-nodes"),
        kg.rows("_network-findings"),
        kg.rows("_network-study-links") + kg.rows("_network-product-links"),
    )
    fast = network.build(kg, facts=facts)
    assert fast.number_of_nodes() > 50 and fast.number_of_edges() > 50
    assert dict(fast.nodes(data=True)) == dict(slow.nodes(data=True))
    assert _edges(fast) == _edges(slow)


def _row(row):
    """A row without its unbound values; the discrepancy notes in a fixed order (GROUP_CONCAT has none)."""
    out = {k: v for k, v in row.items() if v is not None}
    if "discrepancy" in out:
        out["discrepancy"] = " | ".join(sorted(out["discrepancy"].split(" | ")))
    return out


def _value(term):
    """A term as Graph.rows gives it."""
    return CONVERTER.compact(term.value) if isinstance(term, ox.NamedNode) else python(term)


def _key(row):
    return repr(sorted(row.items()))


def test_evidence_rows_equal_the_evidence_query_per_link_and_unbound(kg, facts):
    fast = sorted(map(_row, wholegraph.evidence_rows(facts)), key=_key)
    per_link = [
        _row(r)
        for pair in sorted({(link["subject"], link["mechanism"]) for link in summary.summaries(kg)})
        for r in kg.rows("evidence", dict(zip(("disease", "mechanism"), pair, strict=True)))
    ]
    unbound = kg.engine.run(get("evidence").text_for(kg.engine.lateral)).rows  # the page's old path
    assert len(fast) > 50
    assert fast == sorted(per_link, key=_key)
    assert fast == sorted((_row({k: _value(t) for k, t in r.items()}) for r in unbound), key=_key)


def test_link_summaries_equal_the_link_summary_query(kg, facts):
    fast = [summary.summary_of(r) for r in wholegraph.summary_rows(facts)]
    assert len(fast) > 30
    assert fast == summary.summaries(kg)


def test_page_evidence_reads_the_facts_once_for_network_and_page(kg, facts):
    page = html.page_evidence(kg, facts=facts)
    assert page == html.page_evidence(kg)
    data = html.payload(network.build(kg, facts=facts), page)
    assert {link["id"] for link in data["links"]} == {
        html.link_id(s["subject"], s["mechanism"], s["role"]) for s in summary.summaries(kg)
    }
    assert len(data["findings"]) == len(wholegraph.evidence_rows(facts))


@pytest.mark.parametrize(
    ("diseases", "mechanisms", "evidence"),
    [
        (["mscd:SS"], [], "all"),
        (["mscd:SLE", "mscd:RA"], [], "clinical"),
        ([], ["mscd:Th17", "mscd:Treg"], "all"),
        (["mscd:SS", "mscd:SLE"], ["mscd:IL17A", "mscd:Treg"], "animal"),
        (["mscd:MSC"], [], "all"),
    ],
)
def test_a_cut_page_from_bound_queries_equals_the_cut_of_the_whole_graphs_facts(
    kg, facts, diseases, mechanisms, evidence
):
    bound = html.page_evidence(kg, diseases, mechanisms, evidence)  # link-summary and evidence, bound
    cut = html.page_evidence(kg, diseases, mechanisms, evidence, facts)
    assert bound.links and bound.findings
    assert {link["subject"] for link in bound.links} <= set(diseases) | {
        r["subject"] for m in mechanisms for r in kg.rows("_subjects-of-mechanism", {"mechanism": m})
    }
    assert bound == cut


@pytest.mark.parametrize("diseases", [["mscd:SS"], []])
def test_the_page_reads_the_names_of_the_nodes_it_draws_only(kg, facts, diseases):
    graph = network.view(kg, diseases, [], "all", facts)
    everything = html.page_evidence(kg, diseases, facts=facts)
    drawn = html.page_evidence(kg, diseases, facts=facts, network=graph)
    assert set(drawn.names) < set(everything.names)
    assert html.payload(graph, drawn) == html.payload(graph, everything)  # the search finds the same nodes


def _nodes(graph):
    return dict(graph.nodes(data=True))


def test_the_whole_page_joined_in_a_child_equals_the_page_joined_here(kg, facts):
    graph, page = html.whole_page(kg)
    drawn = network.view(kg, facts=facts, findings=False)
    here = html.page_evidence(kg, facts=facts, network=drawn)
    assert page == here
    assert _nodes(graph) == _nodes(drawn) and _edges(graph) == _edges(drawn)
    assert html.page_json(graph, page) == html.page_json(drawn, here)
    # without the disease -> mechanism edges, which the page does not draw: the same nodes, no other edge
    every = network.build(kg, facts=facts)
    assert _nodes(drawn) == _nodes(every)
    assert _edges(drawn) == [e for e in _edges(every) if "'relation', 'mechanism'" not in e[3]]
    assert len(_edges(drawn)) < len(_edges(every))
    # an index in memory keeps no facts: the engine's, read once before the fork, give the same page
    memory = mscgraph.load(cache=False)
    memory_graph, memory_page = html.whole_page(memory, "clinical")
    memory_facts = wholegraph.Facts(memory)
    clinical = network.view(memory, evidence="clinical", facts=memory_facts, findings=False)
    assert memory_page == html.page_evidence(memory, (), (), "clinical", memory_facts, clinical)
    assert _nodes(memory_graph) == _nodes(clinical) and memory_page.links and memory_page != page


def test_facts_are_freed_after_the_views_that_used_them(kg):
    """The look-ups each Facts works out once (ancestors, labels...) are its own: after a whole network
    and page, nothing keeps the facts (tens of MB at x100) alive."""
    used = wholegraph.Facts(kg)
    network.build(kg, facts=used)
    html.whole_evidence(used)
    term = min(used.parents)  # a class: its labels are worked out once, then the same list
    assert used.labels(term, "en") and used.labels(term, "en") is used.labels(term, "en")
    gone = weakref.ref(used)
    del used
    gc.collect()
    assert gone() is None
