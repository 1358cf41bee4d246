"""The HTML page, driven in Debian's headless Chromium through Playwright, opened from file:// offline."""

from __future__ import annotations

import gc
import json
import random
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest
from conftest import chromium
from playwright.sync_api import Browser, Page

from mscgraph.cli import main
from mscgraph.model import resources
from mscgraph.model.namespaces import CONVERTER
from mscgraph.views import html, network

XSS = "<img src=x onerror=alert(1)>"
DESKTOP, PHONE = (1400, 900), (390, 844)
XSS_FLAG = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def graph(kg) -> nx.MultiDiGraph:
    return network.build(kg)


@pytest.fixture(scope="module")
def evidence(kg) -> html.PageEvidence:
    return html.page_evidence(kg)


@pytest.fixture(scope="module")
def page_file(tmp_path_factory) -> Path:
    from click.testing import CliRunner

    path = tmp_path_factory.mktemp("html") / "graph.html"
    result = CliRunner().invoke(main, ["html", "-o", str(path)])
    assert result.exit_code == 0, result.output
    return path


class Opened:
    """A page opened offline: every request that is not file:// is aborted and recorded."""

    def __init__(
        self,
        browser: Browser,
        path: Path,
        *,
        bypass_csp: bool,
        size: tuple[int, int] = DESKTOP,
        hash: str = "",
    ) -> None:
        # bypass_csp lets Playwright evaluate JavaScript in the page (the page's own CSP forbids eval);
        # the page must be safe without its CSP too, so the XSS test runs both ways.
        self.context = browser.new_context(
            viewport={"width": size[0], "height": size[1]}, bypass_csp=bypass_csp, accept_downloads=True
        )
        self.page: Page = self.context.new_page()
        self.errors: list[str] = []
        self.external: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)
        self.page.route("**/*", self._route)
        self.page.goto(path.resolve().as_uri() + hash)
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


@pytest.fixture(scope="module")
def searched(browser, page_file) -> Iterator[Opened]:
    """One page for the search tests: each search starts from a failed one, so none depends on another."""
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


def test_output_is_deterministic(graph, evidence, tmp_path):
    a, b = tmp_path / "a.html", tmp_path / "b.html"
    html.write(graph, evidence, a)
    html.write(graph, evidence, b)
    assert a.read_bytes() == b.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.html", "b.html"]  # atomic: no temp files left


def test_the_pages_json_is_the_payloads_whole_its_nodes_and_findings_encoded_in_a_child(graph, evidence):
    text = html.page_json(graph, evidence)
    assert text == html.script_json(html.payload(graph, evidence))  # the same bytes, spliced
    assert json.loads(text)["findings"] == evidence.findings and len(evidence.findings) > 50
    assert text.isascii() and "</" not in text and "://" not in text  # safe inside <script>, no URL


def test_the_html_command_leaves_the_collector_on_and_nothing_frozen(tmp_path):
    """The command pauses the cycle collector while it builds the page, then hands the page's objects to
    the oldest generation (a freeze and an unfreeze; the time it saves is the benchmark's): after it the
    collector is on and no object is left frozen, out of its reach."""
    from click.testing import CliRunner

    result = CliRunner().invoke(main, ["html", "-o", str(tmp_path / "graph.html")])
    assert result.exit_code == 0, result.output
    assert gc.isenabled() and gc.get_freeze_count() == 0


@pytest.mark.browser
def test_opens_offline_without_errors_under_its_own_csp(browser, page_file, kg):
    o = Opened(browser, page_file, bypass_csp=False)
    try:
        assert o.page.inner_text("#status").startswith(f"{len(kg.summary())} evidence links, ")
        assert o.errors == [] and o.external == [] and o.dialogs == []
    finally:
        o.close()


@pytest.mark.browser
def test_one_drawn_edge_per_link_and_the_network_frozen(opened, kg, graph):
    page = opened.page
    drawn = page.evaluate("mscgraph.edges.get().map(e => e.id)")
    links = {html.link_id(s["subject"], s["mechanism"], s["role"]) for s in kg.summary()}
    assert links <= set(drawn)
    assert not [
        k for _, _, k, d in graph.edges(keys=True, data=True) if d["relation"] == "mechanism" and k in drawn
    ]
    assert page.evaluate("mscgraph.network.physics.options.enabled") is False  # frozen after layout
    assert opened.errors == [] and opened.external == []


@pytest.mark.browser
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


@pytest.mark.browser
def test_a_study_node_shows_its_citation_and_sentences(opened):
    page = opened.page
    page.fill("#search", "mscd:study-ref34")
    page.press("#search", "Enter")
    panel = page.inner_text("#panel")
    assert "Xu 2012 [34]" in panel and "clinical study" in panel
    assert "对24名SS患者" in panel and "24 SS patients" in panel


def click_edge(page: Page, edge: str) -> bool:
    """Click the drawn edge with the mouse, zoomed in on a point of it; True if that selected it."""
    box = page.locator("#network").bounding_box()
    for t in (0.5, 0.35, 0.65, 0.2, 0.8):
        point = page.evaluate("([id, t]) => mscgraph.network.body.edges[id].edgeType.getPoint(t)", [edge, t])
        page.evaluate("p => mscgraph.network.moveTo({position: p, scale: 2.5, animation: false})", point)
        dom = page.evaluate("p => mscgraph.network.canvasToDOM(p)", point)
        page.mouse.click(box["x"] + dom["x"], box["y"] + dom["y"])
        if page.evaluate("mscgraph.network.getSelectedEdges()") == [edge]:
            return True
    return False


def panel_findings(page: Page) -> set[str]:
    return set(page.eval_on_selector_all("#panel [data-finding]", "els => els.map(e => e.dataset.finding)"))


@pytest.fixture(scope="module")
def all_findings(kg) -> set[str]:
    rows = kg.engine.run(
        "PREFIX msc: <https://w3id.org/mscgraph/ontology/> SELECT ?f WHERE { ?f a msc:Finding }"
    ).rows
    found = {CONVERTER.compact(r["f"].value) for r in rows}
    assert len(found) > 70
    return found


@pytest.mark.browser
def test_every_finding_is_reachable_by_clicking_the_graph(opened, kg, all_findings):
    page = opened.page
    seen: set[str] = set()
    for link in kg.summary():
        edge = html.link_id(link["subject"], link["mechanism"], link["role"])
        assert click_edge(page, edge), f"{edge} cannot be clicked"
        assert page.get_attribute("#panel", "data-id") == edge
        shown = panel_findings(page)
        assert len(shown) == link["findings"], edge
        seen |= shown
    assert seen == all_findings
    assert opened.errors == [] and opened.external == []


@pytest.mark.browser
def test_every_finding_is_reachable_from_the_grid_and_the_grid_is_the_clis(opened, kg, all_findings):
    page = opened.page
    page.click("#tabs [data-view=grid]")
    columns, rows = kg.grid(role=None)
    subjects = page.evaluate("JSON.parse(document.getElementById('graph-data').textContent).grid.columns")
    by_name = {c["name"]: c["id"] for c in subjects}
    seen: set[str] = set()
    for row in rows:
        for name in columns[2:]:
            cell = page.locator(
                f"#grid-table td[data-mechanism='{row['mechanism_id']}'][data-subject='{by_name[name]}']"
            )
            if row[name] == "·":
                assert cell.count() == 0 or cell.inner_text() == "·"
                continue
            assert cell.inner_text() == row[name], (row["mechanism"], name)
            cell.locator("button").click()
            seen |= panel_findings(page)
    assert seen == all_findings
    # one role: the same marks as `mscgraph grid` (MSC therapy effects)
    page.select_option("#filter-role", "msc:TherapyEffect")
    columns, rows = kg.grid()
    for row in rows:
        for name in columns[2:]:
            if row[name] != "·":
                cell = f"td[data-mechanism='{row['mechanism_id']}'][data-subject='{by_name[name]}']"
                assert page.inner_text(f"#grid-table {cell}") == row[name]
    assert "Headline" not in page.inner_text("#grid-table")  # families are named, first
    first = page.eval_on_selector_all("#grid-table tbody tr th", "ths => ths.map(t => t.textContent)")
    assert first[:2] == ["Treg", "IL-17A"] or first[0] == "Treg"
    assert opened.errors == [] and opened.external == []


@pytest.mark.browser
def test_sle_treg_therapy_link_shows_sun_2010_beside_the_other_roles(opened):
    page = opened.page
    edges = page.evaluate("mscgraph.edgeBetween('mscd:SLE', 'mscd:Treg')")
    assert edges == [
        "mscd:SLE~mscd:Treg~DiseaseCharacteristic",
        "mscd:SLE~mscd:Treg~OtherTreatmentEffect",
        "mscd:SLE~mscd:Treg~TherapyEffect",
    ]
    curves = page.evaluate("ids => ids.map(id => JSON.stringify(mscgraph.edges.get(id).smooth))", edges)
    assert len(set(curves)) == 3  # three curves, not one drawn over the others
    assert click_edge(page, "mscd:SLE~mscd:Treg~TherapyEffect")
    panel = page.inner_text("#panel")
    assert "Sun 2010 [23]" in panel and "n=16" in panel and "tier\nB" in panel and "increased" in panel
    assert "CD4+ FoxP3+ Treg" in panel  # the review's sentence
    assert "Caveat: Tregs identified as CD4+ FoxP3+ cells" in panel  # the curator's note
    assert click_edge(page, "mscd:SLE~mscd:Treg~OtherTreatmentEffect")
    assert "corticosteroids" in page.inner_text("#panel")


@pytest.mark.browser
def test_a_study_panel_lists_its_findings_and_links_to_doi(opened):
    page = opened.page
    page.fill("#search", "mscd:study-ref38")
    page.press("#search", "Enter")
    assert page.get_attribute("#panel", "data-id") == "mscd:study-ref38"
    findings = panel_findings(page)
    assert "mscd:finding-PMDM-IFNG-ref38" in findings and len(findings) >= 3
    href = page.get_attribute("#panel a[href*='doi.org']", "href")
    assert href == "https://doi.org/10.3969/j.issn.2095-4344.2015.14.010"
    page.click("#panel li[data-finding='mscd:finding-PMDM-IFNG-ref38'] button")
    assert page.get_attribute("#panel", "data-id") == "mscd:PMDM~mscd:IFNG~TherapyEffect"
    assert page.get_attribute("#panel a[href*='doi.org']", "target") == "_blank"
    assert opened.external == []  # an anchor loads nothing until the reader clicks it


@pytest.mark.browser
@pytest.mark.parametrize(
    ("text", "node"),
    [
        ("sjogren", "mscd:SS"),
        ("Sjögren's syndrome", "mscd:SS"),
        ("干燥综合征", "mscd:SS"),
        ("Th-17", "mscd:Th17"),
        ("Tregs", "mscd:Treg"),
        ("IFN-γ", "mscd:IFNG"),
        ("systemic lupus", "mscd:SLE"),
    ],
)
def test_search_resolves_names_as_the_cli_does(searched, kg, text, node):
    page = searched.page
    if text != "systemic lupus":  # a part of a name: the page then searches like `mscgraph search`
        assert network.resolve_id(kg, text) == node
    page.fill("#search", "no such thing at all")
    page.press("#search", "Enter")
    assert page.inner_text("#search-status").startswith("no match")
    # what an earlier search chose is forgotten, so that only this search can choose it again
    page.evaluate(
        "mscgraph.network.unselectAll(); document.getElementById('panel').removeAttribute('data-id')"
    )
    assert page.evaluate("mscgraph.network.getSelectedNodes()") == []
    page.fill("#search", text)
    page.press("#search", "Enter")
    assert page.evaluate("mscgraph.network.getSelectedNodes()") == [node]
    assert page.get_attribute("#panel", "data-id") == node
    assert "no match" not in page.inner_text("#search-status")


@pytest.mark.browser
def test_search_normalises_exactly_as_the_cli(searched, kg):
    from mscgraph.names.keys import normalize

    texts = [
        *sorted({r["text"] for r in kg.rows("_name-scan")}),
        "Sjögren's syndrome",
        "IFN–γ",
        "ＴＨ１７",
        "Th17’s",
        "TNF-α (tumour)",
        "CD4+ T cell",
        "B·cell",
    ]
    got = searched.page.evaluate("texts => texts.map(mscgraph.normalize)", texts)
    assert {t: k for t, k in zip(texts, got, strict=True)} == {t: normalize(t) for t in texts}


@pytest.mark.browser
def test_first_view_reads_and_families_stand_out(opened):
    page = opened.page
    data = page.evaluate("JSON.parse(document.getElementById('graph-data').textContent)")
    families = [f["label"] for f in data["legend"]["families"]]
    assert families == ["Treg/FoxP3", "Th17", "BAFF/APRIL", "SDF-1/CXCR4", "Th1/Th2"]
    legend = page.inner_text("#legend")
    assert all(f in legend for f in families)
    nodes = {n["id"]: n for n in data["nodes"]}
    colours = {
        f: {nodes[m]["color"]["background"] for m in nodes if nodes[m].get("family") == f} for f in families
    }
    assert all(len(c) == 1 for c in colours.values()) and len(set().union(*colours.values())) == 5
    other = {
        n["color"]["background"] for n in nodes.values() if n["kind"] == "mechanism" and not n.get("family")
    }
    assert not other & set().union(*colours.values())
    assert "mscd:FOXP3~family~mscd:Treg" in page.evaluate(
        "mscgraph.edges.getIds()"
    )  # FoxP3 grouped with Treg
    visible = page.evaluate("mscgraph.visibleNodeIds()")
    assert "mscd:FOXP3" in visible
    for node in visible:  # every label shown at the opening zoom is legible, the headline ones larger
        least = 12 if nodes[node]["kind"] == "disease" or nodes[node].get("family") else 10
        assert page.evaluate("id => mscgraph.labelPixels(id)", node) >= least, node
    assert_on_screen(page, visible)


def assert_on_screen(page: Page, ids: list[str]) -> None:
    box = page.locator("#network").bounding_box()
    positions = page.evaluate(
        "ids => ids.map(id => mscgraph.network.canvasToDOM(mscgraph.network.getPositions([id])[id]))",
        ids,
    )
    for node, p in zip(ids, positions, strict=True):
        assert 0 <= p["x"] <= box["width"] and 0 <= p["y"] <= box["height"], node


@pytest.mark.browser
def test_filters_rezoom_and_report_empty_results(opened):
    page = opened.page
    page.select_option("#filter-mechanism", "mscd:Treg")
    visible = page.evaluate("mscgraph.visibleNodeIds()")
    assert "mscd:Treg" in visible and "mscd:SLE" in visible and "mscd:RA" not in visible
    assert_on_screen(page, visible)
    assert page.evaluate("mscgraph.labelPixels('mscd:Treg')") >= 14
    page.select_option("#filter-mechanism", "")
    page.select_option("#filter-disease", "mscd:SS")
    visible = page.evaluate("mscgraph.visibleNodeIds()")
    diseases = set(page.evaluate("mscgraph.nodes.get().filter(n => n.shape === 'diamond').map(n => n.id)"))
    assert {"mscd:SS", "mscd:Th17"} <= set(visible) and set(visible) & diseases == {"mscd:SS"}
    assert_on_screen(page, visible)
    assert page.evaluate("mscgraph.labelPixels('mscd:SS')") >= 16
    page.check("#show-studies")
    assert "mscd:study-ref34" in page.evaluate("mscgraph.visibleNodeIds()")
    page.evaluate("mscgraph.showLinks(['mscd:SS~mscd:Th17~TherapyEffect'])")
    assert "Xu 2012" in page.inner_text("#panel")
    page.select_option("#filter-mechanism", "mscd:BAFF_APRIL")  # SS + BAFF/APRIL: nothing
    assert page.is_visible("#graph-empty")
    assert page.inner_text("#graph-empty") == "No findings for SS + BAFF/APRIL."
    assert page.inner_text("#panel") == "No findings for SS + BAFF/APRIL."  # not the stale SS-Th17 panel
    assert page.inner_text("#status") == "no findings"
    for view in ("grid", "table"):
        page.click(f"#tabs [data-view={view}]")
        assert page.inner_text(f"#{view}-empty") == "No findings for SS + BAFF/APRIL."
    page.select_option("#filter-mechanism", "")
    assert not page.is_visible("#table-empty")
    assert opened.errors == []


@pytest.mark.browser
def test_evidence_filter_keeps_only_links_with_that_evidence(opened):
    page = opened.page
    page.uncheck("#filter-evidence input[value=clinical]")
    shown = set(page.evaluate("() => mscgraph.edges.get({filter: e => !e.hidden}).map(e => e.id)"))
    data = page.evaluate("JSON.parse(document.getElementById('graph-data').textContent)")
    for link in data["links"]:
        types = {data["findings"][i]["evidence"] for i in link["rows"]}
        assert (link["id"] in shown) == bool(types - {"clinical"}), link["id"]
    assert "mscd:SS~mscd:Th17~TherapyEffect" in shown  # Yao 2019 in NOD mice is animal evidence


@pytest.mark.browser
def test_table_sorts_and_downloads_the_current_rows_as_csv(opened, kg):
    import csv
    import io

    page = opened.page
    page.select_option("#filter-disease", "mscd:SS")
    page.click("#tabs [data-view=table]")
    ss = kg.summary("SS")
    rows = page.locator("#links-table tbody tr")
    assert rows.count() == len(ss)
    assert (
        rows.first.get_attribute("data-link") == "mscd:SS~mscd:Treg~TherapyEffect"
    )  # headline families first
    page.click("#links-table th:has-text('tier')")
    tiers = page.eval_on_selector_all(
        "#links-table tbody tr td:nth-child(7)", "tds => tds.map(t => t.textContent)"
    )
    assert tiers == sorted(tiers) and tiers != sorted(tiers, reverse=True)
    with page.expect_download() as info:
        page.click("#download")
    download = info.value
    assert download.suggested_filename == "mscgraph-links.csv"
    text = Path(download.path()).read_text("utf-8-sig")
    table = list(csv.DictReader(io.StringIO(text)))
    assert [r["tier"] for r in table] == tiers
    assert {(r["mechanism"], r["effect"]) for r in table} == {(s["mechanism_name"], s["effect"]) for s in ss}
    assert opened.external == []
    rows.first.click()
    assert page.get_attribute("#panel", "data-id") == rows.first.get_attribute("data-link")


@pytest.mark.browser
def test_the_fragment_restores_a_view(browser, page_file, opened):
    page = opened.page
    page.select_option("#filter-disease", "mscd:SLE")
    page.click("#tabs [data-view=grid]")
    page.click("#grid-table td[data-mechanism='mscd:Treg'][data-subject='mscd:SLE'] button")
    url = page.url
    assert "#" in url and "disease=mscd%3ASLE" in url and "view=grid" in url
    again = Opened(browser, page_file, bypass_csp=True, hash=url[url.index("#") :])
    try:
        p2 = again.page
        assert p2.is_visible("#grid") and not p2.is_visible("#graph")
        assert p2.input_value("#filter-disease") == "mscd:SLE"
        assert p2.get_attribute("#panel", "data-id") == page.get_attribute("#panel", "data-id")
        assert "Sun 2010 [23]" in p2.inner_text("#panel")
        p2.evaluate("location.hash = '#sel=node:mscd%3ATh17&mechanism=mscd%3ATh17'")
        p2.wait_for_function("document.querySelector('#panel').dataset.id === 'mscd:Th17'")
        assert p2.is_visible("#graph") and p2.input_value("#filter-mechanism") == "mscd:Th17"
        assert again.errors == [] and again.external == []
    finally:
        again.close()


@pytest.mark.browser
def test_phone_layout_graph_above_panel_and_a_collapsible_legend(browser, page_file):
    o = Opened(browser, page_file, bypass_csp=True, size=PHONE)
    try:
        page = o.page
        graph, panel = page.locator("#network").bounding_box(), page.locator("#panel").bounding_box()
        assert graph["width"] >= 370 and graph["height"] >= 400
        assert panel["y"] >= graph["y"] + graph["height"] and panel["width"] >= 350
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE[0]
        assert page.get_attribute("#legend", "open") is None  # folded: it does not cover anything
        page.click("#legend summary")
        assert page.get_attribute("#legend", "open") is not None
        assert "Treg/FoxP3" in page.inner_text("#legend")
        legend = page.locator("#legend").bounding_box()
        assert legend["y"] >= graph["y"] + graph["height"]  # below the graph, not over it
        assert click_edge(page, "mscd:SLE~mscd:Treg~TherapyEffect")
        assert "Sun 2010 [23]" in page.inner_text("#panel")
        page.fill("#search", "sjogren")
        page.press("#search", "Enter")
        assert page.get_attribute("#panel", "data-id") == "mscd:SS"
        assert o.errors == [] and o.external == []
    finally:
        o.close()


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
            "  msc:inSection mscd:section-3 ;",
            f'  msc:supportedBy mscd:study-ref34 ; msc:sourceSentence "{escaped}"@zh , "{escaped}"@en .',
        ]
    (data / "zz-xss.ttl").write_text("\n".join(lines) + "\n", "utf-8")
    path = root / "xss.html"
    result = CliRunner().invoke(main, ["html", "-o", str(path), "--data", str(data), "--no-cache"])
    assert result.exit_code == 0, result.output
    return path


@pytest.mark.browser
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


def synthetic_evidence(g: nx.MultiDiGraph) -> html.PageEvidence:
    """The page evidence of a synthetic graph: one link per mechanism edge, one finding per support."""
    ev = html.PageEvidence()
    for u, v, _, d in g.edges(keys=True, data=True):
        if d["relation"] != "mechanism":
            continue
        first = len(ev.findings)
        for s in d["support"]:
            ev.findings.append(
                {**s, "disease": u, "mechanism": v, "direction": "decreased", "role": d["role"]}
            )
        ev.links.append(
            {
                "id": html.link_id(u, v, "msc:TherapyEffect"),
                "subject": u,
                "subject_name": u,
                "mechanism": v,
                "mechanism_name": v,
                "role": "msc:TherapyEffect",
                "role_label": d["role"],
                "treatment": None,
                "directions": ["decreased"],
                "effect": "↓ decreased",
                "agreement": "consistent",
                "tier": "B",
                "findings": len(d["support"]),
                "studies": d["study_count"],
                "review_statements": 0,
                "clinical_studies": d["study_count"],
                "strongest_evidence": "clinical",
                "species": ["human"],
                "animal_models": [],
                "patients": None,
                "discrepancies": 0,
                "citations": d["studies"],
                "references": [],
                "rows": list(range(first, len(ev.findings))),
            }
        )
    return ev


@pytest.mark.browser
def test_a_5000_node_page_stabilises_freezes_physics_and_stays_interactive(browser, tmp_path):
    g = synthetic(5200)
    assert g.number_of_nodes() >= 5000
    ev = synthetic_evidence(g)
    path = html.write(g, ev, tmp_path / "big.html")
    data = html.payload(g, ev)
    assert data["options"]["layout"]["improvedLayout"] is False
    assert data["options"]["physics"]["enabled"] is False  # laid out in Python, once
    xy = {n["id"]: [n["x"], n["y"]] for n in data["nodes"]}
    assert len({tuple(p) for p in xy.values()}) == len(xy)  # no two nodes on one spot
    o = Opened(browser, path, bypass_csp=True)
    try:
        page = o.page
        assert page.evaluate("mscgraph.nodes.length") == g.number_of_nodes()
        assert page.evaluate("mscgraph.network.physics.options.enabled") is False
        some = ["syn:study-2000", "syn:disease-3", sorted(xy)[-1]]
        drawn = page.evaluate("ids => mscgraph.network.getPositions(ids)", some)
        assert {n: [p["x"], p["y"]] for n, p in drawn.items()} == {n: xy[n] for n in some}
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
    assert {link["subject"] for link in data["links"]} == {"mscd:SS"}
    assert {f["evidence"] for f in data["findings"]} == {"clinical"}
    th17 = next(link for link in data["links"] if link["id"] == "mscd:SS~mscd:Th17~TherapyEffect")
    assert th17["findings"] == 2 and len(th17["rows"]) == 1  # the summary is the link's; Yao 2019 left out
    title = re.search(r"<title>(.*?)</title>", text).group(1)
    assert title == "mscgraph: SS (Sjögren syndrome), clinical evidence"
    assert "<h1>mscgraph: SS (Sjögren syndrome), clinical evidence</h1>" in text
    assert [p.name for p in tmp_path.iterdir()] == ["ss.html"]


def test_html_command_unknown_name_is_one_line_and_writes_nothing(runner, tmp_path):
    path = tmp_path / "x.html"
    result = runner.invoke(main, ["html", "-o", str(path), "--mechanism", "Th1717"])
    assert result.exit_code == 2
    assert result.output.startswith("mscgraph: error: unknown mechanism 'Th1717'")
    assert result.output.count("\n") == 1
    assert not path.exists()


def test_html_command_names_a_disease_given_twice_once(runner, tmp_path):
    """`--disease SS --disease 干燥综合征`: one disease, named once in the title."""
    path = tmp_path / "ss.html"
    result = runner.invoke(main, ["html", "-o", str(path), "--disease", "SS", "--disease", "干燥综合征"])
    assert result.exit_code == 0, result.output
    title = re.search(r"<title>(.*?)</title>", path.read_text("utf-8")).group(1)
    assert title == "mscgraph: SS (Sjögren syndrome)"
