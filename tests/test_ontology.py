"""The ontology as OWL: consistent in a reasoner (HermiT, via owlready2 and Debian's Java), parsed
alike by an independent Turtle parser (raptor's `rapper`), and documented term by term."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import owlready2
import pytest
import rdflib
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from mscgraph.model import resources
from mscgraph.store.index import Sources

MSC = "https://w3id.org/mscgraph/ontology/"
ONTOLOGY_IRI = rdflib.URIRef("https://w3id.org/mscgraph/ontology")

# The OWL 2 datatype map (https://www.w3.org/TR/owl2-syntax/#Datatype_Maps) plus rdf:langString,
# which HermiT accepts. xsd:gYear (msc:year, as FaBiO and BIBO use it) is outside the map: HermiT
# is run with --ignoreUnsupportedDatatypes, and test_only_known_datatypes keeps it the only one.
XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_OWL2 = """decimal integer nonNegativeInteger nonPositiveInteger positiveInteger negativeInteger long int
    short byte unsignedLong unsignedInt unsignedShort unsignedByte double float string normalizedString
    token language Name NCName NMTOKEN boolean hexBinary base64Binary anyURI dateTime dateTimeStamp"""
OWL2_DATATYPES = {
    str(RDF.PlainLiteral),
    str(RDF.XMLLiteral),
    str(RDF.langString),
    str(RDFS.Literal),
    str(OWL.real),
    str(OWL.rational),
    *(XSD + name for name in XSD_OWL2.split()),
}
TOLERATED = {XSD + "gYear"}


def _turtle_files() -> list[Path]:
    return [*Sources.resolve(None).files, resources.shapes_file()]


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(resources.ontology_file(), format="turtle")


@pytest.fixture(scope="module")
def everything() -> rdflib.Graph:
    """The ontology and all packaged data in one graph."""
    graph = rdflib.Graph()
    for path in Sources.resolve(None).files:
        graph.parse(path, format="turtle")
    return graph


def _hermit(graph: rdflib.Graph, folder: Path) -> owlready2.World:
    """Run HermiT on ``graph``; raises OwlReadyInconsistentOntologyError when inconsistent."""
    path = folder / "kb.nt"
    graph.serialize(path, format="nt", encoding="utf-8")
    world = owlready2.World()
    onto = world.get_ontology(path.as_uri()).load()
    with onto:
        owlready2.sync_reasoner_hermit(
            world, infer_property_values=False, debug=0, ignore_unsupported_datatypes=True
        )
    return world


# --- OWL reasoning -------------------------------------------------------------------------------


@pytest.mark.java
def test_hermit_finds_ontology_and_data_consistent(everything: rdflib.Graph, tmp_path: Path) -> None:
    world = _hermit(everything, tmp_path)
    assert list(world.inconsistent_classes()) == []
    # the reasoner did see the data: Xu 2012 is a clinical study, hence a study
    study = world.search_one(iri="https://w3id.org/mscgraph/data/study-ref34")
    assert {c.name for c in study.is_a} >= {"ClinicalStudy"}
    assert "Study" in {c.name for c in study.INDIRECT_is_a}


@pytest.mark.java
def test_hermit_detects_an_inconsistency(everything: rdflib.Graph, tmp_path: Path) -> None:
    """The negative control: a study both clinical and animal breaks the ontology's disjointness."""
    graph = rdflib.Graph() + everything
    bad = rdflib.URIRef("https://w3id.org/mscgraph/data/study-test")
    graph.add((bad, RDF.type, rdflib.URIRef(MSC + "ClinicalStudy")))
    graph.add((bad, RDF.type, rdflib.URIRef(MSC + "AnimalStudy")))
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        _hermit(graph, tmp_path)


def test_only_known_datatypes(everything: rdflib.Graph) -> None:
    """HermiT ignores datatypes outside the OWL 2 map; keep that to the one we know (xsd:gYear)."""
    used = {str(o.datatype) for o in everything.objects() if isinstance(o, rdflib.Literal) and o.datatype}
    used |= {str(o) for o in everything.objects(None, RDFS.range) if str(o).startswith(XSD)}
    assert used - OWL2_DATATYPES <= TOLERATED


# --- an independent parser -------------------------------------------------------------------------


@pytest.mark.parametrize("path", _turtle_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_rapper_parses_like_rdflib(path: Path) -> None:
    run = subprocess.run(
        ["rapper", "-i", "turtle", "-o", "ntriples", str(path)], capture_output=True, check=True
    )
    count = int(re.search(r"returned (\d+) triple", run.stderr.decode()).group(1))
    ours = rdflib.Graph().parse(path, format="turtle")
    theirs = rdflib.Graph().parse(data=run.stdout.decode("utf-8"), format="nt")
    assert count == len(ours)  # also: no statement written twice
    assert isomorphic(ours, theirs)


# --- documentation of every term -----------------------------------------------------------------


def _terms(ontology: rdflib.Graph) -> list[rdflib.URIRef]:
    """Every class and property the ontology declares, and its own annotation properties and individuals."""
    terms = set()
    for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty):
        terms |= {s for s in ontology.subjects(RDF.type, kind) if isinstance(s, rdflib.URIRef)}
    for kind in (OWL.AnnotationProperty, OWL.NamedIndividual):
        terms |= {s for s in ontology.subjects(RDF.type, kind) if str(s).startswith(MSC)}
    return sorted(terms)


def test_every_term_has_english_and_chinese_label_and_definition(ontology: rdflib.Graph) -> None:
    terms = _terms(ontology)
    assert rdflib.URIRef(MSC + "Finding") in terms and rdflib.URIRef(MSC + "cohortSize") in terms
    missing = []
    for term in terms:
        languages = {label.language for label in ontology.objects(term, RDFS.label)}
        for lang in ("en", "zh"):
            if lang not in languages:
                missing.append(f"{term}: no @{lang} label")
        if not any(ontology.objects(term, SKOS.definition)) and not any(ontology.objects(term, RDFS.comment)):
            missing.append(f"{term}: no definition")
    assert missing == []


def test_required_classes_exist(ontology: rdflib.Graph) -> None:
    classes = {str(s)[len(MSC) :] for s in ontology.subjects(RDF.type, OWL.Class) if str(s).startswith(MSC)}
    assert {
        "Disease",
        "ImmuneMechanism",
        "CellPopulation",
        "CytokineSignalling",
        "ChemokineAxis",
        "Study",
        "ClinicalStudy",
        "AnimalStudy",
        "InVitroStudy",
        "Publication",
        "MSCProduct",
        "Intervention",
        "Outcome",
        "AdverseEvent",
        "Finding",
    } <= classes


def test_version_iri(ontology: rdflib.Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology
    version_iri = ontology.value(ONTOLOGY_IRI, OWL.versionIRI)
    version = ontology.value(ONTOLOGY_IRI, OWL.versionInfo)
    assert isinstance(version_iri, rdflib.URIRef)
    assert version and str(version_iri) == f"{ONTOLOGY_IRI}/{version}"
