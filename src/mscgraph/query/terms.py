"""RDF terms and query results as mscgraph passes them between engines and views."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from mscgraph.model.errors import UsageError

XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGER_TYPES = {XSD + t for t in ("integer", "positiveInteger", "nonNegativeInteger", "int", "long")}
_FLOAT_TYPES = {XSD + t for t in ("double", "float", "decimal")}


@dataclass(frozen=True, slots=True)
class Term:
    """An RDF term as it appears in a result, independent of the engine."""

    kind: str  # "uri" | "literal" | "bnode" | "triple"
    value: str
    datatype: str | None = None
    lang: str | None = None

    @classmethod
    def iri(cls, value: str) -> Term:
        return cls("uri", value)

    @classmethod
    def literal(cls, value: Any) -> Term:
        if isinstance(value, bool):
            return cls("literal", str(value).lower(), XSD + "boolean")
        if isinstance(value, int):
            return cls("literal", str(value), XSD + "integer")
        if isinstance(value, float):
            return cls("literal", repr(value), XSD + "double")
        return cls("literal", str(value))

    def python(self) -> Any:
        """The value as Python: numbers become int/float, everything else its lexical form."""
        try:
            if self.datatype in _INTEGER_TYPES:
                return int(self.value)
            if self.datatype in _FLOAT_TYPES:
                return float(self.value)
        except ValueError:
            pass
        if self.datatype == XSD + "boolean":
            return self.value in ("true", "1")
        return self.value

    def n3(self) -> str:
        """SPARQL/N-Triples syntax, with every special character escaped."""
        if self.kind == "uri":
            if re.search(r'[\s<>"{}|^`\\]', self.value):
                raise UsageError(f"not a valid IRI: {self.value!r}")
            return f"<{self.value}>"
        if self.kind == "bnode":
            return f"_:{self.value}"
        text = self.value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
        if self.lang:
            return f'"{text}"@{self.lang}'
        if self.datatype and self.datatype != XSD + "string":
            return f'"{text}"^^<{self.datatype}>'
        return f'"{text}"'


@dataclass
class Result:
    """The answer to one query: SELECT rows, an ASK boolean, or CONSTRUCT/DESCRIBE triples."""

    kind: str  # "select" | "ask" | "graph"
    variables: list[str] = field(default_factory=list)
    rows: list[dict[str, Term]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[tuple[Term, Term, Term]] = field(default_factory=list)

    def records(self) -> list[dict[str, Any]]:
        """SELECT rows as plain dicts of Python values (unbound variables are None)."""
        return [{v: (r[v].python() if v in r else None) for v in self.variables} for r in self.rows]
