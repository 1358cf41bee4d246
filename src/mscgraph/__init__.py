"""mscgraph: a knowledge graph of MSC therapy in autoimmune disease.

>>> import mscgraph
>>> kg = mscgraph.load()
>>> rows = kg.mechanisms("Sjögren syndrome")
"""

from mscgraph.api import KnowledgeGraph, load
from mscgraph.model.errors import AmbiguousName, MscGraphError, UnknownName, UsageError
from mscgraph.model.version import __version__

__all__ = [
    "AmbiguousName",
    "KnowledgeGraph",
    "MscGraphError",
    "UnknownName",
    "UsageError",
    "__version__",
    "load",
]
