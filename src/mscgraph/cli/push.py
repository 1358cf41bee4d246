"""`mscgraph push`: load the ontology and data into a remote store's graph."""

from __future__ import annotations

from collections.abc import Sequence

import click

from .common import data_option, handle_errors


@click.command()
@click.option(
    "--endpoint",
    required=True,
    metavar="URL",
    help="Graph Store HTTP Protocol endpoint, e.g. http://localhost:8890/sparql-graph-crud-auth (Virtuoso).",
)
@click.option("--graph", "graph", required=True, metavar="IRI", help="The named graph to load into.")
@click.option("--user", envvar="MSCGRAPH_USER", help="User name (or MSCGRAPH_USER).")
@click.option(
    "--password", envvar="MSCGRAPH_PASSWORD", help="Password (or MSCGRAPH_PASSWORD); never printed."
)
@click.option("--replace", is_flag=True, help="Replace the graph's contents (PUT) instead of adding (POST).")
@data_option("push")
@click.option("--timeout", default=300.0, show_default=True, type=click.FloatRange(min=0.1), help="Seconds.")
@handle_errors
def push(
    endpoint: str,
    graph: str,
    user: str | None,
    password: str | None,
    replace: bool,
    data: Sequence[str],
    timeout: float,
) -> None:
    """Load the ontology and data into GRAPH at a SPARQL 1.1 Graph Store endpoint.

    Then query it with `--endpoint http://HOST/sparql --graph IRI` on any command.
    """
    from ..push import push as push_graph

    result = push_graph(
        endpoint, graph, data=list(data) or None, user=user, password=password,
        replace=replace, timeout=timeout,
    )
    done = f"{result.status} {result.triples} triples to <{result.graph}> at {result.endpoint}"
    click.echo(f"mscgraph: {done}", err=True)
