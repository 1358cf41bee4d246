"""Questions answered on the network (:mod:`.network`): what two diseases share, an entity's neighbours."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from mscgraph.model.errors import UsageError

if TYPE_CHECKING:
    import networkx as nx

    from mscgraph.graph import Graph

from mscgraph.views.network import build, resolve_id


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
