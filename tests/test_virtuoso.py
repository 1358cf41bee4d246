"""A real Virtuoso Open Source server as the independent engine: push the graph, then every public named
query and the lookups must give the same rows remotely (`--endpoint`) as embedded.

Virtuoso (Debian package virtuoso-opensource, /usr/bin/virtuoso-t) runs headless on loopback with a
virtuoso.ini this module writes: its own SQL and HTTP ports, its database in a temporary directory.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from conftest import comparable, free_port, sample_params, wait_for_port

import mscgraph
from mscgraph.cli import main
from mscgraph.query import library as queries
from mscgraph.views import network, wholegraph

VIRTUOSO = shutil.which("virtuoso-t") or "/usr/bin/virtuoso-t"
SCRIPT = shutil.which("mscgraph", path=str(Path(sys.executable).parent)) or shutil.which("mscgraph")
GRAPH = "urn:mscgraph:test"
PASSWORD = "dba"  # the fresh database's default dba password

# Virtuoso 7.2.5 sometimes drops rows when `?stype rdfs:subClassOf* msc:Study` is joined with several
# start classes (it keeps one path per end node: an AnimalStudy, two steps below msc:Study, can vanish
# next to a ClinicalStudy, one step below). Whether it happens depends on the database's internal ids,
# so for these queries the test asks that Virtuoso's rows be a subset of the embedded rows.
VIRTUOSO_LOSES_ROWS = {"evidence", "studies-for-disease"}
# Differences in a query itself ({name: reason}): strict xfail, so that a fix shows. None at present.
KNOWN_DIFFERENCES: dict[str, str] = {}

pytestmark = pytest.mark.virtuoso

INI = """\
[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 10
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., {db}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {db}/vsp
MaxClientConnections = 10
ServerThreads = 10
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 120
MaxQueryCostEstimationTime = 400
"""


class Virtuoso:
    def __init__(self, http_port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
        self.http_port, self.proc, self.log = http_port, proc, log
        self.sparql = f"http://127.0.0.1:{http_port}/sparql"
        self.crud = f"http://127.0.0.1:{http_port}/sparql-graph-crud-auth"


def _wait_for_sparql(server: Virtuoso, timeout: float = 120.0) -> None:
    """The HTTP port opens before the SPARQL service is ready: wait for an ASK to answer."""
    url = server.sparql + "?" + urllib.parse.urlencode({"query": "ASK {}"})
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            break
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    tail = server.log.read_text(errors="replace")[-2000:] if server.log.exists() else ""
    pytest.fail(f"Virtuoso's SPARQL endpoint did not answer within {timeout:g} s; its log ends:\n{tail}")


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    if not os.path.exists(VIRTUOSO):
        pytest.fail("virtuoso-t not found: install the Debian package virtuoso-opensource")
    db = tmp_path_factory.mktemp("virtuoso")
    (db / "vsp").mkdir()
    http_port = free_port()
    sql_port = free_port()
    while sql_port == http_port:
        sql_port = free_port()
    ini = db / "virtuoso.ini"
    ini.write_text(INI.format(db=db, sql_port=sql_port, http_port=http_port))
    log = db / "stdout.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [VIRTUOSO, "+configfile", str(ini), "+foreground"], cwd=db, stdout=out, stderr=subprocess.STDOUT
        )
    server = Virtuoso(http_port, proc, log)
    try:
        wait_for_port(http_port, proc, "virtuoso-t", timeout=120)
        _wait_for_sparql(server)
        yield server
    finally:
        proc.terminate()  # Virtuoso checkpoints and exits on SIGTERM
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def mscgraph_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    assert SCRIPT, "the mscgraph console script is not installed"
    return subprocess.run(
        [SCRIPT, *args], capture_output=True, text=True, timeout=300, env={**os.environ, **(env or {})}
    )


@pytest.fixture(scope="module")
def pushed(virtuoso, data_snapshot):
    """Push the snapshot with credentials from the environment, as a user would."""
    result = mscgraph_cli(
        "push",
        "--endpoint",
        virtuoso.crud,
        "--graph",
        GRAPH,
        "--replace",
        "--data",
        str(data_snapshot),
        env={"MSCGRAPH_USER": "dba", "MSCGRAPH_PASSWORD": PASSWORD},
    )
    assert result.returncode == 0, result.stderr
    done = rf"mscgraph: replaced (\d+) triples to <{GRAPH}> at {virtuoso.crud}; read back, the graph holds \1"
    assert re.fullmatch(done + r" triples\n", result.stderr), result.stderr
    assert PASSWORD not in result.stdout + result.stderr.replace("dba", "")  # nothing but the user name
    return virtuoso


@pytest.fixture(scope="module")
def embedded(data_snapshot):
    return mscgraph.load([data_snapshot])


@pytest.fixture(scope="module")
def remote(pushed):
    return mscgraph.load(endpoint=pushed.sparql, graph=GRAPH)


def _public_queries() -> list:
    marks = []
    for name, query in sorted(queries.catalog().items()):
        if query.internal:
            continue
        reason = KNOWN_DIFFERENCES.get(name)
        xfail = pytest.mark.xfail(strict=True, reason=reason) if reason else ()
        marks.append(pytest.param(name, marks=xfail))
    return marks


# --- tests ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", _public_queries())
def test_named_query_gives_the_same_rows_remotely(name, embedded, remote):
    query = queries.get(name)
    params = sample_params(query)
    here, there = embedded.run(name, params), remote.run(name, params)
    assert set(there.variables) == set(here.variables)
    if name in VIRTUOSO_LOSES_ROWS:
        assert there.rows and set(comparable(there, query.text)) <= set(comparable(here, query.text))
    else:
        assert comparable(there, query.text) == comparable(here, query.text)


def test_internal_name_queries_agree_so_names_resolve_remotely(embedded, remote):
    for name in ("_name-scan", "_resolve-iri", "_resolve-entity"):
        query = queries.get(name)
        params = sample_params(query)
        there, here = remote.run(name, params), embedded.run(name, params)
        assert comparable(there, query.text) == comparable(here, query.text)
    names = [("SS", "disease"), ("干燥综合征", "disease"), ("MONDO:0010030", "disease"), ("IL-17A", None)]
    for text, kind in names:
        assert remote.resolve(text, kind) == embedded.resolve(text, kind)


@pytest.mark.parametrize(
    "args",
    [
        ["mechanisms", "SS"],
        ["mechanisms", "Sjogren syndrome"],
        ["diseases", "Th17"],
        ["show", "SS"],
        ["stats"],
    ],
)
def test_lookups_give_the_same_rows_over_the_endpoint(args, pushed, data_snapshot, runner):
    local = runner.invoke(main, [*args, "--format", "json", "--data", str(data_snapshot)])
    remote = runner.invoke(main, [*args, "--format", "json", "--endpoint", pushed.sparql, "--graph", GRAPH])
    assert local.exit_code == 0, local.output
    assert remote.exit_code == 0, remote.output
    key = lambda rows: sorted(json.dumps(r, sort_keys=True, ensure_ascii=False) for r in rows)  # noqa: E731
    assert key(json.loads(remote.stdout)) == key(json.loads(local.stdout))


def test_the_review_says_it_remotely_too(remote):
    rows = remote.mechanisms("SS")
    th17 = [r for r in rows if r["mechanism"] == "Th17" and "Xu 2012 [34]" in (r["studies"] or "")]
    assert th17 and th17[0]["direction"] == "decreased"


def test_wrong_password_is_one_line_without_the_password(pushed):
    secret = "not-the-password-4711"
    result = mscgraph_cli(
        "push", "--endpoint", pushed.crud, "--graph", GRAPH, "--user", "dba", "--password", secret
    )
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "401" in result.stderr
    assert secret not in result.stdout + result.stderr


def test_endpoint_failures_are_one_clear_line(pushed):
    closed = f"http://127.0.0.1:{free_port()}/sparql"
    cases = [
        (["mechanisms", "SS", "--endpoint", closed], "cannot reach"),
        (["mechanisms", "SS", "--endpoint", pushed.sparql + "-nothing-here"], "HTTP 404"),
        (["push", "--endpoint", closed, "--graph", GRAPH], "cannot reach"),
    ]
    for args, expected in cases:
        result = mscgraph_cli(*args)
        assert result.returncode == 1, result.stderr
        assert result.stderr.count("\n") == 1 and expected in result.stderr, result.stderr


def test_push_authenticates_before_sending_the_body(pushed):
    """Virtuoso answers an unauthenticated upload with 401 and may close the connection before reading
    the body; push therefore computes the Digest header first, and that header alone must be accepted."""
    from mscgraph.engines.remote import preauthorize

    req = urllib.request.Request(
        pushed.crud + "?graph=" + urllib.parse.quote("urn:mscgraph:probe"),
        data=b"<urn:x:a> <urn:x:b> <urn:x:c> .\n",
        method="POST",
        headers={"Content-Type": "application/n-triples"},
    )
    preauthorize(req, "dba", PASSWORD, 30)
    assert req.unredirected_hdrs["Authorization"].startswith("Digest ")
    with urllib.request.urlopen(req, timeout=30) as response:  # no auth handler: the header must do
        assert response.status in (200, 201)


def test_the_whole_graph_page_is_the_same_remotely(embedded, remote):
    """_page-facts runs on Virtuoso too: the whole network and page rows are those of the embedded store."""
    here, there = wholegraph.Facts(embedded), wholegraph.Facts(remote)
    ours, theirs = network.build(embedded, facts=here), network.build(remote, facts=there)
    assert dict(theirs.nodes(data=True)) == dict(ours.nodes(data=True))
    assert sorted(theirs.edges(keys=True)) == sorted(ours.edges(keys=True))
    assert wholegraph.summary_rows(there) == wholegraph.summary_rows(here)
    key = lambda r: json.dumps(r, sort_keys=True, ensure_ascii=False)  # noqa: E731
    assert sorted(map(key, wholegraph.evidence_rows(there))) == sorted(
        map(key, wholegraph.evidence_rows(here))
    )
