"""What changed between two versions of the data: the release note of a knowledge graph.

Each side is a data directory or Turtle file(s), read as triples (no store, no ontology). A node is
added, removed or changed (its own statements differ); findings and studies come first, then the
links they make (subject, mechanism, role: added, removed, or with other directions or another
number of findings), then every other curated node (cohorts, outcomes, publications...).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from mscgraph.model.errors import DataError, UsageError
from mscgraph.model.namespaces import CONVERTER, MSC, PREFIXES
from mscgraph.model.resources import data_files, ontology_file

COLUMNS = ["change", "kind", "id", "label", "detail"]
RDF_TYPE = PREFIXES["rdf"] + "type"
LABEL = PREFIXES["rdfs"] + "label"
STUDY_TYPES = {MSC + t for t in ("Study", "ClinicalStudy", "PreclinicalStudy", "AnimalStudy", "InVitroStudy",
                                  "ReviewStatement")}  # fmt: skip
_ORDER = {"finding": 0, "study": 1, "link": 2}

Nodes = dict[str, dict[str, set[ox.NamedNode | ox.Literal]]]


def read(path: Path) -> Nodes:
    """Subject -> property -> objects of the Turtle files at ``path`` (a file or a directory)."""
    files = data_files(path) if path.is_dir() else [path]
    if not files:
        raise UsageError(f"no .ttl or .nt files in {path}")
    nodes: Nodes = defaultdict(lambda: defaultdict(set))
    for file in files:
        try:
            for t in ox.parse(path=str(file)):
                nodes[t.subject.value][t.predicate.value].add(t.object)
        except (SyntaxError, OSError) as exc:
            raise DataError(f"{file}: {' '.join(str(exc).split())}") from None
    return nodes


def diff(old: Path, new: Path) -> list[dict[str, Any]]:
    """One row per change from ``old`` to ``new`` (see :data:`COLUMNS`)."""
    before, after = read(old), read(new)
    rows = _nodes(before, after) + _links(before, after)
    return sorted(rows, key=lambda r: (_ORDER.get(r["kind"], 3), r["kind"], r["id"], r["change"]))


def _kind(node: dict[str, set[Any]]) -> str | None:
    types = {t.value for t in node.get(RDF_TYPE, ())}
    if MSC + "Finding" in types:
        return "finding"
    if types & STUDY_TYPES:
        return "study"
    local = next((t[len(MSC) :] for t in sorted(types) if t.startswith(MSC)), None)
    return local and "".join(" " + c.lower() if c.isupper() else c for c in local).strip()


def _label(node: dict[str, set[Any]] | None) -> str:
    labels = {lit.language: lit.value for lit in (node or {}).get(LABEL, ())}
    return labels.get("en") or next(iter(labels.values()), "")


def _show(values: set[Any]) -> str:
    shown = sorted(
        CONVERTER.compact(v.value) if isinstance(v, ox.NamedNode) else _short(v.value) for v in values
    )
    return ", ".join(shown) or "-"


def _short(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _nodes(before: Nodes, after: Nodes) -> list[dict[str, Any]]:
    rows = []
    for subject in sorted(before.keys() | after.keys()):
        old, new = before.get(subject), after.get(subject)
        kind = _kind(new or {}) or _kind(old or {})
        if kind is None:  # statements added to a node typed elsewhere count with that node
            continue
        row = {"kind": kind, "id": CONVERTER.compact(subject), "label": _label(new) or _label(old)}
        if old is None or RDF_TYPE not in old:
            rows.append({"change": "added", **row, "detail": ""})
        elif new is None or RDF_TYPE not in new:
            rows.append({"change": "removed", **row, "detail": ""})
        elif old != new:
            changed = [
                f"{CONVERTER.compact(p)}: {_show(old.get(p, set()) - new.get(p, set()))} → "
                f"{_show(new.get(p, set()) - old.get(p, set()))}"
                for p in sorted(old.keys() | new.keys())
                if old.get(p, set()) != new.get(p, set())
            ]
            rows.append({"change": "changed", **row, "detail": "; ".join(changed)})
    return rows


def _link_index(nodes: Nodes) -> dict[tuple[str, str, str], list[str]]:
    """(subject, mechanism, role) -> the directions of its findings, one per finding."""
    links: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for node in nodes.values():
        if _kind(node) != "finding":
            continue
        subjects = node.get(MSC + "inDisease", set()) | node.get(MSC + "aboutCells", set())
        for s in subjects:
            for m in node.get(MSC + "aboutMechanism", ()):
                for r in node.get(MSC + "hasRole", ()):
                    links[(s.value, m.value, r.value)] += [
                        d.value for d in node.get(MSC + "hasDirection", ())
                    ]
    return links


def _name(iri: str, *sides: Nodes) -> str:
    for side in sides:
        node = side.get(iri)
        if node:
            short = next((a.value for a in node.get(MSC + "abbreviation", ())), None)
            return short or _label(node) or CONVERTER.compact(iri)
    return CONVERTER.compact(iri)


def _links(before: Nodes, after: Nodes) -> list[dict[str, Any]]:
    old, new = _link_index(before), _link_index(after)
    sides = (after, before, read(ontology_file()))  # role and direction names are in the ontology
    rows = []
    for key in sorted(old.keys() | new.keys()):
        s, m, r = key
        row = {
            "kind": "link",
            "id": f"{CONVERTER.compact(s)} {CONVERTER.compact(m)} {CONVERTER.compact(r)}",
            "label": f"{_name(s, *sides)} – {_name(m, *sides)}: {_name(r, *sides)}",
        }
        was, now = old.get(key), new.get(key)
        if was is None:
            rows.append({"change": "added", **row, "detail": _describe(now or [], sides)})
        elif now is None:
            rows.append({"change": "removed", **row, "detail": _describe(was, sides)})
        elif sorted(was) != sorted(now):
            detail = f"{_describe(was, sides)} → {_describe(now, sides)}"
            rows.append({"change": "changed", **row, "detail": detail})
    return rows


def _describe(directions: list[str], sides: tuple[Nodes, ...]) -> str:
    """``2 findings, decreased, increased``."""
    n = len(directions)
    effects = ", ".join(sorted({_name(d, *sides) for d in directions}))
    return f"{n} finding{'s' if n != 1 else ''}, {effects}"
