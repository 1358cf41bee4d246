"""The ``html`` command: the interactive, self-contained graph page."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mscgraph.cli.common import graph_options, handle_errors, output_option

if TYPE_CHECKING:
    from mscgraph.api import KnowledgeGraph


@click.command("html")
@output_option("The HTML file to write (atomically).")
@click.option(
    "--disease",
    "diseases",
    multiple=True,
    metavar="X",
    help="Only this disease, its mechanisms, studies and products (repeatable).",
)
@click.option(
    "--mechanism",
    "mechanisms",
    multiple=True,
    metavar="M",
    help="Only this mechanism, the diseases it is linked to and their studies (repeatable).",
)
@click.option(
    "--evidence",
    type=click.Choice(["clinical", "animal", "all"]),
    default="all",
    show_default=True,
    help="Only the findings (and studies) of this evidence type.",
)
@click.option("--title", default=None, help="The page's title.")
@graph_options
@handle_errors
def html_command(
    out: Path,
    diseases: tuple[str, ...],
    mechanisms: tuple[str, ...],
    evidence: str,
    title: str | None,
    kg: KnowledgeGraph,
) -> None:
    """Write an interactive page of the graph: search, filters, and the evidence behind each link.

    One file, no external resources: open it from disk, e-mail it. Click a disease-mechanism link to
    see its studies with cohort sizes and the review's sentence in Chinese and English.
    """
    from mscgraph.views import html, network

    disease_ids = list(dict.fromkeys(network.resolve_id(kg, d, "disease") for d in diseases))  # once each
    mechanism_ids = list(dict.fromkeys(network.resolve_id(kg, m, "mechanism") for m in mechanisms))
    # The page's millions of objects live until it is written: the cycle collector would only walk them
    # again and again (a third of the page's time at x100); whatever it would free is freed at the end.
    gc.disable()
    try:
        if not disease_ids and not mechanism_ids:
            graph, page = html.whole_page(kg, evidence)
        else:
            graph = network.view(kg, disease_ids, mechanism_ids, evidence)
            page = html.page_evidence(kg, disease_ids, mechanism_ids, evidence, network=graph)
        if title is None:
            title = html.title_for(graph, disease_ids, mechanism_ids, evidence)
        html.write(graph, page, out, title)
    finally:
        # The objects made meanwhile go straight to the oldest generation, as if they had lived through
        # collections: else the collector's first pass after this (the next allocation) would walk them
        # all as young objects (0.2 s at x100). They are collected with that generation, as usual.
        gc.freeze()
        gc.unfreeze()
        gc.enable()
    click.echo(
        f"wrote {out}: {graph.number_of_nodes()} nodes, {len(page.links)} evidence links"
        f" ({len(page.findings)} finding rows)",
        err=True,
    )
