"""Locale-aware parsing of the numbers, amounts, currencies and dates invoices print.

`1,234.56` (en), `1.234,56` (de), `1 234,56` (fr): the decimal mark is decided once per
document, from amounts that are money beyond doubt (on a line with a money label or a
currency), then from the document's language. Counting every number instead let opening
hours, quantities and phone numbers outvote the amounts (1.163,40 became 1.16340).
Numeric dates are read day-first unless the document shows a month-first date or is
American (English with dollars).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation

MONEY = re.compile(r"(?<![\d.,])\d{1,3}(?:(?:[.,'\u00a0\u202f ])\d{3})*([.,])\d{2}(?![\d.,])")
"""An amount with two decimals (either mark), thousands optionally grouped."""

AMOUNT = re.compile(
    r"(?P<open>\()?(?P<sign>[-\u2212–]\s?)?"
    r"(?P<number>\d{1,2}(?:,\d{2})+,\d{3}(?:\.\d{1,2})?"  # lakh grouping: 1,25,000.00
    r"|\d{1,3}(?:[.,'\u00a0\u202f ]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?)"
    r"(?![\d])(?P<trail>-(?![\d]))?(?P<close>\))?"
)
"""An amount as printed: signs in front, behind (`12,50-`) or as parentheses; decimals optional."""

_GROUPING = str.maketrans("", "", "'\u00a0\u202f ")

CURRENCY_SYMBOLS: tuple[tuple[str, str], ...] = (
    ("R$", "BRL"),
    ("US$", "USD"),
    ("A$", "AUD"),
    ("C$", "CAD"),
    ("CHF", "CHF"),
    ("€", "EUR"),
    ("£", "GBP"),
    ("₹", "INR"),
    ("Rs.", "INR"),
    ("Rs", "INR"),
    ("zł", "PLN"),
    ("Kč", "CZK"),
    ("Ft", "HUF"),
    ("¥", "JPY"),
    ("₩", "KRW"),
    ("₺", "TRY"),
    ("lei", "RON"),
    ("kr", "SEK"),
    ("$", "USD"),
)
ISO_CURRENCIES = frozenset(
    "EUR USD GBP CHF INR PLN SEK NOK DKK CZK HUF RON BGN JPY CNY AUD CAD NZD BRL MXN TRY ZAR "
    "KRW SGD HKD AED SAR ILS ISK RUB UAH THB".split()
)
_CODE = re.compile(r"(?<![A-Z])(" + "|".join(sorted(ISO_CURRENCIES)) + r")(?![A-Z])")

_MONTHS = {
    1: ("january", "januar", "janvier", "januari", "enero", "gennaio", "stycznia", "styczen"),
    2: ("february", "februar", "fevrier", "februari", "febrero", "febbraio", "lutego", "luty"),
    3: ("march", "marz", "maerz", "mars", "maart", "marzo", "marca", "marzec"),
    4: ("april", "avril", "abril", "aprile", "kwietnia", "kwiecien"),
    5: ("may", "mai", "mei", "mayo", "maggio", "maja", "maj"),
    6: ("june", "juni", "juin", "junio", "giugno", "czerwca", "czerwiec"),
    7: ("july", "juli", "juillet", "julio", "luglio", "lipca", "lipiec"),
    8: ("august", "aout", "augustus", "agosto", "sierpnia", "sierpien"),
    9: ("september", "septembre", "septiembre", "settembre", "wrzesnia", "wrzesien"),
    10: ("october", "oktober", "octobre", "octubre", "ottobre", "pazdziernika"),
    11: ("november", "novembre", "noviembre", "listopada", "listopad"),
    12: ("december", "dezember", "decembre", "diciembre", "dicembre", "grudnia", "grudzien"),
}


def fold(word: str) -> str:
    """Lowercase without accents: `März` -> `marz`, `février` -> `fevrier`, `ł` -> `l`."""
    decomposed = unicodedata.normalize("NFKD", word.lower().replace("ł", "l"))
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
NUMERIC_DATE = re.compile(r"(?<![\d.])(\d{1,2})[./-](\d{1,2})[./-](\d{4}|\d{2})(?![\d])")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_DAY_MONTH = re.compile(r"\b(\d{1,2})\.?\s*(?:de\s+)?([^\W\d_]{3,}\.?)\s+(?:de\s+)?(\d{4})\b")
_MONTH_DAY = re.compile(r"\b([^\W\d_]{3,}\.?)\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b")


def money_decimal_mark(money_lines: list[str], language: str) -> str:
    """The decimal mark: from two-decimal amounts on `money_lines` (lines with a money label
    or a currency), else from the language, else `.`."""
    marks = [m.group(1) for line in money_lines for m in MONEY.finditer(line)]
    if marks and marks.count(",") != marks.count("."):
        return "," if marks.count(",") > marks.count(".") else "."
    from nodes.ingestion._vocabulary import COMMA_DECIMAL_LANGUAGES

    return "," if language in COMMA_DECIMAL_LANGUAGES else "."


def decimal_mark(text: str) -> str:
    """`,` when most money amounts in `text` end in `,dd`, else `.` (no language known)."""
    return money_decimal_mark(text.splitlines(), "en")


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


def _grouping_fits(number: str, mark: str) -> bool:
    """`1.234,56` under `,` and `1,234.56` under `.`; `1.16340` under `,` is not an amount."""
    thousands = "." if mark == "," else ","
    head, _, decimals = number.rpartition(mark) if mark in number else (number, "", "")
    if mark in number and len(decimals) > 2:
        return False
    groups = re.split(r"[" + re.escape(thousands) + r"'\u00a0\u202f ]", head or number)
    if len(groups) == 1 or all(len(g) == 3 for g in groups[1:]):
        return True
    lakh = mark == "." and len(groups[-1]) == 3 and all(len(g) == 2 for g in groups[1:-1])
    return lakh  # India groups by two above the thousands: 1,25,000.00


def amounts(text: str, mark: str, *, whole: bool = True) -> list[Decimal]:
    """The amounts in `text`, signs kept; with `whole=False` only ones printed with decimals."""
    found = []
    for m in AMOUNT.finditer(text):
        number = m.group("number")
        if not _grouping_fits(number, mark):
            continue
        if not whole and mark not in number:
            continue
        value = parse_number(number, mark)
        if value is None:
            continue
        negative = bool(
            m.group("sign") or m.group("trail") or (m.group("open") and m.group("close"))
        )
        found.append(-value if negative else value)
    return found


def currency_codes(text: str) -> list[str]:
    """ISO 4217 codes and currency symbols in `text`, as codes, in order of appearance."""
    found: list[tuple[int, str]] = [(m.start(), m.group(1)) for m in _CODE.finditer(text)]
    taken = {pos for pos, _ in found}
    for symbol, code in CURRENCY_SYMBOLS:
        boundary = r"(?<![A-Za-z])" if symbol[0].isalpha() else ""
        tail = r"(?![A-Za-z])" if symbol[-1].isalpha() else ""
        for m in re.finditer(boundary + re.escape(symbol) + tail, text):
            if not any(p <= m.start() < p + 3 for p in taken):
                found.append((m.start(), code))
                taken.add(m.start())
    return [code for _, code in sorted(found)]


def _safe_date(year: int, month: int, day: int) -> date | None:
    if year < 100:
        year += 2000
    try:
        return date(year, month, day)
    except ValueError:
        return None


def month_first(text: str, language: str, currency: str | None) -> bool:
    """Whether numeric dates in `text` are month-first: shown by a date whose second number
    exceeds 12 (and none whose first does), else assumed for English with US dollars."""
    firsts = seconds = False
    for m in NUMERIC_DATE.finditer(text):
        firsts |= int(m[1]) > 12
        seconds |= int(m[2]) > 12
    if firsts != seconds:
        return seconds
    return language == "en" and currency == "USD"


def parse_date(text: str, *, month_first: bool = False) -> date | None:
    """The first date in `text`: ISO, numeric (day-first unless `month_first`), or with a
    month name (en, de, fr, nl, es, it, pl)."""
    if m := _ISO_DATE.search(text):
        return _safe_date(int(m[1]), int(m[2]), int(m[3]))
    if m := NUMERIC_DATE.search(text):
        first, second, year = int(m[1]), int(m[2]), int(m[3])
        if first <= 12 and (month_first or second > 12):
            first, second = second, first
        return _safe_date(year, second, first)
    if (m := _DAY_MONTH.search(text)) and fold(m[2]) in MONTH:
        return _safe_date(int(m[3]), MONTH[fold(m[2])], int(m[1]))
    if (m := _MONTH_DAY.search(text)) and fold(m[1]) in MONTH:
        return _safe_date(int(m[3]), MONTH[fold(m[1])], int(m[2]))
    return None
