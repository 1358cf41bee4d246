"""The whole-graph views' facts, kept in the index per source file.

The whole-graph network and page (:mod:`mscgraph.views.wholegraph`) join the triples of a few dozen
predicates, the ``_page-facts`` query. Reading them from the store costs about 7 µs a triple (each term
looked up in RocksDB and made a Python object): 1.5-2 s at x100. So an index on disk keeps them, per file,
in its generation's ``facts/`` folder, as the pickled :data:`FactMap` (reading them back: 0.12 s at x100,
against 0.37 s for the same facts as JSON, whose text must be decoded from UTF-8 and whose literals made
again). These are files this program writes for itself in the index, read back only with the one class
they may hold (:class:`Lit`; any other is refused, see :class:`_Unpickler`), and only when their header
(:func:`seal`: a checksum of the file graph's IRI and the pickle) says they are whole, unchanged and that
graph's; otherwise they are computed again. They are computed the first time a whole-graph view asks
(not while the index is built: that is Python holding the GIL, and it would make the loads of the build
wait), written to a temporary file and renamed, so a reader sees a file's facts whole or not at all; a
generation built from the last one keeps the facts of the files it did not reload (links to the same
files).

A fact's subject is an IRI's text or a blank node as ``_:id``; its predicate the short name the query
gives; its object an IRI's text, ``_:id``, or a :class:`Lit`. Per file, a resource's label is left out
when the same file types it as one of the bulk classes the query skips; a label typed in another file is
kept (no view reads such labels).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import pickle
import stat
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple, TypeAlias, TypeVar, cast

import pyoxigraph as ox

from mscgraph.model.errors import MscGraphError

QUERY = "_page-facts"
FOLDER = "facts"  # in a generation of the index
SUFFIX = ".facts"  # of each file kept there


class Lit(NamedTuple):
    """A literal: its lexical form, language tag (``None``: none) and datatype IRI."""

    value: str
    language: str | None
    datatype: str


Obj: TypeAlias = "str | Lit"  # an IRI's text, a blank node as "_:id", or a literal
FactMap: TypeAlias = dict[str, dict[str, list[Obj]]]  # subject -> predicate -> objects, a triple once
Same = TypeVar("Same", str, Lit)


def node(term: Any) -> str:
    """An IRI's text, or a blank node as ``_:id`` (which no IRI is): a fact's subject, or object but a
    literal."""
    return term.value if type(term) is ox.NamedNode else str(term)


def obj(term: Any) -> Obj:
    """A term of the store as a fact's value."""
    if type(term) is ox.Literal:
        return Lit(term.value, term.language, term.datatype.value)
    return node(term)


def collect(rows: Iterable[tuple[Any, ...]]) -> FactMap:
    """The ``(?s, ?p, ?o)`` rows of the ``_page-facts`` query as a :data:`FactMap` (unbound rows skipped)."""
    out: dict[str, dict[str, list[Obj]]] = defaultdict(dict)
    for s, p, o in rows:
        if s is None or p is None or o is None:
            continue
        values = out[node(s)].setdefault(p.value, [])
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


MAGIC = b"mscgraph facts 2\n"  # then the checksum (see seal) and the pickle
HEADER = len(MAGIC) + 32


class FactFiles:
    """The facts of each file graph of an index generation's ``store``, kept in the files of ``folder``
    (one per file graph), each computed the first time it is asked for."""

    def __init__(self, folder: Path, store: ox.Store) -> None:
        self.folder = folder
        self.store = store

    def path(self, graph: str) -> Path:
        """The file that keeps the facts of the file graph ``graph`` (an IRI)."""
        return self.folder / f"{hashlib.sha256(graph.encode()).hexdigest()[:32]}{SUFFIX}"

    def kept(self) -> list[bytes]:
        """Each file graph's facts as kept (see :func:`decode`), by graph IRI; those not kept yet (or cut
        short) are computed and kept (where the folder cannot be written, only computed)."""
        out = []
        for graph in sorted(self.store.named_graphs(), key=lambda g: g.value):
            path = self.path(graph.value)
            data = _read(path)
            if not data.startswith(seal(graph.value, memoryview(data)[HEADER:])):  # not kept, or damaged
                assert isinstance(graph, ox.NamedNode)  # the index names its graphs
                data = compute(self.store, graph)
                _keep(path, data)
            out.append(data)
        return out

    def read(self) -> FactMap:
        """Every file's facts, merged."""
        return decode(self.kept())

    def forget(self, graph: str) -> None:
        """Drop the kept facts of the file graph ``graph`` (its file is reloaded or gone)."""
        self.path(graph).unlink(missing_ok=True)


def compute(store: ox.Store, graph: ox.NamedNode) -> bytes:
    """The facts of the file graph ``graph`` of ``store``, as kept for it: the pickled :data:`FactMap`
    after its :func:`seal`. One pass; a file's triples are distinct (no look-up to drop a
    second copy). Equal texts and literals are one object each (an IRI is the object of many triples, a
    sentence may support several findings): the pickle writes each once, and reading it back makes each
    once (at x1 the facts' IRIs are a fifth distinct, their literals' text seven tenths)."""
    from mscgraph.query.library import get  # only when computed

    rows = store.query(get(QUERY).text, default_graph=graph)
    assert isinstance(rows, ox.QuerySolutions)
    facts: FactMap = {}
    once: dict[Obj, Obj] = {}  # each distinct text and literal one object, which the pickle then refers to

    def one(x: Same) -> Same:
        return cast(Same, once.setdefault(x, x))

    for s, p, o in rows:
        if type(o) is ox.Literal:
            value: Obj = one(Lit(one(o.value), o.language and one(o.language), one(o.datatype.value)))
        else:
            value = one(node(o))
        facts.setdefault(one(node(s)), {}).setdefault(one(p.value), []).append(value)
    data = pickle.dumps(facts, pickle.HIGHEST_PROTOCOL)
    return seal(graph.value, data) + data


def seal(graph: str, data: bytes | memoryview) -> bytes:
    """The header of kept facts: :data:`MAGIC` and the SHA-256 of the file graph's IRI and the pickle
    ``data``. A file cut short, changed (a byte flipped) or another file's facts do not start with it,
    and are computed again; 6 MB at x100 are checked in 10 ms."""
    digest = hashlib.sha256(graph.encode())
    digest.update(data)
    return MAGIC + digest.digest()


def _read(path: Path) -> bytes:
    """The bytes of ``path`` if it is a regular file (not a link, a device or a pipe, which a reader could
    wait on or read without end), else none."""
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return b""
        return path.read_bytes()
    except OSError:
        return b""


def _keep(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all; a folder that cannot be written keeps nothing."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(exist_ok=True)
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except BaseException as exc:  # also an interrupt: no temporary file left behind
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        if not isinstance(exc, OSError):
            raise


class _Unpickler(pickle.Unpickler):
    """Reads kept facts: plain data and :class:`Lit`, no other class or function."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == (Lit.__module__, Lit.__name__):
            return Lit
        raise pickle.UnpicklingError(f"kept facts hold {module}.{name}, which facts never do")


def decode(kept: Iterable[bytes]) -> FactMap:
    """The facts of the files kept as ``kept`` (:meth:`FactFiles.kept`, which checked their seals), merged.
    A pickle that asks for any class but :class:`Lit`, or is not a map, is refused (a file made to pass
    the seal, which only guards against damage)."""
    out: FactMap = {}
    for data in kept:
        stream = io.BytesIO(data)  # shares the bytes
        stream.seek(HEADER)
        try:
            facts: FactMap = _Unpickler(stream).load()
            if type(facts) is not dict:
                raise ValueError(f"a {type(facts).__name__}, not a map")
        except (pickle.UnpicklingError, EOFError, ValueError, TypeError) as exc:
            raise MscGraphError(
                f"the index's kept facts are damaged ({exc}): remove the index's folder to build it again"
            ) from None
        out = merge(out, facts) if out else facts
    return out
