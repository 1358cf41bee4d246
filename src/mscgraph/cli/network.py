"""Network commands: ``compare`` two diseases, ``neighbors`` of an entity."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from mscgraph.cli.common import lookup_command, output

if TYPE_CHECKING:
    from mscgraph.api import KnowledgeGraph

COMPARE_COLUMNS = ["type", "name", "in", "effect_a", "effect_b", "agree"]
NEIGHBOR_COLUMNS = ["distance", "type", "name", "label_zh", "relation", "effect", "via"]


@click.command()
@click.argument("a")
@click.argument("b")
@lookup_command
def compare(a: str, b: str, fmt: str, kg: KnowledgeGraph) -> None:
    """Mechanisms and studies diseases A and B share, and where they differ.

    One row per mechanism or study: `in` is `both` or the one disease; effect_a/effect_b give the
    direction and role in each; `agree` says whether a shared mechanism moves the same way.
    """
    from mscgraph.views.network import compare as run

    output(run(kg, a, b), fmt, COMPARE_COLUMNS, f"nothing recorded for {a} or {b}")


@click.command()
@click.argument("name")
@click.option(
    "--depth", default=1, show_default=True, type=click.IntRange(1, 10), help="How many links away."
)
@lookup_command
def neighbors(name: str, depth: int, fmt: str, kg: KnowledgeGraph) -> None:
    """Diseases, mechanisms, studies and products within DEPTH links of NAME, nearest first."""
    from mscgraph.views.network import neighbors as run

    output(run(kg, name, depth), fmt, NEIGHBOR_COLUMNS, f"nothing is linked to {name}")
