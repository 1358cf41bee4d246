"""`mscgraph serve` as a user runs it: a real process on a free loopback port, real HTTP clients."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import socket
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import REPO, chromium, free_port, wait_for_port
from SPARQLWrapper import CSV, JSON, JSONLD, POST, SPARQLWrapper

import mscgraph
from mscgraph.query.library import get
from mscgraph.query.text import inject_values
from mscgraph.views import rdf

SCRIPT = shutil.which("mscgraph", path=str(Path(sys.executable).parent)) or shutil.which("mscgraph")
SS = "https://w3id.org/mscgraph/data/SS"
PREFIX_MSC = "https://w3id.org/mscgraph/ontology/"
PREFIX = "PREFIX msc: <https://w3id.org/mscgraph/ontology/>\nPREFIX d: <https://w3id.org/mscgraph/data/>\n"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
FORM = "application/x-www-form-urlencoded"
HEAVY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # billions of rows


class Server:
    def __init__(self, port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
        self.port, self.proc, self.log = port, proc, log
        self.url = f"http://127.0.0.1:{port}/sparql"
        self.root = f"http://127.0.0.1:{port}/"


def start(tmp: Path, data: Path, *options: str) -> Server:
    assert SCRIPT, "the mscgraph console script is not installed"
    port = free_port()
    log = tmp / f"serve-{port}.log"
    with open(log, "wb") as err:
        proc = subprocess.Popen(
            [SCRIPT, "serve", "--port", str(port), "--data", str(data), *options],
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    wait_for_port(port, proc, "mscgraph serve")
    return Server(port, proc, log)


def stop(server: Server) -> None:
    server.proc.terminate()
    try:
        server.proc.wait(10)
    except subprocess.TimeoutExpired:
        server.proc.kill()
        server.proc.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory, data_snapshot):
    srv = start(tmp_path_factory.mktemp("serve"), data_snapshot, "--max-request-bytes", "20000")
    yield srv
    stop(srv)
    assert srv.proc.returncode == 0, srv.log.read_text()  # SIGTERM: a clean stop


@pytest.fixture(scope="module")
def embedded(data_snapshot):
    return mscgraph.load([data_snapshot])


def http(url: str, data: bytes | None = None, headers: dict | None = None, method: str | None = None):
    """(status, content type, body) of one request; HTTP errors are answers too."""
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=60) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read()


def get_query(server: Server, query: str, accept: str = "application/sparql-results+json"):
    return http(server.url + "?" + urllib.parse.urlencode({"query": query}), headers={"Accept": accept})


def ss_mechanisms_query() -> str:
    """The packaged named query with the disease bound the way a remote engine binds it."""
    return inject_values(get("mechanisms-for-disease").text, {"disease": ox.NamedNode(SS)})


# --- results -----------------------------------------------------------------------------------


def test_sparqlwrapper_json_matches_embedded(server, embedded):
    query = ss_mechanisms_query()
    client = SPARQLWrapper(server.url)
    client.setQuery(query)
    client.setReturnFormat(JSON)
    doc = client.query().convert()
    expected = embedded.engine.run(query)
    assert doc["head"]["vars"] == expected.variables
    got = [{k: v["value"] for k, v in b.items()} for b in doc["results"]["bindings"]]
    assert got == [{k: t.value for k, t in row.items()} for row in expected.rows]
    # what the review says: in SS, MSCs decrease Th17, supported by Xu 2012 (ref 34)
    th17 = [r for r in got if r.get("mechanism_abbr") == "Th17" and "Xu 2012 [34]" in r["studies"]]
    assert th17 and th17[0]["direction"] == "decreased"
    lang = doc["results"]["bindings"][0]["sentence_zh"]
    assert lang["xml:lang"] == "zh"


def test_sparqlwrapper_csv_matches_embedded(server, embedded):
    query = ss_mechanisms_query()
    client = SPARQLWrapper(server.url)
    client.setQuery(query)
    client.setReturnFormat(CSV)
    rows = list(csv.reader(io.StringIO(client.query().convert().decode("utf-8"))))
    expected = embedded.engine.run(query)
    assert rows[0] == expected.variables
    assert rows[1:] == [[r[v].value if v in r else "" for v in expected.variables] for r in expected.rows]


def test_post_forms_tsv_xml_and_ask(server, embedded):
    query = PREFIX + "SELECT ?f WHERE { ?f a msc:Finding ; msc:inDisease d:SS } ORDER BY ?f"
    expected = [str(r["f"]) for r in embedded.engine.run(query).rows]
    body = urllib.parse.urlencode({"query": query}).encode()
    status, ctype, tsv = http(server.url, body, {"Content-Type": FORM, "Accept": "text/tab-separated-values"})
    assert status == 200 and ctype.startswith("text/tab-separated-values")
    assert tsv.decode().splitlines() == ["?f", *expected]
    status, ctype, xml = http(
        server.url, query.encode(), {"Content-Type": "application/sparql-query", "Accept": "application/xml"}
    )
    assert status == 200 and ctype.startswith("application/sparql-results+xml")
    assert xml.decode().count("<result>") == len(expected)
    status, _, ask = get_query(server, PREFIX + "ASK { d:SS a msc:Disease }")
    assert status == 200 and json.loads(ask) == {"head": {}, "boolean": True}


def test_construct_as_ntriples_and_turtle(server):
    query = PREFIX + "CONSTRUCT { d:SS ?p ?o } WHERE { d:SS ?p ?o }"
    for accept in ("application/n-triples", "text/turtle"):
        status, ctype, body = get_query(server, query, accept)
        assert status == 200 and ctype.startswith(accept)
        triples = [q.triple for q in ox.parse(body, ox.RdfFormat.from_media_type(accept))]
        assert (
            ox.Triple(
                ox.NamedNode(SS),
                ox.NamedNode("https://w3id.org/mscgraph/ontology/abbreviation"),
                ox.Literal("SS"),
            )
            in triples
        )


def test_construct_in_every_rdf_format_by_q_values(server, embedded):
    """Accept with q-values picks the format; each answer parses to the same triples as the embedded graph."""
    query = PREFIX + "CONSTRUCT { d:SS ?p ?o } WHERE { d:SS ?p ?o }"
    expected = set(rdf.result_triples(embedded.engine.run(query)))
    cases = {
        "application/rdf+xml": "application/rdf+xml",
        "application/ld+json": "application/ld+json",
        "application/n-triples;q=0.5, application/ld+json;q=0.9, text/turtle;q=0.1": "application/ld+json",
        "application/ld+json;q=0.2, application/rdf+xml;q=0.8": "application/rdf+xml",
        "image/png, text/turtle;q=0.3": "text/turtle",
        "application/xml": "application/rdf+xml",  # plain XML / JSON of a graph: RDF/XML / JSON-LD
        "application/json": "application/ld+json",
        "*/*": "application/n-triples",
    }
    for accept, media in cases.items():
        status, ctype, body = get_query(server, query, accept)
        assert status == 200 and ctype.split(";")[0] == media, (accept, ctype, body[:200])
        got = {q.triple for q in ox.parse(body, ox.RdfFormat.from_media_type(media))}
        assert got == expected, accept
    status, ctype, _ = get_query(server, PREFIX + "SELECT * WHERE { d:SS ?p ?o }", "application/json")
    assert status == 200 and ctype.startswith("application/sparql-results+json")  # SELECT: SPARQL JSON
    for fmt, media in (("rdfxml", "application/rdf+xml"), ("jsonld", "application/ld+json")):
        url = server.url + "?" + urllib.parse.urlencode({"query": query, "format": fmt})
        assert http(url)[1].startswith(media)
    status, _, body = get_query(server, query, "application/ld+json;q=0")
    assert status == 406 and b"application/rdf+xml" in body


def test_rdflib_sparqlstore_select_ask_construct(server, embedded):
    """rdflib's SPARQLStore, as a user points it at the endpoint (it asks for XML results and RDF/XML)."""
    import rdflib
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    graph = rdflib.Graph(SPARQLStore(server.url))
    query = PREFIX + "SELECT ?f ?m WHERE { ?f a msc:Finding ; msc:inDisease d:SS ; msc:aboutMechanism ?m }"
    rows = {(str(f), str(m)) for f, m in graph.query(query)}
    assert rows == {(r["f"].value, r["m"].value) for r in embedded.engine.run(query).rows} and rows
    assert graph.query(PREFIX + "ASK { d:SS a msc:Disease }").askAnswer is True
    assert graph.query(PREFIX + "ASK { d:SS a msc:Finding }").askAnswer is False
    construct = PREFIX + "CONSTRUCT { d:SS ?p ?o } WHERE { d:SS ?p ?o }"
    got = graph.query(construct).graph
    expected = set(rdf.result_triples(embedded.engine.run(construct)))
    assert len(got) == len(expected) > 5
    mondo = rdflib.URIRef("http://purl.obolibrary.org/obo/MONDO_0010030")
    assert (rdflib.URIRef(SS), rdflib.SKOS.exactMatch, mondo) in got
    assert (rdflib.URIRef(SS), rdflib.RDFS.label, rdflib.Literal("干燥综合征", lang="zh")) in got


def test_sparqlwrapper_default_and_jsonld_return_formats(server, embedded):
    """SPARQLWrapper as it comes: XML for SELECT and ASK, RDF/XML for CONSTRUCT and DESCRIBE; and JSON-LD."""
    import rdflib

    def ask(query: str, fmt: str | None = None):
        client = SPARQLWrapper(server.url)
        client.setQuery(query)
        if fmt:
            client.setReturnFormat(fmt)
        return client.query().convert()

    select = PREFIX + "SELECT ?d WHERE { ?d a msc:Disease } ORDER BY ?d"
    dom = ask(select)  # xml.dom.minidom document of SPARQL XML results
    uris = [e.firstChild.data for e in dom.getElementsByTagName("uri")]
    assert uris == [r["d"].value for r in embedded.engine.run(select).rows] and SS in uris
    boolean = ask(PREFIX + "ASK { d:SS a msc:Disease }").getElementsByTagName("boolean")[0]
    assert boolean.firstChild.data == "true"
    construct = PREFIX + "CONSTRUCT { d:SS ?p ?o } WHERE { d:SS ?p ?o }"
    expected = {tuple(str(x.value) for x in t) for t in rdf.result_triples(embedded.engine.run(construct))}
    for fmt in (None, JSONLD):
        graph = ask(construct, fmt)
        assert isinstance(graph, rdflib.Graph)
        assert {tuple(str(x) for x in t) for t in graph} == expected, fmt
    described = ask(PREFIX + "DESCRIBE d:SS")
    assert (rdflib.URIRef(SS), rdflib.URIRef(PREFIX_MSC + "abbreviation"), rdflib.Literal("SS")) in described


def test_unacceptable_format_is_406(server):
    status, _, body = get_query(server, COUNT, "image/png")
    assert status == 406 and b"application/sparql-results+json" in body


# --- read-only ------------------------------------------------------------------------------


def test_updates_are_refused_and_nothing_changes(server):
    before = json.loads(get_query(server, COUNT)[2])["results"]["bindings"][0]["n"]["value"]
    insert = "INSERT DATA { <urn:x:s> <urn:x:p> <urn:x:o> }"
    client = SPARQLWrapper(server.url)  # SPARQLWrapper sends an update as update=... (SPARQL 1.1 Protocol)
    client.setMethod(POST)
    client.setQuery(insert)
    with pytest.raises(Exception, match="403"):
        client.query()
    attempts = [
        http(server.url, urllib.parse.urlencode({"update": insert}).encode(), {"Content-Type": FORM}),
        http(server.url, insert.encode(), {"Content-Type": "application/sparql-update"}),
        http(server.url, insert.encode(), {"Content-Type": "application/sparql-query"}),
        get_query(server, "PREFIX x: <urn:x:> # SELECT\nDELETE WHERE { ?s ?p ?o }"),
        get_query(server, "CLEAR ALL"),
        http(server.url, b"<urn:x:s> <urn:x:p> <urn:x:o> .", {"Content-Type": "text/turtle"}, "PUT"),
    ]
    for status, _, body in attempts:
        assert 400 <= status < 500, body
    assert all(status in (403, 405) for status, _, _ in attempts)
    assert json.loads(get_query(server, "ASK { <urn:x:s> ?p ?o }")[2])["boolean"] is False
    after = json.loads(get_query(server, COUNT)[2])["results"]["bindings"][0]["n"]["value"]
    assert after == before


def test_federated_service_calls_are_refused(server):
    status, _, body = get_query(server, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    assert status == 403 and b"SERVICE" in body


# --- bad input ------------------------------------------------------------------------------


def test_malformed_query_is_400_with_line_and_column(server):
    status, ctype, body = get_query(server, "SELECT ?s WHERE {\n  ?s ?p \n}")
    assert status == 400 and ctype.startswith("text/plain")
    assert re.search(rb"line 3, column \d+|3:\d+", body), body  # the parser's line and column


@pytest.mark.parametrize(
    ("path", "data", "headers", "status"),
    [
        ("sparql", None, {}, 400),  # no query
        ("sparql?query=%ZZ", None, {}, 400),
        ("sparql?query=", None, {}, 400),
        ("sparql", b"query=SELECT", {"Content-Type": "text/csv"}, 415),
        ("sparql?query=ASK{}&query=ASK{}", None, {}, 400),
        ("sparql?query=ASK{}&default-graph-uri=urn:x", None, {}, 400),
        ("nothing-here", None, {}, 404),
    ],
)
def test_bad_requests_get_4xx(server, path, data, headers, status):
    assert http(server.root + path, data, headers)[0] == status


def test_oversize_requests_are_refused(server):
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 30000
    status, _, body = http(server.url, big.encode(), {"Content-Type": "application/sparql-query"})
    assert status == 413 and b"20000" in body
    assert get_query(server, big)[0] == 414
    assert get_query(server, COUNT)[0] == 200


def test_garbage_on_the_socket_does_not_crash_the_server(server):
    junks = (
        b"\x00\xff\r\n\r\n",
        b"GET /sparql?query=ASK{} HTTP/9.9\r\n\r\n",
        b"POST /sparql HTTP/1.1\r\nContent-Length: 10\r\nContent-Type: application/sparql-query\r\n\r\nASK",
    )
    for junk in junks:
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
            sock.sendall(junk)
            sock.shutdown(socket.SHUT_WR)
            sock.recv(1000)
    assert server.proc.poll() is None
    assert get_query(server, COUNT)[0] == 200


# --- time limit, page, load ----------------------------------------------------------------------


@pytest.mark.slow
def test_a_query_past_its_time_limit_gets_503_and_the_server_goes_on(tmp_path, data_snapshot):
    srv = start(tmp_path, data_snapshot, "--timeout", "0.3", "--quiet")
    try:
        status, _, body = get_query(srv, HEAVY)
        assert status == 503 and b"time limit of 0.3 s" in body
        status, _, body = get_query(srv, COUNT)
        assert status == 200 and int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) > 1000
    finally:
        stop(srv)


def test_query_page_works_offline(server):
    status, ctype, body = http(server.root)
    page = body.decode()
    assert status == 200 and ctype.startswith("text/html")
    assert "<textarea" in page and "sparql" in page
    # nothing is fetched from elsewhere: no external src/href, no CSS imports or url(), no CDN
    assert not re.search(r"""(src|href|action)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    assert not re.search(r"@import|url\(|<link\b|<script\s+src", page, re.I)
    assert "innerHTML" not in page  # results go in with textContent only


def test_bounded_load_test_has_no_errors(server):
    result = subprocess.run(
        [
            sys.executable,
            str(REPO / "bench" / "load_test.py"),
            "--url",
            server.url,
            "--requests",
            "400",
            "--concurrency",
            "8",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    summary = json.loads(result.stdout)
    assert summary["requests"] == 400 and summary["errors"] == 0
    assert summary["p50_ms"] <= summary["p95_ms"] <= summary["p99_ms"]


@pytest.mark.browser
def test_query_page_runs_a_query_in_chromium_escaped_and_offline(server):
    """The page in Debian's headless Chromium: it fetches only from the server, and a literal holding
    HTML is shown as text, never run."""
    xss = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'
    markup = str(ox.Literal(xss))
    query = PREFIX + f"SELECT ?d ?markup WHERE {{ ?d a msc:Disease . BIND({markup} AS ?markup) }}"
    requested: list[str] = []
    with chromium() as browser:
        page = browser.new_page()
        page.on("request", lambda request: requested.append(request.url))
        page.goto(server.root)
        page.fill("#query", query)
        page.click("#run")
        page.wait_for_selector("#results table")
        cells = page.locator("#results td").all_text_contents()
        status = page.text_content("#status")
        assert page.evaluate("window.__xss") is None
        assert page.locator("#results img, #results script").count() == 0
    assert xss in cells and SS in cells
    assert re.match(r"\d+ rows in \d+ ms", status or ""), status
    assert requested and all(url.startswith(server.root) for url in requested), requested


def test_start_up_failures_are_one_line(server, tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix x: <http://x/> .\nx:a x:b .\n")
    for args, code, expected in (
        (["--port", str(server.port)], 2, "cannot listen on 127.0.0.1:"),
        (["--port", "0", "--data", str(bad)], 1, "bad.ttl"),
    ):
        result = subprocess.run([SCRIPT, "serve", *args], capture_output=True, text=True, timeout=120)
        assert result.returncode == code, result.stderr
        assert result.stderr.count("\n") == 1 and expected in result.stderr, result.stderr


def post_form(server: Server, **fields: str):
    body = urllib.parse.urlencode(fields).encode()
    return http(server.url, body, {"Content-Type": FORM, "Accept": "application/sparql-results+json"})


def test_declared_parameters_are_bound_from_names_as_the_cli_does(server, embedded):
    text = get("mechanisms-for-disease").text
    for name in ("SS", "Sjogren", "干燥综合征", SS):
        status, _, body = post_form(server, query=text, **{"bind.disease": name})
        assert status == 200, body
        got = json.loads(body)["results"]["bindings"]
        assert len(got) == len(embedded.rows("mechanisms-for-disease", {"disease": "SS"})) > 3
        assert all(row["disease"]["value"] == SS for row in got if "disease" in row)
    status, _, body = post_form(server, query=text, **{"bind.disease": "Sjogrn"})
    assert status == 400 and b"unknown disease 'Sjogrn'" in body and b"Sj\xc3\xb6gren syndrome" in body
    status, _, body = post_form(server, query=text, **{"bind.mechanism": "Th17"})
    assert status == 400 and b"declares no parameter 'mechanism'" in body and b"disease" in body


def test_missing_prefix_error_names_the_prefix_line_and_column(server):
    status, _, body = get_query(server, "SELECT * WHERE { ?s rdfs:label ?o }")
    assert status == 400
    assert body.decode().strip() == (
        "400 Bad Request: SPARQL syntax error at line 1, column 31: unknown prefix 'rdfs:' in rdfs:label;"
        " declare it: PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>"
    )


@pytest.mark.browser
def test_query_page_picks_named_queries_binds_parameters_and_points_at_errors(server, embedded):
    from mscgraph.query.library import catalog

    public = sorted(n for n, q in catalog().items() if not q.internal)
    requested: list[str] = []
    with chromium() as browser:
        page = browser.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("request", lambda request: requested.append(request.url))
        page.goto(server.root)
        # the editor starts with the PREFIX lines, and runs as it is
        assert page.input_value("#query").startswith("PREFIX msc: <https://w3id.org/mscgraph/ontology/>\n")
        page.click("#run")
        page.wait_for_selector("#results table")
        assert "Sjögren syndrome" in page.inner_text("#results")
        options = page.eval_on_selector_all("#named option", "os => os.map(o => o.value).filter(Boolean)")
        assert sorted(options) == public
        # a named query: its text, one field per parameter, names resolved by the server
        page.select_option("#named", "studies-for-disease")
        assert page.input_value("#query") == get("studies-for-disease").text
        assert "PREFIX msc:" in page.input_value("#query")
        page.fill("#param-disease", "干燥综合征")
        page.click("#run")
        page.wait_for_selector("#results table")
        rows = page.locator("#results tbody tr").count()
        assert rows == len(embedded.run("studies-for-disease", {"disease": "SS"}).rows) > 0
        page.select_option("#named", "link-summary")
        assert page.locator("#params input").count() == 3
        page.fill("#param-subject", "SLE")
        page.fill("#param-mechanism", "Tregs")
        page.click("#run")
        page.wait_for_function("document.querySelectorAll('#results tbody tr').length === 3")
        # an error: the message, its line and column, and the cursor put there
        page.select_option("#named", "")
        first = "PREFIX msc: <https://w3id.org/mscgraph/ontology/>\n"
        page.fill("#query", first + "SELECT * WHERE { ?s skos:notation ?o }")
        page.click("#run")
        page.wait_for_selector("#status.error")
        assert "line 2, column 34: unknown prefix 'skos:'" in page.inner_text("#status")
        assert page.inner_text("#where").endswith("^")
        offset = len(first) + 33
        assert page.evaluate("document.getElementById('query').selectionStart") == offset
        assert [e for e in errors if "status of 400" not in e] == []  # the browser logs the 400 itself
    assert requested and all(url.startswith(server.root) for url in requested), requested
