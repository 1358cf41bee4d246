/* mscgraph page: network, grid, table, legend, search, filters, details panel and the URL fragment.
   Text is only ever set with textContent (never innerHTML), so labels and sentences from the data cannot
   become markup. Nothing is fetched: DOI and PubMed links are plain anchors, followed only when clicked. */
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("graph-data").textContent);
  var DOI = "https:\/\/doi.org\/", PUBMED = "https:\/\/pubmed.ncbi.nlm.nih.gov\/";
  var KIND_ORDER = { disease: 0, cells: 1, mechanism: 2, study: 3, product: 4 };
  var byId = {}, edgeById = {}, linkById = {};
  DATA.nodes.forEach(function (n) { byId[n.id] = n; });
  DATA.edges.forEach(function (e) { edgeById[e.id] = e; });
  DATA.links.forEach(function (l) { linkById[l.id] = l; });
  var api = { stabilized: false };
  window.mscgraph = api;

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }
  function $(id) { return document.getElementById(id); }
  function empty(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }
  function label(id) { return byId[id] ? byId[id].label : id; }

  // --- names: the CLI's normalisation (mscgraph.names.normalize), keys computed in Python ---------
  var GREEK = { "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "κ": "kappa" };
  var SEPARATORS = /[\s\-‐–—_'’‘`.,;:\/()\[\]+·]+/g;
  var POSSESSIVE = /['’]s(?![\p{L}\p{N}_])/gu;
  function normalize(text) {
    var t = String(text).normalize("NFKC").toLowerCase();
    Object.keys(GREEK).forEach(function (g) { t = t.split(g).join(GREEK[g]); });
    t = t.replace(POSSESSIVE, "").normalize("NFKD").replace(/\p{M}/gu, "");
    return t.replace(SEPARATORS, "");
  }
  api.normalize = normalize;
  function candidates(text) {
    var key = normalize(text);
    if (!key) return [];
    var found = DATA.names[key] || [];
    if (!found.length && key.length > 3 && key.charAt(key.length - 1) === "s") found = DATA.names[key.slice(0, -1)] || [];
    if (!found.length && key.length >= 3) {  // a part of a name: "sjog", "lupus"
      var seen = {};
      Object.keys(DATA.names).forEach(function (k) {
        if (k.indexOf(key) >= 0) DATA.names[k].forEach(function (id) { seen[id] = true; });
      });
      found = Object.keys(seen);
    }
    return found.filter(function (id) { return byId[id]; }).sort(function (a, b) {
      return (KIND_ORDER[byId[a].kind] - KIND_ORDER[byId[b].kind]) || (a < b ? -1 : a > b ? 1 : 0);
    });
  }

  // --- state (kept in the URL fragment) -------------------------------------------------------
  var state = { view: "graph", d: "", m: "", r: "", e: null, studies: false, sel: "" };
  var fDisease = $("filter-disease"), fMechanism = $("filter-mechanism"), fRole = $("filter-role");
  var fEvidence = $("filter-evidence"), fStudies = $("show-studies");
  function readControls() {
    state.d = fDisease.value; state.m = fMechanism.value; state.r = fRole.value;
    state.studies = fStudies.checked;
    var on = [], all = true;
    fEvidence.querySelectorAll("input").forEach(function (cb) { if (cb.checked) on.push(cb.value); else all = false; });
    state.e = all ? null : on;
  }
  function writeControls() {
    fDisease.value = byId[state.d] ? state.d : "";
    fMechanism.value = byId[state.m] ? state.m : "";
    fRole.value = state.r;
    fStudies.checked = state.studies;
    fEvidence.querySelectorAll("input").forEach(function (cb) { cb.checked = !state.e || state.e.indexOf(cb.value) >= 0; });
  }
  function writeHash() {
    var p = [];
    if (state.view !== "graph") p.push("view=" + state.view);
    if (state.d) p.push("disease=" + encodeURIComponent(state.d));
    if (state.m) p.push("mechanism=" + encodeURIComponent(state.m));
    if (state.r) p.push("role=" + encodeURIComponent(state.r));
    if (state.e) p.push("evidence=" + state.e.map(encodeURIComponent).join(","));
    if (state.studies) p.push("studies=1");
    if (state.sel) p.push("sel=" + encodeURIComponent(state.sel));
    var hash = p.length ? "#" + p.join("&") : "";
    if (hash !== location.hash && (hash || location.hash)) history.replaceState(null, "", hash || location.pathname);
  }
  function readHash() {
    var p = {};
    location.hash.replace(/^#/, "").split("&").forEach(function (kv) {
      if (!kv) return;
      var i = kv.indexOf("=");
      p[decodeURIComponent(kv.slice(0, i < 0 ? kv.length : i))] = i < 0 ? "" : decodeURIComponent(kv.slice(i + 1));
    });
    state.view = ["grid", "table"].indexOf(p.view) >= 0 ? p.view : "graph";
    state.d = p.disease || ""; state.m = p.mechanism || ""; state.r = p.role || "";
    state.e = p.evidence !== undefined ? p.evidence.split(",").filter(Boolean) : null;
    state.studies = p.studies === "1";
    state.sel = p.sel || "";
  }

  // --- which links the filters keep --------------------------------------------------------------
  function linkVisible(l) {
    if (state.d && l.subject !== state.d) return false;
    if (state.m && l.mechanism !== state.m) return false;
    if (state.r && l.role !== state.r) return false;
    if (state.e && !l.rows.some(function (i) { return state.e.indexOf(DATA.findings[i].evidence) >= 0; })) return false;
    return true;
  }
  function visibleLinks() { return DATA.links.filter(linkVisible); }
  function filterText() {
    var parts = [];
    if (state.d) parts.push(label(state.d));
    if (state.m) parts.push(label(state.m));
    if (state.r) parts.push(fRole.options[fRole.selectedIndex].textContent);
    if (state.e) parts.push("evidence: " + (state.e.join(", ") || "none"));
    return parts.join(" + ");
  }

  // --- network ------------------------------------------------------------------------------------
  var nodes = new vis.DataSet(DATA.nodes.map(function (n) {
    return { id: n.id, label: n.label, shape: n.shape, color: n.color, size: n.size, font: n.font,
             borderWidth: n.borderWidth, hidden: false, x: n.x, y: n.y };
  }));
  var edges = new vis.DataSet(DATA.edges.map(function (e) {
    return { id: e.id, from: e.from, to: e.to, label: e.label, width: e.width, color: e.color,
             dashes: e.dashes, arrows: e.arrows, font: e.font, smooth: e.smooth, hidden: false };
  }));
  var network = new vis.Network($("network"), { nodes: nodes, edges: edges }, DATA.options);
  var status = $("status");
  api.network = network; api.nodes = nodes; api.edges = edges;

  function applyGraph(refit) {
    var showN = {}, showE = {}, studies = {};
    var links = visibleLinks();
    links.forEach(function (l) {
      showE[l.id] = showN[l.subject] = showN[l.mechanism] = true;
      l.rows.forEach(function (i) { studies[DATA.findings[i].study] = true; });
    });
    var filtered = state.d || state.m || state.r || state.e;
    if (state.d && byId[state.d]) showN[state.d] = true;
    if (state.m && byId[state.m]) showN[state.m] = true;
    DATA.edges.forEach(function (e) {
      if (e.relation === "family" && (showN[e.from] || showN[e.to]) && (!filtered || (showN[e.from] && showN[e.to]))) {
        showE[e.id] = showN[e.from] = showN[e.to] = true;
      }
    });
    if (state.studies) {
      DATA.edges.forEach(function (e) {  // a study of a shown link, or (unfiltered) any study, with its disease
        if (e.relation === "studies" && (studies[e.from] || (!filtered && byId[e.to]))) {
          if (!filtered || showN[e.to]) showN[e.from] = showN[e.to] = true;
        }
      });
      DATA.edges.forEach(function (e) {
        if (e.relation === "uses" && showN[e.from]) showN[e.to] = true;
        if (e.relation !== "link" && e.relation !== "family" && showN[e.from] && showN[e.to]) showE[e.id] = true;
      });
    }
    nodes.update(DATA.nodes.map(function (n) { return { id: n.id, hidden: !showN[n.id] }; }));
    edges.update(DATA.edges.map(function (e) { return { id: e.id, hidden: !showE[e.id] }; }));
    var shown = Object.keys(showN);
    document.body.setAttribute("data-visible-nodes", String(shown.length));
    var none = !links.length;
    var msg = $("graph-empty");
    msg.hidden = !none;
    msg.textContent = none ? "No findings for " + (filterText() || "this page") + "." : "";
    status.textContent = none ? "no findings" : links.length + " evidence links, " + shown.length + " nodes";
    if (refit && shown.length) fit(shown);
    return links;
  }
  function fit(ids) { network.fit({ nodes: ids, animation: false, maxZoomLevel: ids.length > 2 ? 1.4 : 1 }); }
  api.visibleNodeIds = function () { return nodes.get({ filter: function (n) { return !n.hidden; } }).map(function (n) { return n.id; }); };
  api.labelPixels = function (id) { return byId[id].font.size * network.getScale(); };

  function frozen() {
    network.setOptions({ physics: { enabled: false } });
    api.stabilized = true;
    readHash();
    restore();
    document.body.setAttribute("data-stabilized", "true");
  }
  if (DATA.options.physics.enabled) network.once("stabilizationIterationsDone", frozen);
  else setTimeout(frozen, 0);  // a big page comes laid out (mscgraph.views.html.positions): nothing to settle
  network.on("stabilizationProgress", function (p) {
    status.textContent = "laying out… " + Math.round(100 * p.iterations / p.total) + "%";
  });

  // --- legend -------------------------------------------------------------------------------------
  var legend = $("legend");
  function legendRow(mark, text) {
    var row = el("div");
    row.appendChild(mark);
    row.appendChild(document.createTextNode(text));
    legend.appendChild(row);
  }
  legend.appendChild(el("h4", "Nodes"));
  DATA.legend.kinds.forEach(function (k) {
    var sw = el("span", null, "sw");
    sw.style.background = k.color;
    if (k.shape === "dot" || k.shape === "star") sw.style.borderRadius = "50%";
    if (k.shape === "diamond") sw.style.transform = "rotate(45deg) scale(.85)";
    legendRow(sw, k.label + (k.kind === "study" || k.kind === "product" ? " (tick “studies & products”)" : ""));
  });
  if (DATA.legend.families.length) legend.appendChild(el("h4", "Headline mechanism families"));
  DATA.legend.families.forEach(function (f) {
    var sw = el("span", null, "sw");
    sw.style.background = f.color;
    sw.style.borderRadius = "50%";
    legendRow(sw, f.label);
  });
  legend.appendChild(el("h4", "Links: colour = agreed effect, width = studies"));
  DATA.legend.links.forEach(function (k) {
    var ln = el("span", null, "ln" + (k.dashes ? " dash" : ""));
    ln.style.borderTopColor = k.color;
    legendRow(ln, k.label);
  });
  legend.appendChild(el("h4", "Arrow head = role; label = effect, tier, role"));
  var HEADS = { arrow: "▶", vee: "⋎", bar: "┤", circle: "●", diamond: "◆" };
  DATA.legend.roles.forEach(function (r) { legendRow(el("span", HEADS[r.arrow] || "▶", "hd"), r.word + ": " + r.label); });
  legend.appendChild(el("div", "tier A (strongest) … E: see a link's panel", "hint"));
  if (window.matchMedia("(max-width: 720px)").matches) legend.removeAttribute("open");
  function foldLegend() { if (legend.open && legend.getBoundingClientRect().height > 300) legend.removeAttribute("open"); }

  // --- details panel ------------------------------------------------------------------------------
  var panel = $("panel");
  function facts(pairs) {
    var dl = el("dl");
    pairs.forEach(function (p) {
      var v = p[1];
      if (v === undefined || v === null || v === "" || (Array.isArray(v) && !v.length)) return;
      dl.appendChild(el("dt", p[0]));
      var dd = el("dd");
      if (v instanceof Node) dd.appendChild(v); else dd.textContent = Array.isArray(v) ? v.join("; ") : String(v);
      dl.appendChild(dd);
    });
    return dl;
  }
  function quote(text, lang) {
    var q = el("blockquote", text, lang === "zh" ? "zh" : "");
    q.setAttribute("lang", lang);
    return q;
  }
  function go(text, onclick) {
    var b = el("button", text, "go");
    b.type = "button";
    b.addEventListener("click", onclick);
    return b;
  }
  function anchor(text, href) {  // followed only when the reader clicks it
    var a = el("a", text);
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    return a;
  }
  function identifiers(doi, pmid) {
    if (!doi && !pmid) return null;
    var span = el("span");
    if (doi) span.appendChild(anchor("doi:" + doi, DOI + doi));
    if (doi && pmid) span.appendChild(document.createTextNode(" · "));
    if (pmid) span.appendChild(anchor("PMID:" + pmid, PUBMED + pmid + "\/"));
    return span;
  }
  function startPanel(kind, id, title) {
    foldLegend();
    empty(panel);
    panel.setAttribute("data-kind", kind);
    panel.setAttribute("data-id", id);
    panel.appendChild(el("h2", title));
  }
  function linkSummaryText(l, from) {
    var other = from === l.subject ? "→ " + l.mechanism_name : "← " + l.subject_name;
    return other + ": " + l.effect + " · tier " + l.tier + " · " + l.role_label + (l.treatment ? " (" + l.treatment + ")" : "") +
      " · " + l.studies + (l.studies === 1 ? " study" : " studies");
  }
  function select(sel) {
    state.sel = sel;
    writeHash();
  }

  function showNode(id) {
    var n = byId[id];
    if (!n) return;
    var d = n.details;
    select("node:" + id);
    startPanel("node", id, n.label);
    if (d.label_zh) panel.appendChild(el("div", d.label_zh, "zh"));
    panel.appendChild(facts([
      ["name", d.label], ["type", d.class_label], ["family", n.family], ["id", id], ["abbreviation", d.abbreviation],
      ["citation", d.citation], ["title", d.title], ["published", identifiers(d.doi, d.pmid)], ["species", d.species],
      ["evidence", n.evidence], ["tissue source", d.tissue_source], ["donor type", d.donor_type], ["maps to", d.exact_match]
    ]));
    var links = DATA.links.filter(function (l) { return l.subject === id || l.mechanism === id; });
    if (links.length) {
      panel.appendChild(el("h3", "Evidence links (" + links.length + ")"));
      var ul = el("ul");
      links.forEach(function (l) {
        var li = el("li");
        li.appendChild(go(linkSummaryText(l, id), function () { selectLinks([l.id], true); }));
        ul.appendChild(li);
      });
      panel.appendChild(ul);
    }
    var rows = DATA.findings.map(function (f, i) { return i; }).filter(function (i) { return DATA.findings[i].study === id; });
    if (rows.length) {
      panel.appendChild(el("h3", "Findings of this study (" + rows.length + ")"));
      var list = el("ul");
      rows.forEach(function (i) {
        var f = DATA.findings[i], l = linkOfRow(i), li = el("li");
        li.setAttribute("data-finding", f.finding);
        li.appendChild(go(label(f.disease) + " → " + label(f.mechanism) + ": " + f.direction + " (" + f.role + ", " + f.evidence + ")",
          function () { selectLinks([l.id], true); }));
        list.appendChild(li);
      });
      panel.appendChild(list);
    }
    if (d.sentence_zh) d.sentence_zh.split("\n").forEach(function (s) { panel.appendChild(quote(s, "zh")); });
    if (d.sentence_en) d.sentence_en.split("\n").forEach(function (s) { panel.appendChild(quote(s, "en")); });
    var others = DATA.edges.filter(function (e) { return e.relation !== "link" && (e.from === id || e.to === id); });
    if (others.length) {
      panel.appendChild(el("h3", "Other links (" + others.length + ")"));
      var ol = el("ul");
      others.forEach(function (e) {
        var li = el("li");
        li.appendChild(go((e.from === id ? "→ " : "← ") + label(e.from === id ? e.to : e.from) + " · " + e.details.relation_label,
          function () { showEdge(e.id); }));
        ol.appendChild(li);
      });
      panel.appendChild(ol);
    }
  }
  var rowLink = {};
  DATA.links.forEach(function (l) { l.rows.forEach(function (i) { rowLink[i] = l; }); });
  function linkOfRow(i) { return rowLink[i]; }

  function showEdge(id) {
    var e = edgeById[id];
    if (!e) return;
    if (e.relation === "link") { selectLinks([id]); return; }
    select("edge:" + id);
    startPanel("edge", id, label(e.from) + " – " + label(e.to));
    panel.appendChild(facts([["relation", e.details.relation_label], ["family", e.details.family],
                             ["cohort size", e.details.cohort_size]]));
  }

  function showLinks(ids) {
    var links = ids.map(function (id) { return linkById[id]; }).filter(Boolean);
    if (!links.length) return;
    startPanel("links", ids.join(","), links[0].subject_name + " → " + links[0].mechanism_name);
    links.forEach(function (l) {
      var box = el("section", null, "link");
      box.setAttribute("data-link", l.id);
      box.appendChild(el("h3", l.role_label + (l.treatment ? ": with " + l.treatment : "")));
      var rows = l.rows.map(function (i) { return DATA.findings[i]; });
      box.appendChild(facts([
        ["effect", l.effect], ["agreement", l.agreement],
        ["tier", l.tier + " — " + DATA.tiers[l.tier]],
        ["studies", l.studies + (l.review_statements ? " (+ " + l.review_statements + " statement(s) of the review)" : "")],
        ["findings", rows.length === l.findings ? l.findings : rows.length + " of " + l.findings + " on this page"],
        ["strongest evidence", l.strongest_evidence], ["species", l.species], ["animal models", l.animal_models],
        ["patients", l.patients], ["co-intervention", l.treatment],
        ["discrepancies", l.discrepancies ? l.discrepancies + " recorded (below)" : null],
        ["citations", l.citations]
      ]));
      rows.forEach(function (f) {
        var s = el("div", null, "support");
        s.setAttribute("data-finding", f.finding);
        var cite = go(f.citation, function () { if (byId[f.study]) { showNode(f.study); focusNode(f.study); } });
        cite.className = "go citation";
        s.appendChild(cite);
        s.appendChild(el("div", f.study_label));
        s.appendChild(facts([
          ["effect", f.direction], ["evidence", f.evidence], ["study type", f.study_type], ["species", f.organism],
          ["animal model", f.animal_model], ["cohort size", f.cohort_size === null || f.cohort_size === undefined ? "not stated" : "n=" + f.cohort_size],
          ["MSC product", f.msc_product], ["with", f.treatment], ["published", identifiers(f.doi, f.pmid)],
          ["title", f.title], ["journal", f.journal], ["section", f.section]
        ]));
        if (f.note) s.appendChild(el("div", "Caveat: " + f.note, "note"));
        if (f.discrepancy) s.appendChild(el("div", "Discrepancy: " + f.discrepancy, "note"));
        if (f.sentence_zh) s.appendChild(quote(f.sentence_zh, "zh"));
        if (f.sentence_en) s.appendChild(quote(f.sentence_en, "en"));
        box.appendChild(s);
      });
      panel.appendChild(box);
    });
  }
  function selectLinks(ids, focus) {
    showLinks(ids);
    select("links:" + ids.join(","));
    var drawn = ids.filter(function (id) { return edges.get(id) && !edges.get(id).hidden; });
    network.setSelection({ nodes: [], edges: drawn });
    if (focus && drawn.length && state.view === "graph") {  // chosen outside the graph: show it there
      fit([linkById[drawn[0]].subject, linkById[drawn[0]].mechanism]);
    }
  }
  function focusNode(id) {
    if (!nodes.get(id) || nodes.get(id).hidden) return;
    network.selectNodes([id]);
    network.focus(id, { scale: Math.max(network.getScale(), 1), animation: false });
  }
  function panelHint(text) {
    empty(panel);
    panel.removeAttribute("data-id");
    panel.setAttribute("data-kind", "none");
    panel.appendChild(el("p", text, text.indexOf("No findings") === 0 ? "empty" : "hint"));
    state.sel = "";
  }
  network.on("click", function (params) {
    if (params.nodes.length) showNode(params.nodes[0]);
    else if (params.edges.length) showEdge(params.edges[0]);
  });
  api.showNode = showNode;
  api.showEdge = showEdge;
  api.showLinks = selectLinks;
  api.edgeBetween = function (from, to) {
    return DATA.edges.filter(function (e) { return e.from === from && e.to === to; }).map(function (e) { return e.id; });
  };

  // --- grid -----------------------------------------------------------------------------------------
  var ARROWS = { increased: "↑", decreased: "↓", unchanged: "=", impaired: "⊘", modulated: "~", improved: "↑", "not improved": "✗" };
  var ROLE_LETTER = { "MSC therapy effect": "t", "combined regimen effect": "c", "effect of another treatment": "o",
                      "disease characteristic": "d", "general MSC property": "m" };
  function mark(l) {
    return l.directions.map(function (d) { return ARROWS[d] || "?"; }).join("") + l.tier + (state.r ? "" : ROLE_LETTER[l.role_label] || "?");
  }
  function renderGrid(links) {
    var table = empty($("grid-table"));
    var cells = {}, rowsUsed = {}, colsUsed = {};
    links.forEach(function (l) {
      var k = l.mechanism + "|" + l.subject;
      (cells[k] = cells[k] || []).push(l);
      rowsUsed[l.mechanism] = colsUsed[l.subject] = true;
    });
    var cols = DATA.grid.columns.filter(function (c) { return colsUsed[c.id] || c.id === state.d; });
    var rows = DATA.grid.rows.filter(function (m) { return rowsUsed[m]; });
    var head = table.createTHead().insertRow();
    ["mechanism", "family"].concat(cols.map(function (c) { return c.name; })).forEach(function (t) { head.appendChild(el("th", t)); });
    var body = table.createTBody();
    rows.forEach(function (m) {
      var tr = body.insertRow();
      var n = byId[m];
      var th = el("th", n ? n.label : m);
      tr.appendChild(th);
      tr.appendChild(el("td", n && n.family ? n.family : "", "fam"));
      if (n && n.family) { tr.className = "headline"; th.style.borderLeftColor = n.color.background; }
      cols.forEach(function (c) {
        var here = cells[m + "|" + c.id] || [];
        var td = tr.insertCell();
        td.setAttribute("data-subject", c.id);
        td.setAttribute("data-mechanism", m);
        if (!here.length) { td.className = "none"; td.textContent = "·"; return; }
        td.className = "cell";
        var b = el("button", here.map(mark).join(" "));
        b.type = "button";
        b.title = here.map(function (l) { return l.role_label + ": " + l.effect + ", tier " + l.tier; }).join("\n");
        b.addEventListener("click", function () { selectLinks(here.map(function (l) { return l.id; })); });
        td.appendChild(b);
      });
    });
    $("grid-empty").hidden = links.length > 0;
    $("grid-empty").textContent = links.length ? "" : "No findings for " + (filterText() || "this page") + ".";
  }

  // --- table ----------------------------------------------------------------------------------------
  var COLUMNS = [
    ["subject", function (l) { return l.subject_name; }],
    ["mechanism", function (l) { return l.mechanism_name; }],
    ["family", function (l) { return byId[l.mechanism] && byId[l.mechanism].family || ""; }],
    ["role", function (l) { return l.role_label + (l.treatment ? " (" + l.treatment + ")" : ""); }],
    ["effect", function (l) { return l.effect; }],
    ["agreement", function (l) { return l.agreement; }],
    ["tier", function (l) { return l.tier; }],
    ["studies", function (l) { return l.studies; }],
    ["findings", function (l) { return l.findings; }],
    ["strongest evidence", function (l) { return l.strongest_evidence; }],
    ["patients", function (l) { return l.patients === null ? "" : l.patients; }],
    ["species", function (l) { return l.species.join("; "); }],
    ["citations", function (l) { return l.citations.join("; "); }]
  ];
  var gridRank = {}, colRank = {};
  DATA.grid.rows.forEach(function (m, i) { gridRank[m] = i; });
  DATA.grid.columns.forEach(function (c, i) { colRank[c.id] = i; });
  function defaultOrder(a, b) {  // the grid's order: headline families first, then by subject and role
    return ((gridRank[a.mechanism] === undefined ? 1e6 : gridRank[a.mechanism]) - (gridRank[b.mechanism] === undefined ? 1e6 : gridRank[b.mechanism])) ||
      ((colRank[a.subject] === undefined ? 1e6 : colRank[a.subject]) - (colRank[b.subject] === undefined ? 1e6 : colRank[b.subject])) ||
      (a.role < b.role ? -1 : a.role > b.role ? 1 : 0);
  }
  var sort = { column: -1, dir: 1 };
  var tableRows = [];
  function sortedLinks(links) {
    var out = links.slice().sort(defaultOrder);
    if (sort.column >= 0) {
      var get = COLUMNS[sort.column][1];
      out.sort(function (a, b) {
        var x = get(a), y = get(b);
        var c = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
        return sort.dir * c || defaultOrder(a, b);
      });
    }
    return out;
  }
  function renderTable(links) {
    var thead = empty($("links-table").tHead), tbody = empty($("links-table").tBodies[0]);
    var tr = thead.insertRow();
    COLUMNS.forEach(function (c, i) {
      var th = el("th", c[0]);
      if (sort.column === i) th.setAttribute("aria-sort", sort.dir > 0 ? "ascending" : "descending");
      th.addEventListener("click", function () {
        sort = { column: i, dir: sort.column === i ? -sort.dir : 1 };
        renderTable(visibleLinks());
      });
      tr.appendChild(th);
    });
    tableRows = sortedLinks(links);
    tableRows.forEach(function (l) {
      var row = tbody.insertRow();
      row.setAttribute("data-link", l.id);
      COLUMNS.forEach(function (c) { row.insertCell().textContent = String(c[1](l)); });
      row.addEventListener("click", function () { selectLinks([l.id]); });
    });
    $("table-count").textContent = links.length + " links";
    $("table-empty").hidden = links.length > 0;
    $("table-empty").textContent = links.length ? "" : "No findings for " + (filterText() || "this page") + ".";
  }
  function csv() {
    function q(v) { v = String(v); return /[",\n\r]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v; }
    var lines = [COLUMNS.map(function (c) { return q(c[0]); }).join(",")];
    tableRows.forEach(function (l) { lines.push(COLUMNS.map(function (c) { return q(c[1](l)); }).join(",")); });
    return lines.join("\r\n") + "\r\n";
  }
  api.csv = csv;
  $("download").addEventListener("click", function () {
    var a = el("a");
    a.href = URL.createObjectURL(new Blob(["\ufeff" + csv()], { type: "text/csv;charset=utf-8" }));
    a.download = "mscgraph-links.csv";
    document.body.appendChild(a);
    a.click();
    document.body.removeChild(a);
    setTimeout(function () { URL.revokeObjectURL(a.href); }, 1000);
  });

  // --- views, filters, restore ----------------------------------------------------------------------
  function setView(view) {
    state.view = view;
    ["graph", "grid", "table"].forEach(function (v) {
      $(v).hidden = v !== view;
      document.querySelector("#tabs [data-view=" + v + "]").setAttribute("aria-selected", String(v === view));
    });
    if (view === "graph") network.redraw();
    writeHash();
  }
  document.querySelectorAll("#tabs button").forEach(function (b) {
    b.addEventListener("click", function () { setView(b.getAttribute("data-view")); });
  });
  api.setView = setView;

  function applyFilters() {
    var links = applyGraph(true);
    renderGrid(links);
    renderTable(links);
    var shown = {};
    links.forEach(function (l) { shown[l.id] = true; });
    var sel = state.sel;
    if (!links.length) panelHint("No findings for " + (filterText() || "this page") + ".");
    else if (sel.indexOf("links:") === 0 && !sel.slice(6).split(",").some(function (id) { return shown[id]; })) panelHint("Click a link, a node or a grid cell to see its evidence.");
    else if (sel.indexOf("node:") === 0 && nodes.get(sel.slice(5)) && nodes.get(sel.slice(5)).hidden) panelHint("Click a link, a node or a grid cell to see its evidence.");
    writeHash();
    return links.length;
  }
  function onControl() { readControls(); applyFilters(); }
  [fDisease, fMechanism, fRole, fStudies].forEach(function (c) { c.addEventListener("change", onControl); });
  api.applyFilters = onControl;
  api.resetFilters = function () { state.d = state.m = state.r = ""; state.e = null; writeControls(); applyFilters(); };

  function restore() {
    writeControls();
    applyFilters();
    setView(state.view);
    var sel = state.sel, i = sel.indexOf(":"), kind = sel.slice(0, i), id = sel.slice(i + 1);
    if (kind === "node" && byId[id]) { showNode(id); focusNode(id); }
    else if (kind === "links") selectLinks(id.split(",").filter(function (x) { return linkById[x]; }), true);
    else if (kind === "edge" && edgeById[id]) showEdge(id);
    writeHash();
  }
  window.addEventListener("hashchange", function () { readHash(); restore(); });
  api.state = state;

  function options(select, items) {
    items.forEach(function (it) {
      var o = document.createElement("option");
      o.value = it[0];
      o.textContent = it[1];
      select.appendChild(o);
    });
  }
  function nodesOf(kinds) {
    return DATA.nodes.filter(function (n) { return kinds.indexOf(n.kind) >= 0 && DATA.links.some(function (l) { return l.subject === n.id || l.mechanism === n.id; }); })
      .sort(function (a, b) { return a.label.localeCompare(b.label); }).map(function (n) { return [n.id, n.label]; });
  }
  options(fDisease, nodesOf(["disease", "cells"]));
  options(fMechanism, nodesOf(["mechanism"]));
  var roles = {};
  DATA.links.forEach(function (l) { roles[l.role] = l.role_label; });
  options(fRole, Object.keys(roles).sort().map(function (r) { return [r, roles[r]]; }));
  DATA.legend.evidence.forEach(function (ev) {
    var lab = el("label");
    var cb = document.createElement("input");
    cb.type = "checkbox";
    cb.checked = true;
    cb.value = ev;
    cb.addEventListener("change", onControl);
    lab.appendChild(cb);
    lab.appendChild(document.createTextNode(" " + ev));
    fEvidence.appendChild(lab);
  });

  // --- search ---------------------------------------------------------------------------------------
  var datalist = $("search-names");
  var labels = {};
  DATA.nodes.forEach(function (n) { [n.label, n.details.label, n.details.label_zh].forEach(function (s) { if (s) labels[s] = true; }); });
  Object.keys(labels).sort().forEach(function (s) {
    var o = document.createElement("option");
    o.value = s;
    datalist.appendChild(o);
  });
  var searchStatus = $("search-status");
  function search(text) {
    var found = candidates(text);
    if (!found.length) {
      searchStatus.className = "";
      searchStatus.textContent = "no match for “" + text + "”";
      return null;
    }
    var id = found[0], kind = byId[id].kind;
    searchStatus.className = "ok";
    searchStatus.textContent = label(id) + (found.length > 1 ? " (" + (found.length - 1) + " more match)" : "");
    if ((kind === "study" || kind === "product") && !state.studies) { state.studies = true; fStudies.checked = true; }
    applyGraph(false);
    if (nodes.get(id).hidden) { api.resetFilters(); }
    if (nodes.get(id).hidden) { nodes.update({ id: id, hidden: false }); }
    if (state.view !== "graph") setView("graph");
    focusNode(id);
    showNode(id);
    return id;
  }
  api.search = search;
  var box = $("search");
  box.addEventListener("keydown", function (ev) { if (ev.key === "Enter") search(box.value); });
  box.addEventListener("change", function () { if (box.value) search(box.value); });
})();
