"""What an adversarial probe broke (issue 13), kept fixed: real processes, real files, loopback only.

Every case is bounded (time limits on every process and socket) and needs no network beyond
127.0.0.1. Special files are FIFOs and symlinks made in a temporary folder, never real devices.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import resource
import shutil
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import EXTRA, chromium

from mscgraph.model.files import write_atomic
from mscgraph.store.index import Sources, cache_root

SCRIPT = shutil.which("mscgraph", path=str(Path(sys.executable).parent)) or shutil.which("mscgraph")

# Real processes, servers and large inputs, one after another: the slow lane (`pytest -m slow`).
pytestmark = pytest.mark.slow


def cli(*args: str, env: dict | None = None, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess:
    assert SCRIPT, "the mscgraph console script is not installed"
    return subprocess.run(
        [SCRIPT, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        **kwargs,
    )


def one_error_line(result: subprocess.CompletedProcess, *expected: str) -> None:
    """Bad input: non-zero exit, exactly one line on stderr, no traceback."""
    assert result.returncode != 0, result
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1, result.stderr
    for text in expected:
        assert text in result.stderr, result.stderr


def index_folder(data: Path) -> Path:
    return cache_root() / Sources.resolve([data]).key()


# --- 1. the on-disk index ------------------------------------------------------------------------

READER = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))  # a runaway reader fails instead of eating RAM
import mscgraph
kg = mscgraph.load([sys.argv[1]])
for line in sys.stdin:
    triples = sum(1 for _ in kg.engine.triples())  # a full scan touches every file of the generation
    print(triples, kg.resolve("testing disease", "disease"), flush=True)
"""


def test_a_long_lived_reader_survives_refreshes_by_other_processes(data: Path) -> None:
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(data)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:

        def ask() -> str:
            reader.stdin.write("scan\n")
            reader.stdin.flush()
            line = reader.stdout.readline()
            assert line, reader.stderr.read()
            return line.split()[0]

        first = ask()
        for n in range(3):  # other processes refresh the index three times
            (data / "extra.ttl").write_text(EXTRA.replace("{label}", f"Renamed disease {n}"))
            assert cli("stats", "--data", str(data)).returncode == 0
            assert ask() == first  # the reader still answers from the generation it opened
        assert len(list(index_folder(data).glob("db-*"))) == 2  # the reader's and the current one
    finally:
        reader.stdin.close()
        reader.wait(60)
    assert reader.returncode == 0, reader.stderr.read()
    (data / "extra.ttl").write_text(EXTRA.replace("{label}", "Final"))
    assert cli("stats", "--data", str(data)).returncode == 0
    assert [p.name for p in index_folder(data).glob("db-*")] == ["db-5"]  # nobody reads the old ones now


def test_killed_builds_are_cleaned_up_and_same_size_same_mtime_edits_are_seen(data: Path) -> None:
    assert cli("show", "TD", "--data", str(data)).returncode == 0
    leftover = index_folder(data) / "build-999999"  # what a build killed with SIGKILL leaves
    (leftover / "store").mkdir(parents=True)
    (leftover / "store" / "000001.sst").write_bytes(b"\0" * 100_000)
    extra = data / "extra.ttl"
    before = extra.stat()
    extra.write_text(EXTRA.replace("{label}", "Tasting disease"))  # same size
    os.utime(extra, ns=(before.st_atime_ns, before.st_mtime_ns))  # same mtime, as `cp -p` leaves it
    assert extra.stat().st_size == before.st_size and extra.stat().st_mtime_ns == before.st_mtime_ns
    result = cli("search", "tasting", "--data", str(data), "--format", "json")
    assert result.returncode == 0 and json.loads(result.stdout)[0]["label"] == "Tasting disease"
    assert not leftover.exists()
    os.utime(extra)  # only the times change: no new generation
    generations = sorted(p.name for p in index_folder(data).glob("db-*"))
    assert cli("show", "TD", "--data", str(data)).returncode == 0
    assert sorted(p.name for p in index_folder(data).glob("db-*")) == generations


def test_indexes_of_vanished_data_sets_are_pruned(data: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    shutil.copytree(data, other)
    assert cli("stats", "--data", str(other)).returncode == 0
    assert index_folder(other).is_dir()
    stale = index_folder(other)
    shutil.rmtree(other)  # e.g. a temporary folder, gone
    assert cli("stats", "--data", str(data)).returncode == 0
    assert not stale.exists()


def test_a_damaged_index_is_rebuilt_with_one_warning(data: Path) -> None:
    assert cli("stats", "--data", str(data)).returncode == 0
    for sst in index_folder(data).glob("db-*/store/*.sst"):
        sst.write_bytes(sst.read_bytes()[:100])  # truncated RocksDB files
    result = cli("show", "TD", "--data", str(data))
    assert result.returncode == 0 and "Testing disease" in result.stdout
    assert result.stderr.count("\n") == 1 and "damaged; rebuilding" in result.stderr
    for names in index_folder(data).glob("db-*/names.sqlite"):
        names.write_bytes(names.read_bytes()[:4096])  # a truncated name index
    result = cli("show", "TD", "--data", str(data))
    assert result.returncode == 0 and "Testing disease" in result.stdout and "Traceback" not in result.stderr


def test_an_unusable_cache_location_is_bypassed_with_one_warning(data: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = cli("show", "TD", "--data", str(data), env={"MSCGRAPH_CACHE": str(blocker / "cache")})
    assert result.returncode == 0 and "Testing disease" in result.stdout
    assert result.stderr.count("\n") == 1 and "reading the sources in memory" in result.stderr


# --- 2. output paths -----------------------------------------------------------------------------


def test_export_follows_a_symlink_keeps_the_mode_and_writes_into_a_pipe(tmp_path: Path) -> None:
    target = tmp_path / "real.nt"
    target.write_text("old\n")
    os.chmod(target, 0o600)
    link = tmp_path / "link.nt"
    link.symlink_to(target)
    assert cli("export", "--format", "nt", "-o", str(link)).returncode == 0
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600 and target.read_text().count("\n") > 4000

    fifo = tmp_path / "pipe.nt"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = cli("export", "--format", "nt", "-o", str(fifo))
    reader.join(60)
    assert result.returncode == 0, result.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)  # still a pipe, not replaced by a regular file
    assert received and received[0].count(b"\n") > 4000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.nt", "pipe.nt", "real.nt"]  # no temp files


class StallingServer:
    """A loopback TCP server that accepts connections and answers slowly: never (``drip=None``), or
    one byte of a valid HTTP answer every ``drip`` seconds."""

    def __init__(self, drip: float | None = None) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/sparql"
        self.drip = drip
        self.connections: list[socket.socket] = []
        self.stopped = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections.append(conn)
            if self.drip is not None:
                threading.Thread(target=self._drip, args=(conn,), daemon=True).start()

    def _drip(self, conn: socket.socket) -> None:
        answer = b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n\r\n" + b" " * 10000
        for byte in answer:
            if self.stopped.wait(self.drip):
                return
            try:
                conn.sendall(bytes([byte]))
            except OSError:
                return

    def close(self) -> None:
        self.stopped.set()
        self.sock.close()
        for conn in self.connections:
            conn.close()


def test_sigterm_during_export_removes_the_temporary_file(tmp_path: Path) -> None:
    server = StallingServer()  # the export waits on it with its temporary file open
    try:
        out = tmp_path / "out.ttl"
        proc = subprocess.Popen(
            [SCRIPT, "export", "-o", str(out), "--endpoint", server.url], stderr=subprocess.PIPE, text=True
        )
        deadline = time.monotonic() + 60
        while not list(tmp_path.glob(".out.ttl.*.tmp")) and time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read()
            time.sleep(0.05)
        assert list(tmp_path.glob(".out.ttl.*.tmp")), "the export never started writing"
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    finally:
        server.close()
    assert proc.returncode != 0
    assert list(tmp_path.iterdir()) == []  # neither the output nor its temporary file
    assert "Traceback" not in proc.stderr.read()


def test_a_temporary_name_left_by_a_killed_process_is_passed_over(tmp_path: Path) -> None:
    """The temporary file is named after the process id: one a killed process with the same id left
    behind is neither reused nor removed, and the output is written all the same."""
    target = tmp_path / "out.nt"
    leftover = tmp_path / f".out.nt.{os.getpid()}-0.tmp"
    leftover.write_text("left by a killed process")
    write_atomic(target, lambda tmp: tmp.write_text("new\n"))
    assert target.read_text() == "new\n" and leftover.read_text() == "left by a killed process"
    assert sorted(p.name for p in tmp_path.iterdir()) == [leftover.name, "out.nt"]


def _small_disk() -> None:
    """In the child: files may not grow past 20 kB, as on a full disk (the write fails)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))


@pytest.mark.parametrize(
    "args",
    [
        ("sparql", "SELECT * WHERE { ?s ?p ?o }", "--format", "csv"),
        ("export", "--format", "nt"),
        ("search", "e", "--format", "json", "--limit", "1000"),
    ],
)
def test_a_full_disk_through_stdout_is_an_error(tmp_path: Path, args: tuple[str, ...], kg) -> None:
    # `kg`: the index of the packaged data is built (in this cache) before the disk is "full"
    with open(tmp_path / "out", "wb") as out:
        result = subprocess.run(
            [SCRIPT, *args],
            stdout=out,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            preexec_fn=_small_disk,
        )
    one_error_line(result, "File too large")


# --- 3. the endpoint -----------------------------------------------------------------------------


def _http(url: str, query: str | None = None, headers: dict | None = None) -> tuple[int, dict, bytes]:
    import urllib.error
    import urllib.parse
    import urllib.request

    if query is not None:
        url += "?" + urllib.parse.urlencode({"query": query})
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


class Serve:
    def __init__(self, tmp: Path, *args: str, host: str = "127.0.0.1") -> None:
        from conftest import free_port, wait_for_port

        self.port = free_port()
        self.log = tmp / f"serve-{self.port}.log"
        with open(self.log, "wb") as err:
            self.proc = subprocess.Popen(
                [SCRIPT, "serve", "--host", host, "--port", str(self.port), *args],
                stderr=err,
                stdout=subprocess.DEVNULL,
            )
        if host == "127.0.0.1":
            wait_for_port(self.port, self.proc, "mscgraph serve")
        self.root = f"http://{host if ':' not in host else f'[{host}]'}:{self.port}/"
        self.url = self.root + "sparql"

    def stop(self) -> str:
        self.proc.terminate()
        self.proc.wait(30)
        return self.log.read_text()


COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
HEAVY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture()
def serve(tmp_path: Path, data: Path):
    started: list[Serve] = []

    def start(*args: str, **kwargs) -> Serve:
        started.append(Serve(tmp_path, "--data", str(data), *args, **kwargs))
        return started[-1]

    yield start
    for server in started:
        if server.proc.poll() is None:
            server.stop()


def test_service_is_refused_however_it_is_written_and_nothing_is_fetched(serve) -> None:
    canary = StallingServer()  # any connection to it would be the endpoint fetching a URL
    server = serve("--quiet")
    try:
        service = f"SERVICE <{canary.url}> {{ ?x ?y ?z }}"
        for query in (
            f"PREFIX a: <http://x/> SELECT * WHERE {{ ?s a:b\\#c ?o . {service} }}",  # the probe's bypass
            f"PREFIX a: <http://x/> SELECT * WHERE {{ ?s a:b\\#c ?o }} # \n SELECT * {{ {service} }}",
            f"SELECT * WHERE {{ sErViCe SILENT <{canary.url}> {{ ?x ?y ?z }} }}",
            "SELECT * WHERE { SERVICE ?unbound { ?x ?y ?z } }",
        ):
            status, _, body = _http(server.url, query)
            assert status in (400, 403), (query, status, body)
        bypass = f"PREFIX a: <http://x/> SELECT * WHERE {{ ?s a:b\\#c ?o . {service} }}"
        status, _, body = _http(server.url, bypass)
        assert status == 403 and b"SERVICE" in body
        assert canary.connections == []
        # a keyword in a name, a string, an IRI or a comment is not a SERVICE call
        ok = 'SELECT ?service WHERE { ?service ?p "SERVICE" } LIMIT 1 # SERVICE <http://x/>'
        assert _http(server.url, ok)[0] == 200
    finally:
        canary.close()


def test_no_cors_by_default_and_a_foreign_host_header_is_refused(serve) -> None:
    server = serve("--quiet")
    status, headers, _ = _http(server.url, COUNT, {"Origin": "http://evil.example"})
    assert status == 200 and "Access-Control-Allow-Origin" not in headers
    status, _, body = _http(server.url, COUNT, {"Host": f"evil.example:{server.port}"})
    assert status == 403 and b"evil.example" in body  # DNS rebinding: a page of another site by our address
    assert _http(server.url, COUNT, {"Host": f"localhost:{server.port}"})[0] == 200


@pytest.mark.browser
def test_a_cross_origin_page_cannot_read_the_endpoint_in_chromium(serve, tmp_path: Path) -> None:
    """A page of another origin (another loopback port) fetches from `serve`: refused by Chromium
    without --cors, allowed for the origin given with --cors."""
    import http.server

    from conftest import free_port

    page_port = free_port()
    origin = f"http://127.0.0.1:{page_port}"
    open_server = serve("--quiet", "--cors", origin)
    closed_server = serve("--quiet")
    (tmp_path / "index.html").write_text("<!doctype html><title>elsewhere</title>")
    handler = type("Quiet", (http.server.SimpleHTTPRequestHandler,), {"log_message": lambda *a: None})
    site = http.server.ThreadingHTTPServer(
        ("127.0.0.1", page_port), lambda *a: handler(*a, directory=str(tmp_path))
    )
    threading.Thread(target=site.serve_forever, daemon=True).start()
    fetch = """url => fetch(url).then(r => r.json()).then(d => d.results.bindings[0].n.value,
                                                          e => 'refused: ' + e)"""
    try:
        with chromium() as browser:
            page = browser.new_page()
            page.goto(origin + "/index.html")
            query = "?query=" + COUNT.replace(" ", "%20").replace("*", "%2A")
            refused = page.evaluate(fetch, closed_server.url + query)
            allowed = page.evaluate(fetch, open_server.url + query)
    finally:
        site.shutdown()
    assert refused.startswith("refused: TypeError"), refused
    assert int(allowed) > 4000


def test_one_worker_answers_503_then_200_from_the_version_it_started_with(serve, data: Path) -> None:
    server = serve("--quiet", "--workers", "1", "--timeout", "1")
    label = (
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        "SELECT ?l { <https://w3id.org/mscgraph/data/TestDisease> rdfs:label ?l }"
    )
    assert b"Testing disease" in _http(server.url, label, {"Accept": "text/csv"})[2]
    (data / "extra.ttl").write_text(EXTRA.replace("{label}", "Edited meanwhile"))
    status, _, body = _http(server.url, HEAVY)
    assert status == 503 and b"time limit" in body  # the worker was killed and replaced
    status, _, body = _http(server.url, label, {"Accept": "text/csv"})
    assert status == 200 and b"Testing disease" in body  # the replacement reads the same version


def test_idle_connections_are_closed_and_disconnects_are_one_log_line(serve) -> None:
    server = serve("--idle-timeout", "0.5")
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as idle:
        assert idle.recv(100) == b""  # closed by the server, not by our time-out
    for _ in range(3):  # clients that go away in the middle of a request
        with socket.create_connection(("127.0.0.1", server.port), timeout=30) as rude:
            rude.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            rude.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*")
    assert _http(server.url, COUNT)[0] == 200
    log = server.stop()
    assert "Traceback" not in log, log


def test_serve_listens_on_ipv6_loopback(serve) -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6 on this machine")
    try:
        socket.create_server(("::1", 0), family=socket.AF_INET6).close()
    except OSError:
        pytest.skip("no IPv6 loopback on this machine")
    server = serve("--quiet", host="::1")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.proc.poll() is None, server.log.read_text()
        try:
            socket.create_connection(("::1", server.port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    assert _http(server.url, COUNT)[0] == 200


# --- 4. mscgraph sparql ----------------------------------------------------------------------------


def test_sparql_refuses_service_unless_allowed(data: Path) -> None:
    canary = StallingServer()
    try:
        query = f"SELECT * WHERE {{ SERVICE <{canary.url}> {{ ?s ?p ?o }} }}"
        one_error_line(cli("sparql", query), "SERVICE", "--allow-service")
        bypass = f"PREFIX a: <http://x/> SELECT * {{ ?s a:b\\#c ?o . SERVICE <{canary.url}> {{ ?s ?p ?o }} }}"
        one_error_line(cli("sparql", bypass), "SERVICE")
        assert canary.connections == []
        # allowed, the engine does call the service (which never answers: the time limit stops it)
        result = cli("sparql", "--allow-service", "--timeout", "2", query)
        one_error_line(result, "stopped after 2 s")
        assert len(canary.connections) == 1
    finally:
        canary.close()


def _wait_until_the_store_is_open(proc: subprocess.Popen, timeout: float = 60) -> None:
    """Wait until ``proc`` holds a file of the on-disk index open (it has imported and opened the store)."""
    fds = Path(f"/proc/{proc.pid}/fd")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read()
        with contextlib.suppress(OSError):  # a descriptor may close while it is read
            if any(str(cache_root()) in os.readlink(fd) for fd in fds.iterdir()):
                return
        time.sleep(0.05)
    pytest.fail(f"mscgraph sparql did not open the index within {timeout:g} s")


def test_sparql_time_limit_and_ctrl_c_stop_a_runaway_query() -> None:
    one_error_line(cli("sparql", "--timeout", "1", HEAVY, "--format", "csv"), "stopped after 1 s")
    proc = subprocess.Popen(
        [SCRIPT, "sparql", HEAVY], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    _wait_until_the_store_is_open(proc)  # Ctrl-C while Python is still importing is another story
    time.sleep(0.5)  # not a timing assertion: only lets the query start before the Ctrl-C
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and err.count("\n") == 1 and "interrupted" in err, err


def _peak_rss_mb(*args: str) -> tuple[float, int]:
    """Peak memory of one `mscgraph` run (MB) and how many bytes it wrote."""
    proc = subprocess.Popen([SCRIPT, *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    written = sum(len(chunk) for chunk in iter(lambda: proc.stdout.read(1 << 16), b""))
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.returncode == 0
    return usage.ru_maxrss / 1024, written


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_sparql_streams_large_results_in_constant_memory(fmt: str) -> None:
    small, _ = _peak_rss_mb("sparql", "SELECT * WHERE { ?a ?b ?c } LIMIT 10", "--format", fmt)
    big, written = _peak_rss_mb(
        "sparql", "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } LIMIT 250000", "--format", fmt
    )
    assert written > 60_000_000  # 250,000 rows of six IRIs and literals: more than the margin below
    assert big < small + 60, (small, big)  # neither the output held whole nor the 100s of MB of the rows


# --- 5. remote endpoints and push ------------------------------------------------------------------


class GraphStore:
    """A loopback SPARQL Graph Store in a thread: keeps what is PUT or POSTed and sends it back on GET;
    asks for Basic authentication (``user``/``password``) if given. ``page=True`` makes it a web
    server that answers every request with an HTML page instead."""

    def __init__(self, user: str | None = None, password: str | None = None, page: bool = False) -> None:
        import base64
        import http.server

        store = self
        self.graph = b""
        self.keep = True  # False: a store that says yes to an upload and keeps nothing
        self.requests: list[str] = []
        token = base64.b64encode(f"{user}:{password}".encode()).decode() if user else None

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _answer(self, status: int, body: bytes = b"", ctype: str = "text/plain") -> None:
                self.send_response(status)
                if status == 401:
                    self.send_header("WWW-Authenticate", 'Basic realm="store"')
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _handle(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                store.requests.append(self.command)
                if page:
                    return self._answer(200, b"<!DOCTYPE html><html><body>Hello</body></html>", "text/html")
                if token and self.headers.get("Authorization") != f"Basic {token}":
                    return self._answer(401, b"who are you?")
                if self.command == "GET":
                    return self._answer(200, store.graph, "application/n-triples")
                if store.keep:
                    store.graph = body if self.command == "PUT" else store.graph + body
                self._answer(204)

            do_GET = do_PUT = do_POST = _handle

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/store"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_a_dripping_endpoint_cannot_outlast_the_time_limit() -> None:
    server = StallingServer(drip=0.5)  # a byte every half second: no single read ever times out
    try:
        started = time.monotonic()
        result = cli("mechanisms", "SS", "--endpoint", server.url, env={"MSCGRAPH_TIMEOUT": "3"}, timeout=20)
        one_error_line(result, "did not answer within 3 s")
        result = cli("push", "--endpoint", server.url, "--graph", "urn:g", "--timeout", "3", timeout=20)
        one_error_line(result, "did not answer within 3 s")
        assert time.monotonic() - started < 40
        assert len(server.connections) >= 2
    finally:
        server.close()
    result = cli("stats", "--endpoint", server.url, env={"MSCGRAPH_TIMEOUT": "soon"})
    one_error_line(result, "MSCGRAPH_TIMEOUT must be a number")


def test_push_refuses_a_web_page_as_a_graph_store() -> None:
    site = GraphStore(page=True)
    try:
        result = cli("push", "--endpoint", site.url, "--graph", "urn:g", timeout=60)
    finally:
        site.close()
    one_error_line(result, "HTTP 200 with text/html", "not as a SPARQL Graph Store")
    assert "added" not in result.stderr


def test_push_reads_the_graph_back_and_takes_credentials_from_the_url() -> None:
    store = GraphStore(user="alice", password="s3cr@t:x")
    url = store.url.replace("http://", "http://alice:s3cr%40t%3Ax@")
    try:
        result = cli("push", "--endpoint", url, "--graph", "urn:g", "--replace", timeout=60)
        assert result.returncode == 0, result.stderr
        done = rf"mscgraph: replaced (\d+) triples to <urn:g> at {store.url}; read back, the graph holds \1"
        assert re.fullmatch(done + r" triples\n", result.stderr), result.stderr
        assert store.requests[-1] == "GET"
        wrong = cli("push", "--endpoint", url.replace("s3cr", "guess"), "--graph", "urn:g", timeout=60)
        one_error_line(wrong, "HTTP 401")
        assert "guess" not in wrong.stderr and "alice" not in wrong.stderr
        store.graph, store.keep = b"", False
        forgetful = cli("push", "--endpoint", url, "--graph", "urn:g", timeout=60)
    finally:
        store.close()
    one_error_line(forgetful, "took the upload, but the graph holds 0 triples when read back")
    assert "s3cr" not in result.stderr + forgetful.stderr


# --- 6. small things: one line, non-zero exit, no traceback --------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("sparql", "SELECT ?x WHERE { ?x ?p ?o }", "-p", "x=<http://a b>"), "not a valid"),
        (("sparql", "SELECT ?x WHERE { ?x ?p ?o }", "-p", "x=<no scheme>"), "not a valid"),
        (("show", "http://exa mple/x"), "not a valid"),
        (("sparql", "SELECT * WHERE " + "{" * 10000 + "}" * 10000), "nested more than"),
        (("sparql", "INSERT DATA { <urn:a> <urn:b> <urn:c> }"), "Update is not allowed"),
        (("search", ""), "empty"),
        (("mechanisms", "SS", "--endpoint", "ftp://127.0.0.1/sparql"), "not an http(s) endpoint URL"),
        (("mechanisms", "SS", "--endpoint", "http://[::1/sparql"), "endpoint URL"),
    ],
)
def test_bad_input_is_one_line(args: tuple[str, ...], expected: str) -> None:
    one_error_line(cli(*args), expected)


def test_table_edge_cases_and_escape_sequences_in_labels(tmp_path: Path) -> None:
    result = cli("sparql", "SELECT * WHERE {}")
    assert result.returncode == 0 and "Traceback" not in result.stderr
    query = 'SELECT ?x WHERE { BIND("red\\u001b[31m alert\\u0007" AS ?x) }'
    result = cli("sparql", query)
    assert result.returncode == 0 and "\x1b" not in result.stdout and "\\x1b[31m" in result.stdout
    with_bom = tmp_path / "q.rq"
    with_bom.write_bytes("\ufeffASK { ?s ?p ?o }".encode())
    assert cli("sparql", "--file", str(with_bom)).stdout == "true\n"


@pytest.mark.parametrize(
    "args",
    [
        ("show", "SS\udcff"),
        ("search", "\udce9"),
        ("evidence", "SS", "IL-17\udcff"),
        ("sparql", 'SELECT * WHERE { ?s ?p "\udcff" }'),
        ("sparql", "SELECT ?x WHERE { ?x ?p ?o }", "-p", "x=\udcff"),
        ("mechanisms", "SS", "--endpoint", "http://127.0.0.1:1/\udcff"),
    ],
)
def test_text_that_is_not_utf8_is_one_line(args: tuple[str, ...]) -> None:
    result = cli(*args)  # the surrogates go out as the raw bytes \xff, \xe9 (os.fsencode)
    one_error_line(result, "is not valid UTF-8")
    assert result.returncode == 2


def test_a_data_folder_whose_name_is_not_utf8_is_fine(tmp_path: Path) -> None:
    folder = tmp_path / "data-\udcff"
    folder.mkdir()
    (folder / "a.ttl").write_text(EXTRA.replace("{label}", "Testing disease"))
    result = cli("show", "TD", "--data", str(folder), "--no-cache")
    assert result.returncode == 0 and "Testing disease" in result.stdout, result.stderr


def test_a_literal_over_16_mib(tmp_path: Path) -> None:
    big = "x" * (17 << 20)
    query = tmp_path / "big.rq"
    query.write_text(f'SELECT ?x WHERE {{ BIND("{big}" AS ?x) }}')
    result = cli("sparql", "--file", str(query), "--format", "tsv")
    assert result.returncode == 0 and len(result.stdout) > 17 << 20  # a query may hold one
    data = tmp_path / "big.ttl"
    data.write_text(f'<urn:x:a> <urn:x:b> "{big}" .\n')  # the parser's buffer holds 16 MiB
    one_error_line(cli("stats", "--data", str(data)), "big.ttl", "over 16 MiB")
    one_error_line(cli("stats", "--data", str(data), "--no-cache"), "big.ttl", "over 16 MiB")


def test_an_unknown_name_on_a_large_graph_reads_a_bounded_part_of_the_names(tmp_path: Path) -> None:
    """Suggestions for an unknown name come from a bounded set of candidates in the name index, not
    from every name of the graph: the failed lookup needs no more memory than one that succeeds."""
    big = tmp_path / "many.ttl"
    lines = [
        "@prefix mscd: <https://w3id.org/mscgraph/data/> .",
        "@prefix msc: <https://w3id.org/mscgraph/ontology/> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
    ]
    label = 'mscd:D{0} a msc:Disease ; rdfs:label "Disorder number {0}"@en, "Syndrome {0:x}"@en .'
    big.write_text("\n".join(lines + [label.format(i) for i in range(80_000)]) + "\n")
    assert cli("stats", "--data", str(big), timeout=300).returncode == 0  # the index is built
    known, _ = _peak_rss_mb("show", "Disorder number 4711", "--data", str(big))
    unknown = [SCRIPT, "show", "Disordr number 4711", "--data", str(big)]
    proc = subprocess.Popen(unknown, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    message = proc.stderr.read().decode()
    assert os.waitstatus_to_exitcode(status) == 2
    assert message.startswith(
        "mscgraph: error: unknown entity 'Disordr number 4711'; did you mean: Disorder "
        "number 4711 (mscd:D4711), "
    ), message
    assert usage.ru_maxrss / 1024 < known + 40, (known, usage.ru_maxrss / 1024)


@pytest.mark.parametrize(
    ("query", "mistake"),
    [
        ("SELEC * WHERE { ?s ?p ?o }", "SELEC"),
        ("SELECT * WHERE { ?s ?p }", "}"),
        ('SELECT * WHERE {\n  ?s ?p "干燥综合征" ?x }', "?x"),
        ("SELECT * WHERE { ?s ?p ?o . FILTER(?o = ) } LIMIT 3", ")"),
    ],
)
def test_a_syntax_error_position_is_never_after_the_mistake_it_claims(query: str, mistake: str) -> None:
    """pyoxigraph's parser reports the furthest point its grammar read (keywords are read ahead), so
    the message gives that point as where the mistake is "or before", which is then true."""
    result = cli("sparql", query)
    one_error_line(result, "SPARQL syntax error")
    found = re.search(r"at line (\d+), column (\d+) or before", result.stderr)
    assert found, result.stderr
    before = query[: query.index(mistake)].split("\n")
    assert (int(found[1]), int(found[2])) >= (len(before), len(before[-1]) + 1)
