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
from collections.abc import Iterable
from dataclasses import dataclass
from json.encoder import encode_basestring as _json  # json.dumps(text, ensure_ascii=False), in C
from operator import attrgetter
from typing import TYPE_CHECKING, Any, BinaryIO

import pyoxigraph as ox

from mscgraph.model.namespaces import CONVERTER, PREFIXES

if TYPE_CHECKING:
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
    concatenates: bool = False  # two documents, one after the other, make one document of both graphs

    @property
    def prefixes(self) -> dict[str, str] | None:
        return None if self.name == "nt" else dict(PREFIXES)


FORMATS: dict[str, RdfFormat] = {
    f.name: f
    for f in (
        RdfFormat("ttl", "Turtle", "text/turtle", "TURTLE", concatenates=True),
        RdfFormat("nt", "N-Triples", "application/n-triples", "N_TRIPLES", concatenates=True),
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
    ox.serialize(triples, out, format=getattr(ox.RdfFormat, spec.pyoxigraph), prefixes=spec.prefixes)


def to_bytes(triples: Iterable[ox.Triple], fmt: str) -> bytes:
    out = io.BytesIO()
    write(triples, fmt, out)
    return out.getvalue()


def result_triples(result: Result) -> Iterable[ox.Triple]:
    """A CONSTRUCT/DESCRIBE result's triples, streamed if they were not read yet."""
    return result.iter_triples()


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


def _id(node: ox.NamedNode | ox.BlankNode | ox.Triple) -> str:
    if type(node) is ox.NamedNode:
        return _iri(node.value)
    return f"_:{node.value}" if type(node) is ox.BlankNode else str(node)


def _value(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    """The JSON text of an object (as ``json.dumps`` writes it, without building the dict first)."""
    if type(term) is not ox.Literal:
        return f'{{"@id": {_json(_id(term))}}}'
    if term.language:
        return f'{{"@value": {_json(term.value)}, "@language": {_json(term.language)}}}'
    datatype = term.datatype.value
    if datatype == XSD_STRING:
        return _json(term.value)
    return f'{{"@value": {_json(term.value)}, "@type": {_json(_iri(datatype))}}}'


def _node(subject: ox.NamedNode | ox.BlankNode, triples: Iterable[ox.Triple]) -> str:
    """One node object, one line per property: ``@id``, ``@type``, then the properties as they come."""
    types: list[str] = []
    properties: dict[str, list[str]] = {}
    for triple in triples:
        predicate, o = triple.predicate.value, triple.object
        if predicate == RDF_TYPE and type(o) is not ox.Literal:
            types.append(_json(_id(o)))
        else:
            properties.setdefault(_iri(predicate), []).append(_value(o))
    lines = [f'   "@id": {_json(_id(subject))}']
    for key, values in ([("@type", types)] if types else []) + list(properties.items()):
        lines.append(f"   {_json(key)}: {values[0] if len(values) == 1 else '[' + ', '.join(values) + ']'}")
    return ",\n".join(lines)


def write_jsonld(triples: Iterable[ox.Triple], out: BinaryIO) -> None:
    """Compact JSON-LD: the context, then one node object per run of triples about one subject, one
    line per property.

    Streams: a subject whose triples come in more than one run (from different source files) gets
    more than one node object with the same ``@id``, which JSON-LD merges on reading.
    """
    terms = ",\n".join(f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in jsonld_context().items())
    out.write(f'{{\n "@context": {{\n{terms}\n }},\n "@graph": ['.encode())
    for n, (subject, run) in enumerate(itertools.groupby(triples, key=attrgetter("subject"))):
        out.write(f"{',' if n else ''}\n  {{\n{_node(subject, run)}\n  }}".encode())
    out.write(b"\n ]\n}\n")
