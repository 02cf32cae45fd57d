"""What invoices call their fields, in English, German, French, Dutch, Spanish, Italian and
Polish, and the words that tell a document's language.

Labels are matched case-insensitively anywhere in a line, longest first, on word boundaries;
a space in a label matches any run of spaces, and `.` after an abbreviation is optional.
`EXCLUDED` labels look like totals but are not the amount invoiced (a zero "prepayments" line
was once read as the total): a line carrying one never yields a total or amount due.
"""

from __future__ import annotations

import re
from functools import cache

LABELS: dict[str, tuple[str, ...]] = {
    "invoice_number": (
        # en
        "invoice number", "invoice no", "invoice nr", "invoice #", "invoice id", "inv no",
        "inv #", "invoice ref", "bill number", "bill no", "document number", "document no",
        "credit note number", "credit note no", "receipt number", "reference number",
        # de
        "rechnungsnummer", "rechnungs-nummer", "rechnungs-nr", "rechnungsnr", "rechnung nr",
        "rechnung-nr", "rechnung nummer", "belegnummer", "beleg-nr", "belegnr",
        "gutschriftsnummer", "gutschrift-nr", "gutschrift nr", "dokumentnummer",
        # fr
        "numéro de facture", "n° de facture", "no de facture", "facture n°", "facture no",
        "facture numéro", "n° facture", "numéro facture", "avoir n°", "numéro d'avoir",
        # nl
        "factuurnummer", "factuur nummer", "factuurnr", "factuur nr", "creditnotanummer",
        "creditnota nummer",
        # es
        "número de factura", "nº de factura", "n.º de factura", "num. factura", "factura nº",
        "factura n.º", "factura no", "factura núm",
        # it
        "numero fattura", "numero di fattura", "n. fattura", "fattura n", "fattura nr",
        "fattura numero", "nota di credito n",
        # pl
        "numer faktury", "nr faktury", "faktura nr", "faktura vat nr", "faktura numer",
        "faktura korygująca nr",
    ),
    "invoice_date": (
        "invoice date", "date of invoice", "date of issue", "issue date", "issued on",
        "date issued", "billing date", "invoice dated",
        "rechnungsdatum", "rechnungs-datum", "belegdatum", "ausstellungsdatum",
        "ausgestellt am", "datum der rechnung",
        "date de facture", "date de facturation", "date d'émission", "date facture",
        "factuurdatum", "datum factuur",
        "fecha de factura", "fecha de emisión", "fecha factura", "fecha de expedición",
        "data fattura", "data di emissione", "data documento", "data della fattura",
        "data wystawienia", "data faktury",
    ),
    "invoice_date_generic": ("date", "datum", "data", "fecha", "dated", "vom", "du", "del"),
    "due_date": (
        "due date", "payment due", "due by", "due on", "pay by", "payable by", "payment date",
        "fällig am", "fälligkeitsdatum", "fälligkeit", "zahlbar bis", "zahlungsziel",
        "zahlbar am", "fällig bis",
        "date d'échéance", "échéance", "à payer avant le", "date limite de paiement",
        "date de paiement",
        "vervaldatum", "te betalen voor", "uiterste betaaldatum",
        "fecha de vencimiento", "vencimiento", "fecha de pago",
        "data di scadenza", "scadenza", "data scadenza",
        "termin płatności", "termin zapłaty",
    ),
    "subtotal": (
        "subtotal", "sub-total", "sub total", "net amount", "net total", "total net",
        "total excl. vat", "total excluding vat", "total excl. tax", "total before tax",
        "amount excl. vat", "total (excl. vat)", "net value", "taxable value",
        "taxable amount",
        "nettobetrag", "netto betrag", "summe netto", "nettosumme", "zwischensumme",
        "gesamt netto", "gesamtbetrag netto", "rechnungsbetrag netto", "warenwert", "netto",
        "summe positionen", "total netto", "rechnungssumme ohne ust", "summe ohne ust",
        "betrag ohne ust", "gesamtbetrag ohne ust", "nettowert", "summe netto",
        "total ht", "montant ht", "sous-total", "total hors taxes", "montant hors taxes",
        "subtotaal", "totaal excl. btw", "netto bedrag", "bedrag excl. btw", "totaal excl btw",
        "base imponible", "importe neto", "subtotal sin iva",
        "imponibile", "totale imponibile", "subtotale", "totale netto",
        "wartość netto", "razem netto", "suma netto",
    ),
    "tax": (
        "vat", "tax", "sales tax", "gst", "vat amount", "total vat", "tax amount", "total tax",
        "igst", "cgst", "sgst", "utgst", "hst", "pst",
        "mwst", "mwst.", "ust", "umsatzsteuer", "versicherungsteuer", "versicherungssteuer",
        "mehrwertsteuer", "steuerbetrag", "summe ust",
        "tva", "montant tva", "total tva",
        "btw", "btw-bedrag", "btw bedrag", "totaal btw",
        "iva", "cuota iva", "importe iva", "total iva",
        "imposta", "totale iva",
        "kwota vat", "podatek vat", "wartość vat", "razem vat",
    ),
    "total": (
        "total", "grand total", "invoice total", "total amount", "total incl. vat",
        "total including vat", "total (incl. vat)", "total incl. tax", "gross amount",
        "total gross", "amount",
        "gesamtbetrag", "rechnungsbetrag", "endbetrag", "bruttobetrag", "gesamtsumme",
        "summe brutto", "rechnungssumme", "gesamt brutto", "gesamtbetrag brutto", "brutto",
        "rechnungsbetrag brutto", "gesamt", "summe", "total brutto", "bruttosumme",
        "rechnungsbeitrag",
        "gesamtsumme brutto", "rechnungsendbetrag", "endsumme",
        "total ttc", "montant ttc", "montant total", "total facture", "total à payer ttc",
        "totaal", "totaalbedrag", "totaal incl. btw", "totaal incl btw", "factuurbedrag",
        "total factura", "importe total", "total con iva",
        "totale fattura", "totale documento", "totale", "importo totale",
        "wartość brutto", "razem brutto", "razem", "suma", "ogółem",
    ),
    "amount_due": (
        "amount due", "balance due", "total due", "amount payable", "amount to pay",
        "to pay", "please pay", "balance", "total payable", "due amount",
        "zu zahlen", "zahlbetrag", "zu zahlender betrag", "zu zahlender beitrag",
        "offener betrag", "fälliger betrag",
        "restbetrag",
        "net à payer", "reste à payer", "montant à payer", "montant dû", "à payer",
        "te betalen", "openstaand bedrag", "totaal te betalen",
        "total a pagar", "importe a pagar", "a pagar",
        "totale da pagare", "netto a pagare", "da pagare",
        "do zapłaty", "pozostało do zapłaty", "razem do zapłaty",
    ),
    "po_number": (
        "po number", "po no", "po #", "p.o. number", "purchase order", "purchase order no",
        "purchase order number", "your order", "order number", "order no", "your reference",
        "bestellnummer", "bestell-nr", "bestellnr", "ihre bestellung", "auftragsnummer",
        "bon de commande", "n° de commande", "numéro de commande", "votre commande",
        "ordernummer", "inkoopordernummer", "uw bestelling", "bestelnummer", "uw referentie",
        "uw kenmerk",
        "número de pedido", "pedido", "su pedido",
        "numero ordine", "ordine n", "vostro ordine",
        "numer zamówienia", "zamówienie nr",
    ),
    "currency": (
        "currency", "invoice currency", "amounts in", "all amounts in", "währung",
        "rechnungswährung", "beträge in", "devise", "montants en", "valuta", "moneda",
        "divisa", "waluta",
    ),
    "bill_to": (
        "bill to", "billed to", "invoice to", "sold to", "customer", "client", "buyer",
        "invoice address", "billing address",
        "rechnungsempfänger", "rechnungsadresse", "kunde", "käufer", "empfänger",
        "facturé à", "destinataire", "adresse de facturation", "acheteur",
        "factuuradres", "factuur aan", "klant", "afnemer", "gefactureerd aan",
        "facturar a", "cliente", "comprador",
        "fatturare a", "intestatario", "committente",
        "nabywca", "odbiorca", "płatnik",
    ),
    "seller": (
        "seller", "vendor", "supplier", "from", "issued by", "sold by",
        "verkäufer", "lieferant", "rechnungssteller", "leistungserbringer",
        "vendeur", "fournisseur", "émetteur",
        "verkoper", "leverancier",
        "vendedor", "proveedor", "emisor",
        "venditore", "fornitore", "cedente",
        "sprzedawca", "dostawca", "wystawca",
    ),
    "vat_id": (
        "vat id", "vat no", "vat number", "vat reg no", "vat registration number", "tax id",
        "vat-id", "ust-idnr", "ust-id-nr", "ust-id", "ust idnr", "umsatzsteuer-id",
        "ust.-id", "ust-identifikationsnummer", "steuernummer", "steuer-nr",
        "n° tva", "numéro de tva", "tva intracommunautaire", "n° tva intracommunautaire",
        "btw-nummer", "btw nummer", "btw-nr", "btw nr", "btw-id",
        "nif", "cif", "nif/cif", "partita iva", "p. iva", "p.iva", "nip", "gstin",
    ),
    "noise": (
        "customer number", "customer no", "customer id", "account number", "kundennummer",
        "kunden-nr", "kundennr", "n° client", "numéro client", "klantnummer",
        "numero cliente", "número de cliente", "order date", "delivery date", "ship date",
        "lieferdatum", "leistungsdatum", "bestelldatum", "auftragsdatum",
        "date de livraison", "date de commande", "leverdatum", "orderdatum",
        "fecha de entrega", "data di consegna", "data sprzedaży", "data dostawy",
        "tax invoice", "vat invoice", "gst invoice", "tax id no",
        "page", "seite", "tax rate", "vat rate", "steuersatz", "taux tva", "tax %",
        "mwst-%", "mwst %", "ust-%", "ust. %", "ust %", "vat %", "tva %", "btw %", "iva %",
    ),
    "holder": (
        "account holder", "beneficiary", "account name", "payee",
        "kontoinhaber", "zahlungsempfänger", "empfänger des betrags",
        "titulaire du compte", "titulaire", "bénéficiaire",
        "rekeninghouder", "ten name van", "begunstigde",
        "titular", "beneficiario", "intestato a", "odbiorca przelewu",
    ),
}

EXCLUDED = (
    "prepaid", "prepayment", "prepayments", "already paid", "paid", "deposit", "discount",
    "total quantity", "total items", "total weight", "carried forward", "brought forward",
    "anzahlung", "anzahlungen", "vorauszahlung", "vorauszahlungen", "bereits bezahlt",
    "bezahlt", "rabatt", "skonto", "übertrag", "gesamtmenge", "gesamtgewicht", "menge",
    "acompte", "acomptes", "déjà payé", "remise", "report",
    "aanbetaling", "reeds betaald", "betaald", "korting",
    "anticipo", "pagado", "descuento", "pagato", "sconto", "acconto",
    "zaliczka", "zapłacono", "rabat",
    "per page", "page total", "seitensumme", "zuschläge", "abschläge", "zu-/abschlag",
    "zuschlag", "abschlag", "allowances", "charges", "nachlass",
)

LANGUAGE_CUES: dict[str, tuple[str, ...]] = {
    "en": ("invoice", "total", "amount", "date", "due", "tax", "bill", "payment", "vat"),
    "de": ("rechnung", "betrag", "datum", "summe", "steuer", "zahlbar", "mwst", "ust", "netto"),
    "fr": ("facture", "montant", "échéance", "tva", "total ttc", "paiement", "date de"),
    "nl": ("factuur", "bedrag", "btw", "totaal", "vervaldatum", "betalen"),
    "es": ("factura", "importe", "fecha", "iva", "vencimiento", "pagar"),
    "it": ("fattura", "importo", "totale", "scadenza", "imponibile", "pagare"),
    "pl": ("faktura", "kwota", "razem", "zapłaty", "płatności", "netto", "nabywca"),
}

COMMA_DECIMAL_LANGUAGES = frozenset({"de", "fr", "nl", "es", "it", "pl"})


def _label_pattern(label: str) -> str:
    words = [re.escape(word).replace(r"\.", r"\.?") for word in label.split()]
    body = r"[ \t]*".join(words)  # OCR and tight kerning drop spaces: "Billto", "Totaldue"
    start = r"(?<![\w])" if label[0].isalnum() else ""
    end = r"(?![\w])" if label[-1].isalnum() else ""
    return start + body + end


@cache
def label_regex(field: str) -> re.Pattern[str]:
    """One regex for every label of `field`, longest label first."""
    labels = sorted(LABELS[field], key=len, reverse=True)
    return re.compile("|".join(_label_pattern(label) for label in labels), re.I)


FIELDS = tuple(LABELS)


@cache
def excluded_regex() -> re.Pattern[str]:
    labels = sorted(EXCLUDED, key=len, reverse=True)
    return re.compile("|".join(_label_pattern(label) for label in labels), re.I)


def language(text: str) -> str:
    """The language with the most cue words in `text` (en when none is found)."""
    lowered = text.lower()
    counts = {
        lang: sum(len(re.findall(_label_pattern(cue), lowered)) for cue in cues)
        for lang, cues in LANGUAGE_CUES.items()
    }
    best = max(counts, key=lambda lang: counts[lang])
    return best if counts[best] else "en"
