"""mscgraph.views.network on the real data: the typed graph, compare, neighbours, graph file formats."""

from __future__ import annotations

import csv
import json
import shutil

import networkx as nx
import pytest

import mscgraph
from mscgraph.cli import main
from mscgraph.model import resources
from mscgraph.views import analytics, graphfiles, network


@pytest.fixture(scope="module")
def graph(kg) -> nx.MultiDiGraph:
    return network.build(kg)


def _links(graph, disease, mechanism):
    return [
        d
        for d in graph.get_edge_data(disease, mechanism, default={}).values()
        if d["relation"] == "mechanism"
    ]


def test_nodes_are_typed_with_english_and_chinese_labels(graph):
    ss, th17 = graph.nodes["mscd:SS"], graph.nodes["mscd:Th17"]
    assert (ss["kind"], ss["name"], ss["label_zh"]) == ("disease", "SS", "干燥综合征")
    assert "MONDO:0010030" in ss["exact_match"]
    assert (th17["kind"], th17["name"]) == ("mechanism", "Th17")
    assert graph.nodes["mscd:study-ref34"]["kind"] == "study"
    assert graph.nodes["mscd:product-allo-UC"]["kind"] == "product"
    assert {d["kind"] for _, d in graph.nodes(data=True)} == set(network.KINDS)


def test_ss_th17_link_aggregates_its_findings(graph):
    (link,) = [d for d in _links(graph, "mscd:SS", "mscd:Th17") if d["role"] == "MSC therapy effect"]
    assert link["direction"] == "decreased" and link["direction_zh"] == "降低"
    assert "mscd:study-ref34" in link["studies"] and "clinical" in link["evidence"]
    assert link["study_count"] == len(link["studies"]) >= 2
    xu = next(s for s in link["support"] if s["study"] == "mscd:study-ref34")
    assert xu["cohort_size"] == 24
    assert "Xu" in xu["citation"] and "2012" in xu["citation"]
    assert "抑制Th17" in xu["sentence_zh"] and "Th17" in xu["sentence_en"]


def test_study_links_to_disease_and_product(graph):
    studies = graph.get_edge_data("mscd:study-ref34", "mscd:SS")
    assert [d["cohort_size"] for d in studies.values() if d["relation"] == "studies"] == [24]
    uses = graph.get_edge_data("mscd:study-ref34", "mscd:product-allo-UC")
    assert [d["relation"] for d in uses.values()] == ["uses"]


def test_build_is_deterministic(kg, graph):
    again = network.build(kg)
    assert list(again.nodes(data=True)) == list(graph.nodes(data=True))
    assert list(again.edges(keys=True, data=True)) == list(graph.edges(keys=True, data=True))


def test_compare_reports_shared_and_distinct(kg, graph):
    rows = analytics.compare(kg, "SS", "RA", graph=graph)
    th17 = next(r for r in rows if r["id"] == "mscd:Th17")
    assert th17["type"] == "mechanism" and th17["in"] in ("SS", "both")
    assert "decreased" in th17["effect_a"]
    xu = next(r for r in rows if r["id"] == "mscd:study-ref34")
    assert xu["type"] == "study" and xu["effect_a"] == "n=24"
    # every row is either shared or belongs to exactly one side
    for r in rows:
        assert (r["in"] == "both") == (r["effect_a"] is not None and r["effect_b"] is not None)


@pytest.mark.parametrize(("a", "b"), [("SS", "RA"), ("SLE", "PM/DM"), ("SSc", "SLE")])
def test_compare_fetching_only_two_diseases_equals_compare_on_the_whole_network(kg, graph, a, b):
    assert analytics.compare(kg, a, b) == analytics.compare(kg, a, b, graph=graph)


def test_compare_same_disease_is_a_usage_error(kg, runner):
    result = runner.invoke(main, ["compare", "SS", "干燥综合征"])
    assert result.exit_code == 2
    assert "two different diseases" in result.output


EXTRA_RA_FINDING = """
@prefix msc:  <https://w3id.org/mscgraph/ontology/> .
@prefix mscd: <https://w3id.org/mscgraph/data/> .
mscd:study-test a msc:ClinicalStudy ; rdfs:label "Test 2099"@en , "测试 2099"@zh ;
    msc:hasCohort mscd:cohort-test-RA .
mscd:cohort-test-RA a msc:Cohort ; msc:inDisease mscd:RA ; msc:cohortSize 7 .
mscd:finding-RA-Th17-test a msc:Finding ;
    msc:inDisease mscd:RA ; msc:aboutMechanism mscd:Th17 ; msc:hasDirection msc:Increased ;
    msc:hasRole msc:TherapyEffect ; msc:hasEvidenceType msc:ClinicalEvidence ;
    msc:supportedBy mscd:study-test ;
    msc:sourceSentence "测试句子"@zh , "test sentence"@en .
"""


def test_compare_shared_mechanism_that_disagrees(tmp_path):
    """Packaged data plus an RA finding on Th17 going the other way: shared, and disagreeing."""
    data = tmp_path / "data"
    shutil.copytree(resources.resource_dir("data"), data)
    prefix = "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    (data / "zz-test.ttl").write_text(prefix + EXTRA_RA_FINDING, "utf-8")
    kg = mscgraph.load([data], cache=False)
    rows = analytics.compare(kg, "SS", "RA")
    th17 = next(r for r in rows if r["id"] == "mscd:Th17")
    assert th17["in"] == "both" and th17["agree"] is False
    assert "decreased" in th17["effect_a"] and "increased" in th17["effect_b"]
    assert "Test 2099" in th17["studies_b"]
    study = next(r for r in rows if r["id"] == "mscd:study-test")
    assert (study["in"], study["effect_b"]) == ("RA", "n=7")


def test_neighbors_depth(kg, graph):
    one = analytics.neighbors(kg, "Th17", 1, graph=graph)
    assert {"mscd:SS"} <= {r["id"] for r in one}
    assert all(r["distance"] == 1 for r in one)
    two = analytics.neighbors(kg, "Th17", 2, graph=graph)
    ids = {r["id"] for r in two}
    assert {"mscd:SS", "mscd:Treg", "mscd:study-ref34"} <= ids
    assert {r["id"] for r in one} <= ids
    assert "mscd:Th17" not in ids
    treg = next(r for r in two if r["id"] == "mscd:Treg")
    assert (treg["distance"], treg["via"]) == (2, "mscd:SS") or treg["distance"] == 2


def test_neighbors_cli(runner):
    result = runner.invoke(main, ["neighbors", "干燥综合征", "--depth", "1", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    th17 = next(r for r in rows if r["id"] == "mscd:Th17")
    assert th17["effect"] == "decreased" and th17["distance"] == 1


def test_neighbors_of_unknown_name_is_one_line(runner):
    result = runner.invoke(main, ["neighbors", "Th171717"])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "Traceback" not in result.output


def test_subgraph_by_disease_mechanism_and_evidence(graph):
    ss = network.subgraph(graph, ["mscd:SS"])
    assert {d["kind"] for _, d in ss.nodes(data=True)} == set(network.KINDS)
    assert not any(d["kind"] == "disease" and n != "mscd:SS" for n, d in ss.nodes(data=True))
    th17 = network.subgraph(graph, [], ["mscd:Th17"])
    assert {"mscd:SS", "mscd:Th17", "mscd:study-ref34"} <= set(th17)
    assert not any(d["kind"] == "mechanism" and n != "mscd:Th17" for n, d in th17.nodes(data=True))
    clinical = network.subgraph(graph, ["mscd:SS"], [], "clinical")
    for _, _, d in clinical.edges(data=True):
        if d["relation"] == "mechanism":
            assert d["evidence"] == ["clinical"]
            assert {s["evidence"] for s in d["support"]} == {"clinical"}
    (link,) = [d for d in _links(clinical, "mscd:SS", "mscd:Th17") if d["role"] == "MSC therapy effect"]
    assert link["studies"] == ["mscd:study-ref34"]
    assert "mscd:study-ref36" not in clinical  # Yao 2019: NOD mice


@pytest.mark.parametrize("fmt,reader", [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)])
def test_graphml_and_gexf_reread_with_same_counts(runner, graph, tmp_path, fmt, reader):
    path = tmp_path / f"g.{fmt}"
    graphfiles.WRITERS[fmt](graph, path)
    back = reader(path)
    assert back.number_of_nodes() == graph.number_of_nodes()
    assert back.number_of_edges() == graph.number_of_edges()
    assert back.nodes["mscd:SS"]["label_zh"] == "干燥综合征"
    ss_th17 = [
        d for d in back.get_edge_data("mscd:SS", "mscd:Th17").values() if d.get("direction") == "decreased"
    ]
    assert ss_th17 and "mscd:study-ref34" in ss_th17[0]["studies"].split("; ")
    assert "抑制Th17" in ss_th17[0]["sentences_zh"]
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


def test_cytoscape_json(graph, tmp_path):
    path = tmp_path / "g.json"
    graphfiles.write_cytoscape_json(graph, path)
    doc = json.loads(path.read_text("utf-8"))
    nodes, edges = doc["elements"]["nodes"], doc["elements"]["edges"]
    assert len(nodes) == graph.number_of_nodes() and len(edges) == graph.number_of_edges()
    ids = {n["data"]["id"] for n in nodes}
    assert all(e["data"]["source"] in ids and e["data"]["target"] in ids for e in edges)
    assert len({e["data"]["id"] for e in edges}) == len(edges)
    ss = next(n["data"] for n in nodes if n["data"]["id"] == "mscd:SS")
    assert ss["kind"] == "disease" and ss["label_zh"] == "干燥综合征"
    # networkx's own reader takes the same file: same nodes, edges, keys and attributes
    back = nx.cytoscape_graph(doc)
    assert isinstance(back, nx.MultiDiGraph)
    assert {n: _without(d, "id", "value") for n, d in back.nodes(data=True)} == dict(graph.nodes(data=True))
    edges_back = {
        (u, v, k): _without(d, "id", "key", "source", "target")
        for u, v, k, d in back.edges(keys=True, data=True)
    }
    assert edges_back == {(u, v, k): d for u, v, k, d in graph.edges(keys=True, data=True)}


def _without(data: dict, *keys: str) -> dict:
    return {k: v for k, v in data.items() if k not in keys}


def test_kgx_nodes_and_edges_tsv(graph, tmp_path):
    nodes_path, edges_path = graphfiles.write_kgx(graph, tmp_path / "mscgraph")
    assert (nodes_path.name, edges_path.name) == ("mscgraph_nodes.tsv", "mscgraph_edges.tsv")
    with nodes_path.open(encoding="utf-8") as f:
        nodes = list(csv.DictReader(f, delimiter="\t"))
    with edges_path.open(encoding="utf-8") as f:
        edges = list(csv.DictReader(f, delimiter="\t"))
    assert list(nodes[0])[:3] == ["id", "category", "name"]
    assert list(edges[0])[:5] == ["id", "subject", "predicate", "object", "original_predicate"]
    assert len(nodes) == graph.number_of_nodes() and len(edges) == graph.number_of_edges()
    assert all(n["category"].startswith("biolink:") for n in nodes)
    assert all(e["predicate"].startswith("biolink:") for e in edges)
    kgx_id = {x: n["id"] for n in nodes for x in [n["id"], *n["xref"].split("|")] if x.startswith("mscd:")}
    ss = next(n for n in nodes if n["id"] == kgx_id["mscd:SS"])
    assert ss["id"] == "MONDO:0010030" and ss["category"] == "biolink:Disease"
    assert ss["xref"].split("|")[0] == "mscd:SS" and "DOID:12894" in ss["xref"].split("|")
    ids = {n["id"] for n in nodes}
    assert len(ids) == len(nodes) and all(e["subject"] in ids and e["object"] in ids for e in edges)
    link = next(e for e in edges if e["id"] == "mscd:SS~mscd:Th17~TherapyEffect~Decreased")
    assert (link["subject"], link["object"]) == (kgx_id["mscd:SS"], kgx_id["mscd:Th17"])
    assert kgx_id["mscd:Th17"] == "CL:0000899"
    assert link["object_direction_qualifier"] == "decreased"
    assert "mscd:study-ref34" in link["msc_studies"].split("|")


def test_kgx_into_a_directory(graph, tmp_path):
    paths = graphfiles.write_kgx(graph, tmp_path)
    assert sorted(p.name for p in paths) == ["edges.tsv", "nodes.tsv"]


def test_same_network_over_a_sparql_endpoint(kg, graph):
    """Named queries only: a remote endpoint (our own server, on loopback) gives the same network."""
    import threading

    from mscgraph.server.endpoint import Settings, make_server

    server = make_server(kg.engine, "127.0.0.1", 0, Settings(log=False))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        remote = mscgraph.load(endpoint=f"http://127.0.0.1:{server.server_address[1]}/sparql")
        over_http = network.build(remote)
    finally:
        server.shutdown()
        server.server_close()
    assert sorted(over_http.nodes) == sorted(graph.nodes)
    assert sorted(over_http.edges(keys=True)) == sorted(graph.edges(keys=True))
    key = "mscd:SS~mscd:Th17~TherapyEffect~Decreased"
    assert over_http.edges["mscd:SS", "mscd:Th17", key] == graph.edges["mscd:SS", "mscd:Th17", key]


def test_neighbors_of_a_publication_are_those_of_its_study(kg, graph):
    rows = analytics.neighbors(kg, "Xu 2012", 1, graph=graph)
    assert {r["id"] for r in rows} >= {"mscd:SS", "mscd:product-allo-UC"}
    assert all(r["via"] == "mscd:study-ref34" for r in rows)


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "cytoscape-json", "kgx"])
def test_graph_formats_are_offered_by_export(kg, graph, tmp_path, fmt):
    """mscgraph.views.export (behind `mscgraph export --format ...`) writes every graph format to one file."""
    import io
    import tarfile

    from mscgraph.views import export

    path = tmp_path / f"out.{fmt}"
    export.export(kg, fmt, path)
    data = path.read_bytes()
    if fmt == "graphml":
        assert nx.read_graphml(path).number_of_edges() == graph.number_of_edges()
    elif fmt == "gexf":
        assert nx.read_gexf(path).number_of_nodes() == graph.number_of_nodes()
    elif fmt == "cytoscape-json":
        assert len(json.loads(data)["elements"]["nodes"]) == graph.number_of_nodes()
    else:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            assert tar.getnames() == ["nodes.tsv", "edges.tsv"]
            edges = tar.extractfile("edges.tsv").read().decode("utf-8").splitlines()
        assert edges[0].split("\t")[:4] == ["id", "subject", "predicate", "object"]
        assert len(edges) == graph.number_of_edges() + 1
        export.export(kg, fmt, tmp_path / "again.kgx")
        assert (tmp_path / "again.kgx").read_bytes() == data  # reproducible archive


def test_export_command_writes_graphml(runner, graph, tmp_path):
    path = tmp_path / "mscgraph.graphml"
    result = runner.invoke(main, ["export", "--format", "graphml", "-o", str(path)])
    assert result.exit_code == 0, result.output
    back = nx.read_graphml(path)
    assert (back.number_of_nodes(), back.number_of_edges()) == (
        graph.number_of_nodes(),
        graph.number_of_edges(),
    )


@pytest.mark.parametrize(
    ("diseases", "mechanisms", "evidence"),
    [
        (["mscd:SS"], [], "all"),
        (["mscd:SS", "mscd:SLE"], [], "clinical"),
        (["mscd:SS"], [], "animal"),
        ([], ["mscd:Th17"], "all"),
        ([], ["mscd:Treg", "mscd:TGFB"], "all"),
        (["mscd:SLE"], ["mscd:Treg"], "clinical"),
    ],
)
def test_a_view_built_for_its_diseases_equals_the_cut_of_the_whole_network(
    kg, graph, diseases, mechanisms, evidence
):
    """`view` fetches only its diseases' part of the graph; the result is the same as cutting the whole."""
    whole = network.subgraph(graph, diseases, mechanisms, evidence)
    part = network.view(kg, diseases, mechanisms, evidence)
    assert whole.number_of_nodes() > 1
    assert sorted(part.nodes(data=True)) == sorted(whole.nodes(data=True))
    assert sorted(part.edges(keys=True, data=True)) == sorted(whole.edges(keys=True, data=True))
