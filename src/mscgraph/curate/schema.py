"""The curation schema (``schema.yaml``, LinkML) as mscgraph uses it.

The schema is read with PyYAML, not with the LinkML toolkit: mscgraph needs only the subset it
is written in (classes with ``is_a`` and ``attributes``, slot ``range``/``required``/
``multivalued``/``slot_uri``/``pattern``/``minimum_value``, enums with ``meaning``), and the
full ``linkml`` package pulls in some forty others (Sphinx, SQLAlchemy, PyShEx). From it come the
JSON Schema that ``curate check`` validates against (:meth:`Schema.json_schema`) and the field ->
RDF mapping of ``build`` and ``dump``. tests/test_curate.py checks that LinkML's own SchemaView
reads the file the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from mscgraph.model.namespaces import CONVERTER

SCHEMA_FILE = Path(__file__).with_name("schema.yaml")
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
_SCALARS: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "year": {"type": "integer"},
    "double": {"type": "number"},
    "boolean": {"type": "boolean"},
    "uriorcurie": {"type": "string", "pattern": r"^\S+:\S+$"},
}


@dataclass(frozen=True)
class Slot:
    name: str
    range: str
    uri: str | None  # the RDF property, expanded
    required: bool
    multivalued: bool
    inlined: bool
    description: str
    pattern: str | None = None
    minimum: int | None = None


@dataclass(frozen=True)
class Class:
    name: str
    uri: str | None  # rdf:type, expanded
    slots: dict[str, Slot]
    abstract: bool
    description: str


class Schema:
    """Classes and enums of the curation schema, each slot with its RDF property."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self.enums: dict[str, dict[str, str | None]] = {
            name: {
                value: _expand((spec or {}).get("meaning")) for value, spec in e["permissible_values"].items()
            }
            for name, e in raw["enums"].items()
        }
        self.classes = {name: self._induce(name) for name in raw["classes"]}
        self.root = next(n for n, c in raw["classes"].items() if c.get("tree_root"))

    def _attributes(self, name: str) -> dict[str, dict[str, Any]]:
        spec = self.raw["classes"][name]
        inherited = self._attributes(spec["is_a"]) if spec.get("is_a") else {}
        for slot, attrs in (spec.get("attributes") or {}).items():
            inherited[slot] = {**inherited.get(slot, {}), **(attrs or {})}
        return inherited

    def _induce(self, name: str) -> Class:
        spec = self.raw["classes"][name]
        slots = {
            slot: Slot(
                name=slot,
                range=a.get("range", self.raw.get("default_range", "string")),
                uri=_expand(a.get("slot_uri")),
                required=bool(a.get("required")),
                multivalued=bool(a.get("multivalued")),
                inlined=bool(a.get("inlined_as_list") or a.get("inlined")),
                description=a.get("description", ""),
                pattern=a.get("pattern"),
                minimum=a.get("minimum_value"),
            )
            for slot, a in self._attributes(name).items()
        }
        return Class(
            name, _expand(spec.get("class_uri")), slots, bool(spec.get("abstract")), spec["description"]
        )

    def is_class(self, name: str) -> bool:
        return name in self.classes

    def is_text(self, slot: Slot) -> bool:
        return slot.range == "Text"

    def rdf_type(self, cls: Class, data: dict[str, Any]) -> str | None:
        """The node's rdf:type: its ``type`` enum value's meaning, else the class's own."""
        if "type" in cls.slots and data.get("type") is not None:
            return self.enums[cls.slots["type"].range][data["type"]]
        return cls.uri

    # --- JSON Schema ---------------------------------------------------------------------
    def json_schema(self) -> dict[str, Any]:
        defs = {name: self._object(c) for name, c in self.classes.items() if not c.abstract}
        return {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": self.raw["id"],
            "title": self.raw["title"],
            "$ref": f"#/$defs/{self.root}",
            "$defs": defs,
        }

    def _object(self, cls: Class) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": "object",
            "description": cls.description,
            "properties": {s.name: self._property(s) for s in cls.slots.values()},
            "additionalProperties": False,
        }
        required = [s.name for s in cls.slots.values() if s.required]
        if required and "extends" in cls.slots:  # a record that extends another node needs nothing
            out["if"] = {"properties": {"extends": {"const": True}}, "required": ["extends"]}
            out["else"] = {"required": required}
        elif required:
            out["required"] = required
        return out

    def _property(self, slot: Slot) -> dict[str, Any]:
        if slot.range in self.enums:
            item: dict[str, Any] = {"enum": list(self.enums[slot.range])}
        elif slot.range in self.classes and (slot.inlined or slot.range == "Text"):
            item = {"$ref": f"#/$defs/{slot.range}"}
        elif slot.range in self.classes:  # a reference: an id or a name
            item = {"type": "string", "minLength": 1}
        else:
            item = dict(_SCALARS[slot.range])
        if slot.pattern:
            item["pattern"] = slot.pattern
        if slot.minimum is not None:
            item["minimum"] = slot.minimum
        if slot.inlined:
            prop: dict[str, Any] = {"type": "array", "items": item}
        elif slot.multivalued:  # one value or a list of them
            prop = {"anyOf": [item, {"type": "array", "items": item, "minItems": 1}]}
        else:
            prop = item
        return {"description": slot.description, **prop}


def _expand(curie: str | None) -> str | None:
    return CONVERTER.expand(curie) if curie else None


@cache
def schema() -> Schema:
    return Schema(yaml.safe_load(SCHEMA_FILE.read_text("utf-8")))


def values(value: Any) -> list[Any]:
    """A multivalued field's values: one value or a list."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]
