"""RDF terms and query results as mscgraph passes them between engines and views.

Terms are pyoxigraph's (NamedNode, BlankNode, Literal, Triple); a :class:`Result` holds an engine's
answer, which pyoxigraph lets one read once: :meth:`Result.write` streams it through pyoxigraph's
W3C result writers unread, :attr:`Result.rows` and :attr:`Result.triples` read it whole and keep it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, BinaryIO, TypeAlias, cast

import pyoxigraph as ox

from mscgraph.model.errors import MscGraphError, UsageError

# A term of a result row or a binding (an RDF-star triple term, which the data never hold, would
# come as an ox.Triple)
Term: TypeAlias = ox.NamedNode | ox.BlankNode | ox.Literal
Row: TypeAlias = dict[str, Term]
Answer: TypeAlias = ox.QuerySolutions | ox.QueryBoolean | Iterable[ox.Triple]

XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGER_TYPES = {XSD + t for t in ("integer", "positiveInteger", "nonNegativeInteger", "int", "long")}
_FLOAT_TYPES = {XSD + t for t in ("double", "float", "decimal")}
# what an engine raises while it reads an answer (pyoxigraph: RuntimeError/OSError from the store,
# SyntaxError/ValueError from a result parser)
READ_ERRORS = (OSError, RuntimeError, ValueError, SyntaxError)


def iri(value: str) -> ox.NamedNode:
    """An IRI term, or a UsageError for text that is not an IRI."""
    try:
        return ox.NamedNode(value)
    except ValueError:
        raise UsageError(f"not a valid IRI: {value!r}") from None


def python(term: Term | ox.Triple) -> Any:
    """The value as Python: numbers int/float, booleans bool, anything else its text."""
    if isinstance(term, ox.Triple):
        return str(term)
    if isinstance(term, ox.Literal):
        return literal_value(term.value, term.datatype.value)
    return term.value


def literal_value(text: str, datatype: str) -> Any:
    """A literal's lexical form ``text`` of type ``datatype`` (an IRI) as Python, as :func:`python` says."""
    try:
        if datatype in _INTEGER_TYPES:
            return int(text)
        if datatype in _FLOAT_TYPES:
            return float(text)
    except ValueError:
        pass
    if datatype == XSD + "boolean":
        return text in ("true", "1")
    return text


class Result:
    """The answer to one query: SELECT rows, an ASK boolean, or CONSTRUCT/DESCRIBE triples.

    ``fail`` turns an engine's error while the answer is read into the engine's own error.
    """

    def __init__(self, answer: Answer, fail: Callable[[Exception], MscGraphError] | None = None) -> None:
        self._fail = fail or (lambda exc: MscGraphError(f"the query failed: {exc}"))
        self.variables: list[str] = []
        self.boolean: bool | None = None
        self._answer: Answer | None = answer
        self._kept: list[Any] | None = None
        if isinstance(answer, ox.QueryBoolean):
            self.kind = "ask"
            self.boolean = bool(answer)
        elif isinstance(answer, ox.QuerySolutions):
            self.kind = "select"
            self.variables = [v.value for v in answer.variables]
        else:
            self.kind = "graph"

    def __repr__(self) -> str:
        return f"<Result {self.kind} {self.variables or self.boolean or ''}>"

    @property
    def rows(self) -> list[Row]:
        """SELECT rows: variable -> term, unbound variables left out."""
        return self._read() if self.kind == "select" else []

    def tuples(self) -> Iterator[tuple[Term | None, ...]]:
        """SELECT rows as tuples in the order of :attr:`variables` (``None``: unbound), streamed: the
        cheap way to read a big result once."""
        if self._kept is not None:
            yield from (tuple(r.get(v) for v in self.variables) for r in self._kept)
        elif self.kind == "select":
            yield from map(tuple, self._take())

    @property
    def triples(self) -> list[ox.Triple]:
        """CONSTRUCT/DESCRIBE triples."""
        return self._read() if self.kind == "graph" else []

    def _read(self) -> list[Any]:
        if self._kept is None:
            names = self.variables
            if self.kind == "select":
                self._kept = [
                    {n: v for n, v in zip(names, s, strict=True) if v is not None} for s in self._take()
                ]
            else:
                self._kept = list(self._take())
        return self._kept

    def _take(self) -> Iterator[Any]:
        """The answer, read once (engine errors while reading raised through ``fail``)."""
        answer, self._answer = self._answer, None
        if answer is None:
            raise MscGraphError("the result was already written; read its rows or triples first to keep them")
        try:
            yield from answer  # type: ignore[misc]
        except READ_ERRORS as exc:
            raise self._fail(exc) from None

    def iter_triples(self) -> Iterable[ox.Triple]:
        """The triples, streamed from the engine if they were not read yet."""
        return self._kept if self._kept is not None else self._take()

    def write(self, out: BinaryIO, fmt: ox.QueryResultsFormat) -> None:
        """A SELECT or ASK result in a W3C results format (pyoxigraph's writers), streamed to ``out``."""
        answer: ox.QuerySolutions | ox.QueryBoolean
        if isinstance(self._answer, ox.QueryBoolean):
            answer = self._answer
        elif isinstance(self._answer, ox.QuerySolutions):
            answer, self._answer = self._answer, None
        elif self.kind == "select":  # read before: the kept rows, through pyoxigraph's TSV parser
            head = "\t".join(f"?{v}" for v in self.variables)
            lines = ("\t".join(str(r[v]) if v in r else "" for v in self.variables) for r in self.rows)
            answer = ox.parse_query_results("\n".join([head, *lines]) + "\n", ox.QueryResultsFormat.TSV)
        else:
            raise UsageError("a CONSTRUCT/DESCRIBE result is RDF, not SPARQL results")
        output = _Output(out)
        try:
            answer.serialize(cast(BinaryIO, output), fmt)
        except READ_ERRORS as exc:
            if output.error is not None:  # the output's own error (a closed pipe) goes on as it is
                raise output.error from None
            raise self._fail(exc) from None


class _Output:
    """``out`` for pyoxigraph's writers, keeping what the output raised apart from the engine's errors."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.error: BaseException | None = None

    def write(self, data: bytes) -> int:
        try:
            return self.out.write(data)
        except BaseException as exc:
            self.error = exc
            raise

    def flush(self) -> None:
        try:
            self.out.flush()
        except BaseException as exc:
            self.error = exc
            raise
