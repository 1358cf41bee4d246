"""The findings of a link, each with its study, publication and sentence; how citations read and sort."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mscgraph.graph import Graph


def citation(row: dict[str, Any]) -> str:
    if row.get("first_author") is None:
        return row.get("study_label") or ""
    if row.get("reference") is not None:
        ref = f" [{row['reference']}]"
    else:  # the review's own statements; a newly curated source (docs/curation.md) is just cited
        ref = " (this review)" if row.get("study") in (None, "mscd:study-review") else ""
    return f"{row['first_author']} {row['year']}{ref}"


def in_reference_order(citations: str | None, sep: str = "; ") -> list[str]:
    """Citations joined by ``sep`` ("Xu 2012 [34]; Yao 2019 [36]", a GROUP_CONCAT) as a list in
    reference order: SPARQL leaves the order to the engine. Citations without a number (the review's
    own statements) come first."""

    def number(citation: str) -> int:
        found = re.search(r"\[(\d+)\]$", citation)
        return int(found.group(1)) if found else 0

    return sorted((c for c in (citations or "").split(sep) if c), key=lambda c: (number(c), c))


def findings(kg: Graph, subject: str, mechanism: str) -> list[dict[str, Any]]:
    """Every finding of the link with its study, publication (DOI, PMID), sentence and caveats;
    ``identifiers`` lists the publication's ``doi:`` and ``PMID:`` CURIEs (empty when none is recorded)."""
    rows = kg.rows("evidence", {"disease": subject, "mechanism": mechanism})
    return [
        {
            "citation": citation(r),
            **r,
            "identifiers": [f"{p}:{r[k]}" for p, k in (("doi", "doi"), ("PMID", "pmid")) if r[k]],
        }
        for r in rows
    ]
