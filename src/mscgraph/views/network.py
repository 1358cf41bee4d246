"""The knowledge graph as a typed networkx MultiDiGraph: built from the findings, cut to a view.

:mod:`.analytics` compares diseases and lists neighbours on it; :mod:`.graphfiles` writes it for
Gephi, Cytoscape and Biolink/KGX tools.

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

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from mscgraph.model.errors import UsageError
from mscgraph.model.namespaces import CONVERTER
from mscgraph.views.wholegraph import Facts
from mscgraph.views.wholegraph import finding_rows as finding_rows_of
from mscgraph.views.wholegraph import link_rows as link_rows_of
from mscgraph.views.wholegraph import node_rows as node_rows_of

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


def _curie(value: Any) -> str:
    return CONVERTER.compact(value) if isinstance(value, str) and "://" in value else str(value)


def _local(curie: str) -> str:
    return curie.split(":", 1)[-1]


def _citation(node: dict[str, Any]) -> str:
    if node.get("first_author") and node.get("year"):
        ref = f" [{node['reference']}]" if node.get("reference") is not None else ""
        return f"{node['first_author']} {node['year']}{ref}"
    return node.get("label") or ""


def build(
    kg: Graph, diseases: Iterable[str] | None = None, facts: Facts | None = None, *, findings: bool = True
) -> nx.MultiDiGraph:
    """The knowledge graph as a typed MultiDiGraph (named queries, any engine).

    With ``diseases`` (node ids), only what :func:`subgraph` needs for them: their findings, the
    studies linked to them and those studies' products, each node fetched by its id. The cost then
    follows the diseases' fan-out, not the size of the graph; ``subgraph`` of it equals ``subgraph``
    of the whole network. The whole network is joined from flat facts (:mod:`.wholegraph`; ``facts``: those
    already read), which gives the rows of the ``_network-*`` queries in a fraction of their time;
    ``findings=False`` leaves out its disease -> mechanism edges (a page draws evidence summaries instead).
    """
    if diseases is None:
        facts = facts or Facts(kg)
        finding_rows = finding_rows_of(facts) if findings else []
        node_rows, link_rows = node_rows_of(facts), link_rows_of(facts)
    else:
        node_rows, finding_rows, link_rows = _rows_for(kg, sorted(set(diseases)))
    return from_rows(node_rows, finding_rows, link_rows)


def from_rows(
    node_rows: list[dict[str, Any]], finding_rows: list[dict[str, Any]], link_rows: list[dict[str, Any]]
) -> nx.MultiDiGraph:
    """The graph of the rows of the ``_network-nodes``, ``_network-findings`` and ``_network-*-links``
    queries (or of :mod:`.wholegraph`, which gives the same)."""
    import networkx as nx

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
    kg: Graph,
    diseases: Iterable[str] = (),
    mechanisms: Iterable[str] = (),
    evidence: str = "all",
    facts: Facts | None = None,
    *,
    findings: bool = True,
) -> nx.MultiDiGraph:
    """:func:`subgraph` of the network, building only the part it needs (see :func:`build`).

    ``findings=False``: the whole network may leave out its disease -> mechanism edges, which choose no node
    of it (:func:`evidence_filter` keeps a study by its own evidence); a cut needs them and keeps them."""
    diseases, mechanisms = sorted(set(diseases)), sorted(set(mechanisms))
    if not diseases and not mechanisms:
        return subgraph(build(kg, facts=facts, findings=findings), evidence=evidence)
    scope = diseases or sorted(
        {r["disease_id"] for m in mechanisms for r in kg.rows("diseases-for-mechanism", {"mechanism": m})}
    )
    return subgraph(build(kg, scope), diseases, mechanisms, evidence)


def resolve_id(kg: Graph, text: str, kind: str | None = None) -> str:
    """The node id (a CURIE) that the user's ``text`` names."""
    return _curie(kg.resolve(text, kind))
