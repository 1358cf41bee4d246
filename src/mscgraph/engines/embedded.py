"""The embedded SPARQL engine: pyoxigraph over the on-disk index."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from operator import attrgetter
from typing import BinaryIO

import pyoxigraph as ox

from mscgraph.model.errors import MscGraphError, UsageError
from mscgraph.query.library import syntax_error
from mscgraph.query.terms import Result, Term
from mscgraph.query.text import check

_TRIPLE = attrgetter("triple")


def to_term(node: object) -> Term:
    if isinstance(node, ox.NamedNode):
        return Term("uri", node.value)
    if isinstance(node, ox.BlankNode):
        return Term("bnode", node.value)
    if isinstance(node, ox.Literal):
        return Term("literal", node.value, node.datatype.value if not node.language else None, node.language)
    if isinstance(node, ox.Triple):
        return Term("triple", str(node))
    raise TypeError(f"unexpected RDF term {node!r}")


def to_ox(term: Term) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    try:
        if term.kind == "uri":
            return ox.NamedNode(term.value)
        if term.kind == "bnode":
            return ox.BlankNode(term.value)
        if term.lang:
            return ox.Literal(term.value, language=term.lang)
        if term.datatype:
            return ox.Literal(term.value, datatype=ox.NamedNode(term.datatype))
        return ox.Literal(term.value)
    except ValueError as exc:  # an IRI with illegal characters, a bad language tag
        raise UsageError(f"not a valid RDF term {term.value!r}: {exc}") from None


class EmbeddedEngine:
    """Runs SPARQL on a pyoxigraph store whose named graphs are the source files.

    The query's default graph is the union of those graphs: one index scan per pattern, where a
    list of graphs would cost one per graph.
    """

    lateral = True
    allow_service = False  # SERVICE would make the engine fetch from the network

    def __init__(self, store: ox.Store, index: object = None) -> None:
        self.store = store
        self.index = index  # the on-disk index it reads, kept open (with its lease) while the engine lives

    def graphs(self) -> list[ox.NamedNode]:
        """The store's file graphs, by IRI."""
        return sorted(self.store.named_graphs(), key=lambda g: g.value)

    def dump(self, out: BinaryIO, fmt: ox.RdfFormat, prefixes: dict[str, str] | None = None) -> None:
        """Every file graph through the store's own serialiser, one after the other: for formats whose
        documents can follow one another in one file (N-Triples, Turtle), as :meth:`triples` says."""
        for graph in self.graphs():
            self.store.dump(out, fmt, from_graph=graph, prefixes=prefixes)

    def triples(self) -> Iterator[ox.Triple]:
        """Every triple of the union, file graph after file graph, streamed straight from the store's
        indexes (memory does not grow with the graph). A triple stated in two files comes twice: the
        same RDF graph for any reader, and no lookup per triple to drop it (which would cost more than
        reading the triple)."""
        for graph in self.graphs():
            yield from map(_TRIPLE, self.store.quads_for_pattern(None, None, None, graph))

    def run(self, query: str, bindings: Mapping[str, Term] | None = None, *, lazy: bool = False) -> Result:
        """Answer ``query``; ``lazy``: rows and triples as iterators, read from the store as consumed.

        SERVICE is refused unless :attr:`allow_service` (the engine would fetch from the network).
        """
        check(query, allow_service=self.allow_service)
        substitutions = {ox.Variable(k): to_ox(v) for k, v in (bindings or {}).items()}
        try:
            answer = self.store.query(
                query, use_default_graph_as_union=True, substitutions=substitutions or None
            )
        except SyntaxError as exc:
            raise syntax_error(exc, query) from None
        except (OSError, RuntimeError, ValueError) as exc:
            raise _engine_error(exc) from None
        if isinstance(answer, ox.QueryBoolean):
            return Result("ask", boolean=bool(answer))
        if isinstance(answer, ox.QuerySolutions):
            variables = [v.value for v in answer.variables]
            rows = _guarded(
                {name: to_term(value) for name in variables if (value := solution[name]) is not None}
                for solution in answer
            )
            return Result("select", variables=variables, rows=rows if lazy else list(rows))
        triples = _guarded((to_term(t.subject), to_term(t.predicate), to_term(t.object)) for t in answer)
        return Result("graph", triples=triples if lazy else list(triples))


def _engine_error(exc: Exception) -> MscGraphError:
    message = " ".join(str(exc).split())
    if "projection" in message:  # pyoxigraph refuses to bind a variable that is not projected
        return UsageError(f"{message}; a bound parameter must be a SELECT variable of the query")
    return MscGraphError(f"the query failed: {message}")


def _guarded(items: Iterator) -> Iterator:
    """``items``, with the engine's errors while reading them as one-line errors."""
    try:
        yield from items
    except (OSError, RuntimeError, ValueError) as exc:
        raise _engine_error(exc) from None
