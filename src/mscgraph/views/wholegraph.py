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

from mscgraph.model.namespaces import CONVERTER, MSC, MSCD, OBO
from mscgraph.query.terms import Term, python

if TYPE_CHECKING:
    from mscgraph.graph import Graph

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
LABEL, SUBCLASS = RDFS + "label", RDFS + "subClassOf"
SKOS_MATCH = "http://www.w3.org/2004/02/skos/core#exactMatch"
TITLE = "http://purl.org/dc/terms/title"
BIBO = "http://purl.org/ontology/bibo/"
PREDICATES = (
    LABEL,
    SUBCLASS,
    SKOS_MATCH,
    TITLE,
    BIBO + "doi",
    BIBO + "pmid",
    *(
        MSC + p
        for p in [
            "abbreviation",
            "evidenceRank",
            "oppositeOf",
            "inDisease",
            "aboutCells",
            "aboutMechanism",
            "hasDirection",
            "hasRole",
            "hasEvidenceType",
            "supportedBy",
            "inSection",
            "sourceSentence",
            "hasOrganism",
            "withTreatment",
            "note",
            "hasDiscrepancy",
            "referenceSays",
            "discrepancyKind",
            "hasCohort",
            "cohortSize",
            "hasIntervention",
            "usesProduct",
            "hasTissueSource",
            "hasDonorType",
            "animalModel",
            "reportedIn",
            "firstAuthor",
            "year",
            "referenceNumber",
            "journal",
        ]
    ),
)
ROOTS = {MSC + "Disease": "disease", MSC + "ImmuneMechanism": "mechanism", MSC + "Study": "study"}
ROOTS[MSC + "MSCProduct"] = "product"
FINDING, CLINICAL, REVIEW = MSC + "Finding", MSC + "ClinicalEvidence", MSCD + "review"
Row = dict[str, Any]


class Facts:
    """Every triple of :data:`PREDICATES`, and the types under the network's root classes and
    ``msc:Finding`` (only those can decide a most specific class): subject -> predicate -> objects."""

    def __init__(self, kg: Graph) -> None:
        self.out: dict[Term, dict[str, list[Term]]] = defaultdict(dict)
        for p in PREDICATES:
            self._read(kg, p)
        self.parents: dict[str, set[str]] = defaultdict(set)
        for s, props in self.out.items():
            for o in props.get(SUBCLASS, ()):
                self.parents[s.value].add(o.value)
        for c in sorted({c for root in ROOTS for c in self.below(root)} | {FINDING}):
            self._read(kg, RDF_TYPE, c)
        self.supporting: dict[Term, list[Term]] = defaultdict(list)  # study -> the findings it supports
        for s, props in self.out.items():
            for study in props.get(MSC + "supportedBy", ()):
                self.supporting[study].append(s)

    def _read(self, kg: Graph, p: str, o: str | None = None) -> None:
        for r in kg.run("_page-facts", {"p": p, **({"o": o} if o else {})}).rows:
            values = self.out[r["s"]].setdefault(p, [])
            if r["o"] not in values:  # a triple stated in two files is one triple
                values.append(r["o"])

    def __call__(self, s: Term, p: str) -> list[Term]:
        return self.out.get(s, {}).get(p, [])

    def path(self, s: Term, *ps: str) -> list[Term]:
        """The objects of the sequence path ``p1/p2/...`` from ``s`` (a bag, as SPARQL joins it)."""
        here = [s]
        for p in ps:
            here = [o for x in here for o in self(x, p)]
        return here

    def subjects(self, p: str) -> list[Term]:
        return sorted((s for s, props in self.out.items() if p in props), key=_key)

    def types(self, s: Term) -> list[str]:
        return [c.value for c in self(s, RDF_TYPE)]

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
                for pub in f(node, MSC + "reportedIn"):
                    pubs += product(
                        [pub],
                        *(
                            _opt(f(pub, p))
                            for p in (MSC + "firstAuthor", MSC + "year", MSC + "referenceNumber")
                        ),
                        _opt(_lang(f(pub, TITLE), "en", None)),
                        _opt(f(pub, BIBO + "pmid")),
                        _opt(f(pub, BIBO + "doi")),
                    )
                shared = {
                    "node": node,
                    "kind": kind,
                    "class": ox.NamedNode(c),
                    "exact_match": ox.Literal(
                        " ".join(dict.fromkeys(str(m.value) for m in f(node, SKOS_MATCH)))
                    ),
                    "species": ox.Literal(
                        _concat(_lang(f.path(node, MSC + "hasOrganism", LABEL), "en"), "; ")
                    ),
                    "sentence_zh": ox.Literal(_concat(_lang(f(node, MSC + "sourceSentence"), "zh"), "\n")),
                    "sentence_en": ox.Literal(_concat(_lang(f(node, MSC + "sourceSentence"), "en"), "\n")),
                    "finding_evidence": ox.Literal(
                        _concat(
                            _lang(
                                (
                                    label
                                    for s in f.supporting.get(node, [])
                                    for e in f(s, MSC + "hasEvidenceType")
                                    for label in f(e, LABEL)
                                ),
                                "en",
                            ),
                            "; ",
                        )
                    ),
                }
                for combo in product(
                    _opt(_lang(f(ox.NamedNode(c), LABEL), "en")),
                    _opt(_lang(f(node, LABEL), "en")),
                    _opt(_lang(f(node, LABEL), "zh")),
                    _opt(f(node, MSC + "abbreviation")),
                    _opt(pubs),
                    _opt(_lang(f.path(node, MSC + "hasTissueSource", LABEL), "en")),
                    _opt(_lang(f.path(node, MSC + "hasDonorType", LABEL), "en")),
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
                    rows.append({k: _v(v) if k != "kind" else v for k, v in row.items()})
    rows = list({tuple(r.items()): r for r in rows}.values())  # GROUP BY: equal rows are one
    return sorted(rows, key=lambda r: (r["kind"], _expand(r["node"])))


def _expand(curie: str) -> str:
    return CONVERTER.expand(curie) or curie


def _findings(f: Facts, anchor: tuple[str, ...] = (MSC + "inDisease",)) -> Iterator[tuple[Term, Term]]:
    """(finding, subject) for every finding (typed msc:Finding) on a subject, by ``anchor``."""
    for finding in f.out:
        if FINDING in f.types(finding):
            for p in anchor:
                for subject in f(finding, p):
                    yield finding, subject


def _cohort_sizes(f: Facts, study: Term, disease: Term) -> list[Term]:
    return [
        size
        for cohort in f(study, MSC + "hasCohort")
        if disease in f(cohort, MSC + "inDisease")
        for size in f(cohort, MSC + "cohortSize")
    ]


def finding_rows(f: Facts) -> list[Row]:
    """The rows of ``_network-findings``."""
    rows = []
    for finding, disease in _findings(f):
        for mechanism, direction, role, evidence, study in product(
            *(
                f(finding, MSC + p)
                for p in ("aboutMechanism", "hasDirection", "hasRole", "hasEvidenceType", "supportedBy")
            )
        ):
            eco = [m for m in f(evidence, SKOS_MATCH) if m.value.startswith(OBO + "ECO_")]
            for combo in product(
                _opt(_lang(f(direction, LABEL), "en")),
                _opt(_lang(f(direction, LABEL), "zh")),
                _opt(_lang(f(role, LABEL), "en")),
                _opt(_lang(f(evidence, LABEL), "en")),
                _opt(eco),
                _opt(_lang(f(finding, MSC + "sourceSentence"), "zh")),
                _opt(_lang(f(finding, MSC + "sourceSentence"), "en")),
                _opt(_cohort_sizes(f, study, disease)),
            ):
                values: tuple[Any, ...] = (finding, disease, mechanism, direction, *combo[:2], role, combo[2])
                values += (evidence, *combo[3:5], study, combo[7], *combo[5:7])
                rows.append(dict(zip(_FINDING_COLUMNS, map(_v, values), strict=True)))
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
        for cohort in f(study, MSC + "hasCohort")
        for disease in f(cohort, MSC + "inDisease")
    }
    pairs |= {
        (disease, study) for finding, disease in _findings(f) for study in f(finding, MSC + "supportedBy")
    }
    studies = {
        (_v(study), "disease", _v(target), _v(size))
        for target, study in pairs
        for size in _opt(_cohort_sizes(f, study, target))
    }
    products = {
        (_v(study), "product", _v(target))
        for study in f.out
        for target in f.path(study, MSC + "hasIntervention", MSC + "usesProduct")
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
    for finding, subject in _findings(f, (MSC + "inDisease", MSC + "aboutCells")):
        for mechanism, study in product(f(finding, MSC + "aboutMechanism"), f(finding, MSC + "supportedBy")):
            study_types = [
                label
                for c in f.most_specific(study, direct=True)
                if c in f.below(study_root)
                for label in _lang(f(ox.NamedNode(c), LABEL), "en")
            ]
            pubs: list[tuple[Any, ...]] = []
            for pub in f(study, MSC + "reportedIn"):
                pubs += product(
                    f(pub, MSC + "firstAuthor"),
                    f(pub, MSC + "year"),
                    _opt(f(pub, MSC + "referenceNumber")),
                    _opt(_lang(f(pub, TITLE), "en", None)),
                    _opt(f(pub, MSC + "journal")),
                    _opt(f(pub, BIBO + "doi")),
                    _opt(f(pub, BIBO + "pmid")),
                )
            notes = [
                ox.Literal(f"{kind.value}: {says.value}")
                for d in f(finding, MSC + "hasDiscrepancy") + f(study, MSC + "hasDiscrepancy")
                for says in _lang(f(d, MSC + "referenceSays"), "en", None)
                for kind in f(d, MSC + "discrepancyKind")
            ]
            for combo in product(
                _lang(f.path(finding, MSC + "hasDirection", LABEL), "en"),
                _lang(f.path(finding, MSC + "hasRole", LABEL), "en"),
                _lang(f.path(finding, MSC + "hasEvidenceType", LABEL), "en"),
                _lang(f.path(finding, MSC + "inSection", LABEL), "zh"),
                _lang(f(finding, MSC + "sourceSentence"), "zh"),
                _lang(f(finding, MSC + "sourceSentence"), "en"),
                _lang(f(study, LABEL), "en"),
                study_types,
                _opt(_lang(f.path(finding, MSC + "hasOrganism", LABEL), "en")),
                _opt(_lang(f(study, MSC + "animalModel"), "en", None)),
                _opt(_lang(f(finding, MSC + "withTreatment"), "en")),
                _opt(_lang(f(finding, MSC + "note"), "en")),
                _opt(_cohort_sizes(f, study, subject)),
                _opt(_lang(f.path(study, MSC + "hasIntervention", MSC + "usesProduct", LABEL), "en")),
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
        rows.append({k: _v(v) for k, v in row.items() if v is not None})
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
    """The rows of the ``link-summary`` query run unbound (every link), as ``Graph.rows`` gives them."""
    anchor = (MSC + "inDisease", MSC + "aboutCells")
    main: dict[tuple[Term, Term, Term], dict[str, set[Any]]] = defaultdict(lambda: defaultdict(set))
    for finding, subject in _findings(f, anchor):
        either = f(finding, MSC + "hasDirection") + f.path(finding, MSC + "hasDirection", MSC + "oppositeOf")
        for mechanism, role, direction, evidence, study in product(
            *(
                f(finding, MSC + p)
                for p in ("aboutMechanism", "hasRole", "hasDirection", "hasEvidenceType", "supportedBy")
            )
        ):
            ranks = f(evidence, MSC + "evidenceRank")
            labels = _lang(f(direction, LABEL), "en")
            pubs = [
                (pub, author, year)
                for pub in f(study, MSC + "reportedIn")
                for author in f(pub, MSC + "firstAuthor")
                for year in f(pub, MSC + "year")
            ]
            if not (ranks and labels and pubs and either):
                continue
            link = main[(subject, mechanism, role)]
            link["direction"].add(direction)
            link["either"].update(either)
            link["opposite"].update(f(direction, MSC + "oppositeOf"))
            link["direction_label"].update(t.value for t in labels)
            link["finding"].add(finding)
            link["rank"].update(ranks)
            link["treatment"].update(t.value for t in _lang(f(finding, MSC + "withTreatment"), "en"))
            link["discrepancy"].update(f(finding, MSC + "hasDiscrepancy"))
            link["discrepancy"].update(f.path(finding, MSC + "supportedBy", MSC + "hasDiscrepancy"))
            for pub, author, year in pubs:
                review = pub.value == REVIEW
                link["cited" if not review else "own"].add(pub if not review else finding)
                if evidence.value == CLINICAL and not review:
                    link["clinical"].add(pub)
                for n in _opt(f(pub, MSC + "referenceNumber")):
                    link["refnum"].add(n.value if n is not None else "")
                    if n is not None:
                        link["citation"].add(f"{author.value} {year.value} [{n.value}]")
                    else:
                        link["citation"].add("this review" if review else f"{author.value} {year.value}")
    by_rank: dict[tuple[Term, Term, Term, Any], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    patients: dict[tuple[Term, Term, Term], set[tuple[Term, int]]] = defaultdict(set)
    for finding, subject in ((x, s) for x in f.out for p in anchor for s in f(x, p)):
        for mechanism, role in product(f(finding, MSC + "aboutMechanism"), f(finding, MSC + "hasRole")):
            for rank in (r for e in f(finding, MSC + "hasEvidenceType") for r in f(e, MSC + "evidenceRank")):
                group = by_rank[(subject, mechanism, role, python(rank))]
                group["species"] += [
                    t.value for t in _lang(f.path(finding, MSC + "hasOrganism", LABEL), "en")
                ]
                models = _lang(f.path(finding, MSC + "supportedBy", MSC + "animalModel"), "en", None)
                group["models"] += [t.value for t in models]
            clinical = any(e.value == CLINICAL for e in f(finding, MSC + "hasEvidenceType"))
            for study in f(finding, MSC + "supportedBy"):
                sizes = [python(s) for s in _cohort_sizes(f, study, subject)] if clinical else []
                patients[(subject, mechanism, role)].update((study, size) for size in sizes or [0])
    strongest: dict[Any, list[str]] = defaultdict(list)
    for e in f.subjects(MSC + "evidenceRank"):
        for rank in f(e, MSC + "evidenceRank"):
            strongest[python(rank)] += [t.value for t in _lang(f(e, LABEL), "en")]
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
            for label in _lang(f(ox.NamedNode(c), LABEL), "en")
        ]
        for combo in product(
            strongest[rank],
            _lang(f(subject, LABEL), "en"),
            _lang(f(mechanism, LABEL), "en"),
            mechanism_types,
            _lang(f(role, LABEL), "en"),
            _opt(f(subject, MSC + "abbreviation")),
            _opt(f(mechanism, MSC + "abbreviation")),
        ):
            strongest_evidence, subject_label, mechanism_label, mechanism_type, role_label = combo[:5]
            subject_abbr, mechanism_abbr = combo[5:]
            rows.append(
                {
                    "subject": _v(subject),
                    "subject_label": subject_label.value,
                    "subject_abbr": _v(subject_abbr),
                    "mechanism": _v(mechanism),
                    "mechanism_label": mechanism_label.value,
                    "mechanism_abbr": _v(mechanism_abbr),
                    "mechanism_type": mechanism_type.value,
                    "role": _v(role),
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
                    "species": "; ".join(dict.fromkeys(extra["species"])),
                    "animal_models": "; ".join(dict.fromkeys(extra["models"])),
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
