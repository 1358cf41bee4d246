"""SPARQL commands: `queries` (the named query library) and `sparql` (run a query)."""

from __future__ import annotations

import gc
import os
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, BinaryIO, NoReturn, cast

import click

from mscgraph.cli.common import CommandError, Seconds, emit, graph_options, handle_errors
from mscgraph.model.errors import MscGraphError

if TYPE_CHECKING:
    from mscgraph.api import KnowledgeGraph


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv", "tsv"]),
    default="table",
    show_default=True,
    help="Output format.",
)
@handle_errors
def queries(fmt: str) -> None:
    """List the named queries (run one with `mscgraph sparql --named NAME --param key=value`)."""
    from mscgraph.views.formats import render
    from mscgraph.views.sparql import catalog_rows

    rows = catalog_rows()
    emit(render(rows, fmt, ["name", "title", "params"]))


@click.command()
@click.argument("query_text", required=False, metavar="[QUERY]")
@click.option("--file", "-f", "file", type=click.Path(dir_okay=False), help="Read the query from FILE.")
@click.option("--named", "-n", metavar="NAME", help="Run the named query NAME (see `mscgraph queries`).")
@click.option(
    "--param",
    "-p",
    "params",
    multiple=True,
    metavar="KEY=VALUE",
    help="Bind a parameter (repeatable). Values are bound as RDF terms, never pasted into the query.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "xml", "csv", "tsv", "ttl", "nt", "rdfxml", "jsonld"]),
    default="table",
    show_default=True,
    help="table, or W3C SPARQL 1.1 JSON/XML/CSV/TSV results (SELECT, ASK); ttl, nt, rdfxml or jsonld "
    "(compact, with the project's prefixes as @context) for CONSTRUCT/DESCRIBE.",
)
@click.option(
    "--timeout",
    default=60.0,
    show_default=True,
    type=Seconds(min=0.001),
    help="Stop the query (and its output) after this many seconds.",
)
@click.option(
    "--allow-service",
    is_flag=True,
    help="Let SERVICE clauses fetch from other endpoints over the network (refused by default).",
)
@graph_options
@handle_errors
def sparql(
    query_text: str | None,
    file: str | None,
    named: str | None,
    params: tuple[str, ...],
    fmt: str,
    timeout: float,
    allow_service: bool,
    kg: KnowledgeGraph,
) -> None:
    """Run a SPARQL query: QUERY text, --file FILE, or --named NAME with --param key=value.

    \b
    mscgraph sparql 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'
    mscgraph sparql --named shared-mechanisms -p disease_a=SS -p disease_b=SLE
    mscgraph sparql --file my.rq --format json

    A named query's parameters are resolved by kind (disease and mechanism names, CURIEs, IRIs,
    integers); in your own queries a value `<...>`, an IRI or a known CURIE binds an IRI, anything
    else a string.
    """
    from mscgraph.views import sparql as lib

    kg.engine.allow_service = allow_service

    from mscgraph.model.errors import ServiceRefused, UsageError

    def answer() -> None:
        given = lib.parse_params(list(params))
        try:
            result = lib.run(kg, query_text, file=file, named=named, params=given)
        except ServiceRefused as exc:
            raise UsageError(f"{exc}: they fetch from the network; --allow-service permits them") from None
        out = _Stdout()
        lib.write(result, fmt, cast(BinaryIO, out))
        if not out.written and fmt == "table":
            click.echo("no results", err=True)

    _within(timeout, answer)


class _Stdout:
    """stdout for a streaming writer: each piece through :func:`emit` (a closed pipe ends quietly)."""

    written = False

    def write(self, data: bytes) -> int:
        if data:
            emit(bytes(data))
            self.written = True
        return len(data)

    def flush(self) -> None:
        pass


def _within(seconds: float, work: Callable[[], None]) -> None:
    """Run ``work`` (query and output) in a thread; past ``seconds`` or on Ctrl-C, stop the process:
    the engine cannot be interrupted in the middle of a query, but a process can end."""
    outcome: list[BaseException] = []

    def target() -> None:
        try:
            work()
        except BaseException as exc:  # a copy is raised in the main thread, where the errors are handled
            outcome.append(_copy(exc))
        gc.collect()  # the original, its frames and the engine's answer (a cycle) are freed in this thread

    thread = threading.Thread(target=target, daemon=True)
    try:  # a Ctrl-C even while the thread starts: never unwind (and close the store) under a running query
        thread.start()
        thread.join(seconds)
    except KeyboardInterrupt:
        _stop("interrupted (Ctrl-C): the query was stopped", 130)
    if thread.is_alive():
        _stop(f"the query was stopped after {seconds:g} s (see --timeout)", 1)
    if outcome:
        raise outcome[0]


def _copy(exc: BaseException) -> BaseException:
    """An exception like ``exc`` that holds nothing of the thread it was raised in (pyoxigraph's
    answers must be dropped in the thread that made them)."""
    if isinstance(exc, click.exceptions.Exit):
        return click.exceptions.Exit(exc.exit_code)
    if isinstance(exc, (click.ClickException, MscGraphError)):
        message = exc.format_message() if isinstance(exc, click.ClickException) else str(exc)
        return CommandError(message, exc.exit_code)
    if isinstance(exc, OSError):
        return OSError(exc.errno, exc.strerror, exc.filename)
    return RuntimeError(f"{type(exc).__name__}: {exc}")


def _stop(message: str, code: int) -> NoReturn:
    """Say the error as every command does, then end the process at once (the query thread cannot be
    stopped, and must not be unwound under)."""
    CommandError(message, code).show()
    sys.stderr.flush()
    os._exit(code)
