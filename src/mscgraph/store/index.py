"""Open the ontology and data as one pyoxigraph store, indexed on disk.

Parsing Turtle on every command costs more than the query itself, so the
sources are bulk-loaded once into an Oxigraph (RocksDB) store in the user's
cache directory and later commands open it read-only in milliseconds.

Layout of one generation of the index (a ``db-N`` directory):
- ``store/``: every source file is loaded into its own named graph (the file's URI), so a
  changed file is rebuilt alone (incremental rebuild); queries run over the union of the
  store's named graphs, which are exactly the source files;
- ``names.sqlite``: the normalised name keys of the entities named in each file
  (:mod:`mscgraph.names.index`), for fast, exact name resolution and search;
- ``facts/``: the facts the whole-graph views join, one file per source file, computed the first
  time a view asks for them (:mod:`mscgraph.store.facts`).

A manifest decides whether the index is current: each source's size, mtime, ctime and inode, and
the SHA-256 of its content, computed only when those changed (so ``touch`` rebuilds nothing and an
edit that keeps size and mtime, ``cp -p``, is still seen). Rebuilds happen under a file lock.

Generations and leases: a process that opens a generation holds a shared ``flock`` on its
``lease`` file for as long as it uses it (:class:`Lease`); a refresh deletes an old generation
only when it can take that lock exclusively, i.e. when no process reads it any more. Under the
build lock, leftovers of killed builds are removed, and so are other ``--data`` indexes whose
sources are gone or that were not used for :data:`UNUSED_DAYS` days. A damaged index is rebuilt
once; a cache that cannot be written or read gives one warning line and the sources are parsed
in memory (as ``--no-cache``).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import sqlite3
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from mscgraph.model import resources
from mscgraph.model.errors import DataError, MscGraphWarning
from mscgraph.names.index import NameIndex
from mscgraph.store.facts import FOLDER, SUFFIX, FactFiles

Progress = Callable[[Path | None, int, int], None]  # (file being loaded or None when done, bytes done, all)

INDEX_VERSION = "9"  # bump when the store layout changes
NAMES = "names.sqlite"  # the name index, beside the store in each generation
Manifest = dict[str, Any]  # manifest.json: layout version, generation, name index size, files
Fingerprint = list[Any]  # of a source file: size, mtime (ns), ctime (ns), inode (see Sources.stats), hash
LEASE = "lease"  # readers hold a shared flock on it
UNUSED_DAYS = 30  # another --data index unused this long is pruned

_FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES}


@dataclass(frozen=True)
class Sources:
    """The files that make up one knowledge graph: the ontology plus data files."""

    files: tuple[Path, ...]

    @classmethod
    def resolve(cls, data: Sequence[str | Path] | None = None) -> Sources:
        """The packaged ontology plus ``data`` (files or directories; default: packaged data)."""
        if isinstance(data, (str, Path)):  # one file or directory, not a sequence of one-letter paths
            data = [data]
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

    def stats(self) -> dict[str, list[int]]:
        """Size, mtime, ctime and inode of each file: any write changes one of them."""
        out = {}
        for p in self.files:
            st = p.stat()
            out[str(p)] = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
        return out

    def key(self) -> str:
        """Names the index directory: the set of source paths, not their contents."""
        h = hashlib.sha256(INDEX_VERSION.encode())
        for p in self.files:
            h.update(str(p).encode() + b"\0")
        return h.hexdigest()[:20]


def cache_root() -> Path:
    """``$MSCGRAPH_CACHE`` (a relative path from the working directory), else the user's cache folder."""
    if env := os.environ.get("MSCGRAPH_CACHE"):
        return Path(env).absolute()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "mscgraph"


def load_file(store: ox.Store, path: Path, graph: ox.NamedNode | ox.DefaultGraph, *, bulk: bool) -> None:
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
    except MemoryError as exc:  # the parser's buffer holds 16 MiB: a longer literal or IRI cannot be read
        raise DataError(f"{path}: cannot be read: {exc} bytes (a literal or IRI over 16 MiB?)") from None


@contextlib.contextmanager
def _locked(lock_path: Path, *, wait: bool = True) -> Iterator[bool]:
    """An exclusive flock on ``lock_path``; with ``wait=False`` yields False at once if it is taken."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


class Lease:
    """A shared flock on a generation's lease file, held while this process may read the generation."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    @classmethod
    def take(cls, generation: Path) -> Lease | None:
        """The lease, or None when the generation is gone (pruned before we got here)."""
        try:
            fd = os.open(generation / LEASE, os.O_RDONLY)
        except FileNotFoundError:
            return None
        fcntl.flock(fd, fcntl.LOCK_SH)
        try:  # a pruner renames the generation away while it holds the lock exclusively
            if os.stat(generation / LEASE).st_ino == os.fstat(fd).st_ino:
                return cls(fd)
        except FileNotFoundError:
            pass
        os.close(fd)
        return None

    def release(self) -> None:
        if self.fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self.fd)
            self.fd = -1

    def __del__(self) -> None:
        self.release()


@dataclass
class Index:
    """An opened index: the RDF store and its name index (and, on disk, the lease that keeps it)."""

    store: ox.Store
    names: NameIndex
    generation: Path | None = None
    lease: Lease | None = None

    @property
    def facts(self) -> FactFiles | None:
        """The whole-graph views' facts kept with an index on disk (None: an index in memory keeps none)."""
        return None if self.generation is None else FactFiles(self.generation / FOLDER, self.store)

    def close(self) -> None:
        """Close the name index and give up the lease (the store closes when no one refers to it)."""
        self.names.close()
        if self.lease is not None:
            self.lease.release()


def _warn(message: str) -> None:
    """A warning for the user, through :mod:`warnings` (the command line prints it as one
    ``mscgraph: warning:`` line; a program decides with the warnings filters what to do with it)."""
    warnings.warn(message, MscGraphWarning, stacklevel=3)


def _silent(path: Path | None, done: int, total: int) -> None:
    """No progress report."""


def open_index(sources: Sources, *, cache: bool = True, progress: Progress | None = None) -> Index:
    """Return the index of ``sources``; built or refreshed on disk when they changed.

    ``progress``, if given, is told of each file (re)loaded: the library draws nothing itself
    (the command line passes :class:`mscgraph.cli.progress.ProgressBar`).
    A cache that cannot be used gives one :class:`~mscgraph.model.errors.MscGraphWarning` and an
    index in memory.
    """
    if cache:
        try:
            return _open_cached(sources, progress or _silent)
        except (OSError, sqlite3.Error, RuntimeError) as exc:  # RocksDB reports damage as RuntimeError
            reason = getattr(exc, "strerror", None) or str(exc).splitlines()[0]
            where = getattr(exc, "filename", None) or cache_root()
            _warn(f"cannot use the index cache ({where}: {reason}); reading the sources in memory")
    index = Index(ox.Store(), NameIndex())
    for path in sources.files:
        graph = sources.graph_of(path)
        load_file(index.store, path, graph, bulk=False)
        index.names.index_graph(index.store, graph)
    return index


def open_generation(generation: Path) -> Index | None:
    """Open one generation read-only under a lease; None if it is gone.

    Damage raises OSError, sqlite3.Error or RuntimeError (RocksDB's "Corruption")."""
    lease = Lease.take(generation)
    if lease is None:
        return None
    names = NameIndex(generation / NAMES, read_only=True)
    names.db.execute("SELECT count(*) FROM sqlite_master").fetchone()  # a damaged file fails here
    store = ox.Store.read_only(str(generation / "store"))
    return Index(store, names, generation, lease)


def _open_cached(sources: Sources, progress: Progress) -> Index:
    folder = cache_root() / sources.key()
    for attempt in range(3):
        stats = sources.stats()
        manifest = _read_manifest(folder)
        if manifest is None or not _current(manifest, stats):
            with _locked(cache_root() / f"{sources.key()}.lock"):
                manifest = _read_manifest(folder)  # another process may have refreshed it
                if manifest is None or not _current(manifest, stats):
                    manifest = _refresh(folder, sources, manifest, progress)
        generation = folder / manifest["db"]
        try:
            index = open_generation(generation)
        except (OSError, sqlite3.Error, RuntimeError):
            if attempt:
                raise
            _warn(f"the index {generation} is damaged; rebuilding it")
            with _locked(cache_root() / f"{sources.key()}.lock"):
                if _read_manifest(folder) == manifest:
                    (folder / "manifest.json").unlink()
            continue
        if index is not None:
            with contextlib.suppress(OSError):
                os.utime(folder)  # last use, for pruning
            return index
    raise OSError(f"the index at {folder} keeps changing under this process")


def _read_manifest(folder: Path) -> Manifest | None:
    try:
        manifest: Manifest = json.loads((folder / "manifest.json").read_text())
        names = folder / manifest["db"] / NAMES
        if manifest["version"] != INDEX_VERSION or names.stat().st_size != manifest["names_bytes"]:
            return None  # another layout, or a truncated name index: rebuild
        return manifest
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _current(manifest: Manifest, stats: dict[str, list[int]]) -> bool:
    files = manifest["files"]
    return files.keys() == stats.keys() and all(files[k][:4] == v for k, v in stats.items())


def _fingerprints(manifest: Manifest | None, stats: dict[str, list[int]]) -> dict[str, Fingerprint]:
    """stats + content hash; a file whose stats did not change keeps the hash the manifest has."""
    known = (manifest or {}).get("files", {})
    out: dict[str, Fingerprint] = {}
    for path, stat in stats.items():
        if known.get(path, [])[:4] == stat:
            out[path] = known[path]
            continue
        digest = hashlib.sha256()
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
        out[path] = [*stat, digest.hexdigest()]
    return out


def _same(a: Fingerprint | None, b: Fingerprint | None) -> bool:
    """Same content (the hash), whatever the file's times say."""
    return a is not None and b is not None and a[4:] == b[4:]


def _refresh(folder: Path, sources: Sources, manifest: Manifest | None, progress: Progress) -> Manifest:
    """Write a new generation of the index, reloading only the files whose content changed.

    Readers keep the generation they opened (Oxigraph forbids writing under a read-only reader),
    so a refresh starts from a checkpoint copy of the last generation, and the manifest is switched
    atomically when it is complete. Called with the build lock held.
    """
    folder.mkdir(parents=True, exist_ok=True)
    _prune(folder, keep=(manifest or {}).get("db"))
    wanted = _fingerprints(manifest, sources.stats())
    previous = (manifest or {}).get("files", {})
    if (
        manifest is not None
        and previous.keys() == wanted.keys()
        and all(_same(previous[k], v) for k, v in wanted.items())
    ):  # only times changed (touch, cp -p of the same bytes): same generation, new stats
        new = {**manifest, "files": wanted}
        _write_manifest(folder, new)
        return new
    generation = 1 + max((int(p.name[3:]) for p in folder.glob("db-*") if p.name[3:].isdigit()), default=0)
    target = folder / f"db-{generation}"
    # Built under a name no other process uses, renamed when complete: a failed or concurrent build
    # never leaves (or deletes) files under a generation name that a reader could open.
    building = folder / f"build-{os.getpid()}"
    _remove_tree(building)
    building.mkdir()
    (building / LEASE).touch()
    current: dict[str, Fingerprint] = {}
    # Reuse the last generation when most of it is still current; when most bytes changed, a fresh
    # bulk build is cheaper than copying the old store and clearing its graphs.
    kept = sum(v[0] for k, v in wanted.items() if _same(previous.get(k), v))
    if manifest is not None and kept * 2 >= sum(v[0] for v in wanted.values()):
        last = folder / manifest["db"]
        ox.Store.read_only(str(last / "store")).backup(str(building / "store"))
        names = NameIndex(last / NAMES, read_only=True)
        names.copy_to(building / NAMES)
        names.close()
        _link_facts(last / FOLDER, building / FOLDER)  # those of reloaded files are forgotten in _update
        current = previous
    index: Index | None = None
    try:
        index = Index(ox.Store(str(building / "store")), NameIndex(building / NAMES), building)
        _update(index, sources, current, wanted, progress)
        index.store.flush()
        index.names.close()
        index = None  # closes RocksDB before the directory moves
        os.replace(building, target)
    except BaseException:
        index = None  # close RocksDB (the traceback would keep it open) before deleting its files
        _remove_tree(building)
        raise
    new = {
        "version": INDEX_VERSION,
        "db": target.name,
        "files": wanted,
        "names_bytes": (target / NAMES).stat().st_size,
    }
    _write_manifest(folder, new)
    _prune(folder, keep=target.name)
    _prune_others(folder)
    return new


def _link_facts(old: Path, new: Path) -> None:
    """The facts kept in ``old`` kept in ``new`` too: a kept file is never written again (only replaced),
    so both generations can share it (a copy where links are not allowed)."""
    import shutil

    if not old.is_dir():
        return
    new.mkdir()
    for kept in old.glob(f"*{SUFFIX}"):
        try:
            os.link(kept, new / kept.name)
        except FileNotFoundError:  # a kept file's removal is not ours to stop
            continue
        except OSError:
            shutil.copyfile(kept, new / kept.name)


def _remove_tree(folder: Path) -> None:
    """Delete ``folder`` and what it holds, as far as possible (shutil is imported only to build or prune)."""
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


def _write_manifest(folder: Path, manifest: Manifest) -> None:
    tmp = folder / f"manifest.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(manifest))
    os.replace(tmp, folder / "manifest.json")


def _remove_if_unused(generation: Path) -> bool:
    """Delete a generation no process holds a lease on; False if one does."""
    try:
        fd = os.open(generation / LEASE, os.O_RDONLY)
    except FileNotFoundError:
        fd = None  # no lease file: a generation of an older layout or a half-deleted one
    try:
        if fd is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
        trash = generation.with_name(f"trash-{generation.name}-{os.getpid()}")
        os.replace(generation, trash)  # under the exclusive lock: a reader re-checks the name after locking
    finally:
        if fd is not None:
            os.close(fd)
    _remove_tree(trash)
    return True


def _prune(folder: Path, keep: str | None) -> None:
    """Under the build lock: drop unused old generations and what killed builds left."""
    for leftover in [*folder.glob("build-*"), *folder.glob("trash-*"), *folder.glob("manifest.*.tmp")]:
        if leftover.is_dir():
            _remove_tree(leftover)
        else:
            leftover.unlink(missing_ok=True)
    for old in folder.glob("db-*"):
        if old.name != keep:
            _remove_if_unused(old)


def _prune_others(ours: Path) -> None:
    """Remove the indexes of other source sets whose files are gone or that were unused for long."""
    stale_before = time.time() - UNUSED_DAYS * 86400
    for folder in ours.parent.iterdir():
        if folder == ours or not folder.is_dir() or not re.fullmatch(r"[0-9a-f]{20}", folder.name):
            continue
        with _locked(folder.with_suffix(".lock"), wait=False) as ours_now:
            if not ours_now:
                continue  # being built or refreshed
            try:
                manifest = json.loads((folder / "manifest.json").read_text())
                files = manifest["files"]
                gone = manifest.get("version") != INDEX_VERSION or not all(map(os.path.exists, files))
            except (OSError, ValueError, KeyError, TypeError):
                gone = True
            stale = gone or folder.stat().st_mtime < stale_before
            if stale and all([_remove_if_unused(g) for g in folder.glob("db-*")]):
                _remove_tree(folder)


def _update(
    index: Index,
    sources: Sources,
    current: dict[str, Fingerprint],
    wanted: dict[str, Fingerprint],
    progress: Progress,
) -> None:
    """Bring ``index`` (holding ``current``) to ``wanted``: drop removed files, reload changed ones."""
    store, names, facts = index.store, index.names, index.facts
    assert facts is not None  # a generation on disk
    for stale in set(current) - set(wanted):
        graph = ox.NamedNode(Path(stale).as_uri())
        if store.contains_named_graph(graph):
            store.remove_graph(graph)
        names.remove_file(graph.value)
        facts.forget(graph.value)
    changed = [p for p in sources.files if not _same(current.get(str(p)), wanted[str(p)])]
    total, done = sum(wanted[str(p)][0] for p in changed), 0
    from concurrent.futures import Future, ThreadPoolExecutor  # only to build: not on every start

    # Name keys of file n are computed (Python) while file n+1 loads (Rust, GIL released).
    with ThreadPoolExecutor(max_workers=1) as worker:
        pending: Future[None] | None = None
        for path in changed:
            progress(path, done, total)
            done += wanted[str(path)][0]
            graph = sources.graph_of(path)
            facts.forget(graph.value)
            if str(path) in current:
                store.clear_graph(graph)
            load_file(store, path, graph, bulk=True)  # safe: a failed build is discarded whole
            if pending is not None:
                pending.result()
            pending = worker.submit(names.index_graph, store, graph)
        if pending is not None:
            pending.result()
    progress(None, total, total)
