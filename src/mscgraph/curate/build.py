"""Curation files -> triples in the project's conventions, and the Turtle that holds them.

Each record becomes the node ``mscd:ID`` with its ``rdf:type`` and one triple per value; nested
records (a study's cohorts...) are linked from their parent by the field's property. References
(``disease: SS``, ``mechanism: 调节性T细胞``, ``supported_by: study-ref34``) are resolved, in order,
against the ids and names of the records being built, the ``mscd:`` nodes of the graph, and the
graph's name resolver (:class:`mscgraph.names.Resolver`), whose suggestions an unknown name gets.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import pyoxigraph as ox

from mscgraph.curate.schema import Class, Schema, Slot, schema, values
from mscgraph.curate.yamlfile import Document, Path_, Problem
from mscgraph.model.errors import AmbiguousName, UnknownName, UsageError
from mscgraph.model.namespaces import CONVERTER, MSCD, PREFIXES
from mscgraph.names.keys import local_name, normalize

RDF_TYPE = PREFIXES["rdf"] + "type"
RDFS_LABEL = PREFIXES["rdfs"] + "label"
XSD = PREFIXES["xsd"]
_DATATYPES = {"integer": "integer", "year": "gYear", "double": "double", "boolean": "boolean"}
# Which resolver kind a reference of each range is resolved as (None: any entity).
KINDS = {"Disease": "disease", "CellKind": "subject", "Mechanism": "mechanism", "Study": "study",
         "Publication": "publication", "Product": "product"}  # fmt: skip


class Names(Protocol):
    """What a build asks of the existing graph."""

    def resolve(self, text: str, kind: str | None) -> str: ...  # raises UnknownName / AmbiguousName

    def exists(self, iri: str) -> bool: ...

    def labels(self, iri: str) -> dict[str, str]: ...  # language -> label (abbreviation when it has one)


@dataclass
class Record:
    doc: Document
    cls: Class
    data: dict[str, Any]
    at: Path_
    iri: str | None = None


@dataclass
class Build:
    """The triples of some curation files, the problems met, and where each node was written."""

    triples: list[tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)

    def where(self, iri: str) -> Record | None:
        return next((r for r in self.records if r.iri == iri), None)

    def turtle(self) -> str:
        return to_turtle(self.triples)


def records(doc: Document, sch: Schema | None = None) -> Iterator[Record]:
    """Every record of ``doc``, parents before their nested records."""
    sch = sch or schema()
    root = sch.classes[sch.root]

    def walk(cls: Class, data: dict[str, Any], at: Path_) -> Iterator[Record]:
        for slot in cls.slots.values():
            if slot.inlined:
                for i, item in enumerate(values(data.get(slot.name))):
                    child = sch.classes[slot.range]
                    yield Record(doc, child, item, (*at, slot.name, i))
                    yield from walk(child, item, (*at, slot.name, i))

    yield from walk(root, doc.data, ())


def build(docs: list[Document], names: Names | None = None) -> Build:
    return _Builder(docs, names).run()


class _Builder:
    def __init__(self, docs: list[Document], names: Names | None) -> None:
        self.schema = schema()
        self.docs = docs
        self.names = names
        self.out = Build()
        self.local: dict[str, Record] = {}  # id -> record
        self.local_names: dict[str, list[Record]] = {}  # normalised name -> records

    def run(self) -> Build:
        self.out.records = [r for d in self.docs for r in records(d, self.schema)]
        for rec in self.out.records:
            if "id" in rec.data:
                self._register(rec, rec.data["id"])
        for rec in self.out.records:
            if rec.iri is None and rec.cls.name == "Finding":
                self._finding_id(rec)
        for rec in self.out.records:
            if rec.iri is not None:
                self._emit(rec)
            else:  # a finding whose id could not be made: say why
                self._unnamed(rec)
        return self.out

    def _unnamed(self, rec: Record) -> None:
        before = len(self.out.problems)
        for slot in ("disease", "cells", "mechanism", "supported_by"):
            for i, text in enumerate(values(rec.data.get(slot))):
                at = (slot, i) if isinstance(rec.data[slot], list) else (slot,)
                self.ref(rec, rec.cls.slots[slot], text, at)
        if len(self.out.problems) == before:
            self._problem(rec, (), "a finding needs `disease` (or `cells: MSC` for a general MSC property)")

    def _problem(self, rec: Record, at: Path_, message: str) -> None:
        self.out.problems.append(rec.doc.problem((*rec.at, *at), message))

    def _register(self, rec: Record, ident: str) -> None:
        other = self.local.get(ident)
        if other is not None and not (rec.data.get("extends") or other.data.get("extends")):
            where = f"{other.doc.name}:{other.doc.line(other.at)}"
            self._problem(rec, ("id",), f"id {ident!r} is already used by the record at {where}")
        rec.iri = MSCD + ident
        if other is None or other.data.get("extends"):
            self.local[ident] = rec
        names = [ident, rec.data.get("abbreviation")]
        for key in ("label", "alt_labels"):
            names += [v for texts in (rec.data.get(key) or {}).values() for v in values(texts)]
        for name in {normalize(str(n)) for n in names if n}:
            self.local_names.setdefault(name, []).append(rec)

    # --- references ----------------------------------------------------------------------
    def ref(self, rec: Record, slot: Slot, text: Any, at: Path_) -> str | None:
        """The IRI a reference names, or None after recording a problem."""
        text = str(text).strip()
        local = self.local.get(text)
        if local is None:
            found = {id(r): r for r in self.local_names.get(normalize(text), []) if r.cls.name == slot.range}
            local = next(iter(found.values())) if len(found) == 1 else None
        if local is not None:
            if local.cls.name != slot.range and not local.data.get("extends"):
                self._problem(rec, at, f"{slot.name}: {text!r} is a {local.cls.name.lower()}, not a "
                              f"{slot.range.lower()}")  # fmt: skip
                return None
            return local.iri
        if self.names is None:
            iri = CONVERTER.expand(text) if ":" in text else MSCD + text
            return iri
        if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", text) and self.names.exists(MSCD + text):
            return f"{MSCD}{text}"
        try:
            return self.names.resolve(text, KINDS.get(slot.range))
        except (UnknownName, AmbiguousName, UsageError) as exc:
            self._problem(rec, at, f"{slot.name}: {exc}")
            return None

    def _finding_id(self, rec: Record) -> None:
        """finding-SUBJECT-MECHANISM-K (docs/curation.md), -b, -c... when that is taken."""
        d = rec.data
        subject = next((self._quiet_ref(rec, s, d[s]) for s in ("disease", "cells") if d.get(s)), None)
        mechanism = self._quiet_ref(rec, "mechanism", d.get("mechanism"))
        study = self._quiet_ref(rec, "supported_by", next(iter(values(d.get("supported_by"))), None))
        if not (subject and mechanism and study):
            return  # reported by _unnamed
        key = local_name(study).removeprefix("study-")
        base = f"finding-{local_name(subject)}-{local_name(mechanism)}-{key}"
        ident, n = base, 0
        while ident in self.local or (self.names and self.names.exists(MSCD + ident)):
            n += 1
            ident = f"{base}-{chr(ord('a') + n)}"
        self._register(rec, ident)

    def _quiet_ref(self, rec: Record, slot: str, text: Any) -> str | None:
        if text is None:
            return None
        before = len(self.out.problems)
        iri = self.ref(rec, rec.cls.slots[slot], text, ())
        del self.out.problems[before:]
        return iri

    # --- triples -------------------------------------------------------------------------
    def _emit(self, rec: Record) -> None:
        assert rec.iri is not None  # named before its triples are made
        subject = ox.NamedNode(rec.iri)
        if not rec.data.get("extends"):
            kind = self.schema.rdf_type(rec.cls, rec.data)
            if kind:
                self._add(subject, RDF_TYPE, ox.NamedNode(kind))
        data = dict(rec.data)
        if rec.cls.name == "Finding":
            self._finding_defaults(rec, data)
        for name, value in data.items():
            slot = rec.cls.slots.get(name)
            if slot is None or slot.uri is None or value is None:
                continue
            for obj in self._objects(rec, slot, value):
                self._add(subject, slot.uri, obj)

    def _add(self, s: ox.NamedNode, p: str, o: ox.NamedNode | ox.Literal) -> None:
        self.out.triples.append((s, ox.NamedNode(p), o))

    def _objects(self, rec: Record, slot: Slot, value: Any) -> Iterator[ox.NamedNode | ox.Literal]:
        at: Path_ = (slot.name,)
        if slot.range == "Text":
            for lang, texts in value.items():
                for text in values(texts):
                    yield ox.Literal(text) if lang == "plain" else ox.Literal(text, language=lang)
            return
        for i, item in enumerate(values(value)):
            item_at = (*at, i) if isinstance(value, list) else at
            if slot.inlined:
                if isinstance(item, dict) and "id" in item:
                    yield ox.NamedNode(MSCD + item["id"])
            elif slot.range in self.schema.enums:
                meaning = self.schema.enums[slot.range][item]
                yield ox.NamedNode(meaning) if meaning else ox.Literal(item)
            elif self.schema.is_class(slot.range):
                iri = self.ref(rec, slot, item, item_at)
                if iri:
                    yield ox.NamedNode(iri)
            elif slot.range == "uriorcurie":
                iri = CONVERTER.expand(item)
                if iri is None:
                    self._problem(rec, item_at, f"{slot.name}: unknown prefix in {item!r}")
                else:
                    yield ox.NamedNode(iri)
            else:
                yield literal(slot.range, item)

    def _finding_defaults(self, rec: Record, data: dict[str, Any]) -> None:
        if "quoted_from" not in data and rec.doc.data.get("source"):
            data["quoted_from"] = rec.doc.data["source"]
        if "label" in data or self.names is None:
            return
        parts = {}
        for slot in ("disease", "cells", "mechanism"):
            if data.get(slot):
                parts[slot] = self._labels(self._quiet_ref(rec, slot, data[slot]))
        study = self._quiet_ref(rec, "supported_by", next(iter(values(data.get("supported_by"))), None))
        enums = self.schema.enums
        role = self._labels(enums["Role"].get(data.get("role", "")))
        direction = self._labels(enums["Direction"].get(data.get("direction", "")))
        cite = {lang: text.split(":")[0].split("(")[0].strip() for lang, text in self._labels(study).items()}
        subject = parts.get("disease") or parts.get("cells") or {}
        mech = parts.get("mechanism", {})
        label = {}
        for lang, sep, colon in (("en", " ", ": "), ("zh", "", ":")):
            if all(lang in x for x in (subject, mech, role, direction, cite)):
                head = f"{subject[lang]}{colon}{role[lang]}{colon}{mech[lang]}{sep}{direction[lang]}"
                label[lang] = f"{head} ({cite[lang]})" if lang == "en" else f"{head}({cite[lang]})"
        if label:
            data["label"] = label

    def _labels(self, iri: str | None) -> dict[str, str]:
        if iri is None:
            return {}
        rec = next((r for r in self.local.values() if r.iri == iri and r.data.get("label")), None)
        if rec is not None:
            short = rec.data.get("abbreviation")
            return {
                lang: short or values(text)[0] for lang, text in rec.data["label"].items() if lang != "plain"
            }
        return self.names.labels(iri) if self.names else {}


def literal(range_: str, value: Any) -> ox.Literal:
    """A field's value as the literal the curated Turtle uses (``24``, ``"1.0E6"^^xsd:double``...)."""
    kind = _DATATYPES.get(range_)
    if kind is None:
        return ox.Literal(str(value))
    if kind == "boolean":
        text = "true" if value else "false"
    elif kind == "double":
        text = double_text(float(value))
    else:
        text = str(int(value))
    return ox.Literal(text, datatype=ox.NamedNode(XSD + kind))


def double_text(value: float) -> str:
    """``1000000.0`` -> ``1.0E6``, the form of curation rule 7."""
    mantissa, exponent = f"{value:E}".split("E")
    mantissa = mantissa.rstrip("0")
    return f"{mantissa}0E{int(exponent)}" if mantissa.endswith(".") else f"{mantissa}E{int(exponent)}"


# --- Turtle ----------------------------------------------------------------------------------
_LOCAL = re.compile(r"^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?$")
_PLAIN_TYPES = {XSD + "integer", XSD + "boolean"}


def _term(node: ox.NamedNode | ox.Literal, used: set[str]) -> str:
    if isinstance(node, ox.NamedNode):
        if node.value == RDF_TYPE:
            return "a"
        curie = CONVERTER.compact(node.value)
        prefix, _, local = curie.partition(":")
        if curie != node.value and _LOCAL.match(local):
            used.add(prefix)
            return curie
        return f"<{node.value}>"
    text = json.dumps(node.value, ensure_ascii=False)
    if node.language:
        return f"{text}@{node.language}"
    datatype = node.datatype.value
    if datatype in _PLAIN_TYPES:
        return node.value
    if datatype == XSD + "string":
        return text
    return f"{text}^^{_term(node.datatype, used)}"


def to_turtle(triples: list[tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]]) -> str:
    """One block per subject, in the order of first appearance; ``a`` and labels first."""
    by_subject: dict[str, dict[str, list[ox.NamedNode | ox.Literal]]] = {}
    nodes: dict[str, ox.NamedNode] = {}
    for s, p, o in dict.fromkeys(triples):
        nodes[s.value] = s
        objects = by_subject.setdefault(s.value, {}).setdefault(p.value, [])
        objects.append(o)
    used: set[str] = set()
    blocks = []
    for subject, props in by_subject.items():
        order = sorted(props, key=lambda p: (p != RDF_TYPE, p != RDFS_LABEL))
        lines = [
            f"    {_term(ox.NamedNode(p), used)} {' , '.join(_term(o, used) for o in props[p])}"
            for p in order
        ]
        blocks.append(f"{_term(nodes[subject], used)}\n" + " ;\n".join(lines) + " .\n")
    header = "".join(f"@prefix {p}: <{PREFIXES[p]}> .\n" for p in PREFIXES if p in used)
    return header + "\n" + "\n".join(blocks)
