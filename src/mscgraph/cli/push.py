"""`mscgraph push`: load the ontology and data into a remote store's graph."""

from __future__ import annotations

from collections.abc import Sequence

import click

from mscgraph.cli.common import Seconds, data_option, handle_errors


@click.command()
@click.option(
    "--endpoint",
    required=True,
    metavar="URL",
    help="Graph Store HTTP Protocol endpoint, e.g. http://localhost:8890/sparql-graph-crud-auth (Virtuoso); "
    "may hold user:password@.",
)
@click.option("--graph", "graph", required=True, metavar="IRI", help="The named graph to load into.")
@click.option("--user", help="User name (else the URL's, else MSCGRAPH_USER).")
@click.option("--password", help="Password (else the URL's, else MSCGRAPH_PASSWORD); never printed.")
@click.option("--replace", is_flag=True, help="Replace the graph's contents (PUT) instead of adding (POST).")
@data_option("push")
@click.option(
    "--timeout",
    default=300.0,
    show_default=True,
    type=Seconds(min=0.1),
    help="Seconds for each request (the upload, the read-back), answer included.",
)
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
    """Load the ontology and data into GRAPH at a SPARQL 1.1 Graph Store endpoint, then read the
    graph back and count its triples.

    Then query it with `--endpoint http://HOST/sparql --graph IRI` on any command.
    """
    from mscgraph.store.push import push as push_graph

    result = push_graph(
        endpoint,
        graph,
        data=list(data) or None,
        user=user,
        password=password,
        replace=replace,
        timeout=timeout,
    )
    done = f"{result.status} {result.triples} triples to <{result.graph}> at {result.endpoint}"
    click.echo(f"mscgraph: {done}; read back, the graph holds {result.stored} triples", err=True)
