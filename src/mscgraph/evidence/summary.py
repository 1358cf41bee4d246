"""Findings -> one evidence summary per link: effect, agreement, tier, studies, strongest evidence, patients.

A *link* is (subject, mechanism, role): a disease (or MSCs themselves, for a general property), an
immune mechanism, and the kind of finding. A therapy effect, a combined-regimen effect, an effect of
another treatment, a disease characteristic and a general MSC property are different links and are
never merged into one verdict. Every number comes from the named query ``link-summary`` (so an
endpoint gives the same summaries); this module only types the rows, orders the citations, and lays
out the grid. The tier rule is written in ``docs/evidence.md`` and in :data:`TIER_RULES`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypedDict

from mscgraph.evidence.findings import findings, in_reference_order
from mscgraph.model.errors import UsageError
from mscgraph.model.namespaces import CONVERTER, MSC

if TYPE_CHECKING:
    from mscgraph.graph import Graph

TIERS = ("A", "B", "C", "D", "E")
TIER_RULES = {
    "A": "clinical evidence in patients from two or more independent studies, no conflicting direction",
    "B": "clinical evidence in patients from one study (or from several that conflict)",
    "C": "animal-model evidence is the strongest",
    "D": "in vitro evidence is the strongest",
    "E": "only the review's statement: an author statement, or a result whose evidence type is not stated",
}
EVIDENCE_ORDER = ("clinical", "animal", "in vitro", "author statement", "not stated")
ROLES = {
    "therapy": "TherapyEffect",
    "combined": "CombinedTherapyEffect",
    "other-treatment": "OtherTreatmentEffect",
    "disease": "DiseaseCharacteristic",
    "msc-property": "MSCProperty",
}
ROLE_SHORT = {  # the table's role column; the treatment of a combined or other-treatment effect is added
    "MSC therapy effect": "therapy",
    "combined regimen effect": "MSC +",
    "effect of another treatment": "other:",
    "disease characteristic": "disease",
    "general MSC property": "MSC",
}
ROLE_LETTER = {  # the grid's cells with --role all: ↑Bt = increased, tier B, MSC therapy effect
    "MSC therapy effect": "t",
    "combined regimen effect": "c",
    "effect of another treatment": "o",
    "disease characteristic": "d",
    "general MSC property": "m",
}
ARROWS = {
    "increased": "↑",
    "decreased": "↓",
    "unchanged": "=",
    "impaired": "⊘",
    "modulated": "~",
    "improved": "↑",
    "not improved": "✗",
}
# The five headline mechanism families, in the grid's order; the rest follow by name.
HEADLINE_FAMILIES = ("Treg/FoxP3", "Th17", "BAFF/APRIL", "SDF-1/CXCR4", "Th1/Th2")


class LinkSummary(TypedDict):
    """One link's evidence at a glance (JSON keys; see docs/cli.md, "JSON keys")."""

    subject: str
    subject_name: str
    mechanism: str
    mechanism_name: str
    mechanism_type: str
    role: str
    role_label: str
    treatment: str | None
    directions: list[str]
    effect: str
    agreement: str
    tier: str
    findings: int
    studies: int
    review_statements: int
    clinical_studies: int
    strongest_evidence: str
    species: list[str]
    animal_models: list[str]
    patients: int | None
    discrepancies: int
    citations: list[str]
    references: list[int]


def _split(text: str | None) -> list[str]:
    return [part for part in (text or "").split("; ") if part]


def effect_text(directions: Sequence[str], agreement: str) -> str:
    """``↓ decreased``; several directions joined, ``conflicting`` marked."""
    text = " / ".join(f"{ARROWS.get(d, '?')} {d}" for d in directions)
    return f"{text} (conflicting)" if agreement == "conflicting" else text


def summary_of(row: dict[str, Any]) -> LinkSummary:
    """One row of ``link-summary`` as a typed summary."""
    directions = sorted(_split(row["directions"]))
    citations = in_reference_order(row["citations"])
    return {
        "subject": row["subject"],
        "subject_name": row["subject_abbr"] or row["subject_label"],
        "mechanism": row["mechanism"],
        "mechanism_name": row["mechanism_abbr"] or row["mechanism_label"],
        "mechanism_type": row["mechanism_type"],
        "role": row["role"],
        "role_label": row["role_label"],
        "treatment": row["treatment"] or None,
        "directions": directions,
        "effect": effect_text(directions, row["agreement"]),
        "agreement": row["agreement"],
        "tier": row["tier"],
        "findings": int(row["findings"]),
        "studies": int(row["studies"]),
        "review_statements": int(row["review_statements"]),
        "clinical_studies": int(row["clinical_studies"]),
        "strongest_evidence": row["strongest_evidence"],
        "species": sorted(_split(row["species"])),
        "animal_models": sorted(_split(row["animal_models"])),
        "patients": int(row["patients"]) if row["patients"] is not None else None,
        "discrepancies": int(row["discrepancies"]),
        "citations": citations,
        "references": sorted(int(n) for n in (row["references"] or "").split(", ") if n),
    }


def role_iri(name: str) -> str:
    """``therapy`` -> the msc:TherapyEffect IRI; a clear error for anything else."""
    if name not in ROLES:
        raise UsageError(f"unknown role {name!r}; use one of {', '.join(ROLES)}")
    return MSC + ROLES[name]


def check_tier(tier: str) -> str:
    if tier.upper() not in TIERS:
        raise UsageError(f"unknown tier {tier!r}; use one of {', '.join(TIERS)} (A is the strongest)")
    return tier.upper()


def summaries(
    kg: Graph,
    subject: str | None = None,
    mechanism: str | None = None,
    role: str | None = None,
    min_tier: str | None = None,
) -> list[LinkSummary]:
    """The evidence summary of every link, or of those of one disease (or ``MSC``), mechanism, role.

    ``role`` is a key of :data:`ROLES`; ``min_tier`` keeps tiers at least that strong (``"B"``: A and B).
    """
    params: dict[str, Any] = {}
    if mechanism is not None:
        params["mechanism"] = mechanism
    if role is not None:
        params["role"] = role_iri(role)
    weakest = TIERS.index(check_tier(min_tier)) if min_tier else len(TIERS)
    if subject is not None:
        subjects: list[str | None] = [subject]
    elif mechanism is not None:  # link-summary's plan starts from the subject: one run per subject
        subjects = [r["subject"] for r in kg.rows("_subjects-of-mechanism", {"mechanism": mechanism})]
    else:
        subjects = [None]
    rows = [
        summary_of(r)
        for s in subjects
        for r in kg.rows("link-summary", {**params, **({"subject": s} if s is not None else {})})
    ]
    return [r for r in rows if TIERS.index(r["tier"]) <= weakest]


def explain(kg: Graph, subject: str, mechanism: str) -> dict[str, Any]:
    """The links between ``subject`` and ``mechanism``, each with its tier, why, and its findings."""
    links = summaries(kg, subject, mechanism)
    rows = findings(kg, subject, mechanism)
    out = []
    for link in links:
        mine = [f for f in rows if f["role"] == link["role_label"]]
        out.append({**link, "rule": TIER_RULES[link["tier"]], "why": why(link), "evidence": mine})
    return {"subject": subject, "mechanism": mechanism, "links": out}


def why(link: LinkSummary) -> str:
    """The tier's reason in one sentence, from the link's own numbers."""
    strongest = link["strongest_evidence"]
    species = f" ({', '.join(link['species'])})" if link["species"] else ""
    if link["tier"] in ("A", "B"):
        n = link["clinical_studies"]
        reason = f"clinical evidence{species} from {n} stud{'y' if n == 1 else 'ies'}"
        if link["patients"]:
            reason += f", {link['patients']} patients"
        if link["tier"] == "B" and n >= 2:
            reason += ", but the findings conflict in direction"
    elif link["tier"] in ("C", "D"):
        models = f", {', '.join(link['animal_models'])}" if link["animal_models"] else ""
        reason = f"strongest evidence is {strongest}{species}{models}; no clinical evidence"
    else:
        reason = f"strongest evidence is '{strongest}': the review states it without a described experiment"
    return f"tier {link['tier']}: {reason}"


# --- the grid -------------------------------------------------------------------------------


def mechanism_families(kg: Graph) -> dict[str, tuple[str, int]]:
    """Mechanism -> (its headline family's name without the word "family", the family's order)."""
    return {
        r["mechanism"]: (r["family"].removesuffix(" family"), int(r["family_order"]))
        for r in kg.rows("_mechanism-families")
    }


NOT_REPORTED = "·"


def grid(
    kg: Graph,
    role: str | None = "therapy",
    min_tier: str | None = None,
    links: list[LinkSummary] | None = None,
    families: dict[str, tuple[str, int]] | None = None,
) -> tuple[list[str], list[dict[str, Any]]]:
    """The disease x mechanism matrix: ``(columns, rows)``; each row is one mechanism with one cell per
    disease: arrow + tier (``↑B``), ``=B`` for "reported: no change", ``·`` for not reported in the
    source. Headline families first (Treg/FoxP3, Th17, BAFF/APRIL, SDF-1/CXCR4, Th1/Th2), then the rest.
    With ``role=None`` every role is shown, each mark followed by its letter (:data:`ROLE_LETTER`).
    ``links``, ``families``: the summaries of those links, and :func:`mechanism_families`, when the
    caller has them already."""
    if links is None:
        links = summaries(kg, role=role, min_tier=min_tier)
    diseases = [(CONVERTER.compact(r["disease"]), r["disease_name"]) for r in kg.rows("_diseases")]
    if families is None:
        families = mechanism_families(kg)
    cells: dict[tuple[str, str], list[str]] = {}
    names: dict[str, str] = {}
    for link in links:
        names[link["mechanism"]] = link["mechanism_name"]
        mark = "".join(ARROWS.get(d, "?") for d in link["directions"]) + link["tier"]
        if role is None:
            mark += ROLE_LETTER.get(link["role_label"], "?")
        cells.setdefault((link["mechanism"], link["subject"]), []).append(mark)
    extra = {link["subject"]: link["subject_name"] for link in links if link["subject"] not in dict(diseases)}
    subjects = [d for d, _ in diseases] + list(extra)
    headers = [name for _, name in diseases] + list(extra.values())

    def order(mechanism: str) -> tuple[int, str, str]:
        family, rank = families.get(mechanism, (None, None))
        return (
            int(rank) if rank is not None else len(HEADLINE_FAMILIES) + 1,
            family or "",
            names[mechanism].lower(),
        )

    rows = []
    for mechanism in sorted(names, key=order):
        family = families.get(mechanism, (None, None))[0]
        row: dict[str, Any] = {"mechanism": names[mechanism], "mechanism_id": mechanism, "family": family}
        for subject, header in zip(subjects, headers, strict=True):
            row[header] = " ".join(cells.get((mechanism, subject), [])) or NOT_REPORTED
        rows.append(row)
    return ["mechanism", "family", *headers], rows


# --- conflicts ------------------------------------------------------------------------------


def conflicts(kg: Graph) -> list[dict[str, Any]]:
    """Findings of links that disagree in direction (conflicting or mixed) or that a recorded
    discrepancy touches, one row per finding, both sides' studies shown."""
    rows = kg.rows("conflicts")
    for r in rows:
        r["citations"] = in_reference_order(r.pop("citations"))
    return rows


# --- table rows ------------------------------------------------------------------------------


def table_rows(links: Sequence[LinkSummary], first: str = "mechanism") -> list[dict[str, Any]]:
    """The screen view of summaries: short keys and compact cells, so a disease's links fit 80 columns.

    ``first`` is ``mechanism`` (a disease's links) or ``disease`` (a mechanism's links)."""
    out = []
    for link in links:
        if len(link["directions"]) == 1:  # "↓ decreased", kept on one line by a no-break space
            effect = link["effect"].replace(" ", NBSP, 1)
        else:
            effect = "".join(ARROWS.get(d, "?") for d in link["directions"]) + NBSP + link["agreement"]
        evidence = link["strongest_evidence"].replace(" ", NBSP)
        if link["patients"]:
            evidence += f"{NBSP}n={link['patients']}"
        where = link["animal_models"] or [s for s in link["species"] if s not in ("human", "not stated")]
        if where:
            evidence += f" ({', '.join(where)})"
        role = ROLE_SHORT.get(link["role_label"], link["role_label"])
        if link["treatment"]:
            role += f" {link['treatment']}"
        out.append(
            {
                first: link["mechanism_name"] if first == "mechanism" else link["subject_name"],
                "role": role,
                "effect": effect,
                "tier": link["tier"],
                "evidence": evidence,
                "studies": [c.replace(" ", NBSP) for c in link["citations"]],  # a citation stays on one line
            }
        )
    return out


SUMMARY_COLUMNS = ["role", "effect", "tier", "evidence", "studies"]
NBSP = "\u00a0"  # joins words the table must not break apart
