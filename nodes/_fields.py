"""Labels found in laid-out text, each paired with the value on its row or under it.

Every label of every field is looked for anywhere in a line; where labels overlap the longest
wins ("Total VAT" is tax, not total; "Invoice date" is not "date"). A label's value is the
text after it on its row, up to the next label; when that holds none, the cell under the
label in the next rows (`nodes/_layout.py` keeps columns). No pattern crosses a line break,
so a number label at the end of a line never swallows the next line's company name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from nodes._vocabulary import FIELDS, label_regex

_CELL_GAP = re.compile(r"\S+(?: \S+)*")
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
    where: str  # "right" | "below"


@cache
def _all_labels(line: str) -> tuple[tuple[str, int, int], ...]:
    found = [
        (field, m.start(), m.end())
        for field in FIELDS
        for m in label_regex(field).finditer(line)
    ]
    found.sort(key=lambda hit: (-(hit[2] - hit[1]), hit[1]))
    kept: list[tuple[str, int, int]] = []
    for field, start, end in found:  # longest first; a shorter label inside a longer one goes
        if all(end <= s or start >= e for _, s, e in kept):
            kept.append((field, start, end))
    return tuple(sorted(kept, key=lambda hit: hit[1]))


def labels(lines: list[str], field: str) -> list[Label]:
    """Every occurrence of a label of `field`, in reading order."""
    return [
        Label(name, row, start, end)
        for row, line in enumerate(lines)
        for name, start, end in _all_labels(line)
        if name == field
    ]


def right_of(lines: list[str], label: Label) -> str:
    """The text after `label` on its row, up to the next label of any field."""
    line = lines[label.row]
    following = [start for _, start, _ in _all_labels(line) if start >= label.end]
    return line[label.end : min(following, default=len(line))]


def cell_below(lines: list[str], label: Label) -> str | None:
    """The first cell under `label` that overlaps its columns, in the next non-empty rows."""
    seen = 0
    for line in lines[label.row + 1 :]:
        if not line.strip():
            continue
        if line.strip() == "\f":
            break
        seen += 1
        for cell in _CELL_GAP.finditer(line):
            if cell.start() < label.end + 2 and cell.end() > label.start - 2:
                if _all_labels(cell.group(0)):
                    return None  # another label sits under this one: a column of labels
                return cell.group(0)
        if seen >= _LOOK_BELOW:
            break
    return None


def candidates(lines: list[str], field: str) -> list[Candidate]:
    """For each label of `field`: the text beside it, then the cell under it."""
    found = []
    for label in labels(lines, field):
        found.append(Candidate(label, right_of(lines, label), "right"))
        if (below := cell_below(lines, label)) is not None:
            found.append(Candidate(label, below, "below"))
    return found
