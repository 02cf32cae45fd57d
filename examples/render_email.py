"""Render an `InvoiceSpec` as an `.eml`: a PDF attachment, or the invoice in the body.

Fixed date, Message-ID and MIME boundary keep the bytes reproducible.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from examples.catalog import InvoiceSpec
from examples.render_pdf import CREATED
from examples.render_text import render_text

_GREETING = {
    "en": (
        "Dear accounts payable team,\n\nplease find attached our invoice {number}.\n\n"
        "Kind regards\nAccounts receivable"
    ),
    "de": (
        "Sehr geehrte Damen und Herren,\n\nanbei erhalten Sie unsere Rechnung {number}.\n\n"
        "Mit freundlichen Grüßen\nBuchhaltung"
    ),
    "fr": (
        "Madame, Monsieur,\n\nveuillez trouver ci-joint notre facture {number}.\n\n"
        "Cordialement,\nService comptabilité"
    ),
}


def _envelope(spec: InvoiceSpec) -> EmailMessage:
    domain = spec.vendor.name.split()[0].lower() + ".example"
    message = EmailMessage(policy=SMTP)
    message["From"] = f"{spec.vendor.name} <billing@{domain}>"
    message["To"] = "Accounts Payable <ap@overture-demo.example>"
    message["Subject"] = f"Invoice {spec.number}"
    message["Date"] = format_datetime(CREATED)
    message["Message-ID"] = f"<{spec.slug}@{domain}>"
    return message


def render_email(spec: InvoiceSpec, pdf: bytes | None) -> bytes:
    """With `pdf`, a short cover note plus the attachment; without, the invoice as the body."""
    message = _envelope(spec)
    if pdf is None:
        message.set_content(render_text(spec))
        return message.as_bytes()
    message.set_content(_GREETING[spec.language].format(number=spec.number))
    filename = spec.number.replace("/", "-") + ".pdf"
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename=filename)
    message.set_boundary(f"==overture-{spec.slug}==")
    return message.as_bytes()
