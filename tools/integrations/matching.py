"""Fuzzy vendor-name matching with difflib (stdlib): names are normalised, then compared.

Vendor names on invoices differ from the master in accents ("Lumiere"), legal forms
("GmbH", "B.V.") and punctuation; after normalising those away a plain similarity ratio
separates the five to few-thousand vendors of a master well. rapidfuzz would be faster on
very large masters; difflib needs no dependency and is ample here.
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

from core.domain import Vendor

MATCH_THRESHOLD = 0.86
"""Below this normalised similarity a name is not the vendor (0.86 tolerates one typo in
a ten-letter name; unrelated company names score under 0.6)."""

_LEGAL_FORMS = {
    "gmbh", "ag", "kg", "ohg", "ug", "mbh", "co", "sarl", "sas", "sa", "eurl", "bv", "nv",
    "ltd", "limited", "plc", "llc", "inc", "corp", "sl", "srl", "spa", "the", "and",
}  # fmt: skip
_GERMAN = str.maketrans({"ß": "ss", "ä": "ae", "ö": "oe", "ü": "ue"})


def normalise(name: str) -> str:
    """Lower case, German umlauts spelled out, accents and legal forms dropped."""
    text = name.lower().translate(_GERMAN)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = text.replace("&", " and ")
    tokens = re.findall(r"[a-z0-9]+", re.sub(r"\b([a-z])\.(?=[a-z]\.)", r"\1", text))
    # "B.V." -> "b", "v" after splitting: join one-letter runs back ("bv") before filtering.
    joined: list[str] = []
    for token in tokens:
        if len(token) == 1 and joined and len(joined[-1]) <= 2 and joined[-1].isalpha():
            joined[-1] += token
        else:
            joined.append(token)
    return " ".join(t for t in joined if t not in _LEGAL_FORMS)


def similarity(a: str, b: str) -> float:
    """Similarity of two names in [0, 1] after normalising both."""
    na, nb = normalise(a), normalise(b)
    if not na or not nb:
        return 0.0
    if na == nb:
        return 1.0
    return SequenceMatcher(None, na, nb).ratio()


def best_vendor(name: str, vendors: list[Vendor]) -> tuple[Vendor | None, float]:
    """The vendor whose name or alias is most similar to `name`, if above the threshold."""
    best: tuple[Vendor | None, float] = (None, 0.0)
    for vendor in vendors:
        for candidate in (vendor.name, *vendor.aliases):
            score = similarity(name, candidate)
            if score > best[1]:
                best = (vendor, score)
    return best if best[1] >= MATCH_THRESHOLD else (None, best[1])
