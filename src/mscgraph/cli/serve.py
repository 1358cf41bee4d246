"""`mscgraph serve`: a read-only SPARQL 1.1 Protocol endpoint with a small query page."""

from __future__ import annotations

from collections.abc import Sequence

import click

from mscgraph.cli.common import Seconds, data_option, handle_errors, no_cache_option


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=7878, show_default=True, type=click.IntRange(0, 65535), help="0: any.")
@click.option(
    "--timeout", default=30.0, show_default=True, type=Seconds(min=0.001), help="Seconds per query."
)
@click.option(
    "--max-request-bytes",
    default=1_000_000,
    show_default=True,
    type=click.IntRange(min=1024),
    help="Largest request body (and URL) accepted; larger requests get 413/414.",
)
@click.option("--workers", default=4, show_default=True, type=click.IntRange(min=1), help="Query processes.")
@click.option(
    "--cors",
    multiple=True,
    metavar="ORIGIN",
    help="Let web pages from ORIGIN (e.g. http://localhost:3000; '*': any) read answers (repeatable). "
    "Default: none.",
)
@click.option(
    "--idle-timeout",
    default=20.0,
    show_default=True,
    type=Seconds(min=0.1),
    help="Seconds a connection may stay silent before it is closed.",
)
@click.option("--quiet", is_flag=True, help="Do not log each request to stderr.")
@data_option("serve")
@no_cache_option
@handle_errors
def serve(
    host: str,
    port: int,
    timeout: float,
    max_request_bytes: int,
    workers: int,
    cors: tuple[str, ...],
    idle_timeout: float,
    quiet: bool,
    data: Sequence[str],
    no_cache: bool,
) -> None:
    """Serve the graph as a read-only SPARQL 1.1 endpoint at http://HOST:PORT/sparql.

    GET ?query= and POST (form or application/sparql-query); results as SPARQL JSON, XML,
    CSV or TSV (CONSTRUCT/DESCRIBE: N-Triples, Turtle, RDF/XML or JSON-LD) by the Accept header,
    q-values honoured. Updates are
    refused. A query page that needs no network is at http://HOST:PORT/ . Stop with Ctrl-C.
    """
    from mscgraph.server.endpoint import Settings, run

    settings = Settings(
        timeout=timeout,
        max_request_bytes=max_request_bytes,
        workers=workers,
        log=not quiet,
        cors=tuple(o.rstrip("/") for o in cors),
        idle_timeout=idle_timeout,
    )
    run(list(data) or None, not no_cache, host, port, settings)
