"""A read-only SPARQL 1.1 Protocol endpoint over the embedded engine (stdlib threaded HTTP server).

- ``/sparql``: GET ``?query=``, POST ``application/x-www-form-urlencoded`` or
  ``application/sparql-query``; results by content negotiation (``Accept``, or a ``format``
  parameter, q-values honoured): SPARQL JSON (default), XML, CSV, TSV; CONSTRUCT/DESCRIBE as
  N-Triples (default), Turtle, RDF/XML or compact JSON-LD.
  A query may declare parameters in its header (``# param: disease disease``, as the named queries do);
  ``bind.NAME=VALUE`` binds one, a name such as ``SS`` or ``干燥综合征`` resolved as by the CLI.
- ``/``: a query page with inline HTML and JavaScript (no network needed): every named query with its
  parameters as fields, PREFIX lines pre-filled, errors shown at their line and column.

Read-only: the store is opened read-only, only queries are run, and updates, the ``update``
parameter and federated ``SERVICE`` calls are refused with 403. Queries run in a pool of worker
processes, all with the same generation of the index open; a query past the time limit is
answered 503 and its worker is killed and replaced (an engine cannot be interrupted mid-query, a
process can). Bodies larger than the limit get 413, URLs 414; malformed requests get 400 with the
parser's message. No CORS header unless ``--cors ORIGIN``, and a Host header that names another
host than the bound one gets 403 (a web page cannot read a local endpoint through DNS rebinding).
Idle connections are closed after ``idle_timeout`` seconds.
"""

from __future__ import annotations

import io
import ipaddress
import multiprocessing
import queue
import socket
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import TYPE_CHECKING

from mscgraph.engines.base import Engine
from mscgraph.model.errors import MscGraphError, ServiceRefused, UsageError
from mscgraph.model.version import __version__
from mscgraph.query.library import parse_params
from mscgraph.query.terms import Result
from mscgraph.query.text import check, form, is_update
from mscgraph.views import rdf, sparql

if TYPE_CHECKING:
    from mscgraph.api import KnowledgeGraph

JSON = "application/sparql-results+json"
XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
# format name (of mscgraph.views.sparql.write) -> Content-Type sent
CONTENT_TYPES: dict[str, str] = {
    "json": JSON,
    "xml": XML,
    "csv": CSV,
    "tsv": TSV,
    **{name: spec.media_type for name, spec in rdf.FORMATS.items()},
}
# media type asked for -> format name, by kind of query; the first of each is the default
SOLUTION_TYPES: dict[str, str] = {
    JSON: "json",
    "application/json": "json",
    XML: "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    CSV: "csv",
    TSV: "tsv",
}
BOOLEAN_TYPES = {k: v for k, v in SOLUTION_TYPES.items() if v in ("json", "xml")}
GRAPH_TYPES: dict[str, str] = {
    "application/n-triples": "nt",
    "text/plain": "nt",
    **{spec.media_type: name for name, spec in rdf.FORMATS.items()},
    "application/x-turtle": "ttl",
    "application/xml": "rdfxml",
    "text/xml": "rdfxml",  # XML and JSON of a graph: RDF/XML and JSON-LD
    "application/json": "jsonld",
}
DRAIN_LIMIT = 16 * 1024 * 1024
BIND = "bind."  # bind.NAME=VALUE: a value for the query's "# param: NAME KIND" (names resolved as by the CLI)
# the format= parameter: "json" and "xml" ask for SPARQL results of a SELECT/ASK, for JSON-LD and
# RDF/XML of a CONSTRUCT/DESCRIBE
FORMAT_ALIASES = {
    "json": "application/json",
    "xml": "application/xml",
    "csv": CSV,
    "tsv": TSV,
    **{name: spec.media_type for name, spec in rdf.FORMATS.items()},
}


@dataclass(frozen=True)
class Settings:
    timeout: float = 30.0
    max_request_bytes: int = 1_000_000
    workers: int = 4
    log: bool = True
    cors: tuple[str, ...] = ()  # origins allowed to read answers from a web page ("*": any)
    idle_timeout: float = 20.0  # seconds a connection may stay silent


class HttpError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def negotiate(accept: str, offered: Mapping[str, str]) -> str:
    """The offered media type the Accept header prefers (q-values, wildcards); 406 if none."""
    if not accept.strip():
        return next(iter(offered))
    best: tuple[float, int, str] | None = None
    for position, item in enumerate(accept.split(",")):
        media, *params = [p.strip() for p in item.split(";")]
        media = media.lower()
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q <= 0:
            continue
        if media in offered:
            match = media
        elif media in ("*/*", "*"):
            match = next(iter(offered))
        elif media.endswith("/*"):
            match = next((m for m in offered if m.startswith(media[:-1])), "")
        else:
            match = ""
        if match and (best is None or (q, -position) > (best[0], best[1])):
            best = (q, -position, match)
    if best is None:
        raise HttpError(406, f"cannot answer in {accept!r}; available: {', '.join(offered)}")
    return best[2]


def _execute(kg: KnowledgeGraph, query: str, fmt: str, bindings: Mapping[str, str]) -> tuple[str, bytes]:
    """Run ``query`` with ``bindings`` (parameter name -> what the user typed: ``SS``, ``干燥综合征``, an IRI)
    bound as the query's ``# param:`` header declares them, names resolved as the CLI resolves them."""
    terms = None
    if bindings:
        try:
            declared = {p.name: p for p in parse_params(query)}
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        unknown = sorted(set(bindings) - set(declared))
        if unknown:
            raise UsageError(
                f"the query declares no parameter {unknown[0]!r} (a '# param: NAME KIND' header line);"
                f" it declares: {', '.join(declared) or 'none'}"
            )
        terms = {name: kg.bind(declared[name], value) for name, value in bindings.items()}
    return _serialise(kg.engine.run(query, terms), fmt)


def _worker_main(conn: Connection, data: list[str] | None, generation: str | None) -> None:
    """A query worker process: opens the graph read-only, then answers (query, format, bindings) jobs.

    ``generation``: the index generation the server opened, so that every worker, replacements
    included, answers from the same version of the data; None: parse ``data`` in memory.
    """
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    from pathlib import Path

    from mscgraph.api import KnowledgeGraph, load
    from mscgraph.engines.embedded import EmbeddedEngine
    from mscgraph.store.index import open_generation

    try:
        if generation is None:
            kg = load(data, cache=False)
        elif (index := open_generation(Path(generation))) is None:
            raise MscGraphError(f"the index {generation} is gone")
        else:
            kg = KnowledgeGraph(EmbeddedEngine(index.store, index), index=index.names, facts=index.facts)
    except Exception as exc:
        conn.send(("failed", 500, f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", 200, ""))
    while True:
        try:
            query, fmt, bindings = conn.recv()
        except (EOFError, OSError):
            return
        try:
            conn.send(("ok", *_execute(kg, query, fmt, bindings)))
        except ServiceRefused as exc:
            conn.send(("error", 403, f"{exc} on this endpoint"))
        except UsageError as exc:
            conn.send(("error", 400, str(exc)))
        except Exception as exc:  # an engine failure answers 500; the worker goes on
            conn.send(("error", 500, f"{type(exc).__name__}: {exc}"))


def _serialise(result: Result, fmt: str) -> tuple[str, bytes]:
    """(Content-Type, body) of ``result`` in the format named ``fmt`` (a key of CONTENT_TYPES)."""
    out = io.BytesIO()
    sparql.write(result, fmt, out)
    return f"{CONTENT_TYPES[fmt]}; charset=utf-8", out.getvalue()


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    ready: bool = False

    def stop(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


class WorkerPool:
    """Worker processes that run queries; one past its time limit is killed and replaced.

    Processes, not threads: a SPARQL engine cannot be interrupted in the middle of a query, but a
    process can be, so a runaway query never keeps a CPU busy after its 503.
    """

    def __init__(
        self, data: list[str] | None, generation: str | None, size: int, start_timeout: float = 120.0
    ) -> None:
        self.data, self.generation, self.start_timeout = data, generation, start_timeout
        self.context = multiprocessing.get_context("spawn")
        self.idle: queue.Queue[_Worker] = queue.Queue()
        workers = [self._spawn() for _ in range(size)]
        for worker in workers:
            self._wait_ready(worker, start_timeout)
            self.idle.put(worker)

    def _spawn(self) -> _Worker:
        parent, child = self.context.Pipe()
        args = (child, self.data, self.generation)
        process = self.context.Process(target=_worker_main, args=args, daemon=True)
        process.start()
        child.close()
        return _Worker(process, parent)

    def _wait_ready(self, worker: _Worker, timeout: float) -> None:
        if not worker.conn.poll(timeout):
            worker.stop()
            raise MscGraphError(f"a query worker did not start within {timeout:g} s")
        status, _, message = worker.conn.recv()
        if status != "ready":
            worker.stop()
            raise MscGraphError(f"a query worker could not open the graph: {message}")
        worker.ready = True

    def run(
        self, query: str, fmt: str, timeout: float, bindings: Mapping[str, str] | None = None
    ) -> tuple[str, bytes]:
        """(Content-Type, body) in the format named ``fmt``, or HttpError: 503 past ``timeout`` (waiting
        for a worker included)."""
        deadline = time.monotonic() + timeout
        limit = f"query exceeded the time limit of {timeout:g} s"
        try:
            worker = self.idle.get(timeout=timeout)
        except queue.Empty:
            raise HttpError(503, f"{limit} (all workers busy)") from None
        try:
            if not worker.ready:  # a replacement still starting: its start-up is not the query's time
                started = time.monotonic()
                self._wait_ready(worker, self.start_timeout)
                deadline += time.monotonic() - started
            worker.conn.send((query, fmt, dict(bindings or {})))
            if not worker.conn.poll(max(deadline - time.monotonic(), 0)):
                worker.stop()
                worker = self._spawn()
                raise HttpError(503, limit)
            status, code_or_type, payload = worker.conn.recv()
        except (EOFError, OSError, MscGraphError) as exc:
            worker.stop()
            worker = self._spawn()
            raise HttpError(500, f"query worker failed: {exc}") from None
        finally:
            self.idle.put(worker)
        if status == "ok":
            return code_or_type, payload
        raise HttpError(code_or_type, payload)

    def close(self) -> None:
        while True:
            try:
                self.idle.get_nowait().stop()
            except queue.Empty:
                return


class InlinePool:
    """Runs queries in the request's thread on an engine of this process: for embedding the server
    (tests, notebooks). No worker processes, so the time limit is not enforced."""

    def __init__(self, engine: Engine | None) -> None:
        from mscgraph.api import KnowledgeGraph

        self.kg = KnowledgeGraph(engine) if engine is not None else None

    def run(
        self, query: str, fmt: str, timeout: float, bindings: Mapping[str, str] | None = None
    ) -> tuple[str, bytes]:
        if self.kg is None:
            raise HttpError(503, "starting up")
        try:
            return _execute(self.kg, query, fmt, bindings or {})
        except ServiceRefused as exc:
            raise HttpError(403, f"{exc} on this endpoint") from None
        except UsageError as exc:
            raise HttpError(400, str(exc)) from None

    def close(self) -> None:
        pass


class SparqlService:
    """Runs queries for the HTTP handler: read-only checks, content negotiation, the worker pool."""

    def __init__(self, pool: WorkerPool | InlinePool, settings: Settings) -> None:
        self.pool = pool
        self.settings = settings

    def answer(self, query: str, accept: str, bindings: Mapping[str, str] | None = None) -> tuple[str, bytes]:
        """(Content-Type, body) for ``query`` with its declared parameters bound, or raise HttpError."""
        if not query.strip():
            raise HttpError(400, "empty query")
        if is_update(query):
            raise HttpError(403, "this endpoint is read-only: SPARQL Update is not allowed")
        try:
            check(query)  # SERVICE (found by a lexer of the grammar's terminals), nesting depth
        except ServiceRefused as exc:
            raise HttpError(403, f"{exc} on this endpoint") from None
        except UsageError as exc:
            raise HttpError(400, str(exc)) from None
        kind = form(query)
        offered = GRAPH_TYPES if kind in ("CONSTRUCT", "DESCRIBE") else SOLUTION_TYPES
        if kind == "ASK":
            offered = BOOLEAN_TYPES
        media = negotiate(accept, offered)  # before running: a 406 costs nothing
        return self.pool.run(query, offered[media], self.settings.timeout, bindings)


class Handler(BaseHTTPRequestHandler):
    server_version = f"mscgraph/{__version__}"
    protocol_version = "HTTP/1.1"
    service: SparqlService  # set on the subclass made by make_server

    # --- plumbing ----------------------------------------------------------------------
    def log_message(self, format: str, *args: object) -> None:
        if self.service.settings.log:
            sys.stderr.write(f"{self.address_string()} - [{self.log_date_time_string()}] {format % args}\n")

    def allowed_origin(self) -> str | None:
        """The Access-Control-Allow-Origin to send: only for an origin given with ``--cors``."""
        origin, allowed = self.headers.get("Origin"), self.service.settings.cors
        if "*" in allowed:
            return "*"
        return origin if origin in allowed else None

    def send_body(self, status: int, content_type: str, body: bytes, close: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if origin := self.allowed_origin():
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Vary", "Accept, Origin")
        else:
            self.send_header("Vary", "Accept")
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_error_text(self, status: int, message: str, close: bool = False) -> None:
        reason = HTTPStatus(status).phrase
        self.send_body(status, "text/plain; charset=utf-8", f"{status} {reason}: {message}\n".encode(), close)

    def check_host(self) -> None:
        """A Host header must name the address the server is bound to (or localhost on loopback):
        a page of another site that made its name resolve to 127.0.0.1 sends its own name."""
        host = self.headers.get("Host")
        allowed = self.server.host_names  # type: ignore[attr-defined]
        if host is None or allowed is None:
            return
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        if name.strip("[]").lower() not in allowed:
            raise HttpError(403, f"Host {host!r} is not this server; use http://{self.server.base}/")  # type: ignore[attr-defined]

    def guarded(self, action: Callable[[], None]) -> None:
        try:
            self.check_host()
            if len(self.path) > self.service.settings.max_request_bytes:
                raise HttpError(414, f"URL longer than {self.service.settings.max_request_bytes} bytes")
            action()
        except HttpError as exc:
            self.send_error_text(exc.status, exc.message, close=exc.status in (411, 413))
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as exc:  # never let one request take the server down
            self.log_error("internal error: %r", exc)
            self.send_error_text(500, f"internal error: {type(exc).__name__}", close=True)

    # --- methods -----------------------------------------------------------------------
    def do_GET(self) -> None:
        self.guarded(self._get)

    def do_HEAD(self) -> None:
        self.guarded(self._get)

    def do_POST(self) -> None:
        self.guarded(self._post)

    def do_OPTIONS(self) -> None:
        self.send_response(204)
        if origin := self.allowed_origin():
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
            self.send_header("Access-Control-Allow-Headers", "Content-Type, Accept")
            self.send_header("Vary", "Origin")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_PUT(self) -> None:
        self._refuse()

    def do_DELETE(self) -> None:
        self._refuse()

    def do_PATCH(self) -> None:
        self._refuse()

    def _refuse(self) -> None:
        self.send_error_text(405, "this endpoint is read-only", close=True)

    def _get(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        if url.path in ("/", "/index.html"):
            from mscgraph.server.page import page

            self.send_body(200, "text/html; charset=utf-8", page())
            return
        if url.path == "/favicon.ico":  # browsers ask for it; no icon, and no error in their console
            self.send_body(204, "image/x-icon", b"")
            return
        if url.path != "/sparql":
            raise HttpError(404, f"nothing at {url.path}; the endpoint is /sparql, the query page /")
        self._sparql(self._params(url.query))

    def _post(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        if url.path != "/sparql":
            raise HttpError(404, f"nothing at {url.path}; the endpoint is /sparql")
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            raise HttpError(411, "send a Content-Length (chunked requests are not accepted)")
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            raise HttpError(411, "a POST needs a Content-Length") from None
        if length < 0:
            raise HttpError(400, "negative Content-Length")
        if length > self.service.settings.max_request_bytes:
            if length <= DRAIN_LIMIT:  # read and drop it, so that the client sees the 413
                for _ in range(0, length, 65536):
                    self.rfile.read(min(65536, length))
                    length -= 65536
            raise HttpError(413, f"request body over {self.service.settings.max_request_bytes} bytes")
        body = self.rfile.read(length)
        content_type = self.headers.get_content_type()
        params = self._params(url.query)
        if content_type == "application/x-www-form-urlencoded":
            params.update(self._params(body.decode("utf-8", "replace")))
        elif content_type == "application/sparql-query":
            if "query" in params:
                raise HttpError(400, "a query in both the body and the URL")
            params["query"] = self._decode(body)
        elif content_type == "application/sparql-update":
            raise HttpError(403, "this endpoint is read-only: SPARQL Update is not allowed")
        else:
            raise HttpError(
                415, "send application/sparql-query or application/x-www-form-urlencoded, not " + content_type
            )
        self._sparql(params)

    # --- the protocol ------------------------------------------------------------------
    @staticmethod
    def _decode(raw: bytes) -> str:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise HttpError(400, "the query is not UTF-8") from None

    @staticmethod
    def _params(text: str) -> dict[str, str]:
        try:
            pairs = urllib.parse.parse_qsl(text, keep_blank_values=True, errors="strict")
        except (ValueError, UnicodeDecodeError) as exc:
            raise HttpError(400, f"malformed parameters: {exc}") from None
        params: dict[str, str] = {}
        for key, value in pairs:
            if key in params and key in ("query", "update"):
                raise HttpError(400, f"more than one {key!r} parameter")
            if value or key not in params:
                params[key] = value
        return params

    def _sparql(self, params: dict[str, str]) -> None:
        if "update" in params:
            raise HttpError(403, "this endpoint is read-only: SPARQL Update is not allowed")
        if "query" not in params:
            raise HttpError(400, "missing 'query' parameter (see the query page at /)")
        if params.get("default-graph-uri") or params.get("named-graph-uri"):
            raise HttpError(400, "one dataset only: default-graph-uri and named-graph-uri are not supported")
        accept = self.headers.get("Accept", "")
        if fmt := params.get("format") or params.get("output"):
            accept = FORMAT_ALIASES.get(fmt.lower(), fmt)
        bindings = {k[len(BIND) :]: v for k, v in params.items() if k.startswith(BIND) and v.strip()}
        content_type, body = self.service.answer(params["query"], accept, bindings)
        self.send_body(200, content_type, body)


def make_server(
    pool: WorkerPool | InlinePool | Engine, host: str, port: int, settings: Settings
) -> ThreadingHTTPServer:
    """An HTTP server (not yet serving) over a worker pool, or over an engine of this process."""
    if not isinstance(pool, WorkerPool | InlinePool):
        pool = InlinePool(pool)
    return _server(host, port, SparqlService(pool, settings))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the default (5) makes bursts of clients wait for SYN retries
    host_names: set[str] | None = None  # names a Host header may give; None: any (all interfaces)
    base = ""
    log = True

    def handle_error(self, request: object, client_address: tuple[str, int]) -> None:
        """A client that went away (or another connection error): one log line, no traceback."""
        exc = sys.exc_info()[1]
        if self.log:
            sys.stderr.write(f"{client_address[0]} - connection error: {type(exc).__name__}: {exc}\n")


def _server(host: str, port: int, service: SparqlService) -> _Server:
    """Listen on ``host`` (a name, IPv4 or IPv6 address) and ``port``; UsageError if that fails."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        handler = type(
            "BoundHandler", (Handler,), {"service": service, "timeout": service.settings.idle_timeout}
        )
        server_class: type[_Server] = type("BoundServer", (_Server,), {"address_family": family})
        server = server_class((host, port), handler)
    except (OSError, UnicodeError) as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {getattr(exc, 'strerror', None) or exc}") from None
    bound_host, bound_port = server.socket.getsockname()[:2]
    server.base = f"{f'[{bound_host}]' if ':' in str(bound_host) else bound_host}:{bound_port}"
    server.log = service.settings.log
    try:
        address = ipaddress.ip_address(bound_host)
    except ValueError:
        address = None
    if address is None or not address.is_unspecified:
        names = {host.lower(), str(bound_host).lower()}
        server.host_names = names | ({"localhost"} if address is not None and address.is_loopback else set())
    return server


def run(data: list[str] | None, cache: bool, host: str, port: int, settings: Settings) -> None:
    """Serve ``data`` (default: the packaged graph) until interrupted (Ctrl-C or SIGTERM)."""
    import signal

    from mscgraph.store.index import Sources, open_index

    service = SparqlService(InlinePool(None), settings)  # the real pool once the port is ours
    server = _server(host, port, service)
    try:
        # The server holds the index generation its workers read (and its lease) for its lifetime:
        # edits to the data while it runs are served after a restart, never half by some workers.
        index = open_index(Sources.resolve(data)) if cache else None
        generation = str(index.generation) if index is not None and index.generation else None
        service.pool = pool = WorkerPool(data, generation, settings.workers)
    except BaseException:
        server.server_close()
        raise
    try:
        base = f"http://{server.base}"
        print(
            f"mscgraph: SPARQL endpoint at {base}/sparql, query page at {base}/"
            f" (time limit {settings.timeout:g} s; Ctrl-C stops)",
            file=sys.stderr,
            flush=True,
        )
        stop = threading.Event()

        def _terminate(signum: int, frame: object) -> None:
            if not stop.is_set():
                stop.set()
                threading.Thread(target=server.shutdown, daemon=True).start()

        signal.signal(signal.SIGTERM, _terminate)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
    finally:
        pool.close()
    print("mscgraph: endpoint stopped", file=sys.stderr, flush=True)
