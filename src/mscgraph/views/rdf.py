"""RDF serialisations shared by `mscgraph export`, `mscgraph sparql --format` and `mscgraph serve`.

Turtle, N-Triples and RDF/XML are pyoxigraph's serialisers (streaming, with the project's prefixes).
JSON-LD is written here, compact, with an ``@context`` made from the same prefix map: pyoxigraph
writes only expanded JSON-LD, and rdflib's compaction cannot use OBO-style prefixes such as
``MONDO`` -> ``http://purl.obolibrary.org/obo/MONDO_`` (it only splits IRIs at ``/`` and ``#``).
"""

from __future__ import annotations

import functools
import io
import json
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from json.encoder import encode_basestring as _json  # json.dumps(text, ensure_ascii=False), in C
from typing import TYPE_CHECKING, Any, BinaryIO, cast

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


_RDF_TYPE = f"<{RDF_TYPE}>"


@functools.lru_cache(maxsize=1 << 16)
def _nt_id(term: str) -> str:
    """The JSON ``@id`` text of an N-Triples IRI (``<...>``) or blank node (``_:...``)."""
    return _json(_iri(term[1:-1]) if term[0] == "<" else term)


@functools.lru_cache(maxsize=1 << 16)
def _nt_ref(term: str) -> str:
    """The JSON value of an N-Triples IRI or blank node object: ``{"@id": ...}``."""
    return f'{{"@id": {_nt_id(term)}}}'


@functools.lru_cache(maxsize=1 << 10)
def _nt_datatype(tail: str) -> str:
    """The JSON ``@type`` text of a literal's ``^^<datatype>`` suffix."""
    return _json(_iri(tail[3:-1]))


class JsonLdNodes:
    """Compact JSON-LD from N-Triples: a binary stream that pyoxigraph's N-Triples serialiser (or
    ``Store.dump``) writes to, so that parsing and reading the terms stay in Rust. Each line is cut at
    its spaces; an IRI, blank node or plain literal is already the JSON text it becomes (the
    N-Triples escapes of a literal are JSON's, and a literal without one has nothing to escape).
    The rare line with an escape or a triple term goes through pyoxigraph's parser and :func:`_value`.

    One node object per run of lines about one subject, one line per property: ``@id``, ``@type``,
    then the properties as they come. :meth:`close` writes the last node and ends the document.
    """

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.pending = b""
        self.subject = ""
        self.types: list[str] = []
        self.properties: dict[str, list[str]] = {}
        self.nodes = 0
        self.keys: dict[str, str] = {}  # N-Triples predicate -> its JSON key (predicates are few)
        terms = ",\n".join(f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in jsonld_context().items())
        out.write(f'{{\n "@context": {{\n{terms}\n }},\n "@graph": ['.encode())

    def write(self, data: bytes) -> int:
        text = self.pending + data
        end = text.rfind(b"\n") + 1
        self.pending = text[end:]
        parts: list[str] = []
        self._lines(text[:end].decode().split("\n")[:-1], parts)
        if parts:
            self.out.write("".join(parts).encode())
        return len(data)

    def flush(self) -> None:
        pass

    def stream(self) -> BinaryIO:
        """This writer as the binary stream pyoxigraph writes to (it calls only write and flush)."""
        return cast(BinaryIO, self)

    def close(self) -> None:
        parts: list[str] = []
        self._node(parts)
        self.out.write("".join(parts).encode() + b"\n ]\n}\n")

    def _lines(self, lines: list[str], parts: list[str]) -> None:
        """Read N-Triples lines (one loop, local names: it runs once per triple)."""
        keys, ref, datatype = self.keys, _nt_ref, _nt_datatype
        types, properties = self.types, self.properties
        for line in lines:
            s, p, o = line.split(" ", 2)
            if s != self.subject:
                self._node(parts)
                self.subject, types, properties = s, self.types, self.properties
            o = o[:-2]  # " ."
            if o[0] != '"':  # an IRI or a blank node (or a triple term)
                if p == _RDF_TYPE:
                    types.append(_nt_id(o) if o[1] != "<" else _json(str(_object(line))))  # <<( triple )>>
                    continue
                value = ref(o) if o[1] != "<" else _value(_object(line))
            elif "\\" in o:  # an escape: the parser reads it
                value = _value(_object(line))
            else:
                k = o.rfind('"') + 1
                if k == len(o):
                    value = o
                elif o[k] == "^":
                    value = f'{{"@value": {o[:k]}, "@type": {datatype(o[k:])}}}'
                elif "--" not in o[k:]:  # @language (not with a base direction)
                    value = f'{{"@value": {o[:k]}, "@language": "{o[k + 1 :]}"}}'
                else:
                    value = _value(_object(line))
            key = keys.get(p)
            if key is None:
                key = keys[p] = _json(_iri(p[1:-1]))
            values = properties.get(key)
            if values is None:
                properties[key] = [value]
            else:
                values.append(value)

    def _node(self, parts: list[str]) -> None:
        """Write the node object of the lines read so far about the current subject."""
        if self.subject:
            lines = [f'   "@id": {_nt_id(self.subject)}']
            items = [('"@type"', self.types)] if self.types else []
            for key, values in items + list(self.properties.items()):
                lines.append(f"   {key}: {values[0] if len(values) == 1 else '[' + ', '.join(values) + ']'}")
            parts.append(f"{',' if self.nodes else ''}\n  {{\n" + ",\n".join(lines) + "\n  }")
            self.nodes += 1
        self.subject, self.types, self.properties = "", [], {}


def _object(line: str) -> ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple:
    """The object of one N-Triples line, read by pyoxigraph's parser."""
    quad: ox.Quad = next(iter(ox.parse(line.encode(), ox.RdfFormat.N_TRIPLES)))
    return quad.object


def piped(produce: Callable[[BinaryIO], object], consume: Callable[[bytes], object]) -> None:
    """``consume`` each chunk of what ``produce(stream)`` writes, as it comes: ``produce`` runs in a
    thread of its own writing to a pipe, so that a producer which releases the GIL (pyoxigraph's
    ``Store.dump`` does, between its writes) works on one core while ``consume`` works on the other;
    memory stays the pipe's buffer. An error of ``produce`` is raised here after its last chunk; an
    error of ``consume`` closes the pipe first, so that ``produce`` ends on its next write."""
    read_end, write_end = os.pipe()
    failed: list[BaseException] = []

    def run() -> None:
        try:
            with open(write_end, "wb") as stream:  # closing it is the reader's end of file
                produce(stream)
        except BaseException as exc:  # raised again in the reading thread
            failed.append(exc)

    thread = threading.Thread(target=run, name="mscgraph-producer", daemon=True)
    thread.start()
    try:
        with open(read_end, "rb", buffering=0) as pipe:
            while chunk := pipe.read(1 << 16):
                consume(chunk)
    finally:
        thread.join()
    if failed:
        raise failed[0]


def write_jsonld_dump(dump: Callable[[BinaryIO], object], out: BinaryIO) -> None:
    """Compact JSON-LD of the N-Triples that ``dump(stream)`` writes (an engine's dump of its store),
    converted beside the dump (:func:`piped`): at scale the conversion costs next to nothing in time."""
    nodes = JsonLdNodes(out)
    piped(dump, nodes.write)
    nodes.close()


def write_jsonld(triples: Iterable[ox.Triple], out: BinaryIO) -> None:
    """Compact JSON-LD of ``triples`` (see :class:`JsonLdNodes`).

    Streams: a subject whose triples come in more than one run (from different source files) gets
    more than one node object with the same ``@id``, which JSON-LD merges on reading.
    """
    nodes = JsonLdNodes(out)
    ox.serialize(triples, nodes.stream(), ox.RdfFormat.N_TRIPLES)
    nodes.close()
