"""The engine contract: what answers SPARQL for mscgraph, embedded or remote.

Both engines take the same queries and give the same answers and errors (tests/test_engine_contract.py):
a query nested too deep, an update or a SERVICE call (unless ``allow_service``) is refused before it
is sent; a syntax error is a :class:`~mscgraph.model.errors.QuerySyntaxError`; a bound parameter must
be a variable a SELECT projects (:func:`query_error`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import BinaryIO, Protocol

import pyoxigraph as ox

from mscgraph.model.errors import MscGraphError, UsageError
from mscgraph.query.terms import Result, Term


class Engine(Protocol):
    """Something that answers SPARQL: the embedded store or a remote endpoint."""

    lateral: bool  # understands LATERAL (else named queries are sent without it)
    allow_service: bool  # let SERVICE clauses fetch from other endpoints (refused by default)

    def run(self, query: str, bindings: Mapping[str, Term] | None = None) -> Result:
        """Answer a SELECT, ASK, CONSTRUCT or DESCRIBE query, ``bindings`` bound as RDF terms."""
        ...

    def triples(self) -> Iterator[ox.Triple]:
        """Every triple of the graph (ontology and data), streamed; the embedded store gives them file
        graph after file graph, so a triple two files state comes twice (the same RDF graph once read)."""
        ...

    def dump(self, out: BinaryIO, fmt: ox.RdfFormat, prefixes: dict[str, str] | None = None) -> None:
        """Every triple written as ``fmt`` by pyoxigraph's serialiser. Only for formats whose documents
        can follow one another in one file (N-Triples, Turtle): the embedded store writes one per file
        graph."""
        ...

    def close(self) -> None:
        """Release what the engine holds (the on-disk index and its lease); it answers no more."""
        ...


class Resource(Protocol):
    """What an engine keeps open and closes with itself (the embedded engine's on-disk index)."""

    def close(self) -> None: ...


def query_error(exc: Exception) -> MscGraphError:
    """An engine's error on a query as one line: a bound variable that is not projected is the user's."""
    message = " ".join(str(exc).split())
    if "projection" in message:  # pyoxigraph refuses to bind a variable that is not projected
        return UsageError(f"{message}; a bound parameter must be a SELECT variable of the query")
    return MscGraphError(f"the query failed: {message}")
