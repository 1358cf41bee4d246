"""Synthetic knowledge graphs shaped like the real one, ×N its size.

    python bench/generate.py --scale 100 --out bench/out/x100

The real data is the template. Each of the N copies repeats every study, finding, publication,
cohort, intervention, outcome, adverse event and discrepancy under new IRIs (``…-c7``) with labels
in English and Chinese marked by the copy. The vocabulary they point at (diseases, mechanisms, MSC
products, sections) grows more slowly, as a literature does: ⌈√N⌉ variants, copy 0 being the real
one, so ``mechanisms SS`` still resolves and its fan-out grows ~√N-fold. Labels, abbreviations and
synonyms of variants carry the variant number, so names stay unambiguous. The output is Turtle
(prefixed names, one subject block per node), split into files of at most ``--copies-per-file``
copies, so ``mscgraph --data DIR`` (the packaged ontology plus DIR) and rdflib read the same files.
"""

from __future__ import annotations

import argparse
import math
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import rdflib
from rdflib import RDF, Literal, URIRef
from rdflib.namespace import RDFS, SKOS

from mscgraph.model import resources

MSC = "https://w3id.org/mscgraph/ontology/"
MSCD = "https://w3id.org/mscgraph/data/"
VOCABULARY_CLASSES = {"Disease", "MSCProduct", "ReviewSection", "ReviewArticle", "ReviewStatement"}
NAME_PROPERTIES = {RDFS.label, SKOS.altLabel, URIRef(MSC + "abbreviation")}
PREFIXES = {
    MSCD: "mscd",
    MSC: "msc",
    str(RDFS): "rdfs",
    str(RDF): "rdf",
    str(SKOS): "skos",
    "http://www.w3.org/2001/XMLSchema#": "xsd",
    "http://purl.org/dc/terms/": "dcterms",
    "http://purl.org/ontology/bibo/": "bibo",
    "http://www.w3.org/ns/prov#": "prov",
}


def template() -> tuple[rdflib.Graph, set[URIRef]]:
    """The real data graph, and the nodes that are vocabulary (shared across copies)."""
    ontology = rdflib.Graph().parse(resources.ontology_file())
    data = rdflib.Graph()
    for path in resources.data_files():
        data.parse(path)
    mechanism_classes = set(ontology.transitive_subjects(RDFS.subClassOf, URIRef(MSC + "ImmuneMechanism")))
    vocab_classes = {URIRef(MSC + c) for c in VOCABULARY_CLASSES} | mechanism_classes
    vocabulary = {
        s for s, o in data.subject_objects(RDF.type) if o in vocab_classes and isinstance(s, URIRef)
    }
    return data, vocabulary


class Copier:
    """Maps the template's terms into copy ``k`` (vocabulary into variant ``k mod V``)."""

    def __init__(self, vocabulary: set[URIRef], variants: int) -> None:
        self.vocabulary = vocabulary
        self.variants = variants

    def node_suffix(self, node: URIRef, k: int) -> str:
        if node in self.vocabulary:
            v = k % self.variants
            return f"-v{v}" if v else ""
        return f"-c{k}" if k else ""

    def is_copied(self, node: object) -> bool:
        """A data node repeated in every copy (not vocabulary, not an ontology term or literal)."""
        return isinstance(node, URIRef) and str(node).startswith(MSCD) and node not in self.vocabulary

    def term(self, node: object, k: int) -> object:
        if isinstance(node, URIRef) and str(node).startswith(MSCD):
            return URIRef(str(node) + self.node_suffix(node, k))
        return node

    def literal(self, subject: URIRef, predicate: URIRef, value: Literal, k: int) -> Literal:
        suffix = self.node_suffix(subject, k) if str(subject).startswith(MSCD) else ""
        if predicate not in NAME_PROPERTIES or not suffix:
            return value
        return Literal(f"{value}{suffix}", lang=value.language, datatype=value.datatype)


def n3(term: object) -> str:
    if isinstance(term, URIRef):
        text = str(term)
        for ns, prefix in PREFIXES.items():
            local = text[len(ns) :]
            if text.startswith(ns) and local and all(c.isalnum() or c in "-_" for c in local):
                return f"{prefix}:{local}"
        return f"<{text}>"
    return term.n3()  # type: ignore[attr-defined]


Template = list[tuple[object, list[tuple[object, object]]]]


def by_subject(data: rdflib.Graph) -> Template:
    grouped: dict[object, list[tuple[object, object]]] = defaultdict(list)
    for s, p, o in data:
        grouped[s].append((p, o))
    return [
        (s, sorted(grouped[s], key=lambda po: (str(po[0]), str(po[1])))) for s in sorted(grouped, key=str)
    ]


def blocks(subjects: Template, copier: Copier, k: int) -> Iterator[str]:
    """Turtle subject blocks of copy ``k`` (vocabulary only where this copy introduces its variant)."""
    for s, pairs in subjects:
        if s in copier.vocabulary and k >= copier.variants:
            # the variant itself was written by an earlier copy; only its links to this copy's nodes are new
            pairs = [(p, o) for p, o in pairs if copier.is_copied(o)]
            if not pairs:
                continue
        body = []
        for p, o in pairs:
            obj = copier.literal(s, p, o, k) if isinstance(o, Literal) else copier.term(o, k)
            body.append(f"{n3(p)} {n3(obj)}")
        yield f"{n3(copier.term(s, k))}\n    " + " ;\n    ".join(body) + " .\n"


def generate(scale: int, out: Path, copies_per_file: int = 100) -> list[Path]:
    data, vocabulary = template()
    copier = Copier(vocabulary, variants=max(1, math.ceil(math.sqrt(scale))))
    subjects = by_subject(data)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.ttl"):
        old.unlink()
    header = "".join(f"@prefix {p}: <{ns}> .\n" for ns, p in PREFIXES.items()) + "\n"
    files = []
    for start in range(0, scale, copies_per_file):
        path = out / f"data-{start // copies_per_file:04d}.ttl"
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(header)
            for k in range(start, min(scale, start + copies_per_file)):
                fh.writelines(blocks(subjects, copier, k))
        files.append(path)
    return files


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=int, required=True, help="how many times the real data")
    parser.add_argument(
        "--out", type=Path, required=True, help="output directory (its .ttl files are replaced)"
    )
    parser.add_argument("--copies-per-file", type=int, default=100)
    args = parser.parse_args()
    files = generate(args.scale, args.out, args.copies_per_file)
    print(f"wrote {len(files)} files to {args.out}")


if __name__ == "__main__":
    main()
