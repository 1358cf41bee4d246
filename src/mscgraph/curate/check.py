"""``curate check``: every problem of some curation files as ``file:line: message``.

Passes, each after the previous one found nothing (a later one would only repeat its consequences):
1. YAML syntax and duplicate keys; 2. the schema (fields, types, values, required fields);
3. names (references resolve, with suggestions; ids not taken); 4. quotes verbatim in the source
(:func:`mscgraph.validate.markup_free`) and findings that duplicate existing ones; 5. the built
triples together with the graph's data under ``mscgraph validate`` (SHACL shapes, integrity queries),
each problem traced back to the record it comes from.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema
import pyoxigraph as ox
from jsonschema.exceptions import ValidationError, best_match

from mscgraph.curate.build import Build, Names, build, records
from mscgraph.curate.schema import schema, values
from mscgraph.curate.yamlfile import Document, Problem, load
from mscgraph.model.namespaces import CONVERTER, MSC, MSCD, PREFIXES
from mscgraph.query import terms
from mscgraph.validate.checks import markup_free
from mscgraph.validate.checks import validate as validate_graph

if TYPE_CHECKING:
    from mscgraph.graph import Graph

_SINGULAR = {"studies": "study", "discrepancies": "discrepancy", "families": "family"}


def check(
    paths: Iterable[str | Path], kg: Graph, source: Path | None = None
) -> tuple[list[Problem], Build | None]:
    """The problems of the files at ``paths`` against graph ``kg``; the build when they got that far."""
    docs = [load(p) for p in paths]
    problems = [p for d in docs for p in d.problems]
    if problems:
        return problems, None
    problems = [p for d in docs for p in schema_problems(d)]
    if problems:
        return problems, None
    names = GraphNames(kg)
    result = build(docs, names)
    problems = result.problems + taken_ids(result, names)
    if source is not None:
        problems += quote_problems(docs, source)
    problems += duplicate_findings(result, names)
    if not problems:
        problems = graph_problems(result, kg)
    return problems, result


# --- 2. schema ---------------------------------------------------------------------------------


def schema_problems(doc: Document) -> list[Problem]:
    validator = jsonschema.Draft202012Validator(schema().json_schema())
    found = []
    for error in validator.iter_errors(doc.data):
        error = best_match(error.context) if error.context else error
        found.append(_schema_problem(doc, error))
    return sorted(set(found), key=lambda p: p.line)


def _record_kind(at: tuple[str | int, ...]) -> str:
    key = next((k for k in reversed(at) if isinstance(k, str)), "file")
    return _SINGULAR.get(key, key.removesuffix("s")).replace("_", " ")


def _schema_problem(doc: Document, error: ValidationError) -> Problem:
    at = tuple(error.absolute_path)
    record = at if at and isinstance(at[-1], int) else at[:-1]
    kind = _record_kind(record) if record else "file"
    field = next((k for k in reversed(at) if isinstance(k, str)), "")
    expected: Any = error.validator_value  # jsonschema's types allow "unset": a raised error has them all
    instance: Any = error.instance
    if error.validator == "required":
        missing = [k for k in expected if k not in instance]
        return doc.problem(at, f"{kind} is missing the required field {missing[0]!r}")
    if error.validator == "additionalProperties":
        schema: Any = error.schema
        allowed = schema.get("properties", {})
        extra = next(k for k in instance if k not in allowed)
        return doc.problem((*at, extra), f"{_record_kind(at) if at else 'file'} has no field {extra!r}; "
                           f"fields: {', '.join(allowed)}")  # fmt: skip
    if error.validator == "enum":
        return doc.problem(at, f"{field}: {instance!r} is not one of: {', '.join(expected)}")
    if error.validator == "type":
        hint = " (quote it)" if expected == "string" and not isinstance(instance, dict | list) else ""
        return doc.problem(at, f"{field}: {instance!r} should be {_A.get(expected, expected)}{hint}")
    return doc.problem(at, f"{field}: {error.message}" if field else error.message)


_A = {"string": "text", "integer": "a whole number", "number": "a number", "boolean": "true or false",
      "object": "a mapping (key: value)", "array": "a list"}  # fmt: skip


# --- 3. names ----------------------------------------------------------------------------------


class GraphNames:
    """:class:`.build.Names` over a knowledge graph."""

    def __init__(self, kg: Graph) -> None:
        self.kg = kg

    def resolve(self, text: str, kind: str | None) -> str:
        return self.kg.resolve(text, kind)

    def _select(self, query: str, **bindings: str) -> list[terms.Row]:
        prologue = CONVERTER.sparql_prologue()
        return self.kg.engine.run(prologue + query, {k: terms.iri(v) for k, v in bindings.items()}).rows

    def exists(self, iri: str) -> bool:
        return bool(self._select("SELECT ?s ?t WHERE { ?s a ?t } LIMIT 1", s=iri))

    def labels(self, iri: str) -> dict[str, str]:
        rows = self._select(
            "SELECT ?s ?l ?a WHERE { ?s rdfs:label ?l OPTIONAL { ?s msc:abbreviation ?a } }", s=iri
        )
        return {
            label.language: (r["a"].value if "a" in r else label.value)
            for r in rows
            if isinstance(label := r["l"], ox.Literal) and label.language
        }

    def findings(self) -> dict[str, dict[str, Any]]:
        """Every finding's link key, studies and Chinese quotes."""
        rows = self._select(
            "SELECT ?f ?s ?m ?r ?d ?study ?q WHERE {"
            " ?f a msc:Finding ; msc:aboutMechanism ?m ; msc:hasRole ?r ; msc:hasDirection ?d ;"
            " msc:inDisease|msc:aboutCells ?s . OPTIONAL { ?f msc:supportedBy ?study }"
            " OPTIONAL { ?f msc:sourceSentence ?q FILTER(lang(?q) = 'zh') } }"
        )
        out: dict[str, dict[str, Any]] = {}
        for r in rows:
            f = out.setdefault(
                r["f"].value, {"key": tuple(r[k].value for k in "smrd"), "studies": set(), "quotes": set()}
            )
            if "study" in r:
                f["studies"].add(r["study"].value)
            if "q" in r:
                f["quotes"].add(markup_free(r["q"].value))
        return out


def taken_ids(result: Build, names: Names) -> list[Problem]:
    """New records whose id already names a node of the graph (``extends: true`` adds to one)."""
    return [
        r.doc.problem(
            (*r.at, "id"),
            f"id {r.data['id']!r} already exists in the data; "
            "give another id, or `extends: true` to add to it",
        )
        for r in result.records
        if "id" in r.data and not r.data.get("extends") and names.exists(MSCD + r.data["id"])
    ]


# --- 4. quotes and duplicates --------------------------------------------------------------------


def quote_problems(docs: list[Document], source: Path) -> list[Problem]:
    try:
        text = markup_free(source.read_text("utf-8"))
    except OSError as exc:
        return [Problem(str(source), 1, f"cannot read the source: {exc.strerror or exc}")]
    found = []
    for doc in docs:
        lang = doc.data.get("language", "zh")
        for rec in records(doc):
            quote = rec.data.get("quote")
            if not isinstance(quote, dict):
                continue
            if lang not in quote:
                found.append(
                    rec.doc.problem(
                        (*rec.at, "quote"), f"quote has no {lang} sentence (the source's language)"
                    )
                )
            for i, sentence in enumerate(values(quote.get(lang))):
                at = (*rec.at, "quote", lang) + ((i,) if isinstance(quote[lang], list) else ())
                if (message := _misquote(markup_free(sentence), text)) is not None:
                    found.append(rec.doc.problem(at, f"quote not found verbatim in {source.name}: {message}"))
    return found


def _misquote(quote: str, text: str) -> str | None:
    """None if ``quote`` is in ``text``; else where it parts from the source."""
    if quote in text:
        return None
    low, high = 0, len(quote)  # the longest prefix found in the text
    while low < high:
        mid = (low + high + 1) // 2
        low, high = (mid, high) if quote[:mid] in text else (low, mid - 1)
    if low == 0:
        return f"no part of it matches (starts “{quote[:12]}”)"
    return f"matches up to “…{quote[max(0, low - 12) : low]}”, then has “{quote[low : low + 12]}”"


def duplicate_findings(result: Build, names: GraphNames) -> list[Problem]:
    """Findings with the subject, mechanism, role and direction of another, and its study or its quote."""
    graph = result.triples
    found = []
    existing = names.findings()
    fields = {
        p: f"{MSC}{p}" for p in ("aboutMechanism", "hasRole", "hasDirection", "supportedBy", "sourceSentence")
    }
    mine: dict[str, dict[str, Any]] = {}
    for s, p, o in graph:
        if p.value == PREFIXES["rdf"] + "type" and o.value == MSC + "Finding":
            mine[s.value] = {"studies": set(), "quotes": set(), "parts": {}}
    for s, p, o in graph:
        f = mine.get(s.value)
        if f is None:
            continue
        if p.value == fields["supportedBy"]:
            f["studies"].add(o.value)
        elif p.value == fields["sourceSentence"] and getattr(o, "language", None) == "zh":
            f["quotes"].add(markup_free(o.value))
        elif p.value in (MSC + "inDisease", MSC + "aboutCells"):
            f["parts"]["s"] = o.value
        else:
            f["parts"][p.value] = o.value
    seen: dict[tuple[str, ...], list[tuple[str, dict[str, Any]]]] = {}
    for iri, f in existing.items():
        seen.setdefault(f["key"], []).append((iri, f))
    for iri, f in mine.items():
        parts = f["parts"]
        key = (
            parts.get("s", ""),
            *(parts.get(fields[k], "") for k in ("aboutMechanism", "hasRole", "hasDirection")),
        )
        for other, g in seen.get(key, []):
            if other != iri and (f["studies"] & g["studies"] or f["quotes"] & g["quotes"]):
                rec = result.where(iri)
                same = "study" if f["studies"] & g["studies"] else "quote"
                if rec is not None:
                    what = f"same subject, mechanism, role, direction and {same}"
                    found.append(
                        rec.doc.problem(rec.at, f"finding duplicates {CONVERTER.compact(other)} ({what})")
                    )
                break
        seen.setdefault(key, []).append((iri, f))
    return found


# --- 5. the graph's validation -------------------------------------------------------------------


def graph_problems(result: Build, kg: Graph) -> list[Problem]:
    """``mscgraph validate`` of the graph's data plus the built triples, on the built records."""
    data = [p for p in (kg.sources.files if kg.sources else ()) if p.suffix in (".ttl", ".nt")]
    with tempfile.TemporaryDirectory() as tmp:
        built = Path(tmp) / "curated.ttl"
        built.write_text(result.turtle(), "utf-8")
        report = validate_graph([*data, built])
    found = []
    for problem in report.errors:
        iri = CONVERTER.expand(problem.focus) if problem.focus else None
        rec = result.where(iri) if iri else None
        if rec is not None:
            field = _field_of(rec, problem.path)
            found.append(rec.doc.problem((*rec.at, field) if field else rec.at, problem.message))
        elif problem.file and problem.file.endswith("curated.ttl"):
            found.append(Problem("<built>", problem.line or 1, f"{problem.focus}: {problem.message}"))
    return found


def _field_of(rec: Any, path: str | None) -> str | None:
    """The record's field that holds property ``path`` (a CURIE), if it has one."""
    iri = CONVERTER.expand(path) if path else None
    return next((s.name for s in rec.cls.slots.values() if s.uri == iri and s.name in rec.data), None)
