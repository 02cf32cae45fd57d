"""How each language prints an invoice: labels, numbers and dates, as local invoices do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from examples.catalog import InvoiceSpec, Language


@dataclass(frozen=True)
class Labels:
    title: str
    number: str
    issued: str
    due: str
    po: str
    bill_to: str
    columns: tuple[str, str, str, str, str]
    subtotal: str
    vat: str  # with a {rate} placeholder
    total: str
    bank: str
    holder: str
    vat_id: str
    currency: str
    page: str  # with {n} and {total}
    continued: str
    decimal: str
    thousands: str
    date_format: str


LABELS: dict[Language, Labels] = {
    "en": Labels(
        "INVOICE",
        "Invoice No.",
        "Invoice date",
        "Due date",
        "PO number",
        "Bill to",
        ("SKU", "Description", "Qty", "Unit price", "Amount"),
        "Subtotal",
        "VAT {rate}%",
        "Total due",
        "Bank details",
        "Account holder",
        "VAT ID",
        "Currency",
        "Page {n} of {total}",
        "Continued on next page",
        ".",
        ",",
        "%d %b %Y",
    ),
    "de": Labels(
        "RECHNUNG",
        "Rechnungsnummer",
        "Rechnungsdatum",
        "Fällig am",
        "Bestellnummer",
        "Rechnungsempfänger",
        ("Art.-Nr.", "Bezeichnung", "Menge", "Einzelpreis", "Betrag"),
        "Nettobetrag",
        "MwSt. {rate} %",
        "Gesamtbetrag",
        "Bankverbindung",
        "Kontoinhaber",
        "USt-IdNr.",
        "Währung",
        "Seite {n} von {total}",
        "Fortsetzung auf der nächsten Seite",
        ",",
        ".",
        "%d.%m.%Y",
    ),
    "fr": Labels(
        "FACTURE",
        "Facture N°",
        "Date de facture",
        "Date d'échéance",
        "Bon de commande",
        "Facturé à",
        ("Réf.", "Désignation", "Qté", "Prix unitaire", "Montant"),
        "Total HT",
        "TVA {rate} %",
        "Total TTC",
        "Coordonnées bancaires",
        "Titulaire du compte",
        "N° TVA",
        "Devise",
        "Page {n} sur {total}",
        "Suite page suivante",
        ",",
        " ",
        "%d/%m/%Y",
    ),
}


def money(value: Decimal, labels: Labels) -> str:
    """`1234.5` -> `1,234.50` (en), `1.234,50` (de), `1 234,50` (fr)."""
    text = f"{value:,.2f}"
    return text.replace(",", "\0").replace(".", labels.decimal).replace("\0", labels.thousands)


def quantity(value: Decimal, labels: Labels) -> str:
    """Whole quantities print bare; fractional ones with the local decimal mark."""
    if value == value.to_integral_value():
        return str(int(value))
    return str(value.normalize()).replace(".", labels.decimal)


def day(value: date, labels: Labels) -> str:
    return value.strftime(labels.date_format)


def header_fields(spec: InvoiceSpec, labels: Labels) -> list[tuple[str, str]]:
    """The labelled fields under the title, as every format prints them: number, dates,
    the PO number when there is one, currency."""
    fields = [
        (labels.number, spec.number),
        (labels.issued, day(spec.issued, labels)),
        (labels.due, day(spec.due, labels)),
    ]
    if spec.po_number:
        fields.append((labels.po, spec.po_number))
    fields.append((labels.currency, spec.currency))
    return fields
