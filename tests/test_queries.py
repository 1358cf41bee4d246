"""Every public named query, run on the embedded engine, checked against what the review says."""

from __future__ import annotations

import pytest
from conftest import comparable

import mscgraph
from mscgraph.model.errors import UsageError
from mscgraph.query import library as queries
from mscgraph.query.text import without_lateral

PUBLIC = sorted(n for n, q in queries.catalog().items() if not q.internal)


def test_every_named_query_has_a_header() -> None:
    for name in PUBLIC:
        query = queries.get(name)
        assert query.title and query.title != name, name
        assert len(query.description) > 40, name
        for param in query.params:
            assert param.description, (name, param.name)


@pytest.mark.parametrize("name", PUBLIC)
def test_every_named_query_runs_and_answers(kg: mscgraph.KnowledgeGraph, name: str) -> None:
    """Each query runs with example parameters and answers with rows."""
    examples = {"disease": "SS", "disease_a": "SS", "disease_b": "SLE", "mechanism": "Th17", "entity": "SS"}
    query = queries.get(name)
    params = {p.name: examples[p.name] for p in query.params if not p.optional}
    result = kg.run(name, params)
    assert result.kind == "select" and result.rows, name


def test_mechanisms_for_disease_ss_th17(kg: mscgraph.KnowledgeGraph) -> None:
    rows = [r for r in kg.rows("mechanisms-for-disease", {"disease": "SS"}) if r["mechanism_abbr"] == "Th17"]
    assert {r["direction"] for r in rows} == {"decreased"}
    assert any("Xu 2012 [34]" in r["studies"] for r in rows)
    assert any("Th17" in r["sentence_en"] and "Th17" in r["sentence_zh"] for r in rows)


def test_diseases_for_mechanism_th17_includes_ss(kg: mscgraph.KnowledgeGraph) -> None:
    rows = kg.rows("diseases-for-mechanism", {"mechanism": "Th17"})
    assert any(r["disease_abbr"] == "SS" and "34" in r["references"] for r in rows)


def test_evidence_ss_th17_cites_xu_2012(kg: mscgraph.KnowledgeGraph) -> None:
    rows = kg.rows("evidence", {"disease": "SS", "mechanism": "Th17"})
    assert any(r["first_author"] == "Xu" and r["reference"] == 34 and r["cohort_size"] == 24 for r in rows)


def test_studies_for_disease_ss(kg: mscgraph.KnowledgeGraph) -> None:
    rows = kg.rows("studies-for-disease", {"disease": "SS"})
    xu = next(r for r in rows if r["reference"] == 34)
    assert xu["cohort_size"] == 24 and "umbilical cord" in xu["msc_source"]


def test_shared_mechanisms_ss_sle_treg(kg: mscgraph.KnowledgeGraph) -> None:
    """Treg: MSC therapy promotes it in SS (Xu 2012); in active SLE Treg is deficient (a disease trait)."""
    rows = kg.rows("shared-mechanisms", {"disease_a": "SS", "disease_b": "SLE"})
    assert all(r["disease_a"] == "mscd:SS" and r["disease_b"] == "mscd:SLE" for r in rows)
    treg = [r for r in rows if r["mechanism"] == "mscd:Treg"]
    assert any(r["direction_a"] == "increased" and r["role_a"] == "MSC therapy effect" for r in treg)
    assert any(r["direction_b"] == "decreased" and r["role_b"] == "disease characteristic" for r in treg)
    # the review names Th17 only in its SS section (Xu 2012; Yao 2019 in NOD mice), so it is not shared
    assert "mscd:Th17" not in {r["mechanism"] for r in rows}


def test_shared_mechanisms_is_symmetric(kg: mscgraph.KnowledgeGraph) -> None:
    ab = {r["mechanism"] for r in kg.rows("shared-mechanisms", {"disease_a": "SS", "disease_b": "SLE"})}
    ba = {r["mechanism"] for r in kg.rows("shared-mechanisms", {"disease_a": "SLE", "disease_b": "SS"})}
    assert ab == ba and "mscd:Treg" in ab


def test_shared_mechanisms_all_pairs_contains_each_pair_once(kg: mscgraph.KnowledgeGraph) -> None:
    rows = kg.rows("shared-mechanisms-all-pairs")
    pairs = {(r["disease_a"], r["disease_b"]) for r in rows}
    assert not any((b, a) in pairs for a, b in pairs)
    pair = {("mscd:SLE", "mscd:SS"), ("mscd:SS", "mscd:SLE")} & pairs
    assert pair, "SS and SLE share Treg"
    assert any(r["mechanism"] == "mscd:Treg" and (r["disease_a"], r["disease_b"]) in pair for r in rows)


def test_studies_by_source(kg: mscgraph.KnowledgeGraph) -> None:
    uc = kg.rows("studies-by-source", {"source": "umbilical cord"})
    assert {r["source"] for r in uc} == {"msc:UmbilicalCord"}
    assert any(r["reference"] == 34 and "Sjögren syndrome" in r["diseases"] for r in uc)  # Xu 2012: UC-MSCs
    adipose = kg.rows("studies-by-source", {"source": "adipose tissue"})
    assert any(r["reference"] == 17 for r in adipose)  # Alvaro-Gracia 2017: adipose-derived MSCs in RA
    everything = kg.rows("studies-by-source")
    assert {r["source"] for r in everything} >= {"msc:UmbilicalCord", "msc:BoneMarrow", "msc:AdiposeTissue"}


def test_evidence_by_type_th17_clinical_and_animal(kg: mscgraph.KnowledgeGraph) -> None:
    """Th17: clinical (Xu 2012, patients) and animal (Yao 2019, NOD mice) evidence."""
    rows = kg.rows("evidence-by-type")
    th17 = {r["evidence_label"]: r["findings"] for r in rows if r["mechanism"] == "mscd:Th17"}
    assert th17.get("clinical", 0) >= 1 and th17.get("animal", 0) >= 1


def test_adverse_events_ss_none(kg: mscgraph.KnowledgeGraph) -> None:
    rows = kg.rows("adverse-events", {"disease": "SS"})
    assert any(r["reference"] == 34 and r["event_count"] == 0 for r in rows)  # no related side effects
    assert {r["disease"] for r in rows} == {"mscd:SS"}


def test_adverse_events_of_a_multi_disease_paper_stay_with_their_disease(kg: mscgraph.KnowledgeGraph) -> None:
    """Liang 2018 (ref 28): 14 SLE deaths are SLE events, not PM/DM or SSc ones."""
    sle = kg.rows("adverse-events", {"disease": "SLE"})
    assert any(r["reference"] == 28 and r["event_count"] == 14 for r in sle)
    for other in ("PM/DM", "SSc"):
        rows = kg.rows("adverse-events", {"disease": other})
        assert not any("SLE" in r["adverse_event_label"] for r in rows)


def test_dose_ranges_sle_includes_one_million_per_kg(kg: mscgraph.KnowledgeGraph) -> None:
    rows = kg.rows("dose-ranges", {"disease": "SLE"})
    per_kg = next(r for r in rows if r["unit"] == "cells/kg")
    assert per_kg["min_dose"] <= 1e6 <= per_kg["max_dose"]


def test_dose_ranges_ssc_and_ra(kg: mscgraph.KnowledgeGraph) -> None:
    """SSc: (0.2-1.8)x10^6/kg (Keyszer 2011); RA: 1, 2, 4 x10^6/kg (ref 17), up to 1x10^8 per infusion."""
    ssc = {r["unit"]: r for r in kg.rows("dose-ranges", {"disease": "SSc"})}
    assert ssc["cells/kg"]["min_dose"] <= 0.2e6 and ssc["cells/kg"]["max_dose"] >= 1.8e6
    ra = {r["unit"]: r for r in kg.rows("dose-ranges", {"disease": "RA"})}
    assert ra["cells/kg"]["max_dose"] >= 4e6
    assert ra["cells/infusion"]["max_dose"] >= 1e8


def test_discrepancies_include_ref35_species(kg: mscgraph.KnowledgeGraph) -> None:
    rows = kg.rows("discrepancies")
    ref35 = [r for r in rows if r["reference"] == 35]
    assert any(r["kind"] == "species" and "NOD" in r["review_says"] for r in ref35)
    assert kg.rows("discrepancies", {"kind": "species"}) and all(
        r["kind"] == "species" for r in kg.rows("discrepancies", {"kind": "species"})
    )
    assert {r["reference"] for r in kg.rows("discrepancies", {"reference": "35"})} == {35}


def test_unknown_and_missing_parameters_list_what_exists(kg: mscgraph.KnowledgeGraph) -> None:
    with pytest.raises(UsageError, match=r"needs parameter 'disease_b'.*disease_a \(disease\)"):
        kg.run("shared-mechanisms", {"disease_a": "SS"})
    with pytest.raises(UsageError, match="no parameter 'colour'"):
        kg.run("dose-ranges", {"colour": "red"})
    with pytest.raises(UsageError, match=r"no named query 'nope'; available: .*shared-mechanisms"):
        kg.run("nope")


def test_without_lateral_rewrites_both_idioms_and_nothing_else() -> None:
    query = (
        "SELECT * { ?a <urn:p> ?b . LATERAL { ?a <urn:q> ?c }\n"
        '  LATERAL { OPTIONAL { ?b <urn:r> "LATERAL { x }" } }  # LATERAL in a comment\n'
        "  LATERAL { OPTIONAL { ?b <urn:s> ?d } ?b <urn:t> ?e }\n}"
    )
    lowered = without_lateral(query)
    assert len(lowered) == len(query)  # blanked, not removed: error offsets stay true
    assert " ".join(lowered.split()) == (
        'SELECT * { ?a <urn:p> ?b . { ?a <urn:q> ?c } OPTIONAL { ?b <urn:r> "LATERAL { x }" } '
        "# LATERAL in a comment { OPTIONAL { ?b <urn:s> ?d } ?b <urn:t> ?e } }"
    )


LATERAL_QUERIES = sorted(n for n, q in queries.catalog().items() if "LATERAL" in q.text)
EXAMPLES = {"disease": "SS", "mechanism": "Th17", "entity": "mscd:SS", "target": "MONDO:0010030"}


def test_the_lookups_use_lateral() -> None:
    lookups = {"mechanisms-for-disease", "diseases-for-mechanism", "studies-for-disease", "evidence"}
    assert lookups <= set(LATERAL_QUERIES)


@pytest.mark.parametrize("name", LATERAL_QUERIES)
def test_lateral_is_only_a_plan_hint(kg: mscgraph.KnowledgeGraph, name: str) -> None:
    """Without LATERAL (the form SPARQL 1.1 endpoints get) every query gives the same rows."""
    query = queries.get(name)
    bindings = {p.name: kg.bind(p, EXAMPLES[p.name]) for p in query.params if not p.optional}
    with_lateral = kg.engine.run(query.text, bindings)
    joined = kg.engine.run(without_lateral(query.text), bindings)
    assert with_lateral.rows, name
    assert comparable(with_lateral, query.text) == comparable(joined, query.text), name


PORTABLE = sorted(n for n, q in queries.catalog().items() if q.portable)


@pytest.mark.parametrize("name", PORTABLE)
@pytest.mark.parametrize("params", [{}, {"subject": "SS"}, {"subject": "MSC"}, {"mechanism": "Treg"}])
def test_the_sparql11_form_gives_the_same_rows(kg: mscgraph.KnowledgeGraph, name: str, params: dict) -> None:
    """A query kept in a flat form for SPARQL 1.1 endpoints (queries/sparql11/) answers like its plan-hinted
    original, here on the embedded engine, on the real data."""
    query = queries.get(name)
    bindings = {p.name: kg.bind(p, params[p.name]) for p in query.params if p.name in params}
    hinted, portable = kg.engine.run(query.text, bindings), kg.engine.run(query.portable or "", bindings)
    assert hinted.rows and comparable(hinted, query.text) == comparable(portable, query.text), name


def test_link_summary_has_a_sparql11_form() -> None:
    assert "link-summary" in PORTABLE
