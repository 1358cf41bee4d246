"""The whole graph's network rows, evidence rows and link summaries, joined here from flat facts.

The named queries (``_network-nodes``, ``_network-findings``, ``evidence``, ``link-summary`` ...) are
planned for one disease or mechanism: a LATERAL plan per row, which over the whole graph costs a few
index lookups per row and pattern (20 s for the page of a graph of 350,000 triples). The whole-graph
network and page read instead every triple of the few dozen predicates they need, one flat scan each
(``_page-facts``), and join them here: the most specific class from the tiny class hierarchy, labels by
language, the per-node lists. Each function answers exactly what its query answers (the same rows, as
:meth:`mscgraph.graph.Graph.rows` gives them); tests/test_wholegraph.py compares them on the real data.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from functools import cache
from itertools import product
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from mscgraph.model.errors import MscGraphError
from mscgraph.model.namespaces import CONVERTER, MSC, MSCD, OBO
from mscgraph.query.terms import Term, python

if TYPE_CHECKING:
    from mscgraph.graph import Graph

# the predicates' names in _page-facts
RDF_TYPE, LABEL, SUBCLASS, SKOS_MATCH, TITLE = "type", "label", "subClassOf", "exactMatch", "title"
ROOTS = {MSC + "Disease": "disease", MSC + "ImmuneMechanism": "mechanism", MSC + "Study": "study"}
ROOTS[MSC + "MSCProduct"] = "product"
FINDING, CLINICAL, REVIEW = MSC + "Finding", MSC + "ClinicalEvidence", MSCD + "review"
Row = dict[str, Any]
_NONE: dict[str, list[Term]] = {}


class Facts:
    """Every triple of :data:`PREDICATES`, and the types under the network's root classes and
    ``msc:Finding`` (only those can decide a most specific class): subject -> predicate -> objects."""

    def __init__(self, kg: Graph) -> None:
        self.out: dict[Term, dict[str, list[Term]]] = defaultdict(dict)
        result = kg.run("_page-facts")
        if result.variables != ["s", "p", "o"]:
            raise MscGraphError(f"_page-facts answered {result.variables}, not ?s ?p ?o")
        for s, p, o in result.tuples():
            if s is None or p is None or o is None:
                continue
            values = self.out[s].setdefault(p.value, [])
            if o not in values:  # a triple stated in two files is one triple
                values.append(o)
        self._text: dict[tuple[Any, ...], list[Term]] = {}
        self._types: dict[Term, list[str]] = {}
        self._values: dict[Term, Any] = {}
        self.parents: dict[str, set[str]] = defaultdict(set)
        self.supporting: dict[Term, list[Term]] = defaultdict(list)  # study -> the findings it supports
        for s, props in self.out.items():
            for o in props.get(SUBCLASS, ()):
                self.parents[s.value].add(o.value)
            for study in props.get("supportedBy", ()):
                self.supporting[study].append(s)
        self.findings = [s for s in self.out if FINDING in self.types(s)]  # typed msc:Finding

    def __call__(self, s: Term, p: str) -> list[Term]:
        return self.out.get(s, _NONE).get(p, [])

    def text(self, s: Term, path: str | tuple[str, ...], *tags: str | None) -> list[Term]:
        """The literals at ``s``'s path (one predicate or a sequence) in one of the languages ``tags``."""
        key = (s, path, tags)
        if (found := self._text.get(key)) is None:
            found = _lang(self(s, path) if isinstance(path, str) else self.path(s, *path), *tags)
            self._text[key] = found
        return found

    def path(self, s: Term, *ps: str) -> list[Term]:
        """The objects of the sequence path ``p1/p2/...`` from ``s`` (a bag, as SPARQL joins it)."""
        here = [s]
        for p in ps:
            here = [o for x in here for o in self(x, p)]
        return here

    def subjects(self, p: str) -> list[Term]:
        return sorted((s for s, props in self.out.items() if p in props), key=_key)

    def value(self, term: Term | None) -> Any:
        """The term as :meth:`mscgraph.graph.Graph.rows` gives it: a CURIE, a Python value or None."""
        if term is None:
            return None
        if (found := self._values.get(term)) is None:
            found = self._values[term] = _v(term)
        return found

    def types(self, s: Term) -> list[str]:
        if (found := self._types.get(s)) is None:
            found = self._types[s] = [c.value for c in self(s, RDF_TYPE)]
        return found

    @cache  # noqa: B019 (the facts live as long as the page is built)
    def ancestors(self, c: str) -> set[str]:
        """``c rdfs:subClassOf+ ?x``."""
        seen: set[str] = set()
        todo = list(self.parents.get(c, ()))
        while todo:
            if (x := todo.pop()) not in seen:
                seen.add(x)
                todo += self.parents.get(x, ())
        return seen

    @cache  # noqa: B019
    def below(self, root: str) -> set[str]:
        """``?x rdfs:subClassOf* root``."""
        return {c for c in self.parents if root in self.ancestors(c)} | {root}

    def most_specific(self, s: Term, direct: bool = False) -> list[str]:
        """The types of ``s`` that no other type of ``s`` is a subclass of (``direct``: a direct one)."""
        types = self.types(s)
        return [
            c
            for c in types
            if not any(
                sub != c and c in (self.parents.get(sub, set()) if direct else self.ancestors(sub))
                for sub in types
            )
        ]


def _key(term: Term) -> str:
    return term.value


def _lang(terms: Iterable[Term], *tags: str | None) -> list[Term]:
    """The literals whose language is one of ``tags`` (``None``: no language, SPARQL's ``""``)."""
    return [t for t in terms if isinstance(t, ox.Literal) and t.language in tags]


def _opt(values: list[Any]) -> list[Any]:
    return values or [None]


@cache
def _curie(iri: str) -> str:
    return CONVERTER.compact(iri)


def _v(term: Term | None) -> Any:
    if term is None:
        return None
    return _curie(term.value) if isinstance(term, ox.NamedNode) else python(term)


def _concat(values: Iterable[Term], sep: str) -> str:
    return sep.join(dict.fromkeys(t.value for t in values))


# --- network.build ---------------------------------------------------------------------------


def node_rows(f: Facts) -> list[Row]:
    """The rows of ``_network-nodes``."""
    rows = []
    for node in [s for s in f.out if f(s, RDF_TYPE)]:
        for c in f.most_specific(node):
            for root, kind in ROOTS.items():
                if root not in f.ancestors(c) | {c}:
                    continue
                pubs: list[tuple[Any, ...]] = []
                for pub in f(node, "reportedIn"):
                    pubs += product(
                        [pub],
                        *(_opt(f(pub, p)) for p in ("firstAuthor", "year", "referenceNumber")),
                        _opt(f.text(pub, TITLE, "en", None)),
                        _opt(f(pub, "pmid")),
                        _opt(f(pub, "doi")),
                    )
                shared = {
                    "node": node,
                    "kind": kind,
                    "class": ox.NamedNode(c),
                    "exact_match": ox.Literal(
                        " ".join(dict.fromkeys(str(m.value) for m in f(node, SKOS_MATCH)))
                    ),
                    "species": ox.Literal(_concat(f.text(node, ("hasOrganism", LABEL), "en"), "; ")),
                    "sentence_zh": ox.Literal(_concat(f.text(node, "sourceSentence", "zh"), "\n")),
                    "sentence_en": ox.Literal(_concat(f.text(node, "sourceSentence", "en"), "\n")),
                    "finding_evidence": ox.Literal(
                        _concat(
                            _lang(
                                (
                                    label
                                    for s in f.supporting.get(node, [])
                                    for e in f(s, "hasEvidenceType")
                                    for label in f(e, LABEL)
                                ),
                                "en",
                            ),
                            "; ",
                        )
                    ),
                }
                for combo in product(
                    _opt(f.text(ox.NamedNode(c), LABEL, "en")),
                    _opt(f.text(node, LABEL, "en")),
                    _opt(f.text(node, LABEL, "zh")),
                    _opt(f(node, "abbreviation")),
                    _opt(pubs),
                    _opt(f.text(node, ("hasTissueSource", LABEL), "en")),
                    _opt(f.text(node, ("hasDonorType", LABEL), "en")),
                ):
                    class_label, label_en, label_zh, abbreviation, pub, tissue, donor = combo
                    publication, first_author, year, reference, title, pmid, doi = pub or (None,) * 7
                    row = {
                        **shared,
                        "class_label": class_label,
                        "label_en": label_en,
                        "label_zh": label_zh,
                        "abbreviation": abbreviation,
                        "publication": publication,
                        "first_author": first_author,
                        "year": year,
                        "reference": reference,
                        "title": title,
                        "pmid": pmid,
                        "doi": doi,
                        "tissue_source": tissue,
                        "donor_type": donor,
                    }
                    rows.append({k: f.value(v) if k != "kind" else v for k, v in row.items()})
    rows = list({tuple(r.items()): r for r in rows}.values())  # GROUP BY: equal rows are one
    return sorted(rows, key=lambda r: (r["kind"], _expand(r["node"])))


@cache
def _expand(curie: str) -> str:
    return CONVERTER.expand(curie) or curie


def _findings(f: Facts, anchor: tuple[str, ...] = ("inDisease",)) -> Iterator[tuple[Term, Term]]:
    """(finding, subject) for every finding (typed msc:Finding) on a subject, by ``anchor``."""
    for finding in f.findings:
        for p in anchor:
            for subject in f(finding, p):
                yield finding, subject


def _cohort_sizes(f: Facts, study: Term, disease: Term) -> list[Term]:
    return [
        size
        for cohort in f(study, "hasCohort")
        if disease in f(cohort, "inDisease")
        for size in f(cohort, "cohortSize")
    ]


def finding_rows(f: Facts) -> list[Row]:
    """The rows of ``_network-findings``."""
    rows = []
    for finding, disease in _findings(f):
        for mechanism, direction, role, evidence, study in product(
            *(
                f(finding, p)
                for p in ("aboutMechanism", "hasDirection", "hasRole", "hasEvidenceType", "supportedBy")
            )
        ):
            eco = [m for m in f(evidence, SKOS_MATCH) if m.value.startswith(OBO + "ECO_")]
            for combo in product(
                _opt(f.text(direction, LABEL, "en")),
                _opt(f.text(direction, LABEL, "zh")),
                _opt(f.text(role, LABEL, "en")),
                _opt(f.text(evidence, LABEL, "en")),
                _opt(eco),
                _opt(f.text(finding, "sourceSentence", "zh")),
                _opt(f.text(finding, "sourceSentence", "en")),
                _opt(_cohort_sizes(f, study, disease)),
            ):
                values: tuple[Any, ...] = (finding, disease, mechanism, direction, *combo[:2], role, combo[2])
                values += (evidence, *combo[3:5], study, combo[7], *combo[5:7])
                rows.append(dict(zip(_FINDING_COLUMNS, map(f.value, values), strict=True)))
    return sorted(
        rows, key=lambda r: tuple(_expand(r[k]) for k in ("disease", "mechanism", "finding", "study"))
    )


_FINDING_COLUMNS = [
    "finding",
    "disease",
    "mechanism",
    "direction",
    "direction_label",
    "direction_zh",
    "role",
    "role_label",
    "evidence",
    "evidence_label",
    "evidence_eco",
    "study",
    "cohort_size",
    "sentence_zh",
    "sentence_en",
]


def link_rows(f: Facts) -> list[Row]:
    """The rows of ``_network-study-links`` then those of ``_network-product-links``."""
    pairs = {
        (disease, study)
        for study in f.out
        for cohort in f(study, "hasCohort")
        for disease in f(cohort, "inDisease")
    }
    pairs |= {(disease, study) for finding, disease in _findings(f) for study in f(finding, "supportedBy")}
    studies = {
        (f.value(study), "disease", f.value(target), f.value(size))
        for target, study in pairs
        for size in _opt(_cohort_sizes(f, study, target))
    }
    products = {
        (f.value(study), "product", f.value(target))
        for study in f.out
        for target in f.path(study, "hasIntervention", "usesProduct")
    }

    def order(row: tuple[Any, ...]) -> tuple[str, str, str]:
        return _expand(row[0]), row[1], _expand(row[2])

    return [
        {"target": t, "study": s, "link": link, "cohort_size": size}
        for s, link, t, size in sorted(studies, key=order)
    ] + [{"study": s, "link": link, "target": t} for s, link, t in sorted(products, key=order)]


# --- the page's evidence -----------------------------------------------------------------------


def evidence_rows(f: Facts) -> list[Row]:
    """The rows of the ``evidence`` query run unbound (every finding), unbound values left out."""
    study_root = MSC + "Study"
    groups: dict[tuple[Any, ...], list[tuple[Any, ...]]] = defaultdict(list)
    for finding, subject in _findings(f, ("inDisease", "aboutCells")):
        for mechanism, study in product(f(finding, "aboutMechanism"), f(finding, "supportedBy")):
            study_types = [
                label
                for c in f.most_specific(study, direct=True)
                if c in f.below(study_root)
                for label in f.text(ox.NamedNode(c), LABEL, "en")
            ]
            pubs: list[tuple[Any, ...]] = []
            for pub in f(study, "reportedIn"):
                pubs += product(
                    f(pub, "firstAuthor"),
                    f(pub, "year"),
                    _opt(f(pub, "referenceNumber")),
                    _opt(f.text(pub, TITLE, "en", None)),
                    _opt(f(pub, "journal")),
                    _opt(f(pub, "doi")),
                    _opt(f(pub, "pmid")),
                )
            notes = [
                ox.Literal(f"{kind.value}: {says.value}")
                for d in f(finding, "hasDiscrepancy") + f(study, "hasDiscrepancy")
                for says in f.text(d, "referenceSays", "en", None)
                for kind in f(d, "discrepancyKind")
            ]
            for combo in product(
                f.text(finding, ("hasDirection", LABEL), "en"),
                f.text(finding, ("hasRole", LABEL), "en"),
                f.text(finding, ("hasEvidenceType", LABEL), "en"),
                f.text(finding, ("inSection", LABEL), "zh"),
                f.text(finding, "sourceSentence", "zh"),
                f.text(finding, "sourceSentence", "en"),
                f.text(study, LABEL, "en"),
                study_types,
                _opt(f.text(finding, ("hasOrganism", LABEL), "en")),
                _opt(f.text(study, "animalModel", "en", None)),
                _opt(f.text(finding, "withTreatment", "en")),
                _opt(f.text(finding, "note", "en")),
                _opt(_cohort_sizes(f, study, subject)),
                _opt(f.text(study, ("hasIntervention", "usesProduct", LABEL), "en")),
                _opt(pubs),
                _opt(notes),
            ):
                direction, role, evidence, section, zh, en, label, stype, organism = combo[:9]
                animal_model, treatment, note, cohort_size, msc_product, pub, discrepancy = combo[9:]
                first_author, year, reference, title, journal, doi, pmid = pub or (None,) * 7
                key: tuple[Any, ...] = (subject, mechanism, finding, direction, role, evidence, organism)
                key += (study, label, stype, cohort_size, msc_product, first_author, year, reference, title)
                key += (journal, section, zh, en)
                groups[key].append((doi, pmid, animal_model, treatment, note, discrepancy))
    rows = []
    for key, members in groups.items():
        sampled = [next((m[i] for m in members if m[i] is not None), None) for i in range(5)]
        joined = " | ".join(sorted({m[5].value for m in members if m[5] is not None}))  # in a fixed order
        discrepancy = (
            ox.Literal(joined) if joined else None
        )  # pyoxigraph leaves an empty GROUP_CONCAT unbound
        row = dict(zip(_EVIDENCE_GROUPED, key, strict=True))
        row |= dict(zip(("doi", "pmid", "animal_model", "treatment", "note"), sampled, strict=True))
        row["discrepancy"] = discrepancy
        rows.append({k: f.value(v) for k, v in row.items() if v is not None})
    return rows


_EVIDENCE_GROUPED = [
    "disease",
    "mechanism",
    "finding",
    "direction",
    "role",
    "evidence",
    "organism",
    "study",
    "study_label",
    "study_type",
    "cohort_size",
    "msc_product",
    "first_author",
    "year",
    "reference",
    "title",
    "journal",
    "section",
    "sentence_zh",
    "sentence_en",
]


def summary_rows(f: Facts) -> list[Row]:
    """The rows of the ``link-summary`` query run unbound (every link), as ``Graph.rows`` gives them; the
    lists that query leaves in the engine's order (treatment, species, animal models) are sorted."""
    anchor = ("inDisease", "aboutCells")
    main: dict[tuple[Term, Term, Term], dict[str, set[Any]]] = defaultdict(lambda: defaultdict(set))
    for finding, subject in _findings(f, anchor):
        either = f(finding, "hasDirection") + f.path(finding, "hasDirection", "oppositeOf")
        for mechanism, role, direction, evidence, study in product(
            *(
                f(finding, p)
                for p in ("aboutMechanism", "hasRole", "hasDirection", "hasEvidenceType", "supportedBy")
            )
        ):
            ranks = f(evidence, "evidenceRank")
            labels = f.text(direction, LABEL, "en")
            pubs = [
                (pub, author, year)
                for pub in f(study, "reportedIn")
                for author in f(pub, "firstAuthor")
                for year in f(pub, "year")
            ]
            if not (ranks and labels and pubs and either):
                continue
            link = main[(subject, mechanism, role)]
            link["direction"].add(direction)
            link["either"].update(either)
            link["opposite"].update(f(direction, "oppositeOf"))
            link["direction_label"].update(t.value for t in labels)
            link["finding"].add(finding)
            link["rank"].update(ranks)
            link["treatment"].update(t.value for t in f.text(finding, "withTreatment", "en"))
            link["discrepancy"].update(f(finding, "hasDiscrepancy"))
            link["discrepancy"].update(f.path(finding, "supportedBy", "hasDiscrepancy"))
            for pub, author, year in pubs:
                review = pub.value == REVIEW
                link["cited" if not review else "own"].add(pub if not review else finding)
                if evidence.value == CLINICAL and not review:
                    link["clinical"].add(pub)
                for n in _opt(f(pub, "referenceNumber")):
                    link["refnum"].add(n.value if n is not None else "")
                    if n is not None:
                        link["citation"].add(f"{author.value} {year.value} [{n.value}]")
                    else:
                        link["citation"].add("this review" if review else f"{author.value} {year.value}")
    by_rank: dict[tuple[Term, Term, Term, Any], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    patients: dict[tuple[Term, Term, Term], set[tuple[Term, int]]] = defaultdict(set)
    for finding, subject in ((x, s) for x in f.out for p in anchor for s in f(x, p)):
        for mechanism, role in product(f(finding, "aboutMechanism"), f(finding, "hasRole")):
            for rank in (r for e in f(finding, "hasEvidenceType") for r in f(e, "evidenceRank")):
                group = by_rank[(subject, mechanism, role, python(rank))]
                group["species"] += [t.value for t in f.text(finding, ("hasOrganism", LABEL), "en")]
                models = f.text(finding, ("supportedBy", "animalModel"), "en", None)
                group["models"] += [t.value for t in models]
            clinical = any(e.value == CLINICAL for e in f(finding, "hasEvidenceType"))
            for study in f(finding, "supportedBy"):
                sizes = [python(s) for s in _cohort_sizes(f, study, subject)] if clinical else []
                patients[(subject, mechanism, role)].update((study, size) for size in sizes or [0])
    strongest: dict[Any, list[str]] = defaultdict(list)
    for e in f.subjects("evidenceRank"):
        for rank in f(e, "evidenceRank"):
            strongest[python(rank)] += [t.value for t in f.text(e, LABEL, "en")]
    rows = []
    for (subject, mechanism, role), link in main.items():
        rank = max(python(r) for r in link["rank"])
        if (subject, mechanism, role, rank) not in by_rank:
            continue
        extra = by_rank[(subject, mechanism, role, rank)]
        conflict = len(link["direction"]) + len(link["opposite"]) > len(link["either"])
        clinical_studies = len(link["clinical"])
        if rank == 4:
            tier = "A" if clinical_studies >= 2 and not conflict else "B"
        else:
            tier = {3: "C", 2: "D"}.get(rank, "E")
        patient_sum = sum(size for _, size in patients[(subject, mechanism, role)])
        mechanism_types = [
            label
            for c in f.types(mechanism)
            if MSC + "ImmuneMechanism" in f.parents.get(c, set())
            for label in f.text(ox.NamedNode(c), LABEL, "en")
        ]
        for combo in product(
            strongest[rank],
            f.text(subject, LABEL, "en"),
            f.text(mechanism, LABEL, "en"),
            mechanism_types,
            f.text(role, LABEL, "en"),
            _opt(f(subject, "abbreviation")),
            _opt(f(mechanism, "abbreviation")),
        ):
            strongest_evidence, subject_label, mechanism_label, mechanism_type, role_label = combo[:5]
            subject_abbr, mechanism_abbr = combo[5:]
            rows.append(
                {
                    "subject": f.value(subject),
                    "subject_label": subject_label.value,
                    "subject_abbr": f.value(subject_abbr),
                    "mechanism": f.value(mechanism),
                    "mechanism_label": mechanism_label.value,
                    "mechanism_abbr": f.value(mechanism_abbr),
                    "mechanism_type": mechanism_type.value,
                    "role": f.value(role),
                    "role_label": role_label.value,
                    "treatment": "; ".join(sorted(link["treatment"])),
                    "directions": "; ".join(sorted(link["direction_label"])),
                    "agreement": "conflicting"
                    if conflict
                    else "mixed"
                    if len(link["direction"]) > 1
                    else "consistent",
                    "findings": len(link["finding"]),
                    "studies": len(link["cited"]),
                    "review_statements": len(link["own"]),
                    "strongest_evidence": strongest_evidence,
                    "evidence_rank": rank,
                    "clinical_studies": clinical_studies,
                    "species": "; ".join(sorted(set(extra["species"]))),
                    "animal_models": "; ".join(sorted(set(extra["models"]))),
                    "patients": patient_sum if patient_sum > 0 else None,
                    "discrepancies": len(link["discrepancy"]),
                    "tier": tier,
                    "citations": "; ".join(sorted(link["citation"])),
                    "references": ", ".join(sorted(link["refnum"])),
                }
            )

    def order(r: Row) -> tuple[str, str, str, str]:
        name = (r["mechanism_abbr"] or r["mechanism_label"]).lower()
        return _expand(r["subject"]), r["tier"], name, _expand(r["role"])

    return sorted(rows, key=order)
