"""`mscgraph queries`, `mscgraph sparql` and `mscgraph export`, and the library behind them."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyoxigraph as ox
import pytest

import mscgraph
from mscgraph.cli import main
from mscgraph.model.errors import QuerySyntaxError, UsageError
from mscgraph.views import rdf, sparql

MSCD = "https://w3id.org/mscgraph/data/"


def test_queries_lists_public_named_queries(runner) -> None:
    result = runner.invoke(main, ["queries", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = {r["name"]: r for r in json.loads(result.output)}
    assert {"shared-mechanisms", "dose-ranges", "discrepancies", "mechanisms-for-disease"} <= set(rows)
    assert not any(name.startswith("_") for name in rows)
    assert rows["shared-mechanisms"]["params"] == "disease_a (disease), disease_b (disease)"
    assert rows["dose-ranges"]["title"] == "Dose ranges per disease"


def test_named_query_table(runner) -> None:
    result = runner.invoke(main, ["sparql", "--named", "adverse-events", "--param", "disease=SS"])
    assert result.exit_code == 0, result.output
    assert "mscd:study-ref34" in result.output and "no related side effects observed" in result.output


def test_named_query_w3c_json(runner) -> None:
    args = ["sparql", "-n", "shared-mechanisms", "-p", "disease_a=干燥综合征", "-p", "disease_b=SLE"]
    args += ["--format", "json"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["head"]["vars"][:3] == ["disease_a", "disease_b", "mechanism"]
    binding = next(b for b in doc["results"]["bindings"] if b["mechanism"]["value"] == MSCD + "Treg")
    assert binding["disease_a"] == {"type": "uri", "value": MSCD + "SS"}
    assert binding["mechanism_label"] == {"type": "literal", "value": "regulatory T cell", "xml:lang": "en"}


def test_csv_and_tsv_are_the_w3c_formats(runner) -> None:
    query = "SELECT ?d ?n WHERE { ?d <https://w3id.org/mscgraph/ontology/abbreviation> ?n } ORDER BY ?n"
    out = runner.invoke(main, ["sparql", query, "--format", "csv"]).output
    assert out.splitlines()[0] == "d,n"
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {"d": MSCD + "SS", "n": "SS"} in rows
    tsv = runner.invoke(main, ["sparql", query, "--format", "tsv"]).output
    assert tsv.startswith("?d\t?n\n") and f'<{MSCD}SS>\t"SS"\n' in tsv


def test_ask_and_construct(runner, kg: mscgraph.KnowledgeGraph) -> None:
    ask = runner.invoke(main, ["sparql", f"ASK {{ <{MSCD}SS> ?p ?o }}", "--format", "json"])
    assert json.loads(ask.output) == {"head": {}, "boolean": True}
    construct = f"CONSTRUCT {{ <{MSCD}SS> ?p ?o }} WHERE {{ <{MSCD}SS> ?p ?o }}"
    expected = set(rdf.result_triples(kg.engine.run(construct)))
    assert (
        ox.Triple(
            ox.NamedNode(MSCD + "SS"),
            ox.NamedNode("https://w3id.org/mscgraph/ontology/abbreviation"),
            ox.Literal("SS"),
        )
        in expected
    )
    parsers = {
        "ttl": ox.RdfFormat.TURTLE,
        "nt": ox.RdfFormat.N_TRIPLES,
        "rdfxml": ox.RdfFormat.RDF_XML,
        "jsonld": ox.RdfFormat.JSON_LD,
    }
    for fmt, parse in parsers.items():
        result = runner.invoke(main, ["sparql", construct, "--format", fmt])
        assert result.exit_code == 0, result.output
        assert {q.triple for q in ox.parse(result.output.encode(), format=parse)} == expected, fmt
    compact = json.loads(runner.invoke(main, ["sparql", construct, "--format", "jsonld"]).output)
    assert compact["@context"]["mscd"] == MSCD and compact["@graph"][0]["@id"] == "mscd:SS"
    wrong = runner.invoke(main, ["sparql", construct, "--format", "csv"])
    assert wrong.exit_code == 2 and wrong.output.count("\n") == 1
    assert "use --format table, ttl, nt, rdfxml, jsonld" in wrong.output
    select = runner.invoke(main, ["sparql", "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "--format", "rdfxml"])
    assert select.exit_code == 2 and "is for CONSTRUCT/DESCRIBE" in select.output


def test_csv_lines_end_in_crlf(kg: mscgraph.KnowledgeGraph) -> None:
    query = "SELECT ?n WHERE { ?d <https://w3id.org/mscgraph/ontology/abbreviation> ?n }"
    text = sparql.serialise(sparql.run(kg, query), "csv")
    assert text.startswith("n\r\n")


def test_query_from_file(runner, tmp_path: Path) -> None:
    path = tmp_path / "q.rq"
    path.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "utf-8")
    result = runner.invoke(main, ["sparql", "--file", str(path), "--format", "csv"])
    assert result.exit_code == 0 and int(result.output.split()[1]) > 1000


def test_syntax_error_gives_line_and_column_exit_2(runner) -> None:
    result = runner.invoke(main, ["sparql", "SELECT ?x WHERE {\n  ?x ?p\n  FILTER( }"])
    assert result.exit_code == 2
    assert "SPARQL syntax error at line 3, column" in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1


def test_unknown_named_query_lists_what_exists(runner) -> None:
    result = runner.invoke(main, ["sparql", "--named", "shared-mechanism"])
    assert result.exit_code == 2
    assert "no named query 'shared-mechanism'; available:" in result.output
    assert "shared-mechanisms" in result.output


def test_missing_and_malformed_parameters(runner) -> None:
    missing = runner.invoke(main, ["sparql", "--named", "evidence", "-p", "disease=SS"])
    assert missing.exit_code == 2
    assert "needs parameter 'mechanism'; it takes: disease (subject), mechanism (mechanism)" in missing.output
    malformed = runner.invoke(main, ["sparql", "--named", "evidence", "-p", "disease"])
    assert malformed.exit_code == 2 and "key=value" in malformed.output
    none = runner.invoke(main, ["sparql"])
    assert none.exit_code == 2 and "exactly one of" in none.output


def test_injection_text_is_bound_not_pasted(kg: mscgraph.KnowledgeGraph) -> None:
    """A string parameter that looks like SPARQL is one literal: it matches nothing and changes nothing."""
    attack = 'species" } UNION { ?discrepancy ?p ?o } #'
    assert kg.run("discrepancies", {"kind": attack}).rows == []
    query = "SELECT ?x ?d WHERE { ?d <https://w3id.org/mscgraph/ontology/discrepancyKind> ?x }"
    assert sparql.run(kg, query, params={"x": attack}).rows == []
    assert sparql.run(kg, query, params={"x": "species"}).rows
    with pytest.raises(UsageError):  # a disease name that is an injection is just an unknown name
        kg.run("dose-ranges", {"disease": "SS> } UNION { ?s ?p ?o"})


def test_adhoc_parameter_must_be_projected(runner) -> None:
    result = runner.invoke(main, ["sparql", "SELECT ?l WHERE { ?d ?p ?l }", "-p", "d=mscd:SS"])
    assert result.exit_code == 2 and "must be a SELECT variable" in result.output


def test_adhoc_parameters(kg: mscgraph.KnowledgeGraph) -> None:
    assert sparql.adhoc_term("mscd:SS").value == MSCD + "SS"
    assert sparql.adhoc_term("<urn:x>") == ox.NamedNode("urn:x")
    assert sparql.adhoc_term("hello") == ox.Literal("hello")
    query = "SELECT ?d ?l WHERE { ?d <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
    rows = sparql.run(kg, query, params={"d": "mscd:SS"}).rows
    assert {r["l"].value for r in rows} == {"Sjögren syndrome", "干燥综合征"}


def test_library_syntax_error(kg: mscgraph.KnowledgeGraph) -> None:
    with pytest.raises(QuerySyntaxError, match="line 1, column"):
        sparql.run(kg, "SELECT WHERE")


def test_export_formats(runner, tmp_path: Path, kg: mscgraph.KnowledgeGraph) -> None:
    """Every RDF format, read back, is exactly the store's triples: the union of its file graphs."""
    union = kg.engine.store.query("SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    stated = {ox.Triple(s, p, o) for s, p, o in union}
    assert len(stated) == int(kg.run("triple-count").rows[0]["triples"].value)
    assert any(isinstance(t.subject, ox.BlankNode) for t in stated)  # their labels must survive too
    formats = {
        "ttl": ox.RdfFormat.TURTLE,
        "nt": ox.RdfFormat.N_TRIPLES,
        "rdfxml": ox.RdfFormat.RDF_XML,
        "jsonld": ox.RdfFormat.JSON_LD,
    }
    for fmt, parse in formats.items():
        target = tmp_path / f"graph.{fmt}"
        result = runner.invoke(main, ["export", "--format", fmt, "-o", str(target)])
        assert result.exit_code == 0, result.output
        assert result.output == ""
        assert {q.triple for q in ox.parse(path=str(target), format=parse)} == stated, fmt
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary files left


def test_jsonld_export_from_the_store_dump_is_the_triples_writer_output(kg: mscgraph.KnowledgeGraph) -> None:
    """The export writes JSON-LD from the store's own N-Triples dump; the same triples given one by one
    (as a CONSTRUCT result or an endpoint's are) give the same bytes: same order, same node objects."""
    from mscgraph.views.export import WRITERS, triples

    dumped = io.BytesIO()
    WRITERS["jsonld"](kg, dumped)
    assert dumped.getvalue() == rdf.to_bytes(triples(kg), "jsonld")
    assert json.loads(dumped.getvalue())["@graph"]


def test_piped_hands_over_every_chunk_and_raises_the_producers_error_after_them() -> None:
    """The JSON-LD export converts the store's dump as it comes, the dump in a thread of its own:
    every byte reaches the consumer in order, and a failing producer's error comes after its bytes."""
    sent = [bytes([n % 256]) * 7919 for n in range(300)]  # more than the pipe holds, in odd sizes
    got: list[bytes] = []

    def produce(stream) -> None:
        for chunk in sent:
            stream.write(chunk)

    rdf.piped(produce, got.append)
    assert b"".join(got) == b"".join(sent)

    def fail(stream) -> None:
        stream.write(b"half")
        raise UsageError("the store went away")

    got.clear()
    with pytest.raises(UsageError, match="went away"):
        rdf.piped(fail, got.append)
    assert b"".join(got) == b"half"


def test_piped_stops_the_producer_when_the_consumer_fails() -> None:
    """A consumer that fails (stdout closed by `| head`) closes the pipe: the endless producer ends on
    its next write, and the consumer's own error is the one raised."""
    import threading

    def endless(stream) -> None:
        while True:
            stream.write(b"x" * 4096)

    def consume(chunk: bytes) -> None:
        raise BrokenPipeError("reader gone")

    with pytest.raises(BrokenPipeError, match="reader gone"):
        rdf.piped(endless, consume)
    assert [t for t in threading.enumerate() if t.name == "mscgraph-producer"] == []


def test_jsonld_writer_keeps_literals_that_need_escapes() -> None:
    """Literals whose N-Triples form has escapes (quotes, backslashes, control characters, DEL), or
    none where JSON has none (line and paragraph separators), languages and datatypes, blank nodes:
    read back, the same triples."""
    a, p = ox.NamedNode(MSCD + "a"), ox.NamedNode("https://w3id.org/mscgraph/ontology/p")
    literals = [
        ox.Literal(text)
        for text in ('q"uo\\te', "tab\tnew\nline\r\x01\x1f\x7f", "\u2028\u2029 中文 é", "", " . ")
    ]
    literals += [ox.Literal("hi", language="zh-hans"), ox.Literal("\\", language="en")]
    literals += [ox.Literal("12", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))]
    triples = [ox.Triple(a, p, o) for o in [*literals, ox.BlankNode("b1"), ox.NamedNode(MSCD + "b")]]
    triples.append(ox.Triple(ox.BlankNode("b1"), p, ox.Literal('"')))
    text = rdf.to_bytes(triples, "jsonld")
    back = {q.triple for q in ox.parse(text, ox.RdfFormat.JSON_LD)}
    assert back == set(triples)
    assert json.loads(text)["@graph"][0]["@id"] == "mscd:a"


@pytest.mark.slow
def test_jsonld_export_is_compact_and_rdflib_reads_back_the_store(
    runner, tmp_path: Path, kg: mscgraph.KnowledgeGraph
) -> None:
    """The JSON-LD export: an @context from the project's prefix map, CURIEs instead of IRIs, and
    exactly the store's triples when rdflib (and pyoxigraph) read it back."""
    import rdflib
    from rdflib.compare import isomorphic

    from mscgraph.model.namespaces import PREFIXES
    from mscgraph.views.export import triples

    target = tmp_path / "graph.jsonld"
    assert runner.invoke(main, ["export", "--format", "jsonld", "-o", str(target)]).exit_code == 0
    doc = json.loads(target.read_text("utf-8"))
    context = doc["@context"]
    names = {k: v if isinstance(v, str) else v["@id"] for k, v in context.items() if k != "@version"}
    assert names == PREFIXES
    assert context["MONDO"] == {"@id": PREFIXES["MONDO"], "@prefix": True}  # "_" ending: JSON-LD 1.1 needs it
    ss = next(n for n in doc["@graph"] if n["@id"] == "mscd:SS" and "skos:exactMatch" in n)
    matches = ss["skos:exactMatch"] if isinstance(ss["skos:exactMatch"], list) else [ss["skos:exactMatch"]]
    assert ss["@type"] == "msc:Disease" and {"@id": "MONDO:0010030"} in matches
    text = target.read_text("utf-8")
    assert all(f'"{ns}' not in text.partition('"@graph"')[2] for ns in (PREFIXES["msc"], PREFIXES["mscd"]))

    store = rdflib.Graph()
    for t in triples(kg):
        store.add(tuple(_rdflib_term(x) for x in (t.subject, t.predicate, t.object)))
    back = rdflib.Graph().parse(target, format="json-ld")
    assert len(back) == len(store) and isomorphic(back, store)
    again = rdflib.Graph()  # a second JSON-LD 1.1 reader, stricter about prefixes
    for t in ox.parse(path=str(target), format=ox.RdfFormat.JSON_LD):
        again.add(tuple(_rdflib_term(x) for x in (t.subject, t.predicate, t.object)))
    assert isomorphic(again, store)


def _rdflib_term(term):
    import rdflib

    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    datatype = None if term.datatype.value == str(rdflib.XSD.string) else rdflib.URIRef(term.datatype.value)
    return rdflib.Literal(term.value, datatype=datatype)


def test_export_to_stdout_and_rdflib_reads_it(runner) -> None:
    import rdflib

    result = runner.invoke(main, ["export", "--format", "nt"])
    assert result.exit_code == 0
    graph = rdflib.Graph().parse(data=result.output, format="nt")
    assert (rdflib.URIRef(MSCD + "SS"), rdflib.RDFS.label, rdflib.Literal("干燥综合征", lang="zh")) in graph


def test_export_to_missing_directory_fails_cleanly(runner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["export", "-o", str(tmp_path / "nope" / "g.ttl")])
    assert result.exit_code == 2 and "no such directory" in result.output
    assert not (tmp_path / "nope").exists()


@pytest.fixture(scope="module")
def endpoint():
    """`mscgraph serve`'s server over the packaged graph, in a thread, on a free loopback port."""
    import threading

    from mscgraph.server.endpoint import Settings, make_server

    server = make_server(mscgraph.load().engine, "127.0.0.1", 0, Settings(log=False))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sparql"
    server.shutdown()
    server.server_close()


def test_sparql_and_export_through_an_endpoint(
    runner, endpoint: str, tmp_path: Path, kg: mscgraph.KnowledgeGraph
) -> None:
    local = runner.invoke(main, ["sparql", "-n", "dose-ranges", "-p", "disease=SLE", "--format", "csv"])
    remote = runner.invoke(
        main, ["sparql", "--endpoint", endpoint, "-n", "dose-ranges", "-p", "disease=SLE", "--format", "csv"]
    )
    assert remote.exit_code == 0, remote.output
    assert remote.output == local.output
    target = tmp_path / "remote.nt"
    result = runner.invoke(main, ["export", "--endpoint", endpoint, "--format", "nt", "-o", str(target)])
    assert result.exit_code == 0, result.output
    count = int(kg.run("triple-count").rows[0]["triples"].value)
    assert len(set(ox.parse(path=str(target), format=ox.RdfFormat.N_TRIPLES))) == count
    bad = runner.invoke(main, ["sparql", "--endpoint", endpoint, "SELECT ?x WHERE { ?x ?p }"])
    assert bad.exit_code != 0 and "syntax error at line 1" in bad.output


_PAIRS = "WHERE { ?a ?b ?c . ?d ?e ?f } LIMIT 400000"  # far more than a pipe holds


@pytest.mark.parametrize(
    "command",
    [
        *(f"sparql 'SELECT * {_PAIRS}' --format {fmt}" for fmt in ("csv", "json", "xml")),
        f"sparql 'CONSTRUCT {{ ?a ?b ?d }} {_PAIRS}' --format nt",
        "export --format jsonld",
    ],
)
def test_streamed_results_end_quietly_at_a_closed_pipe(command: str) -> None:
    """pyoxigraph's writers stream to stdout: `| head` closing the pipe mid-answer ends mscgraph with 0 and
    nothing on stderr, not as a failed query; so does the JSON-LD export, whose dump runs in a thread."""
    import shutil
    import subprocess
    import sys

    script = shutil.which("mscgraph", path=str(Path(sys.executable).parent)) or shutil.which("mscgraph")
    shell = f"set -o pipefail; '{script}' {command} | head -c 100"
    result = subprocess.run(["bash", "-c", shell], capture_output=True, timeout=120)
    assert result.returncode == 0 and result.stderr == b"", result.stderr
    assert len(result.stdout) == 100
