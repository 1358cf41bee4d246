"""pyoxigraph's own serialisation of a store's graphs: the yardstick for `mscgraph export`.

    python bench/oxigraph_dump.py STORE_DIR FORMAT OUT     # FORMAT: nt, ttl, jsonld, rdfxml

STORE_DIR is a pyoxigraph store, or an ``MSCGRAPH_CACHE`` directory: then the store of its (one)
index's current generation, the very store mscgraph reads. Opens it read-only and writes every
named graph with ``Store.dump(out, format, from_graph=graph, prefixes=...)``, one after the other
(RDF/XML cannot be concatenated: its triples go through ``pyoxigraph.serialize`` in one document),
and nothing else. JSON-LD is pyoxigraph's expanded form; mscgraph writes compact JSON-LD.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pyoxigraph as ox

from mscgraph.model.namespaces import PREFIXES

FORMATS = {
    "nt": ox.RdfFormat.N_TRIPLES,
    "ttl": ox.RdfFormat.TURTLE,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}


def store_path(path: Path) -> Path:
    if (path / "CURRENT").exists():
        return path
    manifest = next(path.glob("*/manifest.json"))
    return manifest.parent / json.loads(manifest.read_text())["db"] / "store"


def main(store_dir: str, fmt: str, out: str) -> None:
    store = ox.Store.read_only(str(store_path(Path(store_dir))))
    graphs = sorted(store.named_graphs(), key=lambda g: g.value)
    prefixes = None if fmt == "nt" else dict(PREFIXES)
    with open(out, "wb") as fh:
        if fmt == "rdfxml":
            quads = (q for g in graphs for q in store.quads_for_pattern(None, None, None, g))
            ox.serialize((q.triple for q in quads), fh, FORMATS[fmt], prefixes=prefixes)
            return
        for graph in graphs:
            store.dump(fh, FORMATS[fmt], from_graph=graph, prefixes=prefixes)


if __name__ == "__main__":
    main(*sys.argv[1:4])
