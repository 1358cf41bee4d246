"""The whole graph's network rows, evidence rows and link summaries, joined here from flat facts.

The named queries (``_network-nodes``, ``_network-findings``, ``evidence``, ``link-summary`` ...) are
planned for one disease or mechanism: a LATERAL plan per row, which over the whole graph costs a few
index lookups per row and pattern (20 s for the page of a graph of 350,000 triples). The whole-graph
network and page read instead every triple of the few dozen predicates they need, one flat scan each
(``_page-facts``), and join them here: the most specific class from the tiny class hierarchy, labels by
language, the per-node lists. Each function answers exactly what its query answers (the same rows, as
:meth:`mscgraph.graph.Graph.rows` gives them); tests/test_wholegraph.py compares them on the real data.

The facts (:mod:`mscgraph.store.facts`: kept in the index per file, else read from the engine) are plain
Python values: an IRI as its text, a blank node as ``_:id``, a literal as a :class:`Lit` (hashing and
comparing them then costs the engine nothing).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cache, cached_property
from itertools import product
from typing import TYPE_CHECKING, Any

from mscgraph.model.errors import MscGraphError
from mscgraph.model.namespaces import CONVERTER, MSC, MSCD, OBO
from mscgraph.query.terms import literal_value
from mscgraph.store.facts import QUERY, FactMap, Lit, Obj, collect

if TYPE_CHECKING:
    from mscgraph.graph import Graph

# the predicates' names in _page-facts
RDF_TYPE, LABEL, SUBCLASS, SKOS_MATCH, TITLE = "type", "label", "subClassOf", "exactMatch", "title"
ROOTS = {MSC + "Disease": "disease", MSC + "ImmuneMechanism": "mechanism", MSC + "Study": "study"}
ROOTS[MSC + "MSCProduct"] = "product"
FINDING, CLINICAL, REVIEW = MSC + "Finding", MSC + "ClinicalEvidence", MSCD + "review"
Row = dict[str, Any]


_NONE: dict[str, list[Obj]] = {}
_EMPTY: tuple[Obj, ...] = ()


def _lex(x: Obj) -> str:
    """The text of an IRI or the lexical form of a literal (a blank node's id)."""
    return x.value if isinstance(x, Lit) else x.removeprefix("_:")


class Facts:
    """Every triple of the ``_page-facts`` query (the predicates the views read, the types under the
    network's root classes and ``msc:Finding``): subject -> predicate -> objects, a triple once."""

    def __init__(self, kg: Graph | None = None, *, kept: FactMap | None = None) -> None:
        """The facts of ``kg`` (kept in its index, else read from its engine), or those ``kept``."""
        stored = kept
        if stored is None and kg is not None and kg.kept_facts is not None:
            stored = kg.kept_facts.read()
        if stored is None:  # an index in memory or an endpoint: the query
            if kg is None:
                raise TypeError("Facts needs a graph or the facts kept")
            result = kg.run(QUERY)
            if result.variables != ["s", "p", "o"]:
                raise MscGraphError(f"{QUERY} answered {result.variables}, not ?s ?p ?o")
            stored = collect(result.tuples())
        self.out = out = stored
        self.parents: dict[str, set[str]] = defaultdict(set)
        self.findings: list[str] = []
        for subject, props in out.items():
            if SUBCLASS in props:
                self.parents[subject].update(map(_lex, props[SUBCLASS]))
            if FINDING in props.get(RDF_TYPE, ()):
                self.findings.append(subject)
        # the value as Graph.rows gives it: a CURIE, a Python value or None (each object's worked out once)
        self.value: Callable[[Obj | None], Any] = cache(_value)
        # worked out once per term, for these facts only (a cache on the class would keep them for ever)
        self.ancestors: Callable[[str], frozenset[str]] = cache(self._ancestors)
        self.lineage: Callable[[str], frozenset[str]] = cache(self._lineage)
        self.below: Callable[[str], set[str]] = cache(self._below)
        self.labels: Callable[..., list[Lit]] = cache(self._labels)

    @cached_property
    def supporting(self) -> dict[Obj, list[str]]:
        """Study -> the subjects (findings) supported by it."""
        out: dict[Obj, list[str]] = defaultdict(list)
        for subject, props in self.out.items():
            for study in props.get("supportedBy", ()):
                out[study].append(subject)
        return out

    def __call__(self, s: Obj, p: str) -> Sequence[Obj]:
        return self.out.get(s, _NONE).get(p, _EMPTY)  # type: ignore[arg-type]

    def text(self, s: Obj, path: str | tuple[str, ...], *tags: str | None) -> list[Lit]:
        """The literals at ``s``'s path (one predicate or a sequence) in one of the languages ``tags``."""
        if type(path) is str:  # the look-ups written out: these run a million times for a large page
            found: Sequence[Obj] = self.out.get(s, _NONE).get(path, _EMPTY)  # type: ignore[arg-type]
        elif path[-1] == LABEL:  # a path to labels: of a few shared terms (roles, directions, classes...)
            return [t for o in self.path(s, *path[:-1]) for t in self.labels(o, *tags)]
        else:
            found = self.path(s, *path)
        return [t for t in found if type(t) is Lit and t.language in tags]

    def _labels(self, o: Obj, *tags: str | None) -> list[Lit]:
        """``o``'s labels in the languages ``tags`` (as ``labels``, worked out once: for the terms many
        resources share, classes, roles, directions, evidence types; the list is the cache's: read it, do
        not change it)."""
        return self.text(o, LABEL, *tags)

    def path(self, s: Obj, *ps: str) -> list[Obj]:
        """The objects of the sequence path ``p1/p2/...`` from ``s`` (a bag, as SPARQL joins it)."""
        out = self.out
        here: Sequence[Obj] = (s,)
        for p in ps:
            here = [o for x in here for o in out.get(x, _NONE).get(p, _EMPTY)]  # type: ignore[arg-type]
        return list(here)

    def subjects(self, p: str) -> list[str]:
        return sorted(s for s, props in self.out.items() if p in props)

    def types(self, s: Obj) -> list[str]:
        return [_lex(c) for c in self(s, RDF_TYPE)]

    def _ancestors(self, c: str) -> frozenset[str]:
        """``c rdfs:subClassOf+ ?x`` (as ``ancestors``, worked out once)."""
        seen: set[str] = set()
        todo = list(self.parents.get(c, ()))
        while todo:
            if (x := todo.pop()) not in seen:
                seen.add(x)
                todo += self.parents.get(x, ())
        return frozenset(seen)

    def _lineage(self, c: str) -> frozenset[str]:
        """``c rdfs:subClassOf* ?x`` (as ``lineage``, worked out once)."""
        return self.ancestors(c) | {c}

    def _below(self, root: str) -> set[str]:
        """``?x rdfs:subClassOf* root`` (as ``below``, worked out once)."""
        return {c for c in self.parents if root in self.ancestors(c)} | {root}

    def most_specific(self, s: Obj, direct: bool = False) -> list[str]:
        """The types of ``s`` that no other type of ``s`` is a subclass of (``direct``: a direct one)."""
        types = self.types(s)
        return [
            c
            for c in types
            if not any(
                sub != c and c in (self.parents.get(sub, ()) if direct else self.ancestors(sub))
                for sub in types
            )
        ]


def _value(x: Obj | None) -> Any:
    """The value as :meth:`mscgraph.graph.Graph.rows` gives it: a CURIE, a Python value or None."""
    if x is None:
        return None
    if isinstance(x, Lit):
        return literal_value(x.value, x.datatype)
    return x[2:] if x.startswith("_:") else _curie(x)


def _opt(values: Sequence[Any]) -> Sequence[Any]:
    return values or (None,)


@cache
def _curie(iri: str) -> str:
    return CONVERTER.compact(iri)


def _concat(values: Iterable[Lit], sep: str) -> str:
    return sep.join(dict.fromkeys(t.value for t in values))


# --- network.build ---------------------------------------------------------------------------


def node_rows(f: Facts) -> list[Row]:
    """The rows of ``_network-nodes``."""
    v = f.value
    rows: dict[tuple[Any, ...], tuple[str, str, Row]] = {}  # GROUP BY: equal rows are one
    kinds: dict[tuple[Obj, ...], list[tuple[str, str]]] = {}  # a node's types -> its classes and kinds
    for node, props in f.out.items():
        if (types := props.get(RDF_TYPE)) is None:
            continue
        if (classes := kinds.get(key := tuple(types))) is None:  # most nodes share their types with many
            most = f.most_specific(node)
            classes = kinds[key] = [(c, kind) for c in most for r, kind in ROOTS.items() if r in f.lineage(c)]
        if not classes:
            continue
        pubs: list[tuple[Any, ...]] = []
        for pub in props.get("reportedIn", ()):
            pubs += product(
                [pub],
                *(_opt(f(pub, p)) for p in ("firstAuthor", "year", "referenceNumber")),
                _opt(f.text(pub, TITLE, "en", None)),
                _opt(f(pub, "pmid")),
                _opt(f(pub, "doi")),
            )
        shared = {
            "node": v(node),
            "exact_match": " ".join(dict.fromkeys(_lex(m) for m in props.get(SKOS_MATCH, ()))),
            "species": _concat(f.text(node, ("hasOrganism", LABEL), "en"), "; "),
            "sentence_zh": _concat(f.text(node, "sourceSentence", "zh"), "\n"),
            "sentence_en": _concat(f.text(node, "sourceSentence", "en"), "\n"),
            "finding_evidence": _concat(
                (
                    label
                    for s in f.supporting.get(node, ())
                    for e in f(s, "hasEvidenceType")
                    for label in f.labels(e, "en")
                ),
                "; ",
            ),
        }
        for c, kind in classes:
            for combo in product(
                _opt(f.labels(c, "en")),
                _opt(f.text(node, LABEL, "en")),
                _opt(f.text(node, LABEL, "zh")),
                _opt(props.get("abbreviation", ())),
                _opt(pubs),
                _opt(f.text(node, ("hasTissueSource", LABEL), "en")),
                _opt(f.text(node, ("hasDonorType", LABEL), "en")),
            ):
                class_label, label_en, label_zh, abbreviation, pub, tissue, donor = combo
                publication, first_author, year, reference, title, pmid, doi = pub or (None,) * 7
                row = {
                    **shared,
                    "kind": kind,
                    "class": v(c),
                    "class_label": v(class_label),
                    "label_en": v(label_en),
                    "label_zh": v(label_zh),
                    "abbreviation": v(abbreviation),
                    "publication": v(publication),
                    "first_author": v(first_author),
                    "year": v(year),
                    "reference": v(reference),
                    "title": v(title),
                    "pmid": v(pmid),
                    "doi": v(doi),
                    "tissue_source": v(tissue),
                    "donor_type": v(donor),
                }
                rows.setdefault(tuple(row.values()), (kind, node, row))
    return [row for _, _, row in sorted(rows.values(), key=lambda r: (r[0], r[1]))]


def _findings(f: Facts, anchor: tuple[str, ...] = ("inDisease",)) -> Iterator[tuple[str, Obj]]:
    """(finding, subject) for every finding (typed msc:Finding) on a subject, by ``anchor``."""
    for finding in f.findings:
        for p in anchor:
            for subject in f(finding, p):
                yield finding, subject


def _cohort_sizes(f: Facts, study: Obj, disease: Obj) -> list[Obj]:
    return [
        size
        for cohort in f(study, "hasCohort")
        if disease in f(cohort, "inDisease")
        for size in f(cohort, "cohortSize")
    ]


def finding_rows(f: Facts) -> list[Row]:
    """The rows of ``_network-findings``."""
    v = f.value
    rows = []
    for finding, disease in _findings(f):
        zh, en = f.text(finding, "sourceSentence", "zh"), f.text(finding, "sourceSentence", "en")
        for mechanism, direction, role, evidence, study in product(
            *(
                f(finding, p)
                for p in ("aboutMechanism", "hasDirection", "hasRole", "hasEvidenceType", "supportedBy")
            )
        ):
            eco = [m for m in f(evidence, SKOS_MATCH) if _lex(m).startswith(OBO + "ECO_")]
            for combo in product(
                _opt(f.labels(direction, "en")),
                _opt(f.labels(direction, "zh")),
                _opt(f.labels(role, "en")),
                _opt(f.labels(evidence, "en")),
                _opt(eco),
                _opt(zh),
                _opt(en),
                _opt(_cohort_sizes(f, study, disease)),
            ):
                values: tuple[Any, ...] = (finding, disease, mechanism, direction, *combo[:2], role, combo[2])
                values += (evidence, *combo[3:5], study, combo[7], *combo[5:7])
                key = (disease, mechanism, finding, study)
                rows.append((key, dict(zip(_FINDING_COLUMNS, map(v, values), strict=True))))
    return [row for _, row in sorted(rows, key=lambda r: r[0])]


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
    v = f.value
    pairs: set[tuple[Obj, Obj]] = {
        (disease, study)
        for study, props in f.out.items()
        for cohort in props.get("hasCohort", ())
        for disease in f(cohort, "inDisease")
    }
    pairs |= {(disease, study) for finding, disease in _findings(f) for study in f(finding, "supportedBy")}
    studies = {
        (study, "disease", target, v(size))
        for target, study in pairs
        for size in _opt(_cohort_sizes(f, study, target))
    }
    products = {
        (study, "product", target)
        for study, props in f.out.items()
        if "hasIntervention" in props
        for target in f.path(study, "hasIntervention", "usesProduct")
    }
    return [
        {"target": v(t), "study": v(s), "link": link, "cohort_size": size}
        for s, link, t, size in sorted(studies, key=_link_order)
    ] + [{"study": v(s), "link": link, "target": v(t)} for s, link, t in sorted(products, key=_link_order)]


def _link_order(row: tuple[Any, ...]) -> tuple[str, str, str]:
    return _lex(row[0]), row[1], _lex(row[2])


# --- the page's evidence -----------------------------------------------------------------------


def evidence_rows(f: Facts) -> list[Row]:
    """The rows of the ``evidence`` query run unbound (every finding), unbound values left out."""
    v = f.value
    below_study = f.below(MSC + "Study")
    groups: dict[tuple[Any, ...], list[tuple[Any, ...]]] = defaultdict(list)
    studies: dict[Obj, tuple[Sequence[Any], ...]] = {}
    for finding, subject in _findings(f, ("inDisease", "aboutCells")):
        per_finding = (
            f.text(finding, ("hasDirection", LABEL), "en"),
            f.text(finding, ("hasRole", LABEL), "en"),
            f.text(finding, ("hasEvidenceType", LABEL), "en"),
            f.text(finding, ("inSection", LABEL), "zh"),
            f.text(finding, "sourceSentence", "zh"),
            f.text(finding, "sourceSentence", "en"),
        )
        organisms = _opt(f.text(finding, ("hasOrganism", LABEL), "en"))
        treatments = _opt(f.text(finding, "withTreatment", "en"))
        caveats = _opt(f.text(finding, "note", "en"))
        finding_notes = _notes(f, finding)
        for mechanism, study in product(f(finding, "aboutMechanism"), f(finding, "supportedBy")):
            if (about := studies.get(study)) is None:
                about = studies[study] = _study_evidence(f, study, below_study)
            study_label, study_types, models, products, pubs, study_notes = about
            notes = [*finding_notes, *study_notes]
            for combo in product(
                *per_finding,
                study_label,
                study_types,
                organisms,
                models,
                treatments,
                caveats,
                _opt(_cohort_sizes(f, study, subject)),
                products,
                pubs,
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
        if len(members) == 1:  # nearly every group: its one member is its sample
            sampled: Sequence[Any] = members[0][:5]
            said = {members[0][5]} - {None}
        else:
            sampled = [next((m[i] for m in members if m[i] is not None), None) for i in range(5)]
            said = {m[5] for m in members if m[5] is not None}
        values = (*map(v, key), *map(v, sampled), " | ".join(sorted(said)) or None)  # in a fixed order
        rows.append({k: x for k, x in zip(_EVIDENCE_COLUMNS, values, strict=True) if x is not None})
    return rows


def _citations(f: Facts, study: Obj) -> list[tuple[Obj, list[tuple[str, str]]]]:
    """A study's publications that have a first author and a year (one per pair of them), each with its
    reference numbers and citations: ``("38", "Lai 2015 [38]")``; without a number ``("", "Lai 2015")``
    (the review itself: ``("", "this review")``)."""
    out: list[tuple[Obj, list[tuple[str, str]]]] = []
    for pub in f(study, "reportedIn"):
        for author, year in product(f(pub, "firstAuthor"), f(pub, "year")):
            numbers = [
                (_lex(n), f"{_lex(author)} {_lex(year)} [{_lex(n)}]")
                if n is not None
                else ("", "this review" if pub == REVIEW else f"{_lex(author)} {_lex(year)}")
                for n in _opt(f(pub, "referenceNumber"))
            ]
            out.append((pub, numbers))
    return out


def _study_evidence(f: Facts, study: Obj, below_study: set[str]) -> tuple[Sequence[Any], ...]:
    """What the ``evidence`` rows say of a study: label, type, animal model, product, publications, notes."""
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
    return (
        f.text(study, LABEL, "en"),
        [
            label
            for c in f.most_specific(study, direct=True)
            if c in below_study
            for label in f.labels(c, "en")
        ],
        _opt(f.text(study, "animalModel", "en", None)),
        _opt(f.text(study, ("hasIntervention", "usesProduct", LABEL), "en")),
        _opt(pubs),
        _notes(f, study),
    )


def _notes(f: Facts, s: Obj) -> list[str]:
    """The discrepancies recorded on ``s``: ``kind: what the reference says``."""
    return [
        f"{_lex(kind)}: {says.value}"
        for d in f(s, "hasDiscrepancy")
        for says in f.text(d, "referenceSays", "en", None)
        for kind in f(d, "discrepancyKind")
    ]


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
# then the values sampled from a group, and its discrepancy notes (GROUP_CONCAT; empty: unbound)
_EVIDENCE_COLUMNS = [*_EVIDENCE_GROUPED, "doi", "pmid", "animal_model", "treatment", "note", "discrepancy"]


def summary_rows(f: Facts) -> list[Row]:
    """The rows of the ``link-summary`` query run unbound (every link), as ``Graph.rows`` gives them; the
    lists that query leaves in the engine's order (treatment, species, animal models) are sorted."""
    v = f.value
    anchor = ("inDisease", "aboutCells")
    main: dict[tuple[Obj, Obj, Obj], dict[str, set[Any]]] = defaultdict(lambda: defaultdict(set))
    cited: dict[Obj, list[tuple[Obj, list[tuple[str, str]]]]] = {}
    for finding, subject in _findings(f, anchor):
        either = [*f(finding, "hasDirection"), *f.path(finding, "hasDirection", "oppositeOf")]
        for mechanism, role, direction, evidence, study in product(
            *(
                f(finding, p)
                for p in ("aboutMechanism", "hasRole", "hasDirection", "hasEvidenceType", "supportedBy")
            )
        ):
            ranks = f(evidence, "evidenceRank")
            labels = f.labels(direction, "en")
            if (pubs := cited.get(study)) is None:  # a study supports many findings: its citations once
                pubs = cited[study] = _citations(f, study)
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
            for pub, numbers in pubs:
                review = pub == REVIEW
                link["cited" if not review else "own"].add(pub if not review else finding)
                if evidence == CLINICAL and not review:
                    link["clinical"].add(pub)
                for number, text in numbers:
                    link["refnum"].add(number)
                    link["citation"].add(text)
    by_rank: dict[tuple[Obj, Obj, Obj, Any], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    patients: dict[tuple[Obj, Obj, Obj], set[tuple[Obj, int]]] = defaultdict(set)
    for finding in [s for s, props in f.out.items() if "aboutMechanism" in props]:
        props = f.out[finding]
        for subject in (s for p in anchor for s in props.get(p, ())):
            for mechanism, role in product(props.get("aboutMechanism", ()), props.get("hasRole", ())):
                for rank in (r for e in props.get("hasEvidenceType", ()) for r in f(e, "evidenceRank")):
                    group = by_rank[(subject, mechanism, role, v(rank))]
                    group["species"] += [t.value for t in f.text(finding, ("hasOrganism", LABEL), "en")]
                    models = f.text(finding, ("supportedBy", "animalModel"), "en", None)
                    group["models"] += [t.value for t in models]
                clinical = CLINICAL in props.get("hasEvidenceType", ())
                for study in props.get("supportedBy", ()):
                    sizes = [v(s) for s in _cohort_sizes(f, study, subject)] if clinical else []
                    patients[(subject, mechanism, role)].update((study, size) for size in sizes or [0])
    strongest: dict[Any, list[str]] = defaultdict(list)
    for e in f.subjects("evidenceRank"):
        for rank in f(e, "evidenceRank"):
            strongest[v(rank)] += [t.value for t in f.labels(e, "en")]
    rows = []
    for (subject, mechanism, role), link in main.items():
        rank = max(v(r) for r in link["rank"])
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
            if MSC + "ImmuneMechanism" in f.parents.get(c, ())
            for label in f.labels(c, "en")
        ]
        for combo in product(
            strongest[rank],
            f.text(subject, LABEL, "en"),
            f.labels(mechanism, "en"),
            mechanism_types,
            f.labels(role, "en"),
            _opt(f(subject, "abbreviation")),
            _opt(f(mechanism, "abbreviation")),
        ):
            strongest_evidence, subject_label, mechanism_label, mechanism_type, role_label = combo[:5]
            subject_abbr, mechanism_abbr = combo[5:]
            row = {
                "subject": v(subject),
                "subject_label": subject_label.value,
                "subject_abbr": v(subject_abbr),
                "mechanism": v(mechanism),
                "mechanism_label": mechanism_label.value,
                "mechanism_abbr": v(mechanism_abbr),
                "mechanism_type": mechanism_type.value,
                "role": v(role),
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
            name = (row["mechanism_abbr"] or row["mechanism_label"]).lower()
            rows.append(((_lex(subject), tier, name, _lex(role)), row))  # link-summary's ORDER BY
    return [row for _, row in sorted(rows, key=lambda r: r[0])]
