"""The layers of ``src/mscgraph`` as its imports draw them: no cycle, imports point down, nothing
imports the package root. Every import counts, also those inside functions and ``TYPE_CHECKING``."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

import mscgraph

SRC = Path(mscgraph.__file__).parent

# Bottom to top: a module may import its own layer and the layers below it, never one above.
LAYERS = [
    "model",
    "query",
    "engines",
    "names",
    "store",
    "graph",
    "evidence",
    "views",
    "validate",
    "curate",
    "api",
    "server",
    "cli",
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in SRC.rglob("*.py")}


def imports(name: str, path: Path) -> set[str]:
    """The mscgraph modules that ``name`` imports."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found |= {f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names}
    return {m for m in found if m.split(".")[0] == "mscgraph"}


GRAPH = nx.DiGraph([(name, target) for name, path in MODULES.items() for target in imports(name, path)])


def layer(module: str) -> int:
    return LAYERS.index(module.split(".")[1])


def test_every_module_belongs_to_a_layer() -> None:
    assert {m.split(".")[1] for m in MODULES if m != "mscgraph"} <= set(LAYERS)


def test_no_import_cycle() -> None:
    assert list(nx.simple_cycles(GRAPH)) == []


def test_imports_point_down() -> None:
    upward = [(a, b) for a, b in GRAPH.edges if a != "mscgraph" and b != "mscgraph" and layer(a) < layer(b)]
    assert upward == []


def test_nothing_imports_the_package_root() -> None:
    assert [a for a, b in GRAPH.edges if b == "mscgraph"] == []


def test_the_walk_sees_imports() -> None:
    """The test above could pass on a walk that finds nothing: it finds the imports that are known."""
    assert ("mscgraph.api", "mscgraph.evidence.summary") in GRAPH.edges
    assert ("mscgraph.views.lookups", "mscgraph.graph") in GRAPH.edges  # under TYPE_CHECKING
    assert ("mscgraph.api", "mscgraph.engines.remote") in GRAPH.edges  # inside a function
