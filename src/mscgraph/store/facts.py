"""The whole-graph views' facts, kept in the index per source file.

The whole-graph network and page (:mod:`mscgraph.views.wholegraph`) join the triples of a few dozen
predicates, the ``_page-facts`` query. Reading them from the store costs about 7 µs a triple (each term
looked up in RocksDB and made a Python object): 1.5-2 s at x100. So an index on disk keeps them, per file,
as JSON in its generation's ``facts/`` folder: reading them back is ``json.loads``. They are computed the
first time a whole-graph view asks (not while the index is built: that is Python holding the GIL, and it
would make the loads of the build wait), written to a temporary file and renamed, so a reader sees a
file's facts whole or not at all; a generation built from the last one keeps the facts of the files it
did not reload (links to the same files).

A fact's subject is an IRI's text or a blank node as ``_:id``; its predicate the short name the query
gives; its object an IRI's text, ``_:id``, or a :class:`Lit`. Per file, a resource's label is left out
when the same file types it as one of the bulk classes the query skips; a label typed in another file is
kept (no view reads such labels).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple, TypeAlias

import pyoxigraph as ox

QUERY = "_page-facts"
LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
FOLDER = "facts"  # in a generation of the index


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


class FactFiles:
    """The facts of each file graph of an index generation's ``store``, kept in the JSON files of
    ``folder`` (one per file graph), each computed the first time it is asked for."""

    def __init__(self, folder: Path, store: ox.Store) -> None:
        self.folder = folder
        self.store = store

    def path(self, graph: str) -> Path:
        """The file that keeps the facts of the file graph ``graph`` (an IRI)."""
        return self.folder / f"{hashlib.sha256(graph.encode()).hexdigest()[:32]}.json"

    def texts(self) -> list[str]:
        """Each file graph's facts as JSON text (see :func:`decode`), by graph IRI; those not kept yet
        are computed and kept (where the folder cannot be written, only computed)."""
        out = []
        for graph in sorted(self.store.named_graphs(), key=lambda g: g.value):
            path = self.path(graph.value)
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeError):
                text = ""
            if not text.endswith("}}"):  # not kept (or cut short by a crash): compute it
                assert isinstance(graph, ox.NamedNode)  # the index names its graphs
                text = compute(self.store, graph)
                _keep(path, text)
            out.append(text)
        return out

    def read(self) -> FactMap:
        """Every file's facts, merged."""
        return decode(self.texts())

    def forget(self, graph: str) -> None:
        """Drop the kept facts of the file graph ``graph`` (its file is reloaded or gone)."""
        self.path(graph).unlink(missing_ok=True)


def compute(store: ox.Store, graph: ox.NamedNode) -> str:
    """The facts of the file graph ``graph`` of ``store``, as the JSON text kept for it."""
    from mscgraph.query.library import get  # only when computed

    rows = store.query(get(QUERY).text, default_graph=graph)
    assert isinstance(rows, ox.QuerySolutions)
    return json.dumps(_document(rows), ensure_ascii=False, separators=(",", ":"))


def _keep(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all; a folder that cannot be written keeps nothing."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except BaseException as exc:  # also an interrupt: no temporary file left behind
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        if not isinstance(exc, OSError):
            raise


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
