"""Reading every format, refusing every bad input with a clear message, and the ingest node."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from langgraph.runtime import Runtime

from core.domain import Invoice, SourceDocument
from examples.make_documents import BAD_INPUTS, DOCUMENTS, make_bad_inputs
from nodes.ingestion.errors import DocumentError, ExtractionError
from nodes.ingestion.extraction import RulesExtractor
from nodes.ingestion.ingest import MAX_DOCUMENT_BYTES, ingest, read_document

# kind -> words the error message must contain (besides the file name)
PROBLEMS = {
    "empty": "empty",
    "truncated_pdf": "truncated",
    "encrypted_pdf": "encrypted",
    "random_bytes_pdf": "not a PDF",
    "too_large_text": "too large",
    "eml_without_content": "neither a body nor an attachment",
    "unexpected_encoding": "encoding",
}


@pytest.fixture(scope="module")
def bad_inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return make_bad_inputs(tmp_path_factory.mktemp("bad"))


@dataclass
class _Context:
    """Stand-in for the graph's Context: ingestion needs only `extractor`."""

    extractor: object | None = None


def test_reads_pdf() -> None:
    doc = read_document(DOCUMENTS / "01_clean_match.pdf")
    assert doc.kind == "pdf" and doc.pages == 1 and "NW-2026-00417" in doc.text
    assert len(doc.sha256) == 64


def test_reads_multi_page_pdf() -> None:
    doc = read_document(DOCUMENTS / "10_multi_page.pdf")
    assert doc.pages == 2 and "Total due" in doc.text


def test_reads_eml_with_pdf_attachment() -> None:
    doc = read_document(DOCUMENTS / "04_duplicate_paid.eml")
    assert doc.kind == "eml" and doc.attachments == ["HCS-2026-0042.pdf"] and doc.pages == 1
    assert doc.text.index("please find attached") < doc.text.index("IBAN")  # body first


def test_reads_eml_body() -> None:
    doc = read_document(DOCUMENTS / "14_email_body.eml")
    assert doc.attachments == [] and "Facture N°" in doc.text


def test_reads_text() -> None:
    doc = read_document(DOCUMENTS / "13_plain_text.txt")
    assert doc.kind == "text" and doc.pages == 0 and "MPP-F-2026-0322" in doc.text


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-16", "cp1252", "utf-8-sig"])
def test_decodes_text_in_other_encodings(tmp_path: Path, encoding: str) -> None:
    content = "Nordwind Bürobedarf GmbH\nRechnungsnummer: RE-1\nGesamtbetrag 1.822,13 EUR\n"
    path = tmp_path / f"{encoding}.txt"
    path.write_bytes(content.encode(encoding))
    assert read_document(path).text.replace("\r", "") == content


def test_a_pdf_without_text_layer_is_read_by_tesseract() -> None:
    """Real Tesseract (make system-deps installs it), one page: no mock."""
    doc = read_document(DOCUMENTS / "11_scanned_no_text.pdf")
    assert doc.text_source == "ocr" and doc.pages == 1
    assert doc.ocr_confidence is not None and 0 < doc.ocr_confidence <= 1
    assert "Castell Industrial Parts" in doc.text


@pytest.mark.parametrize("kind", sorted(PROBLEMS))
def test_bad_input_raises_document_error(bad_inputs: dict[str, Path], kind: str) -> None:
    path = bad_inputs[kind]
    with pytest.raises(DocumentError) as caught:
        read_document(path)
    message = str(caught.value)
    assert str(path) in message and PROBLEMS[kind] in message
    assert caught.value.path == str(path)
    assert len(message) < 300  # a sentence, never the file's content


def test_committed_bad_inputs_are_bad() -> None:
    for path in BAD_INPUTS.iterdir():
        with pytest.raises(DocumentError):
            read_document(path)


def test_large_file_is_over_the_limit(bad_inputs: dict[str, Path]) -> None:
    assert bad_inputs["too_large_text"].stat().st_size > MAX_DOCUMENT_BYTES


@pytest.mark.parametrize("kind", sorted(PROBLEMS))
def test_ingest_node_records_errors_and_never_raises(
    bad_inputs: dict[str, Path], kind: str
) -> None:
    update = ingest({"document_path": str(bad_inputs[kind])}, Runtime(context=_Context()))
    assert update["document"] is None and update["invoice"] is None
    assert len(update["errors"]) == 1 and str(bad_inputs[kind]) in update["errors"][0]


def test_ingest_node_without_context_uses_rules() -> None:
    update = ingest({"document_path": str(DOCUMENTS / "01_clean_match.pdf")}, Runtime())
    assert update["errors"] == []
    assert update["invoice"] is not None and update["invoice"].invoice_number == "NW-2026-00417"


def test_ingest_node_uses_the_context_extractor() -> None:
    class Failing:
        def extract(self, document: SourceDocument) -> Invoice:
            raise ExtractionError(document.path, "model gave up", ["total"])

    path = str(DOCUMENTS / "01_clean_match.pdf")
    update = ingest({"document_path": path}, Runtime(context=_Context(extractor=Failing())))
    assert update["invoice"] is None and update["document"] is not None
    assert path in update["errors"][0] and "total" in update["errors"][0]


def test_ingest_node_no_text_layer() -> None:
    path = str(DOCUMENTS / "11_scanned_no_text.pdf")
    update = ingest({"document_path": path}, Runtime(context=_Context(RulesExtractor())))
    assert update["errors"] and "no text layer" in update["errors"][0]


def test_missing_file_is_a_document_error(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="cannot be opened"):
        read_document(tmp_path / "nope.pdf")


def test_an_invoice_forwarded_as_an_attached_email_is_read(tmp_path):
    from email import message_from_bytes, policy
    from email.message import EmailMessage

    original = (DOCUMENTS / "09_french_facture.eml").read_bytes()
    forward = EmailMessage()
    forward["Subject"] = "Fwd: facture"
    forward["From"] = "colleague@example.com"
    forward["To"] = "ap@example.com"
    forward.add_attachment(message_from_bytes(original, policy=policy.default))
    path = tmp_path / "forwarded.eml"
    path.write_bytes(bytes(forward))

    document = read_document(path)

    assert any(name.endswith(".pdf") for name in document.attachments)
    direct = RulesExtractor().extract(read_document(DOCUMENTS / "09_french_facture.eml"))
    assert RulesExtractor().extract(document).model_dump() == direct.model_dump()
