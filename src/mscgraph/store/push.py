"""Load the ontology and data into a graph of a remote store (SPARQL 1.1 Graph Store HTTP Protocol).

One N-Triples document with every source file goes in one remote.request: ``PUT`` replaces the
graph, ``POST`` adds to it. The store's answer must be a Graph Store's (200, 201 or 204, not a web
page), and the graph is then read back (``GET``) to count its triples. Credentials answer Basic or
Digest challenges (Virtuoso's ``/sparql-graph-crud-auth`` uses Digest) and never appear in messages.
"""

from __future__ import annotations

import re
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mscgraph.engines import remote
from mscgraph.model.errors import EndpointError, UsageError
from mscgraph.store.index import Sources, load_file


@dataclass(frozen=True)
class PushResult:
    endpoint: str
    graph: str
    triples: int
    replaced: bool
    status: str
    stored: int  # triples in the graph when read back afterwards


def graph_document(sources: Sources) -> tuple[bytes, int]:
    """Every source file as one N-Triples document, and its number of triples."""
    import pyoxigraph as ox

    store = ox.Store()
    for path in sources.files:
        load_file(store, path, ox.DefaultGraph(), bulk=False)
    document = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    assert document is not None  # no output given: dump returns the bytes
    return document, len(store)


def push(
    endpoint: str,
    graph: str,
    *,
    data: Sequence[str | Path] | None = None,
    user: str | None = None,
    password: str | None = None,
    replace: bool = False,
    timeout: float = 300.0,
) -> PushResult:
    """Send the ontology and ``data`` (default: the packaged data) to ``graph`` at ``endpoint``.

    ``user``/``password`` default to those in the URL, then to MSCGRAPH_USER / MSCGRAPH_PASSWORD.
    ``timeout`` limits each request (the upload, the read-back) as a whole.
    """
    parts = remote.http_url(endpoint)
    target = urllib.parse.urlsplit(graph)
    if not target.scheme or any(c in graph for c in ' <>"{}|^`\\'):
        raise UsageError(f"--graph needs an absolute IRI, got {graph!r}")
    endpoint, user, password = remote.credentials(endpoint, user, password)
    where = remote.public_url(endpoint)

    body, count = graph_document(Sources.resolve(data))
    query = [*urllib.parse.parse_qsl(parts.query), ("graph", graph)]
    url = urllib.parse.urlsplit(endpoint)._replace(query=urllib.parse.urlencode(query)).geturl()
    http = remote.opener(url, user, password)

    req = urllib.request.Request(
        url,
        data=body,
        method="PUT" if replace else "POST",
        headers={"Content-Type": "application/n-triples; charset=utf-8", "User-Agent": remote.USER_AGENT},
    )
    remote.preauthorize(req, user, password, timeout)
    status, content_type, answer = remote.request(http, req, timeout, query=False)
    if status not in (200, 201, 204) or _web_page(content_type, answer):
        raise EndpointError(
            f"{where} answered HTTP {status} with {content_type or 'no content type'}, not as a SPARQL Graph "
            "Store: is it the store's Graph Store endpoint (e.g. /sparql-graph-crud-auth)?"
        )

    headers = {"Accept": remote.ACCEPT_GRAPH, "User-Agent": remote.USER_AGENT}
    back = urllib.request.Request(url, headers=headers)
    _, content_type, answer = remote.request(http, back, timeout, query=False)
    try:
        stored = len(remote.graph_triples(answer, content_type))
    except (ValueError, SyntaxError, MemoryError) as exc:
        raise EndpointError(f"{where} took the upload, but read back it sent no graph: {exc}") from None
    if stored < count or (replace and stored != count):
        raise EndpointError(
            f"{where} took the upload, but the graph holds {stored} triples when read back, not {count}"
        )
    return PushResult(where, graph, count, replace, "replaced" if replace else "added", stored)


def _web_page(content_type: str, body: bytes) -> bool:
    """An HTML page (a Graph Store answers an upload with no body, or a short status document)."""
    if not body.strip():
        return False
    return content_type in ("text/html", "application/xhtml+xml") or bool(
        re.match(rb"\s*<(!doctype html|html)", body[:100], re.IGNORECASE)
    )
