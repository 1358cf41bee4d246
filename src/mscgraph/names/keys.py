"""Name keys: how two spellings of a name are compared.

A key is Unicode-folded, lower-cased, with accents and separators removed and Greek letters spelled
out, so that ``Sjögren's syndrome``, ``sjogren syndrome`` and ``SJOGREN-SYNDROME`` are one key, as are
``IFN-γ`` and ``ifn gamma``.
"""

from __future__ import annotations

import difflib
import re
import unicodedata

_GREEK = {"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "κ": "kappa"}
_SEPARATORS = re.compile(r"[\s\-‐–—_'’‘`.,;:/()\[\]+·]+")
_POSSESSIVE = re.compile(r"['’]s\b")


def normalize(text: str) -> str:
    """The comparison key of a name."""
    if text.isascii():  # the common case, and the same result without the Unicode passes
        return _SEPARATORS.sub("", _POSSESSIVE.sub("", text.lower()))
    folded = unicodedata.normalize("NFKC", text).casefold()
    for letter, name in _GREEK.items():
        folded = folded.replace(letter, name)
    folded = _POSSESSIVE.sub("", folded)
    stripped = "".join(c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c))
    return _SEPARATORS.sub("", stripped)


def name_keys(text: str) -> set[str]:
    """Keys under which a label is indexed: the whole label, and the label without a trailing
    parenthetical (``MSCs (source not stated)`` is also found as ``MSCs``)."""
    keys = {normalize(text)}
    if (base := re.sub(r"\s*[(（].*[)）]\s*$", "", text)) != text:
        keys.add(normalize(base))
    return keys - {""}


def _common_prefix(a: str, b: str) -> int:
    """How many leading characters ``a`` and ``b`` share."""
    return next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))


def likeness(key: str, other: str) -> float:
    """How alike two name keys are, 0 to 1, for suggestions: difflib's ratio, or the share of ``key``
    that ``other`` starts with, whichever is higher; 0.8 if ``other`` contains ``key``."""
    prefix = _common_prefix(key, other) / len(key)
    return max(difflib.SequenceMatcher(None, key, other).ratio(), prefix, 0.8 if key in other else 0.0)


def local_name(iri: str) -> str:
    return re.split(r"[/#]", iri.rstrip("/#"))[-1]
