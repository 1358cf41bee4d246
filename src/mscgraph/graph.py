"""The public entry point: :func:`load` returns a :class:`KnowledgeGraph`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import evidence, lookups, queries
from .errors import UsageError
from .names import Resolver
from .namespaces import CONVERTER
from .queries import Engine, Param, Result, Term
from .store import Sources

if TYPE_CHECKING:
    import rdflib

    from .nameindex import NameIndex


class KnowledgeGraph:
    """Named queries, lookups and name resolution over one engine (embedded store or endpoint)."""

    def __init__(
        self, engine: Engine, *, index: NameIndex | None = None, sources: Sources | None = None
    ) -> None:
        self.engine = engine
        self.sources = sources
        self.names = Resolver(engine, index)

    # --- names -----------------------------------------------------------------
    def resolve(self, text: str, kind: str | None = None) -> str:
        """The IRI that ``text`` names (label, abbreviation, synonym, Chinese name, CURIE or IRI)."""
        return self.names.resolve(text, kind)

    # --- queries ---------------------------------------------------------------
    def bind(self, param: Param, value: str | Term) -> Term:
        """Turn a user's parameter value into an RDF term, according to the parameter's kind."""
        if isinstance(value, Term):
            return value
        if param.kind in ("disease", "subject", "mechanism"):
            return Term.iri(self.resolve(value, param.kind))
        if param.kind == "entity":
            return Term.iri(self.resolve(value))
        if param.kind == "iri":
            iri = value if "://" in value or value.startswith("urn:") else CONVERTER.expand(value)
            if not iri:
                raise UsageError(f"parameter {param.name!r} needs an IRI or CURIE, got {value!r}")
            return Term.iri(iri)
        if param.kind == "integer":
            try:
                return Term.literal(int(value))
            except ValueError:
                raise UsageError(f"parameter {param.name!r} needs an integer, got {value!r}") from None
        return Term.literal(value)

    def run(self, name: str, params: Mapping[str, str | Term] | None = None) -> Result:
        """Run the named query ``name`` with its parameters bound."""
        query = queries.get(name)
        params = dict(params or {})
        query.check_params(params)
        bindings = {p.name: self.bind(p, params[p.name]) for p in query.params if p.name in params}
        return self.engine.run(query.text_for(self.engine), bindings)

    def rows(self, name: str, params: Mapping[str, str | Term] | None = None) -> list[dict[str, Any]]:
        """Rows of a named SELECT query as dicts, IRIs shortened to CURIEs."""
        result = self.run(name, params)
        return [
            {v: (_compact(r[v]) if v in r else None) for v in result.variables} for r in result.rows
        ]

    # --- lookups (see mscgraph.lookups) ----------------------------------------
    def mechanisms(self, disease: str) -> list[dict[str, Any]]:
        return lookups.mechanisms(self, disease)

    def diseases(self, mechanism: str) -> list[dict[str, Any]]:
        return lookups.diseases(self, mechanism)

    def studies(self, disease: str) -> list[dict[str, Any]]:
        return lookups.studies(self, disease)

    def evidence(self, disease: str, mechanism: str) -> list[dict[str, Any]]:
        return lookups.evidence(self, disease, mechanism)

    def show(self, name: str) -> list[dict[str, Any]]:
        return lookups.show(self, name)

    def search(self, text: str, limit: int = 20) -> list[dict[str, Any]]:
        return lookups.search(self, text, limit)

    def stats(self) -> list[dict[str, Any]]:
        return lookups.stats(self)

    # --- evidence synthesis (see mscgraph.evidence, docs/evidence.md) -----------------
    def summary(
        self,
        subject: str | None = None,
        mechanism: str | None = None,
        *,
        role: str | None = None,
        min_tier: str | None = None,
    ) -> list[evidence.LinkSummary]:
        """One evidence summary per link (subject, mechanism, role), optionally of one disease (or
        ``"MSC"``), one mechanism, one role (``"therapy"``, ``"disease"``, ...) and a tier or stronger."""
        return evidence.summaries(self, subject, mechanism, role, min_tier)

    def explain(self, subject: str, mechanism: str) -> dict[str, Any]:
        """The tier of each link between ``subject`` and ``mechanism``, why, and its findings."""
        return evidence.explain(self, subject, mechanism)

    def grid(
        self, role: str | None = "therapy", min_tier: str | None = None
    ) -> tuple[list[str], list[dict[str, Any]]]:
        """The disease x mechanism matrix of one role (``None``: every role)."""
        return evidence.grid(self, role, min_tier)

    def conflicts(self) -> list[dict[str, Any]]:
        """Findings of links that disagree in direction or that a discrepancy touches."""
        return evidence.conflicts(self)

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
    return CONVERTER.compact(term.value) if term.kind == "uri" else term.python()


def load(
    data: Sequence[str | Path] | None = None,
    *,
    cache: bool = True,
    endpoint: str | None = None,
    **endpoint_options: Any,
) -> KnowledgeGraph:
    """Open the knowledge graph.

    By default the packaged ontology and data, indexed on disk (see :mod:`mscgraph.store`).
    ``data`` adds other data files or directories instead of the packaged data; ``endpoint``
    answers every query from a remote SPARQL 1.1 endpoint instead.
    """
    if endpoint:
        from .remote import RemoteEngine

        return KnowledgeGraph(RemoteEngine(endpoint, **endpoint_options))
    from .engine import EmbeddedEngine
    from .store import open_index

    sources = Sources.resolve(data)
    index = open_index(sources, cache=cache)
    return KnowledgeGraph(EmbeddedEngine(index.store, index), index=index.names, sources=sources)
