"""The naive baseline: a plain rdflib in-memory Graph, parsing the Turtle on every command.

    python bench/naive.py query NAME [KEY=IRI ...] --data DIR
    python bench/naive.py export OUT.nt --data DIR
    python bench/naive.py validate --data DIR
    python bench/naive.py html OUT.html --disease IRI --data DIR

Each subcommand parses the packaged ontology plus the Turtle files of DIR (what
``mscgraph --data DIR`` reads), then does the same work as the mscgraph command it stands
beside: the same named query, rdflib's N-Triples serialiser, pyshacl with the same shapes, or
the same disease's mechanisms drawn with pyvis.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import rdflib

from mscgraph.model import resources
from mscgraph.query import library as queries
from mscgraph.query.text import without_lateral  # rdflib has no LATERAL


def parse(data: Path | None) -> rdflib.Graph:
    paths = [resources.ontology_file(), *resources.data_files(data)]
    graph = rdflib.Graph()
    for path in paths:
        graph.parse(path, format="turtle" if path.suffix == ".ttl" else "nt")
    return graph


def query(graph: rdflib.Graph, name: str, bindings: list[str]) -> list[rdflib.query.ResultRow]:
    init = {k: rdflib.URIRef(v) for k, v in (b.split("=", 1) for b in bindings)}
    return list(graph.query(without_lateral(queries.get(name).text), initBindings=init))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=None, help="data directory (default: packaged data)")
    sub = parser.add_subparsers(dest="command", required=True)
    q = sub.add_parser("query")
    q.add_argument("name")
    q.add_argument("bindings", nargs="*", metavar="KEY=IRI")
    e = sub.add_parser("export")
    e.add_argument("output", type=Path)
    sub.add_parser("validate")
    h = sub.add_parser("html")
    h.add_argument("output", type=Path)
    h.add_argument("--disease", required=True)
    args = parser.parse_args(argv)

    graph = parse(args.data)
    if args.command == "query":
        print(len(query(graph, args.name, args.bindings)))
    elif args.command == "export":
        graph.serialize(args.output, format="nt", encoding="utf-8")
    elif args.command == "validate":
        import pyshacl

        shapes = rdflib.Graph().parse(resources.shapes_file())
        ontology = rdflib.Graph().parse(resources.ontology_file())
        conforms, _, _ = pyshacl.validate(graph, shacl_graph=shapes, ont_graph=ontology)
        print("conforms" if conforms else "problems")
    else:
        from pyvis.network import Network

        rows = query(graph, "mechanisms-for-disease", [f"disease={args.disease}"])
        net = Network(directed=True)
        net.add_node(args.disease, label=args.disease.rsplit("/", 1)[-1])
        for row in rows:
            mechanism = str(row["mechanism_id"])
            net.add_node(mechanism, label=str(row["mechanism_label"]))
            net.add_edge(args.disease, mechanism, title=f"{row['direction']} ({row['role']})")
        net.write_html(str(args.output), notebook=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
