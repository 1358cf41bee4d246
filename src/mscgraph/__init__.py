"""mscgraph: a knowledge graph of MSC therapy in autoimmune disease.

>>> import mscgraph
>>> kg = mscgraph.load()
>>> rows = kg.mechanisms("Sjögren syndrome")

The names below are imported on first use, so that importing a submodule (``mscgraph.model.namespaces``,
the command line) does not import the whole library.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mscgraph.api import KnowledgeGraph, load
    from mscgraph.model.errors import AmbiguousName, MscGraphError, UnknownName, UsageError
    from mscgraph.model.version import __version__

_WHERE = {
    "KnowledgeGraph": "mscgraph.api",
    "load": "mscgraph.api",
    "AmbiguousName": "mscgraph.model.errors",
    "MscGraphError": "mscgraph.model.errors",
    "UnknownName": "mscgraph.model.errors",
    "UsageError": "mscgraph.model.errors",
    "__version__": "mscgraph.model.version",
}

__all__ = [
    "AmbiguousName",
    "KnowledgeGraph",
    "MscGraphError",
    "UnknownName",
    "UsageError",
    "__version__",
    "load",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'mscgraph' has no attribute {name!r}")
    value = getattr(importlib.import_module(_WHERE[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
