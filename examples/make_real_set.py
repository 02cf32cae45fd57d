"""Copy a labelled set of real invoices (not made by this project) into examples/einvoices and
write its evaluation dataset, examples/eval/real/invoices.jsonl.

    .venv/bin/python -m examples.make_real_set [PATH-TO-shared/invoices]

The specimens come from the ZUGFeRD community corpus (Apache-2.0; examples/einvoices/README.md).
Each Factur-X/ZUGFeRD PDF is used twice: as it is (read from its embedded XML) and as a copy with
the XML removed (`text_only/`), so the evaluation also measures reading the visible page, which
can fall short. Their sellers are not in the demo vendor master: every route is `reject` today.
"""

from __future__ import annotations

import io
import json
import shutil
import sys
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject

HERE = Path(__file__).parent
OUT = HERE / "einvoices"
DATASET = HERE / "eval" / "real" / "invoices.jsonl"
AS_IS = (
    "intarsys__EN16931__zugferd_2p0_EN16931_Rabatte",
    "intarsys__EN16931__zugferd_2p0_EN16931_Gutschrift",
    "intarsys__EXTENDED__zugferd_2p0_EXTENDED_Fremdwaehrung",
    "Intarsys__ZUGFeRD_1p0_COMFORT_Rechnungskorrektur",
)
TEXT_ONLY = (
    "Intarsys__ZUGFeRD_1p0_BASIC_Einfach",
    "intarsys__EN16931__zugferd_2p0_EN16931_OEPNV",
    "intarsys__EXTENDED__zugferd_2p0_EXTENDED_Warenrechnung",
    "intarsys__EN16931__zugferd_2p0_EN16931_Kraftfahrversicherung_Bruttopreise",
    "Intarsys__ZUGFeRD_1p0_COMFORT_Haftpflichtversicherung_Versicherungssteuer",
)


def without_xml(pdf: bytes) -> bytes:
    """The PDF with its embedded files (the e-invoice XML) and their associations removed."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    root = writer._root_object
    names = root.get("/Names")
    if names is not None:
        names.get_object().pop(NameObject("/EmbeddedFiles"), None)
    root.pop(NameObject("/AF"), None)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _fields(label: dict[str, object]) -> dict[str, object]:
    total = label["amount"]
    return {
        "vendor_name": " ".join(str(label["issuer"]).split()),
        "invoice_number": label["invoice_number"],
        "invoice_date": label["date"],
        "currency": label["currency"],
        "total": f"{float(str(total)):.2f}",
    }


def main(shared: Path) -> None:
    """Copy the specimens and write the dataset (deterministic)."""
    (OUT / "text_only").mkdir(parents=True, exist_ok=True)
    DATASET.parent.mkdir(parents=True, exist_ok=True)
    rows = []
    for stem in AS_IS + TEXT_ONLY:
        source = shared / "zugferd" / f"{stem}.pdf"
        label = json.loads(source.with_suffix(".json").read_text(encoding="utf-8"))[0]
        if stem in AS_IS:
            target = OUT / source.name
            shutil.copyfile(source, target)
        else:
            target = OUT / "text_only" / source.name
            target.write_bytes(without_xml(source.read_bytes()))
        target.chmod(0o644)
        document = target.relative_to(HERE.parent).as_posix()
        rows.append(
            {"id": target.stem, "document": document, "route": "reject", "fields": _fields(label)}
        )
    DATASET.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    print(f"{len(rows)} real invoices in {OUT}, dataset {DATASET}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parents[1] / "shared" / "invoices")
