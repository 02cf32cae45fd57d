"""Positioned words (from a PDF's text layer or from OCR) -> text lines that keep the layout.

Words on one visual row become one line; a gap wider than a word space becomes a run of at least two
spaces, and each word starts near the column its x position maps to. A vertical gap taller than a
line becomes an empty line, so blocks (addresses) stay apart. So a label and its value on one row
stay on one line, and a value printed *under* its label starts in the same character column as the
label on the next line: `nodes/ingestion/_fields.py` pairs them by column. Plain `extract_text`
(pypdf) loses both: it emitted values before labels, or a table's columns as separate runs of lines.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass


@dataclass(frozen=True)
class Word:
    """One word and its box, in points (PDF) or pixels (OCR); `top` grows downwards."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float


def _rows(words: list[Word]) -> list[list[Word]]:
    """Group words whose vertical centres fall within half a line height of a row's centre."""
    rows: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.top + w.bottom) / 2):
        centre = (word.top + word.bottom) / 2
        if rows:
            last = rows[-1]
            last_centre = statistics.fmean((w.top + w.bottom) / 2 for w in last)
            height = statistics.fmean(w.bottom - w.top for w in last)
            if abs(centre - last_centre) <= height / 2:
                last.append(word)
                continue
        rows.append([word])
    return [sorted(row, key=lambda w: w.x0) for row in rows]


def layout_lines(words: list[Word]) -> list[str]:
    """The words as lines of text, one per visual row, columns kept (see the module doc)."""
    words = [w for w in words if w.text.strip()]
    if not words:
        return []
    char_width = statistics.median((w.x1 - w.x0) / len(w.text) for w in words) or 1.0
    lines: list[str] = []
    previous_bottom: float | None = None
    for row in _rows(words):
        top = min(w.top for w in row)
        height = statistics.fmean(w.bottom - w.top for w in row)
        if previous_bottom is not None and top - previous_bottom > height:
            lines.append("")  # a vertical gap: a block (an address, the totals) ends here
        previous_bottom = max(w.bottom for w in row)
        line = ""
        previous: Word | None = None
        for word in row:
            column = round(word.x0 / char_width)
            if previous is None:
                line = " " * column
            elif word.x0 - previous.x1 < 1.5 * (previous.x1 - previous.x0) / len(previous.text):
                line += " "  # a word space (a monospace space is one character wide)
            else:
                line += " " * max(2, column - len(line))
            line += word.text
            previous = word
        lines.append(line.rstrip())
    return lines
