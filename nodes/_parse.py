"""Locale-tolerant parsing of the numbers and dates invoices print.

`1,234.56` (en), `1.234,56` (de), `1 234,56` (fr): the decimal mark is decided once per
document, from how its money amounts end, so a German quantity `1.000` is a thousand.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation

MONEY = re.compile(r"(?<![\d.,])\d{1,3}(?:(?:[.,'\u00a0\u202f ])\d{3})*([.,])\d{2}(?![\d.,])")
_GROUPING = str.maketrans("", "", "'\u00a0\u202f ")

_MONTHS = {
    1: ("january", "januar", "janvier"),
    2: ("february", "februar", "fevrier"),
    3: ("march", "marz", "maerz", "mars"),
    4: ("april", "avril"),
    5: ("may", "mai"),
    6: ("june", "juni", "juin"),
    7: ("july", "juli", "juillet"),
    8: ("august", "aout"),
    9: ("september", "septembre"),
    10: ("october", "oktober", "octobre"),
    11: ("november", "novembre"),
    12: ("december", "dezember", "decembre"),
}


def _fold(word: str) -> str:
    """Lowercase without accents: `März` -> `marz`, `février` -> `fevrier`."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).rstrip(".")


def _month_prefixes() -> dict[str, int]:
    """Every prefix (3+ letters) of a month name that names one month only: `jui` is out."""
    seen: dict[str, set[int]] = {}
    for month, names in _MONTHS.items():
        for name in names:
            for end in range(3, len(name) + 1):
                seen.setdefault(name[:end], set()).add(month)
    return {prefix: months.pop() for prefix, months in seen.items() if len(months) == 1}


MONTH = _month_prefixes()
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})[./-](\d{1,2})[./-](\d{4})\b")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_DAY_MONTH = re.compile(r"\b(\d{1,2})\.?\s+([^\W\d_]{3,}\.?)\s+(\d{4})\b")
_MONTH_DAY = re.compile(r"\b([^\W\d_]{3,}\.?)\s+(\d{1,2}),?\s+(\d{4})\b")


def decimal_mark(text: str) -> str:
    """`,` when most money amounts in `text` end in `,dd`, else `.`."""
    marks = [m.group(1) for m in MONEY.finditer(text)]
    return "," if marks.count(",") > marks.count(".") else "."


def parse_number(token: str, mark: str) -> Decimal | None:
    """A printed number under decimal mark `mark`, or None if it is not one."""
    thousands = "." if mark == "," else ","
    cleaned = token.strip().translate(_GROUPING).replace(thousands, "").replace(mark, ".")
    if not re.fullmatch(r"-?\d+(?:\.\d+)?", cleaned):
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_date(text: str) -> date | None:
    """The first date in `text`: ISO, day-first numeric, or with a month name (en/de/fr)."""
    if m := _ISO_DATE.search(text):
        return _safe_date(int(m[1]), int(m[2]), int(m[3]))
    if m := _NUMERIC_DATE.search(text):
        first, second, year = int(m[1]), int(m[2]), int(m[3])
        if second > 12:  # only a US-style month-first date can have a day in second place
            first, second = second, first
        return _safe_date(year, second, first)
    if (m := _DAY_MONTH.search(text)) and _fold(m[2]) in MONTH:
        return _safe_date(int(m[3]), MONTH[_fold(m[2])], int(m[1]))
    if (m := _MONTH_DAY.search(text)) and _fold(m[1]) in MONTH:
        return _safe_date(int(m[3]), MONTH[_fold(m[1])], int(m[2]))
    return None
