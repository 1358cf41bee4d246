"""Lookup commands: mechanisms, diseases, studies, evidence, show, search, stats."""

from __future__ import annotations

from typing import Any

import click

from ..formats import render
from ..lookups import TABLE_COLUMNS
from .common import emit, format_option, graph_options, handle_errors


def _output(rows: list[dict[str, Any]], fmt: str, view: str, empty: str) -> None:
    if not rows and fmt == "table":
        click.echo(empty, err=True)
        return
    emit(render(rows, fmt, TABLE_COLUMNS[view]))


@click.command()
@click.argument("disease")
@format_option
@graph_options
@handle_errors
def mechanisms(disease: str, fmt: str, kg: Any) -> None:
    """Mechanisms reported for DISEASE, with effect, role, evidence, studies and sentence.

    DISEASE may be an abbreviation (SS), a name (Sjögren syndrome), a Chinese name (干燥综合征),
    a CURIE (MONDO:0010030) or an IRI.
    """
    _output(kg.mechanisms(disease), fmt, "mechanisms", f"no mechanisms recorded for {disease}")


@click.command()
@click.argument("mechanism")
@format_option
@graph_options
@handle_errors
def diseases(mechanism: str, fmt: str, kg: Any) -> None:
    """Diseases in which MECHANISM is reported (the reverse of `mechanisms`)."""
    _output(kg.diseases(mechanism), fmt, "diseases", f"no diseases recorded for {mechanism}")


@click.command()
@click.argument("disease")
@format_option
@graph_options
@handle_errors
def studies(disease: str, fmt: str, kg: Any) -> None:
    """Studies of DISEASE: design, phase, species, cohort size, MSC product, dose, outcomes, AEs."""
    _output(kg.studies(disease), fmt, "studies", f"no studies recorded for {disease}")


@click.command()
@click.argument("disease")
@click.argument("mechanism")
@format_option
@graph_options
@handle_errors
def evidence(disease: str, mechanism: str, fmt: str, kg: Any) -> None:
    """The full evidence chain for the DISEASE-MECHANISM link, with the review's sentences."""
    _output(kg.evidence(disease, mechanism), fmt, "evidence", f"no findings link {disease} and {mechanism}")


@click.command()
@click.argument("name")
@format_option
@graph_options
@handle_errors
def show(name: str, fmt: str, kg: Any) -> None:
    """Everything about one entity: labels (English, Chinese), mappings, links in and out."""
    _output(kg.show(name), fmt, "show", f"nothing recorded about {name}")


@click.command()
@click.argument("text")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1), help="Most results.")
@format_option
@graph_options
@handle_errors
def search(text: str, limit: int, fmt: str, kg: Any) -> None:
    """Find entities whose label, abbreviation, synonym or Chinese name contains TEXT."""
    _output(kg.search(text, limit), fmt, "search", f"nothing matches {text!r}")


@click.command()
@format_option
@graph_options
@handle_errors
def stats(fmt: str, kg: Any) -> None:
    """Counts of entities by type, and the number of triples."""
    _output(kg.stats(), fmt, "stats", "the graph is empty")
