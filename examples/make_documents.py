"""Generate the sample documents, the expected answers, the seed and the bad inputs.

    .venv/bin/python -m examples.make_documents

Output is deterministic and committed (tests read it, never regenerate it), except the
20 MB text file, which only `make_bad_inputs(folder)` writes, into a folder the caller picks.
"""

from __future__ import annotations

import io
import json
import random
from email.message import EmailMessage
from pathlib import Path

from pypdf import PdfReader, PdfWriter

from examples.catalog import InvoiceSpec
from examples.render_email import render_email
from examples.render_pdf import render_pdf
from examples.render_scan import render_grey_scan, render_scan
from examples.render_text import render_text
from examples.samples import INVOICES
from examples.seed_data import build_seed

HERE = Path(__file__).parent
DOCUMENTS = HERE / "documents"
BAD_INPUTS = HERE / "bad_inputs"
EXPECTED = HERE / "expected.json"
SEED = HERE / "seed" / "system_of_record.json"
LARGE_TEXT_BYTES = 20 * 1024 * 1024
_SUFFIX = {
    "pdf": ".pdf",
    "scan": ".pdf",
    "scan_grey": ".pdf",
    "text": ".txt",
    "eml_attachment": ".eml",
    "eml_body": ".eml",
}


def file_name(spec: InvoiceSpec) -> str:
    return spec.slug + _SUFFIX[spec.fmt]


def render(spec: InvoiceSpec) -> bytes:
    """The document's bytes in its format."""
    match spec.fmt:
        case "pdf":
            return render_pdf(spec)
        case "scan":
            return render_scan(spec)
        case "scan_grey":
            return render_grey_scan(spec)
        case "text":
            return render_text(spec).encode("utf-8")
        case "eml_attachment":
            return render_email(spec, render_pdf(spec))
        case "eml_body":
            return render_email(spec, None)


def expected_entry(spec: InvoiceSpec) -> dict[str, object]:
    """Route, a reason substring, and every `Invoice` field as the contract's strings.

    A fax-quality scan yields no fields: OCR cannot read all of it (the run goes to review).
    """
    entry: dict[str, object] = {"route": spec.route, "reason": spec.reason, "why": spec.why}
    if spec.fmt == "scan":  # fax quality
        entry["fields"], entry["lines"] = {}, []
        return entry
    entry["fields"] = {
        "vendor_name": spec.vendor.name,
        "invoice_number": spec.number,
        "invoice_date": spec.issued.isoformat(),
        "due_date": spec.due.isoformat(),
        "currency": spec.currency,
        "po_number": spec.po_number,
        "subtotal": str(spec.subtotal),
        "tax": str(spec.tax),
        "total": str(spec.total),
        "iban": spec.printed_iban,
    }
    entry["lines"] = [
        {
            "sku": x.sku,
            "description": x.description,
            "quantity": str(x.quantity),
            "unit_price": str(x.unit_price),
            "amount": str(x.amount),
        }
        for x in spec.lines
    ]
    return entry


def _encrypted_pdf(source: bytes) -> bytes:
    """RC4-128, which pypdf writes without the `cryptography` package (AES needs it)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(source)))
    writer.encrypt(user_password="s3cret", owner_password="0wner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_bad_inputs(folder: Path, *, large: bool = True) -> dict[str, Path]:
    """Write one file per kind of bad input into `folder`; return kind -> path.

    `large=False` skips the 20 MB text file (that one never goes into git).
    """
    folder.mkdir(parents=True, exist_ok=True)
    good = render_pdf(INVOICES[0])
    empty_eml = EmailMessage()
    empty_eml["From"] = "billing@nowhere.example"
    empty_eml["Subject"] = "Invoice"
    ebcdic = render_text(INVOICES[12]).encode("cp500")  # EBCDIC: no PC tool writes this
    files: dict[str, tuple[str, bytes]] = {
        "empty": ("empty.pdf", b""),
        "truncated_pdf": ("truncated.pdf", good[: len(good) // 2]),
        "encrypted_pdf": ("encrypted.pdf", _encrypted_pdf(good)),
        "random_bytes_pdf": ("random_bytes.pdf", random.Random(3).randbytes(4096)),
        "eml_without_content": ("no_content.eml", bytes(empty_eml)),
        "unexpected_encoding": ("ebcdic_invoice.txt", ebcdic),
    }
    paths = {}
    for kind, (name, data) in files.items():
        paths[kind] = folder / name
        paths[kind].write_bytes(data)
    if large:
        paths["too_large_text"] = folder / "too_large.txt"
        line = b"Line item 0000 - lorem ipsum dolor sit amet, consectetur adipiscing elit\n"
        with paths["too_large_text"].open("wb") as out:
            for _ in range(LARGE_TEXT_BYTES // len(line) + 1):
                out.write(line)
    return paths


REAL_DOCUMENTS: dict[str, dict[str, object]] = {
    "15_einvoice_facturx.pdf": {
        "route": "reject",
        "reason": "vendor",
        "why": "a real Factur-X (ZUGFeRD 2.0, EN 16931) invoice, read from its embedded XML; "
        "its seller Lieferant GmbH is not in the vendor master, so it is rejected today "
        "(issue 12 asks for review as a new vendor instead: then this becomes human_review). "
        "Copied unchanged from the ZUGFeRD corpus (Apache-2.0, see examples/einvoices/README.md)",
        "fields": {
            "vendor_name": "Lieferant GmbH",
            "invoice_number": "471102",
            "invoice_date": "2018-03-05",
            "due_date": None,
            "currency": "EUR",
            "po_number": None,
            "subtotal": "473.00",
            "tax": "56.87",
            "total": "529.87",
            "iban": None,
        },
        "lines": [
            {
                "sku": "TB100A4",
                "description": "Trennblätter A4",
                "quantity": "20.0000",
                "unit_price": "9.9000",
                "amount": "198.00",
            },
            {
                "sku": "ARNR2",
                "description": "Joghurt Banane",
                "quantity": "50.0000",
                "unit_price": "5.5000",
                "amount": "275.00",
            },
        ],
    },
}
"""Real documents (not generated; committed as copied) and what they must yield."""


def main() -> None:
    """Regenerate everything committed under `examples/` (real documents are kept as they are)."""
    DOCUMENTS.mkdir(exist_ok=True)
    expected = {}
    for spec in INVOICES:
        (DOCUMENTS / file_name(spec)).write_bytes(render(spec))
        expected[file_name(spec)] = expected_entry(spec)
    expected.update(REAL_DOCUMENTS)
    EXPECTED.write_text(json.dumps(expected, indent=2, ensure_ascii=False) + "\n", "utf-8")
    SEED.write_text(build_seed().model_dump_json(indent=2) + "\n", "utf-8")
    make_bad_inputs(BAD_INPUTS, large=False)
    print(f"{len(INVOICES)} documents in {DOCUMENTS}, expected answers in {EXPECTED}")


if __name__ == "__main__":
    main()
