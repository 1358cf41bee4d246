"""SHACL on the Oxigraph store: the constraints of a shapes file compiled to SPARQL queries.

Why not a SHACL engine: measured on the ×100 benchmark graph (346,000 triples, 2 busy cores),
pySHACL (pure Python, over an rdflib copy of the data) needs ~30 s, pyshacl-turbo 35 s on a
pyoxigraph Store (and there misreads ``sh:in`` of plain strings; 180 s through N-Triples text),
pyrudof 34 s plus 7 s to load; shacl-rust is fast but reports false violations of qualified value
shapes on the real data. The data is already in an Oxigraph store, which evaluates SPARQL in
Rust without holding the GIL: compiled to SPARQL, the shapes take ~1.7 s of CPU at ×100 and ~21 s
at ×1000, on two threads. Oxigraph probes the store once per row for ``FILTER NOT EXISTS``, so the
queries use ``MINUS`` (a hash anti-join) wherever the test is a graph pattern, and list the
subclasses of a class (read from the store once, in ``VALUES``) instead of a ``rdfs:subClassOf*``
path per value. The constraints of one form on the same focus nodes share one query (its rows say
which constraint they break), so that each set of focus nodes is read once: 21 queries, not 115;
counts above one (``sh:maxCount 1``) group the values rather than join them to themselves.

The compiler is generic over the SHACL Core constructs ``ontology/shapes.ttl`` uses, read from the
shapes file itself, never written per shape:

* targets: ``sh:targetClass`` (instances of the class or of a subclass, ``rdfs:subClassOf*``: the
  ontology is in the store, as pySHACL's ``ont_graph``);
* paths: an IRI, or ``[ sh:inversePath IRI ]``;
* value constraints: ``sh:class``, ``sh:datatype``, ``sh:languageIn``, ``sh:in``, ``sh:hasValue``,
  ``sh:min/maxInclusive``, ``sh:min/maxExclusive``, ``sh:lessThan(OrEquals)``, ``sh:node``,
  ``sh:property``, ``sh:and``, ``sh:or``, ``sh:not``, ``sh:xone``;
* cardinality: ``sh:minCount``, ``sh:maxCount``, ``sh:uniqueLang``, ``sh:qualifiedValueShape``
  with ``sh:qualifiedMinCount`` / ``sh:qualifiedMaxCount``;
* ``sh:message`` and ``sh:severity``.

Any other ``sh:`` term in a shape raises :class:`ShapesError` naming it, so that a constraint added
to the shapes is never silently skipped. The results are those pySHACL gives (the tests compare
both on faults planted for every component): a value constraint of a property shape gives one
result per offending value, a cardinality constraint one per focus node, a constraint of a node
shape one per focus node with the focus node as value. One difference: the store keeps literals
in canonical form (``"01"^^xsd:integer`` is 1, ``xsd:positiveInteger`` is stored as
``xsd:integer``), so a datatype constraint sees the canonical datatype; :func:`as_written`
gives back the literal as the file spells it, for the report.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from mscgraph.model.errors import MscGraphError

SH = "http://www.w3.org/ns/shacl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"

Node = ox.NamedNode | ox.BlankNode | ox.Literal

# --- the SPARQL templates ---------------------------------------------------------------------------

# The classes of the shapes and their subclasses (rdfs:subClassOf*); the queries below list them.
SUBCLASSES = (
    "SELECT ?class ?sub WHERE {{ VALUES ?class {{ {classes} }} "
    "?sub <http://www.w3.org/2000/01/rdf-schema#subClassOf>* ?class }}"
)
# The focus nodes of a shape: instances of its target classes (or of their subclasses); a node of two
# such classes comes twice, which the SELECT DISTINCT of each query absorbs (cheaper than a subquery).
TARGETS = "VALUES ?class {{ {classes} }} ?focus a ?class ."
# Each constraint is one of three forms; the constraints of one form on the same focus nodes are one
# query, whose rows say by ?k which constraint they break (the focus nodes are read once, not once
# per constraint). "filter": a test of the focus node (a node shape's own constraint);
FILTER_QUERY = "SELECT DISTINCT ?k ?focus WHERE {{ {targets} VALUES ?k {{ {ks} }} FILTER({tests}) }}"
FILTER_TEST = "(?k = {k} && !({test}))"
# "join": a pattern whose rows break it (a value constraint: the offending ?value; a cardinality
# constraint such as sh:maxCount 1: two distinct values), joined to the focus nodes last (~15 % faster);
JOIN_QUERY = "SELECT DISTINCT ?k ?focus ?value WHERE {{ {branches} {targets} }}"
BRANCH = "{{ {pattern} BIND({k} AS ?k) }}"
# "minus": a pattern the focus node must match (sh:minCount 1: one value), as a hash anti-join.
MINUS_QUERY = "SELECT DISTINCT ?k ?focus WHERE {{ {targets} VALUES ?k {{ {ks} }} MINUS {{ {branches} }} }}"
# The values of a property shape that break a value constraint (sh:class: the values that are no
# instance, a hash anti-join where FILTER NOT EXISTS would probe the store once per value).
VALUE_PATTERN = "?focus {path} ?value . FILTER(!({test}))"
CLASS_PATTERN = "?focus {path} ?value . MINUS {{ {pattern} }}"

# Boolean expressions; {x} is the value node (a variable or a constant).
INSTANCE = "VALUES {c} {{ {classes} }} {x} a {c} ."  # VALUES: an index look-up per class, not a scan
# The lexical form is valid for the datatype: casting it back gives a literal of that datatype.
DATATYPE = "COALESCE(isLiteral({x}) && DATATYPE({x}) = {dt}{valid}, false)"
VALID_LEXICAL = " && DATATYPE({dt}(STR({x}))) = {dt}"
LANGUAGE_IN = "COALESCE(isLiteral({x}) && ({tests}), false)"
LANG_MATCHES = 'langMatches(LANG({x}), "{lang}")'
COMPARE = "COALESCE({x} {op} {y}, false)"
ALL_VALUES = "NOT EXISTS {{ {x} {path} {v} . FILTER(!({test})) }}"  # every value passes the test
DISTINCT_VALUES = "{triples} FILTER({distinct})"  # at least n distinct values (passing a test)
# The same for a focus node at the top of a query, n > 1: counting is cheaper than joining n values.
COUNTED_VALUES = (
    "{{ SELECT {x} WHERE {{ {x} {path} {v} . FILTER({test}) }} "
    "GROUP BY {x} HAVING(COUNT(DISTINCT {v}) >= {n}) }}"
)
OTHER_VALUES = "NOT EXISTS {{ {focus} {other} {w} . FILTER(!({test})) }}"  # compared with another property
SAME_LANG = (  # two values in one language
    "{x} {path} {a} , {b} . "
    'FILTER(!sameTerm({a}, {b}) && LANG({a}) != "" && LCASE(LANG({a})) = LCASE(LANG({b})))'
)

# Datatypes whose lexical forms are checked by a cast (the XSD casts SPARQL and Oxigraph define).
_CASTABLE = {
    XSD + t
    for t in [
        *("boolean", "integer", "decimal", "float", "double", "dateTime", "date", "time", "duration"),
        *("dayTimeDuration", "yearMonthDuration", "gYear", "gYearMonth", "gMonth", "gMonthDay", "gDay"),
    ]
}
_COMPARISONS = {"minInclusive": ">=", "minExclusive": ">", "maxInclusive": "<=", "maxExclusive": "<"}
_PAIRS = {"lessThan": "<", "lessThanOrEquals": "<="}
_LOGICAL = {"and", "or", "xone", "not", "node", "property"}
_VALUE = {"class", "datatype", "languageIn", "in", *_COMPARISONS, *_PAIRS, *_LOGICAL}
# Constraints on the values of a path taken together (sh:hasValue of a node shape is a value constraint).
_COUNT = {"minCount", "maxCount", "uniqueLang", "qualifiedValueShape", "hasValue"}
# Terms of a shape that are not constraints (or are read with the constraint they qualify).
_NOT_CONSTRAINTS = {
    "path",
    "message",
    "severity",
    "name",
    "description",
    "targetClass",
    "qualifiedMinCount",
    "qualifiedMaxCount",
    "inversePath",
}


class ShapesError(MscGraphError):
    """The shapes use a construct this compiler does not implement."""


@dataclass(frozen=True)
class Violation:
    """One validation result, as in a SHACL report."""

    focus: Node
    path: Node | None  # the property shape's sh:path (an IRI, or the blank node of a complex path)
    value: Node | None  # the offending value; the focus node for a node shape's constraint
    component: str  # e.g. "MinCountConstraintComponent"
    shape: Node  # the shape whose constraint is broken
    message: str
    severity: str  # "Violation", "Warning" or "Info"


@dataclass(frozen=True)
class _Check:
    kind: str  # "node" (a node shape's constraint), "value" or "count" (a property shape's)
    targets: str  # the pattern of the focus nodes
    form: str  # "filter", "join" or "minus" (see FILTER_QUERY)
    pattern: str  # the test ("filter") or the pattern
    path: Node | None
    component: str
    shape: Node
    message: str
    severity: str


class Shapes:
    """A shapes file compiled to SPARQL: one query per form of constraint and set of focus nodes."""

    def __init__(self, path: Path) -> None:
        self.graph: dict[Node, dict[str, list[Node]]] = {}
        for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            self.graph.setdefault(t.subject, {}).setdefault(t.predicate.value, []).append(t.object)
        unknown = {
            key[len(SH) :]
            for props in self.graph.values()
            for key in props
            if key.startswith(SH) and key[len(SH) :] not in _VALUE | _COUNT | _NOT_CONSTRAINTS
        }
        if unknown:
            terms = ", ".join(f"sh:{name}" for name in sorted(unknown))
            raise ShapesError(f"the shapes use {terms}, which mscgraph's SHACL compiler does not implement")
        self.subclasses: dict[Node, list[Node]] = {}
        self._n = 0

    def compile(self, store: ox.Store) -> list[_Check]:
        """One check per constraint, for the class hierarchy of ``store`` (data and ontology)."""
        classes = {
            c
            for props in self.graph.values()
            for key in ("targetClass", "class")
            for c in props.get(SH + key, [])
        }
        self.subclasses = {c: [] for c in classes}
        query = SUBCLASSES.format(classes=" ".join(map(str, classes)))
        for row in _select(store, query):
            self.subclasses[_node(row["class"])].append(_node(row["sub"]))
        return [check for shape in self._targeted() for check in self._compile(shape)]

    def validate(self, store: ox.Store, workers: int = 2) -> list[Violation]:
        """The violations of the data in ``store``'s default graph (its named graphs are not read), in
        the order of the constraints."""
        checks = self.compile(store)
        found: list[list[Violation]] = [[] for _ in checks]

        def run(group: list[int]) -> None:
            for row in _select(store, _query([checks[i] for i in group])):
                i = group[int(_node(row["k"]).value)]
                check, focus = checks[i], _node(row["focus"])
                value = (
                    focus if check.kind == "node" else _node(row["value"]) if check.kind == "value" else None
                )
                found[i].append(
                    Violation(
                        focus, check.path, value, check.component, check.shape, check.message, check.severity
                    )
                )

        groups: dict[tuple[str, str], list[int]] = {}
        for i, check in enumerate(checks):
            groups.setdefault((check.targets, check.form), []).append(i)
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(run, groups.values()))
        return [v for violations in found for v in violations]

    # --- reading the shapes graph ---

    def _one(self, node: Node, key: str) -> Node | None:
        values = self.graph.get(node, {}).get(SH + key, [])
        return values[0] if values else None

    def _list(self, head: Node) -> list[Node]:
        items = []
        while head != ox.NamedNode(RDF + "nil"):
            items.append(self.graph[head][RDF + "first"][0])
            head = self.graph[head][RDF + "rest"][0]
        return items

    def _targeted(self) -> list[Node]:
        return sorted(
            (s for s, props in self.graph.items() if SH + "targetClass" in props), key=lambda s: str(s)
        )

    def _constraints(self, shape: Node) -> Iterator[tuple[str, Node]]:
        """(parameter, value) of each constraint of ``shape``."""
        for key, values in self.graph.get(shape, {}).items():
            name = key[len(SH) :]
            if key.startswith(SH) and name not in _NOT_CONSTRAINTS:
                yield from ((name, value) for value in values)

    def _message(self, shape: Node, name: str, value: Node) -> str:
        messages = sorted(m.value for m in self.graph.get(shape, {}).get(SH + "message", []))
        return messages[0] if messages else f"violates sh:{name} {value}"

    def _severity(self, shape: Node) -> str:
        severity = self._one(shape, "severity")
        return severity.value.rsplit("#", 1)[-1] if severity is not None else "Violation"

    def _path(self, shape: Node) -> str | None:
        path = self._one(shape, "path")
        if path is None:
            return None
        if isinstance(path, ox.NamedNode):
            return str(path)
        inverse = self._one(path, "inversePath")
        if isinstance(inverse, ox.NamedNode) and len(self.graph[path]) == 1:
            return f"^{inverse}"
        raise ShapesError("the shapes use a path other than an IRI or sh:inversePath of an IRI")

    def _var(self) -> str:
        self._n += 1
        return f"?v{self._n}"

    # --- compiling ---

    def _compile(self, shape: Node) -> Iterator[_Check]:
        """The checks of a targeted node shape: its own constraints, then its property shapes'."""
        classes = {sub for c in self.graph[shape][SH + "targetClass"] for sub in self.subclasses[c]}
        targets = TARGETS.format(classes=" ".join(sorted(map(str, classes))))
        for name, value in self._constraints(shape):
            if name == "property":
                yield from self._compile_property(shape, value, targets)
                continue
            test = self._value_test(shape, name, value, "?focus", "?focus")
            about = self._about(shape, name, value)
            yield _Check("node", targets, "filter", test, None, _component(name), shape, *about)

    def _compile_property(self, parent: Node, shape: Node, targets: str) -> Iterator[_Check]:
        path = self._path(shape)
        if path is None:
            raise ShapesError(f"a property shape of {parent} has no sh:path")
        shown = self._one(shape, "path")
        for name, value in self._constraints(shape):
            about = self._about(shape, name, value)
            if name in _COUNT:
                for component, required, pattern in self._count_patterns(
                    shape, name, value, "?focus", path, True
                ):
                    form = "minus" if required else "join"
                    yield _Check("count", targets, form, pattern, shown, _component(component), shape, *about)
                continue
            if name == "class":
                pattern = CLASS_PATTERN.format(path=path, pattern=self._instance(value, "?value"))
            else:
                test = self._value_test(shape, name, value, "?value", "?focus")
                pattern = VALUE_PATTERN.format(path=path, test=test)
            yield _Check("value", targets, "join", pattern, shown, _component(name), shape, *about)

    def _about(self, shape: Node, name: str, value: Node) -> tuple[str, str]:
        return self._message(shape, name, value), self._severity(shape)

    def conforms(self, shape: Node, x: str) -> str:
        """A SPARQL expression: the node ``x`` conforms to ``shape`` (every constraint holds)."""
        path = self._path(shape)
        tests = []
        for name, value in self._constraints(shape):
            if path is None:
                tests.append(self._value_test(shape, name, value, x, x))
            elif name in _COUNT:
                for _component, required, pattern in self._count_patterns(shape, name, value, x, path):
                    tests.append(f"{'' if required else 'NOT '}EXISTS {{ {pattern} }}")
            else:
                v = self._var()
                test = self._value_test(shape, name, value, v, x)
                tests.append(ALL_VALUES.format(x=x, path=path, v=v, test=test))
        return " && ".join(f"({t})" for t in tests) or "true"

    def _value_test(self, shape: Node, name: str, param: Node, x: str, focus: str) -> str:
        """A SPARQL expression: the value node ``x`` (of focus node ``focus``) passes the constraint."""
        if name == "class":
            return f"EXISTS {{ {self._instance(param, x)} }}"
        if name == "datatype":
            valid = VALID_LEXICAL.format(x=x, dt=param) if param.value in _CASTABLE else ""
            return DATATYPE.format(x=x, dt=param, valid=valid)
        if name == "languageIn":
            tests = " || ".join(LANG_MATCHES.format(x=x, lang=lang.value) for lang in self._list(param))
            return LANGUAGE_IN.format(x=x, tests=tests or "false")
        if name in ("in", "hasValue"):
            options = self._list(param) if name == "in" else [param]
            return " || ".join(f"sameTerm({x}, {o})" for o in options) or "false"
        if name in _COMPARISONS:
            return COMPARE.format(x=x, op=_COMPARISONS[name], y=param)
        if name in _PAIRS:
            w = self._var()
            return OTHER_VALUES.format(
                focus=focus, other=param, w=w, test=COMPARE.format(x=x, op=_PAIRS[name], y=w)
            )
        if name in ("node", "property"):
            return self.conforms(param, x)
        if name == "not":
            return f"!({self.conforms(param, x)})"
        members = [self.conforms(member, x) for member in self._list(param)]
        if name == "and":
            return " && ".join(f"({m})" for m in members) or "true"
        if name == "or":
            return " || ".join(f"({m})" for m in members) or "false"
        if name == "xone":
            return "(" + " + ".join(f"IF({m}, 1, 0)" for m in members) + ") = 1"
        raise ShapesError(f"sh:{name} cannot constrain a node shape")

    def _instance(self, cls: Node, x: str) -> str:
        """A pattern: ``x`` is an instance of ``cls`` or of a subclass."""
        return INSTANCE.format(x=x, c=self._var(), classes=" ".join(map(str, self.subclasses[cls])))

    def _count_patterns(
        self, shape: Node, name: str, param: Node, x: str, path: str, top: bool = False
    ) -> Iterator[tuple[str, bool, str]]:
        """(component, required, pattern): ``x`` must match (required) or must not match the pattern
        (``top``: ``x`` is the focus node of the query, not a variable of an enclosing pattern)."""
        if name == "uniqueLang":
            if param.value == "true":
                yield name, False, SAME_LANG.format(x=x, path=path, a=self._var(), b=self._var())
        elif name == "hasValue":
            yield name, True, f"{x} {path} {param} ."
        elif name == "minCount":
            if int(param.value) > 0:
                yield name, True, self._at_least(int(param.value), x, path, None, top)
        elif name == "maxCount":
            yield name, False, self._at_least(int(param.value) + 1, x, path, None, top)
        else:  # sh:qualifiedValueShape
            if (least := self._one(shape, "qualifiedMinCount")) is not None and int(least.value) > 0:
                yield "qualifiedMinCount", True, self._at_least(int(least.value), x, path, param, top)
            if (most := self._one(shape, "qualifiedMaxCount")) is not None:
                yield "qualifiedMaxCount", False, self._at_least(int(most.value) + 1, x, path, param, top)

    def _at_least(self, n: int, x: str, path: str, qualifier: Node | None = None, top: bool = False) -> str:
        """A pattern: ``n`` distinct values of ``x`` on ``path`` (each conforming to ``qualifier``)."""
        if top and n > 1:
            v = self._var()
            test = self.conforms(qualifier, v) if qualifier is not None else "true"
            return COUNTED_VALUES.format(x=x, path=path, v=v, test=test, n=n)
        values = [self._var() for _ in range(n)]
        triples = " ".join(f"{x} {path} {v} ." for v in values)
        distinct = [f"!sameTerm({a}, {b})" for i, a in enumerate(values) for b in values[i + 1 :]]
        if qualifier is not None:
            distinct += [f"({self.conforms(qualifier, v)})" for v in values]
        return DISTINCT_VALUES.format(triples=triples, distinct=" && ".join(distinct) or "true")


def _query(checks: list[_Check]) -> str:
    """One query for checks of one form on the same focus nodes; ?k is the index of the check broken."""
    targets, form = checks[0].targets, checks[0].form
    ks = " ".join(map(str, range(len(checks))))
    if form == "filter":
        tests = " || ".join(FILTER_TEST.format(k=k, test=c.pattern) for k, c in enumerate(checks))
        return FILTER_QUERY.format(targets=targets, ks=ks, tests=tests)
    branches = " UNION ".join(BRANCH.format(pattern=c.pattern, k=k) for k, c in enumerate(checks))
    template = JOIN_QUERY if form == "join" else MINUS_QUERY
    return template.format(targets=targets, ks=ks, branches=branches)


def _component(name: str) -> str:
    """The SHACL constraint component of a parameter, e.g. ``minCount`` -> MinCountConstraintComponent."""
    return name[0].upper() + name[1:] + "ConstraintComponent"


def _select(store: ox.Store, query: str) -> ox.QuerySolutions:
    solutions = store.query(query)
    assert isinstance(solutions, ox.QuerySolutions), query
    return solutions


def _node(term: object) -> Node:
    """A term of a result row (never a triple term nor unbound: the queries bind what they select)."""
    assert isinstance(term, ox.NamedNode | ox.BlankNode | ox.Literal), term
    return term


def as_written(violations: list[Violation], triples: Iterable[ox.Triple]) -> list[Violation]:
    """The violations, each literal value as the data files write it (not in the store's canonical form)."""
    wanted = {(v.focus, v.path) for v in violations if isinstance(v.value, ox.Literal)}
    if not wanted:
        return violations
    written = [t for t in triples if (t.subject, t.predicate) in wanted and isinstance(t.object, ox.Literal)]
    canonical = ox.Store()
    canonical.extend(
        ox.Quad(ox.NamedNode(f"urn:written:{i}"), t.predicate, t.object) for i, t in enumerate(written)
    )
    spelled: dict[tuple[object, object, object], Node] = {}
    for quad in canonical:
        t = written[int(quad.subject.value.rsplit(":", 1)[1])]
        spelled[(t.subject, t.predicate, quad.object)] = _node(t.object)
    return [
        Violation(
            v.focus,
            v.path,
            spelled.get((v.focus, v.path, v.value), v.value),
            v.component,
            v.shape,
            v.message,
            v.severity,
        )
        for v in violations
    ]
