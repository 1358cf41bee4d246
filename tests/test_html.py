"""The HTML page, driven in Debian's headless Chromium through Playwright, opened from file:// offline."""

from __future__ import annotations

import random
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from mscgraph import html, network, resources
from mscgraph.cli import main

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
XSS = "<img src=x onerror=alert(1)>"
XSS_FLAG = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def graph(kg) -> nx.MultiDiGraph:
    return network.build(kg)


@pytest.fixture(scope="module")
def page_file(tmp_path_factory) -> Path:
    from click.testing import CliRunner

    path = tmp_path_factory.mktemp("html") / "graph.html"
    result = CliRunner().invoke(main, ["html", "-o", str(path)])
    assert result.exit_code == 0, result.output
    return path


class Opened:
    """A page opened offline: every request that is not file:// is aborted and recorded."""

    def __init__(self, browser: Browser, path: Path, *, bypass_csp: bool) -> None:
        # bypass_csp lets Playwright evaluate JavaScript in the page (the page's own CSP forbids eval);
        # the page must be safe without its CSP too, so the XSS test runs both ways.
        self.context = browser.new_context(viewport={"width": 1400, "height": 900}, bypass_csp=bypass_csp)
        self.page: Page = self.context.new_page()
        self.errors: list[str] = []
        self.external: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)
        self.page.route("**/*", self._route)
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_selector("body[data-stabilized=true]", state="attached", timeout=300_000)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith("file://"):
            route.continue_()
        else:
            self.external.append(url)
            route.abort()

    def close(self) -> None:
        self.context.close()


@pytest.fixture()
def opened(browser, page_file) -> Iterator[Opened]:
    o = Opened(browser, page_file, bypass_csp=True)
    yield o
    o.close()


def test_file_references_no_external_url(page_file):
    text = page_file.read_text("utf-8")
    for attr in re.findall(r"""\b(?:src|href|action|srcset)\s*=\s*["']?([^"'\s>]*)""", text, re.I):
        assert not re.match(r"(?i)(https?:)?//", attr), attr
    assert not re.search(r"(?i)url\(\s*['\"]?(https?:)?//", text)
    assert "http://" not in text and "https://" not in text  # not even in the inlined library's strings
    assert "@import" not in text and "<link" not in text.lower()
    assert "bootstrap" not in text.lower()


def test_output_is_deterministic(graph, tmp_path):
    a, b = tmp_path / "a.html", tmp_path / "b.html"
    html.write(graph, a)
    html.write(graph, b)
    assert a.read_bytes() == b.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.html", "b.html"]  # atomic: no temp files left


def test_opens_offline_without_errors_under_its_own_csp(browser, page_file, graph):
    o = Opened(browser, page_file, bypass_csp=False)
    try:
        assert (
            o.page.inner_text("#status")
            == f"{graph.number_of_nodes()} nodes, {graph.number_of_edges()} links"
        )
        assert o.errors == [] and o.external == [] and o.dialogs == []
    finally:
        o.close()


def test_node_count_equals_the_graph(opened, graph):
    assert opened.page.evaluate("mscgraph.nodes.length") == graph.number_of_nodes()
    assert opened.page.evaluate("mscgraph.edges.length") == graph.number_of_edges()
    assert opened.page.evaluate("mscgraph.network.physics.options.enabled") is False  # frozen after layout
    assert opened.errors == [] and opened.external == []


def test_search_th17_selects_and_focuses(opened):
    page = opened.page
    page.fill("#search", "Th17")
    page.press("#search", "Enter")
    assert page.evaluate("mscgraph.network.getSelectedNodes()") == ["mscd:Th17"]
    assert page.get_attribute("#panel", "data-id") == "mscd:Th17"
    assert "辅助性T细胞17" in page.inner_text("#panel")
    view = page.evaluate("mscgraph.network.getViewPosition()")
    node = page.evaluate("mscgraph.network.getPositions(['mscd:Th17'])['mscd:Th17']")
    assert abs(view["x"] - node["x"]) < 1 and abs(view["y"] - node["y"]) < 1  # centred on Th17



def test_a_study_node_shows_its_citation_and_sentences(opened):
    page = opened.page
    page.fill("#search", "mscd:study-ref34")
    page.press("#search", "Enter")
    panel = page.inner_text("#panel")
    assert "Xu 2012 [34]" in panel and "clinical study" in panel
    assert "对24名SS患者" in panel and "24 SS patients" in panel


def test_clicking_the_ss_th17_link_shows_xu_2012_and_its_sentence(opened):
    page = opened.page
    edge = page.evaluate(
        """() => mscgraph.edgeBetween('mscd:SS', 'mscd:Th17')
                 .find(id => id.endsWith('~TherapyEffect~Decreased'))"""
    )
    # centre the view on the middle of the drawn link, zoomed in, then click there with the mouse
    middle = page.evaluate("id => mscgraph.network.body.edges[id].edgeType.getPoint(0.5)", edge)
    page.evaluate("p => mscgraph.network.moveTo({position: p, scale: 2.5, animation: false})", middle)
    point = page.evaluate("p => mscgraph.network.canvasToDOM(p)", middle)
    box = page.locator("#network").bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    assert page.evaluate("mscgraph.network.getSelectedEdges()") == [edge]
    panel = page.inner_text("#panel")
    assert "Xu 2012" in panel
    assert "n=24" in panel
    assert "抑制Th17和滤泡辅助T细胞(Tfh)的炎症反应" in panel  # the review's sentence, in Chinese
    assert "suppressing the inflammatory responses of Th17" in panel  # and in English


def test_disease_filter_hides_other_diseases(opened):
    page = opened.page
    page.select_option("#filter-disease", "mscd:SS")
    visible = set(page.evaluate("mscgraph.visibleNodeIds()"))
    kinds = page.evaluate("Object.fromEntries(mscgraph.nodes.get().map(n => [n.id, n.shape]))")
    diseases = {n for n, shape in kinds.items() if shape == "diamond"}
    assert {"mscd:SS", "mscd:Th17", "mscd:study-ref34"} <= visible
    assert visible & diseases == {"mscd:SS"}
    assert "mscd:RA" in diseases
    page.select_option("#filter-disease", "")
    assert len(page.evaluate("mscgraph.visibleNodeIds()")) == page.evaluate("mscgraph.nodes.length")


def test_evidence_filter_keeps_only_links_with_that_evidence(opened):
    page = opened.page
    page.uncheck("#filter-evidence input[value=clinical]")
    shown = page.evaluate("""() => mscgraph.edges.get({filter: e => !e.hidden}).map(e => e.id)""")
    assert "mscd:SS~mscd:Th17~TherapyEffect~Decreased" in shown  # Yao 2019 in NOD mice is animal evidence
    evidence = page.evaluate(
        "JSON.parse(document.getElementById('graph-data').textContent).edges"
        ".filter(e => e.relation === 'mechanism').map(e => [e.id, e.evidence])"
    )
    for edge_id, types in evidence:
        assert (edge_id in shown) == any(t != "clinical" for t in types), edge_id


@pytest.fixture(scope="module")
def xss_page(tmp_path_factory) -> Path:
    """The packaged data plus one file whose mechanism labels are markup, linked to SS by a finding."""
    from click.testing import CliRunner

    root = tmp_path_factory.mktemp("xss")
    data = root / "data"
    shutil.copytree(resources.resource_dir("data"), data)
    labels = [XSS, XSS_FLAG]
    lines = [
        "@prefix msc: <https://w3id.org/mscgraph/ontology/> .",
        "@prefix mscd: <https://w3id.org/mscgraph/data/> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
    ]
    for i, label in enumerate(labels):
        escaped = label.replace("\\", "\\\\").replace('"', '\\"')
        lines += [
            f'mscd:Evil{i} a msc:CellPopulation ; rdfs:label "{escaped}"@en , "{escaped}"@zh ; '
            f'msc:abbreviation "{escaped}" .',
            f"mscd:finding-SS-Evil{i} a msc:Finding ; msc:inDisease mscd:SS ;",
            f"  msc:aboutMechanism mscd:Evil{i} ; msc:hasDirection msc:Decreased ;",
            "  msc:hasRole msc:TherapyEffect ; msc:hasEvidenceType msc:ClinicalEvidence ;",
            f'  msc:supportedBy mscd:study-ref34 ; msc:sourceSentence "{escaped}"@zh , "{escaped}"@en .',
        ]
    (data / "zz-xss.ttl").write_text("\n".join(lines) + "\n", "utf-8")
    path = root / "xss.html"
    result = CliRunner().invoke(main, ["html", "-o", str(path), "--data", str(data), "--no-cache"])
    assert result.exit_code == 0, result.output
    return path


@pytest.mark.parametrize("bypass_csp", [True, False], ids=["without-csp", "with-csp"])
def test_markup_in_labels_shows_as_text_and_runs_nothing(browser, xss_page, bypass_csp):
    text = xss_page.read_text("utf-8")
    assert XSS not in text and "<script>window" not in text  # only escaped forms reach the file
    o = Opened(browser, xss_page, bypass_csp=bypass_csp)
    try:
        page = o.page
        page.fill("#search", XSS)
        page.press("#search", "Enter")
        page.wait_for_selector("#panel[data-id='mscd:Evil0']", state="attached")
        assert XSS in page.inner_text("#panel h2")
        page.fill("#search", XSS_FLAG)
        page.press("#search", "Enter")
        page.wait_for_selector("#panel[data-id='mscd:Evil1']", state="attached")
        assert XSS_FLAG in page.inner_text("#panel h2")
        assert page.locator("img").count() == 0
        assert page.locator("script").count() == 3  # the data block, vis-network and ours: nothing injected
        page.select_option("#filter-mechanism", "mscd:Evil0")
        assert page.locator("#filter-mechanism option[value='mscd:Evil0']").inner_text() == XSS
        if bypass_csp:
            assert page.evaluate("window.__xss") is None
            page.evaluate("() => mscgraph.showEdge(mscgraph.edgeBetween('mscd:SS', 'mscd:Evil1')[0])")
            assert XSS_FLAG in page.inner_text("#panel")
            assert page.evaluate("window.__xss") is None
        assert o.dialogs == []
        assert o.errors == []  # under the CSP, a blocked inline handler would be reported here
        assert o.external == []
    finally:
        o.close()


def synthetic(n_nodes: int, seed: int = 7) -> nx.MultiDiGraph:
    """A graph shaped like mscgraph's (same kinds and attributes), of ``n_nodes`` nodes."""
    rng = random.Random(seed)
    g = nx.MultiDiGraph(name="synthetic")
    sizes = {"disease": n_nodes // 50, "mechanism": n_nodes * 2 // 5, "product": n_nodes // 50}
    sizes["study"] = n_nodes - sum(sizes.values())
    ids: dict[str, list[str]] = {}
    for kind, count in sizes.items():
        ids[kind] = [f"syn:{kind}-{i}" for i in range(count)]
        for node in ids[kind]:
            g.add_node(node, kind=kind, label=node, label_zh=node, name=node.split(":")[1], class_label=kind)
    for study in ids["study"]:
        disease = rng.choice(ids["disease"])
        g.add_edge(
            study,
            disease,
            key=f"{study}~studies~{disease}",
            relation="studies",
            cohort_size=rng.randint(5, 80),
        )
        product = rng.choice(ids["product"])
        g.add_edge(study, product, key=f"{study}~uses~{product}", relation="uses")
        g.nodes[study]["evidence"] = ["clinical"]
        for mechanism in rng.sample(ids["mechanism"], 1):
            key = f"{disease}~{mechanism}~TherapyEffect~Decreased"
            support = {
                "study": study,
                "citation": study,
                "study_label": study,
                "study_type": "clinical study",
                "cohort_size": 10,
                "evidence": "clinical",
                "sentence_zh": "句子",
                "sentence_en": "sentence",
                "finding": key,
            }
            if g.has_edge(disease, mechanism, key):
                edge = g.edges[disease, mechanism, key]
                edge["studies"].append(study)
                edge["support"].append(support)
                edge["study_count"] += 1
            else:
                g.add_edge(
                    disease,
                    mechanism,
                    key=key,
                    relation="mechanism",
                    direction="decreased",
                    role="MSC therapy effect",
                    evidence=["clinical"],
                    studies=[study],
                    study_count=1,
                    support=[support],
                )
    return g


def test_a_5000_node_page_stabilises_freezes_physics_and_stays_interactive(browser, tmp_path):
    g = synthetic(5200)
    assert g.number_of_nodes() >= 5000
    path = html.write(g, tmp_path / "big.html")
    assert html.payload(g)["options"]["layout"]["improvedLayout"] is False
    o = Opened(browser, path, bypass_csp=True)
    try:
        page = o.page
        assert page.evaluate("mscgraph.nodes.length") == g.number_of_nodes()
        assert page.evaluate("mscgraph.network.physics.options.enabled") is False
        page.fill("#search", "study-2000")
        page.press("#search", "Enter")
        assert page.evaluate("mscgraph.network.getSelectedNodes()") == ["syn:study-2000"]
        page.select_option("#filter-disease", "syn:disease-3")
        visible = page.evaluate("mscgraph.visibleNodeIds()")
        assert "syn:disease-3" in visible and "syn:disease-4" not in visible
        assert o.errors == [] and o.external == []
    finally:
        o.close()


def test_html_command_cuts_the_graph_before_writing(runner, tmp_path):
    import json

    path = tmp_path / "ss.html"
    result = runner.invoke(
        main, ["html", "-o", str(path), "--disease", "干燥综合征", "--evidence", "clinical"]
    )
    assert result.exit_code == 0, result.output
    text = path.read_text("utf-8")
    data = json.loads(re.search(r'id="graph-data">(.*?)</script>', text, re.S).group(1))
    kinds = {n["id"]: n["kind"] for n in data["nodes"]}
    assert [n for n, k in kinds.items() if k == "disease"] == ["mscd:SS"]
    assert "mscd:study-ref34" in kinds and "mscd:study-ref36" not in kinds  # Yao 2019 is animal evidence
    assert all(e["evidence"] == ["clinical"] for e in data["edges"] if e["relation"] == "mechanism")
    assert [p.name for p in tmp_path.iterdir()] == ["ss.html"]


def test_html_command_unknown_name_is_one_line_and_writes_nothing(runner, tmp_path):
    path = tmp_path / "x.html"
    result = runner.invoke(main, ["html", "-o", str(path), "--mechanism", "Th1717"])
    assert result.exit_code == 2
    assert result.output.startswith("mscgraph: error: unknown mechanism 'Th1717'")
    assert result.output.count("\n") == 1
    assert not path.exists()
