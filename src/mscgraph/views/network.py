"""The knowledge graph as a typed networkx MultiDiGraph; compare, neighbours and graph file formats.

Nodes (ids are CURIEs) have ``kind`` disease | mechanism | study | product, ``label`` (English),
``label_zh``, ``name`` (abbreviation or label) and kind-specific attributes. Edges have ``relation``:

* ``mechanism`` disease -> mechanism, one per (disease, mechanism, role, direction), aggregated from the
  findings: ``direction``, ``role``, ``evidence`` (list), ``studies`` (list of study ids) and ``support``
  (list of dicts: study, citation, cohort size, evidence, the review's sentence in Chinese and English);
* ``studies`` study -> disease (a cohort of the disease or a finding on it; ``cohort_size``);
* ``uses`` study -> MSC product.

List-valued attributes stay lists in the graph; the file writers flatten them (``"; "``-joined).
"""

from __future__ import annotations

import functools
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from mscgraph.model.errors import UsageError
from mscgraph.model.files import write_atomic
from mscgraph.model.namespaces import CONVERTER

if TYPE_CHECKING:
    import networkx as nx

    from mscgraph.graph import Graph

KINDS = ("disease", "mechanism", "study", "product")
EVIDENCE_CHOICES = ("clinical", "animal", "all")
_STUDY_CLASS_EVIDENCE = {
    "msc:ClinicalStudy": "clinical",
    "msc:AnimalStudy": "animal",
    "msc:InVitroStudy": "in vitro",
}

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


def _curie(value: Any) -> str:
    return CONVERTER.compact(value) if isinstance(value, str) and "://" in value else str(value)


def _local(curie: str) -> str:
    return curie.split(":", 1)[-1]


def _citation(node: dict[str, Any]) -> str:
    if node.get("first_author") and node.get("year"):
        ref = f" [{node['reference']}]" if node.get("reference") is not None else ""
        return f"{node['first_author']} {node['year']}{ref}"
    return node.get("label") or ""


def build(kg: Graph, diseases: Iterable[str] | None = None) -> nx.MultiDiGraph:
    """The knowledge graph as a typed MultiDiGraph (named queries, any engine).

    With ``diseases`` (node ids), only what :func:`subgraph` needs for them: their findings, the
    studies linked to them and those studies' products, each node fetched by its id. The cost then
    follows the diseases' fan-out, not the size of the graph; ``subgraph`` of it equals ``subgraph``
    of the whole network.
    """
    import networkx as nx

    if diseases is None:
        node_rows = kg.rows("_network-nodes")
        finding_rows = kg.rows("_network-findings")
        link_rows = kg.rows("_network-study-links") + kg.rows("_network-product-links")
    else:
        node_rows, finding_rows, link_rows = _rows_for(kg, sorted(set(diseases)))

    graph = nx.MultiDiGraph(name="mscgraph")
    for r in node_rows:
        node = r["node"]
        if node in graph:  # a second label in the same language: keep the first
            continue
        attrs: dict[str, Any] = {
            "kind": r["kind"],
            "class": r["class"],
            "class_label": r["class_label"],
            "label": r["label_en"] or node,
            "label_zh": r["label_zh"],
            "abbreviation": r["abbreviation"],
            "name": r["abbreviation"] or r["label_en"] or node,
            "exact_match": sorted(_curie(m) for m in (r["exact_match"] or "").split()),
        }
        if r["kind"] == "study":
            attrs.update(
                publication=r["publication"],
                first_author=r["first_author"],
                year=str(r["year"]) if r["year"] is not None else None,
                reference=r["reference"],
                title=r["title"],
                pmid=str(r["pmid"]) if r["pmid"] is not None else None,
                doi=r["doi"],
                species=r["species"] or None,
                sentence_zh=r["sentence_zh"] or None,
                sentence_en=r["sentence_en"] or None,
            )
            attrs["citation"] = _citation(attrs)
            attrs["name"] = attrs["citation"]
            evidence = set((r["finding_evidence"] or "").split("; ")) - {""}
            if r["class"] in _STUDY_CLASS_EVIDENCE:
                evidence.add(_STUDY_CLASS_EVIDENCE[r["class"]])
            attrs["evidence"] = sorted(evidence)
        if r["kind"] == "product":
            attrs.update(tissue_source=r["tissue_source"], donor_type=r["donor_type"])
        graph.add_node(node, **{k: v for k, v in attrs.items() if v is not None})

    groups: dict[tuple[str, str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in finding_rows:
        if r["disease"] in graph and r["mechanism"] in graph:
            groups[(r["disease"], r["mechanism"], r["role"], r["direction"])].append(r)
    for (disease, mechanism, role, direction), rows in sorted(groups.items()):
        support: dict[tuple[str, str], dict[str, Any]] = {}
        for r in rows:
            study = graph.nodes.get(r["study"], {})
            support.setdefault(
                (r["study"], r["finding"]),
                {
                    "finding": r["finding"],
                    "study": r["study"],
                    "citation": study.get("citation") or r["study"],
                    "study_label": study.get("label") or r["study"],
                    "study_type": study.get("class_label"),
                    "cohort_size": r["cohort_size"],
                    "evidence": r["evidence_label"],
                    "evidence_eco": r["evidence_eco"],
                    "sentence_zh": r["sentence_zh"],
                    "sentence_en": r["sentence_en"],
                },
            )
        items = sorted(support.values(), key=lambda s: (s["citation"], s["finding"]))
        first = rows[0]
        studies = sorted({s["study"] for s in items})
        graph.add_edge(
            disease,
            mechanism,
            key="~".join((disease, mechanism, _local(role), _local(direction))),
            relation="mechanism",
            direction=first["direction_label"] or _curie(direction),
            direction_zh=first["direction_zh"],
            role=first["role_label"] or _curie(role),
            evidence=sorted({r["evidence_label"] for r in rows if r["evidence_label"]}),
            studies=studies,
            study_count=len(studies),
            citations=sorted({s["citation"] for s in items}),
            findings=sorted({r["finding"] for r in rows}),
            support=items,
        )

    for r in link_rows:
        study, target = r["study"], r["target"]
        if study not in graph or target not in graph:
            continue
        relation = "studies" if r["link"] == "disease" else "uses"
        key = "~".join((study, relation, target))
        size = r.get("cohort_size")  # product links have none
        if graph.has_edge(study, target, key):
            if size is not None:
                graph.edges[study, target, key]["cohort_size"] = size
            continue
        attrs = {"relation": relation}
        if size is not None:
            attrs["cohort_size"] = size
        graph.add_edge(study, target, key=key, **attrs)
    return graph


def _rows_for(
    kg: Graph, diseases: list[str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """The node, finding and link rows about ``diseases``: one bound query per disease, study and node."""
    findings = [r for d in diseases for r in kg.rows("_network-findings", {"disease": d})]
    links = [r for d in diseases for r in kg.rows("_network-study-links", {"target": d})]
    studies = sorted({r["study"] for r in findings} | {r["study"] for r in links})
    links += [r for s in studies for r in kg.rows("_network-product-links", {"study": s})]
    wanted = set(diseases) | {r["mechanism"] for r in findings} | set(studies) | {r["target"] for r in links}
    nodes = [r for n in sorted(wanted) for r in kg.rows("_network-nodes", {"node": n})]
    return sorted(nodes, key=_node_order), findings, links


def _node_order(row: dict[str, Any]) -> tuple[str, str]:
    return row["kind"], row["node"]


def evidence_filter(graph: nx.MultiDiGraph, evidence: str) -> nx.MultiDiGraph:
    """Keep only the findings of one evidence type (``clinical`` or ``animal``; ``all`` keeps everything).

    Disease-mechanism edges keep only the support of that type; studies are kept when they carry it.
    """
    if evidence == "all":
        return graph
    if evidence not in EVIDENCE_CHOICES:
        raise UsageError(f"unknown evidence type {evidence!r}; choose one of {', '.join(EVIDENCE_CHOICES)}")
    out = graph.copy()
    for u, v, k, data in list(out.edges(keys=True, data=True)):
        if data["relation"] != "mechanism":
            continue
        support = [s for s in data["support"] if s["evidence"] == evidence]
        if not support:
            out.remove_edge(u, v, k)
            continue
        studies = sorted({s["study"] for s in support})
        data.update(
            support=support,
            evidence=[evidence],
            studies=studies,
            study_count=len(studies),
            citations=sorted({s["citation"] for s in support}),
            findings=sorted({s["finding"] for s in support}),
        )
    drop = [
        n for n, d in out.nodes(data=True) if d["kind"] == "study" and evidence not in d.get("evidence", [])
    ]
    out.remove_nodes_from(drop)
    return out


def subgraph(
    graph: nx.MultiDiGraph,
    diseases: Iterable[str] = (),
    mechanisms: Iterable[str] = (),
    evidence: str = "all",
) -> nx.MultiDiGraph:
    """The part of the graph about some diseases and/or mechanisms (node ids), of one evidence type.

    With diseases: those diseases, their mechanism links, studies and products. With mechanisms: those
    mechanisms, the diseases linked to them and the studies supporting the links. Both: the intersection.
    """
    graph = evidence_filter(graph, evidence)
    diseases, mechanisms = set(diseases), set(mechanisms)
    if not diseases and not mechanisms:
        return graph
    links = [
        (u, v, k)
        for u, v, k, d in graph.edges(keys=True, data=True)
        if d["relation"] == "mechanism"
        and (not diseases or u in diseases)
        and (not mechanisms or v in mechanisms)
    ]
    keep = set(diseases) if diseases else set()
    keep |= set(mechanisms) if mechanisms else set()
    for u, v, _ in links:
        keep |= {u, v}
    supporting = {s for u, v, k in links for s in graph.edges[u, v, k]["studies"]}
    for study, target, data in graph.edges(data=True):
        if data["relation"] == "studies" and target in keep and (not mechanisms or study in supporting):
            keep.add(study)
    keep |= {t for s, t, d in graph.edges(data=True) if d["relation"] == "uses" and s in keep}
    keep = {n for n in keep if n in graph}
    out = graph.subgraph(keep).copy()
    wanted = set(links)
    extra = [
        (u, v, k)
        for u, v, k, d in out.edges(keys=True, data=True)
        if d["relation"] == "mechanism" and (u, v, k) not in wanted
    ]
    out.remove_edges_from(extra)
    return out


def view(
    kg: Graph, diseases: Iterable[str] = (), mechanisms: Iterable[str] = (), evidence: str = "all"
) -> nx.MultiDiGraph:
    """:func:`subgraph` of the network, building only the part it needs (see :func:`build`)."""
    diseases, mechanisms = sorted(set(diseases)), sorted(set(mechanisms))
    if not diseases and not mechanisms:
        return subgraph(build(kg), evidence=evidence)
    scope = diseases or sorted(
        {r["disease_id"] for m in mechanisms for r in kg.rows("diseases-for-mechanism", {"mechanism": m})}
    )
    return subgraph(build(kg, scope), diseases, mechanisms, evidence)


def resolve_id(kg: Graph, text: str, kind: str | None = None) -> str:
    """The node id (a CURIE) that the user's ``text`` names."""
    return _curie(kg.resolve(text, kind))


# --- analytics -----------------------------------------------------------------------------


def _links(graph: nx.MultiDiGraph, disease: str) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for _, mechanism, data in graph.out_edges(disease, data=True):
        if data["relation"] == "mechanism":
            out[mechanism].append(data)
    return out


def _effects(edges: list[dict[str, Any]]) -> str:
    return "; ".join(sorted({f"{e['direction']} ({e['role']})" for e in edges}))


def compare(kg: Graph, a: str, b: str, graph: nx.MultiDiGraph | None = None) -> list[dict[str, Any]]:
    """The mechanisms and studies two diseases share, and where they differ.

    One row per mechanism or study linked to either disease: ``in`` is ``both``, or the abbreviation of the
    one disease; ``effect_a``/``effect_b`` give the direction and role per disease. ``agree`` compares a
    shared mechanism's directions role by role (therapy effect with therapy effect, disease characteristic
    with disease characteristic): True when they match in every role both report, False when any role
    differs, None when the two diseases report it in different roles only (or it is not shared).
    """
    da, db = resolve_id(kg, a, "disease"), resolve_id(kg, b, "disease")
    if da == db:
        raise UsageError(f"compare needs two different diseases; {a!r} and {b!r} are both {da}")
    graph = graph if graph is not None else build(kg, [da, db])
    name_a, name_b = graph.nodes[da]["name"], graph.nodes[db]["name"]
    rows: list[dict[str, Any]] = []
    la, lb = _links(graph, da), _links(graph, db)
    for mechanism in sorted(
        set(la) | set(lb), key=lambda m: (m not in la or m not in lb, graph.nodes[m]["name"].casefold(), m)
    ):
        ea, eb = la.get(mechanism, []), lb.get(mechanism, [])
        rows.append(
            {
                "type": "mechanism",
                "id": mechanism,
                "name": graph.nodes[mechanism]["name"],
                "in": "both" if ea and eb else name_a if ea else name_b,
                "disease_a": da,
                "disease_b": db,
                "effect_a": _effects(ea) or None,
                "effect_b": _effects(eb) or None,
                "agree": _agree(ea, eb),
                "studies_a": "; ".join(sorted({c for e in ea for c in e["citations"]})) or None,
                "studies_b": "; ".join(sorted({c for e in eb for c in e["citations"]})) or None,
            }
        )

    def studies(disease: str) -> dict[str, dict[str, Any]]:
        return {s: d for s, _, d in graph.in_edges(disease, data=True) if d["relation"] == "studies"}

    sa, sb = studies(da), studies(db)
    for study in sorted(
        set(sa) | set(sb), key=lambda s: (s not in sa or s not in sb, graph.nodes[s]["name"].casefold(), s)
    ):
        rows.append(
            {
                "type": "study",
                "id": study,
                "name": graph.nodes[study]["name"],
                "in": "both" if study in sa and study in sb else name_a if study in sa else name_b,
                "disease_a": da,
                "disease_b": db,
                "effect_a": _cohort(sa.get(study)),
                "effect_b": _cohort(sb.get(study)),
                "agree": None,
                "studies_a": None,
                "studies_b": None,
            }
        )
    return rows


def _agree(ea: list[dict[str, Any]], eb: list[dict[str, Any]]) -> bool | None:
    by_role_a: dict[str, set[str]] = defaultdict(set)
    by_role_b: dict[str, set[str]] = defaultdict(set)
    for e in ea:
        by_role_a[e["role"]].add(e["direction"])
    for e in eb:
        by_role_b[e["role"]].add(e["direction"])
    common = set(by_role_a) & set(by_role_b)
    if not common:
        return None
    return all(by_role_a[r] == by_role_b[r] for r in common)


def _cohort(data: dict[str, Any] | None) -> str | None:
    if data is None:
        return None
    return f"n={data['cohort_size']}" if data.get("cohort_size") is not None else "linked"


def neighbors(
    kg: Graph, name: str, depth: int = 1, graph: nx.MultiDiGraph | None = None
) -> list[dict[str, Any]]:
    """Every node within ``depth`` links of the entity (either direction), nearest first."""
    import networkx as nx

    if depth < 1:
        raise UsageError(f"depth must be at least 1, got {depth}")
    graph = graph if graph is not None else build(kg)
    start = resolve_id(kg, name)
    if start not in graph:  # a publication stands for the study it reports
        start = next((n for n, d in graph.nodes(data=True) if d.get("publication") == start), start)
    if start not in graph:
        raise UsageError(
            f"{name!r} ({start}) is not a node of the network (diseases, mechanisms, studies, products)"
        )
    undirected = nx.Graph(graph)
    distances = nx.single_source_shortest_path_length(undirected, start, cutoff=depth)
    paths = nx.single_source_shortest_path(undirected, start, cutoff=depth)
    rows = []
    for node, distance in sorted(
        distances.items(), key=lambda item: (item[1], graph.nodes[item[0]]["kind"], item[0])
    ):
        if node == start:
            continue
        via = paths[node][-2]
        relations = sorted(
            {d["relation"] for d in graph.get_edge_data(via, node, default={}).values()}
            | {d["relation"] for d in graph.get_edge_data(node, via, default={}).values()}
        )
        edge_labels = sorted(
            {
                d["direction"]
                for u, v in ((via, node), (node, via))
                for d in graph.get_edge_data(u, v, default={}).values()
                if d["relation"] == "mechanism"
            }
        )
        data = graph.nodes[node]
        rows.append(
            {
                "id": node,
                "name": data["name"],
                "type": data["kind"],
                "label_zh": data.get("label_zh"),
                "distance": distance,
                "via": via,
                "relation": "; ".join(relations),
                "effect": "; ".join(edge_labels) or None,
            }
        )
    return rows


# --- writers -------------------------------------------------------------------------------


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
