"""Light inspection of SPARQL text: its form (SELECT, ASK, ..., or an update) and safe VALUES injection.

Both work on a *masked* copy of the text in which comments, strings, IRIs and prefixed names are
blanked out by a lexer of the grammar's terminals, so a keyword or brace inside a
literal, an IRI, a name or a comment is never mistaken for syntax. :func:`check` refuses updates and
SERVICE, and bounds the nesting depth before the engine's (recursive) parser sees the query. This is not
a parser: the engine that runs the query still parses it and reports errors.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping

from mscgraph.model.errors import ServiceRefused, UsageError
from mscgraph.query.terms import Term

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_FORMS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")

# The terminals of the SPARQL 1.1 grammar (section 19.8) that can hide a keyword: a lexer, so that
# `a:b\#c` (an escaped character in a prefixed name) or `<iri>` is one token, never a comment start.
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_LOCAL = rf"(?:[\w:\-]|{_PLX})(?:(?:[\w.:\-]|{_PLX})*(?:[\w:\-]|{_PLX}))?"  # PN_LOCAL: may not end in "."
_TOKENS = re.compile(
    rf"""
      (?P<comment>\#[^\n\r]*)
    | (?P<long>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\")
    | (?P<string>'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
    | (?P<iri><[^<>"{{}}|^`\\\x00-\x20]*>)
    | (?P<var>[?$][\w\u00B7\u0300-\u036F\u203F\u2040]+)
    | (?P<bnode>_:[\w\-.]*[\w\-])
    | (?P<pname>(?:[^\W\d_](?:[\w\-.]*[\w\-])?)?:(?:{_LOCAL})?)
    | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)
    | (?P<space>\s+)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_VARNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MAX_NESTING = 200  # groups, brackets and parentheses; the parser recurses, and far deeper queries crash it


def tokens(query: str) -> Iterator[re.Match[str]]:
    """The query's tokens (a match per token; ``lastgroup`` is its kind)."""
    return _TOKENS.finditer(query)


def mask(query: str) -> str:
    """``query`` with comments, strings and IRIs replaced by spaces, and prefixed names by ``~``
    (which may hold ``\\#`` or a keyword): same length, same offsets."""
    blank = {"comment": " ", "long": " ", "string": " ", "iri": " ", "pname": "~"}
    return "".join(
        blank[t.lastgroup] * len(t.group(0)) if t.lastgroup in blank else t.group(0) for t in tokens(query)
    )


def check(query: str, *, allow_service: bool = False) -> None:
    """Refuse an update, a query nested deeper than :data:`MAX_NESTING`, or SERVICE unless allowed."""
    if is_update(query):
        raise UsageError("SPARQL Update is not allowed: mscgraph only reads the graph")
    depth = 0
    for token in tokens(query):
        kind, text = token.lastgroup, token.group(0)
        if kind == "other" and text in "{([})]":
            depth += 1 if text in "{([" else -1
            if depth > MAX_NESTING:
                raise UsageError(f"the query is nested more than {MAX_NESTING} levels deep")
        elif kind == "word" and text.upper() == "SERVICE" and not allow_service:
            raise ServiceRefused("federated queries (SERVICE) are not allowed")


def form(query: str) -> str | None:
    """The first query or update keyword (``SELECT``, ``CONSTRUCT``, ``INSERT``, ...), upper-cased."""
    words = "|".join(QUERY_FORMS + UPDATE_FORMS)
    match = re.search(rf"(?<![\w?$:]) ({words}) (?![\w:])", mask(query), re.IGNORECASE | re.VERBOSE)
    return match.group(1).upper() if match else None


def is_update(query: str) -> bool:
    return form(query) in UPDATE_FORMS


def _where_brace(masked: str) -> int:
    """Offset of the ``{`` that opens the query's top-level WHERE group."""
    depth = 0
    start = None
    keyword = re.search(rf"(?<![\w?$:])({'|'.join(QUERY_FORMS)})(?![\w:])", masked, re.IGNORECASE)
    if keyword is None:
        raise UsageError("cannot bind parameters: no SELECT, ASK, CONSTRUCT or DESCRIBE in the query")
    construct = keyword.group(1).upper() == "CONSTRUCT"
    after_where = False
    for match in re.finditer(r"[{}]|(?<![\w?$:])WHERE(?![\w:])", masked[keyword.end() :], re.IGNORECASE):
        token = match.group(0)
        if token == "{":
            if depth == 0 and (after_where or not construct):
                start = keyword.end() + match.start()
                break
            depth += 1
        elif token == "}":
            depth -= 1
        elif depth == 0:
            after_where = True
    if start is None:
        raise UsageError("cannot bind parameters: the query has no WHERE group")
    return start


def without_lateral(query: str) -> str:
    """The query for an engine without LATERAL (SPARQL 1.2, SEP-0006), with the same answers.

    The named queries use LATERAL only as a plan hint (docs/sparql.md, "Query plans"), in two idioms:
    ``A LATERAL { B }`` where B repeats what it needs of A, which becomes the join ``A { B }``;
    and ``LATERAL { OPTIONAL { X } }``, which becomes ``OPTIONAL { X }``.
    """
    masked = mask(query)
    blank = []  # (start, end) spans to replace by spaces
    for keyword in re.finditer(r"(?<![\w?$:])LATERAL(?![\w:])", masked, re.IGNORECASE):
        blank.append(keyword.span())
        opening = masked.index("{", keyword.end())
        closing = _matching(masked, opening)
        inner = re.match(r"\s*OPTIONAL\s*\{", masked[opening + 1 : closing], re.IGNORECASE)
        if inner and not masked[_matching(masked, opening + inner.end()) + 1 : closing].strip():
            blank += [(opening, opening + 1), (closing, closing + 1)]
    for start, end in sorted(blank, reverse=True):
        query = query[:start] + " " * (end - start) + query[end:]
    return query


def _matching(masked: str, opening: int) -> int:
    """Offset of the ``}`` that closes the ``{`` at ``opening``."""
    depth = 0
    for match in re.finditer(r"[{}]", masked[opening:]):
        depth += 1 if match.group(0) == "{" else -1
        if depth == 0:
            return opening + match.start()
    raise UsageError("unbalanced braces in the query")


def check_variables(names: Iterable[str]) -> None:
    """Refuse a parameter name that is not a SPARQL variable name."""
    for name in names:
        if not _VARNAME.match(name):
            raise UsageError(f"not a valid SPARQL variable name: {name!r}")


def values_block(bindings: Mapping[str, Term]) -> str:
    """``VALUES (?a ?b) { (<iri> "text") }``: every term in N-Triples syntax (pyoxigraph's ``str``)."""
    check_variables(bindings)
    names = " ".join(f"?{n}" for n in bindings)
    terms = " ".join(str(term) for term in bindings.values())
    return f"VALUES ({names}) {{ ({terms}) }}"


def inject_values(query: str, bindings: Mapping[str, Term]) -> str:
    """The query with ``bindings`` as a VALUES block first in its top-level WHERE group.

    Joining a one-row VALUES block with the WHERE group binds the variables like pyoxigraph's
    substitutions do for the embedded engine; the values are serialised terms, never raw text.
    """
    if not bindings:
        return query
    brace = _where_brace(mask(query))
    return f"{query[: brace + 1]} {values_block(bindings)}\n{query[brace + 1 :]}"
