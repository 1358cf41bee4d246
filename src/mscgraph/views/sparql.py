"""Run SPARQL given as text, a file or a named query, and serialise the answer.

Results go out in the W3C formats (SPARQL 1.1 JSON, CSV and TSV results; Turtle, N-Triples, RDF/XML
or compact JSON-LD for CONSTRUCT/DESCRIBE) or as a terminal table with IRIs shortened to CURIEs.
Parameters are always bound as RDF terms (see :mod:`mscgraph.queries`), never pasted into the query text.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from mscgraph.engines.embedded import EmbeddedEngine
from mscgraph.model.errors import UsageError
from mscgraph.model.namespaces import CONVERTER
from mscgraph.query import library as queries
from mscgraph.query.terms import Result, Term
from mscgraph.query.text import is_update
from mscgraph.views import formats

if TYPE_CHECKING:
    from mscgraph.graph import Graph

SELECT_FORMATS = ("table", "json", "csv", "tsv")
GRAPH_FORMATS = ("table", "ttl", "nt", "rdfxml", "jsonld")
FORMATS = ("table", "json", "csv", "tsv", "ttl", "nt", "rdfxml", "jsonld")


def parse_params(pairs: list[str] | tuple[str, ...]) -> dict[str, str]:
    """``["disease=SS", "kind=species"]`` -> ``{"disease": "SS", "kind": "species"}``."""
    params: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--param needs key=value, got {pair!r}")
        params[key.strip()] = value
    return params


def adhoc_term(value: str) -> Term:
    """A parameter of an ad-hoc query: ``<iri>``, a known CURIE or an absolute IRI; otherwise a string."""
    if value.startswith("<") and value.endswith(">"):
        return Term.iri(value[1:-1])
    if "://" in value or value.startswith("urn:"):
        return Term.iri(value)
    if ":" in value and (iri := CONVERTER.expand(value)):
        return Term.iri(iri)
    return Term.literal(value)


def run(
    kg: Graph,
    text: str | None = None,
    *,
    file: str | Path | None = None,
    named: str | None = None,
    params: Mapping[str, str] | None = None,
    lazy: bool = False,
) -> Result:
    """Run exactly one of: query ``text``, the query in ``file``, or the named query ``named``.

    A named query's parameters are bound by kind (a disease name is resolved to its IRI, ...);
    an ad-hoc query's parameters are bound with :func:`adhoc_term`. ``lazy``: rows read as they
    are written (embedded engine), see :func:`write`.
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
    if is_update(text):
        raise UsageError("SPARQL Update is not allowed: mscgraph only reads the graph")
    bindings = {k: adhoc_term(v) for k, v in params.items()}
    if lazy and isinstance(kg.engine, EmbeddedEngine):
        return kg.engine.run(text, bindings, lazy=True)
    return kg.engine.run(text, bindings)


def _cell(term: Term | None) -> str | None:
    if term is None:
        return None
    return CONVERTER.compact(term.value) if term.kind == "uri" else term.value


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


def rdf_text(result: Result, fmt: str) -> str:
    """CONSTRUCT/DESCRIBE triples in an RDF format of :data:`mscgraph.rdf.FORMATS`."""
    from mscgraph.views import rdf

    return rdf.to_bytes(rdf.result_triples(result), fmt).decode("utf-8")


def serialise(result: Result, fmt: str) -> str:
    """The result in ``fmt`` (one of :data:`FORMATS`); a format that cannot carry it is a UsageError."""
    return "".join(chunks(result, fmt))


def chunks(result: Result, fmt: str, batch: int = 2000) -> Iterator[str]:
    """The result in ``fmt``, piece by piece: JSON, CSV, TSV and N-Triples take ``batch`` rows at a
    time from a lazy result, so memory does not grow with it; a table (columns fitted to every row)
    and Turtle (prefixes, nesting) are built whole."""
    _check_format(result, fmt)
    if fmt not in ("json", "csv", "tsv", "nt") or result.kind == "ask":
        yield serialise_whole(result, fmt)
        return
    items = iter(result.triples if result.kind == "graph" else result.rows)
    first = True
    while part := list(itertools.islice(items, batch)):
        piece = Result(result.kind, result.variables, rows=part, triples=part)
        if fmt == "json":
            text = formats.sparql_json(piece)
            head, _, rest = text.partition('"bindings": [')
            rest = rest[: -len("]}}\n")]
            yield head + '"bindings": [' + rest if first else ", " + rest
        elif fmt in ("csv", "tsv"):
            text = formats.sparql_csv(piece) if fmt == "csv" else formats.sparql_tsv(piece)
            yield text if first else text.split("\n", 1)[1]
        else:
            yield rdf_text(piece, "nt")
        first = False
    if first:  # no rows at all
        yield serialise_whole(Result(result.kind, result.variables), fmt)
    elif fmt == "json":
        yield "]}}\n"


def _check_format(result: Result, fmt: str) -> None:
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; use one of: {', '.join(FORMATS)}")
    if result.kind == "graph" and fmt not in GRAPH_FORMATS:
        raise UsageError(f"a CONSTRUCT/DESCRIBE result is RDF: use --format {', '.join(GRAPH_FORMATS)}")
    if result.kind != "graph" and fmt in GRAPH_FORMATS and fmt != "table":
        raise UsageError(
            f"--format {fmt} is for CONSTRUCT/DESCRIBE; a {result.kind.upper()} result "
            f"takes: {', '.join(SELECT_FORMATS)}"
        )


def serialise_whole(result: Result, fmt: str) -> str:
    if fmt == "table":
        return table(result)
    if result.kind == "graph":
        return rdf_text(result, fmt)
    if fmt == "json":
        return formats.sparql_json(result)
    if result.kind == "ask":  # CSV/TSV results only define variable bindings
        return ("true" if result.boolean else "false") + "\n"
    return formats.sparql_csv(result) if fmt == "csv" else formats.sparql_tsv(result)


def catalog_rows() -> list[dict[str, str]]:
    """The public named queries: name, title, parameters, description."""
    rows = []
    for name, query in queries.catalog().items():
        if query.internal:
            continue
        params = ", ".join(f"{p.name} ({p.kind}{', optional' if p.optional else ''})" for p in query.params)
        rows.append({"name": name, "title": query.title, "params": params, "description": query.description})
    return rows
