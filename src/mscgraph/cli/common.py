"""What every command shares: the graph options, the format option, output and error handling."""

from __future__ import annotations

import functools
import math
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

import click

from mscgraph.model.errors import MscGraphError

format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv", "tsv"]),
    default="table",
    show_default=True,
    help="Output format (json keys: docs/cli.md).",
)


def data_option(verb: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--data PATH`` (repeatable): files or directories to ``verb`` instead of the packaged data."""
    return click.option(
        "--data",
        multiple=True,
        type=click.Path(exists=True),
        help=f"Data file or directory to {verb} instead of the packaged data (repeatable).",
    )


class Seconds(click.FloatRange):
    """A number of seconds: at least ``min``, and finite (``nan`` and ``inf`` are no time limit a
    clock can wait for)."""

    name = "seconds"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        seconds = super().convert(value, param, ctx)
        if not math.isfinite(seconds) or seconds > 10**7:
            self.fail(f"{value!r} is not a number of seconds up to 10,000,000", param, ctx)
        return seconds


no_cache_option = click.option(
    "--no-cache", is_flag=True, help="Parse the sources in memory; do not use the on-disk index."
)


def graph_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add --data / --endpoint / --graph / --no-cache and pass the opened graph as ``kg``."""

    @data_option("use")
    @click.option(
        "--endpoint",
        envvar="MSCGRAPH_ENDPOINT",
        metavar="URL",
        help="Answer from this SPARQL 1.1 endpoint instead of the embedded store.",
    )
    @click.option(
        "--graph",
        "endpoint_graph",
        envvar="MSCGRAPH_GRAPH",
        metavar="IRI",
        help="With --endpoint: the graph to query as the default graph (e.g. the one `push` loaded).",
    )
    @no_cache_option
    @functools.wraps(func)
    def wrapper(
        *args: Any,
        data: Sequence[str],
        endpoint: str | None,
        endpoint_graph: str | None,
        no_cache: bool,
        **kwargs: Any,
    ) -> Any:
        from mscgraph.api import load
        from mscgraph.cli.progress import ProgressBar

        check_arguments()
        if endpoint_graph is not None and not endpoint:
            fail("--graph names a graph of an --endpoint; give --endpoint too", 2)
        try:  # opening can fail too (bad data file, bad endpoint URL): one line, like the command's errors
            kg = load(
                list(data) or None,
                cache=not no_cache,
                progress=ProgressBar(),
                endpoint=endpoint,
                graph=endpoint_graph or None,
            )
        except MscGraphError as exc:
            raise CommandError(str(exc), exc.exit_code) from None
        with kg:
            return func(*args, kg=kg, **kwargs)

    return wrapper


def emit(text: str | bytes) -> None:
    """Write data to stdout; a closed pipe (``| head``) ends the program quietly, and a failed
    write (a full disk) is an error: CPython's buffered writer may write only part of a large
    chunk and say so only in its return value, so every byte is accounted for here."""
    out = sys.stdout.buffer
    if isinstance(text, str):
        text = text.encode(sys.stdout.encoding or "utf-8", "replace")
    data = memoryview(text)
    try:
        sys.stdout.flush()
        while data:
            data = data[out.write(data) :]
        out.flush()
    except BrokenPipeError:
        _drop_stdout()
        raise click.exceptions.Exit(0) from None
    except OSError as exc:
        fail(f"cannot write the output: {exc.strerror or exc}")


def _drop_stdout() -> None:
    """Point stdout at the null device, so that the exit does not try to flush it again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


class CommandError(click.ClickException):
    """An error at the command line's edge: click shows it as ``mscgraph: error: MESSAGE`` on stderr
    and exits with ``exit_code`` (1: a failure, 2: bad input, 130: Ctrl-C)."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code  # type: ignore[misc]  # a ClassVar for click; here one per error

    def show(self, file: Any = None) -> None:
        click.echo(f"mscgraph: error: {self.format_message()}", err=True)
        try:
            sys.stdout.flush()
        except OSError:  # the output is what failed: do not report it a second time at exit
            _drop_stdout()


def fail(message: str, code: int = 1) -> NoReturn:
    raise CommandError(message, code)


def finish(ok: bool) -> NoReturn:
    """End a checking command: exit status 0 when ``ok``, 1 when it found problems."""
    raise click.exceptions.Exit(0 if ok else 1)


def check_arguments() -> None:
    """Refuse command-line text that is not valid UTF-8 (Python keeps such bytes as lone surrogates,
    which nothing downstream can encode). File paths may be any bytes and are left alone."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return
    for param in ctx.command.params:
        value = ctx.params.get(param.name or "")
        if isinstance(param.type, click.Path) or value is None:
            continue
        for text in value if isinstance(value, (tuple, list)) else [value]:
            if isinstance(text, str) and any("\udc80" <= c <= "\udcff" for c in text):
                name = param.opts[0] if isinstance(param, click.Option) else param.human_readable_name
                name = name.strip("[]")
                shown = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
                fail(f"{name} is not valid UTF-8: '{shown}'", 2)


def handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn library errors into one line on stderr and the error's exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        check_arguments()
        try:
            return func(*args, **kwargs)
        except MscGraphError as exc:
            raise CommandError(str(exc), exc.exit_code) from None
        except OSError as exc:
            if isinstance(exc, BrokenPipeError):
                raise
            fail(f"{exc.filename + ': ' if exc.filename else ''}{exc.strerror or exc}")

    return wrapper


def lookup_command(func: Callable[..., Any]) -> Callable[..., Any]:
    """The options every lookup shares: --format and the graph options, errors as one line."""
    return format_option(graph_options(handle_errors(func)))


def output(rows: list[dict[str, Any]], fmt: str, columns: list[str], empty: str) -> None:
    """Rows to stdout in ``fmt``; an empty table says so on stderr instead (other formats stay parseable)."""
    from mscgraph.views.formats import render

    if not rows:
        click.echo(empty, err=True)
        if fmt == "table":
            return
    emit(render(rows, fmt, columns))


def output_option(help: str, *, directory: bool = False) -> Callable[[Callable[..., Any]], Any]:
    """``-o/--output PATH`` (required), passed as ``out``: a file, or with ``directory`` a folder."""
    return click.option(
        "-o",
        "--output",
        "out",
        required=True,
        type=click.Path(dir_okay=directory, file_okay=not directory, path_type=Path),
        help=help,
    )
