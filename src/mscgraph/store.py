"""Open the ontology and data as one pyoxigraph store, indexed on disk.

Parsing Turtle on every command costs more than the query itself, so the
sources are bulk-loaded once into an Oxigraph (RocksDB) store in the user's
cache directory and later commands open it read-only in milliseconds.

Layout of one generation of the index (a ``db-N`` directory):
- ``store/``: every source file is loaded into its own named graph (the file's URI), so a
  changed file is rebuilt alone (incremental rebuild); queries run over the union of the
  store's named graphs, which are exactly the source files;
- ``names.sqlite``: the normalised name keys of the entities named in each file
  (:mod:`mscgraph.nameindex`), for fast, exact name resolution and search.

A manifest (size and mtime of each source) decides whether the index is
current. Rebuilds happen under a file lock, so concurrent commands are safe.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from . import resources
from .errors import DataError
from .nameindex import NameIndex
from .progress import ProgressBar

Progress = Callable[[Path | None, int, int], None]  # (file being loaded or None when done, bytes done, all)

INDEX_VERSION = "3"  # bump when the store layout changes
NAMES = "names.sqlite"  # the name index, beside the store in each generation

_FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES}


@dataclass(frozen=True)
class Sources:
    """The files that make up one knowledge graph: the ontology plus data files."""

    files: tuple[Path, ...]

    @classmethod
    def resolve(cls, data: Sequence[str | Path] | None = None) -> Sources:
        """The packaged ontology plus ``data`` (files or directories; default: packaged data)."""
        files = [resources.ontology_file()]
        if not data:
            files += resources.data_files()
        for item in data or ():
            path = Path(item)
            if path.is_dir():
                found = resources.data_files(path)
                if not found:
                    raise DataError(f"no .ttl or .nt files in {path}")
                files += found
            elif path.is_file():
                files.append(path)
            else:
                raise DataError(f"no such data file or directory: {path}")
        return cls(tuple(dict.fromkeys(p.resolve() for p in files)))

    def graph_of(self, path: Path) -> ox.NamedNode:
        return ox.NamedNode(path.as_uri())

    @property
    def graphs(self) -> list[ox.NamedNode]:
        return [self.graph_of(p) for p in self.files]

    def manifest(self) -> dict[str, list[int]]:
        out = {}
        for p in self.files:
            st = p.stat()
            out[str(p)] = [st.st_size, st.st_mtime_ns]
        return out

    def key(self) -> str:
        """Names the index directory: the set of source paths, not their contents."""
        h = hashlib.sha256(INDEX_VERSION.encode())
        for p in self.files:
            h.update(str(p).encode() + b"\0")
        return h.hexdigest()[:20]


def cache_root() -> Path:
    if env := os.environ.get("MSCGRAPH_CACHE"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "mscgraph"


def load_file(store: ox.Store, path: Path, graph: ox.NamedNode, *, bulk: bool) -> None:
    """Parse one source file into ``graph``; a syntax error becomes a one-line DataError."""
    fmt = _FORMATS.get(path.suffix)
    if fmt is None:
        raise DataError(f"{path}: unsupported file type (use .ttl or .nt)")
    try:
        if bulk:
            store.bulk_load(path=str(path), format=fmt, to_graph=graph)
        else:
            store.load(path=str(path), format=fmt, to_graph=graph)
    except SyntaxError as exc:
        raise DataError(f"{path}: {exc}") from None
    except OSError as exc:
        raise DataError(f"{path}: {exc.strerror or exc}") from None


@contextlib.contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@dataclass
class Index:
    """An opened index: the RDF store and its name index."""

    store: ox.Store
    names: NameIndex


def open_index(
    sources: Sources, *, cache: bool = True, progress: Progress | None = None
) -> Index:
    """Return the index of ``sources``; built or refreshed on disk when they changed.

    ``progress`` is told of each file (re)loaded (default: a bar on stderr when it is a terminal).
    """
    if not cache:
        index = Index(ox.Store(), NameIndex())
        for path in sources.files:
            graph = sources.graph_of(path)
            load_file(index.store, path, graph, bulk=False)
            index.names.index_graph(index.store, graph)
        return index

    folder = cache_root() / sources.key()
    wanted = sources.manifest()
    manifest = _read_manifest(folder / "manifest.json")
    if manifest is None or manifest["files"] != wanted:
        with _locked(cache_root() / f"{sources.key()}.lock"):
            manifest = _read_manifest(folder / "manifest.json")  # another process may have refreshed it
            if manifest is None or manifest["files"] != wanted:
                manifest = _refresh(folder, sources, manifest, wanted, progress or ProgressBar())
    generation = folder / manifest["db"]
    return Index(ox.Store.read_only(str(generation / "store")), NameIndex(generation / NAMES, read_only=True))


def _read_manifest(path: Path) -> dict | None:
    try:
        manifest = json.loads(path.read_text())
        return manifest if (path.parent / manifest["db"] / NAMES).is_file() else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _refresh(
    folder: Path,
    sources: Sources,
    manifest: dict | None,
    wanted: dict[str, list[int]],
    progress: Progress,
) -> dict:
    """Write a new generation of the index, reloading only the files that changed.

    Readers keep the generation they opened (Oxigraph forbids writing under a
    read-only reader), so a refresh starts from a checkpoint copy of the last
    generation, and the manifest is switched atomically when it is complete.
    """
    folder.mkdir(parents=True, exist_ok=True)
    generation = 1 + max((int(p.name[3:]) for p in folder.glob("db-*") if p.name[3:].isdigit()), default=0)
    target = folder / f"db-{generation}"
    # Built under a name no other process uses, renamed when complete: a failed or concurrent build
    # never leaves (or deletes) files under a generation name that a reader could open.
    building = folder / f"build-{os.getpid()}"
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir()
    current: dict[str, list[int]] = {}
    # Reuse the last generation when most of it is still current; when most bytes changed, a fresh
    # bulk build is cheaper than copying the old store and clearing its graphs.
    kept = sum(v[0] for k, v in wanted.items() if manifest is not None and manifest["files"].get(k) == v)
    if manifest is not None and kept * 2 >= sum(v[0] for v in wanted.values()):
        last = folder / manifest["db"]
        ox.Store.read_only(str(last / "store")).backup(str(building / "store"))
        previous = NameIndex(last / NAMES, read_only=True)
        previous.copy_to(building / NAMES)
        previous.close()
        current = manifest["files"]
    index: Index | None = None
    try:
        index = Index(ox.Store(str(building / "store")), NameIndex(building / NAMES))
        _update(index, sources, current, wanted, progress)
        index.store.flush()
        index.names.close()
        index = None  # closes RocksDB before the directory moves
        shutil.rmtree(target, ignore_errors=True)
        os.replace(building, target)
    except BaseException:
        index = None  # close RocksDB (the traceback would keep it open) before deleting its files
        shutil.rmtree(building, ignore_errors=True)
        raise
    new = {"db": target.name, "files": wanted}
    tmp = folder / "manifest.tmp"
    tmp.write_text(json.dumps(new))
    os.replace(tmp, folder / "manifest.json")
    for old in folder.glob("db-*"):  # keep this generation and the one before it
        if old.name not in (target.name, (manifest or {}).get("db")):
            shutil.rmtree(old, ignore_errors=True)
    return new


def _update(
    index: Index,
    sources: Sources,
    current: dict[str, list[int]],
    wanted: dict[str, list[int]],
    progress: Progress,
) -> None:
    """Bring ``index`` (holding ``current``) to ``wanted``: drop removed files, reload changed ones."""
    store, names = index.store, index.names
    for stale in set(current) - set(wanted):
        graph = ox.NamedNode(Path(stale).as_uri())
        if store.contains_named_graph(graph):
            store.remove_graph(graph)
        names.remove_file(graph.value)
    changed = [p for p in sources.files if current.get(str(p)) != wanted[str(p)]]
    total, done = sum(wanted[str(p)][0] for p in changed), 0
    # Name keys of file n are computed (Python) while file n+1 loads (Rust, GIL released).
    with ThreadPoolExecutor(max_workers=1) as worker:
        pending: Future[None] | None = None
        for path in changed:
            progress(path, done, total)
            done += wanted[str(path)][0]
            graph = sources.graph_of(path)
            if str(path) in current:
                store.clear_graph(graph)
            load_file(store, path, graph, bulk=True)  # safe: a failed build is discarded whole
            if pending is not None:
                pending.result()
            pending = worker.submit(names.index_graph, store, graph)
        if pending is not None:
            pending.result()
    progress(None, total, total)
