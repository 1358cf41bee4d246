"""The on-disk index: per-file graphs and name keys, refreshed incrementally when files change."""

from __future__ import annotations

import ast
import io
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import EXTRA

import mscgraph
from mscgraph.cli.progress import ProgressBar
from mscgraph.model.errors import MscGraphError, UnknownName
from mscgraph.store import facts
from mscgraph.store.facts import QUERY, FactFiles, FactMap, Lit, Obj, collect
from mscgraph.store.index import Sources, cache_root, open_index
from mscgraph.views.wholegraph import Facts

RDF_LANG = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


@pytest.mark.slow
def test_names_come_from_every_file_and_follow_edits(data: Path) -> None:
    kg = mscgraph.load([data])
    assert kg.resolve("SS", "disease").endswith("/SS")
    assert kg.resolve("testing disease", "disease").endswith("/TestDisease")
    assert kg.resolve("测试病", "disease").endswith("/TestDisease")

    (data / "extra.ttl").write_text(EXTRA.replace("{label}", "Renamed disease"))
    kg = mscgraph.load([data])
    assert kg.resolve("renamed disease", "disease").endswith("/TestDisease")
    with pytest.raises(UnknownName):
        kg.resolve("testing disease", "disease")
    assert kg.resolve("SS", "disease").endswith("/SS")  # the untouched files keep their names

    (data / "extra.ttl").unlink()
    kg = mscgraph.load([data])
    with pytest.raises(UnknownName):
        kg.resolve("TD", "disease")
    # the store's graphs are exactly the files, and the name index names entities of those files only
    files = {g.value for g in Sources.resolve([data]).graphs}
    assert {g.value for g in kg.engine.store.named_graphs()} == files
    assert {f for (f,) in kg.names.index.db.execute("SELECT DISTINCT file FROM names")} == files


def test_a_refresh_reloads_only_the_changed_file(data: Path) -> None:
    mscgraph.load([data])
    folder = cache_root() / Sources.resolve([data]).key()
    first = sorted(p.name for p in folder.glob("db-*"))
    told: list[tuple[str | None, int, int]] = []
    (data / "extra.ttl").write_text(EXTRA.replace("{label}", "Renamed disease"))

    def progress(path: Path | None, done: int, total: int) -> None:
        told.append((path and path.name, done, total))

    open_index(Sources.resolve([data]), progress=progress)
    size = (data / "extra.ttl").stat().st_size
    assert told == [("extra.ttl", 0, size), (None, size, size)]
    assert sorted(p.name for p in folder.glob("db-*")) != first  # a new generation


@pytest.mark.slow
def test_export_streams_the_file_graphs_and_reads_back_as_their_union(data: Path, tmp_path: Path) -> None:
    """Two files stating the same triples: the export streams each file graph (no lookup per triple),
    so those triples come twice, and reading it back gives the union, each triple once."""
    shutil.copy(data / "extra.ttl", data / "extra-again.ttl")
    kg = mscgraph.load([data])
    union = kg.engine.store.query("SELECT DISTINCT ?s ?p ?o { ?s ?p ?o }", use_default_graph_as_union=True)
    stated = {ox.Triple(s, p, o) for s, p, o in union}
    from mscgraph.views.export import export

    export(kg, "nt", tmp_path / "all.nt")
    lines = (tmp_path / "all.nt").read_text().splitlines()
    assert len(lines) == len(stated) + 4  # extra.ttl holds 4 triples
    back = ox.parse(path=str(tmp_path / "all.nt"), format=ox.RdfFormat.N_TRIPLES)
    assert {q.triple for q in back} == stated


def test_search_through_the_index_matches_the_scan_of_all_names() -> None:
    """The name index answers search like reading every name with SPARQL (the endpoint path) does."""
    kg = mscgraph.load()
    scanning = mscgraph.KnowledgeGraph(kg.engine)  # no name index
    for text in ("th17", "lupus", "狼疮", "MSC", "il"):
        assert kg.search(text, limit=50) == scanning.search(text, limit=50), text


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_draws_on_a_terminal_only(data: Path) -> None:
    terminal, pipe = _Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        bar = ProgressBar(stream)
        bar(data / "ra.ttl", 0, 2_000_000)
        bar(data / "sle.ttl", 1_000_000, 2_000_000)
        bar(None, 2_000_000, 2_000_000)
    assert pipe.getvalue() == ""
    drawn = terminal.getvalue()
    assert drawn.count("\r") == 3 and drawn.endswith("\n")
    assert "[############------------] 1.0/2.0 MB" in drawn and "sle.ttl" in drawn


@pytest.mark.slow
def test_when_most_files_change_the_index_is_built_afresh_and_still_complete(data: Path) -> None:
    kg = mscgraph.load([data])
    before = len(kg.engine.store)
    for path in data.glob("*.ttl"):
        path.write_text(path.read_text() + "\n# edited\n")
    told: list[str | None] = []

    def progress(path: Path | None, done: int, total: int) -> None:
        told.append(path and path.name)

    index = open_index(Sources.resolve([data]), progress=progress)
    # a fresh build: every file is loaded, the unchanged packaged ontology too
    assert sorted(n for n in told if n) == sorted([*(p.name for p in data.glob("*.ttl")), "msc.ttl"])
    assert len(index.store) == before
    assert mscgraph.load([data]).resolve("testing disease", "disease").endswith("/TestDisease")


def test_data_may_be_one_path_instead_of_a_list() -> None:
    """``load(data="dir")`` is that directory, not its name read letter by letter."""
    from mscgraph.model import resources

    folder = resources.resource_dir("data")
    assert Sources.resolve(str(folder)).files == Sources.resolve([folder]).files
    assert len(Sources.resolve(folder).files) > 2


def test_the_library_warns_through_warnings_and_prints_nothing(tmp_path: Path) -> None:
    """An unusable cache is one MscGraphWarning; the program decides what to do with it (a program of
    its own: the command line, once imported in-process, shows the warnings as its own lines)."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    program = (
        "import warnings, mscgraph\n"
        "with warnings.catch_warnings(record=True) as seen:\n"
        "    warnings.simplefilter('always')\n"
        "    with mscgraph.load() as kg: kg.resolve('SS', 'disease')\n"
        "print([(w.category.__name__, str(w.message)) for w in seen])\n"
    )
    env = {**os.environ, "MSCGRAPH_CACHE": str(blocker / "cache")}
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0 and result.stderr == "", result.stderr
    [(category, message)] = ast.literal_eval(result.stdout)
    assert category == "MscGraphWarning" and "reading the sources in memory" in message


def _triples(facts: FactMap) -> set[tuple[str, str, Obj]]:
    return {(s, p, o) for s, props in facts.items() for p, objs in props.items() for o in objs}


def _kept(kg: mscgraph.KnowledgeGraph) -> FactFiles:
    assert kg.kept_facts is not None
    return kg.kept_facts


def test_the_index_keeps_each_files_page_facts_equal_to_the_query_and_follows_edits(data: Path) -> None:
    kg = mscgraph.load([data])
    folder = _kept(kg).folder
    assert not folder.exists()  # the build computes none: the first whole-graph view does
    kept = _kept(kg).read()
    assert len(_triples(kept)) > 2000
    assert _triples(kept) == _triples(collect(kg.run(QUERY).tuples()))  # the same facts, each once
    assert all(len(objs) == len(set(objs)) for props in kept.values() for objs in props.values())
    graphs = [g.value for g in Sources.resolve([data]).graphs]
    assert sorted(p.name for p in folder.iterdir()) == sorted(_kept(kg).path(g).name for g in graphs)
    inodes = {g: _kept(kg).path(g).stat().st_ino for g in graphs}
    assert _kept(mscgraph.load([data])).read() == kept  # read back, not computed again:
    assert {g: _kept(kg).path(g).stat().st_ino for g in graphs} == inodes

    disease = "https://w3id.org/mscgraph/data/TestDisease"
    assert {o.value for o in kept[disease]["label"] if isinstance(o, Lit)} == {"Testing disease", "测试病"}
    (data / "extra.ttl").write_text(EXTRA.replace("{label}", "Renamed disease"))
    kg = mscgraph.load([data])
    edited = (data / "extra.ttl").resolve().as_uri()
    # the new generation shares the facts of the files it did not reload, and forgot the edited one's
    assert _kept(kg).folder != folder and not _kept(kg).path(edited).exists()
    assert {g: _kept(kg).path(g).stat().st_ino for g in graphs if g != edited} == {
        g: i for g, i in inodes.items() if g != edited
    }
    kept = _kept(kg).read()
    assert Lit("Renamed disease", "en", RDF_LANG) in kept[disease]["label"]
    assert _triples(kept) == _triples(collect(kg.run(QUERY).tuples()))

    (data / "extra.ttl").unlink()
    kg = mscgraph.load([data])
    kept = _kept(kg).read()
    assert disease not in kept and not _kept(kg).path(edited).exists()
    assert _triples(kept) == _triples(collect(kg.run(QUERY).tuples()))


def test_damaged_kept_facts_are_computed_again_and_a_folder_that_cannot_be_written_keeps_none(
    data: Path, tmp_path: Path
) -> None:
    kg = mscgraph.load([data])
    whole = _kept(kg).kept()
    graphs = sorted(g.value for g in kg.engine.store.named_graphs())
    first, second = _kept(kg).path(graphs[0]), _kept(kg).path(graphs[1])
    flipped = bytearray(whole[0])
    flipped[len(flipped) // 2] ^= 1
    os.mkfifo(fifo := tmp_path / "fifo")  # a reader that opened it would wait for ever
    damage = {
        "cut short, as a crash while writing would leave it": lambda: first.write_bytes(whole[0][:-100]),
        "a byte changed": lambda: first.write_bytes(bytes(flipped)),
        "another file's facts": lambda: first.write_bytes(second.read_bytes()),
        "a link to a pipe": lambda: (first.unlink(), first.symlink_to(fifo)),
    }
    for what, do in damage.items():
        do()
        assert _kept(kg).kept() == whole, what
        assert first.read_bytes() == whole[0] and not first.is_symlink(), what  # kept again, whole

    shutil.rmtree(_kept(kg).folder)
    _kept(kg).folder.write_text("")  # a file where the folder should be: nothing can be kept there
    assert _kept(kg).kept() == whole and _kept(kg).folder.read_text() == ""
    assert not list(_kept(kg).folder.parent.glob("*.tmp"))


class _Touch:
    """Pickles as a call of ``Path.touch`` on ``path``: what a planted file could ask to run."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[Path]]:
        return Path.touch, (self.path,)


def test_kept_facts_made_to_pass_the_seal_are_refused_unless_facts(data: Path, tmp_path: Path) -> None:
    kg = mscgraph.load([data])
    first = _kept(kg).kept()[0]
    graph = min(g.value for g in kg.engine.store.named_graphs())
    planted = {
        r"kept facts hold pathlib\.Path\.touch": {"s": {"p": [_Touch(tmp_path / "ran")]}},
        r"a int, not a map": 42,
    }
    for message, value in planted.items():
        data_ = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
        _kept(kg).path(graph).write_bytes(facts.seal(graph, data_) + data_)  # a seal that says whole
        with pytest.raises(MscGraphError, match=rf"kept facts are damaged \({message}"):
            _kept(kg).read()
    assert not (tmp_path / "ran").exists()
    real = facts.decode([first])  # the real ones hold literals, which the reader lets through
    assert any(type(o) is Lit for props in real.values() for objs in props.values() for o in objs)


def test_a_files_kept_facts_hold_each_distinct_value_once(data: Path) -> None:
    repeated = 0
    for kept in _kept(mscgraph.load([data])).kept():
        values = [o for props in facts.decode([kept]).values() for objs in props.values() for o in objs]
        assert len({id(o) for o in values}) == len(set(values))  # equal values: one object, shared
        repeated += len(values) - len(set(values))
    assert repeated > 1000  # an IRI is the object of many triples


def test_an_index_in_memory_keeps_no_facts_and_the_views_read_them_from_the_engine() -> None:
    kg = mscgraph.load(cache=False)
    assert kg.kept_facts is None
    assert _triples(Facts(kg).out) == _triples(Facts(mscgraph.load()).out)
