"""Documents reach a run as content; a path only from the CLI or under the inbox root (issue 11,
item 10), and a folder is a clear document error (item 12). The ingest node keeps no bytes."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from langgraph.runtime import Runtime, ServerInfo

from core.settings import Settings
from nodes.ingestion.document_input import decode_upload, resolve_document_path, upload_name
from nodes.ingestion.errors import DocumentError
from nodes.ingestion.ingest import MAX_DOCUMENT_BYTES, ingest
from nodes.ingestion.state import DocumentUpload

DOCUMENTS = Path(__file__).resolve().parents[2] / "examples" / "documents"
CLEAN = DOCUMENTS / "01_clean_match.pdf"
SERVER = ServerInfo(assistant_id="a", graph_id="accounts_payable")


@dataclass
class _Context:
    """Stand-in for the graph's Context: ingestion reads `settings` and `extractor`."""

    settings: Settings = field(default_factory=Settings)
    extractor: object | None = None


def on_cli(**settings: object) -> Runtime[_Context]:
    return Runtime(context=_Context(Settings(**settings)))  # type: ignore[arg-type]


def on_server(**settings: object) -> Runtime[_Context]:
    return Runtime(context=_Context(Settings(**settings)), server_info=SERVER)  # type: ignore[arg-type]


def upload_of(path: Path, name: str | None = None) -> DocumentUpload:
    content = base64.b64encode(path.read_bytes()).decode("ascii")
    return {"name": name or path.name, "content_base64": content}


def test_an_uploaded_pdf_is_read_and_extracted_and_its_bytes_leave_state() -> None:
    update = ingest({"upload": upload_of(CLEAN)}, on_server(inbox=DOCUMENTS))
    assert update["upload"] is None
    assert update["document_path"] == "01_clean_match.pdf"
    document = update["document"]
    assert document is not None and document.kind == "pdf"
    assert document.sha256 == hashlib.sha256(CLEAN.read_bytes()).hexdigest()
    assert update["invoice"] is not None and update["invoice"].invoice_number == "NW-2026-00417"
    assert update["errors"] == []


def test_an_upload_wins_over_a_path_left_by_an_earlier_run() -> None:
    update = ingest(
        {"upload": upload_of(CLEAN), "document_path": "/etc/passwd"}, on_server(inbox=DOCUMENTS)
    )
    assert update["document_path"] == "01_clean_match.pdf" and update["errors"] == []


def test_an_upload_name_keeps_no_folder_part() -> None:
    assert upload_name("../../etc/passwd.pdf") == "passwd.pdf"
    assert upload_name("C:\\invoices\\inv.pdf") == "inv.pdf"
    assert upload_name("") == "upload" and upload_name(None) == "upload"


@pytest.mark.parametrize(
    ("upload", "problem"),
    [
        ({"name": "x.pdf", "content_base64": "not base64 at all!"}, "not valid base64"),
        ({"name": "x.pdf", "content_base64": ""}, "empty"),
        ({"name": "x.pdf"}, "no content_base64"),
        ("JVBERi0=", "not an object"),
    ],
)
def test_a_malformed_upload_is_a_document_error(upload: object, problem: str) -> None:
    with pytest.raises(DocumentError, match=problem):
        decode_upload(upload, MAX_DOCUMENT_BYTES)


def test_an_upload_over_the_limit_is_refused_before_it_is_decoded() -> None:
    huge = "A" * ((MAX_DOCUMENT_BYTES // 3 + 2) * 4)
    with pytest.raises(DocumentError, match="too large"):
        decode_upload({"name": "big.pdf", "content_base64": huge}, MAX_DOCUMENT_BYTES)


def test_a_refused_upload_leaves_neither_bytes_nor_text_in_state() -> None:
    update = ingest(
        {"upload": {"name": "x.txt", "content_base64": "%%%"}}, on_server(inbox=DOCUMENTS)
    )
    assert update["upload"] is None and update["document"] is None
    assert update["invoice"] is None
    assert "x.txt" in update["errors"][0] and "base64" in update["errors"][0]


def test_under_the_server_a_path_outside_the_inbox_is_not_read() -> None:
    update = ingest({"document_path": "/etc/passwd"}, on_server(inbox=DOCUMENTS))
    assert update["document"] is None and update["invoice"] is None
    (error,) = update["errors"]
    assert "/etc/passwd" in error and "outside the inbox" in error and "upload" in error
    assert "root:" not in error  # nothing of the file


def test_under_the_server_a_refusal_does_not_tell_whether_a_file_exists(tmp_path: Path) -> None:
    (tmp_path / "exists.txt").write_text("Total due 1.00", encoding="utf-8")
    missing = ingest({"document_path": str(tmp_path / "no-such")}, on_server(inbox=DOCUMENTS))
    present = ingest({"document_path": str(tmp_path / "exists.txt")}, on_server(inbox=DOCUMENTS))
    for update in (missing, present):
        assert "outside the inbox" in update["errors"][0]


def test_a_missing_file_in_the_inbox_cannot_be_opened(tmp_path: Path) -> None:
    update = ingest({"document_path": str(tmp_path / "gone.pdf")}, on_cli(inbox_root=tmp_path))
    assert "cannot be opened" in update["errors"][0]


def test_an_upload_encoded_with_line_breaks_is_read() -> None:
    content = base64.encodebytes(CLEAN.read_bytes()).decode("ascii")  # a newline every 76
    upload = decode_upload({"name": CLEAN.name, "content_base64": content}, MAX_DOCUMENT_BYTES)
    assert upload.data == CLEAN.read_bytes()


def test_under_the_server_a_path_in_its_inbox_is_read() -> None:
    update = ingest({"document_path": str(CLEAN)}, on_server(inbox=DOCUMENTS))
    assert update["errors"] == [] and update["document"] is not None


def test_under_the_server_the_inbox_root_setting_wins_over_the_inbox(tmp_path: Path) -> None:
    update = ingest({"document_path": str(CLEAN)}, on_server(inbox=DOCUMENTS, inbox_root=tmp_path))
    assert update["document"] is None and "outside the inbox" in update["errors"][0]


def test_from_the_cli_any_path_its_user_names_is_read(tmp_path: Path) -> None:
    copy = tmp_path / "elsewhere" / "invoice.pdf"
    copy.parent.mkdir()
    copy.write_bytes(CLEAN.read_bytes())
    update = ingest({"document_path": str(copy)}, on_cli())
    assert update["errors"] == [] and update["document"] is not None
    assert update["document"].path == str(copy)


def test_from_the_cli_a_configured_inbox_root_confines_paths(tmp_path: Path) -> None:
    update = ingest({"document_path": str(CLEAN)}, on_cli(inbox_root=tmp_path))
    assert update["document"] is None and "outside the inbox" in update["errors"][0]


def test_a_dot_dot_does_not_lead_out_of_the_inbox_root(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (tmp_path / "secret.txt").write_text("Total due 1.00", encoding="utf-8")
    with pytest.raises(DocumentError, match="outside the inbox"):
        resolve_document_path(str(inbox / ".." / "secret.txt"), inbox)


def test_a_symlink_does_not_lead_out_of_the_inbox_root(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "invoice.pdf").symlink_to(CLEAN)
    with pytest.raises(DocumentError, match="outside the inbox"):
        resolve_document_path(str(inbox / "invoice.pdf"), inbox)


def test_a_symlink_within_the_inbox_root_is_read(tmp_path: Path) -> None:
    (tmp_path / "invoice.pdf").write_bytes(CLEAN.read_bytes())
    (tmp_path / "link.pdf").symlink_to(tmp_path / "invoice.pdf")
    assert (
        resolve_document_path(str(tmp_path / "link.pdf"), tmp_path)
        == (tmp_path / "invoice.pdf").resolve()
    )


def test_a_folder_given_as_a_document_is_a_clear_document_error(tmp_path: Path) -> None:
    update = ingest({"document_path": str(tmp_path)}, on_cli())
    assert update["document"] is None
    (error,) = update["errors"]
    assert str(tmp_path) in error and "is a folder" in error


def test_a_device_is_not_a_document() -> None:
    with pytest.raises(DocumentError, match="not a regular file"):
        resolve_document_path("/dev/null", None)


def test_a_run_without_a_document_says_how_to_send_one() -> None:
    update = ingest({}, on_server(inbox=DOCUMENTS))
    assert update["document"] is None
    assert "no document was given" in update["errors"][0] and "upload" in update["errors"][0]
