"""The embedded SPARQL engine: pyoxigraph over the on-disk index."""

from __future__ import annotations

from collections.abc import Mapping

import pyoxigraph as ox

from .queries import Result, Term, syntax_error


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
    """Runs SPARQL on a pyoxigraph store whose default graph is the union of the source graphs."""

    def __init__(self, store: ox.Store, graphs: list[ox.NamedNode]) -> None:
        self.store = store
        self.graphs = graphs

    def run(self, query: str, bindings: Mapping[str, Term] | None = None) -> Result:
        substitutions = {ox.Variable(k): to_ox(v) for k, v in (bindings or {}).items()}
        try:
            answer = self.store.query(query, default_graph=self.graphs, substitutions=substitutions or None)
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
