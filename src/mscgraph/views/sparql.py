"""Run SPARQL given as text, a file or a named query, and serialise the answer.

Results go out in the W3C formats (SPARQL 1.1 JSON, XML, CSV and TSV results, written by pyoxigraph;
Turtle, N-Triples, RDF/XML or compact JSON-LD for CONSTRUCT/DESCRIBE) or as a terminal table with IRIs
shortened to CURIEs. Parameters are always bound as RDF terms (see :mod:`mscgraph.query.library`), never
pasted into the query text.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import pyoxigraph as ox

from mscgraph.model.errors import UsageError
from mscgraph.model.namespaces import CONVERTER
from mscgraph.query import library as queries
from mscgraph.query.terms import Result, Term, iri
from mscgraph.views import formats, rdf

if TYPE_CHECKING:
    from mscgraph.graph import Graph

RESULT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
SELECT_FORMATS = ("table", *RESULT_FORMATS)
GRAPH_FORMATS = ("table", *rdf.FORMATS)
FORMATS = (*SELECT_FORMATS, *rdf.FORMATS)


def parse_params(pairs: list[str] | tuple[str, ...]) -> dict[str, str]:
    """``["disease=SS", "kind=species"]`` -> ``{"disease": "SS", "kind": "species"}``."""
    params: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--param needs key=value, got {pair!r}")
        if key.strip() in params:
            raise UsageError(f"--param {key.strip()} is given twice; a parameter takes one value")
        params[key.strip()] = value
    return params


def adhoc_term(value: str) -> Term:
    """A parameter of an ad-hoc query: ``<iri>``, a known CURIE or an absolute IRI; otherwise a string."""
    if value.startswith("<") and value.endswith(">"):
        return iri(value[1:-1])
    if "://" in value or value.startswith("urn:"):
        return iri(value)
    if ":" in value and (expanded := CONVERTER.expand(value)):
        return iri(expanded)
    return ox.Literal(value)


def run(
    kg: Graph,
    text: str | None = None,
    *,
    file: str | Path | None = None,
    named: str | None = None,
    params: Mapping[str, str] | None = None,
) -> Result:
    """Run exactly one of: query ``text``, the query in ``file``, or the named query ``named``.

    A named query's parameters are bound by kind (a disease name is resolved to its IRI, ...);
    an ad-hoc query's parameters are bound with :func:`adhoc_term`. The answer is read from the
    engine as it is written (see :func:`write`) or when its rows are read.
    """
    given = [x for x in (text, file, named) if x is not None]
    if len(given) != 1:
        raise UsageError("give exactly one of: query text, --file FILE, --named NAME")
    params = dict(params or {})
    if named is not None:
        return kg.run(named, params)
    if file is not None:
        try:
            text = Path(file).read_text("utf-8-sig")  # a byte-order mark is not part of the query
        except OSError as exc:
            raise UsageError(f"cannot read query file {file}: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise UsageError(f"query file {file} is not UTF-8 text") from None
    assert text is not None
    if not text.strip():
        raise UsageError("the query is empty")
    return kg.engine.run(text, {k: adhoc_term(v) for k, v in params.items()})


def _cell(term: Term | ox.Triple | None) -> str | None:
    if term is None:
        return None
    if isinstance(term, ox.Triple):
        return str(term)
    return CONVERTER.compact(term.value) if isinstance(term, ox.NamedNode) else term.value


def table(result: Result) -> str:
    """A terminal table: IRIs as CURIEs, literals as their text."""
    if result.kind == "ask":
        return ("true" if result.boolean else "false") + "\n"
    if result.kind == "graph":
        columns = ["subject", "predicate", "object"]
        rows = [dict(zip(columns, (_cell(t) for t in triple), strict=True)) for triple in result.triples]
    else:
        columns = result.variables
        rows = [{v: _cell(r.get(v)) for v in columns} for r in result.rows]
        if rows and not columns:  # SELECT * WHERE {}: solutions without variables
            return f"{len(rows)} solution{'s' if len(rows) > 1 else ''} without variables\n"
    return formats.table(rows, columns) if rows else ""


def write(result: Result, fmt: str, out: BinaryIO) -> None:
    """The result in ``fmt`` (one of :data:`FORMATS`) to ``out``, streamed from the engine (a table is
    built whole: its columns fit every row); a format that cannot carry it is a UsageError."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; use one of: {', '.join(FORMATS)}")
    if result.kind == "graph" and fmt not in GRAPH_FORMATS:
        raise UsageError(f"a CONSTRUCT/DESCRIBE result is RDF: use --format {', '.join(GRAPH_FORMATS)}")
    if result.kind != "graph" and fmt not in SELECT_FORMATS:
        raise UsageError(
            f"--format {fmt} is for CONSTRUCT/DESCRIBE; a {result.kind.upper()} result "
            f"takes: {', '.join(SELECT_FORMATS)}"
        )
    if fmt == "table":
        out.write(table(result).encode("utf-8"))
    elif result.kind == "graph":
        rdf.write(result.iter_triples(), fmt, out)
    elif result.kind == "ask" and fmt in ("csv", "tsv"):  # CSV/TSV results only define variable bindings
        out.write(b"true\n" if result.boolean else b"false\n")
    else:
        result.write(out, RESULT_FORMATS[fmt])
        if fmt in ("json", "xml"):  # pyoxigraph ends the document without a line end
            out.write(b"\n")


def serialise(result: Result, fmt: str) -> str:
    """The result in ``fmt`` as text (see :func:`write`)."""
    out = io.BytesIO()
    write(result, fmt, out)
    return out.getvalue().decode("utf-8")


def catalog_rows() -> list[dict[str, str]]:
    """The public named queries: name, title, parameters, description."""
    rows = []
    for name, query in queries.catalog().items():
        if query.internal:
            continue
        params = ", ".join(f"{p.name} ({p.kind}{', optional' if p.optional else ''})" for p in query.params)
        rows.append({"name": name, "title": query.title, "params": params, "description": query.description})
    return rows
