"""Evidence synthesis commands: explain, grid, conflicts (see mscgraph.evidence, docs/evidence.md)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from mscgraph.cli.common import emit, lookup_command, output
from mscgraph.evidence import summary as ev
from mscgraph.model.errors import UsageError
from mscgraph.views.formats import render

if TYPE_CHECKING:
    from mscgraph.api import KnowledgeGraph

EXPLAIN_COLUMNS = ["citation", "direction", "evidence", "organism", "cohort_size", "sentence_en"]
CONFLICT_COLUMNS = [
    "subject_name",
    "mechanism_name",
    "agreement",
    "direction",
    "citations",
    "discrepancy_kinds",
]


@click.command()
@click.argument("disease")
@click.argument("mechanism")
@lookup_command
def explain(disease: str, mechanism: str, fmt: str, kg: KnowledgeGraph) -> None:
    """Why the DISEASE-MECHANISM link has its evidence tier: the rule, the numbers, and the findings
    it rests on (one block per role: therapy effect, disease characteristic, ...)."""
    result = kg.explain(disease, mechanism)
    if not result["links"]:
        click.echo(f"no findings link {disease} and {mechanism}", err=True)
        return
    if fmt == "json":
        emit(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
        return
    if fmt in ("csv", "tsv"):
        rows = [
            {"role": link["role_label"], "tier": link["tier"], "why": link["why"], **finding}
            for link in result["links"]
            for finding in link["evidence"]
        ]
        emit(render(rows, fmt))
        return
    blocks = []
    for link in result["links"]:
        role = link["role_label"] + (f" with {link['treatment']}" if link["treatment"] else "")
        head = [
            f"{link['subject_name']} – {link['mechanism_name']}: {role}",
            f"  effect    {link['effect']} ({link['agreement']})",
            f"  tier      {link['tier']}: {link['rule']}",
            f"  why       {link['why']}",
            f"  studies   {'; '.join(link['citations'])}",
            "  findings",
        ]
        blocks.append("\n".join(head) + "\n" + render(link["evidence"], "table", EXPLAIN_COLUMNS))
    emit("\n".join(blocks))


@click.command()
@click.option(
    "--role",
    default="therapy",
    show_default=True,
    metavar="ROLE",
    help=f"Links of this role: {', '.join(ev.ROLES)}, or all.",
)
@click.option("--min-tier", metavar="TIER", help="Only cells of this tier or stronger (A-E).")
@lookup_command
def grid(role: str, min_tier: str | None, fmt: str, kg: KnowledgeGraph) -> None:
    """The disease x mechanism matrix: each cell is the effect's arrow and the evidence tier
    (↑B: increased, tier B; ↓ decreased, ~ modulated, ⊘ impaired); · means not reported in the
    source, = reported with no change. Headline families first (Treg/FoxP3, Th17, BAFF/APRIL,
    SDF-1/CXCR4, Th1/Th2). With --role all each mark ends with its role: t therapy effect,
    c combined regimen, o other treatment, d disease characteristic, m general MSC property."""
    if role != "all" and role not in ev.ROLES:
        raise UsageError(f"unknown role {role!r}; use one of {', '.join(ev.ROLES)}, all")
    columns, rows = kg.grid(role=None if role == "all" else role, min_tier=min_tier)
    output(rows, fmt, columns, "no links match")


@click.command()
@lookup_command
def conflicts(fmt: str, kg: KnowledgeGraph) -> None:
    """Links whose findings disagree in direction (conflicting or mixed), and links touched by a
    recorded discrepancy between the review and its reference list: every finding, both sides."""
    output(kg.conflicts(), fmt, CONFLICT_COLUMNS, "no conflicting or discrepant links")
