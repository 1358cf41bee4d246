"""The ``validate`` command: syntax, SHACL and integrity checks of the ontology and data."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from mscgraph.cli.common import data_option, emit, finish, handle_errors

COLUMNS = ["file", "line", "severity", "focus", "message"]


@click.command()
@data_option("check")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "table", "json", "csv", "tsv"]),
    default="text",
    show_default=True,
    help="text: one `file:line: severity: node: message` line per problem.",
)
@click.option("--no-shacl", is_flag=True, help="Skip the SHACL shapes (syntax and integrity checks only).")
@click.option(
    "--source",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The source text: check that every Chinese quote stands in it verbatim (markup normalised).",
)
@handle_errors
def validate(data: Sequence[str], fmt: str, no_shacl: bool, source: Path | None) -> None:
    """Check the ontology and data: Turtle syntax, SHACL shapes, integrity, and (with --source)
    that every quoted sentence is verbatim in the source text.

    Problems go to stdout (one per line in the text format), a summary to stderr.
    Exit status 0 when the data is clean, 1 when it has problems.
    """
    from mscgraph.validate.checks import validate as run
    from mscgraph.views.formats import render

    report = run(list(data) or None, shacl=not no_shacl, source=source)
    rows = [p.as_row() for p in report.problems]
    if fmt == "text":
        if rows:
            emit("".join(f"{p}\n" for p in report.problems))
    elif rows or fmt != "table":
        emit(render(rows, fmt, COLUMNS))
    click.echo(report.summary(), err=True)
    finish(report.ok)
