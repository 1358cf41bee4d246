"""Write the whole graph (ontology + data) to a file or stdout.

:data:`WRITERS` maps a format name to a writer ``(kg, out: BinaryIO) -> None``. The RDF formats
stream triples from the store's indexes through pyoxigraph's serialisers (:mod:`mscgraph.views.rdf`);
other modules add their own formats to the dict (e.g. graph formats for network tools) and
`mscgraph export` offers them all.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from mscgraph.model.errors import UsageError
from mscgraph.model.files import write_atomic
from mscgraph.views import rdf, sssom
from mscgraph.views.graphfiles import EXPORT_WRITERS as GRAPH_WRITERS

if TYPE_CHECKING:
    import pyoxigraph as ox

    from mscgraph.graph import Graph

Writer = Callable[["Graph", BinaryIO], None]


def triples(kg: Graph) -> Iterator[ox.Triple]:
    """Every triple of the ontology and data: from the embedded store file graph after file graph (a
    triple two files state comes twice, the same RDF graph once read), from an endpoint its answer."""
    return kg.engine.triples()


def _rdf_writer(fmt: str) -> Writer:
    def write(kg: Graph, out: BinaryIO) -> None:
        import pyoxigraph as ox

        spec = rdf.FORMATS[fmt]
        if spec.concatenates and spec.pyoxigraph:  # the engine's own serialiser
            kg.engine.dump(out, getattr(ox.RdfFormat, spec.pyoxigraph), spec.prefixes)
        elif spec.pyoxigraph is None:  # compact JSON-LD, from the engine's N-Triples
            rdf.write_jsonld_dump(lambda stream: kg.engine.dump(stream, ox.RdfFormat.N_TRIPLES), out)
        else:
            rdf.write(triples(kg), fmt, out)

    write.__doc__ = f"The graph as {rdf.FORMATS[fmt].label}."
    return write


WRITERS: dict[str, Writer] = {
    **{fmt: _rdf_writer(fmt) for fmt in rdf.FORMATS},  # ttl, nt, rdfxml, jsonld: mscgraph.rdf
    **GRAPH_WRITERS,  # graphml, gexf, cytoscape-json, kgx (tar.gz): mscgraph.network
    "sssom": sssom.write,  # the SKOS mappings as an SSSOM TSV: mscgraph.sssom
}


def export(kg: Graph, fmt: str, output: str | Path | None = None) -> None:
    """Write the graph in ``fmt`` to ``output`` (atomically: a temporary file, then rename) or stdout."""
    writer = WRITERS.get(fmt)
    if writer is None:
        raise UsageError(f"unknown export format {fmt!r}; use one of: {', '.join(WRITERS)}")
    if output is None or str(output) == "-":
        writer(kg, sys.stdout.buffer)
        sys.stdout.buffer.flush()
        return

    def fill(tmp: Path) -> None:
        with open(tmp, "wb") as fh:
            writer(kg, fh)

    write_atomic(output, fill)  # refuses a directory or a missing folder
