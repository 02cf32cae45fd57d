"""The rules over one document's visible text (or its OCR): every field, sourced and scored.

The document's language decides its number and date forms (nodes/ingestion/_parse.py); labels are
paired with values by layout (nodes/ingestion/_fields.py); money is cross-checked
(nodes/ingestion/_amounts.py); parties are told apart (nodes/ingestion/_party.py). Identifiers never
cross a line break.
"""

from __future__ import annotations

import re
from decimal import Decimal

from core.domain import (
    SCALAR_FIELDS,
    FieldSource,
    InvoiceDraft,
    InvoiceLine,
    SourceDocument,
    compact_iban,
)
from nodes.ingestion._amounts import BELOW, CHECKED, GUESSED, LABELLED, MONEY_FIELDS, find_money
from nodes.ingestion._fields import candidates
from nodes.ingestion._lines import parse_row
from nodes.ingestion._parse import currency_codes, money_decimal_mark, month_first, parse_date
from nodes.ingestion._party import find_parties
from nodes.ingestion._vocabulary import label_regex, language

LOOKED_FOR = tuple(name for name in SCALAR_FIELDS if name != "document_type")
"""Fields the text reader looks for; those it does not find are named in `missing`."""

_ID = re.compile(r"(?<![\w/\-.])#?([A-Za-z0-9][A-Za-z0-9/\-._]*[A-Za-z0-9]|\d)(?![\w/\-])")
_TITLE_WORD = (
    r"(?<!\w)(?:invoice|\w*rechnung\w*|facture|factuur|factura|fattura|faktura(?:[ \t]+vat)?"
    r"|\w*gutschrift\w*|credit[ \t]+note|avoir|creditnota)\)?[ \t]*:?[ \t]+"
)
_NUMBER_TOKEN = r"([A-Za-z0-9][A-Za-z0-9/\-._]*\d[A-Za-z0-9/\-._]*)(?![\w])"
_TITLE_NUMBER_MARKED = re.compile(
    _TITLE_WORD + r"(?:no\.?|nr\.?|n[°º]\.?|#|num(?:ber|ero|éro)?\.?)[ \t]*" + _NUMBER_TOKEN, re.I
)
""""Handelsrechnung Nr. E2018092011804": the title names the number; it beats later labels."""
_TITLE_NUMBER = re.compile(_TITLE_WORD + _NUMBER_TOKEN, re.I)
_TITLE = re.compile(
    r"(?<!\w)(?:invoice|\w*rechnung|facture|factuur|factura|fattura|faktura|\w*gutschrift"
    r"|credit[ \t]+note|avoir|creditnota)(?!\w)",
    re.I,
)
_CREDIT_TITLE = re.compile(
    r"(?<!\w)(?:credit\s+note|gutschrift|avoir|creditnota|nota\s+de\s+cr[ée]dito"
    r"|nota\s+di\s+credito|faktura\s+koryguj[aą]ca|korekta)(?!\w)",
    re.I,
)
_NUMBER_LIKE = re.compile(r"\d{1,3}(?:[.,]\d{3})+(?:[.,]\d{1,2})?|\d+[.,]\d{1,2}")
_IBAN_LABEL = re.compile(r"\bIBAN\b\s*:?\s*(.+)", re.I)
_VAT_ID = re.compile(r"\b([A-Z]{2})\s?([0-9A-Z][0-9A-Z .]{6,14}[0-9A-Z])\b")


def find_iban(text: str) -> str | None:
    """The longest run of tokens after an `IBAN` label that is a valid IBAN (schwifty)."""
    for match in _IBAN_LABEL.finditer(text):
        tokens = match.group(1).split()
        for end in range(min(len(tokens), 9), 0, -1):
            candidate = "".join(tokens[:end]).upper()
            if re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", candidate) and compact_iban(candidate):
                return candidate
    return None


def _vat_id(lines: list[str]) -> tuple[str | None, float]:
    """The first VAT id beside a VAT-id label; checked (python-stdnum) when it validates."""
    from stdnum.eu import vat

    for candidate in candidates(lines, "vat_id"):
        for m in _VAT_ID.finditer(candidate.text.upper()):
            number = m.group(1) + re.sub(r"[ .]", "", m.group(2))
            if vat.is_valid(number):
                return number, CHECKED
            if re.fullmatch(r"[A-Z]{2}[0-9A-Z]{8,12}", number):
                return number, LABELLED
    return None, 0.0


def _identifier(lines: list[str], field: str) -> tuple[str | None, float]:
    for candidate in candidates(lines, field):
        text = candidate.text.strip().lstrip(":.#").strip()
        if candidate.where != "right":  # under or after its label, the value starts the cell:
            text = text.split()[0] if text.split() else ""  # "ACME 2000 GmbH" holds none
        for m in _ID.finditer(text):
            token = m.group(1).rstrip(".")
            if _is_identifier(token):
                return token, LABELLED if candidate.where == "right" else BELOW
    return None, 0.0


def _is_identifier(token: str) -> bool:
    """Has a digit, and is neither a date nor an amount (`01.04.2014`, `1.163`, `59,50`)."""
    if not any(ch.isdigit() for ch in token) or parse_date(token) is not None:
        return False
    return not _NUMBER_LIKE.fullmatch(token)


def _date(lines: list[str], fields: tuple[str, ...], us: bool) -> tuple[object, float]:
    for field in fields:
        for candidate in candidates(lines, field):
            if (value := parse_date(candidate.text, month_first=us)) is not None:
                score = LABELLED if candidate.where == "right" else BELOW
                return value, score if field != "invoice_date_generic" else GUESSED
    return None, 0.0


def _invoice_number(lines: list[str], text: str) -> tuple[str | None, float]:
    """ "Rechnung Nr. X" in a title first, then a labelled number, then a bare title's."""
    marked = (m.group(1) for m in _TITLE_NUMBER_MARKED.finditer(text))
    number = next(((t, LABELLED) for t in marked if _is_identifier(t)), (None, 0.0))
    if number[0] is None:
        number = _identifier(lines, "invoice_number")
    if number[0] is None:
        titled = (m.group(1).rstrip(".") for m in _TITLE_NUMBER.finditer(text))
        plausible = (t for t in titled if len(t) >= 3 and _is_identifier(t))
        number = next(((t, GUESSED) for t in plausible), number)
    return number


def _issue_date(lines: list[str], us: bool) -> tuple[object, float]:
    """A labelled issue date, else a generic date label's, else a date on the title's row
    ("Beitragsrechnung ........ 24. Januar 2014")."""
    issued = _date(lines, ("invoice_date", "invoice_date_generic"), us)
    if issued[0] is None:
        titles = [line for line in lines[:40] if _TITLE.search(line)]
        dates = [d for line in titles if (d := parse_date(line, month_first=us))]
        issued = (dates[0], GUESSED) if dates else issued
    return issued


def _currency(lines: list[str], money_lines: list[str]) -> tuple[str | None, float]:
    """A labelled currency, else the commonest code or symbol on money lines, then anywhere;
    None when the document names none (it is then `missing`, never silently EUR)."""
    for candidate in candidates(lines, "currency"):
        if codes := currency_codes(candidate.text):
            return codes[0], LABELLED
    for scope in (money_lines, lines):
        codes = currency_codes("\n".join(scope))
        if codes:
            return max(dict.fromkeys(codes), key=codes.count), GUESSED
    return None, 0.0


def _money_lines(lines: list[str]) -> list[str]:
    return [
        line
        for line in lines
        if any(label_regex(f).search(line) for f in MONEY_FIELDS) or currency_codes(line)
    ]


class _TextReading:
    """The rules over one document's text: language, number forms, then field by field."""

    def __init__(self, text: str) -> None:
        self.lines = [line for line in text.splitlines()]
        self.language = language(text)
        self.money_lines = _money_lines(self.lines)
        self.mark = money_decimal_mark(self.money_lines, self.language)
        self.currency = _currency(self.lines, self.money_lines)
        self.month_first = month_first(text, self.language, self.currency[0])

    def fields(self) -> tuple[dict[str, object], dict[str, float], list[InvoiceLine]]:
        found: dict[str, object] = {}
        confidence: dict[str, float] = {}

        def put(name: str, value: object, score: float) -> None:
            if value is not None:
                found[name], confidence[name] = value, score

        lines, text = self.lines, "\n".join(self.lines)
        parties = find_parties(lines)
        put("vendor_name", parties.seller, parties.seller_confidence)
        put("buyer_name", parties.buyer, GUESSED)
        put("invoice_number", *_invoice_number(lines, text))
        put("po_number", *_identifier(lines, "po_number"))
        put("invoice_date", *_issue_date(lines, self.month_first))
        put("due_date", *_date(lines, ("due_date",), self.month_first))
        put("currency", *self.currency)
        put("iban", find_iban(text), CHECKED)
        put("seller_vat_id", *_vat_id(lines))
        rows = [row for line in lines if (row := parse_row(line, self.mark))]
        lines_sum = sum((r.amount for r in rows), Decimal(0)) if rows else None
        money = find_money(lines, self.mark, lines_sum)
        for name, value in money.values.items():
            put(name, value, money.confidence[name])
        if rows:
            agree = lines_sum == money.values.get("subtotal")
            confidence["lines"] = CHECKED if agree else GUESSED
        total = money.values.get("total")
        credit = _CREDIT_TITLE.search("\n".join(lines[:20])) or (total is not None and total < 0)
        found["document_type"] = "credit_note" if credit else "invoice"
        return found, confidence, rows


def text_draft(document: SourceDocument) -> InvoiceDraft:
    """What the visible text (or its OCR) says, every field sourced and scored."""
    source: FieldSource = "ocr" if document.text_source == "ocr" else "text"
    found, confidence, rows = _TextReading(document.text).fields()
    if source == "ocr" and document.ocr_confidence is not None:
        confidence = {k: round(v * document.ocr_confidence, 3) for k, v in confidence.items()}
    sources: dict[str, FieldSource] = {name: source for name in confidence}
    return InvoiceDraft.model_validate(
        {
            **found,
            "lines": rows,
            "confidence": confidence,
            "sources": sources,
            "missing": [name for name in LOOKED_FOR if name not in found],
        }
    )
