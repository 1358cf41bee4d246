"""The query page served at ``/``: one self-contained HTML document (inline CSS and JavaScript, no network).

Results are put in the page with ``textContent`` only, so nothing in the data is ever parsed as HTML.
"""

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>mscgraph SPARQL</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
  textarea { width: 100%; height: 14em; font: 13px/1.35 monospace; box-sizing: border-box; }
  button { font-size: 14px; padding: .3em 1.2em; margin: .5em .5em .5em 0; }
  table { border-collapse: collapse; margin-top: .5em; }
  th, td { border: 1px solid #ccc; padding: .2em .5em; vertical-align: top; text-align: left; }
  th { background: #f0f0f0; }
  #status { color: #555; }
  #status.error { color: #b00; white-space: pre-wrap; }
  pre { background: #f7f7f7; padding: .5em; overflow: auto; }
</style>
</head>
<body>
<h1>mscgraph SPARQL endpoint</h1>
<p>Read-only SPARQL 1.1 endpoint at <code>/sparql</code> (GET <code>?query=</code> or POST).
Ctrl-Enter runs the query.</p>
<textarea id="query" spellcheck="false">PREFIX rdfs: &lt;http://www.w3.org/2000/01/rdf-schema#&gt;
PREFIX msc:  &lt;https://w3id.org/mscgraph/ontology/&gt;

SELECT ?disease ?label WHERE {
  ?disease a msc:Disease ; rdfs:label ?label .
  FILTER(lang(?label) = "en")
}
ORDER BY ?label</textarea>
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
<script>
"use strict";
const queryBox = document.getElementById("query");
const statusLine = document.getElementById("status");
const results = document.getElementById("results");

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

async function run() {
  const format = document.getElementById("format").value;
  const form = new URLSearchParams({ query: queryBox.value });
  if (format) {
    form.set("format", format);
    window.location.assign("sparql?" + form.toString());
    return;
  }
  statusLine.className = "";
  statusLine.textContent = "running...";
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
      statusLine.className = "error";
      statusLine.textContent = text;
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
