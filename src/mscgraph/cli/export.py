"""`mscgraph export`: the whole graph in any format of the registry ``mscgraph.export.WRITERS``.

To add a format, add ``name: writer(kg, binary_stream)`` to that dict; this command offers it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from mscgraph.cli.common import emit, fail, graph_options, handle_errors

if TYPE_CHECKING:
    from mscgraph.api import KnowledgeGraph


def _export_formats() -> list[str]:
    from mscgraph.views.export import WRITERS

    return list(WRITERS)


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(_export_formats()),
    default="ttl",
    show_default=True,
    help="ttl, nt, rdfxml, jsonld (compact): the RDF graph (ontology + data); graphml, gexf, cytoscape-json, "
    "kgx: the typed network of diseases, mechanisms, studies and MSC products (see `mscgraph html`); sssom: "
    "the mappings to MONDO, CL, HGNC, ... as an SSSOM TSV.",
)
@click.option("--output", "-o", metavar="FILE", help="Write to FILE (atomically) instead of stdout.")
@graph_options
@handle_errors
def export(fmt: str, output: str | None, kg: KnowledgeGraph) -> None:
    """Write the whole graph to stdout or FILE: as RDF, or as a network for Gephi, Cytoscape or Neo4j."""
    from mscgraph.views.export import export as write

    try:
        write(kg, fmt, output)
    except BrokenPipeError:
        emit("")  # `| head`: end quietly
    except OSError as exc:
        if output not in (None, "-"):
            raise
        fail(f"cannot write the output: {exc.strerror or exc}")
