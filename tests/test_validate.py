"""`mscgraph validate` and mscgraph.validate.checks.validate(): the shipped data is clean, bad data is
rejected with one precise message per problem (file, line, node, what is wrong).

Bad data is built by copying the real data/ to a temporary directory and adding or changing a
few statements in data/ss.ttl, so each test sees exactly one defect on top of the real graph.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS

from mscgraph.cli import main
from mscgraph.model import resources
from mscgraph.store.index import Sources
from mscgraph.validate.checks import Problem, Report, check_names, validate

MSC = rdflib.Namespace("https://w3id.org/mscgraph/ontology/")
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture()
def data_copy(tmp_path: Path) -> Path:
    """A private copy of the packaged data directory."""
    target = tmp_path / "data"
    shutil.copytree(REPO / "data", target)
    return target


def append(path: Path, turtle: str) -> int:
    """Add Turtle at the end of ``path`` (its prefixes apply); return the line where it starts."""
    text = path.read_text("utf-8")
    if not text.endswith("\n"):
        text += "\n"
    start = text.count("\n") + 2
    path.write_text(text + "\n" + turtle.strip() + "\n", "utf-8")
    return start


def problems_about(report: Report, focus: str) -> list[Problem]:
    return [p for p in report.problems if p.focus == focus]


def only_problem(report: Report, focus: str) -> Problem:
    found = problems_about(report, focus)
    assert len(found) == 1, "\n".join(map(str, report.problems))
    assert not report.ok
    return found[0]


# A complete, valid finding about SS and Th17 apart from what a test changes.
FINDING = """
mscd:finding-SS-Th17-test a msc:Finding ;
    rdfs:label "SS: test finding"@en , "干燥综合征:测试"@zh ;
    msc:inDisease mscd:SS ; msc:aboutMechanism mscd:Th17 ;
    msc:hasDirection msc:Decreased ; msc:hasRole msc:TherapyEffect ;
    msc:supportedBy {study} ; msc:hasEvidenceType msc:ClinicalEvidence ; msc:hasOrganism msc:Human ;
    msc:inSection mscd:section-3 ;
    msc:sourceSentence "测试句子。"@zh , "A test sentence."@en .
"""


BAD_LINE = "mscd:x a msc:Finding ;; ] ."


# --- the shipped data ----------------------------------------------------------------------------


def test_shipped_data_validates_clean() -> None:
    report = validate()
    assert report.problems == [], "\n".join(map(str, report.problems))
    assert report.ok
    assert len(report.files) == len(Sources.resolve(None).files)
    assert report.triples > 1000
    assert report.summary() == f"ok: {len(report.files)} files, {report.triples} triples, 0 problems"
    assert set(report.seconds) == {"parse", "integrity", "shacl"}


@pytest.mark.slow
def test_cli_clean_exit_0(runner) -> None:
    result = runner.invoke(main, ["validate"])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("ok: ")
    assert result.stderr.rstrip().endswith("triples, 0 problems")


@pytest.mark.slow
def test_copied_data_is_clean_too(data_copy: Path) -> None:
    """The baseline of every rejection test below: the copy alone has no problem."""
    assert validate([data_copy]).problems == []


# --- rejections ------------------------------------------------------------------------------


@pytest.mark.slow
def test_turtle_syntax_error_names_file_and_line(data_copy: Path) -> None:
    ss = data_copy / "ss.ttl"
    line = append(ss, 'mscd:broken a msc:Finding ;\n    rdfs:label "unterminated ;\n')
    report = validate([data_copy])
    assert not report.ok
    [problem] = report.problems
    assert problem.check == "syntax"
    assert problem.file is not None and problem.file.endswith("ss.ttl")
    assert problem.line in (line + 1, line + 2)  # the string opened on line+1 runs to the end
    assert "syntax error" in problem.message
    assert str(problem).startswith(f"{problem.file}:{problem.line}:")


@pytest.mark.slow
def test_syntax_error_column_is_reported(data_copy: Path) -> None:
    ss = data_copy / "ss.ttl"
    line = append(ss, BAD_LINE)
    [problem] = validate([data_copy]).problems
    assert (problem.line, problem.column) == (line, BAD_LINE.index("]") + 1)
    assert "] is not a valid subject" in problem.message


@pytest.mark.slow
def test_finding_whose_study_does_not_exist(data_copy: Path) -> None:
    line = append(data_copy / "ss.ttl", FINDING.replace("{study}", "mscd:study-ref999"))
    problem = only_problem(validate([data_copy]), "mscd:finding-SS-Th17-test")
    assert problem.message == "the finding's study mscd:study-ref999 does not exist"
    assert (Path(problem.file).name, problem.line) == ("ss.ttl", line)
    assert problem.path == "msc:supportedBy" and problem.value == "mscd:study-ref999"


@pytest.mark.slow
def test_finding_whose_study_is_not_a_study(data_copy: Path) -> None:
    append(data_copy / "ss.ttl", FINDING.replace("{study}", "mscd:SS"))
    problem = only_problem(validate([data_copy]), "mscd:finding-SS-Th17-test")
    assert problem.message == "the finding's study mscd:SS is not typed as one"


@pytest.mark.slow
def test_finding_without_mechanism(data_copy: Path) -> None:
    finding = FINDING.replace("{study}", "mscd:study-ref34").replace(" msc:aboutMechanism mscd:Th17 ;", "")
    append(data_copy / "ss.ttl", finding)
    problem = only_problem(validate([data_copy]), "mscd:finding-SS-Th17-test")
    assert problem.message == "a finding needs exactly one msc:aboutMechanism"
    assert problem.check == "shacl"


@pytest.mark.slow
def test_finding_must_state_its_species_if_only_as_not_stated(data_copy: Path) -> None:
    finding = FINDING.replace("{study}", "mscd:study-ref34").replace(" msc:hasOrganism msc:Human ;", "")
    append(data_copy / "ss.ttl", finding)
    problem = only_problem(validate([data_copy]), "mscd:finding-SS-Th17-test")
    assert problem.message.startswith("a finding needs exactly one msc:hasOrganism (msc:OrganismNotStated")


@pytest.mark.slow
def test_a_general_msc_property_is_about_mscs_not_a_disease(data_copy: Path) -> None:
    finding = FINDING.replace("{study}", "mscd:study-ref34").replace("msc:TherapyEffect", "msc:MSCProperty")
    append(data_copy / "ss.ttl", finding)
    problem = only_problem(validate([data_copy]), "mscd:finding-SS-Th17-test")
    assert "a general MSC property (msc:MSCProperty) is msc:aboutCells mscd:MSC" in problem.message


@pytest.mark.slow
def test_a_finding_is_about_a_disease_or_mscs_not_both(data_copy: Path) -> None:
    finding = FINDING.replace("{study}", "mscd:study-ref34").replace(
        "msc:inDisease mscd:SS ;", "msc:inDisease mscd:SS ; msc:aboutCells mscd:MSC ;"
    )
    append(data_copy / "ss.ttl", finding)
    messages = {p.message for p in validate([data_copy]).problems}
    assert (
        "a finding needs exactly one of msc:inDisease (a disease) or msc:aboutCells (a general MSC property)"
        in messages
    )


@pytest.mark.slow
def test_a_combined_regimen_effect_names_the_other_treatment(data_copy: Path) -> None:
    finding = FINDING.replace("{study}", "mscd:study-ref34").replace(
        "msc:TherapyEffect", "msc:CombinedTherapyEffect"
    )
    append(data_copy / "ss.ttl", finding)
    problem = only_problem(validate([data_copy]), "mscd:finding-SS-Th17-test")
    assert problem.message.startswith(
        "a combined-regimen effect or an effect of another treatment needs msc:withTreatment"
    )
    fixed = finding.replace(
        "msc:CombinedTherapyEffect ;", 'msc:CombinedTherapyEffect ; msc:withTreatment "plasmapheresis"@en ;'
    )
    (data_copy / "ss.ttl").write_text(
        (data_copy / "ss.ttl").read_text("utf-8").replace(finding, fixed), "utf-8"
    )
    assert validate([data_copy]).problems == []


@pytest.mark.slow
def test_finding_needs_one_sentence_per_language(data_copy: Path) -> None:
    finding = FINDING.replace("{study}", "mscd:study-ref34").replace(' , "A test sentence."@en', "")
    append(data_copy / "ss.ttl", finding)
    problem = only_problem(validate([data_copy]), "mscd:finding-SS-Th17-test")
    assert "one msc:sourceSentence in Chinese (@zh) and one in English (@en)" in problem.message


@pytest.mark.slow
def test_a_study_has_one_sentence_per_language(data_copy: Path) -> None:
    """Two Chinese sentences and two English ones would leave open which renders which."""
    second = 'msc:sourceSentence "第二个句子。"@zh , "A second sentence."@en'
    append(data_copy / "ss.ttl", f"mscd:study-ref34 {second} .")
    problem = only_problem(validate([data_copy]), "mscd:study-ref34")
    assert "one msc:sourceSentence per language" in problem.message


@pytest.mark.slow
def test_study_with_no_publication(data_copy: Path) -> None:
    line = append(
        data_copy / "ss.ttl",
        """
mscd:study-test a msc:ClinicalStudy ;
    rdfs:label "Test 2020: a study nobody published"@en , "测试 2020"@zh ;
    msc:inSection mscd:section-3 ;
    msc:sourceSentence "测试句子。"@zh , "A test sentence."@en .
""",
    )
    problem = only_problem(validate([data_copy]), "mscd:study-test")
    assert problem.message == "the study cites no publication (msc:reportedIn)"
    assert (Path(problem.file).name, problem.line) == ("ss.ttl", line)


@pytest.mark.slow
def test_study_citing_a_missing_publication(data_copy: Path) -> None:
    append(data_copy / "ss.ttl", "mscd:study-ref34 msc:reportedIn mscd:ref-999 .")
    problem = only_problem(validate([data_copy]), "mscd:study-ref34")
    assert problem.message == "the study's publication mscd:ref-999 does not exist"


@pytest.mark.slow
def test_missing_chinese_label(data_copy: Path) -> None:
    ss = data_copy / "ss.ttl"
    text = ss.read_text("utf-8")
    label = ', "干燥综合征:MSC治疗抑制Th17(Xu 2012)"@zh'
    assert label in text, "the worked example's Chinese label changed; update this test"
    ss.write_text(text.replace(label, ""), "utf-8")
    problem = only_problem(validate([data_copy]), "mscd:finding-SS-Th17-ref34")
    assert problem.message == 'has no Chinese label (rdfs:label "..."@zh)'
    assert Path(problem.file).name == "ss.ttl"
    assert text.splitlines()[problem.line - 1].startswith("mscd:finding-SS-Th17-ref34 ")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("size", "shown"),
    [
        ("0", '"0"^^xsd:integer'),
        ("-3", '"-3"^^xsd:integer'),
        ('"many"', '"many"'),
        ('"abc"^^xsd:integer', '"abc"^^xsd:integer'),
        ("2.5", '"2.5"^^xsd:decimal'),
    ],
)
def test_cohort_size_must_be_a_positive_integer(data_copy: Path, size: str, shown: str) -> None:
    append(
        data_copy / "ss.ttl",
        f"""
mscd:cohort-test-SS a msc:Cohort ;
    rdfs:label "test cohort"@en , "测试队列"@zh ;
    msc:inDisease mscd:SS ;
    msc:cohortSize {size} .
mscd:study-ref34 msc:hasCohort mscd:cohort-test-SS .
""",
    )
    problem = only_problem(validate([data_copy]), "mscd:cohort-test-SS")
    assert problem.message.startswith("msc:cohortSize must be a positive integer")
    assert problem.message.endswith(f"(got {shown})")
    assert problem.value == shown


@pytest.mark.slow
def test_cohort_size_accepts_positive_integers(data_copy: Path) -> None:
    append(
        data_copy / "ss.ttl",
        """
mscd:cohort-test-SS a msc:Cohort ;
    rdfs:label "test cohort"@en , "测试队列"@zh ;
    msc:inDisease mscd:SS ;
    msc:cohortSize 7 .
mscd:cohort-test2-SS a msc:Cohort ;
    rdfs:label "test cohort 2"@en , "测试队列2"@zh ;
    msc:inDisease mscd:SS ;
    msc:cohortSize "9"^^xsd:positiveInteger .
mscd:study-ref34 msc:hasCohort mscd:cohort-test-SS , mscd:cohort-test2-SS .
""",
    )
    assert validate([data_copy]).problems == []


@pytest.mark.slow
def test_orphan_node(data_copy: Path) -> None:
    append(data_copy / "ss.ttl", 'mscd:outcome-lost a msc:Outcome ; rdfs:label "lost"@en , "丢失"@zh .')
    problem = only_problem(validate([data_copy]), "mscd:outcome-lost")
    assert problem.message == "orphan outcome: nothing refers to mscd:outcome-lost"


@pytest.mark.slow
def test_misspelt_ontology_term(data_copy: Path) -> None:
    append(data_copy / "ss.ttl", "mscd:outcome-ref34-symptoms msc:hasDirektion msc:Improved .")
    problem = only_problem(validate([data_copy]), "mscd:outcome-ref34-symptoms")
    assert problem.message == "msc:hasDirektion is not a property of the ontology"


@pytest.mark.slow
def test_dose_must_be_positive_double(data_copy: Path) -> None:
    append(
        data_copy / "ss.ttl",
        """
mscd:intervention-test a msc:Intervention ;
    rdfs:label "test intervention"@en , "测试干预"@zh ;
    msc:doseMinPerKg -1.0E6 .
mscd:study-ref34 msc:hasIntervention mscd:intervention-test .
""",
    )
    problem = only_problem(validate([data_copy]), "mscd:intervention-test")
    assert problem.message.startswith("msc:doseMinPerKg must be one xsd:double > 0")


@pytest.mark.slow
def test_one_defect_one_message(data_copy: Path) -> None:
    """A missing study breaks a link, uses an undefined IRI and violates sh:class: reported once."""
    append(data_copy / "ss.ttl", FINDING.replace("{study}", "mscd:study-ref999"))
    report = validate([data_copy])
    assert len(report.problems) == 1
    assert report.problems[0].check == "finding-links"


# --- the CLI ---------------------------------------------------------------------------------


def test_cli_reports_each_problem_on_one_line_and_exits_1(runner, data_copy: Path) -> None:
    append(data_copy / "ss.ttl", FINDING.replace("{study}", "mscd:study-ref999"))
    append(data_copy / "ss.ttl", "mscd:study-ref34 msc:reportedIn mscd:ref-999 .")
    result = runner.invoke(main, ["validate", "--data", str(data_copy)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert all(": error: " in line and "ss.ttl:" in line for line in lines)
    expected = "mscd:finding-SS-Th17-test: the finding's study mscd:study-ref999 does not exist"
    assert any(line.endswith(expected) for line in lines)
    assert result.stderr.strip().startswith("invalid: ")
    assert result.stderr.strip().endswith("2 problems")


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["json", "csv", "tsv", "table"])
def test_cli_formats(runner, data_copy: Path, fmt: str) -> None:
    append(data_copy / "ss.ttl", FINDING.replace("{study}", "mscd:study-ref999"))
    wide = {"COLUMNS": "250"}  # so that the table does not wrap the node's name
    result = runner.invoke(main, ["validate", "--data", str(data_copy), "--format", fmt], env=wide)
    assert result.exit_code == 1
    if fmt == "json":
        [row] = json.loads(result.stdout)
        assert row["focus"] == "mscd:finding-SS-Th17-test"
        assert row["severity"] == "error"
        assert row["file"].endswith("ss.ttl") and isinstance(row["line"], int)
    elif fmt in ("csv", "tsv"):
        header, row = result.stdout.splitlines()
        sep = "," if fmt == "csv" else "\t"
        assert header.split(sep)[:5] == ["file", "line", "severity", "focus", "message"]
        assert "mscd:study-ref999" in row
    else:
        assert "mscd:finding-SS-Th17-test" in result.stdout


@pytest.mark.slow
def test_cli_syntax_error_exit_1(runner, data_copy: Path) -> None:
    line = append(data_copy / "ss.ttl", BAD_LINE)
    result = runner.invoke(main, ["validate", "--data", str(data_copy)])
    assert result.exit_code == 1
    column = BAD_LINE.index("]") + 1
    message = "error: syntax error: ] is not a valid subject or graph name"
    assert result.stdout.strip().endswith(f"ss.ttl:{line}:{column}: {message}")


@pytest.mark.slow
def test_cli_no_shacl_runs_integrity_checks_only(runner, data_copy: Path) -> None:
    append(data_copy / "ss.ttl", FINDING.replace("{study}", "mscd:study-ref999"))
    append(data_copy / "ss.ttl", "mscd:cohort-ref34-SS msc:cohortSize -3 .")
    full = runner.invoke(main, ["validate", "--data", str(data_copy)])
    quick = runner.invoke(main, ["validate", "--data", str(data_copy), "--no-shacl"])
    assert (full.exit_code, quick.exit_code) == (1, 1)
    assert "msc:cohortSize must be a positive integer" in full.stdout
    assert "msc:cohortSize" not in quick.stdout
    assert quick.stdout.strip().endswith("the finding's study mscd:study-ref999 does not exist")


def test_cli_missing_path_exit_2(runner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["validate", "--data", str(tmp_path / "nope.ttl")])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "nope.ttl" in result.stderr


def test_cli_empty_directory_exit_1(runner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["validate", "--data", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"mscgraph: error: no .ttl or .nt files in {tmp_path}"


# --- shapes and checks as shipped ------------------------------------------------------------


def test_shapes_are_not_loaded_as_data(kg) -> None:
    assert resources.shapes_file().is_file()
    assert resources.shapes_file().resolve() not in Sources.resolve(None).files
    assert not kg.engine.run("ASK { ?s a <http://www.w3.org/ns/shacl#NodeShape> }").boolean


def test_every_top_level_class_has_labels_checked() -> None:
    """A class added to the ontology later is not silently left out of the label shape."""
    onto = rdflib.Graph().parse(resources.ontology_file())
    shapes = rdflib.Graph().parse(resources.shapes_file())
    ours = [c for c in onto.subjects(RDF.type, OWL.Class) if str(c).startswith(str(MSC))]
    roots = {c for c in ours if not any(p in ours for p in onto.objects(c, RDFS.subClassOf))}
    label_shape = rdflib.URIRef("https://w3id.org/mscgraph/shapes/LabelShape")
    targets = set(shapes.objects(label_shape, SH.targetClass))
    assert roots == targets


def test_every_constraint_has_a_message() -> None:
    """Each property shape of a named shape, and each sh:or, carries the message a curator reads."""
    shapes = rdflib.Graph().parse(resources.shapes_file())
    named = [s for s in shapes.subjects(RDF.type, SH.NodeShape) if isinstance(s, rdflib.URIRef)]
    assert len(named) >= 10
    for shape in named:
        for prop in shapes.objects(shape, SH.property):
            assert (prop, SH.message, None) in shapes, (shape, list(shapes.objects(prop, SH.path)))
        if (shape, SH["or"], None) in shapes:
            assert (shape, SH.message, None) in shapes, shape


def test_integrity_checks_are_internal_queries() -> None:
    names = check_names()
    expected = {"_check-finding-links", "_check-study-publication", "_check-orphans", "_check-undefined"}
    assert expected <= set(names)
    assert all(n.startswith("_check-") for n in names)
