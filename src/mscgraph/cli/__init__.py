"""The ``mscgraph`` command: a thin layer over the library (see mscgraph.api).

Each module below defines some commands; a command's module is imported only when that command
runs (or ``--help`` lists them all), and heavy libraries are imported inside commands, so that a
command starts fast.
"""

from __future__ import annotations

import importlib
import os
import sys
import warnings
from typing import Any

import click

from mscgraph.cli.common import CommandError
from mscgraph.model.errors import MscGraphWarning
from mscgraph.model.version import __version__

# command name -> "module:function" under mscgraph.cli
COMMANDS = {
    **{name: f"lookups:{name}" for name in ("mechanisms", "diseases", "studies", "evidence")},
    **{name: f"evidence:{name}" for name in ("explain", "grid", "conflicts")},
    **{name: f"lookups:{name}" for name in ("show", "search", "stats")},
    **{name: f"sparql:{name}" for name in ("queries", "sparql")},
    "export": "export:export",
    "push": "push:push",
    "serve": "serve:serve",
    **{name: f"network:{name}" for name in ("compare", "neighbors")},
    "html": "html:html_command",
    "validate": "validate:validate",
    **{name: f"curate:{name}" for name in ("curate", "diff")},
}


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

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *COMMANDS})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in COMMANDS and name not in self.commands:
            module, function = COMMANDS[name].split(":")
            self.add_command(getattr(importlib.import_module(f"mscgraph.cli.{module}"), function), name)
        return super().get_command(ctx, name)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            raise CommandError("interrupted (Ctrl-C)", 130) from None
        except click.UsageError as exc:
            raise _one_line(exc) from None


def _show_warnings() -> None:
    """The library's warnings (:class:`MscGraphWarning`) as ``mscgraph: warning: ...`` lines on stderr,
    every one; other warnings as Python shows them."""
    shown = warnings.showwarning
    if getattr(shown, "mscgraph", False):
        return

    def show(message: Warning | str, category: type[Warning], *args: Any, **kwargs: Any) -> None:
        if issubclass(category, MscGraphWarning):
            click.echo(f"mscgraph: warning: {message}", err=True)
        else:
            shown(message, category, *args, **kwargs)

    show.mscgraph = True  # type: ignore[attr-defined]
    warnings.showwarning = show
    warnings.simplefilter("always", MscGraphWarning)


def _one_line(exc: click.UsageError) -> click.ClickException:
    if isinstance(exc, click.exceptions.NoArgsIsHelpError):  # a group without a command: its help
        return exc
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


def _unwritable_stdout() -> None:
    """Give a process started without stdout one that refuses writes (the null device opened for reading,
    as file descriptor 1): writing data then fails with "Bad file descriptor", as `echo x >&-` does, and
    the command says ``cannot write the output: ...``; a command that writes only to ``-o FILE`` works."""
    fd = os.open(os.devnull, os.O_RDONLY)
    if fd != 1:
        os.dup2(fd, 1)
        os.close(fd)
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115 (the process's stdout)


def run() -> None:
    """The ``mscgraph`` console script: the command group, then an exit without the interpreter's teardown.

    When the command has ended (its output and files written), Python would free every object one by one
    before exiting: 0.3 s after the whole x100 page, more after validating a large graph; the process's
    exit hands all of its memory back at once. Only the streams are flushed (nothing else of ours needs
    an exit handler: files are written atomically, indexes closed by the code that builds them).
    ``main`` itself (the group, which tests and programs invoke) exits as any click program."""
    if sys.stdout is None:  # started with stdout closed (`>&-`)
        _unwritable_stdout()
    try:
        main()
        code: int | str | None = 0
    except SystemExit as exc:
        code = exc.code
    if isinstance(code, str):  # as Python prints SystemExit("message")
        print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:
            pass  # a reader that stopped early (| head): its choice, not an error
        except (OSError, ValueError):
            code = code or 1
    os._exit(code or 0)
