"""Check the ontology and data: Turtle syntax, SHACL shapes, and integrity queries.

Three passes, each reporting :class:`Problem` values rather than raising:

1. syntax — every file is loaded into an in-memory Oxigraph store, whose parser's errors
   carry line and column; a file that does not parse stops the run there (later passes
   would only report the consequences of the missing triples). Python reads the triples
   only when there is a problem to place (file and line) or quotes to check;
2. integrity — the ``queries/_check-*.rq`` SPARQL queries, run on an in-memory
   Oxigraph store (dangling links, studies without publications, orphans, typos in
   ontology terms...);
3. SHACL — ``ontology/shapes.ttl`` compiled to SPARQL and run on the same store
   (:mod:`mscgraph.validate.shacl`; ``sh:class`` follows ``rdfs:subClassOf``), no inference;
4. quotes (with a source text) — every Chinese ``msc:sourceSentence`` must stand verbatim in
   the source, after :func:`markup_free` on both sides (docs/curation.md, rule 2).

One defect is often seen by several checks (a finding citing a study that does not
exist breaks a link, uses an undefined IRI and violates ``sh:class``). Problems are
therefore de-duplicated on (focus node, property, value), keeping the most specific
message: integrity checks come before SHACL.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from mscgraph.engines.embedded import EmbeddedEngine
from mscgraph.model import resources
from mscgraph.model.namespaces import CONVERTER
from mscgraph.query.library import catalog
from mscgraph.query.terms import Term
from mscgraph.store.index import Sources
from mscgraph.validate.shacl import Shapes, Violation, as_written

CHECK_PREFIX = "_check-"
_FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES}
_SEVERITY = {"Violation": "error", "Warning": "warning", "Info": "info"}
_POSITION = re.compile(r"^Parser error at line \d+ column \d+:\s*")
_PREFIX_DECL = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([\w.-]*):\s*<([^>]*)>", re.IGNORECASE)
_SUBJECT = re.compile(r"^([^\s#@][^\s;,]*)")


@dataclass(frozen=True)
class Problem:
    """One defect: where it is, what it concerns, and a message a curator can act on."""

    file: str | None
    line: int | None
    severity: str  # "error" | "warning" | "info"
    focus: str | None  # CURIE of the node concerned
    message: str
    check: str  # "syntax", "shacl" or the name of an integrity query
    column: int | None = None
    path: str | None = None  # CURIE of the property concerned
    value: str | None = None  # the offending value, as in Turtle

    def __str__(self) -> str:
        where = self.file or "<graph>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        about = f"{self.focus}: " if self.focus else ""
        return f"{where}: {self.severity}: {about}{self.message}"

    def as_row(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Report:
    """The outcome of :func:`validate`."""

    files: list[Path]
    triples: int = 0
    problems: list[Problem] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        counts = f"{len(self.files)} files, {self.triples} triples"
        if self.ok:
            others = len(self.problems)
            return f"ok: {counts}, 0 problems" + (f" ({others} warnings)" if others else "")
        n = len(self.errors)
        return f"invalid: {counts}, {n} problem{'s' if n != 1 else ''}"


def validate(
    files: Sequence[str | Path] | None = None,
    *,
    shapes: Path | None = None,
    shacl: bool = True,
    source: Path | None = None,
) -> Report:
    """Validate the packaged ontology plus ``files`` (data files or directories; default: packaged data).

    ``shacl=False`` skips the SHACL pass; syntax and integrity checks always run. ``source`` (the
    review's text) adds the quote check: every Chinese sentence quoted must be found in it verbatim.
    """
    sources = Sources.resolve(files)
    report = Report(files=list(sources.files))
    locator = _Locator(sources.files)

    started = time.perf_counter()
    store = ox.Store()  # one default graph: the SHACL queries read it without a union of graphs
    loaded = []
    with ThreadPoolExecutor(2) as pool:  # the store parses and loads without holding the GIL
        problems = list(pool.map(lambda path: _load(store, path, locator), sources.files))
    for path, problem in zip(sources.files, problems, strict=True):
        if problem:
            report.problems.append(problem)
        else:
            loaded.append(path)
    report.seconds["parse"] = time.perf_counter() - started
    if report.problems:
        report.triples = sum(len(locator.triples(path)) for path in loaded)
        return report
    report.triples = len(store)

    # The store answers queries without holding the GIL: the SHACL queries run beside the integrity
    # checks, each pass on two threads (on two cores, "shacl" then counts from the start of both).
    started = time.perf_counter()
    with ThreadPoolExecutor(1) as pool:
        shapes_run = pool.submit(Shapes(shapes or resources.shapes_file()).validate, store) if shacl else None
        found = _integrity(EmbeddedEngine(store), locator)
        report.seconds["integrity"] = time.perf_counter() - started
        if source is not None:
            quotes_started = time.perf_counter()
            found += check_quotes(source, locator)
            report.seconds["quotes"] = time.perf_counter() - quotes_started
        if shapes_run is not None:
            found += _shacl(shapes_run.result(), locator)
            report.seconds["shacl"] = time.perf_counter() - started

    report.problems = _dedupe(found)
    return report


# --- syntax -------------------------------------------------------------------------------


def _load(store: ox.Store, path: Path, locator: _Locator) -> Problem | None:
    """Load ``path`` into ``store`` (parsed in Rust: Python sees the triples only if there is a problem)."""
    shown = locator.display(path)
    fmt = _FORMATS.get(path.suffix)
    if fmt is None:
        return Problem(shown, None, "error", None, "unsupported file type (use .ttl or .nt)", "syntax")
    try:
        store.load(path=str(path), format=fmt)
    except SyntaxError as exc:
        message = _POSITION.sub("", " ".join(str(exc.msg or exc).split()))
        return Problem(shown, exc.lineno, "error", None, f"syntax error: {message}", "syntax", exc.offset)
    except OSError as exc:
        return Problem(shown, None, "error", None, f"cannot read: {exc.strerror or exc}", "syntax")
    return None


# --- quotes --------------------------------------------------------------------------------

_SOURCE_SENTENCE = "https://w3id.org/mscgraph/ontology/sourceSentence"


def markup_free(text: str) -> str:
    """Text with the source's typesetting markup removed, for comparing quotes with the source.

    The source is a text extraction with LaTeX (``$1 \\times 10^6/\\text{kg}$``), superscripts
    (``CD4⁺``, ``^{[35]}``), emphasis stars and stray spaces between Chinese and Latin text; quotes
    simplify that markup (docs/curation.md, rule 2). Both sides lose all white space, ``$ ^ { } *``
    and LaTeX commands, and full-width punctuation becomes ASCII: what is left must match exactly.
    """
    text = text.replace("\\times", "×").replace("\\sim", "~").replace("⁺", "+")
    text = re.sub(r"\\text\{([^}]*)\}", r"\1", text)
    text = re.sub(r"[\s$^{}*]", "", text)
    return text.translate(str.maketrans("（），；：", "(),;:"))


def check_quotes(source: Path, locator: _Locator) -> list[Problem]:
    """A problem (with the file and line of the quote) for each Chinese quote not found in ``source``."""
    try:
        text = markup_free(source.read_text("utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        return [Problem(str(source), None, "error", None, f"cannot read the source text: {reason}", "quotes")]
    problems = []
    for path in locator.files:
        for t in locator.triples(path):
            quote = t.object
            if t.predicate.value != _SOURCE_SENTENCE or not isinstance(quote, ox.Literal):
                continue
            if quote.language != "zh" or markup_free(quote.value) in text:
                continue
            shown = quote.value if len(quote.value) <= 40 else quote.value[:39] + "…"
            problems.append(
                Problem(
                    file=locator.display(path),
                    line=_line_of_text(path, quote.value) or locator.line_of(path, _subject_iri(t)),
                    severity="error",
                    focus=_show(t.subject) if isinstance(t.subject, ox.NamedNode) else None,
                    message=f"quote not found verbatim in {source.name}: {shown!r}",
                    check="quotes",
                    path="msc:sourceSentence",
                    value=quote.value,
                )
            )
    return problems


def _line_of_text(path: Path, value: str) -> int | None:
    """The line of the file where the literal ``value`` is written (its first occurrence)."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    at = text.find(value)
    return text.count("\n", 0, at) + 1 if at >= 0 else None


# --- integrity queries ----------------------------------------------------------------------


def check_names() -> list[str]:
    """The integrity queries, in the order they run (most specific first, by name)."""
    return sorted(name for name in catalog() if name.startswith(CHECK_PREFIX))


def _integrity(engine: EmbeddedEngine, locator: _Locator, workers: int = 2) -> list[Problem]:
    def rows(name: str) -> list[dict[str, Term]]:
        return engine.run(catalog()[name].text).rows

    names = check_names()
    with ThreadPoolExecutor(workers) as pool:  # each query is a scan of the store: one thread each
        answers = list(pool.map(rows, names))
    problems = []
    for name, found in zip(names, answers, strict=True):
        for row in found:
            focus, path, value = row.get("focus"), row.get("path"), row.get("value")
            message = row["message"].value
            for key, term in (("focus", focus), ("path", path), ("value", value)):
                if term is not None:
                    message = message.replace("{" + key + "}", _show(term))
            problems.append(locator.problem(focus, message, name[len(CHECK_PREFIX) :], "error", path, value))
    return problems


# --- SHACL ------------------------------------------------------------------------------------


def _shacl(violations: list[Violation], locator: _Locator) -> list[Problem]:
    problems = []
    for v in as_written(violations, (t for path in locator.files for t in locator.triples(path))):
        message = v.message
        if v.value is not None and v.value != v.focus:
            message += f" (got {_show(v.value)})"
        severity = _SEVERITY.get(v.severity, "error")
        problems.append(locator.problem(v.focus, message, "shacl", severity, v.path, v.value))
    return problems


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _subject_iri(triple: ox.Triple) -> str:
    """The subject's IRI or blank node id (a triple term, which the data never hold: its text)."""
    return str(triple.subject) if isinstance(triple.subject, ox.Triple) else triple.subject.value


# --- reporting ----------------------------------------------------------------------------------


def _show(term: Term) -> str:
    """A term as a curator would write it in Turtle: CURIE, or literal with a short datatype."""
    if isinstance(term, ox.NamedNode):
        return CONVERTER.compact(term.value)
    if isinstance(term, ox.BlankNode):
        return "[]"
    text = str(term)
    datatype = term.datatype.value
    if not term.language and datatype != _XSD_STRING:
        text = text.replace(f"^^<{datatype}>", f"^^{CONVERTER.compact(datatype)}")
    return text


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple[Any, ...]] = set()
    out = []
    for p in problems:
        key = (p.focus, p.path, p.value, p.check == "syntax" and p.message)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return sorted(out, key=lambda p: (p.file or "~", p.line or 0, p.focus or "", p.message))


class _Locator:
    """Finds the file and line where a node is described (its first appearance as a subject)."""

    def __init__(self, files: Sequence[Path]) -> None:
        self.files = list(files)
        self.parsed: dict[Path, list[ox.Triple]] = {}
        self.lines: dict[Path, dict[str, int]] = {}

    @staticmethod
    def display(path: Path) -> str:
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            return str(path)

    def triples(self, path: Path) -> list[ox.Triple]:
        """The triples of a file that loaded, parsed again on first use (to place problems)."""
        if path not in self.parsed:
            self.parsed[path] = list(ox.parse(path=str(path), format=_FORMATS[path.suffix]))
        return self.parsed[path]

    @functools.cached_property
    def owner(self) -> dict[str, Path]:
        """IRI -> the first file where it is a subject (indexed at the first problem, if any)."""
        owner: dict[str, Path] = {}
        for path in self.files:
            for t in self.triples(path):
                if isinstance(t.subject, ox.NamedNode):
                    owner.setdefault(t.subject.value, path)
        return owner

    def line_of(self, path: Path, iri: str) -> int | None:
        if path not in self.lines:
            self.lines[path] = _subject_lines(path)
        return self.lines[path].get(iri)

    def problem(
        self,
        focus: Term | None,
        message: str,
        check: str,
        severity: str,
        path: Term | None = None,
        value: Term | None = None,
    ) -> Problem:
        file = line = None
        if isinstance(focus, ox.NamedNode) and focus.value in self.owner:
            where = self.owner[focus.value]
            file, line = self.display(where), self.line_of(where, focus.value)
        return Problem(
            file=file,
            line=line,
            severity=severity,
            focus=_show(focus) if focus is not None else None,
            message=message,
            check=check,
            path=_show(path) if path is not None else None,
            value=_show(value) if value is not None else None,
        )


def _subject_lines(path: Path) -> dict[str, int]:
    """IRI -> line of each subject written at the start of a line (the usual Turtle layout)."""
    prefixes: dict[str, str] = {}
    lines: dict[str, int] = {}
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return lines
    for number, line in enumerate(text.splitlines(), 1):
        if decl := _PREFIX_DECL.match(line):
            prefixes[decl.group(1)] = decl.group(2)
            continue
        match = _SUBJECT.match(line)
        if not match:
            continue
        token = match.group(1)
        if token.startswith("<") and token.endswith(">"):
            iri = token[1:-1]
        elif ":" in token and token.split(":", 1)[0] in prefixes:
            name, local = token.split(":", 1)
            iri = prefixes[name] + local
        else:
            continue
        lines.setdefault(iri, number)
    return lines
