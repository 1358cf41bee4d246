"""The engine contract (mscgraph.engines.base.Engine), asserted the same way on both engines: the embedded
pyoxigraph store and a real Virtuoso (tests/test_virtuoso.py starts it and pushes the same data into it).
Same answers to SELECT, ASK, CONSTRUCT and DESCRIBE with bound parameters, the same errors, the whole
graph by ``triples()``, and ``close()``."""

from __future__ import annotations

import io

import pyoxigraph as ox
import pytest
from test_virtuoso import GRAPH, pushed, virtuoso  # noqa: F401 (fixtures)

import mscgraph
from mscgraph.engines.base import Engine
from mscgraph.engines.remote import RemoteEngine
from mscgraph.model.errors import MscGraphError, QuerySyntaxError, ServiceRefused, UsageError
from mscgraph.views import rdf, sparql

MSC = "https://w3id.org/mscgraph/ontology/"
SS = ox.NamedNode("https://w3id.org/mscgraph/data/SS")
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
ABBREVIATION = ox.Triple(SS, ox.NamedNode(MSC + "abbreviation"), ox.Literal("SS"))


@pytest.fixture(scope="module")
def embedded(data_snapshot) -> mscgraph.KnowledgeGraph:
    return mscgraph.load([data_snapshot])


@pytest.fixture(scope="module")
def remote(pushed) -> RemoteEngine:  # noqa: F811
    return RemoteEngine(pushed.sparql, graph=GRAPH)


@pytest.fixture(params=["embedded", "remote"])
def engine(request) -> Engine:
    if request.param == "remote":
        return request.getfixturevalue("remote")
    return request.getfixturevalue("embedded").engine


def test_select_binds_a_parameter_as_an_rdf_term(engine: Engine) -> None:
    query = f"SELECT ?d ?l WHERE {{ ?d <{LABEL}> ?l }}"
    result = engine.run(query, {"d": SS})
    assert result.kind == "select" and result.variables == ["d", "l"]
    assert {(r["d"], r["l"]) for r in result.rows} == {
        (SS, ox.Literal("Sjögren syndrome", language="en")),
        (SS, ox.Literal("干燥综合征", language="zh")),
    }
    injection = ox.Literal('SS" } UNION { ?d ?p ?l } #')
    assert engine.run(f"SELECT ?d ?l WHERE {{ ?d <{MSC}abbreviation> ?l }}", {"l": injection}).rows == []


def test_ask_construct_describe(engine: Engine) -> None:
    assert engine.run("ASK { ?d a ?t }", {"d": SS}).boolean is True
    assert engine.run("ASK { ?d a <urn:x:nothing> }", {"d": SS}).boolean is False
    graph = engine.run("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", {"s": SS})
    assert graph.kind == "graph" and ABBREVIATION in graph.triples
    assert {t.subject for t in graph.triples} == {SS}
    described = engine.run(f"DESCRIBE <{SS.value}>")
    assert described.kind == "graph" and ABBREVIATION in described.triples


@pytest.mark.parametrize(
    ("query", "bindings", "error", "message"),
    [
        ("SELECT ?x WHERE { ?x ?p }", {}, QuerySyntaxError, None),
        # pyoxigraph cannot bind a variable a SELECT does not project; a VALUES block could: both refuse
        (f"SELECT ?l WHERE {{ ?d <{LABEL}> ?l }}", {"d": SS}, UsageError, "must be a SELECT variable"),
        (
            "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
            {},
            ServiceRefused,
            "SERVICE",
        ),
        ("INSERT DATA { <urn:x:s> <urn:x:p> <urn:x:o> }", {}, UsageError, "SPARQL Update is not allowed"),
        ("SELECT ?s WHERE { ?s ?p ?o }", {"s o": SS}, UsageError, "variable"),
    ],
    ids=["syntax", "unprojected", "service", "update", "variable-name"],
)
def test_the_same_errors(
    engine: Engine, query: str, bindings: dict, error: type, message: str | None
) -> None:
    with pytest.raises(error, match=message) as info:
        engine.run(query, bindings)
    assert "\n" not in str(info.value)


def test_triples_is_the_whole_graph_each_once(engine: Engine, embedded: mscgraph.KnowledgeGraph) -> None:
    triples = list(engine.triples())
    count = int(embedded.run("triple-count").rows[0]["triples"].value)
    assert len(triples) == len(set(triples)) == count
    assert ABBREVIATION in triples


@pytest.mark.parametrize("fmt", [ox.RdfFormat.N_TRIPLES, ox.RdfFormat.TURTLE])
def test_dump_writes_the_triples_in_the_engines_serialiser(engine: Engine, fmt: ox.RdfFormat) -> None:
    """``dump`` (what `mscgraph export` writes N-Triples, Turtle and JSON-LD through) reads back as
    ``triples()``, on either engine."""
    out = io.BytesIO()
    engine.dump(out, fmt, {"msc": MSC} if fmt == ox.RdfFormat.TURTLE else None)
    written = [q.triple for q in ox.parse(out.getvalue(), fmt)]
    expected = list(engine.triples())
    assert len(written) == len(expected)  # blank nodes get new names when read: compared by count

    def named(triples: list[ox.Triple]) -> set[ox.Triple]:
        return {t for t in triples if not any(isinstance(x, ox.BlankNode) for x in t)}

    assert named(written) == named(expected) and ABBREVIATION in written


def test_jsonld_export_converts_the_dump_on_either_engine(engine: Engine) -> None:
    """`mscgraph export --format jsonld` converts ``dump``'s N-Triples as the dump runs in a thread of
    its own (an embedded store's, or an endpoint's answer being read): it reads back as ``triples()``."""
    out = io.BytesIO()
    rdf.write_jsonld_dump(lambda stream: engine.dump(stream, ox.RdfFormat.N_TRIPLES), out)
    written = [q.triple for q in ox.parse(out.getvalue(), ox.RdfFormat.JSON_LD)]
    expected = list(engine.triples())
    assert len(set(written)) == len(set(expected)) and ABBREVIATION in written

    def named(triples: list[ox.Triple]) -> set[ox.Triple]:
        return {t for t in triples if not any(isinstance(x, ox.BlankNode) for x in t)}

    assert named(written) == named(expected)


def test_both_engines_write_the_same_results(embedded: mscgraph.KnowledgeGraph, remote: RemoteEngine) -> None:
    """The W3C results (pyoxigraph's writers) are byte for byte the same from either engine."""
    query = f"SELECT ?d ?n WHERE {{ ?d <{MSC}abbreviation> ?n }} ORDER BY ?n ?d"
    for fmt in ("json", "xml", "csv", "tsv", "table"):
        here = sparql.serialise(embedded.engine.run(query), fmt)
        assert sparql.serialise(remote.run(query), fmt) == here, fmt
        assert "SS" in here and here.endswith("\n"), fmt
    construct = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o FILTER(?s = <{SS.value}>) }}"
    for fmt, parse in (
        ("nt", ox.RdfFormat.N_TRIPLES),
        ("ttl", ox.RdfFormat.TURTLE),
        ("jsonld", ox.RdfFormat.JSON_LD),
    ):
        here = sparql.serialise(embedded.engine.run(construct), fmt)
        there = sparql.serialise(remote.run(construct), fmt)
        assert {q.triple for q in ox.parse(there, parse)} == {q.triple for q in ox.parse(here, parse)}, fmt


def test_a_result_read_then_written(engine: Engine) -> None:
    """Rows read first are kept, and written the same as a result written unread."""
    query = f"SELECT ?l WHERE {{ <{SS.value}> <{LABEL}> ?l }} ORDER BY ?l"
    result = engine.run(query)
    assert len(result.rows) == 2
    assert sparql.serialise(result, "tsv") == sparql.serialise(engine.run(query), "tsv")


def test_closed_engines_answer_no_more(data_snapshot, pushed) -> None:  # noqa: F811
    with mscgraph.load([data_snapshot], cache=False) as kg:
        assert kg.run("triple-count").rows
    remote = mscgraph.load(endpoint=pushed.sparql, graph=GRAPH)
    remote.close()
    for closed in (kg, remote):
        with pytest.raises(MscGraphError, match="closed"):
            closed.engine.run("ASK {}")


def test_load_refuses_contradictory_arguments(data_snapshot) -> None:
    cases = [
        ({"data": [data_snapshot], "endpoint": "http://127.0.0.1:9/sparql"}, "not both"),
        ({"endpoint": "http://127.0.0.1:9/sparql", "cache": False}, "local data"),
        ({"graph": "urn:x:g"}, "graph: options of an endpoint"),
        ({"user": "u", "timeout": 3}, "user, timeout: options of an endpoint"),
    ]
    for kwargs, message in cases:
        with pytest.raises(UsageError, match=message):
            mscgraph.load(**kwargs)
