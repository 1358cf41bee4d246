"""mscgraph: a knowledge graph of MSC therapy in autoimmune disease.

>>> import mscgraph
>>> kg = mscgraph.load()
>>> rows = kg.mechanisms("Sjögren syndrome")
"""

from .errors import AmbiguousName, MscGraphError, UnknownName, UsageError
from .graph import KnowledgeGraph, load

__all__ = ["AmbiguousName", "KnowledgeGraph", "MscGraphError", "UnknownName", "UsageError", "load"]
__version__ = "0.1.0"
