"""Extraction: a `SourceDocument`'s text -> a typed `Invoice`, with a confidence per field.

`Extractor` is the interface both strategies meet (DESIGN.md); `RulesExtractor` is the
deterministic one: labelled fields by regular expressions over English, German and French
labels, the line table by arithmetic (nodes/_lines.py), and confidence raised when the
numbers agree with each other (lines sum to subtotal, subtotal + tax = total).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Protocol

from nodes._lines import parse_row
from nodes._parse import MONEY, decimal_mark, parse_date, parse_number
from overture.domain import Invoice, InvoiceLine, SourceDocument
from overture.errors import ExtractionError

LABELLED, GUESSED, CHECKED = 0.9, 0.6, 0.99
REQUIRED = ("vendor_name", "invoice_number", "total")

_ID = r"([A-Z0-9][A-Z0-9/\-.]*[A-Z0-9])"
INVOICE_NUMBER = re.compile(
    r"(?:invoice\s*(?:no\.?|number|#)|rechnungs-?(?:nummer|nr\.?)|facture\s*n[°o]\.?"
    rf"|n[°o]\s*de\s*facture)\s*:?\s*{_ID}",
    re.I,
)
PO_NUMBER = re.compile(
    r"(?:\bPO\s*(?:number|no\.?|#)?|purchase\s*order(?:\s*(?:no\.?|number))?|your\s*order"
    rf"|bestell(?:nummer|-?nr\.?)|bon\s*de\s*commande|n°\s*de\s*commande)\s*:?\s*"
    rf"(?=[A-Z0-9/\-.]*\d){_ID}",  # a PO number has a digit: not "PO Box"
    re.I,
)
ISSUED = re.compile(
    r"(?:invoice\s*date|date\s*of\s*issue|rechnungsdatum|date\s*de\s*facture)"
    r"\s*:?(.*)",
    re.I,
)
DUE = re.compile(
    r"(?:due\s*date|payment\s*due|fällig\s*am|zahlbar\s*bis|fälligkeit\w*"
    r"|date\s*d['’]échéance|échéance)\s*:?(.*)",
    re.I,
)
CURRENCY = re.compile(r"(?:currency|währung|devise)\s*:?\s*([A-Z]{3})\b", re.I)
SUBTOTAL = re.compile(
    r"^\s*(?:sub-?total|net\s*amount|total\s*net|nettobetrag|zwischensumme"
    r"|summe\s*netto|total\s*HT|montant\s*HT)\b",
    re.I,
)
TAX = re.compile(r"^\s*(?:VAT|tax|sales\s*tax|MwSt|USt|Mehrwertsteuer|TVA)\b", re.I)
TOTAL = re.compile(
    r"^\s*(?:total(?:\s*(?:due|amount|TTC))?|amount\s*due|grand\s*total"
    r"|gesamtbetrag|rechnungsbetrag|endbetrag|montant\s*TTC|net\s*à\s*payer)\b",
    re.I,
)
BILL_TO = re.compile(
    r"^\s*(?:bill\s*to|invoice\s*to|sold\s*to|customer|rechnungsempfänger"
    r"|kunde|facturé\s*à|client|destinataire)\b",
    re.I,
)
HOLDER = re.compile(
    r"(?:account\s*holder|beneficiary|kontoinhaber|titulaire\s*du\s*compte)"
    r"\s*:?\s*(.+)",
    re.I,
)
LEGAL_FORM = re.compile(
    r"^(.*?\b(?:GmbH|AG|KG|SE|SARL|SAS|SA|Ltd|Limited|LLC|Inc|plc|B\.V\."
    r"|N\.V\.|S\.L\.|S\.A\.|S\.r\.l\.|Srl|Oy|AB|A/S))(?![\w.])"
)
IBAN_LABEL = re.compile(r"\bIBAN\b\s*:?\s*(.+)", re.I)


class Extractor(Protocol):
    """Turns a document into an `Invoice`, or raises `ExtractionError` saying what is missing."""

    def extract(self, document: SourceDocument) -> Invoice: ...


def _iban_checks(candidate: str) -> bool:
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", candidate):
        return False
    digits = "".join(str(int(ch, 36)) for ch in candidate[4:] + candidate[:4])
    return int(digits) % 97 == 1


def find_iban(text: str) -> str | None:
    """The longest run of tokens after an `IBAN` label that passes the mod-97 check."""
    for match in IBAN_LABEL.finditer(text):
        tokens = match.group(1).split()
        for end in range(min(len(tokens), 9), 0, -1):
            candidate = "".join(tokens[:end]).upper()
            if _iban_checks(candidate):
                return candidate
    return None


def _vendor(lines: list[str]) -> tuple[str | None, float]:
    """First company name outside the bill-to block; confirmed by the account holder line."""
    holder = next((m.group(1).strip() for ln in lines if (m := HOLDER.search(ln))), None)
    skip = 0
    for line in lines:
        if BILL_TO.match(line):
            skip = 4  # the label and the customer's name and address
        if skip:
            skip -= 1
            continue
        text = line.split(":", 1)[1] if HOLDER.search(line) else line
        if match := LEGAL_FORM.match(text.strip()):
            name = match.group(1).strip()
            return name, CHECKED if holder and holder.startswith(name) else GUESSED
    return (holder, GUESSED) if holder else (None, 0.0)


def _amount(line: str, mark: str) -> Decimal | None:
    found = list(MONEY.finditer(line))
    return parse_number(found[-1].group(0), mark) if found else None


def _totals(lines: list[str], mark: str) -> dict[str, Decimal]:
    """Last subtotal, tax and total lines (totals sit on the last page)."""
    totals: dict[str, Decimal] = {}
    for line in lines:
        for name, pattern in (("subtotal", SUBTOTAL), ("tax", TAX), ("total", TOTAL)):
            if pattern.match(line) and (value := _amount(line, mark)) is not None:
                totals[name] = value
                break
    return totals


def _currency(text: str) -> tuple[str, float]:
    if match := CURRENCY.search(text):
        return match.group(1).upper(), LABELLED
    for symbol, code in (("€", "EUR"), ("£", "GBP"), ("$", "USD")):
        if symbol in text:
            return code, GUESSED
    codes = re.findall(r"\b(EUR|USD|GBP|CHF)\b", text)
    return (max(set(codes), key=codes.count), GUESSED) if codes else ("EUR", 0.3)


class RulesExtractor:
    """Deterministic extraction, no model: the default strategy and the LLM's fallback."""

    def extract(self, document: SourceDocument) -> Invoice:
        text = document.text
        lines = text.splitlines()
        mark = decimal_mark(text)
        found: dict[str, object] = {}
        confidence: dict[str, float] = {}

        def put(name: str, value: object, score: float) -> None:
            if value is not None:
                found[name], confidence[name] = value, score

        put(*("vendor_name", *_vendor(lines)))
        if m := INVOICE_NUMBER.search(text):
            put("invoice_number", m.group(1), LABELLED)
        if m := PO_NUMBER.search(text):
            put("po_number", m.group(1), LABELLED)
        for name, pattern in (("invoice_date", ISSUED), ("due_date", DUE)):
            if m := pattern.search(text):
                put(name, parse_date(m.group(1)), LABELLED)
        put(*("currency", *_currency(text)))
        put("iban", find_iban(text), CHECKED)
        rows = [row for line in lines if (row := parse_row(line, mark))]
        for name, value in _totals(lines, mark).items():
            put(name, value, LABELLED)
        self._cross_check(found, confidence, rows)
        missing = [name for name in REQUIRED if name not in found]
        if missing:
            raise ExtractionError(document.path, "no invoice could be extracted", missing)
        return Invoice(**found, lines=rows, confidence=confidence)

    @staticmethod
    def _cross_check(
        found: dict[str, object], confidence: dict[str, float], rows: list[InvoiceLine]
    ) -> None:
        """Agreeing numbers are very likely right; fill a missing total from its parts."""
        sub, tax, total = found.get("subtotal"), found.get("tax"), found.get("total")
        if isinstance(sub, Decimal) and isinstance(tax, Decimal):
            if total is None:
                found["total"], confidence["total"] = sub + tax, GUESSED
            elif sub + tax == total:
                for name in ("subtotal", "tax", "total"):
                    confidence[name] = CHECKED
        if rows:
            agree = isinstance(sub, Decimal) and sum(r.amount for r in rows) == sub
            confidence["lines"] = CHECKED if agree else GUESSED
