"""The remote engine: parameters bound as VALUES (never pasted), answers parsed, failures as one line.

The endpoint here is our own `mscgraph serve` (a real process); tests/test_virtuoso.py does the same
against Virtuoso.
"""

from __future__ import annotations

import socket
import threading

import pyoxigraph as ox
import pytest
from conftest import comparable, free_port, sample_params
from test_server import start, stop

import mscgraph
from mscgraph.engines.remote import RemoteEngine
from mscgraph.model.errors import EndpointError, QuerySyntaxError, UsageError
from mscgraph.query import library as queries
from mscgraph.query.terms import iri
from mscgraph.query.text import form, inject_values, is_update


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory, data_snapshot):
    srv = start(tmp_path_factory.mktemp("remote"), data_snapshot, "--quiet")
    yield srv
    stop(srv)


@pytest.fixture(scope="module")
def embedded(data_snapshot):
    return mscgraph.load([data_snapshot])


def test_values_go_first_in_the_where_group_whatever_the_text_around():
    tricky = (
        "PREFIX x: <http://example.org/{WHERE}>  # SELECT { WHERE\n"
        'CONSTRUCT { ?s x:says "}{ WHERE" } WHERE { ?s ?p ?o . FILTER(?o != """{"""") }'
    )
    out = inject_values(tricky, {"s": ox.Literal('a"} } INSERT DATA { <urn:x> <urn:y> <urn:z> } #\n')})
    assert out.startswith(tricky[: tricky.index("WHERE { ?s") + len("WHERE {")])
    assert 'VALUES (?s) { ("a\\"} } INSERT DATA { <urn:x> <urn:y> <urn:z> } #\\n") }' in out
    assert form(out) == "CONSTRUCT" and not is_update(out)
    assert inject_values("ASK { ?s ?p ?o }", {"o": ox.Literal(3)}) == (
        'ASK { VALUES (?o) { ("3"^^<http://www.w3.org/2001/XMLSchema#integer>) }\n ?s ?p ?o }'
    )
    with pytest.raises(UsageError):
        inject_values("SELECT * { ?s ?p ?o }", {"s": iri("http://x> } INSERT {")})
    with pytest.raises(UsageError):
        inject_values("SELECT * { ?s ?p ?o }", {"s o": ox.Literal("x")})


@pytest.mark.parametrize("name", sorted(n for n, q in queries.catalog().items() if not q.internal))
def test_every_named_query_gives_the_same_rows_through_an_endpoint(name, endpoint, embedded):
    remote = mscgraph.load(endpoint=endpoint.url)
    query = queries.get(name)
    params = sample_params(query)
    here, there = embedded.run(name, params), remote.run(name, params)
    assert there.variables == here.variables
    assert comparable(there, query.text) == comparable(here, query.text)


def test_lookups_and_names_work_remotely(endpoint, embedded):
    remote = mscgraph.load(endpoint=endpoint.url)
    assert remote.mechanisms("干燥综合征") == embedded.mechanisms("SS")
    assert remote.resolve("MONDO:0010030", "disease") == embedded.resolve("SS", "disease")
    with pytest.raises(UsageError, match="did you mean"):
        remote.resolve("Sjogren syndrom", "disease")


def test_construct_and_ask_remotely(endpoint):
    engine = RemoteEngine(endpoint.url)
    ss = ox.NamedNode("https://w3id.org/mscgraph/data/SS")
    graph = engine.run("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", {"s": ss})
    assert graph.kind == "graph" and graph.triples and all(t[0] == ss for t in graph.triples)
    assert engine.run("ASK { ?s a ?t }", {"s": ss}).boolean is True


def test_endpoint_failures_are_one_line_errors(endpoint):
    with pytest.raises(QuerySyntaxError, match=r"HTTP 400 .*(line 1, column \d+|1:\d+)"):
        RemoteEngine(endpoint.url).run("SELECT * WHERE { ?s ?p }")
    with pytest.raises(EndpointError, match="cannot reach"):
        RemoteEngine(f"http://127.0.0.1:{free_port()}/sparql").run("ASK {}")
    with pytest.raises(EndpointError, match="not an http"):
        RemoteEngine("ftp://example.org/sparql")
    with pytest.raises(EndpointError, match="HTTP 404"):
        RemoteEngine(endpoint.root + "elsewhere").run("ASK {}")
    # a server that accepts the connection and never answers
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        accepted: list[socket.socket] = []
        thread = threading.Thread(target=lambda: accepted.append(silent.accept()[0]), daemon=True)
        thread.start()
        url = f"http://user:secret@127.0.0.1:{silent.getsockname()[1]}/sparql"
        with pytest.raises(EndpointError, match=r"did not answer within 0.5 s") as info:
            RemoteEngine(url, timeout=0.5).run("ASK {}")
        assert "secret" not in str(info.value)
        for conn in accepted:
            conn.close()


def test_cli_endpoint_option_errors_are_one_line(runner, tmp_path):
    from mscgraph.cli import main

    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix x: <http://x/> .\nx:a x:b .\n")
    for args, code, expected in (
        (["mechanisms", "SS", "--endpoint", "ftp://example.org/sparql"], 1, "not an http(s) endpoint URL"),
        (  # the URL as written, a bad port too, without its password
            ["mechanisms", "SS", "--endpoint", "http://me:pw@localhost:99999/sparql?k=v"],
            1,
            "not an http(s) endpoint URL: 'http://localhost:99999/sparql'",
        ),
        (["mechanisms", "SS", "--graph", "urn:x:g"], 2, "give --endpoint too"),
        (["mechanisms", "SS", "--data", str(bad)], 1, "bad.ttl"),
    ):
        result = runner.invoke(main, args)
        assert result.exit_code == code, result.output
        assert result.output.count("\n") == 1 and expected in result.output
