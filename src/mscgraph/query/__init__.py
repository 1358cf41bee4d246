"""The SPARQL library: named ``.rq`` queries and their parameters, query text, terms and results."""
