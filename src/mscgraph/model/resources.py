"""Where the packaged ontology, data and queries live.

In a wheel they are copied into ``mscgraph/_resources``; in a source checkout
(editable install, tests) they are read from the repository root.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGED = Path(__file__).parents[1] / "_resources"
_CHECKOUT = Path(__file__).resolve().parents[3]


def resource_dir(name: str) -> Path:
    """Return the directory ``name`` (``ontology``, ``data`` or ``queries``)."""
    packaged = _PACKAGED / name
    return packaged if packaged.is_dir() else _CHECKOUT / name


def ontology_file() -> Path:
    return resource_dir("ontology") / "msc.ttl"


def shapes_file() -> Path:
    return resource_dir("ontology") / "shapes.ttl"


def data_files(data_dir: Path | None = None) -> list[Path]:
    """The Turtle/N-Triples files of a data directory, in a stable order."""
    folder = data_dir or resource_dir("data")
    return sorted(p for p in folder.iterdir() if p.suffix in {".ttl", ".nt"} and p.is_file())
