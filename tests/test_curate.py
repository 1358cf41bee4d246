"""Curation files (mscgraph curate check/build/dump) and `mscgraph diff`, on the real data and on the
FICTIONAL example source tests/curation/ (invented for these tests; not real literature)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

import mscgraph
from mscgraph.cli import main
from mscgraph.curate.build import double_text
from mscgraph.curate.schema import SCHEMA_FILE, schema

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "tests" / "curation" / "example-2099.yaml"
SOURCE = REPO / "tests" / "curation" / "fictional-source.txt"
DATA = REPO / "data"


def triples(*paths: Path) -> set[tuple]:
    return {(t.subject, t.predicate, t.object) for p in paths for t in ox.parse(path=str(p))}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example built into Turtle by the CLI."""
    from click.testing import CliRunner

    out = tmp_path_factory.mktemp("built") / "example-2099.ttl"
    result = CliRunner().invoke(main, ["curate", "build", str(EXAMPLE), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


# --- the schema -------------------------------------------------------------------------------


def test_linkml_reads_the_schema_as_mscgraph_does():
    from linkml_runtime.utils.schemaview import SchemaView

    view = SchemaView(str(SCHEMA_FILE))
    ours = schema()
    for name, cls in ours.classes.items():
        assert view.get_class(name).description, name
        for slot in view.class_induced_slots(name):
            mine = cls.slots[slot.name]
            assert slot.description, f"{name}.{slot.name} has no description"
            assert (slot.range, bool(slot.required), bool(slot.multivalued)) == (
                mine.range,
                mine.required,
                mine.multivalued,
            ), f"{name}.{slot.name}"
    for enum in ours.enums:
        assert all(pv.description for pv in view.get_enum(enum).permissible_values.values()), enum


def test_every_property_and_value_of_the_schema_is_in_the_ontology():
    defined = {str(t.subject.value) for t in ox.parse(path=str(REPO / "ontology" / "msc.ttl"))}
    ours = schema()
    uris = {s.uri for c in ours.classes.values() for s in c.slots.values() if s.uri}
    uris |= {c.uri for c in ours.classes.values() if c.uri}
    uris |= {m for e in ours.enums.values() for m in e.values() if m}
    msc = {u for u in uris if u.startswith("https://w3id.org/mscgraph/ontology/")}
    assert msc - defined == set()


def test_the_json_schema_is_printed_and_valid(runner):
    import jsonschema

    result = runner.invoke(main, ["curate", "schema"])
    printed = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(printed)
    assert set(printed["$defs"]["Finding"]["properties"]) >= {"disease", "mechanism", "quote", "supported_by"}


def test_doubles_are_written_as_the_curation_rules_say():
    written = [double_text(x) for x in (1e6, 2.5e7, 1.8e6, 2e5, 1.25e6)]
    assert written == ["1.0E6", "2.5E7", "1.8E6", "2.0E5", "1.25E6"]


# --- round trip of the shipped data --------------------------------------------------------------


def test_dump_of_the_shipped_data_builds_back_to_the_same_triples(runner, tmp_path):
    result = runner.invoke(main, ["curate", "dump", "--data", str(DATA), "-o", str(tmp_path / "yaml")])
    assert result.exit_code == 0, result.output
    dumped = sorted((tmp_path / "yaml").glob("*.yaml"))
    assert [p.stem for p in dumped] == sorted(p.stem for p in DATA.glob("*.ttl"))
    out = tmp_path / "all.ttl"
    result = runner.invoke(main, ["curate", "build", *map(str, dumped), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert triples(out) == triples(*DATA.glob("*.ttl"))  # no blank nodes: equal sets = isomorphic graphs


# --- the example: check, build, lookups, page, diff ------------------------------------------------


def test_the_example_checks_clean_against_its_source(runner):
    result = runner.invoke(main, ["curate", "check", str(EXAMPLE), "--source", str(SOURCE)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "0 problems" in result.stderr


@pytest.mark.slow
def test_the_built_example_passes_validate(runner, built):
    result = runner.invoke(main, ["validate", "--data", str(DATA), "--data", str(built)])
    assert result.exit_code == 0, result.output


def test_the_new_study_shows_up_in_mechanisms_grid_and_page(runner, built):
    args = ["--data", str(DATA), "--data", str(built)]
    mechanisms = runner.invoke(main, ["mechanisms", "SLE", *args, "--format", "json"])
    rows = {r["mechanism_name"]: r for r in json.loads(mechanisms.stdout) if r["role"] == "msc:TherapyEffect"}
    assert rows["IL-10"]["citations"] == ["Example 2099"] and rows["IL-10"]["patients"] == 12
    assert {"Example 2099", "Sun 2010 [23]"} <= set(rows["Treg"]["citations"])
    assert (rows["Treg"]["tier"], rows["Treg"]["clinical_studies"]) == ("A", 2)  # was B, one clinical study
    grid = runner.invoke(main, ["grid", *args])
    assert grid.exit_code == 0
    header, *lines = grid.stdout.splitlines()
    assert header.count("SLE") == 1
    il10 = next(line for line in lines if line.startswith("IL-10 "))
    sle = [c.strip() for c in header.split("│")].index("SLE")
    assert il10.split("│")[sle].strip() == "↑B"

    from mscgraph.views import network

    kg = mscgraph.load([DATA, built])
    page = network.view(kg, ["mscd:SLE"])
    assert "mscd:study-example-2099" in page.nodes
    assert page.nodes["mscd:study-example-2099"]["citation"] == "Example 2099"


def test_diff_lists_the_new_study_findings_and_links(runner, built, tmp_path):
    new = tmp_path / "new"
    shutil.copytree(DATA, new)
    shutil.copy(built, new / built.name)
    result = runner.invoke(main, ["diff", str(DATA), str(new), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = {(r["change"], r["kind"], r["id"]) for r in json.loads(result.stdout)}
    assert ("added", "study", "mscd:study-example-2099") in rows
    assert ("added", "finding", "mscd:finding-SLE-IL10-example-2099") in rows
    assert ("added", "link", "mscd:SLE mscd:IL10 msc:TherapyEffect") in rows
    assert ("changed", "link", "mscd:SLE mscd:Treg msc:TherapyEffect") in rows
    assert ("added", "cell population", "mscd:Treg") not in rows

    ss = (new / "ss.ttl").read_text("utf-8")
    before = "msc:aboutMechanism mscd:Th17 ;\n    msc:hasDirection msc:Decreased"
    (new / "ss.ttl").write_text(ss.replace(before, before.replace("Decreased", "Increased"), 1), "utf-8")
    result = runner.invoke(main, ["diff", str(DATA), str(new), "--format", "json"])
    changed = {r["id"]: r for r in json.loads(result.stdout) if r["change"] == "changed"}
    detail = changed["mscd:finding-SS-Th17-ref34"]["detail"]
    assert detail == "msc:hasDirection: msc:Decreased → msc:Increased"
    link = changed["mscd:SS mscd:Th17 msc:TherapyEffect"]
    assert link["detail"] == "2 findings, decreased → 2 findings, decreased, increased"


def test_diff_of_identical_data_is_empty(runner):
    result = runner.invoke(main, ["diff", str(DATA), str(DATA)])
    assert result.exit_code == 0 and result.stdout == ""


# --- planted errors: one line each, file:line ----------------------------------------------------


def plant(tmp_path: Path, old: str, new: str, count: int = 1) -> tuple[Path, int]:
    """A copy of the example with ``old`` replaced; the (1-based) line where ``new`` starts."""
    text = EXAMPLE.read_text("utf-8")
    assert old in text
    text = text.replace(old, new, count)
    path = tmp_path / "planted.yaml"
    path.write_text(text, "utf-8")
    return path, text[: text.index(new)].count("\n") + 1 if new else 0


def problems(runner, path: Path, *extra: str) -> list[str]:
    result = runner.invoke(main, ["curate", "check", str(path), "--source", str(SOURCE), *extra])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    return result.stdout.splitlines()


def test_a_misquote_is_one_line_at_the_quote(runner, tmp_path):
    path, line = plant(tmp_path, "zh: 此外,患者血清IL-10水平升高。", "zh: 此外,患者血清IL-10水平显著升高。")
    [problem] = problems(runner, path)
    assert problem.startswith(f"{path}:{line}: quote not found verbatim in fictional-source.txt")
    assert "then has “显著升高。”" in problem


def test_an_unknown_name_is_one_line_with_suggestions(runner, tmp_path):
    path, line = plant(tmp_path, "mechanism: Th17", "mechanism: Th-71")
    [problem] = problems(runner, path)
    expected = rf"{re.escape(str(path))}:{line}: mechanism: unknown mechanism 'Th-71'; did you mean: "
    assert re.match(expected, problem) and "T-helper 17 cell (mscd:Th17)" in problem


def test_a_missing_required_field_is_one_line_at_the_record(runner, tmp_path):
    path, _ = plant(tmp_path, "  direction: decreased\n", "")
    text = path.read_text("utf-8").splitlines()
    record = next(i for i, x in enumerate(text, 1) if x == "- disease: SLE" and "Th17" in text[i])
    [problem] = problems(runner, path)
    assert problem == f"{path}:{record}: finding is missing the required field 'direction'"


def test_a_duplicate_of_an_existing_finding_is_one_line(runner, tmp_path):
    duplicate = (
        "- disease: 干燥综合征\n  mechanism: Th17\n  direction: decreased\n  role: therapy-effect\n"
        "  evidence: clinical\n  organism: human\n  supported_by: study-ref34\n"
        "  section: section-example-2099-results\n"
        "  quote:\n    zh: 此外,患者血清IL-10水平升高。\n    en: planted\n"
    )
    path, line = plant(tmp_path, "findings:\n", "findings:\n" + duplicate)
    [problem] = problems(runner, path)
    assert problem == (
        f"{path}:{line + 1}: finding duplicates mscd:finding-SS-Th17-ref34 "
        "(same subject, mechanism, role, direction and study)"
    )


def test_schema_errors_and_yaml_syntax_are_one_line_each(runner, tmp_path):
    path, line = plant(tmp_path, "direction: increased", "direction: upwards")
    assert problems(runner, path) == [
        f"{path}:{line}: direction: 'upwards' is not one of: increased, decreased, unchanged, impaired, "
        "modulated, improved, not-improved"
    ]
    path, line = plant(tmp_path, "    size: 12", "    size: 12\n    colour: blue")
    [problem] = problems(runner, path)
    assert problem.startswith(f"{path}:{line + 1}: cohort has no field 'colour'; fields: id, ")
    path, line = plant(tmp_path, "source: example-2099", "source: [example-2099")
    [problem] = problems(runner, path)
    assert problem.startswith(f"{path}:") and "YAML syntax error" in problem


def test_an_existing_id_is_reported(runner, tmp_path):
    path, line = plant(tmp_path, "- id: study-example-2099", "- id: study-ref34")
    found = problems(runner, path)
    expected = "id 'study-ref34' already exists in the data; give another id, or `extends: true` to add to it"
    assert f"{path}:{line}: {expected}" in found


@pytest.mark.slow
def test_shapes_are_traced_back_to_the_record(runner, tmp_path):
    path, line = plant(tmp_path, "  role: therapy-effect\n", "  role: combined-therapy-effect\n")
    [problem] = problems(runner, path)
    expected = "a combined-regimen effect or an effect of another treatment needs msc:withTreatment"
    assert problem.startswith(f"{path}:{line - 3}: {expected}")


def test_usage_errors_exit_2(runner, tmp_path):
    assert runner.invoke(main, ["curate", "check"]).exit_code == 2
    assert runner.invoke(main, ["curate", "check", str(tmp_path / "missing.yaml")]).exit_code == 2
    assert runner.invoke(main, ["curate", "build", str(EXAMPLE)]).exit_code == 2
    assert runner.invoke(main, ["diff", str(DATA)]).exit_code == 2


def test_build_refuses_a_file_with_problems_and_writes_nothing(runner, tmp_path):
    path, line = plant(tmp_path, "mechanism: Th17", "mechanism: Th-71")
    out = tmp_path / "out.ttl"
    result = runner.invoke(main, ["curate", "build", str(path), "-o", str(out)])
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{path}:{line}: mechanism: unknown mechanism")
    assert not out.exists()
