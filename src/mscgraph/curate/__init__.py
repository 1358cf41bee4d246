"""Curation files: YAML a researcher writes, checked against the source and built into Turtle.

- :mod:`.schema` — the LinkML schema (``schema.yaml``) and the JSON Schema derived from it;
- :mod:`.yamlfile` — parsing with the line of every value;
- :mod:`.build` — records -> triples -> Turtle in the project's conventions;
- :mod:`.check` — schema, names, quotes, duplicates and the graph's own validation, as ``file:line`` problems;
- :mod:`.dump` — the curated Turtle back to curation files (the format covers the model).
"""
