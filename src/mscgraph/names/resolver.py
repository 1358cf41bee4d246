"""User text -> IRI: abbreviations, synonyms, Chinese names, any case, accents optional, CURIEs, IRIs.

Names are compared by their keys (:mod:`mscgraph.names.keys`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import TYPE_CHECKING

from mscgraph.engines.base import Engine
from mscgraph.model.errors import KIND_NAMES, AmbiguousName, UnknownName, UsageError
from mscgraph.model.namespaces import CONVERTER, MSC
from mscgraph.names.keys import likeness, local_name, name_keys, normalize
from mscgraph.query import terms
from mscgraph.query.library import get

if TYPE_CHECKING:
    from mscgraph.names.index import NameIndex

KIND_CLASSES = {
    "disease": MSC + "Disease",
    "subject": MSC + "LinkSubject",  # a disease, or MSCs themselves (general properties)
    "mechanism": MSC + "ImmuneMechanism",
    "study": MSC + "Study",
    "publication": MSC + "Publication",
    "product": MSC + "MSCProduct",
    "finding": MSC + "Finding",
}


class Resolver:
    """Resolves names against an engine, through the store's name index when there is one.

    Without an index (a remote endpoint) the names are read once with the ``_name-scan`` query.
    """

    def __init__(self, engine: Engine, index: NameIndex | None = None) -> None:
        self.engine = engine
        self.index = index

    def resolve(self, text: str, kind: str | None = None) -> str:
        """Return the one IRI ``text`` names, or raise UnknownName / AmbiguousName."""
        text = text.strip()
        if not text:
            raise UsageError(f"empty {KIND_NAMES.get(kind or '', kind) or 'name'}")
        if kind is not None and kind not in KIND_CLASSES:
            raise UsageError(f"unknown kind {kind!r}; use one of {', '.join(KIND_CLASSES)}")
        iri = text if re.match(r"^(https?|urn):", text) else CONVERTER.expand(text)
        candidates = self._by_iri(iri, kind) if iri else {}
        key = normalize(text)
        if not candidates:
            candidates = self._by_key(key, kind)
        if not candidates and len(key) > 3 and key.endswith("s"):  # a plural: "Tregs", "B cells"
            candidates = self._by_key(key[:-1], kind)
        if len(candidates) == 1:
            return next(iter(candidates))
        if candidates:
            raise AmbiguousName(text, kind, [self._display(i, lbl) for i, lbl in sorted(candidates.items())])
        raise UnknownName(text, kind, self.suggest(text, kind))

    def _class_binding(self, kind: str | None) -> dict[str, terms.Term]:
        return {"class": terms.iri(KIND_CLASSES[kind])} if kind else {}

    def _by_iri(self, iri: str, kind: str | None) -> dict[str, str]:
        """The entity with this IRI, or the entities mapped to it (e.g. MONDO:0010030 -> SS)."""
        rows = self.engine.run(
            get("_resolve-iri").text_for(self.engine.lateral), {"target": terms.iri(iri)}
        ).rows
        return self._of_kind([iri, *sorted(r["entity"].value for r in rows)], kind)

    def _by_key(self, key: str, kind: str | None) -> dict[str, str]:
        if self.index is not None:
            return self._of_kind(sorted(self.index.entities(key)), kind)
        return {iri: label for iri, (label, keys) in self._scan(kind).items() if key in keys}

    def _of_kind(self, entities: list[str], kind: str | None) -> dict[str, str]:
        """Those of ``entities`` that are instances of ``kind`` (any kind if None), with their English label.

        One small query per candidate (a name has one or a few), each starting from a known IRI.
        """
        found = {}
        for entity in entities:
            bindings = {"entity": terms.iri(entity), **self._class_binding(kind)}
            for r in self.engine.run(get("_resolve-entity").text_for(self.engine.lateral), bindings).rows:
                found[entity] = r["label"].value if "label" in r else ""
        return found

    def _scan(self, kind: str | None) -> dict[str, tuple[str, set[str]]]:
        """Every entity of ``kind`` with its English label and name keys (slow path)."""
        rows = self.engine.run(
            get("_name-scan").text_for(self.engine.lateral), self._class_binding(kind)
        ).rows
        found: dict[str, tuple[str, set[str]]] = {}
        keys: dict[str, set[str]] = defaultdict(set)
        for r in rows:
            iri = r["entity"].value
            keys[iri] |= name_keys(r["text"].value) | {normalize(local_name(iri))}
            found[iri] = (r["label"].value if "label" in r else "", keys[iri])
        return found

    def containing(self, key: str) -> list[tuple[str, str]]:
        """``(entity IRI, name)`` for every label, synonym or abbreviation whose key contains ``key``."""
        if self.index is not None:
            return list(self.index.containing(key))
        rows = self.engine.run(get("_name-scan").text_for(self.engine.lateral)).rows
        return [(r["entity"].value, r["text"].value) for r in rows if key in normalize(r["text"].value)]

    def suggest(self, text: str, kind: str | None, limit: int = 5) -> list[str]:
        """Closest names of the right kind, best first: a name scores by how alike it is to the text
        (difflib's ratio) or by how much of the text it starts with (``IL-10`` -> IL-17A, IL-4, IL-6),
        whichever is higher; names containing the text count as close (:func:`likeness`)."""
        key = normalize(text)
        if not key:
            return []
        if self.index is not None:
            labels, scores = self._suggest_from_index(key, kind, limit)
        else:
            labels, scores = {}, {}
            for iri, (label, keys) in self._scan(kind).items():
                labels[iri] = label
                scores[iri] = max(likeness(key, k) for k in keys)
        close = [i for i in scores if scores[i] >= 0.5]
        ranked = sorted(close, key=lambda i: (-scores[i], labels[i].lower()))
        return [self._display(i, labels[i]) for i in ranked[:limit]]

    def _suggest_from_index(
        self, key: str, kind: str | None, limit: int, checked: int = 1000
    ) -> tuple[dict[str, str], dict[str, float]]:
        """Labels and scores of the best entities of ``kind``: the name index gives a bounded set of
        candidate keys (:meth:`NameIndex.near`); entities are checked for their kind best first,
        until ``limit`` are found and the ties of the last one too (at most ``checked``)."""
        assert self.index is not None
        scores: dict[str, float] = {}
        for entity, k in self.index.near(key):
            if (score := likeness(key, k)) >= 0.5 and score > scores.get(entity, 0.0):
                scores[entity] = score
        best = sorted(scores, key=scores.__getitem__, reverse=True)[:checked]
        named = self.index.named(best)
        labels: dict[str, str] = {}
        for entity in best:
            if len(labels) >= limit and scores[entity] < min(scores[e] for e in labels):
                break
            if entity in named:
                labels.update(self._of_kind([entity], kind))
        return labels, {e: scores[e] for e in labels}

    @staticmethod
    def _display(iri: str, label: str) -> str:
        curie = CONVERTER.compact(iri)
        return f"{label} ({curie})" if label else curie
