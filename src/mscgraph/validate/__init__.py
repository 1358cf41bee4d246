"""Checks of the ontology and data: syntax, SHACL shapes, integrity queries, quotes against the source."""
