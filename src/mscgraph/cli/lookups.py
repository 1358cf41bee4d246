"""Lookup commands: mechanisms, diseases, studies, evidence, show, search, stats."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from mscgraph.cli.common import lookup_command, output
from mscgraph.evidence import summary as ev
from mscgraph.views.lookups import TABLE_COLUMNS

if TYPE_CHECKING:
    from mscgraph.api import KnowledgeGraph

findings_option = click.option(
    "--findings", is_flag=True, help="One row per finding, with its sentence, instead of one row per link."
)
role_option = click.option(
    "--role",
    metavar="ROLE",
    help=f"Only links of this role: {', '.join(ev.ROLES)}.",
)
min_tier_option = click.option(
    "--min-tier", metavar="TIER", help="Only links of this tier or stronger (A-E)."
)


def _links(fmt: str, first: str, links: list[ev.LinkSummary], empty: str) -> None:
    if fmt == "table":
        output(ev.table_rows(links, first), fmt, [first, *ev.SUMMARY_COLUMNS], empty)
    else:
        output(list(links), fmt, [], empty)  # type: ignore[arg-type]


@click.command()
@click.argument("disease")
@findings_option
@role_option
@min_tier_option
@lookup_command
def mechanisms(
    disease: str, findings: bool, role: str | None, min_tier: str | None, fmt: str, kg: KnowledgeGraph
) -> None:
    """Mechanisms reported for DISEASE: one row per link with its effect, evidence tier,
    strongest evidence, patients and studies (docs/evidence.md); --findings lists every finding.

    DISEASE may be an abbreviation (SS), a name (Sjögren syndrome), a Chinese name (干燥综合征),
    a CURIE (MONDO:0010030) or an IRI; MSC gives the general properties of MSCs.
    """
    empty = f"no mechanisms recorded for {disease}"
    if findings:
        output(kg.mechanisms(disease), fmt, TABLE_COLUMNS["mechanisms"], empty)
    else:
        _links(fmt, "mechanism", kg.summary(disease, role=role, min_tier=min_tier), empty)


@click.command()
@click.argument("mechanism")
@findings_option
@role_option
@min_tier_option
@lookup_command
def diseases(
    mechanism: str, findings: bool, role: str | None, min_tier: str | None, fmt: str, kg: KnowledgeGraph
) -> None:
    """Diseases in which MECHANISM is reported (the reverse of `mechanisms`): one row per link,
    or per finding with --findings."""
    empty = f"no diseases recorded for {mechanism}"
    if findings:
        output(kg.diseases(mechanism), fmt, TABLE_COLUMNS["diseases"], empty)
    else:
        _links(fmt, "disease", kg.summary(mechanism=mechanism, role=role, min_tier=min_tier), empty)


@click.command()
@click.argument("disease")
@lookup_command
def studies(disease: str, fmt: str, kg: KnowledgeGraph) -> None:
    """Studies of DISEASE: design, phase, species, cohort size, MSC product, dose, outcomes, AEs."""
    output(kg.studies(disease), fmt, TABLE_COLUMNS["studies"], f"no studies recorded for {disease}")


@click.command()
@click.argument("disease")
@click.argument("mechanism")
@lookup_command
def evidence(disease: str, mechanism: str, fmt: str, kg: KnowledgeGraph) -> None:
    """The full evidence chain for the DISEASE-MECHANISM link, with the review's sentences."""
    rows = kg.evidence(disease, mechanism)
    output(rows, fmt, TABLE_COLUMNS["evidence"], f"no findings link {disease} and {mechanism}")


@click.command()
@click.argument("name")
@lookup_command
def show(name: str, fmt: str, kg: KnowledgeGraph) -> None:
    """Everything about one entity: labels (English, Chinese), mappings, links in and out."""
    output(kg.show(name), fmt, TABLE_COLUMNS["show"], f"nothing recorded about {name}")


@click.command()
@click.argument("text")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1), help="Most results.")
@lookup_command
def search(text: str, limit: int, fmt: str, kg: KnowledgeGraph) -> None:
    """Find entities whose label, abbreviation, synonym or Chinese name contains TEXT."""
    output(kg.search(text, limit), fmt, TABLE_COLUMNS["search"], f"nothing matches {text!r}")


@click.command()
@lookup_command
def stats(fmt: str, kg: KnowledgeGraph) -> None:
    """Counts of entities by type, and the number of triples."""
    output(kg.stats(), fmt, TABLE_COLUMNS["stats"], "the graph is empty")
