"""Shared fixtures: the real packaged graph, opened through the real on-disk index."""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

import mscgraph

REPO = Path(__file__).resolve().parents[1]


# Markers that name a slow component also mark the test slow, so that `pytest -m "not slow"` leaves them out.
IMPLY_SLOW = ("browser", "virtuoso", "java", "bench")


@pytest.hookimpl(tryfirst=True)  # before -m selects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if any(item.get_closest_marker(name) for name in IMPLY_SLOW):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session", autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every test session builds its own index, never touching the user's cache."""
    os.environ["MSCGRAPH_CACHE"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="session")
def kg() -> mscgraph.KnowledgeGraph:
    return mscgraph.load()


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


# --- endpoints (serve, remote, Virtuoso): free ports, waiting for a server, a stable data snapshot ---


def free_port() -> int:
    """A TCP port nobody listens on now (the OS picks it)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc, what: str, timeout: float = 60.0) -> None:
    """Wait until ``proc`` accepts connections on ``port``; fail clearly if it exits or takes too long."""
    import socket
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{what} exited with {proc.returncode} before listening on port {port}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    proc.kill()
    pytest.fail(f"{what} did not listen on port {port} within {timeout:g} s")


@pytest.fixture(scope="session")
def data_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of data/ taken once, so that servers and the embedded graph compare the same data
    even while curators edit data/ during the run."""
    import shutil

    target = tmp_path_factory.mktemp("data-snapshot")
    for path in sorted((REPO / "data").glob("*.ttl")):
        shutil.copy2(path, target / path.name)
    return target


# Sample arguments for named queries, by parameter kind (the n-th parameter of a kind takes the n-th value).
SAMPLE_ARGUMENTS = {
    "disease": ["SS", "SLE"],
    "subject": ["SS", "SLE"],
    "mechanism": ["Th17", "Treg"],
    "entity": ["SS"],
    "iri": ["msc:Disease"],
    "string": ["Th"],
    "integer": ["2012"],
}


def sample_params(query) -> dict[str, str]:
    """Arguments for every required parameter of a named query."""
    used: dict[str, int] = {}
    params = {}
    for param in query.params:
        if not param.optional:
            values = SAMPLE_ARGUMENTS[param.kind]
            params[param.name] = values[used.get(param.kind, 0) % len(values)]
            used[param.kind] = used.get(param.kind, 0) + 1
    return params


_NUMERIC = ("integer", "decimal", "double", "float", "int", "long", "nonNegativeInteger", "positiveInteger")
_CONCAT = re.compile(
    r'GROUP_CONCAT\s*\((?:[^()]|\([^()]*\))*?separator\s*=\s*"([^"]*)"\s*\)\s*AS\s*\?(\w+)', re.I | re.S
)


def term_kind(term) -> str:
    """The kind of an RDF term as the W3C results formats call it: uri, literal, bnode (or triple)."""
    kinds = {ox.NamedNode: "uri", ox.Literal: "literal", ox.BlankNode: "bnode", ox.Triple: "triple"}
    return kinds[type(term)]


def comparable(result, query_text: str) -> list[tuple]:
    """Rows as a sorted list, up to what SPARQL leaves to the engine: the order of rows with equal
    sort keys, the order inside a GROUP_CONCAT (and whether an empty one is "" or unbound, and its
    language tag), and the lexical form of a number (1e+06 = 1000000)."""
    concat = {m.group(2): m.group(1) for m in _CONCAT.finditer(query_text)}
    rows = []
    for row in result.rows:
        out = []
        for name, term in sorted(row.items()):
            if name in concat:
                if term.value:
                    separator = concat[name].replace("\\n", "\n").replace("\\t", "\t")  # as written in SPARQL
                    out.append((name, "concat", tuple(sorted(term.value.split(separator)))))
            elif isinstance(term, ox.Literal) and term.datatype.value.rsplit("#", 1)[-1] in _NUMERIC:
                out.append((name, "number", float(term.value)))
            elif isinstance(term, ox.Literal):
                out.append((name, "literal", term.value, term.language or term.datatype.value))
            else:
                out.append((name, term_kind(term), term.value, ""))
        rows.append(tuple(out))
    return sorted(rows)


# --- a copy of the packaged data with one extra file (store and adversarial tests edit it) -----------

EXTRA = """@prefix mscd: <https://w3id.org/mscgraph/data/> .
@prefix msc: <https://w3id.org/mscgraph/ontology/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
mscd:TestDisease a msc:Disease ; rdfs:label "{label}"@en , "测试病"@zh ; msc:abbreviation "TD" .
"""


@pytest.fixture()
def data(tmp_path: Path) -> Path:
    """A copy of the packaged data plus ``extra.ttl`` (a test disease, TD), in a temporary folder."""
    import shutil

    from mscgraph.model import resources

    folder = tmp_path / "data"
    folder.mkdir()
    for path in resources.data_files():
        shutil.copy(path, folder / path.name)
    (folder / "extra.ttl").write_text(EXTRA.replace("{label}", "Testing disease"))
    return folder


# --- Debian's headless Chromium, as every browser test launches it -------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


@contextlib.contextmanager
def chromium():
    """A headless Chromium browser (Playwright driving Debian's package), closed on leaving."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
