"""The whole-graph views' facts, kept in the index per source file.

The whole-graph network and page (:mod:`mscgraph.views.wholegraph`) join the triples of a few dozen
predicates, the ``_page-facts`` query. Reading them from the store costs about 7 µs a triple (each term
looked up in RocksDB and made a Python object): 1.5-2 s at x100. So the index keeps them, computed per
file while it is built (beside the name keys, in the same SQLite file), as JSON: reading them back is
``json.loads``. A changed file recomputes its own facts only.

A fact's subject is an IRI's text or a blank node as ``_:id``; its predicate the short name the query
gives; its object an IRI's text, ``_:id``, or a :class:`Lit`. Per file, a resource's label is left out
when the same file types it as one of the bulk classes the query skips; a label typed in another file is
kept (no view reads such labels).
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, NamedTuple, TypeAlias

import pyoxigraph as ox

QUERY = "_page-facts"
LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_SCHEMA = "CREATE TABLE IF NOT EXISTS facts (file TEXT PRIMARY KEY, json TEXT NOT NULL)"


class Lit(NamedTuple):
    """A literal: its lexical form, language tag (``None``: none) and datatype IRI."""

    value: str
    language: str | None
    datatype: str


Obj: TypeAlias = "str | Lit"  # an IRI's text, a blank node as "_:id", or a literal
FactMap: TypeAlias = dict[str, dict[str, list[Obj]]]  # subject -> predicate -> objects, a triple once


def obj(term: Any) -> Obj:
    """A term of the store as a fact's value."""
    if type(term) is ox.NamedNode:
        return term.value
    if type(term) is ox.Literal:
        return Lit(term.value, term.language, term.datatype.value)
    return str(term)  # a blank node: "_:id", which no IRI is


def collect(rows: Iterable[tuple[Any, ...]]) -> FactMap:
    """The ``(?s, ?p, ?o)`` rows of the ``_page-facts`` query as a :data:`FactMap` (unbound rows skipped)."""
    out: dict[str, dict[str, list[Obj]]] = defaultdict(dict)
    for s, p, o in rows:
        if s is None or p is None or o is None:
            continue
        values = out[s.value if type(s) is ox.NamedNode else str(s)].setdefault(p.value, [])
        if (value := obj(o)) not in values:  # a triple stated in two files is one triple
            values.append(value)
    return dict(out)


def merge(into: FactMap, facts: FactMap) -> FactMap:
    """``into`` with the facts of another file added (a triple once)."""
    for s, props in facts.items():
        have = into.get(s)
        if have is None:
            into[s] = props
            continue
        for p, objs in props.items():
            values = have.setdefault(p, [])
            values += [o for o in objs if o not in values]
    return into


class FactTable:
    """The ``facts`` table of an index's SQLite file: one JSON :data:`FactMap` per source file."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def index_graph(self, store: ox.Store, graph: ox.NamedNode) -> None:
        """(Re)compute the facts of the file graph ``graph`` of ``store``."""
        from mscgraph.query.library import get  # only to build

        rows = store.query(get(QUERY).text, default_graph=graph)
        assert isinstance(rows, ox.QuerySolutions)
        text = json.dumps(_document(rows), ensure_ascii=False, separators=(",", ":"))
        with self.db:
            self.db.execute(_SCHEMA)
            self.db.execute("INSERT OR REPLACE INTO facts VALUES (?, ?)", (graph.value, text))

    def remove_file(self, file: str) -> None:
        with self.db:
            self.db.execute(_SCHEMA)
            self.db.execute("DELETE FROM facts WHERE file = ?", (file,))

    def texts(self) -> list[str] | None:
        """Each file's facts as the JSON text kept (see :func:`decode`); None when the index keeps none
        (one kept in memory)."""
        try:
            return [text for (text,) in self.db.execute("SELECT json FROM facts ORDER BY file")]
        except sqlite3.OperationalError:  # no such table
            return None

    def read(self) -> FactMap | None:
        """Every file's facts, merged; None when the index keeps none."""
        texts = self.texts()
        return None if texts is None else decode(texts)


def _document(rows: Iterable[Any]) -> dict[str, dict[str, dict[str, list[Any]]]]:
    """The ``_page-facts`` rows of one file as the JSON document kept for it: the IRIs (and blank nodes)
    as they are, the literals apart, by kind: ``"lang"`` as ``[value, language]``, ``"typed"`` as
    ``[value, datatype]`` (a literal with a language has the datatype rdf:langString), so that reading
    them back touches only literals. One pass; a file's triples are distinct (no look-up to drop a
    second copy)."""
    iris: dict[str, dict[str, list[Any]]] = {}
    lang: dict[str, dict[str, list[Any]]] = {}
    typed: dict[str, dict[str, list[Any]]] = {}
    for s, p, o in rows:
        subject = s.value if type(s) is ox.NamedNode else str(s)
        if type(o) is ox.Literal:
            if o.language:
                lang.setdefault(subject, {}).setdefault(p.value, []).append([o.value, o.language])
            else:
                typed.setdefault(subject, {}).setdefault(p.value, []).append([o.value, o.datatype.value])
        else:
            iris.setdefault(subject, {}).setdefault(p.value, []).append(obj(o))
    return {"iris": iris, "lang": lang, "typed": typed}


def decode(texts: Iterable[str]) -> FactMap:
    """The facts of the files whose JSON texts (:func:`_document`) are ``texts``, merged."""
    out: FactMap = {}
    for text in texts:
        doc = json.loads(text)
        facts: FactMap = doc["iris"]
        for s, props in doc["lang"].items():
            have = facts.setdefault(s, {})
            for p, lits in props.items():
                made: list[Obj] = [Lit(value, language, LANG_STRING) for value, language in lits]
                have[p] = have[p] + made if p in have else made
        for s, props in doc["typed"].items():
            have = facts.setdefault(s, {})
            for p, lits in props.items():
                made = [Lit(value, None, datatype) for value, datatype in lits]
                have[p] = have[p] + made if p in have else made
        out = merge(out, facts) if out else facts
    return out
