"""The ontology's and data's SKOS mappings as an SSSOM mapping set (https://mapping-commons.github.io/sssom/).

One TSV: a YAML metadata block (each line behind ``#``: ``curie_map`` with exactly the prefixes used,
``mapping_set_id``, licence, title and version from the ontology header), then one row per mapping:
``subject_id``, ``subject_label``, ``predicate_id`` (skos:exactMatch, closeMatch, broadMatch,
narrowMatch, relatedMatch), ``object_id`` and ``mapping_justification`` (all curated by hand:
``semapv:ManualMappingCuration``).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, BinaryIO

from mscgraph.model.errors import DataError
from mscgraph.model.namespaces import PREFIXES

if TYPE_CHECKING:
    from mscgraph.graph import Graph

SEMAPV = "https://w3id.org/semapv/vocab/"
COLUMNS = ("subject_id", "subject_label", "predicate_id", "object_id", "mapping_justification")
JUSTIFICATION = "semapv:ManualMappingCuration"


def _yaml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def mapping_set(kg: Graph) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """(metadata, rows) of the mapping set; every IRI must have a prefix in the project's prefix map."""
    header = kg.rows("_mapping-set")
    if not header or not header[0]["license"]:
        raise DataError("SSSOM needs the ontology's dcterms:license; the ontology header has none")
    rows = []
    for r in kg.rows("_mappings"):
        for iri in (r["subject"], r["predicate"], r["object"]):
            if iri.partition(":")[0] not in PREFIXES:  # rows() shortens every IRI it has a prefix for
                raise DataError(f"no prefix for {iri} (SSSOM needs CURIEs): add it to mscgraph.namespaces")
        rows.append(
            {
                "subject_id": r["subject"],
                "subject_label": r["subject_label"] or "",
                "predicate_id": r["predicate"],
                "object_id": r["object"],
                "mapping_justification": JUSTIFICATION,
            }
        )
    rows.sort(key=lambda row: (row["subject_id"], row["predicate_id"], row["object_id"]))
    used = {row[c].partition(":")[0] for row in rows for c in ("subject_id", "predicate_id", "object_id")}
    ontology = header[0]
    metadata = {
        "curie_map": {**{p: ns for p, ns in PREFIXES.items() if p in used}, "semapv": SEMAPV},
        "mapping_set_id": f"{ontology['ontology']}/mappings.sssom.tsv",
        "mapping_set_title": f"SKOS mappings of {ontology['title'] or 'mscgraph'}",
        "mapping_set_version": ontology["version"],
        "license": ontology["license"],
    }
    return {k: v for k, v in metadata.items() if v}, rows


def write(kg: Graph, out: BinaryIO) -> None:
    """The mappings as SSSOM TSV with its YAML metadata block."""
    metadata, rows = mapping_set(kg)
    lines = ["# curie_map:"]
    lines += [f"#   {prefix}: {_yaml(ns)}" for prefix, ns in metadata.pop("curie_map").items()]
    lines += [f"# {key}: {_yaml(value)}" for key, value in metadata.items()]
    lines.append("\t".join(COLUMNS))
    lines += ["\t".join(" ".join(row[c].split()) for c in COLUMNS) for row in rows]
    out.write(("\n".join(lines) + "\n").encode("utf-8"))
