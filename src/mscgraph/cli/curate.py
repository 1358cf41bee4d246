"""The ``curate`` commands (check, build, dump curation files) and ``diff`` between data versions."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from mscgraph.cli.common import (
    data_option,
    emit,
    finish,
    format_option,
    graph_options,
    handle_errors,
    output,
    output_option,
)

if TYPE_CHECKING:
    from mscgraph.api import KnowledgeGraph

files_argument = click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False)
)


@click.group()
def curate() -> None:
    """Curation files: YAML for one source, checked against it and built into Turtle (docs/curation.md)."""


def _report(problems: Sequence[Any], ok: str) -> None:
    if problems:
        emit("".join(f"{p}\n" for p in problems))
        n = len(problems)
        click.echo(f"{n} problem{'s' if n != 1 else ''}", err=True)
        finish(False)
    click.echo(ok, err=True)


@curate.command("check")
@files_argument
@click.option(
    "--source",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The source text: every quote in its language must stand in it verbatim (markup normalised).",
)
@graph_options
@handle_errors
def check_command(files: tuple[str, ...], source: Path | None, kg: KnowledgeGraph) -> None:
    """Check curation FILES: schema, names, quotes (with --source), duplicates of existing findings,
    and the graph's shapes and integrity checks on the result.

    One `file:line: message` line per problem on stdout; exit status 1 when there are problems.
    --data names the graph the files add to (default: the packaged data).
    """
    from mscgraph.curate.check import check

    problems, result = check(files, kg, source)
    records = len(result.records) if result else 0
    _report(problems, f"ok: {len(files)} file{'s' if len(files) != 1 else ''}, {records} records, 0 problems")


@curate.command("build")
@files_argument
@output_option("The Turtle file to write (atomically).")
@graph_options
@handle_errors
def build_command(files: tuple[str, ...], out: Path, kg: KnowledgeGraph) -> None:
    """Build curation FILES into Turtle for `--data` (nothing is written when they have problems;
    `curate check` checks more)."""
    from mscgraph.curate.build import build
    from mscgraph.curate.check import GraphNames, schema_problems
    from mscgraph.curate.yamlfile import load
    from mscgraph.model.files import write_atomic

    docs = [load(p) for p in files]
    problems = [p for d in docs for p in d.problems] or [p for d in docs for p in schema_problems(d)]
    if not problems:
        result = build(docs, GraphNames(kg))
        problems = result.problems
    if problems:
        _report(problems, "")
    text = result.turtle()
    write_atomic(out, lambda tmp: tmp.write_text(text, "utf-8"))
    click.echo(f"wrote {out}: {len(set(result.triples))} triples", err=True)


@curate.command("dump")
@data_option("dump")
@output_option("The directory to write one NAME.yaml per data file into.", directory=True)
@handle_errors
def dump_command(data: Sequence[str], out: Path) -> None:
    """Write the data (default: the packaged data) as curation files, one per Turtle file;
    `curate build` of them gives the same triples."""
    from mscgraph.curate.dump import dump
    from mscgraph.model.resources import ontology_file
    from mscgraph.store.index import Sources

    ontology = ontology_file().resolve()
    files = [p for p in Sources.resolve(list(data) or None).files if p != ontology]
    for path in dump(files, out):
        click.echo(f"wrote {path}", err=True)


@curate.command("schema")
@handle_errors
def schema_command() -> None:
    """Print the JSON Schema of curation files, derived from the LinkML schema (for editors that
    validate YAML as you type)."""
    import json

    from mscgraph.curate.schema import schema

    emit(json.dumps(schema().json_schema(), ensure_ascii=False, indent=2) + "\n")


@click.command("diff")
@click.argument("old", type=click.Path(exists=True))
@click.argument("new", type=click.Path(exists=True))
@format_option
@handle_errors
def diff(old: str, new: str, fmt: str) -> None:
    """What changed from data version OLD to NEW (directories or Turtle files): findings, studies and
    links (disease or MSCs, mechanism, role) added, removed or changed."""
    from mscgraph.curate.diff import COLUMNS
    from mscgraph.curate.diff import diff as compare

    output(compare(Path(old), Path(new)), fmt, COLUMNS, "no differences")
