"""The KGX export checked against the Biolink Model itself (offline) and merged with another KG.

The `kgx` package's own validator is not used: kgx 2.7 pins click<8.2 (a fresh install of this project gets
click 8.5), and the resolver falls back to kgx 2.6 with numpy<2, pyarrow, DuckDB, the Neo4j, ArangoDB
and Docker clients, Sphinx, tox and the old rdflib-jsonld plugin; its Toolkit also fetches the model
from the network unless given a file. Instead the checks KGX's validator makes (required properties,
known categories and predicates, id prefixes per category, enum values, CURIEs) are made here with
the schema the `biolink-model` package ships (linkml-runtime's SchemaView, no network), and every
record is also built as the package's generated pydantic class, which rejects unknown slots,
wrong categories and bad enum values.
"""

from __future__ import annotations

import csv
import io
import re
import tarfile
from importlib.resources import files
from pathlib import Path

import networkx as nx
import pytest

from mscgraph.views import export

CURIE = re.compile(r"^[A-Za-z][A-Za-z0-9_.]*:[^\s|]+$")
SKOS_EXACT = "http://www.w3.org/2004/02/skos/core#exactMatch"


@pytest.fixture(scope="module")
def biolink():
    from linkml_runtime.utils.schemaview import SchemaView

    return SchemaView(str(files("biolink_model") / "schema" / "biolink_model.yaml"))


@pytest.fixture(scope="module")
def kgx(kg, tmp_path_factory) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """`mscgraph export --format kgx`'s archive, read back: (nodes, edges) as TSV rows."""
    path = tmp_path_factory.mktemp("kgx") / "mscgraph.tar.gz"
    export.export(kg, "kgx", path)
    with tarfile.open(path, "r:gz") as tar:
        return tuple(
            list(csv.DictReader(io.TextIOWrapper(tar.extractfile(name), "utf-8"), delimiter="\t"))
            for name in ("nodes.tsv", "edges.tsv")
        )


def _name(curie: str) -> str:
    """The schema's name of a Biolink CURIE: ``biolink:BiologicalProcess`` -> ``biological process``,
    ``biolink:associated_with`` -> ``associated with``."""
    local = curie.removeprefix("biolink:")
    if "_" in local or local.islower():
        return local.replace("_", " ")
    return re.sub(r"(?<!^)(?=[A-Z])", " ", local).lower()


def _values(cell: str) -> list[str]:
    return [v for v in cell.split("|") if v]


@pytest.mark.slow
def test_kgx_export_is_valid_biolink(kgx, biolink):
    from biolink_model.datamodel import pydanticmodel_v2 as model

    nodes, edges = kgx
    problems: list[str] = []
    enums = {
        slot: set(biolink.get_enum(enum).permissible_values)
        for slot, enum in (
            ("knowledge_level", "KnowledgeLevelEnum"),
            ("agent_type", "AgentTypeEnum"),
            ("object_direction_qualifier", "DirectionQualifierEnum"),
        )
    }
    for columns in (nodes[0], edges[0]):  # every column a Biolink slot, or this project's own (msc_…)
        problems += [
            f"column {c} is no Biolink slot"
            for c in columns
            if not c.startswith("msc_") and biolink.get_slot(c.replace("_", " ")) is None
        ]
    for node in nodes:
        cls = biolink.get_class(_name(node["category"]))
        if cls is None or "named thing" not in biolink.class_ancestors(cls.name) or cls.abstract or cls.mixin:
            problems.append(f"{node['id']}: category {node['category']} is not a concrete Biolink class")
            continue
        prefix = node["id"].partition(":")[0]
        if not CURIE.match(node["id"]) or (prefix != "mscd" and prefix not in cls.id_prefixes):
            problems.append(f"{node['id']}: not a CURIE Biolink allows for {node['category']}")
        problems += [f"{node['id']}: xref {x}" for x in _values(node["xref"]) if not CURIE.match(x)]
        record = {k: v for k, v in node.items() if not k.startswith("msc_")}
        try:
            getattr(model, node["category"].removeprefix("biolink:"))(
                **{
                    k: _values(v) if k in ("category", "xref", "synonym", "provided_by") else v
                    for k, v in record.items()
                    if v
                }
            )
        except Exception as exc:
            problems.append(f"{node['id']}: {exc}")
    publication_prefixes = set(biolink.get_class("publication").id_prefixes)
    for edge in edges:
        slot = biolink.get_slot(_name(edge["predicate"]))
        predicate_ok = slot and not slot.abstract and not slot.mixin
        if not predicate_ok or "related to" not in biolink.slot_ancestors(slot.name):
            problems.append(f"{edge['id']}: predicate {edge['predicate']} is not a Biolink predicate")
        for column, allowed in enums.items():
            if edge[column] and edge[column] not in allowed:
                problems.append(f"{edge['id']}: {column} {edge[column]!r} not in {sorted(allowed)}")
        problems += [
            f"{edge['id']}: publication {p}"
            for p in _values(edge["publications"])
            if p.partition(":")[0] not in publication_prefixes or not CURIE.match(p)
        ]
        problems += [
            f"{edge['id']}: evidence {e} is not ECO"
            for e in _values(edge["has_evidence_of_type"])
            if not re.fullmatch(r"ECO:\d{7}", e)
        ]
        if not edge["primary_knowledge_source"].startswith("infores:"):
            problems.append(f"{edge['id']}: primary_knowledge_source is not an infores CURIE")
        try:
            model.Association(
                id=edge["id"],
                subject=edge["subject"],
                predicate=edge["predicate"],
                object=edge["object"],
                knowledge_level=edge["knowledge_level"],
                agent_type=edge["agent_type"],
                primary_knowledge_source=edge["primary_knowledge_source"],
                publications=_values(edge["publications"]) or None,
                has_evidence=_values(edge["has_evidence"]) or None,
                has_evidence_of_type=_values(edge["has_evidence_of_type"]) or None,
            )
        except Exception as exc:
            problems.append(f"{edge['id']}: {exc}")
    assert problems == []
    # the checks can fail: a made-up category, enum value and predicate are caught
    with pytest.raises(Exception, match="category"):
        model.Disease(id="MONDO:0010030", category=["biolink:Cell"])
    with pytest.raises(Exception, match="knowledge_level"):
        model.Association(
            id="x",
            subject="a:1",
            predicate="biolink:related_to",
            object="b:2",
            knowledge_level="hunch",
            agent_type="manual_agent",
        )
    assert biolink.get_slot(_name("biolink:has_mechanism")) is None


def test_kgx_ids_are_the_exact_matches_of_the_data(kg, kgx):
    """Node ids: MONDO, CL or HGNC where the store has exactly one such skos:exactMatch; the local CURIE
    in xref; nothing else invented. Publications: PMID or DOI exactly as the store has them."""
    nodes, edges = kgx
    exact: dict[str, set[str]] = {}
    for row in kg.engine.run(f"SELECT ?s ?m WHERE {{ ?s <{SKOS_EXACT}> ?m }}").rows:
        exact.setdefault(row["s"].value, set()).add(row["m"].value)
    from mscgraph.model.namespaces import CONVERTER

    by_local = {}
    for node in nodes:
        local = node["id"] if node["id"].startswith("mscd:") else _values(node["xref"])[0]
        by_local[local] = node
        matches = {CONVERTER.compact(m) for m in exact.get(CONVERTER.expand(local), ())}
        if node["id"] != local:
            assert node["id"] in matches, node  # never invented
        for prefix in ("MONDO", "CL", "HGNC"):  # the first of these the node has decides, if unambiguous
            ours = [m for m in matches if m.startswith(prefix + ":")]
            if ours:
                assert node["id"] == (ours[0] if len(ours) == 1 else local), (local, matches)
                break
    assert by_local["mscd:SS"]["id"].startswith("MONDO:") and by_local["mscd:Treg"]["id"].startswith("CL:")
    assert sum(n["category"] == "biolink:Gene" and n["id"].startswith("HGNC:") for n in nodes) >= 1
    ids = [n["id"] for n in nodes]
    assert len(ids) == len(set(ids))

    query = """PREFIX bibo: <http://purl.org/ontology/bibo/>
    PREFIX msc: <https://w3id.org/mscgraph/ontology/>
    SELECT ?study ?pmid ?doi WHERE { ?study msc:reportedIn ?p .
      OPTIONAL { ?p bibo:pmid ?pmid } OPTIONAL { ?p bibo:doi ?doi } }"""
    published = {}
    for row in kg.engine.run(query).rows:
        study = CONVERTER.compact(row["study"].value)
        published[study] = f"PMID:{row['pmid'].value}" if "pmid" in row else None
        published[study] = published[study] or (f"doi:{row['doi'].value}" if "doi" in row else None)
    for edge in edges:
        studies = _values(edge["msc_studies"]) or [edge["subject"]]  # a study's own links: its publication
        assert set(_values(edge["publications"])) == {published.get(s) for s in studies} - {None}, edge["id"]
    assert any(_values(e["publications"]) for e in edges)
    findings = [e for e in edges if e["original_predicate"] == "msc:aboutMechanism"]
    # ECO where the evidence type maps to one; "not stated" (msc:EvidenceNotStated) has no ECO term
    assert findings and all(re.fullmatch(r"(ECO:\d{7}(\|ECO:\d{7})*)?", e["has_evidence"]) for e in findings)
    assert sum(bool(e["has_evidence"]) for e in findings) > len(findings) // 2
    assert all(e["has_evidence"] == e["has_evidence_of_type"] for e in edges)


# A small KG in Monarch's KGX style. Synthetic, written for this test: the MONDO ids are real (checked in
# shared/reference/curies.md), the gene-disease edges and the infores are made up.
MONARCH_NODES = """id\tcategory\tname\tprovided_by
MONDO:0010030\tbiolink:Disease\tSjogren syndrome\tinfores:synthetic-monarch-test
MONDO:0007915\tbiolink:Disease\tsystemic lupus erythematosus\tinfores:synthetic-monarch-test
MONDO:0005015\tbiolink:Disease\tdiabetes mellitus\tinfores:synthetic-monarch-test
HGNC:11892\tbiolink:Gene\tTNF\tinfores:synthetic-monarch-test
"""
MONARCH_EDGES = """id\tsubject\tpredicate\tobject\tknowledge_level\tagent_type\tprimary_knowledge_source
synthetic:1\tHGNC:11892\tbiolink:gene_associated_with_condition\tMONDO:0010030\tknowledge_assertion\tmanual_agent\tinfores:synthetic-monarch-test
synthetic:2\tHGNC:11892\tbiolink:gene_associated_with_condition\tMONDO:0007915\tknowledge_assertion\tmanual_agent\tinfores:synthetic-monarch-test
synthetic:3\tHGNC:11892\tbiolink:gene_associated_with_condition\tMONDO:0005015\tknowledge_assertion\tmanual_agent\tinfores:synthetic-monarch-test
"""


def _merge(*graphs: tuple[list[dict[str, str]], list[dict[str, str]]]) -> nx.MultiDiGraph:
    """KGX graphs merged as KGX merges them: one node per id (list properties unioned), all edges."""
    merged = nx.MultiDiGraph()
    for nodes, edges in graphs:
        for node in nodes:
            data = merged.nodes[node["id"]] if node["id"] in merged else {}
            merged.add_node(
                node["id"],
                **{k: sorted(set(data.get(k, [])) | set(_values(v))) for k, v in node.items() if k != "id"},
            )
        for edge in edges:
            merged.add_edge(edge["subject"], edge["object"], key=edge["id"], **edge)
    return merged


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def test_kgx_merges_with_a_monarch_style_graph_on_mondo_ids(kgx, tmp_path):
    (tmp_path / "nodes.tsv").write_text(MONARCH_NODES, "utf-8")
    (tmp_path / "edges.tsv").write_text(MONARCH_EDGES, "utf-8")
    theirs = (_read(tmp_path / "nodes.tsv"), _read(tmp_path / "edges.tsv"))
    merged = _merge(kgx, theirs)
    ours_ids, their_ids = {n["id"] for n in kgx[0]}, {n["id"] for n in theirs[0]}
    joined = ours_ids & their_ids
    assert {"MONDO:0010030", "MONDO:0007915"} <= joined and "MONDO:0005015" not in joined
    assert merged.number_of_nodes() == len(ours_ids | their_ids)
    for node in sorted(n for n in joined if n.startswith("MONDO:")):  # the diseases both graphs describe
        sources = {d["primary_knowledge_source"] for _, _, d in merged.in_edges(node, data=True)}
        sources |= {d["primary_knowledge_source"] for _, _, d in merged.out_edges(node, data=True)}
        assert sources == {"infores:mscgraph", "infores:synthetic-monarch-test"}, node
        assert merged.nodes[node]["provided_by"] == ["infores:mscgraph", "infores:synthetic-monarch-test"]
    # from the synthetic gene, through the joined disease, to the mechanisms MSC therapy acts on in SS
    reachable = nx.descendants(merged, "HGNC:11892")
    assert "CL:0000899" in reachable  # Th17, one of SS's mechanisms in the review
