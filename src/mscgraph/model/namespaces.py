"""Identifiers as data: one prefix map expands and contracts every CURIE.

The map follows the Bioregistry's preferred prefixes and OBO PURLs. It is kept
here (not fetched) so that expanding a CURIE costs nothing at start-up.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

MSC = "https://w3id.org/mscgraph/ontology/"
MSCD = "https://w3id.org/mscgraph/data/"
OBO = "http://purl.obolibrary.org/obo/"

PREFIXES: dict[str, str] = {
    "msc": MSC,
    "mscd": MSCD,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "bibo": "http://purl.org/ontology/bibo/",
    "fabio": "http://purl.org/spar/fabio/",
    "prov": "http://www.w3.org/ns/prov#",
    "sh": "http://www.w3.org/ns/shacl#",
    "biolink": "https://w3id.org/biolink/vocab/",
    "HGNC": "http://identifiers.org/hgnc/",
    "MESH": "http://id.nlm.nih.gov/mesh/",
    **{p: f"{OBO}{p}_" for p in ("MONDO", "DOID", "CL", "UBERON", "ECO", "NCBITaxon", "OBI", "NCIT")},
}

_CURIE = re.compile(r"^([A-Za-z][A-Za-z0-9_.-]*):([^\s/][^\s]*)$")


@dataclass(frozen=True)
class PrefixMap:
    """Expand CURIEs to IRIs and compact IRIs to CURIEs (longest namespace wins)."""

    prefixes: dict[str, str]

    def expand(self, curie: str) -> str | None:
        match = _CURIE.match(curie.strip())
        if not match:
            return None
        prefix, local = match.groups()
        for name, ns in self.prefixes.items():
            if name.casefold() == prefix.casefold():
                return ns + local
        return None

    def compact(self, iri: str) -> str:
        match = self._namespaces.match(iri)
        if match is None:
            return iri
        return f"{self._names[match.group()]}:{iri[match.end() :]}"

    @functools.cached_property
    def _namespaces(self) -> re.Pattern[str]:
        """All namespaces, longest first: the first that matches is the longest (one regex, not a loop)."""
        return re.compile("|".join(map(re.escape, sorted(self._names, key=len, reverse=True))))

    @functools.cached_property
    def _names(self) -> dict[str, str]:
        return {ns: name for name, ns in reversed(self.prefixes.items())}  # the first name of a namespace

    def sparql_prologue(self) -> str:
        return "".join(f"PREFIX {n}: <{ns}>\n" for n, ns in self.prefixes.items())


CONVERTER = PrefixMap(PREFIXES)
