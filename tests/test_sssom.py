"""`mscgraph export --format sssom`, read as an SSSOM consumer reads it.

sssom-py itself is not a test dependency (it pulls in linkml, pandas, Sphinx and the old rdflib-jsonld
plugin); the file is checked instead against the SSSOM data model that the `sssom-schema` package ships:
every row is built as its `Mapping` class and the metadata as its `MappingSet` (unknown columns or
keys, a missing required slot are errors), the required slots are read from the schema, and every CURIE
is expanded with the file's own curie_map and compared with the store.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import pytest
import yaml
from conftest import REPO

from mscgraph.cli import main

SCRIPT = shutil.which("mscgraph", path=str(Path(sys.executable).parent)) or shutil.which("mscgraph")

SKOS = "http://www.w3.org/2004/02/skos/core#"
MAPPINGS = f"""PREFIX skos: <{SKOS}>
SELECT ?s ?p ?o WHERE {{
  VALUES ?p {{ skos:exactMatch skos:closeMatch skos:broadMatch skos:narrowMatch skos:relatedMatch }}
  ?s ?p ?o FILTER(isIRI(?s) && isIRI(?o)) }}"""


def read_sssom(path: Path) -> tuple[dict, list[dict[str, str]]]:
    """(metadata, rows) of an SSSOM TSV: the leading '#' block is YAML, the rest a TSV table."""
    lines = path.read_text("utf-8").splitlines()
    block = [line[1:] for line in lines if line.startswith("#")]
    assert lines[: len(block)] == ["#" + b for b in block], "the metadata block comes first, in one piece"
    metadata = yaml.safe_load("\n".join(block))
    table = lines[len(block) :]
    assert all(line.count("\t") == table[0].count("\t") for line in table)
    return metadata, list(csv.DictReader(table, delimiter="\t", quoting=csv.QUOTE_NONE))


@pytest.fixture(scope="module")
def schema():
    from linkml_runtime.utils.schemaview import SchemaView

    return SchemaView(str(files("sssom_schema") / "schema" / "sssom_schema.yaml"))


def test_sssom_export_follows_the_sssom_model_and_holds_the_stores_mappings(kg, runner, tmp_path, schema):
    from sssom_schema.datamodel.sssom_schema import Mapping, MappingSet

    path = tmp_path / "mscgraph.sssom.tsv"
    result = runner.invoke(main, ["export", "--format", "sssom", "-o", str(path)])
    assert result.exit_code == 0, result.output
    metadata, rows = read_sssom(path)

    required = {s.name for s in schema.class_induced_slots("mapping") if s.required}
    required |= {"subject_id", "object_id"}  # optional in the schema (sssom:NoTermFound), never empty here
    assert required <= set(rows[0])
    assert {s.name for s in schema.class_induced_slots("mapping set") if s.required} <= set(metadata)
    mappings = [Mapping(**row) for row in rows]  # unknown column or missing slot: an error
    MappingSet(**{k: v for k, v in metadata.items() if k != "curie_map"}, mappings=mappings)
    assert all(row["mapping_justification"] == "semapv:ManualMappingCuration" for row in rows)

    curie_map = metadata["curie_map"]
    for prefix, iri in schema.schema.prefixes.items():  # SSSOM's built-in prefixes must not be redefined
        assert curie_map.get(prefix, iri.prefix_reference) == iri.prefix_reference, prefix
    builtin = {p: v.prefix_reference for p, v in schema.schema.prefixes.items()}

    def expand(curie: str) -> str:
        prefix, _, local = curie.partition(":")
        return {**builtin, **curie_map}[prefix] + local  # KeyError: a prefix missing from curie_map

    assert expand("semapv:ManualMappingCuration") == "https://w3id.org/semapv/vocab/ManualMappingCuration"
    got = {(expand(r["subject_id"]), expand(r["predicate_id"]), expand(r["object_id"])) for r in rows}
    expected = {(r["s"].value, r["p"].value, r["o"].value) for r in kg.engine.run(MAPPINGS).rows}
    assert got == expected and len(rows) == len(expected)
    assert set(curie_map) == {r[c].partition(":")[0] for r in rows for c in required}  # exactly those used
    assert (
        "https://w3id.org/mscgraph/data/SS",
        SKOS + "exactMatch",
        "http://purl.obolibrary.org/obo/MONDO_0010030",
    ) in got
    license_ = (
        kg.engine.run(
            "SELECT ?l WHERE { ?o a <http://www.w3.org/2002/07/owl#Ontology> ; "
            "<http://purl.org/dc/terms/license> ?l }"
        )
        .rows[0]["l"]
        .value
    )
    assert metadata["license"] == license_ and metadata["mapping_set_id"].startswith("https://")
    labels = {r["subject_id"]: r["subject_label"] for r in rows}
    assert labels["mscd:SS"] == "Sjögren syndrome"


def test_a_mapping_to_an_iri_without_a_prefix_is_one_line_and_no_file(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(REPO / "data", data)
    (data / "extra.ttl").write_text(
        "<https://w3id.org/mscgraph/data/SS> <http://www.w3.org/2004/02/skos/core#closeMatch> "
        "<http://example.org/nowhere/1> .\n",
        "utf-8",
    )
    target = tmp_path / "out.sssom.tsv"
    result = subprocess.run(
        [SCRIPT, "export", "--format", "sssom", "--data", str(data), "--no-cache", "-o", str(target)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "no prefix for http://example.org/nowhere/1" in result.stderr
    assert not target.exists() and list(tmp_path.iterdir()) == [data]
