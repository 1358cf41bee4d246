"""Errors raised by the library. The CLI turns each into one line on stderr and an exit code."""

from __future__ import annotations


class MscGraphError(Exception):
    """Base class. ``exit_code`` follows click: 2 for bad input, 1 for failures at run time."""

    exit_code = 1


class UsageError(MscGraphError):
    """The user's input cannot be used (unknown name, bad parameter, bad query syntax)."""

    exit_code = 2


# How a kind of name is called in messages ("subject": a disease, or MSC for general MSC properties).
KIND_NAMES = {"subject": "disease"}


class UnknownName(UsageError):
    def __init__(self, text: str, kind: str | None, suggestions: list[str]) -> None:
        what = KIND_NAMES.get(kind or "", kind or "entity")
        hint = f"; did you mean: {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"unknown {what} {text!r}{hint}")
        self.suggestions = suggestions


class AmbiguousName(UsageError):
    def __init__(self, text: str, kind: str | None, candidates: list[str]) -> None:
        what = KIND_NAMES.get(kind or "", kind or "name")
        super().__init__(f"ambiguous {what} {text!r}: could be {', '.join(candidates)}")
        self.candidates = candidates


class QuerySyntaxError(UsageError):
    """A SPARQL query that does not parse; the message carries the parser's line/column."""


class ServiceRefused(UsageError):
    """A federated query (SERVICE) where the network is not to be used."""


class DataError(MscGraphError):
    """The ontology or data files cannot be read."""


class EndpointError(MscGraphError):
    """A remote SPARQL endpoint could not be reached or answered with an error."""


class MscGraphWarning(UserWarning):
    """Something the user should know that did not stop the work (a cache that could not be used, a
    damaged index rebuilt). Python's :mod:`warnings` shows it; the command line as one
    ``mscgraph: warning:`` line."""
