"""The naive baseline: parse every Turtle file with rdflib, then run the named query, in one process.

    python bench/naive_lookup.py QUERY_NAME PARAM=IRI [FILE ...]

This is what every command would cost without mscgraph's on-disk index.
"""

from __future__ import annotations

import sys
from pathlib import Path

import rdflib

from mscgraph.model import resources
from mscgraph.query import library as queries
from mscgraph.query.text import without_lateral  # rdflib has no LATERAL


def main(argv: list[str]) -> int:
    name, binding, *files = argv
    key, iri = binding.split("=", 1)
    paths = [Path(f) for f in files] or [resources.ontology_file(), *resources.data_files()]
    graph = rdflib.Graph()
    for path in paths:
        graph.parse(path, format="turtle" if path.suffix == ".ttl" else "nt")
    result = graph.query(without_lateral(queries.get(name).text), initBindings={key: rdflib.URIRef(iri)})
    rows = list(result)
    print(len(rows))
    return 0 if rows else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
