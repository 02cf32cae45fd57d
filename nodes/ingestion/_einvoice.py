"""EN 16931 e-invoices read exactly: CII (ZUGFeRD 1.0, ZUGFeRD 2.x / Factur-X, XRechnung) and
UBL 2.1 (XRechnung, Peppol BIS 3) XML -> an `InvoiceDraft` whose every field is sourced `xml`.

The XML is parsed by lxml and read by namespaced XPath, one table of paths per syntax: the
business terms (BT-1 invoice number, BT-27 seller name, BT-112 grand total, BT-115 amount due,
...) sit at fixed places in each syntax, so a path table is the whole reader. ZUGFeRD 1.0 uses
older CII namespaces and container names; it gets its own table rather than a fuzzy search.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from lxml import etree

from core.domain import InvoiceDraft, InvoiceLine

CREDIT_NOTE_CODES = frozenset({"81", "83", "261", "262", "296", "308", "381", "396", "420", "458"})
"""UNTDID 1001 document type codes that are credit notes (380, 384, 389, ... are invoices)."""


class EInvoiceProblem(ValueError):
    """The XML is not an EN 16931 invoice this reader knows (or not XML at all)."""


@dataclass(frozen=True)
class _Syntax:
    """Where each business term sits in one XML syntax; paths relative to the root."""

    name: str
    namespaces: dict[str, str]
    number: str
    type_code: str
    issue_date: str
    due_date: str
    currency: str
    seller: str
    seller_vat: str
    buyer: str
    po_number: str
    iban: str
    net: str
    tax: str
    gross: str
    due_amount: str
    line: str
    line_name: str
    line_sku: str
    line_quantity: str
    line_price: str
    line_amount: str


_CII_NS = "urn:un:unece:uncefact:data:standard:"
_CII = _Syntax(
    name="CII",
    namespaces={
        "rsm": _CII_NS + "CrossIndustryInvoice:100",
        "ram": _CII_NS + "ReusableAggregateBusinessInformationEntity:100",
        "udt": _CII_NS + "UnqualifiedDataType:100",
    },
    number="rsm:ExchangedDocument/ram:ID",
    type_code="rsm:ExchangedDocument/ram:TypeCode",
    issue_date="rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString",
    due_date="//ram:ApplicableHeaderTradeSettlement/ram:SpecifiedTradePaymentTerms"
    "/ram:DueDateDateTime/udt:DateTimeString",
    currency="//ram:ApplicableHeaderTradeSettlement/ram:InvoiceCurrencyCode",
    seller="//ram:ApplicableHeaderTradeAgreement/ram:SellerTradeParty/ram:Name",
    seller_vat="//ram:ApplicableHeaderTradeAgreement/ram:SellerTradeParty"
    "/ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']",
    buyer="//ram:ApplicableHeaderTradeAgreement/ram:BuyerTradeParty/ram:Name",
    po_number="//ram:ApplicableHeaderTradeAgreement/ram:BuyerOrderReferencedDocument"
    "/ram:IssuerAssignedID",
    iban="//ram:ApplicableHeaderTradeSettlement/ram:SpecifiedTradeSettlementPaymentMeans"
    "/ram:PayeePartyCreditorFinancialAccount/ram:IBANID",
    net="//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:TaxBasisTotalAmount",
    tax="//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:TaxTotalAmount",
    gross="//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:GrandTotalAmount",
    due_amount="//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:DuePayableAmount",
    line="rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem",
    line_name="ram:SpecifiedTradeProduct/ram:Name",
    line_sku="ram:SpecifiedTradeProduct/ram:SellerAssignedID",
    line_quantity="ram:SpecifiedLineTradeDelivery/ram:BilledQuantity",
    line_price="ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:ChargeAmount",
    line_amount="ram:SpecifiedLineTradeSettlement"
    "/ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount",
)

_ZF1 = _Syntax(
    name="ZUGFeRD 1.0",
    namespaces={
        "rsm": "urn:ferd:CrossIndustryDocument:invoice:1p0",
        "ram": _CII_NS + "ReusableAggregateBusinessInformationEntity:12",
        "udt": _CII_NS + "UnqualifiedDataType:15",
    },
    number="rsm:HeaderExchangedDocument/ram:ID",
    type_code="rsm:HeaderExchangedDocument/ram:TypeCode",
    issue_date="rsm:HeaderExchangedDocument/ram:IssueDateTime/udt:DateTimeString",
    due_date="//ram:ApplicableSupplyChainTradeSettlement/ram:SpecifiedTradePaymentTerms"
    "/ram:DueDateDateTime/udt:DateTimeString",
    currency="//ram:ApplicableSupplyChainTradeSettlement/ram:InvoiceCurrencyCode",
    seller="//ram:ApplicableSupplyChainTradeAgreement/ram:SellerTradeParty/ram:Name",
    seller_vat="//ram:ApplicableSupplyChainTradeAgreement/ram:SellerTradeParty"
    "/ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']",
    buyer="//ram:ApplicableSupplyChainTradeAgreement/ram:BuyerTradeParty/ram:Name",
    po_number="//ram:ApplicableSupplyChainTradeAgreement/ram:BuyerOrderReferencedDocument/ram:ID",
    iban="//ram:ApplicableSupplyChainTradeSettlement/ram:SpecifiedTradeSettlementPaymentMeans"
    "/ram:PayeePartyCreditorFinancialAccount/ram:IBANID",
    net="//ram:ApplicableSupplyChainTradeSettlement"
    "/ram:SpecifiedTradeSettlementMonetarySummation/ram:TaxBasisTotalAmount",
    tax="//ram:ApplicableSupplyChainTradeSettlement"
    "/ram:SpecifiedTradeSettlementMonetarySummation/ram:TaxTotalAmount",
    gross="//ram:ApplicableSupplyChainTradeSettlement"
    "/ram:SpecifiedTradeSettlementMonetarySummation/ram:GrandTotalAmount",
    due_amount="//ram:ApplicableSupplyChainTradeSettlement"
    "/ram:SpecifiedTradeSettlementMonetarySummation/ram:DuePayableAmount",
    line="rsm:SpecifiedSupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem",
    line_name="ram:SpecifiedTradeProduct/ram:Name",
    line_sku="ram:SpecifiedTradeProduct/ram:SellerAssignedID",
    line_quantity="ram:SpecifiedSupplyChainTradeDelivery/ram:BilledQuantity",
    line_price="ram:SpecifiedSupplyChainTradeAgreement/ram:NetPriceProductTradePrice"
    "/ram:ChargeAmount",
    line_amount="ram:SpecifiedSupplyChainTradeSettlement"
    "/ram:SpecifiedTradeSettlementMonetarySummation/ram:LineTotalAmount",
)

_UBL_NS = "urn:oasis:names:specification:ubl:schema:xsd:"


def _ubl(root: str, line: str, quantity: str, type_code: str, due: str) -> _Syntax:
    return _Syntax(
        name=f"UBL {root}",
        namespaces={
            "doc": f"{_UBL_NS}{root}-2",
            "cac": _UBL_NS + "CommonAggregateComponents-2",
            "cbc": _UBL_NS + "CommonBasicComponents-2",
        },
        number="cbc:ID",
        type_code=type_code,
        issue_date="cbc:IssueDate",
        due_date=due,
        currency="cbc:DocumentCurrencyCode",
        seller="cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName"
        " | cac:AccountingSupplierParty/cac:Party/cac:PartyName/cbc:Name",
        seller_vat="cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme"
        "[cac:TaxScheme/cbc:ID='VAT']/cbc:CompanyID",
        buyer="cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName"
        " | cac:AccountingCustomerParty/cac:Party/cac:PartyName/cbc:Name",
        po_number="cac:OrderReference/cbc:ID",
        iban="cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID",
        net="cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount",
        tax="cac:TaxTotal/cbc:TaxAmount",
        gross="cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount",
        due_amount="cac:LegalMonetaryTotal/cbc:PayableAmount",
        line=f"cac:{line}",
        line_name="cac:Item/cbc:Name",
        line_sku="cac:Item/cac:SellersItemIdentification/cbc:ID",
        line_quantity=f"cbc:{quantity}",
        line_price="cac:Price/cbc:PriceAmount",
        line_amount="cbc:LineExtensionAmount",
    )


_SYNTAXES = {
    "{" + _CII.namespaces["rsm"] + "}CrossIndustryInvoice": _CII,
    "{" + _ZF1.namespaces["rsm"] + "}CrossIndustryDocument": _ZF1,
    "{" + _UBL_NS + "Invoice-2}Invoice": _ubl(
        "Invoice", "InvoiceLine", "InvoicedQuantity", "cbc:InvoiceTypeCode", "cbc:DueDate"
    ),
    "{" + _UBL_NS + "CreditNote-2}CreditNote": _ubl(
        "CreditNote",
        "CreditNoteLine",
        "CreditedQuantity",
        "cbc:CreditNoteTypeCode",
        "cac:PaymentMeans/cbc:PaymentDueDate",
    ),
}


def _parse(xml: bytes | str) -> etree._Element:
    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise EInvoiceProblem(f"not well-formed XML ({error})") from error


def is_einvoice(xml: bytes | str) -> bool:
    """True when `xml` is a CII or UBL invoice this module reads."""
    try:
        return _parse(xml).tag in _SYNTAXES
    except EInvoiceProblem:
        return False


class _Reader:
    """XPath reads against one document in one syntax, with the document currency known."""

    def __init__(self, root: etree._Element, syntax: _Syntax) -> None:
        self.root, self.syntax = root, syntax
        self.currency = self.text(syntax.currency)

    def nodes(self, path: str, at: etree._Element | None = None) -> list[etree._Element]:
        found = (self.root if at is None else at).xpath(path, namespaces=self.syntax.namespaces)
        assert isinstance(found, list)
        return [node for node in found if isinstance(node, etree._Element)]

    def text(self, path: str, at: etree._Element | None = None) -> str | None:
        """The first non-empty text; `a | b` paths are alternatives tried in order (an XPath
        union would answer in document order: UBL's trading name before the legal name)."""
        for alternative in path.split(" | "):
            for node in self.nodes(alternative, at):
                if node.text and node.text.strip():
                    return " ".join(node.text.split())
        return None

    def amount(self, path: str, at: etree._Element | None = None) -> Decimal | None:
        """An amount; of several (BT-110 may repeat in the tax currency), the one in the
        document's currency."""
        nodes = self.nodes(path, at)
        preferred = [n for n in nodes if n.get("currencyID") in (None, self.currency)]
        for node in preferred or nodes:
            try:
                return Decimal((node.text or "").strip())
            except InvalidOperation:
                continue
        return None

    def date(self, path: str) -> date | None:
        value = self.text(path)
        if not value:
            return None
        digits = value.replace("-", "")[:8]  # CII format 102 is YYYYMMDD; UBL is ISO
        try:
            return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
        except ValueError:
            return None


def _lines(read: _Reader) -> list[InvoiceLine]:
    syntax, lines = read.syntax, []
    for item in read.nodes(syntax.line):
        quantity = read.amount(syntax.line_quantity, item)
        amount = read.amount(syntax.line_amount, item)
        if quantity is None or amount is None:
            continue
        price = read.amount(syntax.line_price, item)
        lines.append(
            InvoiceLine(
                description=read.text(syntax.line_name, item) or "",
                quantity=quantity,
                unit_price=price if price is not None else amount / (quantity or 1),
                amount=amount,
                sku=read.text(syntax.line_sku, item),
            )
        )
    return lines


def read_einvoice(xml: bytes | str) -> InvoiceDraft:
    """Every EN 16931 field this model holds, exactly as the XML states it."""
    root = _parse(xml)
    syntax = _SYNTAXES.get(root.tag)
    if syntax is None:
        raise EInvoiceProblem(f"not an EN 16931 invoice (root element {root.tag})")
    read = _Reader(root, syntax)
    type_code = read.text(syntax.type_code)
    is_credit = root.tag.endswith("CreditNote") or type_code in CREDIT_NOTE_CODES
    values: dict[str, object] = {
        "vendor_name": read.text(syntax.seller),
        "invoice_number": read.text(syntax.number),
        "invoice_date": read.date(syntax.issue_date),
        "due_date": read.date(syntax.due_date),
        "currency": (read.currency or "").upper() or None,
        "po_number": read.text(syntax.po_number),
        "subtotal": read.amount(syntax.net),
        "tax": read.amount(syntax.tax),
        "total": read.amount(syntax.gross),
        "amount_due": read.amount(syntax.due_amount),
        "iban": (read.text(syntax.iban) or "").replace(" ", "").upper() or None,
        "seller_vat_id": (read.text(syntax.seller_vat) or "").replace(" ", "") or None,
        "buyer_name": read.text(syntax.buyer),
    }
    found = {name: value for name, value in values.items() if value is not None}
    lines = _lines(read)
    if lines:
        found["lines"] = lines
    return InvoiceDraft.model_validate(
        {
            **found,
            "document_type": "credit_note" if is_credit else "invoice",
            "sources": dict.fromkeys(found, "xml"),
            "confidence": dict.fromkeys(found, 1.0),
            "missing": [name for name, value in values.items() if value is None],
        }
    )
