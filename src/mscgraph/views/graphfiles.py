"""The network (:mod:`.network`) as graph files: GraphML, GEXF, Cytoscape JSON and KGX (nodes/edges TSV).

List-valued attributes stay lists in the graph; the writers flatten them (``"; "``-joined).
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from mscgraph.model.files import write_atomic

if TYPE_CHECKING:
    import networkx as nx

    from mscgraph.graph import Graph

# Biolink categories for KGX (https://biolink.github.io/biolink-model/)
BIOLINK_CATEGORY = {
    "msc:Disease": "biolink:Disease",
    "msc:CellPopulation": "biolink:Cell",
    "msc:CytokineSignalling": "biolink:BiologicalProcess",
    "msc:ChemokineAxis": "biolink:BiologicalProcess",
    "msc:CellFunction": "biolink:BiologicalProcess",
    "msc:MolecularMarker": "biolink:MolecularEntity",
    "mechanism": "biolink:NamedThing",  # a mechanism class not mapped above (BiologicalEntity is abstract)
    "study": "biolink:Study",
    "product": "biolink:Treatment",
}
BIOLINK_PREDICATE = {
    "mechanism": "biolink:associated_with",
    "studies": "biolink:related_to",
    "uses": "biolink:related_to",
}
ORIGINAL_PREDICATE = {
    "mechanism": "msc:aboutMechanism",
    "studies": "msc:inDisease",
    "uses": "msc:usesProduct",
}


def _scalar(value: Any) -> Any:
    if isinstance(value, list | tuple | set):
        return "; ".join(_scalar_text(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def _scalar_text(value: Any) -> str:
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def flat(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy with only scalar attributes (lists "; "-joined, the support list as sentence columns)."""
    import networkx as nx

    out = nx.MultiDiGraph(name=graph.graph.get("name", "mscgraph"))
    for node, data in sorted(graph.nodes(data=True)):
        out.add_node(node, **{k: _scalar(v) for k, v in sorted(data.items()) if v is not None and v != []})
    for u, v, k, data in sorted(graph.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2])):
        attrs = {key: val for key, val in data.items() if key != "support"}
        if "support" in data:
            support = data["support"]
            attrs["cohort_sizes"] = [
                f"{s['citation']}: n={s['cohort_size']}" for s in support if s["cohort_size"] is not None
            ]
            attrs["sentences_en"] = sorted({s["sentence_en"] for s in support if s["sentence_en"]})
            attrs["sentences_zh"] = sorted({s["sentence_zh"] for s in support if s["sentence_zh"]})
        out.add_edge(
            u,
            v,
            key=k,
            id=k,
            **{a: _scalar(b) for a, b in sorted(attrs.items()) if b is not None and b != []},
        )
    return out


def graphml_bytes(graph: nx.MultiDiGraph) -> bytes:
    """The network as GraphML (Gephi, Cytoscape, yEd); list attributes "; "-joined."""
    import networkx as nx

    return "\n".join(nx.generate_graphml(flat(graph), named_key_ids=True)).encode("utf-8") + b"\n"


def gexf_bytes(graph: nx.MultiDiGraph) -> bytes:
    """The network as GEXF (Gephi); list attributes "; "-joined."""
    import networkx as nx

    g = flat(graph)
    for node, data in g.nodes(data=True):
        data["label"] = data.get("name", node)  # Gephi shows the GEXF label
    return "\n".join(nx.generate_gexf(g)).encode("utf-8") + b"\n"


def cytoscape_elements(graph: nx.MultiDiGraph) -> dict[str, Any]:
    """Cytoscape.js elements JSON: ``{"elements": {"nodes": [...], "edges": [...]}}``, lists kept.

    Also what networkx's ``cytoscape_graph`` reader needs: ``directed`` and ``multigraph``, each node's
    id again as ``value`` and each edge's ``key``.
    """
    nodes = [
        {"data": {"id": n, "value": n, **dict(sorted(d.items()))}} for n, d in sorted(graph.nodes(data=True))
    ]
    edges = [
        {"data": {"id": k, "key": k, "source": u, "target": v, **dict(sorted(d.items()))}}
        for u, v, k, d in sorted(graph.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2]))
    ]
    return {
        "data": {"name": graph.graph.get("name", "mscgraph")},
        "directed": True,
        "multigraph": True,
        "elements": {"nodes": nodes, "edges": edges},
    }


def cytoscape_bytes(graph: nx.MultiDiGraph) -> bytes:
    """The network as Cytoscape.js elements JSON (Cytoscape, Cytoscape.js)."""
    return (json.dumps(cytoscape_elements(graph), ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def write_graphml(graph: nx.MultiDiGraph, path: str | Path) -> None:
    data = graphml_bytes(graph)
    write_atomic(path, lambda tmp: tmp.write_bytes(data))


def write_gexf(graph: nx.MultiDiGraph, path: str | Path) -> None:
    data = gexf_bytes(graph)
    write_atomic(path, lambda tmp: tmp.write_bytes(data))


def write_cytoscape_json(graph: nx.MultiDiGraph, path: str | Path) -> None:
    data = cytoscape_bytes(graph)
    write_atomic(path, lambda tmp: tmp.write_bytes(data))


KGX_NODE_COLUMNS = ["id", "category", "name", "description", "xref", "synonym", "provided_by", "msc_kind"]
KGX_EDGE_COLUMNS = [
    "id",
    "subject",
    "predicate",
    "object",
    "original_predicate",
    "knowledge_level",
    "agent_type",
    "primary_knowledge_source",
    "publications",
    "has_evidence",
    "has_evidence_of_type",
    "object_direction_qualifier",
    "msc_role",
    "msc_evidence",
    "msc_studies",
    "msc_cohort_size",
]
_KGX_DIRECTION = {"increased": "increased", "decreased": "decreased"}
# A node's KGX id: its one exact match (skos:exactMatch) in the first of these that it has (Biolink's
# preferred prefixes: MONDO for diseases, CL for cells, HGNC for genes), else its own CURIE.
KGX_ID_PREFIXES = ("MONDO", "CL", "HGNC", "DOID", "MESH", "NCIT")
KGX_PREFIX_CATEGORY = {"HGNC": "biolink:Gene"}  # an HGNC id names a gene, whatever our class


def _kgx_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        value = "|".join(str(v) for v in value)  # KGX multivalued fields are "|"-separated
    return " ".join(str(value).split())


def kgx_ids(graph: nx.MultiDiGraph) -> dict[str, str]:
    """Node id -> KGX id: the exact match with the first prefix of :data:`KGX_ID_PREFIXES` the node has.
    Nothing is guessed: two exact matches with that prefix, or two nodes with the same match, keep
    their own CURIEs."""
    chosen: dict[str, str] = {}
    for node, data in graph.nodes(data=True):
        for prefix in KGX_ID_PREFIXES:
            found = [m for m in data.get("exact_match", []) if m.partition(":")[0] == prefix]
            if found:
                if len(found) == 1:
                    chosen[node] = found[0]
                break
    claims = Counter(chosen.values())
    return {n: chosen[n] if n in chosen and claims[chosen[n]] == 1 else n for n in graph.nodes}


def _publications(study: dict[str, Any]) -> list[str]:
    """The study's publication as Biolink wants it: ``PMID:…`` if known, else ``doi:…``, else nothing."""
    if study.get("pmid"):
        return [f"PMID:{study['pmid']}"]
    return [f"doi:{study['doi']}"] if study.get("doi") else []


def kgx_rows(graph: nx.MultiDiGraph) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Biolink KGX node and edge records (https://github.com/biolink/kgx/blob/master/specification)."""
    ids = kgx_ids(graph)
    nodes = []
    for node, d in sorted(graph.nodes(data=True)):
        category = BIOLINK_CATEGORY.get(
            d.get("class", ""), BIOLINK_CATEGORY.get(d["kind"], "biolink:NamedThing")
        )
        synonyms = [s for s in (d.get("abbreviation"), d.get("label_zh")) if s]
        nodes.append(
            {
                "id": ids[node],
                "category": KGX_PREFIX_CATEGORY.get(ids[node].partition(":")[0], category),
                "name": d["label"],
                "description": d.get("title") or d.get("class_label"),
                "xref": [x for x in (node, *d.get("exact_match", [])) if x != ids[node]],
                "synonym": synonyms,
                "provided_by": "infores:mscgraph",
                "msc_kind": d["kind"],
            }
        )
    edges = []
    for u, v, k, d in sorted(graph.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2])):
        studies = d.get("studies", [u])  # a study -> disease/product link is about its study
        eco = sorted({s["evidence_eco"] for s in d.get("support", []) if s.get("evidence_eco")})
        edges.append(
            {
                "id": k,
                "subject": ids[u],
                "predicate": BIOLINK_PREDICATE[d["relation"]],
                "object": ids[v],
                "original_predicate": ORIGINAL_PREDICATE[d["relation"]],
                "knowledge_level": "knowledge_assertion",
                "agent_type": "manual_agent",
                "primary_knowledge_source": "infores:mscgraph",
                "publications": sorted({p for s in studies for p in _publications(graph.nodes[s])}),
                "has_evidence": eco,  # ECO, as KGs such as Monarch's carry it ...
                "has_evidence_of_type": eco,  # ... and the slot Biolink 4.4 gives ECO terms
                "object_direction_qualifier": _KGX_DIRECTION.get(d.get("direction", "")),
                "msc_role": d.get("role"),
                "msc_evidence": d.get("evidence"),
                "msc_studies": d.get("studies"),
                "msc_cohort_size": d.get("cohort_size"),
            }
        )
    return nodes, edges


def kgx_tables(graph: nx.MultiDiGraph) -> tuple[str, str]:
    """The KGX ``nodes.tsv`` and ``edges.tsv`` texts."""
    nodes, edges = kgx_rows(graph)

    def table(rows: list[dict[str, Any]], columns: list[str]) -> str:
        lines = ["\t".join(columns)] + ["\t".join(_kgx_cell(r.get(c)) for c in columns) for r in rows]
        return "\n".join(lines) + "\n"

    return table(nodes, KGX_NODE_COLUMNS), table(edges, KGX_EDGE_COLUMNS)


def kgx_archive(graph: nx.MultiDiGraph) -> bytes:
    """``nodes.tsv`` + ``edges.tsv`` in a tar.gz, the archive KGX reads (``--input-compression tar.gz``).

    Byte-for-byte reproducible: fixed member times and owners, no gzip timestamp.
    """
    import gzip
    import io
    import tarfile

    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, text in zip(("nodes.tsv", "edges.tsv"), kgx_tables(graph), strict=True):
            data = text.encode("utf-8")
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), 0, 0o644
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(raw.getvalue(), mtime=0)


def write_kgx(graph: nx.MultiDiGraph, path: str | Path) -> list[Path]:
    """KGX TSV: ``PATH`` ending .tar.gz/.tgz gets the archive; a directory gets ``nodes.tsv`` and
    ``edges.tsv``; any other ``PATH`` gets ``PATH_nodes.tsv`` and ``PATH_edges.tsv``."""
    path = Path(path)
    if path.name.endswith((".tar.gz", ".tgz")):
        data = kgx_archive(graph)
        write_atomic(path, lambda tmp: tmp.write_bytes(data))
        return [path]
    if path.is_dir():
        targets = (path / "nodes.tsv", path / "edges.tsv")
    else:
        stem = str(path.with_suffix("")) if path.suffix in (".tsv", ".kgx") else str(path)
        targets = (Path(f"{stem}_nodes.tsv"), Path(f"{stem}_edges.tsv"))
    for target, text in zip(targets, kgx_tables(graph), strict=True):
        write_atomic(target, functools.partial(Path.write_text, data=text, encoding="utf-8"))
    return list(targets)


WRITERS: dict[str, Callable[[nx.MultiDiGraph, str | Path], Any]] = {
    "graphml": write_graphml,
    "gexf": write_gexf,
    "cytoscape-json": write_cytoscape_json,
    "kgx": write_kgx,
}


def _export_writer(
    to_bytes: Callable[[nx.MultiDiGraph], bytes],
) -> Callable[[Graph, BinaryIO], None]:
    def write(kg: Graph, out: BinaryIO) -> None:
        from mscgraph.views.network import build  # when used: `export --format ttl` starts without it

        out.write(to_bytes(build(kg)))

    write.__doc__ = to_bytes.__doc__
    return write


# For mscgraph.export.WRITERS (``mscgraph export --format ...``): (kg, binary stream) -> None.
# kgx goes to one stream as the tar.gz archive of nodes.tsv and edges.tsv.
EXPORT_WRITERS: dict[str, Callable[[Graph, BinaryIO], None]] = {
    "graphml": _export_writer(graphml_bytes),
    "gexf": _export_writer(gexf_bytes),
    "cytoscape-json": _export_writer(cytoscape_bytes),
    "kgx": _export_writer(kgx_archive),
}
