"""The public API: :func:`load` opens the knowledge graph, a :class:`KnowledgeGraph` answers.

>>> import mscgraph
>>> with mscgraph.load() as kg:
...     links = kg.summary("Sjögren syndrome")
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mscgraph.graph import Graph
from mscgraph.model.errors import UsageError
from mscgraph.store.index import Progress, Sources

if TYPE_CHECKING:
    from mscgraph.evidence.summary import LinkSummary


class KnowledgeGraph(Graph):
    """The lookups and the evidence synthesis of one graph (embedded store or endpoint).

    Each method imports its module when called: a command that only streams the store
    (`mscgraph export`) does not pay for the others at start-up."""

    # --- lookups (see mscgraph.lookups) ----------------------------------------
    def mechanisms(self, disease: str) -> list[dict[str, Any]]:
        from mscgraph.views import lookups

        return lookups.mechanisms(self, disease)

    def diseases(self, mechanism: str) -> list[dict[str, Any]]:
        from mscgraph.views import lookups

        return lookups.diseases(self, mechanism)

    def studies(self, disease: str) -> list[dict[str, Any]]:
        from mscgraph.views import lookups

        return lookups.studies(self, disease)

    def evidence(self, disease: str, mechanism: str) -> list[dict[str, Any]]:
        from mscgraph.evidence import findings

        return findings.findings(self, disease, mechanism)

    def show(self, name: str) -> list[dict[str, Any]]:
        from mscgraph.views import lookups

        return lookups.show(self, name)

    def search(self, text: str, limit: int = 20) -> list[dict[str, Any]]:
        from mscgraph.views import lookups

        return lookups.search(self, text, limit)

    def stats(self) -> list[dict[str, Any]]:
        from mscgraph.views import lookups

        return lookups.stats(self)

    # --- evidence synthesis (see mscgraph.evidence, docs/evidence.md) -----------------
    def summary(
        self,
        subject: str | None = None,
        mechanism: str | None = None,
        *,
        role: str | None = None,
        min_tier: str | None = None,
    ) -> list[LinkSummary]:
        """One evidence summary per link (subject, mechanism, role), optionally of one disease (or
        ``"MSC"``), one mechanism, one role (``"therapy"``, ``"disease"``, ...) and a tier or stronger."""
        from mscgraph.evidence import summary

        return summary.summaries(self, subject, mechanism, role, min_tier)

    def explain(self, subject: str, mechanism: str) -> dict[str, Any]:
        """The tier of each link between ``subject`` and ``mechanism``, why, and its findings."""
        from mscgraph.evidence import summary

        return summary.explain(self, subject, mechanism)

    def grid(
        self, role: str | None = "therapy", min_tier: str | None = None
    ) -> tuple[list[str], list[dict[str, Any]]]:
        """The disease x mechanism matrix of one role (``None``: every role)."""
        from mscgraph.evidence import summary

        return summary.grid(self, role, min_tier)

    def conflicts(self) -> list[dict[str, Any]]:
        """Findings of links that disagree in direction or that a discrepancy touches."""
        from mscgraph.evidence import summary

        return summary.conflicts(self)


def load(
    data: Sequence[str | Path] | None = None,
    *,
    cache: bool = True,
    progress: Progress | None = None,
    endpoint: str | None = None,
    user: str | None = None,
    password: str | None = None,
    timeout: float | None = None,
    graph: str | None = None,
) -> KnowledgeGraph:
    """Open the knowledge graph; close it with :meth:`KnowledgeGraph.close` or a ``with`` block.

    By default the packaged ontology and data, indexed on disk (see :mod:`mscgraph.store`; ``cache=False``:
    parsed in memory); ``progress`` is called while an index is built: ``(file or None when done, bytes
    done, bytes in all)``. ``data`` adds other data files or directories instead of the packaged data.
    ``endpoint`` answers every query from a remote SPARQL 1.1 endpoint instead, with ``user``,
    ``password``, ``timeout`` and ``graph`` (see :class:`~mscgraph.engines.remote.RemoteEngine`).
    Arguments that contradict each other are a UsageError.
    """
    endpoint_options = {"user": user, "password": password, "timeout": timeout, "graph": graph}
    if endpoint is not None:
        if data is not None:
            raise UsageError("give data or an endpoint, not both: an endpoint answers from its own data")
        if not cache:
            raise UsageError("cache=False (--no-cache) is for local data: an endpoint has no index")
        from mscgraph.engines.remote import RemoteEngine

        return KnowledgeGraph(RemoteEngine(endpoint, user, password, timeout, graph))
    if given := [name for name, value in endpoint_options.items() if value is not None]:
        raise UsageError(f"{', '.join(given)}: options of an endpoint; give endpoint too")
    from mscgraph.engines.embedded import EmbeddedEngine
    from mscgraph.store.index import open_index

    sources = Sources.resolve(data)
    index = open_index(sources, cache=cache, progress=progress)
    return KnowledgeGraph(
        EmbeddedEngine(index.store, index), index=index.names, sources=sources, facts=index.facts
    )
