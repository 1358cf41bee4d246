"""A remote SPARQL 1.1 endpoint as an :class:`~mscgraph.engines.base.Engine` (SPARQL 1.1 Protocol over
urllib).

Parameters are bound by a VALUES block of serialised terms placed first in the query's WHERE
group (:func:`mscgraph.query.text.inject_values`), never by pasting user text. Answers are read by
pyoxigraph's parsers (SPARQL results JSON, XML or TSV; N-Triples or Turtle). Failures (unreachable
host, HTTP error, time-out, unreadable answer) become one-line
:class:`~mscgraph.model.errors.EndpointError` messages that never show credentials.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import socket
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from http.client import HTTPConnection, HTTPException
from typing import BinaryIO

import pyoxigraph as ox

from mscgraph.engines.base import query_error
from mscgraph.model.errors import EndpointError, MscGraphError, QuerySyntaxError, UsageError
from mscgraph.query.terms import READ_ERRORS, Result, Term
from mscgraph.query.text import check, form, inject_values

ACCEPT_RESULTS = "application/sparql-results+json, application/sparql-results+xml;q=0.9"
ACCEPT_GRAPH = "application/n-triples, text/turtle;q=0.9"
USER_AGENT = "mscgraph"


def public_url(url: str) -> str:
    """The URL without user:password and query string, for messages."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return "(a malformed URL)"
    host = parts.netloc.rpartition("@")[2]  # as written (a bad port too), without user:password
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path, "", ""))


class Deadline:
    """A time limit for a whole exchange, not only for each read: when it passes, the sockets that
    this thread opened inside ``with Deadline(seconds)`` are shut down, so that a server dripping its
    answer one byte at a time cannot hold the client past ``seconds``."""

    _current = threading.local()

    def __init__(self, seconds: float) -> None:
        self.expired = threading.Event()
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> Deadline:
        self._outer = getattr(Deadline._current, "deadline", None)
        Deadline._current.deadline = self
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        Deadline._current.deadline = self._outer

    def _expire(self) -> None:
        with self._lock:
            self.expired.set()
            for sock in self._sockets:
                _shut(sock)

    @classmethod
    def watch(cls, sock: socket.socket) -> None:
        """Called by each new connection: put ``sock`` under the current deadline, if any."""
        if (deadline := getattr(cls._current, "deadline", None)) is not None:
            with deadline._lock:
                deadline._sockets.append(sock)
                if deadline.expired.is_set():
                    _shut(sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)  # a blocked recv() or send() returns at once


@functools.cache
def _watched(connection_class: type[HTTPConnection]) -> type[HTTPConnection]:
    class Watched(connection_class):  # type: ignore[valid-type, misc]
        def connect(self) -> None:
            super().connect()
            Deadline.watch(self.sock)

    return Watched


class _HTTPHandler(urllib.request.HTTPHandler):
    def do_open(self, http_class, req, **kwargs):  # type: ignore[no-untyped-def]
        return super().do_open(_watched(http_class), req, **kwargs)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def do_open(self, http_class, req, **kwargs):  # type: ignore[no-untyped-def]
        return super().do_open(_watched(http_class), req, **kwargs)


def http_url(url: str) -> urllib.parse.SplitResult:
    """The parts of an http(s) URL, or a one-line EndpointError."""
    try:
        parts = urllib.parse.urlsplit(url)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname) and (parts.port or 1) > 0
    except ValueError:
        valid = False
    if not valid:
        raise EndpointError(f"not an http(s) endpoint URL: {public_url(url)!r}")
    return parts


def opener(url: str, user: str | None, password: str | None) -> urllib.request.OpenerDirector:
    """An opener whose connections keep to a :class:`Deadline`, and that answers Basic or Digest
    challenges with ``user``/``password`` (if given)."""
    handlers: list[urllib.request.BaseHandler] = [_HTTPHandler(), _HTTPSHandler()]
    if user is not None:
        manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        manager.add_password(None, public_url(url), user, password or "")
        handlers.append(urllib.request.HTTPDigestAuthHandler(manager))
        handlers.append(urllib.request.HTTPBasicAuthHandler(manager))
    return urllib.request.build_opener(*handlers)


def credentials(url: str, user: str | None, password: str | None) -> tuple[str, str | None, str | None]:
    """``url`` without ``user:password@``, and the credentials to use: those given, else those in
    the URL, else MSCGRAPH_USER / MSCGRAPH_PASSWORD."""
    parts = urllib.parse.urlsplit(url)
    if parts.username is not None:
        user = user if user is not None else urllib.parse.unquote(parts.username)
        password = password if password is not None else urllib.parse.unquote(parts.password or "")
        url = urllib.parse.urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
    user = user if user is not None else os.environ.get("MSCGRAPH_USER")
    password = password if password is not None else os.environ.get("MSCGRAPH_PASSWORD")
    return url, user, password


def preauthorize(req: urllib.request.Request, user: str | None, password: str | None, timeout: float) -> None:
    """Add an Authorization header to ``req`` before its body is sent.

    Servers answer an unauthenticated upload with 401 and may close the connection before the
    body is read (Virtuoso does): the client then sees a broken pipe instead of the challenge.
    So a bodiless request of the same method fetches the challenge first, and the header
    (Digest or Basic) is computed for ``req``.
    """
    if user is None:
        return
    headers = {"User-Agent": USER_AGENT, "Content-Type": req.get_header("Content-type", "text/plain")}
    probe = urllib.request.Request(req.full_url, data=b"", method=req.get_method(), headers=headers)
    try:
        with Deadline(timeout), opener(req.full_url, None, None).open(probe, timeout=timeout):
            return  # no authentication asked for
    except urllib.error.HTTPError as exc:
        challenge = exc.headers.get("WWW-Authenticate", "") if exc.code == 401 else ""
    except (OSError, ValueError, HTTPException):
        return  # the real request will report it
    scheme, _, rest = challenge.partition(" ")
    manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    manager.add_password(None, public_url(req.full_url), user, password or "")
    if scheme.lower() == "digest":
        chal = urllib.request.parse_keqv_list(urllib.request.parse_http_list(rest))
        header = urllib.request.HTTPDigestAuthHandler(manager).get_authorization(req, chal)
        if header:
            req.add_unredirected_header("Authorization", f"Digest {header}")
    elif scheme.lower() == "basic":
        import base64

        token = base64.b64encode(f"{user}:{password or ''}".encode()).decode("ascii")
        req.add_unredirected_header("Authorization", f"Basic {token}")


def request(
    http: urllib.request.OpenerDirector, req: urllib.request.Request, timeout: float, *, query: bool = True
) -> tuple[int, str, bytes]:
    """Send ``req``; return (status, content type, body) or raise a one-line EndpointError.

    ``timeout`` limits the whole exchange (connection, upload and answer), see :class:`Deadline`.
    For a ``query``, HTTP 400 means the endpoint's parser refused it: a QuerySyntaxError.
    """
    late = EndpointError(f"{public_url(req.full_url)} did not answer within {timeout:g} s")
    with Deadline(timeout) as deadline:
        try:
            answer = _exchange(http, req, timeout, query=query)
        except EndpointError:
            if deadline.expired.is_set():
                raise late from None
            raise
        if deadline.expired.is_set():  # the answer may have been cut short
            raise late
    return answer


def _exchange(
    http: urllib.request.OpenerDirector, req: urllib.request.Request, timeout: float, *, query: bool
) -> tuple[int, str, bytes]:
    where = public_url(req.full_url)
    try:
        with http.open(req, timeout=timeout) as response:
            return response.status, response.headers.get_content_type(), response.read()
    except urllib.error.HTTPError as exc:
        detail = _first_line(exc.read())
        message = f"{where} answered HTTP {exc.code} {exc.reason}" + (f": {detail}" if detail else "")
        if exc.code == 400 and query:
            raise QuerySyntaxError(message) from None
        raise EndpointError(message) from None
    except TimeoutError:
        raise EndpointError(f"{where} did not answer within {timeout:g} s") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            raise EndpointError(f"{where} did not answer within {timeout:g} s") from None
        text = getattr(reason, "strerror", None) or str(reason)
        raise EndpointError(f"cannot reach {where}: {text}") from None
    except (OSError, ValueError) as exc:
        raise EndpointError(f"cannot reach {where}: {exc}") from None
    except HTTPException as exc:  # a malformed or cut-short answer
        raise EndpointError(f"{where} sent a broken HTTP answer ({type(exc).__name__})") from None


def default_timeout() -> float:
    """Seconds per request: MSCGRAPH_TIMEOUT, else 60."""
    text = os.environ.get("MSCGRAPH_TIMEOUT", "").strip()
    try:
        seconds = float(text) if text else 60.0
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < float("inf"):
        raise UsageError(f"MSCGRAPH_TIMEOUT must be a number of seconds, got {text!r}")
    return seconds


def _first_line(body: bytes, limit: int = 300) -> str:
    """The first non-empty line of an error answer, HTML tags dropped."""
    text = re.sub(r"<[^>]+>", " ", body.decode("utf-8", "replace"))
    for line in text.splitlines():
        if line := " ".join(line.split()):
            return line[:limit]
    return ""


class RemoteEngine:
    """Runs SPARQL on a remote SPARQL 1.1 endpoint.

    ``graph`` (or ``default-graph-uri`` in the endpoint URL's query string) names the default
    graph of every query, e.g. the graph that ``mscgraph push`` loaded. ``user``/``password``
    default to those in the URL (``http://user:password@host/...``), then to the MSCGRAPH_USER /
    MSCGRAPH_PASSWORD environment variables. ``timeout`` limits each request as a whole (seconds;
    default MSCGRAPH_TIMEOUT, else 60).
    """

    lateral = False  # SPARQL 1.1 endpoints (Virtuoso 7, rasqal) do not parse LATERAL

    def __init__(
        self,
        endpoint: str,
        user: str | None = None,
        password: str | None = None,
        timeout: float | None = None,
        graph: str | None = None,
    ) -> None:
        parts = http_url(endpoint)
        self.params = urllib.parse.parse_qsl(parts.query)
        if graph:
            self.params = [(k, v) for k, v in self.params if k != "default-graph-uri"]
            self.params.append(("default-graph-uri", graph))
        hostname = parts.hostname or ""
        netloc = hostname if ":" not in hostname else f"[{hostname}]"
        netloc += f":{parts.port}" if parts.port else ""
        self.endpoint = urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, "", ""))
        _, user, password = credentials(endpoint, user, password)
        self.timeout = timeout if timeout is not None else default_timeout()
        self._http: urllib.request.OpenerDirector | None = opener(self.endpoint, user, password)
        self.allow_service = False  # the endpoint would fetch from the network for us

    def __repr__(self) -> str:
        return f"RemoteEngine({public_url(self.endpoint)!r})"

    def run(self, query: str, bindings: Mapping[str, Term] | None = None) -> Result:
        if self._http is None:
            raise MscGraphError("the graph is closed")
        check(query, allow_service=self.allow_service)
        text = query
        if bindings:
            text = inject_values(query, bindings)
            _refuse_unprojected(query, bindings)
        graph_form = form(text) in ("CONSTRUCT", "DESCRIBE")
        body = urllib.parse.urlencode([("query", text), *self.params]).encode()
        req = urllib.request.Request(
            self.endpoint,
            data=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": ACCEPT_GRAPH if graph_form else ACCEPT_RESULTS,
                "User-Agent": USER_AGENT,
            },
        )
        _, content_type, payload = request(self._http, req, self.timeout)

        def unreadable(exc: Exception) -> EndpointError:
            return EndpointError(
                f"{public_url(self.endpoint)} sent an unreadable {content_type} answer: {exc}"
            )

        try:
            if graph_form:
                return Result(graph_triples(payload, content_type), unreadable)
            fmt = ox.QueryResultsFormat.from_media_type(content_type)
            if fmt is None:
                raise ValueError(f"unsupported results format {content_type}")
            return Result(ox.parse_query_results(payload, fmt), unreadable)
        except (*READ_ERRORS, MemoryError) as exc:
            raise unreadable(exc) from None

    def triples(self) -> Iterator[ox.Triple]:
        """Every triple of the endpoint's default graph (a CONSTRUCT answer is a set: each once)."""
        yield from self.run(ALL_TRIPLES).iter_triples()

    def dump(self, out: BinaryIO, fmt: ox.RdfFormat, prefixes: dict[str, str] | None = None) -> None:
        """The endpoint's triples through pyoxigraph's serialiser, as one document."""
        ox.serialize(self.triples(), out, format=fmt, prefixes=prefixes)

    def close(self) -> None:
        self._http = None


ALL_TRIPLES = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


def _refuse_unprojected(query: str, bindings: Mapping[str, Term]) -> None:
    """Refuse what the embedded engine refuses: a bound variable that a SELECT does not project (the
    VALUES block would bind it anyway). pyoxigraph's own check, on an empty store; a query it cannot
    parse is left to the endpoint's parser."""
    try:
        substitutions: dict[ox.Variable, Term | ox.Triple] = {ox.Variable(k): v for k, v in bindings.items()}
        ox.Store().query(query, substitutions=substitutions)
    except SyntaxError:
        return
    except READ_ERRORS as exc:
        raise query_error(exc) from None


def graph_triples(payload: bytes, content_type: str) -> list[ox.Triple]:
    """The triples of an N-Triples or Turtle document (ValueError or SyntaxError if it is none)."""
    fmt = ox.RdfFormat.N_TRIPLES if content_type in ("application/n-triples", "text/plain") else None
    fmt = fmt or ox.RdfFormat.from_media_type(content_type)
    if fmt is None:
        raise ValueError(f"unsupported graph format {content_type}")
    return [quad.triple for quad in ox.parse(payload, fmt)]
