"""The graph every view works on: one engine, its names, and the named queries bound and run on it.

The public facade with the lookups as methods is :class:`mscgraph.api.KnowledgeGraph`. The name
resolver and the query library are imported on first use: a command that only streams the store
(`mscgraph export`) starts without them.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import pyoxigraph as ox

from mscgraph.engines.base import Engine
from mscgraph.model.errors import UsageError
from mscgraph.model.namespaces import CONVERTER
from mscgraph.query.terms import Result, Term, iri, python

if TYPE_CHECKING:
    import rdflib

    from mscgraph.names.index import NameIndex
    from mscgraph.names.resolver import Resolver
    from mscgraph.query.library import Param
    from mscgraph.store.facts import FactFiles
    from mscgraph.store.index import Sources


class Graph:
    """Named queries and name resolution over one engine (embedded store or endpoint)."""

    def __init__(
        self,
        engine: Engine,
        *,
        index: NameIndex | None = None,
        sources: Sources | None = None,
        facts: FactFiles | None = None,
    ) -> None:
        self.engine = engine
        self.sources = sources
        self.name_index = index
        self.kept_facts = facts  # the whole-graph views' facts an index on disk keeps (else the query)

    @cached_property
    def names(self) -> Resolver:
        """Resolves names through the name index (or, for an endpoint, a scan of its names)."""
        from mscgraph.names.resolver import Resolver

        return Resolver(self.engine, self.name_index)

    def close(self) -> None:
        """Release the engine's resources (the on-disk index and its lease); the graph answers no more."""
        self.engine.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # --- names -----------------------------------------------------------------
    def resolve(self, text: str, kind: str | None = None) -> str:
        """The IRI that ``text`` names (label, abbreviation, synonym, Chinese name, CURIE or IRI)."""
        return self.names.resolve(text, kind)

    # --- queries ---------------------------------------------------------------
    def bind(self, param: Param, value: str | Term) -> Term:
        """Turn a user's parameter value into an RDF term, according to the parameter's kind."""
        if not isinstance(value, str):
            return value
        if param.kind in ("disease", "subject", "mechanism"):
            return iri(self.resolve(value, param.kind))
        if param.kind == "entity":
            return iri(self.resolve(value))
        if param.kind == "iri":
            expanded = value if "://" in value or value.startswith("urn:") else CONVERTER.expand(value)
            if not expanded:
                raise UsageError(f"parameter {param.name!r} needs an IRI or CURIE, got {value!r}")
            return iri(expanded)
        if param.kind == "integer":
            try:
                return ox.Literal(int(value))
            except ValueError:
                raise UsageError(f"parameter {param.name!r} needs an integer, got {value!r}") from None
        return ox.Literal(value)

    def run(self, name: str, params: Mapping[str, str | Term] | None = None) -> Result:
        """Run the named query ``name`` with its parameters bound."""
        from mscgraph.query import library as queries

        query = queries.get(name)
        params = dict(params or {})
        query.check_params(params)
        bindings = {p.name: self.bind(p, params[p.name]) for p in query.params if p.name in params}
        return self.engine.run(query.text_for(self.engine.lateral), bindings)

    def rows(self, name: str, params: Mapping[str, str | Term] | None = None) -> list[dict[str, Any]]:
        """Rows of a named SELECT query as dicts, IRIs shortened to CURIEs."""
        result = self.run(name, params)
        return [{v: (_compact(r[v]) if v in r else None) for v in result.variables} for r in result.rows]

    # --- other views -------------------------------------------------------------
    @cached_property
    def rdflib_graph(self) -> rdflib.Graph:
        """The ontology and data as one rdflib Graph (parsed on first use)."""
        import rdflib

        if self.sources is None:
            raise UsageError("an rdflib graph is only available for local data, not for an endpoint")
        graph = rdflib.Graph()
        for path in self.sources.files:
            graph.parse(path, format="turtle" if path.suffix == ".ttl" else "nt")
        return graph


def _compact(term: Term) -> Any:
    return CONVERTER.compact(term.value) if isinstance(term, ox.NamedNode) else python(term)
