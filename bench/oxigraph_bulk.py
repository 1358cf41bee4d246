"""pyoxigraph's own bulk load of the same files mscgraph indexes, into a fresh on-disk store.

    python bench/oxigraph_bulk.py STORE_DIR DATA_DIR

The yardstick for mscgraph's index build: the packaged ontology plus DATA_DIR's Turtle files,
each into its own named graph, with ``Store.bulk_load`` and nothing else.
"""

from __future__ import annotations

import sys

import pyoxigraph as ox

from mscgraph.store.index import Sources


def main(store_dir: str, data: str) -> None:
    store = ox.Store(store_dir)
    for path in Sources.resolve([data]).files:
        store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(path.as_uri()))
    store.flush()


if __name__ == "__main__":
    main(*sys.argv[1:3])
