"""Named SPARQL queries (``.rq`` files) and the engines that run them.

Every question mscgraph asks lives in a ``.rq`` file whose header comment gives
its title, description and parameters::

    # title: Mechanisms for a disease
    # description: One row per finding ...
    # param: disease disease  The disease (name, abbreviation, CURIE or IRI)

A kind ending in ``?`` marks an optional parameter (left unbound when not given).

Parameter values are always *bound* (pyoxigraph ``substitutions``; a VALUES
block of serialised RDF terms for remote endpoints), never pasted into the text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from mscgraph.model import resources
from mscgraph.model.errors import QuerySyntaxError, UsageError
from mscgraph.query.text import without_lateral

PARAM_KINDS = ("disease", "subject", "mechanism", "entity", "iri", "string", "integer")


@dataclass(frozen=True)
class Param:
    name: str
    kind: str
    description: str
    optional: bool = False


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    text: str
    path: Path
    portable: str | None = None  # queries/sparql11/NAME.rq: the form for engines without LATERAL, if any

    @property
    def internal(self) -> bool:
        return self.name.startswith("_")

    def text_for(self, lateral: bool) -> str:
        """The text to send to an engine: without LATERAL for engines that lack it (the query's
        ``sparql11/`` form where it has one, else the plan hints lowered)."""
        if lateral:
            return self.text
        return self.portable or without_lateral(self.text)

    def check_params(self, given: Mapping[str, object]) -> None:
        """Refuse unknown or missing parameters with the list of what the query takes."""
        names = [p.name for p in self.params]
        expected = ", ".join(f"{p.name} ({p.kind}{', optional' if p.optional else ''})" for p in self.params)
        expected = expected or "none"
        unknown = sorted(set(given) - set(names))
        missing = [p.name for p in self.params if p.name not in given and not p.optional]
        if unknown:
            raise UsageError(f"query {self.name!r} has no parameter {unknown[0]!r}; it takes: {expected}")
        if missing:
            raise UsageError(f"query {self.name!r} needs parameter {missing[0]!r}; it takes: {expected}")


_HEADER = re.compile(r"^#\s*(title|description|param):\s*(.*)$")


def _header(text: str) -> dict[str, list[str]]:
    meta: dict[str, list[str]] = {"title": [], "description": [], "param": []}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _HEADER.match(line)
        if match:
            meta[match.group(1)].append(match.group(2).strip())
        elif meta["description"] and line.startswith("#  "):
            meta["description"][-1] += " " + line[1:].strip()
    return meta


def parse_params(text: str, where: str = "query") -> tuple[Param, ...]:
    """The parameters a query's header declares (``# param: NAME KIND[?]  description``)."""
    params = []
    for spec in _header(text)["param"]:
        name, kind, *rest = spec.split(None, 2)
        optional = kind.endswith("?")
        kind = kind.rstrip("?")
        if kind not in PARAM_KINDS:
            raise ValueError(f"{where}: parameter {name} has unknown kind {kind!r}")
        params.append(Param(name, kind, rest[0] if rest else "", optional))
    return tuple(params)


def parse_query_file(path: Path) -> NamedQuery:
    text = path.read_text("utf-8")
    meta = _header(text)
    return NamedQuery(
        name=path.stem,
        title=" ".join(meta["title"]) or path.stem,
        description=" ".join(meta["description"]),
        params=parse_params(text, str(path)),
        text=text,
        path=path,
        portable=portable.read_text("utf-8")
        if (portable := path.parent / "sparql11" / path.name).is_file()
        else None,
    )


@cache
def catalog() -> dict[str, NamedQuery]:
    """Every packaged query by name, internal ones (``_name``) included."""
    folder = resources.resource_dir("queries")
    return {p.stem: parse_query_file(p) for p in sorted(folder.glob("*.rq"))}


def get(name: str) -> NamedQuery:
    queries = catalog()
    if name not in queries:
        public = ", ".join(n for n, q in queries.items() if not q.internal)
        raise UsageError(f"no named query {name!r}; available: {public}")
    return queries[name]


def _unknown_prefix(query: str, line: int, column: int) -> str:
    """The undeclared prefix that ends just before ``line``:``column``, and the PREFIX line to add."""
    lines = query.splitlines()
    before = lines[line - 1][: column - 1] if 0 < line <= len(lines) else ""
    found = re.search(r"([A-Za-z][\w.-]*)?:[\w.-]*$", before)
    if not found:
        return "a prefix is used but not declared (add a PREFIX line)"
    prefix = found.group(1) or ""
    from mscgraph.model.namespaces import CONVERTER

    iri = CONVERTER.expand(f"{prefix}:x")
    declare = f"PREFIX {prefix}: <{iri[:-1]}>" if iri else f"PREFIX {prefix}: <...>"
    return f"unknown prefix '{prefix}:' in {found.group(0)}; declare it: {declare}"


def syntax_error(exc: Exception, query: str) -> QuerySyntaxError:
    """Turn a parser's exception into a one-line message that keeps its line/column.

    pyoxigraph reports the furthest point any rule of its grammar reached, and its keyword rules
    read a keyword's length ahead (``SELEC * WHERE`` fails "at column 10", after ``CONSTRUCT``'s
    nine letters): the mistake is at that point or before it, and the message says so.
    """
    message = " ".join(str(exc).split())
    if match := re.match(r"error at (\d+):(\d+): (.*)", message):  # pyoxigraph: "error at LINE:COL: ..."
        line, column, detail = match.groups()
        detail = re.sub(r"(, )?\[[^\]]*\]", "", detail)  # drop the character-class lists of the grammar
        where = f"line {line}, column {column} or before"  # the parser reports how far it read
        if "Prefix not found" in detail:  # here the position is the prefixed name's own
            detail, where = _unknown_prefix(query, int(line), int(column)), f"line {line}, column {column}"
        message = f"at {where}: {detail[:200]}"
    return QuerySyntaxError(f"SPARQL syntax error {message}" if match else f"SPARQL syntax error: {message}")
