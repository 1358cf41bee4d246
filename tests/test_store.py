"""The on-disk index: per-file graphs and names graphs, refreshed incrementally when files change."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import mscgraph
from mscgraph import resources
from mscgraph.errors import UnknownName
from mscgraph.store import NAMES_PREFIX, Sources, cache_root

EXTRA = """@prefix mscd: <https://w3id.org/mscgraph/data/> .
@prefix msc: <https://w3id.org/mscgraph/ontology/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
mscd:TestDisease a msc:Disease ; rdfs:label "{label}"@en , "测试病"@zh ; msc:abbreviation "TD" .
"""


@pytest.fixture()
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    for path in resources.data_files():
        shutil.copy(path, folder / path.name)
    (folder / "extra.ttl").write_text(EXTRA.replace("{label}", "Testing disease"))
    return folder


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
    names_graphs = {g.value for g in kg.engine.store.named_graphs() if g.value.startswith(NAMES_PREFIX)}
    assert names_graphs == {NAMES_PREFIX + g.value for g in kg.engine.graphs}


def test_a_refresh_reloads_only_the_changed_file(data: Path) -> None:
    mscgraph.load([data])
    folder = cache_root() / Sources.resolve([data]).key()
    first = sorted(p.name for p in folder.glob("db-*"))
    messages: list[str] = []
    (data / "extra.ttl").write_text(EXTRA.replace("{label}", "Renamed disease"))
    from mscgraph.store import open_store

    open_store(Sources.resolve([data]), progress=messages.append)
    assert messages == ["mscgraph: indexing extra.ttl (1/1) ..."]
    assert sorted(p.name for p in folder.glob("db-*")) != first  # a new generation
