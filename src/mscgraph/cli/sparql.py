"""SPARQL commands: `queries` (the named query library) and `sparql` (run a query)."""

from __future__ import annotations

from typing import Any

import click

from .common import emit, graph_options, handle_errors


@click.command()
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "csv", "tsv"]), default="table", show_default=True,
    help="Output format.",
)
@handle_errors
def queries(fmt: str) -> None:
    """List the named queries (run one with `mscgraph sparql --named NAME --param key=value`)."""
    from ..formats import render
    from ..sparql import catalog_rows

    rows = catalog_rows()
    emit(render(rows, fmt, ["name", "title", "params"]))


@click.command()
@click.argument("query_text", required=False, metavar="[QUERY]")
@click.option("--file", "-f", "file", type=click.Path(dir_okay=False), help="Read the query from FILE.")
@click.option("--named", "-n", metavar="NAME", help="Run the named query NAME (see `mscgraph queries`).")
@click.option(
    "--param", "-p", "params", multiple=True, metavar="KEY=VALUE",
    help="Bind a parameter (repeatable). Values are bound as RDF terms, never pasted into the query.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "csv", "tsv", "ttl", "nt", "rdfxml", "jsonld"]),
    default="table", show_default=True,
    help="table, or W3C SPARQL 1.1 JSON/CSV/TSV results (SELECT, ASK); ttl, nt, rdfxml or jsonld (compact, "
    "with the project's prefixes as @context) for CONSTRUCT/DESCRIBE.",
)
@graph_options
@handle_errors
def sparql(query_text: str | None, file: str | None, named: str | None, params: tuple[str, ...], fmt: str,
           kg: Any) -> None:
    """Run a SPARQL query: QUERY text, --file FILE, or --named NAME with --param key=value.

    \b
    mscgraph sparql 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'
    mscgraph sparql --named shared-mechanisms -p disease_a=SS -p disease_b=SLE
    mscgraph sparql --file my.rq --format json

    A named query's parameters are resolved by kind (disease and mechanism names, CURIEs, IRIs,
    integers); in your own queries a value `<...>`, an IRI or a known CURIE binds an IRI, anything
    else a string.
    """
    from .. import sparql as lib

    result = lib.run(kg, query_text, file=file, named=named, params=lib.parse_params(list(params)))
    text = lib.serialise(result, fmt)
    if not text and fmt == "table":
        click.echo("no results", err=True)
        return
    emit(text)
