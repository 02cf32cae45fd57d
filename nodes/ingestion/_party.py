"""Who issued the invoice and who it is billed to, from laid-out text.

The seller is a company name (one ending in a legal form: GmbH, Ltd., Inc., S.A., B.V.,
sp. z o.o., ...) that is *not* in the bill-to block; a seller label, the bank account
holder and repetition (letterhead and footer) make it more likely. The bill-to block is the
rows under a bill-to label in that label's column, until a blank row.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from nodes.ingestion._fields import CELL, Label, all_labels, cell_below, labels, right_of

_FORMS_ANY_CASE = (
    r"GmbH(?:\s*&\s*Co\.?(?:\s*KG(?:aA)?)?)?|mbH|Ltd|Limited|LLC|LLP|Inc|Corp|Corporation|plc"
    r"|SARL|SASU|EURL|S\.?r\.?l|S\.?p\.?A|sp\.\s?z\s?o\.\s?o|Pvt\.?\s*Ltd|GbR|KGaA"
)
_FORMS_EXACT = (
    r"AG|KG|OHG|UG(?:\s*\(haftungsbeschränkt\))?|e\.\s?K|e\.\s?V|a\.\s?G|SE|SA|SAS|SNC|S\.A"
    r"|S\.A\.S|S\.L|SL|B\.V|BV|N\.V|NV|Oy|AB|A/S|ApS|AS|Co|S\.C"
)
LEGAL_FORM = re.compile(rf"(?<![\w])(?:(?i:{_FORMS_ANY_CASE})|{_FORMS_EXACT})\.?(?![\w])")
_NAME_START = re.compile(r"^[^\w]*")
_BLOCK_ROWS = 6


@dataclass(frozen=True)
class Parties:
    """The seller and buyer names found, with how sure the finding is."""

    seller: str | None
    seller_confidence: float
    buyer: str | None


def _clean(label_text: str) -> str:
    return _NAME_START.sub("", label_text).strip(" :;,-·|")


def _after_label(cell: str) -> str:
    """A cell without the label it starts with: "Account holder: Acme Ltd" -> "Acme Ltd"."""
    hits = [end for _, start, end in all_labels(cell) if start == 0]
    if hits and cell[hits[0] :].lstrip().startswith(":"):  # "Lieferant GmbH" is a name
        return cell[hits[0] :]
    return cell


def _block(lines: list[str], label: Label) -> set[tuple[int, int]]:
    """(row, column) of each cell in the bill-to block under or beside `label`."""
    cells = {(label.row, label.start)}
    line = lines[label.row]
    cells |= {(label.row, c.start()) for c in CELL.finditer(line) if c.start() >= label.end}
    for row in range(label.row + 1, min(len(lines), label.row + 1 + _BLOCK_ROWS)):
        if not lines[row].strip():
            if row > label.row + 1:
                break
            continue
        for cell in CELL.finditer(lines[row]):
            if abs(cell.start() - label.start) <= 6:
                cells.add((row, cell.start()))
    return cells


def _buyer(lines: list[str], bill_to: list[Label]) -> str | None:
    for label in bill_to:
        beside = _clean(right_of(lines, label))
        if beside and not beside[0].isdigit():
            return beside
        if (below := cell_below(lines, label)) and not below[0].isdigit():
            return _clean(below)
    return None


def _company_names(lines: list[str], skip: set[tuple[int, int]]) -> list[tuple[str, int, int]]:
    """(name, row, column) of every company name outside `skip`, ending at its legal form."""
    names = []
    for row, line in enumerate(lines):
        for cell in CELL.finditer(line):
            if (row, cell.start()) in skip:
                continue
            text = _after_label(cell.group(0))
            for form in LEGAL_FORM.finditer(text):
                name = _clean(text[: form.end()])
                if len(name) > len(form.group(0)) + 1:  # a name, not a bare "GmbH"
                    whole = text == cell.group(0)  # no label in front of the name
                    head = _wrapped_head(lines, row, cell.start()) if whole else None
                    names.append((f"{head} {name}" if head else name, row, cell.start()))
                    break
    return names


def _wrapped_head(lines: list[str], row: int, column: int) -> str | None:
    """The first line of a company name wrapped over two letterhead lines: the row above holds
    one cell, in the same column, of words only (no digits, no label, no ending punctuation),
    and starts its block: "MVM Musterhafter" / "Versicherungsverein Musterstadt a.G."."""
    if row == 0 or (row > 1 and lines[row - 2].strip()):
        return None
    cells = list(CELL.finditer(lines[row - 1]))
    if len(cells) != 1 or cells[0].start() != column:
        return None
    text = cells[0].group(0)
    if any(ch.isdigit() for ch in text) or text[-1] in ":.,;" or all_labels(text):
        return None
    return text if len(text.split()) <= 4 and not text.isupper() else None


def _labelled(lines: list[str], field: str) -> list[str]:
    found = []
    for label in labels(lines, field):
        text = _clean(right_of(lines, label)) or _clean(cell_below(lines, label) or "")
        if text:
            found.append(text)
    return found


def find_parties(lines: list[str]) -> Parties:
    """The seller (never the bill-to party) and the buyer."""
    bill_to = labels(lines, "bill_to")
    skip: set[tuple[int, int]] = set()
    for label in bill_to:
        skip |= _block(lines, label)
    buyer = _buyer(lines, bill_to)
    names = [(n, r, c) for n, r, c in _company_names(lines, skip) if not buyer or n not in buyer]
    counts = Counter(name for name, _, _ in names)
    holders = _labelled(lines, "holder")
    sellers = _labelled(lines, "seller")
    seller_block: set[tuple[int, int]] = set()
    for label in labels(lines, "seller"):
        seller_block |= _block(lines, label)

    def score(entry: tuple[str, int, int]) -> tuple[int, int]:
        name, row, column = entry
        points = min(counts[name] - 1, 2)
        points += 3 if (row, column) in seller_block else 0
        points += 2 if any(h.startswith(name) for h in holders) else 0
        return points, -row

    if names:
        best = max(names, key=score)
        confirmed = score(best)[0] >= 2
        return Parties(best[0], 0.99 if confirmed else 0.6, buyer)
    for fallback in (*sellers, *holders):
        if not buyer or fallback != buyer:
            return Parties(fallback, 0.6, buyer)
    return Parties(None, 0.0, buyer)
