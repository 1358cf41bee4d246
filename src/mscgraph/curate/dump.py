"""Curated Turtle -> curation files: the inverse of :mod:`.build`, one YAML file per data file.

Every triple must land in a field; one that has no field is an error, not a silent loss, so a
dump that builds back to the same triples shows that the format covers the model.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml

from mscgraph.curate.build import RDF_TYPE, literal
from mscgraph.curate.schema import Class, Schema, Slot, schema
from mscgraph.model.errors import DataError
from mscgraph.model.files import write_atomic
from mscgraph.model.namespaces import CONVERTER, MSCD, PREFIXES

QUOTED_FROM = PREFIXES["prov"] + "wasQuotedFrom"
HEADER = "# mscgraph curation file (docs/curation.md), written by `mscgraph curate dump` from {name}.\n"
Triples = list[tuple[str, str, ox.NamedNode | ox.Literal]]


def dump(files: Sequence[Path], out_dir: Path) -> list[Path]:
    """Write ``out_dir/NAME.yaml`` for each Turtle file; return the files written."""
    parsed = {path: _parse(path) for path in files}
    types = {s: o.value for triples in parsed.values() for s, p, o in triples if p == RDF_TYPE}
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path, triples in parsed.items():
        document = to_document(triples, types, path.name)
        target = out_dir / f"{path.stem}.yaml"
        text = HEADER.format(name=path.name) + yaml.safe_dump(
            document, allow_unicode=True, sort_keys=False, width=1_000_000
        )
        write_atomic(target, functools.partial(Path.write_text, data=text, encoding="utf-8"))
        written.append(target)
    return written


def _parse(path: Path) -> Triples:
    try:
        return [(t.subject.value, t.predicate.value, t.object) for t in ox.parse(path=str(path))]
    except (SyntaxError, OSError) as exc:
        raise DataError(f"{path}: {exc}") from None


def to_document(triples: Triples, types: dict[str, str], name: str) -> dict[str, Any]:
    """The curation file holding exactly ``triples`` (``types``: every node's rdf:type, any file)."""
    return _Dumper(schema(), triples, types, name).document()


class _Dumper:
    def __init__(self, sch: Schema, triples: Triples, types: dict[str, str], name: str) -> None:
        self.schema, self.types, self.name = sch, types, name
        self.props: dict[str, dict[str, list[ox.NamedNode | ox.Literal]]] = {}
        for s, p, o in triples:
            self.props.setdefault(s, {}).setdefault(p, []).append(o)
        self.classes: dict[str, tuple[Class, str | None]] = {}  # rdf:type -> class, `type` value
        for cls in sch.classes.values():
            if cls.uri:
                self.classes.setdefault(cls.uri, (cls, None))
            if "type" in cls.slots:
                for value, meaning in sch.enums[cls.slots["type"].range].items():
                    self.classes[meaning] = (cls, None if meaning == cls.uri else value)  # type: ignore[index]
        findings = [s for s in self.props if self.types.get(s) == PREFIXES["msc"] + "Finding"]
        sources = Counter(o.value for s in findings for o in self.props[s].get(QUOTED_FROM, []))
        self.source = sources.most_common(1)[0][0] if len(sources) == 1 else None

    def fail(self, subject: str, message: str) -> DataError:
        return DataError(f"{self.name}: {CONVERTER.compact(subject)}: {message}")

    def document(self) -> dict[str, Any]:
        nested = {o.value for s in self.props for cls in [self._class(s)[0]] for slot in cls.slots.values()
                  if slot.inlined and slot.uri for o in self.props[s].get(slot.uri, [])}  # fmt: skip
        root = self.schema.classes[self.schema.root]
        lists: dict[str, list[dict[str, Any]]] = {}
        for subject in self.props:
            if subject in nested:
                continue
            cls = self._class(subject)[0]
            slot = next((s for s in root.slots.values() if s.range == cls.name), None)
            if slot is None:
                raise self.fail(subject, f"a {cls.name} must be nested in the record that links it")
            lists.setdefault(slot.name, []).append(self.record(subject))
        head: dict[str, Any] = {"source": _ref(self.source)} if self.source else {}
        return head | {s: lists[s] for s in root.slots if s in lists}

    def _class(self, subject: str) -> tuple[Class, str | None]:
        kind = self.types.get(subject)
        if kind is None or kind not in self.classes:
            raise self.fail(subject, f"no curation record for its type {kind and CONVERTER.compact(kind)}")
        return self.classes[kind]

    def record(self, subject: str) -> dict[str, Any]:
        if not subject.startswith(MSCD):
            raise self.fail(subject, "only mscd: nodes can be curated")
        cls, type_value = self._class(subject)
        props = dict(self.props[subject])
        out: dict[str, Any] = {"id": subject[len(MSCD) :]}
        if RDF_TYPE in props:
            del props[RDF_TYPE]
            if type_value:
                out["type"] = type_value
        else:
            out["extends"] = True
        if cls.name == "Finding" and [o.value for o in props.get(QUOTED_FROM, [])] == [self.source]:
            del props[QUOTED_FROM]
        for slot in cls.slots.values():
            if slot.uri in props:
                out[slot.name] = self._value(subject, slot, props.pop(slot.uri))
        if props:
            raise self.fail(subject, f"no field for {', '.join(CONVERTER.compact(p) for p in props)}")
        return out

    def _value(self, subject: str, slot: Slot, objects: list[ox.NamedNode | ox.Literal]) -> Any:
        if slot.range == "Text":
            text: dict[str, list[str]] = {}
            for o in objects:
                if not isinstance(o, ox.Literal) or (
                    not o.language and o.datatype.value != PREFIXES["xsd"] + "string"
                ):
                    raise self.fail(subject, f"{slot.name}: {o} is not a text")
                text.setdefault(o.language or "plain", []).append(o.value)
            return {lang: v[0] if len(v) == 1 else v for lang, v in text.items()}
        found = [self._item(subject, slot, o) for o in objects]
        if len(found) > 1 and not (slot.multivalued or slot.inlined):
            raise self.fail(subject, f"{slot.name} takes one value, found {len(found)}")
        return found if slot.inlined or len(found) > 1 else found[0]

    def _item(self, subject: str, slot: Slot, o: ox.NamedNode | ox.Literal) -> Any:
        if slot.inlined:
            if o.value not in self.props:
                raise self.fail(subject, f"{slot.name}: {CONVERTER.compact(o.value)} is not in this file")
            return self.record(o.value)
        if slot.range in self.schema.enums:
            for value, meaning in self.schema.enums[slot.range].items():
                if (meaning or value) == o.value:
                    return value
            raise self.fail(subject, f"{slot.name}: {o} is not a value of {slot.range}")
        if self.schema.is_class(slot.range) or slot.range == "uriorcurie":
            if not isinstance(o, ox.NamedNode):
                raise self.fail(subject, f"{slot.name}: {o} is not an IRI")
            return _ref(o.value) if slot.range != "uriorcurie" else CONVERTER.compact(o.value)
        value = _python(slot.range, o)
        if not isinstance(o, ox.Literal) or literal(slot.range, value) != o:
            raise self.fail(subject, f"{slot.name}: {o} would not be written back as it is")
        return value


def _ref(iri: str) -> str:
    return iri[len(MSCD) :] if iri.startswith(MSCD) else CONVERTER.compact(iri)


def _python(range_: str, o: ox.NamedNode | ox.Literal) -> Any:
    try:
        if range_ in ("integer", "year"):
            return int(o.value)
        if range_ == "double":
            return float(o.value)
    except ValueError:
        return o.value
    if range_ == "boolean":
        return o.value == "true"
    return o.value
