"""The embedded SPARQL engine: pyoxigraph over the on-disk index."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from operator import attrgetter
from typing import BinaryIO

import pyoxigraph as ox

from mscgraph.engines.base import Resource, query_error
from mscgraph.model.errors import MscGraphError
from mscgraph.query.terms import READ_ERRORS, Result, Term

_TRIPLE = attrgetter("triple")


class EmbeddedEngine:
    """Runs SPARQL on a pyoxigraph store whose named graphs are the source files.

    The query's default graph is the union of those graphs: one index scan per pattern, where a
    list of graphs would cost one per graph. Rows and triples are read from the store as consumed.
    """

    lateral = True

    def __init__(self, store: ox.Store, index: Resource | None = None) -> None:
        self.store: ox.Store | None = store
        self.index = index  # the on-disk index it reads, kept open (with its lease) while the engine lives
        self.allow_service = False  # SERVICE would make the engine fetch from the network

    def __repr__(self) -> str:
        return f"EmbeddedEngine({'closed' if self.store is None else self.store})"

    def _store(self) -> ox.Store:
        if self.store is None:
            raise MscGraphError("the graph is closed")
        return self.store

    def graphs(self) -> list[ox.NamedNode | ox.BlankNode]:
        """The store's file graphs, by IRI."""
        return sorted(self._store().named_graphs(), key=lambda g: g.value)

    def dump(self, out: BinaryIO, fmt: ox.RdfFormat, prefixes: dict[str, str] | None = None) -> None:
        """Every file graph through the store's own serialiser, one after the other: for formats whose
        documents can follow one another in one file (N-Triples, Turtle), as :meth:`triples` says."""
        for graph in self.graphs():
            self._store().dump(out, fmt, from_graph=graph, prefixes=prefixes)

    def triples(self) -> Iterator[ox.Triple]:
        """Every triple of the union, file graph after file graph, streamed straight from the store's
        indexes (memory does not grow with the graph). A triple stated in two files comes twice: the
        same RDF graph for any reader, and no lookup per triple to drop it (which would cost more than
        reading the triple)."""
        for graph in self.graphs():
            yield from map(_TRIPLE, self._store().quads_for_pattern(None, None, None, graph))

    def run(self, query: str, bindings: Mapping[str, Term] | None = None) -> Result:
        from mscgraph.query.library import syntax_error  # on first query: `export` runs none
        from mscgraph.query.text import check, check_variables

        check(query, allow_service=self.allow_service)
        bindings = bindings or {}
        check_variables(bindings)
        substitutions: dict[ox.Variable, Term | ox.Triple] = {ox.Variable(k): v for k, v in bindings.items()}
        try:
            answer = self._store().query(
                query, use_default_graph_as_union=True, substitutions=substitutions or None
            )
        except SyntaxError as exc:
            raise syntax_error(exc, query) from None
        except READ_ERRORS as exc:
            raise query_error(exc) from None
        return Result(answer, query_error)

    def close(self) -> None:
        if self.index is not None:
            self.index.close()
        self.store = self.index = None
