"""What users see: lookup rows, table/JSON/CSV/TSV, RDF serialisations, the network, the page, exports."""
