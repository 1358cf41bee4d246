"""The engine contract: what answers SPARQL for mscgraph, embedded or remote."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from mscgraph.query.terms import Result, Term


class Engine(Protocol):
    """Something that answers SPARQL: the embedded store or a remote endpoint."""

    lateral: bool  # understands LATERAL (else named queries are sent without it)

    def run(self, query: str, bindings: Mapping[str, Term] | None = None) -> Result: ...
