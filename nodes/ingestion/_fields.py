"""Labels found in laid-out text, each paired with the value on its row or under it.

Every label of every field is looked for anywhere in a line; where labels overlap the longest wins
("Total VAT" is tax, not total; "Invoice date" is not "date"). A label's value is the text after it
on its row, up to the next label; when that holds none, the cell under the label in the next rows
(`nodes/ingestion/_layout.py` keeps columns). No pattern crosses a line break, so a number label at
the end of a line never swallows the next line's company name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from nodes.ingestion._vocabulary import FIELDS, label_regex

CELL = re.compile(r"\S+(?: \S+)*")
_NET = re.compile(
    r"^[\s:(]*(?:netto|net|excl\.?|excluding|ohne|hors|HT|sin|senza|bez|zonder|exkl\.?)(?!\w)",
    re.I,
)
"""A qualifier after a total label that makes it the net amount: "Rechnungssumme Netto"."""
_QUALIFIER = re.compile(
    r"(?:inkl|incl|including|excl|exkl|excluding|ohne|zzgl|plus|hors|sans|bez|sin|senza|\()"
    r"\.?[ \t]*$",
    re.I,
)
"""Before a tax word, makes it part of the label in front: "Summe (inkl. USt.)" is one label."""
_RATE = re.compile(r"@?\s*\d+(?:[.,]\d+)?\s*%")
_COLUMN_ROWS = 6
"""Rows under a column header searched for its values (a multi-rate totals table)."""
_LOOK_BELOW = 2
"""Non-empty rows under a label searched for its value."""


@dataclass(frozen=True)
class Label:
    """One label occurrence: its field, row and column span."""

    field: str
    row: int
    start: int
    end: int


@dataclass(frozen=True)
class Candidate:
    """A text that may hold a field's value: beside its label (`right`) or under it."""

    label: Label
    text: str
    where: str  # "right" | "left" | "next" | "below"


@lru_cache(maxsize=4096)  # lines repeat across pages and documents; bounded for servers
def all_labels(line: str) -> tuple[tuple[str, int, int], ...]:
    """(field, start, end) of every label in `line`, longest first where they overlap."""
    found = [
        (field, m.start(), m.end()) for field in FIELDS for m in label_regex(field).finditer(line)
    ]
    found.sort(key=lambda hit: (-(hit[2] - hit[1]), hit[1]))
    kept: list[tuple[str, int, int]] = []
    for field, start, end in found:  # longest first; a shorter label inside a longer one goes
        if all(end <= s or start >= e for _, s, e in kept):
            kept.append((field, start, end))
    kept = [
        ("subtotal" if name == "total" and _NET.match(line[end : end + 12]) else name, start, end)
        for name, start, end in kept
        if not (name in ("tax", "vat_id") and _QUALIFIER.search(line[max(0, start - 12) : start]))
    ]
    return tuple(sorted(kept, key=lambda hit: hit[1]))


_CELL_START_FIELDS = frozenset({"bill_to", "seller", "holder"})
"""Party labels count only where a cell starts: "Buyer" inside "Demo Buyer AG" is a name."""


def _starts_cell(line: str, start: int) -> bool:
    return start == 0 or line[:start].endswith("  ") or not line[:start].strip()


def _label_at_start(cell: str) -> bool:
    return any(start == 0 for _, start, _ in all_labels(cell))


def labels(lines: list[str], field: str) -> list[Label]:
    """Every occurrence of a label of `field`, in reading order."""
    return [
        Label(name, row, start, end)
        for row, line in enumerate(lines)
        for name, start, end in all_labels(line)
        if name == field and (field not in _CELL_START_FIELDS or _starts_cell(line, start))
    ]


def right_of(lines: list[str], label: Label) -> str:
    """The text after `label` on its row, up to the next label of any field."""
    line = lines[label.row]
    following = [start for _, start, _ in all_labels(line) if start >= label.end]
    return line[label.end : min(following, default=len(line))]


def _under(cell: re.Match[str], label: Label) -> bool:
    """Whether `cell` sits in `label`'s column: aligned with it left or right, or within it
    (a long cell that merely overlaps, like a sentence, is not under it)."""
    left = label.start - 2 <= cell.start() < label.end + 2
    right = abs(cell.end() - label.end) <= 2
    inside = cell.start() >= label.start - 2 and cell.end() <= label.end + 2
    return left or right or inside


def cell_left(lines: list[str], label: Label) -> str | None:
    """The cell just before `label` when nothing follows it: "-540,00 €   Total TTC"."""
    line = lines[label.row]
    if _RATE.sub("", line[label.end :]).strip():  # only a rate may follow: "TVA 20 %"
        return None
    before = [c for c in CELL.finditer(line[: label.start]) if c.end() <= label.start]
    if not before or label.start - before[-1].end() < 2:
        return None
    return None if _label_at_start(before[-1].group(0)) else before[-1].group(0)


def cell_below(lines: list[str], label: Label) -> str | None:
    """The first cell under `label` that overlaps its columns, in the next non-empty rows."""
    seen = 0
    for line in lines[label.row + 1 :]:
        if not line.strip():
            continue
        if line.strip() == "\f":
            break
        seen += 1
        for cell in CELL.finditer(line):
            if _under(cell, label):
                if _label_at_start(cell.group(0)):
                    return None  # another label sits under this one: a column of labels
                return cell.group(0)
        if seen >= _LOOK_BELOW:
            break
    return None


def column_below(lines: list[str], label: Label) -> list[str]:
    """The cells under a column header `label`, top to bottom, until the column ends (a row
    with nothing under it after one blank row, or another label)."""
    cells: list[str] = []
    blanks = 0
    for line in lines[label.row + 1 : label.row + 1 + _COLUMN_ROWS + 2]:
        if not line.strip():
            blanks += 1
            if blanks > 1:
                break
            continue
        under = [
            c
            for c in CELL.finditer(line)
            if c.start() < label.end + 2 and c.end() > label.start - 2
        ]
        if not under or _label_at_start(under[0].group(0)):
            break
        cells.append(under[0].group(0))
        if len(cells) >= _COLUMN_ROWS:
            break
    return cells


def candidates(lines: list[str], field: str, *, column: bool = False) -> list[Candidate]:
    """For each label of `field`: the text beside it (right, or left when nothing follows it),
    the cell under it (with `column=True`, every cell of the column under it), and, when
    nothing is under it, the start of the next row (a value wrapped after its label)."""
    found = []
    for label in labels(lines, field):
        beside = right_of(lines, label)
        found.append(Candidate(label, beside, "right"))
        if column and (left := cell_left(lines, label)) is not None:
            found.append(Candidate(label, left, "left"))
        if column:
            below = column_below(lines, label)
        else:
            below = [cell] if (cell := cell_below(lines, label)) is not None else []
        found += [Candidate(label, cell, "below") for cell in below]
        if not below and not beside.strip() and label.end >= len(lines[label.row].rstrip()):
            wrapped = next((ln for ln in lines[label.row + 1 : label.row + 2] if ln.strip()), "")
            if first := CELL.search(wrapped):  # "... vom" / "05.03.2018": text wrapped
                found.append(Candidate(label, first.group(0), "next"))
    return found
