"""The scale benchmark's parts: the synthetic graph generator, and the quick benchmark end to end."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib
from rdflib import RDF, RDFS

from mscgraph.cli import main
from mscgraph.model import resources

BENCH = Path(__file__).resolve().parents[1] / "bench"
MSC = rdflib.Namespace("https://w3id.org/mscgraph/ontology/")
sys.path.insert(0, str(BENCH))

from generate import generate  # noqa: E402


def _instances(graph: rdflib.Graph, ontology: rdflib.Graph, cls: rdflib.URIRef) -> set[rdflib.term.Node]:
    classes = set(ontology.transitive_subjects(RDFS.subClassOf, cls))
    return {s for c in classes for s in graph.subjects(RDF.type, c)}


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(resources.ontology_file())


@pytest.fixture(scope="module")
def real() -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in resources.data_files():
        graph.parse(path)
    return graph


@pytest.fixture(scope="module")
def x3(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("x3")
    generate(3, out, copies_per_file=2)
    return out


@pytest.fixture(scope="module")
def x3_graph(x3: Path) -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in sorted(x3.glob("*.ttl")):
        graph.parse(path)  # every file parses in rdflib on its own
    return graph


@pytest.mark.slow
def test_generator_writes_n_times_the_studies_and_findings(
    x3: Path, x3_graph: rdflib.Graph, real: rdflib.Graph, ontology: rdflib.Graph
) -> None:
    assert len(list(x3.glob("*.ttl"))) == 2  # 3 copies, 2 per file
    for cls in (MSC.Study, MSC.Finding):
        found = _instances(x3_graph, ontology, cls)
        originals = {s for s in found if "-c" not in str(s).rsplit("/", 1)[-1]}
        copied = {s for s in originals if rdflib.URIRef(f"{s}-c1") in found}
        assert len(copied) >= 0.9 * len(_instances(real, ontology, cls)) > 0  # the real ones, copied
        assert all(rdflib.URIRef(f"{s}-c2") in found for s in copied)
        assert len(found) == 3 * len(copied) + len(originals - copied)  # ×3, vocabulary (the review) once


@pytest.mark.slow
def test_generator_labels_are_english_and_chinese(x3_graph: rdflib.Graph) -> None:
    copy_labels = [o for o in x3_graph.objects(None, RDFS.label) if str(o).endswith("-c2")]
    assert {o.language for o in copy_labels} >= {"en", "zh"}
    # the vocabulary grows more slowly: ⌈√3⌉ = 2 variants of each disease
    assert (rdflib.URIRef("https://w3id.org/mscgraph/data/SS-v1"), RDF.type, MSC.Disease) in x3_graph


@pytest.mark.slow
def test_mscgraph_answers_on_the_generated_graph(x3: Path, runner, kg) -> None:
    result = runner.invoke(main, ["mechanisms", "SS", "--findings", "--data", str(x3), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    # copies 0 and 2 share variant 0 of SS, so SS carries the real SS findings twice
    assert len(rows) == 2 * len(kg.mechanisms("SS"))
    assert any(r["mechanism_abbr"] == "Th17" and r["direction"] == "decreased" for r in rows)
    links = json.loads(
        runner.invoke(main, ["mechanisms", "SS", "--data", str(x3), "--format", "json"]).output
    )
    th17 = next(r for r in links if r["mechanism_name"] == "Th17" and r["role"] == "msc:TherapyEffect")
    assert th17["findings"] == 2 * next(s["findings"] for s in kg.summary("SS", "Th17"))  # the copies add up


@pytest.mark.bench
def test_a_quick_benchmark_run_writes_the_table_and_plot(tmp_path: Path) -> None:
    """The script end to end at ×1, each case run once (no warm-up): generation, every case of both
    engines, the table and the plot. Naive cases slower than the time-out show as a lower bound."""
    results, plot = tmp_path / "results", tmp_path / "scale.png"
    args = ["--scales", "1", "--runs", "1", "--no-warmup", "--timeout", "3"]
    args += ["--out", str(tmp_path / "out"), "--results", str(results), "--plot", str(plot)]
    proc = subprocess.run(
        [sys.executable, str(BENCH / "bench_scale.py"), *args], capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert sorted(p.name for p in results.iterdir()) == ["scale-1.json", "scale.md"]
    measured = json.loads((results / "scale-1.json").read_text())
    assert measured["triples"] > 4000  # the real graph's size, copied once
    lines = (results / "scale.md").read_text().splitlines()
    rows = [line for line in lines if line.startswith("| ×")]
    assert rows and all(line.startswith("| ×1 |") for line in rows)  # ×1 only
    build = next(line for line in rows if "| index build |" in line)
    assert "pyoxigraph bulk_load" in build and " s |" in build and "> " not in build  # never time-limited
    for case in (
        "lookup: mechanisms SS",
        "validate",
        "query: shared-mechanisms-all-pairs",
        "export --format nt",
        "html --disease SS",
    ):
        assert any(f"| {case} |" in line and "naive rdflib" in line for line in rows), case
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not (tmp_path / "out" / "work-x1").exists()  # the per-size scratch space is cleaned up
