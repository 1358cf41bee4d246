"""The name index: normalised name keys -> entities, in SQLite beside the RDF store.

Kept out of the RDF store on purpose: the store's named graphs are then exactly the source files,
so queries run over their union (Oxigraph's fastest dataset) and users never meet index triples.

One row per (source file, entity, key, name): the key is :func:`mscgraph.names.normalize` of a
label, synonym, abbreviation or local name (whose name column is left empty). Rows are per file so
that an edited file re-indexes only its own names. Resolution is an indexed equality lookup; search
is a scan of the keys in C.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox

_SCHEMA = """
CREATE TABLE IF NOT EXISTS names (
  file TEXT NOT NULL, entity TEXT NOT NULL, key TEXT NOT NULL, text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS names_by_key ON names (key);
CREATE INDEX IF NOT EXISTS names_by_file ON names (file);
"""


class NameIndex:
    """A SQLite table of name keys; ``path=None`` keeps it in memory."""

    def __init__(self, path: Path | None = None, *, read_only: bool = False) -> None:
        if path is None:
            self.db = sqlite3.connect(":memory:", check_same_thread=False)
        elif read_only:
            self.db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, check_same_thread=False)
        else:  # written by one thread at a time (the store's indexing worker)
            self.db = sqlite3.connect(path, check_same_thread=False)
        if not read_only:
            self.db.executescript(_SCHEMA)

    def close(self) -> None:
        self.db.close()

    def copy_to(self, path: Path) -> None:
        """Write a consistent copy of the index to ``path`` (SQLite's online backup)."""
        target = sqlite3.connect(path)
        try:
            self.db.backup(target)
        finally:
            target.close()

    def remove_file(self, file: str) -> None:
        with self.db:
            self.db.execute("DELETE FROM names WHERE file = ?", (file,))

    def index_graph(self, store: ox.Store, graph: ox.NamedNode) -> None:
        """(Re)index the names of the entities in the file graph ``graph`` of ``store``."""
        from mscgraph.query.library import get  # only to build: opening an index reads no query

        rows = store.query(get("_name-index").text, default_graph=graph)
        assert isinstance(rows, ox.QuerySolutions)
        with self.db:
            self.db.execute("DELETE FROM names WHERE file = ?", (graph.value,))
            self.db.executemany("INSERT INTO names VALUES (?, ?, ?, ?)", _keys(graph.value, rows))

    def entities(self, key: str) -> set[str]:
        """The entities one of whose names has the normalised key ``key``."""
        return {e for (e,) in self.db.execute("SELECT DISTINCT entity FROM names WHERE key = ?", (key,))}

    def near(self, key: str, limit: int = 20_000) -> list[tuple[str, str]]:
        """``(entity, key)`` rows whose key may be like ``key`` (:func:`mscgraph.names.likeness` 0.5 or
        more): a key a third to three times as long, or starting with the first half of ``key``, or
        containing it. Where more than ``limit`` rows qualify (a large graph), the ``limit`` rows that
        share most pieces of ``key`` (its first half, itself, its quarters): bounded work, and a name
        with a typo still finds the names that differ by it."""
        n = len(key)
        half = key[: (n + 1) // 2]
        size = max(3, -(-n // 4))
        pieces = [key[i : i + size] for i in range(0, n, size)]
        if len(pieces) > 1 and len(pieces[-1]) < 3:
            pieces[-2:] = [pieces[-2] + pieces[-1]]
        alike = "length(key) BETWEEN ? AND ?"
        close = "substr(key, 1, ?) = ? OR instr(key, ?) > 0"
        bounds = ((n + 2) // 3, 3 * n, len(half), half, key)
        query = f"SELECT entity, key FROM names WHERE {alike} OR {close} LIMIT ?"
        rows = self.db.execute(query, (*bounds, limit + 1)).fetchall()
        if len(rows) <= limit:
            return rows
        has = ["instr(key, ?) > 0"] * len(pieces)
        shared = " + ".join(f"({c})" for c in ["substr(key, 1, ?) = ?", "instr(key, ?) > 0", *has])
        query = (
            f"SELECT entity, key FROM names WHERE ({alike} AND ({' OR '.join(has)})) OR {close} "
            f"ORDER BY {shared} DESC LIMIT ?"
        )
        args = (*bounds[:2], *pieces, *bounds[2:], *bounds[2:], *pieces, limit)
        return self.db.execute(query, args).fetchall()

    def named(self, entities: Iterable[str]) -> set[str]:
        """Those of ``entities`` that have a name (not only a local name)."""
        entities = list(entities)
        marks = ", ".join("?" * len(entities))
        query = f"SELECT DISTINCT entity FROM names WHERE text != '' AND entity IN ({marks})"
        return {e for (e,) in self.db.execute(query, entities)} if entities else set()

    def all_keys(self) -> Iterator[tuple[str, str]]:
        """``(key, entity)`` for every name and local name of every entity."""
        yield from self.db.execute("SELECT DISTINCT key, entity FROM names")

    def keys_of(self, entities: Iterable[str]) -> list[tuple[str, str]]:
        """``(key, entity)`` for every name and local name of ``entities`` (IRIs), in one scan of the table
        (a pair may come more than once: one row per name that gives it)."""
        query = "SELECT key, entity FROM names NOT INDEXED WHERE entity IN (SELECT value FROM json_each(?))"
        return self.db.execute(query, (json.dumps(sorted(set(entities))),)).fetchall()

    def containing(self, key: str) -> Iterator[tuple[str, str]]:
        """``(entity, name)`` for every name (not local name) whose key contains ``key``."""
        query = "SELECT DISTINCT entity, text FROM names WHERE instr(key, ?) > 0 AND text != ''"
        yield from self.db.execute(query, (key,))


def _keys(file: str, rows: Iterable[ox.QuerySolution]) -> Iterator[tuple[str, str, str, str]]:
    from mscgraph.names.keys import local_name, name_keys, normalize

    for row in rows:
        entity, text = row["entity"].value, row["text"]
        if isinstance(text, ox.Literal):
            for key in name_keys(text.value):
                yield file, entity, key, text.value
        elif key := normalize(local_name(entity)):
            yield file, entity, key, ""  # a local name: resolvable, but not a name to search
