"""The embedded SPARQL engine: pyoxigraph over the on-disk index."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import pyoxigraph as ox

from .queries import Result, Term, get, syntax_error


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
    if term.kind == "uri":
        return ox.NamedNode(term.value)
    if term.kind == "bnode":
        return ox.BlankNode(term.value)
    if term.lang:
        return ox.Literal(term.value, language=term.lang)
    if term.datatype:
        return ox.Literal(term.value, datatype=ox.NamedNode(term.datatype))
    return ox.Literal(term.value)


class EmbeddedEngine:
    """Runs SPARQL on a pyoxigraph store whose named graphs are the source files.

    The query's default graph is the union of those graphs: one index scan per pattern, where a
    list of graphs would cost one per graph.
    """

    lateral = True

    def __init__(self, store: ox.Store, index: object = None) -> None:
        self.store = store
        self.index = index  # the on-disk index it reads, kept open (with its lease) while the engine lives

    def triples(self) -> Iterator[ox.Triple]:
        """Every triple of the union, each once, streamed (memory does not grow with the graph)."""
        for s, p, o in self.store.query(get("_all-triples").text):
            yield ox.Triple(s, p, o)

    def run(self, query: str, bindings: Mapping[str, Term] | None = None) -> Result:
        substitutions = {ox.Variable(k): to_ox(v) for k, v in (bindings or {}).items()}
        try:
            answer = self.store.query(
                query, use_default_graph_as_union=True, substitutions=substitutions or None
            )
        except SyntaxError as exc:
            raise syntax_error(exc, query) from None
        if isinstance(answer, ox.QueryBoolean):
            return Result("ask", boolean=bool(answer))
        if isinstance(answer, ox.QuerySolutions):
            variables = [v.value for v in answer.variables]
            rows = []
            for solution in answer:
                row = {}
                for name in variables:
                    value = solution[name]
                    if value is not None:
                        row[name] = to_term(value)
                rows.append(row)
            return Result("select", variables=variables, rows=rows)
        triples = [(to_term(t.subject), to_term(t.predicate), to_term(t.object)) for t in answer]
        return Result("graph", triples=triples)
