"""The sample world in one place: vendors, purchase orders, receipts, paid invoices, and the
invoices the generator renders. Seed, documents and expected answers all derive from this
data, so they cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from core.domain import Route
from examples.iban import make_iban

CENT = Decimal("0.01")
Format = Literal["pdf", "scan", "scan_grey", "text", "eml_attachment", "eml_body"]
Language = Literal["en", "de", "fr"]

BUYER = ("Overture Demo Buyer AG", "Bahnhofstrasse 12", "8001 Zurich, Switzerland")


@dataclass(frozen=True)
class Party:
    """A vendor as it prints itself on an invoice (and, if known, as the master holds it)."""

    vendor_id: str | None
    name: str
    address: tuple[str, str]
    country: str
    iban: str
    bic: str
    vat_id: str
    aliases: tuple[str, ...] = ()


def _q(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


NORDWIND = Party(
    "V001",
    "Nordwind Bürobedarf GmbH",
    ("Hafenstraße 21", "20457 Hamburg, Germany"),
    "DE",
    make_iban("DE", "200400600123456701"),
    "COBADEFFXXX",
    "DE284759301",
    aliases=("Nordwind Office Supplies", "Nordwind Buerobedarf GmbH"),
)
LUMIERE = Party(
    "V002",
    "Atelier Lumière SARL",
    ("14 rue des Tanneurs", "69002 Lyon, France"),
    "FR",
    make_iban("FR", "30004008190001234567834"),
    "BNPAFRPPXXX",
    "FR61452198763",
    aliases=("Atelier Lumiere",),
)
CASTELL = Party(
    "V003",
    "Castell Industrial Parts B.V.",
    ("Kanaalweg 88", "3526 KL Utrecht, Netherlands"),
    "NL",
    make_iban("NL", "RABO0312457896"),
    "RABONL2UXXX",
    "NL859312476B01",
    aliases=("Castell Industrial Parts",),
)
HELIX = Party(
    "V004",
    "Helix Cloud Services Ltd",
    ("4 Grand Canal Quay", "Dublin D02 X576, Ireland"),
    "IE",
    make_iban("IE", "AIBK93115212345678"),
    "AIBKIE2DXXX",
    "IE3492871KH",
)
MERIDIAN = Party(
    "V005",
    "Meridian Print & Packaging S.L.",
    ("Calle de Alcalá 201", "28009 Madrid, Spain"),
    "ES",
    make_iban("ES", "21000418450200051332"),
    "CAIXESBBXXX",
    "ESB86217345",
    aliases=("Meridian Print and Packaging",),
)
QUANTUM = Party(  # not in the vendor master: the unknown-vendor case
    None,
    "Quantum Ridge Consulting Ltd",
    ("77 Clerkenwell Road", "London EC1R 5BL, UK"),
    "GB",
    make_iban("GB", "BARC20325346127834"),
    "BARCGB22XXX",
    "GB318847120",
)
KNOWN_VENDORS = (NORDWIND, LUMIERE, CASTELL, HELIX, MERIDIAN)
FRAUD_IBAN = make_iban("LT", "7300010123456789")  # the changed bank details on one invoice


@dataclass(frozen=True)
class Line:
    sku: str
    description: str
    quantity: Decimal
    unit_price: Decimal

    @property
    def amount(self) -> Decimal:
        return _q(self.quantity * self.unit_price)


def L(sku: str, description: str, quantity: str, unit_price: str) -> Line:  # noqa: N802
    """Terse constructor for the tables below."""
    return Line(sku, description, Decimal(quantity), Decimal(unit_price))


@dataclass(frozen=True)
class Order:
    """A purchase order, and whether (and when) its goods were received in full."""

    number: str
    vendor: Party
    lines: tuple[Line, ...]
    received_on: date | None = date(2026, 2, 20)


@dataclass(frozen=True)
class InvoiceSpec:
    """One sample document: what it says, how it is rendered, and where it must end up."""

    slug: str
    fmt: Format
    language: Language
    vendor: Party
    number: str
    issued: date
    due: date
    po_number: str | None
    lines: tuple[Line, ...]
    vat_rate: Decimal
    route: Route
    why: str
    reason: str = ""  # substring the route's reasons must contain (expected.json)
    iban: str | None = None  # printed IBAN when it differs from the vendor's own
    currency: str = "EUR"
    notes: tuple[str, ...] = field(default=())

    @property
    def printed_iban(self) -> str:
        return self.iban or self.vendor.iban

    @property
    def subtotal(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))

    @property
    def tax(self) -> Decimal:
        return _q(self.subtotal * self.vat_rate / 100)

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.tax
