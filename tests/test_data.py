"""The curated data says what the review says: per disease, the mechanisms and studies a reader of
the review would list, all 47 references, the discrepancies, and every quote traceable to the source.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import rdflib

from mscgraph.namespaces import MSC

SOURCE = Path(__file__).resolve().parents[2] / "shared" / "sources" / "000_200c53604e6c2a8a.txt"
M = rdflib.Namespace(MSC)


def findings(kg, disease: str) -> set[tuple[str, str, str, str, str]]:
    """(mechanism, direction, role, evidence, references) of every finding on ``disease``."""
    return {
        (r["mechanism"], r["direction"], r["role"], r["evidence"], r["references"] or "")
        for r in kg.mechanisms(disease)
    }


def cohorts(kg, disease: str) -> dict[int, int | None]:
    """Reference number -> this disease's cohort size, for every study of the disease with a reference."""
    return {r["reference"]: r["cohort_size"] for r in kg.studies(disease) if r["reference"] is not None}


# --- per disease ------------------------------------------------------------------------------


def test_ra(kg):
    found = findings(kg, "rheumatoid arthritis")
    assert ("BAFF/APRIL", "decreased", "MSC therapy effect", "clinical", "19") in found
    assert ("B cell", "decreased", "MSC therapy effect", "clinical", "19") in found
    assert any(f[0] == "osteoclast formation" and f[2] == "disease characteristic" for f in found)
    assert {13: 4, 14: 9, 15: 17, 16: 136, 17: 46, 18: 9}.items() <= cohorts(kg, "RA").items()
    studies = {r["reference"]: r for r in kg.studies("RA")}
    assert studies[17]["msc_source"] == "adipose tissue" and studies[17]["donor_type"] == "allogeneic"
    assert studies[14]["donor_type"] == "autologous" and studies[14]["msc_source"] == "bone marrow"


def test_sle(kg):
    found = findings(kg, "系统性红斑狼疮")
    assert ("Treg", "increased", "MSC therapy effect", "clinical", "23") in found  # Sun 2010
    assert ("Treg", "decreased", "disease characteristic", "author statement", "29") in found  # active SLE
    assert ("TGF-β", "increased", "MSC therapy effect", "author statement", "32") in found
    assert {23: 16, 24: 87, 25: 40, 27: 9, 28: 178}.items() <= cohorts(kg, "SLE").items()
    assert {20, 21, 22, 26, 29, 30, 31, 32} <= set(cohorts(kg, "SLE"))


def test_ss(kg):
    found = findings(kg, "Sjögren")
    assert ("Th17", "decreased", "MSC therapy effect", "clinical", "34") in found
    assert ("Th17", "decreased", "MSC therapy effect", "animal", "36") in found
    assert ("CD4-positive T cell", "decreased", "MSC therapy effect", "animal", "35") in found
    assert cohorts(kg, "SS") == {33: None, 34: 24, 35: None, 36: None}


def test_pmdm(kg):
    found = findings(kg, "PM/DM")
    for mechanism, direction in [("Th1", "increased"), ("Th2", "decreased"), ("IFN-γ", "increased"),
                                 ("IL-4", "decreased")]:  # fmt: skip
        assert (mechanism, direction, "MSC therapy effect", "clinical", "38") in found
    assert cohorts(kg, "dermatomyositis") == cohorts(kg, "PM") == {28: 32, 37: None, 38: None, 39: None}


def test_ssc(kg):
    found = findings(kg, "SSc")
    assert ("autoantibodies", "decreased", "MSC therapy effect", "clinical", "46") in found
    assert any(f[:4] == ("TGF-β", "increased", "disease characteristic", "in vitro") for f in found)
    assert any(f[:4] == ("VEGF", "increased", "disease characteristic", "in vitro") for f in found)
    assert {28: 39, 44: 5, 45: 2, 46: 14}.items() <= cohorts(kg, "systemic sclerosis").items()


def test_ref28_is_one_study_with_three_cohorts(kg):
    sizes = {
        d: next(r["cohort_size"] for r in kg.studies(d) if r["reference"] == 28)
        for d in ("SLE", "PMDM", "SSc")
    }
    assert sizes == {"SLE": 178, "PMDM": 32, "SSc": 39}
    assert (
        len({r["study"] for d in ("SLE", "PMDM", "SSc") for r in kg.studies(d) if r["reference"] == 28}) == 1
    )


def test_general_claims_are_msc_properties(kg):
    found = findings(kg, "autoimmune disease")
    assert {f[2] for f in found} == {"general MSC property"}
    assert {"MHC I", "MHC II", "T cell", "B cell", "NK", "DC"} <= {f[0] for f in found}


# --- publications and provenance --------------------------------------------------------------------


@pytest.fixture(scope="module")
def graph(kg) -> rdflib.Graph:
    return kg.rdflib_graph


def test_all_47_references_are_publications_cited_by_the_review(graph):
    numbers = {int(n) for n in graph.objects(None, M.referenceNumber)}
    assert numbers == set(range(1, 48))
    review = rdflib.URIRef("https://w3id.org/mscgraph/data/review")
    cited = {int(graph.value(p, M.referenceNumber)) for p in graph.objects(review, M.citesReference)}
    assert cited == numbers
    for pub in graph.subjects(M.referenceNumber, None):
        assert graph.value(pub, M.firstAuthor) and graph.value(pub, M.year) and graph.value(pub, M.journal)
    assert str(graph.value(review, rdflib.URIRef("http://purl.org/ontology/bibo/doi"))) == (
        "10.13753/j.issn.1007-6611.2022.02.020"
    )


def test_every_reference_is_the_publication_of_a_study(graph):
    """Each of the 47 references is cited for something the review describes: a study of the graph."""
    described = {int(graph.value(p, M.referenceNumber)) for p in graph.objects(None, M.reportedIn)
                 if graph.value(p, M.referenceNumber) is not None}  # fmt: skip
    assert described == set(range(1, 48))


def test_every_study_cites_a_publication(graph):
    for study in set(graph.subjects(M.reportedIn, None)) | set(
        graph.subjects(rdflib.RDF.type, M.ClinicalStudy)
    ):
        pub = graph.value(study, M.reportedIn)
        assert pub is not None and (pub, rdflib.RDF.type, None) in graph, study


@pytest.mark.parametrize(
    "ref,kind",
    [(18, "cell-source"), (27, "cell-source"), (38, "cell-source"), (35, "species"), (20, "author-spelling"),
     (14, "terminology"), (30, "citation-number"), (37, "author-list")],
)  # fmt: skip
def test_known_discrepancies_are_recorded_not_resolved(kg, ref, kind):
    rows = kg.rows("discrepancies")
    match = [r for r in rows if r["reference"] == ref and r["kind"] == kind]
    assert match, f"no {kind} discrepancy for ref {ref}"
    assert all(r["review_says"] and r["reference_says"] for r in match)


def _markup_free(text: str) -> str:
    """The source with its LaTeX/superscript markup simplified the way docs/curation.md rule 2 allows."""
    text = text.replace(r"\times", "×").replace(r"\sim", "~").replace("⁺", "+")
    text = re.sub(r"\\text\{([^}]*)\}", r"\1", text)
    text = re.sub(r"[\s$^{}*]", "", text)
    return text.translate(str.maketrans("（），；：", "(),;:"))


def test_every_chinese_quote_is_verbatim_from_the_review(graph):
    source = _markup_free(SOURCE.read_text("utf-8"))
    quotes = [(s, o) for s, o in graph.subject_objects(M.sourceSentence) if o.language == "zh"]
    assert len(quotes) > 100
    missing = [(s, str(o)) for s, o in quotes if _markup_free(str(o)) not in source]
    assert missing == []


def test_every_quote_has_an_english_rendering(graph):
    """A finding quotes one sentence; a study described in several places quotes each, every one in both."""
    for subject in set(graph.subjects(M.sourceSentence, None)):
        langs = [o.language for o in graph.objects(subject, M.sourceSentence)]
        assert langs.count("zh") == langs.count("en") >= 1 and set(langs) == {"en", "zh"}, subject
        if (subject, rdflib.RDF.type, M.Finding) in graph:
            assert len(langs) == 2, subject


def test_dois_are_printed_or_sourced(graph):
    """No invented identifiers: every DOI but the review's own carries a note of where it was read."""
    doi = rdflib.URIRef("http://purl.org/ontology/bibo/doi")
    for pub, value in graph.subject_objects(doi):
        assert re.fullmatch(r"10\.\d{4,9}/\S+", str(value)), value
        if pub != rdflib.URIRef("https://w3id.org/mscgraph/data/review"):
            assert "DOI" in " ".join(graph.objects(pub, rdflib.RDFS.comment)), pub
