"""mscgraph's SHACL (the shapes compiled to SPARQL on Oxigraph) against pySHACL, the reference.

Both run the real ontology/shapes.ttl on the real data, then on a copy with faults planted for
every constraint component the shapes use: they must report the same results (focus node, path,
value, constraint component, message), and none on the real data.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
import rdflib
from rdflib.namespace import RDF, SH

from mscgraph.model import resources
from mscgraph.store.index import Sources
from mscgraph.validate.shacl import Shapes, ShapesError, as_written

REPO = Path(__file__).resolve().parents[1]
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

# One or more faults per constraint component of shapes.ttl, each on top of the real data.
FAULTS = """
# sh:qualifiedMinCount (no Chinese label), sh:maxCount (two abbreviations)
mscd:outcome-ref34-symptoms msc:abbreviation "S1" , "S2" .
mscd:outcome-test a msc:Outcome ; rdfs:label "test outcome"@en ; msc:hasDirection msc:Improved .
mscd:study-ref34 msc:hasOutcome mscd:outcome-test .

# sh:minCount (no mechanism), sh:class (a disease as study), sh:languageIn, sh:uniqueLang,
# sh:xone (disease and cells)
mscd:finding-test a msc:Finding ;
    rdfs:label "test finding"@en , "测试"@zh ;
    msc:inDisease mscd:SS ; msc:aboutCells mscd:MSC ;
    msc:hasDirection msc:Decreased ; msc:hasRole msc:MSCProperty ;
    msc:supportedBy mscd:SS ; msc:hasEvidenceType msc:ClinicalEvidence ; msc:hasOrganism msc:Human ;
    msc:inSection mscd:section-3 ; msc:withTreatment "test"@fr ;
    msc:sourceSentence "测试一。"@zh , "测试二。"@zh .

# sh:or with sh:not and sh:in (a combined-therapy effect without its treatment)
mscd:finding-test2 a msc:Finding ;
    rdfs:label "test finding 2"@en , "测试2"@zh ;
    msc:inDisease mscd:SS ; msc:aboutMechanism mscd:Th17 ;
    msc:hasDirection msc:Decreased ; msc:hasRole msc:CombinedTherapyEffect ;
    msc:supportedBy mscd:study-ref34 ; msc:hasEvidenceType msc:ClinicalEvidence ; msc:hasOrganism msc:Human ;
    msc:inSection mscd:section-3 ;
    msc:sourceSentence "测试句子。"@zh , "A test sentence."@en .

# sh:or with sh:and and sh:hasValue (an MSC property about a disease, not about MSCs)
mscd:finding-test3 a msc:Finding ;
    rdfs:label "test finding 3"@en , "测试3"@zh ;
    msc:inDisease mscd:SS ; msc:aboutMechanism mscd:Th17 ;
    msc:hasDirection msc:Decreased ; msc:hasRole msc:MSCProperty ;
    msc:supportedBy mscd:study-ref34 ; msc:hasEvidenceType msc:ClinicalEvidence ; msc:hasOrganism msc:Human ;
    msc:inSection mscd:section-3 ;
    msc:sourceSentence "测试句子。"@zh , "A test sentence."@en .

# sh:datatype (a number as phase), sh:or with sh:class (no section), qualified shapes inside sh:or
mscd:study-test a msc:ClinicalStudy ;
    rdfs:label "test study"@en , "测试研究"@zh ;
    msc:reportedIn mscd:ref-34 ; msc:phase 2 ;
    msc:sourceSentence "测试句子。"@zh .

# sh:minInclusive and sh:or of datatypes (cohort sizes), sh:in (discrepancy kind)
mscd:cohort-ref34-SS msc:cohortSize 0 .
mscd:cohort-test a msc:Cohort ; rdfs:label "test cohort"@en , "测试队列"@zh ;
    msc:inDisease mscd:SS ; msc:cohortSize "many" .
mscd:study-ref34 msc:hasCohort mscd:cohort-test .
mscd:discrepancy-test a msc:Discrepancy ; rdfs:label "test"@en , "测试"@zh ;
    msc:discrepancyKind "weird" ; msc:reviewSays "a"@en ; msc:referenceSays "b"@en ;
    msc:concernsReference mscd:ref-34 .

# sh:minExclusive, sh:lessThanOrEquals (doses)
mscd:intervention-test a msc:Intervention ; rdfs:label "test"@en , "测试"@zh ;
    msc:doseMinPerKg -1.0E6 ; msc:doseMinPerInfusion 3.0E8 ; msc:doseMaxPerInfusion 2.0E8 .
mscd:study-ref34 msc:hasIntervention mscd:intervention-test .

# sh:or with sh:inversePath (a cited publication without reference number)
mscd:ref-test a msc:Publication ; rdfs:label "test"@en , "测试"@zh ;
    msc:firstAuthor "Test" ; msc:year "2020"^^xsd:gYear .
mscd:finding-SS-Th17-ref34 msc:citesReference mscd:ref-test .
"""


def _key(term: object) -> str:
    """A term as rdflib writes it (literals in rdflib's normal form, as pySHACL reports them), from
    rdflib or pyoxigraph; blank nodes (complex paths) as ``[]``."""
    if term is None:
        return "-"
    if isinstance(term, rdflib.BNode | ox.BlankNode):
        return "[]"
    if isinstance(term, ox.NamedNode):
        term = rdflib.URIRef(term.value)
    elif isinstance(term, ox.Literal):
        plain = term.language or term.datatype.value == XSD_STRING
        term = rdflib.Literal(term.value, lang=term.language, datatype=None if plain else term.datatype.value)
    assert isinstance(term, rdflib.URIRef | rdflib.Literal)
    return term.n3()


def ours(folder: Path) -> set[tuple[str, ...]]:
    files = Sources.resolve([folder]).files
    store = ox.Store()
    triples = [t for f in files for t in ox.parse(path=str(f), format=ox.RdfFormat.TURTLE)]
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    found = as_written(Shapes(resources.shapes_file()).validate(store), triples)
    return {(_key(v.focus), _key(v.path), _key(v.value), v.component, v.message) for v in found}


def reference(folder: Path) -> set[tuple[str, ...]]:
    data = rdflib.Graph()
    for f in Sources.resolve([folder]).files:
        if f.resolve() != resources.ontology_file().resolve():
            data.parse(f, format="turtle")
    _, report, _ = pyshacl.validate(
        data,
        shacl_graph=rdflib.Graph().parse(resources.shapes_file()),
        ont_graph=rdflib.Graph().parse(resources.ontology_file()),
        inference="none",
        allow_warnings=True,
        allow_infos=True,
    )
    found = set()
    for r in report.subjects(RDF.type, SH.ValidationResult):
        component = str(report.value(r, SH.sourceConstraintComponent)).rsplit("#", 1)[-1]
        message = sorted(str(m) for m in report.objects(r, SH.resultMessage))[0]
        terms = (report.value(r, p) for p in (SH.focusNode, SH.resultPath, SH.value))
        found.add((*map(_key, terms), component, message))
    return found


def components_used() -> set[str]:
    """The constraint components of the targeted shapes and their property shapes (those nested in
    sh:or, sh:and, sh:not and sh:xone are reported as the sh:or... that holds them)."""
    shapes = rdflib.Graph().parse(resources.shapes_file())
    targeted = set(shapes.subjects(SH.targetClass, None))
    top = targeted | {p for s in targeted for p in shapes.objects(s, SH.property)}
    not_constraints = {"path", "message", "targetClass", "property", "qualifiedMinCount"}
    params = {str(p).rsplit("#", 1)[-1] for s in top for p in shapes.predicates(s) if p.startswith(SH)}
    params = {"qualifiedMinCount" if p == "qualifiedValueShape" else p for p in params - not_constraints}
    return {p[0].upper() + p[1:] + "ConstraintComponent" for p in params}


def test_both_find_nothing_in_the_real_data() -> None:
    assert ours(REPO / "data") == set()
    assert reference(REPO / "data") == set()


def test_both_find_the_same_planted_faults(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    shutil.copytree(REPO / "data", folder)
    with (folder / "ss.ttl").open("a", encoding="utf-8") as out:
        out.write("\n" + FAULTS)
    expected = reference(folder)
    found = ours(folder)
    assert found == expected, f"only ours: {found - expected}\nonly pySHACL: {expected - found}"
    reported = {component for _, _, _, component, _ in found}
    assert components_used() <= reported, components_used() - reported


def test_a_construct_the_compiler_lacks_is_named(tmp_path: Path) -> None:
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        '<urn:S> sh:targetClass <urn:C> ; sh:property [ sh:path <urn:p> ; sh:pattern "^a" ] .\n',
        "utf-8",
    )
    with pytest.raises(ShapesError, match="sh:pattern"):
        Shapes(shapes)
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n<urn:S> sh:targetNode <urn:x> .\n", "utf-8"
    )
    with pytest.raises(ShapesError, match="sh:targetNode"):
        Shapes(shapes)
