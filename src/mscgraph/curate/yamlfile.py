"""Curation files as data plus the line of every value (for ``file:line`` messages)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Path_ = tuple[str | int, ...]  # keys and list indexes from the document root


@dataclass(frozen=True)
class Problem:
    """One defect of a curation file, printed as ``file:line: message``."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass
class Document:
    """A parsed curation file: its data and the (1-based) line of every path in it."""

    path: Path
    data: dict[str, Any]
    lines: dict[Path_, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def name(self) -> str:
        return str(self.path)

    def line(self, at: Sequence[str | int]) -> int:
        """The line of ``at``, or of its nearest enclosing value that has one."""
        at = tuple(at)
        while at not in self.lines and at:
            at = at[:-1]
        return self.lines.get(at, 1)

    def problem(self, at: Sequence[str | int], message: str) -> Problem:
        return Problem(self.name, self.line(at), message)


class _Loader(yaml.SafeLoader):
    """YAML 1.2 numbers: ``1.0e6`` and ``1e6`` are floats (YAML 1.1 reads them as text)."""


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][-+]?[0-9]+$"),
    list("-+0123456789."),
)


def load(path: str | Path) -> Document:
    """Parse ``path``; a YAML syntax error or a duplicate key becomes a problem of the document."""
    path = Path(path)
    doc = Document(path, {})
    try:
        text = path.read_text("utf-8")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        doc.problems.append(Problem(doc.name, line, "not UTF-8 text"))
        return doc
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            doc.problems.append(Problem(doc.name, 1, "the file is empty"))
            return doc
        data = loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        what = " ".join(str(getattr(exc, "problem", None) or exc).split())
        doc.problems.append(Problem(doc.name, line, f"YAML syntax error: {what}"))
        return doc
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        doc.problems.append(
            Problem(doc.name, node.start_mark.line + 1, "the file must be a mapping of lists")
        )
        return doc
    doc.data = data
    _index(node, (), doc)
    return doc


def _index(node: yaml.Node, at: Path_, doc: Document) -> None:
    doc.lines.setdefault(at, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            name = key.value
            if name in seen:
                doc.problems.append(Problem(doc.name, key.start_mark.line + 1, f"duplicate key {name!r}"))
            seen.add(name)
            doc.lines[(*at, name)] = key.start_mark.line + 1
            _index(value, (*at, name), doc)
            doc.lines[(*at, name)] = key.start_mark.line + 1  # a key's line, not its value's
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index(item, (*at, i), doc)
