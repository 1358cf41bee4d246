"""The ``mscgraph`` command: a thin layer over the library (see mscgraph.api).

Each module below registers its commands; heavy libraries are imported inside commands so
that a lookup starts fast.
"""

from __future__ import annotations

import logging
from typing import Any

import click

from mscgraph.cli import curate, evidence, export, html, lookups, network, push, serve, sparql, validate
from mscgraph.cli.common import CommandError
from mscgraph.model.version import __version__

COMMANDS = [
    lookups.mechanisms,
    lookups.diseases,
    lookups.studies,
    lookups.evidence,
    evidence.explain,
    evidence.grid,
    evidence.conflicts,
    lookups.show,
    lookups.search,
    lookups.stats,
    sparql.queries,
    sparql.sparql,
    export.export,
    push.push,
    serve.serve,
    network.compare,
    network.neighbors,
    html.html_command,
    validate.validate,
    curate.curate,
    curate.diff,
]


class Group(click.Group):
    """The command group: every error is one line on stderr. A usage error (an unknown option or
    command, a bad value, a missing argument) is ``mscgraph: error: ...`` with the command to ask for
    help, exit status 2 (click prints the usage block and ``Error:``); a Ctrl-C anywhere ends with one
    line and exit status 130 (click says "Aborted!" and exits 1)."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as exc:
            raise _one_line(exc) from None

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            raise CommandError("interrupted (Ctrl-C)", 130) from None
        except click.UsageError as exc:
            raise _one_line(exc) from None


class _Warnings(logging.Handler):
    """The library's warnings (logger ``mscgraph``) as ``mscgraph: warning: ...`` lines on stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"mscgraph: warning: {record.getMessage()}", err=True)


def _show_warnings() -> None:
    logger = logging.getLogger("mscgraph")
    if not any(isinstance(h, _Warnings) for h in logger.handlers):
        logger.addHandler(_Warnings(logging.WARNING))  # the root logger has no handler: printed once


def _one_line(exc: click.UsageError) -> CommandError:
    where = exc.ctx.command_path if exc.ctx is not None else "mscgraph"
    message = " ".join(exc.format_message().split())
    return CommandError(f"{message} (see: {where} --help)", exc.exit_code)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="mscgraph")
def main() -> None:
    """mscgraph: MSC therapy in autoimmune disease as a knowledge graph.

    Diseases, the immune mechanisms MSC therapy acts on, and the studies behind each link,
    curated from Wang et al. 2022 (doi:10.13753/j.issn.1007-6611.2022.02.020).
    """
    _show_warnings()


for _command in COMMANDS:
    main.add_command(_command)
