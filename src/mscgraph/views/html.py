"""A networkx graph (see :mod:`mscgraph.network`) -> one self-contained, safe, interactive HTML page.

The page inlines vis-network (shipped inside the pyvis package) and our own template
(``templates/graph.html`` + ``graph.js``): no CDN, no Bootstrap, no URL of any kind is fetched, and a
Content-Security-Policy allows only the page's own two scripts (by hash) and no connections. All
data travels as one JSON block whose ``<``, ``>``, ``&`` and ``/`` are escaped, and the script puts
text into the page only through ``textContent``, so a label like ``<img src=x onerror=...>`` stays text.
Output is deterministic: nodes and edges sorted by id, a fixed layout seed, no timestamp.
"""

from __future__ import annotations

import base64
import hashlib
import html
import importlib.util
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias, cast

from mscgraph.evidence import summary as evidence
from mscgraph.evidence.findings import citation
from mscgraph.model.files import write_atomic
from mscgraph.model.namespaces import CONVERTER
from mscgraph.names.keys import name_keys, normalize
from mscgraph.query.terms import iri
from mscgraph.store.facts import decode
from mscgraph.views.wholegraph import Facts, evidence_rows, summary_rows

if TYPE_CHECKING:
    import networkx as nx
    import pyoxigraph as ox

    from mscgraph.graph import Graph

TITLE = "mscgraph: MSC therapy in autoimmune disease"
LAYOUT_SEED = 20220220
BIG = 300  # above this many nodes: a layout computed here (no physics in the page), straight edges
SPACING = 45  # pixels between neighbours in that layout
GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))

KIND_STYLE = {  # kind: (legend label, colour, vis shape, size)
    "disease": ("disease", "#e4572e", "diamond", 30),
    "cells": ("MSCs themselves (general properties)", "#f4a259", "star", 30),
    "mechanism": ("other immune mechanism", "#9fb3c8", "dot", 13),
    "study": ("study", "#6a994e", "square", 11),
    "product": ("MSC product / source", "#8e5ccf", "hexagon", 15),
}
FONT_SIZE = {"disease": 30, "cells": 28, "mechanism": 21, "study": 15, "product": 15}
# the five headline families (docs/evidence.md), by their msc:familyOrder
FAMILY_COLOUR = {1: "#1565c0", 2: "#c2185b", 3: "#6a1b9a", 4: "#ef6c00", 5: "#00897b"}
DIRECTION_COLOUR = {
    "increased": "#2a9d8f",
    "improved": "#2a9d8f",
    "decreased": "#d62828",
    "impaired": "#9c6644",
    "modulated": "#e9a23b",
    "unchanged": "#486581",
    "not improved": "#9c6644",
}
AGREEMENT_COLOUR = {"mixed": "#7b8794", "conflicting": "#7b2cbf"}  # drawn dashed
ROLE_ARROW = {  # the role of a link: the shape of its arrow head at the mechanism
    "MSC therapy effect": "arrow",
    "combined regimen effect": "vee",
    "effect of another treatment": "bar",
    "disease characteristic": "circle",
    "general MSC property": "diamond",
}
ROLE_WORD = {
    "MSC therapy effect": "therapy",
    "combined regimen effect": "MSC+",
    "effect of another treatment": "other",
    "disease characteristic": "disease",
    "general MSC property": "MSC",
}
OTHER_COLOUR = "#7b8794"
LINK_COLOUR = "#bcccdc"
EVIDENCE_ORDER = evidence.EVIDENCE_ORDER
_RELATION_LABEL = {
    "studies": "studies (cohort or finding in)",
    "uses": "uses MSC product",
    "family": "same mechanism family",
}
DOI_PREFIX = "doi:"  # the page writes https://doi.org/... and PubMed anchors at run time


@cache
def _template(name: str) -> str:
    return resources.files("mscgraph.views").joinpath("templates", name).read_text("utf-8")


@cache
def vis_assets() -> tuple[str, str]:
    """vis-network's JS and CSS from the pyvis package, made free of URLs.

    The source-map comment is dropped, and ``://`` inside the library's strings and comments (an SVG
    namespace, licence links) is written ``:\\/\\/``, which JavaScript reads as the same string.
    The package's folder is found without importing it (``import pyvis`` loads jinja2 and its network
    module: 0.2-0.5 s for two files).
    """
    spec = importlib.util.find_spec("pyvis")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the pyvis package (vis-network's files) is not installed")
    lib = Path(spec.submodule_search_locations[0], "lib", "vis-9.1.2")
    js = lib.joinpath("vis-network.min.js").read_text("utf-8")
    css = lib.joinpath("vis-network.css").read_text("utf-8")
    js = re.sub(r"//# sourceMappingURL=\S*", "", js).replace("://", ":\\/\\/")
    if "://" in css or "@import" in css:
        raise RuntimeError("vis-network.css refers to an external resource")
    return js, css


def script_json(data: Any) -> str:
    """JSON that is safe inside a <script> element and contains no literal URL.

    ASCII only (other characters as ``\\uXXXX``, which also covers U+2028 and U+2029): Python's encoder
    writes it twice as fast as mixed text (24 MB at x100: 0.25 s, not 0.5), for a tenth more bytes."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    for char, escape in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"), ("/", "\\/")):
        text = text.replace(char, escape)
    return text


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    """Without the unset values (the page's JSON sorts the keys)."""
    return {k: v for k, v in data.items() if v is not None and v != []}


# --- the evidence the page shows: link summaries, their findings, the grid's order, names ----------


@dataclass
class PageEvidence:
    """What the page shows beside the network: one summary per link (subject, mechanism, role) from
    :func:`mscgraph.evidence.summaries`, each with the rows of its findings (one per finding and study,
    from the ``evidence`` query), the grid's column and row order, mechanism families and name keys."""

    links: list[dict[str, Any]] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)
    columns: list[dict[str, str]] = field(default_factory=list)  # subject id and name, grid order
    rows: list[str] = field(default_factory=list)  # mechanism ids, grid order (headline families first)
    families: dict[str, dict[str, Any]] = field(default_factory=dict)  # mechanism -> family, order
    subjects: dict[str, dict[str, Any]] = field(default_factory=dict)  # subject -> label, label_zh
    names: dict[str, list[str]] = field(default_factory=dict)  # normalised name key -> entity ids


def link_id(subject: str, mechanism: str, role: str) -> str:
    return "~".join((subject, mechanism, role.split(":", 1)[-1]))


def page_evidence(
    kg: Graph,
    diseases: Iterable[str] = (),
    mechanisms: Iterable[str] = (),
    evidence_type: str = "all",
    facts: Facts | None = None,
    network: nx.MultiDiGraph | None = None,
    shown: Callable[[], Shown] | None = None,
) -> PageEvidence:
    """The page's evidence, cut like :func:`mscgraph.network.view` (diseases, mechanisms, evidence type).

    With an evidence type, a link keeps only the findings of that type (and is left out without any);
    its summary stays the summary of the whole link, so the page says how many of its findings it holds.
    A cut page (diseases or mechanisms) runs the ``link-summary`` and ``evidence`` queries bound to what it
    shows, so its cost follows the cut, not the graph; the whole graph's rows are joined from flat facts
    (:mod:`.wholegraph`; ``facts``: those already read, which any page may also be cut from).
    ``network``: the network the page draws; the page's search then knows the names of its nodes (and
    their publications) only, not of every entity in the graph. ``shown``: gives the links and findings
    the page shows, made elsewhere (see :func:`whole_page`).
    """
    diseases, mechanisms = set(diseases), set(mechanisms)
    # the queries and the names first, while ``shown`` may still be at work
    families = evidence.mechanism_families(kg)
    diseases_named = kg.rows("_diseases")
    labels = {r["entity"]: (r["label"], r["label_zh"]) for r in kg.rows("_subject-labels")}
    names = _page_names(kg, None if network is None else _named_entities(network, labels))
    if shown is not None:
        links, findings = shown()
    else:
        if (diseases or mechanisms) and facts is None:
            joined = _bound_evidence(kg, diseases, mechanisms)
        else:
            joined = whole_evidence(facts or Facts(kg))
        links, findings = cut(joined, diseases, mechanisms, evidence_type)
    summaries = cast(list[evidence.LinkSummary], links)  # each with its id and rows too
    columns, grid_rows = evidence.grid(kg, role=None, links=summaries, families=families)
    names_by_subject = {link["subject_name"]: link["subject"] for link in links}
    names_by_subject.update({r["disease_name"]: r["disease"] for r in diseases_named})
    return PageEvidence(
        links=links,
        findings=findings,
        columns=[{"id": names_by_subject[c], "name": c} for c in columns[2:] if c in names_by_subject],
        rows=[r["mechanism_id"] for r in grid_rows],
        families={m: {"family": family, "order": order} for m, (family, order) in families.items()},
        subjects={
            link["subject"]: {
                "name": link["subject_name"],
                "label": labels.get(link["subject"], (None, None))[0] or link["subject_name"],
                "label_zh": labels.get(link["subject"], (None, None))[1],
            }
            for link in links
        },
        names=names,
    )


Joined: TypeAlias = tuple[list[evidence.LinkSummary], list[dict[str, Any]]]
Shown: TypeAlias = tuple[list[dict[str, Any]], list[dict[str, Any]]]  # links and findings (see cut)


def whole_evidence(facts: Facts) -> Joined:
    """Every link's summary and every ``evidence`` row (unbound values left out), joined from ``facts``."""
    return [evidence.summary_of(r) for r in summary_rows(facts)], evidence_rows(facts)


def cut(joined: Joined, diseases: set[str], mechanisms: set[str], evidence_type: str) -> Shown:
    """The links and findings a page shows, of the link summaries and ``evidence`` rows ``joined``: each
    link of the diseases and mechanisms (none: any) with findings of ``evidence_type``, with its id and
    the indices of those findings (a finding and study each) in the findings, which are in
    (disease, mechanism, role, finding, study) order, each with its citation."""
    every_link, rows = joined
    by_link: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    findings: list[dict[str, Any]] = []
    for r in sorted(rows, key=lambda r: (r["disease"], r["mechanism"], r["role"], r["finding"], r["study"])):
        if evidence_type != "all" and r["evidence"] != evidence_type:
            continue
        by_link[(r["disease"], r["mechanism"], r["role"])].append(len(findings))
        findings.append({"citation": citation(r), **r})
    links: list[dict[str, Any]] = [
        {
            **s,
            "id": link_id(s["subject"], s["mechanism"], s["role"]),
            "rows": by_link[(s["subject"], s["mechanism"], s["role_label"])],
        }
        for s in every_link
        if (not diseases or s["subject"] in diseases)
        and (not mechanisms or s["mechanism"] in mechanisms)
        and (s["subject"], s["mechanism"], s["role_label"]) in by_link
    ]
    used = sorted({i for link in links for i in link["rows"]})
    renumber = {old: new for new, old in enumerate(used)}
    for link in links:
        link["rows"] = [renumber[i] for i in link["rows"]]
    return links, [findings[i] for i in used]


def whole_page(kg: Graph, evidence_type: str = "all") -> tuple[nx.MultiDiGraph, PageEvidence]:
    """The whole graph's network and page evidence, from its facts read once.

    The evidence is joined and cut in a forked child (:class:`~mscgraph.model.forked.Forked`) while
    this process builds the network and runs the page's queries, which take about as long (1-1.5 s each
    at x100, on two cores). Each process decodes
    the facts the index keeps itself: a child that read the parent's copy would copy each page of it that
    it touches (its objects' reference counts), which in a virtual machine cost it half again its time.
    An engine's facts (an index in memory, an endpoint) are read once, here, before the fork.
    """
    from mscgraph.model.forked import Forked
    from mscgraph.views import network

    kept = kg.kept_facts.kept() if kg.kept_facts is not None else None
    read = Facts(kg) if kept is None else None

    def facts() -> Facts:
        return read if read is not None else Facts(kept=decode(kept or []))

    with Forked(lambda: cut(whole_evidence(facts()), set(), set(), evidence_type)) as child:
        graph = network.view(kg, evidence=evidence_type, facts=(mine := facts()), findings=False)
        return graph, page_evidence(kg, (), (), evidence_type, mine, graph, child.result)


def _bound_evidence(
    kg: Graph, diseases: set[str], mechanisms: set[str]
) -> tuple[list[evidence.LinkSummary], list[dict[str, Any]]]:
    """The summaries of the links of ``diseases`` (or, without diseases, of ``mechanisms``), cut to both,
    and the ``evidence`` rows of each (subject, mechanism) they link: queries bound to the cut."""
    if diseases:
        links = [s for d in sorted(diseases) for s in evidence.summaries(kg, subject=d)]
    else:
        links = [s for m in sorted(mechanisms) for s in evidence.summaries(kg, mechanism=m)]
    links = sorted(
        (s for s in links if not mechanisms or s["mechanism"] in mechanisms),
        key=lambda s: (_expand(s["subject"]), s["tier"], s["mechanism_name"].lower(), _expand(s["role"])),
    )  # link-summary's order, as the whole graph's rows have it
    pairs = sorted({(s["subject"], s["mechanism"]) for s in links})
    rows = [r for d, m in pairs for r in kg.rows("evidence", {"disease": _iri(d), "mechanism": _iri(m)})]
    return links, [{k: v for k, v in r.items() if v is not None} for r in rows]


def _named_entities(network: nx.MultiDiGraph, subjects: Iterable[str]) -> set[str]:
    """The entities whose names the page's search needs: its nodes, their publications, and the subjects
    (diseases, MSCs) that its links may start from (known before the links are)."""
    publications = {d["publication"] for _, d in network.nodes(data=True) if d.get("publication")}
    return set(network) | publications | set(subjects)


def _page_names(kg: Graph, wanted: set[str] | None) -> dict[str, list[str]]:
    """Normalised name key -> the ``wanted`` entities (None: every entity) one of whose names has it."""
    names: dict[str, set[str]] = defaultdict(set)
    if kg.names.index is not None:  # the name index has every key: no scan of every name
        compact = cache(CONVERTER.compact)  # an entity has many keys
        keys = kg.names.index.all_keys() if wanted is None else kg.names.index.keys_of(map(_expand, wanted))
        for key, entity in keys:
            names[key].add(compact(entity))
    else:
        for r in kg.rows("_name-scan"):
            if wanted is None or r["entity"] in wanted:
                for key in name_keys(r["text"]) | {normalize(r["entity"].split(":", 1)[-1])}:
                    names[key].add(r["entity"])
    return {k: sorted(v) for k, v in sorted(names.items()) if k}


def _expand(curie: str) -> str:
    return CONVERTER.expand(curie) or curie


def _iri(curie: str) -> ox.NamedNode:
    return iri(_expand(curie))


def _families(graph: nx.MultiDiGraph, ev: PageEvidence, degree: Counter[str]) -> list[dict[str, Any]]:
    """Family links: each member of a headline family to the family's best-linked member (FoxP3 -> Treg)."""
    members: dict[int, list[str]] = defaultdict(list)
    for mechanism, fam in sorted(ev.families.items()):
        if mechanism in graph:
            members[fam["order"]].append(mechanism)
    edges = []
    for order, ids in sorted(members.items()):
        head = min(ids, key=lambda m: (-degree[m], m))
        colour = FAMILY_COLOUR.get(order, OTHER_COLOUR)
        for m in ids:
            if m != head:
                edges.append(
                    {
                        "id": f"{m}~family~{head}",
                        "from": m,
                        "to": head,
                        "relation": "family",
                        "label": "",
                        "width": 2,
                        "dashes": [2, 5],
                        "color": {"color": colour, "highlight": colour, "opacity": 0.9},
                        "arrows": {"to": {"enabled": False}},
                        "details": {
                            "relation_label": _RELATION_LABEL["family"],
                            "family": ev.families[m]["family"],
                        },
                    }
                )
    return edges


def positions(nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> dict[str, tuple[int, int]]:
    """A big page's layout, computed here once (vis physics on thousands of nodes keeps a browser busy
    for a minute): the diseases and MSCs on a circle; each mechanism at the centre of the subjects it is
    linked to (a family member without links: of its family), each product at that of its studies'
    subjects, each study at its disease's; nodes that share a place are spread on a golden-angle spiral
    around it. Linear in the graph and deterministic."""
    kinds = {n["id"]: n["kind"] for n in nodes}
    near: dict[str, set[str]] = defaultdict(set)
    for e in edges:
        near[e["from"]].add(e["to"])
        near[e["to"]].add(e["from"])
    subjects = sorted(n for n, kind in kinds.items() if kind in ("disease", "cells"))
    radius = SPACING * len(nodes) ** 0.5
    centre: dict[str, tuple[float, float] | None] = {
        s: (
            radius * math.cos(2 * math.pi * i / len(subjects)),
            radius * math.sin(2 * math.pi * i / len(subjects)),
        )
        for i, s in enumerate(subjects)
    }
    placed = set(subjects)
    for n in sorted(kinds):
        if n not in placed:
            via = {s for study in near[n] for s in near[study]} if kinds[n] == "product" else near[n]
            centre[n] = _mean([c for s in sorted(via & placed) if (c := centre[s])])
    for n in sorted(kinds):  # not linked to a subject: where its neighbours are, else the middle
        if centre[n] is None:
            centre[n] = _mean([c for m in sorted(near[n]) if (c := centre.get(m))]) or (0.0, 0.0)
    groups: dict[tuple[int, int], list[str]] = defaultdict(list)
    for n in sorted(kinds, key=lambda n: (n not in placed, kinds[n], n)):
        x, y = centre[n]  # type: ignore[misc]
        groups[(round(x), round(y))].append(n)
    pos = {}
    for (x, y), members in groups.items():
        for k, n in enumerate(members):
            r, angle = SPACING * math.sqrt(k), k * GOLDEN_ANGLE
            pos[n] = (round(x + r * math.cos(angle)), round(y + r * math.sin(angle)))  # whole pixels
    return pos


def _mean(points: list[tuple[float, float]]) -> tuple[float, float] | None:
    if not points:
        return None
    return (sum(x for x, _ in points) / len(points), sum(y for _, y in points) / len(points))


def _link_edge(link: dict[str, Any], parallel: int, count: int, big: bool) -> dict[str, Any]:
    """One drawn edge per link; links between the same two nodes get their own curve."""
    if link["agreement"] == "consistent":
        colour = DIRECTION_COLOUR.get(link["directions"][0], OTHER_COLOUR)
    else:
        colour = AGREEMENT_COLOUR.get(link["agreement"], OTHER_COLOUR)
    arrows = "".join(evidence.ARROWS.get(d, "?") for d in link["directions"])
    side = "curvedCW" if parallel % 2 == 0 else "curvedCCW"
    roundness = 0.08 + 0.22 * ((parallel + 1) // 2) if count > 1 else 0.08
    return {
        "id": link["id"],
        "from": link["subject"],
        "to": link["mechanism"],
        "relation": "link",
        "label": f"{arrows} {link['tier']} {ROLE_WORD.get(link['role_label'], '')}".strip(),
        "width": min(1.5 + 2 * link["studies"], 12),
        "dashes": [8, 6] if link["agreement"] != "consistent" else False,
        "color": {"color": colour, "highlight": colour, "opacity": 0.95},
        "arrows": {
            "to": {"enabled": True, "type": ROLE_ARROW.get(link["role_label"], "arrow"), "scaleFactor": 0.7}
        },
        "font": {"size": 13, "align": "middle", "color": colour, "strokeWidth": 4},
        "smooth": {"enabled": True, "type": side, "roundness": roundness}
        if (count > 1 or not big)
        else False,
    }


def payload(graph: nx.MultiDiGraph, ev: PageEvidence) -> dict[str, Any]:
    """The page's data: vis nodes/edges with their styling, the panels' data, grid, legend, options, and
    the search's names (:func:`search_names`).

    The network's disease-mechanism edges are not drawn: each link of ``ev`` is, one per
    (subject, mechanism, role), so that no finding hides behind another."""
    return {**_drawing(graph, ev), "names": search_names(graph, ev)}


Entry: TypeAlias = tuple[str, dict[str, Any]]  # a node's id and data


def _entries(
    graph: nx.MultiDiGraph, ev: PageEvidence
) -> tuple[list[Entry], list[dict[str, Any]], Counter[str]]:
    """The page's nodes (the network's, and the subjects of links that it has not: MSCs), sorted by id,
    with their data; the links it draws; and each node's number of drawn links."""
    links = [link for link in ev.links if link["mechanism"] in graph]
    degree = Counter(x for link in links for x in (link["subject"], link["mechanism"]))
    extra = {s: info for s, info in ev.subjects.items() if s not in graph and degree[s]}
    entries = [(n, d) for n, d in graph.nodes(data=True)] + [
        (
            s,
            {
                "kind": "cells",
                "name": info["name"],
                "label": info["label"],
                "label_zh": info["label_zh"],
                "class_label": "MSCs (general properties)",
            },
        )
        for s, info in extra.items()
    ]
    return sorted(entries, key=lambda e: e[0]), links, degree


def search_names(graph: nx.MultiDiGraph, ev: PageEvidence) -> dict[str, list[str]]:
    """The page's search: normalised name key -> the nodes it finds. A publication's names find its
    study; every node is found by its own id, label and name too (also without a name index)."""
    entries, _, _ = _entries(graph, ev)
    node_ids = {n for n, _ in entries}
    publications = {d["publication"]: n for n, d in entries if d.get("publication")}
    names: dict[str, set[str]] = defaultdict(set)
    for key, entities in ev.names.items():
        for e in entities:
            target = publications.get(e, e)
            if target in node_ids:
                names[key].add(target)
    keys_of = cache(name_keys)  # labels repeat (a citation names several studies)
    for node, d in entries:
        for text in (node.split(":", 1)[-1], node, str(d.get("name") or node), d.get("label")):
            for key in keys_of(str(text or "")):
                names[key].add(node)
    return {k: sorted(v) for k, v in sorted(names.items())}


def _drawing(graph: nx.MultiDiGraph, ev: PageEvidence) -> dict[str, Any]:
    """The page's data but its search's names."""
    big = graph.number_of_nodes() > BIG
    entries, links, degree = _entries(graph, ev)
    nodes = []
    kinds = {n: d["kind"] for n, d in graph.nodes(data=True)}
    for node, d in entries:
        kind = d["kind"]
        kinds[node] = kind
        _, colour, shape, size = KIND_STYLE.get(kind, (kind, OTHER_COLOUR, "dot", 12))
        family = ev.families.get(node)
        if family and family["order"] in FAMILY_COLOUR:
            colour, size = FAMILY_COLOUR[family["order"]], 24
        if d.get("class") == "msc:ReviewStatement":
            colour = OTHER_COLOUR
        nodes.append(
            {
                "id": node,
                "label": str(d.get("name") or node),
                "kind": kind,
                "shape": shape,
                "size": size,
                "color": {
                    "background": colour,
                    "border": "#243b53",
                    "highlight": {"background": colour, "border": "#102a43"},
                },
                "borderWidth": 2 if family else 1,
                "font": {
                    "size": FONT_SIZE.get(kind, 14) + (4 if family else 0),
                    "color": "#102a43",
                    "strokeWidth": 3,
                    "strokeColor": "#ffffff",
                },
                "family": family["family"] if family else None,
                "evidence": d.get("evidence", []),
                "details": _clean({k: v for k, v in d.items() if k != "kind"}),
            }
        )
    edges = []
    for u, v, k, d in sorted(graph.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2])):
        if d["relation"] == "mechanism":
            continue  # drawn as links, below
        edges.append(
            {
                "id": k,
                "from": u,
                "to": v,
                "relation": d["relation"],
                "label": "",
                "width": 1,
                "color": {"color": LINK_COLOUR, "highlight": "#486581", "opacity": 0.8},
                "dashes": d["relation"] == "uses",
                "arrows": {"to": {"enabled": False}},
                "details": _clean({**d, "relation_label": _RELATION_LABEL.get(d["relation"], d["relation"])}),
                **({"smooth": False} if big else {}),
            }
        )
    edges += _families(graph, ev, degree)
    pairs: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for link in links:
        pairs[(link["subject"], link["mechanism"])].append(link)
    for group in pairs.values():
        edges += [_link_edge(link, i, len(group), big) for i, link in enumerate(group)]
    edges.sort(key=lambda e: e["id"])
    evidence_types = {f["evidence"] for f in ev.findings}
    directions = sorted(
        {d for link in links if link["agreement"] == "consistent" for d in link["directions"]}
    )
    legend = {
        "kinds": [
            {"label": KIND_STYLE[k][0], "color": KIND_STYLE[k][1], "shape": KIND_STYLE[k][2], "kind": k}
            for k in ("disease", "cells", "mechanism", "study", "product")
            if k in kinds.values()
        ],
        "families": [
            {"label": name, "color": FAMILY_COLOUR[order]}
            for order, name in sorted({(f["order"], f["family"]) for f in ev.families.values()})
            if order in FAMILY_COLOUR
        ],
        "links": [
            *(
                {
                    "label": f"{evidence.ARROWS.get(d, '?')} {d}",
                    "color": DIRECTION_COLOUR.get(d, OTHER_COLOUR),
                    "dashes": False,
                }
                for d in directions
            ),
            *({"label": f"{a} (dashed)", "color": c, "dashes": True} for a, c in AGREEMENT_COLOUR.items()),
            {"label": "study – disease / product (grey)", "color": LINK_COLOUR, "dashes": False},
        ],
        "roles": [
            {"label": role, "word": ROLE_WORD[role], "arrow": arrow} for role, arrow in ROLE_ARROW.items()
        ],
        "evidence": [e for e in EVIDENCE_ORDER if e in evidence_types]
        + sorted(evidence_types - set(EVIDENCE_ORDER)),
    }
    by_id = {n["id"]: n for n in nodes}
    node_ids = set(by_id)
    if big:  # laid out here; the page only draws
        for node, (x, y) in positions(nodes, edges).items():
            by_id[node].update(x=x, y=y)
    options = {
        "autoResize": True,
        "layout": {"randomSeed": LAYOUT_SEED, "improvedLayout": not big},
        "physics": {
            "enabled": not big,
            "solver": "barnesHut",
            "barnesHut": {
                "gravitationalConstant": -9000 if not big else -3000,
                "centralGravity": 0.25,
                "springLength": 120 if not big else 60,
                "springConstant": 0.03,
                "damping": 0.25,
                "avoidOverlap": 0.1,
            },
            "stabilization": {
                "enabled": True,
                "iterations": 1000,
                "updateInterval": 25,
                "fit": True,
            },
            "minVelocity": 1.0,
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 10**6,
            "hideEdgesOnDrag": big,
            "hideEdgesOnZoom": big,
            "multiselect": False,
        },
        "nodes": {"font": {"face": "system-ui, Noto Sans CJK SC, sans-serif"}},
        "edges": {
            "smooth": False if big else {"enabled": True, "type": "continuous", "roundness": 0.3},
            "selectionWidth": 2,
        },
    }
    return {
        "nodes": nodes,
        "edges": edges,
        "links": links,
        "findings": ev.findings,
        "grid": {"columns": [c for c in ev.columns if c["id"] in node_ids], "rows": ev.rows},
        "legend": legend,
        "options": options,
        "tiers": evidence.TIER_RULES,
    }


def title_for(
    graph: nx.MultiDiGraph,
    diseases: Iterable[str] = (),
    mechanisms: Iterable[str] = (),
    evidence_type: str = "all",
) -> str:
    """The page's title; a cut page names what it holds (``mscgraph: SS (Sjögren syndrome), clinical``)."""
    parts = [
        f"{graph.nodes[n]['name']} ({graph.nodes[n]['label']})"
        if graph.nodes[n]["name"] != graph.nodes[n]["label"]
        else graph.nodes[n]["name"]
        for n in (*diseases, *mechanisms)
        if n in graph
    ]
    if evidence_type != "all":
        parts.append(f"{evidence_type} evidence")
    return f"mscgraph: {', '.join(parts)}" if parts else TITLE


def _hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode() + "'"


def render(graph: nx.MultiDiGraph, ev: PageEvidence, title: str = TITLE) -> str:
    """The whole page as a string."""
    return "".join(_parts(graph, ev, title))


def _parts(graph: nx.MultiDiGraph, ev: PageEvidence, title: str) -> list[str]:
    """The page's text in pieces: the template's and the values put into it, the data in the pieces of
    :func:`_page_json` (tens of MB of ASCII: joined to the libraries' non-ASCII text it would be copied
    at 2 bytes a character, then encoded again)."""
    from mscgraph.model.version import __version__

    vis_js, vis_css = vis_assets()
    app_js = _template("graph.js")
    scripts = [f"\n{vis_js}\n", f"\n{app_js}\n"]  # exactly the text between <script> and </script>
    values = {
        "title": html.escape(title).replace("://", ":&#47;&#47;"),
        "version": __version__,
        "vis_css": vis_css,
        "vis_js": vis_js,
        "app_js": app_js,
        "script_hashes": " ".join(_hash(s) for s in scripts),
    }
    pieces = re.split(r"\{\{(\w+)\}\}", _template("graph.html"))  # text, name, text, name, ..., text
    out: list[str] = []
    for i, piece in enumerate(pieces):
        if i % 2 == 0:
            out.append(piece)
        elif piece == "data":
            out += _page_json(graph, ev)
        else:
            out.append(values[piece])
    return out


def page_json(graph: nx.MultiDiGraph, ev: PageEvidence) -> str:
    """``script_json(payload(graph, ev))``."""
    return "".join(_page_json(graph, ev))


def _page_json(graph: nx.MultiDiGraph, ev: PageEvidence) -> list[str]:
    """:func:`page_json` in pieces (its text joined would be one more copy of tens of MB). The nodes and
    the findings (two thirds of it) are encoded in a forked child (:class:`~mscgraph.model.forked.Forked`)
    while this process encodes the rest and builds the search's names."""
    from mscgraph.model.forked import Forked

    drawing = _drawing(graph, ev)
    beside = ("nodes", "findings")
    with Forked(lambda: [script_json(drawing[key]) for key in beside]) as child:
        parts = {key: script_json(value) for key, value in drawing.items() if key not in beside}
        parts["names"] = script_json(search_names(graph, ev))
        parts.update(zip(beside, child.result(), strict=True))
    pieces = ["{"]
    for key in sorted(parts):
        pieces += [script_json(key), ":", parts[key], ","]
    pieces[-1] = "}"
    return pieces


def write(graph: nx.MultiDiGraph, ev: PageEvidence, path: str | Path, title: str = TITLE) -> Path:
    """Write the page atomically (temporary file in the same directory, then rename)."""
    data = [part.encode("utf-8") for part in _parts(graph, ev, title)]

    def save(tmp: Path) -> None:
        with tmp.open("wb") as out:
            out.writelines(data)

    write_atomic(path, save)
    return Path(path)
