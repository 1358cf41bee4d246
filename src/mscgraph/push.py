"""Load the ontology and data into a graph of a remote store (SPARQL 1.1 Graph Store HTTP Protocol).

One N-Triples document with every source file goes in one request: ``PUT`` replaces the
graph, ``POST`` adds to it. Credentials answer Basic or Digest challenges (Virtuoso's
``/sparql-graph-crud-auth`` uses Digest) and never appear in messages.
"""

from __future__ import annotations

import os
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import EndpointError, UsageError
from .remote import USER_AGENT, opener, preauthorize, public_url, request
from .store import Sources, load_file


@dataclass(frozen=True)
class PushResult:
    endpoint: str
    graph: str
    triples: int
    replaced: bool
    status: str


def graph_document(sources: Sources) -> tuple[bytes, int]:
    """Every source file as one N-Triples document, and its number of triples."""
    import pyoxigraph as ox

    store = ox.Store()
    for path in sources.files:
        load_file(store, path, ox.DefaultGraph(), bulk=False)
    return store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()), len(store)


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
    """Send the ontology and ``data`` (default: the packaged data) to ``graph`` at ``endpoint``."""
    parts = urllib.parse.urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise EndpointError(f"not an http(s) endpoint URL: {public_url(endpoint)!r}")
    target = urllib.parse.urlsplit(graph)
    if not target.scheme or any(c in graph for c in ' <>"{}|^`\\'):
        raise UsageError(f"--graph needs an absolute IRI, got {graph!r}")
    user = user if user is not None else os.environ.get("MSCGRAPH_USER")
    password = password if password is not None else os.environ.get("MSCGRAPH_PASSWORD")

    body, count = graph_document(Sources.resolve(data))
    query = [*urllib.parse.parse_qsl(parts.query), ("graph", graph)]
    url = urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, urllib.parse.urlencode(query), ""))
    req = urllib.request.Request(
        url,
        data=body,
        method="PUT" if replace else "POST",
        headers={"Content-Type": "application/n-triples; charset=utf-8", "User-Agent": USER_AGENT},
    )
    status = "replaced" if replace else "added"
    preauthorize(req, user, password, timeout)
    request(opener(url, user, password), req, timeout, query=False)
    return PushResult(public_url(endpoint), graph, count, replace, status)
