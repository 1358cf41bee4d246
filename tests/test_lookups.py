"""The lookups (library API and CLI) on the real packaged data.

What is asserted is what a reader of the review would say: Xu et al. 2012 [34] gave allogeneic
UC-MSCs intravenously to 24 SS patients, no side effects, and MSCs suppressed Th17 responses.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from mscgraph.cli import main

SS_NAMES = [
    "SS",
    "ss",
    "Sjögren syndrome",
    "sjogren's syndrome",
    "SJOGREN-SYNDROME",
    "干燥综合征",
    "MONDO:0010030",
    "http://purl.obolibrary.org/obo/MONDO_0010030",
    "mscd:SS",
    "https://w3id.org/mscgraph/data/SS",
]


def invoke(runner, *args: str):
    return runner.invoke(main, list(args), catch_exceptions=False)


def as_json(runner, *args: str) -> list[dict]:
    result = invoke(runner, *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


# --- mechanisms ------------------------------------------------------------------


def test_mechanisms_for_ss_name_the_review_s_findings(kg):
    rows = kg.mechanisms("SS")
    found = {(r["mechanism"], r["direction"], r["role"], r["evidence"]) for r in rows}
    assert ("Th17", "decreased", "MSC therapy effect", "clinical") in found
    assert ("Th17", "decreased", "MSC therapy effect", "animal") in found  # NOD mice [36]
    assert ("Treg", "increased", "MSC therapy effect", "clinical") in found
    assert ("IL-17A", "decreased", "MSC therapy effect", "animal") in found
    assert ("SDF-1/CXCR4", "modulated", "MSC therapy effect", "not stated") in found  # patients or mice?
    # what characterises the disease itself is kept apart from what the therapy did
    assert any(r["role"] == "disease characteristic" for r in rows)
    th17 = next(r for r in rows if r["mechanism"] == "Th17" and r["evidence"] == "clinical")
    assert "Th17" in th17["sentence_zh"] and "Th17" in th17["sentence_en"]
    assert "Xu 2012 [34]" in th17["studies"]


@pytest.mark.parametrize("name", SS_NAMES)
def test_every_way_of_naming_ss_gives_the_same_rows(kg, name):
    assert kg.mechanisms(name) == kg.mechanisms("SS")


def test_cli_json_equals_library(runner, kg):
    assert as_json(runner, "mechanisms", "Sjogren") == json.loads(json.dumps(kg.summary("SS")))
    assert as_json(runner, "mechanisms", "Sjogren", "--findings") == json.loads(
        json.dumps(kg.mechanisms("SS"))
    )


def test_json_keys_are_stable_snake_case(runner):
    rows = as_json(runner, "mechanisms", "SS", "--findings")
    expected = {
        "mechanism", "finding", "mechanism_id", "mechanism_abbr", "mechanism_label", "mechanism_type",
        "direction", "role", "evidence", "organism", "treatment", "note", "studies", "references",
        "sentence_zh", "sentence_en",
    }  # fmt: skip
    assert all(set(r) == expected for r in rows)
    assert all(
        isinstance(r["studies"], list) and all(isinstance(n, int) for n in r["references"]) for r in rows
    )


@pytest.mark.parametrize("fmt,sep", [("csv", ","), ("tsv", "\t")])
def test_delimited_formats_carry_the_json_keys(runner, fmt, sep):
    result = invoke(runner, "mechanisms", "SS", "--findings", "--format", fmt)
    assert result.exit_code == 0
    table = list(csv.reader(io.StringIO(result.stdout), delimiter=sep))
    rows = as_json(runner, "mechanisms", "SS", "--findings")
    assert table[0] == list(rows[0])
    assert len(table) == len(rows) + 1
    assert all(len(line) == len(table[0]) for line in table)


def test_table_fits_the_terminal_and_keeps_columns_aligned(runner, monkeypatch):
    from mscgraph.views.formats import display_width

    monkeypatch.setenv("COLUMNS", "120")
    result = invoke(runner, "evidence", "SS", "Th17")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert [c.strip() for c in lines[0].split("│")][:3] == ["citation", "direction", "role"]
    assert set(lines[1]) <= {"─", "┼"}

    def bars(line: str) -> list[int]:  # display columns of the separators
        return [display_width(line[:i]) for i, c in enumerate(line) if c in "│┼"]

    assert all(bars(line) == bars(lines[1]) for line in lines if "│" in line)
    assert max(display_width(line) for line in lines) <= 120
    assert "Xu" in result.stdout and "[34]" in result.stdout
    assert "follicular" in result.stdout and "Th17" in result.stdout and "炎症反应" in result.stdout


def test_too_narrow_for_a_table_gives_one_record_per_row(runner, monkeypatch):
    from mscgraph.views.formats import display_width

    monkeypatch.setenv("COLUMNS", "60")
    lines = invoke(runner, "evidence", "SS", "Th17").stdout.splitlines()
    assert lines[0].split() == ["citation", "Xu", "2012", "[34]"]
    assert lines[1].split() == ["direction", "decreased"]
    assert "│" not in "".join(lines)
    assert max(display_width(line) for line in lines) <= 60


# --- the other lookups -----------------------------------------------------------------


def test_diseases_for_th17_include_ss(kg):  # the per-finding view
    rows = kg.diseases("Th17")
    assert {"disease": "SS", "direction": "decreased"}.items() <= next(
        r for r in rows if r["disease"] == "SS"
    ).items()
    assert kg.diseases("T helper 17 cell") == rows == kg.diseases("CL:0000899")


def test_studies_for_ss_give_design_cohort_product_and_safety(kg):
    rows = {r["study"]: r for r in kg.studies("SS")}
    assert {"mscd:study-ref33", "mscd:study-ref34", "mscd:study-ref35", "mscd:study-ref36"} <= set(rows)
    xu = rows["mscd:study-ref34"]
    assert (xu["first_author"], xu["year"], xu["reference"]) == ("Xu", "2012", 34)
    assert xu["cohort_size"] == 24 and xu["species"] == ["human"]
    assert xu["msc_source"] == ["umbilical cord"] and xu["donor_type"] == ["allogeneic"]
    assert xu["route"] == ["intravenous"]
    assert any("SSDAI" in o for o in xu["outcomes"]) and any("(n=0)" in e for e in xu["adverse_events"])
    assert rows["mscd:study-ref36"]["study_type"] == "animal study"
    assert rows["mscd:study-ref35"]["discrepancies"] == 1  # NOD mice in the text, patients in the title


def test_evidence_chain_quotes_the_review(kg):
    rows = kg.evidence("SS", "Th17")
    xu = next(r for r in rows if r["reference"] == 34)
    assert xu["finding"] == "mscd:finding-SS-Th17-ref34"
    assert xu["cohort_size"] == 24 and xu["evidence"] == "clinical"
    assert "抑制Th17" in xu["sentence_zh"]
    assert xu["section"].startswith("3 ")
    assert {r["evidence"] for r in rows} == {"clinical", "animal"}


def test_show_gives_labels_mappings_and_links_both_ways(kg):
    rows = kg.show("干燥综合征")
    values = {(r["direction"], r["property_id"], r["value_id"]) for r in rows}
    assert ("out", "skos:exactMatch", "MONDO:0010030") in values
    assert ("out", "rdfs:label", "Sjögren syndrome") in {(d, p, v.split("@")[0]) for d, p, v in values}
    assert any(r["property_id"] == "rdfs:label" and "干燥综合征" in r["value"] for r in rows)
    assert ("in", "msc:inDisease", "mscd:finding-SS-Th17-ref34") in values


@pytest.mark.parametrize(
    "text,expected",
    [("干燥", "mscd:SS"), ("sjogren", "mscd:SS"), ("IL-17", "mscd:IL17A"), ("lupus", "mscd:SLE")],
)
def test_search_finds_by_label_abbreviation_synonym_and_chinese(kg, text, expected):
    assert expected in [r["id"] for r in kg.search(text)]


def test_search_ranks_exact_names_first(kg):
    assert kg.search("Th17")[0]["id"] == "mscd:Th17"


def test_stats_count_what_is_there(kg):
    counts = {r["type"]: r["count"] for r in kg.stats()}
    assert counts["disease"] == 6  # RA, SLE, SS, PM/DM, SSc and autoimmune disease in general
    assert counts["triples"] == len(kg.rdflib_graph)  # the index holds exactly what rdflib parses


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args,message",
    [
        (["mechanisms", "Sjogrn"], "unknown disease 'Sjogrn'; did you mean: Sjögren syndrome (mscd:SS)"),
        (["mechanisms", 'SS" } DROP ALL #'], "unknown disease"),
        (["diseases", "SS"], "unknown mechanism 'SS'"),  # a disease is not a mechanism
        (["show", "最小剂量"], "ambiguous name '最小剂量': could be"),
        (["evidence", "SS", "Th71"], "T-helper 17 cell (mscd:Th17)"),
    ],
)
def test_bad_names_exit_2_with_one_line_and_suggestions(runner, args, message):
    result = runner.invoke(main, args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_injection_text_is_bound_not_run(runner, kg):
    before = kg.stats()
    assert runner.invoke(main, ["studies", 'x" } } ; DROP ALL ; SELECT * { #']).exit_code == 2
    assert kg.stats() == before


def test_ambiguous_name_from_added_data(runner, tmp_path):
    """A second disease also abbreviated SS (as systemic sclerosis sometimes is) makes SS ambiguous."""
    extra = tmp_path / "extra.ttl"
    extra.write_text(
        "@prefix mscd: <https://w3id.org/mscgraph/data/> .\n"
        "@prefix msc: <https://w3id.org/mscgraph/ontology/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        'mscd:Other a msc:Disease ; rdfs:label "other syndrome"@en , "其他"@zh ; skos:altLabel "SS" .\n',
        "utf-8",
    )
    from mscgraph.model import resources

    result = runner.invoke(main, ["mechanisms", "SS", "--data", str(resources.resource_dir("data")),
                                  "--data", str(extra)])  # fmt: skip
    assert result.exit_code == 2
    assert "ambiguous disease 'SS'" in result.stderr
    assert "mscd:Other" in result.stderr and "mscd:SS" in result.stderr


@pytest.mark.parametrize(
    "command",
    [
        "mechanisms",
        "diseases",
        "studies",
        "evidence",
        "explain",
        "grid",
        "conflicts",
        "show",
        "search",
        "stats",
    ],
)
def test_every_command_has_help(runner, command):
    result = invoke(runner, command, "--help")
    assert result.exit_code == 0 and "--format" in result.stdout


def test_unknown_format_is_a_usage_error(runner):
    result = runner.invoke(main, ["stats", "--format", "xml"])
    assert result.exit_code == 2 and "Invalid value for '--format'" in result.stderr


@pytest.mark.parametrize(
    "text,kind,expected",
    [
        ("Tregs", "mechanism", "mscd:Treg"),
        ("B cells", "mechanism", "mscd:BCell"),
        ("regulatory T cells", "mechanism", "mscd:Treg"),
        ("NK cells", "mechanism", "mscd:NKCell"),
        ("scleroderma", "disease", "mscd:SSc"),  # as the review's ref 45 uses it
        ("MSCs", "subject", "mscd:MSC"),  # general MSC properties, in place of a disease
    ],
)
def test_names_people_type(kg, text, kind, expected):
    from mscgraph.model.namespaces import CONVERTER

    assert CONVERTER.compact(kg.resolve(text, kind)) == expected


def test_a_plural_is_tried_only_when_the_name_itself_is_unknown(kg):
    assert kg.resolve("SS", "disease").endswith("/SS")  # "SS" is not the plural of "S"
    with pytest.raises(Exception, match="unknown mechanism 'Tregss'"):
        kg.resolve("Tregss", "mechanism")
