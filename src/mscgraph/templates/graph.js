/* mscgraph page: network, legend, search, filters and details panel. Text is only ever set with
   textContent (never innerHTML), so labels and sentences from the data cannot become markup. */
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("graph-data").textContent);
  var byId = {};
  DATA.nodes.forEach(function (n) { byId[n.id] = n; });
  var edgeById = {};
  DATA.edges.forEach(function (e) { edgeById[e.id] = e; });

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  // --- network ------------------------------------------------------------------------------
  var nodes = new vis.DataSet(DATA.nodes.map(function (n) {
    return { id: n.id, label: n.label, shape: n.shape, color: n.color, size: n.size, font: n.font,
             borderWidth: n.borderWidth, hidden: false };
  }));
  var edges = new vis.DataSet(DATA.edges.map(function (e) {
    return { id: e.id, from: e.from, to: e.to, label: e.label, width: e.width, color: e.color,
             dashes: e.dashes, arrows: e.arrows, font: e.font, smooth: e.smooth, hidden: false };
  }));
  var container = document.getElementById("network");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, DATA.options);
  var status = document.getElementById("status");
  var api = { network: network, nodes: nodes, edges: edges, stabilized: false };
  window.mscgraph = api;

  function frozen() {
    network.setOptions({ physics: { enabled: false } });
    // fit the linked part: unlinked vocabulary nodes drift far out and would shrink everything else
    var linked = {};
    DATA.edges.forEach(function (e) { linked[e.from] = linked[e.to] = true; });
    var ids = Object.keys(linked);
    if (ids.length) network.fit({ nodes: ids, animation: false });
    api.stabilized = true;
    document.body.setAttribute("data-stabilized", "true");
    status.textContent = DATA.nodes.length + " nodes, " + DATA.edges.length + " links";
  }
  network.once("stabilizationIterationsDone", frozen);
  network.on("stabilizationProgress", function (p) {
    status.textContent = "laying out… " + Math.round(100 * p.iterations / p.total) + "%";
  });

  // --- legend -------------------------------------------------------------------------------
  var legend = document.getElementById("legend");
  DATA.legend.kinds.forEach(function (k) {
    var row = el("div");
    var sw = el("span", null, "sw");
    sw.style.background = k.color;
    if (k.shape === "dot") sw.style.borderRadius = "50%";
    if (k.shape === "diamond") sw.style.transform = "rotate(45deg) scale(.85)";
    row.appendChild(sw);
    row.appendChild(document.createTextNode(k.label));
    legend.appendChild(row);
  });
  DATA.legend.links.forEach(function (k) {
    var row = el("div");
    var ln = el("span", null, "ln" + (k.dashes ? " dash" : ""));
    ln.style.borderTopColor = k.color;
    row.appendChild(ln);
    row.appendChild(document.createTextNode(k.label));
    legend.appendChild(row);
  });
  legend.appendChild(el("div", "link width: number of studies", "hint"));

  // --- details panel ------------------------------------------------------------------------
  var panel = document.getElementById("panel");
  function clear() { while (panel.firstChild) panel.removeChild(panel.firstChild); }
  function facts(pairs) {
    var dl = el("dl");
    pairs.forEach(function (p) {
      if (p[1] === undefined || p[1] === null || p[1] === "" || (Array.isArray(p[1]) && !p[1].length)) return;
      dl.appendChild(el("dt", p[0]));
      dl.appendChild(el("dd", Array.isArray(p[1]) ? p[1].join("; ") : p[1]));
    });
    return dl;
  }
  function quote(text, lang) {
    var q = el("blockquote", text, lang === "zh" ? "zh" : "");
    q.setAttribute("lang", lang);
    return q;
  }
  function linkButton(text, onclick) {
    var b = el("button", text, "link");
    b.type = "button";
    b.addEventListener("click", onclick);
    return b;
  }

  function startPanel(kind, id, title) {
    clear();
    panel.setAttribute("data-kind", kind);
    panel.setAttribute("data-id", id);
    panel.appendChild(el("h2", title));
  }

  function showNode(id) {
    var n = byId[id];
    if (!n) return;
    var d = n.details;
    startPanel("node", id, n.label);
    if (d.label_zh) panel.appendChild(el("div", d.label_zh, "zh"));
    panel.appendChild(facts([
      ["name", d.label], ["type", d.class_label], ["id", id], ["abbreviation", d.abbreviation],
      ["citation", d.citation], ["title", d.title], ["species", d.species], ["evidence", d.evidence],
      ["tissue source", d.tissue_source], ["donor type", d.donor_type], ["maps to", d.exact_match]
    ]));
    if (d.sentence_zh) d.sentence_zh.split("\n").forEach(function (s) { panel.appendChild(quote(s, "zh")); });
    if (d.sentence_en) d.sentence_en.split("\n").forEach(function (s) { panel.appendChild(quote(s, "en")); });
    var links = DATA.edges.filter(function (e) { return e.from === id || e.to === id; });
    if (links.length) {
      panel.appendChild(el("h3", "Links (" + links.length + ")"));
      var ul = el("ul");
      links.forEach(function (e) {
        var other = byId[e.from === id ? e.to : e.from];
        var li = el("li");
        li.appendChild(linkButton((e.from === id ? "→ " : "← ") + other.label + (e.label ? " (" + e.label + ")" : "") +
          (e.relation === "mechanism" ? "" : " · " + e.relation), function () { select({ edges: [e.id] }); }));
        ul.appendChild(li);
      });
      panel.appendChild(ul);
    }
  }

  function showEdge(id) {
    var e = edgeById[id];
    if (!e) return;
    var d = e.details;
    startPanel("edge", id, byId[e.from].label + " → " + byId[e.to].label);
    if (e.relation !== "mechanism") {
      panel.appendChild(facts([["relation", d.relation_label], ["from", byId[e.from].details.label],
                               ["to", byId[e.to].details.label], ["cohort size", d.cohort_size]]));
      return;
    }
    panel.appendChild(facts([
      ["effect", d.direction + (d.direction_zh ? " (" + d.direction_zh + ")" : "")], ["role", d.role],
      ["evidence", d.evidence], ["studies", d.support.length]
    ]));
    panel.appendChild(el("h3", "Supporting studies"));
    d.support.forEach(function (s) {
      var box = el("div", null, "support");
      box.appendChild(el("div", s.citation, "citation"));
      box.appendChild(el("div", s.study_label));
      box.appendChild(facts([["study type", s.study_type], ["cohort size", s.cohort_size === null ? "not stated" : "n=" + s.cohort_size],
                             ["evidence", s.evidence]]));
      if (s.sentence_zh) box.appendChild(quote(s.sentence_zh, "zh"));
      if (s.sentence_en) box.appendChild(quote(s.sentence_en, "en"));
      panel.appendChild(box);
    });
  }

  function select(sel) {
    if (sel.nodes && sel.nodes.length) {
      network.selectNodes(sel.nodes);
      showNode(sel.nodes[0]);
    } else if (sel.edges && sel.edges.length) {
      network.setSelection({ nodes: [], edges: sel.edges });
      showEdge(sel.edges[0]);
    }
  }
  network.on("click", function (params) {
    if (params.nodes.length) showNode(params.nodes[0]);
    else if (params.edges.length) showEdge(params.edges[0]);
  });
  api.showNode = showNode;
  api.showEdge = showEdge;

  // --- search -------------------------------------------------------------------------------
  var datalist = document.getElementById("search-names");
  var names = {};
  DATA.nodes.forEach(function (n) { n.search.forEach(function (s) { names[s] = true; }); });
  Object.keys(names).sort().forEach(function (s) {
    var o = document.createElement("option");
    o.value = s;
    datalist.appendChild(o);
  });
  function find(text) {
    var key = String(text || "").trim().toLowerCase();
    if (!key) return null;
    var hit = null, partial = null;
    DATA.nodes.forEach(function (n) {
      n.search.forEach(function (s) {
        var k = s.toLowerCase();
        if (k === key && !hit) hit = n;
        else if (k.indexOf(key) >= 0 && !partial) partial = n;
      });
    });
    return hit || partial;
  }
  function search(text) {
    var n = find(text);
    if (!n) { status.textContent = "no match for " + text; return null; }
    if (nodes.get(n.id).hidden) resetFilters();
    network.selectNodes([n.id]);
    network.focus(n.id, { scale: 1.3, animation: false });
    showNode(n.id);
    return n.id;
  }
  api.search = search;
  var box = document.getElementById("search");
  box.addEventListener("keydown", function (ev) { if (ev.key === "Enter") search(box.value); });
  box.addEventListener("change", function () { search(box.value); });

  // --- filters ------------------------------------------------------------------------------
  var fDisease = document.getElementById("filter-disease");
  var fMechanism = document.getElementById("filter-mechanism");
  var fEvidence = document.getElementById("filter-evidence");
  function options(select, kind) {
    DATA.nodes.filter(function (n) { return n.kind === kind; })
      .slice().sort(function (a, b) { return a.label.localeCompare(b.label); })
      .forEach(function (n) {
        var o = document.createElement("option");
        o.value = n.id;
        o.textContent = n.label;
        select.appendChild(o);
      });
  }
  options(fDisease, "disease");
  options(fMechanism, "mechanism");
  DATA.legend.evidence.forEach(function (ev) {
    var label = el("label");
    var cb = document.createElement("input");
    cb.type = "checkbox";
    cb.checked = true;
    cb.value = ev;
    cb.addEventListener("change", applyFilters);
    label.appendChild(cb);
    label.appendChild(document.createTextNode(" " + ev));
    fEvidence.appendChild(label);
  });
  fDisease.addEventListener("change", applyFilters);
  fMechanism.addEventListener("change", applyFilters);

  function applyFilters() {
    var D = fDisease.value, M = fMechanism.value;
    var E = {};
    var all = true;
    fEvidence.querySelectorAll("input").forEach(function (cb) { if (cb.checked) E[cb.value] = true; else all = false; });
    var active = D || M || !all;
    var showN = {}, showE = {};
    function anyE(list) { return list.some(function (x) { return E[x]; }); }
    if (!active) {
      DATA.nodes.forEach(function (n) { showN[n.id] = true; });
      DATA.edges.forEach(function (e) { showE[e.id] = true; });
    } else {
      var supporting = {};
      DATA.edges.forEach(function (e) {
        if (e.relation !== "mechanism") return;
        if ((D && e.from !== D) || (M && e.to !== M) || !anyE(e.evidence)) return;
        showE[e.id] = showN[e.from] = showN[e.to] = true;
        e.studies.forEach(function (s) { supporting[s] = true; });
      });
      if (D) showN[D] = true;
      if (M) showN[M] = true;
      DATA.edges.forEach(function (e) {
        if (e.relation !== "studies" || !showN[e.to] || !byId[e.from]) return;
        var study = byId[e.from];
        var ok = supporting[e.from] || (!M && (study.evidence.length ? anyE(study.evidence) : all));
        if (ok) showN[e.from] = true;
      });
      DATA.edges.forEach(function (e) {
        if (e.relation === "uses" && showN[e.from]) showN[e.to] = true;
        if (e.relation !== "mechanism" && showN[e.from] && showN[e.to]) showE[e.id] = true;
      });
    }
    nodes.update(DATA.nodes.map(function (n) { return { id: n.id, hidden: !showN[n.id] }; }));
    edges.update(DATA.edges.map(function (e) { return { id: e.id, hidden: !showE[e.id] }; }));
    document.body.setAttribute("data-visible-nodes", String(Object.keys(showN).length));
  }
  function resetFilters() {
    fDisease.value = "";
    fMechanism.value = "";
    fEvidence.querySelectorAll("input").forEach(function (cb) { cb.checked = true; });
    applyFilters();
  }
  api.applyFilters = applyFilters;
  api.resetFilters = resetFilters;
  api.visibleNodeIds = function () {
    return nodes.get({ filter: function (n) { return !n.hidden; } }).map(function (n) { return n.id; });
  };
  api.edgeBetween = function (from, to) {
    return DATA.edges.filter(function (e) { return e.from === from && e.to === to; }).map(function (e) { return e.id; });
  };
  api.nodeCount = function () { return nodes.length; };
})();
