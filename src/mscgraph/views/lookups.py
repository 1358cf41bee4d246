"""The lookups behind ``mscgraph mechanisms|diseases|studies|evidence|show|search|stats``.

Each runs one named query and shapes its rows into dicts with stable snake_case keys
(documented in docs/cli.md, "JSON keys"). Table views pick a few of the keys: see ``TABLE_COLUMNS``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from mscgraph.evidence.findings import citation, in_reference_order
from mscgraph.model.errors import UsageError
from mscgraph.model.namespaces import CONVERTER
from mscgraph.names.keys import normalize

if TYPE_CHECKING:
    from mscgraph.graph import Graph

TABLE_COLUMNS = {
    "mechanisms": ["mechanism", "direction", "role", "evidence", "studies", "sentence_en"],
    "diseases": ["disease", "direction", "role", "evidence", "studies", "sentence_en"],
    "studies": ["citation", "study_type", "species", "cohort_size", "msc_product", "dose", "outcomes"],
    "evidence": [
        "citation",
        "direction",
        "role",
        "evidence",
        "cohort_size",
        "identifiers",
        "sentence_en",
        "sentence_zh",
    ],
    "show": ["direction", "property", "value"],
    "search": ["id", "label", "label_zh", "type", "matched"],
    "stats": ["type", "count"],
}


def _without(row: dict[str, Any], *keys: str) -> dict[str, Any]:
    """The row minus the echoed query parameters (they are the same on every row)."""
    return {k: v for k, v in row.items() if k not in keys}


def _in_reference_order(row: dict[str, Any]) -> dict[str, Any]:
    """``studies`` and ``references`` (GROUP_CONCATs) as lists in reference order."""
    row["studies"] = in_reference_order(row.get("studies"))
    row["references"] = sorted(int(n) for n in (row.get("references") or "").split(", ") if n)
    return row


def mechanisms(kg: Graph, disease: str) -> list[dict[str, Any]]:
    rows = kg.rows("mechanisms-for-disease", {"disease": disease})
    return [
        _in_reference_order(
            {"mechanism": r["mechanism_abbr"] or r["mechanism_label"], **_without(r, "disease")}
        )
        for r in rows
    ]


def diseases(kg: Graph, mechanism: str) -> list[dict[str, Any]]:
    rows = kg.rows("diseases-for-mechanism", {"mechanism": mechanism})
    return [
        _in_reference_order({"disease": r["disease_abbr"] or r["disease_label"], **_without(r, "mechanism")})
        for r in rows
    ]


STUDY_LISTS = (
    "design",
    "species",
    "subgroups",
    "msc_product",
    "msc_source",
    "donor_type",
    "route",
    "dose",
    "regimen",
    "co_interventions",
    "outcomes",
    "adverse_events",
    "discrepancy_notes",
    "notes",
    "intervention_notes",
)


def _lists(row: dict[str, Any], keys: Sequence[str], sep: str = "\n") -> dict[str, Any]:
    """The row with each of ``keys`` (a GROUP_CONCAT) as a list: JSON gets arrays, never joined text."""
    return {k: [part for part in (v or "").split(sep) if part] if k in keys else v for k, v in row.items()}


def studies(kg: Graph, disease: str) -> list[dict[str, Any]]:
    rows = kg.rows("studies-for-disease", {"disease": disease})
    return [{"citation": citation(r), **_lists(_without(r, "disease"), STUDY_LISTS)} for r in rows]


def show(kg: Graph, name: str) -> list[dict[str, Any]]:
    """Every statement about the entity, out and in, with readable property and value names."""
    iri = kg.resolve(name)
    out = []
    for r in kg.rows("describe-entity", {"entity": iri}):
        value = r["value"]
        shown = f"{r['value_label']} ({value})" if r["value_label"] else str(value)
        out.append(
            {
                "entity": CONVERTER.compact(iri),
                "direction": r["direction"],
                "property": r["property_label"] or r["property"],
                "property_id": r["property"],
                "value": shown,
                "value_id": value,
            }
        )
    return out


def search(kg: Graph, text: str, limit: int = 20) -> list[dict[str, Any]]:
    """Entities whose label, abbreviation, synonym or Chinese name contains ``text``.

    Ranked: exact name first, then names starting with the text, then containing it; shorter
    names before longer ones. Of an entity's names, the one shown is the best ranked, in the
    script of the query (Latin or not) when there is a choice.
    """
    key = normalize(text)
    if not key:
        raise UsageError(f"empty search text {text!r}: give some letters or digits")
    best: dict[str, tuple[int, bool, int, str]] = {}
    for entity, name in kg.names.containing(key):
        name_key = normalize(name)
        rank = 0 if name_key == key else 1 if name_key.startswith(key) else 2
        candidate = (rank, name.isascii() != text.isascii(), len(name), name)
        best[entity] = min(best.get(entity, candidate), candidate)
    ordered = sorted(best, key=lambda entity: (best[entity][0], best[entity][2], entity))
    return [{**_summary(kg, entity), "matched": best[entity][3]} for entity in ordered[:limit]]


def _summary(kg: Graph, iri: str) -> dict[str, Any]:
    """Id, English and Chinese label and type (its own namespace's type first) of an entity."""
    rows = kg.rows("_name-scan", {"entity": iri})
    types = sorted({str(r["type"]) for r in rows}, key=lambda t: (not t.startswith("msc:"), t))
    first = rows[0] if rows else {}
    return {
        "id": CONVERTER.compact(iri),
        "label": first.get("label"),
        "label_zh": first.get("label_zh"),
        "type": types[0].split(":", 1)[-1] if types else None,
    }


def stats(kg: Graph) -> list[dict[str, Any]]:
    rows = [{"type": r["label"], "type_id": r["type"], "count": r["count"]} for r in kg.rows("stats")]
    triples = kg.rows("triple-count")[0]["triples"]
    return [*rows, {"type": "triples", "type_id": None, "count": triples}]
