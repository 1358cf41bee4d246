"""The query page served at ``/``: one self-contained HTML document (inline CSS and JavaScript, no network).

It offers every named query of the library (``queries/*.rq``): picking one puts its text (PREFIX lines
included) in the editor and one input per declared parameter beside it; a value typed there (``SS``,
``干燥综合征``, an IRI) is sent as ``bind.NAME`` and resolved by the server as the CLI resolves it. A
syntax error is shown with its line and column, and the editor's cursor is put there.
Results are put in the page with ``textContent`` only, so nothing in the data is ever parsed as HTML.
"""

from __future__ import annotations

from functools import cache

from mscgraph.model.namespaces import PREFIXES

COMMON_PREFIXES = ("msc", "mscd", "rdf", "rdfs", "owl", "xsd", "skos", "dcterms", "bibo", "prov")
EXAMPLE = """SELECT ?disease ?label WHERE {
  ?disease a msc:Disease ; rdfs:label ?label .
  FILTER(lang(?label) = "en")
}
ORDER BY ?label"""


def default_query() -> str:
    """The editor's first text: the common PREFIX lines, then an example."""
    return "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in COMMON_PREFIXES) + "\n" + EXAMPLE


@cache
def page() -> bytes:
    from mscgraph.query.library import catalog
    from mscgraph.views.html import script_json

    queries = [
        {
            "name": q.name,
            "title": q.title,
            "description": q.description,
            "text": q.text,
            "params": [
                {"name": p.name, "kind": p.kind, "optional": p.optional, "description": p.description}
                for p in q.params
            ],
        }
        for q in catalog().values()
        if not q.internal
    ]
    data = script_json({"queries": queries, "default": default_query()})
    return PAGE.replace("{{data}}", data).encode("utf-8")


PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>mscgraph SPARQL</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
  textarea { width: 100%; height: 18em; font: 13px/1.35 monospace; box-sizing: border-box; }
  button { font-size: 14px; padding: .3em 1.2em; margin: .5em .5em .5em 0; }
  select, input { font: inherit; }
  #named { max-width: 100%; }
  #params { display: flex; flex-wrap: wrap; gap: .4em 1.2em; margin: .5em 0; }
  #params label { display: flex; flex-direction: column; font-size: 12px; color: #555; }
  #params input { font-size: 14px; width: 16em; }
  #description { color: #555; max-width: 60em; }
  table { border-collapse: collapse; margin-top: .5em; }
  th, td { border: 1px solid #ccc; padding: .2em .5em; vertical-align: top; text-align: left; }
  th { background: #f0f0f0; }
  #status { color: #555; }
  #status.error { color: #b00; white-space: pre-wrap; }
  pre { background: #f7f7f7; padding: .5em; overflow: auto; }
  #where { color: #b00; margin: 0; }
</style>
</head>
<body>
<h1>mscgraph SPARQL endpoint</h1>
<p>Read-only SPARQL 1.1 endpoint at <code>/sparql</code> (GET <code>?query=</code> or POST).
Pick a named query (its parameters appear as fields; names such as <code>SS</code>, <code>Sjogren</code>
or <code>干燥综合征</code> are resolved by the server) or write your own. Ctrl-Enter runs the query.</p>
<label>Named query <select id="named"><option value="">(your own query)</option></select></label>
<p id="description"></p>
<div id="params"></div>
<textarea id="query" spellcheck="false"></textarea>
<pre id="where" hidden></pre>
<div>
<button id="run" type="button">Run</button>
<label>Download as <select id="format">
  <option value="">(show here)</option>
  <option value="json">SPARQL JSON</option>
  <option value="csv">CSV</option>
  <option value="tsv">TSV</option>
  <option value="xml">SPARQL XML</option>
</select></label>
<span id="status"></span>
</div>
<div id="results"></div>
<script type="application/json" id="catalog">{{data}}</script>
<script>
"use strict";
const CATALOG = JSON.parse(document.getElementById("catalog").textContent);
const queryBox = document.getElementById("query");
const statusLine = document.getElementById("status");
const results = document.getElementById("results");
const named = document.getElementById("named");
const paramBox = document.getElementById("params");
const where = document.getElementById("where");
queryBox.value = CATALOG.default;

for (const q of CATALOG.queries) {
  const option = document.createElement("option");
  option.value = q.name;
  option.textContent = q.name + " - " + q.title;
  named.appendChild(option);
}

function pick(name) {
  const q = CATALOG.queries.find((x) => x.name === name);
  paramBox.replaceChildren();
  document.getElementById("description").textContent = q ? q.description : "";
  queryBox.value = q ? q.text : CATALOG.default;
  for (const p of q ? q.params : []) {
    const label = document.createElement("label");
    label.textContent = p.name + " (" + p.kind + (p.optional ? ", optional" : "") + ")";
    const input = document.createElement("input");
    input.name = "bind." + p.name;
    input.id = "param-" + p.name;
    input.placeholder = p.description;
    input.title = p.description;
    input.required = !p.optional;
    input.addEventListener("keydown", (event) => { if (event.key === "Enter") run(); });
    label.appendChild(input);
    paramBox.appendChild(label);
  }
}
named.addEventListener("change", () => pick(named.value));

function cell(term) {
  if (!term) return "";
  if (term.type === "literal" && term["xml:lang"]) return term.value + " @" + term["xml:lang"];
  return term.value;
}

function showTable(doc) {
  const table = document.createElement("table");
  const head = table.createTHead().insertRow();
  for (const name of doc.head.vars) {
    const th = document.createElement("th");
    th.textContent = name;
    head.appendChild(th);
  }
  const body = table.createTBody();
  for (const binding of doc.results.bindings) {
    const row = body.insertRow();
    for (const name of doc.head.vars) row.insertCell().textContent = cell(binding[name]);
  }
  results.replaceChildren(table);
  statusLine.textContent = doc.results.bindings.length + " rows";
}

function showError(text) {
  statusLine.className = "error";
  statusLine.textContent = text.trim();
  const at = /line (\\d+), column (\\d+)/.exec(text);
  if (!at) return;
  const line = Number(at[1]), column = Number(at[2]);
  const lines = queryBox.value.split("\\n");
  if (line < 1 || line > lines.length) return;
  where.hidden = false;
  where.textContent = "line " + line + ": " + lines[line - 1] + "\\n" +
    " ".repeat(("line " + line + ": ").length + column - 1) + "^";
  const offset = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + column - 1;
  queryBox.focus();
  queryBox.setSelectionRange(offset, offset);
}

async function run() {
  const format = document.getElementById("format").value;
  const form = new URLSearchParams({ query: queryBox.value });
  for (const input of paramBox.querySelectorAll("input")) {
    if (input.value.trim()) form.set(input.name, input.value.trim());
  }
  if (format) {
    form.set("format", format);
    window.location.assign("sparql?" + form.toString());
    return;
  }
  statusLine.className = "";
  statusLine.textContent = "running...";
  where.hidden = true;
  results.replaceChildren();
  const started = performance.now();
  try {
    const response = await fetch("sparql", {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/sparql-results+json, application/n-triples;q=0.9",
      },
      body: form.toString(),
    });
    const text = await response.text();
    if (!response.ok) {
      showError(text);
      return;
    }
    const type = response.headers.get("Content-Type") || "";
    if (type.startsWith("application/sparql-results+json")) {
      const doc = JSON.parse(text);
      if ("boolean" in doc) {
        statusLine.textContent = "ASK: " + doc.boolean;
      } else {
        showTable(doc);
      }
    } else {
      const pre = document.createElement("pre");
      pre.textContent = text;
      results.replaceChildren(pre);
      statusLine.textContent = text.split("\\n").filter(Boolean).length + " triples";
    }
    statusLine.textContent += " in " + Math.round(performance.now() - started) + " ms";
  } catch (error) {
    statusLine.className = "error";
    statusLine.textContent = String(error);
  }
}

document.getElementById("run").addEventListener("click", run);
queryBox.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) run();
});
</script>
</body>
</html>
"""
