"""Render an `InvoiceSpec` as plain text, as an email body or a `.txt` export would carry it."""

from __future__ import annotations

from examples.catalog import BUYER, InvoiceSpec
from examples.iban import format_iban
from examples.labels import LABELS, header_fields, money, quantity


def render_text(spec: InvoiceSpec) -> str:
    """Fixed-width text: header, meta, bill-to, a column table, totals, bank details."""
    lab = LABELS[spec.language]
    out = [spec.vendor.name, *spec.vendor.address, f"{lab.vat_id}: {spec.vendor.vat_id}", ""]
    out += [lab.title, "=" * len(lab.title)]
    out += [f"{label + ':':<18}{value}" for label, value in header_fields(spec, lab)]
    out += ["", f"{lab.bill_to}:", *(f"  {line}" for line in BUYER), ""]
    sku, desc, qty, price, amount = lab.columns
    out.append(f"{sku:<12}{desc:<42}{qty:>6}{price:>14}{amount:>14}")
    out.append("-" * 88)
    for line in spec.lines:
        out.append(
            f"{line.sku:<12}{line.description:<42}{quantity(line.quantity, lab):>6}"
            f"{money(line.unit_price, lab):>14}{money(line.amount, lab):>14}"
        )
    out.append("-" * 88)
    for label, value in (
        (lab.subtotal, spec.subtotal),
        (lab.vat.format(rate=spec.vat_rate), spec.tax),
        (lab.total, spec.total),
    ):
        out.append(f"{label:>70}{money(value, lab):>14} {spec.currency}")
    out += [
        "",
        *spec.notes,
        f"{lab.bank}:",
        f"  {lab.holder}: {spec.vendor.name}",
        f"  IBAN: {format_iban(spec.printed_iban)}",
        f"  BIC: {spec.vendor.bic}",
        "",
    ]
    return "\n".join(out)
