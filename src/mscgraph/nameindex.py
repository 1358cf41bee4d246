"""The name index: normalised name keys -> entities, in SQLite beside the RDF store.

Kept out of the RDF store on purpose: the store's named graphs are then exactly the source files,
so queries run over their union (Oxigraph's fastest dataset) and users never meet index triples.

One row per (source file, entity, key, name): the key is :func:`mscgraph.names.normalize` of a
label, synonym, abbreviation or local name (whose name column is left empty). Rows are per file so
that an edited file re-indexes only its own names. Resolution is an indexed equality lookup; search
is a scan of the keys in C.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox

from .names import local_name, name_keys, normalize
from .queries import get

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
        rows = store.query(get("_name-index").text, default_graph=graph)
        with self.db:
            self.db.execute("DELETE FROM names WHERE file = ?", (graph.value,))
            self.db.executemany("INSERT INTO names VALUES (?, ?, ?, ?)", _keys(graph.value, rows))

    def entities(self, key: str) -> set[str]:
        """The entities one of whose names has the normalised key ``key``."""
        return {e for (e,) in self.db.execute("SELECT DISTINCT entity FROM names WHERE key = ?", (key,))}

    def containing(self, key: str) -> Iterator[tuple[str, str]]:
        """``(entity, name)`` for every name (not local name) whose key contains ``key``."""
        query = "SELECT DISTINCT entity, text FROM names WHERE instr(key, ?) > 0 AND text != ''"
        yield from self.db.execute(query, (key,))


def _keys(file: str, rows: Iterable[ox.QuerySolution]) -> Iterator[tuple[str, str, str, str]]:
    for row in rows:
        entity, text = row["entity"].value, row["text"]
        if isinstance(text, ox.Literal):
            for key in name_keys(text.value):
                yield file, entity, key, text.value
        elif key := normalize(local_name(entity)):
            yield file, entity, key, ""  # a local name: resolvable, but not a name to search
