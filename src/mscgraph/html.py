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
import json
import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .files import write_atomic

if TYPE_CHECKING:
    import networkx as nx

TITLE = "mscgraph: MSC therapy in autoimmune disease"
LAYOUT_SEED = 20220220
BIG = 1000  # above this many nodes: no improvedLayout, straight edges, fewer stabilisation iterations

KIND_STYLE = {  # kind: (legend label, colour, vis shape, size)
    "disease": ("disease", "#e4572e", "diamond", 30),
    "mechanism": ("immune mechanism", "#2e86ab", "dot", 18),
    "study": ("study", "#6a994e", "square", 11),
    "product": ("MSC product / source", "#8e5ccf", "hexagon", 15),
}
DIRECTION_COLOUR = {
    "increased": "#2a9d8f",
    "improved": "#2a9d8f",
    "decreased": "#d62828",
    "impaired": "#9c6644",
    "modulated": "#e9a23b",
}
OTHER_COLOUR = "#7b8794"
LINK_COLOUR = "#bcccdc"
EVIDENCE_ORDER = ("clinical", "animal", "in vitro", "author statement")
_RELATION_LABEL = {"studies": "studies (cohort or finding in)", "uses": "uses MSC product"}


@cache
def _template(name: str) -> str:
    return resources.files("mscgraph").joinpath("templates", name).read_text("utf-8")


@cache
def vis_assets() -> tuple[str, str]:
    """vis-network's JS and CSS from the pyvis package, made free of URLs.

    The source-map comment is dropped, and ``://`` inside the library's strings and comments (an SVG
    namespace, licence links) is written ``:\\/\\/``, which JavaScript reads as the same string.
    """
    lib = resources.files("pyvis").joinpath("lib", "vis-9.1.2")
    js = lib.joinpath("vis-network.min.js").read_text("utf-8")
    css = lib.joinpath("vis-network.css").read_text("utf-8")
    js = re.sub(r"//# sourceMappingURL=\S*", "", js).replace("://", ":\\/\\/")
    if "://" in css or "@import" in css:
        raise RuntimeError("vis-network.css refers to an external resource")
    return js, css


def _json(data: Any) -> str:
    """JSON that is safe inside a <script> element and contains no literal URL."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char, escape in (
        ("&", "\\u0026"),
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("/", "\\/"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escape)
    return text


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in sorted(data.items()) if v is not None and v != []}


def payload(graph: nx.MultiDiGraph) -> dict[str, Any]:
    """The page's data: vis nodes/edges with their styling, the details panel's data, legend, options."""
    big = graph.number_of_nodes() > BIG
    nodes = []
    for node, d in sorted(graph.nodes(data=True)):
        _, colour, shape, size = KIND_STYLE.get(d["kind"], (d["kind"], OTHER_COLOUR, "dot", 12))
        if d.get("class") == "msc:ReviewStatement":
            colour = OTHER_COLOUR
        names = {node, d.get("name"), d.get("label"), d.get("label_zh"), d.get("abbreviation")}
        nodes.append(
            {
                "id": node,
                "label": str(d.get("name") or node),
                "kind": d["kind"],
                "shape": shape,
                "size": size,
                "color": {
                    "background": colour,
                    "border": "#243b53",
                    "highlight": {"background": colour, "border": "#102a43"},
                },
                "borderWidth": 1,
                "font": {"size": 16 if d["kind"] == "disease" else 13, "color": "#102a43"},
                "search": sorted(str(n) for n in names if n),
                "evidence": d.get("evidence", []),
                "details": _clean({k: v for k, v in d.items() if k != "kind"}),
            }
        )
    edges = []
    for u, v, k, d in sorted(graph.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2])):
        if d["relation"] == "mechanism":
            colour = DIRECTION_COLOUR.get(d["direction"], OTHER_COLOUR)
            count = d.get("study_count", 1)
            edge = {
                "label": d["direction"],
                "width": min(1.5 + 2 * count, 12),
                "color": {"color": colour, "highlight": colour, "opacity": 0.9},
                "dashes": d.get("role") == "disease characteristic",
                "arrows": {"to": {"enabled": True, "scaleFactor": 0.6}},
                "font": {"size": 11, "align": "middle", "color": colour, "strokeWidth": 3},
                "evidence": d.get("evidence", []),
                "studies": d.get("studies", []),
                "details": _clean({key: val for key, val in d.items() if key not in ("findings",)}),
            }
        else:
            edge = {
                "label": "",
                "width": 1,
                "color": {"color": LINK_COLOUR, "highlight": "#486581", "opacity": 0.8},
                "dashes": d["relation"] == "uses",
                "arrows": {"to": {"enabled": False}},
                "evidence": [],
                "studies": [],
                "details": _clean({**d, "relation_label": _RELATION_LABEL.get(d["relation"], d["relation"])}),
            }
        edge.update(id=k, **{"from": u, "to": v}, relation=d["relation"])
        if big:
            edge["smooth"] = False
        edges.append(edge)
    evidence = {e for edge in edges for e in edge["evidence"]} | {
        e for node in nodes for e in node["evidence"]
    }
    ordered_evidence = [e for e in EVIDENCE_ORDER if e in evidence] + sorted(evidence - set(EVIDENCE_ORDER))
    directions = sorted({e["label"] for e in edges if e["relation"] == "mechanism"})
    legend = {
        "kinds": [
            {"label": KIND_STYLE[k][0], "color": KIND_STYLE[k][1], "shape": KIND_STYLE[k][2]}
            for k in ("disease", "mechanism", "study", "product")
        ],
        "links": [
            *(
                {"label": f"effect: {d}", "color": DIRECTION_COLOUR.get(d, OTHER_COLOUR), "dashes": False}
                for d in directions
            ),
            {"label": "disease characteristic (dashed)", "color": OTHER_COLOUR, "dashes": True},
            {"label": "study – disease / product", "color": LINK_COLOUR, "dashes": False},
        ],
        "evidence": ordered_evidence,
    }
    n = len(nodes)
    options = {
        "autoResize": True,
        "layout": {"randomSeed": LAYOUT_SEED, "improvedLayout": not big},
        "physics": {
            "enabled": True,
            "solver": "barnesHut",
            "barnesHut": {
                "gravitationalConstant": -9000 if not big else -3000,
                "centralGravity": 0.25,
                "springLength": 150 if not big else 60,
                "springConstant": 0.03,
                "damping": 0.25,
                "avoidOverlap": 0.1,
            },
            "stabilization": {
                "enabled": True,
                "iterations": 1000 if n <= BIG else 150,
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
    return {"nodes": nodes, "edges": edges, "legend": legend, "options": options}


def _hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode() + "'"


def render(graph: nx.MultiDiGraph, title: str = TITLE) -> str:
    """The whole page as a string."""
    from . import __version__

    vis_js, vis_css = vis_assets()
    app_js = _template("graph.js")
    scripts = [f"\n{vis_js}\n", f"\n{app_js}\n"]  # exactly the text between <script> and </script>
    values = {
        "title": html.escape(title).replace("://", ":&#47;&#47;"),
        "version": __version__,
        "vis_css": vis_css,
        "vis_js": vis_js,
        "app_js": app_js,
        "data": _json(payload(graph)),
        "script_hashes": " ".join(_hash(s) for s in scripts),
    }
    return re.sub(r"\{\{(\w+)\}\}", lambda m: values[m.group(1)], _template("graph.html"))


def write(graph: nx.MultiDiGraph, path: str | Path, title: str = TITLE) -> Path:
    """Write the page atomically (temporary file in the same directory, then rename)."""
    text = render(graph, title)
    write_atomic(path, lambda tmp: tmp.write_text(text, "utf-8"))
    return Path(path)
