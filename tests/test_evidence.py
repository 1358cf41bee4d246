"""Evidence at a glance: one summary per link (disease, mechanism, role), its tier, the grid, conflicts.

Every expected summary below was read by hand from the review (section, sentence and reference given
with each disease); the rule is docs/evidence.md: A = clinical evidence from two or more studies without
conflict, B = clinical from one, C = animal, D = in vitro, E = the review's statement or evidence not stated.
"""

from __future__ import annotations

import json

import pytest

from mscgraph.api import load
from mscgraph.cli import main
from mscgraph.evidence import summary as evidence
from mscgraph.model import resources

T, D, OTHER, W = (
    "MSC therapy effect",
    "disease characteristic",
    "effect of another treatment",
    "combined regimen effect",
)

# (mechanism, role) -> (directions, tier, strongest evidence, supporting references, patients)
EXPECTED = {
    "RA": {  # section 1
        # "Gowhari 等[19]研究表明 MSC 移植通过减少 BAFF 和 APRIL 的产生并降低其受体在 B 细胞表面的表达
        #  来抑制 B 细胞"
        ("B cell", T): (["decreased"], "B", "clinical", [19], None),
        ("BAFF/APRIL", T): (["decreased"], "B", "clinical", [19], None),
        # "这些发现表明 BAFF 可能是进一步研究 RA 发病机制的目标" (uncited)
        ("BAFF/APRIL", D): (["modulated"], "E", "author statement", [], None),
        # "表明 MSCs 移植对体液免疫有显著影响" (uncited)
        ("humoral immunity", T): (["modulated"], "E", "author statement", [], None),
        # "其主要特征是破骨细胞的形成,淋巴细胞浸润关节形成滑膜炎" (uncited)
        ("lymphocyte infiltration", D): (["increased"], "E", "author statement", [], None),
        ("osteoclast formation", D): (["increased"], "E", "author statement", [], None),
    },
    "SLE": {  # section 2
        # "孙凌云等[23]观察到UC-MSC移植后3个月显著上调……CD4+ FoxP3+ Treg细胞的百分比" (16 patients, [23])
        ("Treg", T): (["increased"], "B", "clinical", [23], 16),
        # "导致 B 细胞活化、自身抗体和免疫复合物的产生[21]"; "血清中出现以抗核抗体为代表的多种自身抗体"
        ("autoantibodies", D): (["increased"], "E", "author statement", [21], None),
        ("B cell", D): (["increased"], "E", "author statement", [21], None),
        # "有研究表明, SLE 患者的 MSCs 在结构和生理上存在缺陷……[22]": a result, evidence type not stated
        ("function of the patient's own MSCs", D): (["impaired"], "E", "not stated", [22], None),
        # "Treg细胞的恢复与TGF-β表达的增加有关" (the review's own link; [32] backs general immunology)
        ("TGF-β", T): (["increased"], "E", "author statement", [], None),
        # "活动性SLE患者的Treg细胞数量和功能均降低[29]" and "表明Treg细胞在SLE的发病机制中发挥作用"
        ("Treg", D): (["decreased", "impaired", "modulated"], "E", "author statement", [29], None),
        # "然而,两者都可以通过激素治疗来恢复[30]"
        ("Treg", OTHER): (["increased"], "E", "author statement", [30], None),
    },
    "SS": {  # section 3: Xu 2012 [34], 24 patients; NOD mice [35, 36]
        ("CD4-positive T cell", T): (["decreased", "modulated"], "B", "clinical", [34, 35], 24),
        ("Tfh", T): (["decreased"], "B", "clinical", [34], 24),
        ("Th17", T): (["decreased"], "B", "clinical", [34, 36], 24),
        ("Th2", T): (["increased"], "B", "clinical", [34], 24),
        ("Treg", T): (["increased"], "B", "clinical", [34], 24),
        ("IL-17A", T): (["decreased"], "C", "animal", [36], None),
        ("SDF-1/CXCR4", T): (
            ["modulated"],
            "E",
            "not stated",
            [34],
            None,
        ),  # "作者还证明了": patients or mice?
        ("function of the patient's own MSCs", D): (["impaired"], "E", "not stated", [34], None),
        ("inflammatory response", T): (["decreased"], "E", "author statement", [], None),  # the summary
        ("lymphocyte infiltration", D): (["increased"], "E", "author statement", [], None),
    },
    "PM/DM": {  # section 4: 赖勤 [38], no cohort size given
        ("helper T cell (Th) balance", T): (["modulated"], "B", "clinical", [38], None),
        ("IFN-γ", T): (["increased"], "B", "clinical", [38], None),
        ("IL-4", T): (["decreased"], "B", "clinical", [38], None),
        ("inflammatory mediators and cytokines", T): (["increased"], "B", "clinical", [38], None),
        ("Th1", T): (["increased"], "B", "clinical", [38], None),
        ("Th2", T): (["decreased"], "B", "clinical", [38], None),
        ("helper T cell (Th) balance", D): (["impaired"], "E", "author statement", [38], None),
    },
    "SSc": {  # section 5
        # "14 例 SSc 患者……BM-MSCs 联合血浆置换……MRSS 评分随着抗 - Scl70 抗体滴度的降低而下降" [46]
        ("autoantibodies", W): (["decreased"], "B", "clinical", [46], 14),
        ("fibrosis (abnormal collagen deposition)", D): (
            ["increased", "not improved"],
            "E",
            "author statement",
            [40, 41],
            None,
        ),
        ("function of the patient's own MSCs", D): (["impaired"], "E", "not stated", [42, 43], None),
        ("TGF-β", D): (["increased"], "E", "not stated", [42, 43], None),
        ("VEGF", D): (["increased"], "E", "not stated", [42, 43], None),
    },
}


def invoke(runner, *args: str):
    return runner.invoke(main, list(args), catch_exceptions=False)


@pytest.mark.parametrize("disease", sorted(EXPECTED))
def test_every_link_of_the_five_diseases_is_summarised_as_the_review_says(kg, disease):
    got = {
        (s["mechanism_name"], s["role_label"]): (
            s["directions"],
            s["tier"],
            s["strongest_evidence"],
            s["references"],
            s["patients"],
        )
        for s in kg.summary(disease)
    }
    assert got == EXPECTED[disease]


def test_one_row_per_link_never_merging_roles(kg):
    treg = {s["role_label"]: s for s in kg.summary("SLE", "Treg")}
    assert set(treg) == {T, D, OTHER}
    assert treg[OTHER]["treatment"] == "corticosteroids"
    assert treg[T]["review_statements"] == 1  # "Treg细胞通路的上调可能是机制之一。" counted apart
    assert treg[T]["studies"] == 1 and treg[T]["citations"] == ["this review", "Sun 2010 [23]"]


def test_a_link_resting_only_on_an_author_statement_is_tier_e(kg):
    (osteoclast,) = kg.summary("RA", "osteoclast formation")
    assert (osteoclast["tier"], osteoclast["studies"], osteoclast["review_statements"]) == ("E", 0, 1)
    assert osteoclast["citations"] == ["this review"]


def test_agreement_mixed_when_directions_differ_without_opposing(kg):
    (cd4,) = kg.summary("SS", "CD4 T cell")
    assert cd4["agreement"] == "mixed" and cd4["effect"] == "↓ decreased / ~ modulated"


# --- a conflicting link: a new study reports the opposite direction ---------------------------

OPPOSITE = """\
@prefix msc:  <https://w3id.org/mscgraph/ontology/> .
@prefix mscd: <https://w3id.org/mscgraph/data/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .

# A clearly fictional trial, for testing only: Treg fell after MSCs in 30 SLE patients.
mscd:ref-900 a msc:Publication ; rdfs:label "Example 2030"@en , "示例 2030"@zh ;
    msc:referenceNumber 900 ; msc:firstAuthor "Example" ; msc:year "2030"^^xsd:gYear ; msc:journal "Test" .
mscd:study-ref900 a msc:ClinicalStudy ; rdfs:label "Example 2030"@en , "示例 2030"@zh ;
    msc:reportedIn mscd:ref-900 ; msc:inSection mscd:section-2 ; msc:hasOrganism msc:Human ;
    msc:hasCohort mscd:cohort-ref900 ;
    msc:sourceSentence "示例。"@zh , "Example."@en .
mscd:cohort-ref900 a msc:Cohort ; rdfs:label "Example cohort"@en , "示例队列"@zh ;
    msc:inDisease mscd:SLE ; msc:cohortSize 30 .
mscd:finding-SLE-Treg-ref900 a msc:Finding ; rdfs:label "SLE: Treg fell (Example 2030)"@en , "示例"@zh ;
    msc:inDisease mscd:SLE ; msc:aboutMechanism mscd:Treg ; msc:hasDirection msc:Decreased ;
    msc:hasRole msc:TherapyEffect ; msc:supportedBy mscd:study-ref900 ;
    msc:hasEvidenceType msc:ClinicalEvidence ;
    msc:hasOrganism msc:Human ; msc:citesReference mscd:ref-900 ; msc:inSection mscd:section-2 ;
    prov:wasQuotedFrom mscd:review ; msc:sourceSentence "示例。"@zh , "Example."@en .
"""


@pytest.fixture(scope="module")
def with_opposite(tmp_path_factory) -> list[str]:
    extra = tmp_path_factory.mktemp("opposite") / "example.ttl"
    extra.write_text(OPPOSITE, "utf-8")
    return [str(resources.resource_dir("data")), str(extra)]


def test_opposite_directions_conflict_and_cap_the_tier(with_opposite):
    kg = load(with_opposite, cache=False)
    (treg,) = kg.summary("SLE", "Treg", role="therapy")
    assert treg["agreement"] == "conflicting" and treg["directions"] == ["decreased", "increased"]
    assert treg["clinical_studies"] == 2 and treg["patients"] == 16 + 30
    assert treg["tier"] == "B"  # two clinical studies, but they conflict: not A
    assert "conflict" in evidence.why(treg)


def test_conflicts_lists_both_sides(runner, with_opposite):
    args = [a for path in with_opposite for a in ("--data", path)]
    rows = json.loads(invoke(runner, "conflicts", *args, "--format", "json").stdout)
    treg = [r for r in rows if r["subject_name"] == "SLE" and r["mechanism_name"] == "Treg"
            and r["role"] == T]  # fmt: skip
    assert {(r["direction"], tuple(r["citations"])) for r in treg} == {
        ("increased", ("Sun 2010 [23]",)),
        ("decreased", ("Example 2030 [900]",)),
        ("increased", ("this review",)),
    }
    assert all(r["agreement"] == "conflicting" for r in treg)


def test_conflicts_on_the_real_data_are_the_mixed_and_discrepant_links(kg):
    rows = kg.conflicts()
    assert not [r for r in rows if r["agreement"] == "conflicting"]  # the review never contradicts itself
    assert {("SS", "CD4-positive T cell"), ("SSc", "fibrosis (abnormal collagen deposition)")} <= {
        (r["subject_name"], r["mechanism_name"]) for r in rows if r["agreement"] == "mixed"
    }
    ref35 = next(r for r in rows if r["finding"] == "mscd:finding-SS-CD4TCell-ref35")
    assert ref35["discrepancy_kinds"] == "species" and "NOD" in ref35["reference_says"]


# --- the CLI answers in a screen ---------------------------------------------------------------


def test_mechanisms_ss_fits_one_80x24_screen(runner, monkeypatch):
    from mscgraph.views.formats import display_width

    monkeypatch.setenv("COLUMNS", "80")
    result = invoke(runner, "mechanisms", "SS")
    lines = result.stdout.splitlines()
    assert result.exit_code == 0 and len(lines) <= 23  # one line left for the prompt
    assert max(display_width(line) for line in lines) <= 80
    assert [c.strip() for c in lines[0].split("│")] == [
        "mechanism",
        "role",
        "effect",
        "tier",
        "evidence",
        "studies",
    ]
    th17 = next(i for i, line in enumerate(lines) if line.startswith("Th17 "))
    row = " ".join(lines[th17 : th17 + 2]).replace("\u00a0", " ")  # may wrap; no-break spaces join words
    assert "↓" in row and "│ B " in row and "n=24" in row and "Yao 2019" in row


def test_findings_flag_gives_the_per_finding_view(runner, kg):
    rows = json.loads(invoke(runner, "mechanisms", "SS", "--findings", "--format", "json").stdout)
    assert rows == json.loads(json.dumps(kg.mechanisms("SS")))
    assert len(rows) > len(kg.summary("SS"))


def test_json_is_typed_for_programs(runner):
    rows = json.loads(invoke(runner, "mechanisms", "SS", "--format", "json").stdout)
    th17 = next(r for r in rows if r["mechanism"] == "mscd:Th17")
    assert th17["references"] == [34, 36] and th17["citations"] == ["Xu 2012 [34]", "Yao 2019 [36]"]
    assert th17["patients"] == 24 and th17["findings"] == 2 and th17["directions"] == ["decreased"]
    il17 = next(r for r in rows if r["mechanism"] == "mscd:IL17A")
    assert il17["patients"] is None and il17["animal_models"] == ["NOD mouse"]
    assert set(th17) == set(evidence.LinkSummary.__annotations__)


def test_diseases_gives_one_row_per_link(kg):
    rows = kg.summary(mechanism="Th17")
    assert [(r["subject_name"], r["tier"]) for r in rows] == [("SS", "B")]


def test_grid_puts_headline_families_first_and_marks_what_is_not_reported(kg):
    columns, rows = kg.grid()
    assert columns == ["mechanism", "family", "RA", "SLE", "SS", "PM/DM", "SSc"]
    families = [r["family"] for r in rows if r["family"]]
    assert families == sorted(families, key=evidence.HEADLINE_FAMILIES.index)
    assert [r["family"] for r in rows[: len(families)]] == families  # all headline rows come first
    treg = next(r for r in rows if r["mechanism"] == "Treg")
    assert (treg["SLE"], treg["SS"], treg["RA"]) == ("↑B", "↑B", evidence.NOT_REPORTED)
    assert next(r for r in rows if r["mechanism"] == "IL-17A")["SS"] == "↓C"


def test_grid_tells_reported_no_change_from_not_reported(tmp_path):
    extra = tmp_path / "unchanged.ttl"
    extra.write_text(
        OPPOSITE.replace("msc:Decreased", "msc:Unchanged").replace("mscd:Treg", "mscd:Th17"), "utf-8"
    )
    kg = load([resources.resource_dir("data"), extra], cache=False)
    th17 = next(r for r in kg.grid()[1] if r["mechanism"] == "Th17")
    assert th17["SLE"] == "=B" and th17["RA"] == evidence.NOT_REPORTED


def test_grid_min_tier_and_roles(kg):
    _, strong = kg.grid(min_tier="B")
    assert all("C" not in cell and "E" not in cell for r in strong for k, cell in r.items() if k not in
               ("mechanism", "mechanism_id", "family"))  # fmt: skip
    columns, every = kg.grid(role=None)
    assert "MSCs" in columns  # general MSC properties have their own column
    treg = next(r for r in every if r["mechanism"] == "Treg")
    assert treg["SLE"].split() == ["↑Bt", "↓⊘~Ed", "↑Eo"]


def test_explain_prints_tier_rule_and_findings(runner, monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    out = invoke(runner, "explain", "SS", "Th17").stdout
    assert "SS – Th17: MSC therapy effect" in out
    assert "tier      B: clinical evidence in patients from one study" in out
    assert "from 1 study, 24 patients" in out
    assert "Xu 2012" in out and "Yao 2019" in out and "NOD" in out
    data = json.loads(invoke(runner, "explain", "SS", "Th17", "--format", "json").stdout)
    assert data["links"][0]["tier"] == "B" and len(data["links"][0]["evidence"]) == 2


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args,message",
    [
        (["mechanisms", "Sjogrn"], "unknown disease 'Sjogrn'; did you mean: Sjögren syndrome (mscd:SS)"),
        (["mechanisms", "SS", "--min-tier", "Z"], "unknown tier 'Z'; use one of A, B, C, D, E"),
        (["mechanisms", "SS", "--role", "cure"], "unknown role 'cure'; use one of therapy"),
        (["grid", "--role", "cure"], "unknown role 'cure'"),
        (["grid", "--min-tier", "AA"], "unknown tier 'AA'"),
        (
            ["explain", "SS", "IL-10"],
            "unknown mechanism 'IL-10'; did you mean: interleukin-17A (mscd:IL17A), "
            "interleukin-4 (mscd:IL4), interleukin-6 (mscd:IL6)",
        ),
        (["diseases", "Treg", "--role", ""], "unknown role ''"),
    ],
)
def test_bad_input_is_one_line_exit_2(runner, args, message):
    result = runner.invoke(main, args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


def test_a_known_entity_without_findings_says_so(runner):
    result = runner.invoke(main, ["diseases", "FoxP3", "--format", "json"])
    assert result.exit_code == 0 and json.loads(result.stdout) == []
    assert result.stderr.strip() == "no diseases recorded for FoxP3"


@pytest.mark.parametrize("command", ["explain", "grid", "conflicts"])
def test_new_commands_have_help(runner, command):
    assert "--format" in invoke(runner, command, "--help").stdout


def test_an_empty_disease_is_named_as_such(runner):
    result = runner.invoke(main, ["mechanisms", ""])
    assert result.exit_code == 2 and result.stderr.strip() == "mscgraph: error: empty disease"
