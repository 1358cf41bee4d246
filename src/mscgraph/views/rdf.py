"""RDF serialisations shared by `mscgraph export`, `mscgraph sparql --format` and `mscgraph serve`.

Turtle, N-Triples and RDF/XML are pyoxigraph's serialisers (streaming, with the project's prefixes).
JSON-LD is written here, compact, with an ``@context`` made from the same prefix map: pyoxigraph
writes only expanded JSON-LD, and rdflib's compaction cannot use OBO-style prefixes such as
``MONDO`` -> ``http://purl.obolibrary.org/obo/MONDO_`` (it only splits IRIs at ``/`` and ``#``).
"""

from __future__ import annotations

import functools
import io
import itertools
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from json.encoder import encode_basestring  # what json.dumps(ensure_ascii=False) uses for a str
from operator import attrgetter
from typing import TYPE_CHECKING, Any, BinaryIO

from mscgraph.model.namespaces import CONVERTER, PREFIXES

if TYPE_CHECKING:
    import pyoxigraph as ox

    from mscgraph.query.terms import Result

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_GEN_DELIMS = (":", "/", "?", "#", "[", "]", "@")


@dataclass(frozen=True)
class RdfFormat:
    name: str  # as given to --format
    label: str
    media_type: str
    pyoxigraph: str | None  # the pyoxigraph.RdfFormat member; None: the compact JSON-LD writer here


FORMATS: dict[str, RdfFormat] = {
    f.name: f
    for f in (
        RdfFormat("ttl", "Turtle", "text/turtle", "TURTLE"),
        RdfFormat("nt", "N-Triples", "application/n-triples", "N_TRIPLES"),
        RdfFormat("rdfxml", "RDF/XML", "application/rdf+xml", "RDF_XML"),
        RdfFormat("jsonld", "JSON-LD", "application/ld+json", None),
    )
}


def write(triples: Iterable[ox.Triple], fmt: str, out: BinaryIO) -> None:
    """Serialise ``triples`` as ``fmt`` (a key of :data:`FORMATS`) to the binary stream ``out``."""
    spec = FORMATS[fmt]
    if spec.pyoxigraph is None:
        write_jsonld(triples, out)
        return
    import pyoxigraph as ox

    prefixes = None if fmt == "nt" else dict(PREFIXES)
    ox.serialize(triples, out, format=getattr(ox.RdfFormat, spec.pyoxigraph), prefixes=prefixes)


def to_bytes(triples: Iterable[ox.Triple], fmt: str) -> bytes:
    out = io.BytesIO()
    write(triples, fmt, out)
    return out.getvalue()


def result_triples(result: Result) -> Iterator[ox.Triple]:
    """A CONSTRUCT/DESCRIBE result's triples as pyoxigraph triples."""
    import pyoxigraph as ox

    from mscgraph.engines.embedded import to_ox

    for s, p, o in result.triples:
        yield ox.Triple(to_ox(s), to_ox(p), to_ox(o))


# --- compact JSON-LD -------------------------------------------------------------------------


def jsonld_context() -> dict[str, Any]:
    """The ``@context``: one term per prefix of :data:`mscgraph.namespaces.PREFIXES`. A namespace that
    does not end in ``/`` or ``#`` (``MONDO`` -> ``.../obo/MONDO_``) is marked ``@prefix``, which JSON-LD
    1.1 needs to expand ``MONDO:0010030``."""
    context: dict[str, Any] = {"@version": 1.1}
    for name, namespace in PREFIXES.items():
        context[name] = namespace if namespace.endswith(_GEN_DELIMS) else {"@id": namespace, "@prefix": True}
    return context


@functools.lru_cache(maxsize=1 << 16)  # predicates, classes and shared objects repeat; bounded memory
def _iri(iri: str) -> str:
    curie = CONVERTER.compact(iri)
    local = curie.partition(":")[2]
    return iri if local.startswith("//") else curie  # "x://..." would read as an absolute IRI


def _id(node: Any) -> str:
    return f"_:{node.value}" if type(node).__name__ == "BlankNode" else _iri(node.value)


def _value(term: Any) -> Any:
    if type(term).__name__ != "Literal":
        return {"@id": _id(term)}
    if term.language:
        return {"@value": term.value, "@language": term.language}
    datatype = term.datatype.value
    if datatype == XSD_STRING:
        return term.value
    return {"@value": term.value, "@type": _iri(datatype)}


def _node(subject: Any, triples: Iterable[ox.Triple]) -> dict[str, Any]:
    types: list[str] = []
    node: dict[str, Any] = {"@id": _id(subject), "@type": types}
    for _, p, o in triples:
        predicate = p.value
        if predicate == RDF_TYPE and type(o).__name__ != "Literal":
            types.append(_id(o))
        else:
            node.setdefault(_iri(predicate), []).append(_value(o))
    return {k: v[0] if isinstance(v, list) and len(v) == 1 else v for k, v in node.items() if v != []}


def write_jsonld(triples: Iterable[ox.Triple], out: BinaryIO) -> None:
    """Compact JSON-LD: the context, then one node object per run of triples about one subject, one
    line per property.

    Streams: a subject whose triples come in more than one run (from different source files) gets
    more than one node object with the same ``@id``, which JSON-LD merges on reading.
    """
    terms = ",\n".join(f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in jsonld_context().items())
    out.write(f'{{\n "@context": {{\n{terms}\n }},\n "@graph": ['.encode())
    encoder = json.JSONEncoder(ensure_ascii=False).encode

    def encode(v: Any) -> str:  # most values are strings: the C string encoder without the dispatch
        return encode_basestring(v) if type(v) is str else encoder(v)

    for n, (subject, run) in enumerate(itertools.groupby(triples, key=attrgetter("subject"))):
        lines = ",\n".join(f"   {encode_basestring(k)}: {encode(v)}" for k, v in _node(subject, run).items())
        out.write(f"{',' if n else ''}\n  {{\n{lines}\n  }}".encode())
    out.write(b"\n ]\n}\n")
